"""Small builders shared by tests: example messages as dicts, changed one field at a time."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

ReportFigure = Callable[[str], None]  # a measured figure, printed at the end of the run

EXAMPLES = Path(__file__).resolve().parents[1] / "contracts" / "examples"


def example(name: str) -> dict[str, Any]:
    """An example message (structured CloudEvent) by its file stem, e.g. '01-misper-report'."""
    document: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return copy.deepcopy(document)


def encoded(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()
