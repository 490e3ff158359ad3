"""The routing decision for an inbound message, without a database: every rule of
``channels.mail_routing`` from plain facts and lookups."""

import pytest

from selfservice.channels.mail_routing import (
    AddComment,
    Found,
    Ignore,
    MailFacts,
    OpenTicket,
    RefuseForeign,
    RefuseUnknown,
    Sender,
    TicketRef,
    route,
    screen,
)
from selfservice.domain.enums import Language, Status

OWN = frozenset({"support@selfservice.local"})
JOHN = Sender(1, "acme", "john@acme.example", "John", Language.EN)
OLGA = Sender(2, "globex", "john@acme.example", "Ольга", Language.RU)
TICKET = TicketRef(10, "INC-000010", "acme", Status.IN_PROGRESS)


def facts(sender: str | None = "john@acme.example", *, kind: str = "person",
          person: bool = True, envelope_from: str | None = None) -> MailFacts:
    return MailFacts(kind, person, ("x-autoreply: yes",), envelope_from, sender, OWN)


@pytest.mark.parametrize(("given", "reason"), [
    (facts(kind="auto_reply", person=False), "auto_reply (x-autoreply: yes): no ticket"),
    (facts(envelope_from=""), "null envelope sender <>"),
    (facts(None), "no sender address"),
    (facts("system@contacts.invalid"), "reserved .invalid address"),
    (facts("support@selfservice.local"), "our own address"),
])
def test_messages_nobody_answers_are_ignored(given: MailFacts, reason: str) -> None:
    decision = screen(given)
    assert isinstance(decision, Ignore) and reason in decision.reason


def test_a_person_writing_is_routed() -> None:
    assert screen(facts()) is None


def test_a_reply_by_a_contact_of_the_tickets_organisation_is_a_comment() -> None:
    found = Found(TICKET, (OLGA, JOHN))  # registered with two organisations
    assert route(JOHN.email, found) == AddComment(TICKET, JOHN)


def test_a_reply_by_a_contact_of_another_organisation_is_refused() -> None:
    assert route(OLGA.email, Found(TICKET, (OLGA,))) == RefuseForeign(TICKET, OLGA)


def test_a_contact_without_a_ticket_reference_opens_a_ticket_as_the_earliest_registration(
) -> None:
    assert route(JOHN.email, Found(None, (JOHN, OLGA))) == OpenTicket(JOHN)


@pytest.mark.parametrize("found", [Found(None, ()), Found(TICKET, ())])
def test_a_stranger_is_refused_and_answered(found: Found) -> None:
    decision = route("eve@example.org", found)
    assert decision == RefuseUnknown("eve@example.org", may_answer=True)
    assert decision.reason == "eve@example.org is not an authorised contact: nothing registered"


@pytest.mark.parametrize("local", ["noreply", "no-reply", "do_not_reply", "bounces+x"])
def test_no_reply_addresses_are_never_answered(local: str) -> None:
    decision = route(f"{local}@example.org", Found(None, ()))
    assert isinstance(decision, RefuseUnknown) and not decision.may_answer
    assert decision.reason.endswith("no-reply address, not answered")
