"""``selfservice mail ingest`` (the MTA pipe) and ``selfservice mail process-pending``."""

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from intake_helpers import MAIL_DIR, REPO, inbound, message, require, tickets
from sqlalchemy import Engine
from ticket_helpers import T0, World

from selfservice.cli import main
from selfservice.services import inbound_mail


@pytest.fixture
def run(db_url: str, engine: Engine) -> Any:
    def invoke(*args: str, stdin: bytes | None = None) -> tuple[int, list[dict[str, Any]]]:
        env = {"SELFSERVICE_DATABASE_URL": db_url, "SELFSERVICE_KB_DIR": str(REPO / "kb")}
        result = CliRunner().invoke(main, list(args), input=stdin, env=env)
        lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        return result.exit_code, lines

    return invoke


def test_ingest_a_file_then_the_same_message_from_stdin(
    engine: Engine, world: World, run: Any, tmp_path: Path
) -> None:
    raw = message(sender="john@acme.example", subject="VPN is down",
                  body="Nobody can connect to the VPN since 9:00.",
                  headers={"Message-ID": "<vpn-1@acme.example>"}).as_bytes()
    file = tmp_path / "vpn.eml"
    file.write_bytes(raw)
    code, [first] = run("mail", "ingest", str(file), "--sender", "john@acme.example")
    assert code == 0
    [ticket] = tickets(engine)
    assert first == {"outcome": "ticket", "ticket": ticket.number, "reason": first["reason"]}
    assert "new ticket from john@acme.example" in first["reason"]

    code, [again] = run("mail", "ingest", "-", stdin=raw)
    assert code == 0 and again["outcome"] == "ignored" and again["ticket"] == ticket.number
    assert "duplicate" in again["reason"]
    assert len(tickets(engine)) == 1 and len(inbound(engine)) == 1
    assert inbound(engine)[0].via == "pipe"


def test_ingest_a_bounce_from_the_null_sender(engine: Engine, world: World, run: Any) -> None:
    raw = (require(MAIL_DIR) / "flanker-bounce-delayed.eml").read_bytes()
    code, [outcome] = run("mail", "ingest", "-", "--sender", "", stdin=raw)
    assert code == 0
    assert outcome["outcome"] == "ignored" and outcome["ticket"] is None
    assert outcome["reason"].startswith("bounce")
    assert tickets(engine) == []


def test_process_pending_finds_what_was_stored_but_never_processed(
    engine: Engine, world: World, run: Any
) -> None:
    raw = message(sender="ivan@acme.example", subject="Диск заполнен",
                  body="На сервере db-1 закончилось место на диске.").as_bytes()
    stored = inbound_mail.store(engine, raw=raw, via="smtp", now=T0,
                                envelope_from="ivan@acme.example")  # then the process died
    code, [outcome] = run("mail", "process-pending")
    assert code == 0
    assert outcome["message"] == stored.id and outcome["outcome"] == "ticket"
    code, again = run("mail", "process-pending")
    assert code == 0 and again == []
    assert len(tickets(engine)) == 1


def test_ingest_refuses_with_tempfail_when_it_cannot_store(tmp_path: Path) -> None:
    env = {"SELFSERVICE_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    result = CliRunner().invoke(main, ["mail", "ingest", "-"], input=b"Subject: x\n\ny\n",
                                env=env)
    assert result.exit_code == 75  # EX_TEMPFAIL: the MTA keeps the message and retries
    assert "could not store" in result.stderr


def test_the_mail_commands_explain_themselves() -> None:
    runner = CliRunner()
    for args in (["mail-gateway", "--help"], ["mail", "ingest", "--help"],
                 ["mail", "process-pending", "--help"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0 and "Example" in result.output, args
