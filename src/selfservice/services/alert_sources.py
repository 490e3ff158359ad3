"""Monitoring systems allowed to post alerts: each has its own bearer token and files on
behalf of one organisation.

Who files an alert's ticket: the source's contact. Give ``contact_email`` (an authorised
contact of the organisation, e.g. its on-call address: they get the registration and
status e-mails). Without one, the organisation's system contact
``monitoring@alerts.invalid`` is used (created on first use): an authorised contact whose
e-mails are recorded in the outbox but never sent (``.invalid`` never resolves) and who
can never write to us (the e-mail intake ignores ``.invalid`` senders).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from selfservice.db.models import AlertSourceRow, Contact, Organisation
from selfservice.db.session import transaction
from selfservice.domain.enums import Language
from selfservice.domain.errors import DomainError
from selfservice.services.admin import hash_token
from selfservice.services.errors import Conflict, Forbidden, NotFound

KINDS = ("alertmanager", "zabbix")
TOKEN_PREFIX = "ssa_"
SYSTEM_CONTACT_EMAIL = "monitoring@alerts.invalid"


@dataclass(frozen=True)
class SourceInfo:
    id: int
    name: str
    kind: str
    org_id: str
    contact_id: int
    contact_email: str
    active: bool = True


@dataclass(frozen=True)
class NewSource:
    source: SourceInfo
    #: The plaintext bearer token: shown once, only its sha256 is stored.
    token: str


def add_source(
    engine: Engine, *, name: str, kind: str, org_id: str, now: datetime,
    contact_email: str | None = None,
) -> NewSource:
    """Register a monitoring system and issue its token."""
    if kind not in KINDS:
        raise DomainError(f"kind must be one of {', '.join(KINDS)}", field="kind")
    name = name.strip()
    if not name or len(name) > 64:
        raise DomainError("the name must be 1 to 64 characters", field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction(engine) as session:
            if session.get(Organisation, org_id) is None:
                raise NotFound(f"no organisation {org_id!r}", field="org")
            if session.exec(select(AlertSourceRow).where(AlertSourceRow.name == name)).first():
                raise Conflict(f"alert source {name!r} exists", field="name")
            email = (contact_email or SYSTEM_CONTACT_EMAIL).strip().lower()
            contact = session.exec(
                select(Contact).where(Contact.org_id == org_id, Contact.email == email)
            ).first()
            if contact is None and contact_email is not None:
                raise NotFound(f"{email} is not a contact of {org_id}", field="contact")
            if contact is None:
                contact = Contact(org_id=org_id, email=email, name="Monitoring",
                                  language=Language.EN, authorised=True, created_at=now)
                session.add(contact)
                session.flush()
            if not contact.authorised:
                raise Forbidden(f"{email} is not authorised to file tickets", field="contact")
            row = AlertSourceRow(name=name, kind=kind, org_id=org_id, contact_id=contact.id or 0,
                                 token_hash=hash_token(token), created_at=now)
            session.add(row)
            session.flush()
            info = _info(row, contact.email)
    except IntegrityError as exc:
        raise Conflict(f"alert source {name!r} exists", field="name") from exc
    return NewSource(info, token)


def authenticate(engine: Engine, *, token: str) -> SourceInfo | None:
    """The active source whose token this is (compared by hash), else None."""
    query = (
        select(AlertSourceRow, Contact.email)
        .join(Contact, col(Contact.id) == col(AlertSourceRow.contact_id))
        .where(AlertSourceRow.token_hash == hash_token(token),
               col(AlertSourceRow.active).is_(True))
    )
    with transaction(engine, write=False) as session:
        found = session.exec(query).first()
        return _info(found[0], found[1]) if found is not None else None


def list_sources(engine: Engine) -> list[SourceInfo]:
    query = (
        select(AlertSourceRow, Contact.email)
        .join(Contact, col(Contact.id) == col(AlertSourceRow.contact_id))
        .order_by(col(AlertSourceRow.name))
    )
    with transaction(engine, write=False) as session:
        return [_info(row, email) for row, email in session.exec(query)]


def set_active(engine: Engine, *, name: str, active: bool) -> SourceInfo:
    """Disable (or enable again) a source: a disabled source's token is refused."""
    with transaction(engine) as session:
        row = session.exec(
            select(AlertSourceRow).where(AlertSourceRow.name == name).with_for_update()
        ).first()
        if row is None:
            raise NotFound(f"no alert source {name!r}", field="name")
        row.active = active
        session.add(row)
        contact = session.get(Contact, row.contact_id)
        return _info(row, contact.email if contact is not None else "")


def _info(row: AlertSourceRow, contact_email: str) -> SourceInfo:
    return SourceInfo(row.id or 0, row.name, row.kind, row.org_id, row.contact_id,
                      contact_email, row.active)
