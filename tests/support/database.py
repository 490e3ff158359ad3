"""The database a test stands on: empty (SQLite file or a fresh PostgreSQL schema), then
migrated with the configured support groups."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from selfservice.db.engine import make_engine
from selfservice.db.migrate import upgrade_engine
from selfservice.domain.config import SupportConfig
from selfservice.services import admin
from support.postgres import pg_schema


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


@contextmanager
def empty_database(kind: str, folder: Path, prefix: str = "t") -> Iterator[str]:
    """The URL of an empty database: ``sqlite`` (a file in ``folder``) or ``postgres`` (a
    fresh schema, dropped afterwards; see ``support.postgres``)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'selfservice.db'}"
        return
    with pg_schema(prefix) as url:
        yield url
