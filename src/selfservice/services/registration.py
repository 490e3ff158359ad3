"""Registering tickets: from a typed request form or from free text (one transaction).

A registration never fails because kb/ and the support configuration disagree about the
service's group: ``domain.routing`` sends the ticket to the service desk queue (or the
group's real line), the ticket's history says why, and the mismatch is logged once per
process. A group configured but not yet synced to the database gets the same treatment.
"""

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from selfservice.content.model import RequestForm, Service
from selfservice.content.validation import validate_submission
from selfservice.db.models import Contact, Organisation, Ticket
from selfservice.db.numbering import next_ticket_number
from selfservice.db.session import transaction
from selfservice.delivery import customer_mail
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Channel, Impact, Language, Line, Status, TicketType, Urgency
from selfservice.domain.priority import needs_phone_confirmation, priority_for
from selfservice.domain.routing import Route, route, unsynced
from selfservice.services import known_problems, outbox
from selfservice.services.common import SYSTEM, Actor, record
from selfservice.services.errors import Forbidden, InvalidSubmission, NotFound
from selfservice.services.sla_state import store_clocks

#: Called inside the registration's transaction with the new ticket (e.g. to close the
#: conversation that led to it): whatever it raises rolls the registration back.
OnRegistered = Callable[[Session, Ticket], None]

TICKETS: Table = Ticket.__table__  # type: ignore[attr-defined]
#: Built once: executing a prepared construct with a parameter dict skips building and
#: hashing a new statement per registration.
_INSERT_TICKET = insert(TICKETS).returning(TICKETS.c.id)

log = logging.getLogger("selfservice.registration")
_warned: set[str] = set()
_warned_lock = threading.Lock()


def _warn_once(note: str) -> None:
    """Log a kb/-versus-configuration mismatch the first time this process meets it."""
    with _warned_lock:
        if note in _warned:
            return
        _warned.add(note)
    log.warning("%s (fix kb/services.yml or the support configuration; "
                "`selfservice kb check` lists every such problem)", note)


class _GroupNotInDatabase(Exception):
    """The INSERT hit the foreign key of the ticket's group."""


@dataclass(frozen=True)
class _Draft:
    ticket_type: TicketType
    service: str
    line: Line
    group_id: str | None
    subject: str
    description: str
    urgency: Urgency
    impact: Impact
    fields: dict[str, Any]
    form_id: str | None
    fulfilment_hours: float | None


def register_from_form(
    engine: Engine,
    *,
    config: SupportConfig,
    contact_id: int,
    form: RequestForm,
    service: Service,
    values: Mapping[str, Any],
    channel: Channel,
    now: datetime,
    subject: str | None = None,
    description: str = "",
    urgency: Urgency | None = None,
    self_service_tried: Sequence[Mapping[str, Any]] = (),
    registered_by: Actor | None = None,
    on_registered: OnRegistered | None = None,
) -> Ticket:
    """A typed form submission: ``values`` are validated by ``content.validation`` (its
    error propagates); type, service, impact and fulfilment time come from the form."""
    if service.id != form.service:
        raise NotFound(f"form {form.id} belongs to service {form.service}, not {service.id}",
                       field="service")
    result = validate_submission(form, values)
    if not result.ok:
        raise InvalidSubmission(result.errors)
    chosen = urgency if (urgency is not None and form.customer_sets_urgency) else None
    draft = _Draft(
        ticket_type=form.type, service=service.id, line=service.line, group_id=service.group,
        subject=(subject or form.title.en).strip()[:300], description=description,
        urgency=chosen or form.default_urgency, impact=form.default_impact,
        fields=dict(result.values), form_id=form.id, fulfilment_hours=form.fulfilment_hours,
    )
    return _register(engine, config=config, contact_id=contact_id, draft=draft, channel=channel,
                     now=now, tried=self_service_tried, registered_by=registered_by,
                     on_registered=on_registered)


