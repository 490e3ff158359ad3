"""No backscatter: forged senders get nothing, authenticated strangers a capped answer that
never repeats what they wrote (SQLite and PostgreSQL)."""

import json
from datetime import timedelta
from email.utils import make_msgid

import pytest
from click.testing import CliRunner
from intake_helpers import (
    AUTHENTICATED,
    MX,
    REPO,
    Clock,
    dmarc_pass,
    inbound,
    make_intake,
    message,
    tickets,
)
from sqlalchemy import Engine
from ticket_helpers import T0, World, outbox_rows

from selfservice.channels.mail_auth import from_domain_authenticated, parse_authentication_results
from selfservice.cli import main
from selfservice.config.settings import SettingsError, load_settings
from selfservice.domain.config import SupportConfig
from selfservice.services.mail_intake import MailIntake
from selfservice.services.mail_unknown import UnknownSenderReplies

SPAM_SUBJECT = "Cheap pills at http://spam.example/buy"
SPAM_BODY = "Buy now at http://spam.example/buy - 90% off!"


def spam(sender: str, headers: dict[str, str] | None = None) -> bytes:
    return message(sender=sender, subject=SPAM_SUBJECT, body=SPAM_BODY,
                   headers={"Message-ID": make_msgid(), **(headers or {})}).as_bytes()


def flood(intake: MailIntake, headers_for: dict[int, dict[str, str]]) -> None:
    """61 messages from 30 forged From addresses (the attack of the report)."""
    for n in range(61):
        i = n % 30
        intake.receive(spam(f"victim{i}@victim{i}.example", headers_for.get(i)), via="test")


FORGED_HEADERS = {
    # what a spammer writes himself: our MTA's id is not there, or another MTA's is
    0: {"Authentication-Results": "spam-mx.example; dmarc=pass header.from=victim0.example"},
    1: {"Authentication-Results": "victim1.example; spf=pass smtp.mailfrom=victim1.example"},
    # what our MTA found: the domain failed, or a pass for the spammer's own domain
    2: {"Authentication-Results": f"{MX}; dmarc=fail (p=none) header.from=victim2.example"},
    3: {"Authentication-Results": f"{MX}; spf=pass smtp.mailfrom=bulk@spam.example;"
                                  " dmarc=none header.from=victim3.example"},
    4: {"Authentication-Results": f"{MX}; dmarc=pass header.from=spam.example"},
    5: {"Authentication-Results": f"{MX}; spf=softfail smtp.mailfrom=victim5.example"},
    6: {"Authentication-Results": f"{MX}; none"},
}


