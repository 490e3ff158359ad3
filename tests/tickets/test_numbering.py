"""Ticket numbers: readable, one shared sequence, unique under concurrent registration."""

import threading
from collections import Counter

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from ticket_helpers import SERVICE, T0, World

from selfservice.db.models import OutboxMessage, Ticket, TicketHistory
from selfservice.db.numbering import format_number
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Channel, TicketType
from selfservice.services.registration import register_free_text

#: ~5 s per database on an idle 2-core machine (not marked slow: under the 20 s bar).
THREADS, PER_THREAD = 8, 200


def test_format() -> None:
    assert format_number(TicketType.INCIDENT, 123) == "INC-000123"
    assert format_number(TicketType.REQUEST, 124) == "REQ-000124"
    assert format_number(TicketType.REQUEST, 1_234_567) == "REQ-1234567"


def test_incidents_and_requests_share_one_sequence(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    numbers = [
        register_free_text(engine, config=config, contact_id=world.contact.id or 0,
                           ticket_type=kind, service=SERVICE, subject="s", description="",
                           channel=Channel.EMAIL, now=T0).number
        for kind in (TicketType.INCIDENT, TicketType.REQUEST, TicketType.INCIDENT)
    ]
    assert numbers == ["INC-000001", "REQ-000002", "INC-000003"]


def test_number_is_unique_in_the_schema(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    ticket = register_free_text(engine, config=config, contact_id=world.contact.id or 0,
                                ticket_type=TicketType.INCIDENT, service=SERVICE, subject="s",
                                description="", channel=Channel.EMAIL, now=T0)
    clone = Ticket.model_validate(ticket.model_dump(exclude={"id"}))
    with Session(engine) as session, pytest.raises(IntegrityError):
        session.add(clone)
        session.commit()


def test_concurrent_registration_gives_unique_gapless_numbers(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def register(thread: int) -> None:
        start.wait()
        kind = TicketType.INCIDENT if thread % 2 else TicketType.REQUEST
        try:
            for _ in range(PER_THREAD):
                ticket = register_free_text(
                    engine, config=config, contact_id=world.contact.id or 0, ticket_type=kind,
                    service=SERVICE, subject="load", description="", channel=Channel.EMAIL,
                    now=T0,
                )
                with lock:
                    numbers.append(ticket.number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    total = THREADS * PER_THREAD
    duplicates = [n for n, c in Counter(numbers).items() if c > 1]
    assert duplicates == []
    assert sorted(int(n[4:]) for n in numbers) == list(range(1, total + 1))  # no gaps
    with Session(engine) as session:
        def count(model: type) -> int:
            return int(session.execute(select(func.count()).select_from(model)).scalar_one())

        assert count(Ticket) == total
        assert count(TicketHistory) == total
        assert count(OutboxMessage) == total
