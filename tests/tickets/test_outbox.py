"""Outbox delivery to a real SMTP server (aiosmtpd on loopback): retries, crash, races."""

import subprocess
import sys
import textwrap
import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from ticket_helpers import SERVICE, T0, SmtpServer, World, outbox_rows

from selfservice.db.models import OutboxStatus
from selfservice.db.session import transaction
from selfservice.delivery.notify import SmtpMailer
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Channel, Language, TicketType
from selfservice.run.worker import Worker, WorkerOptions
from selfservice.services import outbox
from selfservice.services.registration import register_free_text

POLICY = outbox.DeliveryPolicy()


def mailer(port: int) -> SmtpMailer:
    return SmtpMailer(host="127.0.0.1", port=port, sender="support@example.com", timeout=5)


def enqueue_many(engine: Engine, count: int) -> None:
    with transaction(engine) as session:
        for i in range(count):
            outbox.enqueue(session, to=f"user{i}@example.com", subject=f"Test {i}",
                           body="Hello", language=Language.EN, kind="test", now=T0)


def test_worker_delivers_registration_mail_with_stable_message_id(
    engine: Engine, world: World, config: SupportConfig, smtp_server: SmtpServer
) -> None:
    register_free_text(engine, config=config, contact_id=world.contact.id or 0,
                       ticket_type=TicketType.INCIDENT, service=SERVICE,
                       subject="Не работает VPN", description="", channel=Channel.WIDGET, now=T0)
    worker = Worker(engine=engine, mailer=mailer(smtp_server.port), config=config,
                    clock=lambda: T0 + timedelta(seconds=1))
    report = worker.run_pass()
    assert report.sent == 1
    [row] = outbox_rows(engine)
    assert row.status is OutboxStatus.SENT and row.sent_at is not None and row.attempts == 1
    [message] = smtp_server.collector.messages
    assert message["Message-ID"] == row.message_id
    assert message["To"] == "ivan@acme.example"
    assert message["Subject"] == "[INC-000001] Обращение зарегистрировано: Не работает VPN"
    assert "Иван" in message.get_body(("plain",)).get_content()
    assert worker.run_pass().sent == 0  # nothing is sent twice


def test_retries_with_backoff_until_the_server_comes_up(
    engine: Engine, smtp_down: SmtpServer
) -> None:
    enqueue_many(engine, 1)
    send = mailer(smtp_down.port)
    first = outbox.deliver_due(engine, mailer=send, worker_id="w", now=T0)
    assert (first.sent, first.retried) == (0, 1)
    [row] = outbox_rows(engine)
    assert row.status is OutboxStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at == T0 + POLICY.backoff_base
    assert row.last_error

    # Not due before the backoff has passed.
    assert outbox.deliver_due(engine, mailer=send, worker_id="w", now=T0).total == 0
    second_at = T0 + POLICY.backoff_base
    assert outbox.deliver_due(engine, mailer=send, worker_id="w", now=second_at).retried == 1
    [row] = outbox_rows(engine)
    assert row.next_attempt_at == second_at + 2 * POLICY.backoff_base  # doubled

    smtp_down.start()
    third_at = second_at + 2 * POLICY.backoff_base
    assert outbox.deliver_due(engine, mailer=send, worker_id="w", now=third_at).sent == 1
    [row] = outbox_rows(engine)
    assert row.status is OutboxStatus.SENT and row.attempts == 3 and row.last_error is None
    assert smtp_down.collector.message_ids() == [row.message_id]


def test_backoff_is_capped_and_gives_up_after_max_attempts(
    engine: Engine, smtp_down: SmtpServer
) -> None:
    policy = outbox.DeliveryPolicy(max_attempts=3)
    assert policy.backoff(1) == timedelta(seconds=30)
    assert policy.backoff(4) == timedelta(minutes=4)
    assert policy.backoff(40) == policy.backoff_cap
    enqueue_many(engine, 1)
    now = T0
    for _ in range(3):
        outbox.deliver_due(engine, mailer=mailer(smtp_down.port), worker_id="w", now=now,
                           policy=policy)
        now += policy.backoff_cap
    [row] = outbox_rows(engine)
    assert row.status is OutboxStatus.FAILED and row.attempts == 3  # kept, not lost


