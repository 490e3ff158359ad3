"""Idempotency keys: the rules of the ``Idempotency-Key`` request header.

IETF httpapi draft "The Idempotency-Key HTTP Header Field": a client sends one unique key
per operation and the same key again when it retries; the server answers a retry with the
first answer instead of doing the work twice. A key belongs to its caller (``scope``: the
contact, the engineer, the alert source, or an anonymous client) and is kept for
:data:`KEEP_FOR`. The same key with another request (method, path, query or body) is
refused, so a client bug cannot silently get someone else's answer.
"""

import hashlib
from datetime import datetime, timedelta

KEY_HEADER = "Idempotency-Key"
#: Set on an answer that is the stored answer of an earlier request with the same key.
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEEP_FOR = timedelta(hours=24)

ANONYMOUS = "anonymous"


def parse_key(raw: str) -> str | None:
    """The key of a header value, or None when it is not one.

    A key is 1 to :data:`MAX_KEY_LENGTH` printable ASCII characters. The draft makes the
    value a structured-field string (``"8e03978e-..."``); bare tokens, which most clients
    send, are accepted too, and so is any other run of printable characters (``""`` is a
    key of two quotes). Surrounding spaces are not part of an HTTP header's value.
    """
    value = raw.strip()
    inner = value[1:-1]
    if len(value) > 2 and value[0] == value[-1] == '"' and '"' not in inner and "\\" not in inner:
        value = inner
    if not 1 <= len(value) <= MAX_KEY_LENGTH:
        return None
    if any(not " " <= ch <= "~" for ch in value):
        return None
    return value


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """What makes two requests "the same request" for one key (sha256 hex)."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query.encode()):
        digest.update(len(part).to_bytes(4, "big"))
        digest.update(part)
    digest.update(body)
    return digest.hexdigest()


def expires_at(now: datetime) -> datetime:
    return now + KEEP_FOR


def is_live(expires: datetime, now: datetime) -> bool:
    """Whether a stored answer still answers retries."""
    return expires > now


def lock_id(scope: str, key: str) -> int:
    """A signed 64-bit number naming (scope, key), for a database advisory lock."""
    digest = hashlib.sha256(f"{scope}\n{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
