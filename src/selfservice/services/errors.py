"""Errors of the use-case layer; DomainError subclasses so the web layer maps them too."""

from selfservice.content.validation import FieldError
from selfservice.domain.errors import DomainError


class NotFound(DomainError):
    """No such organisation, contact, engineer, group or ticket (``field`` says which)."""

    default_code = "not_found"


class Forbidden(DomainError):
    """The actor may not do this to this ticket (e.g. a contact of another organisation)."""

    default_code = "forbidden"


class Conflict(DomainError):
    """The change clashes with stored data (e.g. an e-mail already registered)."""

    default_code = "conflict"


class InvalidSubmission(DomainError):
    """A request form submission failed ``content.validation``; ``errors`` has one entry
    per field (with the message in both languages)."""

    default_code = "invalid_submission"

    def __init__(self, errors: tuple[FieldError, ...]) -> None:
        fields = ", ".join(e.field or "(form)" for e in errors)
        super().__init__(f"the form has errors: {fields}", field=errors[0].field or None)
        self.errors = errors
