"""Administration: organisations and their token secrets, contacts, engineers' API tokens."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from ticket_helpers import T0

from selfservice.db.models import Engineer, Role
from selfservice.domain.enums import Language
from selfservice.domain.errors import DomainError
from selfservice.services import admin
from selfservice.services.errors import Conflict, NotFound


def test_organisation_gets_a_secret_and_rotation_keeps_the_old_one_for_a_while(
    engine: Engine,
) -> None:
    org = admin.add_organisation(engine, id="acme", name="ACME", contract_number="C-1",
                                 time_zone="Asia/Almaty", sla_level="premium",
                                 portal_origins=["https://portal.acme.example"], now=T0)
    assert len(org.token_secret) >= 40 and org.portal_origins == ["https://portal.acme.example"]
    old = org.token_secret
    rotated = admin.rotate_org_secret(engine, org_id="acme", now=T0,
                                      grace=timedelta(days=1))
    assert rotated.token_secret != old and rotated.previous_token_secret == old
    assert admin.valid_secrets(rotated, now=T0 + timedelta(hours=23)) == [
        rotated.token_secret, old]
    assert admin.valid_secrets(rotated, now=T0 + timedelta(days=1)) == [rotated.token_secret]
    with pytest.raises(Conflict):
        admin.add_organisation(engine, id="acme", name="again", contract_number="C-9", now=T0)
    with pytest.raises(DomainError) as bad_zone:
        admin.add_organisation(engine, id="x", name="x", contract_number="1",
                               time_zone="Mars/Olympus", now=T0)
    assert bad_zone.value.code == "invalid_time_zone"
    with pytest.raises(NotFound):
        admin.rotate_org_secret(engine, org_id="nobody", now=T0)


def test_contact_email_is_unique_per_org_case_insensitively(engine: Engine) -> None:
    admin.add_organisation(engine, id="a", name="A", contract_number="1", now=T0)
    admin.add_organisation(engine, id="b", name="B", contract_number="2", now=T0)
    first = admin.add_contact(engine, org_id="a", email="Anna@Example.com", name="Anna",
                              language=Language.RU, now=T0)
    assert first.email == "anna@example.com" and first.language is Language.RU
    with pytest.raises(Conflict):
        admin.add_contact(engine, org_id="a", email="ANNA@example.com", name="Anna 2", now=T0)
    admin.add_contact(engine, org_id="b", email="anna@example.com", name="Anna B", now=T0)
    with pytest.raises(NotFound):
        admin.add_contact(engine, org_id="zzz", email="x@example.com", name="X", now=T0)


def test_engineer_token_is_shown_once_and_stored_hashed(engine: Engine) -> None:
    created = admin.add_engineer(engine, name="Lena", email="lena@support.example",
                                 role=Role.L1, now=T0)
    token = created.api_token
    with Session(engine) as session:
        stored = session.get(Engineer, created.engineer.id)
        assert stored is not None
        assert stored.api_token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in stored.model_dump_json()
    found = admin.engineer_by_token(engine, token=token)
    assert found is not None and found.id == created.engineer.id
    assert admin.engineer_by_token(engine, token=token + "x") is None
    with pytest.raises(Conflict):
        admin.add_engineer(engine, name="Lena 2", email="LENA@support.example", role=Role.L2,
                           now=T0)
    with pytest.raises(NotFound):
        admin.add_engineer(engine, name="Z", email="z@support.example", role=Role.L2,
                           group_id="no-such-group", now=T0)
