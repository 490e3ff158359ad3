"""What the contact receives, end to end: use case → outbox → worker → a real SMTP server
(aiosmtpd on loopback) → a reply back through the mail intake."""

from dataclasses import replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from intake_helpers import comments, make_intake, message
from sqlalchemy import Engine
from ticket_helpers import SERVICE, T0, SmtpServer, World, history, outbox_rows, reload

from selfservice.db.models import Contact
from selfservice.delivery.notify import SmtpMailer
from selfservice.domain.config import MailPolicy, SupportConfig
from selfservice.domain.enums import Channel, ClosureCode, Line, Status, TicketType
from selfservice.run.worker import Worker
from selfservice.services import admin, tickets
from selfservice.services.comments import add_comment
from selfservice.services.common import Actor
from selfservice.services.escalation import escalate_ticket
from selfservice.services.registration import register_free_text

WINDOW = timedelta(minutes=2)


def portal_config(config: SupportConfig) -> SupportConfig:
    return replace(config, mail=MailPolicy(portal_url="https://help.example/t/{number}"))


def register(engine: Engine, config: SupportConfig, contact: Contact) -> int:
    ticket = register_free_text(
        engine, config=config, contact_id=contact.id or 0, ticket_type=TicketType.INCIDENT,
        service=SERVICE, subject="VPN не подключается", description="ошибка 809",
        channel=Channel.PORTAL, now=T0)
    return ticket.id or 0


def deliver(engine: Engine, config: SupportConfig, smtp: SmtpServer, at: datetime) -> int:
    mailer = SmtpMailer(host="127.0.0.1", port=smtp.port, sender="support@selfservice.local",
                        timeout=5)
    return Worker(engine=engine, mailer=mailer, config=config, clock=lambda: at).run_pass().sent


def parts(mail: EmailMessage) -> tuple[str, str]:
    plain, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and html is not None
    return (plain.get_content().replace("\r\n", "\n"),
            html.get_content().replace("\r\n", "\n"))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_public_comment_is_mailed_multipart_and_an_internal_one_is_not(
    engine: Engine, world: World, config: SupportConfig, smtp_server: SmtpServer, lang: str
) -> None:
    config = portal_config(config)
    contact = world.contact if lang == "ru" else world.contact_en
    tid = register(engine, config, contact)
    assert deliver(engine, config, smtp_server, T0) == 1
    l1 = Actor.engineer(world.l1.id or 0)
    add_comment(engine, ticket_id=tid, actor=l1, body="проверяем логи шлюза", public=False,
                now=T0 + timedelta(seconds=10), config=config)
    assert deliver(engine, config, smtp_server, T0 + timedelta(hours=1)) == 0  # internal
    said = T0 + timedelta(hours=2)
    add_comment(engine, ticket_id=tid, actor=l1, body="Перезапустите клиент <VPN> & войдите",
                now=said, config=config)
    assert deliver(engine, config, smtp_server, said + WINDOW - timedelta(seconds=1)) == 0
    assert deliver(engine, config, smtp_server, said + WINDOW) == 1

    registration, mail = smtp_server.collector.messages
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["In-Reply-To"] == mail["References"] == registration["Message-ID"]
    assert mail["Subject"] == {"ru": "[INC-000001] Новый комментарий: VPN не подключается",
                               "en": "[INC-000001] New comment: VPN не подключается"}[lang]
    text, html = parts(mail)
    assert "Перезапустите клиент <VPN> & войдите" in text
    assert "Перезапустите клиент &lt;VPN&gt; &amp; войдите" in html  # escaped, not markup
    assert "проверяем логи" not in text + html
    assert 'href="https://help.example/t/INC-000001"' in html
    assert "https://help.example/t/INC-000001" in text
    due = reload(engine, tid).resolution_due
    assert due is not None
    label = {"ru": "Срок решения", "en": "Resolution due"}[lang]
    local = due.astimezone(ZoneInfo("Europe/Moscow"))  # the organisation's time zone
    assert f"{label}: {local:%Y-%m-%d %H:%M} (Europe/Moscow)" in text
    greeting = {"ru": "Здравствуйте, Иван!", "en": "Hello John,"}[lang]
    assert text.startswith(greeting) and greeting in html
    assert f'<html lang="{lang}">' in html


def test_three_changes_in_the_window_are_one_mail_naming_the_last_state(
    engine: Engine, world: World, config: SupportConfig, smtp_server: SmtpServer
) -> None:
    tid = register(engine, config, world.contact)
    deliver(engine, config, smtp_server, T0)
    l1 = Actor.engineer(world.l1.id or 0)
    first = T0 + timedelta(minutes=5)
    tickets.assign(engine, ticket_id=tid, engineer_id=world.l1.id or 0, actor=l1, now=first,
                   config=config)
    tickets.start_work(engine, ticket_id=tid, actor=l1, now=first + timedelta(seconds=30),
                       config=config)
    tickets.request_information(engine, ticket_id=tid, actor=l1, question="Какая версия ОС?",
                                now=first + timedelta(seconds=90), config=config)
    assert len(outbox_rows(engine, ticket_id=tid)) == 2  # registration + one waiting
    assert deliver(engine, config, smtp_server, first + WINDOW) == 1
    assert deliver(engine, config, smtp_server, first + timedelta(hours=1)) == 0

    mail = smtp_server.collector.messages[-1]
    assert mail["Subject"] == "[INC-000001] Требуется информация: VPN не подключается"
    text, html = parts(mail)
    assert "теперь «Требуется информация» (был «Зарегистрировано»)" in text
    assert "Нам нужна информация от вас:\nКакая версия ОС?" in text
    assert "Срок решения: приостановлен" in text and "Какая версия ОС?" in html

    # A change after the mail went out is a new mail.
    tickets.answer_information(engine, ticket_id=tid, actor=Actor.contact(world.contact.id or 0),
                               answer="Windows 11", now=first + timedelta(hours=2),
                               config=config)
    assert deliver(engine, config, smtp_server, first + timedelta(hours=3)) == 1
    assert "[INC-000001] В работе" in smtp_server.collector.messages[-1]["Subject"]


