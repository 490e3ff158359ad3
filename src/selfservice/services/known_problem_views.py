"""What customers and the public see of known problems, and what their seeing records:
the banner and the chat's notice (each records that the contact was told), "notify me",
the public status page, and the managers' numbers.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Engine, Table, select, update
from sqlmodel import Session, col

from selfservice.db.conflicts import insert_once
from selfservice.db.models import (
    Contact,
    KnownProblem,
    KnownProblemContact,
    KnownProblemUpdate,
    Organisation,
    Ticket,
)
from selfservice.db.session import transaction
from selfservice.domain import known_problems as rules
from selfservice.services.errors import NotFound
from selfservice.services.known_problems import OPEN, open_problems, scope_of

CONTACTS: Table = KnownProblemContact.__table__  # type: ignore[attr-defined]
STATUS_DAYS: Final = 30


@dataclass(frozen=True)
class ProblemView:
    """One known problem in one language."""

    id: int
    service: str
    title: str
    text: str
    status: str
    started_at: datetime
    estimate_at: datetime | None
    next_update_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None
    zones: list[str]
    clusters: list[str]
    updates: list[tuple[datetime, str]] = field(default_factory=list)
    subscribed: bool = False

    def as_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "id": self.id, "service": self.service, "title": self.title, "text": self.text,
            "status": self.status, "started_at": self.started_at.isoformat(),
            "estimate_at": iso(self.estimate_at), "next_update_at": iso(self.next_update_at),
            "resolved_at": iso(self.resolved_at), "resolution": self.resolution,
            "zones": self.zones, "clusters": self.clusters, "subscribed": self.subscribed,
            "updates": [{"at": at.isoformat(), "text": said} for at, said in self.updates],
        }


def view_of(problem: KnownProblem, lang: str, updates: list[KnownProblemUpdate],
            subscribed: bool = False) -> ProblemView:
    ru = lang == "ru"
    return ProblemView(
        id=problem.id or 0, service=problem.service,
        title=problem.title_ru if ru else problem.title_en,
        text=problem.text_ru if ru else problem.text_en, status=problem.status,
        started_at=problem.started_at, estimate_at=problem.estimate_at,
        next_update_at=problem.next_update_at, resolved_at=problem.resolved_at,
        resolution=problem.resolution_ru if ru else problem.resolution_en,
        zones=list(problem.zones), clusters=list(problem.clusters),
        updates=[(u.at, u.text_ru if ru else u.text_en) for u in updates],
        subscribed=subscribed,
    )


def _updates(session: Session, ids: Collection[int]) -> dict[int, list[KnownProblemUpdate]]:
    found: dict[int, list[KnownProblemUpdate]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(select(KnownProblemUpdate)
                               .where(col(KnownProblemUpdate.problem_id).in_(list(ids)))
                               .order_by(col(KnownProblemUpdate.id))).scalars()
        for row in rows:
            found[row.problem_id].append(row)
    return found


def _affecting(session: Session, contact_id: int) -> tuple[Contact, list[KnownProblem]]:
    contact = session.get(Contact, contact_id)
    org = session.get(Organisation, contact.org_id) if contact is not None else None
    if contact is None or org is None:
        raise NotFound(f"no contact {contact_id}", field="contact_id")
    problems = [p for p in open_problems(session)
                if rules.affects(scope_of(p), org.id, org.locations or [])]
    return contact, problems


def _notice(session: Session, problems: list[KnownProblem], contact_id: int,
            now: datetime) -> set[int]:
    """Record that the contact was told; the ids the contact subscribed to."""
    subscribed: set[int] = set()
    for problem in problems:
        insert_once(session, CONTACTS, {"problem_id": problem.id, "contact_id": contact_id,
                                        "noticed_at": now, "subscribed_at": None,
                                        "notified_at": None})
        row = session.execute(select(CONTACTS.c.noticed_at, CONTACTS.c.subscribed_at).where(
            CONTACTS.c.problem_id == problem.id, CONTACTS.c.contact_id == contact_id)).one()
        if row.noticed_at is None:
            session.execute(update(CONTACTS).where(CONTACTS.c.problem_id == problem.id,
                                                   CONTACTS.c.contact_id == contact_id)
                            .values(noticed_at=now))
        if row.subscribed_at is not None:
            subscribed.add(problem.id or 0)
        if problem.first_notice_at is None:
            session.execute(update(KnownProblem).where(col(KnownProblem.id) == problem.id)
                            .values(first_notice_at=now))
    return subscribed


def for_contact(engine: Engine, *, contact_id: int, lang: str, now: datetime
                ) -> list[ProblemView]:
    """The open known problems affecting the contact's organisation (the widget's
    banner); the contact has now been told of each."""
    with transaction(engine) as session:
        contact, problems = _affecting(session, contact_id)
        subscribed = _notice(session, problems, contact_id, now)
        updates = _updates(session, [p.id or 0 for p in problems])
        return [view_of(p, lang, updates[p.id or 0], (p.id or 0) in subscribed)
                for p in problems]


def any_for_contact(engine: Engine, *, contact_id: int) -> bool:
    """Is any open known problem affecting the contact's organisation? (Read only: the
    chat asks first, before it spends time on the classifier.)"""
    with transaction(engine, write=False) as session:
        return bool(_affecting(session, contact_id)[1])


def in_conversation(
    engine: Engine, *, contact_id: int, lang: str, said: str, services: Collection[str],
    now: datetime,
) -> ProblemView | None:
    """The known problem a customer's message concerns (told before any article), if the
    contact's organisation is affected."""
    with transaction(engine) as session:
        _, problems = _affecting(session, contact_id)
        concerned = [p for p in problems
                     if rules.concerns(scope_of(p), text=said, services=services)]
        if not concerned:
            return None
        subscribed = _notice(session, concerned[:1], contact_id, now)
        problem = concerned[0]
        updates = _updates(session, [problem.id or 0])
        return view_of(problem, lang, updates[problem.id or 0], (problem.id or 0) in subscribed)


