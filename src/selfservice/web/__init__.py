"""The HTTP layer: a thin Starlette app over content, search and (later) services.

Start at ``app.create_app``; the route table is ``routes.py``.
"""
