"""What several test packages share: the fixture knowledge base and its search index (built
once per session), a PostgreSQL schema per test, loopback ports and server processes.

The test folders have no ``__init__.py``; pytest puts ``tests/`` on ``sys.path`` (the
root ``conftest.py`` lives there), so a test imports ``from support.postgres import ...``.
"""
