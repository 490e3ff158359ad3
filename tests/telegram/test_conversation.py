"""The widget's conversation in Telegram: articles as buttons, a scripted solution step by
step, a request form asked field by field with the form's own validation, urgency with the
phone notice, the ticket number; outcomes recorded with channel telegram."""

from datetime import timedelta

from fake_bot_api import FakeBotApi
from sqlalchemy import Engine, select
from sqlmodel import Session
from tg_helpers import Chat, link

from selfservice.db.models import Contact, Conversation, Ticket
from selfservice.domain.enums import Channel, Urgency
from selfservice.run.telegram import make_pump
from selfservice.services import deflection_metrics
from selfservice.services.metrics_sql import Period


def conversations(engine: Engine) -> list[Conversation]:
    with Session(engine) as session:
        return list(session.scalars(select(Conversation)))


def test_a_deflected_conversation_with_buttons(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, Contact]
) -> None:
    link(engine, chat, contacts["anna"], 501)
    found = chat.say(501, "I forgot my password")
    assert found[0].text.startswith("These articles look like a match")
    assert ("Reset a forgotten password", "o:reset-en") in found[0].buttons

    opened = chat.press(501, found[0], "o:reset-en")
    assert [m.text for m in opened][0] == "Let's go through it step by step (2 steps)."
    step = opened[1]
    assert step.text == ("Step 1 of 2: Reset a forgotten password\n\n"
                         "Open the sign-in page and click Forgot password.")
    assert [t for t, _ in step.buttons] == ["Solved", "Next step", "I still need help"]
    # The press was acknowledged and the pressed message lost its buttons.
    assert fake.of("answerCallbackQuery")
    edited = fake.of("editMessageText")[-1]
    assert edited.text.endswith("→ Reset a forgotten password")
    assert "reply_markup" not in edited.params

    second = chat.press(501, step, "Next step")
    assert second[0].text.startswith("Step 2 of 2")
    assert "Did the e-mail arrive?" in second[0].text
    assert [t for t, _ in second[0].buttons] == ["Solved", "I still need help"]  # the last

    closed = chat.press(501, second[0], "Solved")
    assert closed[0].text.startswith("Great, glad it works again!")
    [row] = conversations(engine)
    assert (row.outcome, row.channel, row.contact_id) == ("deflected", "telegram",
                                                          contacts["anna"].id)
    day = chat.clock()
    funnel = deflection_metrics.funnel(engine, period=Period(day - timedelta(days=1),
                                                             day + timedelta(days=1)))
    assert funnel[0].deflected == 1
    # A new text after the end starts a new conversation.
    chat.say(501, "I forgot my password")
    assert len(conversations(engine)) == 2


def test_a_form_filed_in_telegram_field_by_field_survives_a_restart(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, Contact],
    pump_args: dict[str, object],
) -> None:
    link(engine, chat, contacts["anna"], 501)
    chat.say(501, "my virtual machine vm is not responding")
    helped = chat.press(501, fake.messages_to(501)[-1], "a:need_help")
    forms = helped[-1]
    assert ("VM is not responding", "f:vm-down") in forms.buttons

    asked = chat.press(501, forms, "f:vm-down")
    assert asked[0].text == "Please fill in the form."
    assert asked[1].text == "VM name"
    bad = chat.say(501, "not a host!")
    assert bad[0].text == "Enter a host name such as vm-01 or vm-01.example.com."
    assert bad[1].text == "VM name"

    # The service restarts in the middle of the form: a new pump continues it.
    chat.pump = make_pump(**pump_args)  # type: ignore[arg-type]
    os_question = chat.say(501, "VM-01.example.com")[0]
    assert os_question.text.startswith("Operating system")
    assert [t for t, _ in os_question.buttons] == ["Linux", "Windows", "Skip", "Cancel"]
    port = chat.press(501, os_question, "Windows")[0]  # show_if: windows asks the RDP port
    assert port.text.startswith("RDP port")
    assert chat.say(501, "70000")[0].text == "The largest allowed value is 65535."
    urgency = chat.say(501, "3389")[0]
    assert urgency.text.startswith("How urgent is it for you?")
    summary = chat.press(501, urgency, "u:high")[0]
    assert "• VM name: vm-01.example.com" in summary.text
    assert "• Operating system: Windows" in summary.text

    filed = chat.press(501, summary, "Send")
    with Session(engine) as session:
        [ticket] = session.scalars(select(Ticket)).all()
    assert filed[0].text.startswith(f"Your request {ticket.number} is registered.")
    assert filed[1].text.startswith("You chose a high urgency: please call +7 495 000-00-00")
    assert ticket.channel is Channel.TELEGRAM and ticket.urgency is Urgency.HIGH
    assert ticket.fields == {"vm_name": "vm-01.example.com", "os": "windows", "rdp_port": 3389}
    assert not ticket.urgency_confirmed
    [row] = conversations(engine)
    assert (row.outcome, row.ticket_id, row.channel) == ("ticket_filed", ticket.id, "telegram")


def test_the_conversation_in_russian(engine: Engine, chat: Chat,
                                     contacts: dict[str, Contact]) -> None:
    link(engine, chat, contacts["ivan"], 601)
    found = chat.say(601, "забыл пароль", lang="ru")
    assert found[0].text.startswith("Похоже, эти статьи подходят.")
    opened = chat.press(601, found[0], "o:reset-ru")
    assert opened[1].text.startswith("Шаг 1 из ")
    assert [t for t, _ in opened[1].buttons] == ["Решено", "Следующий шаг",
                                                 "Мне всё ещё нужна помощь"]


def test_cancel_leaves_the_conversation_as_abandoned(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, Contact]
) -> None:
    link(engine, chat, contacts["anna"], 501)
    chat.say(501, "my virtual machine vm is not responding")
    forms = chat.press(501, fake.messages_to(501)[-1], "a:need_help")[-1]
    chat.press(501, forms, "f:vm-down")
    left = chat.say(501, "/cancel")
    assert left[0].text == "The conversation is closed. Come back any time."
    [row] = conversations(engine)
    assert (row.outcome, row.channel) == ("abandoned", "telegram")
    again = chat.say(501, "/cancel")  # nothing open any more
    assert again[0].text.startswith("The form is cancelled.")
    fresh = chat.say(501, "web-01")  # no form is asked: a new conversation searches
    assert fresh[0].text.startswith("I could not find a ready answer")
    assert len(conversations(engine)) == 2
