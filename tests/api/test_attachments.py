"""Files from the customer: upload, attach to a new ticket or a reply, list, download."""

import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from api_helpers import People, ticket_row
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from selfservice.config.settings import Settings
from selfservice.content.model import Content
from selfservice.db.models import (
    Contact,
    InboundMessage,
    MailAttachment,
    Role,
    TicketAttachment,
)
from selfservice.domain.config import SupportConfig
from selfservice.search import SearchIndex
from selfservice.services import admin, attachments, tickets
from selfservice.services.attachment_storage import Storage
from selfservice.services.common import Actor
from selfservice.web.app import create_app
from selfservice.web.backend import Backend
from selfservice.web.ratelimit import NoRateLimit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
LOG = "2026-12-07 10:00 ERROR disk full\n2026-12-07 10:01 ошибка записи\n".encode()
VM_FORM = {"form": "vm-down", "fields": {"vm_name": "web-01", "os": "linux"}}


@pytest.fixture
def make_api(
    backend: Backend, content: Content, search_index: SearchIndex, people: People,
) -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        app = create_app(settings=Settings(**settings), content=content,
                         search_index=search_index, store=backend,
                         directory=backend.directory,
                         origins_for=backend.directory.origins_for(),
                         rate_limiter=NoRateLimit())
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def upload(api: TestClient, auth: dict[str, str], name: str, data: bytes,
           content_type: str = "application/octet-stream", **params: str) -> Any:
    return api.post("/api/v1/attachments", params={"name": name, **params}, content=data,
                    headers={**auth, "Content-Type": content_type})


def uploaded(api: TestClient, auth: dict[str, str], name: str, data: bytes,
             content_type: str = "application/octet-stream") -> str:
    response = upload(api, auth, name, data, content_type)
    assert response.status_code == 201, response.text
    assert response.json()["size"] == len(data)
    return str(response.json()["id"])


def engineer_auth(engine: Engine) -> dict[str, str]:
    added = admin.add_engineer(engine, name="Oleg", email="oleg@support.example",
                               role=Role.L1, group_id="service-desk",
                               now=datetime.now(UTC))
    return {"Authorization": f"Bearer {added.api_token}"}


