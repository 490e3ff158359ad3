"""Every legal transition × (public, internal, default, no comment): what the customer sees.

One walk per database: each case files a fresh ticket, drives it to the source status,
makes the change through the API as an engineer (or the contact) and then checks, as the
customer, the ticket's detail, the ticket list and the e-mails against
``domain.visibility`` (whose defaults ``tests/domain`` pins down). Mismatches are collected
and reported together.
"""

import uuid
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from engineer_helpers import Desk, file_ticket, ok, ticket_row
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from selfservice.config.support_config import load_support_config
from selfservice.db.models import OutboxMessage
from selfservice.domain.config import MailPolicy, SupportConfig
from selfservice.domain.enums import ActorRole, Status
from selfservice.domain.visibility import LINE_MOVE, Visibility, visibility_of
from selfservice.domain.workflow import RULES, TRANSITIONS
from selfservice.services import tickets
from selfservice.services.common import Actor
from selfservice.web.app import utc_now


@pytest.fixture(scope="module")
def desk_config() -> SupportConfig:
    """Each change mails on its own (no coalescing): what one transition mails is counted
    here; coalescing is tests/tickets/test_customer_mail.py's business."""
    return replace(load_support_config(), mail=MailPolicy(coalesce=timedelta(0)))

BASE = "/api/v1/engineer"
_DUP, _RESOLVED = {"closure_code": "duplicate"}, {"closure_code": "resolved"}

#: How to bring a fresh (Registered, L1) ticket to a source status through the API.
SETUP: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "registered": [],
    "assigned": [("assign", {})],
    "in_progress": [("assign", {}), ("transition", {"to": "in_progress"})],
    "information_needed": [
        ("assign", {}), ("transition", {"to": "in_progress"}),
        ("transition", {"to": "information_needed", "comment": "setup: which region?"})],
    "information_needed_unassigned": [
        ("transition", {"to": "information_needed", "comment": "setup: which region?"})],
    "information_needed_assigned": [
        ("assign", {}),
        ("transition", {"to": "information_needed", "comment": "setup: which region?"})],
    "external_processing": [  # work never started
        ("assign", {}),
        ("transition", {"to": "external_processing", "comment": "setup: the vendor"})],
    "external_started": [
        ("assign", {}), ("transition", {"to": "in_progress"}),
        ("transition", {"to": "external_processing", "comment": "setup: the vendor"})],
    "completed": [
        ("assign", {}), ("transition", {"to": "in_progress"}),
        ("transition", {"to": "completed", **_RESOLVED})],
    "rejected_by_user": [
        ("assign", {}), ("transition", {"to": "in_progress"}),
        ("transition", {"to": "completed", **_RESOLVED}), ("reject", {"reason": "setup"})],
}

#: (source, ``to`` of the engineer's transition, other fields of the body).
ENGINEER_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("registered", "assigned", {}), ("registered", "in_progress", {}),
    ("registered", "completed", _DUP), ("registered", "information_needed", {}),
    ("assigned", "in_progress", {}), ("assigned", "completed", _DUP),
    ("assigned", "information_needed", {}), ("assigned", "external_processing", {}),
    ("in_progress", "assigned", {}), ("in_progress", "completed", _RESOLVED),
    ("in_progress", "information_needed", {}), ("in_progress", "external_processing", {}),
    ("completed", "closed", {}),
    ("rejected_by_user", "assigned", {}), ("rejected_by_user", "in_progress", {}),
    ("rejected_by_user", "information_needed", {}),
    ("information_needed", "in_progress", {}), ("information_needed", "completed", _RESOLVED),
    ("external_processing", "assigned", {}), ("external_started", "in_progress", {}),
    ("external_processing", "information_needed", {}),
    ("external_processing", "completed", _DUP),
]

#: comment given?, ``public`` sent (None: left out).
VARIANTS: dict[str, tuple[bool, bool | None]] = {
    "public": (True, True), "internal": (True, False), "default": (True, None),
    "none": (False, None),
}


