"""The benchmark's profile summary (hub.devtools.profile): py-spy's raw stacks, read as where
a `hub run` process's CPU went."""

from hub.devtools.profile import STARTING, parse

STACKS = [
    # applying a batch: 6 samples in psycopg, under the hub's write
    "run (hub/runtime.py:10);apply_batch (hub/service/applying.py:60);"
    "write (hub/store/outcomes.py:120);execute (psycopg/cursor.py:700) 6",
    # deciding: 3 samples in the hub's own engine
    "run (hub/runtime.py:10);apply_batch (hub/service/applying.py:60);"
    "decide (hub/routing/engine.py:40) 3",
    # importing at start: 1 sample, set apart
    "<module> (hub/cli.py:1);_find_and_load (<frozen importlib._bootstrap>:1176);"
    "<module> (sqlalchemy/__init__.py:1) 1",
]


def test_self_time_is_counted_by_the_library_that_ran() -> None:
    profile = parse(line + "\n" for line in STACKS)
    assert profile.samples == 10
    assert profile.by_area["database driver (psycopg)"] == 6
    assert profile.by_area["the hub's own code"] == 3
    assert profile.by_area[STARTING] == 1


def test_the_hubs_functions_are_counted_inclusively_without_the_entry_point() -> None:
    profile = parse(line + "\n" for line in STACKS)
    assert profile.by_hub_function["hub.service.applying.apply_batch"] == 9
    assert profile.by_hub_function["hub.store.outcomes.write"] == 6
    assert "hub.runtime.run" not in profile.by_hub_function
