"""The deflection conversation as a pure state machine.

``start`` and ``handle`` take the stored state and what the customer did, and return
the new state plus structured messages for the widget. Search is passed in as a
function, the state is plain JSON (``to_dict``/``from_dict``), so any backend process
can continue any conversation and the rules are testable without a server.

Phases: ``searching`` (free text → article cards and forms) → ``walking`` (a scripted
solution, one step at a time: "did this help?", or Yes / No to a step's check question
that branches, see ``selfservice.content.flow``) → ``choosing_form`` → ``filling_form``
→ ``closed`` with an outcome: ``deflected``, ``ticket_filed`` or ``abandoned``.
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from selfservice.content import flow
from selfservice.content.model import Article, Content, RequestForm, Route
from selfservice.content.validation import validate_submission
from selfservice.conversation.messages import Hit as Hit
from selfservice.conversation.messages import Message as Message
from selfservice.conversation.messages import SearchFn as SearchFn
from selfservice.conversation.messages import cards, form_choices
from selfservice.conversation.messages import text as _text
from selfservice.conversation.prefill import prefill
from selfservice.conversation.texts import say
from selfservice.domain.errors import DomainError

MAX_CARDS = 3
#: Offered when no form is a confident match: a wrong specific form routes the ticket to
#: the wrong group, the general one reaches the service desk (kb/catalog).
GENERAL_FORM = "support-question"
MAX_TEXTS = 20


class Phase(StrEnum):
    SEARCHING = "searching"
    WALKING = "walking"
    CHOOSING_FORM = "choosing_form"
    FILLING_FORM = "filling_form"
    CLOSED = "closed"


class Outcome(StrEnum):
    DEFLECTED = "deflected"
    TICKET_FILED = "ticket_filed"
    ABANDONED = "abandoned"


class Action(StrEnum):
    OPEN_ARTICLE = "open_article"
    NEXT_STEP = "next_step"
    YES = "yes"  # the answers to a branching step's check question
    NO = "no"
    SOLVED = "solved"
    NEED_HELP = "need_help"
    CHOOSE_FORM = "choose_form"
    ABANDON = "abandon"


class ConversationError(DomainError):
    default_code = "conversation_error"




@dataclass
class Tried:
    """One article the customer tried, for the ticket and the deflection metrics."""

    article: str
    title: str
    steps_total: int
    steps_seen: int = 0
    helped: bool | None = None
    #: The check questions answered on the way, as ``step: yes|no`` (branching scripts).
    answers: list[str] = field(default_factory=list)


@dataclass
class State:
    lang: str
    signed_in: bool = False
    phase: Phase = Phase.SEARCHING
    outcome: Outcome | None = None
    texts: list[str] = field(default_factory=list)
    article: str | None = None
    step: int = 0
    form: str | None = None
    #: A branch's form and the values it fills: ``{"form": id, "values": {...}}``.
    routed: dict[str, Any] | None = None
    ticket: str | None = None
    tried: list[Tried] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "State":
        values = dict(data)
        values["phase"] = Phase(values.get("phase", Phase.SEARCHING))
        outcome = values.get("outcome")
        values["outcome"] = Outcome(outcome) if outcome else None
        values["tried"] = [Tried(**t) for t in values.get("tried", [])]
        return cls(**values)

    def current_tried(self) -> Tried | None:
        if self.article is None:
            return None
        return next((t for t in reversed(self.tried) if t.article == self.article), None)


@dataclass(frozen=True)
class Input:
    """What the customer did: typed ``text``, or pressed a button (``action``)."""

    text: str | None = None
    action: Action | None = None
    article: str | None = None
    form: str | None = None


def start(*, lang: str, signed_in: bool, now: datetime) -> tuple[State, list[Message]]:
    state = State(lang=lang, signed_in=signed_in)
    state.events.append({"at": now.isoformat(), "kind": "started"})
    return state, [_text("greeting", lang)]


def handle(
    state: State, event: Input, *, content: Content, search: SearchFn, now: datetime
) -> list[Message]:
    """Apply the customer's input to ``state`` (mutated) and return the replies."""
    if state.phase is Phase.CLOSED:
        raise ConversationError("the conversation is closed", code="conversation_closed")
    if event.text is not None:
        return _on_text(state, event.text, content, search, now)
    match event.action:
        case Action.OPEN_ARTICLE:
            return _open_article(state, _article(content, event.article, state.lang), now)
        case Action.NEXT_STEP | Action.YES | Action.NO:
            return _answer(state, event.action, content, search, now)
        case Action.SOLVED:
            return _close(state, Outcome.DEFLECTED, now, "solved")
        case Action.NEED_HELP:
            return _need_help(state, content, search, now)
        case Action.CHOOSE_FORM:
            return _choose_form(state, _form(content, event.form), now)
        case Action.ABANDON:
            return _close(state, Outcome.ABANDONED, now, "abandoned")
    raise ConversationError("send either 'text' or an 'action'", code="missing_input", field="text")


