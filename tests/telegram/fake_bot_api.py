"""A fake Telegram Bot API server on loopback: the outside world for the bot's tests.

It speaks the Bot API's HTTP protocol (``POST /bot<token>/<method>``, form or JSON
parameters, ``{"ok": true, "result": ...}`` answers), records every call, hands out the
updates a test queued through ``getUpdates`` (offset semantics as Telegram's), and can
answer the next calls of a method with 429 and ``retry_after`` as Telegram's flood control
does. Files a test registers (``add_file``) are described by ``getFile`` and served from
``/file/bot<token>/<file_path>``; past 20 MB ``getFile`` refuses as Telegram does.
python-telegram-bot is pointed at it through its ``base_url`` and ``base_file_url``.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from support.processes import free_port

#: No keep-alive: a connection the test's server thread still holds when it stops would
#: be left unclosed (a ResourceWarning, an error under -W error).
_CLOSE = {"Connection": "close"}
BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Support", "username": "support_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> list[tuple[str, str]]:
        markup = self.params.get("reply_markup") or {}
        return [(b["text"], b.get("callback_data", ""))
                for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class FakeBotApi:
    token: str = "123456:TEST-TOKEN"
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    #: method -> [(count left, retry_after)]: the next calls answered 429.
    floods: dict[str, list[int]] = field(default_factory=dict)
    sent: dict[int, dict[str, Any]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    #: file_id -> bytes (``add_file``); ``downloads``: the file paths fetched.
    files: dict[str, bytes] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)
    #: Runs as a file is served (a test's "meanwhile", e.g. another pump settles).
    on_download: Callable[[], None] | None = None
    port: int = 0
    _next_message: int = 100
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def flood(self, method: str, *, times: int, retry_after: int) -> None:
        self.floods[method] = [times, retry_after]

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sending to them is refused with 403 from now on."""
        self.blocked.add(chat_id)

    def add_file(self, file_id: str, data: bytes) -> None:
        self.files[file_id] = data

    async def file(self, request: Request) -> Response:
        path = request.path_params["path"]
        file_id = path.rpartition("/")[2]
        if request.path_params["token"] != self.token or file_id not in self.files:
            return Response(b"Not Found", status_code=404, headers=_CLOSE)
        with self._lock:
            self.downloads.append(path)
        if self.on_download is not None:
            self.on_download()
        return Response(self.files[file_id], media_type="application/octet-stream",
                        headers=_CLOSE)

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def messages_to(self, chat_id: int) -> list[Call]:
        return [c for c in self.of("sendMessage") if int(c.params["chat_id"]) == chat_id]

    def message(self, message_id: int) -> dict[str, Any]:
        return self.sent[message_id]

    async def endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        if request.path_params["token"] != self.token:
            return JSONResponse({"ok": False, "error_code": 401,
                                 "description": "Unauthorized"}, status_code=401,
                                headers=_CLOSE)
        params = await _params(request)
        with self._lock:
            flood = self.floods.get(method)
            if flood and flood[0] > 0:
                flood[0] -= 1
                self.calls.append(Call(f"{method}:429", params))
                return JSONResponse(
                    {"ok": False, "error_code": 429,
                     "description": f"Too Many Requests: retry after {flood[1]}",
                     "parameters": {"retry_after": flood[1]}}, status_code=429,
                    headers=_CLOSE)
            if method == "sendMessage" and int(params.get("chat_id", 0)) in self.blocked:
                self.calls.append(Call(f"{method}:403", params))
                return JSONResponse({"ok": False, "error_code": 403, "description":
                                     "Forbidden: bot was blocked by the user"},
                                    status_code=403, headers=_CLOSE)
            if method == "getFile" and self._file_refused(params):
                self.calls.append(Call(f"{method}:400", params))
                return JSONResponse({"ok": False, "error_code": 400,
                                     "description": "Bad Request: file is too big"},
                                    status_code=400, headers=_CLOSE)
            self.calls.append(Call(method, params))
            return JSONResponse({"ok": True, "result": self._result(method, params)},
                                headers=_CLOSE)

    def _file_refused(self, params: dict[str, Any]) -> bool:
        return len(self.files.get(str(params.get("file_id")), b"")) > 20 * 1024 * 1024

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getFile":
            file_id = str(params["file_id"])
            data = self.files.get(file_id, b"")
            return {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                    "file_size": len(data), "file_path": f"documents/{file_id}"}
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            return list(self.updates)
        if method in {"sendMessage", "editMessageText"}:
            chat_id = int(params["chat_id"])
            if method == "sendMessage":
                self._next_message += 1
                message_id = self._next_message
            else:
                message_id = int(params["message_id"])
            message = {"message_id": message_id, "date": int(time.time()),
                       "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                       "from": BOT_USER, "text": params.get("text", "")}
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            self.sent[message_id] = message
            return message
        return True


async def _params(request: Request) -> dict[str, Any]:
    """The call's parameters: JSON, or form fields whose values are JSON when they parse."""
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        return dict(json.loads(body)) if body else {}
    form = await request.form()
    params: dict[str, Any] = {}
    for key, value in form.items():
        text = str(value)
        try:
            params[key] = json.loads(text)
        except ValueError:
            params[key] = text
    return params


class Running:
    """The fake, served by uvicorn in a thread until ``stop()``."""

    def __init__(self, fake: FakeBotApi) -> None:
        self.fake = fake
        fake.port = free_port()
        app = Starlette(routes=[
            Route("/bot{token}/{method}", fake.endpoint, methods=["POST"]),
            Route("/file/bot{token}/{path:path}", fake.file, methods=["GET"]),
        ])
        config = uvicorn.Config(app, host="127.0.0.1", port=fake.port, log_level="warning",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise AssertionError("the fake Bot API server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
