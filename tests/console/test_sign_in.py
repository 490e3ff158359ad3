"""Signing in and out of the console: passwords, lockout, cookies, CSRF, disabling."""

from datetime import UTC, datetime, timedelta

from console_helpers import PASSWORD, csrf_of, sign_in
from engineer_helpers import Desk
from sqlalchemy import Engine
from starlette.testclient import TestClient

from selfservice.domain import lockout
from selfservice.services import staff_auth


def test_sign_in_sets_a_safe_session_cookie_and_shows_the_queue(app_client: TestClient,
                                                                  desk: Desk) -> None:
    form = app_client.get("/console/login")
    answer = app_client.post("/console/login", data={
        "csrf": csrf_of(form.text), "email": "L1@support.example", "password": PASSWORD,
        "next": "/console/queue"}, follow_redirects=False)
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "selfservice_console=" in cookie
    for flag in ("HttpOnly", "SameSite=lax", "Secure", "Path=/console"):
        assert flag.lower() in cookie.lower(), cookie
    queue = app_client.get("/console/queue")
    assert "Queue of line L1" in queue.text
    assert "frame-ancestors 'none'" in queue.headers["content-security-policy"]


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(app_client: TestClient,
                                                                     desk: Desk) -> None:
    answers = []
    for email in ("L1@support.example", "nobody@support.example"):
        form = app_client.get("/console/login")
        answer = app_client.post("/console/login", data={
            "csrf": csrf_of(form.text), "email": email, "password": "wrong password!"})
        answers.append((answer.status_code, "Wrong e-mail or password" in answer.text))
    assert answers == [(401, True), (401, True)]
    assert app_client.get("/console/queue", follow_redirects=False).status_code == 303


def test_five_failures_lock_sign_in_even_with_the_right_password(
    app_client: TestClient, desk: Desk, engine: Engine,
) -> None:
    for _ in range(lockout.FREE_ATTEMPTS + 1):
        form = app_client.get("/console/login")
        app_client.post("/console/login", data={
            "csrf": csrf_of(form.text), "email": "L1@support.example", "password": "nope nope"})
    form = app_client.get("/console/login")
    locked = app_client.post("/console/login", data={
        "csrf": csrf_of(form.text), "email": "L1@support.example", "password": PASSWORD})
    assert locked.status_code == 401
    assert "Wrong e-mail or password" in locked.text
    # The lock grows with each failure and ends; setting a password lifts it at once.
    later = datetime.now(UTC) + timedelta(hours=2)
    assert staff_auth.sign_in(engine, email="L1@support.example", password=PASSWORD,
                              now=later) is not None


def test_lock_durations() -> None:
    assert [lockout.lock_for(n).total_seconds() // 60 for n in range(1, 10)] == [
        0, 0, 0, 0, 1, 2, 4, 8, 16]
    assert lockout.lock_for(40) == lockout.MAX_LOCK


def test_a_form_without_the_sessions_csrf_token_is_refused(app_client: TestClient,
                                                           desk: Desk) -> None:
    sign_in(app_client, "L1")
    refused = app_client.post("/console/logout", data={"csrf": "forged"})
    assert refused.status_code == 403
    assert "did not come from this console" in refused.text
    refused_ru = app_client.post("/console/logout", data={},
                                 headers={"Accept-Language": "ru"})
    assert refused_ru.status_code == 403 and "Форма устарела" in refused_ru.text
    assert app_client.get("/console/queue").status_code == 200  # still signed in
    login = app_client.post("/console/login", data={"email": "L1@support.example",
                                                    "password": PASSWORD})
    assert login.status_code == 403


def test_sign_out_everywhere_ends_every_session(app_client: TestClient, desk: Desk,
                                                engine: Engine) -> None:
    csrf = sign_in(app_client, "L1")
    other = staff_auth.sign_in(engine, email="L1@support.example", password=PASSWORD,
                               now=datetime.now(UTC))
    assert other is not None
    app_client.post("/console/logout-everywhere", data={"csrf": csrf})
    assert app_client.get("/console/queue", follow_redirects=False).status_code == 303
    assert staff_auth.session_user(engine, token=other.token, now=datetime.now(UTC)) is None


def test_a_disabled_engineer_loses_sessions_and_api_token(app_client: TestClient, desk: Desk,
                                                          engine: Engine) -> None:
    sign_in(app_client, "L1")
    staff_auth.disable_engineer(engine, email="L1@support.example")
    assert app_client.get("/console/queue", follow_redirects=False).status_code == 303
    api = app_client.get("/api/v1/engineer/queue", headers=desk.staff("L1"))
    assert api.status_code == 401
    form = app_client.get("/console/login")
    again = app_client.post("/console/login", data={
        "csrf": csrf_of(form.text), "email": "L1@support.example", "password": PASSWORD})
    assert again.status_code == 401


def test_the_language_switch_is_kept_in_the_session(app_client: TestClient, desk: Desk) -> None:
    csrf = sign_in(app_client, "L2")
    app_client.post("/console/language", data={"csrf": csrf, "lang": "ru",
                                               "back": "/console/queue"})
    assert "Очередь линии L2" in app_client.get("/console/queue").text
    app_client.cookies.clear()  # another browser: no session, its own language
    assert "Staff sign-in" in app_client.get("/console/login").text
