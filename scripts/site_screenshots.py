"""Screenshots of the built site for the README: home and one article, English and Russian.

Usage: python scripts/site_screenshots.py SITE_DIR OUT_DIR
(SITE_DIR from `mkdocs build`; served on loopback under /kb/ while the shots are taken,
with Debian's /usr/bin/chromium; any 4xx/5xx response a page causes is printed.)
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {
    "site-home-en": "",
    "site-home-ru": "ru/",
    "site-article-en": "articles/identity/reset-password/",
    "site-article-ru": "ru/articles/identity/reset-password/",
    "site-catalog-en": "catalog/",
    "site-catalog-ru": "ru/catalog/",
    "site-service-en": "services/compute/",
    "site-service-ru": "ru/services/compute/",
}


def main(site: Path, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as root:
        shutil.copytree(site, Path(root) / "kb")
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "-d", root],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            assert server.stdout is not None
            line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N ..."
            port = int(line.split(" port ")[1].split()[0])
            time.sleep(0.2)
            failed: list[str] = []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium")
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.on("response",
                        # the search script's probe: only the service answers it
                        lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400
                        and not r.url.endswith("/assets/selfservice.json") else None)
                for name, path in PAGES.items():
                    page.goto(f"http://127.0.0.1:{port}/kb/{path}")
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(out / f"{name}.png"))
                browser.close()
        finally:
            server.terminate()
            server.wait()
    for text in failed:
        print(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
