"""The support configuration as data: what ``config.support_build`` hands the domain.

The file's shape is described in ``selfservice/config/defaults/support.yml``; reading and
checking it (pydantic, ``FILE:LINE`` problems) is the configuration layer's job.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from selfservice.domain.calendars import Calendar
from selfservice.domain.enums import Line
from selfservice.domain.escalation import SupportGroup
from selfservice.domain.priority import PriorityMatrix
from selfservice.domain.sla import SlaPolicy


@dataclass(frozen=True)
class MailPolicy:
    """The customer's e-mail: changes within ``coalesce`` of the first one go out as one
    mail; ``portal_url`` links to the ticket for organisations without their own."""

    coalesce: timedelta = timedelta(minutes=2)
    portal_url: str | None = None


@dataclass(frozen=True)
class SupportConfig:
    matrix: PriorityMatrix
    calendars: Mapping[str, Calendar]
    sla: Mapping[str, SlaPolicy]
    default_contract: str
    groups: Mapping[str, SupportGroup]
    manager: str
    escalate_on_breach: bool = True
    mail: MailPolicy = MailPolicy()

    def policy(self, contract: str | None = None) -> SlaPolicy:
        """The SLA policy of a contract level (the default one for ``None``/unknown)."""
        return self.sla.get(contract or self.default_contract) or self.sla[self.default_contract]

    def groups_on(self, line: Line) -> list[SupportGroup]:
        return [g for g in self.groups.values() if g.line is line]
