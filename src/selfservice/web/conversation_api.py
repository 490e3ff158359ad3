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
from selfservice.services import conversations
from selfservice.services.conversations import Turn
from selfservice.web.customer_search import customer_search
from selfservice.web.dispatch import Call
from selfservice.web.errors import ApiError
from selfservice.web.schemas.requests import ChatInput, StartConversation
from selfservice.web.state import State

_ID = re.compile(r"[0-9a-f]{32}")


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
    return turn_json(turn)


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
