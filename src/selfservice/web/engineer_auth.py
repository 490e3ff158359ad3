"""Who calls the engineers' API, and what their role lets them do.

``Authorization: Bearer <engineer API token>`` (from ``selfservice engineer add``); only
its sha256 is stored and compared. Missing or unknown: 401 ``engineer_token_required`` /
``engineer_token_invalid``.

Role rules:

* L1, L2, L3 engineers read and act on tickets of their own line (L3 also on tickets it
  escalated to a third party, line ``external``: ``domain.staffing``);
* L2 may also read (watch) L1's queue and tickets, but not act on them;
* managers read everything and may re-prioritise (urgency/impact) and confirm urgency,
  but the lifecycle moves belong to the line that owns the ticket;
* only managers read the metrics.

A refusal is 403 with a code naming the reason (``engineer_wrong_line``,
``engineer_read_only``, ``managers_only``). This is the early answer from a first look at
the ticket; the use cases check the line again on the locked ticket, in their transaction.
"""

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from selfservice.db.models import Role
from selfservice.domain.enums import Line
from selfservice.domain.staffing import works_on
from selfservice.services import admin
from selfservice.web.backend import backend_of
from selfservice.web.errors import ApiError
from selfservice.web.idempotency import identify
from selfservice.web.identity import bearer_token

#: Lines a role may read besides its own.
_WATCHES: dict[Role, frozenset[Line]] = {Role.L2: frozenset({Line.L1})}


@dataclass(frozen=True)
class Staff:
    id: int
    role: Role
    group_id: str | None

    @property
    def is_manager(self) -> bool:
        return self.role is Role.MANAGER

    @property
    def line(self) -> Line | None:
        return None if self.is_manager else Line(self.role.value)

    def may_read(self, line: Line) -> bool:
        return self.is_manager or self.may_act(line) or line in _WATCHES.get(self.role, ())

    def may_act(self, line: Line) -> bool:
        return works_on(self.line, line)


async def staff(request: Request) -> Staff:
    """The engineer the bearer token belongs to, or 401."""
    token = bearer_token(request)
    if token is None:
        raise ApiError(401, "engineer_token_required", headers={"WWW-Authenticate": "Bearer"})
    if len(token) > 200:
        raise ApiError(401, "engineer_token_invalid", headers={"WWW-Authenticate": "Bearer"})
    backend = backend_of(request)
    engineer = await run_in_threadpool(admin.engineer_by_token, backend.engine, token=token)
    if engineer is None or engineer.id is None:
        raise ApiError(401, "engineer_token_invalid", headers={"WWW-Authenticate": "Bearer"})
    await identify(f"engineer:{engineer.id}")
    return Staff(engineer.id, engineer.role, engineer.group_id)


def require_read(who: Staff, line: Line) -> None:
    if not who.may_read(line):
        raise ApiError(403, "engineer_wrong_line", field="line", role=who.role.value,
                       line=line.value)


def require_act(who: Staff, line: Line, *, managers: bool = False) -> None:
    """``managers``: managers may do this too (re-prioritising)."""
    if managers and who.is_manager:
        return
    if who.may_act(line):
        return
    code = "engineer_read_only" if who.may_read(line) else "engineer_wrong_line"
    raise ApiError(403, code, field="line", role=who.role.value, line=line.value)


def require_manager(who: Staff) -> None:
    if not who.is_manager:
        raise ApiError(403, "managers_only", role=who.role.value)
