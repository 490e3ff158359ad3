"""Files in Telegram, as in the widget: a document or photo sent while a request form is
asked lands on the filed ticket; one replying to a ticket's message is attached with a
public comment; the widget's limits and Telegram's 20 MB are named when a file is
refused; a retried update stores its file once."""

from typing import Any

from fake_bot_api import FakeBotApi
from sqlalchemy import Engine, select
from sqlmodel import Session
from test_follow_up import file_vm_ticket, lena
from tg_helpers import Chat, link

from selfservice.bot.dialogue import handle
from selfservice.config.settings import Settings
from selfservice.content.model import Content
from selfservice.db.models import Comment, Contact, Ticket, TicketAttachment
from selfservice.domain.config import SupportConfig
from selfservice.run.telegram import make_pump
from selfservice.services import attachments, telegram_store, tickets
from selfservice.services.attachments import Policy

LOG = b"2026-12-07 09:00 kernel: watchdog: BUG: soft lockup - CPU#0 stuck for 22s\n"


def uploads(engine: Engine) -> list[TicketAttachment]:
    with Session(engine) as session:
        return list(session.scalars(select(TicketAttachment)
                                    .order_by(TicketAttachment.id)))  # type: ignore[arg-type]


def open_form(chat: Chat, fake: FakeBotApi, user: int, lang: str = "en") -> None:
    """The contact describes a hung VM and chooses its form: the first field is asked."""
    chat.say(user, "my virtual machine vm is not responding", lang=lang)
    helped = chat.press(user, fake.messages_to(user)[-1], "a:need_help", lang=lang)
    chat.press(user, helped[-1], "f:vm-down", lang=lang)


def limited_chat(chat: Chat, pump_args: dict[str, Any], settings: Settings,
                 **limits: Any) -> None:
    """The same chat, served by a pump whose settings have other attachment limits."""
    changed = settings.model_copy(update=limits)
    chat.pump = make_pump(**{**pump_args, "settings": changed})


def test_files_sent_while_the_form_is_asked_land_on_the_filed_ticket(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, Contact],
    settings: Settings,
) -> None:
    link(engine, chat, contacts["anna"], 501)
    open_form(chat, fake, 501)
    # The caption answers the field being asked (a typed one): the VM name.
    _, added = chat.send_file(501, "console.log", LOG, caption="vm-01")
    assert added[0].text == f"File added: console.log ({len(LOG)} B)."
    assert added[1].text.startswith("Operating system")
    urgency = chat.press(501, added[1], "Linux")[0]
    summary = chat.press(501, urgency, "u:low")[0]
    assert "• File: console.log" in summary.text
    # At the summary a photo is taken too (its largest size); the summary comes again.
    picture = bytes(range(256)) * 40
    _, photo = chat.send_file(501, "", picture, photo=True, caption="ignored here")
    assert photo[0].text.startswith("File added: photo_u")
    assert photo[0].text.endswith(".jpg (10 KB).")
    again = photo[1]
    assert "• File: console.log" in again.text and "• File: photo_u" in again.text
    assert all(not path.endswith("-small") for path in fake.downloads)

    filed = chat.press(501, again, "Send")
    with Session(engine) as session:
        [ticket] = session.scalars(select(Ticket)).all()
    assert filed[0].text.startswith(f"Your request {ticket.number} is registered.")
    assert ticket.fields["vm_name"] == "vm-01"
    rows = uploads(engine)
    assert [(r.filename, r.ticket_id, r.size) for r in rows] == [
        ("console.log", ticket.id, len(LOG)), (rows[1].filename, ticket.id, len(picture))]
    # The engineer's download (the use case of the console's endpoint) gives the bytes.
    with Session(engine) as session:
        engineer_id = lena(engine).id
    storage = Policy.from_settings(settings).storage
    got = attachments.for_engineer(engine, number=ticket.number, attachment_id=rows[1].token,
                                   engineer_id=engineer_id or 0, storage=storage)
    assert got.data == picture and got.content_type == "image/jpeg"
    log = attachments.for_engineer(engine, number=ticket.number, attachment_id=rows[0].token,
                                   engineer_id=engineer_id or 0, storage=storage)
    assert log.data == LOG


