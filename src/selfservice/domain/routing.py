"""Which queue a new ticket joins: the group (and its line) its service names in kb/.

kb/services.yml and the support configuration are edited by different people; a service
may name a group the configuration does not define, or claim a line its group is not on.
``selfservice kb check`` and ``serve`` refuse that, but a process started before the edit
(or a configuration changed under it) must still register the customer's ticket: an
unknown group goes to the service desk queue, the first L1 group of the configuration; a
wrong line follows the group's own line (its engineers could not work the ticket
otherwise). Either way :attr:`Route.note` says why, for the ticket's history.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from selfservice.domain.enums import Line
from selfservice.domain.escalation import SupportGroup


@dataclass(frozen=True)
class Route:
    line: Line
    group: str
    #: Why the ticket is not where its service said (``None``: it is).
    note: str | None = None


def service_desk(groups: Mapping[str, SupportGroup]) -> SupportGroup:
    """The queue of last resort: the first L1 group (the configuration always has one)."""
    return next(g for g in groups.values() if g.line is Line.L1)


def route(
    groups: Mapping[str, SupportGroup], *, service: str, group: str, line: Line
) -> Route:
    """Where a new ticket of ``service`` (whose kb/ entry names ``group`` on ``line``)
    goes."""
    found = groups.get(group)
    if found is None:
        desk = service_desk(groups)
        return Route(desk.line, desk.id,
                     f"service '{service}' names group '{group}', which the support"
                     f" configuration does not define: routed to '{desk.id}'")
    if found.line is not line:
        return Route(found.line, found.id,
                     f"service '{service}' puts group '{group}' on {line.value}, but the"
                     f" support configuration has it on {found.line.value}")
    return Route(line, group)


def unsynced(groups: Mapping[str, SupportGroup], *, service: str, group: str) -> Route:
    """The route when ``group`` is configured but missing from the database (the groups
    were not synced since the configuration changed)."""
    desk = service_desk(groups)
    return Route(desk.line, desk.id,
                 f"service '{service}' names group '{group}', which is not in the database"
                 f" (run `selfservice db upgrade`): routed to '{desk.id}'")
