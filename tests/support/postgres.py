"""A fresh PostgreSQL schema per test on the server of ``SELFSERVICE_TEST_PG_URL``.

The schema's URL puts it first on ``search_path``, so a test sees only its own tables; it
is dropped afterwards. An unreachable server skips the test, or fails it when ``CI`` is
set (CI always has PostgreSQL).
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy.engine import make_url

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pg_base_url() -> str:
    return os.environ.get("SELFSERVICE_TEST_PG_URL", DEFAULT_PG_URL)


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg wants it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def require_postgres() -> None:
    try:
        with psycopg.connect(libpq_url(pg_base_url()), connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL unreachable at {pg_base_url()}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@dataclass(frozen=True)
class PgSchema:
    name: str
    url: str


def create_pg_schema(prefix: str = "t") -> PgSchema:
    """A fresh schema; the returned URL puts it first on ``search_path``."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq_url(pg_base_url()), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    url = make_url(pg_base_url()).update_query_dict({"options": f"-csearch_path={name}"})
    return PgSchema(name, url.render_as_string(hide_password=False))


def drop_pg_schema(name: str) -> None:
    with psycopg.connect(libpq_url(pg_base_url()), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@contextmanager
def pg_schema(prefix: str = "t") -> Iterator[str]:
    """``with pg_schema() as url``: a fresh schema's URL, dropped on exit."""
    require_postgres()
    schema = create_pg_schema(prefix)
    try:
        yield schema.url
    finally:
        drop_pg_schema(schema.name)