def test_files_past_a_limit_are_refused_naming_it(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, Contact],
    pump_args: dict[str, Any], settings: Settings,
) -> None:
    link(engine, chat, contacts["anna"], 501)
    limited_chat(chat, pump_args, settings, attachment_max_bytes=1024 * 1024,
                 attachment_max_total_bytes=1536 * 1024, attachment_max_count=2)
    open_form(chat, fake, 501)
    _, big = chat.send_file(501, "dump.log", b"x" * (1024 * 1024 + 1))
    assert big[0].text == ("That did not work: The file 'dump.log' is larger than the limit "
                           "of 1 MB per file.")
    assert big[1].text == "VM name"  # the question again
    assert fake.downloads == []  # the size Telegram told was enough to refuse
    _, typed = chat.send_file(501, "setup.exe", b"MZ...")
    assert typed[0].text.startswith("That did not work: Files like 'setup.exe' cannot be "
                                    "attached. Allowed: .png")
    chat.send_file(501, "one.log", b"1" * (1024 * 1024))
    _, total = chat.send_file(501, "two.log", b"2" * (600 * 1024))
    assert total[0].text == ("That did not work: The attached files together are larger "
                             "than the limit of 1.5 MB.")
    chat.send_file(501, "two.log", b"2" * 100)
    _, many = chat.send_file(501, "three.log", b"3")
    assert many[0].text == "That did not work: At most 2 files can be attached at once."
    assert [r.filename for r in uploads(engine)] == ["one.log", "two.log"]

    # Telegram's own limit: a bot downloads at most 20 MB (getFile refuses more).
    limited_chat(chat, pump_args, settings, attachment_max_bytes=50 * 1024 * 1024,
                 attachment_max_total_bytes=100 * 1024 * 1024)
    chat.say(501, "/cancel")
    open_form(chat, fake, 501)
    calls = len(fake.of("getFile"))
    _, huge = chat.send_file(501, "disk.zip", b"PK", size=25 * 1024 * 1024)
    assert huge[0].text == ('Telegram lets me receive files of at most 20 MB; "disk.zip" is '
                            "larger. Send a smaller file, or attach it to the ticket on the "
                            "client portal.")
    assert len(fake.of("getFile")) == calls  # not even asked for
    # A message that does not tell the size: getFile's refusal says the same.
    _, untold = chat.send_file(501, "disk2.zip", b"P" * (20 * 1024 * 1024 + 1), size=0)
    assert untold[0].text.startswith('Telegram lets me receive files of at most 20 MB; '
                                     '"disk2.zip" is larger.')
    assert fake.of("getFile:400")
    assert not any(path.endswith("/" + fake.of("getFile:400")[-1].params["file_id"])
                   for path in fake.downloads)


def test_a_photo_replying_to_a_ticket_message_is_a_comment_with_the_file(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, Contact],
    content: Content, config: SupportConfig,
) -> None:
    link(engine, chat, contacts["anna"], 501)
    ticket = file_vm_ticket(engine, chat, content, config, contacts["anna"])
    tickets.start_work(engine, ticket_id=ticket.id or 0, actor=lena(engine), now=chat.clock(),
                       config=config)
    tickets.request_information(engine, ticket_id=ticket.id or 0, actor=lena(engine),
                                question="A screenshot, please?", now=chat.clock(),
                                config=config)
    chat.deliver()
    question = next(m for m, sent in fake.sent.items()
                    if "A screenshot, please?" in sent["text"])
    screen = b"\xff\xd8\xff" + b"jpeg" * 100
    _, added = chat.send_file(501, "", screen, photo=True, reply_to=question)
    [row] = uploads(engine)
    assert [m.text for m in added] == [
        f"File added to {ticket.number}: {row.filename} (403 B)."]
    with Session(engine) as session:
        comment = session.scalars(select(Comment).where(
            Comment.body == f"File added: {row.filename}")).one()
        assert comment.public and comment.ticket_id == ticket.id
    assert (row.ticket_id, row.comment_id) == (ticket.id, comment.id)

    # With a caption, the caption is the comment.
    _, captioned = chat.send_file(501, "trace.txt", b"trace", caption="the trace",
                                  reply_to=question)
    assert captioned[0].text.startswith(f"File added to {ticket.number}: trace.txt")
    with Session(engine) as session:
        comment = session.scalars(select(Comment).where(Comment.body == "the trace")).one()
        assert uploads(engine)[1].comment_id == comment.id


def test_a_retried_update_stores_its_file_once(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, Contact],
) -> None:
    link(engine, chat, contacts["anna"], 501)
    open_form(chat, fake, 501)
    update, added = chat.send_file(501, "console.log", LOG)
    assert added[0].text.startswith("File added: console.log")
    before = len(fake.messages_to(501))
    chat.poll(update)  # Telegram delivers it again
    # The pump is asked to handle it again (another pump's lease ran out meanwhile).
    handle(chat.pump.context, update["update_id"], update)
    chat.deliver()
    assert len(fake.messages_to(501)) == before
    assert len(fake.downloads) == 1
    assert [r.filename for r in uploads(engine)] == ["console.log"]


def test_a_file_whose_update_is_settled_meanwhile_is_not_kept(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, Contact],
) -> None:
    """Two pumps on one update (a lease ran out during a slow download): the one that
    settles second forgets its upload, so the form holds no file twice."""
    link(engine, chat, contacts["anna"], 501)
    open_form(chat, fake, 501)
    update_id = chat.next_update + 1  # the update send_file is about to make

    def other_pump_settles() -> None:
        telegram_store.settle_with(engine, update_id=update_id, now=chat.clock(), calls=[])

    fake.on_download = other_pump_settles
    _, answer = chat.send_file(501, "console.log", LOG)
    assert answer == [] and len(fake.downloads) == 1
    assert uploads(engine) == []


def test_files_in_russian_and_nowhere_to_attach(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, Contact],
    pump_args: dict[str, Any], settings: Settings,
) -> None:
    link(engine, chat, contacts["ivan"], 601)
    _, nowhere = chat.send_file(601, "log.txt", b"1", lang="ru")
    assert nowhere[0].text.startswith("Этот файл не к чему приложить.")
    assert uploads(engine) == [] and fake.downloads == []
    open_form(chat, fake, 601, lang="ru")
    _, added = chat.send_file(601, "журнал.log", b"z" * 1536, lang="ru")
    assert added[0].text == "Файл добавлен: журнал.log (1,5 КБ)."
    assert added[1].text == "Имя ВМ"
    limited_chat(chat, pump_args, settings, attachment_max_bytes=1024 * 1024)
    _, big = chat.send_file(601, "дамп.log", b"x", size=2 * 1024 * 1024, lang="ru")
    assert big[0].text == "Не получилось: Файл «дамп.log» больше допустимых 1 МБ на файл."
