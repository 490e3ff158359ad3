"""The Zabbix media type script, run under Node.js with stand-ins for Zabbix's objects.

Zabbix runs the script as the body of a function receiving ``value``; the stand-ins
record what ``HttpRequest`` was asked to do. Skipped when ``node`` is not installed.
"""

import json
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from channel_samples import REPO

from selfservice.channels.alerts import parse_alert_payload

SCRIPT = REPO / "integrations" / "zabbix" / "selfservice_media_type.js"
NODE = shutil.which("node") or shutil.which("nodejs")

HARNESS = r"""
const fs = require('fs');
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const calls = {headers: [], proxy: null, posts: []};
function HttpRequest() {}
HttpRequest.prototype.addHeader = function (h) { calls.headers.push(h); };
HttpRequest.prototype.setProxy = function (p) { calls.proxy = p; };
HttpRequest.prototype.post = function (url, body) {
    calls.posts.push({url: url, body: JSON.parse(body)});
    return input.response;
};
HttpRequest.prototype.getStatus = function () { return input.status; };
const Zabbix = {log: function () {}};
const run = new Function('value', 'HttpRequest', 'Zabbix', input.script);
let result = null, error = null;
try { result = run(input.value, HttpRequest, Zabbix); } catch (e) { error = String(e); }
process.stdout.write(JSON.stringify({result: result, error: error, calls: calls}));
"""

CONNECTION = {
    "selfservice_url": "https://support.example.org/api/alerts/zabbix",
    "selfservice_token": "s3cret-token",
    "http_proxy": "",
}

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def run_script(params: dict[str, Any], status: int = 202, response: str = "{}") -> Any:
    assert NODE is not None
    payload = {
        "script": SCRIPT.read_text(encoding="utf-8"),
        "value": json.dumps(params),
        "status": status,
        "response": response,
    }
    done = subprocess.run(
        [NODE, "-e", HARNESS],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return json.loads(done.stdout)


Load = Callable[[str], Any]


@pytest.mark.parametrize(
    "name", ["ours-zabbix-problem.json", "ours-zabbix-recovery.json", "ours-zabbix-update.json"]
)
def test_posts_the_documented_body_with_the_token(load_alert: Load, name: str) -> None:
    params = load_alert(name)
    out = run_script({**params, **CONNECTION})
    assert out["error"] is None and out["result"] == "OK"
    assert "Authorization: Bearer s3cret-token" in out["calls"]["headers"]
    assert "Content-Type: application/json" in out["calls"]["headers"]
    assert out["calls"]["proxy"] is None
    (post,) = out["calls"]["posts"]
    assert post["url"] == CONNECTION["selfservice_url"]
    body = post["body"]
    assert body == {**params, "media_type_version": "1"}  # no secrets forwarded
    # What the intake makes of the forwarded body equals what it makes of the original.
    assert parse_alert_payload(body) == parse_alert_payload(params)


def test_ticket_number_comes_back_as_a_tag(load_alert: Load) -> None:
    params = {**load_alert("ours-zabbix-problem.json"), **CONNECTION, "http_proxy": "http://p:3128"}
    out = run_script(params, status=201, response='{"ticket": "INC-000123"}')
    assert json.loads(out["result"]) == {"tags": {"selfservice_ticket": "INC-000123"}}
    assert out["calls"]["proxy"] == "http://p:3128"


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"selfservice_token": ""}, 202, 'Parameter "selfservice_token" is missing'),
        ({"event_id": "{EVENT.ID}"}, 202, 'Parameter "event_id" is missing'),
        ({"selfservice_url": "ftp://x"}, 202, "must be an http:// or https:// address"),
        ({}, 503, "selfservice answered HTTP 503"),
        ({}, 401, "selfservice answered HTTP 401"),
    ],
)
def test_failures_throw_so_zabbix_retries(
    load_alert: Load, change: dict[str, str], status: int, message: str
) -> None:
    params = {**load_alert("ours-zabbix-problem.json"), **CONNECTION, **change}
    out = run_script(params, status=status, response="busy")
    assert out["result"] is None
    assert message in out["error"]
