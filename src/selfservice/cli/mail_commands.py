"""``selfservice mail-gateway`` and ``selfservice mail …``: the e-mail intake.

Two ways in, same processing: an SMTP endpoint the MTA relays to (``mail-gateway``), or
an MTA pipe that runs ``mail ingest -`` per message. Either way the raw message is
committed to the database before the MTA is told it was delivered.
"""

import json
import logging
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import click
from sqlalchemy import Engine

from selfservice.config.settings import Settings, load_settings
from selfservice.db import migrate
from selfservice.db.engine import make_engine
from selfservice.services import inbound_mail
from selfservice.services.attachment_storage import Scanner
from selfservice.services.mail_intake import MailIntake, MailOutcome, Outcome
from selfservice.services.mail_unknown import UnknownSenderReplies

#: sysexits EX_TEMPFAIL: the MTA keeps the message and tries again later.
EX_TEMPFAIL = 75


def build_intake(settings: Settings, engine: Engine) -> MailIntake:
    """The intake over ``engine`` with the knowledge base and support configuration."""
    from selfservice.config.support_config import load_support_config
    from selfservice.content.loader import load_content

    return MailIntake(
        engine, config=load_support_config(settings.config_file),
        content=load_content(settings.kb_dir), own_addresses=[settings.mail_from],
        limits=settings.attachment_limits(),
        scanner=Scanner.from_settings(settings),
        unknown_replies=UnknownSenderReplies.from_settings(settings),
    )


def _echo(outcome: MailOutcome, *, with_id: bool = False) -> None:
    data = outcome.as_json()
    if with_id:
        data = {"message": outcome.message, **data}
    click.echo(json.dumps(data, ensure_ascii=False))


@click.command("mail-gateway")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=2525, show_default=True, type=click.IntRange(1, 65535),
              help="TCP port.")
@click.option("--recipient", "recipients", multiple=True,
              help="An address mail is accepted for (repeatable); others get 550. "
              "Default: SELFSERVICE_MAIL_FROM, the support address.")
@click.option("--any-recipient", is_flag=True,
              help="Accept mail for any recipient (when the MTA already routed it).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Threads processing stored messages.")
@click.option("--retry-every", default=60.0, show_default=True, type=click.FloatRange(min=1),
              help="Seconds between retries of messages whose processing failed.")
@click.option("-v", "--verbose", is_flag=True, help="Log every message's outcome.")
def mail_gateway(host: str, port: int, recipients: tuple[str, ...], any_recipient: bool,
                 workers: int, retry_every: float, verbose: bool) -> None:
    """Run the SMTP endpoint of the support address, until stopped.

    Point your MTA at it (a relay/transport to HOST:PORT, see the README). Each message
    is committed to the database before the answer 250; if that fails the answer is 451
    and the MTA retries. Then it is processed: a ticket (an authorised contact's new
    message), a comment (a reply with a ticket number in the subject), a refusal (an
    unknown sender; answered only with SELFSERVICE_MAIL_UNKNOWN_SENDER_REPLY=authenticated
    and the MTA's DMARC pass), or nothing (bounces, auto-replies, read receipts,
    complaints). Messages stored but not processed (a crash)
    are processed at start and retried every --retry-every seconds.

    The database is migrated first (SELFSERVICE_DATABASE_URL). Answers go through the
    outbox: run `selfservice worker` to send them.

    \b
    Examples:
      selfservice mail-gateway                        # 127.0.0.1:2525, for the local MTA
      selfservice mail-gateway --port 2525 --recipient support@example.com -v
    """
    from selfservice.config.support_config import SupportConfigError
    from selfservice.content.loader import ContentError
    from selfservice.run.mail_gateway import MailGateway

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("mail.log", "alembic", "pymorphy3"):  # every SMTP command, migrations …
        logging.getLogger(chatty).setLevel(logging.WARNING)
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade_engine(engine)
        intake = build_intake(settings, engine)
    except (ContentError, SupportConfigError) as error:
        engine.dispose()
        raise click.ClickException(str(error)) from None
    accepted = () if any_recipient else (recipients or (settings.mail_from,))
    gateway = MailGateway(intake, host=host, port=port, recipients=accepted,
                          max_message_bytes=settings.mail_max_message_bytes, workers=workers,
                          retry_every=retry_every)
    stop = threading.Event()
    _stop_on_signals(stop)
    gateway.start()
    click.echo(f"mail gateway on {host}:{port}, accepting "
               f"{', '.join(accepted) if accepted else 'any recipient'}; Ctrl-C stops it")
    try:
        stop.wait()
    finally:
        gateway.stop()
        engine.dispose()


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


@click.group()
def mail() -> None:
    """The e-mail intake from an MTA pipe, and messages waiting to be processed."""


@mail.command("ingest")
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--sender", default=None,
              help="The envelope sender as the MTA saw it (Postfix: --sender=${sender} with "
              "null_sender=); an empty value is the null sender <> of bounces.")
@click.option("--recipient", "recipients", multiple=True,
              help="The envelope recipient (Postfix: ${recipient}); repeatable, recorded.")
def ingest(source: Path, sender: str | None, recipients: tuple[str, ...]) -> None:
    """Take one message (a file, or - for standard input) from an MTA pipe.

    The raw message is committed to the database first; then it is processed exactly as
    the gateway would. Prints one JSON line:
    {"outcome": "ticket"|"comment"|"ignored"|"rejected"|"pending", "ticket": NUMBER or
    null, "reason": "..."}. "pending" means stored but not processed yet (see
    `selfservice mail process-pending`).

    Exit status 0 once the message is stored (whatever the outcome; a redelivery is
    recognised and not applied twice), 75 (EX_TEMPFAIL, the MTA retries later) when it
    could not be stored.

    \b
    Examples:
      selfservice mail ingest message.eml
      selfservice mail ingest --sender=${sender} --recipient=${recipient} -  # Postfix pipe
    """
    raw = sys.stdin.buffer.read() if str(source) == "-" else source.read_bytes()
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        try:
            stored = inbound_mail.store(engine, raw=raw, via="pipe", now=datetime.now(UTC),
                                        envelope_from=sender, envelope_to=recipients)
        except Exception as error:
            click.echo(f"could not store the message: {type(error).__name__}: {error}",
                       err=True)
            raise SystemExit(EX_TEMPFAIL) from None
        try:
            intake = build_intake(settings, engine)
        except Exception as error:
            _echo(MailOutcome(Outcome.PENDING, None, f"stored as #{stored.id}; not processed: "
                              f"{error}", stored.id))
            return
        _echo(intake.after_store(stored))
    finally:
        engine.dispose()


@mail.command("process-pending")
@click.option("--retry-failed", is_flag=True,
              help="Also retry messages whose processing failed too often (status failed).")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1),
              help="At most this many messages in one run.")
def process_pending(retry_failed: bool, limit: int) -> None:
    """Process stored messages that were never processed (a crash, an outage).

    Safe at any time, also next to a running gateway: a message is applied once only.
    Prints one JSON line per message, with its "message" id.

    \b
    Examples:
      selfservice mail process-pending
      selfservice mail process-pending --retry-failed
    """
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        if retry_failed:
            click.echo(f"{inbound_mail.retry_failed(engine)} failed message(s) retried", err=True)
        intake = build_intake(settings, engine)
        done = intake.process_pending(limit=limit)
        for outcome in done:
            _echo(outcome, with_id=True)
        click.echo(f"{len(done)} message(s) processed", err=True)
    finally:
        engine.dispose()
