"""Human or machine: every sample, every rule, and ticket numbers in subjects."""

from pathlib import Path
from typing import Any

import pytest

from selfservice.channels.mail_kind import (
    MailKind,
    classify_mail,
    subject_core,
    ticket_number_in,
    ticket_numbers_in,
)
from selfservice.channels.mail_parse import parse_mail

EXPECTED = {
    "cpython-msg_12-nested-multipart.eml": MailKind.HUMAN,
    "cpython-msg_15-reused-boundary.eml": MailKind.HUMAN,
    "flanker-8bitmime.eml": MailKind.HUMAN,
    "flanker-attached-pdf.eml": MailKind.HUMAN,
    "flanker-bilingual-simple.eml": MailKind.HUMAN,
    "flanker-bounce-delayed.eml": MailKind.BOUNCE,
    "flanker-bounce-gmail-invalid-address.eml": MailKind.BOUNCE,
    "flanker-bounce-mailbox-full.eml": MailKind.BOUNCE,
    "flanker-complaint-yahoo-arf.eml": MailKind.COMPLAINT,
    "flanker-disposition-notification.eml": MailKind.READ_RECEIPT,
    "flanker-enclosed-ru.eml": MailKind.HUMAN,
    "flanker-iphone.eml": MailKind.HUMAN,
    "flanker-long-links-html-only.eml": MailKind.HUMAN,  # postmaster@ From, not a bounce
    "flanker-outlook-express.eml": MailKind.HUMAN,
    "flanker-quoted-printable.eml": MailKind.HUMAN,
    "sisimai-autoreply-apple-vacation.eml": MailKind.AUTO_REPLY,
    "sisimai-autoreply-exchange.eml": MailKind.AUTO_REPLY,
    "talon-reply-apple_mail.eml": MailKind.HUMAN,
    "talon-reply-gmail.eml": MailKind.HUMAN,
    "talon-reply-iphone.eml": MailKind.HUMAN,
    "talon-reply-outlook.eml": MailKind.HUMAN,
    "talon-reply-thunderbird.eml": MailKind.HUMAN,
}


def test_every_sample_has_an_expectation(mail_dir: Path) -> None:
    assert sorted(p.name for p in mail_dir.glob("*.eml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_kind_of_every_sample(
    mail_dir: Path, mail_index: dict[str, dict[str, Any]], name: str
) -> None:
    result = classify_mail(parse_mail((mail_dir / name).read_bytes()))
    assert result.kind is EXPECTED[name]
    assert result.may_create_ticket is (result.kind is MailKind.HUMAN)
    assert result.may_reply is result.may_create_ticket
    # Agrees with the hand-checked judgement of the corpus README.
    assert (result.kind is not MailKind.HUMAN) is mail_index[name]["is_bounce_or_auto"]


@pytest.mark.parametrize(
    ("name", "signals"),
    [
        ("flanker-bounce-gmail-invalid-address.eml", ["Return-Path: <>", "X-Failed-Recipients"]),
        ("flanker-bounce-mailbox-full.eml", ["X-Envelope-From: <>", "Auto-Submitted"]),
        ("flanker-bounce-delayed.eml", ["report-type=delivery-status"]),
        ("sisimai-autoreply-exchange.eml", ["Return-Path: <>", "X-Auto-Response-Suppress"]),
        ("sisimai-autoreply-apple-vacation.eml", ["X-Apple-Action: VACATION", "Auto reply"]),
        ("flanker-long-links-html-only.eml", ["From: mailer-daemon/postmaster"]),
    ],
)
def test_signals_are_reported(mail_dir: Path, name: str, signals: list[str]) -> None:
    found = " | ".join(classify_mail(parse_mail((mail_dir / name).read_bytes())).signals)
    for signal in signals:
        assert signal in found


def _mail(headers: str, body: str = "Hello") -> MailKind:
    raw = (headers.strip() + "\r\nContent-Type: text/plain\r\n\r\n" + body).encode()
    return classify_mail(parse_mail(raw)).kind


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ("From: a@x.ru\r\nSubject: VPN\r\nAuto-Submitted: no", MailKind.HUMAN),
        ("From: a@x.ru\r\nSubject: VPN\r\nAuto-Submitted: auto-generated", MailKind.AUTO_REPLY),
        ("From: a@x.ru\r\nSubject: News\r\nPrecedence: bulk", MailKind.AUTO_REPLY),
        ("From: a@x.ru\r\nSubject: Hi\r\nPrecedence: list", MailKind.HUMAN),
        ("From: a@x.ru\r\nSubject: Автоответ: Re: INC-000123", MailKind.AUTO_REPLY),
        ("From: a@x.ru\r\nSubject: Out of Office: back on Monday", MailKind.AUTO_REPLY),
        ("From: a@x.ru\r\nSubject: Re: VPN\r\nX-Autoreply: yes", MailKind.AUTO_REPLY),
        ("From: a@x.ru\r\nSubject: Re: VPN\r\nX-Autorespond: on", MailKind.AUTO_REPLY),
        ("From: a@x.ru\r\nSubject: Re: VPN\r\nX-Auto-Response-Suppress: All", MailKind.HUMAN),
        ("Return-Path: <>\r\nFrom: a@x.ru\r\nSubject: Re: VPN", MailKind.AUTO_REPLY),
        ("From: MAILER-DAEMON@x.ru\r\nSubject: Undeliverable: VPN", MailKind.BOUNCE),
        ("From: postmaster@x.ru\r\nSubject: Please reset my password", MailKind.HUMAN),
        ("Return-Path: <>\r\nFrom: postmaster@x.ru\r\nSubject: hello", MailKind.BOUNCE),
        ("From: a@x.ru\r\nSubject: Re: VPN\r\nX-Failed-Recipients: b@y.ru", MailKind.BOUNCE),
    ],
)
def test_rules(headers: str, kind: MailKind) -> None:
    assert _mail(headers) is kind


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("INC-000123", "INC-000123"),
        ("Re: [INC-000123] VPN does not connect", "INC-000123"),
        ("RE: RE: REQ-000124 new mailbox", "REQ-000124"),
        ("Fwd: Re: REQ-000124", "REQ-000124"),
        ("Ответ: INC-000125: не работает почта", "INC-000125"),
        ("Re: #INC-1234567 (seven digits)", "INC-1234567"),
        ("inc-000123 lowercase", None),
        ("INC-12345 five digits", None),
        ("XINC-000123 glued to a word", None),
        ("INC-000123abc glued digits", None),
        ("", None),
    ],
)
def test_ticket_number_in(subject: str, number: str | None) -> None:
    assert ticket_number_in(subject) == number


def test_ticket_numbers_in_keeps_order_without_repeats() -> None:
    assert ticket_numbers_in("INC-000002 dup of INC-000001, INC-000002") == [
        "INC-000002",
        "INC-000001",
    ]


@pytest.mark.parametrize(
    ("subject", "core"),
    [
        ("Re: RE: Fwd: VPN", "VPN"),
        ("Ответ: Отв: Пересл: Почта", "Почта"),
        ("AW: WG: Server", "Server"),
        ("RE[2]: Disk", "Disk"),
        ("Research results", "Research results"),
    ],
)
def test_subject_core(subject: str, core: str) -> None:
    assert subject_core(subject) == core
