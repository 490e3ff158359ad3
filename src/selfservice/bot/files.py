"""Files in the chat, as in the widget: a document or a photo added to the request form
being asked (claimed by the ticket when it is sent), or to a ticket with a public
comment when it replies to the ticket's message.

A file goes through ``attachments.upload`` with the widget's ``Policy`` (type, size,
scanner); the count and total of a form's files are checked as the file comes, so the
customer hears at once, not at "Send". Telegram lets a bot download at most 20 MB
(``getFile`` refuses bigger files), which is said as such.

The download and the upload are slow and outside the update's transaction, so an
update handled already is skipped before them (``telegram_store.processed``), and an
upload whose update turns out to be settled by someone else is discarded: a retried
update stores its file once.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session
from telegram import Message as TgMessage
from telegram.error import BadRequest

from selfservice.bot import forms
from selfservice.bot.context import BotContext, Who, finish, reason, send
from selfservice.bot.texts import message, say
from selfservice.content.model import FieldType, RequestForm
from selfservice.db.models import TicketAttachment
from selfservice.domain.errors import DomainError
from selfservice.services import attachments, portal, telegram_accounts, telegram_store
from selfservice.services.attachment_storage import ScanError
from selfservice.services.attachments import megabytes
from selfservice.services.telegram_store import Outgoing
from selfservice.text.catalogue import text

#: The Bot API's limit on a file a bot downloads (``getFile``).
TELEGRAM_MAX_BYTES = 20 * 1024 * 1024
#: Form fields answered with buttons: a caption does not answer them.
_BUTTONS = {FieldType.CHOICE, FieldType.MULTI_CHOICE, FieldType.BOOLEAN}


@dataclass(frozen=True)
class Incoming:
    """A file of a message, as Telegram describes it (nothing downloaded yet)."""

    file_id: str
    name: str
    size: int | None
    content_type: str


class Refused(Exception):
    """A file not taken; ``text`` says why in the contact's language."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def incoming(msg: TgMessage) -> Incoming | None:
    """The message's document, or its photo in the largest size Telegram made."""
    if msg.document is not None:
        doc = msg.document
        return Incoming(doc.file_id, doc.file_name or f"file_{doc.file_unique_id}",
                        doc.file_size, doc.mime_type or "application/octet-stream")
    if msg.photo:
        photo = max(msg.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        # A photo has no name; Telegram always sends photos as JPEG.
        return Incoming(photo.file_id, f"photo_{photo.file_unique_id}.jpg",
                        photo.file_size, "image/jpeg")
    return None


def size_text(size: int, lang: str) -> str:
    """``812 B``, ``12.5 KB``, ``3.2 MB`` (a decimal comma in Russian)."""
    if size < 1024:
        return say("size.b", lang, n=size)
    value, key = (size / 1024, "size.kb") if size < 1024 * 1024 else (size / 1048576, "size.mb")
    shown = f"{value:.1f}".removesuffix(".0")
    return say(key, lang, n=shown.replace(".", ",") if lang == "ru" else shown)


def _refusal(code: str, lang: str, **params: object) -> Refused:
    return Refused(say("failed", lang, reason=text(f"api.{code}", lang, **params)))


def store(ctx: BotContext, who: Who, item: Incoming, have: Sequence[dict[str, Any]],
          now: datetime) -> TicketAttachment:
    """Download the file and store it as the contact's upload; ``have``: the files taken
    already for the same request (count and total limits). Raises ``Refused``."""
    assert ctx.attachments is not None and ctx.fetch is not None and who.contact is not None
    limits, lang = ctx.attachments.limits, who.lang
    if len(have) >= limits.max_attachments:
        raise _refusal("attachments_too_many", lang, max=limits.max_attachments)
    size = item.size or 0
    # Known sizes are refused before a useless download.
    if size > limits.max_attachment_bytes:
        raise _refusal("attachment_too_large", lang, name=item.name,
                       limit_mb=megabytes(limits.max_attachment_bytes))
    if size > TELEGRAM_MAX_BYTES:
        raise Refused(say("file_too_big_for_telegram", lang, name=item.name,
                          limit_mb=megabytes(TELEGRAM_MAX_BYTES)))
    try:
        data = ctx.fetch(item.file_id)
    except BadRequest as error:  # a size Telegram did not tell in the message
        if "too big" in str(error).lower():
            raise Refused(say("file_too_big_for_telegram", lang, name=item.name,
                              limit_mb=megabytes(TELEGRAM_MAX_BYTES))) from None
        raise
    if sum(int(f["size"]) for f in have) + len(data) > limits.max_total_bytes:
        raise _refusal("attachments_too_large", lang,
                       limit_mb=megabytes(limits.max_total_bytes))
    try:
        return attachments.upload(ctx.engine, policy=ctx.attachments,
                                  contact_id=who.contact.contact_id, filename=item.name,
                                  content_type=item.content_type, data=data, now=now)
    except ScanError:
        raise _refusal("attachment_scan_unavailable", lang) from None
    except DomainError as error:
        raise Refused(reason(error, lang)) from None


def add_to_form(ctx: BotContext, who: Who, msg: TgMessage, item: Incoming,
                pending: dict[str, Any], form: RequestForm, now: datetime) -> None:
    """A file while a form is asked: kept with the form's progress; the caption answers
    the field being asked when that field takes typed text. Then the question again."""
    if telegram_store.processed(ctx.engine, update_id=who.update_id):
        return
    assert ctx.attachments is not None
    have = list(pending.get("files") or [])
    calls: list[Outgoing] = []
    row: TicketAttachment | None = None
    try:
        row = store(ctx, who, item, have, now)
    except Refused as refused:
        calls.append(send(who, refused.text))
    else:
        have.append({"token": row.token, "name": row.filename, "size": row.size})
        pending = {**pending, "files": have}
        calls.append(send(who, say("file_added", who.lang, name=row.filename,
                                   size=size_text(row.size, who.lang))))
    caption = (msg.caption or "").strip()
    field = form.field(pending.get("field") or "") if pending.get("stage") == "field" else None
    if caption and field is not None and field.type not in _BUTTONS:
        pending, problem = forms.answer(pending, form, caption, who.lang)
        if problem:
            calls.append(send(who, problem))
    prompt, keyboard = forms.question(pending, form, who.lang)
    calls.append(Outgoing(who.chat_id, "sendMessage", message(who.chat_id, prompt, keyboard)))

    def keep(session: Session) -> list[Outgoing]:
        chat = telegram_accounts.chat(session, chat_id=who.chat_id, user_id=who.user_id,
                                      now=now)
        chat.pending, chat.updated_at = pending, now
        session.add(chat)
        return []

    try:
        telegram_store.settle_with(ctx.engine, update_id=who.update_id, now=now, calls=calls,
                                   work=keep)
    except telegram_store.AlreadyProcessed:
        # Settled by another pump meanwhile: this upload is nobody's.
        _forget(ctx, row)
    except BaseException:
        _forget(ctx, row)  # the update is retried and downloads the file again
        raise


def _forget(ctx: BotContext, row: TicketAttachment | None) -> None:
    if row is not None and ctx.attachments is not None:
        attachments.discard(ctx.engine, policy=ctx.attachments, token=row.token)


def add_to_ticket(ctx: BotContext, who: Who, msg: TgMessage, item: Incoming, number: str,
                  now: datetime) -> None:
    """A file replying to a ticket's message: a public comment (the caption, or a line
    naming the file: a comment needs a text) with the file attached to it."""
    assert ctx.attachments is not None and who.contact is not None
    if telegram_store.processed(ctx.engine, update_id=who.update_id):
        return
    try:
        row = store(ctx, who, item, (), now)
    except Refused as refused:
        finish(ctx, who.update_id, [send(who, refused.text)], now)
        return
    body = (msg.caption or "").strip() or say("file_comment", who.lang, name=row.filename)
    try:
        portal.comment_as_contact(ctx.engine, number=number,
                                  contact_id=who.contact.contact_id, text=body, now=now,
                                  config=ctx.config, files=(row.token,),
                                  limits=ctx.attachments.limits)
    except DomainError as error:
        _forget(ctx, row)
        finish(ctx, who.update_id, [send(who, reason(error, who.lang))], now)
        return
    finish(ctx, who.update_id, [send(who, say("file_added_to", who.lang, number=number,
                                              name=row.filename,
                                              size=size_text(row.size, who.lang)))], now)
