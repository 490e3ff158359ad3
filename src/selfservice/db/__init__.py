"""Persistence: sqlmodel tables, the engine factory, transactions, alembic migrations.

Nothing here commits on its own except :func:`selfservice.db.session.transaction`;
the use cases in ``selfservice.services`` open exactly one transaction each.
"""
