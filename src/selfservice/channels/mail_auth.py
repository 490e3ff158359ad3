"""Did the sender's domain really send this e-mail? The verdict of the trusted MTA.

The MTA in front of the gateway checks SPF, DKIM and DMARC and records the results in an
``Authentication-Results`` header (RFC 8601) that starts with its own *authserv-id*.
Anybody can write such a header into a message, so only those carrying the configured
authserv-id count (an MTA removes incoming ones that claim its id, RFC 8601 §5).

The From domain counts as authenticated when such a header says

* ``dmarc=pass`` for it (``header.from``), or
* ``spf=pass`` for an envelope sender (``smtp.mailfrom``) in the same domain or one of
  its subdomains or parents (relaxed alignment without the public-suffix list: a forger
  cannot pass SPF for a domain of the victim's).

Everything else — no header, another authserv-id, ``fail``, ``none``, ``temperror``, a
pass for an unrelated domain — is "not authenticated".
"""

import re
from dataclasses import dataclass

__all__ = ["AuthResult", "Verdict", "from_domain_authenticated", "parse_authentication_results"]

_COMMENT = re.compile(r"\([^()]*\)")
_VERSION = re.compile(r"^\d+$")


@dataclass(frozen=True)
class AuthResult:
    """One ``method=result`` of a header, with its properties (``header.from`` …)."""

    method: str
    result: str
    properties: dict[str, str]


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str


def _strip_comments(value: str) -> str:
    previous = None
    while previous != value:  # nested comments: innermost first
        previous, value = value, _COMMENT.sub(" ", value)
    return value


def parse_authentication_results(value: str) -> tuple[str, list[AuthResult]]:
    """``(authserv_id, results)`` of one header value; ``("", [])`` when unreadable."""
    parts = [p.strip() for p in _strip_comments(value).split(";")]
    head = parts[0].split() if parts else []
    if not head:
        return "", []
    authserv_id = head[0].strip('"').lower()
    if len(head) > 1 and not _VERSION.match(head[1]):
        return "", []
    results: list[AuthResult] = []
    for part in parts[1:]:
        tokens = part.split()
        if not tokens or "=" not in tokens[0]:
            continue  # "none" (no checks were made) or garbage
        method, _, result = tokens[0].partition("=")
        properties: dict[str, str] = {}
        for token in tokens[1:]:
            key, eq, prop = token.partition("=")
            if eq and "." in key:
                properties[key.lower()] = prop.strip('"').lower()
        results.append(AuthResult(method.split("/")[0].lower(), result.lower(), properties))
    return authserv_id, results


def _domain_of(value: str) -> str:
    return value.rpartition("@")[2].strip().strip(".<>").lower()


def _aligned(a: str, b: str) -> bool:
    return bool(a and b) and (a == b or a.endswith("." + b) or b.endswith("." + a))


def from_domain_authenticated(
    headers: list[str], *, authserv_id: str, from_address: str | None
) -> Verdict:
    """Whether the trusted MTA (``authserv_id``) vouches for the From address's domain."""
    domain = _domain_of(from_address or "")
    if not domain:
        return Verdict(False, "no From address to authenticate")
    trusted = authserv_id.strip().lower()
    ours = [results for sid, results in map(parse_authentication_results, headers)
            if sid and sid == trusted]
    if not ours:
        return Verdict(False, f"no Authentication-Results header of {trusted}")
    for results in ours:
        for item in results:
            if item.result != "pass":
                continue
            if item.method == "dmarc" and item.properties.get("header.from", domain) == domain:
                return Verdict(True, f"{domain} passed DMARC at {trusted}")
            mailfrom = _domain_of(item.properties.get("smtp.mailfrom", ""))
            if item.method == "spf" and _aligned(mailfrom, domain):
                return Verdict(True, f"{domain} passed SPF (aligned) at {trusted}")
    return Verdict(False, f"{domain} passed neither DMARC nor aligned SPF at {trusted}")
