"""Monitoring alerts through the HTTP endpoints (TestClient, the real app and database):
the shared sample payloads in ``../shared/eval/alerts/`` (read in place), dedup, groups,
resolve, Zabbix updates, idempotent retries and token checks, on SQLite and PostgreSQL."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from click.testing import CliRunner
from intake_helpers import ALERTS_DIR, Clock, comments, kb_classifier, kb_content, require
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient
from ticket_helpers import T0, World, history, outbox_rows, reload

from selfservice.cli import main
from selfservice.config.alert_config import DEFAULT_PATH
from selfservice.config.settings import Settings
from selfservice.db.models import AlertSourceRow, Ticket
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import (
    ActorRole,
    Channel,
    ClosureCode,
    Impact,
    Priority,
    Status,
    TicketType,
    Urgency,
)
from selfservice.services import alert_sources
from selfservice.services.admin import hash_token
from selfservice.web.app import create_app
from selfservice.web.backend import Backend, DatabaseDirectory


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]
    clock: Clock

    def post(self, kind: str, payload: Any, *, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token or self.tokens[kind]}"}
        return self.client.post(f"/api/v1/alerts/{kind}", json=payload, headers=headers)

    def sample(self, name: str, kind: str = "alertmanager") -> dict[str, Any]:
        response = self.post(kind, load(name))
        assert response.status_code == 202, response.text
        return cast(dict[str, Any], response.json())


def load(name: str) -> Any:
    return json.loads((require(ALERTS_DIR) / name).read_text(encoding="utf-8"))


MakeApi = Callable[..., Api]


@pytest.fixture
def make_api(engine: Engine, config: SupportConfig, world: World) -> Iterator[MakeApi]:
    clients: list[TestClient] = []
    tokens = {kind: alert_sources.add_source(engine, name=f"{kind}-acme", kind=kind,
                                             org_id="acme", now=T0).token
              for kind in alert_sources.KINDS}

    def make(mapping: Path | None = None) -> Api:
        clock = Clock()
        backend = Backend(engine=engine, config=config, classifier=kb_classifier(),
                          directory=DatabaseDirectory(engine, clock))
        app = create_app(settings=Settings(alert_mapping=mapping), content=kb_content(),
                         search_index=cast(Any, None), store=backend,
                         directory=backend.directory, clock=clock)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return Api(client, tokens, clock)

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def api(make_api: MakeApi) -> Api:
    return make_api()


def all_tickets(engine: Engine) -> list[Ticket]:
    with Session(engine) as session:
        return list(session.exec(select(Ticket).order_by(Ticket.id)))  # type: ignore[arg-type]


def outcomes(answer: dict[str, Any]) -> list[str]:
    return [o["outcome"] for o in answer["outcomes"]]


def test_an_alertmanager_group_gets_one_ticket_from_firing_to_resolved(
    engine: Engine, api: Api
) -> None:
    first = api.sample("am-msteams-single-firing.json")
    assert outcomes(first) == ["opened"]
    [ticket] = all_tickets(engine)
    assert first["tickets"] == [ticket.number] and first["ticket"] == ticket.number
    assert ticket.channel is Channel.MONITORING and ticket.type is TicketType.INCIDENT
    assert (ticket.service, ticket.urgency, ticket.impact) == ("compute", Urgency.MEDIUM,
                                                               Impact.LOW)
    assert ticket.priority is Priority.P4 and ticket.urgency_confirmed
    assert "Source: alertmanager-acme" in ticket.description
    assert "severity 'warning'" in ticket.description
    # filed for acme by its system contact, whose e-mail is recorded but never sent
    [confirmation] = outbox_rows(engine, ticket_id=ticket.id)
    assert confirmation.to_addr == alert_sources.SYSTEM_CONTACT_EMAIL
    assert confirmation.status.value == "failed" and ".invalid" in (confirmation.last_error or "")

    retry = api.sample("am-msteams-single-firing.json")
    assert outcomes(retry) == ["duplicate"] and retry["tickets"] == [ticket.number]

    # the same notification rendered without common annotations: nothing new in it
    same_alert = api.sample("am-msteams-no-common-annotations.json")
    assert outcomes(same_alert) == ["duplicate"] and same_alert["tickets"] == [ticket.number]

    group = api.sample("am-msteams-2-alerts.json")  # two other alerts of the same group
    assert outcomes(group) == ["grouped", "grouped"] and group["tickets"] == [ticket.number]

    resolved = api.sample("ours-am-resolved.json")
    assert outcomes(resolved) == ["resolved"] and resolved["tickets"] == [ticket.number]
    assert len(all_tickets(engine)) == 1
    notes = [c.body for c in comments(engine, ticket.id or 0)]
    assert any(n.startswith("Alert resolved at 20") for n in notes)
    assert any(n.startswith("New alert in this group") for n in notes)
    assert all(c.author_kind is ActorRole.SYSTEM for c in comments(engine, ticket.id or 0))
    [change] = [h for h in history(engine, ticket.id or 0, field="alert") if h.to_value ==
                "resolved"]
    assert change.from_value == "firing"
    assert reload(engine, ticket.id or 0).status is Status.REGISTERED  # not configured


def test_zabbix_problem_update_and_recovery_land_on_one_ticket(engine: Engine, api: Api) -> None:
    problem = api.sample("ours-zabbix-problem.json", "zabbix")
    assert outcomes(problem) == ["opened"]
    [ticket] = all_tickets(engine)
    assert (ticket.urgency, ticket.impact, ticket.priority) == (Urgency.HIGH, Impact.MEDIUM,
                                                                Priority.P2)
    assert ticket.urgency_confirmed  # monitoring needs no phone confirmation

    update = api.sample("ours-zabbix-update.json", "zabbix")
    assert outcomes(update) == ["updated"] and update["tickets"] == [ticket.number]
    recovery = api.sample("ours-zabbix-recovery.json", "zabbix")
    assert outcomes(recovery) == ["resolved"]
    again = api.sample("ours-zabbix-recovery.json", "zabbix")  # Zabbix retried it
    assert outcomes(again) == ["duplicate"]
    assert len(all_tickets(engine)) == 1
    bodies = [c.body for c in comments(engine, ticket.id or 0)]
    update_text = load("ours-zabbix-update.json")["event_update_message"]
    assert any(update_text in b for b in bodies)
    assert any(b.startswith("Alert resolved") for b in bodies)


def test_complete_on_resolve_completes_the_ticket_as_the_configured_engineer(
    engine: Engine, world: World, make_api: MakeApi, tmp_path: Path
) -> None:
    mapping = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    mapping.update(complete_on_resolve=True, completed_by=world.l1.email)
    path = tmp_path / "alerts.yml"
    path.write_text(yaml.safe_dump(mapping), encoding="utf-8")
    api = make_api(path)
    api.sample("ours-zabbix-problem.json", "zabbix")
    done = api.sample("ours-zabbix-recovery.json", "zabbix")
    assert outcomes(done) == ["completed"]
    [ticket] = all_tickets(engine)
    assert ticket.status is Status.COMPLETED and ticket.closure_code is ClosureCode.RESOLVED
    assert ticket.assignee_id == world.l1.id

    # the problem comes back after the ticket was completed: a new incident
    problem = load("ours-zabbix-problem.json")
    problem.update(event_id="4243", event_time="11:00:00")
    assert outcomes(api.post("zabbix", problem).json()) == ["opened"]
    assert len(all_tickets(engine)) == 2


def test_a_group_alert_resolved_while_others_fire_is_recorded_on_the_group_ticket(
    engine: Engine, api: Api
) -> None:
    mixed = api.sample("ours-grafana-mixed.json")
    assert outcomes(mixed) == ["opened", "resolved"]
    [ticket] = all_tickets(engine)
    assert ticket.service == "storage" and ticket.urgency is Urgency.HIGH

    three = api.sample("am-msteams-3-alerts-fingerprints.json")
    assert outcomes(three) == ["opened", "grouped", "grouped"]
    assert len(set(three["tickets"])) == 1 and three["tickets"][0] != ticket.number

    compact = api.sample("am-pr4561-exec-compact.json")
    assert outcomes(compact) == ["opened"]
    assert len(all_tickets(engine)) == 3


def test_a_resolved_alert_without_a_ticket_opens_nothing(engine: Engine, api: Api) -> None:
    assert outcomes(api.sample("ours-am-resolved.json")) == ["ignored"]
    assert outcomes(api.sample("ours-zabbix-update.json", "zabbix")) == ["ignored"]
    assert all_tickets(engine) == []


def test_tokens_are_checked_per_source_and_kind(engine: Engine, api: Api) -> None:
    body = load("am-msteams-single-firing.json")
    missing = api.client.post("/api/v1/alerts/alertmanager", json=body)
    assert missing.status_code == 401 and missing.json()["error"] == "alert_token_missing"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = api.post("alertmanager", body, token="ssa_not-a-token")
    assert wrong.status_code == 401 and wrong.json()["error"] == "alert_token_invalid"
    crossed = api.post("alertmanager", body, token=api.tokens["zabbix"])
    assert crossed.status_code == 403 and crossed.json()["error"] == "alert_source_wrong_kind"
    alert_sources.set_active(engine, name="alertmanager-acme", active=False)
    disabled = api.post("alertmanager", body)
    assert disabled.status_code == 401
    assert all_tickets(engine) == []


@pytest.mark.parametrize(
    ("kind", "payload", "field"),
    [
        ("alertmanager", {"alerts": "nope"}, "alerts"),
        ("alertmanager", {"alerts": [{"labels": ["x"]}]}, "alerts[0].labels"),
        ("alertmanager", {"event_id": "1", "event_value": "1"}, "alerts"),
        ("zabbix", {"event_value": "1"}, "event_id"),
        ("zabbix", {"event_id": "7", "event_value": "{EVENT.VALUE}"}, "event_value"),
        ("zabbix", [1, 2], None),
    ],
)
def test_a_bad_payload_is_400_naming_the_field(
    api: Api, kind: str, payload: Any, field: str | None
) -> None:
    response = api.post(kind, payload)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_alert_payload"
    assert response.json()["field"] == field


def test_a_body_that_is_not_json_is_400(api: Api) -> None:
    response = api.client.post("/api/v1/alerts/zabbix", content=b"{not json",
                               headers={"Authorization": f"Bearer {api.tokens['zabbix']}",
                                        "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_json"


def test_a_repeat_after_a_day_on_an_open_ticket_is_a_comment(engine: Engine, api: Api) -> None:
    api.sample("ours-zabbix-problem.json", "zabbix")
    api.clock.now = T0 + timedelta(days=1)
    changed = load("ours-zabbix-problem.json")
    changed["alert_message"] += "\nStill down."
    again = api.post("zabbix", changed).json()
    assert outcomes(again) == ["repeated"]
    [ticket] = all_tickets(engine)
    assert "still firing" in comments(engine, ticket.id or 0)[-1].body


def test_alert_source_add_prints_the_token_once_and_stores_its_hash(
    db_url: str, engine: Engine, world: World
) -> None:
    env = {"SELFSERVICE_DATABASE_URL": db_url}
    result = CliRunner().invoke(main, ["alert-source", "add", "zbx-acme", "--kind", "zabbix",
                                       "--org", "acme", "--contact", "john@acme.example"],
                                env=env)
    assert result.exit_code == 0, result.output
    token = result.output.split("token: ", 1)[1].strip()
    assert "filed as john@acme.example" in result.output
    with Session(engine) as session:
        row = session.exec(select(AlertSourceRow).where(AlertSourceRow.name == "zbx-acme")).one()
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    listed = CliRunner().invoke(main, ["alert-source", "list"], env=env)
    assert "zbx-acme\tzabbix\tacme\tjohn@acme.example\tenabled" in listed.output
    unknown = CliRunner().invoke(main, ["alert-source", "add", "x", "--kind", "zabbix",
                                        "--org", "nope"], env=env)
    assert unknown.exit_code == 1 and "no organisation" in unknown.output


def test_the_mapping_file_is_checked_with_lines(tmp_path: Path) -> None:
    env = {"SELFSERVICE_KB_DIR": str(Path(__file__).resolve().parents[2] / "kb")}
    assert CliRunner().invoke(main, ["alert-source", "check-mapping"], env=env).exit_code == 0
    bad = tmp_path / "alerts.yml"
    bad.write_text("complete_on_resolve: yes please\nrules:\n  - name: x\n    set: "
                   "{service: nowhere, urgency: urgent}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["alert-source", "check-mapping", str(bad)], env=env)
    assert result.exit_code == 1
    assert f"{bad}:1: complete_on_resolve: must be true or false" in result.stderr
    assert f"{bad}:4: rules[0].set.service: unknown service 'nowhere'" in result.stderr


def test_a_webhook_sent_with_an_idempotency_key_is_answered_from_the_first(
    engine: Engine, api: Api
) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['alertmanager']}",
               "Idempotency-Key": "am-delivery-1"}
    payload = load("am-msteams-single-firing.json")
    first = api.client.post("/api/v1/alerts/alertmanager", json=payload, headers=headers)
    again = api.client.post("/api/v1/alerts/alertmanager", json=payload, headers=headers)
    assert first.status_code == again.status_code == 202
    assert outcomes(again.json()) == ["opened"]  # the first answer, not "duplicate"
    assert again.headers["idempotent-replayed"] == "true"
    assert len(all_tickets(engine)) == 1
