"""The benchmark's figures as the lines `make bench` prints, and each of issue 15's targets
with its figure and whether it is met. The targets are ratios to the baselines measured in
the same run, or figures that do not move with the machine (milliseconds at a fixed
offered rate, megabytes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hub.devtools.bench import FAN_OUT_TOPICS, Backlog, HubFigures, Throughput
from hub.devtools.bench_history import History, TimerRounds

THROUGHPUT_POSTGRESQL = 0.40  # of the fan-out baseline
THROUGHPUT_SQLITE = 0.30
P99_MS = {200.0: 250.0, 20.0: 100.0}  # offered events/s -> p99 at most
BACKLOG_OF_SUSTAINED = 0.90
MEMORY_FLAT = 1.15  # the last tenth of a drain at most this much above its first
TIMER_ROUND_MS = 50.0
HISTORY_OF_EMPTY = 0.80
MEMORY_MB = 300.0


@dataclass(frozen=True)
class HistoryFigures:
    history: History
    rounds: TimerRounds
    on_it: HubFigures  # the same configuration's throughput on the large database
    empty: HubFigures  # and on an empty one, just before it


@dataclass(frozen=True)
class Run:
    baseline: Throughput
    fan_out: Throughput
    postgresql: list[HubFigures]
    sqlite: HubFigures
    backlog: Backlog | None
    backlog_of: HubFigures | None  # its configuration's sustained rate, just before it
    history: HistoryFigures | None

    @property
    def best_postgresql(self) -> HubFigures:
        return max(self.postgresql, key=lambda hub: hub.throughput.per_second)

    @property
    def deployed_postgresql(self) -> HubFigures:
        return deployed(self.postgresql)


def deployed(postgresql: Sequence[HubFigures]) -> HubFigures:
    """The layout the hub runs in on PostgreSQL: the relay in a process of its own."""
    return next(hub for hub in postgresql if hub.processes > 1)


@dataclass(frozen=True)
class Target:
    what: str
    figure: str
    met: bool

    def line(self) -> str:
        return f"  [{'met' if self.met else 'NOT MET'}] {self.what}: {self.figure}"


def _share(hub: HubFigures, fan_out: Throughput) -> float:
    return hub.throughput.per_second / fan_out.per_second


def targets(run: Run) -> list[Target]:
    pg = run.best_postgresql
    found = [
        Target(
            f"PostgreSQL throughput >= {THROUGHPUT_POSTGRESQL:.0%} of the fan-out baseline "
            f"(best configuration: {pg.name})",
            f"{_share(pg, run.fan_out):.0%} ({pg.throughput.per_second:,.0f} events/s)",
            _share(pg, run.fan_out) >= THROUGHPUT_POSTGRESQL,
        ),
        Target(
            f"SQLite throughput >= {THROUGHPUT_SQLITE:.0%} of the fan-out baseline",
            f"{_share(run.sqlite, run.fan_out):.0%} "
            f"({run.sqlite.throughput.per_second:,.0f} events/s)",
            _share(run.sqlite, run.fan_out) >= THROUGHPUT_SQLITE,
        ),
    ]
    for latency in pg.latencies:
        limit = P99_MS.get(latency.offered_per_second)
        if limit is not None:
            p99 = latency.percentile(99)
            found.append(
                Target(
                    f"p99 publish to arrival <= {limit:.0f} ms at "
                    f"{latency.offered_per_second:.0f} events/s offered ({pg.name})",
                    f"{p99:,.0f} ms",
                    p99 <= limit,
                )
            )
    if run.backlog is not None and run.backlog_of is not None:
        backlog, sustained = run.backlog, run.backlog_of.throughput.per_second
        first, last = backlog.memory_mb[0], backlog.memory_mb[-1]
        found += [
            Target(
                f"a backlog of {backlog.events:,} events drains at >= "
                f"{BACKLOG_OF_SUSTAINED:.0%} of the sustained rate ({run.backlog_of.name})",
                f"{backlog.per_second / sustained:.0%} ({backlog.per_second:,.0f} against "
                f"{sustained:,.0f} events/s)",
                backlog.per_second >= BACKLOG_OF_SUSTAINED * sustained,
            ),
            Target(
                "memory flat while it drains (the last tenth within "
                f"{MEMORY_FLAT - 1:.0%} of the first)",
                f"{first:.0f} MB after the first tenth, {last:.0f} MB at the end",
                last <= first * MEMORY_FLAT,
            ),
        ]
    if run.history is not None:
        history = run.history
        on_it, empty = history.on_it.throughput.per_second, history.empty.throughput.per_second
        rounds = history.rounds
        found += [
            Target(
                f"a due-timer round <= {TIMER_ROUND_MS:.0f} ms with "
                f"{history.history.open_timers:,} open timers and "
                f"{history.history.routing_rows:,} routing-log rows",
                f"{rounds.idle_ms:.1f} ms with none due, {rounds.one_ms:.1f} ms with one "
                f"(a full batch of {rounds.full}: {rounds.full_ms:,.0f} ms)",
                max(rounds.idle_ms, rounds.one_ms) <= TIMER_ROUND_MS,
            ),
            Target(
                f"throughput on that history within {1 - HISTORY_OF_EMPTY:.0%} of an empty "
                f"database ({history.on_it.name})",
                f"{on_it / empty:.0%} ({on_it:,.0f} against {empty:,.0f} events/s)",
                on_it >= HISTORY_OF_EMPTY * empty,
            ),
        ]
    memory = [*run.postgresql, run.sqlite]
    if run.backlog_of is not None:
        memory.append(run.backlog_of)
    if run.history is not None:
        memory += [run.history.empty, run.history.on_it]
    peak = max(hub.peak_rss_mb for hub in memory)
    if run.backlog is not None:
        peak = max(peak, run.backlog.peak_rss_mb)
    found.append(
        Target(
            f"hub memory <= {MEMORY_MB:.0f} MB at every point of the run",
            f"{peak:.0f} MB at its highest",
            peak <= MEMORY_MB,
        )
    )
    return found


def _hub_lines(hub: HubFigures, baseline: Throughput, fan_out: Throughput) -> list[str]:
    t = hub.throughput
    processes = f" ({hub.processes} processes, summed)" if hub.processes > 1 else ""
    lines = [
        f"{hub.name}:",
        f"  throughput  {t.events} events, {t.notifications} notifications out, in "
        f"{t.seconds:.1f}s = {t.per_second:,.0f} events/s "
        f"({t.per_second / baseline.per_second:.0%} of the baseline, "
        f"{t.per_second / fan_out.per_second:.0%} of the fan-out baseline)",
    ]
    for lat in hub.latencies:
        lines.append(
            f"  latency     {lat.events} events offered at {lat.offered_per_second:.0f}/s, "
            f"{len(lat.samples_ms)} notifications: p50 {lat.percentile(50):.0f} ms, "
            f"p95 {lat.percentile(95):.0f} ms, p99 {lat.percentile(99):.0f} ms "
            f"({lat.held_back} events waited for their child's previous one to be applied)"
        )
    cpu = f"  cpu         {hub.cpu_ms_per_event:.2f} ms per event{processes}"
    lines += [
        f"  memory      peak resident set of `hub run`{processes}: {hub.peak_rss_mb:.0f} MB",
        f"{cpu}; where it went ({hub.profile.samples} samples, a throughput run of its own "
        "under py-spy, after the measured ones):"
        if hub.profile.samples
        else cpu,
        *(f"    {line}" for line in hub.profile.summary() if hub.profile.samples),
        "",
    ]
    return lines


def report(run: Run) -> list[str]:
    baseline, fan_out = run.baseline, run.fan_out
    lines = [
        f"baseline, bare aiokafka consume-and-produce: {baseline.events} events in "
        f"{baseline.seconds:.1f}s = {baseline.per_second:,.0f} events/s",
        f"fan-out baseline, the same producing each event "
        f"{fan_out.notifications / fan_out.events:.2f} times (as many as the hub's "
        f"notifications) over {FAN_OUT_TOPICS} topics: {fan_out.notifications} records out in "
        f"{fan_out.seconds:.1f}s = {fan_out.per_second:,.0f} events/s",
        "",
    ]
    for hub in (*run.postgresql, run.sqlite):
        lines += _hub_lines(hub, baseline, fan_out)
    if run.backlog is not None:
        backlog = run.backlog
        if run.backlog_of is not None:
            lines += _hub_lines(run.backlog_of, baseline, fan_out)
        lines += [
            f"backlog ({run.deployed_postgresql.name}): {backlog.events:,} "
            f"events queued while the hub was down, drained in {backlog.seconds:.1f}s = "
            f"{backlog.per_second:,.0f} events/s, {backlog.notifications:,} notifications out",
            "  refused or held, read out of the order they were sent in: "
            + (", ".join(f"{n:,} {kind}" for kind, n in sorted(backlog.refused.items())) or "none"),
            "  memory at each tenth drained: "
            + ", ".join(f"{mb:.0f}" for mb in backlog.memory_mb)
            + f" MB (peak {backlog.peak_rss_mb:.0f} MB)",
            "",
        ]
    if run.history is not None:
        history = run.history
        lines += [
            f"history: {history.history.routing_rows:,} routing-log rows (and as many sent "
            f"outbox rows), {history.history.open_timers:,} open timers, seeded in "
            f"{history.history.seconds:.0f}s",
            *_hub_lines(history.empty, baseline, fan_out),
            *_hub_lines(history.on_it, baseline, fan_out),
        ]
    lines.append("targets (ratios to this run's baselines):")
    lines += [target.line() for target in targets(run)]
    return lines
