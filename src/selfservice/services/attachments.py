"""Files from the customer: upload, claim by a new ticket or a reply, list, download.

A contact uploads each file on its own (:func:`upload`): the limits of the settings are
checked (type, size per file; the same :class:`AttachmentLimits` as e-mail), the
optional scanner runs, and the file is stored durably before the answer gives its
token (an upload still not attached a day later goes at the contact's next upload).
Filing a ticket or a reply names the tokens (:func:`claim`, in that use case's
transaction): at most ``max_attachments`` of them, ``max_total_bytes`` together, each
uploaded by the same contact and not claimed yet.

A ticket's attachments (:func:`of_ticket`) are its uploads and its stored e-mail
attachments; their ids are the upload's token, or ``m<id>`` for an e-mail attachment.
Only the ticket's organisation's contacts and engineers get the content; anyone else is
told there is no such ticket (404), never that it exists.
"""

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from selfservice.channels.mail_attachments import AttachmentLimits, type_allowed
from selfservice.config.settings import Settings
from selfservice.db.models import Contact, MailAttachment, Ticket, TicketAttachment
from selfservice.db.session import transaction
from selfservice.domain.errors import DomainError
from selfservice.services import queries
from selfservice.services.attachment_storage import Scanner, Storage, served_type
from selfservice.services.common import Actor
from selfservice.services.errors import Forbidden, NotFound

MAIL_PREFIX = "m"
#: An upload not attached within this time is deleted (at the contact's next upload).
UNATTACHED_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    """What the settings say about attachments: limits, where bytes go, the scanner."""

    limits: AttachmentLimits
    storage: Storage
    scanner: Scanner | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "Policy":
        return cls(settings.attachment_limits(), Storage.from_settings(settings),
                   Scanner.from_settings(settings))

    def as_json(self) -> dict[str, object]:
        """The limits as the widget checks them before uploading."""
        limits = self.limits
        return {
            "max_file_bytes": limits.max_attachment_bytes,
            "max_total_bytes": limits.max_total_bytes,
            "max_count": limits.max_attachments,
            "extensions": list(limits.extensions),
            "content_types": list(limits.content_types),
            "any_type": not limits.types or "*" in limits.types,
        }


@dataclass(frozen=True)
class Listed:
    """One attachment of a ticket, as listed (no content)."""

    id: str
    name: str
    size: int
    content_type: str
    source: str  # upload | email
    comment_id: int | None
    at: datetime


@dataclass(frozen=True)
class Download:
    name: str
    content_type: str
    data: bytes


def megabytes(n: int) -> str:
    """``10`` for 10 MB, ``0.5`` for 512 KB (three significant digits)."""
    return f"{n / (1024 * 1024):.3g}"


def safe_name(filename: str) -> str:
    """The file's own name: no folders, no control characters, at most 255 characters."""
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name)
                   if unicodedata.category(c)[0] != "C").strip().strip(".")
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 254 - len(ext)] + dot + ext) if dot and len(ext) < 16 else name[:255]
    return name or "attachment"


def _refuse(code: str, message: str, field: str = "file", **params: object) -> DomainError:
    return DomainError(message, code=code, field=field, params=params)


def upload(
    engine: Engine, *, policy: Policy, contact_id: int, filename: str, content_type: str,
    data: bytes, now: datetime,
) -> TicketAttachment:
    """Check and store one file for the contact; committed when this returns."""
    name = safe_name(filename)
    limits = policy.limits
    if not data:
        raise _refuse("attachment_empty", "the file is empty", name=name)
    if not type_allowed(name, content_type, limits):
        raise _refuse("attachment_type_not_allowed", f"type of {name!r} not allowed",
                      name=name, types=", ".join(limits.extensions or limits.content_types))
    if len(data) > limits.max_attachment_bytes:
        raise _refuse("attachment_too_large", f"{name!r} is too large", name=name,
                      limit_mb=megabytes(limits.max_attachment_bytes))
    if policy.scanner is not None and not policy.scanner.clean(data):
        raise _refuse("attachment_refused_by_scanner", f"{name!r} refused by the scanner",
                      name=name)
    with transaction(engine, write=False) as session:
        contact = session.get(Contact, contact_id)
        if contact is None or not contact.authorised:
            raise Forbidden("only authorised contacts attach files", field="contact_id")
        org_id = contact.org_id
    token = secrets.token_urlsafe(18)
    stored, stored_as = policy.storage.put(token, data)
    try:
        with transaction(engine) as session:
            row = TicketAttachment(
                token=token, org_id=org_id, contact_id=contact_id, filename=name,
                content_type=(content_type.split(";")[0].strip().lower()
                              or "application/octet-stream")[:127],
                size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=stored,
                stored_as=stored_as, created_at=now,
            )
            session.add(row)
            session.flush()
            stale = _forget_unattached(session, contact_id, now - UNATTACHED_KEPT)
    except BaseException:
        policy.storage.discard(stored_as)
        raise
    for path in stale:
        policy.storage.discard(path)
    return row


def _forget_unattached(session: Session, contact_id: int, before: datetime) -> list[str]:
    """Delete the contact's uploads never attached to anything since ``before``; the
    files to remove once that commits."""
    rows = session.exec(select(TicketAttachment).where(
        TicketAttachment.contact_id == contact_id, col(TicketAttachment.ticket_id).is_(None),
        col(TicketAttachment.created_at) < before)).all()
    for row in rows:
        session.delete(row)
    return [r.stored_as for r in rows if r.stored_as]


