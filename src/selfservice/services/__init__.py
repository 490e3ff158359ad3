"""Use cases, one transaction each: load and lock -> ask the domain -> store -> outbox.

Every function takes the engine and keyword-only arguments, receives ``now`` instead of
reading a clock, and returns the stored row (detached, readable) or a small dataclass.
Domain refusals propagate as ``selfservice.domain.errors.DomainError`` subclasses;
``selfservice.services.errors`` adds NotFound and Forbidden (also DomainErrors).
"""
