"""A client's group chat: the bot serves the organisation of the first linked contact who
used it; another organisation's contact in the same chat sees none of its tickets and
files nothing there."""

from fake_bot_api import FakeBotApi
from sqlalchemy import Engine, func, select
from sqlmodel import Session
from tg_helpers import Chat, link

from selfservice.content.model import Content
from selfservice.db.models import Contact, Conversation, TelegramGroup, TelegramLink
from selfservice.domain.config import SupportConfig
from selfservice.services import classifier_models, portal, telegram_accounts

GROUP = -100500


def test_a_group_chat_with_two_organisations_contacts(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, Contact],
    content: Content, config: SupportConfig,
) -> None:
    link(engine, chat, contacts["anna"], 501)
    link(engine, chat, contacts["bob"], 901)
    classifier = classifier_models.live_classifier(engine, content)
    for contact in (contacts["anna"], contacts["bob"]):
        portal.file_ticket(engine, config=config, content=content, classifier=classifier,
                           contact_id=contact.id or 0, now=chat.clock(),
                           request=portal.TicketRequest(form_id="vm-down",
                                                        values={"vm_name": "vm-01"}))

    acme = chat.say(501, "/tickets", chat=GROUP)[0]
    assert acme.text.startswith("Open tickets:\nINC-000001 ")
    assert "INC-000002" not in acme.text
    with Session(engine) as session:
        assert session.get(TelegramGroup, GROUP).org_id == "acme"

    refused = chat.say(901, "/tickets", chat=GROUP)
    assert [m.text for m in refused] == [
        "This group chat belongs to another organisation. Please write to me in a private chat."]
    refused = chat.say(901, "my VM is down", chat=GROUP)
    assert "another organisation" in refused[0].text
    with Session(engine) as session:
        count = session.execute(select(func.count()).select_from(Conversation)).scalar_one()
    assert count == 0

    # Anna's colleague files from the group; Bob's own tickets stay in his private chat.
    found = chat.say(501, "I forgot my password", chat=GROUP)
    assert found[0].text.startswith("These articles look like a match")
    private = chat.say(901, "/tickets")[0]
    assert private.text.startswith("Open tickets:\nINC-000002 ")
    assert "INC-000001" not in private.text
    unlinked = chat.say(777, "/tickets", chat=GROUP)
    assert unlinked[0].text.startswith("I do not know you yet")
    issued = telegram_accounts.issue_code(engine, contact_id=contacts["ivan"].id or 0,
                                          now=chat.clock(), minutes=15)
    in_group = chat.say(777, f"/start {issued.code}", chat=GROUP)
    assert in_group[0].text.startswith("Send me the code in a private chat")
    with Session(engine) as session:
        assert session.get(TelegramLink, 777) is None
