"""Settings: the only module that reads environment variables (``SELFSERVICE_*``).

Every setting has an embedded default so the product runs with none set. The README's
settings table lists each one; ``tests/test_docs.py`` keeps the two in step.

``Settings(...)`` is the defaults plus what the caller passes (tests build one in a line);
only :func:`load_settings` reads the environment, through pydantic-settings' environment
source, and turns a bad value into one line naming the variable and the reason.
"""

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from selfservice.channels.mail_attachments import DEFAULT_TYPES, AttachmentLimits

PREFIX = "SELFSERVICE_"
#: Settings whose value an error message must not repeat.
SECRET_SETTINGS = frozenset({"smtp_password", "telegram_bot_token", "telegram_webhook_secret"})
#: Settings that were renamed: an installation still setting the old name is told, rather
#: than silently running on the new one's default.
RENAMED = {"MAIL_MAX_ATTACHMENT_BYTES": "ATTACHMENT_MAX_BYTES"}


class SettingsError(ValueError):
    """A SELFSERVICE_* variable holds a value the setting cannot take (the message names it)."""


def _on_off(value: object) -> object:
    """``on``/``off`` from the environment; a bool from code passes through."""
    if isinstance(value, str):
        if value not in {"on", "off"}:
            raise ValueError("must be on or off")
        return value == "on"
    return value


def _zone(value: object) -> object:
    """An IANA time zone name from the environment; a ZoneInfo from code passes through."""
    if isinstance(value, str):
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone name such as Europe/Moscow") from None
    return value


def _bot_name(value: object) -> object:
    """A bot's user name, with or without the @ Telegram shows before it."""
    if isinstance(value, str):
        value = value.strip().removeprefix("@")
        if value and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{4,31}", value):
            raise ValueError("must be the bot's user name, 5 to 32 letters, digits or _")
    return value


def _webhook_url(value: object) -> object:
    if isinstance(value, str) and value and not (
            value.startswith("https://") and value.rstrip("/").endswith("/telegram/webhook")):
        raise ValueError("must be a public https:// URL ending in /telegram/webhook")
    return value


def _webhook_secret(value: object) -> object:
    if isinstance(value, str) and not re.fullmatch(r"[A-Za-z0-9_-]{0,256}", value):
        raise ValueError("must be 1 to 256 characters of A-Z a-z 0-9 _ -")
    return value


