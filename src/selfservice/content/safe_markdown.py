"""Markdown of kb/ step texts to HTML that is safe to insert into the chat widget.

Steps are rendered like the site renders them (paragraphs, lists, tables, links, inline
code, fenced code blocks), but raw HTML in the text is shown as text, not markup, and a
link or image may only point to http(s) or mailto: kb authors are staff, yet a stray
``<script>`` or ``javascript:`` link must never reach a customer's browser. The widget
still passes the result through its own allow-list sanitiser.
"""

from functools import lru_cache
from html import unescape
from threading import Lock
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE

__all__ = ["step_html"]

SAFE_SCHEMES = ("http://", "https://", "mailto:")


class _SafeLinks(Treeprocessor):
    """Drops link targets of other schemes; images become their alt text."""

    def run(self, root: Element) -> None:
        for parent in root.iter():
            for child in list(parent):
                if child.tag == "a" and not _safe(child.get("href", "")):
                    child.attrib.pop("href", None)
                elif child.tag == "img":
                    alt = child.get("alt", "")
                    child.tag = "span"
                    child.attrib.clear()
                    child.text = alt


def _safe(href: str) -> bool:
    # Autolinked e-mail addresses arrive as character references (spam obfuscation).
    plain = unescape(href.replace(AMP_SUBSTITUTE, "&")).strip().lower()
    return plain.startswith(SAFE_SCHEMES)


def _renderer() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=["pymdownx.highlight", "pymdownx.superfences", "tables", "sane_lists"],
        extension_configs={"pymdownx.highlight": {"use_pygments": False}},
        output_format="html",
    )
    md.preprocessors.deregister("html_block")  # raw HTML blocks stay text …
    md.inlinePatterns.deregister("html")  # … and so do inline tags
    md.treeprocessors.register(_SafeLinks(md), "safe_links", 1)
    return md


_MD = _renderer()
_LOCK = Lock()  # one Markdown instance keeps state while it converts


@lru_cache(maxsize=2048)
def step_html(text: str) -> str:
    """The HTML of one step's (or check's) Markdown; kb/ content is fixed while running."""
    with _LOCK:
        _MD.reset()
        return _MD.convert(text)
