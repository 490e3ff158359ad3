"""The new text of a reply: the talon samples, then one case per rule."""

from pathlib import Path

import pytest

from selfservice.channels.mail_parse import parse_mail
from selfservice.channels.mail_reply import extract_reply


@pytest.mark.parametrize(
    "name",
    [
        "talon-reply-gmail.eml",  # top-posting, "On … wrote:" + ">" quote
        "talon-reply-outlook.eml",  # From:/Sent:/To:/Subject: block, no ">"
        "talon-reply-thunderbird.eml",  # bottom-posting, format=flowed
        "talon-reply-apple_mail.eml",  # iso-8859-1, "On …, bob wrote:"
        "talon-reply-iphone.eml",  # "Sent from my iPhone", QP soft break inside "wrote:"
    ],
)
def test_talon_replies_keep_the_new_text_only(mail_dir: Path, name: str) -> None:
    mail = parse_mail((mail_dir / name).read_bytes())
    assert mail.reply_text == "Hello"
    assert mail.body != mail.reply_text  # the quote was there and was removed


def test_thunderbird_quote_comes_first(mail_dir: Path) -> None:
    mail = parse_mail((mail_dir / "talon-reply-thunderbird.eml").read_bytes())
    assert mail.body.index("> Hi") < mail.body.index("Hello")


def test_outlook_quote_without_markers_is_removed(mail_dir: Path) -> None:
    mail = parse_mail((mail_dir / "talon-reply-outlook.eml").read_bytes())
    assert "The manager's comment" in mail.body
    assert "manager" not in mail.reply_text


CASES = {
    "attribution split over two lines": (
        "Works now, thanks!\n\nOn Tue, Apr 3, 2012 at 4:19 PM, Support Desk <\n"
        "support@example.com> wrote:\n> Please restart the VM.",
        "Works now, thanks!",
    ),
    "russian пишет": (
        "Спасибо, заработало.\n\n3 апреля 2012 г., 16:19 пользователь Поддержка "
        "<support@example.com> пишет:\n> Перезагрузите ВМ.",
        "Спасибо, заработало.",
    ),
    "russian написал(а)": (
        "Нет, не помогло.\n\n03.04.2012, в 16:19, Поддержка написал(а):\n\n> Попробуйте ещё раз",
        "Нет, не помогло.",
    ),
    "russian gmail address-colon attribution": (
        "Добрый день, проблема повторилась.\n\nвт, 3 апр. 2012 г. в 16:19, Поддержка "
        "<support@example.com>:\n> Закрываем обращение?",
        "Добрый день, проблема повторилась.",
    ),
    "outlook russian header block": (
        "Да, можно перезагружать.\n\nОт: Поддержка [mailto:support@example.com]\n"
        "Отправлено: 3 апреля 2012 г. 16:19\nКому: Иван Петров\nТема: INC-000123\n\n"
        "Можно ли перезагрузить сервер?",
        "Да, можно перезагружать.",
    ),
    "outlook underscores then header block": (
        "Approved.\n\n________________________________\nFrom: Support\nSent: Tuesday\n"
        "To: Ivan\nSubject: RE: REQ-000124\n\nPlease approve.",
        "Approved.",
    ),
    "original message separator": (
        "See below.\n\n-----Original Message-----\nFrom: x\nthe old text",
        "See below.",
    ),
    "russian original message separator": (
        "Смотрите ниже.\n\n-----Исходное сообщение-----\nстарый текст",
        "Смотрите ниже.",
    ),
    "bottom posting with several answers": (
        "On 04/02/2012 06:26 PM, Support wrote:\n> Is the VPN up?\nNo.\n> Did you restart?\nYes.",
        "No.\nYes.",
    ),
    "signature separator": (
        "The disk is full again.\n\n-- \nIvan Petrov\nACME Ltd, +7 000 000 00 00",
        "The disk is full again.",
    ),
    "russian mobile signature": (
        "Сайт снова не открывается\n\nОтправлено с iPhone",
        "Сайт снова не открывается",
    ),
    "quoted log lines without attribution are kept": (
        "The server prints:\n> kernel: I/O error, dev sda\nand then hangs.",
        "The server prints:\n> kernel: I/O error, dev sda\nand then hangs.",
    ),
    "nothing but a quote": ("> old text\n> more old text", ""),
    "no quote at all": ("Please add a user.\nThanks", "Please add a user.\nThanks"),
    "a From: line in the text is not a header block": (
        "From: the logs I see a timeout.\nWhat now?",
        "From: the logs I see a timeout.\nWhat now?",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_reply_rules(case: str) -> None:
    text, expected = CASES[case]
    assert extract_reply(text) == expected
