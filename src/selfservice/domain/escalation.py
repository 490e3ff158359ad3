"""Escalation: functional (who works on the ticket) and hierarchical (who must know).

Functional: L1 → L2 → L3 → external, one line at a time, always naming the target group
and a reason. L2 may hand a ticket to another L2 group by speciality, L3 to another L3
group by specialisation (a *lateral* handover). Nothing goes backwards: returning a ticket
to a lower line is an ordinary reassignment, not an escalation.

Hierarchical: when an SLA clock nears or passes its deadline the support manager is
notified, once per clock and kind. :func:`decide_sla_escalations` only *decides*; the
caller sends the mail, records what was sent and performs any escalation.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from selfservice.domain.enums import Line, Status
from selfservice.domain.errors import InvalidEscalation
from selfservice.domain.sla import SlaClock, SlaClocks, SlaStatus

LINE_ORDER: Final = (Line.L1, Line.L2, Line.L3, Line.EXTERNAL)
#: Lines whose groups may pass tickets among themselves.
LATERAL_LINES: Final = frozenset({Line.L2, Line.L3})


@dataclass(frozen=True)
class SupportGroup:
    id: str
    line: Line
    name_en: str
    name_ru: str
    specialities: frozenset[str] = frozenset()

    def name(self, lang: str) -> str:
        return self.name_ru if lang == "ru" else self.name_en


class EscalationKind(StrEnum):
    FUNCTIONAL = "functional"
    LATERAL = "lateral"


@dataclass(frozen=True)
class Escalation:
    """A validated move, to record in the ticket's history."""

    kind: EscalationKind
    from_line: Line
    to_line: Line
    to_group: str
    reason: str
    speciality: str | None = None

    def target_status(self, assignee: str | None) -> Status:
        """Status after the move: a third party works on it, a named engineer has it,
        or it waits unassigned in the target group's queue."""
        if self.to_line is Line.EXTERNAL:
            return Status.EXTERNAL_PROCESSING
        return Status.ASSIGNED if assignee else Status.REGISTERED


def escalate(
    current_line: Line,
    target_line: Line,
    target_group: SupportGroup,
    reason: str,
    *,
    current_group: str | None = None,
    speciality: str | None = None,
) -> Escalation:
    """Validate a functional escalation or a lateral handover; raise
    :class:`InvalidEscalation` (``code`` and ``field`` say which rule) otherwise."""
    if not reason.strip():
        raise InvalidEscalation(
            "every escalation needs a reason", code="reason_required", field="reason"
        )
    if target_group.line is not target_line:
        raise InvalidEscalation(
            f"group '{target_group.id}' belongs to {target_group.line.value},"
            f" not {target_line.value}",
            code="group_line_mismatch",
            field="target_group",
        )
    if speciality is not None and speciality not in target_group.specialities:
        raise InvalidEscalation(
            f"group '{target_group.id}' has no speciality '{speciality}'",
            code="speciality_not_covered",
            field="speciality",
        )
    step = LINE_ORDER.index(target_line) - LINE_ORDER.index(current_line)
    if step == 1:
        kind = EscalationKind.FUNCTIONAL
    elif step == 0:
        kind = _check_lateral(current_line, target_group, current_group, speciality)
    elif step < 0:
        raise InvalidEscalation(
            f"escalation goes forward only, not {current_line.value} → {target_line.value}",
            code="backward",
            field="target_line",
        )
    else:
        raise InvalidEscalation(
            f"escalate one line at a time: {current_line.value} →"
            f" {LINE_ORDER[LINE_ORDER.index(current_line) + 1].value}",
            code="skips_a_line",
            field="target_line",
        )
    return Escalation(kind, current_line, target_line, target_group.id, reason.strip(), speciality)


def _check_lateral(
    line: Line, target: SupportGroup, current_group: str | None, speciality: str | None
) -> EscalationKind:
    if line not in LATERAL_LINES:
        raise InvalidEscalation(
            f"{line.value} cannot hand tickets within its own line",
            code="lateral_not_allowed",
            field="target_line",
        )
    if current_group == target.id:
        raise InvalidEscalation(
            f"the ticket is already with '{target.id}'", code="same_group", field="target_group"
        )
    if speciality is None:
        raise InvalidEscalation(
            f"a handover within {line.value} names the speciality it is for",
            code="speciality_required",
            field="speciality",
        )
    return EscalationKind.LATERAL


def next_line(line: Line) -> Line | None:
    index = LINE_ORDER.index(line)
    return LINE_ORDER[index + 1] if index + 1 < len(LINE_ORDER) else None


# --- hierarchical, SLA-driven -------------------------------------------------------


class ClockName(StrEnum):
    RESPONSE = "response"
    RESOLUTION = "resolution"


@dataclass(frozen=True)
class Notice:
    """Tell the manager that a clock reached ``level``; ``key`` identifies it for
    "already notified" bookkeeping (e.g. ``"resolution:breach"``)."""

    clock: ClockName
    level: SlaStatus
    recipient: str

    @property
    def key(self) -> str:
        return f"{self.clock.value}:{self.level.value}"


@dataclass(frozen=True)
class EscalationDecision:
    notices: tuple[Notice, ...] = ()
    #: Suggested functional escalation (to the next line) after a resolution breach.
    escalate_to: Line | None = None

    @property
    def empty(self) -> bool:
        return not self.notices and self.escalate_to is None


def decide_sla_escalations(
    clocks: SlaClocks,
    *,
    now: datetime,
    already_notified: Collection[str],
    manager: str,
    current_line: Line,
    escalate_on_breach: bool = True,
) -> EscalationDecision:
    """Which notifications to raise at ``now``: each clock notifies the manager once on
    near-breach and once on breach (a breach found first skips the near-breach notice).
    A resolution breach on a line with a next line (not external) also suggests
    escalating there, once, together with the breach notice."""
    notices: list[Notice] = []
    for name, clock in (
        (ClockName.RESPONSE, clocks.response),
        (ClockName.RESOLUTION, clocks.resolution),
    ):
        notice = _notice_for(name, clock, now, manager)
        if notice is not None and notice.key not in already_notified:
            notices.append(notice)
    escalate_to = None
    resolution_breached = any(
        n.clock is ClockName.RESOLUTION and n.level is SlaStatus.BREACH for n in notices
    )
    if escalate_on_breach and resolution_breached and not clocks.resolution.is_stopped:
        target = next_line(current_line)
        escalate_to = target if target is not Line.EXTERNAL else None
    return EscalationDecision(tuple(notices), escalate_to)


def _notice_for(name: ClockName, clock: SlaClock, now: datetime, manager: str) -> Notice | None:
    level = clock.status(now)
    if level is SlaStatus.OK:
        return None
    return Notice(name, level, manager)
