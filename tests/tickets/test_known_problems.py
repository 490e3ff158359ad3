"""Known problems end to end over the real app and database (SQLite and PostgreSQL): a
customer-visible Alertmanager payload opens one, affected customers are told (banner,
conversation, "notify me"), unaffected ones never; a ticket filed anyway by e-mail is its
child, out of the L1 queue, with the parent's SLA; the resolved payload completes the
children and every child contact and subscriber gets one e-mail (real SMTP on loopback)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast
from xml.etree import ElementTree

import pytest
from intake_helpers import Clock, kb_classifier, make_intake, message
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient
from support.host_outage import host_outage, mapping
from ticket_helpers import T0, SmtpServer, World, history

from selfservice.config.settings import Settings
from selfservice.content.model import Content
from selfservice.db.models import Contact, KnownProblem, Role, Ticket
from selfservice.delivery.notify import SmtpMailer
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ClosureCode, Line, Status
from selfservice.run.worker import Worker
from selfservice.search import SearchIndex
from selfservice.services import admin, alert_sources, queries
from selfservice.web.app import create_app
from selfservice.web.backend import Backend, DatabaseDirectory
from selfservice.web.identity import mint_token
from selfservice.web.ratelimit import NoRateLimit

ZONE = "ru-1b"
ATOM = "http://www.w3.org/2005/Atom"


@dataclass
class Desk:
    client: TestClient
    clock: Clock
    alert_token: str
    bob: Contact
    engineer_token: str
    manager_token: str

    def alert(self, payload: dict[str, Any]) -> dict[str, Any]:
        answer = self.client.post("/api/v1/alerts/alertmanager", json=payload,
                                  headers={"Authorization": f"Bearer {self.alert_token}"})
        assert answer.status_code == 202, answer.text
        return cast(dict[str, Any], answer.json())

    def as_contact(self, org: str, secret: str, email: str) -> dict[str, str]:
        token = mint_token(org, secret, email, now=self.clock())
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def desk(engine: Engine, config: SupportConfig, world: World, content: Content,
         search_index: SearchIndex, tmp_path: Path) -> Iterator[Desk]:
    admin.add_organisation(engine, id="provider", name="Cloud provider", contract_number="-",
                           now=T0)
    admin.add_organisation(engine, id="globex", name="Globex", contract_number="C-2", now=T0)
    admin.set_locations(engine, org_id="acme", locations=["ru-1", ZONE])
    admin.set_locations(engine, org_id="globex", locations=["ru-1", "ru-1a"])
    bob = admin.add_contact(engine, org_id="globex", email="bob@globex.example", name="Bob",
                            now=T0)
    source = alert_sources.add_source(engine, name="prometheus-provider", kind="alertmanager",
                                      org_id="provider", now=T0)
    noc = admin.add_engineer(engine, name="NOC", email="noc@support.example",
                             role=Role.L1, group_id="service-desk", now=T0)
    boss = admin.add_engineer(engine, name="Boss", email="boss@support.example",
                              role=Role.MANAGER, now=T0)
    file = tmp_path / "alert_mapping.yml"
    file.write_text(mapping(world.l1.email), encoding="utf-8")
    clock = Clock(T0)
    backend = Backend(engine=engine, config=config, classifier=kb_classifier(),
                      directory=DatabaseDirectory(engine, clock))
    app = create_app(settings=Settings(alert_mapping=file), content=content,
                     search_index=search_index, store=backend, directory=backend.directory,
                     clock=clock, rate_limiter=NoRateLimit())
    with TestClient(app) as client:
        yield Desk(client, clock, source.token, bob, noc.api_token, boss.api_token)


def problems(engine: Engine) -> list[KnownProblem]:
    with Session(engine) as session:
        return list(session.exec(select(KnownProblem).order_by(col(KnownProblem.id))))


def ticket(engine: Engine, number: str) -> Ticket:
    with Session(engine) as session:
        found = session.exec(select(Ticket).where(Ticket.number == number)).first()
        assert found is not None
        return found


def deliver(engine: Engine, config: SupportConfig, smtp: SmtpServer, at: datetime) -> int:
    mailer = SmtpMailer(host="127.0.0.1", port=smtp.port, sender="support@selfservice.local",
                        timeout=5)
    return Worker(engine=engine, mailer=mailer, config=config, clock=lambda: at).run_pass().sent


def mails_to(smtp: SmtpServer, address: str) -> list[EmailMessage]:
    return [m for m in smtp.collector.messages if address in str(m["To"]).lower()]


def body(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def chat(desk: Desk, headers: dict[str, str], text: str, lang: str = "en") -> list[Any]:
    started = desk.client.post(f"/api/v1/conversations?lang={lang}", json={"lang": lang},
                               headers=headers)
    assert started.status_code == 201, started.text
    said = desk.client.post(f"/api/v1/conversations/{started.json()['id']}/messages",
                            json={"text": text}, headers=headers)
    assert said.status_code == 200, said.text
    return cast(list[Any], said.json()["messages"])


def test_a_host_outage_from_alert_to_every_customer_told_once(
    engine: Engine, config: SupportConfig, world: World, desk: Desk, smtp_server: SmtpServer,
) -> None:
    started = T0 - timedelta(minutes=3)
    opened = desk.alert(host_outage("firing", zone=ZONE, host="hv-17", starts_at=started))
    assert [o["outcome"] for o in opened["outcomes"]] == ["opened"]
    [problem] = problems(engine)
    assert (problem.zones, problem.service, problem.status) == ([ZONE], "compute", "open")
    assert problem.title_en == "VMs in zone ru-1b are not responding"
    assert problem.title_ru == "Виртуальные машины в зоне ru-1b не отвечают"
    assert problem.started_at == started and problem.first_notice_at is None
    parent = ticket(engine, opened["ticket"])

    # John (acme, in ru-1b) is told on the banner, and in the chat before any article
    secret = world.org.token_secret
    john = desk.as_contact("acme", secret, "john@acme.example")
    desk.clock.now = T0 + timedelta(minutes=2)
    banner = desk.client.get("/api/v1/known-problems?lang=en", headers=john).json()
    assert [p["title"] for p in banner["problems"]] == ["VMs in zone ru-1b are not responding"]
    assert banner["problems"][0]["next_update_at"] == (T0 + timedelta(minutes=30)).isoformat()
    [first, *rest] = chat(desk, john, "My virtual machine is not responding")
    assert first["type"] == "known_problem" and first["id"] == problem.id
    assert first["title"] == "VMs in zone ru-1b are not responding"
    assert all(m["type"] != "known_problem" for m in rest)
    ru = chat(desk, desk.as_contact("acme", secret, "ivan@acme.example"),
              "Не отвечает виртуальная машина", lang="ru")
    assert ru[0]["title"] == "Виртуальные машины в зоне ru-1b не отвечают"
    subscribed = desk.client.post(f"/api/v1/known-problems/{problem.id}/subscribe", headers=john)
    assert subscribed.status_code == 200 and subscribed.json()["subscribed"] is True
    [told] = problems(engine)
    assert told.first_notice_at == T0 + timedelta(minutes=2)
    page = desk.client.get("/status?lang=en").text
    assert "Current problems" in page and "VMs in zone ru-1b are not responding" in page
    assert "Next update by 2025-03-03 10:30 UTC" in page

    # Bob (globex, zone ru-1a) never sees it, nor may he subscribe to it
    bob = desk.as_contact("globex", _secret(engine, "globex"), "bob@globex.example")
    assert desk.client.get("/api/v1/known-problems", headers=bob).json() == {"problems": []}
    assert all(m["type"] != "known_problem"
               for m in chat(desk, bob, "My virtual machine is not responding"))
    refused = desk.client.post(f"/api/v1/known-problems/{problem.id}/subscribe", headers=bob)
    assert refused.status_code == 404

    # Ivan files anyway, by e-mail: the ticket is a child, not in the L1 queue
    filed_at = T0 + timedelta(minutes=5)
    intake = make_intake(engine, config, clock=Clock(filed_at))
    mail = message(sender="Иван <ivan@acme.example>", subject="Не отвечает виртуальная машина",
                   body="Добрый день! Наша виртуальная машина app-01 не отвечает, "
                        "сервер недоступен по ssh. Посмотрите, пожалуйста.")
    outcome = intake.receive(mail.as_bytes(), via="test")
    assert outcome.outcome.value == "ticket", outcome
    child = ticket(engine, outcome.ticket or "")
    assert child.known_problem_id == problem.id and child.service == "compute"
    assert (child.response_due, child.resolution_due) == (parent.response_due,
                                                         parent.resolution_due)
    assert history(engine, child.id or 0, field="known_problem")
    queue = [t.number for t in queries.queue(engine, line=Line.L1)]
    assert parent.number in queue and child.number not in queue
    staff = {"Authorization": f"Bearer {desk.engineer_token}"}
    seen = desk.client.get(f"/api/v1/engineer/tickets/{child.number}", headers=staff).json()
    assert seen["known_problem"] == problem.id
    listed = desk.client.get("/api/v1/engineer/queue?line=L1", headers=staff).json()
    assert child.number not in [t["number"] for t in listed["tickets"]]
    linked = desk.client.get(f"/api/v1/engineer/known-problems/{problem.id}", headers=staff)
    assert linked.json()["children"] == [child.number]
    assert deliver(engine, config, smtp_server, filed_at) >= 1  # Ivan's registration
    before = len(smtp_server.collector.messages)

    # the resolved payload: the child is completed, Ivan and John get one e-mail each
    resolved_at = T0 + timedelta(minutes=50)
    desk.clock.now = resolved_at
    done = desk.alert(host_outage("resolved", zone=ZONE, host="hv-17", starts_at=started))
    assert [o["outcome"] for o in done["outcomes"]] == ["resolved"]
    [gone] = problems(engine)
    assert gone.status == "resolved" and gone.resolved_at == resolved_at
    completed = ticket(engine, child.number)
    assert completed.status is Status.COMPLETED
    assert completed.closure_code is ClosureCode.RESOLVED
    assert deliver(engine, config, smtp_server, resolved_at + timedelta(minutes=3)) == 2
    assert len(smtp_server.collector.messages) == before + 2
    [ivan] = mails_to(smtp_server, "ivan@acme.example")[-1:]
    assert "Мониторинг показывает, что сервис снова работает" in body(ivan)
    [to_john] = mails_to(smtp_server, "john@acme.example")
    assert to_john["Subject"] == "Resolved: VMs in zone ru-1b are not responding"
    assert "service working again" in body(to_john)
    assert not mails_to(smtp_server, "bob@globex.example")
    assert desk.client.get("/api/v1/known-problems", headers=john).json() == {"problems": []}
    check_status_and_numbers(desk)


def check_status_and_numbers(desk: Desk) -> None:
    """After the outage: the status page lists it among the last 30 days, and the
    managers' numbers count the child, the duplicate avoided and the time to notice."""
    status = desk.client.get("/api/v1/status?lang=ru").json()
    assert status["current"] == []
    assert [p["title"] for p in status["recent"]] == [
        "Виртуальные машины в зоне ru-1b не отвечают"]
    page = desk.client.get("/status?lang=ru")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Все сервисы работают нормально." in page.text
    assert "Виртуальные машины в зоне ru-1b не отвечают" in page.text
    assert "Виртуальные машины</h3>" in page.text  # grouped by service, by its name
    feed = ElementTree.fromstring(desk.client.get("/status/feed.atom").content)
    titles = [e.findtext(f"{{{ATOM}}}title") for e in feed.iter(f"{{{ATOM}}}entry")]
    assert titles == ["VMs in zone ru-1b are not responding"]
    manager = {"Authorization": f"Bearer {desk.manager_token}"}
    numbers = desk.client.get("/api/v1/engineer/metrics/known-problems?from=2025-03-01"
                              "&to=2025-03-31", headers=manager).json()
    assert numbers["problems"] == numbers["children_linked"] == 1
    assert numbers["contacts_told"] == 2  # John and Ivan; Bob never was
    assert numbers["duplicates_avoided"] == 1  # John did not file, Ivan did
    assert numbers["first_notice_seconds_median"] == 300.0  # alert 09:57, first told 10:02
    engineer = {"Authorization": f"Bearer {desk.engineer_token}"}
    assert desk.client.get("/api/v1/engineer/metrics/known-problems?from=2025-03-01"
                           "&to=2025-03-31", headers=engineer).status_code == 403


