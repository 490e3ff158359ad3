"""The rules of known problems: who is affected, which new ticket is a child, what a
message concerns, how a child reaches Completed, who gets which e-mail."""

from datetime import UTC, datetime

import pytest

from selfservice.domain.enums import ActorRole, Channel, ClosureCode, Status
from selfservice.domain.known_problems import (
    OpenProblem,
    Scope,
    affects,
    concerns,
    duplicates_avoided,
    parent_for,
    render,
    steps_to_complete,
    subscribers_to_mail,
)
from selfservice.domain.workflow import TicketState, check_transition

NOW = datetime(2026, 12, 7, 10, 42, tzinfo=UTC)
ZONE = Scope("compute", zones=("ru-1b",))
CLUSTER = Scope("storage", clusters=("ceph-2",))
NAMED = Scope("mail", organisations=("acme",))
EVERYWHERE = Scope("dns")


@pytest.mark.parametrize(("scope", "org", "locations", "affected"), [
    (ZONE, "acme", ["ru-1", "ru-1b"], True),
    (ZONE, "acme", ["RU-1B"], True),  # places are compared without case
    (ZONE, "globex", ["ru-1", "ru-1a"], False),
    (ZONE, "globex", [], False),
    (CLUSTER, "acme", ["ceph-2"], True),
    (CLUSTER, "acme", ["ru-1b"], False),
    (NAMED, "acme", [], True),
    (NAMED, "globex", ["ru-1b"], False),
    (EVERYWHERE, "globex", [], True),
])
def test_who_is_affected(scope: Scope, org: str, locations: list[str], affected: bool) -> None:
    assert affects(scope, org, locations) is affected


OPEN = [OpenProblem(7, ZONE), OpenProblem(3, Scope("compute", zones=("ru-1a",))),
        OpenProblem(9, ZONE)]


@pytest.mark.parametrize(("org", "locations", "service", "channel", "parent"), [
    ("acme", ["ru-1b"], "compute", Channel.EMAIL, 7),  # the oldest that fits
    ("acme", ["ru-1b"], "compute", Channel.PORTAL, 7),
    ("acme", ["ru-1b"], "compute", Channel.PHONE, 7),
    ("acme", ["ru-1b"], "compute", Channel.WIDGET, 7),
    ("acme", ["ru-1a", "ru-1b"], "compute", Channel.EMAIL, 3),
    ("acme", ["ru-1b"], "compute", Channel.MONITORING, None),  # alerts are never children
    ("acme", ["ru-1b"], "storage", Channel.EMAIL, None),  # another service
    ("globex", ["ru-1c"], "compute", Channel.EMAIL, None),  # not affected
])
def test_which_ticket_is_a_child(org: str, locations: list[str], service: str,
                                 channel: Channel, parent: int | None) -> None:
    assert parent_for(OPEN, org_id=org, locations=locations, service=service,
                      channel=channel) == parent


@pytest.mark.parametrize(("said", "services", "concerned"), [
    ("my vm is down", {"compute"}, True),
    ("my vm is down", {"network", "compute"}, True),
    ("how do I reset my password", {"identity"}, False),
    ("something is wrong in ru-1b.", set(), True),  # names the zone
    ("something is wrong in ru-1", set(), False),
])
def test_what_a_message_concerns(said: str, services: set[str], concerned: bool) -> None:
    assert concerns(ZONE, text=said, services=services) is concerned


@pytest.mark.parametrize("status", list(Status))
def test_every_status_has_a_legal_way_to_completed(status: Status) -> None:
    steps = steps_to_complete(status)
    if status in (Status.COMPLETED, Status.CLOSED):
        assert steps == ()
        return
    assert steps[-1] is Status.COMPLETED
    state = TicketState(status, assignee=None if status is Status.REGISTERED else "5",
                        work_started=status not in (Status.REGISTERED, Status.ASSIGNED))
    for target in steps:  # each step is allowed to an engineer by the workflow table
        started = target is Status.IN_PROGRESS
        check_transition(state, target, actor_role=ActorRole.ENGINEER, now=NOW,
                         assignee="5" if started else state.assignee or "5",
                         comment="resolved", closure_code=ClosureCode.RESOLVED)
        state = TicketState(target, assignee="5", work_started=True)


def test_each_person_gets_one_mail() -> None:
    assert subscribers_to_mail([4, 5, 6, 5], child_contacts=[5]) == [4, 6]
    assert duplicates_avoided([1, 2, 3], filed=[2, 9]) == 2


@pytest.mark.parametrize(("template", "filled"), [
    ("VMs in {zone} are down", "VMs in ru-1b are down"),
    ("{zone}/{cluster}", "ru-1b/?"),  # a label the alert lacks
    ("no labels here", "no labels here"),
    ("a { brace", "a { brace"),
    ("{0} positional", "{0} positional"),
])
def test_texts_are_filled_from_labels(template: str, filled: str) -> None:
    assert render(template, {"zone": "ru-1b"}) == filled
