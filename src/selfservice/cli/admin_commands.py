"""Administration from the command line: organisations, contacts, engineers, portal tokens.

Every command works on SELFSERVICE_DATABASE_URL and brings the database up to date first
(migrations and support groups), so it also works before the first ``selfservice serve``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import click
from sqlalchemy import Engine

from selfservice.config.settings import load_settings
from selfservice.config.support_config import SupportConfigError, load_support_config
from selfservice.db import migrate
from selfservice.db.engine import make_engine
from selfservice.db.models import Role
from selfservice.domain.enums import Language
from selfservice.domain.errors import DomainError
from selfservice.services import admin, portal


@contextmanager
def _database() -> Iterator[Engine]:
    settings = load_settings()
    try:
        config = load_support_config(settings.config_file)
    except SupportConfigError as error:
        raise click.ClickException(f"support configuration:\n{error}") from None
    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade_engine(engine)
        admin.sync_support_groups(engine, config=config)
        yield engine
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    finally:
        engine.dispose()


def _now() -> datetime:
    return datetime.now(UTC)


@click.group()
def org() -> None:
    """Client organisations: register one, rotate its portal token secret."""


@org.command("add")
@click.argument("org_id")
@click.option("--name", required=True, help="The organisation's name.")
@click.option("--contract", "contract", required=True, help="Contract number.")
@click.option("--time-zone", default="UTC", show_default=True,
              help="IANA time zone for business-hours SLA calendars, e.g. Europe/Moscow.")
@click.option("--sla-level", default="standard", show_default=True,
              help="SLA level of the contract (a key of the support configuration).")
@click.option("--phone", default=None,
              help="Support phone the widget shows for confirming high urgency.")
@click.option("--origin", "origins", multiple=True,
              help="A web origin of the organisation's portal allowed to embed the widget "
              "and call the API (repeatable), e.g. https://portal.acme.example.")
@click.option("--portal-url", default=None,
              help="The ticket's page in the organisation's portal, linked from every e-mail; "
              "{number} becomes the ticket number, e.g. https://portal.acme.example/tickets/"
              "{number}. Unset: the support config's mail.portal_url.")
def org_add(org_id: str, name: str, contract: str, time_zone: str, sla_level: str,
            phone: str | None, origins: tuple[str, ...], portal_url: str | None) -> None:
    """Register a client organisation and print its portal token secret.

    The portal signs its contacts' tokens with this secret (HS256, see the README's
    "Identity" section); keep it secret.

    \b
    Example:
      selfservice org add acme --name "ACME Ltd" --contract C-17 \\
          --time-zone Europe/Moscow --phone "+7 495 000-00-00" \\
          --origin https://portal.acme.example
    """
    from selfservice.web.hardening import normalise_origin

    try:
        clean = [normalise_origin(o) for o in origins]
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--origin") from None
    with _database() as engine:
        created = admin.add_organisation(
            engine, id=org_id, name=name, contract_number=contract, now=_now(),
            time_zone=time_zone, sla_level=sla_level, support_phone=phone, portal_origins=clean,
            portal_url=portal_url,
        )
    click.echo(f"organisation {created.id} registered")
    click.echo(f"token secret: {created.token_secret}")


@org.command("set-portal-url")
@click.argument("org_id")
@click.argument("portal_url")
def org_set_portal_url(org_id: str, portal_url: str) -> None:
    """Set the link to a ticket in the organisation's portal ("" to use the fallback).

    \b
    Example:
      selfservice org set-portal-url acme "https://portal.acme.example/tickets/{number}"
    """
    with _database() as engine:
        org = admin.set_portal_url(engine, org_id=org_id, portal_url=portal_url)
    click.echo(f"organisation {org.id}: portal URL {org.portal_url or '(the fallback)'}")


@org.command("set-locations")
@click.argument("org_id")
@click.argument("locations", nargs=-1)
def org_set_locations(org_id: str, locations: tuple[str, ...]) -> None:
    """Say where the organisation's resources live: zones, regions, clusters.

    A known problem naming one of them (e.g. from a customer-visible alert of zone
    ru-1b) affects the organisation: its contacts see the notice, their tickets about
    it become the problem's children. No LOCATIONS: clear the list.

    \b
    Example:
      selfservice org set-locations acme ru-1 ru-1b k8s-prod-2
    """
    with _database() as engine:
        org = admin.set_locations(engine, org_id=org_id, locations=list(locations))
    click.echo(f"organisation {org.id}: locations {', '.join(org.locations) or '(none)'}")


@org.command("rotate-secret")
@click.argument("org_id")
@click.option("--grace-days", type=click.FloatRange(min=0), default=7.0, show_default=True,
              help="How long the previous secret keeps verifying tokens.")
def org_rotate_secret(org_id: str, grace_days: float) -> None:
    """Give an organisation a new token secret and print it.

    Tokens signed with the previous secret stay valid for the grace period, so the
    portal can switch without downtime.

    \b
    Example:
      selfservice org rotate-secret acme --grace-days 2
    """
    with _database() as engine:
        rotated = admin.rotate_org_secret(engine, org_id=org_id, now=_now(),
                                          grace=timedelta(days=grace_days))
    until = rotated.previous_secret_valid_until
    click.echo(f"token secret: {rotated.token_secret}")
    click.echo(f"the previous secret stays valid until {until.isoformat() if until else '-'}")


@click.group()
def contact() -> None:
    """Contact persons of client organisations (only they may file tickets)."""


@contact.command("add")
@click.option("--org", "org_id", required=True, help="The organisation's id.")
@click.option("--email", required=True, help="The contact's e-mail (their portal identity).")
@click.option("--name", required=True, help="Full name.")
@click.option("--language", type=click.Choice([lang.value for lang in Language]),
              default="en", show_default=True, help="Language of e-mail notifications.")
@click.option("--phone", default=None, help="Phone number.")
@click.option("--not-authorised", is_flag=True,
              help="Registered but not (yet) authorised to file tickets.")
def contact_add(org_id: str, email: str, name: str, language: str, phone: str | None,
                not_authorised: bool) -> None:
    """Register a contact person of an organisation.

    \b
    Example:
      selfservice contact add --org acme --email anna@acme.example --name "Anna Petrova" \\
          --language ru
    """
    with _database() as engine:
        added = admin.add_contact(engine, org_id=org_id, email=email, name=name, now=_now(),
                                  language=Language(language), phone=phone,
                                  authorised=not not_authorised)
    state = "not authorised to file" if not_authorised else "authorised to file tickets"
    click.echo(f"contact {added.email} of {org_id} registered ({state})")


@click.group()
def engineer() -> None:
    """Support engineers (L1, L2, L3, managers) and their API tokens."""


@engineer.command("add")
@click.option("--name", required=True, help="Full name.")
@click.option("--email", required=True, help="E-mail (unique).")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True,
              help="Support line, or manager.")
@click.option("--group", "group_id", default=None,
              help="Support group id from the support configuration, e.g. service-desk.")
def engineer_add(name: str, email: str, role: str, group_id: str | None) -> None:
    """Register an engineer and print their API token (shown once, only its hash is kept).

    \b
    Example:
      selfservice engineer add --name "Lena Ivanova" --email lena@support.example \\
          --role L1 --group service-desk
    """
    with _database() as engine:
        new = admin.add_engineer(engine, name=name, email=email, role=Role(role),
                                 group_id=group_id, now=_now())
    click.echo(f"engineer {new.engineer.email} ({role}) registered")
    click.echo(f"API token: {new.api_token}")


@click.command()
@click.option("--org", "org_id", required=True, help="The organisation's id.")
@click.option("--contact", "email", required=True, help="The contact's e-mail.")
@click.option("--ttl", type=click.IntRange(1, 7200), default=3600, show_default=True,
              help="Seconds the token is valid (at most 2 hours).")
def token(org_id: str, email: str, ttl: int) -> None:
    """Print a portal token for a contact, as their organisation's portal would sign it.

    For trying the API and for support staff acting on a contact's behalf in tests; in
    production the client portal mints tokens itself. Prints only the token:

    \b
    Example:
      TOKEN=$(selfservice token --org demo --contact demo@example.com)
      curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/v1/tickets
    """
    from selfservice.web.identity import mint_token

    with _database() as engine:
        organisation = portal.organisation(engine, org_id=org_id)
        if organisation is None:
            raise click.ClickException(f"no organisation {org_id!r}")
        if portal.authorised_contact(engine, org_id=org_id, email=email) is None:
            raise click.ClickException(f"{email} is not an authorised contact of {org_id}")
    click.echo(mint_token(org_id, organisation.token_secret, email.strip().lower(),
                          ttl=timedelta(seconds=ttl)))