def record_ticket(state: State, *, number: str, now: datetime) -> list[Message]:
    """The ticket this conversation led to was registered."""
    if state.phase is Phase.CLOSED:
        raise ConversationError("the conversation is closed", code="conversation_closed")
    state.ticket = number
    _mark_current(state, helped=False)
    state.events.append({"at": now.isoformat(), "kind": "ticket_filed", "ticket": number})
    state.phase = Phase.CLOSED
    state.outcome = Outcome.TICKET_FILED
    return [
        {
            "type": "confirmation",
            "ticket": number,
            "text": say("ticket_filed", state.lang, number=number),
        }
    ]


def resume(state: State, content: Content) -> list[Message]:
    """What the widget shows again when the customer comes back (another page of the
    portal): the open step of a scripted solution, or that the conversation is over."""
    if state.phase is Phase.CLOSED:
        outcome = state.outcome.value if state.outcome is not None else None
        return [{"type": "outcome", "outcome": outcome}]
    article = content.articles.get(state.article or "")
    if state.phase is Phase.WALKING and article is not None and article.steps:
        return [_step_message(state, article)]
    return []


def tried_summary(state: State) -> dict[str, Any]:
    """What self-service already tried, for the ticket (so nobody asks again)."""
    return {
        "conversation_texts": list(state.texts),
        "articles": [
            {k: v for k, v in asdict(t).items() if k != "answers" or v} for t in state.tried
        ],
    }


def _on_text(
    state: State, text: str, content: Content, search: SearchFn, now: datetime
) -> list[Message]:
    text = text.strip()
    if not text:
        raise ConversationError("the message is empty", code="empty_text", field="text")
    if len(state.texts) >= MAX_TEXTS:
        raise ConversationError(
            "too many messages in one conversation", code="too_many_messages", field="text"
        )
    state.texts.append(text)
    if state.phase is Phase.FILLING_FORM:
        # A remark while filling the form goes into the ticket's description, not into search.
        return []
    hits = search(text, state.lang)
    articles = [h for h in hits if h.type == "article" and h.confident][:MAX_CARDS]
    forms = [h for h in hits if h.type == "form" and h.confident][:MAX_CARDS]
    confident = bool(articles or forms)
    state.events.append(
        {"at": now.isoformat(), "kind": "search", "query": text, "confident": confident,
         "articles": [h.id for h in articles]}
    )  # fmt: skip
    state.phase = Phase.SEARCHING
    if articles:
        messages = [_text("articles_found", state.lang), cards(articles)]
        if forms:
            messages.append(form_choices([h.id for h in forms], state.lang, content, intro=False))
        return messages
    messages = [_text("nothing_found", state.lang)]
    if forms:
        state.phase = Phase.CHOOSING_FORM
        messages.append(form_choices([h.id for h in forms], state.lang, content, intro=True))
    else:
        messages.append(_text("rephrase", state.lang))
    messages.append(_actions(Action.NEED_HELP))
    return messages


def _open_article(state: State, article: Article, now: datetime) -> list[Message]:
    state.article = article.id
    state.step = 0
    state.tried.append(
        Tried(article=article.id, title=article.title, steps_total=len(article.steps))
    )
    state.events.append({"at": now.isoformat(), "kind": "article_shown", "article": article.id})
    if not article.steps:
        state.phase = Phase.SEARCHING
        return [
            {"type": "article", "id": article.id, "title": article.title,
             "summary": article.summary, "body": article.body},
            _text("article_read", state.lang),
            _actions(Action.SOLVED, Action.NEED_HELP),
        ]  # fmt: skip
    state.phase = Phase.WALKING
    return [_text("article_intro", state.lang, total=len(article.steps)), _step(state, article)]


def _answer(
    state: State, action: Action, content: Content, search: SearchFn, now: datetime
) -> list[Message]:
    """Next step, Yes or No on the open step: follow the script's route for the answer."""
    if state.phase is not Phase.WALKING or state.article is None:
        raise ConversationError("no scripted solution is open", code="not_walking", field="action")
    article = _article(content, state.article, state.lang)
    index = min(state.step, len(article.steps) - 1)
    step = article.steps[index]
    if step.check is None:  # a plain step: "yes" is Solved, "no" the next step
        if action is Action.YES:
            return _close(state, Outcome.DEFLECTED, now, "solved")
        answer = flow.NEXT
    else:
        answer = flow.YES if action is Action.YES else flow.NO
        tried = state.current_tried()
        if tried is not None and step.branches:  # for the ticket and the metrics
            tried.answers.append(f"{step.id}: {answer}")
            state.events.append({"at": now.isoformat(), "kind": "answer",
                                 "article": article.id, "step": step.id, "answer": answer})
    target = flow.route(article, index, answer)
    if target is None:  # past the last step
        if action is Action.NO:
            return _need_help(state, content, search, now)
        return [_text("last_step_done", state.lang), _actions(Action.SOLVED, Action.NEED_HELP)]
    if target.form is not None:
        return _route_to_form(state, target, _form(content, target.form), content, now)
    following = flow.index_of(article, target.step or "")
    if target.solved or following is None:
        return _close(state, Outcome.DEFLECTED, now, "solved")
    state.step = following
    return [_step(state, article)]


