from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

import pytest

from selfservice.domain.enums import ActorRole, ClosureCode, Status
from selfservice.domain.errors import (
    ActorNotAllowed,
    PreconditionFailed,
    TransitionNotAllowed,
)
from selfservice.domain.workflow import (
    KEEP,
    RULES,
    TicketState,
    allowed_targets,
    apply_transition,
    auto_close_due,
    check_transition,
    is_waiting_for_customer,
    resume_status,
)

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
S = Status
CONTACT, ENGINEER, SYSTEM = ActorRole.CONTACT, ActorRole.ENGINEER, ActorRole.SYSTEM
E, ES, CES = {ENGINEER}, {ENGINEER, SYSTEM}, {CONTACT, ENGINEER, SYSTEM}

# The expected lifecycle, written out independently of workflow.RULES:
# (from, to) -> {actor: the preconditions that actor must satisfy}.
LEGAL: dict[tuple[Status, Status], dict[ActorRole, set[str]]] = {
    (S.REGISTERED, S.ASSIGNED): dict.fromkeys(ES, {"assignee"}),
    (S.REGISTERED, S.IN_PROGRESS): dict.fromkeys(E, {"assignee"}),
    (S.REGISTERED, S.COMPLETED): dict.fromkeys(E, {"closure_code"}),
    (S.REGISTERED, S.INFORMATION_NEEDED): dict.fromkeys(E, {"comment"}),
    (S.ASSIGNED, S.REGISTERED): dict.fromkeys(ES, {"no_assignee", "comment"}),
    (S.ASSIGNED, S.IN_PROGRESS): dict.fromkeys(E, {"assignee"}),
    (S.ASSIGNED, S.COMPLETED): dict.fromkeys(E, {"closure_code"}),
    (S.ASSIGNED, S.INFORMATION_NEEDED): dict.fromkeys(E, {"comment"}),
    (S.ASSIGNED, S.EXTERNAL_PROCESSING): dict.fromkeys(E, {"assignee", "comment"}),
    (S.IN_PROGRESS, S.REGISTERED): dict.fromkeys(ES, {"no_assignee", "comment"}),
    (S.IN_PROGRESS, S.ASSIGNED): dict.fromkeys(ES, {"assignee"}),
    (S.IN_PROGRESS, S.COMPLETED): dict.fromkeys(E, {"closure_code"}),
    (S.IN_PROGRESS, S.INFORMATION_NEEDED): dict.fromkeys(E, {"comment"}),
    (S.IN_PROGRESS, S.EXTERNAL_PROCESSING): dict.fromkeys(E, {"assignee", "comment"}),
    (S.COMPLETED, S.CLOSED): {CONTACT: set(), ENGINEER: {"comment"}, SYSTEM: {"auto_close_due"}},
    (S.COMPLETED, S.REJECTED_BY_USER): {CONTACT: {"comment"}},
    (S.REJECTED_BY_USER, S.ASSIGNED): dict.fromkeys(ES, {"assignee"}),
    (S.REJECTED_BY_USER, S.IN_PROGRESS): dict.fromkeys(E, {"assignee"}),
    (S.REJECTED_BY_USER, S.INFORMATION_NEEDED): dict.fromkeys(E, {"comment"}),
    (S.INFORMATION_NEEDED, S.REGISTERED): dict.fromkeys(CES, {"no_assignee", "comment"}),
    (S.INFORMATION_NEEDED, S.ASSIGNED): dict.fromkeys(CES, {"assignee", "comment"}),
    (S.INFORMATION_NEEDED, S.IN_PROGRESS): dict.fromkeys(CES, {"assignee", "comment"}),
    (S.INFORMATION_NEEDED, S.COMPLETED): dict.fromkeys(E, {"closure_code"}),
    (S.EXTERNAL_PROCESSING, S.ASSIGNED): dict.fromkeys(ES, {"assignee"}),
    (S.EXTERNAL_PROCESSING, S.IN_PROGRESS): dict.fromkeys(ES, {"assignee"}),
    (S.EXTERNAL_PROCESSING, S.INFORMATION_NEEDED): dict.fromkeys(E, {"comment"}),
    (S.EXTERNAL_PROCESSING, S.COMPLETED): dict.fromkeys(E, {"closure_code"}),
}

