"""Text helpers for e-mail: charset decoding with a fallback guess, HTML to plain text,
``format=flowed`` unwrapping and the language guess.

All functions are total: they never raise on odd input, they do their best and say what
they did (the charset actually used, for instance).
"""

import codecs
import re
from html.parser import HTMLParser

from selfservice.domain.enums import Language
from selfservice.text.words import cyrillic_share

__all__ = [
    "RU_SHARE",
    "codec_name",
    "cyrillic_share",
    "decode_bytes",
    "guess_language",
    "html_to_text",
    "looks_like_html",
    "repair_surrogates",
    "storable",
    "unflow",
]

#: Share of Cyrillic among all letters from which a text counts as Russian.
RU_SHARE = 0.15

# Relative frequency of Russian lowercase letters (about the national corpus figures).
_RU_FREQ = {
    "о": 0.109, "е": 0.085, "а": 0.080, "и": 0.074, "н": 0.067, "т": 0.063, "с": 0.055,
    "р": 0.047, "в": 0.045, "л": 0.044, "к": 0.035, "м": 0.032, "д": 0.030, "п": 0.028,
    "у": 0.026, "я": 0.020, "ы": 0.019, "ь": 0.017, "г": 0.017, "з": 0.016, "б": 0.016,
    "ч": 0.014, "й": 0.012, "х": 0.010, "ж": 0.009, "ш": 0.007, "ю": 0.006, "ц": 0.005,
    "щ": 0.004, "э": 0.003, "ф": 0.003, "ъ": 0.001, "ё": 0.001,
}  # fmt: skip
# Mean letter frequency above which a decoding "reads like Russian" (real text scores
# about 0.055, a wrong legacy decoding well under 0.03).
_RU_PLAUSIBLE = 0.035
_LEGACY_CYRILLIC = ("cp1251", "koi8_r", "cp866")


def codec_name(name: str | None) -> str | None:
    """The Python codec name for a MIME charset, or None if Python does not know it."""
    if not name:
        return None
    cleaned = name.strip().strip('"').lower()
    try:
        return codecs.lookup(cleaned).name
    except LookupError:
        return None


