"""Domain errors: each carries a machine-readable ``code`` and, where it applies, a ``field``.

The web layer maps them to responses (e.g. 409 for a refused transition, 422 for a missing
precondition) without parsing messages; ``params`` fill the placeholders of the
user-facing text of ``code`` (e.g. the lines an engineer may work on).
"""

from collections.abc import Mapping


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    default_code = "domain_error"

    def __init__(
        self, message: str, *, code: str | None = None, field: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.params: dict[str, object] = dict(params or {})

    def __str__(self) -> str:
        return self.message


class TransitionNotAllowed(DomainError):
    """The workflow table has no such transition (or not for this actor)."""

    default_code = "transition_not_allowed"


class ActorNotAllowed(TransitionNotAllowed):
    """The transition exists, but this kind of actor may not perform it."""

    default_code = "actor_not_allowed"


class PreconditionFailed(DomainError):
    """The transition exists, but a condition of its rule is not met (``field`` names it)."""

    default_code = "precondition_failed"


class InvalidEscalation(DomainError):
    default_code = "invalid_escalation"


class NotOnTheLine(DomainError):
    """The acting engineer does not work on the ticket's line (``domain.staffing``)."""

    default_code = "engineer_wrong_line"


class ManagersOnly(DomainError):
    """Only managers may do this (``domain.staffing``)."""

    default_code = "managers_only"


class InvalidAssignee(DomainError):
    """The chosen engineer may not work on the ticket (``domain.staffing``)."""

    default_code = "invalid_assignee"


class CommentVisibilityFixed(DomainError):
    """The caller asked for a visibility the transition's comment cannot have
    (``domain.visibility``)."""

    default_code = "comment_visibility_fixed"


class ConfigError(DomainError):
    """Invalid support configuration; ``path`` is the dotted key path, e.g. ``sla.standard.P1``.

    When several problems were found, ``errors`` lists them all (the first is this one's
    ``path``/``reason``) and the message has one line per problem.
    """

    default_code = "invalid_config"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason, field=path)
        self.path = path
        self.reason = reason
        self.errors: list[ConfigError] = [self]
