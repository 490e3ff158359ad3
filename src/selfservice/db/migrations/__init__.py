"""Alembic migrations of the selfservice database (see README.md here)."""
