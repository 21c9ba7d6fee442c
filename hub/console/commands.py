"""The console's views on the command line: `hub log`, `hub episode`, `hub deadlines`,
`hub missing`, `hub outbox`, `hub rejected`, `hub unroutable`, `hub timers` (each with
--json), `hub users add` and `hub console` (the web server). They read HUB_DATABASE_URL like
`hub run`. Whoever runs them is recorded in the audit trail as `cli:<login name>`.

The store, Kafka and web modules are imported inside each command: every `hub` command
loads this module, and `hub validate` should not pay for SQLAlchemy, Alembic and aiokafka."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from pydantic import BaseModel, TypeAdapter, ValidationError
from rich.console import Console as Terminal
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from hub.clock import SystemClock
from hub.console.roles import Role
from hub.contracts.problems import problems_from
from hub.settings import ConsoleSettings, HubSettings, SettingsError, read_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from hub.bootstrap import HubParts
    from hub.console.views import Deadline

users_app = typer.Typer(help="Who may sign in to the ops console.", no_args_is_help=True)
terminal = Terminal()
Json = Annotated[bool, typer.Option("--json", help="JSON instead of a table")]


@contextlib.contextmanager
def _parts(bootstrap: str = "") -> Iterator[HubParts]:
    """The hub's parts as configured (hub.bootstrap), the store migrated; the database's
    connections closed when the command ends. A bad setting or deployment file is refused,
    naming it."""
    from hub.bootstrap import UnsafeConfiguration, build, kafka_connection, refuse_plaintext
    from hub.routing.directory import DirectoryError

    try:
        settings = read_settings(HubSettings)
        kafka = kafka_connection(bootstrap)
        # The console's clients (health, a retry through the relay's code) reach the brokers
        # `hub run` does: in production, never in the clear either.
        refuse_plaintext(settings, kafka)
        parts = build(settings, kafka)
    except (SettingsError, UnsafeConfiguration, DirectoryError) as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    try:
        parts.migrate()
        yield parts
    finally:
        parts.close()


@contextlib.contextmanager
def _store() -> Iterator[sessionmaker[Session]]:
    with _parts() as parts:
        yield parts.sessions


def _who() -> str:
    return f"cli:{getpass.getuser()}"


def _json(value: BaseModel | list[Any] | dict[str, Any]) -> None:
    if isinstance(value, BaseModel):
        typer.echo(value.model_dump_json(indent=2))
    else:
        typer.echo(TypeAdapter(type(value)).dump_json(value, indent=2).decode())


def _at(moment: datetime | None, zone: ZoneInfo) -> str:
    """A time as the console's pages write it: in the deployment's zone (Europe/London),
    the zone named, as `--since` reads one (a time in UTC, unmarked, was an hour out in
    summer)."""
    from hub.console.when import local_time

    return local_time(moment, zone, SystemClock().now()) if moment else "-"


def log(
    child: Annotated[str | None, typer.Option(help="a child's id")] = None,
    episode: Annotated[str | None, typer.Option(help="an episode's id")] = None,
    recipient: Annotated[str | None, typer.Option(help="e.g. mash, iro")] = None,
    authority: Annotated[str | None, typer.Option(help="e.g. luton")] = None,
    paragraph: Annotated[str | None, typer.Option(help="e.g. 7.18")] = None,
    case_reference: Annotated[
        str | None, typer.Option(help="the sending agency's own reference, e.g. a MISPER number")
    ] = None,
    since: Annotated[
        datetime | None, typer.Option(help="decided at or after (without a zone: local time)")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(help="decided before (without a zone: local time)")
    ] = None,
    page: Annotated[int, typer.Option(min=1)] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: Json = False,
) -> None:
    """The routing log: every decision, newest first, with its delivery."""
    from hub.console.views import LogFilter, routing_log

    try:
        wanted = LogFilter(
            child_id=child,
            episode_id=episode,
            recipient=recipient,
            authority=authority,
            paragraph=paragraph,
            case_reference=case_reference,
            since=since,
            until=until,
        )
    except ValidationError as error:
        typer.echo("; ".join(str(p) for p in problems_from(error)), err=True)
        raise typer.Exit(2) from None
    with _parts() as parts, parts.sessions() as session:
        # A time written without a zone is the deployment's local time, as on the web page:
        # the store compares moments, never a time without its zone.
        zone = ZoneInfo(parts.directory.timezone)
        found = routing_log(session, wanted.in_zone(zone), page, per_page)
    if as_json:
        _json(found)
        return
    counted = (
        f"more than {found.total:,} decisions (counted no further), page {page}"
        if found.more
        else f"{found.total} decisions, page {page} of {found.pages}"
    )
    table = Table(title=f"Routing log: {counted}")
    for column in ("decided", "recipient", "action", "due", "para", "episode", "delivery"):
        table.add_column(column)
    for e in found.entries:
        table.add_row(
            _at(e.decided_at, zone),
            f"{e.authority}/{e.recipient}",
            e.action,
            _at(e.due, zone),
            e.paragraph,
            e.episode_id,
            e.delivery,
        )
    terminal.print(table)


def episode(
    episode_id: Annotated[str, typer.Argument(help="the episode's id")],
    reveal: Annotated[
        str | None, typer.Option(help="show personal data; give the reason (it is recorded)")
    ] = None,
    as_json: Json = False,
) -> None:
    """An episode's timeline: events, decisions, timers and deliveries (recorded as a view
    of the child's record)."""
    from hub.console.actions import reveal_episode, view_episode

    if reveal is not None and len(reveal) < 10:
        typer.echo("reveal: give the reason in at least 10 characters", err=True)
        raise typer.Exit(2)
    now = SystemClock().now()
    with _parts() as parts:
        store, zone = parts.sessions, ZoneInfo(parts.directory.timezone)
        if reveal is not None:
            timeline = reveal_episode(store, _who(), episode_id, reveal, now)
        else:
            timeline = view_episode(store, _who(), episode_id, now)
    if not timeline.entries:
        typer.echo(f"episode_id: no episode {episode_id!r} is known", err=True)
        raise typer.Exit(1)
    if as_json:
        _json(timeline)
        return
    table = Table(title=f"Episode {episode_id} (child {timeline.child_id})")
    for column in ("at", "what happened", "", "para"):
        table.add_column(column)
    for e in timeline.entries:
        table.add_row(_at(e.at, zone), e.happening.replace("_", " "), e.what, e.paragraph or "")
    terminal.print(table)


