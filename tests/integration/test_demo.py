"""The README's main command: the demo publishes every example and reads each one back."""

from __future__ import annotations

import asyncio

from hub.demo import run_demo
from tests.helpers import EXAMPLES


def test_the_demo_reads_back_every_example_with_personal_data_redacted(
    kafka_bootstrap: str,
) -> None:
    files = sorted(EXAMPLES.glob("*.json"))
    lines = asyncio.run(run_demo(kafka_bootstrap, files))
    assert lines[-1].startswith(f"read back {len(files)} of {len(files)} messages")
    output = "\n".join(lines)
    assert "«redacted»" in output
    assert "Jordan Example" not in output
