"""Administration: organisations (with token secrets), contacts, support groups, engineers."""

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from selfservice.db.models import Contact, Engineer, Organisation, Role, SupportGroup
from selfservice.db.session import transaction
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Language, Line
from selfservice.domain.errors import DomainError
from selfservice.services.errors import Conflict, NotFound

#: After a rotation the previous secret keeps verifying tokens this long by default.
DEFAULT_ROTATION_GRACE = timedelta(days=7)
API_TOKEN_PREFIX = "sse_"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_zone(time_zone: str) -> None:
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(f"unknown time zone {time_zone!r}", code="invalid_time_zone",
                          field="time_zone") from None


def add_organisation(
    engine: Engine, *, id: str, name: str, contract_number: str, now: datetime,
    time_zone: str = "UTC", sla_level: str = "standard", support_phone: str | None = None,
    portal_origins: Sequence[str] = (), portal_url: str | None = None,
) -> Organisation:
    """Register a client organisation; a fresh token secret is generated for it."""
    _check_zone(time_zone)
    org = Organisation(
        id=id, name=name, contract_number=contract_number, time_zone=time_zone,
        sla_level=sla_level, support_phone=support_phone, portal_origins=list(portal_origins),
        portal_url=_checked_portal_url(portal_url), token_secret=new_secret(), created_at=now,
    )
    try:
        with transaction(engine) as session:
            if session.get(Organisation, id) is not None:
                raise Conflict(f"organisation {id!r} exists", field="id")
            session.add(org)
    except IntegrityError as exc:
        raise Conflict(f"organisation {id!r} exists", field="id") from exc
    return org


def _checked_portal_url(url: str | None) -> str | None:
    url = (url or "").strip() or None
    if url is not None and (not url.startswith(("https://", "http://")) or len(url) > 500
                            or any(c.isspace() for c in url)):
        raise DomainError("the portal URL must be an http(s) URL of at most 500 characters",
                          code="invalid_portal_url", field="portal_url")
    return url


def set_portal_url(engine: Engine, *, org_id: str, portal_url: str | None) -> Organisation:
    """Where the organisation's contacts see a ticket (``{number}``: the ticket number);
    ``None`` or empty: the configured fallback (``mail.portal_url``)."""
    with transaction(engine) as session:
        org = _get_org(session, org_id, lock=True)
        org.portal_url = _checked_portal_url(portal_url)
        session.add(org)
    return org


def set_locations(engine: Engine, *, org_id: str, locations: list[str]) -> Organisation:
    """Where the organisation's resources live (zones, regions, clusters): a known problem
    naming one of them affects the organisation. Replaces the list."""
    clean = list(dict.fromkeys(loc.strip() for loc in locations if loc.strip()))
    if any(len(loc) > 64 for loc in clean):
        raise DomainError("a location is at most 64 characters", code="invalid_location",
                          field="locations")
    with transaction(engine) as session:
        org = _get_org(session, org_id, lock=True)
        org.locations = clean
        session.add(org)
    return org


def rotate_org_secret(
    engine: Engine, *, org_id: str, now: datetime, grace: timedelta = DEFAULT_ROTATION_GRACE
) -> Organisation:
    """New current secret; the old one stays valid until ``now + grace``."""
    with transaction(engine) as session:
        org = _get_org(session, org_id, lock=True)
        org.previous_token_secret = org.token_secret
        org.previous_secret_valid_until = now + grace
        org.token_secret = new_secret()
        session.add(org)
    return org


def valid_secrets(org: Organisation, *, now: datetime) -> list[str]:
    """Secrets that verify a token right now: current first, then the previous in grace."""
    found = [org.token_secret]
    until = org.previous_secret_valid_until
    if org.previous_token_secret and until is not None and now < until:
        found.append(org.previous_token_secret)
    return found


def add_contact(
    engine: Engine, *, org_id: str, email: str, name: str, now: datetime,
    language: Language = Language.EN, phone: str | None = None, authorised: bool = True,
) -> Contact:
    """Register a contact person of ``org_id``; the e-mail is unique within the org."""
    contact = Contact(
        org_id=org_id, email=email.strip().lower(), name=name, phone=phone,
        language=language, authorised=authorised, created_at=now,
    )
    try:
        with transaction(engine) as session:
            _get_org(session, org_id)
            duplicate = select(Contact).where(
                Contact.org_id == org_id, Contact.email == contact.email
            )
            if session.exec(duplicate).first() is not None:
                raise Conflict(f"{contact.email} is already a contact of {org_id}", field="email")
            session.add(contact)
    except IntegrityError as exc:
        raise Conflict(f"{contact.email} is already a contact of {org_id}", field="email") from exc
    return contact


def add_support_group(engine: Engine, *, id: str, name: str, line: Line) -> SupportGroup:
    group = SupportGroup(id=id, name=name, line=line)
    try:
        with transaction(engine) as session:
            if session.get(SupportGroup, id) is not None:
                raise Conflict(f"support group {id!r} exists", field="id")
            session.add(group)
    except IntegrityError as exc:
        raise Conflict(f"support group {id!r} exists", field="id") from exc
    return group


@dataclass(frozen=True)
class NewEngineer:
    engineer: Engineer
    #: The plaintext API token: shown once, only its sha256 is stored.
    api_token: str


