"""The ticket status lifecycle: a table of allowed transitions and one function enforcing it.

Source: the seed desk's status table (DOMAIN.md "Status lifecycle"). Decisions beyond it:

* Registered also means "in a group's queue, nobody assigned": a ticket returns there when
  its assignee is removed (e.g. functional escalation to a group without a named engineer).
* An engineer who picks up a Registered ticket may start work at once (Registered → In
  progress), provided the ticket gets an assignee.
* Completing needs a closure code. Codes marked ``without_work`` (invalid request,
  duplicate, cancelled by customer) may complete a ticket on which work never started,
  i.e. straight from Registered/Assigned; the other codes need work to have started.
* Completed leaves only to Closed (contact confirms; an engineer records a confirmation
  received by phone, with a comment; or the system auto-closes 3 days after Completed)
  or to Rejected by user (the contact only, with a comment saying why).
* Rejected by user goes back to work: Assigned / In progress (or Information needed).
* Information needed and External processing need a comment. Leaving Information needed
  needs a comment too: the contact's answer or the engineer's note of it.
* Closed is final. A status never "changes" to itself: reassignment is not a transition.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from typing import Final, Literal

from selfservice.domain.enums import ActorRole, ClosureCode, Status
from selfservice.domain.errors import (
    ActorNotAllowed,
    PreconditionFailed,
    TransitionNotAllowed,
)

AUTO_CLOSE_AFTER: Final = timedelta(days=3)

#: The ticket waits for the customer: the SLA clocks are paused.
WAITING_FOR_CUSTOMER: Final = frozenset({Status.INFORMATION_NEEDED})
#: Work is finished (resolution clock stops; Rejected by user restarts it).
RESOLVED: Final = frozenset({Status.COMPLETED, Status.CLOSED})
FINAL: Final = frozenset({Status.CLOSED})


class Requirement(StrEnum):
    """Preconditions a rule may demand; the value is the field named in the error."""

    ASSIGNEE = "assignee"
    NO_ASSIGNEE = "no_assignee"
    COMMENT = "comment"
    CLOSURE_CODE = "closure_code"
    AUTO_CLOSE_DUE = "auto_close_due"


@dataclass(frozen=True)
class Rule:
    """One allowed transition for a set of actor roles, with its preconditions."""

    name: str
    source: Status
    target: Status
    actors: frozenset[ActorRole]
    requires: frozenset[Requirement] = frozenset()


_C, _E, _S = ActorRole.CONTACT, ActorRole.ENGINEER, ActorRole.SYSTEM
_ASSIGNEE, _UNASSIGNED = Requirement.ASSIGNEE, Requirement.NO_ASSIGNEE
_COMMENT, _CODE = Requirement.COMMENT, Requirement.CLOSURE_CODE
_R, _A, _IP = Status.REGISTERED, Status.ASSIGNED, Status.IN_PROGRESS
_CO, _CL, _RJ = Status.COMPLETED, Status.CLOSED, Status.REJECTED_BY_USER
_IN, _EX = Status.INFORMATION_NEEDED, Status.EXTERNAL_PROCESSING


def _rule(
    name: str, source: Status, target: Status, actors: set[ActorRole], *requires: Requirement
) -> Rule:
    return Rule(name, source, target, frozenset(actors), frozenset(requires))


RULES: Final[tuple[Rule, ...]] = (
    _rule("assign", _R, _A, {_E, _S}, _ASSIGNEE),
    _rule("start", _R, _IP, {_E}, _ASSIGNEE),
    _rule("complete", _R, _CO, {_E}, _CODE),
    _rule("ask_information", _R, _IN, {_E}, _COMMENT),
    _rule("unassign", _A, _R, {_E, _S}, _UNASSIGNED, _COMMENT),
    _rule("start", _A, _IP, {_E}, _ASSIGNEE),
    _rule("complete", _A, _CO, {_E}, _CODE),
    _rule("ask_information", _A, _IN, {_E}, _COMMENT),
    _rule("hand_to_external", _A, _EX, {_E}, _ASSIGNEE, _COMMENT),
    _rule("unassign", _IP, _R, {_E, _S}, _UNASSIGNED, _COMMENT),
    _rule("reassign", _IP, _A, {_E, _S}, _ASSIGNEE),
    _rule("complete", _IP, _CO, {_E}, _CODE),
    _rule("ask_information", _IP, _IN, {_E}, _COMMENT),
    _rule("hand_to_external", _IP, _EX, {_E}, _ASSIGNEE, _COMMENT),
    _rule("confirm", _CO, _CL, {_C}),
    _rule("record_confirmation", _CO, _CL, {_E}, _COMMENT),
    _rule("auto_close", _CO, _CL, {_S}, Requirement.AUTO_CLOSE_DUE),
    _rule("reject", _CO, _RJ, {_C}, _COMMENT),
    _rule("rework", _RJ, _A, {_E, _S}, _ASSIGNEE),
    _rule("rework", _RJ, _IP, {_E}, _ASSIGNEE),
    _rule("ask_information", _RJ, _IN, {_E}, _COMMENT),
    _rule("answer", _IN, _R, {_C, _E, _S}, _UNASSIGNED, _COMMENT),
    _rule("answer", _IN, _A, {_C, _E, _S}, _ASSIGNEE, _COMMENT),
    _rule("answer", _IN, _IP, {_C, _E, _S}, _ASSIGNEE, _COMMENT),
    _rule("complete", _IN, _CO, {_E}, _CODE),
    _rule("back_from_external", _EX, _A, {_E, _S}, _ASSIGNEE),
    _rule("back_from_external", _EX, _IP, {_E, _S}, _ASSIGNEE),
    _rule("ask_information", _EX, _IN, {_E}, _COMMENT),
    _rule("complete", _EX, _CO, {_E}, _CODE),
)

#: (from, to) → the rules for that pair (one per group of actors).
TRANSITIONS: Final[dict[tuple[Status, Status], tuple[Rule, ...]]] = {}
for _r in RULES:
    TRANSITIONS[(_r.source, _r.target)] = (*TRANSITIONS.get((_r.source, _r.target), ()), _r)


class Keep(Enum):
    """Sentinel type: ``assignee=KEEP`` leaves the assignee as it is."""

    KEEP = "keep"


#: Default for ``assignee``: the ticket keeps its current assignee.
KEEP: Final = Keep.KEEP
#: The ``assignee`` argument: a new assignee, ``None`` to unassign, or ``KEEP``.
AssigneeChange = str | None | Literal[Keep.KEEP]


@dataclass(frozen=True)
class TicketState:
    """What the workflow needs to know about a ticket."""

    status: Status
    assignee: str | None = None
    work_started: bool = False
    completed_at: datetime | None = None


def check_transition(
    state: TicketState,
    to_status: Status,
    *,
    actor_role: ActorRole,
    now: datetime,
    assignee: AssigneeChange = KEEP,
    comment: str | None = None,
    closure_code: ClosureCode | None = None,
) -> Rule:
    """Return the rule that allows this change, or raise naming the rule that refuses it.

    ``assignee`` is the assignee the ticket will have after the change (default: keep).
    Raises :class:`TransitionNotAllowed` (no such transition; ``code`` is
    ``same_status``, ``closed_is_final`` or ``transition_not_allowed``),
    :class:`ActorNotAllowed` (exists, not for this actor) or :class:`PreconditionFailed`
    (``field`` names the missing requirement).
    """
    source = state.status
    if source is to_status:
        raise TransitionNotAllowed(
            f"the ticket is already {source.value}", code="same_status", field="status"
        )
    if source in FINAL:
        raise TransitionNotAllowed(
            "a closed ticket is final; further work needs a new ticket",
            code="closed_is_final",
            field="status",
        )
    rules = TRANSITIONS.get((source, to_status))
    if not rules:
        raise TransitionNotAllowed(
            f"{source.value} → {to_status.value} is not an allowed transition", field="status"
        )
    rule = next((r for r in rules if actor_role in r.actors), None)
    if rule is None:
        who = sorted(role.value for r in rules for role in r.actors)
        raise ActorNotAllowed(
            f"{source.value} → {to_status.value} is done by {', '.join(who)},"
            f" not by {actor_role.value}",
            field="actor_role",
        )
    new_assignee = state.assignee if assignee is KEEP else assignee
    for requirement in sorted(rule.requires):
        _check_requirement(rule, requirement, state, now, new_assignee, comment, closure_code)
    return rule


def _check_requirement(
    rule: Rule,
    requirement: Requirement,
    state: TicketState,
    now: datetime,
    assignee: str | None,
    comment: str | None,
    closure_code: ClosureCode | None,
) -> None:
    def fail(message: str, code: str) -> PreconditionFailed:
        return PreconditionFailed(f"{rule.name}: {message}", code=code, field=requirement.value)

    if requirement is Requirement.ASSIGNEE and not (assignee and assignee.strip()):
        raise fail(f"{rule.target.value} needs an assignee", "assignee_required")
    if requirement is Requirement.NO_ASSIGNEE and assignee:
        raise fail(f"{rule.target.value} means nobody is assigned", "assignee_must_be_empty")
    if requirement is Requirement.COMMENT and not (comment and comment.strip()):
        raise fail(f"{rule.target.value} needs an entry in the comments", "comment_required")
    if requirement is Requirement.CLOSURE_CODE:
        if closure_code is None:
            raise fail("completing needs a closure code", "closure_code_required")
        if not closure_code.without_work and not state.work_started:
            raise fail(
                f"work never started; only {', '.join(sorted(_no_work_codes()))}"
                " may complete it without work",
                "work_not_started",
            )
    if requirement is Requirement.AUTO_CLOSE_DUE:
        due = auto_close_due(state)
        if due is None or now < due:
            raise fail("auto-close only 3 days after Completed", "auto_close_not_due")


def _no_work_codes() -> list[str]:
    return [c.value for c in ClosureCode if c.without_work]


def apply_transition(
    state: TicketState,
    to_status: Status,
    *,
    actor_role: ActorRole,
    now: datetime,
    assignee: AssigneeChange = KEEP,
    comment: str | None = None,
    closure_code: ClosureCode | None = None,
) -> TicketState:
    """Check, then return the state after the change (the caller stores and records it)."""
    check_transition(
        state,
        to_status,
        actor_role=actor_role,
        now=now,
        assignee=assignee,
        comment=comment,
        closure_code=closure_code,
    )
    return replace(
        state,
        status=to_status,
        assignee=state.assignee if assignee is KEEP else assignee,
        work_started=state.work_started or to_status is Status.IN_PROGRESS,
        completed_at=now if to_status is Status.COMPLETED else state.completed_at,
    )


def allowed_targets(state: TicketState, actor_role: ActorRole) -> list[Status]:
    """Statuses this actor may move the ticket to (before preconditions), in Status order."""
    return [
        target
        for target in Status
        if any(actor_role in r.actors for r in TRANSITIONS.get((state.status, target), ()))
    ]


def auto_close_due(state: TicketState) -> datetime | None:
    """When a Completed ticket may be auto-closed, or ``None`` if it is not Completed."""
    if state.status is not Status.COMPLETED or state.completed_at is None:
        return None
    return state.completed_at + AUTO_CLOSE_AFTER


def resume_status(state: TicketState) -> Status:
    """Where a ticket goes when the contact answers Information needed."""
    if not state.assignee:
        return Status.REGISTERED
    return Status.IN_PROGRESS if state.work_started else Status.ASSIGNED


def is_waiting_for_customer(status: Status) -> bool:
    """The SLA clocks are paused in these statuses."""
    return status in WAITING_FOR_CUSTOMER
