"""Step Markdown rendered for the chat widget: like the site, but never raw HTML or unsafe links."""

import re
from pathlib import Path

from selfservice.content.loader import load_content
from selfservice.content.safe_markdown import step_html

KB = Path(__file__).resolve().parents[2] / "kb"
FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})", re.MULTILINE)


def test_a_fenced_command_becomes_a_code_block_without_its_language_tag() -> None:
    html = step_html(
        "Open PowerShell:\n\n```powershell\nTest-NetConnection 203.0.113.10 -Port 3389\n```\n\n"
        "`TcpTestSucceeded : True` means **open**."
    )
    assert "<p>Open PowerShell:</p>" in html
    assert re.search(
        r"<pre[^>]*><code[^>]*>Test-NetConnection 203\.0\.113\.10 -Port 3389</code></pre>", html
    )
    assert "<code>TcpTestSucceeded : True</code>" in html
    assert "<strong>open</strong>" in html
    assert "`" not in html and "**" not in html
    assert ">powershell" not in html


def test_lists_and_links_render() -> None:
    html = step_html("Delete:\n\n- IIS logs\n- dumps\n\nSee [the guide](https://example.com/x).")
    assert "<ul>\n<li>IIS logs</li>\n<li>dumps</li>\n</ul>" in html
    assert '<a href="https://example.com/x">the guide</a>' in html


def test_raw_html_is_shown_as_text_never_as_markup() -> None:
    html = step_html(
        "Click <b onclick=\"steal()\">here</b> <script>alert(1)</script>\n\n"
        "<div><img src=x onerror=alert(1)></div>\n\n<iframe src=\"https://evil.test\"></iframe>"
    )
    for tag in ("<b", "<script", "<img", "<div", "<iframe"):
        assert tag not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b onclick=" in html


def test_only_http_and_mailto_links_keep_their_target() -> None:
    html = step_html(
        "[a](javascript:alert(1)) [b](JavaScript:alert(1)) [c](data:text/html,x) "
        "[d](vbscript:x) [e](https://ok.example) [f](mailto:help@example.com) <mailto:x@y.z> "
        "![pic](https://example.com/p.png \"t\")"
    )
    targets = re.findall(r'href="([^"]*)"', html)
    assert targets[:2] == ["https://ok.example", "mailto:help@example.com"]
    assert len(targets) == 3  # and the autolinked address (its characters are encoded)
    assert "javascript" not in html.lower() and "data:" not in html and "vbscript" not in html
    assert "<img" not in html and "pic" in html


def test_every_step_of_kb_renders_its_code_blocks() -> None:
    content = load_content(KB)
    steps = [(a.id, s) for a in content.articles.values() if a.is_public for s in a.steps]
    assert len(steps) > 200
    for article_id, step in steps:
        for text in (step.text, step.check or ""):
            html = step_html(text)
            where = f"{article_id}#{step.id}"
            assert html.count("<pre") == len(FENCE.findall(text)) // 2, where
            prose = re.sub(r"<code[^>]*>.*?</code>", "", html, flags=re.DOTALL)
            assert "`" not in prose and "**" not in prose, where