@dataclass
class Walk:
    api: TestClient
    engine: Engine
    desk: Desk
    config: SupportConfig
    problems: list[str] = field(default_factory=list)
    #: (from, to, actor role) of every change that happened.
    covered: set[tuple[Status, Status, ActorRole]] = field(default_factory=set)

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        return self.api.post(path, json=body, headers=headers)

    def prepare(self, source: str) -> str:
        number = file_ticket(self.api, self.desk)
        for what, body in SETUP[source]:
            if what == "reject":
                response = self.post(f"/api/v1/tickets/{number}/reject", body,
                                     self.desk.contact())
            else:
                response = self.post(f"{BASE}/tickets/{number}/{what}", body,
                                     self.desk.staff("L1"))
            ok(response)
        return number

    def mails(self, number: str) -> list[OutboxMessage]:
        ticket_id = ticket_row(self.engine, number).id
        with Session(self.engine) as session:
            query = select(OutboxMessage).where(OutboxMessage.ticket_id == ticket_id)
            return list(session.exec(query.order_by(col(OutboxMessage.id))))

    def check(self, case: str, number: str, text: str, *, visible: bool, mailed: bool,
              mails_before: int, quoted: bool | None = None) -> None:
        """What the customer sees of ``text``; ``quoted``: whether the e-mail carries it
        (default: when visible and mailed)."""
        contact = self.desk.contact()
        detail = ok(self.api.get(f"/api/v1/tickets/{number}", headers=contact))
        seen = text in [c["body"] for c in detail["comments"]]
        if seen is not visible:
            self.problems.append(f"{case}: the customer {'sees' if seen else 'misses'} it")
        listing = self.api.get("/api/v1/tickets", headers=contact)
        if text in listing.text:
            self.problems.append(f"{case}: the ticket list shows it")
        new_mail = self.mails(number)[mails_before:]
        if len(new_mail) != int(mailed):
            self.problems.append(f"{case}: {len(new_mail)} e-mails, expected {int(mailed)}")
        in_mail = any(text in m.body for m in new_mail)
        expect_quoted = (visible and mailed) if quoted is None else quoted
        if in_mail is not expect_quoted:
            self.problems.append(f"{case}: the e-mail {'quotes' if in_mail else 'lacks'} it")


def _expected(row: Visibility, comment: bool, public: bool | None) -> tuple[bool, bool]:
    """(refused as a contradiction of the table, visible)."""
    if not comment:
        return False, False
    if public is not None and public is not row.public and not row.choosable:
        return True, False
    return False, row.public if public is None else public


def _engineer_case(walk: Walk, source: str, to: str, extra: dict[str, Any],
                   variant: str) -> None:
    comment, public = VARIANTS[variant]
    case = f"{source} -> {to} [{variant}]"
    number = walk.prepare(source)
    before = ticket_row(walk.engine, number).status
    mails_before = len(walk.mails(number))
    text = f"note {uuid.uuid4().hex[:12]}"
    body: dict[str, Any] = {"to": to, **extra}
    if comment:
        body["comment"] = text
    if public is not None:
        body["public"] = public
    response = walk.post(f"{BASE}/tickets/{number}/transition", body, walk.desk.staff("L1"))
    after = ticket_row(walk.engine, number).status
    if response.status_code != 200:
        if after is not before:
            walk.problems.append(f"{case}: refused ({response.status_code}) but changed")
        rule_rows = [visibility_of(r.name) for r in RULES if r.source is before]
        contradicts = public is not None and any(
            not r.choosable and r.public is not public for r in rule_rows)
        needs_comment = not comment and response.status_code in (400, 422)
        if not (contradicts and response.json()["error"] == "comment_visibility_fixed"
                or needs_comment):
            walk.problems.append(f"{case}: refused {response.status_code} {response.text}")
        walk.check(case, number, text, visible=False, mailed=False, mails_before=mails_before)
        return
    rule = next(r for r in TRANSITIONS[(before, after)] if ActorRole.ENGINEER in r.actors)
    walk.covered.add((before, after, ActorRole.ENGINEER))
    row = visibility_of(rule.name)
    refused, visible = _expected(row, comment, public)
    if refused:
        walk.problems.append(f"{case}: accepted a {public} comment the table fixes")
    walk.check(case, number, text, visible=visible, mailed=row.mail, mails_before=mails_before)


def test_every_transition_shows_the_customer_exactly_the_public_comments(
    api: TestClient, engine: Engine, desk: Desk, desk_config: SupportConfig
) -> None:
    walk = Walk(api, engine, desk, desk_config)
    for source, to, extra in ENGINEER_CASES:
        for variant in VARIANTS:
            _engineer_case(walk, source, to, extra, variant)
    _contact_cases(walk)
    _engineer_records_the_answer(walk)
    _escalations(walk)
    assert walk.problems == []
    # Every rule an engineer or a contact performs was walked (unassigning is escalating).
    legal = {(r.source, r.target, role) for r in RULES for role in r.actors
             if role is not ActorRole.SYSTEM}
    assert legal - walk.covered == set()