def subscribe(engine: Engine, *, contact_id: int, problem_id: int, now: datetime) -> None:
    """"Notify me": one e-mail when the problem is resolved. Only for a problem that
    affects the contact's organisation (else it does not exist for them)."""
    with transaction(engine) as session:
        _, problems = _affecting(session, contact_id)
        if problem_id not in {p.id for p in problems}:
            raise NotFound(f"no open known problem {problem_id} for this contact", field="id")
        insert_once(session, CONTACTS, {"problem_id": problem_id, "contact_id": contact_id,
                                        "noticed_at": now, "subscribed_at": now,
                                        "notified_at": None})
        session.execute(update(CONTACTS).where(CONTACTS.c.problem_id == problem_id,
                                               CONTACTS.c.contact_id == contact_id,
                                               CONTACTS.c.subscribed_at.is_(None))
                        .values(subscribed_at=now))


def public_status(engine: Engine, *, lang: str, now: datetime, days: int = STATUS_DAYS
                  ) -> tuple[list[ProblemView], list[ProblemView]]:
    """(current, resolved in the last ``days``) for the public status page. Problems that
    name organisations only are private to them: never on the public page."""
    since = now - timedelta(days=days)
    with transaction(engine, write=False) as session:
        rows = list(session.execute(
            select(KnownProblem).where(
                (col(KnownProblem.status) == OPEN) | (col(KnownProblem.resolved_at) >= since))
            .order_by(col(KnownProblem.started_at).desc())).scalars())
        public = [p for p in rows if p.zones or p.clusters or not p.organisations]
        updates = _updates(session, [p.id or 0 for p in public])
        views = [view_of(p, lang, updates[p.id or 0]) for p in public]
    return ([v for v in views if v.status == OPEN], [v for v in views if v.status != OPEN])


