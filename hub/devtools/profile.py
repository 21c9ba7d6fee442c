"""Where a `hub run` process's CPU goes, from py-spy's sampling profile (its raw format: one
line per distinct stack, `frame;frame;...;frame count`, outermost first, each frame
`function (path:line)`). py-spy runs the hub as its child and samples it from outside, so
the hub's code is unchanged and every thread is seen; idle threads are not sampled, so
the samples are CPU time.

Two views: by the library whose code was running (self time), and the hub's own functions
that the time was spent under (inclusive), for the next change to aim at."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*) \((?P<path>[^()]*?)(?::\d+)?\)$")

# Where a frame's code lives, by its path's first part; the rest are named by that part.
_AREAS = {
    "aiokafka": "Kafka client (aiokafka)",
    "kafka": "Kafka client (aiokafka)",
    "sqlalchemy": "SQLAlchemy",
    "psycopg": "database driver (psycopg)",
    "sqlite3": "database driver (sqlite3)",
    "pydantic": "pydantic",
    "pydantic_core": "pydantic",
    "faststream": "FastStream",
    "asyncio": "event loop (asyncio)",
    "selectors.py": "event loop (asyncio)",
    "ssl.py": "TLS",
    "json": "JSON",
    "concurrent": "worker threads (asyncio.to_thread)",
    "threading.py": "worker threads (asyncio.to_thread)",
    "hub": "the hub's own code",
}
STARTING = "starting (imports)"


@dataclass(frozen=True)
class Frame:
    function: str
    path: str

    @property
    def area(self) -> str:
        first = self.path.split("/", 1)[0]
        return _AREAS.get(first, "other (stdlib, other libraries)")

    @property
    def label(self) -> str:
        module = self.path.removesuffix(".py").replace("/", ".")
        return f"{module}.{self.function}"


@dataclass(frozen=True)
class Profile:
    samples: int
    by_area: Counter[str]  # self time: the library running when sampled
    by_hub_function: Counter[str]  # inclusive: a hub function anywhere on the stack

    def summary(self, top: int = 8) -> list[str]:
        if not self.samples:
            return ["no samples"]

        def share(n: int) -> str:
            return f"{n / self.samples:4.0%}"

        lines = ["by library (self): " + ", ".join(
            f"{area} {share(n).strip()}" for area, n in self.by_area.most_common()
        )]  # fmt: skip
        lines.append("the hub's functions it ran under (inclusive):")
        lines += [f"  {share(n)}  {name}" for name, n in self.by_hub_function.most_common(top)]
        return lines


def _frame(text: str) -> Frame:
    match = _FRAME.match(text.strip())
    if match is None:
        return Frame(text.strip(), "")
    return Frame(match["function"], match["path"])


# The frames every hub stack shares (the entry point, the event loop, the worker threads):
# counted, they would top every list and say nothing.
_ENTRY = re.compile(r"^hub\.(cli|__main__|runtime)\.|^hub\.retrying\.")


def parse(lines: Iterable[str]) -> Profile:
    samples = 0
    by_area: Counter[str] = Counter()
    by_hub: Counter[str] = Counter()
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_frame(part) for part in stack.split(";")]
        samples += n
        if any(f.function == "_find_and_load" for f in frames):
            by_area[STARTING] += n  # once per process: not where an event's time goes
            continue
        by_area[frames[-1].area] += n
        seen = {f.label for f in frames if f.path.startswith("hub/")}
        for label in seen:
            if not _ENTRY.match(label):
                by_hub[label] += n
    return Profile(samples, by_area, by_hub)


def merge(profiles: Iterable[Profile]) -> Profile:
    """Several processes' profiles as one (the hub split by role)."""
    total = Profile(0, Counter(), Counter())
    for profile in profiles:
        total.by_area.update(profile.by_area)
        total.by_hub_function.update(profile.by_hub_function)
        total = replace(total, samples=total.samples + profile.samples)
    return total


def read(path: Path) -> Profile:
    if not path.exists():
        return Profile(0, Counter(), Counter())
    with path.open() as lines:
        return parse(lines)
