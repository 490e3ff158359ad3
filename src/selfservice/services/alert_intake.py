"""Monitoring alerts -> incidents: one use case per alert event, one transaction each.

For an event of a source (an Alertmanager or a Zabbix server filing for its organisation):

* a **delivery already seen** (same source, same ``delivery_id``: a retry, or a repeat
  notification with nothing new) -> ``duplicate``, nothing changes;
* **firing**, and an open ticket (not Completed/Closed) of the organisation already has
  this alert (same dedup key) -> ``repeated``: a comment on that ticket;
* **firing**, an open ticket follows the alert's group (same group key) -> ``grouped``:
  the alert joins that ticket (a comment and a history entry);
* **firing**, otherwise -> ``opened``: a new incident, channel monitoring, with service,
  impact and urgency from the alert mapping (``alert_config``);
* **resolved** -> ``resolved``: recorded on the alert's ticket (history and a comment);
  with ``complete_on_resolve``, a ticket whose alerts have all resolved is completed
  (``completed``). A resolved alert without a ticket is ``ignored``: it never opens one;
* **update** (a Zabbix acknowledgement or comment) -> ``updated``: a comment.

Concurrent events of one source are serialised by locking the source's row (PostgreSQL
``FOR UPDATE``; SQLite has one writer anyway); a new ticket's registration re-checks in
its own transaction and starts over if another event got there first.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Engine, Table, select, update
from sqlmodel import Session, col

from selfservice.channels.alert_mapping import AlertDecision
from selfservice.channels.alerts import AlertEvent, AlertState
from selfservice.channels.classify import TextClassifier
from selfservice.config.alert_config import AlertConfig
from selfservice.content.model import Content, Service
from selfservice.db.conflicts import insert_once
from selfservice.db.models import (
    AlertDelivery,
    AlertLink,
    AlertSourceRow,
    Comment,
    Engineer,
    Ticket,
)
from selfservice.db.session import transaction
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ActorRole, Channel, ClosureCode, Status, TicketType
from selfservice.domain.errors import DomainError
from selfservice.services import classifier_models, known_problems
from selfservice.services.alert_sources import SourceInfo
from selfservice.services.alert_texts import describe as _describe
from selfservice.services.alert_texts import headline as _headline
from selfservice.services.alert_texts import since as _since
from selfservice.services.common import Actor, load_ticket, record
from selfservice.services.portal import FALLBACK_SERVICE
from selfservice.services.registration import register_free_text
from selfservice.services.transition import change_status

DELIVERIES: Table = AlertDelivery.__table__  # type: ignore[attr-defined]
LINKS: Table = AlertLink.__table__  # type: ignore[attr-defined]
MAX_KEY: Final = 255
#: A firing alert goes to tickets in these statuses; resolve/update also reach Completed.
_NOT_OPEN: Final = (Status.COMPLETED, Status.CLOSED)
_CLOSED: Final = (Status.CLOSED,)
_RETRIES: Final = 3


@dataclass(frozen=True)
class EventOutcome:
    alert: str
    state: str
    outcome: str
    ticket: str | None
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"alert": self.alert, "state": self.state, "outcome": self.outcome,
                "ticket": self.ticket, "reason": self.reason}


@dataclass(frozen=True)
class AlertResult:
    outcomes: list[EventOutcome] = field(default_factory=list)

    @property
    def tickets(self) -> list[str]:
        """Every ticket touched, in order, once each."""
        return list(dict.fromkeys(o.ticket for o in self.outcomes if o.ticket))


class _Raced(Exception):
    """Another event got there first; decide again."""


@dataclass(frozen=True)
class _Keys:
    dedup: str
    group: str


@dataclass(frozen=True)
class _Found:
    link_id: int
    ticket_id: int
    number: str
    state: str


def stored_key(key: str) -> str:
    """Keys fit their columns: a longer one is stored as its sha256."""
    if len(key) <= MAX_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


class AlertIntake:
    """Applies alert events; built once per app (the mapping and classifier are reused)."""

    def __init__(
        self, engine: Engine, *, config: SupportConfig, content: Content, alerts: AlertConfig,
        classifier: TextClassifier | None = None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.content = content
        self.alerts = alerts
        self._classifier = classifier

    @property
    def classifier(self) -> TextClassifier:
        if self._classifier is None:
            self._classifier = classifier_models.live_classifier(self.engine, self.content)
        return self._classifier

    def receive(self, source: SourceInfo, events: list[AlertEvent], *, now: datetime
                ) -> AlertResult:
        """Apply the events of one delivery in order."""
        return AlertResult([self.apply(source, event, now=now) for event in events])

    def apply(self, source: SourceInfo, event: AlertEvent, *, now: datetime) -> EventOutcome:
        keys = _Keys(stored_key(event.dedup_key), stored_key(event.group_key))
        for _ in range(_RETRIES):
            try:
                with transaction(self.engine) as session:
                    outcome = self._existing(session, source, event, keys, now)
                return outcome if outcome is not None else self._open(source, event, keys, now)
            except _Raced:
                continue
        raise RuntimeError(f"alert {event.dedup_key}: kept racing with other deliveries")

    # --- events on existing tickets ----------------------------------------------------------

    def _existing(
        self, session: Session, source: SourceInfo, event: AlertEvent, keys: _Keys,
        now: datetime,
    ) -> EventOutcome | None:
        """Apply the event to an existing ticket, or None: a new ticket is needed."""
        _lock_source(session, source.id)
        seen = _delivery(session, source.id, event.delivery_id)
        if seen is not None:
            return self._outcome(event, "duplicate", seen,
                                 "this delivery was received before; nothing changed")
        if event.state is AlertState.FIRING:
            outcome = self._firing(session, source, event, keys, now)
        elif event.state is AlertState.RESOLVED:
            outcome = self._resolved(session, source, event, keys, now)
        else:
            outcome = self._update(session, source, event, keys, now)
        if outcome is not None:
            _remember(session, source, event, keys, outcome, now, _ticket_id(session, outcome))
        return outcome

    def _firing(
        self, session: Session, source: SourceInfo, event: AlertEvent, keys: _Keys,
        now: datetime,
    ) -> EventOutcome | None:
        actor = _actor(source)
        same = _find(session, source.org_id, dedup=keys.dedup, excluded=_NOT_OPEN)
        if same is not None:
            again = "fired again after it had resolved" if same.state == "resolved" else \
                "is still firing"
            _set_link(session, same.link_id, state="firing", now=now, resolved_at=None)
            self._note(session, same.ticket_id, actor, now,
                       f"Alert {again}: {_headline(event)}{_since(event)}")
            return self._outcome(event, "repeated", same.number, f"same alert {again}")
        group = _find(session, source.org_id, group=keys.group, excluded=_NOT_OPEN)
        if group is None:
            return None
        insert_once(session, LINKS, _link_values(source, event, keys, group.ticket_id, now))
        ticket = load_ticket(session, group.ticket_id, actor=actor).ticket
        record(session, ticket, actor=actor, now=now, field="alert", new=keys.dedup,
               reason=f"new alert in this group: {event.title}")
        self._note(session, group.ticket_id, actor, now,
                   f"New alert in this group: {_headline(event)}{_since(event)}\n"
                   f"{event.description}".strip())
        return self._outcome(event, "grouped", group.number,
                             "a new alert of an open group: added to its ticket")

    def _resolved(
        self, session: Session, source: SourceInfo, event: AlertEvent, keys: _Keys,
        now: datetime,
    ) -> EventOutcome:
        actor = _actor(source)
        same = _find(session, source.org_id, dedup=keys.dedup, excluded=_CLOSED)
        found = same or _find(session, source.org_id, group=keys.group, excluded=_CLOSED)
        if found is None:
            return self._outcome(event, "ignored", None,
                                 "resolved alert without an open ticket: nothing to record")
        resolved_at = event.ends_at or now
        values = _link_values(source, event, keys, found.ticket_id, now)
        if insert_once(session, LINKS, {**values, "state": "resolved",
                                        "resolved_at": resolved_at}) is None:
            _set_link_by_key(session, found.ticket_id, keys.dedup, state="resolved", now=now,
                             resolved_at=resolved_at)
        ticket = load_ticket(session, found.ticket_id, actor=actor).ticket
        record(session, ticket, actor=actor, now=now, field="alert",
               old=same.state if same is not None else None, new="resolved",
               reason=f"{event.title} ({keys.dedup})")
        when = resolved_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        self._note(session, found.ticket_id, actor, now,
                   f"Alert resolved at {when}: {_headline(event)}")
        if _all_resolved(session, found.ticket_id):  # its known problem ends, if it is one
            known_problems.resolve_for_alert(session, found.ticket_id, now=now,
                                             completed_by=self.alerts.completed_by,
                                             config=self.config)
        if not (self.alerts.complete_on_resolve and _all_resolved(session, found.ticket_id)):
            return self._outcome(event, "resolved", found.number, "recorded on the ticket")
        done = self._complete(session, found.ticket_id, now)
        return self._outcome(event, "completed" if done is None else "resolved", found.number,
                             "recorded; all alerts resolved, ticket completed" if done is None
                             else f"recorded; not completed: {done}")

    def _update(
        self, session: Session, source: SourceInfo, event: AlertEvent, keys: _Keys,
        now: datetime,
    ) -> EventOutcome:
        found = _find(session, source.org_id, dedup=keys.dedup, excluded=_CLOSED)
        if found is None:
            return self._outcome(event, "ignored", None, "update of an alert without an open "
                                 "ticket: nothing to record")
        what = event.comment or event.extras.get("update_action") or "updated"
        author = event.comment_author or event.sender
        action = event.extras.get("update_action")
        suffix = f" ({action})" if action and event.comment else ""
        self._note(session, found.ticket_id, _actor(source), now,
                   f"{author} in {event.sender}{suffix}: {what}")
        return self._outcome(event, "updated", found.number, "added as a comment")

    def _complete(self, session: Session, ticket_id: int, now: datetime) -> str | None:
        """Complete the ticket as ``completed_by``; None when done, else why not."""
        email = self.alerts.completed_by or ""
        engineer = session.execute(
            select(Engineer).where(col(Engineer.email) == email, col(Engineer.active).is_(True))
        ).scalars().first()
        if engineer is None or engineer.id is None:
            return f"no active engineer {email!r} (completed_by)"
        actor = Actor.engineer(engineer.id)
        loaded = load_ticket(session, ticket_id, actor=actor)
        ticket = loaded.ticket
        try:
            if ticket.work_started_at is None:
                assignee = str(ticket.assignee_id or engineer.id)
                change_status(session, loaded, target=Status.IN_PROGRESS, actor=actor, now=now,
                              config=self.config, assignee=assignee)
            change_status(session, loaded, target=Status.COMPLETED, actor=actor, now=now,
                          config=self.config, closure_code=ClosureCode.RESOLVED,
                          comment="All alerts of this ticket resolved: completed automatically.")
        except DomainError as error:
            return str(error)
        return None

    # --- a new ticket --------------------------------------------------------------------------

    def _open(self, source: SourceInfo, event: AlertEvent, keys: _Keys, now: datetime
              ) -> EventOutcome:
        decision = self.alerts.mapping.decide(event)
        service = self._service(decision, event)
        outcome: list[EventOutcome] = []

        def on_registered(session: Session, ticket: Ticket) -> None:
            _lock_source(session, source.id)
            if (_delivery(session, source.id, event.delivery_id) is not None
                    or _find(session, source.org_id, dedup=keys.dedup, excluded=_NOT_OPEN)
                    or _find(session, source.org_id, group=keys.group, excluded=_NOT_OPEN)):
                raise _Raced()
            insert_once(session, LINKS, _link_values(source, event, keys, ticket.id or 0, now))
            if decision.known_problem is not None:  # customer-visible: they are told
                known_problems.open_from_alert(session, ticket, decision.known_problem,
                                               author=_actor(source).id or "", now=now,
                                               started_at=event.starts_at)
            result = self._outcome(event, "opened", ticket.number,
                                   f"new incident: service {service.id}, urgency "
                                   f"{decision.urgency.value}, impact {decision.impact.value}, "
                                   f"priority {ticket.priority.value}")
            _remember(session, source, event, keys, result, now, ticket.id)
            outcome.append(result)

        register_free_text(
            self.engine, config=self.config, contact_id=source.contact_id,
            ticket_type=TicketType.INCIDENT, service=service, subject=_headline(event),
            description=_describe(event, decision, source, service.id), channel=Channel.MONITORING,
            now=now, urgency=decision.urgency, impact=decision.impact,
            registered_by=_actor(source), on_registered=on_registered,
        )
        return outcome[0]

    def _service(self, decision: AlertDecision, event: AlertEvent) -> Service:
        services = self.content.services
        if decision.service in services:
            return services[decision.service or ""]
        guess = self.classifier.classify(f"{event.title}\n{event.description}").service
        if guess in services:
            return services[guess or ""]
        return services.get(FALLBACK_SERVICE) or services[sorted(services)[0]]

    # --- helpers ---------------------------------------------------------------------------------

    def _note(self, session: Session, ticket_id: int, actor: Actor, now: datetime,
              body: str) -> None:
        """A public comment from the monitoring system (its organisation's own data)."""
        session.add(Comment(ticket_id=ticket_id, at=now, author_kind=ActorRole.SYSTEM,
                            author_id=actor.id, public=True, body=body[:20_000]))
        session.execute(update(Ticket).where(col(Ticket.id) == ticket_id).values(updated_at=now))

    @staticmethod
    def _outcome(event: AlertEvent, outcome: str, ticket: str | None, reason: str
                 ) -> EventOutcome:
        return EventOutcome(event.dedup_key, event.state.value, outcome, ticket, reason)


# --- queries ------------------------------------------------------------------------------------


def _actor(source: SourceInfo) -> Actor:
    return Actor(ActorRole.SYSTEM, f"alerts:{source.name}"[:64])


def _lock_source(session: Session, source_id: int) -> None:
    session.execute(select(col(AlertSourceRow.id)).where(col(AlertSourceRow.id) == source_id)
                    .with_for_update()).first()


def _delivery(session: Session, source_id: int, delivery_id: str) -> str | None:
    """The ticket number of a delivery seen before ("" when it had none), else None."""
    row = session.execute(
        select(col(AlertDelivery.id), col(Ticket.number))
        .outerjoin(Ticket, col(Ticket.id) == col(AlertDelivery.ticket_id))
        .where(col(AlertDelivery.source_id) == source_id,
               col(AlertDelivery.delivery_id) == delivery_id)
    ).first()
    if row is None:
        return None
    return row[1] or ""


def _find(
    session: Session, org_id: str, *, excluded: tuple[Status, ...], dedup: str | None = None,
    group: str | None = None,
) -> _Found | None:
    """The newest link of the organisation by dedup or group key on a ticket whose status
    is not ``excluded``."""
    query = (
        select(col(AlertLink.id), col(AlertLink.ticket_id), col(Ticket.number),
               col(AlertLink.state))
        .join(Ticket, col(Ticket.id) == col(AlertLink.ticket_id))
        .where(col(AlertLink.org_id) == org_id, col(Ticket.status).not_in(excluded))
        .order_by(col(AlertLink.ticket_id).desc(), col(AlertLink.id).desc())
        .limit(1)
    )
    if dedup is not None:
        query = query.where(col(AlertLink.dedup_key) == dedup)
    if group is not None:
        query = query.where(col(AlertLink.group_key) == group)
    row = session.execute(query).first()
    return _Found(*row) if row is not None else None


def _all_resolved(session: Session, ticket_id: int) -> bool:
    firing = session.execute(
        select(col(AlertLink.id)).where(col(AlertLink.ticket_id) == ticket_id,
                                        col(AlertLink.state) == "firing").limit(1)
    ).first()
    return firing is None


def _link_values(source: SourceInfo, event: AlertEvent, keys: _Keys, ticket_id: int,
                 now: datetime) -> dict[str, Any]:
    return {"org_id": source.org_id, "source_id": source.id, "ticket_id": ticket_id,
            "dedup_key": keys.dedup, "group_key": keys.group, "title": event.title[:300],
            "state": "firing", "first_seen": now, "last_seen": now, "resolved_at": None}


def _set_link(session: Session, link_id: int, *, state: str, now: datetime,
              resolved_at: datetime | None) -> None:
    session.execute(update(LINKS).where(LINKS.c.id == link_id)
                    .values(state=state, last_seen=now, resolved_at=resolved_at))


def _set_link_by_key(session: Session, ticket_id: int, dedup: str, *, state: str,
                     now: datetime, resolved_at: datetime | None) -> None:
    session.execute(update(LINKS).where(LINKS.c.ticket_id == ticket_id, LINKS.c.dedup_key == dedup)
                    .values(state=state, last_seen=now, resolved_at=resolved_at))


def _ticket_id(session: Session, outcome: EventOutcome) -> int | None:
    if not outcome.ticket:
        return None
    found = session.execute(select(col(Ticket.id)).where(col(Ticket.number) == outcome.ticket))
    return found.scalar_one_or_none()


def _remember(session: Session, source: SourceInfo, event: AlertEvent, keys: _Keys,
              outcome: EventOutcome, now: datetime, ticket_id: int | None) -> None:
    stored = insert_once(session, DELIVERIES, {
        "source_id": source.id, "delivery_id": event.delivery_id, "dedup_key": keys.dedup,
        "state": event.state.value, "outcome": outcome.outcome, "ticket_id": ticket_id,
        "at": now,
    })
    if stored is None:  # the same delivery, concurrently: let the other one win
        raise _Raced()
