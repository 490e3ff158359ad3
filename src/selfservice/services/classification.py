"""Classification and priority: type/service, urgency, impact, urgency confirmation.

The priority is always ``domain.priority.reprioritise`` over the configured matrix; every
change is recorded, and the SLA targets follow the new priority (elapsed time is kept).
"""

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from selfservice.content.model import Service
from selfservice.db.models import Ticket
from selfservice.db.session import transaction
from selfservice.domain import staffing
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ActorRole, Channel, Impact, TicketType, Urgency
from selfservice.domain.errors import ActorNotAllowed, TransitionNotAllowed
from selfservice.domain.priority import needs_phone_confirmation, reprioritise
from selfservice.domain.workflow import FINAL
from selfservice.services.common import (
    Actor,
    Loaded,
    TicketRef,
    load_for,
    load_ticket,
    record,
)
from selfservice.services.sla_state import clocks_of, store_clocks


def classify(
    engine: Engine, *, ticket_id: TicketRef, actor: Actor, now: datetime, config: SupportConfig,
    ticket_type: TicketType | None = None, service: Service | None = None,
    reason: str | None = None,
) -> Ticket:
    """Correct the type and/or service (support only). A type change changes the SLA
    targets (incidents by priority, requests by fulfilment time)."""
    _support_only(actor, "classify a ticket")
    with transaction(engine) as session:
        loaded = load_ticket(session, ticket_id, actor=actor)
        ticket = loaded.ticket
        _not_final(ticket)
        if ticket_type is not None and ticket_type is not ticket.type:
            record(session, ticket, actor=actor, now=now, field="type", old=ticket.type,
                   new=ticket_type, reason=reason)
            ticket.type = ticket_type
        if service is not None and service.id != ticket.service:
            record(session, ticket, actor=actor, now=now, field="service", old=ticket.service,
                   new=service.id, reason=reason)
            ticket.service = service.id
        _retarget(loaded, config)
        ticket.updated_at = now
        session.add(ticket)
    return ticket


def set_urgency(
    engine: Engine, *, ticket_id: TicketRef, urgency: Urgency, actor: Actor, now: datetime,
    config: SupportConfig, reason: str | None = None, channel: Channel = Channel.PORTAL,
) -> Ticket:
    """The contact raises (or support corrects) urgency; priority is recomputed.

    A contact raising it to high/very high through ``channel`` e-mail/portal/widget makes
    it "urgency unconfirmed" until an engineer confirms by phone; an engineer's change is
    taken as confirmed.
    """
    with transaction(engine) as session:
        loaded = load_ticket(session, ticket_id, actor=actor)
        ticket = loaded.ticket
        _not_final(ticket)
        if urgency is not ticket.urgency:
            record(session, ticket, actor=actor, now=now, field="urgency", old=ticket.urgency,
                   new=urgency, reason=reason)
            ticket.urgency = urgency
            confirmed = not (actor.is_contact and needs_phone_confirmation(urgency, channel))
            _set_confirmed(session, ticket, confirmed, actor=actor, now=now, reason=reason)
            _reprioritise(session, loaded, actor=actor, now=now, config=config, reason=reason)
    return ticket


def set_impact(
    engine: Engine, *, ticket_id: TicketRef, impact: Impact, actor: Actor, now: datetime,
    config: SupportConfig, reason: str | None = None,
) -> Ticket:
    """Support sets the impact; priority is recomputed."""
    _support_only(actor, "set the impact")
    with transaction(engine) as session:
        loaded = load_ticket(session, ticket_id, actor=actor)
        ticket = loaded.ticket
        _not_final(ticket)
        if impact is not ticket.impact:
            record(session, ticket, actor=actor, now=now, field="impact", old=ticket.impact,
                   new=impact, reason=reason)
            ticket.impact = impact
            _reprioritise(session, loaded, actor=actor, now=now, config=config, reason=reason)
    return ticket


def set_priority_factors(
    engine: Engine, *, ticket_id: TicketRef, actor: Actor, now: datetime, config: SupportConfig,
    reason: str, urgency: Urgency | None = None, impact: Impact | None = None,
) -> Ticket:
    """Support re-prioritises: urgency and/or impact in one go (an engineer's urgency is
    taken as confirmed); the priority is recomputed once and every change recorded."""
    _support_only(actor, "re-prioritise a ticket")
    with transaction(engine) as session:
        loaded = load_for(session, ticket_id, actor=actor, rule=staffing.check_reprioritiser)
        ticket = loaded.ticket
        _not_final(ticket)
        if urgency is not None and urgency is not ticket.urgency:
            record(session, ticket, actor=actor, now=now, field="urgency", old=ticket.urgency,
                   new=urgency, reason=reason)
            ticket.urgency = urgency
            _set_confirmed(session, ticket, True, actor=actor, now=now, reason=reason)
        if impact is not None and impact is not ticket.impact:
            record(session, ticket, actor=actor, now=now, field="impact", old=ticket.impact,
                   new=impact, reason=reason)
            ticket.impact = impact
        _reprioritise(session, loaded, actor=actor, now=now, config=config, reason=reason)
    return ticket


def confirm_urgency(
    engine: Engine, *, ticket_id: TicketRef, actor: Actor, now: datetime,
    comment: str | None = None,
) -> Ticket:
    """An engineer confirmed the high urgency by phone."""
    _support_only(actor, "confirm urgency")
    with transaction(engine) as session:
        ticket = load_for(session, ticket_id, actor=actor,
                          rule=staffing.check_reprioritiser).ticket
        _not_final(ticket)
        _set_confirmed(session, ticket, True, actor=actor, now=now,
                       reason=comment or "confirmed by phone")
    return ticket


def _reprioritise(
    session: Session, loaded: Loaded, *, actor: Actor, now: datetime, config: SupportConfig,
    reason: str | None,
) -> None:
    ticket = loaded.ticket
    change = reprioritise(ticket.priority, ticket.urgency, ticket.impact, config.matrix)
    if change is not None:
        record(session, ticket, actor=actor, now=now, field="priority", old=change.old,
               new=change.new, reason=reason or f"urgency {change.urgency.value},"
               f" impact {change.impact.value}")
        ticket.priority = change.new
        _retarget(loaded, config)
    ticket.updated_at = now
    session.add(ticket)


def _retarget(loaded: Loaded, config: SupportConfig) -> None:
    """Same elapsed time, targets of the (new) priority or type."""
    ticket, org = loaded.ticket, loaded.org
    policy = config.policy(org.sla_level)
    clocks = clocks_of(ticket, policy=policy, org=org)
    store_clocks(ticket, clocks)


def _set_confirmed(
    session: Session, ticket: Ticket, confirmed: bool, *, actor: Actor, now: datetime,
    reason: str | None,
) -> None:
    if ticket.urgency_confirmed is not confirmed:
        record(session, ticket, actor=actor, now=now, field="urgency_confirmed",
               old=ticket.urgency_confirmed, new=confirmed, reason=reason)
        ticket.urgency_confirmed = confirmed
        ticket.updated_at = now
        session.add(ticket)


def _support_only(actor: Actor, what: str) -> None:
    if actor.role is not ActorRole.ENGINEER:
        raise ActorNotAllowed(f"only support engineers {what}", field="actor_role")


def _not_final(ticket: Ticket) -> None:
    if ticket.status in FINAL:
        raise TransitionNotAllowed("a closed ticket is final; further work needs a new ticket",
                                   code="closed_is_final", field="status")
