"""One bad outbox message never stops the others (real SMTP server on loopback).

Rows written before header text was made safe, a recipient address no header can carry,
a send that fails in a way nobody expected, a message whose worker dies every time: each
ends ``sent`` with a safe header or ``failed`` with the reason, and the innocent messages
queued after it are delivered in the same pass.
"""

from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from ticket_helpers import T0, SmtpServer, outbox_rows

from selfservice.db.models import OutboxMessage, OutboxStatus
from selfservice.db.session import transaction
from selfservice.delivery.notify import Mail, SmtpMailer, header_text
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Language
from selfservice.run.worker import Worker
from selfservice.services import outbox

BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
          "\u2029"]


def mailer(port: int) -> SmtpMailer:
    return SmtpMailer(host="127.0.0.1", port=port, sender="support@example.com", timeout=5)


def enqueue(engine: Engine, to: str, subject: str = "Hello") -> int:
    with transaction(engine) as session:
        outbox.enqueue(session, to=to, subject=subject, body="Hi", language=Language.EN,
                       kind="test", now=T0)
    return outbox_rows(engine)[-1].id or 0


def force(engine: Engine, row_id: int, **values: object) -> None:
    """Write a row as an older version (or another writer) left it: no sanitising."""
    with transaction(engine) as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)  # type: ignore[arg-type]
                        .values(**values))


def test_rows_with_line_breaks_go_out_safely_and_the_rest_of_the_batch_too(
    engine: Engine, config: SupportConfig, smtp_server: SmtpServer
) -> None:
    bad = []
    for i, brk in enumerate(BREAKS):
        row_id = enqueue(engine, f"user{i}@example.com")
        force(engine, row_id, subject=f"x{i}{brk}Bcc: v@evil.example")
        bad.append(row_id)
    unsendable = enqueue(engine, "ok@example.com")
    force(engine, unsendable, to_addr='"a\u2028b"@example.com')
    innocent = [enqueue(engine, f"innocent{i}@example.com") for i in range(12)]

    worker = Worker(engine=engine, mailer=mailer(smtp_server.port), config=config,
                    clock=lambda: T0)
    report = worker.run_pass()

    assert (report.sent, report.failed, report.retried) == (len(bad) + len(innocent), 1, 0)
    rows = {row.id: row for row in outbox_rows(engine)}
    assert all(rows[i].status is OutboxStatus.SENT for i in bad + innocent)
    assert rows[unsendable].status is OutboxStatus.FAILED and rows[unsendable].attempts == 1
    assert "line break" in (rows[unsendable].last_error or "")
    messages = smtp_server.collector.messages
    assert len(messages) == len(bad) + len(innocent)
    assert all(m["Bcc"] is None for m in messages)
    subjects = {str(m["Subject"]) for m in messages}
    assert {f"x{i} Bcc: v@evil.example" for i in range(len(BREAKS))} <= subjects


class FailsFor:
    """The real mailer, except that one recipient raises what nobody expected."""

    def __init__(self, inner: SmtpMailer, address: str) -> None:
        self.inner = inner
        self.address = address

    def send(self, mail: Mail) -> None:
        if mail.to == self.address:
            raise RuntimeError("template exploded")
        self.inner.send(mail)


def test_an_unexpected_error_is_retried_for_that_row_only_then_failed(
    engine: Engine, config: SupportConfig, smtp_server: SmtpServer
) -> None:
    policy = outbox.DeliveryPolicy(max_attempts=3, batch=5)
    doomed = enqueue(engine, "doomed@example.com")
    later = [enqueue(engine, f"later{i}@example.com") for i in range(7)]
    send = FailsFor(mailer(smtp_server.port), "doomed@example.com")

    now = T0
    first = outbox.deliver_due(engine, mailer=send, worker_id="w", now=now, policy=policy)
    assert (first.sent, first.retried) == (4, 1)  # the rest of its batch went out
    rows = {row.id: row for row in outbox_rows(engine)}
    assert rows[doomed].status is OutboxStatus.PENDING
    assert rows[doomed].last_error == "RuntimeError: template exploded"
    assert outbox.deliver_due(engine, mailer=send, worker_id="w", now=now,
                              policy=policy).sent == 3
    for _ in range(2):
        now += policy.backoff_cap
        outbox.deliver_due(engine, mailer=send, worker_id="w", now=now, policy=policy)
    rows = {row.id: row for row in outbox_rows(engine)}
    assert rows[doomed].status is OutboxStatus.FAILED and rows[doomed].attempts == 3
    assert rows[doomed].last_error == "RuntimeError: template exploded"
    assert all(rows[i].status is OutboxStatus.SENT for i in later)
    assert len(smtp_server.collector.messages) == len(later)


def test_a_message_whose_worker_dies_every_time_ends_failed(
    engine: Engine, smtp_server: SmtpServer
) -> None:
    policy = outbox.DeliveryPolicy(max_attempts=3)
    poison = enqueue(engine, "poison@example.com")
    innocent = enqueue(engine, "innocent@example.com")
    # Its third worker died while sending it, like the two before: the lease ran out.
    force(engine, poison, status=OutboxStatus.SENDING, attempts=3, claimed_by="dead",
          lease_until=T0 - timedelta(seconds=1))

    report = outbox.deliver_due(engine, mailer=mailer(smtp_server.port), worker_id="w",
                                now=T0, policy=policy)
    assert report.sent == 1
    rows = {row.id: row for row in outbox_rows(engine)}
    assert rows[innocent].status is OutboxStatus.SENT
    assert rows[poison].status is OutboxStatus.FAILED and rows[poison].attempts == 3
    assert "gave up after 3 attempts" in (rows[poison].last_error or "")
    later = T0 + policy.lease * 10
    assert outbox.deliver_due(engine, mailer=mailer(smtp_server.port), worker_id="w",
                              now=later, policy=policy).total == 0
    assert [m["To"] for m in smtp_server.collector.messages] == ["innocent@example.com"]


def test_queued_header_text_is_safe_and_an_unsafe_address_fails_at_once(
    engine: Engine,
) -> None:
    for brk in BREAKS:
        enqueue(engine, "user@example.com", subject=f"a{brk}Bcc: v@evil.example")
    enqueue(engine, "user@example.com", subject="Ж" * 1000)
    enqueue(engine, "a\x85b@example.com")
    *broken, long, unsafe = outbox_rows(engine)
    assert {row.subject for row in broken} == {"a Bcc: v@evil.example"}
    assert len(long.subject) == 300 and long.subject.endswith("…")
    assert unsafe.status is OutboxStatus.FAILED and "line break" in (unsafe.last_error or "")


@pytest.mark.parametrize("value", ["a\x00b", "a\tb", "a\u00a0b", "a\x7fb", "a \n\n  b"])
def test_header_text_folds_every_control_and_separator(value: str) -> None:
    assert header_text(value) == "a b"
