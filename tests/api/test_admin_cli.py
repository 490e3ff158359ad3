"""Administration from the command line, on a SQLite file (migrated on first use)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import Session, select

from selfservice.cli import main
from selfservice.config.settings import load_settings
from selfservice.db.engine import make_engine
from selfservice.db.models import Contact, Engineer, Organisation
from selfservice.run.server import prepare_database
from selfservice.services.admin import engineer_by_token
from selfservice.services.demo import DEMO_CONTACT, DEMO_ORG
from selfservice.web.identity import OrgKeys, StaticDirectory, authenticate


@pytest.fixture
def cli(tmp_path: Path) -> CliRunner:
    return CliRunner(env={"SELFSERVICE_DATABASE_URL": f"sqlite:///{tmp_path / 'admin.db'}"})


def run(cli: CliRunner, *args: str) -> Result:
    result = cli.invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


def org_row(url: str, org_id: str) -> Organisation:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            org = session.get(Organisation, org_id)
            assert org is not None
            return org
    finally:
        engine.dispose()


def test_org_contact_engineer_and_token(cli: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    added = run(
        cli,
        "org",
        "add",
        "acme",
        "--name",
        "ACME Ltd",
        "--contract",
        "C-17",
        "--time-zone",
        "Europe/Moscow",
        "--phone",
        "+7 495 000-00-00",
        "--origin",
        "https://Portal.Acme.example/",
    )
    secret = added.output.split("token secret: ")[1].strip()
    org = org_row(url, "acme")
    assert (org.token_secret, org.portal_origins) == (secret, ["https://portal.acme.example"])

    run(
        cli,
        "contact",
        "add",
        "--org",
        "acme",
        "--email",
        "Anna@Acme.example",
        "--name",
        "Anna",
        "--language",
        "ru",
    )
    run(
        cli,
        "contact",
        "add",
        "--org",
        "acme",
        "--email",
        "guest@acme.example",
        "--name",
        "G",
        "--not-authorised",
    )
    engineer = run(
        cli,
        "engineer",
        "add",
        "--name",
        "Lena",
        "--email",
        "lena@support.example",
        "--role",
        "L1",
        "--group",
        "service-desk",
    )
    api_token = engineer.output.split("API token: ")[1].strip()
    engine = make_engine(url)
    try:
        found = engineer_by_token(engine, token=api_token)
        assert found is not None and found.group_id == "service-desk"
        with Session(engine) as session:
            emails = set(session.exec(select(Contact.email)))
            assert emails == {"anna@acme.example", "guest@acme.example"}
            assert len(list(session.exec(select(Engineer)))) == 1
    finally:
        engine.dispose()

    token = run(
        cli, "token", "--org", "acme", "--contact", "anna@acme.example", "--ttl", "600"
    ).output.strip()
    directory = StaticDirectory(
        keys={"acme": OrgKeys("acme", secret)}, contacts={"acme": frozenset({"anna@acme.example"})}
    )
    identity = authenticate(token, directory, now=datetime.now(UTC))
    assert identity.email == "anna@acme.example"
    assert (identity.expires_at - datetime.now(UTC)).total_seconds() <= 600


def test_refusals_are_clear(cli: CliRunner) -> None:
    run(cli, "org", "add", "acme", "--name", "ACME", "--contract", "C-1")
    cases = [
        (["org", "add", "acme", "--name", "again", "--contract", "C-2"], "exists"),
        (["org", "add", "x", "--name", "X", "--contract", "C", "--time-zone", "Mars/Base"],
         "time zone"),
        (["org", "add", "y", "--name", "Y", "--contract", "C", "--origin", "*"], "origin"),
        (["contact", "add", "--org", "nope", "--email", "a@b.example", "--name", "A"],
         "no organisation"),
        (["engineer", "add", "--name", "E", "--email", "e@x.example", "--role", "L2",
          "--group", "no-such-group"], "no support group"),
        (["token", "--org", "nope", "--contact", "a@b.example"], "no organisation"),
        (["token", "--org", "acme", "--contact", "a@b.example"], "not an authorised contact"),
        (["token", "--org", "acme", "--contact", "a@b.example", "--ttl", "86400"], "7200"),
        (["org", "add", "z", "--name", "Z", "--contract", "C", "--portal-url", "portal/{number}"],
         "portal URL"),
        (["org", "set-portal-url", "acme", "javascript:alert(1)"], "portal URL"),
        (["org", "set-portal-url", "nope", "https://p.example/"], "no organisation"),
    ]  # fmt: skip
    for args, words in cases:
        result = cli.invoke(main, args)
        assert result.exit_code != 0, args
        assert words in result.output, (args, result.output)


def test_the_portal_url_is_set_at_add_and_changed_later(cli: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    run(cli, "org", "add", "acme", "--name", "ACME", "--contract", "C-1", "--portal-url",
        "https://portal.acme.example/t/{number}")
    assert org_row(url, "acme").portal_url == "https://portal.acme.example/t/{number}"
    changed = run(cli, "org", "set-portal-url", "acme", "https://help.acme.example/{number}")
    assert "https://help.acme.example/{number}" in changed.output
    assert org_row(url, "acme").portal_url == "https://help.acme.example/{number}"
    run(cli, "org", "set-portal-url", "acme", "")
    assert org_row(url, "acme").portal_url is None  # the configured fallback again


def test_rotate_secret_keeps_the_old_one_for_the_grace_period(
    cli: CliRunner, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    first = run(cli, "org", "add", "acme", "--name", "ACME", "--contract", "C-1")
    old = first.output.split("token secret: ")[1].strip()
    rotated = run(cli, "org", "rotate-secret", "acme", "--grace-days", "2")
    new = rotated.output.split("token secret: ")[1].splitlines()[0].strip()
    assert new != old and "stays valid until" in rotated.output
    org = org_row(url, "acme")
    assert (org.token_secret, org.previous_token_secret) == (new, old)


def test_demo_seeding_is_idempotent(tmp_path: Path) -> None:
    env = {"SELFSERVICE_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    settings = load_settings(env)
    first = prepare_database(settings, demo=True)
    assert first.demo is not None
    assert f"organisation {DEMO_ORG}" in first.demo.created
    assert f"contact {DEMO_CONTACT}" in first.demo.created
    assert set(first.demo.engineer_tokens) == {
        "l1@demo.example",
        "l2@demo.example",
        "l3@demo.example",
    }
    second = prepare_database(settings, demo=True)
    assert second.demo is not None
    assert (second.demo.created, second.demo.engineer_tokens) == ([], {})
    assert second.demo.org.token_secret == first.demo.org.token_secret
    token = CliRunner(env=env).invoke(
        main, ["token", "--org", "demo", "--contact", "demo@example.com"]
    )
    assert token.exit_code == 0 and token.output.count(".") == 2


def test_help_teaches() -> None:
    runner = CliRunner()
    for args in (
        ["org", "add"],
        ["org", "rotate-secret"],
        ["contact", "add"],
        ["engineer", "add"],
        ["token"],
        ["serve"],
    ):
        result = runner.invoke(main, [*args, "--help"])
        assert result.exit_code == 0 and "Example" in result.output, args
    assert "--demo" in runner.invoke(main, ["serve", "--help"]).output
