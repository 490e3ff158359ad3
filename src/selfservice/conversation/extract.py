"""Pull typed values (addresses, host names, e-mails, phones, dates) out of free text.

:mod:`selfservice.conversation.prefill` puts them into the request form, so a customer
who already wrote "10.0.0.5 stopped answering" does not type the address twice.
"""

import ipaddress
import re
from collections.abc import Callable
from datetime import date

from selfservice.content.model import FieldType

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
# An address with a prefix length names a subnet, never one machine.
_CIDR_TAIL = re.compile(r"/\d")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])")
_HOST = re.compile(
    r"(?<![\w@.-])(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}(?![\w@-])"
)
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s()-]{8,}\d(?!\w)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DOTTED_DATE = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b")
# File names look like host names ("report.pdf"); these endings are never hosts we manage.
_FILE_ENDINGS = {"pdf", "txt", "log", "png", "jpg", "jpeg", "doc", "docx", "xlsx", "zip", "exe"}


def ipv4s(text: str) -> list[str]:
    found: list[str] = []
    for found_at in _IPV4.finditer(text):
        if _CIDR_TAIL.match(text, found_at.end()):
            continue
        try:
            found.append(str(ipaddress.IPv4Address(found_at.group())))
        except ValueError:
            continue
    return found


def ipv6s(text: str) -> list[str]:
    found: list[str] = []
    for match in _IPV6.findall(text):
        if match.count(":") < 2:
            continue
        try:
            found.append(str(ipaddress.IPv6Address(match)))
        except ValueError:
            continue
    return found


def emails(text: str) -> list[str]:
    return EMAIL.findall(text)


def hostnames(text: str) -> list[str]:
    without_mail = EMAIL.sub(" ", text)
    hosts: list[str] = []
    for match in _HOST.findall(without_mail):
        ending = match.rsplit(".", 1)[-1].lower()
        if ending in _FILE_ENDINGS or _IPV4.fullmatch(match):
            continue
        hosts.append(match.lower())
    return hosts


def phones(text: str) -> list[str]:
    without = _IPV4.sub(" ", _DOTTED_DATE.sub(" ", _ISO_DATE.sub(" ", text)))
    result: list[str] = []
    for match in _PHONE.findall(without):
        digits = re.sub(r"\D", "", match)
        if 10 <= len(digits) <= 15:
            result.append(("+" if match.strip().startswith("+") else "") + digits)
    return result


def dates(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for match in _ISO_DATE.finditer(text):
        _append_date(found, match.start(), match.group(1), match.group(2), match.group(3))
    for match in _DOTTED_DATE.finditer(text):
        _append_date(found, match.start(), match.group(3), match.group(2), match.group(1))
    return [value for _, value in sorted(found)]


def _append_date(found: list[tuple[int, str]], at: int, year: str, month: str, day: str) -> None:
    try:
        found.append((at, date(int(year), int(month), int(day)).isoformat()))
    except ValueError:
        return


_VM = re.compile(
    r"(?:\b(?:vm|server|machine|host|instance)|(?<!\w)(?:вм|виртуалк\w*|сервер\w*|машин\w*))"
    r"\s+(?:(?:called|named|name|под названием|с именем|имя)\s+)?[«\"'`]?"
    r"([a-z0-9][a-z0-9-]*[a-z0-9](?:\.[a-z0-9-]+)*)",
    re.IGNORECASE,
)
_ERROR_CODE = re.compile(
    r"(?:\berror|\bошибк\w*|\bcode|\bкод)\s*(?:code\s*|код\s*)?[:#№]?\s*"
    r"(?:0x[0-9a-f]{8}|\d{3,5}(?:\s+\d\.\d\.\d{1,3})?)(?!\w)"
    r"|\b0x[0-9a-f]{8}\b|\b[45]\d\d\s+[45]\.\d\.\d{1,3}\b|\b(?:NET::)?ERR_[A-Z_]{4,}\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[^\s,;«»\"'()]+")


def vm_names(text: str) -> list[str]:
    """Names the customer calls a VM, server or machine by, plus full host names.

    A bare word after "server" counts only with a digit, hyphen or dot in it, so
    "the server is down" yields nothing while "server app-02" yields app-02.
    """
    found: list[tuple[int, str]] = []
    for match in _VM.finditer(text):
        name = match.group(1).lower()
        if re.search(r"[a-z]", name) and re.search(r"[\d.-]", name) and not _is_file(name):
            found.append((match.start(1), name))
    for match in _HOST.finditer(EMAIL.sub(lambda m: " " * len(m.group()), text)):
        if not _is_file(match.group()) and not _IPV4.fullmatch(match.group()):
            found.append((match.start(), match.group().lower()))
    return [name for _, name in sorted(found)]


def error_codes(text: str) -> list[str]:
    """Error codes as written: "error 809", "0x80070005", "550 5.1.1", ERR_CERT_DATE_INVALID."""
    return [" ".join(match.group().split()) for match in _ERROR_CODE.finditer(text)]


def pattern_tokens(text: str, pattern: str) -> list[str]:
    """Words that fully match a field's own pattern (contract numbers, record names, times).

    Only words with a digit or a dot: a pattern such as a VM name's accepts any plain word.
    """
    compiled = re.compile(pattern)
    found: list[str] = []
    for raw in _TOKEN.findall(text):
        token = raw.rstrip(".,:;!?")
        if not re.search(r"[\d.]", token) or _IPV4.fullmatch(token) or _is_file(token):
            continue
        if compiled.fullmatch(token):
            found.append(token)
    return found


def _is_file(name: str) -> bool:
    return name.rsplit(".", 1)[-1].lower() in _FILE_ENDINGS and "." in name


FINDERS: dict[FieldType, Callable[[str], list[str]]] = {
    FieldType.IPV4: ipv4s,
    FieldType.IPV6: ipv6s,
    FieldType.IP: lambda text: ipv4s(text) + ipv6s(text),
    FieldType.EMAIL: emails,
    FieldType.HOSTNAME: hostnames,
    FieldType.PHONE: phones,
    FieldType.DATE: dates,
}
