"""The new text of an e-mail reply, without the quoted earlier message and the signature.

A reply is cut at the first *quote boundary*:

* an attribution line: ``On <date>, <name> wrote:`` (also split over up to three lines),
  ``<date>, <name> пишет:``, ``… написал(а):`` and the bare ``<date>, Name <addr>:`` that
  Russian Gmail and Yandex write;
* a separator: ``-----Original Message-----``, ``-----Исходное сообщение-----``;
* an Outlook header block: ``From:`` / ``От:`` followed within a few lines by at least two
  of ``Sent:/Date:/To:/Cc:/Subject:`` (``Отправлено:/Дата:/Кому:/Копия:/Тема:``),
  optionally preceded by a line of underscores;
* the first ``>``-quoted line.

Text above the boundary is the reply (top-posting). When there is none, the reply is the
unquoted text below the quote (bottom-posting, as Thunderbird does). Text, ``>`` lines and
more text with no attribution at all is kept whole: the sender is quoting something (a
log line, an error) on purpose. Mobile signatures
("Sent from my iPhone", "Отправлено с iPhone") and everything after a ``-- `` signature
separator are removed.
"""

import re
from enum import Enum

__all__ = ["extract_reply"]

_ATTRIBUTION = re.compile(
    r"""^\s*(?:
        (?:on|le|am|el|il|op|em)\b.{4,}\b(?:wrote|a\s+écrit|schrieb|escribió|scrisse|schreef
            |escreveu)\s*:
      | .{4,}\b(?:пишет|написал|написала|написал\(а\)|писал|писала)\s*:
      | .*\d.*<[^<>\s@]+@[^<>\s]+>\s*:
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
#: Attribution lines are short; longer text is never tested (and the patterns stay fast).
_MAX_ATTRIBUTION = 400
_ATTRIBUTION_START = re.compile(r"^\s*(?:on|le|am|el|il|op|em)\b|\d", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^\s*-{3,}\s*(?:original\s+message|исходное\s+сообщение|оригинальное\s+сообщение)"
    r"\s*-{3,}\s*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
_HEADER_FROM = re.compile(r"^\s*\*?(?:from|от|von|de)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_OTHER = re.compile(
    r"^\s*\*?(?:sent|date|to|cc|subject|отправлено|дата|кому|копия|тема|gesendet|an|betreff)"
    r"\s*:",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^\s*>")
_SIG_SEPARATOR = re.compile(r"^--\s?$")
_MOBILE_SIGNATURE = re.compile(
    r"""^\s*(?:
        sent\s+from\s+my\s+\S.*
      | sent\s+from\s+(?:mail|outlook|yahoo\s+mail|samsung|my\s+mobile)\b.*
      | get\s+outlook\s+for\s+\S.*
      | отправлено\s+(?:с|со|из)\s+.*(?:iphone|ipad|android|почт|mail|samsung|мобильн).*
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


class _Boundary(Enum):
    ATTRIBUTION = "attribution"
    QUOTE = "quote"
    HEADERS = "headers"


def _attribution_span(lines: list[str], i: int) -> int:
    """Number of lines (1-3) forming an attribution starting at ``i``, or 0."""
    if not _ATTRIBUTION_START.search(lines[i]) or _QUOTED.match(lines[i]):
        return 0
    for span in (1, 2, 3):
        chunk = lines[i : i + span]
        if len(chunk) < span or any(not line.strip() or _QUOTED.match(line) for line in chunk):
            return 0
        joined = " ".join(line.strip() for line in chunk)
        if len(joined) > _MAX_ATTRIBUTION:
            return 0
        if _ATTRIBUTION.match(joined):
            return span
    return 0


def _is_header_block(lines: list[str], i: int) -> bool:
    if not _HEADER_FROM.match(lines[i]):
        return False
    window = lines[i + 1 : i + 7]
    return sum(1 for line in window if _HEADER_OTHER.match(line)) >= 2


def _find_boundary(lines: list[str]) -> tuple[int, _Boundary] | None:
    for i, line in enumerate(lines):
        if _QUOTED.match(line):
            return i, _Boundary.QUOTE
        if _attribution_span(lines, i):
            return i, _Boundary.ATTRIBUTION
        if _SEPARATOR.match(line) or _is_header_block(lines, i):
            return i, _Boundary.HEADERS
        if _UNDERSCORES.match(line) and i + 1 < len(lines) and _is_header_block(lines, i + 1):
            return i, _Boundary.HEADERS
    return None


def _unquoted_after(lines: list[str]) -> list[str]:
    """Lines below a quote boundary that are neither quoted nor attributions."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        span = _attribution_span(lines, i)
        if span:
            i += span
            continue
        if not _QUOTED.match(lines[i]):
            out.append(lines[i])
        i += 1
    return out


def _strip_signature(lines: list[str]) -> list[str]:
    for i, line in enumerate(lines):
        if _SIG_SEPARATOR.match(line):
            lines = lines[:i]
            break
    while lines and (not lines[-1].strip() or _MOBILE_SIGNATURE.match(lines[-1])):
        lines = lines[:-1]
    while lines and not lines[0].strip():
        lines = lines[1:]
    return lines


def extract_reply(text: str) -> str:
    """The text the sender wrote, with quoted text, attributions and signatures removed.

    Returns ``""`` when the message contains nothing but quoted text.
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    found = _find_boundary(lines)
    if found is None:
        return "\n".join(_strip_signature(lines))
    index, kind = found
    head = _strip_signature(lines[:index])
    tail = lines[index:]
    if kind is _Boundary.HEADERS:
        return "\n".join(head)
    if not head:  # bottom-posting: the quote first, the new text below it
        return "\n".join(_strip_signature(_unquoted_after(tail)))
    if kind is _Boundary.QUOTE and _strip_signature(_unquoted_after(tail)):
        # Text, ">" lines, more text, and no attribution: the ">" lines are most likely
        # something the sender quotes on purpose (a log, an error), so keep everything.
        return "\n".join(_strip_signature(lines))
    return "\n".join(head)
