"""Known problems: opened from a customer-visible alert or declared by an engineer,
updated, and resolved, which completes every child ticket and tells every subscriber.

Each use case is one transaction. The rules (who is affected, which ticket is a child,
how a child reaches Completed, who gets which e-mail) are ``domain.known_problems``';
registration asks :func:`adopt` for the parent of each new ticket.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from selfservice.channels.alert_rules import KnownProblemDraft
from selfservice.db.models import (
    Contact,
    Engineer,
    KnownProblem,
    KnownProblemContact,
    KnownProblemUpdate,
    Ticket,
)
from selfservice.db.session import transaction
from selfservice.domain import known_problems as rules
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ClosureCode, Status, TicketType
from selfservice.domain.errors import DomainError
from selfservice.services import outbox
from selfservice.services.common import Actor, load_ticket, record
from selfservice.services.errors import Conflict, NotFound
from selfservice.services.transition import change_status
from selfservice.text.catalogue import text

OPEN, RESOLVED = "open", "resolved"
#: The mail kind of the resolution notice to a subscriber.
MAIL_KIND = "known_problem_resolved"


@dataclass(frozen=True)
class Declaration:
    """What an engineer says about a known problem (the texts in both languages)."""

    title: Mapping[str, str]
    text: Mapping[str, str]
    zones: Sequence[str] = ()
    clusters: Sequence[str] = ()
    organisations: Sequence[str] = ()
    service: str | None = None
    estimate_at: datetime | None = None
    next_update_at: datetime | None = None


@dataclass(frozen=True)
class Resolution:
    problem_id: int
    children_completed: list[str]
    children_left: list[str]
    subscribers_mailed: int


def scope_of(problem: KnownProblem) -> rules.Scope:
    return rules.Scope(problem.service, tuple(problem.zones), tuple(problem.clusters),
                       tuple(problem.organisations))


def open_problems(session: Session) -> list[KnownProblem]:
    query = select(KnownProblem).where(col(KnownProblem.status) == OPEN)
    return list(session.execute(query.order_by(col(KnownProblem.id))).scalars())


# --- opening ------------------------------------------------------------------------------


def open_from_alert(
    session: Session, ticket: Ticket, draft: KnownProblemDraft, *, author: str, now: datetime,
    started_at: datetime | None,
) -> KnownProblem:
    """In the alert's registration: its new incident becomes a known problem."""
    problem = KnownProblem(
        ticket_id=ticket.id or 0, service=ticket.service, zones=list(draft.zones),
        clusters=list(draft.clusters), organisations=list(draft.organisations),
        title_en=draft.title["en"][:300], title_ru=draft.title["ru"][:300],
        text_en=draft.text["en"], text_ru=draft.text["ru"], status=OPEN,
        started_at=started_at or now, declared_by=author[:64], created_at=now, updated_at=now,
        estimate_at=_after(now, draft.estimate_minutes),
        next_update_at=_after(now, draft.next_update_minutes),
    )
    session.add(problem)
    session.flush()
    record(session, ticket, actor=Actor.system(), now=now, field="known_problem",
           new=str(problem.id), reason=f"customer-visible alert (rule {draft.rule!r})")
    return problem


def _after(now: datetime, minutes: int | None) -> datetime | None:
    return now + timedelta(minutes=minutes) if minutes else None


def declare(
    engine: Engine, *, number: str, engineer_id: int, declaration: Declaration, now: datetime,
) -> KnownProblem:
    """An engineer marks an open incident as a known problem affecting customers."""
    actor = Actor.engineer(engineer_id)
    with transaction(engine) as session:
        ticket = load_ticket(session, number, actor=actor).ticket
        if ticket.type is not TicketType.INCIDENT or ticket.status in rules.DONE:
            raise Conflict(f"{number} is not an open incident", field="ticket")
        if ticket.known_problem_id is not None:
            raise Conflict(f"{number} is a child of a known problem", field="ticket")
        taken = session.execute(select(col(KnownProblem.id))
                                .where(col(KnownProblem.ticket_id) == ticket.id)).first()
        if taken is not None:
            raise Conflict(f"{number} is already known problem {taken[0]}", field="ticket")
        d = declaration
        problem = KnownProblem(
            ticket_id=ticket.id or 0, service=d.service or ticket.service, zones=list(d.zones),
            clusters=list(d.clusters), organisations=list(d.organisations),
            title_en=d.title["en"], title_ru=d.title["ru"], text_en=d.text["en"],
            text_ru=d.text["ru"], status=OPEN, started_at=ticket.created_at,
            estimate_at=d.estimate_at, next_update_at=d.next_update_at,
            declared_by=f"engineer:{engineer_id}", created_at=now, updated_at=now,
        )
        session.add(problem)
        session.flush()
        record(session, ticket, actor=actor, now=now, field="known_problem",
               new=str(problem.id), reason="declared a known problem")
        return problem


