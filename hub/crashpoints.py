"""Named crash points, for the fault tests to prove what each crash window can do.

A test arms one with HUB_CRASH_AT=<point> (or <point>:<k>: the k-th time the point is
reached, counting from 1) in the environment of a `hub run`; when the hub reaches it, it
ends at once with exit code CRASH_EXIT, as a SIGKILL would: no clean-up, no flush, no
leaving the consumer group. Unset, as in every deployment, each point is a comparison with
None and nothing else. Read once, at import: a deployment cannot arm one later.

The windows (docs/pipeline.md says what each may cause):
- consumer.validated:      a batch validated and decided, before its database commit
- consumer.mid-batch:      at a record with others decided before it in its batch (the
                           first such from the k-th record on), before the commit
- consumer.committed:      after the database commit, before the Kafka offsets are committed
- relay.claimed:           outbox rows claimed, before the producer sends them
- relay.acknowledged:      the broker acknowledged them, before they are marked sent
"""

from __future__ import annotations

import os
import sys
from typing import Literal

CRASH_EXIT = 86
Point = Literal[
    "consumer.validated",
    "consumer.mid-batch",
    "consumer.committed",
    "relay.claimed",
    "relay.acknowledged",
]
POINTS: tuple[Point, ...] = (
    "consumer.validated",
    "consumer.mid-batch",
    "consumer.committed",
    "relay.claimed",
    "relay.acknowledged",
)


def _armed(setting: str | None) -> tuple[str, int] | None:
    if not setting:
        return None
    name, _, nth = setting.partition(":")
    if name not in POINTS:
        raise ValueError(f"HUB_CRASH_AT: {name!r} is not a crash point ({', '.join(POINTS)})")
    if nth and not (nth.isdigit() and int(nth) >= 1):
        raise ValueError("HUB_CRASH_AT: the count after ':' must be a whole number from 1")
    return name, int(nth or 1)


ARMED = _armed(os.environ.get("HUB_CRASH_AT"))
_reached = 0


def reach(point: Point, position: int = 1) -> None:
    """The hub has reached `point` (`position`: for consumer.mid-batch, which record of its
    batch, from 1): end the process here if a test armed it."""
    global _reached
    if ARMED is None or ARMED[0] != point:
        return
    _reached += 1
    mid_batch = point != "consumer.mid-batch" or position > 1
    if _reached >= ARMED[1] and mid_batch:
        sys.stderr.write(f'{{"message": "crash point reached", "point": "{point}"}}\n')
        sys.stderr.flush()
        os._exit(CRASH_EXIT)  # no finally blocks, no atexit: as abrupt as a kill