@dataclass(frozen=True)
class ProblemNumbers:
    problems: int
    children_linked: int
    contacts_told: int
    duplicates_avoided: int
    seconds_to_first_notice: list[float]


@dataclass(frozen=True)
class ProblemRow:
    """One known problem's numbers: its incident, children, contacts told, duplicates
    avoided and seconds from the alert to the first customer told (None: nobody yet)."""

    problem: KnownProblem
    ticket: str
    children: int
    told: int
    avoided: int
    first_notice_seconds: float | None


def per_problem(engine: Engine, *, start: datetime, end: datetime) -> list[ProblemRow]:
    """Known problems that started in [start, end), oldest first, with their numbers."""
    with transaction(engine, write=False) as session:
        problems = list(session.execute(select(KnownProblem).where(
            col(KnownProblem.started_at) >= start, col(KnownProblem.started_at) < end)
            .order_by(col(KnownProblem.started_at), col(KnownProblem.id))).scalars())
        ids = [p.id for p in problems]
        found = session.execute(select(col(Ticket.id), col(Ticket.number))
                                .where(col(Ticket.id).in_([p.ticket_id for p in problems])))
        numbers_of: dict[int, str] = {int(row[0]): str(row[1]) for row in found}
        children = session.execute(select(col(Ticket.known_problem_id), col(Ticket.contact_id))
                                   .where(col(Ticket.known_problem_id).in_(ids))).all()
        told = session.execute(select(CONTACTS.c.problem_id, CONTACTS.c.contact_id).where(
            CONTACTS.c.problem_id.in_(ids), CONTACTS.c.noticed_at.is_not(None))).all()
    rows = []
    for p in problems:
        kids = [c for pid, c in children if pid == p.id]
        seen = [c for pid, c in told if pid == p.id]
        wait = ((p.first_notice_at - p.started_at).total_seconds()
                if p.first_notice_at is not None else None)
        rows.append(ProblemRow(p, numbers_of[p.ticket_id], len(kids), len(seen),
                               rules.duplicates_avoided(seen, kids), wait))
    return rows


def numbers(engine: Engine, *, start: datetime, end: datetime) -> ProblemNumbers:
    """Known problems that started in [start, end): how many, their children, the contacts
    told, those told who filed nothing (duplicates avoided), alert-to-first-notice."""
    rows = per_problem(engine, start=start, end=end)
    waits = sorted(r.first_notice_seconds for r in rows if r.first_notice_seconds is not None)
    return ProblemNumbers(len(rows), sum(r.children for r in rows), sum(r.told for r in rows),
                          sum(r.avoided for r in rows), waits)


@dataclass(frozen=True)
class StaffProblem:
    problem: KnownProblem
    ticket: str
    children: list[str]
    updates: list[KnownProblemUpdate]


def staff_view(engine: Engine, *, problem_id: int) -> StaffProblem:
    """A known problem as engineers see it: its incident and children by number."""
    with transaction(engine, write=False) as session:
        problem = session.get(KnownProblem, problem_id)
        if problem is None:
            raise NotFound(f"no known problem {problem_id}", field="id")
        number = session.execute(select(col(Ticket.number))
                                 .where(col(Ticket.id) == problem.ticket_id)).scalar_one()
        children = list(session.execute(
            select(col(Ticket.number)).where(col(Ticket.known_problem_id) == problem_id)
            .order_by(col(Ticket.id))).scalars())
        return StaffProblem(problem, number, children, _updates(session, [problem_id])[problem_id])


def for_incident(engine: Engine, *, ticket_id: int) -> StaffProblem | None:
    """The known problem an incident was declared as, if any (the console's ticket page)."""
    with transaction(engine, write=False) as session:
        found = session.execute(select(col(KnownProblem.id))
                                .where(col(KnownProblem.ticket_id) == ticket_id)).first()
    return staff_view(engine, problem_id=found[0]) if found is not None else None
