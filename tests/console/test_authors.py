"""The authors' page: content gaps and per-article performance, for any engineer."""

from datetime import UTC, datetime

from console_helpers import sign_in
from engineer_helpers import Desk
from sqlalchemy import Engine
from starlette.testclient import TestClient

from selfservice.services.feedback import SearchEntry, log_searches


def test_authors_see_what_customers_missed_and_how_articles_do(
    app_client: TestClient, desk: Desk, engine: Engine
) -> None:
    now = datetime.now(UTC)
    log_searches(engine, entries=[
        SearchEntry(at=now, query="the printer is on fire", lang="en", confident=False,
                    results=0, top=None)
        for _ in range(3)
    ])
    started = app_client.post("/api/v1/conversations", json={"lang": "en"}).json()["id"]
    for body in ({"text": "I forgot my password"},
                 {"action": "open_article", "article": "reset-en"}, {"action": "solved"}):
        assert app_client.post(f"/api/v1/conversations/{started}/messages",
                               json=body).status_code == 200
    sign_in(app_client, "L1")
    page = app_client.get("/console/authors", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    gaps = page.text[page.text.index('id="gaps"'):]
    assert "«the printer is on fire»" in gaps and '<td class="num">3</td>' in gaps
    assert "selfservice kb new --from-gap" in gaps
    stats = page.text[page.text.index('id="stats"'):]
    row = stats[stats.index('data-article="reset-en"'):].split("</tr>")[0]
    assert "Reset a forgotten password" in row
    numbers = [cell.split("<")[0] for cell in row.split('<td class="num">')[1:]]
    assert numbers[:3] == ["1", "1", "1"]  # shown, opened, solved
    russian = app_client.get("/console/authors?lang=ru&since=7d",
                             headers={"Accept-Language": "ru"})
    assert "Чего клиенты не нашли" in russian.text
