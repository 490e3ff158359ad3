from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from selfservice.domain.calendars import AlwaysOpen, business_hours
from selfservice.domain.enums import Priority, Status, TicketType
from selfservice.domain.sla import (
    Duration,
    PriorityTargets,
    RequestTargets,
    SlaClock,
    SlaPolicy,
    SlaStatus,
    worst,
)

H, M = timedelta(hours=1), timedelta(minutes=1)
ALWAYS = AlwaysOpen()
MOSCOW = business_hours("msk", "Europe/Moscow", dict.fromkeys(range(5), "09:00-18:00"))
MSK = ZoneInfo("Europe/Moscow")


def msk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MSK)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "clock", "business_days"),
    [
        ("15m", 15 * M, 0),
        ("4h", 4 * H, 0),
        ("1h30m", 90 * M, 0),
        ("2d", 48 * H, 0),
        ("3bd", timedelta(0), 3),
        ("0.5h", 30 * M, 0),
        (" 1 bd ", timedelta(0), 1),
    ],
)
def test_duration_parse(text: str, clock: timedelta, business_days: float) -> None:
    assert Duration.parse(text) == Duration(clock, business_days)


@pytest.mark.parametrize("text", ["", "15", "m", "4 hours", "-1h", "0m", "3bdx", "1w"])
def test_duration_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="duration|zero"):
        Duration.parse(text)


def test_duration_on_calendar() -> None:
    assert Duration.parse("3bd").on(MOSCOW) == 27 * H
    assert Duration.parse("1bd2h").on(ALWAYS) == 26 * H


START = utc(2025, 3, 10, 10)
P1_RESOLUTION = SlaClock(ALWAYS, START, 4 * H)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (START, SlaStatus.OK),
        (START + 3 * H + 11 * M, SlaStatus.OK),
        (START + 3 * H + 12 * M, SlaStatus.NEAR_BREACH),  # 80 % of 4 h
        (START + 4 * H, SlaStatus.NEAR_BREACH),  # due, not yet late
        (START + 4 * H + timedelta(seconds=1), SlaStatus.BREACH),
        (START + 30 * H, SlaStatus.BREACH),
    ],
)
def test_status_on_24x7(now: datetime, expected: SlaStatus) -> None:
    assert P1_RESOLUTION.status(now) is expected
    assert P1_RESOLUTION.deadline == START + 4 * H


def test_near_breach_threshold_is_configurable() -> None:
    clock = SlaClock(ALWAYS, START, 4 * H, near_breach_ratio=0.5)
    assert clock.status(START + 1 * H + 59 * M) is SlaStatus.OK
    assert clock.status(START + 2 * H) is SlaStatus.NEAR_BREACH


def test_pause_and_resume_on_24x7_extends_deadline() -> None:
    clock = P1_RESOLUTION.pause(START + H)
    assert clock.is_paused and clock.pause(START + 2 * H) == clock  # idempotent
    assert clock.consumed(START + 10 * H) == H
    assert clock.status(START + 10 * H) is SlaStatus.OK  # frozen while waiting
    assert clock.due(START + 2 * H) == START + 5 * H  # projected if resumed now
    clock = clock.resume(START + 2 * H)
    assert clock.is_running and clock.resume(START + 3 * H) == clock
    assert clock.paused_for == H
    assert clock.deadline == START + 5 * H
    assert clock.consumed(START + 3 * H) == 2 * H


def test_pause_over_business_hours_counts_only_business_time() -> None:
    # P3-like 2 h business target, Moscow hours 09–18.
    clock = SlaClock(MOSCOW, msk(2025, 3, 10, 17), 2 * H)
    clock = clock.pause(msk(2025, 3, 10, 17, 30)).resume(msk(2025, 3, 11, 10))
    assert clock.paused_for == 90 * M  # 17:30–18:00 + 09:00–10:00
    assert clock.deadline == msk(2025, 3, 11, 11, 30)
    assert clock.consumed(msk(2025, 3, 11, 11)) == 90 * M
    assert clock.status(msk(2025, 3, 11, 11)) is SlaStatus.OK  # 75 %
    assert clock.status(msk(2025, 3, 11, 11, 6)) is SlaStatus.NEAR_BREACH
    assert clock.status(msk(2025, 3, 11, 11, 31)) is SlaStatus.BREACH


