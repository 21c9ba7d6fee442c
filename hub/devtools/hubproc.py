"""`hub run` processes for the benchmark, as production runs them (one per HUB_ROLES), each
optionally under py-spy (hub.devtools.profile), with their memory sampled while they run."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from hub.devtools.profile import Profile, merge, read

MEMORY_EVERY_S = 0.25


def _status_kb(pid: int, field: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User and system time of a process so far (/proc/<pid>/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def py_spy() -> str | None:
    """py-spy beside this interpreter (a dev dependency), else on the PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


class HubProcesses:
    """Started with `start`, stopped (SIGTERM, as an operator would) with `stop`. While they
    run, the sum of their resident sets is sampled four times a second: `peak_mb` is its
    highest, and `memory` the samples, for a run that must show memory flat."""

    def __init__(
        self,
        roles: Sequence[str],
        env: Mapping[str, str],
        log: IO[bytes],
        profile_dir: Path | None = None,
        name: str = "hub",
    ) -> None:
        self.roles, self.env, self.log, self.profile_dir = roles, env, log, profile_dir
        self.name = name
        self.launched: list[asyncio.subprocess.Process] = []  # py-spy, or the hub itself
        self.pids: list[int] = []  # the hubs'
        self.memory: list[tuple[float, float]] = []  # (monotonic time, MB summed)
        self._sampler: asyncio.Task[None] | None = None
        self.profiles: list[Path] = []

    async def start(self) -> None:
        spy = py_spy() if self.profile_dir is not None else None
        for n, roles in enumerate(self.roles):
            hub = [sys.executable, "-m", "hub", "run"]
            command = hub
            if spy is not None and self.profile_dir is not None:
                out = self.profile_dir / f"{self.name}-{n}-{roles.replace(',', '+')}.txt"
                self.profiles.append(out)
                # Sampling without pausing the hub (--nonblocking), idle threads not counted.
                command = [spy, "record", "--format", "raw", "--rate", "100", "--nonblocking",
                           "--output", str(out), "--", *hub]  # fmt: skip
            process = await asyncio.create_subprocess_exec(
                *command,
                env={**self.env, "HUB_ROLES": roles},
                stdout=self.log if spy is not None else None,
                stderr=self.log,
            )
            self.launched.append(process)
            self.pids.append(await self._hub_pid(process.pid, spy is not None))
        self._sampler = asyncio.create_task(self._sample())

    @staticmethod
    async def _hub_pid(pid: int, under_spy: bool) -> int:
        if not under_spy:
            return pid
        for _ in range(500):  # py-spy starts the hub as its child
            children = Path(f"/proc/{pid}/task/{pid}/children")
            with contextlib.suppress(OSError):
                found = children.read_text().split()  # noqa: ASYNC240 (a /proc file)
                if found:
                    return int(found[0])
            await asyncio.sleep(0.01)
        raise RuntimeError("py-spy did not start the hub")

    async def _sample(self) -> None:
        while True:
            rss = sum(_status_kb(pid, "VmRSS") for pid in self.pids) / 1024
            self.memory.append((time.monotonic(), rss))
            await asyncio.sleep(MEMORY_EVERY_S)

    def cpu_seconds(self) -> float:
        total = 0.0
        for pid in self.pids:
            with contextlib.suppress(OSError):
                total += cpu_seconds(pid)
        return total

    @property
    def peak_mb(self) -> float:
        """The highest of the sampled sums, or the summed per-process peaks (VmHWM) if higher:
        a peak between two samples is not missed."""
        sampled = max((mb for _, mb in self.memory), default=0.0)
        return max(sampled, sum(_status_kb(pid, "VmHWM") for pid in self.pids) / 1024)

    async def stop(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 15)
        for process in self.launched:
            await asyncio.wait_for(process.wait(), timeout=120)

    def profile(self) -> Profile:
        return merge(read(path) for path in self.profiles)
