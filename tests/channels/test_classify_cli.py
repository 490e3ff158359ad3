"""``selfservice classify`` on JSON lines."""

import json
from pathlib import Path

from channel_samples import REPO
from click.testing import CliRunner

from selfservice.cli import main


def run(stdin: str, *args: str) -> tuple[int, list[str], str]:
    runner = CliRunner()
    result = runner.invoke(main, ["classify", "--kb-dir", str(REPO / "kb"), *args], input=stdin)
    return result.exit_code, result.stdout.splitlines(), result.stderr


def test_one_output_line_per_input_line_in_order() -> None:
    stdin = (
        json.dumps({"id": 7, "text": "Не работает VPN"}, ensure_ascii=False)
        + "\n\n"
        + json.dumps({"id": "b", "text": "Please add 5 Office licences"})
        + "\n"
    )
    code, lines, _err = run(stdin)
    assert code == 0
    out = [json.loads(line) for line in lines]
    assert [o["id"] for o in out] == [7, "b"]
    assert [o["type"] for o in out] == ["incident", "request"]
    assert [o["service"] for o in out] == ["network", "licensing"]
    assert all(set(o) == {"id", "type", "service", "confidence"} for o in out)
    assert all(0.0 <= o["confidence"] <= 1.0 for o in out)


def test_bad_lines_are_reported_with_their_number_and_skipped() -> None:
    stdin = '{"id": 1, "text": "disk full"}\nnot json\n{"id": 3}\n[1, 2]\n{"id": 5, "text": "ok"}\n'
    code, lines, err = run(stdin)
    assert code == 1
    assert [json.loads(line)["id"] for line in lines] == [1, 5]
    assert "line 2: invalid JSON: Expecting value (column 1)" in err
    assert 'line 3: "text" is missing or not a string' in err
    assert "line 4: expected a JSON object" in err
    assert "3 line(s) rejected" in err


def test_explain_adds_the_reasons() -> None:
    code, lines, _err = run('{"id": 1, "text": "Прошу создать почтовый ящик"}\n', "--explain")
    assert code == 0
    out = json.loads(lines[0])
    assert out["reasons"] and "type_confidence" in out and "service_confidence" in out


def test_broken_knowledge_base_is_a_clear_error(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["classify", "--kb-dir", str(tmp_path / "missing")], input="")
    assert result.exit_code == 1
    assert "selfservice kb check" in result.output


def test_help_teaches_the_format() -> None:
    result = CliRunner().invoke(main, ["classify", "--help"])
    assert result.exit_code == 0
    assert '{"id": <any JSON value>, "text":' in result.output
    assert "line N: reason" in result.output


DESK = REPO / "tests" / "channels" / "data" / "classify_desk.jsonl"


def test_eval_prints_and_writes_the_report(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["classify", "eval", "--kb-dir", str(REPO / "kb"),
                                       "--data", str(DESK), "--folds", "0",
                                       "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "cold start" in result.stdout and "macro-F1 0." in result.stdout
    assert "confusion (rows: true, columns: predicted incident, request)" in result.stdout
    data = json.loads(report.read_text())
    assert set(data["per_class"]) == {"incident", "request"}
    assert set(data["per_class"]["incident"]) == {"precision", "recall", "f1"}
    assert sum(sum(row.values()) for row in data["confusion"].values()) == data["examples"] == 62
    assert 0.0 <= data["macro_f1"] <= 1.0 and "service_accuracy" in data


def test_eval_rejects_bad_lines_with_file_and_line(tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('{"text": "disk full", "type": "incident"}\nnot json\n'
                    '{"text": "x", "type": "problem"}\n{"type": "request"}\n')
    result = CliRunner().invoke(main, ["classify", "eval", "--data", str(data), "--folds", "0"])
    assert result.exit_code == 1
    assert f"{data}:2: invalid JSON" in result.stderr
    assert f'{data}:3: "type" must be one of incident, request' in result.stderr
    assert f'{data}:4: "text" is missing' in result.stderr
    assert result.stdout == ""


def test_eval_folds_must_be_zero_or_at_least_two() -> None:
    result = CliRunner().invoke(main, ["classify", "eval", "--data", str(DESK), "--folds", "1"])
    assert result.exit_code == 2 and "--folds" in result.output


def test_training_from_a_file_changes_the_decisions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade", "--url", url]).exit_code == 0
    text = json.dumps({"id": 1, "text": "toner cartridge printer floor 9"}) + "\n"
    before = json.loads(run(text, "--database-url", url)[1][0])
    data = tmp_path / "desk.jsonl"
    data.write_text("".join(
        json.dumps({"text": f"toner cartridge printer floor {n}", "type": "incident",
                    "service": "general"}) + "\n"
        + json.dumps({"text": f"laptop for new colleague {n}", "type": "request",
                      "service": "compute"}) + "\n"
        for n in range(12)
    ))
    trained = runner.invoke(main, ["classify", "train", "--from", str(data),
                                   "--database-url", url])
    assert trained.exit_code == 0, trained.output
    assert "model version 1: 24 examples (incident 12, request 12; 2 services)" in trained.stdout
    after = json.loads(run(text, "--database-url", url)[1][0])
    assert (before["type"], after["type"]) == ("request", "incident")
    assert after["service"] == "general"
    cold = json.loads(run(text, "--database-url", url, "--cold")[1][0])
    assert cold["type"] == "request"


def test_train_needs_exactly_one_source(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["classify", "train", "--database-url",
                                       f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 2 and "exactly one of --from-db and --from FILE" in result.output


def test_meaning_off_classifies_by_cue_phrases_alone() -> None:
    """SELFSERVICE_SEARCH_MEANING=off is honoured by the classifier too: an installation
    without the sentence model still classifies, and no reason cites the meaning model."""
    runner = CliRunner(env={"SELFSERVICE_SEARCH_MEANING": "off"})
    stdin = (
        json.dumps({"id": 1, "text": "VPN не подключается с утра"}, ensure_ascii=False) + "\n"
        + json.dumps({"id": 2, "text": "Please create a mailbox for Anna"}) + "\n"
    )
    result = runner.invoke(main, ["classify", "--cold", "--kb-dir", str(REPO / "kb"), "--explain"],
                           input=stdin)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["type"] for o in out] == ["incident", "request"]
    assert not any("by meaning" in r for o in out for r in o["reasons"])
    on = CliRunner(env={"SELFSERVICE_SEARCH_MEANING": "on"}).invoke(
        main, ["classify", "--cold", "--kb-dir", str(REPO / "kb"), "--explain"], input=stdin)
    assert any("by meaning" in r for o in map(json.loads, on.stdout.splitlines())
               for r in o["reasons"])