def add_update(
    engine: Engine, *, problem_id: int, engineer_id: int, text_by_lang: Mapping[str, str],
    now: datetime, estimate_at: datetime | None = None, next_update_at: datetime | None = None,
) -> KnownProblem:
    """A public update: customers see it on the banner, in the chat and on /status."""
    with transaction(engine) as session:
        problem = _locked_open(session, problem_id)
        session.add(KnownProblemUpdate(problem_id=problem_id, at=now, text_en=text_by_lang["en"],
                                       text_ru=text_by_lang["ru"],
                                       author=f"engineer:{engineer_id}"))
        if estimate_at is not None:
            problem.estimate_at = estimate_at
        problem.next_update_at = next_update_at
        problem.updated_at = now
        session.add(problem)
        session.flush()
        return problem


def _locked_open(session: Session, problem_id: int) -> KnownProblem:
    problem = session.get(KnownProblem, problem_id, with_for_update=True)
    if problem is None:
        raise NotFound(f"no known problem {problem_id}", field="id")
    if problem.status != OPEN:
        raise Conflict(f"known problem {problem_id} is already resolved", field="id")
    return problem


# --- children -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Adopted:
    problem_id: int
    parent_number: str


def adopt(
    session: Session, ticket: Ticket, *, locations: Sequence[str]
) -> Adopted | None:
    """Before a new ticket is stored: make it the child of the open known problem that
    affects its organisation and service; its SLA due times become the parent's."""
    problems = open_problems(session)
    if not problems:
        return None
    found = rules.parent_for(
        [rules.OpenProblem(p.id or 0, scope_of(p)) for p in problems], org_id=ticket.org_id,
        locations=locations, service=ticket.service, channel=ticket.channel)
    if found is None:
        return None
    problem = next(p for p in problems if p.id == found)
    parent = session.get(Ticket, problem.ticket_id)
    if parent is None:  # pragma: no cover - the foreign key guarantees it
        return None
    ticket.known_problem_id = found
    ticket.response_due, ticket.resolution_due = parent.response_due, parent.resolution_due
    # The parent's clocks alert the manager; a child's copy would repeat the same alert.
    ticket.response_alert_at = ticket.resolution_alert_at = None
    return Adopted(found, parent.number)


# --- resolving ----------------------------------------------------------------------------


def resolve(
    engine: Engine, *, problem_id: int, engineer_id: int, resolution: Mapping[str, str],
    now: datetime, config: SupportConfig,
) -> Resolution:
    """An engineer resolves the problem: its incident and every child are completed."""
    with transaction(engine) as session:
        problem = _locked_open(session, problem_id)
        return _resolve(session, problem, engineer_id=engineer_id, resolution=resolution,
                        now=now, config=config, with_parent=True)


def resolve_for_alert(
    session: Session, ticket_id: int, *, completed_by: str | None, now: datetime,
    config: SupportConfig,
) -> Resolution | None:
    """In the alert intake's transaction, once every alert of ``ticket_id`` resolved: the
    known problem of that incident (if any) is resolved and its children completed in
    the name of ``completed_by`` (the intake completes the incident itself, or not)."""
    problem = session.execute(
        select(KnownProblem).where(col(KnownProblem.ticket_id) == ticket_id,
                                   col(KnownProblem.status) == OPEN).with_for_update()
    ).scalars().first()
    if problem is None:
        return None
    engineer = session.execute(
        select(col(Engineer.id)).where(col(Engineer.email) == (completed_by or ""),
                                       col(Engineer.active).is_(True))).first()
    resolution = {lang: text("customer.known_problem.resolved_by_monitoring", lang)
                  for lang in ("en", "ru")}
    return _resolve(session, problem, engineer_id=engineer[0] if engineer else None,
                    resolution=resolution, now=now, config=config, with_parent=False)


