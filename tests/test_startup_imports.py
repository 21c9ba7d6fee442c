"""What a `hub run` process loads at start-up: every process of the hub pays for it in
memory (issue 15), so libraries only some commands need are imported where they are used."""

from __future__ import annotations

import subprocess
import sys

# alembic: migrations only; holidays: at the first date asked (it loads every country);
# cryptography: only where the project's own broker certificates are made.
LOADED_ON_USE = ("alembic", "holidays", "cryptography")


def test_starting_the_hub_loads_no_library_only_some_commands_use() -> None:
    probe = (
        "import sys, hub.cli, hub.runtime; "
        f"print(','.join(m for m in {LOADED_ON_USE!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
