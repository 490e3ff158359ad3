"""The urgency a customer expresses in free text (an e-mail), in English and Russian.

Customers set urgency (DOMAIN.md); by e-mail they do it in words. Simple cue phrases,
first match wins, checked on the text the sender wrote (not the quoted message):

* "not urgent", "no rush", "не срочно", "когда будет время" -> low
* "production down", "all users down", "outage", "всё лежит", "ничего не работает",
  "полностью недоступен", "авария" -> very high
* "urgent", "ASAP", "critical", "emergency", "срочно", "критично", "горит" -> high
* otherwise medium.

High and very high from e-mail stay "urgency unconfirmed" until confirmed by phone
(``domain.priority.needs_phone_confirmation``); that decision is not made here.
"""

import re
from typing import NamedTuple

from selfservice.domain.enums import Urgency

__all__ = ["UrgencyCue", "urgency_from_text"]


class UrgencyCue(NamedTuple):
    urgency: Urgency
    cue: str | None
    """The phrase that decided, or None for the default (medium)."""


def _compile(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_LOW = _compile(
    r"\bnot\s+(?:urgent|critical|a\s+priority)\b", r"\bno\s+(?:rush|hurry)\b",
    r"\bwhen(?:ever)?\s+you\s+(?:have|get)\s+(?:the\s+)?time\b", r"\blow\s+priority\b",
    r"\bне\s*срочн\w*", r"\bне\s+горит\b", r"\bкогда\s+будет\s+время\b",
    r"\bне\s+критичн\w*", r"\bнизк\w+\s+приоритет\w*",
)
_VERY_HIGH = _compile(
    r"\bproduction\s+(?:is\s+)?down\b", r"\bprod\s+(?:is\s+)?down\b",
    r"\b(?:everything|all\s+(?:systems|services|users|servers))\s+(?:is\s+|are\s+)?down\b",
    r"\b(?:complete|total|major)\s+outage\b", r"\boutage\b", r"\bnothing\s+works\b",
    r"\bвс[её]\s+лежит\b", r"\bвс[её]\s+упало\b", r"\bничего\s+не\s+работает\b",
    r"\bполностью\s+недоступ\w*", r"\bпрод\w*\s+(?:упал|лежит|недоступ)\w*", r"\bавари\w*",
)
_HIGH = _compile(
    r"\burgent(?:ly)?\b", r"\basap\b", r"\bcritical(?:ly)?\b", r"\bemergency\b",
    r"\bhigh\s+priority\b", r"\bimmediately\b",
    r"\bсрочн\w*", r"\bкритичн\w*", r"\bкритическ\w*", r"\bгорит\b", r"\bнемедленно\b",
    r"\bвысок\w+\s+приоритет\w*",
)
_RULES: tuple[tuple[re.Pattern[str], Urgency], ...] = (
    (_LOW, Urgency.LOW),
    (_VERY_HIGH, Urgency.VERY_HIGH),
    (_HIGH, Urgency.HIGH),
)


def urgency_from_text(text: str) -> UrgencyCue:
    """The urgency the text asks for, and the phrase that says so."""
    for pattern, urgency in _RULES:
        found = pattern.search(text or "")
        if found:
            return UrgencyCue(urgency, found.group(0).strip())
    return UrgencyCue(Urgency.MEDIUM, None)
