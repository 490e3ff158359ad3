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
