"""The built site as the service serves it at /kb/: its files, its policy, and the file
that tells the site's search script to ask the service."""

from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from selfservice.web.site_files import SITE_POLICY, SiteFiles


def _client(site: Path) -> TestClient:
    return TestClient(Starlette(routes=[Mount("/kb", app=SiteFiles(site))]))


def test_the_service_tells_the_site_where_its_search_is(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>home</h1>", encoding="utf-8")
    answer = _client(tmp_path).get("/kb/assets/selfservice.json")
    assert answer.status_code == 200
    assert answer.json() == {"search": "/api/v1/search", "suggest": "/api/v1/suggest"}
    assert answer.headers["content-security-policy"] == SITE_POLICY


def test_site_pages_are_still_served_with_the_site_policy(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>home</h1>", encoding="utf-8")
    client = _client(tmp_path)
    page = client.get("/kb/")
    assert page.status_code == 200 and "<h1>home</h1>" in page.text
    assert page.headers["content-security-policy"] == SITE_POLICY
    assert client.get("/kb/assets/missing.json").status_code == 404
