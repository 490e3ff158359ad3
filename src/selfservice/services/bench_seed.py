"""``selfservice demo seed``: fill the real tables with a desk's worth of made-up tickets
and widget conversations, for benchmarks, the console's manager pages and demos.

Seeded organisations are named ``seed-01`` … (``SEED_ORG_PREFIX``); they, their contacts
and the engineers (``seed-…@seed.example``) are created through the ordinary use cases,
then tickets, their history, conversations and their events go in by bulk INSERTs in
batches (one transaction each): 50,000 tickets take about 20 s on SQLite, 30 s on
PostgreSQL.
A database that holds tickets of any other organisation is refused unless ``force``:
seeding is for benchmark and demo databases, never a desk's real one.
"""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select, text
from sqlmodel import col

from selfservice.db.models import (
    Contact,
    Conversation,
    ConversationEvent,
    Engineer,
    Role,
    Ticket,
    TicketHistory,
)
from selfservice.db.numbering import TICKET_COUNTER, TICKET_SEQUENCE
from selfservice.db.session import transaction
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Language, Line
from selfservice.services import admin, portal
from selfservice.services.errors import Conflict
from selfservice.services.seed_rows import Directory, TicketMaker, conversation

SEED_ORG_PREFIX = "seed-"
SEED_ORGS = 12
CONTACTS_PER_ORG = 4
ENGINEERS_PER_GROUP = 2
#: Widget conversations per seeded ticket.
CONVERSATIONS_PER_TICKET = 1.3
BATCH = 5000
ROLES = {Line.L1: Role.L1, Line.L2: Role.L2, Line.L3: Role.L3}
FALLBACK_SERVICES = ("identity", "compute", "network", "dns", "storage", "backup", "billing")

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SeedReport:
    tickets: int
    history: int
    conversations: int
    events: int


def foreign_tickets(engine: Engine) -> int:
    """Tickets of organisations the seeder did not create."""
    query = select(func.count()).select_from(Ticket).where(
        col(Ticket.org_id).not_like(f"{SEED_ORG_PREFIX}%"))
    with transaction(engine, write=False) as session:
        return int(session.execute(query).scalar_one())


def seed(
    engine: Engine, *, config: SupportConfig, tickets: int, days: int, now: datetime,
    articles: Sequence[str] = (), services: Sequence[str] = (), rng_seed: int = 17,
    force: bool = False, progress: Progress | None = None,
) -> SeedReport:
    """Add ``tickets`` tickets created over the last ``days`` days (and their history,
    and widget conversations about the kb's ``articles``)."""
    if not force and (found := foreign_tickets(engine)):
        raise Conflict(f"the database holds {found} tickets that were not seeded; "
                              "seed only a benchmark or demo database (or pass --force)")
    admin.sync_support_groups(engine, config=config)
    directory = _directory(engine, config, now, services or FALLBACK_SERVICES, articles)
    rng = random.Random(rng_seed)
    articles = sorted(articles)
    rng.shuffle(articles)
    maker = TicketMaker(rng, now=now, days=days, matrix=config.matrix, directory=directory)
    first_id, first_number = _reserve(engine, tickets)
    counts = {"tickets": 0, "history": 0, "conversations": 0, "events": 0}
    filed: list[int] = []
    for start in range(0, tickets, BATCH):
        rows: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        for offset in range(start, min(start + BATCH, tickets)):
            row, changes = maker.ticket(first_id + offset, first_number + offset)
            rows.append(row)
            history.extend(changes)
            if row["channel"] in ("portal", "widget"):
                filed.append(row["id"])
        _insert(engine, (Ticket, rows), (TicketHistory, history))
        counts["tickets"] += len(rows)
        counts["history"] += len(history)
        if progress:
            progress("tickets", counts["tickets"], tickets)
    _advance_ids(engine, first_id + tickets - 1)
    chats = int(tickets * CONVERSATIONS_PER_TICKET)
    for start in range(0, chats, BATCH):
        talks: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for _ in range(start, min(start + BATCH, chats)):
            talk, happened = conversation(rng, maker, filed_tickets=filed)
            talks.append(talk)
            events.extend(happened)
        _insert(engine, (Conversation, talks), (ConversationEvent, events))
        counts["conversations"] += len(talks)
        counts["events"] += len(events)
        if progress:
            progress("conversations", counts["conversations"], chats)
    return SeedReport(**counts)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _insert(engine: Engine, *batches: tuple[Any, list[dict[str, Any]]]) -> None:
    with transaction(engine) as session:
        for model, rows in batches:
            if rows:
                session.execute(insert(_table(model)), rows)


