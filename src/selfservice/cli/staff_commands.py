"""Staff and customer accounts from the command line: console passwords, lists, disabling.

``engineer passwd|list|disable``, ``org list|disable`` and ``contact list|disable`` join the
``engineer``, ``org`` and ``contact`` groups of ``admin_commands``.
"""

import sys

import click

from selfservice.cli.admin_commands import _database, contact, engineer, org
from selfservice.services import admin, staff_auth


@engineer.command("passwd")
@click.argument("email")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts).")
def engineer_passwd(email: str, password_stdin: bool) -> None:
    """Set an engineer's password for the staff console (/console/login).

    Prompts twice (nothing is echoed); at least 10 characters. Setting a password also
    lifts a sign-in lockout. Only an argon2 hash is stored.

    \b
    Examples:
      selfservice engineer passwd lena@support.example
      printf '%s\\n' "$PASSWORD" | selfservice engineer passwd lena@support.example \\
          --password-stdin
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    with _database() as engine:
        changed = staff_auth.set_password(engine, email=email, password=password)
    click.echo(f"engineer {changed.email}: password set; sign in at /console/login")


@engineer.command("list")
def engineer_list() -> None:
    """List engineers: e-mail, role, group, console password set, active or disabled.

    \b
    Example:
      selfservice engineer list
    """
    with _database() as engine:
        rows = staff_auth.engineers(engine)
    if not rows:
        click.echo("no engineers yet: selfservice engineer add --help")
    for row in rows:
        password = "password set" if row.password_hash else "no password"
        state = "active" if row.active else "DISABLED"
        click.echo(f"{row.email}\t{row.role.value}\t{row.group_id or '-'}\t{password}\t"
                   f"{state}\t{row.name}")


@engineer.command("disable")
@click.argument("email")
def engineer_disable(email: str) -> None:
    """Disable an engineer: their console sessions end and their API token stops working.

    \b
    Example:
      selfservice engineer disable lena@support.example
    """
    with _database() as engine:
        changed = staff_auth.disable_engineer(engine, email=email)
    click.echo(f"engineer {changed.email} disabled: sessions ended, API token refused")


@org.command("list")
def org_list() -> None:
    """List organisations: id, contract, time zone, SLA level, contacts, active or disabled.

    \b
    Example:
      selfservice org list
    """
    with _database() as engine:
        rows = admin.organisations(engine)
    if not rows:
        click.echo("no organisations yet: selfservice org add --help")
    for found, contacts in rows:
        state = "active" if found.active else "DISABLED"
        click.echo(f"{found.id}\t{found.contract_number}\t{found.time_zone}\t"
                   f"{found.sla_level}\t{contacts} contacts\t{state}\t{found.name}")


@org.command("disable")
@click.argument("org_id")
def org_disable(org_id: str) -> None:
    """Disable an organisation: its portal's tokens are refused (within seconds).

    Its tickets stay; engineers still see and finish them.

    \b
    Example:
      selfservice org disable acme
    """
    with _database() as engine:
        changed = admin.disable_organisation(engine, org_id=org_id)
    click.echo(f"organisation {changed.id} disabled: its portal tokens are refused")


@contact.command("list")
@click.option("--org", "org_id", default=None, help="Only this organisation's contacts.")
def contact_list(org_id: str | None) -> None:
    """List contact persons: organisation, e-mail, language, authorised or disabled.

    \b
    Example:
      selfservice contact list --org acme
    """
    with _database() as engine:
        rows = admin.contacts(engine, org_id=org_id)
    if not rows:
        click.echo("no contacts: selfservice contact add --help")
    for row in rows:
        state = "authorised" if row.authorised else "DISABLED"
        click.echo(f"{row.org_id}\t{row.email}\t{row.language.value}\t{state}\t{row.name}")


@contact.command("disable")
@click.option("--org", "org_id", required=True, help="The organisation's id.")
@click.argument("email")
def contact_disable(org_id: str, email: str) -> None:
    """Disable a contact: they may no longer file or follow tickets.

    \b
    Example:
      selfservice contact disable --org acme anna@acme.example
    """
    with _database() as engine:
        changed = admin.disable_contact(engine, org_id=org_id, email=email)
    click.echo(f"contact {changed.email} of {changed.org_id} disabled")
