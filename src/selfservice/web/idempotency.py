"""``Idempotency-Key`` on every POST of the API: a retried request is answered, not redone.

A client that lost the answer to a POST (a dropped connection, a crashed server) cannot
know whether it was done; with the same key its retry gets the first answer, with
``Idempotent-Replayed: true``, and nothing is done twice. Rules (IETF httpapi draft):

* the key is 1-255 printable ASCII characters, else 400 ``invalid_idempotency_key``;
* it belongs to the caller (:func:`identify`: the contact, the engineer, the alert
  source, else "anonymous") and is kept 24 hours;
* the same key with another method, path, query or body: 422 ``idempotency_key_reused``;
* while the first request is still running: 409 ``idempotency_key_in_use``.

How: :class:`IdempotencyMiddleware` reads the body, then runs the endpoint with a
:class:`~selfservice.db.shared.SharedTransaction` active, so everything the request
writes is held in one transaction, which the middleware commits together with the
answer *before* sending it. A crash at any point leaves both or neither. Answers of
requests that wrote nothing (refused input, say) are not stored: repeating them is
harmless. A 5xx answer rolls the request back.
"""

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TypeVar

import anyio
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from selfservice.db.shared import SharedTransaction, activate, deactivate
from selfservice.domain import idempotency as rules
from selfservice.services import idempotency as answers
from selfservice.services.idempotency import KeyInUse, StoredAnswer
from selfservice.web.errors import error_response
from selfservice.web.state import state_of
from selfservice.web.urls import API_PREFIX

log = logging.getLogger("selfservice.web")

T = TypeVar("T")

#: Headers of an answer that are not stored: recomputed, or the outer middleware's.
_NOT_STORED = frozenset({"content-length", "date", "server", "set-cookie"})

#: Commits and rollbacks of shared transactions get their own threads: a request that holds
#: the SQLite write lock must never wait for a pool thread that waits for that lock.
_FINISHERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="idempotent-commit")

#: Keys of requests running in this process: (engine, scope, key).
_RUNNING: set[tuple[int, str, str]] = set()
_RUNNING_LOCK = threading.Lock()


class Replay(Exception):
    """Raised where the caller becomes known and a stored answer exists; the middleware
    answers with it (not an error: no exception handler maps it)."""

    def __init__(self, answer: StoredAnswer) -> None:
        super().__init__("replay")
        self.answer = answer


class BadKey(Exception):
    """Raised where the caller becomes known when the request's key is not a key: a
    caller who is not signed in hears that first (401), a signed-in one gets the 400."""


#: Set while a request with an unusable key runs, until the caller is known.
_BAD_KEY: ContextVar[bool] = ContextVar("selfservice_bad_idempotency_key", default=False)


@dataclass
class Pending:
    """The idempotent request being processed."""

    key: str
    fingerprint: str
    engine: Engine
    clock: Callable[[], datetime]
    scope: str | None = None
    shared: SharedTransaction = field(init=False)
    _running: tuple[int, str, str] | None = None

    def __post_init__(self) -> None:
        self.shared = SharedTransaction(self.engine, self._claim)

    def enter(self, scope: str) -> None:
        """Record the caller; 409 if this process runs a request with the same key."""
        self.scope = scope
        entry = (id(self.engine), scope, self.key)
        with _RUNNING_LOCK:
            if entry in _RUNNING:
                raise KeyInUse()
            _RUNNING.add(entry)
        self._running = entry

    def leave(self) -> None:
        if self._running is not None:
            with _RUNNING_LOCK:
                _RUNNING.discard(self._running)
            self._running = None

    def _claim(self, session: Session) -> None:
        if self.scope is None:  # an endpoint that never asked who calls
            self.enter(rules.ANONYMOUS)
        assert self.scope is not None
        found = answers.claim(session, scope=self.scope, key=self.key,
                              fingerprint=self.fingerprint, now=self.clock())
        if found is not None:
            raise Replay(found)

    def store(self, answer: StoredAnswer, session: Session) -> None:
        assert self.scope is not None
        answers.store(session, scope=self.scope, key=self.key, fingerprint=self.fingerprint,
                      answer=answer, now=self.clock())


