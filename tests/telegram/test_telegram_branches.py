"""A branching scripted solution in Telegram: Yes / No buttons follow the script, and a
branch that ends in a request form asks it with the fields the script filled in."""

from pathlib import Path
from typing import Any

from fake_bot_api import FakeBotApi
from sqlalchemy import Engine, select
from sqlmodel import Session
from support import branching
from tg_helpers import Chat, link

from selfservice.content.loader import load_content
from selfservice.db.models import Contact, Ticket
from selfservice.run.telegram import make_pump
from selfservice.search import SearchIndex


def test_yes_and_no_follow_the_script_into_a_prefilled_form(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, Contact],
    pump_args: dict[str, Any], kb_min: Path, tmp_path: Path,
) -> None:
    branching.write(kb_min)
    content = load_content(kb_min)
    index = SearchIndex.open_or_build(tmp_path / "branch-index", content, semantic=False)
    try:
        chat.loop.run_until_complete(chat.pump.bot.shutdown())
        chat.pump = make_pump(**{**pump_args, "contents": lambda: content, "index": index})
        link(engine, chat, contacts["anna"], 501)
        found = chat.say(501, "VM does not answer")
        assert ("VM does not answer", "o:vm-down-en") in found[0].buttons

        opened = chat.press(501, found[0], "o:vm-down-en")
        state = opened[-1]
        assert "Is the VM running?" in state.text
        assert [t for t, _ in state.buttons] == ["Yes", "No", "I still need help"]
        ping = chat.press(501, state, "Yes")[0]
        assert ping.text.startswith("Step 3 of 4") and "Does ping answer?" in ping.text

        routed = chat.press(501, ping, "No")
        assert routed[-1].text == "VM name"  # os came from the script: not asked
        urgency = chat.say(501, "web-01")[0]
        summary = chat.press(501, urgency, "u:medium")[0]
        assert "• Operating system: Linux" in summary.text
        chat.press(501, summary, "Send")
        with Session(engine) as session:
            ticket = session.scalars(select(Ticket)).one()
        assert ticket.fields == {"vm_name": "web-01", "os": "linux"}
        answers = ticket.self_service_tried[0]["answers"]
        assert answers == ["state: yes", "ping: no"]
    finally:
        index.close()