CRASHING_WORKER = textwrap.dedent("""
    import sys, time
    from datetime import datetime
    from selfservice.db.engine import make_engine
    from selfservice.delivery.notify import SmtpMailer
    from selfservice.services import outbox

    class StallAfterSend:
        '''Sends for real, then hangs before the worker can mark the row sent.'''
        def __init__(self, inner):
            self.inner = inner
        def send(self, mail):
            self.inner.send(mail)
            time.sleep(600)

    url, port, now = sys.argv[1], int(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
    mailer = StallAfterSend(SmtpMailer(host="127.0.0.1", port=port, sender="s@example.com"))
    outbox.deliver_due(make_engine(url), mailer=mailer, worker_id="doomed", now=now)
""")


def test_worker_killed_between_send_and_mark_loses_nothing(
    engine: Engine, db_url: str, smtp_server: SmtpServer
) -> None:
    enqueue_many(engine, 1)
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASHING_WORKER, db_url, str(smtp_server.port), T0.isoformat()],
        stdout=subprocess.DEVNULL,
    )
    try:
        smtp_server.collector.wait_for(1)
    finally:
        proc.kill()  # SIGKILL: no cleanup, no mark
        proc.wait(timeout=10)
    [row] = outbox_rows(engine)
    assert row.status is OutboxStatus.SENDING and row.claimed_by == "doomed"

    send = mailer(smtp_server.port)
    # Another worker leaves it alone while the dead worker's lease runs...
    assert outbox.deliver_due(engine, mailer=send, worker_id="next", now=T0).total == 0
    # ...and sends it again once the lease has expired: no loss, same Message-ID.
    later = T0 + POLICY.lease + timedelta(seconds=1)
    assert outbox.deliver_due(engine, mailer=send, worker_id="next", now=later).sent == 1
    [row] = outbox_rows(engine)
    assert row.status is OutboxStatus.SENT and row.attempts == 2
    assert smtp_server.collector.message_ids() == [row.message_id, row.message_id]
    much_later = later + 2 * POLICY.lease
    assert outbox.deliver_due(engine, mailer=send, worker_id="next", now=much_later).total == 0


def test_two_workers_deliver_each_message_exactly_once(
    engine: Engine, smtp_server: SmtpServer
) -> None:
    count = 60
    enqueue_many(engine, count)
    policy = outbox.DeliveryPolicy(batch=3)
    errors: list[BaseException] = []

    def work(worker_id: str) -> None:
        try:
            while outbox.deliver_due(engine, mailer=mailer(smtp_server.port),
                                     worker_id=worker_id, now=T0, policy=policy).total:
                pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    ids = smtp_server.collector.message_ids()
    assert len(ids) == count and len(set(ids)) == count
    rows = outbox_rows(engine)
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert {r.attempts for r in rows} == {1}
    assert {r.claimed_by for r in rows} == {"w0", "w1"}  # both took part


@pytest.mark.parametrize("security", ["bogus"])
def test_mailer_rejects_unknown_security(security: str) -> None:
    with pytest.raises(ValueError):
        SmtpMailer(host="127.0.0.1", port=1, sender="s@example.com", security=security)._connect()


def test_worker_options_default_is_sane() -> None:
    options = WorkerOptions()
    assert options.delivery.lease > timedelta(seconds=20) * options.delivery.batch


def test_worker_command_once_delivers(
    engine: Engine, db_url: str, smtp_server: SmtpServer
) -> None:
    from click.testing import CliRunner

    from selfservice.cli import main

    enqueue_many(engine, 3)
    env = {"SELFSERVICE_DATABASE_URL": db_url, "SELFSERVICE_SMTP_HOST": "127.0.0.1",
           "SELFSERVICE_SMTP_PORT": str(smtp_server.port)}
    result = CliRunner().invoke(main, ["worker", "--once"], env=env)
    assert result.exit_code == 0, result.output
    assert len(smtp_server.collector.message_ids()) == 3
    assert {r.status for r in outbox_rows(engine)} == {OutboxStatus.SENT}
