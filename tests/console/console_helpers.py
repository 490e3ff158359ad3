"""Signing in through the real form, and reading the CSRF token off a page."""

import re

from starlette.testclient import TestClient

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, role: str, password: str = PASSWORD) -> str:
    """Sign in as the desk's engineer of ``role``; the CSRF token of the session."""
    form = client.get("/console/login")
    answer = client.post("/console/login", data={
        "csrf": csrf_of(form.text), "email": f"{role}@support.example", "password": password,
        "next": "/console/queue",
    })
    assert answer.status_code == 200, answer.text
    assert answer.url.path == "/console/queue"
    return csrf_of(answer.text)


def phone_incident(client: TestClient, csrf: str, description: str) -> str:
    """An incident Anna of ACME reports by phone, registered from the console: its number."""
    found = client.get("/console/phone?q=anna")
    contact = re.search(r'href="/console/phone\?contact=(\d+)"', found.text)
    assert contact is not None
    called = client.post("/console/phone", data={
        "csrf": csrf, "contact": contact.group(1), "service": "compute", "type": "incident",
        "urgency": "high", "impact": "high", "subject": "", "description": description})
    return called.url.path.rsplit("/", 1)[1]