def test_escalation_keeps_a_ticket_waiting_for_the_customer(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    tid = register(engine, config, world.contact)
    l1 = Actor.engineer(world.l1.id or 0)
    tickets.assign(engine, ticket_id=tid, engineer_id=world.l1.id or 0, actor=l1, now=T0,
                   config=config)
    tickets.start_work(engine, ticket_id=tid, actor=l1, now=T0, config=config)
    asked = T0 + timedelta(minutes=10)
    tickets.request_information(engine, ticket_id=tid, actor=l1, question="Какая версия ОС?",
                                now=asked, config=config)
    mails_before = len(outbox_rows(engine, ticket_id=tid))
    escalate_ticket(engine, ticket_id=tid, actor=l1, target_line=Line.L2,
                    target_group="l2-linux", reason="нужен L2", now=asked + timedelta(minutes=5),
                    config=config)

    waiting = reload(engine, tid)
    assert waiting.status is Status.INFORMATION_NEEDED  # not silently reset to Registered
    assert waiting.paused_since == asked  # the SLA stays paused
    assert (waiting.line, waiting.group_id, waiting.assignee_id) == (Line.L2, "l2-linux", None)
    assert len(outbox_rows(engine, ticket_id=tid)) == mails_before  # nothing for the contact
    assert [h.to_value for h in history(engine, tid, field="status")][-1] == (
        "information_needed")

    answered = tickets.answer_information(
        engine, ticket_id=tid, actor=Actor.contact(world.contact.id or 0), answer="Windows 11",
        now=asked + timedelta(hours=1), config=config)
    assert answered.status is Status.REGISTERED  # in the L2 group's queue now
    assert answered.paused_since is None and answered.resolution_paused_seconds == 3600


def test_a_reply_to_the_comment_mail_threads_back_as_a_comment(
    engine: Engine, world: World, config: SupportConfig, smtp_server: SmtpServer
) -> None:
    tid = register(engine, config, world.contact)
    said = T0 + timedelta(minutes=1)
    add_comment(engine, ticket_id=tid, actor=Actor.engineer(world.l1.id or 0),
                body="Пришлите скриншот ошибки", now=said, config=config)
    assert deliver(engine, config, smtp_server, said + WINDOW) == 2
    mail = smtp_server.collector.messages[-1]
    reply = message(sender="ivan@acme.example", subject="Re: ваше письмо",
                    body="Скриншот приложу позже, ошибка 809.",
                    headers={"In-Reply-To": str(mail["Message-ID"])})
    make_intake(engine, config).receive(reply.as_bytes(), via="test")
    assert [c.body for c in comments(engine, tid)][-1] == "Скриншот приложу позже, ошибка 809."


def test_the_completion_mail_carries_the_resolution(
    engine: Engine, world: World, config: SupportConfig, smtp_server: SmtpServer
) -> None:
    tid = register(engine, config, world.contact_en)
    l1 = Actor.engineer(world.l1.id or 0)
    tickets.assign(engine, ticket_id=tid, engineer_id=world.l1.id or 0, actor=l1, now=T0,
                   config=config)
    tickets.start_work(engine, ticket_id=tid, actor=l1, now=T0, config=config)
    tickets.complete(engine, ticket_id=tid, actor=l1, closure_code=ClosureCode.WORKAROUND,
                     comment="Switched you to the backup VPN gateway vpn2.", now=T0,
                     config=config)
    assert deliver(engine, config, smtp_server, T0 + WINDOW) == 2
    mail = smtp_server.collector.messages[-1]
    assert mail["Subject"] == "[INC-000001] Completed: VPN не подключается"
    text, html = parts(mail)
    assert ("Resolution:\nSwitched you to the backup VPN gateway vpn2.\n\n"
            "Result: resolved with a workaround.") in text
    assert "Switched you to the backup VPN gateway vpn2." in html
    assert "Please confirm or reject the result" in text
    assert "Resolution due" not in text  # the work is done


def test_the_organisations_portal_url_wins_over_the_fallback(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    config = portal_config(config)
    admin.set_portal_url(engine, org_id="acme", portal_url="https://acme.example/sd/{number}")
    register(engine, config, world.contact)
    [mail] = outbox_rows(engine)
    assert "https://acme.example/sd/INC-000001" in mail.body
    assert 'href="https://acme.example/sd/INC-000001"' in (mail.html_body or "")
