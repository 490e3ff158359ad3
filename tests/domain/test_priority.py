import pytest

from selfservice.domain.enums import Channel, Impact, Priority, TicketType, Urgency
from selfservice.domain.errors import ConfigError
from selfservice.domain.priority import (
    PriorityMatrix,
    needs_phone_confirmation,
    priority_for,
    reprioritise,
    uses_matrix_for_sla,
)

U, Im, P = Urgency, Impact, Priority

# Every cell of DOMAIN.md's default matrix.
# fmt: off
DEFAULT_CELLS = [
    (U.VERY_HIGH, Im.SIGNIFICANT, P.P1), (U.VERY_HIGH, Im.HIGH, P.P1),
    (U.VERY_HIGH, Im.MEDIUM, P.P2), (U.VERY_HIGH, Im.LOW, P.P2), (U.VERY_HIGH, Im.NONE, P.P3),
    (U.HIGH, Im.SIGNIFICANT, P.P1), (U.HIGH, Im.HIGH, P.P2), (U.HIGH, Im.MEDIUM, P.P2),
    (U.HIGH, Im.LOW, P.P3), (U.HIGH, Im.NONE, P.P4),
    (U.MEDIUM, Im.SIGNIFICANT, P.P2), (U.MEDIUM, Im.HIGH, P.P2), (U.MEDIUM, Im.MEDIUM, P.P3),
    (U.MEDIUM, Im.LOW, P.P4), (U.MEDIUM, Im.NONE, P.P4),
    (U.LOW, Im.SIGNIFICANT, P.P2), (U.LOW, Im.HIGH, P.P3), (U.LOW, Im.MEDIUM, P.P4),
    (U.LOW, Im.LOW, P.P4), (U.LOW, Im.NONE, P.P5),
    (U.NONE, Im.SIGNIFICANT, P.P3), (U.NONE, Im.HIGH, P.P4), (U.NONE, Im.MEDIUM, P.P4),
    (U.NONE, Im.LOW, P.P5), (U.NONE, Im.NONE, P.P5),
]
# fmt: on


def test_table_covers_all_cells() -> None:
    assert len({(u, i) for u, i, _ in DEFAULT_CELLS}) == 25


@pytest.mark.parametrize(("urgency", "impact", "expected"), DEFAULT_CELLS)
def test_default_matrix(urgency: Urgency, impact: Impact, expected: Priority) -> None:
    assert priority_for(urgency, impact) is expected
    assert PriorityMatrix.default().priority_for(urgency, impact) is expected


def test_from_mapping_round_trip_and_custom_cell() -> None:
    data = PriorityMatrix.default().to_mapping()
    data["none"]["none"] = "P4"
    matrix = PriorityMatrix.from_mapping(data)
    assert matrix.priority_for(U.NONE, Im.NONE) is P.P4
    assert priority_for(U.NONE, Im.NONE, matrix) is P.P4
    assert matrix.to_mapping() == data


def _without(urgency: str, impact: str | None = None) -> dict[str, dict[str, str]]:
    data = PriorityMatrix.default().to_mapping()
    if impact is None:
        del data[urgency]
    else:
        del data[urgency][impact]
    return data


def _with(urgency: str, impact: str, value: object) -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = dict(PriorityMatrix.default().to_mapping())  # type: ignore[arg-type]
    data[urgency] = {**data.get(urgency, {}), impact: value}
    return data


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        ([], "priority.matrix", "must be a mapping"),
        (_without("low"), "priority.matrix.low", "missing row"),
        (_without("high", "medium"), "priority.matrix.high.medium", "missing cell"),
        (_with("high", "medium", "P9"), "priority.matrix.high.medium", "must be one of"),
        (_with("high", "huge", "P1"), "priority.matrix.high.huge", "unknown impact"),
        (_with("urgent", "high", "P1"), "priority.matrix.urgent", "unknown urgency"),
        ({**_without("low"), "low": "P1"}, "priority.matrix.low", "must be a mapping"),
    ],
)
def test_from_mapping_errors_name_the_path(data: object, path: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        PriorityMatrix.from_mapping(data)
    assert info.value.path == path
    assert reason in info.value.reason
    assert str(info.value).startswith(f"{path}: ")


def test_constructor_rejects_incomplete_matrix() -> None:
    with pytest.raises(ConfigError, match="missing cell"):
        PriorityMatrix({(U.HIGH, Im.HIGH): P.P1})


def test_reprioritise_records_only_changes() -> None:
    assert reprioritise(P.P4, U.MEDIUM, Im.LOW) is None
    change = reprioritise(P.P4, U.VERY_HIGH, Im.LOW)
    assert change is not None
    assert (change.old, change.new) == (P.P4, P.P2)


@pytest.mark.parametrize(
    ("urgency", "channel", "expected"),
    [
        (U.VERY_HIGH, Channel.EMAIL, True),
        (U.HIGH, Channel.PORTAL, True),
        (U.HIGH, Channel.WIDGET, True),
        (U.HIGH, Channel.PHONE, False),
        (U.VERY_HIGH, Channel.MONITORING, False),
        (U.MEDIUM, Channel.EMAIL, False),
        (U.NONE, Channel.PORTAL, False),
    ],
)
def test_phone_confirmation(urgency: Urgency, channel: Channel, expected: bool) -> None:
    assert needs_phone_confirmation(urgency, channel) is expected


def test_requests_do_not_use_matrix_for_sla() -> None:
    assert uses_matrix_for_sla(TicketType.INCIDENT)
    assert not uses_matrix_for_sla(TicketType.REQUEST)
