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