def _contact_cases(walk: Walk) -> None:
    """The contact's own words are public; their e-mail does not quote them back."""
    contact = walk.desk.contact()
    for what, source, key, required in (
        ("confirm", "completed", "comment", False), ("reject", "completed", "reason", True),
        ("comments", "information_needed", "text", True),
        ("comments", "information_needed_unassigned", "text", True),
        ("comments", "information_needed_assigned", "text", True),
    ):
        for comment in (True, False):
            case = f"contact {what} on {source} [{'comment' if comment else 'none'}]"
            number = walk.prepare(source)
            before = ticket_row(walk.engine, number).status
            mails_before = len(walk.mails(number))
            text = f"my words {uuid.uuid4().hex[:12]}"
            body = {key: text} if comment else {}
            response = walk.post(f"/api/v1/tickets/{number}/{what}", body, contact)
            if not comment and required:
                if response.status_code not in (400, 422):
                    walk.problems.append(f"{case}: {response.status_code}")
                continue
            ok(response, 201 if what == "comments" else 200)
            after = ticket_row(walk.engine, number).status
            walk.covered.add((before, after, ActorRole.CONTACT))
            walk.check(case, number, text, visible=comment, mailed=True,
                       mails_before=mails_before, quoted=False)


def _engineer_records_the_answer(walk: Walk) -> None:
    """Information needed → Registered / Assigned: the engineer notes the contact's answer
    (the API's ``in_progress`` goes to In progress; these are the use case's other ends)."""
    engineer = Actor.engineer(walk.desk.id("L1"))
    for source, variant in (("information_needed_unassigned", "default"),
                            ("information_needed_assigned", "public")):
        number = walk.prepare(source)
        row = ticket_row(walk.engine, number)
        mails_before = len(walk.mails(number))
        text = f"answer by phone {uuid.uuid4().hex[:12]}"
        _, public = VARIANTS[variant]
        tickets.answer_information(
            walk.engine, ticket_id=row.id or 0, actor=engineer, answer=text, now=utc_now(),
            config=walk.config, public=public)
        after = ticket_row(walk.engine, number).status
        walk.covered.add((row.status, after, ActorRole.ENGINEER))
        rule = next(r for r in TRANSITIONS[(row.status, after)]
                    if ActorRole.ENGINEER in r.actors)
        visible = visibility_of(rule.name).public if public is None else public
        walk.check(f"engineer answer -> {after.value} [{variant}]", number, text,
                   visible=visible, mailed=True, mails_before=mails_before)


def _escalations(walk: Walk) -> None:
    """A move between lines: its reason is never shown or mailed (``LINE_MOVE``)."""
    for source in ("assigned", "in_progress"):
        number = walk.prepare(source)
        before = ticket_row(walk.engine, number).status
        mails_before = len(walk.mails(number))
        text = f"escalation reason {uuid.uuid4().hex[:12]}"
        ok(walk.post(f"{BASE}/tickets/{number}/escalate",
                     {"line": "L2", "group": "l2-linux", "reason": text},
                     walk.desk.staff("L1")))
        after = ticket_row(walk.engine, number).status
        walk.covered.add((before, after, ActorRole.ENGINEER))
        walk.check(f"escalate from {source}", number, text, visible=LINE_MOVE.public,
                   mailed=LINE_MOVE.mail, mails_before=mails_before)


def test_the_reported_leak_external_then_in_progress(
    api: TestClient, engine: Engine, desk: Desk
) -> None:
    number = file_ticket(api, desk)
    staff = desk.staff("L1")
    ok(api.post(f"{BASE}/tickets/{number}/assign", json={}, headers=staff))
    ok(api.post(f"{BASE}/tickets/{number}/transition", headers=staff,
                json={"to": "in_progress"}))
    ok(api.post(f"{BASE}/tickets/{number}/transition", headers=staff,
                json={"to": "external_processing", "comment": "RMA case 4711 at Dell"}))
    ok(api.post(f"{BASE}/tickets/{number}/transition", headers=staff,
                json={"to": "in_progress", "comment": "Dell says the board is EOL, lol"}))
    mine = ok(api.get(f"/api/v1/tickets/{number}", headers=desk.contact()))
    assert "Dell" not in " ".join(c["body"] for c in mine["comments"])
    # The question to the customer cannot be made internal (a 422 in their language)...
    refused = api.post(f"{BASE}/tickets/{number}/transition?lang=ru", headers=staff,
                       json={"to": "information_needed", "comment": "?", "public": False})
    assert (refused.status_code, refused.json()["error"], refused.json()["field"]) == (
        422, "comment_visibility_fixed", "public")
    assert "Видимость" in refused.json()["message"]
    assert ticket_row(engine, number).status is Status.IN_PROGRESS
    # ... and an engineer may tell the customer on purpose.
    ok(api.post(f"{BASE}/tickets/{number}/transition", headers=staff,
                json={"to": "completed", "closure_code": "resolved",
                      "comment": "Replaced the mainboard.", "public": True}))
    mine = ok(api.get(f"/api/v1/tickets/{number}", headers=desk.contact()))
    assert [c["body"] for c in mine["comments"]] == ["Replaced the mainboard."]