def _route_to_form(
    state: State, target: Route, form: RequestForm, content: Content, now: datetime
) -> list[Message]:
    """A branch ends in a request form, with the fields the script knows filled in."""
    _mark_current(state, helped=False)
    state.article = None
    values = validate_submission(form, dict(target.prefill)).values
    state.routed = {"form": form.id, "values": values}
    if not state.signed_in:
        state.phase = Phase.CHOOSING_FORM
        return [{"type": "sign_in_required", "text": say("sign_in", state.lang)},
                form_choices([form.id], state.lang, content, intro=False)]
    return _choose_form(state, form, now)


def _need_help(state: State, content: Content, search: SearchFn, now: datetime) -> list[Message]:
    _mark_current(state, helped=False)
    state.article = None
    state.phase = Phase.CHOOSING_FORM
    if not state.signed_in:
        return [{"type": "sign_in_required", "text": say("sign_in", state.lang)}]
    forms = _suggest_forms(state, content, search)
    if not forms:
        return [_text("no_forms", state.lang)]
    return [form_choices(forms, state.lang, content, intro=True)]


def _choose_form(state: State, form: RequestForm, now: datetime) -> list[Message]:
    if not state.signed_in:
        state.phase = Phase.CHOOSING_FORM
        return [{"type": "sign_in_required", "text": say("sign_in", state.lang)}]
    state.form = form.id
    state.phase = Phase.FILLING_FORM
    state.events.append({"at": now.isoformat(), "kind": "form_chosen", "form": form.id})
    values = prefill(form, state.texts)
    if state.routed is not None and state.routed.get("form") == form.id:
        values.update(state.routed.get("values") or {})
    # Name what was filled, so the customer knows which fields to check; say nothing
    # about prefilling when nothing was found.
    labels = [f.label.get(state.lang) for f in form.fields if f.id in values]
    intro = (_text("form_intro_prefilled", state.lang, fields="; ".join(labels)) if labels
             else _text("form_intro", state.lang))
    return [
        intro,
        {"type": "form", "form": form.id, "title": form.title.get(state.lang), "values": values},
    ]  # fmt: skip


def _close(state: State, outcome: Outcome, now: datetime, text_key: str) -> list[Message]:
    if outcome is Outcome.DEFLECTED:
        _mark_current(state, helped=True)
    state.phase = Phase.CLOSED
    state.outcome = outcome
    state.events.append({"at": now.isoformat(), "kind": outcome.value, "article": state.article})
    return [_text(text_key, state.lang), {"type": "outcome", "outcome": outcome.value}]


def _mark_current(state: State, *, helped: bool) -> None:
    tried = state.current_tried()
    if tried is not None and tried.helped is None:
        tried.helped = helped


def _suggest_forms(state: State, content: Content, search: SearchFn) -> list[str]:
    """The confidently matching forms, else the general one (when the kb has it)."""
    query = " ".join(state.texts[-3:])
    hits = [h for h in search(query, state.lang) if h.type == "form"] if query else []
    ids = [h.id for h in hits if h.confident][:MAX_CARDS]
    if not ids and GENERAL_FORM in content.forms:
        ids = [GENERAL_FORM]
    return ids


def _step(state: State, article: Article) -> Message:
    tried = state.current_tried()
    if tried is not None:
        tried.steps_seen = max(tried.steps_seen, state.step + 1)
    return _step_message(state, article)


def _step_message(state: State, article: Article) -> Message:
    index = min(state.step, len(article.steps) - 1)
    step = article.steps[index]
    ends = flow.route(article, index, flow.NEXT if step.check is None else flow.NO) is None
    if step.branches:  # the check question decides: Yes / No
        actions = [Action.YES, Action.NO, Action.NEED_HELP]
    elif ends:
        actions = [Action.SOLVED, Action.NEED_HELP]
    else:
        actions = [Action.SOLVED, Action.NEXT_STEP, Action.NEED_HELP]
    return {
        "type": "step", "article": article.id, "title": article.title, "step": step.id,
        "index": index + 1, "total": len(article.steps), "text": step.text,
        "check": step.check, "branch": step.branches, "actions": [a.value for a in actions],
    }  # fmt: skip


def _actions(*actions: Action) -> Message:
    return {"type": "actions", "actions": [a.value for a in actions]}


def _article(content: Content, article_id: str | None, lang: str) -> Article:
    article = content.articles.get(article_id or "")
    if article is None or not article.is_public:
        raise ConversationError(
            f"unknown article {article_id!r}", code="unknown_article", field="article"
        )
    return article


def _form(content: Content, form_id: str | None) -> RequestForm:
    form = content.forms.get(form_id or "")
    if form is None:
        raise ConversationError(f"unknown form {form_id!r}", code="unknown_form", field="form")
    return form
