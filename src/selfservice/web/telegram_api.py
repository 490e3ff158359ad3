"""Telegram's webhook: store the update, answer at once, let the pump handle it.

Telegram posts each update with the secret given to ``setWebhook`` in the
``X-Telegram-Bot-Api-Secret-Token`` header; without the configured secret nothing is
accepted (anyone could otherwise post updates in a contact's name). The update is stored
(``telegram_store``, keyed by ``update_id``: Telegram's retries are no-ops) before the
200 that tells Telegram it arrived; the bot's pump (``bot.pump``) handles it next.
"""

import hmac
from typing import Any

from selfservice.services import telegram_accounts, telegram_store
from selfservice.web.dispatch import Call
from selfservice.web.errors import ApiError
from selfservice.web.inputs import decode_json
from selfservice.web.schemas.requests import TelegramLinkRequest

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def webhook(call: Call[None, None]) -> dict[str, Any]:
    """Receive an update from Telegram (the bot's webhook)

    The body is Telegram's Update object; the header X-Telegram-Bot-Api-Secret-Token
    must hold SELFSERVICE_TELEGRAM_WEBHOOK_SECRET. The update is stored before the
    answer; the same update_id again changes nothing (`duplicate: true`). 404 when the
    server has no Telegram bot configured.
    """
    settings = call.state["settings"]
    secret = settings.telegram_webhook_secret
    if not settings.telegram_bot_token or not secret:
        raise ApiError(404, "telegram_off")
    given = call.request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        raise ApiError(401, "telegram_secret_invalid", field=SECRET_HEADER)
    update = decode_json(await call.request.body())
    update_id = update.get("update_id") if isinstance(update, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        raise ApiError(400, "telegram_update_invalid", field="update_id")
    assert isinstance(update, dict)
    stored = await call.run(telegram_store.store_update, update_id=update_id, payload=update,
                            now=call.now())
    pump = call.state["telegram"]
    if pump is not None:
        pump.wake.set()
    return {"ok": True, "duplicate": not stored}


async def link_code(call: Call[TelegramLinkRequest, None]) -> dict[str, Any]:
    """A code that links the contact's Telegram account ("Connect Telegram")

    The contact sends `/start CODE` to the bot (`link` opens the bot with it when the
    bot's user name is configured). The code works once, for
    SELFSERVICE_TELEGRAM_LINK_CODE_MINUTES; linking replaces an earlier account. 404
    when the server has no Telegram bot configured.
    """
    settings = call.state["settings"]
    if not settings.telegram_bot_token:
        raise ApiError(404, "telegram_off")
    issued = await call.run(telegram_accounts.issue_code, contact_id=call.contact_id,
                            now=call.now(), minutes=settings.telegram_link_code_minutes)
    bot = settings.telegram_bot_username
    return {
        "code": issued.code,
        "command": f"/start {issued.code}",
        "expires_at": issued.expires_at.isoformat(),
        "link": f"https://t.me/{bot}?start={issued.code}" if bot else None,
    }
