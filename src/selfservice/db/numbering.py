"""Ticket numbers people can read: INC-000123, REQ-000124 (one shared sequence).

The number comes from a counter row bumped with ``UPDATE ... SET value = value + 1
RETURNING value`` inside the registration transaction:

* PostgreSQL: the UPDATE takes the row lock, so concurrent registrations queue on it until
  the holder commits or rolls back; a rollback gives the value back (no gaps).
* SQLite: the write transaction began with ``BEGIN IMMEDIATE`` (see db/session.py), so
  there is only ever one writer.

``tickets.number`` is UNIQUE as a backstop: a bug here fails loudly instead of duplicating.
"""

from typing import Final

from sqlalchemy import update
from sqlmodel import Session

from selfservice.db.models import Counter
from selfservice.domain.enums import TicketType

TICKET_COUNTER: Final = "ticket"
PREFIXES: Final[dict[TicketType, str]] = {TicketType.INCIDENT: "INC", TicketType.REQUEST: "REQ"}


def format_number(ticket_type: TicketType, value: int) -> str:
    return f"{PREFIXES[ticket_type]}-{value:06d}"


def next_value(session: Session, *, counter: str = TICKET_COUNTER) -> int:
    stmt = (
        update(Counter)
        .where(Counter.name == counter)  # type: ignore[arg-type]
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    value = session.execute(stmt).scalar_one_or_none()
    if value is None:
        raise LookupError(f"counter {counter!r} is missing; run `selfservice db upgrade`")
    return int(value)


def next_ticket_number(session: Session, *, ticket_type: TicketType) -> str:
    return format_number(ticket_type, next_value(session))
