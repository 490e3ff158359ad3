"""Who may work a ticket: the engineers of the line that holds it.

An engineer belongs to one line (L1, L2 or L3); a manager belongs to none. Working a
ticket (moving it through the workflow, escalating it, being its assignee) is for the
engineers of the ticket's line only: a manager reads and re-prioritises every ticket but
is never its assignee, and an L2 engineer who watches L1's queue does not work on it.

A ticket with a third party (line ``external``) is still followed by the last line
before it, L3, which escalated it there: its engineers bring it back from the vendor.

Reading is wider than working: L2 may also watch L1's queue and tickets and re-prioritise
them (with a reason), and a manager reads everything and may re-prioritise any ticket and
confirm its urgency. Only managers read the metrics.

The use cases apply these rules inside their transaction, on the locked ticket, so a
ticket escalated meanwhile by someone else is judged on the line it is on now.
"""

from typing import Final

from selfservice.domain.enums import Line
from selfservice.domain.errors import InvalidAssignee, ManagersOnly, NotOnTheLine

#: The line whose engineers follow a ticket while a third party works on it.
FOLLOWS_EXTERNAL: Final = Line.L3


#: Lines whose tickets a line's engineers may read (watch) besides their own.
WATCHES: Final[dict[Line, frozenset[Line]]] = {Line.L2: frozenset({Line.L1})}


def works_on(engineer_line: Line | None, ticket_line: Line) -> bool:
    """True when an engineer of ``engineer_line`` (``None``: a manager) may work a ticket
    on ``ticket_line``."""
    if engineer_line is None:
        return False
    if ticket_line is Line.EXTERNAL:
        return engineer_line is FOLLOWS_EXTERNAL
    return engineer_line is ticket_line


def may_read(engineer_line: Line | None, ticket_line: Line) -> bool:
    """True when an engineer of ``engineer_line`` (``None``: a manager) may read tickets
    on ``ticket_line``."""
    return (
        engineer_line is None
        or works_on(engineer_line, ticket_line)
        or ticket_line in WATCHES.get(engineer_line, frozenset())
    )


def _position(engineer_line: Line | None) -> str:
    return engineer_line.value if engineer_line is not None else "manager"


def check_actor(engineer_line: Line | None, ticket_line: Line) -> None:
    """Raise :class:`NotOnTheLine` unless the acting engineer works on ``ticket_line``
    (code ``engineer_read_only`` when they may only watch it)."""
    if not works_on(engineer_line, ticket_line):
        code = "engineer_read_only" if may_read(engineer_line, ticket_line) else None
        raise NotOnTheLine(
            f"a {_position(engineer_line)} may not work tickets of line {ticket_line.value}",
            code=code, field="line",
            params={"role": _position(engineer_line), "line": ticket_line.value},
        )


def check_reader(engineer_line: Line | None, ticket_line: Line) -> None:
    """Raise :class:`NotOnTheLine` unless the engineer may read tickets on ``ticket_line``."""
    if not may_read(engineer_line, ticket_line):
        raise NotOnTheLine(
            f"a {_position(engineer_line)} may not read tickets of line {ticket_line.value}",
            field="line", params={"role": _position(engineer_line), "line": ticket_line.value},
        )


def check_reprioritiser(engineer_line: Line | None, ticket_line: Line) -> None:
    """Re-prioritising and confirming urgency: managers, the line's engineers, and the
    engineers who watch the line (L2 reorders L1's queue, as the seed's desk does)."""
    if engineer_line is None or ticket_line in WATCHES.get(engineer_line, frozenset()):
        return
    check_actor(engineer_line, ticket_line)


def check_manager(engineer_line: Line | None) -> None:
    """Raise :class:`ManagersOnly` unless the caller is a manager."""
    if engineer_line is not None:
        raise ManagersOnly(f"a {engineer_line.value} engineer is not a manager",
                           params={"role": engineer_line.value})


def check_assignee(engineer_line: Line | None, ticket_line: Line) -> None:
    """Raise :class:`InvalidAssignee` unless an engineer of ``engineer_line`` may be the
    assignee of a ticket on ``ticket_line`` (``code`` says why: a manager, or another
    line)."""
    if works_on(engineer_line, ticket_line):
        return
    params = {"role": _position(engineer_line), "line": ticket_line.value}
    if engineer_line is None:
        raise InvalidAssignee(
            "a manager is never the assignee of a ticket",
            code="assignee_is_manager", field="engineer_id", params=params,
        )
    raise InvalidAssignee(
        f"an engineer of {engineer_line.value} may not work tickets of line"
        f" {ticket_line.value}",
        code="assignee_wrong_line", field="engineer_id", params=params,
    )
