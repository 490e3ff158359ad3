import json

import jsonschema_rs
from starlette.testclient import TestClient

from selfservice.content.form_schema import form_json_schema
from selfservice.content.model import Content
from selfservice.content.validation import validate_submission


def test_a_public_article_in_full(client: TestClient) -> None:
    response = client.get("/api/v1/articles/reset-en")
    assert response.status_code == 200
    article = response.json()
    assert article["title"] == "Reset a forgotten password"
    assert (article["lang"], article["service"], article["kind"]) == (
        "en",
        "identity",
        "scripted-solution",
    )
    assert article["tags"] == ["password"]
    assert article["translation"] == "reset-ru"
    assert article["body"].startswith("If the e-mail does not arrive")
    assert article["html"] == "<p>If the e-mail does not arrive, check the spam folder.</p>"
    assert article["steps"] == [
        {"id": "open", "text": "Open the sign-in page and click Forgot password.", "check": None,
         "branch": False, "routes": [{"answer": "next", "to": "step", "step": "mail"}]},
        {"id": "mail", "text": "Open the reset e-mail.", "check": "Did the e-mail arrive?",
         "branch": False, "routes": [{"answer": "yes", "to": "solved"},
                                     {"answer": "no", "to": "end"}]},
    ]
    assert article["url"] == "/kb/articles/identity/reset/"


def test_the_russian_twin(client: TestClient) -> None:
    article = client.get("/api/v1/articles/reset-ru").json()
    assert article["lang"] == "ru"
    assert article["translation"] == "reset-en"
    assert article["steps"][1]["check"] == "Письмо пришло?"


def test_internal_articles_look_exactly_like_unknown_ones(client: TestClient) -> None:
    internal = client.get("/api/v1/articles/unlock-en")
    unknown = client.get("/api/v1/articles/no-such-article")
    assert internal.status_code == unknown.status_code == 404
    assert internal.content == unknown.content
    assert internal.json()["error"] == "article_not_found"
    assert "RUNBOOK" not in internal.text


def test_the_form_catalog(client: TestClient, content: Content) -> None:
    response = client.get("/api/v1/forms", params={"lang": "ru"})
    assert response.status_code == 200
    forms = response.json()["forms"]
    assert [f["id"] for f in forms] == sorted(content.forms)
    assert forms[0]["title"] == "ВМ не отвечает"
    assert forms[0]["service_name"] == "Виртуальные машины"
    assert client.get("/api/v1/forms", params={"service": "identity"}).json() == {"forms": []}


def test_form_schema_round_trip(client: TestClient, content: Content) -> None:
    response = client.get("/api/v1/forms/vm-down", params={"lang": "en"})
    assert response.status_code == 200
    form = response.json()
    schema = form["schema"]
    assert schema == json.loads(json.dumps(form_json_schema(content.forms["vm-down"], "en")))
    ui = schema["x-ui"]
    assert ui["order"] == ["vm_name", "os", "rdp_port"]
    assert ui["fields"]["vm_name"]["label"] == {"en": "VM name", "ru": "Имя ВМ"}
    assert ui["fields"]["rdp_port"]["show_if"] == {"field": "os", "values": ["windows"]}

    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    answers = {"vm_name": "vm-01", "os": "windows", "rdp_port": 3389}
    assert validator.is_valid(answers)
    assert validate_submission(content.forms["vm-down"], answers).ok
    assert not validator.is_valid({"os": "windows"})
    assert not validator.is_valid({"vm_name": "vm-01", "rdp_port": 70000})


def test_unknown_form_in_the_callers_language(client: TestClient) -> None:
    response = client.get("/api/v1/forms/nope", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert response.status_code == 404
    assert response.json() == {
        "error": "form_not_found",
        "field": "id",
        "message": "Такой формы заявки нет.",
    }
