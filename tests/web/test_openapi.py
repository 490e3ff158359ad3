from starlette.routing import Route
from starlette.testclient import TestClient

EXPECTED = {
    "/healthz": {"get"},
    "/api/v1/search": {"get"},
    "/api/v1/suggest": {"get"},
    "/api/v1/articles/{id}": {"get"},
    "/api/v1/articles/{id}/feedback": {"post"},
    "/api/v1/forms": {"get"},
    "/api/v1/forms/{id}": {"get"},
    "/api/v1/me": {"get"},
    "/api/v1/openapi.json": {"get"},
    "/api/v1/conversations": {"post"},
    "/api/v1/conversations/{id}": {"get"},
    "/api/v1/conversations/{id}/messages": {"post"},
    "/api/v1/tickets": {"get", "post"},
    "/api/v1/tickets/{number}": {"get"},
    "/api/v1/tickets/{number}/comments": {"post"},
    "/api/v1/tickets/{number}/urgency": {"post"},
    "/api/v1/tickets/{number}/confirm": {"post"},
    "/api/v1/tickets/{number}/reject": {"post"},
    "/api/v1/attachments": {"post"},
    "/api/v1/tickets/{number}/attachments/{id}": {"get"},
    "/api/v1/alerts/alertmanager": {"post"},
    "/api/v1/alerts/zabbix": {"post"},
    "/api/v1/telegram/link-code": {"post"},
    "/telegram/webhook": {"post"},
    "/api/v1/engineer/queue": {"get"},
    "/api/v1/engineer/search": {"get"},
    "/api/v1/engineer/metrics": {"get"},
    "/api/v1/engineer/metrics/funnel": {"get"},
    "/api/v1/engineer/metrics/articles": {"get"},
    "/api/v1/engineer/metrics/services": {"get"},
    "/api/v1/engineer/metrics/sla": {"get"},
    "/api/v1/engineer/metrics/backlog": {"get"},
    "/api/v1/engineer/metrics/channels": {"get"},
    "/api/v1/engineer/metrics/escalations": {"get"},
    "/api/v1/engineer/kb/gaps": {"get"},
    "/api/v1/engineer/kb/phrasings": {"get"},
    "/api/v1/engineer/kb/stats": {"get"},
    "/api/v1/engineer/tickets": {"post"},
    "/api/v1/engineer/tickets/{number}": {"get"},
    "/api/v1/engineer/tickets/{number}/attachments/{id}": {"get"},
    "/api/v1/engineer/tickets/{number}/assign": {"post"},
    "/api/v1/engineer/tickets/{number}/transition": {"post"},
    "/api/v1/engineer/tickets/{number}/comments": {"post"},
    "/api/v1/engineer/tickets/{number}/priority": {"post"},
    "/api/v1/engineer/tickets/{number}/escalate": {"post"},
    "/api/v1/engineer/tickets/{number}/confirm-urgency": {"post"},
    "/widget.js": {"get"},
    "/widget/{name}": {"get"},
    "/api/v1/status": {"get"},
    "/api/v1/known-problems": {"get"},
    "/api/v1/known-problems/{id}/subscribe": {"post"},
    "/api/v1/engineer/known-problems": {"post"},
    "/api/v1/engineer/known-problems/{id}": {"get"},
    "/api/v1/engineer/known-problems/{id}/updates": {"post"},
    "/api/v1/engineer/known-problems/{id}/resolve": {"post"},
    "/api/v1/engineer/metrics/known-problems": {"get"},
    "/status": {"get"},
    "/status/feed.atom": {"get"},
}


def test_openapi_json_lists_every_endpoint(client: TestClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == set(EXPECTED)
    for path, operations in document["paths"].items():
        assert set(operations) == EXPECTED[path], path
        for method, operation in operations.items():
            assert operation["summary"], path
            assert {"200", "201", "202"} & set(operation["responses"]), path
            if method == "post":
                # An upload's body is the file itself; every other POST reads JSON.
                kind = "*/*" if path == "/api/v1/attachments" else "application/json"
                assert kind in operation["requestBody"]["content"], path


def test_every_route_is_documented(client: TestClient) -> None:
    documented = set(client.get("/api/v1/openapi.json").json()["paths"])
    routes = {r.path for r in client.app.routes if isinstance(r, Route)}  # type: ignore[attr-defined]
    assert routes == documented


def test_parameters_are_described(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    search = document["paths"]["/api/v1/search"]["get"]
    q = next(p for p in search["parameters"] if p.get("name") == "q")
    assert q["required"] is True
    assert "maxLength" not in q["schema"]  # a pasted error message is cut, not refused
    assert "300 characters" in q["description"]
    assert "lang" in document["components"]["parameters"]
    assert set(document["components"]["schemas"]) >= {"Error", "SearchResult", "Article", "Form"}
    me = document["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"portalToken": []}]
    assert me["responses"]["401"] == {"$ref": "#/components/responses/Error"}


def test_every_post_documents_the_idempotency_key(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    header = document["components"]["parameters"]["idempotencyKey"]
    assert (header["name"], header["in"], header["schema"]["maxLength"]) == (
        "Idempotency-Key", "header", 255)
    posts = [(path, ops["post"]) for path, ops in document["paths"].items() if "post" in ops]
    assert len(posts) == 24  # 18 + known problems (subscribe, declare, update, resolve)
    # + Telegram (link code, webhook)
    for path, operation in posts:
        refs = [p.get("$ref") for p in operation.get("parameters", [])]
        assert "#/components/parameters/idempotencyKey" in refs, path
        assert {"409", "422"} <= set(operation["responses"]), path