def _russian_score(text: str) -> float:
    """Mean frequency weight of the non-ASCII characters; high for real Russian text."""
    weights = [
        _RU_FREQ.get(ch, _RU_FREQ.get(ch.lower(), 0.0) * 0.3) for ch in text if ord(ch) > 127
    ]
    return sum(weights) / len(weights) if weights else 0.0


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` as text; return ``(text, codec actually used)``.

    The declared charset is tried first (strictly). If it is missing, unknown or wrong,
    the guess is: a BOM, ASCII, UTF-8, then the legacy Cyrillic code page whose decoding
    reads most like Russian, then Windows-1252. Nothing is ever lost silently: the last
    resort decodes with replacement characters.
    """
    codec = codec_name(declared)
    if codec is not None:
        try:
            return data.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            pass
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    for candidate in ("ascii", "utf-8"):
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    best_text, best_codec, best_score = "", "", 0.0
    for candidate in _LEGACY_CYRILLIC:
        text = data.decode(candidate, errors="replace")
        score = _russian_score(text)
        if score > best_score:
            best_text, best_codec, best_score = text, candidate, score
    if best_score >= _RU_PLAUSIBLE:
        return best_text, best_codec
    if codec is not None:
        return data.decode(codec, errors="replace"), codec
    return data.decode("cp1252", errors="replace"), "cp1252"


def repair_surrogates(text: str) -> str:
    """Re-decode raw 8-bit bytes that the e-mail parser kept as surrogate escapes."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    raw = text.encode("utf-8", errors="surrogateescape")
    return decode_bytes(raw)[0]


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` without what a database refuses: NUL is dropped (PostgreSQL's text type
    cannot hold it) and a surrogate left over after decoding becomes U+FFFD."""
    if not _UNSTORABLE.search(text):
        return text
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


# --- language -----------------------------------------------------------------------------


def guess_language(text: str) -> Language:
    """Russian when Cyrillic makes up at least :data:`RU_SHARE` of the letters, else English."""
    return Language.RU if cyrillic_share(text) >= RU_SHARE else Language.EN


# --- format=flowed (RFC 3676) -------------------------------------------------------------


def unflow(text: str, *, delsp: bool = False) -> str:
    """Join the soft-broken lines of a ``format=flowed`` text, keeping quote depths apart."""
    out: list[str] = []
    current: str | None = None
    depth_of_current = 0

    def flush() -> None:
        nonlocal current
        if current is not None:
            prefix = ">" * depth_of_current + (" " if depth_of_current else "")
            out.append((prefix + current).rstrip())
        current = None

    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing or the space after the quote marks
        if content == "-- ":  # signature separator is never flowed
            flush()
            depth_of_current = depth
            current = content
            flush()
            continue
        if current is not None and depth != depth_of_current:
            flush()
        if current is None:
            current, depth_of_current = "", depth
        soft = content.endswith(" ")
        current += content[:-1] if soft and delsp else content
        if not soft:
            flush()
    flush()
    return "\n".join(out)


# --- HTML -> text ---------------------------------------------------------------------------

_BLOCK = frozenset(
    "address article aside blockquote center dd div dl dt fieldset figure footer form h1 h2 "
    "h3 h4 h5 h6 header hr li main nav ol p pre section table tbody thead tfoot tr ul".split()
)
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "xml"})
_SPACE = re.compile(r"[ \t\r\n\f\u00a0]+")
_TAG = re.compile(r"<\s*/?\s*(html|body|div|p|br|span|table|a|font|b|i|head)\b[^>]*>", re.I)


def looks_like_html(text: str) -> bool:
    """True for text that is really HTML (a part labelled text/plain by mistake)."""
    head = text.lstrip()[:2000]
    return head.startswith("<") and len(_TAG.findall(head)) >= 2


class _HtmlToText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []
        self._buf: list[str] = []
        self._skip = 0
        self._pre = 0
        self._quote = 0
        self._links: list[tuple[str, list[str]]] = []

    # line handling
    def _flush(self, *, force: bool = False) -> None:
        raw = "".join(self._buf)
        self._buf = []
        line = raw.rstrip() if self._pre else _SPACE.sub(" ", raw).strip()
        if self._pre and "\n" in line:
            for piece in line.split("\n"):
                self.lines.append((self._quote, piece.rstrip()))
            return
        if line or force:
            self.lines.append((self._quote, line))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        if tag == "br":
            self._flush(force=True)
        elif tag in _BLOCK:
            self._flush()
            if tag == "blockquote":
                self._quote += 1
            elif tag == "pre":
                self._pre += 1
            elif tag == "li":
                self._buf.append("- ")
            elif tag == "hr":
                self.lines.append((self._quote, "---"))
        elif tag in {"td", "th"}:
            self._buf.append(" ")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._links.append((_SPACE.sub("", href), []))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self._buf.append(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in {"br", "img", "hr"}:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag in _BLOCK:
            self._flush()
            if tag == "blockquote":
                self._quote = max(0, self._quote - 1)
            elif tag == "pre":
                self._pre = max(0, self._pre - 1)
        elif tag == "a" and self._links:
            href, parts = self._links.pop()
            text = _SPACE.sub(" ", "".join(parts)).strip()
            if href.lower().startswith(("http://", "https://")) and href not in text:
                self._buf.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self._buf.append(data)
        for _href, parts in self._links:
            parts.append(data)

    def text(self) -> str:
        self._flush()
        out: list[str] = []
        for depth, line in self.lines:
            prefix = "> " * depth if line else ">" * depth
            rendered = (prefix + line).rstrip()
            if not rendered and (not out or not out[-1]):
                continue  # at most one blank line in a row
            out.append(rendered)
        return "\n".join(out).strip("\n")


def html_to_text(html: str) -> str:
    """Readable plain text from HTML: blocks become lines, ``<blockquote>`` becomes ``>``
    quoting, links keep their address, scripts, styles and comments are dropped."""
    parser = _HtmlToText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # pragma: no cover - html.parser is lenient; belt and braces
        return _SPACE.sub(" ", re.sub(r"<[^>]*>", " ", html)).strip()
    return parser.text()
