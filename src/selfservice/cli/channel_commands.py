"""``selfservice classify``: the free-text classifier on JSON lines, for scripts and tuning."""

import json
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from selfservice.channels.classify import TextClassifier
from selfservice.content.loader import ContentError, load_content
from selfservice.settings import load_settings


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


@click.command("classify")
@click.option(
    "--kb-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Knowledge base folder the classifier learns from "
    "(default: SELFSERVICE_KB_DIR, else ./kb).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Also print type_confidence, service_confidence and the reasons (cue phrases "
    "found, words that chose the service).",
)
def classify(kb_dir: Path | None, explain: bool) -> None:
    """Classify free-text tickets: incident or request, and which service.

    \b
    Reads JSON lines on standard input, one object per line:
        {"id": <any JSON value>, "text": "<the customer's text>"}
    and prints one JSON line per input line, in the same order:
        {"id": <the same id>, "type": "incident" | "request",
         "service": "<a service id from kb/services.yml>" | null, "confidence": 0.0-1.0}

    "confidence" is the lower of the type and service confidences; "service" is null
    when no word of the text is known to the knowledge base. The classifier learns from
    the catalog forms, the public articles and the services of the knowledge base at
    start-up: no training step, no model file.

    Blank lines are skipped. A line that is not a JSON object with a string "text" is
    reported on standard error as "line N: reason" and skipped; the exit status is then 1.

    \b
    Examples:
        echo '{"id": 1, "text": "VPN не подключается с утра"}' | selfservice classify
        selfservice classify --kb-dir kb --explain < tickets.jsonl > classified.jsonl
    """
    folder = kb_dir or load_settings().kb_dir
    try:
        content = load_content(folder)
    except ContentError as exc:
        raise click.ClickException(
            f"{folder}: the knowledge base has problems; run 'selfservice kb check' ({exc})"
        ) from None
    bad = run_classify(TextClassifier.from_content(content), sys.stdin, explain)
    if bad:
        click.echo(f"{bad} line(s) rejected", err=True)
        raise SystemExit(1)
