"""Only linked, authorised contacts talk to the bot: link with a short-lived code, unlink
with /stop; an unlinked user is told how, in their language, and nothing is created."""

from datetime import timedelta

from sqlalchemy import Engine, func, select
from sqlmodel import Session
from tg_helpers import Chat, link

from selfservice.db.models import Contact, Conversation, TelegramLink, Ticket
from selfservice.services import telegram_accounts


def count(engine: Engine, table: type) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_contact_links_with_a_code_and_unlinks_with_stop(
    engine: Engine, chat: Chat, contacts: dict[str, Contact]
) -> None:
    issued = telegram_accounts.issue_code(engine, contact_id=contacts["anna"].id or 0,
                                          now=chat.clock(), minutes=15)
    assert len(issued.code) == 8
    answer = chat.say(501, f"/start {issued.code}")
    assert [m.text for m in answer] == [
        "Hello, Anna! Your Telegram account is linked. Describe the problem in a few words "
        "and I will look for a solution. /tickets lists your organisation's open tickets, "
        "/stop unlinks this account."]
    with Session(engine) as session:
        stored = session.get(TelegramLink, 501)
        assert stored is not None and stored.contact_id == contacts["anna"].id

    again = chat.say(502, f"/start {issued.code}")  # single use
    assert "unknown, used or expired" in again[0].text
    assert count(engine, TelegramLink) == 1

    bye = chat.say(501, "/stop")
    assert bye[0].text.startswith("Your Telegram account is unlinked")
    assert count(engine, TelegramLink) == 0
    after = chat.say(501, "my VM hangs")
    assert after[0].text.startswith("I do not know you yet")


def test_an_expired_code_links_nobody(engine: Engine, chat: Chat,
                                      contacts: dict[str, Contact]) -> None:
    issued = telegram_accounts.issue_code(engine, contact_id=contacts["anna"].id or 0,
                                          now=chat.clock(), minutes=15)
    chat.clock.advance(timedelta(minutes=15, seconds=1).total_seconds())
    answer = chat.say(501, f"/start {issued.code}")
    assert "expired" in answer[0].text
    assert count(engine, TelegramLink) == 0


def test_an_unlinked_user_gets_the_explanation_in_their_language_and_nothing_is_created(
    engine: Engine, chat: Chat, contacts: dict[str, Contact]
) -> None:
    english = chat.say(700, "I forgot my password")
    assert len(english) == 1
    assert english[0].text.startswith("I do not know you yet. Only authorised contacts")
    assert "/start CODE" in english[0].text
    russian = chat.say(701, "не работает почта", lang="ru")
    assert russian[0].text.startswith("Я вас пока не знаю.")
    assert "/start КОД" in russian[0].text
    assert count(engine, Conversation) == 0
    assert count(engine, Ticket) == 0


def test_a_russian_contact_is_answered_in_russian(engine: Engine, chat: Chat,
                                                  contacts: dict[str, Contact]) -> None:
    link(engine, chat, contacts["ivan"], 601)
    answer = chat.say(601, "/tickets")
    assert answer[0].text == "У вашей организации нет открытых заявок."
