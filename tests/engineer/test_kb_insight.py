"""Content gaps and per-article performance for authors, from conversations held through
the customer API and public searches, read through the staff API and the CLI."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from engineer_helpers import VM_FORM, Desk, ok
from sqlalchemy import Engine
from starlette.testclient import TestClient

from selfservice.cli import main
from selfservice.content.loader import check_kb
from selfservice.content.model import Content
from selfservice.services.feedback import SearchEntry, log_searches
from selfservice.services.kb_gaps import content_gaps

PRINTER_EN = ("printer prints blank pages", "printer is printing blank pages",
              "the printer outputs blank sheets")
PRINTER_RU = ("принтер печатает белые листы", "принтер печатает пустые листы")
VPN = ("vpn connection drops every few minutes",)
TARIFF_RU = ("как поменять тариф",)


def public_searches(engine: Engine, *texts: str, lang: str | None = "en") -> None:
    """Searches that found nothing confident, as the public search API's batch logs them."""
    now = datetime.now(UTC)
    log_searches(engine, entries=[
        SearchEntry(at=now, query=text, lang=lang, confident=False, results=0, top=None)
        for text in texts
    ])


def start(api: TestClient, lang: str = "en", headers: dict[str, str] | None = None) -> str:
    started = ok(api.post("/api/v1/conversations", json={"lang": lang}, headers=headers or {}),
                 201)
    return str(started["id"])


def say(api: TestClient, cid: str, headers: dict[str, str] | None = None,
        **body: Any) -> dict[str, Any]:
    return ok(api.post(f"/api/v1/conversations/{cid}/messages", json=body,
                       headers=headers or {}))


def ask(api: TestClient, text: str, lang: str) -> str:
    cid = start(api, lang)
    say(api, cid, text=text)
    return cid


def unanswered(api: TestClient, desk: Desk, engine: Engine) -> None:
    """What customers could not find: blank printer pages in English (public searches and
    a chat that ended in a ticket) and in Russian (chats), a VPN, a tariff."""
    public_searches(engine, PRINTER_EN[0], " Printer prints BLANK pages", PRINTER_EN[1], VPN[0])
    auth = desk.contact()
    filed = start(api, "en", auth)
    say(api, filed, auth, text=PRINTER_EN[2])
    say(api, filed, auth, action="need_help")
    say(api, filed, auth, action="choose_form", form="vm-down")
    ok(api.post("/api/v1/tickets", json={**VM_FORM, "conversation": filed}, headers=auth), 201)
    for text in (*PRINTER_RU, *TARIFF_RU):
        ask(api, text, "ru")


def group_of(gaps: list[dict[str, Any]], text: str) -> dict[str, Any]:
    return next(g for g in gaps if text in g["examples"])


def test_gaps_group_paraphrases_by_meaning(api: TestClient, desk: Desk, engine: Engine) -> None:
    unanswered(api, desk, engine)
    found = ok(api.get("/api/v1/engineer/kb/gaps", headers=desk.staff("L1")))
    gaps = found["gaps"]
    assert found["groups"] == len(gaps) == 4
    assert (found["searches"], found["left_out"]) == (8, 0)
    printers = gaps[0]  # the biggest first
    assert printers["examples"] == list(PRINTER_EN)  # the most asked phrasing first
    assert (printers["count"], printers["langs"], printers["lang"]) == (4, {"en": 4}, "en")
    assert (printers["conversations"], printers["ticket_filed"]) == (1, 1)
    russian = gaps[1]  # Russian re-wordings of one problem are one group too
    assert sorted(russian["examples"]) == sorted(PRINTER_RU)
    assert (russian["count"], russian["lang"], russian["conversations"],
            russian["ticket_filed"]) == (2, "ru", 2, 0)
    assert sorted(tuple(g["examples"]) for g in gaps[2:]) == sorted([TARIFF_RU, VPN])
    assert all(g["count"] == 1 and g["ticket_filed"] == 0 for g in gaps[2:])

    only_ru = ok(api.get("/api/v1/engineer/kb/gaps?lang=ru", headers=desk.staff("L1")))
    tariff = group_of(gaps, TARIFF_RU[0])
    assert [g["id"] for g in only_ru["gaps"]] == [russian["id"], tariff["id"]]
    # a group keeps its ID from one call to the next
    again = ok(api.get("/api/v1/engineer/kb/gaps", headers=desk.staff("L2")))
    assert [g["id"] for g in again["gaps"]] == [g["id"] for g in gaps]
    assert ok(api.get("/api/v1/engineer/kb/gaps?limit=1", headers=desk.staff("L1")))[
        "gaps"] == gaps[:1]


