"""One Telegram update, handled: who wrote, then a conversation turn, a form answer, a
command or a reply to a ticket's message.

Every path ends in one transaction that marks the update processed together with what it
did and the messages to send (``telegram_store.settle``): a conversation turn through the
turn's ``on_stored`` hook, a filed ticket through the registration's ``on_registered``.
Replaying an update that was processed changes nothing (``AlreadyProcessed``).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session
from telegram import CallbackQuery, Update
from telegram import Message as TgMessage

from selfservice.bot import files, follow_up, forms, render
from selfservice.bot.context import (
    BotContext,
    Who,
    answer,
    finish,
    reason,
    send,
    set_conversation,
    set_pending,
)
from selfservice.bot.texts import message, say
from selfservice.conversation.engine import Action, ConversationError, Input, Message
from selfservice.conversation.texts import say as chat_say
from selfservice.db.models import Organisation, Ticket
from selfservice.domain.enums import Channel, Language, Urgency
from selfservice.domain.errors import DomainError
from selfservice.services import conversations, portal, telegram_accounts, telegram_store
from selfservice.services.errors import InvalidSubmission
from selfservice.services.telegram_accounts import Linked
from selfservice.services.telegram_store import Outgoing
from selfservice.text.catalogue import text


def handle(ctx: BotContext, update_id: int, payload: dict[str, Any]) -> None:
    """Handle one stored update (raises on unexpected errors: the pump retries it)."""
    update = Update.de_json(payload, None)
    now = ctx.clock()
    source: TgMessage | None = update.message
    query = update.callback_query
    if query is not None and isinstance(query.message, TgMessage):
        source = query.message
    user = query.from_user if query is not None else (source.from_user if source else None)
    if source is None or user is None:  # edited messages, channel posts: nothing to say
        finish(ctx, update_id, [], now)
        return
    lang = "ru" if (user.language_code or "").lower().startswith("ru") else "en"
    who = Who(update_id, source.chat.id, user.id, lang, source.chat.type in ("group",
              "supergroup"), None)
    body = (update.message.text or "").strip() if update.message is not None else ""
    command, _, argument = body[1:].partition(" ") if body.startswith("/") else ("", "", "")
    command = command.split("@")[0].lower()
    if command in ("start", "link") and argument.strip():
        _link(ctx, who, argument.strip(), now)
        return
    contact = _linked(ctx, who.user_id)
    if contact is None:
        calls = [send(who, say("not_linked", lang))]
        if query is not None:
            calls.insert(0, answer(query))
        finish(ctx, update_id, calls, now)
        return
    who = Who(update_id, who.chat_id, who.user_id, contact.language.value, who.group, contact)
    if query is not None:
        _on_button(ctx, who, query, now)
    elif update.message is not None:
        _on_message(ctx, who, update.message, command, argument.strip(), now)


# --- who ---------------------------------------------------------------------------------------


def _linked(ctx: BotContext, user_id: int) -> Linked | None:
    return telegram_accounts.linked_user(ctx.engine, user_id=user_id)


def _link(ctx: BotContext, who: Who, code: str, now: datetime) -> None:
    if who.group:  # ticket updates go to the linked chat: never to a whole group
        finish(ctx, who.update_id, [send(who, say("link_private", who.lang))], now)
        return

    def work(session: Session) -> list[Outgoing]:
        linked = telegram_accounts.redeem_code(session, code=code, user_id=who.user_id,
                                               chat_id=who.chat_id, now=now)
        if linked is None:
            return [send(who, say("bad_code", who.lang))]
        return [send(who, say("linked", linked.language.value, name=linked.name))]

    finish(ctx, who.update_id, [], now, work)


def _in_group_of_other_org(ctx: BotContext, who: Who, now: datetime,
                           ack: Sequence[Outgoing] = ()) -> bool:
    """A group chat serves one organisation; another's contact is answered and nothing
    else happens (the answer names no ticket)."""
    if not who.group or who.contact is None:
        return False
    if telegram_accounts.group_serves(ctx.engine, chat_id=who.chat_id,
                                      org_id=who.contact.org_id, now=now):
        return False
    finish(ctx, who.update_id, [*ack, send(who, say("other_org", who.lang))], now)
    return True


# --- messages ----------------------------------------------------------------------------------


def _on_message(ctx: BotContext, who: Who, msg: TgMessage, command: str, argument: str,
                now: datetime) -> None:
    if _in_group_of_other_org(ctx, who, now):
        return
    if command:
        _command(ctx, who, command, argument, now)
        return
    item = files.incoming(msg) if ctx.attachments and ctx.fetch else None
    if item is not None:
        _on_file(ctx, who, msg, item, now)
        return
    if not (msg.text or "").strip():
        finish(ctx, who.update_id, [send(who, say("only_text", who.lang))], now)
        return
    text_in = (msg.text or "").strip()
    reply_to = msg.reply_to_message
    if reply_to is not None:
        number = follow_up.ticket_of_reply(ctx, who.chat_id, reply_to.message_id)
        if number is not None:
            follow_up.comment(ctx, who, number, text_in, now)
            return
    chat = telegram_accounts.read_chat(ctx.engine, chat_id=who.chat_id, user_id=who.user_id)
    pending = chat.pending if chat is not None else None
    if pending and pending.get("stage") == "reject_reason":
        follow_up.reject(ctx, who, str(pending["ticket"]), text_in, now)
    elif pending and pending.get("stage") == "field":
        form = ctx.content.forms.get(str(pending.get("form")))
        if form is None:
            set_pending(ctx, who, None, [], now)
            return
        progress, problem = forms.answer(pending, form, text_in, who.lang)
        _form_step(ctx, who, progress, problem, now)
    else:
        _turn(ctx, who, Input(text=text_in), now,
              chat.conversation_id if chat is not None else None)


def _on_file(ctx: BotContext, who: Who, msg: TgMessage, item: files.Incoming,
             now: datetime) -> None:
    """A file goes to the ticket whose message it replies to, or to the form being asked
    (its summary included); anywhere else there is nothing to attach it to."""
    reply_to = msg.reply_to_message
    if reply_to is not None:
        number = follow_up.ticket_of_reply(ctx, who.chat_id, reply_to.message_id)
        if number is not None:
            files.add_to_ticket(ctx, who, msg, item, number, now)
            return
    chat = telegram_accounts.read_chat(ctx.engine, chat_id=who.chat_id, user_id=who.user_id)
    pending = chat.pending if chat is not None else None
    form = (ctx.content.forms.get(str(pending.get("form")))
            if pending and pending.get("stage") in ("field", "urgency", "confirm") else None)
    if pending is None or form is None:
        finish(ctx, who.update_id, [send(who, say("file_no_place", who.lang))], now)
        return
    files.add_to_form(ctx, who, msg, item, pending, form, now)


def _command(ctx: BotContext, who: Who, command: str, argument: str, now: datetime) -> None:
    assert who.contact is not None
    if command == "stop":
        def unlink(session: Session) -> list[Outgoing]:
            telegram_accounts.unlink(session, user_id=who.user_id)
            return [send(who, say("unlinked", who.lang))]

        finish(ctx, who.update_id, [], now, unlink)
    elif command == "tickets":
        finish(ctx, who.update_id, [send(who, follow_up.tickets(ctx, who.contact.contact_id,
                                                         who.lang))], now)
    elif command == "cancel":
        chat = telegram_accounts.read_chat(ctx.engine, chat_id=who.chat_id,
                                           user_id=who.user_id)
        if chat is not None and chat.conversation_id is not None:
            # Leaving is an outcome too (abandoned), as the widget's "close".
            _turn(ctx, who, Input(action=Action.ABANDON), now, chat.conversation_id)
        else:
            set_pending(ctx, who, None, [send(who, say("form_cancelled", who.lang))], now)
    elif command == "notify" and argument in telegram_accounts.NOTIFY_CHOICES:
        def choose(session: Session) -> list[Outgoing]:
            telegram_accounts.set_notify(session, user_id=who.user_id, notify=argument)
            return [send(who, say("notify_set", who.lang, where=argument))]

        finish(ctx, who.update_id, [], now, choose)
    else:  # /start, /help and anything unknown
        finish(ctx, who.update_id, [send(who, say("help", who.lang))], now)


# --- buttons -----------------------------------------------------------------------------------


def _on_button(ctx: BotContext, who: Who, query: CallbackQuery, now: datetime) -> None:
    if _in_group_of_other_org(ctx, who, now, [answer(query)]):
        return
    data = query.data or ""
    kind, _, value = data.partition(":")
    chat = telegram_accounts.read_chat(ctx.engine, chat_id=who.chat_id, user_id=who.user_id)
    conversation_id = chat.conversation_id if chat is not None else None
    pending = chat.pending if chat is not None else None
    ack = [answer(query), *_pressed(query, who.lang)]
    if kind == "o":
        _turn(ctx, who, Input(action=Action.OPEN_ARTICLE, article=value), now,
              conversation_id, ack)
    elif kind == "a" and value in {a.value for a in Action}:
        _turn(ctx, who, Input(action=Action(value)), now, conversation_id, ack)
    elif kind == "f":
        _turn(ctx, who, Input(action=Action.CHOOSE_FORM, form=value), now, conversation_id,
              ack)
    elif kind == "c":
        follow_up.confirm(ctx, who, value, now, ack)
    elif kind == "r":
        set_pending(ctx, who, {"stage": "reject_reason", "ticket": value},
                     [*ack, send(who, say("reject_reason", who.lang))], now)
    elif pending and pending.get("form") in ctx.content.forms and kind in "vkdusx":
        _form_button(ctx, who, pending, kind, value, now, ack)
    else:  # a stale button (the conversation or form is over)
        finish(ctx, who.update_id, ack, now)


def _pressed(query: CallbackQuery, lang: str) -> list[Outgoing]:
    """The pressed message keeps its text and loses its buttons (no second press)."""
    msg = query.message
    if not isinstance(msg, TgMessage) or not msg.text:
        return []
    label = next((b.text for row in (msg.reply_markup.inline_keyboard if msg.reply_markup
                                     else ()) for b in row if b.callback_data == query.data), "")
    body = f"{msg.text}\n\n→ {label}" if label else msg.text
    return [Outgoing(msg.chat.id, "editMessageText",
                     {"chat_id": msg.chat.id, "message_id": msg.message_id, "text": body})]


def _form_button(ctx: BotContext, who: Who, pending: dict[str, Any], kind: str, value: str,
                 now: datetime, ack: list[Outgoing]) -> None:
    form = ctx.content.forms[str(pending["form"])]
    problem: str | None = None
    if kind == "x":
        set_pending(ctx, who, None, [*ack, send(who, say("form_cancelled", who.lang))], now)
        return
    if kind == "s" and pending.get("stage") == "confirm":
        _file(ctx, who, pending, now, ack)
        return
    if kind == "v" and value.isdigit():
        pending, problem = forms.choose(pending, form, int(value), who.lang)
    elif kind == "k":
        pending, problem = forms.skip(pending, form, who.lang)
    elif kind == "d":
        pending, problem = forms.done(pending, form, who.lang)
    elif kind == "u":
        pending = forms.set_urgency(pending, form, value)
    _form_step(ctx, who, pending, problem, now, ack)


def _form_step(ctx: BotContext, who: Who, pending: dict[str, Any], problem: str | None,
               now: datetime, ack: Sequence[Outgoing] = ()) -> None:
    form = ctx.content.forms[str(pending["form"])]
    prompt, keyboard = forms.question(pending, form, who.lang)
    calls = [*ack]
    if problem:
        calls.append(send(who, problem))
    calls.append(Outgoing(who.chat_id, "sendMessage", message(who.chat_id, prompt, keyboard)))
    set_pending(ctx, who, pending, calls, now)


# --- the conversation and filing ---------------------------------------------------------------


def _turn(ctx: BotContext, who: Who, event: Input, now: datetime,
          conversation_id: str | None, ack: Sequence[Outgoing] = ()) -> None:
    """One turn of the widget's conversation; a new one when there is none open."""
    assert who.contact is not None
    contact = who.contact

    def stored(session: Session, stored_id: str, replies: list[Message]) -> None:
        calls = [*ack, *_replies(ctx, who, replies, session, stored_id, now)]
        telegram_store.settle(session, update_id=who.update_id, now=now)
        telegram_store.enqueue(session, calls, now=now)

    try:
        if conversation_id is None:
            if event.text is None:  # a button of a conversation that is over
                finish(ctx, who.update_id, list(ack), now)
                return
            started = conversations.start_conversation(
                ctx.engine, lang=Language(who.lang), now=now, org_id=contact.org_id,
                contact_id=contact.contact_id, channel=Channel.TELEGRAM.value)
            conversation_id = started.conversation_id
        conversations.continue_conversation(
            ctx.engine, conversation_id=conversation_id, event=event, content=ctx.content,
            search=ctx.search, now=now, contact_id=contact.contact_id, on_stored=stored)
    except telegram_store.AlreadyProcessed:
        return
    except ConversationError as error:
        if error.code == "conversation_closed" and event.text is not None:
            set_conversation(ctx, who, None, now)
            _turn(ctx, who, event, now, None, ack)
            return
        finish(ctx, who.update_id, [*ack, send(who, reason(error, who.lang))], now)
    except DomainError as error:
        finish(ctx, who.update_id, [*ack, send(who, reason(error, who.lang))], now)


