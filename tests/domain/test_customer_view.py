from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from selfservice.domain.calendars import AlwaysOpen, business_hours
from selfservice.domain.customer_view import (
    CustomerSla,
    SlaNote,
    customer_sla,
    public_status_change,
    support_promise,
)
from selfservice.domain.enums import Priority, Status
from selfservice.domain.sla import (
    Duration,
    PriorityTargets,
    RequestTargets,
    SlaClock,
    SlaClocks,
    SlaPolicy,
)
from selfservice.services.customer_texts import promise_texts, with_sentence

H = timedelta(hours=1)
MSK = ZoneInfo("Europe/Moscow")
MOSCOW = business_hours("msk", "Europe/Moscow", dict.fromkeys(range(5), "09:00-18:00"))


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=MSK)  # 7 Dec 2026 is a Monday


def told(clocks: SlaClocks, status: Status, *, now: datetime, lang: str) -> CustomerSla:
    """The domain's view with the sentence the contact reads."""
    return with_sentence(customer_sla(clocks, status, now=now, tz=MSK), now, MSK, lang)


def clocks(start: datetime, response: timedelta, resolution: timedelta) -> SlaClocks:
    return SlaClocks(SlaClock(MOSCOW, start, response), SlaClock(MOSCOW, start, resolution))


def test_the_sentence_says_today_tomorrow_or_the_date_in_the_organisations_zone() -> None:
    running = clocks(msk(7, 10), 4 * H, 24 * H)
    today = told(running, Status.REGISTERED, now=msk(7, 10), lang="en")
    assert today.sentence == "We will respond by 14:00 today."
    assert today.response_due == msk(7, 14)
    late_in_the_day = clocks(msk(7, 17), 4 * H, 24 * H)
    assert told(late_in_the_day, Status.REGISTERED, now=msk(7, 17),
                lang="ru").sentence == "Ответим до 12:00 завтра."
    friday = clocks(msk(11, 17), 4 * H, 24 * H)
    assert told(friday, Status.REGISTERED, now=msk(11, 17),
                lang="en").sentence == "We will respond by 12:00 on 14 December."


def test_after_the_response_the_sentence_is_about_the_resolution_and_pauses_are_said() -> None:
    responded = clocks(msk(7, 10), 4 * H, 24 * H).on_transition(
        Status.REGISTERED, Status.IN_PROGRESS, msk(7, 11))
    shown = told(responded, Status.IN_PROGRESS, now=msk(7, 11), lang="en")
    assert shown.responded and shown.response_due is None
    assert shown.sentence == "We plan to resolve it by 16:00 on 9 December."
    waiting = responded.on_transition(Status.IN_PROGRESS, Status.INFORMATION_NEEDED, msk(7, 12))
    paused = told(waiting, Status.INFORMATION_NEEDED, now=msk(8, 12), lang="en")
    assert paused.paused and paused.sentence == "The clock is paused until you answer."
    # While paused, the due time moves on with the clock: what is left, from now.
    assert paused.resolution_due == msk(10, 16)


def test_a_completed_ticket_promises_nothing() -> None:
    done = clocks(msk(7, 10), 4 * H, 24 * H).on_transition(
        Status.REGISTERED, Status.COMPLETED, msk(7, 11))
    shown = told(done, Status.COMPLETED, now=msk(7, 12), lang="ru")
    assert shown.sentence is None and shown.resolution_due is None


def test_reassignment_is_not_in_the_customers_timeline() -> None:
    assert public_status_change(Status.REGISTERED, Status.IN_PROGRESS)
    assert not public_status_change(Status.IN_PROGRESS, Status.ASSIGNED)
    assert not public_status_change(Status.IN_PROGRESS, Status.REGISTERED)


def test_the_promise_follows_the_contract() -> None:
    always = PriorityTargets(Duration(timedelta(minutes=15)), Duration(4 * H), AlwaysOpen())
    office = PriorityTargets(Duration(2 * H), Duration(8 * H), MOSCOW)
    requests = RequestTargets(Duration(4 * H), Duration(business_days=3), MOSCOW)
    around_the_clock = SlaPolicy("standard", {Priority.P1: always}, requests)
    assert promise_texts(support_promise(around_the_clock))["text"]["en"] == (
        "24/7 · first response within 15 min for critical problems")
    office_hours = SlaPolicy("basic", {Priority.P1: office}, requests)
    assert promise_texts(support_promise(office_hours))["text"]["ru"] == (
        "Пн–Пт 09:00–18:00 (Europe/Moscow) · первый ответ в течение 2 ч для критичных проблем")


def test_the_domain_says_what_to_say_and_when() -> None:
    running = clocks(msk(7, 10), 4 * H, 24 * H)
    note = customer_sla(running, Status.REGISTERED, now=msk(7, 15), tz=MSK).note
    assert note == SlaNote("late_response", msk(7, 14))
    assert told(running, Status.REGISTERED, now=msk(7, 15), lang="ru").sentence == (
        "Мы задерживаем ответ (срок был 14:00 сегодня); уже занимаемся.")
