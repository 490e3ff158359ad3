"""Who is talking to the bot: link codes, linked accounts, chats and group chats.

Only a contact who linked their Telegram account with a code they got while signed in
(the widget, an e-mail, or the operator's ``selfservice telegram link-code``) is known
to the bot; codes are single-use, short-lived and stored only as their SHA-256. A group
chat belongs to the organisation of the first linked contact who used it there.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from selfservice.db.models import (
    Contact,
    TelegramChat,
    TelegramGroup,
    TelegramLink,
    TelegramLinkCode,
)
from selfservice.db.session import transaction
from selfservice.domain.enums import Language
from selfservice.services import outbox
from selfservice.services.errors import Forbidden, NotFound
from selfservice.text.catalogue import text

#: No 0/O, 1/I/L: a code read aloud or typed from an e-mail is not mistaken.
_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH: Final = 8
NOTIFY_CHOICES: Final = ("email", "telegram", "both")


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class Linked:
    """A linked Telegram user, as the dialogue needs it."""

    contact_id: int
    org_id: str
    name: str
    language: Language
    notify: str


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def issue_code(engine: Engine, *, contact_id: int, now: datetime, minutes: int) -> IssuedCode:
    """A new code for an authorised contact (earlier unused codes stay valid until expiry)."""
    code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    expires = now + timedelta(minutes=minutes)
    with transaction(engine) as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise NotFound(f"no contact {contact_id}", field="contact_id")
        if not contact.authorised:
            raise Forbidden("only authorised contact persons may link Telegram",
                            field="contact_id")
        session.add(TelegramLinkCode(code_hash=_hash(code), contact_id=contact_id,
                                     created_at=now, expires_at=expires))
    return IssuedCode(code, expires)


def mail_code(engine: Engine, *, contact_id: int, issued: IssuedCode, bot: str,
              now: datetime) -> None:
    """E-mail the contact their code (through the outbox, like every mail to contacts)."""
    with transaction(engine) as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise NotFound(f"no contact {contact_id}", field="contact_id")
        lang = contact.language.value
        where = f"https://t.me/{bot}?start={issued.code}" if bot else "Telegram"
        outbox.enqueue(
            session, to=contact.email, language=contact.language, kind="telegram_code",
            now=now, subject=text("telegram.code_mail_subject", lang),
            body=text("telegram.code_mail_body", lang, name=contact.name, code=issued.code,
                      link=where, until=f"{issued.expires_at:%Y-%m-%d %H:%M} UTC"))


def redeem_code(session: Session, *, code: str, user_id: int, chat_id: int,
                now: datetime) -> Linked | None:
    """Link ``user_id`` to the code's contact; None when the code is unknown, used or
    expired. A contact has one Telegram account: linking another replaces it."""
    row = session.get(TelegramLinkCode, _hash(code), with_for_update=True)
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    contact = session.get(Contact, row.contact_id)
    if contact is None or not contact.authorised:
        return None
    row.used_at = now
    for old in session.exec(select(TelegramLink).where(
            (col(TelegramLink.contact_id) == contact.id) | (col(TelegramLink.user_id) == user_id))):
        session.delete(old)
    session.flush()
    session.add(TelegramLink(user_id=user_id, contact_id=contact.id or 0, chat_id=chat_id,
                             language=contact.language, linked_at=now))
    return Linked(contact.id or 0, contact.org_id, contact.name, contact.language, "both")


def unlink(session: Session, *, user_id: int) -> bool:
    link = session.get(TelegramLink, user_id)
    if link is None:
        return False
    session.delete(link)
    return True


def linked(session: Session, *, user_id: int) -> Linked | None:
    """The contact behind a Telegram user (still authorised), or None."""
    link = session.get(TelegramLink, user_id)
    if link is None:
        return None
    contact = session.get(Contact, link.contact_id)
    if contact is None or not contact.authorised:
        return None
    return Linked(contact.id or 0, contact.org_id, contact.name, contact.language, link.notify)


def set_notify(session: Session, *, user_id: int, notify: str) -> None:
    if notify not in NOTIFY_CHOICES:
        raise ValueError(notify)
    link = session.get(TelegramLink, user_id)
    if link is not None:
        link.notify = notify


def link_of_contact(session: Session, *, contact_id: int) -> TelegramLink | None:
    return session.exec(select(TelegramLink).where(TelegramLink.contact_id == contact_id)).first()


def chat(session: Session, *, chat_id: int, user_id: int, now: datetime) -> TelegramChat:
    """The chat row of this user in this chat, created on first use."""
    query = select(TelegramChat).where(TelegramChat.chat_id == chat_id,
                                       TelegramChat.user_id == user_id).with_for_update()
    row = session.exec(query).first()
    if row is None:
        row = TelegramChat(chat_id=chat_id, user_id=user_id, updated_at=now)
        session.add(row)
        session.flush()
    return row


def read_chat(engine: Engine, *, chat_id: int, user_id: int) -> TelegramChat | None:
    with transaction(engine, write=False) as session:
        return session.exec(select(TelegramChat).where(
            TelegramChat.chat_id == chat_id, TelegramChat.user_id == user_id)).first()


def group_serves(engine: Engine, *, chat_id: int, org_id: str, now: datetime) -> bool:
    """A group chat serves one organisation: the first linked contact's who used it.
    Another organisation's contact is refused there (their tickets are not for this chat)."""
    try:
        with transaction(engine) as session:
            group = session.get(TelegramGroup, chat_id)
            if group is not None:
                return group.org_id == org_id
            session.add(TelegramGroup(chat_id=chat_id, org_id=org_id, bound_at=now))
        return True
    except IntegrityError:  # bound by a concurrent update of the same group
        with transaction(engine, write=False) as session:
            group = session.get(TelegramGroup, chat_id)
            return group is not None and group.org_id == org_id


def linked_user(engine: Engine, *, user_id: int) -> Linked | None:
    with transaction(engine, write=False) as session:
        return linked(session, user_id=user_id)


def set_conversation(engine: Engine, *, chat_id: int, user_id: int,
                     conversation_id: str | None, now: datetime) -> None:
    with transaction(engine) as session:
        row = chat(session, chat_id=chat_id, user_id=user_id, now=now)
        row.conversation_id, row.updated_at = conversation_id, now
        session.add(row)
