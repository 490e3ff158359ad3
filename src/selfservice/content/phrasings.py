"""Customers' phrasings as symptoms of an article: which qualify, and writing one in.

A conversation that ends "solved" on an article proposes what the customer typed as a
new symptom of it (``services/phrasings.py``); an author who accepts it gets the line
added to the article's front matter, as a change to review and commit like any other.
Symptoms are what the search matches a question against like with like, so the
customers' own words are the best an author can add (measured in the README).
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import yaml

from selfservice.content.loader import split_front_matter
from selfservice.content.model import Article

__all__ = ["MAX_CHARS", "PhrasingFileError", "add_symptom", "candidate", "norm"]

#: A symptom is a line, not a story: longer messages are not proposed.
MAX_CHARS = 160
MAX_WORDS = 16
MIN_CHARS = 4

#: What must not go into a public article: an address, a link, a long number (a phone,
#: an account, a card) — a customer's phrasing can carry their data.
_PRIVATE = re.compile(r"@|https?://|www\.|\d{4,}|\d+\.\d+\.\d+\.\d+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


class PhrasingFileError(ValueError):
    """The article's file cannot take the symptom (no front matter, or the result would
    not be valid YAML)."""


def norm(text: str) -> str:
    """Case- and space-folded: the same phrasing typed twice is one proposal."""
    return _SPACES.sub(" ", text).strip().casefold().replace("ё", "е")


def candidate(text: str, article: Article) -> str | None:
    """``text`` trimmed when it may become a symptom of ``article``, else None: too short
    or too long, carrying personal data, or already the article's title or a symptom."""
    line = _SPACES.sub(" ", text).strip().rstrip("?!.").strip()
    if not MIN_CHARS <= len(line) <= MAX_CHARS or len(line.split()) > MAX_WORDS:
        return None
    if _PRIVATE.search(line):
        return None
    known = {norm(article.title), *(norm(s) for s in article.symptoms)}
    return None if norm(line) in known else line


def _yaml_item(text: str) -> str:
    """A list item that reads back as ``text``: plain when YAML allows, quoted otherwise."""
    plain = f"- {text}"
    try:
        if yaml.safe_load(plain) == [text]:
            return plain
    except yaml.YAMLError:
        pass
    return "- " + json.dumps(text, ensure_ascii=False)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def add_symptom(path: Path, text: str) -> str:
    """Add ``text`` to the ``symptoms`` of the article in ``path`` (after the last one, or
    as a new list before the front matter ends) and return the unified diff.

    Only the front matter's lines change; the file is rewritten whole, so a reader
    never sees half of it.
    """
    before = path.read_text(encoding="utf-8")
    parts = split_front_matter(before)
    if parts is None:
        raise PhrasingFileError(f"{path}: no front matter")
    lines = before.splitlines(keepends=True)
    end = parts[2] - 2  # the closing "---" (split_front_matter counts lines from 1)
    start = next((i for i in range(1, end) if re.match(r"symptoms:\s*$", lines[i])), None)
    if start is not None:
        last = start
        while last + 1 < end and re.match(r"\s*-\s", lines[last + 1]):
            last += 1
        # the items' own indent (YAML allows none); two spaces for a list still empty
        indent = _indent(lines[start + 1]) if last > start else "  "
        lines.insert(last + 1, f"{indent}{_yaml_item(text)}\n")
    else:
        lines[end:end] = ["symptoms:\n", f"  {_yaml_item(text)}\n"]
    after = "".join(lines)
    check = split_front_matter(after)
    try:
        data = yaml.safe_load(check[0]) if check else None
    except yaml.YAMLError as exc:
        raise PhrasingFileError(
            f"{path}: the symptom would break the front matter ({exc})"
        ) from None
    if not isinstance(data, dict) or text not in (data.get("symptoms") or []):
        raise PhrasingFileError(f"{path}: 'symptoms' is not a list of lines; add it by hand")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(after, encoding="utf-8")
    tmp.replace(path)
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), lines, f"a/{path.name}", f"b/{path.name}"
        )
    )
