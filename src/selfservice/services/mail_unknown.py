"""Whether a sender who is no authorised contact gets the instructions e-mail.

Anybody can write any From address, so answering every unknown sender makes us a
backscatter source: spam sent in the name of innocent addresses brings them our answers.
The answer goes out only when all of these hold:

* replies to unknown senders are on (``authenticated``; the default is ``off``, right for
  a gateway that does not sit behind an MTA checking SPF/DMARC);
* the trusted MTA's ``Authentication-Results`` header says the From domain passed DMARC,
  or SPF aligned with it (``channels.mail_auth``);
* the address can be written into a header as it is (no line break, at most 254
  characters);
* fewer than ``per_hour`` such answers were queued in the last hour, all addresses
  together (counted in the outbox);
* the address got none today (``mail_auto_replies``, checked by the caller).

The answer never repeats the sender's subject or text (``mail_answers.unknown_sender``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlmodel import Session, col

from selfservice.channels.mail_auth import from_domain_authenticated
from selfservice.channels.mail_parse import InboundMail
from selfservice.config.settings import Settings
from selfservice.db.models import OutboxMessage
from selfservice.delivery.notify import unsafe_address

KIND: Final = "intake_unknown_sender"
MODES: Final = ("off", "authenticated")
MAX_ADDRESS = 254


@dataclass(frozen=True)
class UnknownSenderReplies:
    #: ``off``: never answer; ``authenticated``: answer when the trusted MTA vouches.
    mode: str = "off"
    #: The authserv-id the trusted MTA writes into ``Authentication-Results``.
    authserv_id: str = ""
    #: At most this many answers to unknown senders an hour, all addresses together.
    per_hour: int = 20

    @classmethod
    def from_settings(cls, settings: Settings) -> "UnknownSenderReplies":
        return cls(mode=settings.mail_unknown_sender_reply, authserv_id=settings.mail_authserv_id,
                   per_hour=settings.mail_unknown_sender_replies_per_hour)


def refusal(
    session: Session, policy: UnknownSenderReplies, *, mail: InboundMail, sender: str,
    now: datetime,
) -> str | None:
    """Why ``sender`` gets no answer, or None when it may get one (once a day permitting)."""
    if policy.mode != "authenticated" or not policy.authserv_id.strip():
        return "answers to unknown senders are off"
    if unsafe_address(sender) or len(sender) > MAX_ADDRESS:
        return "the address cannot be written into a header as it is"
    verdict = from_domain_authenticated(mail.header_all("Authentication-Results"),
                                        authserv_id=policy.authserv_id,
                                        from_address=mail.from_address)
    if not verdict.passed:
        return f"sender not authenticated ({verdict.reason})"
    recent = session.execute(
        select(func.count()).select_from(OutboxMessage).where(
            col(OutboxMessage.kind) == KIND,
            col(OutboxMessage.created_at) > now - timedelta(hours=1),
        )
    ).scalar_one()
    if int(recent) >= policy.per_hour:
        return f"{policy.per_hour} answers to unknown senders in the last hour already"
    return None
