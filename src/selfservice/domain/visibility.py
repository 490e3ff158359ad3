"""What the customer sees of a transition: one table, consulted by every status change.

DOMAIN.md "What the customer may see": public comments and the customer's own words are
visible to the contact; internal comments, assignment, reassignment and moves between
lines are not, and cause no e-mail to the customer.

:data:`TABLE` gives, for each workflow rule (``domain.workflow.RULES``, by name), whether
the comment that comes with the transition is public by default, whether the engineer may
choose otherwise, and whether the contact is e-mailed about the status change. Decisions:

* ``ask_information``: the comment *is* the question to the contact: always public.
* ``complete``: the comment is the result the contact is asked to confirm: public by
  default (an engineer may keep a note internal).
* ``start``, ``assign``, ``rework``, ``hand_to_external`` (who the third party is),
  ``back_from_external``, ``record_confirmation`` and an engineer's note of the contact's
  answer (``answer``): working notes, internal by default; the engineer may make one public.
* ``unassign`` and ``reassign`` (In progress → Assigned to someone else) are reassignment:
  internal, and no e-mail to the contact. A move between lines (:data:`LINE_MOVE`) likewise.
* Whatever the contact writes is their own words: always public, whatever the rule.
* The system's notes (auto-close) follow the table.
"""

from dataclasses import dataclass
from typing import Final

from selfservice.domain.enums import ActorRole
from selfservice.domain.errors import CommentVisibilityFixed


@dataclass(frozen=True)
class Visibility:
    """``public``: the default for the comment; ``choosable``: the engineer may ask for the
    other one; ``mail``: the contact is e-mailed about the status change."""

    public: bool
    choosable: bool = True
    mail: bool = True


_PUBLIC, _INTERNAL = Visibility(public=True), Visibility(public=False)
_QUIET = Visibility(public=False, choosable=False, mail=False)

#: Rule name (``domain.workflow.Rule.name``) → what the customer sees of it.
TABLE: Final[dict[str, Visibility]] = {
    "assign": _INTERNAL,
    "start": _INTERNAL,
    "complete": _PUBLIC,
    "ask_information": Visibility(public=True, choosable=False),
    "unassign": _QUIET,
    "reassign": _QUIET,
    "hand_to_external": _INTERNAL,
    "back_from_external": _INTERNAL,
    "confirm": _PUBLIC,
    "record_confirmation": _INTERNAL,
    "auto_close": _PUBLIC,
    "reject": _PUBLIC,
    "rework": _INTERNAL,
    "answer": _INTERNAL,
}

#: A functional escalation or lateral handover (the reason goes with the status change it
#: causes): never visible, no e-mail.
LINE_MOVE: Final = _QUIET


def visibility_of(rule_name: str) -> Visibility:
    """The table's row for a rule; an unknown rule is treated as internal."""
    return TABLE.get(rule_name, _INTERNAL)


def comment_is_public(
    row: Visibility, actor_role: ActorRole, requested: bool | None = None
) -> bool:
    """Whether the comment that comes with a transition is public.

    ``requested`` is the engineer's explicit choice (``None``: the table's default). The
    contact's own words are always public. Raises :class:`CommentVisibilityFixed`
    (``field`` ``public``) when the choice contradicts a row that allows none.
    """
    if actor_role is ActorRole.CONTACT:
        return True
    if requested is None or requested is row.public:
        return row.public
    if not row.choosable:
        fixed = "public" if row.public else "internal"
        raise CommentVisibilityFixed(
            f"the comment of this change is always {fixed}",
            field="public",
            params={"visibility": fixed},
        )
    return requested
