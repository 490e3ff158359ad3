"""The widget's conversations, stored: start, continue (one row-locked turn), close on a ticket.

The rules are the pure engine's (``selfservice.conversation.engine``); this module loads
the state, applies one input, and stores the new state together with what the managers'
metrics need: the events, each search (query and ``confident``) and whether the articles
tried helped. The events are moved out of the state into ``conversation_events`` every
turn, so the stored state stays small.

A turn searches *before* taking the row lock: it replays the input on a copy of the state
with a recording search function, then locks the row, replays the input on the state as
stored, and reuses the recorded results (searching again only if another process changed
the conversation in between). Whoosh's CPU time is thus never spent holding a lock.
"""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from selfservice.content.model import Content
from selfservice.conversation.engine import (
    Action,
    ConversationError,
    Hit,
    Input,
    Message,
    Outcome,
    Phase,
    SearchFn,
    State,
    handle,
    record_ticket,
    resume,
    start,
    tried_summary,
)
from selfservice.db.models import (
    ArticleFeedback,
    Contact,
    Conversation,
    ConversationEvent,
    Organisation,
    SearchLog,
)
from selfservice.db.session import transaction
from selfservice.domain.enums import Language
from selfservice.services.errors import NotFound
from selfservice.services.phrasings import propose, solving_query

#: Called inside a turn's transaction with the replies (the Telegram channel stores what it
#: will send, and that the update is processed, in the same commit); raising rolls back.
OnStored = Callable[[Session, str, list[Message]], None]

#: Turns one conversation may take before the customer is asked to file a request form.
MAX_TURNS = 100


@dataclass(frozen=True)
class Turn:
    """What a turn returns to the widget."""

    conversation_id: str
    messages: list[Message]
    phase: str
    outcome: str | None
    signed_in: bool
    lang: str


@dataclass(frozen=True)
class Tried:
    """What self-service tried, read from a conversation for the ticket it leads to."""

    articles: list[dict[str, Any]]
    texts: list[str]


def start_conversation(
    engine: Engine, *, lang: Language, now: datetime, org_id: str | None = None,
    contact_id: int | None = None, channel: str = "widget", on_stored: OnStored | None = None,
) -> Turn:
    """A new conversation; ``org_id`` is kept only when the organisation exists."""
    state, messages = start(lang=lang.value, signed_in=contact_id is not None, now=now)
    row = Conversation(
        id=uuid.uuid4().hex, org_id=None, contact_id=contact_id, lang=lang,
        phase=state.phase.value, state={}, started_at=now, updated_at=now, channel=channel,
    )
    with transaction(engine) as session:
        if org_id is not None and session.get(Organisation, org_id) is not None:
            row.org_id = org_id
        session.add(row)
        session.flush()
        _store(session, row, state, now=now, tried_before=[])
        if on_stored is not None:
            on_stored(session, row.id, messages)
    return _turn(row, state, messages)


def continue_conversation(
    engine: Engine, *, conversation_id: str, event: Input, content: Content,
    search: SearchFn, now: datetime, contact_id: int | None = None,
    on_stored: OnStored | None = None,
) -> Turn:
    """Apply one input. A signed-in contact's conversation answers only to that contact;
    an anonymous one is taken over by the contact who signs in during it."""
    with transaction(engine, write=False) as session:
        snapshot = _accessible(session, conversation_id, contact_id)
        draft = State.from_dict(snapshot.state)
    recorder = RecordingSearch(search)
    if contact_id is not None:
        draft.signed_in = True
    _check_turns(snapshot)
    handle(draft, event, content=content, search=recorder, now=now)  # refusals raise here

    with transaction(engine) as session:
        row = _accessible(session, conversation_id, contact_id, lock=True)
        _check_turns(row)
        state = State.from_dict(row.state)
        if contact_id is not None and row.contact_id is None:
            _attach(session, row, contact_id)
            state.signed_in = True
        tried_before = [t.helped for t in state.tried]
        messages = handle(state, event, content=content, search=recorder, now=now)
        if event.action is Action.NEED_HELP:
            state.events.append({"at": now.isoformat(), "kind": "need_help"})
        row.turns += 1
        _store(session, row, state, now=now, tried_before=tried_before, content=content)
        if on_stored is not None:
            on_stored(session, row.id, messages)
    return _turn(row, state, messages)


def resume_conversation(
    engine: Engine, *, conversation_id: str, content: Content, contact_id: int | None = None
) -> Turn:
    """The conversation as the customer left it, for the widget on another page (read only)."""
    with transaction(engine, write=False) as session:
        row = _accessible(session, conversation_id, contact_id)
        state = State.from_dict(row.state)
    return _turn(row, state, resume(state, content))


def tried_for_ticket(
    engine: Engine, *, conversation_id: str, contact_id: int, now: datetime
) -> Tried:
    """What this contact's conversation tried (read before filing the ticket)."""
    with transaction(engine, write=False) as session:
        row = _accessible(session, conversation_id, contact_id)
        state = State.from_dict(row.state)
    if state.phase is Phase.CLOSED:
        raise ConversationError("the conversation is closed", code="conversation_closed",
                                field="conversation")
    # What closing on a ticket will do to the state: the open article did not help.
    record_ticket(state, number="", now=now)
    summary = tried_summary(state)
    return Tried(articles=summary["articles"], texts=summary["conversation_texts"])


