"""Liveness and readiness for orchestrators, open without sign-in and saying nothing about
any child: /livez (this console process answers) and /readyz (its database and broker
answer, and a `hub run` is alive for every role). 200 when well, 503 with the failing
checks' names otherwise."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hub.console.context import recent_health

# An orchestrator probes every few seconds; anyone who can reach /readyz gets the last
# reading if it is this fresh (hub.console.context.RecentHealth).
FRESH_FOR = 5.0  # seconds


def router() -> APIRouter:
    probes = APIRouter(include_in_schema=False)

    @probes.get("/livez")
    async def alive() -> JSONResponse:
        return JSONResponse({"status": "alive"})

    @probes.get("/readyz")
    async def ready(request: Request) -> JSONResponse:
        found = await recent_health(request.app.state.console, FRESH_FOR)
        checks = {"database": found.database.ok, "broker": found.broker.ok, "hub": found.hub.ok}
        failing = sorted(name for name, ok in checks.items() if not ok)
        if failing:
            return JSONResponse({"status": "not ready", "failing": failing}, 503)
        return JSONResponse({"status": "ready"})

    return probes
