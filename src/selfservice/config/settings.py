"""Settings: the only module that reads environment variables.

Every setting has an embedded default so the product runs with none set. The README's
settings table lists each one; ``tests/test_docs.py`` keeps the two in step.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

PREFIX = "SELFSERVICE_"


class SettingsError(ValueError):
    """A SELFSERVICE_* variable holds a value the setting cannot take (the message names it)."""


@dataclass(frozen=True)
class Settings:
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
    smtp_port: int = 25
    smtp_security: str = "none"  # none | starttls | tls
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
    max_body_bytes: int = 65536
    #: Public API rate limit per client IP: sustained requests a minute, and burst.
    rate_limit_per_minute: int = 120
    rate_limit_burst: int = 30
    #: Monitoring alerts: the mapping of alerts to service, impact and urgency (YAML);
    #: empty = the built-in ``defaults/alert_mapping.yml``.
    alert_mapping: Path | None = None
    #: Inbound e-mail: the largest message the SMTP gateway accepts, in bytes.
    mail_max_message_bytes: int = 40 * 1024 * 1024
    #: Inbound e-mail: the largest attachment stored; larger ones are noted and dropped.
    mail_max_attachment_bytes: int = 10 * 1024 * 1024
    #: Inbound e-mail from an address that is no authorised contact: ``off`` (no answer)
    #: or ``authenticated`` (instructions, when the trusted MTA's Authentication-Results
    #: say the From domain passed DMARC or aligned SPF).
    mail_unknown_sender_reply: str = "off"
    #: The authserv-id of that trusted MTA (the first word of its Authentication-Results).
    mail_authserv_id: str = ""
    #: At most this many answers to unknown senders an hour (one per address a day).
    mail_unknown_sender_replies_per_hour: int = 20
    #: The embeddable widget's files (loader, chat frame); empty = the ones shipped with us.
    widget_dir: Path | None = None
    #: Search by meaning as well as by words (the English sentence model, about 400 MB
    #: of memory a process); off ranks by words only.
    search_meaning: bool = True


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from ``SELFSERVICE_*`` variables; a bad value raises SettingsError."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = env.get(PREFIX + f.name.upper())
        if raw is None or raw == "":
            continue
        if f.name in {"kb_dir", "index_dir", "config_file", "site_dir", "alert_mapping",
                      "widget_dir"}:
            values[f.name] = Path(raw)
        elif f.name == "smtp_port":
            try:
                values[f.name] = int(raw)
            except ValueError:
                raise SettingsError(f"{PREFIX}SMTP_PORT: not a port number: {raw!r}") from None
        elif f.type is int:
            try:
                values[f.name] = int(raw)
            except ValueError:
                name = PREFIX + f.name.upper()
                raise SettingsError(f"{name}: not a whole number: {raw!r}") from None
        elif f.type is bool:
            if raw not in {"on", "off"}:
                name = PREFIX + f.name.upper()
                raise SettingsError(f"{name}: must be on or off, got {raw!r}")
            values[f.name] = raw == "on"
        elif f.name == "smtp_security":
            if raw not in {"none", "starttls", "tls"}:
                raise SettingsError(
                    f"{PREFIX}SMTP_SECURITY: must be none, starttls or tls, got {raw!r}"
                )
            values[f.name] = raw
        elif f.name == "mail_unknown_sender_reply":
            if raw not in {"off", "authenticated"}:
                raise SettingsError(f"{PREFIX}MAIL_UNKNOWN_SENDER_REPLY: must be off or "
                                    f"authenticated, got {raw!r}")
            values[f.name] = raw
        else:
            values[f.name] = raw
    settings = Settings(**values)  # type: ignore[arg-type]
    if settings.mail_unknown_sender_reply == "authenticated" and not settings.mail_authserv_id:
        raise SettingsError(f"{PREFIX}MAIL_UNKNOWN_SENDER_REPLY=authenticated needs "
                            f"{PREFIX}MAIL_AUTHSERV_ID, the authserv-id of the MTA that "
                            "checks SPF and DMARC")
    return settings