def test_business_clock_does_not_breach_over_the_weekend_before_due() -> None:
    clock = SlaClock(MOSCOW, msk(2025, 3, 7, 17), 2 * H)
    assert clock.deadline == msk(2025, 3, 10, 10)
    assert clock.status(msk(2025, 3, 8, 12)) is SlaStatus.OK  # 1 h of 2 h
    assert clock.status(msk(2025, 3, 10, 9, 36)) is SlaStatus.NEAR_BREACH
    assert clock.status(msk(2025, 3, 10, 10, 1)) is SlaStatus.BREACH


def test_business_clock_in_another_zone() -> None:
    new_york = MOSCOW.in_zone(ZoneInfo("America/New_York"))
    clock = SlaClock(new_york, utc(2025, 3, 7, 22), 2 * H)  # 17:00 EST Friday
    assert clock.deadline == utc(2025, 3, 10, 14)  # 10:00 EDT Monday, after DST


def test_breach_while_paused_stays_breach() -> None:
    clock = P1_RESOLUTION.pause(START + 5 * H)
    assert clock.status(START + 50 * H) is SlaStatus.BREACH
    assert clock.due(START + 50 * H) == START + 4 * H


def test_stop_met_and_missed() -> None:
    met = P1_RESOLUTION.stop(START + 3 * H + 30 * M)
    assert met.is_stopped and met.stop(START + 5 * H) == met
    assert met.status(START + 100 * H) is SlaStatus.OK
    missed = P1_RESOLUTION.stop(START + 5 * H)
    assert missed.status(START + 100 * H) is SlaStatus.BREACH


def test_stop_while_paused_excludes_the_pause() -> None:
    clock = P1_RESOLUTION.pause(START + H).stop(START + 10 * H)
    assert clock.paused_for == 9 * H
    assert clock.consumed(START + 20 * H) == H


def test_restart_after_rejection_skips_the_waiting_time() -> None:
    clock = P1_RESOLUTION.stop(START + 2 * H).restart(START + 50 * H)
    assert clock.is_running and clock.paused_for == 48 * H
    assert clock.deadline == START + 52 * H
    assert P1_RESOLUTION.restart(START) == P1_RESOLUTION  # not stopped: unchanged


def test_with_target_keeps_elapsed_time() -> None:
    clock = P1_RESOLUTION.pause(START + H).resume(START + 2 * H).with_target(8 * H)
    assert clock.deadline == START + 9 * H


def test_worst() -> None:
    assert worst() is SlaStatus.OK
    assert worst(SlaStatus.OK, SlaStatus.BREACH, SlaStatus.NEAR_BREACH) is SlaStatus.BREACH


POLICY = SlaPolicy(
    "standard",
    {
        Priority.P1: PriorityTargets(Duration.parse("15m"), Duration.parse("4h"), ALWAYS),
        Priority.P2: PriorityTargets(Duration.parse("30m"), Duration.parse("8h"), ALWAYS),
        Priority.P3: PriorityTargets(Duration.parse("2h"), Duration.parse("24h"), MOSCOW),
        Priority.P4: PriorityTargets(Duration.parse("4h"), Duration.parse("3bd"), MOSCOW),
        Priority.P5: PriorityTargets(Duration.parse("1bd"), Duration.parse("10bd"), MOSCOW),
    },
    RequestTargets(Duration.parse("4h"), Duration.parse("3bd"), MOSCOW),
)


