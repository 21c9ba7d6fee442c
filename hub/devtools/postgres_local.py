"""A throwaway PostgreSQL cluster from Debian's binaries, on a free loopback port.

PostgreSQL refuses to run as root, and CI runs as root, so when we are root the cluster is
owned by and run as the `postgres` system user that Debian's package creates."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hub.devtools.ports import free_port


class PostgresUnavailable(RuntimeError):
    """PostgreSQL could not be found or started; the message says why."""


def find_bindir() -> Path:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found: install Debian's 'postgresql' package "
        "(`make setup` does this)"
    )


@dataclass
class LocalPostgres:
    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hub-pg-")))
    # Tests trade durability for speed; the benchmark keeps production's (durable=True).
    durable: bool = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{Path(args[0]).name} failed:\n{result.stdout}{result.stderr}"
            )

    def start(self) -> None:
        bindir = find_bindir()
        data = self.root / "data"
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    "running as root needs the 'postgres' user that "
                    "Debian's postgresql package creates"
                ) from None
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        if not (data / "PG_VERSION").exists():
            self._run(
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(self.root / "postgres.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def pause(self) -> None:
        """Shut the server down, keeping its data: `start` brings it back (outage tests)."""
        data = self.root / "data"
        if (data / "postmaster.pid").exists():
            self._run(str(find_bindir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        self.pause()
        shutil.rmtree(self.root, ignore_errors=True)
