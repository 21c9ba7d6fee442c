"""One retry policy for the pipeline's loops: forever, with exponential backoff and jitter
(tenacity), at most 10 seconds apart, so a broker or database outage is waited out without
a tight loop and without giving up on a message. Every failed attempt is logged with what
was being done and why it failed (hub.store.failures), so an outage shows in the log
whichever loop meets it first. A hub asked to stop stops retrying at once: the work it
had not finished is left undone (uncommitted) for the next start, never half done."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential_jitter

from hub.store.failures import failure_of

log = logging.getLogger(__name__)
T = TypeVar("T")


class Stopped(Exception):
    """The hub was asked to stop while the work was still failing."""


def with_backoff(task: str, stop: asyncio.Event | None = None) -> AsyncRetrying:
    """Retry `task` (named for the log: "outbox relay round") until it works, or until
    `stop` is set: then the last failure is raised."""

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s failed (%s); retrying in %.1f s (attempt %d)",
            task,
            failure_of(error),
            delay,
            state.attempt_number,
        )

    async def sleep(seconds: float) -> None:  # cut short by a stop
        if stop is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)

    return AsyncRetrying(
        wait=wait_exponential_jitter(multiplier=0.2, max=10),
        retry=retry_if_exception_type(Exception),
        stop=lambda _state: stop is not None and stop.is_set(),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )


async def until_done(task: str, work: Callable[[], Awaitable[T]], stop: asyncio.Event) -> T:
    """`work()`'s result once it succeeds; raises Stopped if `stop` is set first."""
    if stop.is_set():
        raise Stopped(task)
    try:
        # Not `await retrying(work)`: tenacity awaits only coroutine functions, and `work`
        # is any callable returning an awaitable (a lambda around asyncio.to_thread).
        async for attempt in with_backoff(task, stop):
            with attempt:
                return await work()
    except Exception as error:
        if stop.is_set():
            raise Stopped(task) from error
        raise
    raise AssertionError("unreachable: tenacity returns or raises")  # pragma: no cover