@pytest.mark.parametrize("path", ["/api/v1/engineer/kb/gaps", "/api/v1/engineer/kb/stats"])
def test_only_engineers_read_authoring_insight(
    api: TestClient, desk: Desk, path: str
) -> None:
    for headers, code in (({}, "engineer_token_required"),
                          ({"Authorization": "Bearer nonsense"}, "engineer_token_invalid"),
                          (desk.contact(), "engineer_token_invalid")):  # a customer's token
        refused = api.get(path, headers=headers)
        assert (refused.status_code, refused.json()["error"]) == (401, code)
    for role in ("L1", "L3", "manager"):  # every engineer may read what authors need
        assert api.get(path, headers=desk.staff(role)).status_code == 200
    for bad in ("since=0d", "since=400d", "since=month", "lang=de"):
        answer = api.get(f"{path}?{bad}", headers=desk.staff("L1"))
        assert answer.status_code == 400, bad
        assert answer.json()["field"] == bad.split("=")[0], answer.text


def test_article_performance(
    api: TestClient, desk: Desk, engine: Engine, fixture_kb: Path
) -> None:
    for _ in range(2):  # solved at the first step, then walked to the end and solved
        cid = start(api)
        say(api, cid, text="I forgot my password")
        say(api, cid, action="open_article", article="reset-en")
        say(api, cid, action="solved")
    walked = start(api)
    say(api, walked, text="I forgot my password")
    say(api, walked, action="open_article", article="reset-en")
    say(api, walked, action="next_step")
    say(api, walked, action="abandon")
    auth = desk.contact()
    filed = start(api, "en", auth)
    say(api, filed, auth, text="I forgot my password")
    say(api, filed, auth, action="open_article", article="reset-en")
    say(api, filed, auth, action="next_step")
    say(api, filed, auth, action="need_help")
    say(api, filed, auth, action="choose_form", form="vm-down")
    ok(api.post("/api/v1/tickets", json={**VM_FORM, "conversation": filed}, headers=auth), 201)
    ok(api.post("/api/v1/articles/reset-ru/feedback", json={"helped": False}), 201)
    now = datetime.now(UTC)  # the public search's first hits: an article and a form
    log_searches(engine, entries=[
        SearchEntry(at=now, query=q, lang="en", confident=True, results=1, top=top)
        for q, top in (("reset password", "reset-en"), ("vm down", "vm-down"))
    ])

    found = ok(api.get("/api/v1/engineer/kb/stats", headers=desk.staff("L1")))
    rows = {(r["article"], r["lang"]): r for r in found["articles"]}
    reset = rows[("reset-en", "en")]
    assert (reset["shown"], reset["opened"], reset["solved"]) == (5, 4, 2)
    assert reset["steps"] == [4, 2]  # everyone saw step 1, two walked on to step 2
    assert (reset["not_helped"], reset["ticket_24h"]) == (1, 1)
    assert rows[("reset-ru", "ru")]["not_helped"] == 1
    assert set(rows) == {("reset-en", "en"), ("reset-ru", "ru")}  # no form among articles
    only_ru = ok(api.get("/api/v1/engineer/kb/stats?lang=ru", headers=desk.staff("L1")))
    assert [r["article"] for r in only_ru["articles"]] == ["reset-ru"]

    printed = _cli(engine, "kb", "stats", "--json", "--kb-dir", str(fixture_kb))
    assert json.loads(printed.output)["articles"] == found["articles"]
    table = _cli(engine, "kb", "stats", "--kb-dir", str(fixture_kb)).output.splitlines()
    assert table[2].split() == ["reset-en", "en", "5", "4", "2", "1", "1", "1:4", "2:2"]


