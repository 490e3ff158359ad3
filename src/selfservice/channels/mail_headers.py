"""Header values of a parsed message, decoded and unfolded; never raises."""

import re
from collections.abc import Iterable
from datetime import datetime
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from selfservice.channels.mail_message import MailAddress
from selfservice.channels.mail_text import repair_surrogates

_MSGID = re.compile(r"<([^<>\s]+)>")


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded-words and raw 8-bit bytes; never raises."""
    value = repair_surrogates(value)
    if "=?" in value:
        try:
            value = str(make_header(decode_header(value)))
        except Exception:
            pass
    return re.sub(r"\s*[\r\n]+\s*", " ", value).strip()


def header_values(msg: Message, name: str) -> list[str]:
    try:
        out = [repair_surrogates(str(v)).strip() for v in msg.get_all(name) or []]
    except Exception:
        out = [decode_words(str(v)) for k, v in msg.raw_items() if k.lower() == name.lower()]
    return [re.sub(r"\s*[\r\n]+\s*", " ", v) for v in out]


def all_headers(msg: Message) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for name, raw in msg.raw_items():
        try:
            value = repair_surrogates(str(msg.policy.header_fetch_parse(name, raw)))
        except Exception:
            value = decode_words(str(raw))
        out.append((name, re.sub(r"\s*[\r\n]+\s*", " ", value).strip()))
    return tuple(out)


def addresses(msg: Message, name: str) -> tuple[MailAddress, ...]:
    pairs: list[tuple[str, str]] = []
    try:
        for header in msg.get_all(name) or []:
            for addr in getattr(header, "addresses", ()):
                pairs.append((addr.display_name, addr.addr_spec))
    except Exception:
        raw = [str(v) for k, v in msg.raw_items() if k.lower() == name.lower()]
        pairs = [(decode_words(n), a) for n, a in getaddresses(raw)]
    out: list[MailAddress] = []
    for display, spec in pairs:
        spec = repair_surrogates(spec or "").strip().strip("<>")
        if "@" not in spec:
            continue
        display = repair_surrogates(display or "").strip()
        out.append(MailAddress(spec.lower(), display or None))
    return tuple(out)


def msg_ids(values: Iterable[str]) -> list[str]:
    ids: list[str] = []
    for value in values:
        found = _MSGID.findall(value)
        ids.extend(found if found else value.split())
    return ids


def date_of(msg: Message) -> datetime | None:
    values = [str(v) for k, v in msg.raw_items() if k.lower() == "date"]
    if not values:
        return None
    try:
        return parsedate_to_datetime(values[0])
    except (TypeError, ValueError, IndexError):
        return None