def deadlines_command(
    within_hours: Annotated[int, typer.Option(min=1, help="due within this many hours")] = 48,
    as_json: Json = False,
) -> None:
    """Every duty not yet done that is overdue or due soon, per team and authority: owed,
    acknowledged or overdue, and whether escalated (an answer on an agency's behalf: the
    console's /deadlines page or its API)."""
    from hub.console.views import deadlines

    now = SystemClock().now()
    with _parts() as parts, parts.sessions() as session:
        zone = ZoneInfo(parts.directory.timezone)
        teams = deadlines(session, now, timedelta(hours=within_hours))
    if as_json:
        _json(teams)
        return
    table = Table(title=f"Deadlines overdue or due within {within_hours} h")
    for column in ("team", "due", "state", "escalated", "duty", "para", "episode", "notification"):
        table.add_column(column)
    for team in teams:
        for d in team.deadlines:
            table.add_row(
                f"{team.authority}/{team.recipient}",
                _at(d.due, zone),
                d.state,
                _escalated(d, zone),
                d.action,
                d.paragraph,
                d.episode_id,
                d.notification_id,  # what an answer on the agency's behalf names (API)
            )
    terminal.print(table)


def _escalated(deadline: Deadline, zone: ZoneInfo) -> str:
    """When a duty was escalated, as the /deadlines page says; "yes" alone for the meeting
    at 18's, whose time is kept back (6.8)."""
    if not deadline.escalated:
        return ""
    return _at(deadline.escalated_at, zone) if deadline.escalated_at else "yes"


