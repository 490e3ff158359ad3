"""The demo data ``selfservice serve --demo`` seeds: one organisation, an authorised
contact and an L1, L2 and L3 engineer. Idempotent: what exists is left alone, so the
second run creates nothing (and cannot show engineer tokens again: only hashes are kept).

Fixed names, so the README and checks can rely on them: organisation ``demo``, contact
``demo@example.com``.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from selfservice.db.models import Organisation, Role
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Language, Line
from selfservice.services import admin, portal
from selfservice.services.errors import Conflict

DEMO_ORG = "demo"
DEMO_CONTACT = "demo@example.com"
DEMO_PHONE = "+1 555 0100"
#: (role, name, e-mail, line of the group they join)
DEMO_ENGINEERS = (
    (Role.L1, "Lena First-Line", "l1@demo.example", Line.L1),
    (Role.L2, "Oleg Second-Line", "l2@demo.example", Line.L2),
    (Role.L3, "Ivan Third-Line", "l3@demo.example", Line.L3),
)


@dataclass
class DemoSeed:
    org: Organisation
    created: list[str] = field(default_factory=list)
    #: Engineer e-mail -> API token, for the engineers created by this run only.
    engineer_tokens: dict[str, str] = field(default_factory=dict)


def seed_demo(engine: Engine, *, config: SupportConfig, now: datetime) -> DemoSeed:
    """Create whatever part of the demo data is missing (each item in its own transaction)."""
    created: list[str] = []
    org = portal.organisation(engine, org_id=DEMO_ORG)
    if org is None:
        org = admin.add_organisation(
            engine, id=DEMO_ORG, name="Demo Company", contract_number="DEMO-1", now=now,
            support_phone=DEMO_PHONE,
        )
        created.append(f"organisation {DEMO_ORG}")
    try:
        admin.add_contact(engine, org_id=DEMO_ORG, email=DEMO_CONTACT, name="Demo Contact",
                          language=Language.EN, now=now)
        created.append(f"contact {DEMO_CONTACT}")
    except Conflict:
        pass
    seed = DemoSeed(org=org, created=created)
    for role, name, email, line in DEMO_ENGINEERS:
        group = next((g.id for g in config.groups.values() if g.line is line), None)
        try:
            new = admin.add_engineer(engine, name=name, email=email, role=role, group_id=group,
                                     now=now)
        except Conflict:
            continue
        created.append(f"{role.value} engineer {email}")
        seed.engineer_tokens[email] = new.api_token
    return seed