def register_free_text(
    engine: Engine,
    *,
    config: SupportConfig,
    contact_id: int,
    ticket_type: TicketType,
    service: Service,
    subject: str,
    description: str,
    channel: Channel,
    now: datetime,
    urgency: Urgency = Urgency.MEDIUM,
    impact: Impact = Impact.LOW,
    self_service_tried: Sequence[Mapping[str, Any]] = (),
    registered_by: Actor | None = None,
    on_registered: OnRegistered | None = None,
) -> Ticket:
    """Free text (widget "not solved", e-mail, phone, monitoring) with type and service
    given by the caller; routed to the service's first line and group."""
    draft = _Draft(
        ticket_type=ticket_type, service=service.id, line=service.line, group_id=service.group,
        subject=subject.strip()[:300], description=description, urgency=urgency,
        impact=impact, fields={}, form_id=None, fulfilment_hours=None,
    )
    return _register(engine, config=config, contact_id=contact_id, draft=draft, channel=channel,
                     now=now, tried=self_service_tried, registered_by=registered_by,
                     on_registered=on_registered)


def _register(
    engine: Engine, *, config: SupportConfig, contact_id: int, draft: _Draft, channel: Channel,
    now: datetime, tried: Sequence[Mapping[str, Any]], registered_by: Actor | None,
    on_registered: OnRegistered | None = None,
) -> Ticket:
    routed = route(config.groups, service=draft.service, group=draft.group_id or "",
                   line=draft.line)
    args: dict[str, Any] = {
        "config": config, "contact_id": contact_id, "draft": draft, "channel": channel,
        "now": now, "tried": tried, "registered_by": registered_by,
        "on_registered": on_registered,
    }
    try:
        return _register_routed(engine, routed=routed, **args)
    except _GroupNotInDatabase:
        pass
    fallback = unsynced(config.groups, service=draft.service, group=routed.group)
    if fallback.group != routed.group:
        try:
            return _register_routed(engine, routed=fallback, **args)
        except _GroupNotInDatabase:
            pass
    # Not even the service desk's group is in the database: `db upgrade` never ran.
    raise NotFound(f"support group {fallback.group!r} is not in the database (run "
                   "`selfservice db upgrade` to sync the groups)", field="group")


def _register_routed(
    engine: Engine, *, config: SupportConfig, contact_id: int, draft: _Draft, channel: Channel,
    now: datetime, tried: Sequence[Mapping[str, Any]], registered_by: Actor | None,
    on_registered: OnRegistered | None, routed: Route,
) -> Ticket:
    actor = registered_by or Actor.contact(contact_id)
    if routed.note:
        _warn_once(routed.note)
    requested = draft
    draft = replace(draft, line=routed.line, group_id=routed.group)
    with transaction(engine) as session:
        filer = _filing_contact(session, contact_id)
        priority = priority_for(draft.urgency, draft.impact, config.matrix)
        clocks = config.policy(filer.sla_level).start(
            draft.ticket_type, priority, now=now, fulfilment_hours=draft.fulfilment_hours,
            tz=ZoneInfo(filer.time_zone),
        )
        ticket = Ticket(
            # Numbered after every check that can refuse the registration (a refusal after
            # this leaves a gap in the PostgreSQL sequence; SQLite gives the number back).
            number=next_ticket_number(session, ticket_type=draft.ticket_type),
            type=draft.ticket_type, service=draft.service, form_id=draft.form_id,
            fields=draft.fields, subject=draft.subject, description=draft.description,
            channel=channel, urgency=draft.urgency, impact=draft.impact, priority=priority,
            urgency_confirmed=not needs_phone_confirmation(draft.urgency, channel),
            status=Status.REGISTERED, line=draft.line, group_id=draft.group_id,
            fulfilment_hours=draft.fulfilment_hours, self_service_tried=[dict(t) for t in tried],
            created_at=now, updated_at=now, contact_id=contact_id, org_id=filer.org_id,
        )
        store_clocks(ticket, clocks)
        parent = known_problems.adopt(session, ticket, locations=filer.locations or [])
        ticket.id = _insert_ticket(session, ticket, draft)
        record(session, ticket, actor=actor, now=now, field="status", new=Status.REGISTERED,
               reason=f"registered via {channel.value}")
        if parent is not None:
            record(session, ticket, actor=SYSTEM, now=now, field="known_problem",
                   new=str(parent.problem_id), reason=f"a known problem ({parent.parent_number}) "
                   "affects this organisation and service: linked as its child")
        if routed.note:
            _record_reroute(session, ticket, requested, routed, now)
        facts = customer_mail.TicketFacts(
            number=ticket.number, title=ticket.subject, name=filer.name,
            language=filer.language, status=Status.REGISTERED, due=ticket.resolution_due,
            time_zone=filer.time_zone,
            link=customer_mail.portal_link(filer.portal_url or config.mail.portal_url,
                                           ticket.number),
        )
        mail = customer_mail.registered(facts, urgency_unconfirmed=not ticket.urgency_confirmed,
                                        support_phone=filer.support_phone)
        outbox.enqueue(session, to=filer.email, subject=mail.subject, body=mail.text,
                       html=mail.html, language=filer.language, kind="registered", now=now,
                       ticket_id=ticket.id)
        if on_registered is not None:
            on_registered(session, ticket)
    return ticket


