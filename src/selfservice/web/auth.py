"""Who calls, found once per request: Starlette's ``AuthenticationMiddleware`` with one
backend that knows, by route, which credential to look for.

* portal routes: a portal JWT (``identity.py``) of a registered contact ->
  :class:`Contact`;
* ``/api/v1/engineer/``: an engineer API token (``selfservice engineer add``; only its
  sha256 is stored) -> :class:`Staff`;
* ``/api/v1/alerts/``: an alert source's token (``selfservice alert-source add``) ->
  :class:`AlertCaller`.

No ``Authorization`` header: ``request.user`` is Starlette's anonymous user. A credential
that does not verify is a :class:`Refused` user carrying its error: the endpoint's
access rule (``dispatch.admit``) decides when to answer with it, so a missing token is
still heard before a bad parameter and a bad parameter before a bad token, as always.
Every lookup of a request happens in one trip to the thread pool.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection

from selfservice.db.models import Role
from selfservice.domain.enums import Line
from selfservice.services import admin, alert_sources
from selfservice.services.alert_sources import SourceInfo
from selfservice.web.context import request_context
from selfservice.web.errors import ApiError
from selfservice.web.identity import Directory, TokenError, authenticate, bearer_token
from selfservice.web.state import state_of

#: Engineer tokens are 43 characters; anything much longer is not one (and not hashed).
MAX_STAFF_TOKEN = 200
_STAFF_CHALLENGE = {"WWW-Authenticate": "Bearer"}


class Credential(Enum):
    """The credential a route looks for."""

    PORTAL = "portal"
    STAFF = "staff"
    ALERT = "alert"


@dataclass(frozen=True)
class Contact(BaseUser):
    """A contact person of a client organisation, vouched for by its portal's token."""

    org_id: str
    email: str
    expires_at: datetime
    #: None only in an app without a database (search-only), where no ticket is filed.
    contact_id: int | None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.email

    @property
    def identity(self) -> str:
        return f"contact:{self.contact_id}"


@dataclass(frozen=True)
class Staff(BaseUser):
    """An engineer (line L1, L2 or L3) or a manager."""

    id: int
    role: Role
    group_id: str | None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return f"engineer {self.id}"

    @property
    def identity(self) -> str:
        return f"engineer:{self.id}"

    @property
    def is_manager(self) -> bool:
        return self.role is Role.MANAGER

    @property
    def line(self) -> Line | None:
        """The line this engineer works on; None for a manager."""
        return None if self.is_manager else Line(self.role.value)


@dataclass(frozen=True)
class AlertCaller(BaseUser):
    """A monitoring system posting alerts with its alert source's token."""

    source: SourceInfo

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return f"alert source {self.source.id}"

    @property
    def identity(self) -> str:
        return f"alert-source:{self.source.id}"


@dataclass(frozen=True)
class Refused(BaseUser):
    """A credential was sent and did not verify; ``error`` says why."""

    error: Exception

    @property
    def is_authenticated(self) -> bool:
        return False

    @property
    def display_name(self) -> str:
        return ""


def scopes_of(user: BaseUser) -> list[str]:
    """The roles a user holds, as ``AuthCredentials`` scopes."""
    if isinstance(user, Contact):
        return ["contact", f"org:{user.org_id}"]
    if isinstance(user, Staff):
        return ["staff", user.role.value]
    if isinstance(user, AlertCaller):
        return ["alert-source", user.source.kind]
    return []


class IdentityBackend(AuthenticationBackend):
    """Looks for the route's credential in ``Authorization: Bearer``."""

    def __init__(self, credential: Credential) -> None:
        self.credential = credential

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        token = bearer_token(conn)
        if token is None:
            return None
        user = await self._user(conn, token)
        return AuthCredentials(scopes_of(user)), user

    async def _user(self, conn: HTTPConnection, token: str) -> BaseUser:
        state = state_of(conn)
        if self.credential is Credential.PORTAL:
            directory, now = state["directory"], state["clock"]()
            org = request_context(conn).org
            return await run_in_threadpool(_contact, token, directory, now, org)
        if self.credential is Credential.STAFF and len(token) > MAX_STAFF_TOKEN:
            return Refused(ApiError(401, "engineer_token_invalid", headers=_STAFF_CHALLENGE))
        engine = getattr(state["store"], "engine", None)
        if engine is None:
            return Refused(ApiError(503, "service_unavailable"))
        if self.credential is Credential.STAFF:
            return await run_in_threadpool(_staff, engine, token)
        source = await run_in_threadpool(_source, engine, token)
        return AlertCaller(source) if source is not None else Refused(
            ApiError(401, "alert_token_invalid", headers=ALERT_CHALLENGE))


ALERT_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="alerts"'}


def _contact(token: str, directory: Directory, now: datetime, org: str | None) -> BaseUser:
    try:
        identity = authenticate(token, directory, now=now, expected_org=org)
    except TokenError as error:
        return Refused(error)
    lookup: Callable[[str, str], int | None] | None = getattr(directory, "contact_id", None)
    contact_id = lookup(identity.org_id, identity.email) if lookup is not None else None
    if lookup is not None and contact_id is None:
        return Refused(TokenError("token_unknown_contact"))
    return Contact(identity.org_id, identity.email, identity.expires_at, contact_id)


def _staff(engine: Any, token: str) -> BaseUser:
    engineer = admin.engineer_by_token(engine, token=token)
    if engineer is None or engineer.id is None:
        return Refused(ApiError(401, "engineer_token_invalid", headers=_STAFF_CHALLENGE))
    return Staff(engineer.id, engineer.role, engineer.group_id)


def _source(engine: Any, token: str) -> SourceInfo | None:
    return alert_sources.authenticate(engine, token=token)


def identity_middleware(credential: Credential) -> Middleware:
    """The middleware a route of this credential is wrapped in."""
    return Middleware(AuthenticationMiddleware, backend=IdentityBackend(credential))