OnOff = Annotated[bool, BeforeValidator(_on_off)]
Port = Annotated[int, Field(ge=1, le=65535)]
Count = Annotated[int, Field(ge=1)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, frozen=True,
                                      extra="forbid")

    #: SQLAlchemy URL of the database (SQLite file by default, PostgreSQL in production).
    database_url: str = "sqlite:///./var/selfservice.db"
    #: Folder with the knowledge base (articles, request forms, services).
    kb_dir: Path = Path("./kb")
    #: Folder where the search index lives; built from kb_dir when missing.
    index_dir: Path = Path("./var/index")
    #: Support configuration (priority matrix, SLA, calendars, groups); empty = built-in default.
    config_file: Path | None = None
    #: Outbound mail.
    smtp_host: str = "127.0.0.1"
    smtp_port: Port = 25
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_user: str | None = None
    smtp_password: str | None = None
    mail_from: str = "support@selfservice.local"
    #: Base URL of the public knowledge-base site, for article links in API answers.
    kb_site_url: str = "/kb/"
    #: The built public site (``mkdocs build``); ``selfservice serve`` serves it at /kb/.
    site_dir: Path = Path("./site")
    #: Origins (comma-separated) allowed to call the API from a browser, for every org.
    cors_origins: str = ""
    #: Largest request body the API reads, in bytes.
    max_body_bytes: Count = 65536
    #: Public API rate limit per client IP: sustained requests a minute, and burst.
    rate_limit_per_minute: Count = 120
    rate_limit_burst: Count = 30
    #: Monitoring alerts: the mapping of alerts to service, impact and urgency (YAML);
    #: empty = the built-in ``defaults/alert_mapping.yml``.
    alert_mapping: Path | None = None
    #: Inbound e-mail: the largest message the SMTP gateway accepts, in bytes.
    mail_max_message_bytes: Count = 40 * 1024 * 1024
    #: Attachments (customers' uploads and inbound e-mail alike): the largest file, the
    #: largest total and the most files of one ticket, reply or e-mail.
    attachment_max_bytes: Count = 10 * 1024 * 1024
    attachment_max_total_bytes: Count = 25 * 1024 * 1024
    attachment_max_count: Count = 10
    #: Allowed extensions (``.log``) and, for names without one, content types
    #: (``image/png``), comma-separated; ``*`` allows any type.
    attachment_types: str = ",".join(DEFAULT_TYPES)
    #: Where uploaded files are kept: empty = in the database, else this folder.
    attachment_dir: Path | None = None
    #: A virus scanner run on each file's bytes (stdin), e.g. ``clamdscan --no-summary -``;
    #: a non-zero exit refuses the file. Empty: no scan.
    attachment_scan_command: str = ""
    #: Inbound e-mail from an address that is no authorised contact: ``off`` (no answer)
    #: or ``authenticated`` (instructions, when the trusted MTA's Authentication-Results
    #: say the From domain passed DMARC or aligned SPF).
    mail_unknown_sender_reply: Literal["off", "authenticated"] = "off"
    #: The authserv-id of that trusted MTA (the first word of its Authentication-Results).
    mail_authserv_id: str = ""
    #: At most this many answers to unknown senders an hour (one per address a day).
    mail_unknown_sender_replies_per_hour: Annotated[int, Field(ge=0)] = 20
    #: The embeddable widget's files (loader, chat frame); empty = the ones shipped with us.
    widget_dir: Path | None = None
    #: Search by meaning as well as by words (the multilingual sentence model: its 72 MB
    #: file is memory-mapped and shared, 20-70 MB a process); off ranks by words only.
    search_meaning: OnOff = True
    #: A search that waited longer than this many milliseconds for a free search thread
    #: is ranked by words only, so a burst cannot queue searches for seconds.
    search_meaning_max_wait_ms: Annotated[int, Field(ge=1, le=60_000)] = 20
    #: One log line per HTTP request (uvicorn's access log). Off behind a reverse proxy
    #: that logs requests itself: the line costs a sixth of a words-only search's CPU.
    access_log: OnOff = True
    #: The time zone the staff console shows times in (an IANA name: ``Europe/Moscow``).
    console_time_zone: Annotated[ZoneInfo, BeforeValidator(_zone)] = ZoneInfo("UTC")
    #: The Telegram bot's token from @BotFather; empty = no Telegram channel.
    telegram_bot_token: str = ""
    #: The bot's user name (without @), for the t.me link next to a link code.
    telegram_bot_username: Annotated[str, BeforeValidator(_bot_name)] = ""
    #: The Bot API server (a self-hosted one, or a test's fake).
    telegram_api_url: str = "https://api.telegram.org"
    #: The public HTTPS URL Telegram posts updates to (``.../telegram/webhook``), for
    #: ``selfservice telegram set-webhook``; empty = long polling (``telegram poll``).
    telegram_webhook_url: Annotated[str, BeforeValidator(_webhook_url)] = ""
    #: The secret Telegram sends in X-Telegram-Bot-Api-Secret-Token; the webhook refuses
    #: updates without it (1-256 characters A-Z, a-z, 0-9, _ and -).
    telegram_webhook_secret: Annotated[str, BeforeValidator(_webhook_secret)] = ""
    #: How long a link code from the widget or an e-mail stays valid, in minutes.
    telegram_link_code_minutes: Annotated[int, Field(ge=1, le=1440)] = 15

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        *args: PydanticBaseSettingsSource, **kwargs: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Building Settings(...) never reads the environment; load_settings does.
        return (init_settings,)

    def attachment_limits(self) -> AttachmentLimits:
        """The limits of attachments, one set for e-mail and uploads."""
        types = tuple(t.strip().lower() for t in self.attachment_types.split(",") if t.strip())
        return AttachmentLimits(
            max_attachment_bytes=self.attachment_max_bytes,
            max_total_bytes=max(self.attachment_max_total_bytes, self.attachment_max_bytes),
            max_attachments=self.attachment_max_count, types=types,
        )

    @model_validator(mode="after")
    def _answers_need_the_mta(self) -> "Settings":
        if self.mail_unknown_sender_reply == "authenticated" and not self.mail_authserv_id:
            raise ValueError(f"{PREFIX}MAIL_UNKNOWN_SENDER_REPLY=authenticated needs "
                             f"{PREFIX}MAIL_AUTHSERV_ID, the authserv-id of the MTA that "
                             "checks SPF and DMARC")
        return self


class _Environment(EnvSettingsSource):
    """The environment source over a given mapping (``os.environ`` or a test's dict)."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(Settings)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {k.lower(): v for k, v in self._environ.items() if v != ""}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from ``SELFSERVICE_*`` variables; a bad value raises SettingsError."""
    env = os.environ if environ is None else environ
    renamed = [f"{PREFIX}{old}: renamed to {PREFIX}{new}; set that instead"
               for old, new in RENAMED.items() if env.get(PREFIX + old)]
    if renamed:
        raise SettingsError("\n".join(renamed))
    raw = _Environment(env)()
    try:
        return Settings(**raw)
    except ValidationError as error:
        raise SettingsError("\n".join(_describe(e, raw) for e in error.errors())) from None


def _describe(error: ErrorDetails, raw: Mapping[str, Any]) -> str:
    """``SELFSERVICE_SMTP_PORT: must be a port number 1 to 65535, got '0'``."""
    ctx = error.get("ctx") or {}
    if not error["loc"]:
        return str(ctx.get("error", error["msg"]))
    name = str(error["loc"][0])
    reasons = {
        "int_parsing": "must be a whole number",
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "literal_error": f"must be {str(ctx.get('expected', '')).replace(chr(39), '')}",
        "value_error": str(ctx.get("error", "")),
    }
    reason = reasons.get(error["type"], error["msg"])
    if name == "smtp_port" and error["type"] != "int_parsing":
        reason = "must be a port number, 1 to 65535"
    if name in SECRET_SETTINGS:  # never print a secret, not even a wrong one
        return f"{PREFIX}{name.upper()}: {reason} (got {len(str(raw.get(name)))} characters)"
    return f"{PREFIX}{name.upper()}: {reason}, got {raw.get(name)!r}"