def _resolve(
    session: Session, problem: KnownProblem, *, engineer_id: int | None,
    resolution: Mapping[str, str], now: datetime, config: SupportConfig, with_parent: bool,
) -> Resolution:
    problem.status, problem.resolved_at, problem.updated_at = RESOLVED, now, now
    problem.resolution_en, problem.resolution_ru = resolution["en"], resolution["ru"]
    session.add(problem)
    children = list(session.execute(
        select(col(Ticket.id)).where(col(Ticket.known_problem_id) == problem.id)
        .order_by(col(Ticket.id))).scalars())
    done: list[str] = []
    left: list[str] = []
    targets = ([problem.ticket_id] if with_parent else []) + children
    for ticket_id in targets:
        outcome = _complete(session, ticket_id, engineer_id, resolution, now, config)
        (done if outcome is None else left).append(
            outcome or _number(session, ticket_id))
    child_contacts = session.execute(
        select(col(Ticket.contact_id)).where(col(Ticket.known_problem_id) == problem.id)
    ).scalars()
    mailed = _mail_subscribers(session, problem, list(child_contacts), now)
    return Resolution(problem.id or 0, [d for d in done if d], left, mailed)


def _number(session: Session, ticket_id: int) -> str:
    return str(session.execute(select(col(Ticket.number)).where(col(Ticket.id) == ticket_id))
               .scalar_one())


def _complete(
    session: Session, ticket_id: int, engineer_id: int | None, resolution: Mapping[str, str],
    now: datetime, config: SupportConfig,
) -> str | None:
    """Walk one ticket to Completed with the resolution in its contact's language; None
    when it is completed (or already done), else the ticket's number and why not."""
    if engineer_id is None:
        return f"{_number(session, ticket_id)}: no engineer to complete it (completed_by)"
    actor = Actor.engineer(engineer_id)
    loaded = load_ticket(session, ticket_id, actor=actor)
    ticket = loaded.ticket
    said = resolution.get(loaded.contact.language.value) or resolution["en"]
    try:
        for target in rules.steps_to_complete(ticket.status):
            if target is Status.COMPLETED:
                change_status(session, loaded, target=target, actor=actor, now=now,
                              config=config, closure_code=ClosureCode.RESOLVED, comment=said,
                              public=True)
            else:
                change_status(session, loaded, target=target, actor=actor, now=now,
                              config=config, assignee=str(ticket.assignee_id or engineer_id))
    except DomainError as error:
        return f"{ticket.number}: {error}"
    return None


def _mail_subscribers(
    session: Session, problem: KnownProblem, child_contacts: list[int], now: datetime
) -> int:
    rows = list(session.execute(
        select(KnownProblemContact).where(
            col(KnownProblemContact.problem_id) == problem.id,
            col(KnownProblemContact.subscribed_at).is_not(None),
            col(KnownProblemContact.notified_at).is_(None))).scalars())
    wanted = set(rules.subscribers_to_mail([r.contact_id for r in rows], child_contacts))
    sent = 0
    for row in rows:
        if row.contact_id not in wanted:
            continue
        contact = session.get(Contact, row.contact_id)
        if contact is None:  # pragma: no cover - the foreign key guarantees it
            continue
        lang = contact.language.value
        title = problem.title_ru if lang == "ru" else problem.title_en
        said = (problem.resolution_ru if lang == "ru" else problem.resolution_en) or ""
        body = text("mail.known_problem.body", lang, name=contact.name, title=title,
                    resolution=said)
        outbox.enqueue(session, to=contact.email, language=contact.language, kind=MAIL_KIND,
                       subject=text("mail.known_problem.subject", lang, title=title),
                       body=body, now=now)
        row.notified_at = now
        session.add(row)
        sent += 1
    return sent