def close_with_ticket(
    session: Session, *, conversation_id: str, contact_id: int, ticket_id: int, number: str,
    now: datetime,
) -> list[Message]:
    """Inside the registration's transaction: the conversation's outcome is the ticket.

    Raises ``conversation_closed`` if another request closed it first, which rolls the
    registration back: one conversation files at most one ticket.
    """
    row = _accessible(session, conversation_id, contact_id, lock=True)
    if row.contact_id is None:
        _attach(session, row, contact_id)
    state = State.from_dict(row.state)
    state.signed_in = True
    tried_before = [t.helped for t in state.tried]
    messages = record_ticket(state, number=number, now=now)
    row.ticket_id = ticket_id
    row.turns += 1
    _store(session, row, state, now=now, tried_before=tried_before)
    return messages


class RecordingSearch:
    """A search function that remembers its results, to replay them under the lock."""

    def __init__(self, search: SearchFn) -> None:
        self._search = search
        self._seen: dict[tuple[str, str], Sequence[Hit]] = {}

    def __call__(self, query: str, lang: str) -> Sequence[Hit]:
        key = (query, lang)
        if key not in self._seen:
            self._seen[key] = self._search(query, lang)
        return self._seen[key]


def _accessible(
    session: Session, conversation_id: str, contact_id: int | None, *, lock: bool = False
) -> Conversation:
    row = session.get(Conversation, conversation_id, with_for_update=lock)
    if row is None:
        raise NotFound(f"no conversation {conversation_id}", code="conversation_not_found",
                       field="id")
    if row.contact_id is not None and row.contact_id != contact_id:
        if contact_id is None:
            raise ConversationError("this conversation belongs to a signed-in contact",
                                    code="sign_in_required", field="id")
        raise NotFound(f"no conversation {conversation_id}", code="conversation_not_found",
                       field="id")
    if row.contact_id is None and contact_id is not None and row.org_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.org_id != row.org_id:
            raise NotFound(f"no conversation {conversation_id}", code="conversation_not_found",
                       field="id")
    return row


def _attach(session: Session, row: Conversation, contact_id: int) -> None:
    """The visitor signed in during the conversation: it becomes the contact's."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"no contact {contact_id}", field="contact_id")
    row.contact_id = contact_id
    row.org_id = contact.org_id


def _check_turns(row: Conversation) -> None:
    if row.turns >= MAX_TURNS:
        raise ConversationError("too many turns in one conversation", code="too_many_messages",
                                field="text")


def _store(
    session: Session, row: Conversation, state: State, *, now: datetime,
    tried_before: list[bool | None], content: Content | None = None,
) -> None:
    """Write the state and move its new events into the metrics tables; a conversation
    solved on an article proposes the customer's words as a symptom of it."""
    if (content is not None and state.outcome is Outcome.DEFLECTED and row.outcome is None
            and state.article):
        text = solving_query(session, row.id, state.article, state.events)
        if text:
            propose(session, content, article_id=state.article, text=text, now=now)
    for event in state.events:
        _record_event(session, row, event, now=now)
    for index, tried in enumerate(state.tried):
        before = tried_before[index] if index < len(tried_before) else None
        if before is None and tried.helped is not None:
            session.add(ArticleFeedback(
                article_id=tried.article, at=now, helped=tried.helped, source="conversation",
                conversation_id=row.id, contact_id=row.contact_id, org_id=row.org_id,
            ))
    state.events = []
    row.state = state.to_dict()
    row.phase = state.phase.value
    row.outcome = state.outcome.value if state.outcome is not None else None
    if row.outcome is not None and row.closed_at is None:
        row.closed_at = now
    row.updated_at = now
    session.add(row)


def _record_event(
    session: Session, row: Conversation, event: dict[str, Any], *, now: datetime
) -> None:
    kind = str(event.get("kind", "unknown"))
    detail = {k: v for k, v in event.items() if k not in {"at", "kind", "article", "form"}}
    session.add(ConversationEvent(
        conversation_id=row.id, at=now, kind=kind, article=event.get("article"),
        form=event.get("form"), detail=detail,
    ))
    if kind == "search":
        articles = list(event.get("articles") or [])
        session.add(SearchLog(
            at=now, source="conversation", query=str(event.get("query", "")),
            lang=row.lang.value, confident=bool(event.get("confident")),
            results=len(articles), top=articles[0] if articles else None,
            conversation_id=row.id, org_id=row.org_id,
        ))


def _turn(row: Conversation, state: State, messages: list[Message]) -> Turn:
    return Turn(
        conversation_id=row.id, messages=messages, phase=state.phase.value,
        outcome=state.outcome.value if state.outcome is not None else None,
        signed_in=state.signed_in, lang=state.lang,
    )
