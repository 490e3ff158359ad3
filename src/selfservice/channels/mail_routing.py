"""Where an inbound message goes: a pure decision from what the message says and what the
database said about its sender and the ticket it names (looked up by the caller).

Decision for one message (first match wins):

1. Not written by a person (bounce, delivery report, read receipt, complaint, auto-reply:
   ``channels.mail_kind``), sent with the null envelope sender ``<>``, without any sender
   address, from a reserved ``.invalid`` address (system contacts) or from one of our own
   addresses -> :class:`Ignore`: no ticket, no reply (no loops). See :func:`screen`.
2. The subject names one of our tickets (``[INC-000123]``), or ``In-Reply-To`` /
   ``References`` name one of our notifications (:func:`route`):
   * the sender is an authorised contact of the ticket's organisation -> :class:`AddComment`
     (the effect rejects it if the ticket is closed by the time it commits);
   * a contact of another organisation -> :class:`RefuseForeign`, answered with why;
   * anybody else -> as 4.
3. The sender is an authorised contact -> :class:`OpenTicket`. An address registered with
   several organisations files as its earliest registration (the lookup orders by id).
4. Otherwise -> :class:`RefuseUnknown`; ``noreply``-style addresses are never answered,
   the rest only as far as ``services.mail_unknown`` allows (that needs the database).
"""

import re
from dataclasses import dataclass

from selfservice.domain.enums import Language, Status

_NO_REPLY = re.compile(r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|noreply-.*|bounces?(?:[+-].*)?)$",
                       re.IGNORECASE)


@dataclass(frozen=True)
class MailFacts:
    """What the parsed message and its envelope say, before any lookup."""

    kind: str
    """``channels.mail_kind`` kind (``person``, ``bounce``, ``auto_reply`` …)."""
    may_create_ticket: bool
    signals: tuple[str, ...]
    envelope_from: str | None
    """"" for the null sender ``<>``; None when unknown."""
    sender: str | None
    """The From address, else the envelope sender; lowercased."""
    own_addresses: frozenset[str]


@dataclass(frozen=True)
class Sender:
    """An authorised contact with the sender's address."""

    contact_id: int
    org_id: str
    email: str
    name: str
    language: Language


@dataclass(frozen=True)
class TicketRef:
    id: int
    number: str
    org_id: str
    status: Status


@dataclass(frozen=True)
class Found:
    """The lookups a routing decision needs."""

    ticket: TicketRef | None
    """The ticket the message refers to (subject number or the notification it answers)."""
    contacts: tuple[Sender, ...]
    """Authorised contacts with the sender's address, earliest registration first."""


@dataclass(frozen=True)
class Ignore:
    reason: str


@dataclass(frozen=True)
class AddComment:
    ticket: TicketRef
    contact: Sender


@dataclass(frozen=True)
class RefuseForeign:
    ticket: TicketRef
    contact: Sender


@dataclass(frozen=True)
class OpenTicket:
    contact: Sender


@dataclass(frozen=True)
class RefuseUnknown:
    sender: str
    may_answer: bool
    """False for ``noreply``-style addresses: they never get an answer."""

    @property
    def reason(self) -> str:
        reason = f"{self.sender} is not an authorised contact: nothing registered"
        return reason if self.may_answer else f"{reason}; no-reply address, not answered"


Decision = Ignore | AddComment | RefuseForeign | OpenTicket | RefuseUnknown


def screen(facts: MailFacts) -> Ignore | None:
    """Rule 1: a message nobody should act on or answer; None = route it."""
    sender = facts.sender
    if not facts.may_create_ticket:
        return Ignore(f"{facts.kind} ({'; '.join(facts.signals[:3])}): no ticket, no reply")
    if facts.envelope_from == "":
        return Ignore("null envelope sender <>: an automatic message; no ticket, no reply")
    if sender is None:
        return Ignore("no sender address (no From header and no envelope sender)")
    if sender.rstrip(".").endswith(".invalid"):
        return Ignore(f"{sender}: a reserved .invalid address (such as a system contact) "
                      "never writes to us")
    if sender in facts.own_addresses:
        return Ignore(f"sent from our own address {sender}: not answered (mail loop)")
    return None


def route(sender: str, found: Found) -> AddComment | RefuseForeign | OpenTicket | RefuseUnknown:
    """Rules 2-4 for a message that passed :func:`screen`."""
    target, contacts = found.ticket, found.contacts
    if target is not None:
        own = next((c for c in contacts if c.org_id == target.org_id), None)
        if own is not None:
            return AddComment(target, own)
        if contacts:
            return RefuseForeign(target, contacts[0])
    elif contacts:
        return OpenTicket(contacts[0])
    return RefuseUnknown(sender, may_answer=not _NO_REPLY.match(sender.split("@", 1)[0]))
