"""`hub access plan | apply | add-agency | remove-agency | rotate-password`: the broker's
users and ACLs, from the directory (docs/security.md, "Onboarding an agency").

They connect as HUB_KAFKA_* say, which for these commands is an operator's user allowed to
alter the cluster, and in production never in the clear (a new password's SCRAM credential
is all a client needs to log in); with no broker configured, the project's own broker as
its admin user, with the credentials kept beside it."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from hub.access.plan import AccessPlan, access_plan, agency_sharing_the_group
from hub.access.senders import Agency, agencies, recipients_only
from hub.kafka.security import HUB_USER
from hub.settings import HubSettings, KafkaSettings, SettingsError, read_settings

if TYPE_CHECKING:
    from hub.kafka.connection import KafkaConnection

access_app = typer.Typer(
    help="Who may read and write what on the broker: one user per agency, deny by default.",
    no_args_is_help=True,
)
T = TypeVar("T")
EXIT_REFUSED, EXIT_UNAVAILABLE = 1, 3

AgencyCodes = Annotated[
    list[str] | None,
    typer.Option("--agency", help="only this agency (a directory code; repeatable)"),
]
Credentials = Annotated[
    Path | None,
    typer.Option(
        help="folder for new users' password files (0600); default: beside the project's "
        "own broker when no HUB_KAFKA_BOOTSTRAP is set, else required"
    ),
]
HubUser = Annotated[str, typer.Option(help="the hub's own Kafka user")]


def _settings() -> HubSettings:
    try:
        return read_settings(HubSettings)
    except SettingsError as error:
        typer.echo(f"refused: {error}", err=True)
        raise typer.Exit(2) from None


def _chosen(codes: list[str] | None, settings: HubSettings) -> tuple[list[Agency], list[str]]:
    """The agencies, and the recipients that send nothing (the Home Office), chosen."""
    from hub.bootstrap import directory_of

    directory = directory_of(settings)
    known, readers = agencies(directory), recipients_only(directory)
    sharing = agency_sharing_the_group(settings.group_id, [*known, *readers])
    if sharing is not None:
        typer.echo(
            f"refused: HUB_GROUP_ID {settings.group_id!r} is among {sharing}'s consumer "
            f"groups ({sharing}.*), which {sharing} may join: name the hub's group otherwise",
            err=True,
        )
        raise typer.Exit(2)
    if not codes:
        return list(known.values()), list(readers)
    unknown = [code for code in codes if code not in known and code not in readers]
    if unknown:
        typer.echo(
            f"--agency: not a force, authority or recipient of the directory: {unknown}",
            err=True,
        )
        raise typer.Exit(EXIT_REFUSED)
    return [known[code] for code in codes if code in known], [c for c in codes if c in readers]


def _plan(codes: list[str] | None, hub_user: str) -> AccessPlan:
    settings = _settings()
    chosen, readers = _chosen(codes, settings)
    return access_plan(chosen, hub_user, settings.topic_prefix, settings.group_id, readers)


@access_app.command("plan")
def plan(agency: AgencyCodes = None, hub_user: HubUser = HUB_USER) -> None:
    """Print the users, topics and ACLs (every agency of the directory by default)."""
    typer.echo(_plan(agency, hub_user).render())


def _connection_and_credentials(credentials: Path | None) -> tuple[KafkaConnection, Path]:
    from hub.bootstrap import kafka_connection, refuse_plaintext
    from hub.devtools.kafka_local import ADMIN_USER, local_broker

    if read_settings(KafkaSettings).bootstrap:
        if credentials is None:
            typer.echo("--credentials: required with a configured broker", err=True)
            raise typer.Exit(2)
        try:
            kafka = kafka_connection()
            # A new password goes to the broker salted (RFC 5802's Hi()), which is all a
            # SCRAM client needs to log in: never in the clear in production.
            refuse_plaintext(read_settings(HubSettings), kafka)
            return kafka, credentials
        except SettingsError as error:
            typer.echo(f"refused: {error}", err=True)
            raise typer.Exit(2) from None
    broker = local_broker()
    if broker.running_pid() is None:
        typer.echo("the project's broker is not running: `hub kafka up` first", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE)
    return broker.connection(ADMIN_USER), credentials or broker.secrets


def _on_the_cluster(doing: str, work: Coroutine[Any, Any, T]) -> T:
    """Run one command's work; the cluster's refusal, or a broker or file it cannot reach,
    ends the command naming what failed (exit 3), never with a traceback."""
    from aiokafka.errors import KafkaError

    from hub.kafka.access_admin import AccessRefused

    try:
        return asyncio.run(work)
    except (AccessRefused, KafkaError, OSError) as error:
        typer.echo(f"could not {doing}: {error}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from None


def _apply(codes: list[str] | None, hub_user: str, credentials: Path | None, again: bool) -> None:
    """`again`: the agencies named are onboarded even if offboarded before (add-agency);
    else those are left out (apply)."""
    from hub.access.apply import apply_plan, offboarded, onboard_again

    settings = _settings()
    chosen, readers = _chosen(codes, settings)
    kafka, folder = _connection_and_credentials(credentials)
    gone = set() if again else offboarded(folder)
    left_out = sorted(code for code in [a.code for a in chosen] + readers if code in gone)
    chosen = [agency for agency in chosen if agency.code not in gone]
    readers = [code for code in readers if code not in gone]
    plan = access_plan(chosen, hub_user, settings.topic_prefix, settings.group_id, readers)
    work = apply_plan(kafka, plan, folder, settings.topic_config())
    applied = _on_the_cluster("apply the access plan", work)
    for code in [*(agency.code for agency in plan.agencies), *plan.recipients] if again else ():
        # Only once the cluster took it: a refusal leaves the agency offboarded still.
        onboard_again(folder, code)
    applied.offboarded = left_out
    typer.echo(applied.render(folder))


@access_app.command("apply")
def apply(
    agency: AgencyCodes = None, hub_user: HubUser = HUB_USER, credentials: Credentials = None
) -> None:
    """Create the missing users, ACLs and agency topics (idempotent); an agency offboarded
    by remove-agency is left out."""
    _apply(agency, hub_user, credentials, again=False)


@access_app.command("add-agency")
def add_agency(
    code: Annotated[str, typer.Argument(help="the agency's directory code")],
    hub_user: HubUser = HUB_USER,
    credentials: Credentials = None,
) -> None:
    """Onboard one agency: its user, its topics and its ACLs (again, if offboarded)."""
    _apply([code], hub_user, credentials, again=True)


@access_app.command("remove-agency")
def remove(
    code: Annotated[str, typer.Argument(help="the agency's code (its Kafka user)")],
    credentials: Credentials = None,
) -> None:
    """Offboard an agency: its ACLs, its credential and its password file go at once."""
    from hub.access.apply import remove_agency

    if code == HUB_USER:
        typer.echo("remove-agency: the hub's own user is not an agency's", err=True)
        raise typer.Exit(EXIT_REFUSED)
    kafka, folder = _connection_and_credentials(credentials)
    removed = _on_the_cluster("remove the agency", remove_agency(kafka, code, folder))
    typer.echo(f"{code}: {removed} ACLs and its credential removed; its topics are kept")


@access_app.command("rotate-password")
def rotate(
    user: Annotated[str, typer.Argument(help="the user (an agency's code, or the hub's)")],
    credentials: Credentials = None,
) -> None:
    """Give a user a new password, written to <credentials>/<user>.password; never the
    brokers' own (docs/security.md)."""
    from hub.access.apply import rotate_password
    from hub.devtools.kafka_local import ADMIN_USER

    if user == ADMIN_USER:
        # The brokers log in to each other as it, with the password their own configuration
        # holds (inter-broker SCRAM, and the controllers' PLAIN): changed on the cluster
        # alone, it would lock them out of each other at once.
        typer.echo(
            f"refused: {user}: the brokers' own user, which they log in to each other with "
            "(its password is in their configuration): rotating it here would lock them "
            "out of each other; change it in their configuration and the cluster together",
            err=True,
        )
        raise typer.Exit(2)
    kafka, folder = _connection_and_credentials(credentials)
    try:
        _on_the_cluster("rotate the password", rotate_password(kafka, user, folder))
    except LookupError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    typer.echo(f"new password for {user}: {folder / f'{user}.password'} (mode 0600)")
    if user == HUB_USER:
        # The running hub read its password once, at start: its open connections go on, a
        # new one (health's, a reconnect) is refused until it is restarted with this file.
        typer.echo(
            "the running hub logs in with the old one until restarted with this file "
            "(HUB_KAFKA_PASSWORD_FILE)"
        )