def add_engineer(
    engine: Engine, *, name: str, email: str, role: Role, now: datetime,
    group_id: str | None = None,
) -> NewEngineer:
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    engineer = Engineer(
        name=name, email=email.strip().lower(), role=role, group_id=group_id,
        api_token_hash=hash_token(token), created_at=now,
    )
    try:
        with transaction(engine) as session:
            if group_id is not None and session.get(SupportGroup, group_id) is None:
                raise NotFound(f"no support group {group_id!r}", field="group_id")
            if session.exec(select(Engineer).where(Engineer.email == engineer.email)).first():
                raise Conflict(f"engineer {engineer.email} exists", field="email")
            session.add(engineer)
    except IntegrityError as exc:
        raise Conflict(f"engineer {engineer.email} exists", field="email") from exc
    return NewEngineer(engineer=engineer, api_token=token)


def engineer_by_token(engine: Engine, *, token: str) -> Engineer | None:
    """The active engineer whose API token this is (compared by hash), else None."""
    with transaction(engine, write=False) as session:
        query = select(Engineer).where(
            Engineer.api_token_hash == hash_token(token), Engineer.active == True  # noqa: E712
        )
        return session.exec(query).first()


def _get_org(session: Session, org_id: str, *, lock: bool = False) -> Organisation:
    org = session.get(Organisation, org_id, with_for_update=lock)
    if org is None:
        raise NotFound(f"no organisation {org_id!r}", field="org_id")
    return org


def sync_support_groups(engine: Engine, *, config: SupportConfig) -> list[SupportGroup]:
    """Mirror the configured groups into the table (insert new, update names/lines).

    Groups that left the configuration stay (tickets and engineers may point at them).
    """
    with transaction(engine) as session:
        rows = []
        for group in config.groups.values():
            row = session.get(SupportGroup, group.id) or SupportGroup(id=group.id, line=group.line,
                                                                      name=group.name_en)
            row.name, row.name_ru, row.line = group.name_en, group.name_ru, group.line
            session.add(row)
            rows.append(row)
    return rows


def organisations(engine: Engine) -> list[tuple[Organisation, int]]:
    """Every organisation with its number of authorised contacts, by id."""
    with transaction(engine, write=False) as session:
        orgs = list(session.exec(select(Organisation).order_by(col(Organisation.id))))
        counts = dict(session.exec(
            select(Contact.org_id, func.count()).where(col(Contact.authorised).is_(True))
            .group_by(col(Contact.org_id))
        ).all())
        return [(org, int(counts.get(org.id, 0))) for org in orgs]


def disable_organisation(engine: Engine, *, org_id: str) -> Organisation:
    """Its portal tokens are refused from now on (within the directory cache's seconds)."""
    with transaction(engine) as session:
        org = _get_org(session, org_id, lock=True)
        org.active = False
        session.add(org)
    return org


def contacts(engine: Engine, *, org_id: str | None = None) -> list[Contact]:
    """Contacts (of one organisation, or all), by organisation and e-mail."""
    query = select(Contact).order_by(col(Contact.org_id), col(Contact.email))
    if org_id is not None:
        query = query.where(Contact.org_id == org_id)
    with transaction(engine, write=False) as session:
        return list(session.exec(query))


#: The most contacts a phone-call search lists.
FOUND_LIMIT = 20


def find_contacts(engine: Engine, *, query: str) -> list[tuple[Contact, Organisation]]:
    """Authorised contacts of active organisations whose name or e-mail, or whose
    organisation's name or contract number, contains ``query`` (any case): who may
    phone in a ticket."""
    words = query.strip().lower()
    if not words:
        return []
    # the caller's % and _ are letters, not wildcards
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    found = (
        select(Contact, Organisation)
        .join(Organisation, col(Organisation.id) == col(Contact.org_id))
        .where(col(Contact.authorised).is_(True), col(Organisation.active).is_(True))
        .where(or_(*(func.lower(column).like(pattern, escape="\\") for column in (
            Contact.name, Contact.email, Organisation.contract_number, Organisation.name))))
        .order_by(col(Organisation.name), col(Contact.name))
        .limit(FOUND_LIMIT)
    )
    with transaction(engine, write=False) as session:
        return [(contact, org) for contact, org in session.exec(found).all()]


def contact_by_id(engine: Engine, *, contact_id: int) -> tuple[Contact, Organisation] | None:
    """An authorised contact of an active organisation, with it; None otherwise."""
    with transaction(engine, write=False) as session:
        row = session.exec(
            select(Contact, Organisation)
            .join(Organisation, col(Organisation.id) == col(Contact.org_id))
            .where(col(Contact.id) == contact_id, col(Contact.authorised).is_(True),
                   col(Organisation.active).is_(True))
        ).first()
        return (row[0], row[1]) if row is not None else None


def disable_contact(engine: Engine, *, org_id: str, email: str) -> Contact:
    """The contact may no longer file or follow tickets (their tokens are refused)."""
    with transaction(engine) as session:
        query = select(Contact).where(Contact.org_id == org_id,
                                      Contact.email == email.strip().lower())
        contact = session.exec(query.with_for_update()).first()
        if contact is None:
            raise NotFound(f"no contact {email} of {org_id}", field="email")
        contact.authorised = False
        session.add(contact)
    return contact
