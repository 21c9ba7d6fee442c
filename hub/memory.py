"""The hub process's memory allocator, set once at start-up (issue 15: at most 300 MB).

glibc's malloc gives each thread that allocates an arena of its own, up to eight per core,
and memory freed into one arena is not reused by another. The hub allocates from the event
loop, the worker thread applying batches and the relay's round: each kept its own high-water
mark. Two arenas took a 100,000-event backlog's peak from 303 to 294 MB across the two
processes of a split deployment (docs/benchmark.md), and keep the loop and a worker from
contending for one lock."""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2


def fewer_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Limit glibc's arenas (call before the hub starts its threads). False where the C
    library is not glibc (musl, macOS): nothing to limit there, and nothing is changed."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, arenas))