def _cli(engine: Engine, *args: str, **env: str) -> Any:
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner(env={"SELFSERVICE_DATABASE_URL": url, **env})
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_cli_gaps_new_and_stats(
    api: TestClient, desk: Desk, engine: Engine, kb_min: Path
) -> None:
    unanswered(api, desk, engine)
    table = _cli(engine, "kb", "gaps")
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].startswith("4 group(s) of unanswered searches")
    assert PRINTER_EN[0] in lines[2] and " 4 " in lines[2]  # the biggest first
    as_json = json.loads(_cli(engine, "kb", "gaps", "--json").output)
    printers = group_of(as_json["gaps"], PRINTER_EN[0])
    assert printers["count"] == 4
    russian = json.loads(_cli(engine, "kb", "gaps", "--json", "--lang", "ru").output)
    assert [g["count"] for g in russian["gaps"]] == [2, 1]
    bad = _cli(engine, "kb", "gaps", "--since", "forever")
    assert bad.exit_code == 2 and "--since" in bad.output

    wrote = _cli(engine, "kb", "new", "--from-gap", printers["id"], "--service", "identity",
                 "--kb-dir", str(kb_min))
    assert wrote.exit_code == 0, wrote.output
    english = kb_min / "articles/identity/printer-prints-blank-pages.md"
    russian_file = english.with_suffix(".ru.md")
    assert f"  - {PRINTER_EN[0]}" in english.read_text()
    # no Russian phrasing in this group: the Russian twin waits for its author
    russian_text = russian_file.read_text(encoding="utf-8")
    assert "title: 'TODO: проблема словами клиента'" in russian_text
    assert "symptoms" not in russian_text.split("---")[1]  # English ones would mislead search
    assert f"по-английски:\n- {PRINTER_EN[0]}" in russian_text
    _content, problems = check_kb(kb_min)
    assert problems == []  # the skeleton is a valid article pair
    english.write_text(english.read_text() + "An author's words.\n")
    again = _cli(engine, "kb", "new", "--from-gap", printers["id"], "--service", "identity",
                 "--kb-dir", str(kb_min))
    assert again.exit_code == 1 and "already exists" in again.output
    assert english.read_text().endswith("An author's words.\n")
    for args, message in ((("--from-gap", "gffffffff", "--service", "identity"), "no content gap"),
                          (("--from-gap", printers["id"], "--service", "printing"),
                           "unknown service")):
        refused = _cli(engine, "kb", "new", *args, "--kb-dir", str(kb_min))
        assert refused.exit_code != 0 and message in refused.output

    stats = _cli(engine, "kb", "stats")
    assert stats.exit_code == 0 and "No article was shown" in stats.output


def test_cli_groups_by_words_without_the_meaning_model(engine: Engine, desk: Desk) -> None:
    public_searches(engine, "printer not printing", "Printer is not printing!",
                    "printer not printing", "vpn keeps disconnecting")
    found = json.loads(_cli(engine, "kb", "gaps", "--json",
                            SELFSERVICE_SEARCH_MEANING="off").output)
    assert [(g["count"], len(g["examples"])) for g in found["gaps"]] == [(3, 2), (1, 1)]


def test_the_rarest_phrasings_are_counted_when_left_out(engine: Engine, desk: Desk) -> None:
    public_searches(engine, "printer not printing", "printer not printing", "vpn drops",
                    "dns fails")
    now = datetime.now(UTC)
    report = content_gaps(engine, start=now - timedelta(days=1), end=now + timedelta(1),
                          max_phrasings=2)
    assert (report.searches, report.left_out) == (4, 1)
    assert [g.count for g in report.gaps] == [2, 1]


def test_the_home_page_lists_the_articles_customers_opened_most(
    api: TestClient, engine: Engine, content: Content
) -> None:
    from selfservice.config.settings import Settings
    from selfservice.run.publish import most_opened_articles

    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    assert most_opened_articles(settings, content) == []  # nothing opened yet
    for article, times in (("reset-ru", 1), ("reset-en", 3)):
        for _ in range(times):
            cid = start(api)
            say(api, cid, text="I forgot my password")
            say(api, cid, action="open_article", article=article)
    assert most_opened_articles(settings, content)[:2] == ["reset-en", "reset-ru"]


def test_no_database_yet_means_no_measured_list_and_no_file_left(tmp_path: Path,
                                                                  content: Content) -> None:
    from selfservice.config.settings import Settings
    from selfservice.run.publish import most_opened_articles

    missing = tmp_path / "never-created.db"
    assert most_opened_articles(Settings(database_url=f"sqlite:///{missing}"), content) == []
    assert not missing.exists()
