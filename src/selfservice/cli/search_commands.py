"""``selfservice index`` and ``selfservice eval``: build the search index, measure quality."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from selfservice.config.settings import load_settings
from selfservice.content.loader import ContentError, load_content


@click.command("index")
@click.option(
    "--kb-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Knowledge base folder (default: SELFSERVICE_KB_DIR, else ./kb).",
)
@click.option(
    "--index-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the index lives (default: SELFSERVICE_INDEX_DIR, else ./var/index).",
)
@click.option(
    "--sync",
    "sync_only",
    is_flag=True,
    help="Only rewrite the documents that changed since the last run (the server does "
    "this on start) instead of rebuilding everything.",
)
def index(kb_dir: Path | None, index_dir: Path | None, sync_only: bool) -> None:
    """Rebuild the search index from kb/: public and internal articles, request forms.

    The new index is built next to the live one and swapped in atomically when it is
    complete, so a running server keeps answering from the old index during the rebuild
    and picks up the new one by itself within a fraction of a second. A progress bar goes
    to stderr; it counts the documents, then the English documents' meaning vectors
    (reused for unchanged documents; none with SELFSERVICE_SEARCH_MEANING=off). kb/ is
    checked first; any problem stops the command (run `selfservice kb check` for the
    full list).

    \b
    Examples:
      selfservice index                          # full rebuild
      selfservice index --sync                   # only what changed in kb/
      SELFSERVICE_INDEX_DIR=/srv/index selfservice index --kb-dir /srv/kb
    """
    from selfservice.search import SearchIndex

    settings = load_settings()
    kb = kb_dir or settings.kb_dir
    target = index_dir or settings.index_dir
    try:
        content = load_content(kb)
    except ContentError as exc:
        raise click.ClickException(f"{kb}: {exc}") from None
    started = time.perf_counter()
    if sync_only:
        search = SearchIndex.open_or_build(target, content, semantic=settings.search_meaning)
        report = search.sync(content)
        count = search.doc_count()
        search.close()
        click.echo(
            f"{target}: {count} documents; {len(report.added)} added, "
            f"{len(report.updated)} updated, {len(report.removed)} removed "
            f"in {time.perf_counter() - started:.1f} s"
        )
        return
    search = SearchIndex(target, semantic=settings.search_meaning)
    with click.progressbar(
        length=1, label="Indexing", file=sys.stderr, show_pos=True
    ) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        count = search.rebuild(content, progress=progress)
    search.close()
    click.echo(
        f"{target}: {count} documents ({len(content.articles)} articles, "
        f"{len(content.forms)} forms in two languages) in {time.perf_counter() - started:.1f} s"
    )


def _fmt(value: Any) -> str:
    return "  -  " if value is None else f"{value:.3f}"


@click.command("eval")
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="JSONL corpus: one document per line with id, lang (en|ru), title, body and "
    "optional service. Leave it out when every query carries its own answer and "
    "out_of_scope flag (like nlu-intents-en): the in-scope answers are the corpus.",
)
@click.option(
    "--queries",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help="JSONL queries: id, lang, query and gold (the corpus ids that answer it; an "
    "empty list means nothing does).",
)
@click.option(
    "--report",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the JSON report here.",
)
@click.option(
    "--details", is_flag=True, help="Add every query's rank and top hit to the JSON report."
)
@click.option(
    "--words-only",
    is_flag=True,
    help="Rank by words only, without the meaning signal (to see what it adds).",
)
def eval_(
    corpus: Path | None, queries: Path, report: Path | None, details: bool, words_only: bool
) -> None:
    """Measure search quality on a labelled query set.

    The corpus goes into a temporary index built by the same engine, analyzers, boosts
    and confidence threshold as the product's own kb/; then every query is searched as a
    public caller in its own language. Printed per language and overall:

    \b
      R@1, R@5   share of answerable queries with a right document in the top 1 / top 5
      MRR@10     mean of 1/rank of the first right document in the top 10 (0 if none)
      OOS-rej    share of unanswerable queries (empty gold) with no confident hit
      conf@1     share of answerable queries whose top hit is confident
      prec       share of confident top hits that are right

    The JSON report has {"overall": {...}, "by_lang": {"en": {...}, "ru": {...}},
    "queries": N}; a metric is null where it does not apply (e.g. OOS-rej without
    unanswerable queries).

    \b
    Example:
      selfservice eval --corpus ../shared/eval/stackfaq-en/corpus.jsonl \\
                       --queries ../shared/eval/stackfaq-en/queries.jsonl --report sf.json
      selfservice eval --queries ../shared/eval/nlu-intents-en/queries.jsonl
    """
    from selfservice.search.evaluation import evaluate

    def progress(stage: str, done: int, total: int) -> None:
        click.echo(f"\r{stage}: {done}/{total}", nl=False, err=True)
        if done == total:
            click.echo("", err=True)

    try:
        result = evaluate(
            corpus, queries, progress=progress, details=details, semantic=not words_only
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{'':8} {'queries':>7} {'R@1':>6} {'R@5':>6} {'MRR@10':>6} {'OOS-rej':>7} "
               f"{'conf@1':>6} {'prec':>6}")
    rows = [(lang, m) for lang, m in result["by_lang"].items()] + [("overall", result["overall"])]
    for name, m in rows:
        n = m["answerable"] + m["out_of_scope"]
        if not n:
            continue
        click.echo(
            f"{name:8} {n:>7} {_fmt(m['recall@1']):>6} {_fmt(m['recall@5']):>6} "
            f"{_fmt(m['mrr@10']):>6} {_fmt(m['out_of_scope_rejected']):>7} "
            f"{_fmt(m['confident_top1']):>6} {_fmt(m['confident_precision']):>6}"
        )
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
        click.echo(f"report: {report}")
