"""The built wheel, installed in a fresh virtual environment away from the checkout, gives a
`hub` that runs: everything it reads at run time is package data (importlib.resources)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed_hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("uv is required (`make setup` installs it)")
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(work / "dist"), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = (work / "dist").glob("missing_children_hub-*.whl")
    subprocess.run([uv, "venv", "--python", "python3.11", str(work / "venv")], check=True)
    subprocess.run(
        [uv, "pip", "install", "--python", str(work / "venv" / "bin" / "python"), str(wheel)],
        check=True,
        capture_output=True,
    )
    return work / "venv" / "bin" / "hub"


def run(hub: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(hub), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_installed_hub_validates_a_message(installed_hub: Path, tmp_path: Path) -> None:
    message = tmp_path / "misper.json"
    shutil.copy(ROOT / "contracts" / "examples" / "01-misper-report.json", message)
    done = run(installed_hub, "validate", str(message), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "misper-report" in done.stdout


def test_the_installed_hub_simulates_a_timeline_with_its_own_directory(
    installed_hub: Path, tmp_path: Path
) -> None:
    scenario = tmp_path / "timeline.jsonl"
    shutil.copy(ROOT / "scenarios" / "third-time-in-a-month.jsonl", scenario)
    done = run(installed_hub, "simulate", "--json", str(scenario), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"paragraph": "7.18"' in done.stdout  # the third episode's strategy meeting


def test_the_installed_hub_carries_its_migrations_and_console_templates(
    installed_hub: Path, tmp_path: Path
) -> None:
    python = installed_hub.with_name("python")
    check = (
        "from importlib import resources; "
        "assert resources.files('hub.console').joinpath('templates', 'log.html').is_file(); "
        "assert resources.files('hub.store').joinpath('migrations', 'env.py').is_file(); "
        "from hub.store.database import migrate; migrate('sqlite:///hub.db'); print('ok')"
    )
    done = subprocess.run(
        [str(python), "-c", check], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "hub.db").exists()
