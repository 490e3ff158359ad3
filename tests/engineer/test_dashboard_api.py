"""The managers' dashboard API and ``selfservice demo seed`` on the real tables."""

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from click.testing import CliRunner
from engineer_helpers import Desk, file_ticket, ok
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col
from starlette.testclient import TestClient

from selfservice.cli import main
from selfservice.conversation.engine import Outcome, State
from selfservice.db.models import Conversation, Ticket, TicketHistory
from selfservice.services.metric_tables import VIEWS

VIEW_NAMES = ("funnel", "articles", "services", "sla", "backlog", "channels", "escalations")


def _seed(engine: Engine, *args: str) -> Any:
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner(env={"SELFSERVICE_DATABASE_URL": url})
    return runner.invoke(main, ["demo", "seed", *args], catch_exceptions=False)


def _period() -> str:
    today = datetime.now(UTC).date()
    return f"from={(today - timedelta(days=30)).isoformat()}&to={today.isoformat()}"


def test_seed_500_tickets_with_plausible_shapes(api: TestClient, desk: Desk,
                                                engine: Engine) -> None:
    seeded = _seed(engine, "--tickets", "500", "--days", "30")
    assert seeded.exit_code == 0, seeded.output
    assert "seeded 500 tickets" in seeded.output
    with Session(engine) as session:
        def count(*where: Any, table: Any = Ticket) -> int:
            return int(session.execute(select(func.count()).select_from(table).where(*where))
                       .scalar_one())

        assert count() == 500
        assert count(table=Conversation) == 650
        channels = dict(session.execute(select(col(Ticket.channel), func.count())
                                        .group_by(col(Ticket.channel))).all())
        assert {c.value for c in channels} == {"portal", "email", "phone", "monitoring",
                                               "widget"}
        hours = [t.hour for t in session.execute(select(col(Ticket.created_at))).scalars()]
        assert sum(8 <= h < 19 for h in hours) > 0.6 * len(hours)  # the daytime peak
        escalated = count(col(TicketHistory.field) == "line",
                          col(TicketHistory.from_value) == "L1", table=TicketHistory)
        assert 0.1 * 500 < escalated < 0.35 * 500
        met = count(col(Ticket.responded_at) <= col(Ticket.response_due))
        assert met > 0.75 * count(col(Ticket.responded_at).is_not(None))
        statuses = {s.value for s in session.execute(select(col(Ticket.status))).scalars()}
        assert {"closed", "completed", "registered"} <= statuses
        for talk in session.execute(select(Conversation).limit(50)).scalars():
            assert State.from_dict(talk.state).outcome == (  # the engine can load it
                Outcome(talk.outcome) if talk.outcome else None)
    # The console's pages work on it: the metrics API reads the seeded tables.
    found = ok(api.get(f"/api/v1/engineer/metrics/escalations?{_period()}",
                       headers=desk.staff("manager")))
    assert found["rows"][0][:2] == ["L1", "L2"] and found["rows"][0][3] == escalated

    # A database with a real ticket is refused, unless --force.
    file_ticket(api, desk)
    refused = _seed(engine, "--tickets", "10")
    assert refused.exit_code == 1 and "1 tickets that were not seeded" in refused.output
    forced = _seed(engine, "--tickets", "10", "--force")
    assert forced.exit_code == 0, forced.output
    with Session(engine) as session:
        numbers = session.execute(select(col(Ticket.number))).scalars().all()
        assert len(numbers) == len(set(numbers)) == 511


def test_manager_reads_every_view_as_json_and_csv(api: TestClient, desk: Desk,
                                                  engine: Engine) -> None:
    assert _seed(engine, "--tickets", "300", "--days", "20").exit_code == 0
    manager = desk.staff("manager")
    for name in VIEW_NAMES:
        query = "" if name == "backlog" else _period()
        table = ok(api.get(f"/api/v1/engineer/metrics/{name}?{query}", headers=manager))
        assert table["view"] == name and table["rows"], name
        assert all(len(row) == len(table["columns"]) for row in table["rows"])
        got = api.get(f"/api/v1/engineer/metrics/{name}?{query}&format=csv", headers=manager)
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        assert f'filename="{name}' in got.headers["content-disposition"]
        lines = list(csv.reader(io.StringIO(got.text)))
        assert lines[0] == table["columns"]
        assert len(lines) == len(table["rows"]) + 1
        first = ["" if v is None else str(v) for v in table["rows"][0]]
        assert lines[1] == first
    assert set(VIEWS) == set(VIEW_NAMES)

    channels = ok(api.get(f"/api/v1/engineer/metrics/channels?{_period()}", headers=manager))
    assert channels["columns"][1:] == [f"{h:02d}" for h in range(24)]
    by_org = ok(api.get(f"/api/v1/engineer/metrics/sla?{_period()}&by=org", headers=manager))
    assert by_org["columns"][0] == "org"
    assert {row[0] for row in by_org["rows"]} <= {f"seed-{n:02d}" for n in range(1, 13)}


def test_only_managers_read_the_dashboard(api: TestClient, desk: Desk) -> None:
    path = f"/api/v1/engineer/metrics/funnel?{_period()}"
    assert api.get(path).status_code == 401
    for role in ("L1", "L2", "L3"):
        assert api.get(path, headers=desk.staff(role)).status_code == 403, role
    assert api.get(path, headers=desk.contact()).status_code in (401, 403)
    manager = desk.staff("manager")
    for bad in ("from=2026-02-01&to=2026-01-01", "from=2020-01-01&to=2026-01-01",
                f"{_period()}&format=xml", "to=2026-01-01"):
        answer = api.get(f"/api/v1/engineer/metrics/funnel?{bad}", headers=manager)
        assert answer.status_code == 400, bad
    bad_by = api.get(f"/api/v1/engineer/metrics/sla?{_period()}&by=colour", headers=manager)
    assert (bad_by.status_code, bad_by.json()["error"]) == (400, "invalid_choice")
