"""``selfservice telegram``: run the Telegram bot, point Telegram at the service, link codes."""

import asyncio
import logging
import signal
from collections.abc import Callable
from typing import TypeVar

import click
import httpx
from telegram.error import TelegramError

from selfservice.config.settings import Settings, load_settings
from selfservice.db import migrate
from selfservice.db.engine import make_engine
from selfservice.domain.errors import DomainError
from selfservice.run import server
from selfservice.run.telegram import poll_from_settings, set_webhook, utc_now
from selfservice.services import portal, telegram_accounts

T = TypeVar("T")


@click.group("telegram")
def telegram() -> None:
    """The Telegram bot: the widget's conversation and ticket follow-up in a chat.

    Settings: SELFSERVICE_TELEGRAM_BOT_TOKEN (from @BotFather), and for webhook mode
    SELFSERVICE_TELEGRAM_WEBHOOK_URL and SELFSERVICE_TELEGRAM_WEBHOOK_SECRET.
    """


def _configured() -> Settings:
    settings = load_settings()
    if not settings.telegram_bot_token:
        raise click.ClickException("set SELFSERVICE_TELEGRAM_BOT_TOKEN (the token @BotFather "
                                   "gave the bot) first")
    return settings


def _bot_api(settings: Settings, call: Callable[[], T]) -> T:
    """``call``, with an unreachable or refusing Bot API said in one line, not a traceback."""
    try:
        return call()
    except (TelegramError, httpx.HTTPError) as error:
        raise click.ClickException(
            f"Bot API at {settings.telegram_api_url}: {error}") from None


@telegram.command("poll")
@click.option("--once", is_flag=True, help="Fetch once, answer, and exit (for tests and cron).")
@click.option("--timeout", type=click.IntRange(0, 50), default=25, show_default=True,
              help="Seconds each getUpdates waits for new messages (long polling).")
@click.option("-v", "--verbose", is_flag=True, help="Log what the bot does.")
def poll(once: bool, timeout: int, verbose: bool) -> None:
    """Run the bot by long polling: for installations without a public HTTPS URL.

    Fetches updates from Telegram, stores each before acknowledging it, answers through
    the outbox (retries, Telegram's 429 retry_after respected) and sends ticket updates.
    Telegram refuses long polling while a webhook is set: `set-webhook --delete` first.
    Stop with Ctrl-C or SIGTERM; nothing received is lost.

    \b
    Examples:
      selfservice telegram poll
      selfservice telegram poll --once -v
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = _configured()
    server.prepare(settings)
    server.prepare_database(settings)
    stop = asyncio.Event()
    if not once:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    handled = _bot_api(settings, lambda: poll_from_settings(settings, once=once,
                                                            timeout=timeout, stop=stop))
    if once:
        click.echo(f"{handled} update(s) handled")


@telegram.command("set-webhook")
@click.option("--delete", is_flag=True, help="Remove the webhook (back to `telegram poll`).")
def set_webhook_command(delete: bool) -> None:
    """Tell Telegram to post updates to this service's /telegram/webhook.

    Uses SELFSERVICE_TELEGRAM_WEBHOOK_URL (public HTTPS, ending in /telegram/webhook) and
    SELFSERVICE_TELEGRAM_WEBHOOK_SECRET (Telegram sends it back in a header; the service
    refuses updates without it). `selfservice serve` then answers the chats itself.

    \b
    Examples:
      selfservice telegram set-webhook
      selfservice telegram set-webhook --delete
    """
    settings = _configured()
    if not delete and not (settings.telegram_webhook_url and settings.telegram_webhook_secret):
        raise click.ClickException("set SELFSERVICE_TELEGRAM_WEBHOOK_URL and "
                                   "SELFSERVICE_TELEGRAM_WEBHOOK_SECRET first")
    _bot_api(settings, lambda: asyncio.run(set_webhook(settings, delete=delete)))
    click.echo("webhook removed: run `selfservice telegram poll`" if delete else
               f"webhook set: {settings.telegram_webhook_url}")


@telegram.command("link-code")
@click.option("--org", "org_id", required=True, help="The contact's organisation.")
@click.option("--email", required=True, help="The contact's e-mail.")
@click.option("--mail", "send_mail", is_flag=True, help="Also e-mail the code to the contact.")
def link_code(org_id: str, email: str, send_mail: bool) -> None:
    """A short-lived code that links a contact's Telegram account (they send /start CODE).

    The widget gives signed-in contacts their own code ("My tickets" → "Connect
    Telegram"); this is for support, e.g. on the phone, or by e-mail with --mail.

    \b
    Examples:
      selfservice telegram link-code --org acme --email anna@acme.example --mail
    """
    settings = _configured()  # a code for a bot that does not exist helps nobody
    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade_engine(engine)
        contact = portal.authorised_contact(engine, org_id=org_id, email=email)
        if contact is None:
            raise click.ClickException(f"{email} is no authorised contact of {org_id}")
        now = utc_now()
        issued = telegram_accounts.issue_code(engine, contact_id=contact.id or 0, now=now,
                                              minutes=settings.telegram_link_code_minutes)
        if send_mail:
            telegram_accounts.mail_code(engine, contact_id=contact.id or 0, issued=issued,
                                        bot=settings.telegram_bot_username, now=now)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    finally:
        engine.dispose()
    click.echo(f"code {issued.code}, valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC: "
               f"send /start {issued.code} to the bot"
               + (f" (https://t.me/{settings.telegram_bot_username}?start={issued.code})"
                  if settings.telegram_bot_username else ""))
    if send_mail:
        click.echo(f"e-mail to {contact.email} queued (the server or `selfservice worker` "
                   "sends it)")
