"""A contact's ticket updates as Telegram messages (next to, or instead of, the e-mail).

Called from ``customer_updates.mail_change`` inside the use case's transaction: a status
change, a public comment, a question while support waits for information. The message
names the ticket; a reply to it becomes a public comment (``telegram_store`` keeps the
sent message's id with the ticket). A completed ticket comes with Confirm / Reject buttons.
The contact chooses where updates go (``/notify email|telegram|both``).
"""

from datetime import datetime

from sqlmodel import Session

from selfservice.domain.enums import Status
from selfservice.services import telegram_accounts, telegram_store
from selfservice.services.common import Loaded
from selfservice.services.telegram_store import Outgoing
from selfservice.text.catalogue import text


def notify(session: Session, loaded: Loaded, *, now: datetime, old: Status | None,
           comment: str | None) -> bool:
    """Queue the Telegram message of a change; True when the contact wants no e-mail."""
    ticket, contact = loaded.ticket, loaded.contact
    link = telegram_accounts.link_of_contact(session, contact_id=contact.id or 0)
    if link is None or link.notify == "email":
        return False
    lang = contact.language.value
    lines: list[str] = []
    if old is not None and old is not ticket.status:
        status = text(f"mail.status.{ticket.status.value}", lang)
        lines.append(text("telegram.update_status", lang, number=ticket.number,
                          title=ticket.subject, status=status))
    if comment:
        key = ("telegram.update_question" if ticket.status is Status.INFORMATION_NEEDED
               else "telegram.update_comment")
        lines.append(text(key, lang, text=comment))
    if not lines:
        return link.notify == "telegram"
    if not any(ticket.number in line for line in lines):
        lines.insert(0, ticket.number)
    keyboard = None
    if ticket.status is Status.COMPLETED and old is not Status.COMPLETED:
        lines.append(text("telegram.completed_ask", lang))
        keyboard = [[{"text": text("telegram.button.confirm", lang),
                      "callback_data": f"c:{ticket.number}"}],
                    [{"text": text("telegram.button.reject", lang),
                      "callback_data": f"r:{ticket.number}"}]]
    lines.append(text("telegram.reply_hint", lang))
    payload: dict[str, object] = {"chat_id": link.chat_id, "text": "\n\n".join(lines)[:4000]}
    if keyboard:
        payload["reply_markup"] = {"inline_keyboard": keyboard}
    telegram_store.enqueue(session, [Outgoing(link.chat_id, "sendMessage", payload,
                                              kind="ticket_update", ticket_id=ticket.id)],
                           now=now)
    return link.notify == "telegram"
