"""The portal token: who a customer contact is, vouched for by their organisation's portal.

A client organisation's portal signs a short-lived JWT for the signed-in contact:

* algorithm HS256, key = the organisation's shared secret (at least 32 bytes);
* ``sub`` = the contact's e-mail, ``org`` = our id of the organisation;
* ``exp`` at most :data:`MAX_TTL` (2 h) ahead; ``iat`` recommended. Longer-lived
  tokens are refused outright, so a leaked token is worth little.

Secrets rotate without downtime: :class:`OrgKeys` holds the current secret and,
until ``previous_valid_until``, the previous one; verification tries both.

Everything here is pure: time comes in as ``now`` and organisation keys and contacts
come from a :class:`Directory` the caller supplies (a dict in tests, the database later).
Each failure raises :class:`TokenError` with its own code (see ``messages.py``).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import jwt
from starlette.requests import HTTPConnection

ALGORITHM = "HS256"
MAX_TTL = timedelta(hours=2)
#: Clock skew tolerated between the portal and us.
LEEWAY = timedelta(seconds=30)
MIN_SECRET_BYTES = 32
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class TokenError(Exception):
    """The token was refused; ``code`` is one of the ``token_*`` message codes."""

    def __init__(self, code: str, detail: str = "", **params: object) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.field: str | None = None
        self.params = params


@dataclass(frozen=True)
class OrgKeys:
    """An organisation's signing secrets; ``previous_secret`` is honoured until the deadline."""

    org_id: str
    current_secret: str
    previous_secret: str | None = None
    previous_valid_until: datetime | None = None

    def __post_init__(self) -> None:
        for secret in (self.current_secret, self.previous_secret):
            if secret is not None:
                check_secret(secret)

    def secrets_at(self, now: datetime) -> list[str]:
        """The secrets that verify tokens at ``now``: current first."""
        secrets = [self.current_secret]
        if (
            self.previous_secret is not None
            and self.previous_valid_until is not None
            and now < self.previous_valid_until
        ):
            secrets.append(self.previous_secret)
        return secrets


@dataclass(frozen=True)
class PortalIdentity:
    """A verified contact person."""

    org_id: str
    email: str
    expires_at: datetime


class Directory(Protocol):
    """Where verification looks up organisations and contacts (the database in phase B)."""

    def org_keys(self, org_id: str) -> OrgKeys | None: ...

    def is_contact(self, org_id: str, email: str) -> bool: ...


@dataclass
class StaticDirectory:
    """A :class:`Directory` over plain dicts, for tests and local trials."""

    keys: Mapping[str, OrgKeys] = field(default_factory=dict)
    contacts: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def org_keys(self, org_id: str) -> OrgKeys | None:
        return self.keys.get(org_id)

    def is_contact(self, org_id: str, email: str) -> bool:
        return email.lower() in {c.lower() for c in self.contacts.get(org_id, frozenset())}


def check_secret(secret: str) -> None:
    if len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
        raise ValueError(f"an organisation secret must be at least {MIN_SECRET_BYTES} bytes long")


def mint_token(
    org_id: str,
    secret: str,
    email: str,
    ttl: timedelta = timedelta(hours=1),
    *,
    now: datetime | None = None,
) -> str:
    """Sign a portal token, as an organisation's portal would (CLI, README example, tests)."""
    check_secret(secret)
    if ttl > MAX_TTL:
        raise ValueError(f"ttl must be at most {MAX_TTL}")
    issued = now or datetime.now(UTC)
    claims = {"sub": email, "org": org_id, "iat": issued, "exp": issued + ttl}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def bearer_token(conn: HTTPConnection) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if any."""
    scheme, _, token = conn.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_org(token: str | None) -> str:
    """The ``org`` claim of a token, read before its signature can be checked."""
    if not token:
        raise TokenError("token_missing")
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        raise TokenError("token_malformed", str(exc)) from None
    if header.get("alg") != ALGORITHM:
        raise TokenError("token_malformed", f"algorithm {header.get('alg')!r} is not {ALGORITHM}")
    org = claims.get("org")
    if not isinstance(org, str) or not org:
        raise TokenError("token_malformed", "no 'org' claim")
    return org


def verify_token(
    token: str | None, keys: OrgKeys | None, *, now: datetime, expected_org: str | None = None
) -> PortalIdentity:
    """Check a token against its organisation's keys at ``now``; raise :class:`TokenError`.

    ``expected_org`` is the organisation the request is made for (the widget's
    ``X-SelfService-Org``); a token of any other organisation is refused.
    """
    org = token_org(token)
    assert token is not None
    if expected_org is not None and org != expected_org:
        raise TokenError("token_wrong_org")
    if keys is None:
        raise TokenError("token_unknown_org")
    if keys.org_id != org:
        raise TokenError("token_wrong_org")
    claims = _verified_claims(token, keys.secrets_at(now))
    email, exp, iat = _typed_claims(claims)
    if now >= exp + LEEWAY:
        raise TokenError("token_expired")
    max_hours = int(MAX_TTL.total_seconds() // 3600)
    if exp - now > MAX_TTL + LEEWAY or (iat is not None and exp - iat > MAX_TTL):
        raise TokenError("token_too_long_lived", max_hours=max_hours)
    return PortalIdentity(org_id=org, email=email, expires_at=exp)


def authenticate(
    token: str | None, directory: Directory, *, now: datetime, expected_org: str | None = None
) -> PortalIdentity:
    """Verify the token and check that its ``sub`` is a registered contact of its org."""
    org = token_org(token)
    identity = verify_token(token, directory.org_keys(org), now=now, expected_org=expected_org)
    if not directory.is_contact(identity.org_id, identity.email):
        raise TokenError("token_unknown_contact")
    return identity


def _verified_claims(token: str, secrets: list[str]) -> dict[str, Any]:
    options: Any = {
        "verify_exp": False,  # checked against ``now`` below, not the wall clock
        "verify_iat": False,
        "verify_nbf": False,
        "require": ["sub", "org", "exp"],
    }
    for secret in secrets:
        try:
            claims: dict[str, Any] = jwt.decode(
                token, secret, algorithms=[ALGORITHM], options=options
            )
            return claims
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidTokenError as exc:
            raise TokenError("token_malformed", str(exc)) from None
    raise TokenError("token_forged")


def _typed_claims(claims: dict[str, Any]) -> tuple[str, datetime, datetime | None]:
    sub, exp, iat = claims.get("sub"), claims.get("exp"), claims.get("iat")
    if not isinstance(sub, str) or not _EMAIL.match(sub):
        raise TokenError("token_malformed", "'sub' is not an e-mail address")
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        raise TokenError("token_malformed", "'exp' is not a timestamp")
    if iat is not None and (isinstance(iat, bool) or not isinstance(iat, int | float)):
        raise TokenError("token_malformed", "'iat' is not a timestamp")
    try:
        expires = datetime.fromtimestamp(exp, UTC)
        issued = datetime.fromtimestamp(iat, UTC) if iat is not None else None
    except (OverflowError, OSError, ValueError):
        raise TokenError("token_malformed", "timestamp out of range") from None
    return sub, expires, issued