def _pending(
    session: Session, tokens: Sequence[str], contact_id: int, limits: AttachmentLimits,
) -> list[TicketAttachment]:
    wanted = list(dict.fromkeys(tokens))
    if len(wanted) > limits.max_attachments:
        raise _refuse("attachments_too_many", "too many attachments", "attachments",
                      max=limits.max_attachments)
    rows = list(session.exec(select(TicketAttachment).where(
        col(TicketAttachment.token).in_(wanted), TicketAttachment.contact_id == contact_id,
        col(TicketAttachment.ticket_id).is_(None))))
    found = {r.token: r for r in rows}
    missing = [t for t in wanted if t not in found]
    if missing:
        raise _refuse("attachment_unknown", f"no pending upload {missing[0]!r}",
                      "attachments", id=missing[0])
    if sum(r.size for r in rows) > limits.max_total_bytes:
        raise _refuse("attachments_too_large", "attachments too large together", "attachments",
                      limit_mb=megabytes(limits.max_total_bytes))
    return [found[t] for t in wanted]


def check_claimable(
    engine: Engine, *, tokens: Sequence[str], contact_id: int, limits: AttachmentLimits,
) -> None:
    """Refuse before anything is written (a reply is not stored without its files)."""
    if tokens:
        with transaction(engine, write=False) as session:
            _pending(session, tokens, contact_id, limits)


def claim(
    session: Session, *, tokens: Sequence[str], contact_id: int, ticket_id: int,
    limits: AttachmentLimits, now: datetime, comment_id: int | None = None,
) -> list[TicketAttachment]:
    """Tie the contact's uploads to the ticket (and the reply), in ``session``'s transaction."""
    if not tokens:
        return []
    rows = _pending(session, tokens, contact_id, limits)
    for row in rows:
        row.ticket_id, row.comment_id, row.claimed_at = ticket_id, comment_id, now
        session.add(row)
    session.flush()
    return rows


def claim_for_reply(
    engine: Engine, *, tokens: Sequence[str], contact_id: int, ticket_id: int,
    comment_id: int | None, limits: AttachmentLimits, now: datetime,
) -> None:
    if tokens:
        with transaction(engine) as session:
            claim(session, tokens=tokens, contact_id=contact_id, ticket_id=ticket_id,
                  comment_id=comment_id, limits=limits, now=now)


def of_ticket(session: Session, ticket_id: int) -> list[Listed]:
    """The ticket's uploads and stored e-mail attachments, oldest first."""
    uploads = session.exec(select(TicketAttachment).where(
        TicketAttachment.ticket_id == ticket_id).order_by(col(TicketAttachment.id))).all()
    mails = session.exec(select(MailAttachment).where(
        MailAttachment.ticket_id == ticket_id, col(MailAttachment.data).is_not(None))
        .order_by(col(MailAttachment.id))).all()
    listed = [Listed(u.token, u.filename, u.size, served_type(u.filename), "upload",
                     u.comment_id, u.claimed_at or u.created_at) for u in uploads]
    listed += [Listed(f"{MAIL_PREFIX}{m.id}", m.filename, m.size, served_type(m.filename),
                      "email", None, m.created_at) for m in mails]
    return sorted(listed, key=lambda item: item.at)


def listing(engine: Engine, *, ticket_id: int) -> list[Listed]:
    with transaction(engine, write=False) as session:
        return of_ticket(session, ticket_id)


def _content(session: Session, storage: Storage, ticket_id: int, attachment_id: str,
             ) -> Download:
    if attachment_id.startswith(MAIL_PREFIX) and attachment_id[1:].isdigit():
        mail = session.get(MailAttachment, int(attachment_id[1:]))
        if mail is not None and mail.ticket_id == ticket_id and mail.data is not None:
            return Download(mail.filename, served_type(mail.filename), mail.data)
    else:
        row = session.exec(select(TicketAttachment).where(
            TicketAttachment.token == attachment_id,
            TicketAttachment.ticket_id == ticket_id)).first()
        if row is not None:
            return Download(row.filename, served_type(row.filename),
                            storage.get(row.data, row.stored_as))
    raise NotFound(f"no attachment {attachment_id}", code="attachment_not_found",
                   field="attachment")


def for_contact(
    engine: Engine, *, number: str, attachment_id: str, contact_id: int, storage: Storage,
) -> Download:
    """An attachment of a ticket of the contact's organisation (else: no such ticket)."""
    query = (select(Ticket.id).join(Contact, col(Contact.org_id) == col(Ticket.org_id))
             .where(Ticket.number == number, Contact.id == contact_id,
                    Contact.authorised == True))  # noqa: E712
    with transaction(engine, write=False) as session:
        ticket_id = session.exec(query).first()
        if ticket_id is None:
            raise NotFound(f"no ticket {number}", code="ticket_not_found", field="number")
        return _content(session, storage, ticket_id, attachment_id)


def for_engineer(
    engine: Engine, *, number: str, attachment_id: str, engineer_id: int, storage: Storage,
) -> Download:
    details = queries.ticket_details(engine, number=number, actor=Actor.engineer(engineer_id))
    with transaction(engine, write=False) as session:
        return _content(session, storage, details.ticket.id or 0, attachment_id)


def discard(engine: Engine, *, policy: Policy, token: str) -> None:
    """Forget an upload not attached to anything: what it was uploaded for did not happen
    (a chat update handled twice, a reply refused), so it must not wait a day to go."""
    with transaction(engine) as session:
        row = session.exec(select(TicketAttachment).where(
            TicketAttachment.token == token, col(TicketAttachment.ticket_id).is_(None))).first()
        if row is None:
            return
        stored_as = row.stored_as
        session.delete(row)
    if stored_as:
        policy.storage.discard(stored_as)
