"""A bad SELFSERVICE_* value is one line naming the variable, the reason and the value."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from selfservice.cli import main
from selfservice.config.settings import Settings, SettingsError, load_settings


def test_defaults_and_values_from_the_environment() -> None:
    assert load_settings({}) == Settings()
    settings = load_settings({
        "SELFSERVICE_KB_DIR": "/srv/kb", "SELFSERVICE_SMTP_PORT": "587",
        "SELFSERVICE_CONFIG_FILE": "", "SELFSERVICE_SEARCH_MEANING": "off",
        "SELFSERVICE_TEST_PG_URL": "not a setting", "HOME": "/root",
    })  # fmt: skip
    assert settings.kb_dir == Path("/srv/kb")
    assert settings.smtp_port == 587
    assert settings.config_file is None  # empty = the default
    assert settings.search_meaning is False
    assert load_settings({"SELFSERVICE_TELEGRAM_BOT_USERNAME": "@acme_bot"}
                         ).telegram_bot_username == "acme_bot"  # as Telegram shows it


def test_building_settings_in_code_never_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SELFSERVICE_KB_DIR", "/elsewhere")
    assert Settings().kb_dir == Path("./kb")
    assert load_settings().kb_dir == Path("/elsewhere")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SMTP_PORT", "smtp", "SELFSERVICE_SMTP_PORT: must be a whole number, got 'smtp'"),
        ("SMTP_PORT", "70000", "SELFSERVICE_SMTP_PORT: must be a port number, 1 to 65535, "
                               "got '70000'"),
        ("SMTP_SECURITY", "ssl", "SELFSERVICE_SMTP_SECURITY: must be none, starttls or tls, "
                                 "got 'ssl'"),
        ("MAX_BODY_BYTES", "0", "SELFSERVICE_MAX_BODY_BYTES: must be at least 1, got '0'"),
        ("SEARCH_MEANING", "yes", "SELFSERVICE_SEARCH_MEANING: must be on or off, got 'yes'"),
        ("ACCESS_LOG", "quiet", "SELFSERVICE_ACCESS_LOG: must be on or off, got 'quiet'"),
        ("SEARCH_MEANING_MAX_WAIT_MS", "0",
         "SELFSERVICE_SEARCH_MEANING_MAX_WAIT_MS: must be at least 1, got '0'"),
        ("MAIL_UNKNOWN_SENDER_REPLY", "always",
         "SELFSERVICE_MAIL_UNKNOWN_SENDER_REPLY: must be off or authenticated, got 'always'"),
        ("CONSOLE_TIME_ZONE", "Moscow", "SELFSERVICE_CONSOLE_TIME_ZONE: must be an IANA time "
                                        "zone name such as Europe/Moscow, got 'Moscow'"),
        ("TELEGRAM_WEBHOOK_SECRET", "not secret!", "SELFSERVICE_TELEGRAM_WEBHOOK_SECRET: must "
         "be 1 to 256 characters of A-Z a-z 0-9 _ - (got 11 characters)"),
        ("TELEGRAM_WEBHOOK_URL", "http://support.example/telegram/webhook",
         "SELFSERVICE_TELEGRAM_WEBHOOK_URL: must be a public https:// URL ending in "
         "/telegram/webhook, got 'http://support.example/telegram/webhook'"),
        ("TELEGRAM_LINK_CODE_MINUTES", "100000",
         "SELFSERVICE_TELEGRAM_LINK_CODE_MINUTES: must be at most 1440, got '100000'"),
        ("MAIL_MAX_ATTACHMENT_BYTES", "5000000", "SELFSERVICE_MAIL_MAX_ATTACHMENT_BYTES: "
         "renamed to SELFSERVICE_ATTACHMENT_MAX_BYTES; set that instead"),
    ],
)
def test_a_bad_value_names_the_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({f"SELFSERVICE_{variable}": value})
    assert str(info.value) == message


def test_every_bad_value_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({"SELFSERVICE_SMTP_PORT": "x", "SELFSERVICE_RATE_LIMIT_BURST": "1.5"})
    assert str(info.value).splitlines() == [
        "SELFSERVICE_SMTP_PORT: must be a whole number, got 'x'",
        "SELFSERVICE_RATE_LIMIT_BURST: must be a whole number, got '1.5'",
    ]


def test_the_cli_says_it_in_one_line_without_a_traceback() -> None:
    result = CliRunner().invoke(main, ["config", "check"], env={"SELFSERVICE_SMTP_PORT": "x"})
    assert result.exit_code == 1
    assert result.output == "Error: SELFSERVICE_SMTP_PORT: must be a whole number, got 'x'\n"
