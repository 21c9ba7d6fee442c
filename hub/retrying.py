"""Retry policies for the pipeline's loops, each saying which failures (hub.errors) it
retries: forever, with exponential backoff and jitter (tenacity), at most 10 seconds apart,
so an outage is waited out without a tight loop and without giving up on a message. Every
failed attempt is logged with what was being done and why it failed (hub.errors.failure_of),
so an outage shows in the log whichever loop meets it first. A hub asked to stop stops
retrying at once: the work it had not finished is left undone (uncommitted) for the next
start, never half done.

- ROUNDS retries TRANSIENT and BUG: applying a batch, a relay round, a timer round. A
  message's own bug is dead-lettered inside (hub.service.applying); one that escapes
  the batch (two instances racing in a rebalance) is retried, since a loop that stopped
  would strand every duty behind it, and each failure is logged.
- OUTAGES retries TRANSIENT failures only: listening for wake-ups, where a bug has
  nothing to wait for (the relay polls all the same).

BAD_INPUT is never retried: nothing about it changes by waiting."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential_jitter

from hub.errors import Failure, classify, failure_of

log = logging.getLogger(__name__)
T = TypeVar("T")


class Stopped(Exception):
    """The hub was asked to stop while the work was still failing."""


@dataclass(frozen=True)
class RetryPolicy:
    retries: frozenset[Failure]
    longest_wait_s: float = 10.0


OUTAGES = RetryPolicy(frozenset({Failure.TRANSIENT}))
ROUNDS = RetryPolicy(frozenset({Failure.TRANSIENT, Failure.BUG}))


def with_backoff(
    task: str, stop: asyncio.Event | None = None, policy: RetryPolicy = ROUNDS
) -> AsyncRetrying:
    """Retry `task` (named for the log: "outbox relay round") while it fails in a way
    `policy` retries, until it works or `stop` is set: then the last failure is raised."""

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "failed; retrying",
            extra={
                "task": task,
                "failure": failure_of(error),
                "kind": classify(error).value if error else None,
                "retry_in_s": round(delay, 1),
                "attempt": state.attempt_number,
            },
        )

    async def sleep(seconds: float) -> None:  # cut short by a stop
        if stop is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)

    return AsyncRetrying(
        wait=wait_exponential_jitter(multiplier=0.2, max=policy.longest_wait_s),
        # An Exception only: a cancellation (asyncio.run ending, say) is never retried.
        retry=retry_if_exception(
            lambda error: isinstance(error, Exception) and classify(error) in policy.retries
        ),
        stop=lambda _state: stop is not None and stop.is_set(),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )


async def until_done(
    task: str,
    work: Callable[[], Awaitable[T]],
    stop: asyncio.Event,
    policy: RetryPolicy = ROUNDS,
) -> T:
    """`work()`'s result once it succeeds; raises Stopped if `stop` is set first, and the
    failure itself if it is of a kind `policy` does not retry."""
    if stop.is_set():
        raise Stopped(task)
    try:
        # Not `await retrying(work)`: tenacity awaits only coroutine functions, and `work`
        # is any callable returning an awaitable (a lambda around asyncio.to_thread).
        async for attempt in with_backoff(task, stop, policy):
            with attempt:
                return await work()
    except Exception as error:
        if stop.is_set():
            raise Stopped(task) from error
        raise
    raise AssertionError("unreachable: tenacity returns or raises")  # pragma: no cover