ALL_PAIRS = list(product(Status, Status))


def _illegal_code(source: Status, target: Status) -> str:
    if source is target:
        return "same_status"
    if source is S.CLOSED:
        return "closed_is_final"
    return "transition_not_allowed"


def _satisfying(source: Status, requires: set[str]) -> tuple[TicketState, dict[str, Any]]:
    """A state and kwargs meeting exactly the given preconditions."""
    state = TicketState(
        source,
        assignee="eng-1",
        work_started=True,
        completed_at=NOW - timedelta(days=4) if source is S.COMPLETED else None,
    )
    kwargs: dict[str, Any] = {"now": NOW}
    if "no_assignee" in requires:
        kwargs["assignee"] = None
    if "comment" in requires:
        kwargs["comment"] = "why"
    if "closure_code" in requires:
        kwargs["closure_code"] = ClosureCode.RESOLVED
    return state, kwargs


def test_table_matches_rules_exactly() -> None:
    actual = {(r.source, r.target, a) for r in RULES for a in r.actors}
    expected = {(s, t, a) for (s, t), actors in LEGAL.items() for a in actors}
    assert actual == expected


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS, ids=lambda s: s.value)
def test_every_status_pair(source: Status, target: Status) -> None:
    actors = LEGAL.get((source, target))
    for actor in ActorRole:
        requires = actors.get(actor) if actors else None
        state, kwargs = _satisfying(source, requires or {"comment", "closure_code"})
        if actors is None:
            with pytest.raises(TransitionNotAllowed) as info:
                check_transition(state, target, actor_role=actor, **kwargs)
            assert info.value.code == _illegal_code(source, target)
            assert not isinstance(info.value, ActorNotAllowed)
        elif requires is None:
            with pytest.raises(ActorNotAllowed) as refused:
                check_transition(state, target, actor_role=actor, **kwargs)
            assert refused.value.code == "actor_not_allowed"
            assert refused.value.field == "actor_role"
        else:
            rule = check_transition(state, target, actor_role=actor, **kwargs)
            assert (rule.source, rule.target) == (source, target)
            assert {r.value for r in rule.requires} == requires


PRECONDITION_CASES = [
    (source, target, actor, requirement)
    for (source, target), actors in LEGAL.items()
    for actor, requires in actors.items()
    for requirement in sorted(requires)
]


@pytest.mark.parametrize(("source", "target", "actor", "requirement"), PRECONDITION_CASES)
def test_each_precondition_is_enforced(
    source: Status, target: Status, actor: ActorRole, requirement: str
) -> None:
    state, kwargs = _satisfying(source, LEGAL[(source, target)][actor])
    if requirement == "assignee":
        state, kwargs["assignee"] = TicketState(source, work_started=True), KEEP
    elif requirement == "no_assignee":
        kwargs["assignee"] = KEEP  # keeps "eng-1"
    elif requirement == "comment":
        kwargs["comment"] = "   "
    elif requirement == "closure_code":
        kwargs["closure_code"] = None
    elif requirement == "auto_close_due":
        state = TicketState(source, completed_at=NOW - timedelta(days=2, hours=23))
    with pytest.raises(PreconditionFailed) as info:
        check_transition(state, target, actor_role=actor, **kwargs)
    assert info.value.field == requirement
    assert LEGAL[(source, target)]  # the error names the rule:
    assert str(info.value).split(":")[0] in {r.name for r in RULES}


@pytest.mark.parametrize("code", list(ClosureCode))
@pytest.mark.parametrize("source", [S.REGISTERED, S.ASSIGNED])
def test_complete_without_work_only_with_no_work_codes(source: Status, code: ClosureCode) -> None:
    state = TicketState(source, assignee="eng-1" if source is S.ASSIGNED else None)
    if code in {
        ClosureCode.INVALID_REQUEST,
        ClosureCode.DUPLICATE,
        ClosureCode.CANCELLED_BY_CUSTOMER,
    }:
        check_transition(state, S.COMPLETED, actor_role=ENGINEER, now=NOW, closure_code=code)
    else:
        with pytest.raises(PreconditionFailed) as info:
            check_transition(state, S.COMPLETED, actor_role=ENGINEER, now=NOW, closure_code=code)
        assert info.value.code == "work_not_started"