def _reserve(engine: Engine, count: int) -> tuple[int, int]:
    """The first ticket id and number of ``count`` new tickets; the number sequence moves
    past them (PostgreSQL's SEQUENCE, SQLite's counter row)."""
    with transaction(engine) as session:
        first_id = int(session.execute(select(func.coalesce(func.max(Ticket.id), 0)))
                       .scalar_one()) + 1
        if engine.dialect.name == "postgresql":
            first = int(session.execute(select(func.nextval(TICKET_SEQUENCE))).scalar_one())
            session.execute(select(func.setval(TICKET_SEQUENCE, first + count - 1)))
        else:
            counters = text("UPDATE counters SET value = value + :n WHERE name = :name "
                            "RETURNING value")
            last = int(session.execute(counters, {"n": count, "name": TICKET_COUNTER})
                       .scalar_one())
            first = last - count + 1
    return first_id, first


def _advance_ids(engine: Engine, last_id: int) -> None:
    """PostgreSQL: the tickets' id sequence continues after the explicit ids."""
    if engine.dialect.name != "postgresql":
        return
    with transaction(engine) as session:
        session.execute(text("SELECT setval(pg_get_serial_sequence('tickets', 'id'), :last)"),
                        {"last": last_id})


def _directory(
    engine: Engine, config: SupportConfig, now: datetime, services: Sequence[str],
    articles: Sequence[str],
) -> Directory:
    """Create (once) the seeded organisations, contacts and engineers; list them."""
    for n in range(1, SEED_ORGS + 1):
        org_id = f"{SEED_ORG_PREFIX}{n:02d}"
        if portal.organisation(engine, org_id=org_id) is None:
            admin.add_organisation(engine, id=org_id, name=f"Seeded Company {n}",
                                   contract_number=f"SEED-{n:04d}", now=now)
        for c in range(1, CONTACTS_PER_ORG + 1):
            try:
                admin.add_contact(engine, org_id=org_id, email=f"user{c}@{org_id}.example",
                                  name=f"User {c} of {org_id}", now=now,
                                  language=Language.RU if c % 2 else Language.EN)
            except Conflict:
                pass
    for group in config.groups.values():
        role = ROLES.get(group.line)
        if role is None:
            continue
        for n in range(1, ENGINEERS_PER_GROUP + 1):
            try:
                admin.add_engineer(engine, name=f"{group.name_en} {n}", role=role,
                                   email=f"seed-{group.id}-{n}@seed.example",
                                   group_id=group.id, now=now)
            except Conflict:
                pass
    with transaction(engine, write=False) as session:
        contacts = [(str(o), int(i)) for o, i in session.execute(
            select(col(Contact.org_id), col(Contact.id))
            .where(col(Contact.org_id).like(f"{SEED_ORG_PREFIX}%")).order_by(col(Contact.id)))]
        staff = list(session.execute(
            select(col(Engineer.id), col(Engineer.role))
            .where(col(Engineer.email).like("seed-%@seed.example")).order_by(col(Engineer.id))))
    engineers = {line: [int(i) for i, r in staff if str(getattr(r, "value", r)) == role.value]
                 for line, role in ROLES.items()}
    groups = {line: [g.id for g in config.groups_on(line)] for line in Line}
    return Directory(contacts=contacts, groups=groups, engineers=engineers,
                     services=list(services), articles=list(articles))
