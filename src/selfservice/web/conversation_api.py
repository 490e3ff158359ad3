"""The widget's conversation: start one, then send the customer's text or button presses.

The rules are ``selfservice.conversation.engine``'s; the state is stored by
``services.conversations`` (one row-locked transaction per turn), so any backend
process can continue any conversation.
"""

import re
from collections.abc import Sequence
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from selfservice.content.safe_markdown import step_html
from selfservice.conversation.engine import Action, Hit, Input, Message, SearchFn
from selfservice.domain.enums import Language
from selfservice.services import conversations
from selfservice.services.conversations import Turn
from selfservice.web.backend import backend_of
from selfservice.web.bodies import read_body
from selfservice.web.customer_search import customer_search
from selfservice.web.customers import optional_customer
from selfservice.web.errors import ApiError, request_language
from selfservice.web.hardening import request_org
from selfservice.web.params import check_common
from selfservice.web.state import State, state_of

MAX_TEXT = 2000
ACTIONS = [a.value for a in Action]
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


async def start_conversation(request: Request) -> JSONResponse:
    """
    summary: Start a conversation with the support widget
    description: >
      Anonymous visitors are helped too; with the contact's portal token
      (Authorization: Bearer) the conversation can end in a filed ticket.
    security: [{}, {portalToken: []}]
    parameters:
      - {$ref: "#/components/parameters/lang"}
      - {$ref: "#/components/parameters/orgHeader"}
    requestBody:
      required: false
      content:
        application/json:
          schema:
            type: object
            properties:
              lang:
                type: string
                enum: [en, ru]
                description: "default: ?lang=, else Accept-Language"
    responses:
      201:
        description: The conversation, with the greeting
        content: {application/json: {schema: {$ref: "#/components/schemas/Conversation"}}}
    errors: [400, 401, 413, 429]
    """
    check_common(request)
    body = await read_body(request, optional=True)
    chosen = body.choice("lang", [lang.value for lang in Language])
    lang = Language(chosen) if chosen else request_language(request)
    backend = backend_of(request)
    who = await optional_customer(request)
    org_id = who.org_id if who is not None else request_org(request.scope)
    turn = await run_in_threadpool(
        partial(
            conversations.start_conversation,
            backend.engine,
            lang=lang,
            now=state_of(request)["clock"](),
            org_id=org_id,
            contact_id=who.contact_id if who is not None else None,
        )
    )
    return JSONResponse(turn_json(turn), status_code=201)


async def post_message(request: Request) -> JSONResponse:
    """
    summary: Send the customer's text, or a button press, to a conversation
    description: >
      Exactly one of `text` (what the customer typed) or `action` (a button of the
      previous messages: open_article needs `article`, choose_form needs `form`).
      A conversation a signed-in contact started answers only to that contact's token.
    security: [{}, {portalToken: []}]
    parameters:
      - name: id
        in: path
        required: true
        schema: {type: string, maxLength: 64}
      - {$ref: "#/components/parameters/lang"}
      - {$ref: "#/components/parameters/orgHeader"}
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            anyOf:
              - {required: [text]}
              - {required: [action]}
            properties:
              text: {type: string, minLength: 1, maxLength: 2000, pattern: "\\\\S"}
              action:
                type: string
                enum: [open_article, next_step, solved, need_help, choose_form, abandon]
              article: {type: string, maxLength: 200, nullable: true}
              form: {type: string, maxLength: 200, nullable: true}
    responses:
      200:
        description: The replies, in order
        content: {application/json: {schema: {$ref: "#/components/schemas/Conversation"}}}
    errors: [400, 401, 404, 409, 413, 422, 429]
    """
    check_common(request)
    conversation_id = request.path_params["id"]
    body = await read_body(request)
    text = body.text("text", max_length=MAX_TEXT)
    action = body.choice("action", ACTIONS)
    article = body.text("article", max_length=200, nullable=True, blank_ok=True)
    form = body.text("form", max_length=200, nullable=True, blank_ok=True)
    if text is None and action is None:
        raise ApiError(400, "missing_input", field="text")
    if not _ID.fullmatch(conversation_id):
        raise ApiError(404, "conversation_not_found", field="id")
    backend = backend_of(request)
    who = await optional_customer(request)
    state = state_of(request)
    event = Input(text=text, action=Action(action) if action else None, article=article, form=form)
    turn = await run_in_threadpool(
        partial(
            conversations.continue_conversation,
            backend.engine,
            conversation_id=conversation_id,
            event=event,
            content=state["content"],
            search=searcher(state),
            now=state["clock"](),
            contact_id=who.contact_id if who is not None else None,
        )
    )
    return JSONResponse(turn_json(turn))


async def get_conversation(request: Request) -> JSONResponse:
    """
    summary: A conversation as the customer left it (the widget on another portal page)
    description: >
      The phase and outcome, and in `messages` what to show again: the open step of a
      scripted solution (phase walking), the outcome of a closed conversation, else
      nothing. Read only. Like sending, a conversation a signed-in contact started
      answers only to that contact's token.
    security: [{}, {portalToken: []}]
    parameters:
      - name: id
        in: path
        required: true
        schema: {type: string, maxLength: 64}
      - {$ref: "#/components/parameters/lang"}
      - {$ref: "#/components/parameters/orgHeader"}
    responses:
      200:
        description: The conversation
        content: {application/json: {schema: {$ref: "#/components/schemas/Conversation"}}}
    errors: [400, 401, 404, 429]
    """
    check_common(request)
    conversation_id = request.path_params["id"]
    if not _ID.fullmatch(conversation_id):
        raise ApiError(404, "conversation_not_found", field="id")
    backend = backend_of(request)
    who = await optional_customer(request)
    turn = await run_in_threadpool(
        partial(
            conversations.resume_conversation,
            backend.engine,
            conversation_id=conversation_id,
            content=state_of(request)["content"],
            contact_id=who.contact_id if who is not None else None,
        )
    )
    return JSONResponse(turn_json(turn))
