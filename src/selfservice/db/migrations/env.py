"""Alembic environment: the URL (or an engine) comes from the caller, see db/migrate.py.

``alembic -c`` style use also works: ``sqlalchemy.url`` in an ini file, or
``SELFSERVICE_DATABASE_URL`` through Settings when neither is given.
"""

from alembic import context
from sqlalchemy import Engine

import selfservice.db.models  # noqa: F401  (fills the metadata)
from selfservice.db.base import metadata
from selfservice.db.engine import make_engine

config = context.config


def _engine() -> tuple[Engine, bool]:
    engine: Engine | None = config.attributes.get("engine")
    if engine is not None:
        return engine, False
    url: str | None = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        from selfservice.config.settings import load_settings

        url = load_settings().database_url
    return make_engine(url), True


def run_migrations_offline() -> None:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine, owned = _engine()
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=True,  # portable scripts: batch ALTERs work on SQLite and PG
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        if owned:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
