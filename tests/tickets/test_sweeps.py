"""Periodic jobs: auto-close after 3 days, the SLA sweep, and job leases across workers."""

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select
from ticket_helpers import SERVICE, T0, World, history, outbox_rows, reload

from selfservice.db.models import IdempotentAnswer, Ticket
from selfservice.db.session import transaction
from selfservice.delivery.notify import Mail
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import (
    ActorRole,
    Channel,
    ClosureCode,
    Impact,
    Status,
    TicketType,
    Urgency,
)
from selfservice.domain.escalation import ClockName
from selfservice.domain.sla import SlaStatus
from selfservice.run.worker import Worker
from selfservice.services import idempotency, jobs, tickets
from selfservice.services.common import Actor
from selfservice.services.idempotency import StoredAnswer
from selfservice.services.registration import register_free_text
from selfservice.services.sweeps import auto_close_due, sla_sweep

MANAGER = "support-manager@example.com"  # escalation.manager in defaults/support.yml


def p2_ticket(engine: Engine, world: World, config: SupportConfig) -> Ticket:
    """P2 (high × high) on 24x7: response 30 min, resolution 8 h, near breach at 80 %."""
    return register_free_text(
        engine, config=config, contact_id=world.contact.id or 0, ticket_type=TicketType.INCIDENT,
        service=SERVICE, subject="Сервер недоступен", description="", channel=Channel.PHONE,
        urgency=Urgency.HIGH, impact=Impact.HIGH, now=T0,
        registered_by=Actor.engineer(world.l1.id or 0),
    )


def completed_ticket(engine: Engine, world: World, config: SupportConfig) -> Ticket:
    ticket = p2_ticket(engine, world, config)
    l1 = Actor.engineer(world.l1.id or 0)
    tickets.start_work(engine, ticket_id=ticket.id or 0, actor=l1, now=T0, config=config)
    return tickets.complete(engine, ticket_id=ticket.id or 0, actor=l1, config=config,
                            closure_code=ClosureCode.RESOLVED, now=T0 + timedelta(hours=1))