def _replies(ctx: BotContext, who: Who, replies: list[Message], session: Session,
             conversation_id: str, now: datetime) -> list[Outgoing]:
    """The engine's replies as calls; the chat follows the conversation (a form starts
    being asked; a closed conversation is let go)."""
    chat = telegram_accounts.chat(session, chat_id=who.chat_id, user_id=who.user_id, now=now)
    chat.conversation_id = conversation_id
    chat.updated_at = now
    calls = [Outgoing(who.chat_id, "sendMessage", p)
             for p in render.render(replies, chat_id=who.chat_id, lang=who.lang)]
    for reply in replies:
        if reply.get("type") == "outcome":
            chat.conversation_id, chat.pending = None, None
        form = ctx.content.forms.get(str(reply.get("form"))) if reply.get("type") == "form" \
            else None
        if form is not None:
            chat.pending = forms.begin(form, dict(reply.get("values") or {}))
            prompt, keyboard = forms.question(chat.pending, form, who.lang)
            calls.append(Outgoing(who.chat_id, "sendMessage",
                                  message(who.chat_id, prompt, keyboard)))
    session.add(chat)
    return calls


def _file(ctx: BotContext, who: Who, pending: dict[str, Any], now: datetime,
          ack: list[Outgoing]) -> None:
    assert who.contact is not None
    chat = telegram_accounts.read_chat(ctx.engine, chat_id=who.chat_id, user_id=who.user_id)
    urgency = Urgency(pending["urgency"]) if pending.get("urgency") else None

    def registered(session: Session, ticket: Ticket) -> None:
        calls = [*ack, send(who, chat_say("ticket_filed", who.lang, number=ticket.number))]
        if not ticket.urgency_confirmed:
            org = session.get(Organisation, ticket.org_id)
            phone = org.support_phone if org is not None else None
            calls.append(send(who, chat_say("phone_confirmation", who.lang, phone=phone)
                               if phone else text("api.phone_confirmation_call_support",
                                                  who.lang)))
        row = telegram_accounts.chat(session, chat_id=who.chat_id, user_id=who.user_id,
                                     now=now)
        row.pending, row.conversation_id, row.updated_at = None, None, now
        session.add(row)
        telegram_store.settle(session, update_id=who.update_id, now=now)
        telegram_store.enqueue(session, calls, now=now)

    request = portal.TicketRequest(
        form_id=str(pending["form"]), values=dict(pending["values"]), urgency=urgency,
        conversation_id=chat.conversation_id if chat is not None else None,
        channel=Channel.TELEGRAM,
        attachments=tuple(str(f["token"]) for f in pending.get("files") or ()))
    try:
        portal.file_ticket(ctx.engine, config=ctx.config, content=ctx.content,
                           classifier=ctx.classifier, contact_id=who.contact.contact_id,
                           request=request, now=now, on_registered=registered,
                           limits=ctx.attachments.limits if ctx.attachments else None)
    except telegram_store.AlreadyProcessed:
        return
    except InvalidSubmission as error:
        reasons = "; ".join(e.message.get(who.lang) for e in error.errors)
        finish(ctx, who.update_id, [*ack, send(who, say("failed", who.lang,
                                                          reason=reasons))], now)
    except DomainError as error:
        finish(ctx, who.update_id, [*ack, send(who, reason(error, who.lang))], now)


