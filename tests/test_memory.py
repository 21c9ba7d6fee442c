"""The hub process limits glibc's malloc arenas at start-up (hub.memory, issue 15)."""

from __future__ import annotations

import subprocess
import sys


def test_the_arenas_are_limited_where_the_c_library_is_glibc() -> None:
    # In a process of its own: the limit lasts for the process, and this one runs the tests.
    probe = "from hub.memory import fewer_malloc_arenas; print(fewer_malloc_arenas())"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"  # this machine's C library is glibc
