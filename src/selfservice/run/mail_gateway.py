"""The SMTP endpoint of the support address (aiosmtpd), for MTAs that relay to it.

Per message: the raw bytes are committed to ``inbound_messages`` **before** the answer
250 (a failure to store answers 451, so the sending MTA keeps the message and retries);
processing runs right after, in a small thread pool. Whatever was stored but not
processed (a crash, a bug, the database gone for a moment) is processed again when the
gateway starts and then every ``retry_every`` seconds; processing is idempotent, so a
message is never applied twice.

Only recipients in ``recipients`` are accepted (550 otherwise; empty = any). The gateway
never relays: everything it accepts is intake.
"""

import asyncio
import logging
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import partial
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from selfservice.services.mail_intake import MailIntake

log = logging.getLogger("selfservice.mail.gateway")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2525


class _IntakeSMTP(SMTP):
    #: RFC 5321 allows 1000 characters a line, but real mail (Outlook's HTML) has longer
    #: ones and MTAs pass them on; refusing them would bounce a customer's message.
    line_length_limit = 100_000


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _IntakeSMTP(self.handler, **self.SMTP_kwargs)


class _Handler:
    """aiosmtpd hooks: check recipients, store, answer, hand over for processing."""

    def __init__(self, gateway: "MailGateway") -> None:
        self.gateway = gateway

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not self.gateway.accepts(address):
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):  # only with decode_data=True, which we never set
            raw = raw.encode("utf-8", "surrogateescape")
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer or "")
        mail_from = envelope.mail_from
        sender = "" if mail_from in (None, "", "<>") else str(mail_from)
        store = partial(self.gateway.intake.store, raw, via="smtp", envelope_from=sender,
                        envelope_to=list(envelope.rcpt_tos), peer=peer[:128] or None)
        try:
            stored = await asyncio.get_running_loop().run_in_executor(None, store)
        except Exception:
            log.exception("could not store a message from %s", peer)
            return "451 4.3.0 The message could not be stored; please try again later"
        if stored.duplicate:
            return f"250 2.0.0 Already received as #{stored.id}"
        self.gateway.submit(stored.id)
        return f"250 2.0.0 Stored as #{stored.id}"


class MailGateway:
    """``start()`` listens and processes what is pending; ``stop()`` finishes the work."""

    def __init__(
        self, intake: MailIntake, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
        recipients: Iterable[str] = (), max_message_bytes: int = 40 * 1024 * 1024,
        workers: int = 2, retry_every: float | None = 60.0,
    ) -> None:
        self.intake = intake
        self.host = host
        self.port = port
        self.recipients = frozenset(r.strip().lower() for r in recipients if r.strip())
        self.max_message_bytes = max_message_bytes
        self.workers = workers
        self.retry_every = retry_every
        self._executor: ThreadPoolExecutor | None = None
        self._controller: _Controller | None = None
        self._futures: set[Future[object]] = set()
        self._in_flight: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._retry_thread: threading.Thread | None = None

    def accepts(self, address: str) -> bool:
        return not self.recipients or address.strip().lower() in self.recipients

    def start(self) -> None:
        self._stop.clear()
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="mail-intake")
        self.submit_pending()
        self._controller = _Controller(
            _Handler(self), hostname=self.host, port=self.port,
            data_size_limit=self.max_message_bytes, enable_SMTPUTF8=True,
            auth_exclude_mechanism=["LOGIN", "PLAIN"],  # no AUTH: loopback, or a trusted MTA
        )
        self._controller.start()
        if self.retry_every:
            self._retry_thread = threading.Thread(target=self._retry_loop, daemon=True,
                                                  name="mail-intake-retry")
            self._retry_thread.start()
        log.info("mail gateway listening on %s:%s", self.host, self.port)

    def stop(self) -> None:
        self._stop.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._retry_thread is not None:
            self._retry_thread.join(timeout=5)
            self._retry_thread = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def submit(self, message_id: int) -> None:
        """Process a stored message in the background (once at a time per message)."""
        executor = self._executor
        if executor is None:
            return
        with self._lock:
            if message_id in self._in_flight:
                return
            self._in_flight.add(message_id)
        future: Future[object] = executor.submit(self._process, message_id)
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def submit_pending(self) -> int:
        """Queue every stored message still pending; how many were queued."""
        try:
            ids = self.intake.pending_ids()
        except Exception:
            log.exception("could not list the pending inbound messages")
            return 0
        for message_id in ids:
            self.submit(message_id)
        return len(ids)

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until the queued processing is done (tests, shutdown)."""
        with self._lock:
            futures = set(self._futures)
        wait(futures, timeout=timeout)

    def _process(self, message_id: int) -> object:
        try:
            return self.intake.process(message_id)
        finally:
            with self._lock:
                self._in_flight.discard(message_id)

    def _forget(self, future: Future[object]) -> None:
        with self._lock:
            self._futures.discard(future)

    def _retry_loop(self) -> None:
        assert self.retry_every is not None
        while not self._stop.wait(self.retry_every):
            self.submit_pending()
