"""Fill a request form from what the customer already wrote in the conversation.

Precision matters more than recall: a wrong value the customer overlooks reaches the
engineer as a fact, an empty field only costs the customer a few keystrokes. So every
value needs a clear sign in the text, an ambiguous choice stays empty, and a field the
form would hide (its ``show_if`` not met by what was filled before it) stays empty.
``tests/conversation/test_prefill_quality.py`` measures both figures on written cases.
"""

import re
from collections.abc import Iterable

from selfservice.content.model import FieldType, FormField, RequestForm
from selfservice.conversation.cues import CHOICE_CUES, NUMBER_CUES
from selfservice.conversation.extract import (
    EMAIL,
    FINDERS,
    error_codes,
    pattern_tokens,
    vm_names,
)

# Free-text fields that hold an error the customer quotes.
_ERROR_FIELDS = {"client_error", "error_text", "console_message", "bounce_text"}
# The word just before an address that says which end of a message it is.
_EMAIL_ROLES = {
    "sender": re.compile(r"(?:\bfrom|\bот|отправител\w*)\W*$", re.IGNORECASE),
    "recipient": re.compile(r"(?:\bto|\bна|\bв|получател\w*|ящик\w*)\W*$", re.IGNORECASE),
}


def prefill(form: RequestForm, texts: Iterable[str]) -> dict[str, str]:
    """Values for the form's fields found in the customer's messages, by field id.

    Values of one kind are handed out in the order they were written and never twice,
    so a firewall form with a source and a destination address takes the two in order.
    """
    text = "\n".join(texts)
    values: dict[str, str] = {}
    taken: set[str] = set()
    for field in form.fields:
        shown_if = field.show_if
        if shown_if is not None and values.get(shown_if.field) not in shown_if.values:
            continue
        value = _value(field, text, taken)
        if value is not None:
            values[field.id] = value
            # A zone is derived, not written: the record name may well be the zone itself.
            if field.id != "zone":
                taken.add(value.lower())
    return values


def _value(field: FormField, text: str, taken: set[str]) -> str | None:
    if field.type is FieldType.CHOICE:
        return _choice(field, text)
    if field.type is FieldType.INTEGER:
        return _number(field, text)
    return _first_free(_candidates(field, text), taken)


def _candidates(field: FormField, text: str) -> list[str]:
    if _names_a_machine(field):
        names = vm_names(text)
        return [n for n in names if field.pattern is None or re.fullmatch(field.pattern, n)]
    if field.id == "zone":
        return [_registered_domain(host) for host in FINDERS[FieldType.HOSTNAME](text)]
    if field.type is FieldType.EMAIL and field.id in _EMAIL_ROLES:
        return _by_role(field.id, text)
    finder = FINDERS.get(field.type)
    if finder is not None:
        return finder(text)
    if field.type is FieldType.TEXT and field.id in _ERROR_FIELDS:
        return error_codes(text)[:1]
    if field.type is FieldType.STRING and field.pattern is not None:
        return pattern_tokens(text, field.pattern)
    return []


def _by_role(role: str, text: str) -> list[str]:
    """Addresses marked as this end of the message; unmarked ones in order if none is."""
    marked: dict[str, list[str]] = {name: [] for name in _EMAIL_ROLES}
    addresses = list(EMAIL.finditer(text))
    for match in addresses:
        before = text[max(0, match.start() - 30) : match.start()]
        for name, cue in _EMAIL_ROLES.items():
            if cue.search(before):
                marked[name].append(match.group())
    if any(marked.values()):
        return marked[role]
    return [match.group() for match in addresses]


def _names_a_machine(field: FormField) -> bool:
    return field.type in (FieldType.HOSTNAME, FieldType.STRING) and (
        "vm" in field.id.split("_") or field.id == "protected_machine"
    )


def _registered_domain(host: str) -> str:
    # Zones we host are second-level domains; "www.shop.example.com" lives in example.com.
    return ".".join(host.split(".")[-2:])


def _first_free(candidates: list[str], taken: set[str]) -> str | None:
    return next((c for c in candidates if c.lower() not in taken), None)


def _choice(field: FormField, text: str) -> str | None:
    cues = CHOICE_CUES.get(field.id, {})
    named = [o.value for o in field.options if o.value in cues and cues[o.value].search(text)]
    return named[0] if len(named) == 1 else None


def _number(field: FormField, text: str) -> str | None:
    cue = NUMBER_CUES.get(field.id)
    if cue is None:
        return None
    numbers = {next(g for g in match.groups() if g) for match in cue.finditer(text)}
    if len(numbers) != 1:
        return None
    number = int(numbers.pop())
    if (field.min is not None and number < field.min) or (
        field.max is not None and number > field.max
    ):
        return None
    return str(number)