def test_auto_close_three_days_after_completed(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    ticket = completed_ticket(engine, world, config)
    done_at = ticket.completed_at
    assert done_at is not None
    assert auto_close_due(engine, now=done_at + timedelta(days=3, seconds=-1),
                          config=config) == []
    assert auto_close_due(engine, now=done_at + timedelta(days=3), config=config) == [
        ticket.number
    ]
    closed = reload(engine, ticket.id or 0)
    assert closed.status is Status.CLOSED and closed.closed_at == done_at + timedelta(days=3)
    last = history(engine, ticket.id or 0, field="status")[-1]
    assert (last.actor_kind, last.from_value, last.to_value) == (
        ActorRole.SYSTEM, "completed", "closed")
    assert outbox_rows(engine, ticket_id=ticket.id)[-1].subject.startswith("[INC-000001] Закрыто:")
    assert auto_close_due(engine, now=done_at + timedelta(days=9), config=config) == []


def test_auto_close_leaves_reacted_tickets_alone(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    ticket = completed_ticket(engine, world, config)
    tickets.reject(engine, ticket_id=ticket.id or 0, actor=Actor.contact(world.contact.id or 0),
                   reason="не помогло", now=T0 + timedelta(hours=2), config=config)
    assert auto_close_due(engine, now=T0 + timedelta(days=5), config=config) == []
    assert reload(engine, ticket.id or 0).status is Status.REJECTED_BY_USER


def test_sla_sweep_notifies_the_manager_once_per_clock_and_level(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    ticket = p2_ticket(engine, world, config)
    tid = ticket.id or 0

    def sweep(after: timedelta) -> list[tuple[ClockName, SlaStatus]]:
        return [(a.clock, a.level) for a in sla_sweep(engine, now=T0 + after, config=config)]

    assert sweep(timedelta(minutes=10)) == []
    assert sweep(timedelta(minutes=25)) == [(ClockName.RESPONSE, SlaStatus.NEAR_BREACH)]
    assert sweep(timedelta(minutes=26)) == []
    assert sweep(timedelta(minutes=31)) == [(ClockName.RESPONSE, SlaStatus.BREACH)]
    assert sweep(timedelta(minutes=40)) == []
    assert sweep(timedelta(hours=6, minutes=30)) == [
        (ClockName.RESOLUTION, SlaStatus.NEAR_BREACH)]
    assert sweep(timedelta(hours=8, minutes=1)) == [(ClockName.RESOLUTION, SlaStatus.BREACH)]
    assert sweep(timedelta(hours=9)) == []

    manager_mail = [m for m in outbox_rows(engine, ticket_id=tid) if m.to_addr == MANAGER]
    assert [m.kind for m in manager_mail] == [
        "sla_near_breach", "sla_breach", "sla_near_breach", "sla_breach"]
    assert all(m.subject.startswith(f"[{ticket.number}] SLA") for m in manager_mail)
    sla_history = [h for h in history(engine, tid) if h.field.startswith("sla_")]
    assert [(h.field, h.to_value) for h in sla_history] == [
        ("sla_response", "near_breach"), ("sla_response", "breach"),
        ("sla_resolution", "near_breach"), ("sla_resolution", "breach")]
    [suggestion] = history(engine, tid, field="escalation_suggested")
    assert (suggestion.from_value, suggestion.to_value) == ("L1", "L2")


def test_sla_sweep_ignores_paused_and_answered_clocks(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    ticket = p2_ticket(engine, world, config)
    l1 = Actor.engineer(world.l1.id or 0)
    tickets.start_work(engine, ticket_id=ticket.id or 0, actor=l1, now=T0 + timedelta(minutes=5),
                       config=config)  # the response clock stops
    tickets.request_information(engine, ticket_id=ticket.id or 0, actor=l1,
                                question="Логи?", now=T0 + timedelta(hours=1), config=config)
    assert sla_sweep(engine, now=T0 + timedelta(hours=20), config=config) == []
    tickets.answer_information(engine, ticket_id=ticket.id or 0,
                               actor=Actor.contact(world.contact.id or 0), answer="вот",
                               now=T0 + timedelta(hours=20), config=config)
    # 1 h ran before the pause: near breach (6.4 h) comes 5.4 h after the answer.
    assert sla_sweep(engine, now=T0 + timedelta(hours=25), config=config) == []
    alerts = sla_sweep(engine, now=T0 + timedelta(hours=25, minutes=30), config=config)
    assert [(a.clock, a.level) for a in alerts] == [
        (ClockName.RESOLUTION, SlaStatus.NEAR_BREACH)]


class NullMailer:
    def send(self, mail: Mail) -> None:
        pass


def test_two_workers_run_each_periodic_job_once_per_period(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    p2_ticket(engine, world, config)
    now = T0 + timedelta(minutes=25)
    first = Worker(engine=engine, mailer=NullMailer(), config=config, worker_id="a",
                   clock=lambda: now)
    second = Worker(engine=engine, mailer=NullMailer(), config=config, worker_id="b",
                    clock=lambda: now)
    assert first.run_pass().jobs_run == ["auto_close", "sla_sweep", "idempotency_purge"]
    assert second.run_pass().jobs_run == []  # the period has not elapsed
    later = now + first.options.jobs_every
    third = Worker(engine=engine, mailer=NullMailer(), config=config, worker_id="b",
                   clock=lambda: later)
    assert third.run_pass().jobs_run == ["auto_close", "sla_sweep", "idempotency_purge"]


def test_job_lease_blocks_others_until_it_expires(engine: Engine) -> None:
    every, lease = timedelta(minutes=1), timedelta(minutes=10)
    assert jobs.try_acquire(engine, name="j", owner="a", now=T0, every=every, lease=lease)
    assert not jobs.try_acquire(engine, name="j", owner="b", now=T0, every=every, lease=lease)
    # "a" died without releasing: "b" takes over once the lease has expired.
    assert not jobs.try_acquire(engine, name="j", owner="b", now=T0 + lease, every=every)
    assert jobs.try_acquire(engine, name="j", owner="b", now=T0 + lease + timedelta(seconds=1),
                            every=every, lease=lease)


def test_the_worker_deletes_answers_of_idempotency_keys_after_24_hours(
    engine: Engine, config: SupportConfig
) -> None:
    with transaction(engine) as session:
        for key, stored_at in (("old", T0), ("recent", T0 + timedelta(hours=2))):
            idempotency.store(session, scope="contact:1", key=key, fingerprint="f" * 64,
                              answer=StoredAnswer(201, [], b"{}"), now=stored_at)
    worker = Worker(engine=engine, mailer=NullMailer(), config=config,
                    clock=lambda: T0 + timedelta(hours=25))
    assert worker.run_pass().idempotency_purged == 1
    with Session(engine) as session:
        assert [r.key for r in session.exec(select(IdempotentAnswer))] == ["recent"]