def missing_command(
    page: Annotated[int, typer.Option(min=1, max=10_000)] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=500)] = 100,
    as_json: Json = False,
) -> None:
    """Every episode a child may still be missing from, the longest missing first: closed
    by joint decision (7.24) or with every duty answered, too."""
    from hub.console.views import still_missing_page
    from hub.console.when import how_long, local_time

    now = SystemClock().now()
    with _parts() as parts, parts.sessions() as session:
        zone = ZoneInfo(parts.directory.timezone)
        found = still_missing_page(session, parts.directory, now, page, per_page)
    if as_json:
        _json(found)
        return
    episodes = found.episodes
    more = f"; more: --page {page + 1}" if found.more else ""
    table = Table(
        title=f"Still missing: {found.children} child(ren), page {page}: "
        f"{len(episodes)} episode(s){more}"
    )
    for column in ("missing since", "for", "child", "episode", "risk", "status", "placing"):
        table.add_column(column)
    for column in ("force", "open duties", "next due", "closed (7.24)"):
        table.add_column(column)
    for m in episodes:
        table.add_row(
            local_time(m.missing_since, zone, now),
            how_long(m.missing_for),
            m.child_id,
            m.episode_id,
            f"{m.risk_level}{' CSE' if m.cse_risk else ''}",
            m.legal_status,
            m.placing or "-",
            m.reporting_force or "home force",
            str(m.open_duties),
            local_time(m.next_due, zone, now),
            local_time(m.closed_at, zone, now) if m.closed_at else "",
        )
    terminal.print(table)


