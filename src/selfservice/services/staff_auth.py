"""Staff sign-in for the console: passwords (argon2), lockout, server-side sessions.

A session is a random token in an HttpOnly cookie; the table keeps only its sha256, so a
copy of the database signs nobody in. Each session carries its own CSRF token (checked on
every form post) and the language chosen with the console's switch. Disabling an engineer
deletes their sessions and stops their API token (``admin.engineer_by_token`` reads only
active engineers). The backoff numbers are the domain's (``domain.lockout``).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from selfservice.db.models import Engineer, Role, StaffSession
from selfservice.db.session import transaction
from selfservice.domain import lockout
from selfservice.domain.errors import DomainError
from selfservice.services.admin import hash_token
from selfservice.services.errors import NotFound

#: A session lasts a 12-hour shift and a margin, then the engineer signs in again.
SESSION_LIFETIME = timedelta(hours=14)
MIN_PASSWORD = 10
MAX_PASSWORD = 200
_HASHER = PasswordHash((Argon2Hasher(),))
#: Verified against when the e-mail is unknown, so both answers take as long.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


@dataclass(frozen=True)
class ConsoleUser:
    """The engineer behind a console session."""

    engineer_id: int
    name: str
    email: str
    role: Role
    group_id: str | None
    csrf_token: str
    lang: str
    session_id: int


@dataclass(frozen=True)
class SignedIn:
    #: The cookie's value (only its hash is stored).
    token: str
    user: ConsoleUser


def check_password_rules(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise DomainError(
            f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters",
            code="password_length", field="password",
        )


def set_password(engine: Engine, *, email: str, password: str) -> Engineer:
    """Give the engineer a console password (and lift a lockout)."""
    check_password_rules(password)
    hashed = _HASHER.hash(password)
    with transaction(engine) as session:
        engineer = _by_email(session, email)
        engineer.password_hash = hashed
        engineer.failed_logins, engineer.locked_until = 0, None
        session.add(engineer)
    return engineer


def sign_in(
    engine: Engine, *, email: str, password: str, now: datetime, lang: str = ""
) -> SignedIn | None:
    """A new session when the e-mail and password match an active engineer who is not
    locked out; else None (and one more failure counted against a known e-mail)."""
    with transaction(engine) as session:
        query = select(Engineer).where(Engineer.email == email.strip().lower()).with_for_update()
        engineer = session.exec(query).first()
        usable = engineer is not None and engineer.active and engineer.password_hash
        hashed = engineer.password_hash if usable and engineer is not None else None
        right = _HASHER.verify(password[:MAX_PASSWORD], hashed or _DUMMY_HASH)
        if engineer is None or engineer.id is None:
            return None
        if not right or hashed is None or lockout.is_locked(engineer.locked_until, now):
            engineer.failed_logins += 1
            lock = lockout.lock_for(engineer.failed_logins)
            if lock:
                engineer.locked_until = max(now + lock, engineer.locked_until or now)
            session.add(engineer)
            return None
        engineer.failed_logins, engineer.locked_until = 0, None
        session.add(engineer)
        token = secrets.token_urlsafe(32)
        row = StaffSession(
            token_hash=hash_token(token), engineer_id=engineer.id,
            csrf_token=secrets.token_urlsafe(24), lang=lang, created_at=now, last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
        session.add(row)
        session.flush()
        return SignedIn(token, _user(engineer, row))


def session_user(engine: Engine, *, token: str, now: datetime) -> ConsoleUser | None:
    """The engineer of a live session of an active engineer, else None."""
    if not token or len(token) > 100:
        return None
    with transaction(engine, write=False) as session:
        query = select(StaffSession, Engineer).join(
            Engineer, col(Engineer.id) == col(StaffSession.engineer_id)
        ).where(StaffSession.token_hash == hash_token(token))
        found = session.exec(query).first()
        if found is None:
            return None
        row, engineer = found
        if not engineer.active or row.expires_at <= now:
            return None
        return _user(engineer, row)


def set_language(engine: Engine, *, session_id: int, lang: str) -> None:
    with transaction(engine) as session:
        row = session.get(StaffSession, session_id)
        if row is not None:
            row.lang = lang
            session.add(row)


def sign_out(engine: Engine, *, session_id: int) -> None:
    with transaction(engine) as session:
        session.execute(delete(StaffSession).where(col(StaffSession.id) == session_id))


def sign_out_everywhere(engine: Engine, *, engineer_id: int) -> int:
    """End every session of the engineer; how many were ended."""
    with transaction(engine) as session:
        ended = session.execute(
            delete(StaffSession).where(col(StaffSession.engineer_id) == engineer_id)
        )
        return int(getattr(ended, "rowcount", 0) or 0)


def disable_engineer(engine: Engine, *, email: str) -> Engineer:
    """No more sign-in, sessions or API token for this engineer."""
    with transaction(engine) as session:
        engineer = _by_email(session, email)
        engineer.active = False
        session.add(engineer)
        session.execute(
            delete(StaffSession).where(col(StaffSession.engineer_id) == engineer.id)
        )
    return engineer


def engineers(engine: Engine) -> list[Engineer]:
    with transaction(engine, write=False) as session:
        query = select(Engineer).order_by(col(Engineer.role), col(Engineer.email))
        return list(session.exec(query))


def _by_email(session: Session, email: str) -> Engineer:
    query = select(Engineer).where(Engineer.email == email.strip().lower())
    engineer = session.exec(query.with_for_update()).first()
    if engineer is None:
        raise NotFound(f"no engineer {email}", field="email")
    return engineer


def _user(engineer: Engineer, row: StaffSession) -> ConsoleUser:
    assert engineer.id is not None and row.id is not None
    return ConsoleUser(
        engineer_id=engineer.id, name=engineer.name, email=engineer.email, role=engineer.role,
        group_id=engineer.group_id, csrf_token=row.csrf_token, lang=row.lang, session_id=row.id,
    )
