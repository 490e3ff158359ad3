"""``selfservice classify``: the free-text classifier on JSON lines; ``train``, ``eval``."""

import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from selfservice.channels.classify import TextClassifier
from selfservice.channels.evaluation import evaluate
from selfservice.channels.examples import Example, ExamplesError, read_examples
from selfservice.channels.learned import LearnedModel
from selfservice.config.settings import load_settings
from selfservice.content.loader import ContentError, load_content
from selfservice.content.model import Content
from selfservice.db.engine import make_engine
from selfservice.services import classifier_models


def _parse_line(number: int, line: str) -> tuple[Any, str] | str:
    """``(id, text)`` or an error message naming the line."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"line {number}: invalid JSON: {exc.msg} (column {exc.colno})"
    if not isinstance(item, dict):
        return f'line {number}: expected a JSON object with "id" and "text"'
    text = item.get("text")
    if not isinstance(text, str):
        return f'line {number}: "text" is missing or not a string'
    return item.get("id"), text


def run_classify(classifier: TextClassifier, source: TextIO, explain: bool) -> int:
    """Classify every line of ``source``; return how many lines were rejected."""
    bad = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        parsed = _parse_line(number, line)
        if isinstance(parsed, str):
            click.echo(parsed, err=True)
            bad += 1
            continue
        item_id, text = parsed
        result = classifier.classify(text)
        out: dict[str, Any] = {
            "id": item_id,
            "type": result.type.value,
            "service": result.service,
            "confidence": result.confidence,
        }
        if explain:
            out["type_confidence"] = result.type_confidence
            out["service_confidence"] = result.service_confidence
            out["reasons"] = list(result.reasons)
        click.echo(json.dumps(out, ensure_ascii=False))
    return bad


_KB_DIR = click.option(
    "--kb-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Knowledge base folder the classifier starts from "
    "(default: SELFSERVICE_KB_DIR, else ./kb).",
)
_DB_URL = click.option(
    "--database-url", default=None,
    help="Database of the learned model (default: SELFSERVICE_DATABASE_URL).",
)


def _content(kb_dir: Path | None) -> Content:
    folder = kb_dir or load_settings().kb_dir
    try:
        return load_content(folder)
    except ContentError as exc:
        raise click.ClickException(
            f"{folder}: the knowledge base has problems; run 'selfservice kb check' ({exc})"
        ) from None


def _stored_model(url: str) -> LearnedModel | None:
    """The newest learned model, or None where there is no database or model yet (an
    SQLite file that does not exist is not created)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return None
    engine = make_engine(url)
    try:
        return classifier_models.load_model(engine)
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


@click.group("classify", invoke_without_command=True)
@_KB_DIR
@_DB_URL
@click.option(
    "--explain",
    is_flag=True,
    help="Also print type_confidence, service_confidence and the reasons (cue phrases "
    "found, words that chose the service).",
)
@click.option("--cold", is_flag=True,
              help="Ignore the learned model: the knowledge base alone (a new installation).")
@click.pass_context
def classify(ctx: click.Context, kb_dir: Path | None, database_url: str | None, explain: bool,
             cold: bool) -> None:
    """Classify free-text tickets: incident or request, and which service.

    \b
    Reads JSON lines on standard input, one object per line:
        {"id": <any JSON value>, "text": "<the customer's text>"}
    and prints one JSON line per input line, in the same order:
        {"id": <the same id>, "type": "incident" | "request",
         "service": "<a service id from kb/services.yml>" | null, "confidence": 0.0-1.0}

    "confidence" is the lower of the type and service confidences; "service" is null
    when no word of the text is known. The classifier starts from the catalog forms,
    the public articles and the services of the knowledge base, and uses the newest
    model learnt from the desk's classified tickets ('selfservice classify train')
    when the database has one.

    Blank lines are skipped. A line that is not a JSON object with a string "text" is
    reported on standard error as "line N: reason" and skipped; the exit status is then 1.

    \b
    Examples:
        echo '{"id": 1, "text": "VPN не подключается с утра"}' | selfservice classify
        selfservice classify --kb-dir kb --explain < tickets.jsonl > classified.jsonl
        selfservice classify train --from-db
        selfservice classify eval --data labelled.jsonl --folds 5 --report report.json
    """
    if ctx.invoked_subcommand is not None:
        return
    learned = None if cold else _stored_model(database_url or load_settings().database_url)
    classifier = TextClassifier.from_content(_content(kb_dir), learned=learned)
    bad = run_classify(classifier, sys.stdin, explain)
    if bad:
        click.echo(f"{bad} line(s) rejected", err=True)
        raise SystemExit(1)


