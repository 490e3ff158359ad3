"""``selfservice eval`` and ``selfservice index``: report shape, metrics, progress."""

import json
from pathlib import Path

from click.testing import CliRunner

from selfservice.cli import main
from selfservice.search.evaluation import evaluate

CORPUS = [
    {"id": "a1", "lang": "en", "title": "Reset a forgotten password", "body": "Use the link."},
    {"id": "a2", "lang": "en", "title": "Client VPN does not connect", "body": "Open UDP 1194."},
    {"id": "a3", "lang": "en", "title": "Printer is offline", "body": "Restart the spooler."},
    {"id": "r1", "lang": "ru", "title": "Сброс забытого пароля", "body": "Нажмите ссылку."},
    {"id": "r2", "lang": "ru", "title": "Не подключается VPN", "body": "Откройте порт 1194."},
]
QUERIES = [
    {"id": "q1", "lang": "en", "query": "I forgot my password", "gold": ["a1"]},
    {"id": "q2", "lang": "en", "query": "vpn won't connect", "gold": ["a2"]},
    {"id": "q3", "lang": "en", "query": "recipe for carbonara pasta", "gold": []},
    {"id": "q4", "lang": "ru", "query": "забыл пароль", "gold": ["r1"]},
    {"id": "q5", "lang": "ru", "query": "впн не подключается", "gold": ["r2"]},
]
KEYS = {"recall@1", "recall@5", "mrr@10", "out_of_scope_rejected"}


def _write(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus.jsonl"
    queries = tmp_path / "queries.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in CORPUS), "utf-8")
    queries.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in QUERIES), "utf-8")
    return corpus, queries


def test_evaluate_report_shape_and_metrics(tmp_path: Path) -> None:
    corpus, queries = _write(tmp_path)
    report = evaluate(corpus, queries)
    assert report["queries"] == 5
    assert KEYS <= set(report["overall"])
    assert set(report["by_lang"]) == {"en", "ru"}
    en, ru = report["by_lang"]["en"], report["by_lang"]["ru"]
    assert KEYS <= set(en) and KEYS <= set(ru)
    assert en["recall@1"] == 1.0 and en["mrr@10"] == 1.0
    assert en["out_of_scope_rejected"] == 1.0
    # no unanswerable Russian query: the metric does not apply
    assert ru["out_of_scope_rejected"] is None
    assert ru["recall@5"] == 1.0


def test_eval_command_prints_and_writes_the_report(tmp_path: Path) -> None:
    corpus, queries = _write(tmp_path)
    out = tmp_path / "out" / "report.json"
    result = CliRunner().invoke(
        main,
        ["eval", "--corpus", str(corpus), "--queries", str(queries), "--report", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "R@1" in result.output and "overall" in result.output
    data = json.loads(out.read_text("utf-8"))
    assert data["queries"] == 5 and KEYS <= set(data["overall"])


def test_eval_command_rejects_a_bad_corpus(tmp_path: Path) -> None:
    corpus, queries = _write(tmp_path)
    corpus.write_text('{"id": "x"}\n', "utf-8")
    result = CliRunner().invoke(main, ["eval", "--corpus", str(corpus), "--queries", str(queries)])
    assert result.exit_code != 0
    assert "corpus.jsonl:1" in result.output


def test_index_command_builds_with_progress_and_syncs(tmp_path: Path, kb: Path) -> None:
    target = tmp_path / "idx"
    runner = CliRunner()
    result = runner.invoke(main, ["index", "--kb-dir", str(kb), "--index-dir", str(target)])
    assert result.exit_code == 0, result.output
    assert "8 documents" in result.output
    assert (target / "CURRENT").exists()
    again = runner.invoke(
        main, ["index", "--kb-dir", str(kb), "--index-dir", str(target), "--sync"]
    )
    assert again.exit_code == 0, again.output
    assert "0 added, 0 updated, 0 removed" in again.output


def test_index_command_uses_the_settings(tmp_path: Path, kb: Path) -> None:
    target = tmp_path / "from-env"
    result = CliRunner().invoke(
        main,
        ["index"],
        env={"SELFSERVICE_KB_DIR": str(kb), "SELFSERVICE_INDEX_DIR": str(target)},
    )
    assert result.exit_code == 0, result.output
    assert (target / "CURRENT").exists()


def test_queries_that_carry_their_answers_are_their_own_corpus(tmp_path: Path) -> None:
    asked = tmp_path / "intents.jsonl"
    rows = [
        {"id": "i1", "lang": "en", "query": "How do I reset my password?",
         "answer": "Open the sign-in page and follow the reset password link.",
         "out_of_scope": False},
        {"id": "i2", "lang": "en", "query": "My printer shows offline",
         "answer": "Restart the print spooler service and the printer.", "out_of_scope": False},
        {"id": "i3", "lang": "en", "query": "best carbonara recipe?",
         "answer": "Eggs, pecorino, guanciale.", "out_of_scope": True},
    ]
    asked.write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    report = evaluate(None, asked)
    assert report["corpus"]["documents"] == 2  # the out-of-scope answer is left out
    assert (report["overall"]["answerable"], report["overall"]["out_of_scope"]) == (2, 1)
    assert report["overall"]["recall@1"] == 1.0
    assert report["overall"]["out_of_scope_rejected"] == 1.0

    result = CliRunner().invoke(main, ["eval", "--queries", str(asked)])
    assert result.exit_code == 0, result.output
    _corpus, with_gold = _write(tmp_path)
    refused = CliRunner().invoke(main, ["eval", "--queries", str(with_gold)])
    assert refused.exit_code == 1
    assert f"{with_gold}:1: not a question with an answer" in refused.output
    assert "give --corpus" in refused.output