@pytest.mark.parametrize(
    "api_db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    indirect=True)
def test_a_screenshot_and_a_log_with_a_new_ticket_and_a_reply(
    api: TestClient, engine: Engine, people: People,
) -> None:
    anna = people.bearer()
    shot = uploaded(api, anna, "screen.png", PNG, "image/png")
    log = uploaded(api, anna, "C:\\logs\\server.LOG", LOG, "")
    response = api.post("/api/v1/tickets", headers=anna,
                        json={**VM_FORM, "attachments": [shot, log]})
    assert response.status_code == 201, response.text
    number = response.json()["number"]

    reply_file = uploaded(api, anna, "after-reboot.txt", b"still down\n", "text/plain")
    response = api.post(f"/api/v1/tickets/{number}/comments", headers=anna,
                        json={"text": "Here is the log after a reboot",
                              "attachments": [reply_file]})
    assert response.status_code == 201, response.text
    comment_id = response.json()["id"]

    ticket = api.get(f"/api/v1/tickets/{number}", headers=anna).json()
    listed = [(a["name"], a["size"], a["source"], a["comment"]) for a in ticket["attachments"]]
    assert listed == [("screen.png", len(PNG), "upload", None),
                      ("server.LOG", len(LOG), "upload", None),
                      ("after-reboot.txt", 11, "upload", comment_id)]

    got = api.get(ticket["attachments"][0]["url"], headers=anna)
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith('attachment; filename="screen.png"')
    assert got.headers["x-content-type-options"] == "nosniff"
    log_answer = api.get(ticket["attachments"][1]["url"], headers=anna)
    assert log_answer.content == LOG
    assert log_answer.headers["content-type"] == "text/plain; charset=utf-8"

    # Every contact of the organisation reads them; another organisation's gets 404 as for
    # a ticket that does not exist, and so does a made-up id.
    ivan = people.bearer("ivan@acme.example")
    assert api.get(ticket["attachments"][0]["url"], headers=ivan).content == PNG
    bob = people.bearer("bob@globex.example", org="globex")
    foreign = api.get(ticket["attachments"][0]["url"], headers=bob)
    assert foreign.status_code == 404 and foreign.json()["error"] == "ticket_not_found"
    missing = api.get(f"/api/v1/tickets/{number}/attachments/nope", headers=anna)
    assert missing.status_code == 404 and missing.json()["error"] == "attachment_not_found"
    assert api.get(ticket["attachments"][0]["url"]).status_code == 401

    # Engineers see the same list and download through their API.
    staff = engineer_auth(engine)
    details = api.get(f"/api/v1/engineer/tickets/{number}", headers=staff).json()
    assert [a["name"] for a in details["attachments"]] == [
        "screen.png", "server.LOG", "after-reboot.txt"]
    got = api.get(details["attachments"][2]["url"], headers=staff)
    assert got.status_code == 200 and got.content == b"still down\n"
    assert api.get(details["attachments"][2]["url"]).status_code == 401

    # An upload is attached once, and only by whoever uploaded it.
    again = api.post(f"/api/v1/tickets/{number}/comments", headers=anna,
                     json={"text": "again", "attachments": [shot]})
    assert again.status_code == 422 and again.json()["field"] == "attachments"
    assert again.json()["error"] == "attachment_unknown"
    annas = uploaded(api, anna, "mine.png", PNG, "image/png")
    stolen = api.post(f"/api/v1/tickets/{number}/comments", headers=ivan,
                      json={"text": "using Anna's file", "attachments": [annas]})
    assert stolen.status_code == 422 and stolen.json()["error"] == "attachment_unknown"
    texts = [c["body"] for c in api.get(f"/api/v1/tickets/{number}", headers=anna)
             .json()["comments"]]
    assert "using Anna's file" not in texts and "again" not in texts  # refused whole


def test_limits_are_checked_with_reasons_in_both_languages(
    make_api: Any, engine: Engine, people: People,
) -> None:
    half, total = 512 * 1024, 768 * 1024
    api = make_api(attachment_max_bytes=half, attachment_max_total_bytes=total,
                   attachment_max_count=2)
    anna = people.bearer()
    me = api.get("/api/v1/me", headers=anna).json()["attachments"]
    assert (me["max_file_bytes"], me["max_total_bytes"], me["max_count"]) == (half, total, 2)
    assert ".log" in me["extensions"] and ".html" not in me["extensions"]

    big = upload(api, anna, "dump.log", b"x" * (half + 1))
    assert big.status_code == 413
    assert big.json() == {"error": "attachment_too_large", "field": "file", "message":
                          "The file 'dump.log' is larger than the limit of 0.5 MB per file."}
    big_ru = upload(api, anna, "dump.log", b"x" * (half + 1), lang="ru")
    assert big_ru.json()["message"] == "Файл «dump.log» больше допустимых 0.5 МБ на файл."

    for name, kind in [("page.html", "text/plain"), ("logo.svg", "image/svg+xml"),
                       ("run.exe", "application/octet-stream"), ("noext", "text/html")]:
        refused = upload(api, anna, name, b"<html><script>alert(1)</script></html>", kind)
        assert refused.status_code == 415, name
        assert refused.json()["error"] == "attachment_type_not_allowed"
        assert refused.json()["field"] == "file"
    refused = upload(api, anna, "page.html", b"<html></html>", "text/html", lang="ru")
    assert refused.json()["message"].startswith("Файлы вроде «page.html» прикрепить нельзя")
    assert upload(api, anna, "notes", b"plain words", "text/plain").status_code == 201
    assert upload(api, anna, "empty.txt", b"").json()["error"] == "attachment_empty"

    ids = [uploaded(api, anna, f"part{i}.log", b"y" * 400_000) for i in range(3)]
    too_many = api.post("/api/v1/tickets", headers=anna, json={**VM_FORM, "attachments": ids})
    assert too_many.status_code == 422
    assert (too_many.json()["error"], too_many.json()["field"]) == (
        "attachments_too_many", "attachments")
    too_big = api.post("/api/v1/tickets", headers=anna, json={**VM_FORM, "attachments": ids[:2]})
    assert too_big.status_code == 413  # 800,000 bytes together, over 768 KB
    assert (too_big.json()["error"], too_big.json()["field"]) == (
        "attachments_too_large", "attachments")
    assert "0.75 MB" in too_big.json()["message"]
    with Session(engine) as session:
        assert session.exec(select(TicketAttachment).where(
            TicketAttachment.ticket_id != None)).all() == []  # noqa: E711  nothing filed


def test_folder_storage_and_the_virus_scanner_hook(
    make_api: Any, engine: Engine, people: People, tmp_path: Path,
) -> None:
    scanner = tmp_path / "scan.sh"
    scanner.write_text("#!/bin/sh\nif grep -q EICAR; then echo 'stdin: Eicar FOUND'; exit 1; fi\n"
                       "exit 0\n")
    scanner.chmod(scanner.stat().st_mode | stat.S_IEXEC)
    folder = tmp_path / "files"
    api = make_api(attachment_dir=str(folder), attachment_scan_command=f"{scanner} -")
    anna = people.bearer()

    infected = upload(api, anna, "report.txt", b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-TEST", "")
    assert infected.status_code == 422
    assert infected.json()["error"] == "attachment_refused_by_scanner"
    assert "virus check" in infected.json()["message"]

    token = uploaded(api, anna, "screen.png", PNG, "image/png")
    with Session(engine) as session:
        row = session.exec(select(TicketAttachment).where(
            TicketAttachment.token == token)).one()
    assert row.data is None and row.stored_as is not None
    assert (folder / row.stored_as).read_bytes() == PNG
    assert [p.name for p in folder.rglob("*") if p.is_file()] == [token]  # nothing infected

    number = api.post("/api/v1/tickets", headers=anna,
                      json={**VM_FORM, "attachments": [token]}).json()["number"]
    [listed] = api.get(f"/api/v1/tickets/{number}", headers=anna).json()["attachments"]
    assert api.get(listed["url"], headers=anna).content == PNG

    broken = make_api(attachment_scan_command=str(tmp_path / "no-such-scanner"))
    unavailable = upload(broken, anna, "screen.png", PNG, "image/png")
    assert unavailable.status_code == 503
    assert unavailable.json()["error"] == "attachment_scan_unavailable"


def test_a_retried_ticket_attaches_its_files_once(
    api: TestClient, engine: Engine, people: People,
) -> None:
    anna = {**people.bearer(), "Idempotency-Key": "file-with-screenshot"}
    token = uploaded(api, people.bearer(), "screen.png", PNG, "image/png")
    body = {**VM_FORM, "attachments": [token]}
    first = api.post("/api/v1/tickets", headers=anna, json=body)
    second = api.post("/api/v1/tickets", headers=anna, json=body)
    assert first.status_code == second.status_code == 201
    assert first.json()["number"] == second.json()["number"]
    assert second.headers.get("idempotent-replayed") == "true"
    number = first.json()["number"]
    listed = api.get(f"/api/v1/tickets/{number}", headers=people.bearer()).json()
    assert [a["name"] for a in listed["attachments"]] == ["screen.png"]


def test_e_mail_attachments_are_listed_and_served_like_uploads(
    api: TestClient, engine: Engine, people: People,
) -> None:
    anna = people.bearer()
    number = api.post("/api/v1/tickets", headers=anna, json=VM_FORM).json()["number"]
    ticket_id = ticket_row(engine, number).id
    now = datetime.now(UTC)
    with Session(engine) as session:
        message = InboundMessage(received_at=now, via="pipe", size=10, sha256="0" * 64,
                                 raw=b"x", ticket_id=ticket_id)
        session.add(message)
        session.flush()
        assert message.id is not None
        session.add(MailAttachment(inbound_message_id=message.id, ticket_id=ticket_id,
                                   filename="evil.html", content_type="text/html", size=20,
                                   data=b"<script>1</script>", created_at=now))
        session.add(MailAttachment(inbound_message_id=message.id, ticket_id=ticket_id,
                                   filename="big.iso", content_type="application/x-iso",
                                   size=10**9, rejection="too large", created_at=now))
        session.commit()
    [listed] = api.get(f"/api/v1/tickets/{number}", headers=anna).json()["attachments"]
    assert (listed["name"], listed["source"]) == ("evil.html", "email")
    got = api.get(listed["url"], headers=anna)
    assert got.content == b"<script>1</script>"
    assert got.headers["content-type"] == "application/octet-stream"  # never rendered
    assert got.headers["content-disposition"].startswith("attachment;")
    bob = people.bearer("bob@globex.example", org="globex")
    assert api.get(listed["url"], headers=bob).status_code == 404


def test_a_russian_file_name_is_kept_and_sent_safely(api: TestClient, people: People) -> None:
    anna = people.bearer()
    token = uploaded(api, anna, 'скрин "ошибки"; 1.png', PNG, "image/png")
    number = api.post("/api/v1/tickets", headers=anna,
                      json={**VM_FORM, "attachments": [token]}).json()["number"]
    [listed] = api.get(f"/api/v1/tickets/{number}", headers=anna).json()["attachments"]
    assert listed["name"] == 'скрин "ошибки"; 1.png'
    disposition = api.get(listed["url"], headers=anna).headers["content-disposition"]
    assert disposition == (
        'attachment; filename="_____ _________ 1.png"; filename*=UTF-8\'\''
        "%D1%81%D0%BA%D1%80%D0%B8%D0%BD%20%22%D0%BE%D1%88%D0%B8%D0%B1%D0%BA%D0%B8%22%3B%201.png")


def test_an_upload_never_attached_goes_a_day_later(
    engine: Engine, people: People, tmp_path: Path,
) -> None:
    policy = attachments.Policy(Settings().attachment_limits(), Storage(tmp_path / "files"))
    with Session(engine) as session:
        anna = session.exec(select(Contact.id).where(Contact.email == "anna@acme.example")).one()
    assert anna is not None
    now = datetime.now(UTC)

    def put(name: str, at: datetime) -> TicketAttachment:
        return attachments.upload(engine, policy=policy, contact_id=anna, filename=name,
                                  content_type="text/plain", data=b"log", now=at)

    old = put("forgotten.log", now - timedelta(days=2))
    assert old.stored_as and (tmp_path / "files" / old.stored_as).exists()
    recent = put("recent.log", now - timedelta(hours=2))
    put("new.log", now)
    with Session(engine) as session:
        left = session.exec(select(TicketAttachment.filename)).all()
    assert sorted(left) == ["new.log", "recent.log"]
    assert not (tmp_path / "files" / old.stored_as).exists()
    assert recent.stored_as and (tmp_path / "files" / recent.stored_as).exists()


def test_the_answer_support_asked_for_carries_its_screenshot(
    api: TestClient, engine: Engine, people: People, config: SupportConfig,
) -> None:
    anna = people.bearer()
    number = api.post("/api/v1/tickets", headers=anna, json=VM_FORM).json()["number"]
    ticket_id = ticket_row(engine, number).id
    assert ticket_id is not None
    tickets.request_information(engine, ticket_id=ticket_id, config=config,
                                actor=Actor.engineer(people.engineer_id),
                                question="What does the console show?", now=datetime.now(UTC))
    shot = uploaded(api, anna, "console.png", PNG, "image/png")
    answer = api.post(f"/api/v1/tickets/{number}/comments", headers=anna,
                      json={"text": "This", "attachments": [shot]})
    assert answer.status_code == 201
    assert ticket_row(engine, number).status.value != "information_needed"
    ticket = api.get(f"/api/v1/tickets/{number}", headers=anna).json()
    assert [(a["name"], a["comment"]) for a in ticket["attachments"]] == [
        ("console.png", answer.json()["id"])]
