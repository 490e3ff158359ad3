"""Pull typed values (addresses, host names, e-mails, phones, dates) out of free text.

The widget pre-fills the request form with them, so a customer who already wrote
"10.0.0.5 stopped answering" does not type the address twice.
"""

import ipaddress
import re
from collections.abc import Callable, Iterable
from datetime import date

from selfservice.content.model import FieldType, RequestForm

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
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
    for match in _IPV4.findall(text):
        try:
            found.append(str(ipaddress.IPv4Address(match)))
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
    return _EMAIL.findall(text)


def hostnames(text: str) -> list[str]:
    without_mail = _EMAIL.sub(" ", text)
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


_FINDERS: dict[FieldType, Callable[[str], list[str]]] = {
    FieldType.IPV4: ipv4s,
    FieldType.IPV6: ipv6s,
    FieldType.IP: lambda text: ipv4s(text) + ipv6s(text),
    FieldType.EMAIL: emails,
    FieldType.HOSTNAME: hostnames,
    FieldType.PHONE: phones,
    FieldType.DATE: dates,
}


def prefill(form: RequestForm, texts: Iterable[str]) -> dict[str, str]:
    """Values for the form's typed fields found in what the customer wrote.

    The n-th field of a type gets the n-th distinct value of that type, so a firewall
    form with a source and a destination address takes the two addresses in order.
    """
    text = "\n".join(texts)
    found: dict[FieldType, list[str]] = {}
    values: dict[str, str] = {}
    used: dict[FieldType, int] = {}
    for field in form.fields:
        finder = _FINDERS.get(field.type)
        if finder is None:
            continue
        if field.type not in found:
            found[field.type] = list(dict.fromkeys(finder(text)))
        index = used.get(field.type, 0)
        if index < len(found[field.type]):
            values[field.id] = found[field.type][index]
            used[field.type] = index + 1
    return values
