"""The `hub` command line: thin adapters over the contracts, the publisher and the local
infrastructure. Exit status: 0 ok, 1 a message was refused, 3 infrastructure unavailable."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from hub.access.commands import access_app
from hub.clock import iso_utc
from hub.console.commands import register as register_console_commands
from hub.contracts.envelope import ParsedEvent, parse_structured
from hub.contracts.events import ReadAround
from hub.contracts.export import drift, export
from hub.contracts.particulars import ChildParticulars
from hub.contracts.personal import REDACTED, is_personal
from hub.contracts.problems import BadMessage
from hub.devtools.kafka_local import (
    KafkaUnavailable,
    LocalKafka,
    LocalKafkaCluster,
    cache_dir,
    fetch_jars,
    local_broker,
)
from hub.kafka.connection import KafkaConnection
from hub.kafka.security import HUB_USER
from hub.routing.directory import DirectoryError, load_directory
from hub.routing.facts import Decision
from hub.routing.paragraphs import heading_of
from hub.settings import HubSettings, KafkaSettings, SettingsError, read_settings

app = typer.Typer(help="Missing Children Integration Hub.", no_args_is_help=True)
contracts_app = typer.Typer(help="The published contracts.", no_args_is_help=True)
kafka_app = typer.Typer(
    help="The project's local Kafka broker (KRaft, from the jars).", no_args_is_help=True
)
app.add_typer(contracts_app, name="contracts")
register_console_commands(app)
app.add_typer(kafka_app, name="kafka")
app.add_typer(access_app, name="access")

EXIT_REFUSED = 1
EXIT_UNAVAILABLE = 3
CONTRACTS_DIR = Path("contracts")  # the checkout's: `hub contracts export` runs from its root

Files = Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)]
Bootstrap = Annotated[
    str,
    typer.Option(
        help="host:port; default: the local broker (HUB_KAFKA_BOOTSTRAP or HUB_KAFKA_PORT)"
    ),
]
# `hub run` alone refuses to start a local broker where it is deployed (hub.bootstrap).
RunBootstrap = Annotated[
    str,
    typer.Option(
        "--bootstrap",
        help="host:port; default: HUB_KAFKA_BOOTSTRAP, without which it refuses to start "
        "(HUB_ENVIRONMENT=development: the local broker, HUB_KAFKA_PORT)",
    ),
]
Port = Annotated[int, typer.Option(help="local broker port (default HUB_KAFKA_PORT or 9092)")]
Brokers = Annotated[
    int,
    typer.Option(
        min=1,
        max=5,
        help="1: one node; 3: a KRaft cluster of three on PORT, PORT+2, PORT+4 (controllers "
        "on the port after each)",
    ),
]


def _validated(files: list[Path]) -> list[ParsedEvent]:
    """Every file, validated; reports every problem of every file, then refuses if any."""
    events, refused = [], False
    for path in files:
        try:
            event = parse_structured(path.read_bytes())
        except BadMessage as bad:
            refused = True
            typer.echo(f"REFUSED {path}", err=True)
            for problem in bad.problems:
                typer.echo(f"  {problem.field}: {problem.reason}", err=True)
            continue
        events.append(event)
        typer.echo(f"ok {path}: {event.contract.ce_type}, key {event.key}, id {event.event_id}")
        if isinstance(event.body, ReadAround):  # taken, but read otherwise than sent
            for reading in event.body.read_as:
                # "read as medium, not given": a field left out (MisperReport, 6.5...).
                sent = "not given" if reading.sent == "not given" else f"not {reading.sent}"
                typer.echo(
                    f"  data.{reading.field}: read as {reading.read}, {sent} "
                    f"({reading.paragraph}; the sender is told: {event.body.CHECK})"
                )
    if refused:
        raise typer.Exit(EXIT_REFUSED)
    return events


@app.command()
def validate(files: Files) -> None:
    """Check messages (CloudEvents JSON files) against their contracts."""
    _validated(files)


@app.command()
def publish(
    files: Files,
    bootstrap: Bootstrap = "",
    agency: Annotated[
        str | None,
        typer.Option(help="publish on this agency's own topics (inbound.<type>.<agency>)"),
    ] = None,
) -> None:
    """Validate messages and publish them to their topics (key = the child's id, CloudEvents
    headers). If any file is refused, nothing is published."""
    from hub.bootstrap import kafka_connection, refuse_plaintext
    from hub.producers.publisher import publish as publish_events

    events = _validated(files)
    settings = HubSettings()
    try:
        target = kafka_connection(bootstrap)
        # A police report as sent, the child's name included: never in the clear.
        refuse_plaintext(settings, target)
    except SettingsError as error:
        typer.echo(f"refusing to publish: {error}", err=True)
        raise typer.Exit(2) from None
    prefix = settings.topic_prefix
    try:
        sent = asyncio.run(publish_events(target, events, prefix, agency))
    except Exception as error:
        typer.echo(f"could not publish to {target.bootstrap}: {error}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from None
    for item in sent:
        typer.echo(f"published {item.event_id} -> {item.topic}[{item.partition}]@{item.offset}")


@app.command()
def simulate(
    scenario: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="JSON Lines: one CloudEvent per line"
        ),
    ],
    until: Annotated[
        datetime | None,
        typer.Option(
            help="fire timers up to this time (ISO 8601, UTC if no offset); default: the last "
            "event",
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"],
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
    directory_file: Annotated[
        Path | None,
        typer.Option("--directory", help="deployment YAML; default: the default deployment"),
    ] = None,
    reveal: Annotated[
        bool,
        typer.Option(
            "--reveal-personal-data",
            help="print the child's name, date of birth, places and circumstances as sent, "
            "not redacted (--json)",
        ),
    ] = False,
) -> None:
    """Run a timeline through the protocol engine with a simulated clock and print every
    notification it decides, in order."""
    from hub.routing.simulate import simulate as run_simulation
    from hub.store.outbox import not_built

    try:
        directory = load_directory(directory_file)
    except DirectoryError as error:  # the file names itself and each bad key
        typer.echo(f"REFUSED {error}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    events = []
    for number, line in enumerate(scenario.read_bytes().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            events.append(parse_structured(line))
        except BadMessage as bad:
            for problem in bad.problems:
                typer.echo(f"{scenario}:{number}: {problem.field}: {problem.reason}", err=True)
            raise typer.Exit(EXIT_REFUSED) from None
    if until is not None and until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    result = run_simulation(directory, events, until or (events[-1].time if events else None))
    unbuilt = 0
    for decision in result.decisions:
        try:
            shown = (
                json.dumps(decision_json(decision, reveal)) if as_json else decision_text(decision)
            )
        except ValidationError as error:  # a rule's fault: `hub run` holds it for ops
            unbuilt += 1
            typer.echo(
                f"NOT BUILT {decision.notification_key} {decision.recipient} {decision.action}: "
                f"{not_built(error)}",
                err=True,
            )
            continue
        typer.echo(shown)
    for rejection in result.rejections:
        typer.echo(
            f"REJECTED {rejection.event_id} at {rejection.at.isoformat()}: "
            f"{rejection.field}: {rejection.reason}",
            err=True,
        )
    if result.rejections or unbuilt:
        raise typer.Exit(EXIT_REFUSED)


def _iso(moment: datetime | None) -> str | None:
    return iso_utc(moment) if moment else None


def decision_json(decision: Decision, reveal: bool = False) -> dict[str, object]:
    """What the routing log says of a duty, with its `details` and `child` as its recipient
    receives them (a held duty's as they will be sent once routed): the same keys, and the
    child's personal data redacted unless `reveal`."""
    received = (
        decision.notification().model_dump(mode="json")
        if decision.unroutable is None
        else {"details": decision.details, "child": decision.child}
    )
    if not reveal:
        received["child"] = {
            name: REDACTED if value is not None and is_personal(ChildParticulars, name) else value
            for name, value in received["child"].items()
        }
    return {
        "at": _iso(decision.at),
        "recipient": decision.recipient,
        "authority": decision.authority,
        "action": decision.action,
        "due": _iso(decision.due),
        "paragraph": decision.paragraph,
        "heading": heading_of(decision.paragraph),
        "episode": decision.episode_id,
        "cause": decision.cause,
        "notification_id": str(decision.notification_id),
        "summary": decision.summary,
        "details": received["details"],
        "child": received["child"],
        "unroutable": str(decision.unroutable) if decision.unroutable else None,
    }


def decision_text(decision: Decision) -> str:
    """As ops read it; a notification its contract refuses raises, as in `decision_json`."""
    due = f"due {_iso(decision.due)}" if decision.due else "no deadline"
    held = decision.unroutable
    if held is None:
        decision.notification()
    authority = f"UNROUTABLE: {held}" if held else decision.authority
    return (
        f"{_iso(decision.at)}  {decision.recipient} ({authority}): "
        f"{decision.action}, {due}, para {decision.paragraph} [{decision.cause}]\n"
        f"    ({heading_of(decision.paragraph)})\n"
        f"    {decision.summary}"
    )


@contracts_app.command("export")
def contracts_export(
    check: Annotated[bool, typer.Option(help="only report drift; exit 1 if any")] = False,
    out: Annotated[Path, typer.Option(help="contracts folder")] = CONTRACTS_DIR,
) -> None:
    """Write the JSON Schemas and the AsyncAPI document from the models."""
    if check:
        stale = drift(out)
        for path in stale:
            typer.echo(f"stale: {path}", err=True)
        if stale:
            typer.echo("run `hub contracts export` and commit the result", err=True)
            raise typer.Exit(EXIT_REFUSED)
        typer.echo("contracts are up to date")
        return
    for path in export(out):
        typer.echo(f"wrote {path}")


@kafka_app.command("fetch")
def kafka_fetch() -> None:
    """Fetch the Apache Kafka jars from Maven Central into the cache."""
    try:
        typer.echo(f"Kafka jars in {fetch_jars()}")
    except KafkaUnavailable as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from None


def local_cluster(port: int, brokers: int) -> LocalKafkaCluster:
    port = port or read_settings(KafkaSettings).port
    return LocalKafkaCluster(cache_dir() / "kafka" / f"cluster-{port}", brokers, base_port=port)


@kafka_app.command("up")
def kafka_up(port: Port = 0, brokers: Brokers = 1) -> None:
    """Start the local broker, or a cluster of them (formats storage the first time), and
    wait until it answers."""
    try:
        if brokers == 1:
            broker = local_broker(port)
            broker.start()
            typer.echo(f"Kafka is up at {broker.bootstrap} (logs: {broker.log_file})")
            return
        cluster = local_cluster(port, brokers)
        cluster.start()
    except KafkaUnavailable as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from None
    from hub.devtools.tls import broker_certificates  # cryptography, for this command only

    replicas = min(brokers, 3)
    typer.echo(
        f"Kafka is up: {brokers} brokers at {cluster.bootstrap} (logs: {cluster.workdir})\n"
        f"for the hub: HUB_KAFKA_BOOTSTRAP={cluster.bootstrap} "
        f"HUB_TOPIC_REPLICATION_FACTOR={replicas} "
        f"HUB_TOPIC_MIN_INSYNC_REPLICAS={min(replicas, 2)} "
        f"HUB_KAFKA_SECURITY_PROTOCOL=SASL_SSL HUB_KAFKA_USERNAME={HUB_USER} "
        f"HUB_KAFKA_PASSWORD_FILE={cluster.secrets / f'{HUB_USER}.password'} "
        f"HUB_KAFKA_CA_FILE={broker_certificates(cluster.secrets).ca_file}"
    )


Folder = Annotated[Path, typer.Option(file_okay=False)]


@kafka_app.command("compose-secrets")
def kafka_compose_secrets(
    authority: Folder = Path("/authority"),
    broker: Folder = Path("/broker"),
    hub: Folder = Path("/hub"),
    host: Annotated[str, typer.Option(help="the broker's name on the network")] = "kafka",
) -> None:
    """Make the CA, the broker's certificate and the SCRAM users of docker-compose's broker
    and write its configuration (kept if already made). docker-compose.yml runs it before
    the broker starts."""
    from hub.devtools.kafka_compose import ComposeBroker, write_compose_secrets

    write_compose_secrets(authority, broker, hub, ComposeBroker(host=host))
    typer.echo(f"the broker's secrets are in {broker}, the hub's in {hub}")


@kafka_app.command("down")
def kafka_down(port: Port = 0, brokers: Brokers = 1) -> None:
    """Stop the local broker, or cluster, cleanly."""
    target: LocalKafka | LocalKafkaCluster = (
        local_broker(port) if brokers == 1 else local_cluster(port, brokers)
    )
    target.stop()
    typer.echo(f"Kafka at {target.bootstrap} is stopped")


@kafka_app.command("status")
def kafka_status(port: Port = 0, brokers: Brokers = 1) -> None:
    """Say whether the local broker, or each broker of the cluster, is running."""
    nodes = [local_broker(port)] if brokers == 1 else local_cluster(port, brokers).nodes
    down = [node for node in nodes if node.running_pid() is None]
    for node in nodes:
        pid = node.running_pid()
        state = "not running" if pid is None else f"running (pid {pid})"
        typer.echo(f"Kafka at {node.bootstrap} is {state}; logs: {node.log_file}")
    if down:
        raise typer.Exit(EXIT_UNAVAILABLE)


def _broker_or_local(bootstrap: str) -> KafkaConnection:
    """The given broker as configured, or the project's own (TLS and SCRAM, as the hub's
    user), started if need be."""
    from hub.bootstrap import kafka_connection

    if bootstrap or read_settings(KafkaSettings).bootstrap:
        try:
            return kafka_connection(bootstrap)
        except SettingsError as error:
            typer.echo(f"refusing to start: {error}", err=True)
            raise typer.Exit(2) from None
    broker = local_broker()
    typer.echo(f"starting the local Kafka broker on {broker.bootstrap} ...", err=True)
    try:
        broker.start()
    except KafkaUnavailable as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from None
    return broker.connection()


@app.command()
def demo(
    bootstrap: Bootstrap = "",
    scenario: Annotated[
        list[Path] | None, typer.Option(help="scenario JSONL files (default: the two demo ones)")
    ] = None,
) -> None:
    """Run the real hub on the embedded database over the demo scenarios, then show what
    each agency received and why."""
    from hub.devtools.demo import run_demo

    target = _broker_or_local(bootstrap)
    database = Path(".hub") / "demo.db"
    database.parent.mkdir(exist_ok=True)
    for stale in database.parent.glob("demo.db*"):  # a fresh embedded database each run
        stale.unlink()
    for line in asyncio.run(run_demo(target, f"sqlite:///{database}", scenario)):
        typer.echo(line)


@app.command()
def bench(
    bootstrap: Bootstrap = "",
    postgres_url: Annotated[
        str,
        typer.Option(
            envvar="HUB_BENCH_POSTGRES_URL",
            help="a PostgreSQL server to use; empty starts a durable one from Debian's binaries",
        ),
    ] = "",
    events: Annotated[int, typer.Option(min=1000, help="events in the throughput run")] = 10_000,
    latency_events: Annotated[
        int, typer.Option(min=500, help="events offered at 200/s in the first latency run")
    ] = 4_000,
    slow_events: Annotated[
        int, typer.Option(min=100, help="events offered at 20/s in the second latency run")
    ] = 600,
    backlog: Annotated[
        int, typer.Option(min=0, help="events queued while the hub is down (0: no backlog run)")
    ] = 100_000,
    history_rows: Annotated[
        int, typer.Option(min=0, help="routing-log rows of history (0: no history run)")
    ] = 10_000_000,
    open_timers: Annotated[int, typer.Option(min=0, help="open timers in that history")] = (
        1_000_000
    ),
) -> None:
    """Measure throughput, latency, a backlog's drain, memory and CPU on a real broker with
    PostgreSQL and SQLite, and the hub on a database with years of history, beside a bare
    aiokafka pass-through on the same broker; prints each target of docs/benchmark.md with
    its figure and whether it is met."""
    from hub.devtools.bench import Paced
    from hub.devtools.benchmark import Plan, run_bench
    from hub.devtools.postgres_local import LocalPostgres, PostgresUnavailable

    plan = Plan(
        events,
        (Paced(200, latency_events), Paced(20, slow_events)),
        backlog,
        history_rows,
        open_timers,
    )
    target = _broker_or_local(bootstrap)
    server = None
    if not postgres_url:
        server = LocalPostgres(durable=True)  # fsync on, as production would run
        try:
            server.start()
        except PostgresUnavailable as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(EXIT_UNAVAILABLE) from None
        postgres_url = server.url
    try:
        lines = asyncio.run(run_bench(target, postgres_url, plan))
    finally:
        if server is not None:
            server.stop()
    for line in lines:
        typer.echo(line)


@app.command()
def migrate(
    fill_missing_since: Annotated[
        bool,
        typer.Option(
            "--fill-missing-since",
            "--fill-derived",
            help="Then check every child's columns worked out from its state, "
            "missing_since (Still missing) and earliest_return (retention), against it "
            "and mend them: after an older hub ran beside a newer one (docs/pipeline.md).",
        ),
    ] = False,
) -> None:
    """Bring the database (HUB_DATABASE_URL) to the newest schema, then exit: for a
    deployment that migrates before it starts the hub and the console (docker-compose.yml).
    `hub run` migrates at start as well; a schema already current is left alone."""
    from hub.settings import HubSettings, SettingsError, read_settings
    from hub.store.database import make_engine
    from hub.store.database import migrate as migrate_store
    from hub.store.missing_since import refill_missing_since

    try:
        settings = read_settings(HubSettings)
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    migrate_store(settings.database_url)
    typer.echo("the database is at the newest schema")
    if fill_missing_since:
        engine = make_engine(settings.database_url)
        try:
            mended = refill_missing_since(engine)
        finally:
            engine.dispose()
        typer.echo(f"missing_since and earliest_return checked for every child; {mended} mended")


@app.command()
def run(bootstrap: RunBootstrap = "") -> None:
    """Run the hub (consumer, outbox relay, timers) until SIGTERM or Ctrl-C. Settings come
    from HUB_* variables (HUB_DATABASE_URL, HUB_KAFKA_BOOTSTRAP, ...: docs/pipeline.md); a
    bad or unsafe one is refused, named, with exit status 2. Logs are JSON."""
    import gc
    import signal

    from hub.bootstrap import (
        UnsafeConfiguration,
        build,
        checked_before_starting,
        refuse_no_broker,
        refuse_plaintext,
    )
    from hub.errors import failure_of
    from hub.logs import configure
    from hub.memory import fewer_malloc_arenas
    from hub.routing.directory import DirectoryError
    from hub.runtime import Hub
    from hub.settings import HubSettings, SettingsError, read_settings
    from hub.tracing import configure_from_environment

    fewer_malloc_arenas()  # before any thread starts
    configure()
    traces = configure_from_environment()
    try:
        settings = read_settings(HubSettings)
        refuse_no_broker(settings, bootstrap)
        # Every setting checked before the project's broker is started (development): a
        # refusal leaves nothing running behind it.
        directory = checked_before_starting(settings)
    except (SettingsError, UnsafeConfiguration, DirectoryError) as error:
        typer.echo(f"refusing to start: {error}", err=True)
        raise typer.Exit(2) from None
    kafka = _broker_or_local(bootstrap)
    try:
        parts = build(settings, kafka, directory=directory)
        refuse_plaintext(settings, kafka)
    except (SettingsError, UnsafeConfiguration, DirectoryError) as error:
        typer.echo(f"refusing to start: {error}", err=True)
        raise typer.Exit(2) from None

    # What start-up made (modules, the directory, compiled schemas) lives as long as the hub:
    # kept out of the collector's reach, it is not traversed again on every full collection.
    gc.freeze()
    # A batch allocates tens of thousands of short-lived objects, nearly none in cycles: a
    # first generation of 10,000 instead of 700 spends a third less time collecting, for
    # the same memory (docs/benchmark.md, "The collector's first generation").
    gc.set_threshold(10_000, 10, 10)

    async def serve() -> None:
        hub = Hub(parts)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        try:
            await hub.start()
            await stop.wait()
        finally:  # a hub that failed to start stops what it had started, and exits
            await hub.stop()

    try:
        asyncio.run(serve())
    except Exception as error:
        logging.getLogger("hub").error("hub run failed", extra={"failure": failure_of(error)})
        raise typer.Exit(1) from None
    finally:
        if traces is not None:
            traces.shutdown()  # the spans still batched are exported


def main() -> None:
    """The `hub` command: a bad setting any command meets is refused naming its variable,
    never its value (docs/pipeline.md), not met as a traceback."""
    try:
        app()
    except SettingsError as error:
        typer.echo(f"refusing: {error}", err=True)
        raise SystemExit(2) from None
