from datetime import UTC, datetime, timedelta

import pytest

from selfservice.domain.calendars import AlwaysOpen
from selfservice.domain.enums import Line, Status
from selfservice.domain.errors import InvalidEscalation
from selfservice.domain.escalation import (
    Escalation,
    EscalationKind,
    SupportGroup,
    decide_sla_escalations,
    escalate,
    next_line,
)
from selfservice.domain.sla import SlaClock, SlaClocks, SlaStatus

L1, L2, L3, EXT = Line.L1, Line.L2, Line.L3, Line.EXTERNAL
GROUPS = {
    "desk": SupportGroup("desk", L1, "Desk", "Деск", frozenset({"general"})),
    "l2-linux": SupportGroup("l2-linux", L2, "Linux", "Линукс", frozenset({"linux"})),
    "l2-net": SupportGroup("l2-net", L2, "Network", "Сети", frozenset({"network"})),
    "l3-hw": SupportGroup("l3-hw", L3, "Hardware", "Железо", frozenset({"hardware"})),
    "l3-storage": SupportGroup("l3-storage", L3, "Storage", "СХД", frozenset({"storage"})),
    "vendor": SupportGroup("vendor", EXT, "Vendor", "Вендор"),
    "vendor-2": SupportGroup("vendor-2", EXT, "Vendor 2", "Вендор 2"),
}

# current line, current group, target line, target group, speciality, expected kind | error code
CASES: list[tuple[Line, str, Line, str, str | None, EscalationKind | str]] = [
    (L1, "desk", L2, "l2-linux", None, EscalationKind.FUNCTIONAL),
    (L1, "desk", L2, "l2-net", "network", EscalationKind.FUNCTIONAL),
    (L2, "l2-linux", L3, "l3-hw", None, EscalationKind.FUNCTIONAL),
    (L3, "l3-hw", EXT, "vendor", None, EscalationKind.FUNCTIONAL),
    (L2, "l2-linux", L2, "l2-net", "network", EscalationKind.LATERAL),
    (L3, "l3-hw", L3, "l3-storage", "storage", EscalationKind.LATERAL),
    (L2, "l2-linux", L2, "l2-net", None, "speciality_required"),
    (L2, "l2-linux", L2, "l2-net", "hardware", "speciality_not_covered"),
    (L2, "l2-linux", L2, "l2-linux", "linux", "same_group"),
    (L1, "desk", L1, "desk", "general", "lateral_not_allowed"),
    (EXT, "vendor", EXT, "vendor-2", None, "lateral_not_allowed"),
    (L1, "desk", L3, "l3-hw", None, "skips_a_line"),
    (L1, "desk", EXT, "vendor", None, "skips_a_line"),
    (L2, "l2-linux", EXT, "vendor", None, "skips_a_line"),
    (L2, "l2-linux", L1, "desk", None, "backward"),
    (L3, "l3-hw", L2, "l2-linux", None, "backward"),
    (EXT, "vendor", L3, "l3-hw", None, "backward"),
    (L1, "desk", L2, "l3-hw", None, "group_line_mismatch"),
]


@pytest.mark.parametrize(
    ("current", "group", "target", "to_group", "speciality", "expected"), CASES
)
def test_escalate(
    current: Line,
    group: str,
    target: Line,
    to_group: str,
    speciality: str | None,
    expected: EscalationKind | str,
) -> None:
    def run() -> Escalation:
        return escalate(
            current,
            target,
            GROUPS[to_group],
            "no scripted solution",
            current_group=group,
            speciality=speciality,
        )

    if isinstance(expected, EscalationKind):
        result = run()
        assert result == escalate(
            current,
            target,
            GROUPS[to_group],
            " no scripted solution ",
            current_group=group,
            speciality=speciality,
        )
        assert result.kind is expected
        assert result.to_group == to_group
    else:
        with pytest.raises(InvalidEscalation) as info:
            run()
        assert info.value.code == expected
        assert info.value.field


@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_is_mandatory(reason: str) -> None:
    with pytest.raises(InvalidEscalation) as info:
        escalate(L1, L2, GROUPS["l2-linux"], reason)
    assert (info.value.code, info.value.field) == ("reason_required", "reason")


@pytest.mark.parametrize(
    ("target", "group", "assignee", "status"),
    [
        (L2, "l2-linux", None, Status.REGISTERED),
        (L2, "l2-linux", "eng-7", Status.ASSIGNED),
        (EXT, "vendor", None, Status.EXTERNAL_PROCESSING),
    ],
)
def test_status_after_escalation(
    target: Line, group: str, assignee: str | None, status: Status
) -> None:
    current = L3 if target is EXT else L1
    assert escalate(current, target, GROUPS[group], "why").target_status(assignee) is status


def test_next_line_and_group_name() -> None:
    assert [next_line(line) for line in Line] == [L2, L3, EXT, None]
    assert GROUPS["desk"].name("ru") == "Деск" and GROUPS["desk"].name("en") == "Desk"


START = datetime(2025, 3, 10, 10, tzinfo=UTC)
H = timedelta(hours=1)


def _clocks(*, responded: bool = True, resolved: bool = False) -> SlaClocks:
    response = SlaClock(AlwaysOpen(), START, H)
    resolution = SlaClock(AlwaysOpen(), START, 4 * H)
    return SlaClocks(
        response.stop(START + 10 * timedelta(minutes=1)) if responded else response,
        resolution.stop(START + 2 * H) if resolved else resolution,
    )


DECISIONS = [
    # clocks, now offset, already notified, line, expected notice keys, escalate_to
    (_clocks(), 1 * H, set(), L1, [], None),
    (_clocks(), 3.3 * H, set(), L1, ["resolution:near_breach"], None),
    (_clocks(), 3.3 * H, {"resolution:near_breach"}, L1, [], None),
    (_clocks(), 5 * H, {"resolution:near_breach"}, L1, ["resolution:breach"], L2),
    (_clocks(), 5 * H, set(), L2, ["resolution:breach"], L3),
    (_clocks(), 5 * H, set(), L3, ["resolution:breach"], None),  # external is the team's call
    (_clocks(), 6 * H, {"resolution:near_breach", "resolution:breach"}, L1, [], None),
    (_clocks(responded=False), 0.9 * H, set(), L1, ["response:near_breach"], None),
    (_clocks(responded=False), 1.5 * H, set(), L1, ["response:breach"], None),
    (_clocks(responded=False), 5 * H, set(), L1, ["response:breach", "resolution:breach"], L2),
    (_clocks(resolved=True), 9 * H, set(), L1, [], None),
]


@pytest.mark.parametrize(("clocks", "offset", "notified", "line", "keys", "escalate_to"), DECISIONS)
def test_sla_escalation_decisions(
    clocks: SlaClocks,
    offset: timedelta,
    notified: set[str],
    line: Line,
    keys: list[str],
    escalate_to: Line | None,
) -> None:
    decision = decide_sla_escalations(
        clocks,
        now=START + offset,
        already_notified=notified,
        manager="boss@example.com",
        current_line=line,
    )
    assert [n.key for n in decision.notices] == keys
    assert all(n.recipient == "boss@example.com" for n in decision.notices)
    assert decision.escalate_to is escalate_to
    assert decision.empty is (not keys and escalate_to is None)


def test_escalation_on_breach_can_be_switched_off() -> None:
    decision = decide_sla_escalations(
        _clocks(),
        now=START + 5 * H,
        already_notified=(),
        manager="m@example.com",
        current_line=L1,
        escalate_on_breach=False,
    )
    assert [n.level for n in decision.notices] == [SlaStatus.BREACH]
    assert decision.escalate_to is None
