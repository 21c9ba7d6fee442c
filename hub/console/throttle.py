"""Sign-in throttled per user and per address, with `limits` (a moving window in memory):
after a few wrong passwords for one user from one address, or many from one address,
further attempts are refused unchecked until the window has moved on. The right password
does not get through either, or guessing would go on.

In memory, per console process: a console run as several replicas multiplies the
allowance by their number (docs/console.md)."""

from __future__ import annotations

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

PER_USER_AND_ADDRESS = parse("5/15 minutes")
PER_ADDRESS = parse("30/15 minutes")  # one address trying many users


class SignInThrottle:
    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def _windows(self, username: str, address: str) -> list[tuple[RateLimitItem, list[str]]]:
        return [
            (PER_USER_AND_ADDRESS, ["sign-in", username.lower()[:64], address]),
            (PER_ADDRESS, ["sign-in", address]),
        ]

    def allows(self, username: str, address: str) -> bool:
        """Whether an attempt may be checked at all."""
        return all(
            self._limiter.test(item, *keys) for item, keys in self._windows(username, address)
        )

    def failed(self, username: str, address: str) -> None:
        for item, keys in self._windows(username, address):
            self._limiter.hit(item, *keys)

    def succeeded(self, username: str, address: str) -> None:
        """The user's own failures are forgiven; the address's count stays."""
        item, keys = self._windows(username, address)[0]
        self._limiter.clear(item, *keys)
