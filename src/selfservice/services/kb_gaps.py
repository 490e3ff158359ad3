"""Content gaps: what customers searched for and got no confident answer, grouped.

Every search that found nothing confident is in the search log (the public search API's
and the conversations'). Its phrasings are grouped by meaning (``text/grouping.py``; by
words when ``SELFSERVICE_SEARCH_MEANING=off``), and each group says how often it was
asked, in which languages, by example, and in how many conversations it ended in a
ticket: the ones an article would have saved first.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, select
from sqlmodel import col

from selfservice.db.models import Conversation, SearchLog
from selfservice.db.session import transaction
from selfservice.text import grouping
from selfservice.text.words import cyrillic_share

#: Searches read per run, newest first: bounds the memory and the query.
MAX_SEARCHES = 20_000
#: Distinct phrasings grouped per run, the most asked first: each new one costs e5 about
#: 20-200 ms on a shared CPU (vectors are cached per process, a repeated run is quick).
#: The rarer ones left out are counted (:attr:`Report.left_out`).
MAX_PHRASINGS = 1_000
EXAMPLES = 3
#: The longest period looked back over.
MAX_PERIOD = timedelta(days=366)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}

Encode = Callable[[Sequence[str]], npt.NDArray[np.float32]]


@dataclass(frozen=True)
class Phrasing:
    text: str
    lang: str
    count: int


@dataclass(frozen=True)
class Gap:
    id: str
    #: Searches in the group.
    count: int
    #: The most frequent language of the searches.
    lang: str
    langs: dict[str, int]
    #: Distinct conversations that searched it, and how many of them ended in a ticket.
    conversations: int
    ticket_filed: int
    last_at: datetime
    #: Every distinct phrasing, most frequent first.
    phrasings: list[Phrasing] = field(default_factory=list)

    @property
    def examples(self) -> list[str]:
        return [p.text for p in self.phrasings[:EXAMPLES]]

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id, "count": self.count, "lang": self.lang, "langs": self.langs,
            "examples": self.examples, "conversations": self.conversations,
            "ticket_filed": self.ticket_filed, "last_at": self.last_at.isoformat(),
        }


@dataclass(frozen=True)
class Report:
    gaps: list[Gap]
    #: Unanswered searches of the period, and how many of them were not grouped
    #: because their phrasings were asked more rarely than the :data:`MAX_PHRASINGS` kept.
    searches: int
    left_out: int


@dataclass(frozen=True)
class _Miss:
    text: str
    lang: str
    at: datetime
    conversation_id: str | None
    ticket: bool


def content_gaps(
    engine: Engine, *, start: datetime, end: datetime, lang: str | None = None,
    encode: Encode | None = None, max_phrasings: int = MAX_PHRASINGS,
) -> Report:
    """The groups of unanswered searches in ``[start, end)``, biggest first.

    ``encode`` maps phrasings to unit vectors (e5's query side); ``None`` groups by words.
    ``lang`` keeps the searches in that language.
    """
    misses = _misses(engine, start=start, end=end, lang=lang)
    by_text: dict[str, list[_Miss]] = defaultdict(list)
    for miss in misses:
        by_text[grouping.normal_text(miss.text)].append(miss)
    # the most asked, then the most recently asked (the misses come newest first), are kept
    ranked = sorted(by_text, key=lambda k: (-len(by_text[k]), -by_text[k][0].at.timestamp(), k))
    keys = sorted(ranked[:max_phrasings])
    left_out = sum(len(by_text[k]) for k in ranked[max_phrasings:])
    texts = [_spelling(by_text[k]) for k in keys]
    counts = [len(by_text[k]) for k in keys]
    if encode is not None and texts:
        groups = grouping.by_meaning(texts, counts, encode(texts))
    else:
        groups = grouping.by_words(texts, counts)
    gaps = [_gap([texts[i] for i in g], [by_text[keys[i]] for i in g]) for g in groups]
    gaps.sort(key=lambda gap: (-gap.count, -gap.ticket_filed, gap.id))
    return Report(gaps, searches=len(misses), left_out=left_out)


def parse_period(text: str) -> timedelta:
    """``30d``, ``12h`` or ``2w``: a period before now, at most :data:`MAX_PERIOD`.

    Raises ``ValueError`` with the reason."""
    found = re.fullmatch(r"\s*(\d{1,4})\s*([hdw])\s*", text.lower())
    if found is None:
        raise ValueError("use a number and h, d or w, e.g. 30d")
    period = int(found[1]) * _UNITS[found[2]]
    if not timedelta(0) < period <= MAX_PERIOD:
        raise ValueError("between 1h and 366d")
    return period


def report_json(report: Report, *, start: datetime, limit: int) -> dict[str, object]:
    """The answer of ``kb gaps --json`` and of the staff API."""
    return {"from": start.isoformat(), "searches": report.searches,
            "left_out": report.left_out, "groups": len(report.gaps),
            "gaps": [gap.to_json() for gap in report.gaps[:limit]]}


def find_gap(gaps: Sequence[Gap], gap_id: str) -> Gap | None:
    return next((gap for gap in gaps if gap.id == gap_id.strip().lower()), None)


def _misses(
    engine: Engine, *, start: datetime, end: datetime, lang: str | None
) -> list[_Miss]:
    query = (
        select(col(SearchLog.query), col(SearchLog.lang), col(SearchLog.at),
               col(SearchLog.conversation_id), col(Conversation.outcome))
        .outerjoin(Conversation, col(Conversation.id) == col(SearchLog.conversation_id))
        .where(col(SearchLog.confident).is_(False), col(SearchLog.at) >= start,
               col(SearchLog.at) < end)
        .order_by(col(SearchLog.at).desc(), col(SearchLog.id).desc())
        .limit(MAX_SEARCHES)
    )
    with transaction(engine, write=False) as session:
        rows = session.execute(query).all()
    out = []
    for text, logged_lang, at, conversation_id, outcome in rows:
        text = str(text or "").strip()
        if not text:
            continue
        # the public search may be asked without a language: the letters tell
        known = logged_lang or ("ru" if cyrillic_share(text) > 0.5 else "en")
        if lang is not None and known != lang:
            continue
        out.append(_Miss(text, known, _utc(at), conversation_id, outcome == "ticket_filed"))
    return out


def _spelling(misses: list[_Miss]) -> str:
    """The spelling that stands for a folded phrasing: the most typed, a plain one on a tie."""
    typed = Counter(" ".join(m.text.split()) for m in misses)
    return min(typed, key=lambda t: (-typed[t], t != grouping.normal_text(t), t))


def _gap(texts: list[str], members: list[list[_Miss]]) -> Gap:
    misses = [m for group in members for m in group]
    langs = Counter(m.lang for m in misses)
    conversations = {m.conversation_id: m.ticket for m in misses if m.conversation_id}
    phrasings = [
        Phrasing(text, Counter(m.lang for m in group).most_common(1)[0][0], len(group))
        for text, group in zip(texts, members, strict=True)
    ]
    phrasings.sort(key=lambda p: (-p.count, grouping.normal_text(p.text)))
    return Gap(
        id=grouping.group_id(texts[0]), count=len(misses),
        lang=sorted(langs.items(), key=lambda item: (-item[1], item[0]))[0][0],
        langs=dict(sorted(langs.items())), conversations=len(conversations),
        ticket_filed=sum(conversations.values()), last_at=max(m.at for m in misses),
        phrasings=phrasings,
    )


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def meaning_encoder() -> Encode | None:
    """e5's query side, or ``None`` when the meaning model is switched off."""
    from selfservice.text.encoder import meaning_enabled, shared_encoder

    if not meaning_enabled():
        return None
    encoder = shared_encoder()
    return lambda texts: encoder.documents(texts, as_query=True)