def _secret(engine: Engine, org_id: str) -> str:
    return next(o.token_secret for o, _ in admin.organisations(engine) if o.id == org_id)


def test_alerts_that_are_not_customer_visible_never_reach_a_customer(
    engine: Engine, world: World, desk: Desk,
) -> None:
    opened = desk.alert(host_outage("firing", zone=ZONE, host="hv-3", starts_at=T0,
                                    alertname="DiskAlmostFull"))
    assert [o["outcome"] for o in opened["outcomes"]] == ["opened"]
    assert problems(engine) == []
    john = desk.as_contact("acme", world.org.token_secret, "john@acme.example")
    assert desk.client.get("/api/v1/known-problems", headers=john).json() == {"problems": []}
    assert all(m["type"] != "known_problem"
               for m in chat(desk, john, "My virtual machine in ru-1b is not responding"))
    status = desk.client.get("/api/v1/status").json()
    assert status == {"current": [], "recent": []}


def test_an_engineer_declares_updates_and_resolves_a_known_problem(
    engine: Engine, config: SupportConfig, world: World, desk: Desk,
) -> None:
    staff = {"Authorization": f"Bearer {desk.engineer_token}"}
    incident = desk.alert(host_outage("firing", zone="ru-1c", host="hv-9", starts_at=T0,
                                      alertname="DiskAlmostFull"))["ticket"]
    declared = desk.client.post("/api/v1/engineer/known-problems", headers=staff, json={
        "ticket": incident, "organisations": ["acme"], "next_update_minutes": 60,
        "title": {"en": "Disks of ACME's VMs are slow", "ru": "Диски ВМ ACME медленные"},
        "text": {"en": "We are moving the VMs to another array.",
                 "ru": "Переносим ВМ на другой массив."}})
    assert declared.status_code == 201, declared.text
    problem = declared.json()
    assert (problem["ticket"], problem["organisations"]) == (incident, ["acme"])
    again = desk.client.post("/api/v1/engineer/known-problems", headers=staff, json={
        "ticket": incident, "title": {"en": "x", "ru": "x"}, "text": {"en": "x", "ru": "x"}})
    assert again.status_code == 409 and again.json()["field"] == "ticket"
    bad = desk.client.post("/api/v1/engineer/known-problems", headers=staff, json={
        "ticket": incident, "title": {"en": "x"}, "text": {"en": "x", "ru": "x"}})
    assert bad.status_code == 400 and bad.json()["field"] == "title"

    update = desk.client.post(f"/api/v1/engineer/known-problems/{problem['id']}/updates",
                              headers=staff, json={"text": {"en": "Half of the VMs moved.",
                                                            "ru": "Перенесена половина ВМ."}})
    assert update.status_code == 200 and update.json()["next_update_at"] is None
    ivan = desk.as_contact("acme", world.org.token_secret, "ivan@acme.example")
    [seen] = desk.client.get("/api/v1/known-problems?lang=ru", headers=ivan).json()["problems"]
    assert seen["title"] == "Диски ВМ ACME медленные"
    assert [u["text"] for u in seen["updates"]] == ["Перенесена половина ВМ."]
    # named organisations only: private to them, not on the public status page
    assert desk.client.get("/api/v1/status").json()["current"] == []

    child = make_intake(engine, config, clock=Clock(T0 + timedelta(minutes=1))).receive(
        message(sender="ivan@acme.example", subject="ВМ тормозит",
                body="Виртуальная машина app-01 очень медленно работает с диском").as_bytes(),
        via="test").ticket
    resolved = desk.client.post(f"/api/v1/engineer/known-problems/{problem['id']}/resolve",
                                headers=staff, json={"resolution": {
                                    "en": "All VMs moved.", "ru": "Все ВМ перенесены."}})
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["children_completed"] == [incident, child]
    assert ticket(engine, incident).status is Status.COMPLETED
    assert ticket(engine, child or "").status is Status.COMPLETED
    closed = desk.client.post(f"/api/v1/engineer/known-problems/{problem['id']}/resolve",
                              headers=staff, json={"resolution": {"en": "x", "ru": "x"}})
    assert closed.status_code == 409
    assert desk.client.get("/api/v1/engineer/known-problems/999999",
                           headers=staff).status_code == 404
    assert desk.client.get("/api/v1/engineer/known-problems/abc",
                           headers=staff).status_code == 404
