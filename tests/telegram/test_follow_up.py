"""Following tickets in Telegram: /tickets, status changes and questions arrive as
messages, a reply becomes a public comment, a completed ticket is confirmed with a button;
the contact chooses Telegram, e-mail or both."""

from fake_bot_api import FakeBotApi
from sqlalchemy import Engine, select
from sqlmodel import Session
from tg_helpers import Chat, link

from selfservice.content.model import Content
from selfservice.db.models import Comment, Contact, Engineer, OutboxMessage, Ticket
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ActorRole, ClosureCode, Status
from selfservice.services import classifier_models, portal, tickets
from selfservice.services.common import Actor


def file_vm_ticket(engine: Engine, chat: Chat, content: Content, config: SupportConfig,
                   contact: Contact) -> Ticket:
    return portal.file_ticket(
        engine, config=config, content=content,
        classifier=classifier_models.live_classifier(engine, content),
        contact_id=contact.id or 0, now=chat.clock(),
        request=portal.TicketRequest(form_id="vm-down", values={"vm_name": "vm-01"}),
    ).ticket


def lena(engine: Engine) -> Actor:
    with Session(engine) as session:
        engineer = session.scalars(select(Engineer)).one()
    return Actor.engineer(engineer.id or 0)


def mails(engine: Engine, kind: str) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_a_question_arrives_a_reply_becomes_a_comment_and_completion_is_confirmed(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, Contact],
    content: Content, config: SupportConfig,
) -> None:
    link(engine, chat, contacts["anna"], 501)
    ticket = file_vm_ticket(engine, chat, content, config, contacts["anna"])
    listed = chat.say(501, "/tickets")[0]
    assert listed.text == f"Open tickets:\n{ticket.number} — VM is not responding — Registered"

    engineer = lena(engine)
    tickets.start_work(engine, ticket_id=ticket.id or 0, actor=engineer, now=chat.clock(),
                       config=config)
    tickets.request_information(engine, ticket_id=ticket.id or 0, actor=engineer,
                                question="Which hypervisor host?", now=chat.clock(),
                                config=config)
    before = len(fake.messages_to(501))
    chat.deliver()
    notices = fake.messages_to(501)[before:]
    question = notices[-1]
    assert question.text == (
        f'Ticket {ticket.number} "VM is not responding": Information needed.\n\n'
        "Support needs information: Which hypervisor host?\n\n"
        "Reply to this message to add a comment.")
    assert mails(engine, "ticket_update"), "notify=both: the e-mail goes too"

    message_id = next(m for m, sent in fake.sent.items() if sent["text"] == question.text)
    answered = chat.say(501, "host-7, rack 3", reply_to=message_id)
    # The answer put the ticket back to work: said once, no notice of their own doing.
    assert [m.text for m in answered] == [f"Your comment was added to {ticket.number}."]
    with Session(engine) as session:
        comment = session.scalars(select(Comment).where(Comment.body == "host-7, rack 3")).one()
        assert comment.author_kind is ActorRole.CONTACT and comment.public
        assert session.get(Ticket, ticket.id).status is Status.IN_PROGRESS

    tickets.complete(engine, ticket_id=ticket.id or 0, actor=engineer,
                     closure_code=ClosureCode.RESOLVED, comment="Restarted the host.",
                     now=chat.clock(), config=config)
    before = len(fake.messages_to(501))
    chat.deliver()
    completed = fake.messages_to(501)[before:][-1]
    assert "Completed" in completed.text and "Does the solution work for you?" in completed.text
    assert [t for t, _ in completed.buttons] == ["Confirm, it works", "It still does not work"]
    confirmed = chat.press(501, completed, "Confirm, it works")
    assert confirmed[0].text == f"Thank you! Ticket {ticket.number} is closed."
    with Session(engine) as session:
        assert session.get(Ticket, ticket.id).status is Status.CLOSED


def test_a_rejection_asks_why_and_telegram_only_contacts_get_no_mail(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, Contact],
    content: Content, config: SupportConfig,
) -> None:
    link(engine, chat, contacts["ivan"], 601)
    chosen = chat.say(601, "/notify telegram", lang="ru")
    assert chosen[0].text == "Новости по заявкам теперь приходят: telegram."
    ticket = file_vm_ticket(engine, chat, content, config, contacts["ivan"])
    engineer = lena(engine)
    tickets.start_work(engine, ticket_id=ticket.id or 0, actor=engineer, now=chat.clock(),
                       config=config)
    tickets.complete(engine, ticket_id=ticket.id or 0, actor=engineer,
                     closure_code=ClosureCode.RESOLVED, now=chat.clock(), config=config)
    assert mails(engine, "ticket_update") == []
    chat.deliver()
    completed = fake.messages_to(601)[-1]
    assert completed.text.startswith(f"Заявка {ticket.number} «VM is not responding»: ")
    asked = chat.press(601, completed, "r:" + ticket.number, lang="ru")
    assert asked[0].text.startswith("Напишите, что всё ещё не работает")
    rejected = chat.say(601, "ВМ снова зависла", lang="ru")
    assert rejected[0].text == f"Заявка {ticket.number} возвращена в работу."
    with Session(engine) as session:
        assert session.get(Ticket, ticket.id).status is Status.REJECTED_BY_USER
