"""The learned classifier in the database: labelled examples from engineers' work,
versions, and running processes that pick up a new version."""

from pathlib import Path

from sqlalchemy import Engine
from ticket_helpers import SERVICE, T0, World

from selfservice.channels.classify import TextClassifier
from selfservice.channels.examples import Example
from selfservice.content.loader import load_content
from selfservice.content.model import Service, Text
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Channel, ClosureCode, Line, TicketType
from selfservice.services import classification, classifier_models, tickets
from selfservice.services.common import Actor
from selfservice.services.registration import register_free_text

REPO = Path(__file__).resolve().parents[2]
TONER = "toner cartridge printer floor {n}"
LAPTOP = "laptop for new colleague {n}"


def _desk_examples() -> list[Example]:
    """A desk where a toner message is an incident (the cold start has no evidence)."""
    return [Example(TONER.format(n=n), TicketType.INCIDENT, "general") for n in range(12)] + [
        Example(LAPTOP.format(n=n), TicketType.REQUEST, "compute") for n in range(12)
    ]


def _ticket(engine: Engine, world: World, config: SupportConfig, subject: str) -> int:
    ticket = register_free_text(
        engine, config=config, contact_id=world.contact_en.id or 0, ticket_type=TicketType.INCIDENT,
        service=SERVICE, subject=subject, description="", channel=Channel.PORTAL, now=T0,
    )
    return ticket.id or 0


def test_engineers_reclassifications_and_completions_are_the_labelled_examples(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    moved = _ticket(engine, world, config, "Please add a DNS record for shop")
    completed = _ticket(engine, world, config, "VPN tunnel down since 9:00")
    _ticket(engine, world, config, "Nobody looked at this one yet")
    engineer = Actor.engineer(world.l1.id or 0)
    dns = Service(id="dns", name=Text("DNS", "DNS"), group="service-desk", line=Line.L1)
    classification.classify(engine, ticket_id=moved, actor=engineer, now=T0, config=config,
                            ticket_type=TicketType.REQUEST, service=dns)
    tickets.start_work(engine, ticket_id=completed, actor=engineer, now=T0, config=config)
    tickets.complete(engine, ticket_id=completed, actor=engineer, now=T0, config=config,
                     closure_code=ClosureCode.RESOLVED, comment="fixed")
    examples = classifier_models.examples_from_db(engine)
    assert [(e.text, e.type, e.service) for e in examples] == [
        ("Please add a DNS record for shop", TicketType.REQUEST, "dns"),
        ("VPN tunnel down since 9:00", TicketType.INCIDENT, SERVICE.id),
    ]


def test_a_running_classifier_picks_up_a_new_model_version(engine: Engine) -> None:
    watcher = classifier_models.ModelWatcher(engine, interval=0.0)
    live = TextClassifier.from_content(load_content(REPO / "kb"), semantic=False).following(
        watcher
    )
    text = TONER.format(n=99)
    assert live.classify(text).type is TicketType.REQUEST
    assert classifier_models.latest_version(engine) is None

    version = classifier_models.store_model(engine, _desk_examples(), source="test", now=T0)
    live.classify(text)  # notices the version and fits it in the background
    watcher.wait()
    result = live.classify(text)
    assert (result.type, result.service) == (TicketType.INCIDENT, "general")
    assert live.learned is not None and live.learned.version == version
    assert any(r.startswith("learnt from 24 tickets") for r in result.reasons)

    second = classifier_models.store_model(
        engine, [Example(e.text, TicketType.REQUEST if e.type is TicketType.INCIDENT
                         else TicketType.INCIDENT, e.service) for e in _desk_examples()],
        source="test", now=T0,
    )
    assert second == version + 1
    live.classify(text)
    watcher.wait()
    assert live.classify(text).type is TicketType.REQUEST


def test_the_watcher_checks_the_database_only_every_interval(engine: Engine) -> None:
    now = [0.0]
    watcher = classifier_models.ModelWatcher(engine, interval=30.0, clock=lambda: now[0])
    assert watcher() is None
    classifier_models.store_model(engine, _desk_examples(), source="test", now=T0)
    now[0] = 29.0
    assert watcher() is None  # not asked yet: the old model keeps serving
    now[0] = 31.0
    watcher()
    watcher.wait()
    assert watcher() is not None and watcher.model is not None
    assert watcher.model.size == 24
