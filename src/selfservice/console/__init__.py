"""The staff console: server-rendered pages under ``/console`` for engineers and managers.

``login`` signs in and out, ``queue`` lists a line's or group's tickets, ``ticket`` shows
one ticket and runs the actions its workflow allows, ``dashboard`` draws the managers'
metrics, ``authors`` shows content gaps and article performance, ``phone`` registers a
call; ``pages`` holds the session cookie,
CSRF check, language and template rendering they share. Every decision is a use case's
(``services``), every rule the domain's: these modules read forms and render answers.
"""

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from selfservice.console import authors, dashboard, login, phone, queue, ticket
from selfservice.console.pages import STATIC

#: Where the console is served.
CONSOLE_PATH = "/console"


def console_routes() -> list[BaseRoute]:
    """The console's routes, mounted at :data:`CONSOLE_PATH`."""
    routes: list[BaseRoute] = [
        *login.routes(),
        *queue.routes(),
        *ticket.routes(),
        *dashboard.routes(),
        *authors.routes(),
        *phone.routes(),
        Mount("/static", app=StaticFiles(directory=STATIC), name="console-static"),
    ]
    return [Mount(CONSOLE_PATH, routes=routes), Route(CONSOLE_PATH, login.to_queue)]