def test_forged_senders_get_no_answer_by_default(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    intake = make_intake(engine, config)
    flood(intake, {i: dmarc_pass(f"victim{i}.example") for i in range(30)})
    assert outbox_rows(engine) == [] and tickets(engine) == []
    rows = inbound(engine)
    assert len(rows) == 61 and {r.outcome for r in rows} == {"rejected"}
    assert all("answers to unknown senders are off" in (r.reason or "") for r in rows)


def test_forged_senders_get_no_answer_behind_a_checking_mta(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    intake = make_intake(engine, config, unknown_replies=AUTHENTICATED)
    flood(intake, FORGED_HEADERS)
    assert outbox_rows(engine) == []
    reasons = [r.reason or "" for r in inbound(engine)]
    assert all("not answered: sender not authenticated" in r for r in reasons), reasons


def test_authenticated_strangers_get_a_capped_answer_without_their_text(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    clock = Clock()
    policy = UnknownSenderReplies("authenticated", MX, per_hour=3)
    intake = make_intake(engine, config, clock=clock, unknown_replies=policy)
    for i in range(5):
        for _ in range(2):  # each writes twice: one answer a day
            intake.receive(spam(f"person{i}@org{i}.example", dmarc_pass(f"org{i}.example")),
                           via="test")
            clock.now += timedelta(minutes=1)
    answers = outbox_rows(engine)
    assert [a.to_addr for a in answers] == [f"person{i}@org{i}.example" for i in range(3)]
    for answer in answers:
        assert answer.kind == "intake_unknown_sender"
        assert "spam.example" not in answer.subject + answer.body
        assert "pills" not in answer.subject + answer.body and "90%" not in answer.body
        assert "contact persons" in answer.body and "контактных лиц" in answer.body
    reasons = [r.reason or "" for r in inbound(engine)]
    assert sum("already answered today" in r for r in reasons) == 2
    assert sum("3 answers to unknown senders in the last hour" in r for r in reasons) == 5

    clock.now = T0 + timedelta(hours=1, minutes=5)  # a new hour: person3 gets one now
    intake.receive(spam("person3@org3.example", dmarc_pass("org3.example")), via="test")
    assert outbox_rows(engine)[-1].to_addr == "person3@org3.example"
    clock.now += timedelta(minutes=1)  # person0 was answered today already
    intake.receive(spam("person0@org0.example", dmarc_pass("org0.example")), via="test")
    assert len(outbox_rows(engine)) == 4


def test_spf_aligned_with_the_from_domain_counts(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    intake = make_intake(engine, config, unknown_replies=AUTHENTICATED)
    header = {"Authentication-Results": f"{MX.upper()} 1; spf=pass (sender is designated)"
                                        " smtp.mailfrom=bounces@mail.org.example"}
    intake.receive(spam("someone@org.example", header), via="test")
    [answer] = outbox_rows(engine)
    assert answer.to_addr == "someone@org.example"
    assert "answered" in (inbound(engine)[0].reason or "")


@pytest.mark.parametrize(("header", "passed"), [
    (f"{MX}; dmarc=pass header.from=a.example", True),
    (f"{MX}; dmarc=pass", True),  # the MTA evaluated this message's From
    (f"{MX} (Postfix); dmarc=pass (p=reject dis=none) header.from=a.example", True),
    (f"{MX}; spf=pass smtp.mailfrom=a.example", True),
    (f"{MX}; spf=pass smtp.mailfrom=x@sub.a.example", True),
    (f"{MX}; spf=pass smtp.mailfrom=x@a.example.evil", False),
    (f"{MX}; spf=pass smtp.mailfrom=x@ba.example", False),
    (f"{MX}; dkim=pass header.d=a.example; dmarc=fail header.from=a.example", False),
    (f"{MX}; dmarc=pass header.from=b.example", False),
    (f"{MX}; dmarc=pass (header.from=a.example) header.from=b.example", False),
    ("other.mx; dmarc=pass header.from=a.example", False),
    (f"{MX} x; dmarc=pass header.from=a.example", False),  # not a version number
    (f"{MX}; none", False),
    ("", False),
])
def test_authentication_results_verdict(header: str, passed: bool) -> None:
    verdict = from_domain_authenticated([header], authserv_id=MX, from_address="me@a.example")
    assert verdict.passed is passed, verdict.reason


def test_authentication_results_parse_comments_and_properties() -> None:
    sid, results = parse_authentication_results(
        'MX.Test 1; spf=pass (ip (nested) ok) smtp.mailfrom="x@a.example";'
        " dkim=pass header.d=a.example header.s=sel; dmarc=pass header.from=A.example")
    assert sid == "mx.test"
    assert [(r.method, r.result) for r in results] == [
        ("spf", "pass"), ("dkim", "pass"), ("dmarc", "pass")]
    assert results[0].properties == {"smtp.mailfrom": "x@a.example"}
    assert results[2].properties == {"header.from": "a.example"}


def test_the_settings_switch_answers_on_for_the_mta_pipe(
    db_url: str, engine: Engine, world: World
) -> None:
    base = {"SELFSERVICE_DATABASE_URL": db_url, "SELFSERVICE_KB_DIR": str(REPO / "kb")}
    on = {**base, "SELFSERVICE_MAIL_UNKNOWN_SENDER_REPLY": "authenticated",
          "SELFSERVICE_MAIL_AUTHSERV_ID": MX}
    for env, sender in ((base, "a@org.example"), (on, "b@org.example")):
        raw = spam(sender, dmarc_pass("org.example"))
        result = CliRunner().invoke(main, ["mail", "ingest", "-", "--sender", sender],
                                    input=raw, env=env)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout.splitlines()[-1])["outcome"] == "rejected"
    assert [a.to_addr for a in outbox_rows(engine)] == ["b@org.example"]


def test_answers_need_the_trusted_mta_id() -> None:
    assert load_settings({}).mail_unknown_sender_reply == "off"
    with pytest.raises(SettingsError, match="MAIL_AUTHSERV_ID"):
        load_settings({"SELFSERVICE_MAIL_UNKNOWN_SENDER_REPLY": "authenticated"})
    with pytest.raises(SettingsError, match="off or authenticated"):
        load_settings({"SELFSERVICE_MAIL_UNKNOWN_SENDER_REPLY": "always"})
    settings = load_settings({"SELFSERVICE_MAIL_UNKNOWN_SENDER_REPLY": "authenticated",
                              "SELFSERVICE_MAIL_AUTHSERV_ID": MX,
                              "SELFSERVICE_MAIL_UNKNOWN_SENDER_REPLIES_PER_HOUR": "5"})
    assert UnknownSenderReplies.from_settings(settings) == UnknownSenderReplies(
        "authenticated", MX, 5)
