"""The widget's conversation: start one, then send the customer's text or button presses.

The rules are ``selfservice.conversation.engine``'s; the state is stored by
``services.conversations`` (one row-locked transaction per turn), so any backend
process can continue any conversation.
"""

import re
from collections.abc import Sequence
from typing import Any

from selfservice.content.safe_markdown import step_html
from selfservice.conversation.engine import Hit, Input, Message, SearchFn
from selfservice.services import conversations, known_problem_views
from selfservice.services.conversations import Turn
from selfservice.web.customer_search import customer_search
from selfservice.web.dispatch import Call
from selfservice.web.errors import ApiError
from selfservice.web.schemas.requests import ChatInput, StartConversation
from selfservice.web.state import State

_ID = re.compile(r"[0-9a-f]{32}")
#: A known problem is told while the customer describes the problem, not in a form.
_TOLD_WHILE = ("searching", "choosing_form")
#: The free-text classifier's service counts when it is this sure (measured on the kb's
#: own classifier: "VM is not responding" compute 0.71, "VPN does not connect" network
#: 0.66, "printer prints blank pages" 0.14).
SURE_SERVICE = 0.5


def searcher(state: State) -> SearchFn:
    """The conversation's search: public articles and forms only, in the order and with
    the snippets the as-you-type list shares (``customer_search``)."""
    index, content = state["search"], state["content"]

    def search(query: str, lang: str) -> Sequence[Hit]:
        return customer_search(index, content, query, lang)

    return search


def with_html(message: Message) -> Message:
    """A step carries its Markdown and, for the widget, that Markdown rendered safely."""
    if message.get("type") != "step":
        return message
    check = message.get("check")
    return {
        **message,
        "html": step_html(str(message.get("text") or "")),
        "check_html": step_html(str(check)) if check else None,
    }


def turn_json(turn: Turn) -> dict[str, Any]:
    return {
        "id": turn.conversation_id,
        "lang": turn.lang,
        "signed_in": turn.signed_in,
        "phase": turn.phase,
        "outcome": turn.outcome,
        "messages": [with_html(m) for m in turn.messages],
    }


def _contact_id(call: Call[Any, Any]) -> int | None:
    return call.contact.contact_id if call.contact is not None else None


def _conversation_id(call: Call[Any, Any]) -> str:
    conversation_id = call.path("id")
    if not _ID.fullmatch(conversation_id):
        raise ApiError(404, "conversation_not_found", field="id")
    return conversation_id


async def start_conversation(call: Call[StartConversation, None]) -> dict[str, Any]:
    """Start a conversation with the support widget

    Anonymous visitors are helped too; with the contact's portal token
    (Authorization: Bearer) the conversation can end in a filed ticket. The answer is
    the conversation, with the greeting.
    """
    turn = await call.run(
        conversations.start_conversation,
        lang=call.body.lang or call.lang,
        now=call.now(),
        org_id=call.contact.org_id if call.contact is not None else call.org,
        contact_id=_contact_id(call),
    )
    return turn_json(turn)


async def post_message(call: Call[ChatInput, None]) -> dict[str, Any]:
    """Send the customer's text, or a button press, to a conversation

    Exactly one of `text` (what the customer typed) or `action` (a button of the
    previous messages: open_article needs `article`, choose_form needs `form`).
    A conversation a signed-in contact started answers only to that contact's token.
    The answer holds the replies, in order.
    """
    body = call.body
    if body.text is None and body.action is None:
        raise ApiError(400, "missing_input", field="text")
    conversation_id = _conversation_id(call)
    state = call.state
    event = Input(text=body.text, action=body.action, article=body.article, form=body.form)
    turn = await call.run(
        conversations.continue_conversation,
        conversation_id=conversation_id,
        event=event,
        content=state["content"],
        search=searcher(state),
        now=call.now(),
        contact_id=_contact_id(call),
    )
    answer = turn_json(turn)
    if body.text is not None and call.contact is not None and turn.phase in _TOLD_WHILE:
        notice = await _known_problem(call, body.text, turn)
        if notice is not None:  # told first, before any article
            answer["messages"] = [notice, *answer["messages"]]
    return answer


async def _known_problem(call: Call[Any, Any], said: str, turn: Turn) -> Message | None:
    """The known problem the customer's words concern, as a message: the services of the
    articles and forms found for them or the classifier's sure guess, or a place of the
    problem named in them."""
    if not await call.run(known_problem_views.any_for_contact, contact_id=call.contact_id):
        return None
    content = call.state["content"]
    services = set()
    guess = await call.run_blocking(call.backend.classifier.classify, said)
    if guess.service is not None and guess.service_confidence >= SURE_SERVICE:
        services.add(guess.service)
    found_items = [item for message in turn.messages
                   if message.get("type") in ("articles", "forms")
                   for item in message.get("items") or ()]
    for item in found_items:
        found = content.articles.get(item.get("id")) or content.forms.get(item.get("id"))
        if found is not None:
            services.add(found.service)
    problem = await call.run(known_problem_views.in_conversation, contact_id=call.contact_id,
                             lang=turn.lang, said=said, services=services, now=call.now())
    return {"type": "known_problem", **problem.as_json()} if problem is not None else None


async def get_conversation(call: Call[None, None]) -> dict[str, Any]:
    """A conversation as the customer left it (the widget on another portal page)

    The phase and outcome, and in `messages` what to show again: the open step of a
    scripted solution (phase walking), the outcome of a closed conversation, else
    nothing. Read only. Like sending, a conversation a signed-in contact started
    answers only to that contact's token.
    """
    turn = await call.run(
        conversations.resume_conversation,
        conversation_id=_conversation_id(call),
        content=call.state["content"],
        contact_id=_contact_id(call),
    )
    return turn_json(turn)