def outbox_command(
    failing: Annotated[bool, typer.Option(help="only rows whose last try failed")] = False,
    retry: Annotated[
        list[str] | None,
        typer.Option(
            help="publish this row now: its message id (notification:<id>, or the "
            "notification's id alone), or its number"
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Deliveries waiting or failing, with their last error; --retry ID publishes now."""
    from hub.console.actions import BrokerUnavailable, retry_deliveries
    from hub.console.views import outbox, outbox_by_recipient

    if retry:
        # A number as before; anything else a message id, the only name the meeting at 18's
        # and its escalations' rows are shown by (6.8).
        numbers = [int(r) for r in retry if r.isdigit()]
        messages = [r for r in retry if not r.isdigit()]
        try:
            with _parts() as parts:
                report = asyncio.run(retry_deliveries(parts, _who(), numbers, messages))
        except BrokerUnavailable as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(3) from None
        if as_json:
            _json(report)
        else:
            sent = [*report.sent, *report.messages_sent]
            failed = [*report.still_failing.items(), *report.messages_still_failing.items()]
            typer.echo(f"sent: {sent or '-'}; failing: {dict(failed) or '-'}")
            idle = [*report.not_pending, *report.messages_not_pending]
            if idle:
                # Unknown, sent already, or refused; or by number, a row shown without one.
                typer.echo(
                    f"not pending, nothing retried: {idle} (a row shown with no number is "
                    "retried by its message id)"
                )
        raise typer.Exit(1 if report.still_failing or report.messages_still_failing else 0)
    with _parts() as parts, parts.sessions() as session:
        zone = ZoneInfo(parts.directory.timezone)
        backlog, rows = outbox(session, failing)
        recipients = outbox_by_recipient(session)
    if as_json:
        _json(
            {
                "backlog": backlog,
                "recipients": [t.model_dump(mode="json") for t in recipients],
                "rows": [r.model_dump(mode="json") for r in rows],
            }
        )
        return
    if recipients:
        by_recipient = Table(title="By recipient")
        for column in ("topic", "waiting", "failing", "refused", "last error"):
            by_recipient.add_column(column)
        for t in recipients:
            counts = (str(t.waiting), str(t.failing), str(t.refused))
            by_recipient.add_row(t.topic, *counts, t.last_error or "")
        terminal.print(by_recipient)
    table = Table(title=f"Outbox: {backlog} waiting")
    for column in ("#", "message id", "topic", "queued", "state", "attempts", "last error"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            "-" if r.id is None else str(r.id),  # "-": the meeting at 18's or its escalations'
            r.message_id,
            r.topic,
            _at(r.created_at, zone),  # "-": the meeting at 18's or its escalations' (6.8)
            r.delivery,
            "-" if r.attempts is None else str(r.attempts),
            r.last_error or "",
        )
    terminal.print(table)


def rejected_command(
    replay: Annotated[list[int] | None, typer.Option(help="replay this refusal")] = None,
    replay_cause: Annotated[
        str | None, typer.Option(help="replay every open refusal with this cause")
    ] = None,
    as_json: Json = False,
) -> None:
    """Refused, dead-lettered and held messages grouped by cause; --replay ID or
    --replay-cause CAUSE applies them again once the cause is fixed."""
    with _parts() as parts:
        _rejected(parts, replay, replay_cause, as_json)


def _rejected(parts: HubParts, replay: list[int] | None, cause: str | None, as_json: bool) -> None:
    from hub.console.actions import replay_refusals
    from hub.console.views import refusal_ids, refusals

    store = parts.sessions
    if replay or cause:
        chosen = set(replay or [])
        if cause:
            with store() as session:
                chosen |= set(refusal_ids(session, cause))
        if not chosen:
            typer.echo("replay: no open refusal matches", err=True)
            raise typer.Exit(1)
        with Progress(console=Terminal(stderr=True), disable=as_json) as progress:
            task = progress.add_task("replaying", total=len(chosen))
            report = replay_refusals(
                store,
                _who(),
                sorted(chosen),
                parts.directory,
                parts.clock,
                lambda _: progress.advance(task),
            )
        if as_json:
            _json(report)
        else:
            typer.echo(", ".join(f"{n} {outcome}" for outcome, n in report.outcomes.items()))
            for result in report.results:
                if result.outcome == "refused_again":
                    typer.echo(f"  #{result.refusal_id}: {result.problems}")
        raise typer.Exit(1 if report.outcomes.get("refused_again") else 0)
    zone = ZoneInfo(parts.directory.timezone)
    with store() as session:
        groups = refusals(session)
    if as_json:
        _json(groups)
        return
    for g in groups:
        # Who sent them, as the page says (issue 14: who to call); a cause is the sender's
        # text, never read as markup.
        terminal.print(f"[bold]{g.count}[/bold] of {escape(g.cause)} · from {escape(g.sender)}")
        for r in g.refusals:
            terminal.print(f"   #{r.id} {r.status} {r.source} {_at(r.received_at, zone)}")


def unroutable_command(
    route: Annotated[
        bool, typer.Option(help="route the held duties again with the directory as it is now")
    ] = False,
    only: Annotated[
        list[str] | None, typer.Option("--id", help="with --route: only this notification id")
    ] = None,
    as_json: Json = False,
) -> None:
    """Duties held because the directory could not name their recipient (a misspelt or
    missing authority or police force), or because the hub could not build their
    notification (field "(notification)": the hub's fault; "(authority)": and the authority
    it was decided for has left the directory since). Correct the directory, or mend the
    hub, then --route delivers them."""
    from hub.console.actions import route_held_duties
    from hub.console.views import unroutable

    with _parts() as parts:
        store = parts.sessions
        if route:
            report = route_held_duties(store, _who(), parts.directory, parts.clock, only)
            if as_json:
                _json(report)
            else:
                typer.echo(
                    f"routed: {len(report.routed)}; still held: {len(report.still_held)}; "
                    f"no longer needed (not sent): {len(report.not_sent)}"
                )
                for notification_id, why in report.still_held.items():
                    typer.echo(f"  {notification_id}: {why}")
            raise typer.Exit(1 if report.still_held else 0)
        with store() as session:
            total, held = unroutable(session)
        zone = ZoneInfo(parts.directory.timezone)
    if as_json:
        _json({"total": total, "duties": [h.model_dump(mode="json") for h in held]})
        return
    table = Table(title=f"Unroutable: {total} duties held")
    for column in ("decided", "recipient", "action", "para", "episode", "field", "why"):
        table.add_column(column)
    for h in held:
        table.add_row(
            _at(h.decided_at, zone),
            h.recipient,
            h.action,
            h.paragraph,
            h.episode_id,
            f"{h.field} '{h.named or ''}'",
            h.reason,
        )
    terminal.print(table)


def timers_command(
    retry: Annotated[
        bool, typer.Option(help="set every failed timer pending again, its cause fixed")
    ] = False,
    as_json: Json = False,
) -> None:
    """Timers that failed to fire (a bug, logged with its type and line): each is a
    protocol deadline not yet acted on. Fix the cause, then --retry fires them. Says first
    whether the scheduler's timers wait for the broker, and since when."""
    from hub.console.actions import retry_failed_timers
    from hub.console.health import store_figures, waiting_check
    from hub.console.views import failed_timers
    from hub.service.heartbeat import timers_waiting

    with _parts() as parts:
        if retry:
            retried = retry_failed_timers(parts.sessions, _who(), parts.clock)
            typer.echo(f"set pending again: {retried}")
            return
        with parts.sessions() as session:
            due = store_figures(session, parts.clock.now()).timers_due  # first: read-only
            waiting = timers_waiting(session)
            failed = failed_timers(session)
        zone = ZoneInfo(parts.directory.timezone)
    if as_json:
        _json([f.model_dump(mode="json") for f in failed])
        return
    if waiting is not None:
        check, _ = waiting_check(waiting, due, zone, datetime.now(UTC))
        typer.echo(f"{check.detail}.")
    table = Table(title=f"Timers failed: {len(failed)}")
    for column in ("due", "failed", "timer", "para", "episode", "child"):
        table.add_column(column)
    for f in failed:
        table.add_row(
            _at(f.due, zone), _at(f.failed_at, zone), f.name, f.paragraph, f.episode_id, f.child_id
        )
    terminal.print(table)


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[Role, typer.Option(help="viewer, operator or admin")] = Role.VIEWER,
    password_stdin: Annotated[
        bool, typer.Option(help="read the password from standard input")
    ] = False,
) -> None:
    """Create a console user. The password is asked for (or read from standard input),
    never given on the command line where other users could see it."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    from hub.console.access import BadUser, add_user

    try:
        with _store() as store, store.begin() as session:
            add_user(session, username, password, role, SystemClock().now(), _who())
    except BadUser as bad:
        typer.echo(str(bad), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"added {username} ({role})")


@users_app.command("remove")
def users_remove(username: str) -> None:
    """Remove a console user: it can no longer sign in, and its sessions end at once."""
    from hub.console.access import BadUser, remove_user

    try:
        with _store() as store, store.begin() as session:
            remove_user(session, username, SystemClock().now(), _who())
    except BadUser as bad:
        typer.echo(str(bad), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"removed {username}")


def console_command(bootstrap: Annotated[str, typer.Option(help="host:port")] = "") -> None:
    """Serve the ops console (web pages, JSON API, /metrics) on HUB_CONSOLE_HOST and
    HUB_CONSOLE_PORT (127.0.0.1:8080). Needs HUB_CONSOLE_SECRET (32+ characters); cookies over
    HTTPS only unless HUB_CONSOLE_SECURE_COOKIES=false (docs/console.md)."""
    import uvicorn

    from hub.console.context import Console
    from hub.console.web import create_app
    from hub.logs import configure

    try:
        console_settings = read_settings(ConsoleSettings)  # from the environment
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    configure()
    with _parts(bootstrap) as parts:
        console = Console(parts)
        app = create_app(
            console,
            console_settings.secret.get_secret_value(),
            console_settings.secure_cookies,
            console_settings.api_docs,
            console_settings.metrics,
        )
        host, port = console_settings.host, console_settings.port
        typer.echo(f"ops console on http://{host}:{port}/", err=True)
        # No access log: its URLs name children and episodes; the audit trail records views.
        uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)


retention_app = typer.Typer(
    help="Keeping children's personal data no longer than needed (docs/retention.md).",
    no_args_is_help=True,
)


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="count, change nothing")] = False,
) -> None:
    """Apply the retention policy now (`hub run` applies it every HUB_RETENTION_EVERY_HOURS)."""
    from hub.settings import RetentionSettings
    from hub.store.retention import apply_retention

    try:
        policy = read_settings(RetentionSettings)
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    with _store() as store:
        done = apply_retention(store, policy, SystemClock().now(), _who(), dry_run=dry_run)
    typer.echo(f"{'would change (dry run)' if dry_run else 'changed'}: {done.render()}")


report_app = typer.Typer(
    help="The protocol's reports (section 10): `hub report --from --to`, `hub report forum`.",
    invoke_without_command=True,
)
Csv = Annotated[bool, typer.Option("--csv", help="CSV instead of a table")]


def _this_month(now: datetime, zone: str) -> date:
    """The first of this month on the deployment's calendar: at 00:30 BST on the 1st it is
    already the new month, while the UTC date is still the last day of the old one (as the
    console's Reports page counts its days, hub.console.web)."""
    return now.astimezone(ZoneInfo(zone)).date().replace(day=1)


def _local_day(day: str | None, default: date, zone: str, name: str) -> datetime:
    """A day written YYYY-MM-DD, as local midnight (the deployment's zone)."""
    from zoneinfo import ZoneInfo

    try:
        chosen = date.fromisoformat(day) if day else default
    except ValueError:
        typer.echo(f"{name}: must be a date written YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None
    return datetime.combine(chosen, datetime.min.time(), ZoneInfo(zone))


@report_app.callback()
def report_command(
    context: typer.Context,
    start: Annotated[
        str | None, typer.Option("--from", help="first day, YYYY-MM-DD (default: last month's)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="day after the last, YYYY-MM-DD (default: the 1st)")
    ] = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Episodes and children missing, repeat missing children (7.18), return interviews
    (5.12), strategy meetings held on time (7.22), cross-border notices (section 8), duties
    overdue and escalated by team, and the exceptions behind each figure."""
    if context.invoked_subcommand is not None:
        return
    from hub.reports.store import period_report

    now = SystemClock().now()
    with _parts() as parts:
        zone = parts.directory.timezone
        first = _this_month(now, zone)
        until = _local_day(end, first, zone, "--to")
        since = _local_day(start, (first - timedelta(days=1)).replace(day=1), zone, "--from")
        if since >= until:
            typer.echo("--from: must be before --to", err=True)
            raise typer.Exit(2)
        with parts.sessions() as session:
            done = period_report(session, parts.directory, since, until, now)
    if as_json:
        _json(done)
    elif as_csv:
        typer.echo(report_csv(done), nl=False)
    else:
        _print_report(done)


def report_csv(done: Any) -> str:
    """One row per figure (figure, authority, recipient, value): a spreadsheet pivots it."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "authority", "recipient", "value"])
    skip = {"period_from", "period_to", "as_of", "teams", "episodes_per_week", "exceptions"}
    for name, value in done.model_dump(exclude=skip).items():
        writer.writerow([name, "", "", value])
    for team in done.teams:
        for name, value in team.model_dump(exclude={"authority", "recipient"}).items():
            writer.writerow([f"duties_{name}", team.authority, team.recipient, value])
    return out.getvalue()


def _print_report(done: Any) -> None:
    figures = Table(title=f"{done.period_from:%d %b %Y} to {done.period_to:%d %b %Y}")
    figures.add_column("figure")
    figures.add_column("value", justify="right")
    skip = {"period_from", "period_to", "as_of", "teams", "episodes_per_week", "exceptions"}
    for name, value in done.model_dump(exclude=skip).items():
        figures.add_row(name.replace("_", " "), str(value))
    terminal.print(figures)
    teams = Table(title="Duties falling due, by team")
    for column in ("authority", "recipient", "due", "on time", "late", "overdue", "escalated"):
        teams.add_column(column)
    for t in done.teams:
        teams.add_row(
            t.authority,
            t.recipient,
            *map(str, (t.due, t.done_on_time, t.done_late, t.overdue, t.escalated)),
        )
    terminal.print(teams)
    for e in done.exceptions:
        typer.echo(f"{e.figure}: {e.episode_id} {e.what}")


@report_app.command("forum")
def forum_command(
    month: Annotated[str | None, typer.Option(help="YYYY-MM (default: this month)")] = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """The monthly CSE and Missing Persons Forum list (7.28): each child referred to it in
    the month, with the episode that referred it."""
    from hub.reports.store import forum_list

    now = SystemClock().now()
    with _parts() as parts:
        zone = parts.directory.timezone
        first = _local_day(
            f"{month}-01" if month else None, _this_month(now, zone), zone, "--month"
        )
        following = (first.date() + timedelta(days=32)).replace(day=1)
        until = _local_day(None, following, zone, "--month")
        with parts.sessions() as session:
            entries = forum_list(session, first, until)
    if as_json:
        _json(entries)
        return
    if as_csv:
        typer.echo("child_id,episode_id,episodes,referred_at,authority")
        for e in entries:
            typer.echo(
                f"{e.child_id},{e.episode_id},{e.episodes},{e.decided_at.isoformat()},{e.authority}"
            )
        return
    local = ZoneInfo(zone)
    table = Table(title=f"CSE and Missing Persons Forum, {first:%B %Y} (7.28)")
    for column in ("child", "episode", "episodes", "referred", "authority"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            e.child_id, e.episode_id, str(e.episodes), _at(e.decided_at, local), e.authority
        )
    terminal.print(table)


def register(app: typer.Typer) -> None:
    app.command("log")(log)
    app.command("episode")(episode)
    app.command("deadlines")(deadlines_command)
    app.command("missing")(missing_command)
    app.command("outbox")(outbox_command)
    app.command("rejected")(rejected_command)
    app.command("unroutable")(unroutable_command)
    app.command("timers")(timers_command)
    app.command("console")(console_command)
    app.add_typer(users_app, name="users")
    app.add_typer(retention_app, name="retention")
    app.add_typer(report_app, name="report")