_PENDING: ContextVar[Pending | None] = ContextVar("selfservice_idempotent_request", default=None)


async def identify(scope: str) -> None:
    """Called by the authentication helpers once the caller is known: answer a retry
    from its stored answer now, before the endpoint looks at anything."""
    if _BAD_KEY.get():
        raise BadKey()
    pending = _PENDING.get()
    if pending is None or pending.scope is not None:
        return
    pending.enter(scope)
    found = await run_in_threadpool(partial(
        answers.find, pending.engine, scope=scope, key=pending.key,
        fingerprint=pending.fingerprint, now=pending.clock(),
    ))
    if found is not None:
        raise Replay(found)


def replay_response(answer: StoredAnswer) -> Response:
    response = Response(answer.body, status_code=answer.status)
    for name, value in answer.headers:
        response.headers.append(name, value)
    response.headers[rules.REPLAYED_HEADER] = "true"
    return response


async def _finish(call: Callable[[], T]) -> T:
    """Run a commit or rollback on its own threads, shielded: a client that hangs up must
    not leave a transaction (and the SQLite write lock) half-finished."""
    with anyio.CancelScope(shield=True):
        result = await asyncio.get_running_loop().run_in_executor(_FINISHERS, call)
    return result


class IdempotencyMiddleware:
    """See the module docstring; innermost, after the body limit and the rate limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = Headers(scope=scope).get(rules.KEY_HEADER) if _applies(scope) else None
        if raw is None:
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        key = rules.parse_key(raw)
        if key is None:
            await self._refuse_bad_key(conn, scope, receive, send)
            return
        state = state_of(conn)
        engine: Engine | None = getattr(state["store"], "engine", None)
        if engine is None:  # no database: nothing is written, nothing to remember
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        query = scope.get("query_string", b"").decode("latin-1")
        pending = Pending(key, rules.fingerprint("POST", scope["path"], query, body),
                          engine, state["clock"])
        token = _PENDING.set(pending)
        shared_token = activate(pending.shared)
        try:
            await self._run(pending, scope, _replaying(body, receive), send)
        finally:
            deactivate(shared_token)
            _PENDING.reset(token)
            if pending.shared.started:  # the endpoint failed: undo what it wrote
                await _finish(pending.shared.rollback)
            pending.leave()

    async def _refuse_bad_key(
        self, conn: HTTPConnection, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """An unusable key is refused once the caller is known (see :class:`BadKey`)."""
        flag = _BAD_KEY.set(True)
        try:
            await self.app(scope, receive, send)
        except BadKey:
            refusal = error_response(conn, 400, "invalid_idempotency_key", field=rules.KEY_HEADER,
                                     params={"max": rules.MAX_KEY_LENGTH})
            await refusal(scope, receive, send)
        finally:
            _BAD_KEY.reset(flag)

    async def _run(self, pending: Pending, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, receive, capture)
        except Replay as replay:
            await _finish(pending.shared.rollback)
            await replay_response(replay.answer)(scope, receive, send)
            return
        assert start is not None, "the endpoint sent no answer"
        if pending.shared.started:
            if start["status"] >= 500:
                await _finish(pending.shared.rollback)
            else:
                answer = StoredAnswer(start["status"], _kept_headers(start), b"".join(chunks))
                try:
                    await _finish(partial(pending.shared.commit, partial(pending.store, answer)))
                except Exception:
                    log.exception("could not commit an idempotent request")
                    failed = error_response(HTTPConnection(scope), 500, "internal_error")
                    await failed(scope, receive, send)
                    return
        await send(start)
        await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": False})


def _applies(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope["method"] == "POST"
        and str(scope["path"]).startswith(API_PREFIX + "/")
    )


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the endpoint the body already read, then the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _kept_headers(start: Message) -> list[tuple[str, str]]:
    headers: list[tuple[bytes, bytes]] = start.get("headers", [])
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, value in headers
        if name.decode("latin-1").lower() not in _NOT_STORED
    ]

