"""The managers' dashboard: charts and tables with the metrics API's numbers, CSV, and
nobody but managers."""

import csv
import io
import re

from console_helpers import phone_incident, sign_in
from engineer_helpers import Desk, file_ticket
from starlette.testclient import TestClient


def _api(client: TestClient, desk: Desk, view: str, **params: str) -> list[list[object]]:
    answer = client.get(f"/api/v1/engineer/metrics/{view}", params=params,
                        headers=desk.staff("manager"))  # fmt: skip
    assert answer.status_code == 200, answer.text
    rows: list[list[object]] = answer.json()["rows"]
    return rows


def test_the_charts_and_tables_show_the_metrics_apis_numbers(
    app_client: TestClient, desk: Desk
) -> None:
    for _ in range(3):
        file_ticket(app_client, desk)
    sign_in(app_client, "manager")
    page = app_client.get("/console/dashboard", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    for view in ("funnel", "services", "articles", "sla", "backlog", "channels", "escalations"):
        assert f'id="{view}"' in page.text
    backlog = _api(app_client, desk, "backlog")
    l1 = next(row for row in backlog if row[0] == "L1")
    assert l1[-1] == 3  # three open tickets on L1
    # every backlog bar carries the API's number for its line and age bucket
    bars = re.findall(r'data-series="([^"]+)" data-category="L1" data-value="([^"]+)"',
                      page.text)
    assert sum(float(v) for _series, v in bars) == 3
    channels = _api(app_client, desk, "channels", **{"from": "2000-01-01", "to": "2000-01-02"})
    assert channels == [] or all(sum(r[1:]) == 0 for r in channels)  # type: ignore[arg-type]
    table = re.search(r'<table class="chart-table" id="table-backlog">.*?</table>', page.text)
    assert table is not None and "<th scope=\"row\">L1</th>" in table.group(0)
    assert "Backlog and age" in page.text and "Download CSV" in page.text


def test_csv_has_the_same_rows_and_the_page_speaks_russian(
    app_client: TestClient, desk: Desk
) -> None:
    file_ticket(app_client, desk)
    sign_in(app_client, "manager")
    exported = app_client.get("/console/dashboard/backlog.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    api = _api(app_client, desk, "backlog")
    assert [[int(c) if c.isdigit() else c for c in row] for row in rows[1:]] == api
    russian = app_client.get("/console/dashboard?lang=ru", headers={"Accept-Language": "ru"})
    assert "Очередь и возраст" in russian.text and "Скачать CSV" in russian.text
    odd = app_client.get("/console/dashboard?from=2026-13-01")
    assert odd.status_code == 200 and "could not be used" in odd.text


def test_only_managers_read_the_dashboard(app_client: TestClient, desk: Desk) -> None:
    sign_in(app_client, "L2")
    refused = app_client.get("/console/dashboard")
    assert refused.status_code == 403 and "Only managers read the dashboard." in refused.text
    assert app_client.get("/console/dashboard/backlog.csv").status_code == 403
    assert 'href="/console/dashboard"' not in app_client.get("/console/queue").text


def test_known_problems_show_what_each_saved_the_desk(
    app_client: TestClient, desk: Desk
) -> None:
    csrf = sign_in(app_client, "L1")
    incident = phone_incident(app_client, csrf, "Every VM of ours stopped answering at 10:40")
    declared = app_client.post("/api/v1/engineer/known-problems", headers=desk.staff("L1"),
                               json={"ticket": incident, "organisations": ["acme"],
                                     "title": {"en": "ACME's VMs down", "ru": "ВМ ACME лежат"},
                                     "text": {"en": "Working on it.", "ru": "Работаем."}})
    assert declared.status_code == 201, declared.text
    child = file_ticket(app_client, desk)  # ACME files anyway: a child, not a new item
    app_client.cookies.clear()
    sign_in(app_client, "manager")
    page = app_client.get("/console/dashboard", headers={"Accept-Language": "en"}).text
    table = re.search(r'<table class="chart-table" id="table-known_problems">.*?</table>',
                      page, re.S)
    assert table is not None and incident in table.group(0) and child not in table.group(0)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table.group(0))
    assert cells[-4:-1] == ["1", "0", "0"]  # one child; nobody saw the notice yet
    assert re.search(rf'data-series="Child tickets" data-category="{incident}" '
                     r'data-value="1(\.0)?"', page)
    exported = app_client.get("/console/dashboard/known_problems.csv").text
    assert exported.splitlines()[0] == ("incident,service,started,children,told,"
                                        "duplicates_avoided,first_notice_minutes")
    russian = app_client.get("/console/dashboard", headers={"Accept-Language": "ru"}).text
    assert "Известные проблемы" in russian and "Избежано дублей" in russian
