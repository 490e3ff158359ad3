"""The built public knowledge-base site (``mkdocs build``), served by the backend at ``/kb/``.

The API's own Content-Security-Policy (``default-src 'none'`` for everything that is not
the widget) would stop the site's search worker from fetching its index, so the site's
files carry a policy of their own: same-origin resources, plus the inline scripts and
styles mkdocs-material uses.
"""

from collections.abc import Callable
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from selfservice.web.urls import API_PREFIX

SITE_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'self'"
)


#: Asked for by the site's search script: its presence says "the service serves this site,
#: ask its search" (a site published as static files has no such file).
SERVICE_FILE = "/assets/selfservice.json"


class SiteFiles:
    """StaticFiles over the site folder (``index.html`` for directories), with its CSP.

    ``published()`` names the site published with the live generation (``kb publish``),
    if any; it is served instead of ``directory`` from the next request on.
    """

    def __init__(
        self, directory: Path, published: Callable[[], Path | None] = lambda: None
    ) -> None:
        self.directory = directory
        self.published = published
        self.files = StaticFiles(directory=directory, html=True)

    def _files(self) -> StaticFiles:
        folder = self.published() or self.directory
        if folder != self.directory:
            # The old generation's folder stays on disk until the next publish after
            # this one, so requests already under way finish from it.
            self.directory, self.files = folder, StaticFiles(directory=folder, html=True)
        return self.files

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        root = scope.get("root_path", "")
        path = scope["path"][len(root):] if scope["path"].startswith(root) else scope["path"]
        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Content-Security-Policy"] = SITE_POLICY
            await send(message)

        if path == SERVICE_FILE:
            answer = JSONResponse(
                {"search": f"{API_PREFIX}/search", "suggest": f"{API_PREFIX}/suggest"},
                headers={"Cache-Control": "no-cache"},
            )
            await answer(scope, receive, send_with_policy)
            return
        await self._files()(scope, receive, send_with_policy)
