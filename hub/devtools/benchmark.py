"""`hub bench`, end to end: the baselines, then the hub in each configuration, a backlog
drained, and the hub on a database with years of history; every figure from this one run
(docs/benchmark.md). Logs, the Kafka clients' retry chatter among them, go to a file in
the run's folder: the terminal has the figures alone."""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hub.devtools.bench import (
    HubFigures,
    Paced,
    bench_backlog,
    bench_baseline,
    bench_hub,
    owed,
)
from hub.devtools.bench_history import fresh_database, seed_history, time_timer_rounds
from hub.devtools.bench_report import HistoryFigures, Run, deployed, report
from hub.devtools.workload import workload
from hub.kafka.connection import KafkaConnection
from hub.routing.directory import load_directory

ONE_PROCESS = ("consumer,relay,scheduler",)
SPLIT = ("consumer,scheduler", "relay")


@dataclass(frozen=True)
class Plan:
    events: int = 10_000  # the throughput run
    paced: tuple[Paced, ...] = (Paced(200, 4_000), Paced(20, 600))
    backlog: int = 100_000  # 0: no backlog run
    history_rows: int = 10_000_000  # 0: no history run
    open_timers: int = 1_000_000


def _log_to(workdir: Path) -> None:
    handler = logging.FileHandler(workdir / "bench.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


async def run_bench(kafka: KafkaConnection, server_url: str, plan: Plan) -> list[str]:
    """`server_url`: a PostgreSQL server on which the run may create databases of its own."""
    workdir = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    _log_to(workdir)
    start = datetime.now(UTC) - timedelta(minutes=30)
    load = owed(workload(plan.events, start, seed=2, run="ratio"))
    await bench_baseline(kafka, plan.events)  # not measured: the broker's JVM warms up
    baseline = await bench_baseline(kafka, plan.events)
    fan_out = await bench_baseline(kafka, plan.events, load.notifications / len(load.run))

    async def on_postgresql(name: str, processes: tuple[str, ...]) -> HubFigures:
        url = fresh_database(server_url, name)
        title = "PostgreSQL" + (", the relay in a process of its own" if len(processes) > 1 else "")
        return await bench_hub(kafka, title, url, plan.events, plan.paced, workdir, processes)

    postgresql = [
        await on_postgresql("bench_one", ONE_PROCESS),
        await on_postgresql("bench_split", SPLIT),
    ]
    sqlite = await bench_hub(
        kafka, "SQLite", f"sqlite:///{workdir / 'bench.db'}", plan.events, plan.paced, workdir
    )
    # The backlog and the history run as the hub is deployed on PostgreSQL, the relay in a
    # process of its own (docs/pipeline.md), not as whichever layout was faster this run:
    # on a noisy machine that was once one process, which drains a backlog slowly.
    layout, processes = deployed(postgresql), SPLIT

    async def reference(name: str, title: str, profile: bool) -> HubFigures:
        """The sustained rate on an empty database, measured just before the run it is the
        reference of: the machine's speed drifts by the minute, and a ratio to the figure
        from minutes earlier measured that drift as much as the hub (docs/benchmark.md)."""
        url = fresh_database(server_url, name)
        return await bench_hub(kafka, f"{layout.name}: {title}", url, plan.events, (), workdir,
                               processes, profile)  # fmt: skip

    backlog = backlog_of = None
    if plan.backlog:
        backlog_of = await reference(
            "bench_backlog_reference", "the sustained rate just before the backlog", False
        )
        url = fresh_database(server_url, "bench_backlog")
        backlog = await bench_backlog(kafka, url, plan.backlog, workdir, processes)
    history = None
    if plan.history_rows:
        url = fresh_database(server_url, "bench_history")
        seeded = seed_history(url, plan.history_rows, plan.open_timers)
        rounds = time_timer_rounds(url, load_directory())
        empty = await reference(
            "bench_history_reference", "an empty database just before the history", True
        )
        on_it = await bench_hub(kafka, layout.name + ", with that history", url, plan.events, (),
                                workdir, processes)  # fmt: skip
        history = HistoryFigures(seeded, rounds, on_it, empty)
    run = Run(baseline, fan_out, postgresql, sqlite, backlog, backlog_of, history)
    return [
        f"hub benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"broker {kafka.bootstrap}; logs and profiles in {workdir}",
        "",
        *report(run),
    ]
