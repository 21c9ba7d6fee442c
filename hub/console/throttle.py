"""Sign-in throttled per user and per address, with `limits` (a moving window in memory):
after a few wrong passwords for one user from one address, or many from one address,
further attempts are refused unchecked until the window has moved on. The right password
does not get through either, or guessing would go on.

In memory, per console process: a console run as several replicas multiplies the
allowance by their number (docs/console.md).

An IPv6 address counts by its /64: each connection has a /64 of its own, and a guesser
keyed on the whole address would begin a fresh count at each of its 2^64 addresses."""

from __future__ import annotations

import ipaddress

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

PER_USER_AND_ADDRESS = parse("5/15 minutes")
PER_ADDRESS = parse("30/15 minutes")  # one address trying many users
IPV6_NETWORK = 64  # the prefix one connection is given


def counted_as(address: str) -> str:
    """Where attempts are counted from: an IPv4 address (an IPv4-mapped one as itself), or
    an IPv6 address's /64. A name that is no address is counted as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Interface((int(ip), IPV6_NETWORK)).network)
    return str(ip)


class SignInThrottle:
    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def _windows(self, username: str, address: str) -> list[tuple[RateLimitItem, list[str]]]:
        address = counted_as(address)
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
