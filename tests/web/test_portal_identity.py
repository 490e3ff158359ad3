from datetime import UTC, datetime, timedelta

import jwt
import pytest

from selfservice.web.identity import (
    MAX_TTL,
    OrgKeys,
    StaticDirectory,
    TokenError,
    authenticate,
    mint_token,
    verify_token,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SECRET = "acme-current-secret-0123456789abcdef"
OLD_SECRET = "acme-previous-secret-0123456789abcdef"
OTHER_SECRET = "globex-secret-0123456789abcdef-xyz"
KEYS = OrgKeys("acme", SECRET)


def code_of(
    token: str | None,
    keys: OrgKeys | None = KEYS,
    *,
    now: datetime = NOW,
    expected_org: str | None = None,
) -> str:
    with pytest.raises(TokenError) as info:
        verify_token(token, keys, now=now, expected_org=expected_org)
    return info.value.code


def test_a_minted_token_verifies() -> None:
    token = mint_token("acme", SECRET, "anna@acme.example", timedelta(hours=1), now=NOW)
    identity = verify_token(token, KEYS, now=NOW + timedelta(minutes=59))
    assert identity.org_id == "acme"
    assert identity.email == "anna@acme.example"
    assert identity.expires_at == NOW + timedelta(hours=1)


def test_expired() -> None:
    token = mint_token("acme", SECRET, "anna@acme.example", timedelta(minutes=5), now=NOW)
    assert code_of(token, now=NOW + timedelta(minutes=10)) == "token_expired"


def test_forged_signature() -> None:
    token = mint_token("acme", OTHER_SECRET, "anna@acme.example", now=NOW)
    assert code_of(token) == "token_forged"


def test_tampered_claims_are_forged() -> None:
    token = mint_token("acme", SECRET, "anna@acme.example", now=NOW)
    header, _, signature = token.split(".")
    other = mint_token("acme", SECRET, "boss@acme.example", now=NOW).split(".")[1]
    assert code_of(f"{header}.{other}.{signature}") == "token_forged"


def test_wrong_org_for_the_request() -> None:
    token = mint_token("acme", SECRET, "anna@acme.example", now=NOW)
    assert code_of(token, expected_org="globex") == "token_wrong_org"


def test_keys_of_another_org_are_refused() -> None:
    token = mint_token("acme", SECRET, "anna@acme.example", now=NOW)
    assert code_of(token, OrgKeys("globex", SECRET)) == "token_wrong_org"


def test_unknown_org() -> None:
    token = mint_token("nobody", SECRET, "anna@acme.example", now=NOW)
    assert code_of(token, None) == "token_unknown_org"


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (None, "token_missing"),
        ("", "token_missing"),
        ("not-a-jwt", "token_malformed"),
        ("a.b.c", "token_malformed"),
        ("eyJhbGciOiJIUzI1NiJ9.e30.sig", "token_malformed"),  # {"alg":"HS256"}.{}: no org
    ],
)
def test_missing_or_malformed(token: str | None, code: str) -> None:
    assert code_of(token) == code


def test_claims_of_the_wrong_type_are_malformed() -> None:
    exp = NOW + timedelta(minutes=5)
    no_email = jwt.encode({"sub": "anna", "org": "acme", "exp": exp}, SECRET, algorithm="HS256")
    no_exp = jwt.encode({"sub": "a@acme.example", "org": "acme"}, SECRET, algorithm="HS256")
    hs512 = jwt.encode(
        {"sub": "a@acme.example", "org": "acme", "exp": exp}, SECRET * 2, algorithm="HS512"
    )
    assert code_of(no_email) == "token_malformed"
    assert code_of(no_exp) == "token_malformed"
    assert code_of(hs512) == "token_malformed"


def test_alg_none_is_refused() -> None:
    claims = {"sub": "a@acme.example", "org": "acme", "exp": NOW + timedelta(minutes=5)}
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert code_of(unsigned) == "token_malformed"


def test_too_long_lived_tokens_are_refused() -> None:
    claims = {"sub": "a@acme.example", "org": "acme", "iat": NOW, "exp": NOW + timedelta(hours=3)}
    assert code_of(jwt.encode(claims, SECRET, algorithm="HS256")) == "token_too_long_lived"
    no_iat = {"sub": "a@acme.example", "org": "acme", "exp": NOW + timedelta(days=30)}
    assert code_of(jwt.encode(no_iat, SECRET, algorithm="HS256")) == "token_too_long_lived"
    exactly = mint_token("acme", SECRET, "a@acme.example", MAX_TTL, now=NOW)
    assert verify_token(exactly, KEYS, now=NOW).expires_at == NOW + MAX_TTL


def test_minting_refuses_long_ttls_and_short_secrets() -> None:
    with pytest.raises(ValueError, match="ttl"):
        mint_token("acme", SECRET, "a@acme.example", timedelta(hours=3))
    with pytest.raises(ValueError, match="32 bytes"):
        mint_token("acme", "short", "a@acme.example")
    with pytest.raises(ValueError, match="32 bytes"):
        OrgKeys("acme", "short")


def test_rotation_accepts_the_previous_secret_during_the_grace_period() -> None:
    rotated = OrgKeys("acme", SECRET, OLD_SECRET, previous_valid_until=NOW + timedelta(days=7))
    old_token = mint_token("acme", OLD_SECRET, "anna@acme.example", now=NOW)
    new_token = mint_token("acme", SECRET, "anna@acme.example", now=NOW)
    assert verify_token(old_token, rotated, now=NOW).email == "anna@acme.example"
    assert verify_token(new_token, rotated, now=NOW).email == "anna@acme.example"


def test_rotation_refuses_the_previous_secret_after_the_grace_period() -> None:
    rotated = OrgKeys("acme", SECRET, OLD_SECRET, previous_valid_until=NOW)
    later = NOW + timedelta(minutes=1)
    old_token = mint_token("acme", OLD_SECRET, "anna@acme.example", now=later)
    assert code_of(old_token, rotated, now=later) == "token_forged"
    assert verify_token(mint_token("acme", SECRET, "a@acme.example", now=later), rotated, now=later)


def test_authenticate_checks_the_contact_list() -> None:
    directory = StaticDirectory(
        keys={"acme": KEYS}, contacts={"acme": frozenset({"Anna@acme.example"})}
    )
    token = mint_token("acme", SECRET, "anna@acme.example", now=NOW)
    assert authenticate(token, directory, now=NOW).email == "anna@acme.example"
    stranger = mint_token("acme", SECRET, "eve@acme.example", now=NOW)
    with pytest.raises(TokenError) as info:
        authenticate(stranger, directory, now=NOW)
    assert info.value.code == "token_unknown_contact"