@dataclass(frozen=True)
class _Filer:
    """What registration needs of the contact and their organisation."""

    contact_id: int
    email: str
    name: str
    language: Language
    authorised: bool
    org_id: str
    time_zone: str
    sla_level: str
    support_phone: str | None
    portal_url: str | None
    locations: list[str] | None


_CONTACTS: Table = Contact.__table__  # type: ignore[attr-defined]
_ORGS: Table = Organisation.__table__  # type: ignore[attr-defined]
#: One Core query (no ORM objects to build: registration is the hot path).
_FILER = (
    select(
        _CONTACTS.c.id, _CONTACTS.c.email, _CONTACTS.c.name, _CONTACTS.c.language,
        _CONTACTS.c.authorised, _ORGS.c.id, _ORGS.c.time_zone, _ORGS.c.sla_level,
        _ORGS.c.support_phone, _ORGS.c.portal_url, _ORGS.c.locations,
    )
    .join(_ORGS, _ORGS.c.id == _CONTACTS.c.org_id)
    .where(_CONTACTS.c.id == bindparam("contact_id"))
)


def _filing_contact(session: Session, contact_id: int) -> _Filer:
    row = session.execute(_FILER, {"contact_id": contact_id}).first()
    if row is None:
        raise NotFound(f"no contact {contact_id}", field="contact_id")
    filer = _Filer(*row)
    if not filer.authorised:
        raise Forbidden("only authorised contact persons may file tickets", field="contact_id")
    return filer


def _record_reroute(
    session: Session, ticket: Ticket, requested: _Draft, routed: Route, now: datetime
) -> None:
    """The ticket's history says why it is not where its service said (support only)."""
    if routed.group != requested.group_id:
        record(session, ticket, actor=SYSTEM, now=now, field="group", old=requested.group_id,
               new=routed.group, reason=routed.note)
    if routed.line is not requested.line:
        record(session, ticket, actor=SYSTEM, now=now, field="line", old=requested.line,
               new=routed.line, reason=routed.note)


def _insert_ticket(session: Session, ticket: Ticket, draft: _Draft) -> int:
    """INSERT the row (a plain INSERT: registration is the hot path, the ORM's unit of work
    costs more than the statement) and return its id. The group must exist: the foreign
    key checks it, saving a query (SQLite names no constraint; the contact and the
    organisation were read in this transaction, so the group is the one that can fail)."""
    values = {c.key: getattr(ticket, c.key) for c in TICKETS.columns if c.key != "id"}
    try:
        return int(session.execute(_INSERT_TICKET, values).scalar_one())
    except IntegrityError as error:
        text = str(error.orig)
        if "group" in text or "FOREIGN KEY constraint failed" in text:
            raise _GroupNotInDatabase(draft.group_id) from None
        raise
