"""Priority = matrix(urgency, impact), configurable; plus the urgency-confirmation rule.

Incidents take their priority from the matrix. Service requests also get a matrix priority,
used only to order queues: their SLA target comes from the catalog item's fulfilment time
(see :func:`selfservice.domain.sla.SlaPolicy.targets_for`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from selfservice.domain.enums import Channel, Impact, Priority, TicketType, Urgency
from selfservice.domain.errors import ConfigError

# Rows: urgency; columns: impact significant, high, medium, low, none (DOMAIN.md).
_IMPACT_COLUMNS = (Impact.SIGNIFICANT, Impact.HIGH, Impact.MEDIUM, Impact.LOW, Impact.NONE)
_DEFAULT_ROWS: dict[Urgency, tuple[Priority, ...]] = {
    Urgency.VERY_HIGH: (Priority.P1, Priority.P1, Priority.P2, Priority.P2, Priority.P3),
    Urgency.HIGH: (Priority.P1, Priority.P2, Priority.P2, Priority.P3, Priority.P4),
    Urgency.MEDIUM: (Priority.P2, Priority.P2, Priority.P3, Priority.P4, Priority.P4),
    Urgency.LOW: (Priority.P2, Priority.P3, Priority.P4, Priority.P4, Priority.P5),
    Urgency.NONE: (Priority.P3, Priority.P4, Priority.P4, Priority.P5, Priority.P5),
}

#: Urgencies that, filed by e-mail, portal or widget, must be confirmed by phone.
URGENCIES_NEEDING_PHONE_CONFIRMATION = frozenset({Urgency.VERY_HIGH, Urgency.HIGH})
_CHANNELS_NEEDING_CONFIRMATION = frozenset(
    {Channel.EMAIL, Channel.PORTAL, Channel.WIDGET, Channel.TELEGRAM}
)


@dataclass(frozen=True)
class PriorityMatrix:
    """All 25 cells urgency × impact → priority. Build with :meth:`default` or
    :meth:`from_mapping`; the constructor checks completeness too."""

    cells: Mapping[tuple[Urgency, Impact], Priority]

    def __post_init__(self) -> None:
        for urgency in Urgency:
            for impact in Impact:
                if (urgency, impact) not in self.cells:
                    raise ConfigError(
                        f"priority.matrix.{urgency.value}.{impact.value}", "missing cell"
                    )
        object.__setattr__(self, "cells", MappingProxyType(dict(self.cells)))

    @classmethod
    def default(cls) -> "PriorityMatrix":
        return _DEFAULT

    @classmethod
    def from_mapping(cls, data: object, *, path: str = "priority.matrix") -> "PriorityMatrix":
        """Parse ``{urgency: {impact: "P1", ...}, ...}`` (enum values as keys).

        Raises :class:`ConfigError` naming the offending key path; every one of the
        25 cells must be present and no unknown keys are accepted.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(path, "must be a mapping of urgency to {impact: priority}")
        cells: dict[tuple[Urgency, Impact], Priority] = {}
        _reject_unknown(data, {u.value for u in Urgency}, path, "urgency")
        for urgency in Urgency:
            row_path = f"{path}.{urgency.value}"
            row = data.get(urgency.value)
            if row is None:
                raise ConfigError(row_path, "missing row")
            if not isinstance(row, Mapping):
                raise ConfigError(row_path, "must be a mapping of impact to priority")
            _reject_unknown(row, {i.value for i in Impact}, row_path, "impact")
            for impact in Impact:
                cell_path = f"{row_path}.{impact.value}"
                value = row.get(impact.value)
                if value is None:
                    raise ConfigError(cell_path, "missing cell")
                try:
                    cells[(urgency, impact)] = Priority(str(value))
                except ValueError:
                    allowed = ", ".join(p.value for p in Priority)
                    raise ConfigError(cell_path, f"must be one of {allowed}") from None
        return cls(cells)

    def priority_for(self, urgency: Urgency, impact: Impact) -> Priority:
        return self.cells[(urgency, impact)]

    def to_mapping(self) -> dict[str, dict[str, str]]:
        return {u.value: {i.value: self.cells[(u, i)].value for i in Impact} for u in Urgency}


def _reject_unknown(data: Mapping[object, object], allowed: set[str], path: str, what: str) -> None:
    for key in data:
        if str(key) not in allowed:
            choices = ", ".join(sorted(allowed))
            raise ConfigError(f"{path}.{key}", f"unknown {what}; expected one of {choices}")


_DEFAULT = PriorityMatrix(
    {
        (urgency, impact): priority
        for urgency, row in _DEFAULT_ROWS.items()
        for impact, priority in zip(_IMPACT_COLUMNS, row, strict=True)
    }
)


def priority_for(
    urgency: Urgency, impact: Impact, matrix: PriorityMatrix | None = None
) -> Priority:
    """The matrix priority (default matrix unless one is given)."""
    return (matrix or _DEFAULT).priority_for(urgency, impact)


@dataclass(frozen=True)
class PriorityChange:
    """A recomputation to record in the ticket's history."""

    old: Priority
    new: Priority
    urgency: Urgency
    impact: Impact


def reprioritise(
    current: Priority,
    urgency: Urgency,
    impact: Impact,
    matrix: PriorityMatrix | None = None,
) -> PriorityChange | None:
    """Recompute after urgency or impact changed; ``None`` when the priority stays."""
    new = priority_for(urgency, impact, matrix)
    return None if new is current else PriorityChange(current, new, urgency, impact)


def needs_phone_confirmation(urgency: Urgency, channel: Channel) -> bool:
    """High/very high urgency filed by e-mail, portal or widget stays "urgency
    unconfirmed" until an engineer confirms it by phone."""
    return (
        urgency in URGENCIES_NEEDING_PHONE_CONFIRMATION
        and channel in _CHANNELS_NEEDING_CONFIRMATION
    )


def uses_matrix_for_sla(ticket_type: TicketType) -> bool:
    """Incidents: SLA target by matrix priority. Requests: by fulfilment time."""
    return ticket_type is TicketType.INCIDENT
