"""A migrated database with the configured support groups, the ground most tests stand on."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from selfservice.db.engine import make_engine
from selfservice.db.migrate import upgrade_engine
from selfservice.domain.config import SupportConfig
from selfservice.services import admin


@contextmanager
def migrated_engine(url: str, config: SupportConfig) -> Iterator[Engine]:
    """``with migrated_engine(url, config) as engine``: migrated, groups synced, disposed."""
    engine = make_engine(url)
    try:
        upgrade_engine(engine)
        admin.sync_support_groups(engine, config=config)
        yield engine
    finally:
        engine.dispose()
