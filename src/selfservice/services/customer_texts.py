"""The customer's sentences about clocks and promises, from the text catalogue.

The domain (``domain/customer_view.py``) decides what to say; this puts it into words in
the contact's language: "We will respond by 14:30 today", "Пн–Пт 09:00–18:00
(Europe/Moscow) · первый ответ в течение 2 ч для критичных проблем".
"""

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from selfservice.domain.customer_view import CustomerSla, SlaNote, SupportPromise
from selfservice.text.catalogue import catalogue, text

LANGUAGES = ("en", "ru")


def when(moment: datetime, now: datetime, tz: ZoneInfo, lang: str) -> str:
    """``14:30 today`` / ``14:30 tomorrow`` / ``14:30 on 12 December``."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    clock = local.strftime("%H:%M")
    days = (local.date() - today).days
    if days == 0:
        return text("customer.when.today", lang, clock=clock)
    if days == 1:
        return text("customer.when.tomorrow", lang, clock=clock)
    month = text(f"customer.months.m{local.month}", lang)
    return text("customer.when.date", lang, clock=clock, day=local.day, month=month)


def sentence(note: SlaNote | None, now: datetime, tz: ZoneInfo, lang: str) -> str | None:
    if note is None:
        return None
    moment = when(note.due, now, tz, lang) if note.due is not None else ""
    return text(f"customer.sla.{note.kind}", lang, when=moment)


def with_sentence(sla: CustomerSla, now: datetime, tz: ZoneInfo, lang: str) -> CustomerSla:
    """The clock view with its sentence in ``lang``."""
    return replace(sla, sentence=sentence(sla.note, now, tz, lang))


def span(amount: timedelta, lang: str) -> str:
    minutes = int(amount.total_seconds() // 60)
    if minutes < 60 or minutes % 60:
        return text("customer.minutes", lang, n=minutes)
    return text("customer.hours", lang, n=minutes // 60)


def support_hours(promise: SupportPromise, lang: str) -> str:
    if promise.tz is None:
        return text("customer.always_open", lang)
    parts = []
    for first, last, spans in promise.hours:
        day = text(f"customer.days.d{first}", lang)
        label = day if first == last else f"{day}–{text(f'customer.days.d{last}', lang)}"
        parts.append(f"{label} {spans}")
    return f"{'; '.join(parts)} ({promise.tz})"


def promise_texts(promise: SupportPromise) -> dict[str, dict[str, str]]:
    """``hours``, ``first_response`` and their ``text`` in every catalogue language."""
    langs = catalogue().languages or LANGUAGES
    hours = {lang: support_hours(promise, lang) for lang in langs}
    first = {lang: text("customer.first_response", lang, span=span(promise.first_response, lang))
             for lang in langs}  # fmt: skip
    return {"hours": hours, "first_response": first,
            "text": {lang: f"{hours[lang]} · {first[lang]}" for lang in langs}}  # fmt: skip