@pytest.mark.parametrize(
    ("completed_ago", "allowed"),
    [
        (timedelta(days=3), True),
        (timedelta(days=5), True),
        (timedelta(days=3) - timedelta(seconds=1), False),
    ],
)
def test_auto_close_after_three_days(completed_ago: timedelta, allowed: bool) -> None:
    state = TicketState(S.COMPLETED, "eng-1", True, completed_at=NOW - completed_ago)
    assert auto_close_due(state) == NOW - completed_ago + timedelta(days=3)
    if allowed:
        check_transition(state, S.CLOSED, actor_role=SYSTEM, now=NOW)
    else:
        with pytest.raises(PreconditionFailed, match="auto_close"):
            check_transition(state, S.CLOSED, actor_role=SYSTEM, now=NOW)


def test_auto_close_needs_completed_at() -> None:
    state = TicketState(S.COMPLETED, "eng-1", True)
    assert auto_close_due(state) is None
    with pytest.raises(PreconditionFailed):
        check_transition(state, S.CLOSED, actor_role=SYSTEM, now=NOW)


def test_happy_path_with_rejection_and_information_needed() -> None:
    state = TicketState(S.REGISTERED)
    steps: list[tuple[Status, ActorRole, dict[str, Any]]] = [
        (S.ASSIGNED, SYSTEM, {"assignee": "eng-1"}),
        (S.IN_PROGRESS, ENGINEER, {}),
        (S.INFORMATION_NEEDED, ENGINEER, {"comment": "which VM?"}),
        (S.IN_PROGRESS, CONTACT, {"comment": "vm-42"}),
        (S.COMPLETED, ENGINEER, {"closure_code": ClosureCode.RESOLVED}),
        (S.REJECTED_BY_USER, CONTACT, {"comment": "still down"}),
        (S.IN_PROGRESS, ENGINEER, {}),
        (S.COMPLETED, ENGINEER, {"closure_code": ClosureCode.RESOLVED}),
        (S.CLOSED, CONTACT, {}),
    ]
    for target, actor, kwargs in steps:
        state = apply_transition(state, target, actor_role=actor, now=NOW, **kwargs)
        assert state.status is target
    assert state.work_started and state.assignee == "eng-1" and state.completed_at == NOW
    assert allowed_targets(state, ENGINEER) == []


def test_unassign_clears_assignee() -> None:
    state = TicketState(S.ASSIGNED, "eng-1")
    after = apply_transition(
        state, S.REGISTERED, actor_role=SYSTEM, now=NOW, assignee=None, comment="escalated to L2"
    )
    assert after.assignee is None and after.status is S.REGISTERED


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (TicketState(S.INFORMATION_NEEDED), S.REGISTERED),
        (TicketState(S.INFORMATION_NEEDED, "eng-1"), S.ASSIGNED),
        (TicketState(S.INFORMATION_NEEDED, "eng-1", work_started=True), S.IN_PROGRESS),
    ],
)
def test_resume_status_is_a_legal_target(state: TicketState, expected: Status) -> None:
    assert resume_status(state) is expected
    check_transition(state, expected, actor_role=CONTACT, now=NOW, comment="here you go")


@pytest.mark.parametrize(
    ("status", "actor", "expected"),
    [
        (S.COMPLETED, CONTACT, [S.CLOSED, S.REJECTED_BY_USER]),
        (S.COMPLETED, SYSTEM, [S.CLOSED]),
        (S.REGISTERED, CONTACT, []),
        (S.CLOSED, ENGINEER, []),
        (S.INFORMATION_NEEDED, CONTACT, [S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS]),
    ],
)
def test_allowed_targets(status: Status, actor: ActorRole, expected: list[Status]) -> None:
    assert allowed_targets(TicketState(status), actor) == expected


@pytest.mark.parametrize("status", list(Status))
def test_only_information_needed_waits_for_customer(status: Status) -> None:
    assert is_waiting_for_customer(status) is (status is S.INFORMATION_NEEDED)