@pytest.mark.parametrize(
    ("ticket_type", "priority", "fulfilment", "response", "resolution", "calendar_id"),
    [
        (TicketType.INCIDENT, Priority.P1, None, 15 * M, 4 * H, "24x7"),
        (TicketType.INCIDENT, Priority.P2, None, 30 * M, 8 * H, "24x7"),
        (TicketType.INCIDENT, Priority.P3, None, 2 * H, 24 * H, "msk"),
        (TicketType.INCIDENT, Priority.P4, None, 4 * H, 27 * H, "msk"),
        (TicketType.INCIDENT, Priority.P5, None, 9 * H, 90 * H, "msk"),
        (TicketType.INCIDENT, Priority.P5, 2.0, 9 * H, 90 * H, "msk"),  # incidents ignore forms
        (TicketType.REQUEST, Priority.P1, 8.0, 4 * H, 8 * H, "msk"),  # form's fulfilment
        (TicketType.REQUEST, Priority.P4, 0.5, 4 * H, 30 * M, "msk"),
        (TicketType.REQUEST, Priority.P4, None, 4 * H, 27 * H, "msk"),  # default fulfilment
    ],
)
def test_policy_targets(
    ticket_type: TicketType,
    priority: Priority,
    fulfilment: float | None,
    response: timedelta,
    resolution: timedelta,
    calendar_id: str,
) -> None:
    targets = POLICY.targets_for(ticket_type, priority, fulfilment_hours=fulfilment)
    assert (targets.response, targets.resolution, targets.calendar.id) == (
        response,
        resolution,
        calendar_id,
    )


def test_policy_in_client_zone() -> None:
    almaty = ZoneInfo("Asia/Almaty")
    targets = POLICY.targets_for(TicketType.INCIDENT, Priority.P3, tz=almaty)
    assert targets.calendar.tz == almaty  # type: ignore[union-attr]
    assert POLICY.targets_for(TicketType.INCIDENT, Priority.P1, tz=almaty).calendar is ALWAYS


def test_clocks_follow_the_lifecycle() -> None:
    t0 = utc(2025, 3, 10, 10)
    clocks = POLICY.start(TicketType.INCIDENT, Priority.P1, now=t0)
    assert clocks.response.deadline == t0 + 15 * M
    assert clocks.status(t0 + 13 * M) is SlaStatus.NEAR_BREACH
    clocks = clocks.on_transition(Status.REGISTERED, Status.ASSIGNED, t0 + 10 * M)
    assert clocks.response.is_stopped and clocks.status(t0 + 20 * M) is SlaStatus.OK
    clocks = clocks.on_transition(Status.ASSIGNED, Status.IN_PROGRESS, t0 + 20 * M)
    clocks = clocks.on_transition(Status.IN_PROGRESS, Status.INFORMATION_NEEDED, t0 + H)
    assert clocks.resolution.is_paused
    clocks = clocks.on_transition(Status.INFORMATION_NEEDED, Status.IN_PROGRESS, t0 + 3 * H)
    assert clocks.resolution.deadline == t0 + 6 * H
    clocks = clocks.on_transition(Status.IN_PROGRESS, Status.COMPLETED, t0 + 5 * H)
    assert clocks.resolution.is_stopped and clocks.status(t0 + 99 * H) is SlaStatus.OK
    clocks = clocks.on_transition(Status.COMPLETED, Status.REJECTED_BY_USER, t0 + 29 * H)
    assert clocks.resolution.deadline == t0 + 30 * H
    assert clocks.resolution.consumed(t0 + 29 * H) == 3 * H


def test_respond_and_retarget() -> None:
    t0 = utc(2025, 3, 10, 10)
    clocks = POLICY.start(TicketType.INCIDENT, Priority.P2, now=t0).respond(t0 + 5 * M)
    assert clocks.response.stopped_at == t0 + 5 * M
    clocks = clocks.retarget(POLICY.targets_for(TicketType.INCIDENT, Priority.P1))
    assert clocks.resolution.deadline == t0 + 4 * H
