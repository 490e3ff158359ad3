"""Known problems (major incidents): who is affected, which new ticket is a child of one,
what a message concerns, and how each child is brought to Completed. Pure rules.

A known problem affects a ``Scope``: a service, and where: zones or regions, clusters,
organisations. An organisation is affected when it is named, or when one of its
locations (``organisations.locations``: the zones, regions and clusters its resources
live in) is named; a scope naming no place at all affects every organisation using the
service. A ticket filed by an affected organisation for the same service while the
problem is open is its child; monitoring's own incidents never are.
"""

import re
import string
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from selfservice.domain.enums import Channel, Status

#: Statuses a child is left in: it is already done.
DONE: Final = frozenset({Status.COMPLETED, Status.CLOSED})
#: The way to Completed from each status, for the resolution cascade: work must have
#: started before a ticket is completed as "resolved" (``domain.workflow``).
_TO_COMPLETED: Final[Mapping[Status, tuple[Status, ...]]] = {
    Status.REGISTERED: (Status.IN_PROGRESS, Status.COMPLETED),
    Status.ASSIGNED: (Status.IN_PROGRESS, Status.COMPLETED),
    Status.REJECTED_BY_USER: (Status.IN_PROGRESS, Status.COMPLETED),
    Status.IN_PROGRESS: (Status.COMPLETED,),
    Status.INFORMATION_NEEDED: (Status.COMPLETED,),
    Status.EXTERNAL_PROCESSING: (Status.COMPLETED,),
    Status.COMPLETED: (),
    Status.CLOSED: (),
}


@dataclass(frozen=True)
class Scope:
    """What a known problem affects."""

    service: str
    zones: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()

    @property
    def places(self) -> frozenset[str]:
        return frozenset(p.lower() for p in (*self.zones, *self.clusters))

    @property
    def everywhere(self) -> bool:
        return not (self.zones or self.clusters or self.organisations)


@dataclass(frozen=True)
class OpenProblem:
    """An open known problem as the rules need it."""

    id: int
    scope: Scope


def affects(scope: Scope, org_id: str, locations: Iterable[str]) -> bool:
    """Is the organisation (with its resources at ``locations``) affected?"""
    if scope.everywhere or org_id in scope.organisations:
        return True
    return bool(scope.places & {loc.lower() for loc in locations})


def parent_for(
    problems: Sequence[OpenProblem], *, org_id: str, locations: Iterable[str], service: str,
    channel: Channel,
) -> int | None:
    """The open known problem a new ticket belongs to (the oldest that fits), else None."""
    if channel is Channel.MONITORING:
        return None  # an alert is the problem itself, or another one, never a duplicate
    places = tuple(locations)
    for problem in sorted(problems, key=lambda p: p.id):
        if problem.scope.service == service and affects(problem.scope, org_id, places):
            return problem.id
    return None


_WORD: Final = re.compile(r"[\w.-]+", re.UNICODE)


def concerns(scope: Scope, *, text: str, services: Collection[str]) -> bool:
    """Does a customer's message concern the problem? Its service is among the services of
    what the search found for the message, or the message names an affected place."""
    if scope.service in services:
        return True
    words = {w.lower().strip(".-") for w in _WORD.findall(text)}
    return bool(scope.places & words)


def steps_to_complete(status: Status) -> tuple[Status, ...]:
    """The statuses a child passes through to Completed (empty: already done)."""
    return _TO_COMPLETED.get(status, (Status.COMPLETED,))


def subscribers_to_mail(subscribers: Iterable[int], child_contacts: Iterable[int]) -> list[int]:
    """Each person gets one e-mail: a child's contact hears through their ticket."""
    children = set(child_contacts)
    return sorted({s for s in subscribers if s not in children})


def duplicates_avoided(noticed: Iterable[int], filed: Iterable[int]) -> int:
    """Contacts who saw the notice and did not file a ticket about it."""
    return len(set(noticed) - set(filed))


class _Labels(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def render(template: str, labels: Mapping[str, str]) -> str:
    """``{label}`` placeholders of a mapping text filled from an alert's labels (a label
    the alert lacks becomes ``?``; other braces are kept as they are)."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError:  # an unmatched brace: the text is meant literally
        return template
    if not names or not all(n.isidentifier() for n in names):
        return template
    return template.format_map(_Labels(labels))
