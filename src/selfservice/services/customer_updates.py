"""The contact's e-mail about changes to their ticket, coalesced: no noise.

A change (a status change the contact is told about, a public comment by support) is
written into the outbox in the use case's transaction, under the ticket's lock. The mail
waits ``config.mail.coalesce`` (default 2 minutes) before it goes out; a later change
within that window is folded into the same row (its text rendered again from everything
collected in ``payload``), so the contact receives one mail naming the latest status,
with every comment of the window. A row whose window has passed, or that the worker has
taken, is left alone: the next change starts a new mail.
"""

from datetime import datetime
from typing import Any, Final

from sqlalchemy import select, update
from sqlmodel import Session, col

from selfservice.db.models import Contact, Organisation, OutboxMessage, OutboxStatus, Ticket
from selfservice.delivery import customer_mail
from selfservice.delivery.customer_mail import Changes, MailContent, Note, TicketFacts
from selfservice.delivery.notify import header_text
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ClosureCode, Status
from selfservice.services import outbox, telegram_notices
from selfservice.services.common import Loaded
from selfservice.services.outbox import OUTBOX

KIND: Final = "ticket_update"
#: The note kind of a comment that comes with a move to a status.
_NOTE_KIND: Final = {Status.INFORMATION_NEEDED: "question", Status.COMPLETED: "resolution"}


def facts_of(
    ticket: Ticket, contact: Contact, org: Organisation, config: SupportConfig
) -> TicketFacts:
    return TicketFacts(
        number=ticket.number, title=ticket.subject, name=contact.name,
        language=contact.language, status=ticket.status, due=ticket.resolution_due,
        time_zone=org.time_zone,
        link=customer_mail.portal_link(org.portal_url or config.mail.portal_url,
                                       ticket.number),
    )


def thread_of(session: Session, ticket_id: int | None) -> str | None:
    """The Message-ID of the ticket's first mail: the one every later mail follows."""
    query = (select(OUTBOX.c.message_id).where(OUTBOX.c.ticket_id == ticket_id)
             .order_by(OUTBOX.c.id).limit(1))
    return session.execute(query).scalar_one_or_none()


def mail_change(
    session: Session, loaded: Loaded, *, now: datetime, config: SupportConfig,
    old: Status | None = None, comment: str | None = None,
    closure_code: ClosureCode | None = None, by_contact: bool = False,
) -> None:
    """Tell the contact about a change of the (locked) ticket, as it is now: ``old`` is the
    status before a status change (``None``: a comment alone), ``comment`` a public one;
    ``by_contact``: the contact made the change (their chat has its answer already)."""
    ticket, contact = loaded.ticket, loaded.contact
    # The contact's own doing (an answer, a confirmation) is acknowledged in their chat
    # already; Telegram repeats only what support did.
    if not by_contact and telegram_notices.notify(session, loaded, now=now, old=old,
                                                  comment=comment):
        return  # the contact follows their tickets in Telegram only
    status = ticket.status
    notes = [{"kind": _NOTE_KIND.get(status, "comment") if old is not None else "comment",
              "text": comment}] if comment else []
    change: dict[str, Any] = {
        "from_status": old.value if old is not None and old is not status else None,
        "notes": notes, "closure_code": closure_code.value if closure_code else None,
    }
    key = f"ticket:{ticket.id}:contact:{contact.id}"
    facts = facts_of(ticket, contact, loaded.org, config)
    waiting = session.execute(
        select(OUTBOX.c.id, OUTBOX.c.payload)
        .where(OUTBOX.c.coalesce_key == key, OUTBOX.c.status == OutboxStatus.PENDING,
               OUTBOX.c.attempts == 0, OUTBOX.c.next_attempt_at > now)
        .order_by(OUTBOX.c.id.desc()).limit(1)
    ).first()
    if waiting is not None:
        payload = _merged(waiting.payload or {}, change)
        content = _content(facts, payload)
        folded = session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == waiting.id,
                   col(OutboxMessage.status) == OutboxStatus.PENDING,
                   col(OutboxMessage.attempts) == 0)
            .values(subject=header_text(content.subject), body=content.text,
                    html_body=content.html, payload=payload)
        )
        if folded.rowcount == 1:  # type: ignore[attr-defined]
            return
    content = _content(facts, change)
    outbox.enqueue(session, to=contact.email, subject=content.subject, body=content.text,
                   html=content.html, language=contact.language, kind=KIND, now=now,
                   ticket_id=ticket.id, not_before=now + config.mail.coalesce,
                   coalesce_key=key, payload=change, thread_id=thread_of(session, ticket.id))


def _merged(earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    """The status before the first change, every note, the latest closure code."""
    return {
        "from_status": earlier.get("from_status") or later["from_status"],
        "notes": list(earlier.get("notes", [])) + later["notes"],
        "closure_code": later["closure_code"] or earlier.get("closure_code"),
    }


def _content(facts: TicketFacts, payload: dict[str, Any]) -> MailContent:
    old = payload.get("from_status")
    closure = payload.get("closure_code")
    changes = Changes(
        from_status=Status(old) if old else None,
        notes=tuple(Note(n["kind"], n["text"]) for n in payload.get("notes", [])),
        closure_code=ClosureCode(closure) if closure else None,
    )
    return customer_mail.update(facts, changes)
