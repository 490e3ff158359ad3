"""Comments on a ticket: public (the contact sees them) or internal (support only)."""

from datetime import datetime

from sqlalchemy import Engine

from selfservice.db.models import Comment
from selfservice.db.session import transaction
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ActorRole
from selfservice.domain.errors import DomainError, TransitionNotAllowed
from selfservice.domain.workflow import FINAL
from selfservice.services.common import Actor, TicketRef, load_to_work
from selfservice.services.customer_updates import mail_change
from selfservice.services.sla_state import clocks_of, store_clocks


def add_comment(
    engine: Engine, *, ticket_id: TicketRef, actor: Actor, body: str, now: datetime,
    config: SupportConfig, public: bool = True,
) -> Comment:
    """Add a comment. A contact's comment is always public; an engineer comments on tickets
    of their own line (``domain.staffing``); the first public comment by support counts as
    the SLA response (``SlaClocks.respond``). The contact is e-mailed an engineer's
    public comment (``services.customer_updates``: coalesced with other changes)."""
    text = body.strip()
    if not text:
        raise DomainError("a comment needs some text", code="comment_required", field="body")
    public = public or actor.role is ActorRole.CONTACT
    with transaction(engine) as session:
        loaded = load_to_work(session, ticket_id, actor=actor)
        ticket = loaded.ticket
        if ticket.status in FINAL:
            raise TransitionNotAllowed("a closed ticket is final; further work needs a new "
                                       "ticket", code="closed_is_final", field="status")
        comment = Comment(ticket_id=ticket.id or 0, at=now, author_kind=actor.role,
                          author_id=actor.id, public=public, body=text)
        session.add(comment)
        if public and actor.role is ActorRole.ENGINEER and ticket.responded_at is None:
            policy = config.policy(loaded.org.sla_level)
            store_clocks(ticket, clocks_of(ticket, policy=policy, org=loaded.org).respond(now))
        ticket.updated_at = now
        session.add(ticket)
        if public and actor.role is ActorRole.ENGINEER:
            # The contact reads support's public words by mail too (a reply threads back).
            mail_change(session, loaded, now=now, config=config, comment=text)
    return comment
