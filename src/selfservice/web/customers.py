"""Who the caller is: a verified, authorised contact person (portal token), or anonymous.

Anonymous visitors may search, read and talk to the widget. Filing and following tickets
needs a contact: without a token the answer is 401 ``sign_in_required`` (a message
telling them to sign in through their client portal); a token that does not verify is
401 with the token's own reason (expired, forged, wrong or unknown organisation,
unknown contact), also when it is sent to an endpoint that does not need one.
"""

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from selfservice.domain.idempotency import ANONYMOUS
from selfservice.web.backend import backend_of
from selfservice.web.errors import ApiError
from selfservice.web.idempotency import identify
from selfservice.web.identity import TokenError, bearer_token
from selfservice.web.params import check_common
from selfservice.web.system_api import portal_identity


@dataclass(frozen=True)
class Customer:
    org_id: str
    email: str
    contact_id: int


async def customer(request: Request) -> Customer:
    """The signed-in contact, or 401 (before any other refusal: the caller cannot fix
    their request without signing in first)."""
    if bearer_token(request) is None:
        raise ApiError(401, "sign_in_required", headers={"WWW-Authenticate": "Bearer"})
    check_common(request)
    found = await optional_customer(request)
    assert found is not None
    return found


async def optional_customer(request: Request) -> Customer | None:
    """The signed-in contact when a token is sent (it must verify), else None."""
    check_common(request)
    if bearer_token(request) is None:
        await identify(ANONYMOUS)
        return None
    backend = backend_of(request)
    identity = await portal_identity(request)
    contact_id = await run_in_threadpool(
        backend.directory.contact_id, identity.org_id, identity.email
    )
    if contact_id is None:
        raise TokenError("token_unknown_contact")
    await identify(f"contact:{contact_id}")
    return Customer(identity.org_id, identity.email, contact_id)
