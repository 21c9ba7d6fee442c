"""One retry policy for the pipeline's loops: forever, with exponential backoff and jitter
(tenacity), at most 10 seconds apart, so a broker or database outage is waited out without
a tight loop and without giving up on a message."""

from __future__ import annotations

from collections.abc import Callable

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential_jitter


def with_backoff(before_sleep: Callable[[RetryCallState], None] | None = None) -> AsyncRetrying:
    return AsyncRetrying(
        wait=wait_exponential_jitter(multiplier=0.2, max=10),
        retry=retry_if_exception_type(Exception),
        before_sleep=before_sleep,
        reraise=True,
    )