def _examples(path: Path) -> list[Example]:
    try:
        return read_examples(path)
    except ExamplesError as exc:
        for error in exc.errors:
            click.echo(error, err=True)
        raise SystemExit(1) from None


@classify.command("train")
@_DB_URL
@click.option("--from-db", "from_db", is_flag=True,
              help="Learn from the tickets engineers reclassified or completed.")
@click.option("--from", "from_file", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Learn from a JSONL file of {text, type[, service]}.")
def train(database_url: str | None, from_db: bool, from_file: Path | None) -> None:
    """Store a new version of the learned model; running processes pick it up
    within half a minute.

    \b
    Examples:
        selfservice classify train --from-db
        selfservice classify train --from labelled.jsonl
    """
    if from_db == (from_file is not None):
        raise click.UsageError("give exactly one of --from-db and --from FILE")
    engine = make_engine(database_url or load_settings().database_url)
    try:
        examples = (classifier_models.examples_from_db(engine) if from_db
                    else _examples(from_file) if from_file else [])
        kinds = Counter(e.type.value for e in examples)
        if len(kinds) < 2:
            raise click.ClickException(
                f"{len(examples)} example(s): need both incidents and requests to learn from"
            )
        version = classifier_models.store_model(
            engine, examples, source="database" if from_db else str(from_file),
            now=datetime.now(UTC),
        )
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"database: {exc.__class__.__name__}; run 'selfservice db upgrade'"
        ) from None
    finally:
        engine.dispose()
    services = len({e.service for e in examples if e.service})
    click.echo(f"model version {version}: {len(examples)} examples (incident"
               f" {kinds['incident']}, request {kinds['request']}; {services} services)")


@classify.command("eval")
@_KB_DIR
@click.option("--data", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="JSONL with text and type (incident|request), optionally service.")
@click.option("--folds", type=click.IntRange(min=0), default=5, show_default=True,
              help="k-fold cross-validation; 0 = the cold start, nothing learnt from the file.")
@click.option("--report", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the report as JSON to this file.")
def eval_(kb_dir: Path | None, data: Path, folds: int, report: Path | None) -> None:
    """Measure incident-vs-request macro-F1, per-class F1 and the confusion matrix.

    \b
    Examples:
        selfservice classify eval --data tickets.jsonl --folds 5 --report cv.json
        selfservice classify eval --data tickets.jsonl --folds 0
    """
    if folds == 1:
        raise click.BadParameter("0 (cold start) or at least 2", param_hint="--folds")
    examples = _examples(data)
    try:
        result = evaluate(TextClassifier.from_content(_content(kb_dir)), examples, folds)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    mode = "cold start (nothing learnt from the file)" if folds == 0 else f"{folds}-fold"
    click.echo(f"{data}: {len(examples)} examples, {mode}")
    click.echo(f"macro-F1 {result['macro_f1']:.3f}")
    for label, row in result["per_class"].items():
        click.echo(f"  {label:<9} precision {row['precision']:.3f}  recall {row['recall']:.3f}"
                   f"  F1 {row['f1']:.3f}")
    click.echo("confusion (rows: true, columns: predicted incident, request)")
    for label, row in result["confusion"].items():
        click.echo(f"  {label:<9} {row['incident']:>6} {row['request']:>6}")
    if "service_accuracy" in result:
        click.echo(f"service accuracy {result['service_accuracy']:.3f}")
    if report is not None:
        report.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
