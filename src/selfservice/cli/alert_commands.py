"""``selfservice alert-source …``: monitoring systems allowed to post alerts, and the
alert mapping check."""

from pathlib import Path

import click

from selfservice.cli.admin_commands import _database, _now
from selfservice.config.settings import load_settings
from selfservice.services import alert_sources


@click.group("alert-source")
def alert_source() -> None:
    """Monitoring systems (Alertmanager, Grafana, Zabbix) that open incidents."""


@alert_source.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(alert_sources.KINDS), required=True,
              help="alertmanager (also Grafana alerting) or zabbix: the endpoint it posts to.")
@click.option("--org", "org_id", required=True,
              help="The organisation its alerts are filed for.")
@click.option("--contact", "contact_email", default=None,
              help="An authorised contact of the organisation filing the incidents (gets "
              "their e-mails, e.g. the on-call address). Default: the organisation's system "
              "contact monitoring@alerts.invalid, which is never mailed.")
def alert_source_add(name: str, kind: str, org_id: str, contact_email: str | None) -> None:
    """Register a monitoring system and print its bearer token (shown once; only its
    hash is stored).

    \b
    Examples:
      selfservice alert-source add prometheus-acme --kind alertmanager --org acme
      selfservice alert-source add zabbix-acme --kind zabbix --org acme \\
          --contact noc@acme.example
    """
    with _database() as engine:
        new = alert_sources.add_source(engine, name=name, kind=kind, org_id=org_id,
                                       contact_email=contact_email, now=_now())
    source = new.source
    click.echo(f"alert source {source.name} ({source.kind}) for {source.org_id}, "
               f"filed as {source.contact_email}")
    click.echo(f"endpoint: /api/v1/alerts/{source.kind}")
    click.echo(f"token: {new.token}")


@alert_source.command("list")
def alert_source_list() -> None:
    """List the alert sources: name, kind, organisation, contact, enabled or not."""
    with _database() as engine:
        found = alert_sources.list_sources(engine)
    for source in found:
        state = "enabled" if source.active else "disabled"
        click.echo(f"{source.name}\t{source.kind}\t{source.org_id}\t{source.contact_email}\t"
                   f"{state}")


@alert_source.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable it again instead.")
def alert_source_disable(name: str, enable: bool) -> None:
    """Refuse a source's token from now on (or accept it again with --enable).

    \b
    Example:
      selfservice alert-source disable prometheus-acme
    """
    with _database() as engine:
        source = alert_sources.set_active(engine, name=name, active=enable)
    click.echo(f"alert source {source.name} {'enabled' if source.active else 'disabled'}")


@alert_source.command("check-mapping")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def alert_source_check_mapping(path: Path | None) -> None:
    """Check an alert mapping file (default: SELFSERVICE_ALERT_MAPPING, else the built-in
    one) against the knowledge base's services; every problem as FILE:LINE: reason.

    \b
    Example:
      selfservice alert-source check-mapping /etc/selfservice/alerts.yml
    """
    from selfservice.config.alert_config import AlertConfigError, load_alert_config
    from selfservice.content.loader import ContentError, load_content

    settings = load_settings()
    try:
        services = load_content(settings.kb_dir).services
        config = load_alert_config(path or settings.alert_mapping, known_services=services)
    except ContentError as error:
        raise click.ClickException(str(error)) from None
    except AlertConfigError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    completes = f"yes, as {config.completed_by}" if config.complete_on_resolve else "no"
    click.echo(f"{config.path}: {len(config.mapping.rules)} rules, "
               f"{len(config.mapping.severity)} severities; complete on resolve: {completes}")
