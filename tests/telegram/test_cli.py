"""``selfservice telegram``: link-code (printed, e-mailed), set-webhook and poll, against the
fake Bot API."""

from pathlib import Path

from click.testing import CliRunner
from fake_bot_api import FakeBotApi
from sqlalchemy import Engine, select
from sqlmodel import Session
from support.processes import free_port

from selfservice.cli import main
from selfservice.db.models import Contact, OutboxMessage, TelegramLink


def env_of(engine: Engine, fake: FakeBotApi, tmp_path: Path, kb: Path) -> dict[str, str]:
    return {
        "SELFSERVICE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "SELFSERVICE_TELEGRAM_BOT_TOKEN": fake.token,
        "SELFSERVICE_TELEGRAM_API_URL": fake.url,
        "SELFSERVICE_TELEGRAM_BOT_USERNAME": "support_bot",
        "SELFSERVICE_TELEGRAM_WEBHOOK_URL": "https://support.example/telegram/webhook",
        "SELFSERVICE_TELEGRAM_WEBHOOK_SECRET": "s3cret-token",
        "SELFSERVICE_KB_DIR": str(kb),
        "SELFSERVICE_INDEX_DIR": str(tmp_path / "index"),
        "SELFSERVICE_SEARCH_MEANING": "off",
    }


def test_link_code_set_webhook_and_poll(
    engine: Engine, fake: FakeBotApi, contacts: dict[str, Contact], tmp_path: Path,
    fixture_kb: Path,
) -> None:
    runner = CliRunner()
    env = env_of(engine, fake, tmp_path, fixture_kb)
    issued = runner.invoke(main, ["telegram", "link-code", "--org", "acme", "--email",
                                  "ivan@acme.example", "--mail"], env=env)
    assert issued.exit_code == 0, issued.output
    code = issued.output.split()[1].rstrip(",")
    assert f"https://t.me/support_bot?start={code}" in issued.output
    with Session(engine) as session:
        mail = session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "telegram_code")).one()
    assert mail.to_addr == "ivan@acme.example"
    assert mail.subject == "Ваш код для подключения Telegram" and f"/start {code}" in mail.body

    refused = runner.invoke(main, ["telegram", "link-code", "--org", "globex", "--email",
                                   "ivan@acme.example"], env=env)
    assert refused.exit_code != 0 and "no authorised contact" in refused.output

    hooked = runner.invoke(main, ["telegram", "set-webhook"], env=env)
    assert hooked.exit_code == 0, hooked.output
    [call] = fake.of("setWebhook")
    assert call.params["url"] == "https://support.example/telegram/webhook"
    assert call.params["secret_token"] == "s3cret-token"

    fake.updates.append({"update_id": 77, "message": {
        "message_id": 1, "date": 1_796_000_000, "chat": {"id": 601, "type": "private"},
        "from": {"id": 601, "is_bot": False, "first_name": "I", "language_code": "ru"},
        "text": f"/start {code}",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}})
    polled = runner.invoke(main, ["telegram", "poll", "--once"], env=env)
    assert polled.exit_code == 0, polled.output
    assert "1 update(s) handled" in polled.output
    assert fake.messages_to(601)[0].text.startswith("Здравствуйте, Иван! Ваш Telegram привязан.")
    with Session(engine) as session:
        assert session.get(TelegramLink, 601) is not None


def test_commands_need_a_token(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["telegram", "poll", "--once"],
                           env={"SELFSERVICE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.exit_code != 0
    assert "SELFSERVICE_TELEGRAM_BOT_TOKEN" in result.output


def test_no_link_code_without_a_bot(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["telegram", "link-code", "--org", "acme", "--email",
                                       "ivan@acme.example"],
                                env={"SELFSERVICE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.exit_code == 1
    assert "SELFSERVICE_TELEGRAM_BOT_TOKEN" in result.output


def test_an_unreachable_bot_api_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["telegram", "set-webhook", "--delete"], env={
        "SELFSERVICE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "SELFSERVICE_TELEGRAM_BOT_TOKEN": "123:abc",
        "SELFSERVICE_TELEGRAM_API_URL": f"http://127.0.0.1:{free_port()}"})
    assert result.exit_code == 1
    assert result.output.startswith("Error: Bot API at http://127.0.0.1:")
    assert "Traceback" not in result.output and len(result.output.splitlines()) == 1
