"""One way into every endpoint: an :class:`Operation` of the route table says who may
call, which models read the query and the body, and what the answer is; :func:`route`
turns it into a Starlette route, and ``openapi.py`` into the document.

A request goes: who calls (``auth.py``, answered in a fixed order by :func:`admit`), the
query and the body read through their models (``validation.py``), then the endpoint,
which gets a typed :class:`Call` and runs its use case with :meth:`Call.run` (in the
thread pool, with the request's engine). A dict it returns is the JSON answer.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import partial
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel
from starlette.authentication import BaseUser
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from selfservice.domain import staffing
from selfservice.domain.idempotency import ANONYMOUS
from selfservice.web.auth import (
    ALERT_CHALLENGE,
    AlertCaller,
    Contact,
    Credential,
    Refused,
    Staff,
    identity_middleware,
)
from selfservice.web.backend import Backend, backend_of
from selfservice.web.context import ORG_HEADER, request_context
from selfservice.web.errors import ApiError
from selfservice.web.idempotency import identify
from selfservice.web.identity import TokenError
from selfservice.web.schemas.fields import MAX_ID
from selfservice.web.schemas.requests import LangQuery
from selfservice.web.state import State, state_of
from selfservice.web.validation import query_model, read_model, validated

B = TypeVar("B")
Q = TypeVar("Q")
T = TypeVar("T")


class Access(Enum):
    """Who may call an operation."""

    PUBLIC = "public"
    #: Anyone; a portal token, when sent, must verify (the widget).
    VISITOR = "visitor"
    #: A signed-in contact (401 ``sign_in_required`` without a token).
    CONTACT = "contact"
    #: A verified portal token (``/me``: its own token errors, also when missing).
    PORTAL_TOKEN = "portal_token"
    STAFF = "staff"
    MANAGER = "manager"
    ALERTMANAGER = "alertmanager"
    ZABBIX = "zabbix"

    @property
    def credential(self) -> Credential | None:
        if self in (Access.VISITOR, Access.CONTACT, Access.PORTAL_TOKEN):
            return Credential.PORTAL
        if self in (Access.STAFF, Access.MANAGER):
            return Credential.STAFF
        if self in (Access.ALERTMANAGER, Access.ZABBIX):
            return Credential.ALERT
        return None

    @property
    def customer(self) -> bool:
        """Takes ``?lang=`` and the organisation header (checked before the token)."""
        return self.credential is Credential.PORTAL


@dataclass(frozen=True)
class Call(Generic[B, Q]):
    """One request, read: the caller, the query and body models, the app's state."""

    request: Request
    body: B
    query: Q

    @property
    def state(self) -> State:
        return state_of(self.request)

    @property
    def backend(self) -> Backend:
        return backend_of(self.request)

    @property
    def lang(self) -> Any:
        return request_context(self.request).lang

    @property
    def org(self) -> str | None:
        return request_context(self.request).org

    @property
    def user(self) -> BaseUser:
        return cast(BaseUser, self.request.scope.get("user"))

    @property
    def contact(self) -> Contact | None:
        user = self.request.scope.get("user")
        return user if isinstance(user, Contact) else None

    @property
    def contact_id(self) -> int:
        """The signed-in contact's id (operations with ``Access.CONTACT``)."""
        assert self.contact is not None and self.contact.contact_id is not None
        return self.contact.contact_id

    @property
    def staff(self) -> Staff:
        user = self.request.scope.get("user")
        assert isinstance(user, Staff)
        return user

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])

    def now(self) -> datetime:
        return self.state["clock"]()

    async def run(self, use_case: Callable[..., T], /, **arguments: Any) -> T:
        """``use_case(engine, **arguments)`` in the thread pool."""
        return await run_in_threadpool(partial(use_case, self.backend.engine, **arguments))

    async def run_blocking(self, work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``work(*args, **kwargs)`` in the thread pool (work that holds its own engine)."""
        return await run_in_threadpool(partial(work, *args, **kwargs))


Handler = Callable[[Call[Any, Any]], Awaitable[dict[str, Any] | Response]]


@dataclass(frozen=True)
class Operation:
    """One endpoint: its route, its caller, its models and its answer (the docstring of
    ``handler`` is its summary, a blank line, then its description)."""

    method: str
    path: str
    handler: Handler
    name: str
    access: Access = Access.PUBLIC
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    #: An empty body counts as ``{}``.
    body_optional: bool = False
    #: Documents the path parameters (they are checked by the endpoint).
    path_model: type[BaseModel] | None = None
    #: Documents query parameters the endpoint reads leniently itself (the widget's).
    doc_query: type[BaseModel] | None = None
    #: Documents a body the endpoint's own reader checks (the alert webhooks').
    doc_body: type[BaseModel] | None = None
    #: Documents a body that is not JSON (an upload's bytes), as an OpenAPI requestBody.
    raw_body: dict[str, Any] | None = None
    answer: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    #: Answers that are not JSON (the widget's files), as OpenAPI responses.
    raw_responses: dict[str, Any] = field(default_factory=dict)
    methods: tuple[str, ...] = ()


class ApiRoute(Route):
    """A route built from an :class:`Operation` (the document is written from these)."""

    def __init__(self, operation: Operation) -> None:
        credential = operation.access.credential
        super().__init__(
            operation.path, partial(_serve, operation), name=operation.name,
            methods=list(operation.methods or (operation.method,)),
            middleware=[identity_middleware(credential)] if credential else None,
        )
        self.operation = operation


async def _serve(operation: Operation, request: Request) -> Response:
    await admit(operation.access, request)
    query = query_model(request, operation.query) if operation.query else None
    body = (
        await read_model(request, operation.body, optional=operation.body_optional)
        if operation.body else None
    )
    answer = await operation.handler(Call(request, body, query))
    if isinstance(answer, Response):
        return answer
    return JSONResponse(answer, status_code=operation.status)


async def admit(access: Access, request: Request) -> None:
    """Who calls, answered in the order the API always has: a missing sign-in first,
    then the common parameters, then a credential that does not verify; then the
    caller is known to the Idempotency-Key (``idempotency.identify``)."""
    user = request.scope.get("user")
    if access is Access.PUBLIC:
        return
    if access in (Access.ALERTMANAGER, Access.ZABBIX):
        backend_of(request)
    if user is not None and not user.is_authenticated and not isinstance(user, Refused):
        user = None  # no Authorization header
    if user is None:
        _no_credential(access)
    if isinstance(user, Refused) and access is Access.PORTAL_TOKEN:
        raise user.error
    if access.customer:
        check_common(request)
    if access is Access.CONTACT:
        backend_of(request)
    if isinstance(user, Refused):
        raise user.error
    if isinstance(user, AlertCaller) and user.source.kind != access.value:
        raise ApiError(403, "alert_source_wrong_kind", kind=user.source.kind)
    if access is Access.MANAGER and isinstance(user, Staff):
        staffing.check_manager(user.line)
    if access is not Access.PORTAL_TOKEN:
        await identify(getattr(user, "identity", ANONYMOUS))


def _no_credential(access: Access) -> None:
    """The refusal of a request without ``Authorization`` (nothing for a visitor)."""
    if access is Access.CONTACT:
        raise ApiError(401, "sign_in_required", headers={"WWW-Authenticate": "Bearer"})
    if access is Access.PORTAL_TOKEN:
        raise TokenError("token_missing")
    if access in (Access.STAFF, Access.MANAGER):
        raise ApiError(401, "engineer_token_required", headers={"WWW-Authenticate": "Bearer"})
    if access in (Access.ALERTMANAGER, Access.ZABBIX):
        raise ApiError(401, "alert_token_missing", headers=ALERT_CHALLENGE)


def check_common(request: Request) -> None:
    """The parameters every customer endpoint takes: ``?lang=`` and the organisation
    (``X-SelfService-Org`` or ``?org=``, at most 64 characters)."""
    if "lang" in request.query_params:
        validated(LangQuery, {"lang": request.query_params["lang"]})
    for name, value in (
        ("X-SelfService-Org", request.headers.get(ORG_HEADER)),
        ("org", request.query_params.get("org")),
    ):
        if value is not None and len(value) > MAX_ID:
            raise ApiError(400, "too_long", field=name, max=MAX_ID)
