"""Following tickets from the chat: /tickets, a reply to a ticket's message as a public
comment, confirming or rejecting a completed ticket (the portal's use cases)."""

from datetime import datetime

from selfservice.bot.context import BotContext, Who, finish, reason, send, set_pending
from selfservice.bot.texts import say
from selfservice.db.models import Ticket
from selfservice.domain.errors import DomainError
from selfservice.domain.workflow import FINAL
from selfservice.services import portal, telegram_store
from selfservice.services.telegram_store import Outgoing
from selfservice.text.catalogue import text


def tickets(ctx: BotContext, contact_id: int, lang: str) -> str:
    found = [t for t in portal.org_tickets(ctx.engine, contact_id=contact_id, limit=50)
             if t.status not in FINAL]
    if not found:
        return say("tickets_none", lang)
    lines = [say("tickets_title", lang)]
    for ticket in found[:20]:
        status = text(f"mail.status.{ticket.status.value}", lang)
        lines.append(f"{ticket.number} — {subject(ctx, ticket, lang)} — {status}")
    return "\n".join(lines)


def subject(ctx: BotContext, ticket: Ticket, lang: str) -> str:
    form = ctx.content.forms.get(ticket.form_id or "")
    if form is not None and ticket.subject in {form.title.en, form.title.ru}:
        return form.title.get(lang)
    return ticket.subject


def ticket_of_reply(ctx: BotContext, chat_id: int, message_id: int) -> str | None:
    return telegram_store.ticket_of_message(ctx.engine, chat_id=chat_id, message_id=message_id)


def comment(ctx: BotContext, who: Who, number: str, body: str, now: datetime) -> None:
    assert who.contact is not None
    try:
        portal.comment_as_contact(ctx.engine, number=number, contact_id=who.contact.contact_id,
                                  text=body, now=now, config=ctx.config)
    except DomainError as error:
        finish(ctx, who.update_id, [send(who, reason(error, who.lang))], now)
        return
    finish(ctx, who.update_id, [send(who, say("comment_added", who.lang, number=number))],
            now)


def confirm(ctx: BotContext, who: Who, number: str, now: datetime,
             ack: list[Outgoing]) -> None:
    assert who.contact is not None
    try:
        portal.confirm_completion(ctx.engine, number=number, contact_id=who.contact.contact_id,
                                  now=now, config=ctx.config)
    except DomainError as error:
        finish(ctx, who.update_id, [*ack, send(who, reason(error, who.lang))], now)
        return
    finish(ctx, who.update_id, [*ack, send(who, say("confirmed", who.lang, number=number))],
            now)


def reject(ctx: BotContext, who: Who, number: str, why: str, now: datetime) -> None:
    assert who.contact is not None
    try:
        portal.reject_completion(ctx.engine, number=number, contact_id=who.contact.contact_id,
                                 reason=why, now=now, config=ctx.config)
    except DomainError as error:
        set_pending(ctx, who, None, [send(who, reason(error, who.lang))], now)
        return
    set_pending(ctx, who, None, [send(who, say("rejected", who.lang, number=number))], now)


