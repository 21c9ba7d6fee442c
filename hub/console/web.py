"""The ops console over HTTP: web pages for people and a JSON API (OpenAPI at /docs and
/openapi.json) for tools, both behind sign-in, plus Prometheus metrics at /metrics.

Sign-in: a form sets a signed session cookie (SameSite=strict, HttpOnly); API clients may
send HTTP Basic credentials instead. Forms carry a per-session token against cross-site
requests; the API reads a body only if it is declared JSON (FastAPI's strict_content_type),
which a page elsewhere cannot send without the browser asking first (CORS: never allowed
here). Validation errors name the field and the reason, never the value sent: it could
be a child's details."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from hub.console import metrics, probes
from hub.console.access import (
    AUDIT_PAGE,
    AuditLine,
    Operator,
    audit_trail,
    authenticate,
    find_user,
    sign_out,
)
from hub.console.actions import (
    MIN_REASON,
    BrokerUnavailable,
    ReplayReport,
    RerouteReport,
    RetryReport,
    RevealRequest,
    replay_refusals,
    retry_deliveries,
    reveal_episode,
    route_held_duties,
    view_episode,
)
from hub.console.charts import bars, stacked
from hub.console.context import Console, health_of
from hub.console.health import Health
from hub.console.roles import Role
from hub.console.throttle import SignInThrottle
from hub.console.views import (
    FormQuery,
    HeldDuty,
    LogFilter,
    LogPage,
    MissingPage,
    OutboxEntry,
    RecipientBacklog,
    RefusalGroup,
    TeamDeadlines,
    Timeline,
    deadlines,
    outbox,
    outbox_by_recipient,
    refusal_ids,
    refusals,
    routing_log,
    still_missing_page,
    unroutable,
)
from hub.console.when import cause_text, heading, how_late, how_long, label, local_time
from hub.contracts.export import asyncapi_yaml
from hub.reports.figures import Report
from hub.reports.figures import TeamDuties as ReportTeam
from hub.reports.store import ForumEntry, forum_list, period_report
from hub.service.answers import Answer, answer_on_behalf
from hub.store.database import READ_ONLY
from hub.store.models import MESSAGE_ID_LIMIT

T = TypeVar("T")
PER_PAGE = 50
# A session lasts this long from sign-in, however busy: the cookie is signed again with each
# answer (the log page asks every 5 s), so its own age would never end it.
SESSION_LIFETIME = timedelta(hours=8)


# What a browser may do with the console's pages: its own scripts, styles and forms only,
# never framed by another site (clickjacking), no referrer leaving with an episode's URL.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # pages about children stay out of shared caches
}
HSTS = "max-age=31536000; includeSubDomains"


def create_app(
    console: Console,
    secret: str,
    secure_cookies: bool = True,
    api_docs: bool = False,
    metrics_served: bool = True,
) -> FastAPI:
    """`api_docs`: serve /docs and /openapi.json (HUB_CONSOLE_API_DOCS); `metrics_served`:
    serve /metrics (HUB_CONSOLE_METRICS). Off, they are not there at all."""
    if len(secret) < 32:
        raise ValueError("HUB_CONSOLE_SECRET: at least 32 characters")
    app = FastAPI(
        title="Missing Children Integration Hub: ops console",
        version="1",
        description="The routing log, deliveries, refusals and deadlines (docs/console.md).",
        docs_url="/docs" if api_docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if api_docs else None,
    )

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if request.url.path != "/docs":  # Swagger UI, when asked for, loads its own script
            response.headers.update(SECURITY_HEADERS)
        if request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https":
            response.headers["Strict-Transport-Security"] = HSTS
        return response

    app.state.throttle = SignInThrottle()
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="hub_console",
        max_age=int(SESSION_LIFETIME.total_seconds()),
        same_site="strict",
        https_only=secure_cookies,
    )
    # Package data (importlib.resources): an installed wheel has no source tree.
    app.mount("/static", StaticFiles(packages=[("hub.console", "static")]), name="static")
    app.state.console = console
    _errors(app)
    app.include_router(_pages())
    app.include_router(_api())
    if metrics_served:
        app.include_router(metrics.router())
    app.include_router(probes.router())
    return app


templates = Jinja2Templates(
    env=Environment(loader=PackageLoader("hub.console", "templates"), autoescape=True)
)
# Readable JSON: «redacted» shown as such, not as \u00ab escapes (the page escapes HTML).
templates.env.filters["pretty"] = lambda value: json.dumps(value, indent=2, ensure_ascii=False)
basic = HTTPBasic(auto_error=False)


def get_console(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


ConsoleDep = Annotated[Console, Depends(get_console)]


class NotSignedIn(Exception):
    """A page asked for without a session: sent to the sign-in form."""


async def signed_in(
    request: Request,
    console: ConsoleDep,
    credentials: Annotated[HTTPBasicCredentials | None, Depends(basic)],
) -> Operator:
    name, since = request.session.get("user"), _session_began(request)
    if isinstance(name, str) and since is not None and _current(since):
        user = await asyncio.to_thread(_read, console, lambda s: find_user(s, name, since))
        if user is not None:
            return user
    if credentials is not None:
        user = await checked_password(request, console, credentials.username, credentials.password)
        if user is not None:
            return user
    if request.url.path.startswith("/api/"):
        raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Basic"})
    raise NotSignedIn


class TooManyAttempts(HTTPException):
    def __init__(self) -> None:
        super().__init__(429, "too many failed sign-ins: try again in 15 minutes")


async def checked_password(
    request: Request, console: Console, username: str, password: str
) -> Operator | None:
    """The user, if the password is right and this user and address are not throttled
    (hub.console.throttle); TooManyAttempts if they are, whatever the password."""
    throttle: SignInThrottle = request.app.state.throttle
    address = request.client.host if request.client else "unknown"
    if not throttle.allows(username, address):
        raise TooManyAttempts
    user = await read(console, lambda s: authenticate(s, username, password))
    if user is None:
        throttle.failed(username, address)
    else:
        throttle.succeeded(username, address)
    return user


def _session_began(request: Request) -> datetime | None:
    """When the cookie's session began; None for a cookie without it (from before)."""
    began = request.session.get("since")
    try:
        return datetime.fromisoformat(began) if isinstance(began, str) else None
    except ValueError:
        return None


def _current(began: datetime) -> bool:
    """Whether a session begun then has not outlived SESSION_LIFETIME."""
    if began.tzinfo is None:
        return False  # the console writes every beginning with its zone
    return datetime.now(UTC) - began < SESSION_LIFETIME


def needs(role: Role) -> Callable[[Operator], Awaitable[Operator]]:
    async def check(user: Annotated[Operator, Depends(signed_in)]) -> Operator:
        if not user.role.may(role):
            raise HTTPException(403, f"this needs the {role} role; you are a {user.role}")
        return user

    return check


Viewer = Annotated[Operator, Depends(needs(Role.VIEWER))]
OperatorUser = Annotated[Operator, Depends(needs(Role.OPERATOR))]
Admin = Annotated[Operator, Depends(needs(Role.ADMIN))]


def _sign_out(console: Console, username: str, since: datetime) -> None:
    """Only a live session signs its user out: a cookie of a removed account (or one already
    ended) must not end the sessions of an account added again under its name."""
    with console.sessions.begin() as session:
        if find_user(session, username, since) is not None:
            sign_out(session, username, datetime.now(UTC))


def _read(console: Console, read: Callable[[Session], T]) -> T:
    with console.sessions() as session:
        session.connection(execution_options=READ_ONLY)
        return read(session)


async def read(console: Console, view: Callable[[Session], T]) -> T:
    return await asyncio.to_thread(_read, console, view)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        # FastAPI's default answer quotes the input; ours names the field and the reason.
        problems = [
            {
                "field": ".".join(str(part) for part in e.get("loc", ()) if part != "body"),
                "reason": str(e.get("msg", "invalid")),
            }
            for e in error.errors()
        ]
        return JSONResponse({"detail": "invalid request", "problems": problems}, 422)

    @app.exception_handler(NotSignedIn)
    async def to_sign_in(request: Request, _: NotSignedIn) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", 303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or request.url.path == "/metrics":
            body: dict[str, Any] = {"detail": error.detail}
            if error.status_code == 422:
                body["problems"] = []
            return JSONResponse(body, error.status_code, error.headers)
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": error.status_code, "detail": error.detail, "user": None},
            status_code=error.status_code,
            headers=error.headers,
        )


def _csrf(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def _check_csrf(request: Request, token: str) -> None:
    if not secrets.compare_digest(token, str(request.session.get("csrf", ""))):
        raise HTTPException(403, "the form has expired; reload the page and try again")


# -- the JSON API ----------------------------------------------------------------------


class Problem(BaseModel):
    field: str
    reason: str


class Problems(BaseModel):
    """A request the API refused: each field named with why, never its value."""

    detail: str
    problems: list[Problem] = Field(default_factory=list)


class Refused(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Refused, "description": "the body is not JSON"},
    401: {"model": Refused, "description": "not signed in"},
    403: {"model": Refused, "description": "the role does not allow it"},
    422: {"model": Problems, "description": "a field is invalid"},
}


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Refused, "description": "unknown"}}
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": Refused, "description": "the broker is unreachable"}
}


# A row's id: past 2^31 in a long-lived hub (BIGINT on PostgreSQL, migration 0006). Bounded
# by the largest integer a browser's JavaScript, and a JSON number read as a float, hold
# exactly: a client would otherwise send a bound rounded up, and be refused it.
RowId = Annotated[int, Field(ge=1, le=2**53 - 1)]


class ReplayRequest(BaseModel):
    """One or more refusals by id, or a whole group by its cause (from every sender, or from
    the one `sender` names)."""

    ids: list[RowId] = Field(default_factory=list, max_length=10_000)
    cause: str | None = Field(default=None, max_length=600)
    sender: str | None = Field(default=None, max_length=100)


# An outbox row's message id ("notification:<id>", "rejected:..."), or a notification's id
MessageId = Annotated[str, Field(min_length=1, max_length=MESSAGE_ID_LIMIT)]


class RetryRequest(BaseModel):
    """Outbox rows by number, or by message id: the meeting at 18's and its escalations'
    (6.8) by message id only, as the outbox shows them."""

    ids: list[RowId] = Field(default_factory=list, max_length=1000)
    message_ids: list[MessageId] = Field(default_factory=list, max_length=1000)


NOTIFICATION_ID = r"^[0-9a-f-]{36}$"
NotificationId = Annotated[str, Field(pattern=NOTIFICATION_ID)]


class AnswerRequest(BaseModel):
    """An answer recorded on an agency's behalf (issue 14), with the operator's reason."""

    answer: Answer
    reason: str = Field(min_length=MIN_REASON, max_length=500)


class AnswerResult(BaseModel):
    notification_id: str
    outcome: Literal["recorded", "refused", "not_found"]
    reason: str


class RerouteRequest(BaseModel):
    """Held duties by notification id; none named: every held duty."""

    ids: list[NotificationId] = Field(default_factory=list, max_length=10_000)


class HeldDuties(BaseModel):
    total: int
    duties: list[HeldDuty]


class LogQuery(LogFilter):
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=PER_PAGE, ge=1, le=500)


class AuditQuery(FormQuery):
    """Which lines of the audit trail: one user's, one target's (an episode's id, `refusal
    12`, ...), a page at a time, newest first."""

    who: str | None = Field(default=None, max_length=64)
    target: str | None = Field(default=None, max_length=255)
    page: int = Field(default=1, ge=1, le=100_000)


def _audit(console: Console, query: AuditQuery) -> Awaitable[list[AuditLine]]:
    return read(
        console,
        lambda s: audit_trail(s, page=query.page, who=query.who, target=query.target),
    )


class MissingQuery(BaseModel):
    page: int = Field(default=1, ge=1, le=10_000)
    per_page: int = Field(default=100, ge=1, le=500)


def _api() -> Any:
    api = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)

    @api.get("/log", response_model=LogPage)
    async def log_api(
        user: Viewer, console: ConsoleDep, query: Annotated[LogQuery, Query()]
    ) -> LogPage:
        return (await _log(console, query))[0]

    @api.get("/episodes/{episode_id}", response_model=Timeline, responses=NOT_FOUND)
    async def episode_api(
        user: Viewer, console: ConsoleDep, episode_id: Annotated[str, Field(max_length=128)]
    ) -> Timeline:
        return await _timeline(console, user, episode_id)

    @api.post("/episodes/{episode_id}/reveal", response_model=Timeline, responses=NOT_FOUND)
    async def reveal_api(
        user: OperatorUser,
        console: ConsoleDep,
        episode_id: Annotated[str, Field(max_length=128)],
        request: RevealRequest,
    ) -> Timeline:
        return await _reveal(console, user, episode_id, request.reason)

    @api.get("/deadlines", response_model=list[TeamDeadlines])
    async def deadlines_api(
        user: Viewer,
        console: ConsoleDep,
        within_hours: Annotated[int, Query(ge=1, le=24 * 90)] = 48,
    ) -> list[TeamDeadlines]:
        now = console.clock.now()
        return await read(console, lambda s: deadlines(s, now, timedelta(hours=within_hours)))

    @api.get("/missing", response_model=MissingPage)
    async def missing_api(
        user: Viewer, console: ConsoleDep, query: Annotated[MissingQuery, Query()]
    ) -> MissingPage:
        return await _still_missing(console, query)

    @api.post(
        "/deadlines/{notification_id}/answer", response_model=AnswerResult, responses=NOT_FOUND
    )
    async def answer_api(
        user: OperatorUser,
        console: ConsoleDep,
        notification_id: Annotated[str, Path(pattern=NOTIFICATION_ID)],
        request: AnswerRequest,
    ) -> AnswerResult:
        answered = await _answer(console, user, notification_id, request)
        if answered.outcome == "not_found":
            raise HTTPException(404, "no duty with a deadline has this notification id")
        return answered

    @api.get("/reports", response_model=Report)
    async def reports_api(
        user: Viewer,
        console: ConsoleDep,
        since: Annotated[date | None, Query(alias="from")] = None,
        until: Annotated[date | None, Query(alias="to")] = None,
    ) -> Report:
        """The protocol's figures for the days asked for (section 10), as `hub report`."""
        period = _period(console, since, until)
        return (await read(console, lambda s: _report(s, console, period)))[0]

    @api.get("/outbox", response_model=list[OutboxEntry])
    async def outbox_api(
        user: Viewer, console: ConsoleDep, failing: bool = False
    ) -> list[OutboxEntry]:
        return (await read(console, lambda s: outbox(s, failing)))[1]

    @api.get("/outbox/recipients", response_model=list[RecipientBacklog])
    async def outbox_recipients_api(user: Viewer, console: ConsoleDep) -> list[RecipientBacklog]:
        """The outbox by recipient topic: which recipient is failing, and why."""
        return await read(console, outbox_by_recipient)

    @api.post("/outbox/retry", response_model=RetryReport, responses=UNAVAILABLE)
    async def retry_api(
        user: OperatorUser, console: ConsoleDep, request: RetryRequest
    ) -> RetryReport:
        return await _retry(console, user, request.ids, request.message_ids)

    @api.get("/rejected", response_model=list[RefusalGroup])
    async def rejected_api(
        user: Viewer, console: ConsoleDep, resolved: bool = False
    ) -> list[RefusalGroup]:
        return await read(console, lambda s: refusals(s, resolved))

    @api.post("/rejected/replay", response_model=ReplayReport)
    async def replay_api(
        user: OperatorUser, console: ConsoleDep, request: ReplayRequest
    ) -> ReplayReport:
        return await _replay(console, user, request.ids, request.cause, request.sender)

    @api.get("/unroutable", response_model=HeldDuties)
    async def unroutable_api(user: Viewer, console: ConsoleDep) -> HeldDuties:
        total, duties = await read(console, unroutable)
        return HeldDuties(total=total, duties=duties)

    @api.post("/unroutable/route", response_model=RerouteReport)
    async def reroute_api(
        user: OperatorUser, console: ConsoleDep, request: RerouteRequest
    ) -> RerouteReport:
        return await _reroute(console, user, request.ids)

    @api.get("/health", response_model=Health)
    async def health_api(user: Viewer, console: ConsoleDep) -> Health:
        return await health_of(console)

    @api.get("/audit", response_model=list[AuditLine])
    async def audit_api(
        user: Admin, console: ConsoleDep, query: Annotated[AuditQuery, Query()]
    ) -> list[AuditLine]:
        """Newest first, 200 a page (`page`), of one user (`who`) or target (`target`)."""
        return await _audit(console, query)

    @api.get("/me", response_model=Operator)
    async def me(user: Viewer) -> Operator:
        return user

    return api


async def _log(console: Console, query: LogQuery) -> tuple[LogPage, dict[str, Any]]:
    """A page of the routing log, and the filters that chose it (for links to other pages).
    A query is a filter with a page number."""
    local = query.in_zone(ZoneInfo(console.directory.timezone))  # a date field's local time
    log = await read(console, lambda s: routing_log(s, local, query.page, query.per_page))
    # In local time, as the From and To fields show them (the first 16 characters) and the
    # form reads them back: one given with another offset, shown as written, moved the
    # window by that offset when the form was sent again.
    filters = local.model_dump(mode="json", exclude={"page", "per_page"}, exclude_none=True)
    return log, filters


async def _timeline(console: Console, user: Operator, episode_id: str) -> Timeline:
    timeline = await asyncio.to_thread(
        view_episode, console.sessions, user.username, episode_id, console.clock.now()
    )
    if not timeline.entries:
        raise HTTPException(404, "no such episode")
    return timeline


async def _reveal(console: Console, user: Operator, episode_id: str, reason: str) -> Timeline:
    timeline = await asyncio.to_thread(
        reveal_episode, console.sessions, user.username, episode_id, reason, console.clock.now()
    )
    if not timeline.entries:
        raise HTTPException(404, "no such episode")
    return timeline


async def _retry(
    console: Console, user: Operator, ids: list[int], message_ids: list[str]
) -> RetryReport:
    if not ids and not message_ids:  # nothing chosen: nothing to retry, nor to record
        return RetryReport(sent=[], still_failing={}, not_pending=[])
    try:
        return await retry_deliveries(console.parts, user.username, ids, message_ids)
    except BrokerUnavailable as error:
        raise HTTPException(503, str(error)) from None


async def _replay(
    console: Console, user: Operator, ids: list[int], cause: str | None, sender: str | None = None
) -> ReplayReport:
    chosen = list(ids)
    if cause:  # the whole group, not only the refusals its page lists
        chosen += await read(console, lambda s: refusal_ids(s, cause, sender))
    if not chosen:  # nothing named, or a group emptied meanwhile: nothing to replay
        return ReplayReport(outcomes={}, results=[])
    return await asyncio.to_thread(
        replay_refusals,
        console.sessions,
        user.username,
        sorted(set(chosen)),
        console.directory,
        console.clock,
    )


async def _answer(
    console: Console, user: Operator, notification_id: str, request: AnswerRequest
) -> AnswerResult:
    answered = await asyncio.to_thread(
        answer_on_behalf,
        console.sessions,
        console.directory,
        notification_id,
        request.answer,
        user.username,
        request.reason,
        console.clock.now(),
    )
    return AnswerResult(
        notification_id=notification_id, outcome=answered.outcome, reason=answered.reason
    )


async def _reroute(console: Console, user: Operator, ids: list[str]) -> RerouteReport:
    return await asyncio.to_thread(
        route_held_duties,
        console.sessions,
        user.username,
        console.directory,
        console.clock,
        ids or None,
    )


# -- the web pages ---------------------------------------------------------------------


def _page(request: Request, name: str, user: Operator | None, **context: Any) -> HTMLResponse:
    console: Console = request.app.state.console
    zone, now = ZoneInfo(console.directory.timezone), console.clock.now()
    shown = {
        "when": partial(local_time, zone=zone, now=now),  # every time on every page
        "late": partial(how_late, now=now),
        "how_long": how_long,
        "label": label,
        "heading": heading,
        "cause_text": cause_text,
    }
    return templates.TemplateResponse(
        request, name, {"user": user, "csrf": _csrf(request), **shown, **context}
    )


async def _outbox_page(
    request: Request, user: Operator, console: Console, report: RetryReport | None
) -> HTMLResponse:
    def both(session: Session) -> tuple[tuple[int, list[OutboxEntry]], list[RecipientBacklog]]:
        return outbox(session), outbox_by_recipient(session)

    (backlog, rows), recipients = await read(console, both)
    return _page(
        request,
        "outbox.html",
        user,
        backlog=backlog,
        rows=rows,
        recipients=recipients,
        report=report,
    )


def _pages() -> Any:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/asyncapi.yaml")
    async def asyncapi_document(user: Viewer) -> Response:
        """The published contract (every topic, inbound and notification), made from the
        models as `hub contracts export` writes it: the running hub's own, whatever its
        version."""
        return Response(asyncapi_yaml(), media_type="application/yaml")

    @pages.get("/login")
    async def login_form(request: Request, next: str = "/log") -> HTMLResponse:
        return _page(request, "login.html", None, next=_local(next), failed=False)

    @pages.post("/login")
    async def login(
        request: Request,
        console: ConsoleDep,
        username: Annotated[str, Form(max_length=64)],
        password: Annotated[str, Form(max_length=1024)],
        csrf: Annotated[str, Form(max_length=100)],
        next: Annotated[str, Form(max_length=2000)] = "/log",
    ) -> Response:
        # The form's own token: a page elsewhere on the site (SameSite lets a sibling host's
        # form carry the cookie) must not sign someone in to the account it chooses.
        _check_csrf(request, csrf)
        try:
            user = await checked_password(request, console, username, password)
        except TooManyAttempts:
            page = _page(request, "login.html", None, next=_local(next), throttled=True)
            page.status_code = 429
            return page
        if user is None:
            page = _page(request, "login.html", None, next=_local(next), failed=True)
            page.status_code = 401
            return page
        request.session.clear()
        request.session["user"] = user.username
        request.session["since"] = datetime.now(UTC).isoformat()
        return RedirectResponse(_local(next), 303)

    @pages.post("/logout")
    async def logout(
        request: Request, console: ConsoleDep, csrf: Annotated[str, Form(max_length=100)]
    ) -> Response:
        """Ends every session of the user on the server, not only this cookie: only from the
        console's own form (its token), never from a page elsewhere on the site."""
        _check_csrf(request, csrf)
        name, since = request.session.get("user"), _session_began(request)
        if isinstance(name, str) and since is not None:
            await asyncio.to_thread(_sign_out, console, name, since)
        request.session.clear()
        return RedirectResponse("/login", 303)

    @pages.get("/")
    async def home() -> Response:
        return RedirectResponse("/log", 303)

    @pages.get("/log")
    async def log_page(
        request: Request, user: Viewer, console: ConsoleDep, query: Annotated[LogQuery, Query()]
    ) -> HTMLResponse:
        log, filters = await _log(console, query)
        return _page(request, "log.html", user, log=log, filters=filters, query=urlencode(filters))

    @pages.get("/log/rows")
    async def log_rows(
        request: Request, user: Viewer, console: ConsoleDep, query: Annotated[LogQuery, Query()]
    ) -> HTMLResponse:
        log, filters = await _log(console, query)
        return _page(request, "log_rows.html", user, log=log, query=urlencode(filters))

    @pages.get("/episodes/{episode_id}")
    async def episode_page(
        request: Request, user: Viewer, console: ConsoleDep, episode_id: str
    ) -> HTMLResponse:
        timeline = await _timeline(console, user, episode_id[:128])
        return _page(request, "episode.html", user, timeline=timeline)

    @pages.post("/episodes/{episode_id}/reveal")
    async def reveal_page(
        request: Request,
        user: OperatorUser,
        console: ConsoleDep,
        episode_id: str,
        reason: Annotated[str, Form(min_length=10, max_length=500)],
        csrf: Annotated[str, Form(max_length=100)],
    ) -> HTMLResponse:
        _check_csrf(request, csrf)
        timeline = await _reveal(console, user, episode_id[:128], reason)
        return _page(request, "episode.html", user, timeline=timeline)

    @pages.get("/deadlines")
    async def deadlines_page(request: Request, user: Viewer, console: ConsoleDep) -> HTMLResponse:
        return await _deadlines_page(request, user, console, None)

    @pages.get("/missing")
    async def missing_page(
        request: Request, user: Viewer, console: ConsoleDep, query: Annotated[MissingQuery, Query()]
    ) -> HTMLResponse:
        found = await _still_missing(console, query)
        return _page(request, "missing.html", user, found=found, at=console.clock.now())

    @pages.post("/deadlines/{notification_id}/answer")
    async def answer_page(
        request: Request,
        user: OperatorUser,
        console: ConsoleDep,
        notification_id: Annotated[str, Path(pattern=NOTIFICATION_ID)],
        answer: Annotated[Answer, Form()],
        reason: Annotated[str, Form(min_length=MIN_REASON, max_length=500)],
        csrf: Annotated[str, Form(max_length=100)],
    ) -> HTMLResponse:
        _check_csrf(request, csrf)
        result = await _answer(
            console, user, notification_id, AnswerRequest(answer=answer, reason=reason)
        )
        return await _deadlines_page(request, user, console, result)

    @pages.get("/reports")
    async def reports_page(
        request: Request,
        user: Viewer,
        console: ConsoleDep,
        since: Annotated[date | None, Query(alias="from")] = None,
        until: Annotated[date | None, Query(alias="to")] = None,
    ) -> HTMLResponse:
        period = _period(console, since, until)
        done, forum = await read(console, lambda s: _report(s, console, period))
        return _page(
            request,
            "reports.html",
            user,
            report=done,
            forum=forum,
            since=period[0].date().isoformat(),
            until=period[1].date().isoformat(),
            weekly=bars(
                "Episodes per week",
                [(f"{w.week_of:%d %b}", w.episodes) for w in done.episodes_per_week],
            ),
            by_team=stacked(
                "Duties falling due: on time against overdue, busiest teams",
                [
                    (label(t.recipient)[:16], _parts_of(t))
                    for t in sorted(done.teams, key=lambda t: -t.due)[:8]
                ],
            ),
        )

    @pages.get("/outbox")
    async def outbox_page(request: Request, user: Viewer, console: ConsoleDep) -> HTMLResponse:
        return await _outbox_page(request, user, console, report=None)

    @pages.post("/outbox/retry")
    async def retry_page(
        request: Request,
        user: OperatorUser,
        console: ConsoleDep,
        csrf: Annotated[str, Form(max_length=100)],
        ids: Annotated[list[RowId] | None, Form()] = None,
        messages: Annotated[list[MessageId] | None, Form()] = None,
    ) -> HTMLResponse:
        _check_csrf(request, csrf)
        report = await _retry(console, user, (ids or [])[:1000], (messages or [])[:1000])
        return await _outbox_page(request, user, console, report=report)

    @pages.get("/rejected")
    async def rejected_page(request: Request, user: Viewer, console: ConsoleDep) -> HTMLResponse:
        groups = await read(console, refusals)
        return _page(request, "rejected.html", user, groups=groups, report=None)

    @pages.post("/rejected/replay")
    async def replay_page(
        request: Request,
        user: OperatorUser,
        console: ConsoleDep,
        csrf: Annotated[str, Form(max_length=100)],
        ids: Annotated[list[RowId] | None, Form()] = None,
        cause: Annotated[str | None, Form(max_length=600)] = None,
        sender: Annotated[str | None, Form(max_length=100)] = None,
    ) -> HTMLResponse:
        _check_csrf(request, csrf)
        report = await _replay(console, user, (ids or [])[:10_000], cause, sender)
        groups = await read(console, refusals)
        return _page(request, "rejected.html", user, groups=groups, report=report)

    @pages.get("/unroutable")
    async def unroutable_page(request: Request, user: Viewer, console: ConsoleDep) -> HTMLResponse:
        total, duties = await read(console, unroutable)
        return _page(request, "unroutable.html", user, total=total, duties=duties, report=None)

    @pages.post("/unroutable/route")
    async def reroute_page(
        request: Request,
        user: OperatorUser,
        console: ConsoleDep,
        csrf: Annotated[str, Form(max_length=100)],
        ids: Annotated[list[NotificationId] | None, Form()] = None,
    ) -> HTMLResponse:
        _check_csrf(request, csrf)
        report = await _reroute(console, user, (ids or [])[:10_000])
        total, duties = await read(console, unroutable)
        return _page(request, "unroutable.html", user, total=total, duties=duties, report=report)

    @pages.get("/health")
    async def health_page(request: Request, user: Viewer, console: ConsoleDep) -> HTMLResponse:
        return _page(request, "health.html", user, health=await health_of(console))

    @pages.get("/audit")
    async def audit_page(
        request: Request, user: Admin, console: ConsoleDep, query: Annotated[AuditQuery, Query()]
    ) -> HTMLResponse:
        lines = await _audit(console, query)
        filters = query.model_dump(exclude={"page"}, exclude_none=True)
        return _page(
            request,
            "audit.html",
            user,
            lines=lines,
            filters=filters,
            query=urlencode(filters),
            page=query.page,
            more=len(lines) == AUDIT_PAGE,
        )

    return pages


EARLIEST, LATEST = date(1900, 1, 1), date(9000, 1, 1)


def _period(console: Console, since: date | None, until: date | None) -> tuple[datetime, datetime]:
    """The days asked for, from local midnight to local midnight, by default the last 28
    days. A `to` not after `from` is an empty period: every figure is nought."""
    zone = ZoneInfo(console.directory.timezone)
    today = console.clock.now().astimezone(zone).date()
    # Kept where a time zone's conversions cannot run off the calendar's ends.
    first = min(max(since or today - timedelta(days=27), EARLIEST), LATEST)
    last = min(max(until or today + timedelta(days=1), EARLIEST), LATEST)
    midnight = datetime.min.time()
    return datetime.combine(first, midnight, zone), datetime.combine(last, midnight, zone)


def _report(
    session: Session, console: Console, period: tuple[datetime, datetime]
) -> tuple[Report, list[ForumEntry]]:
    start, end = period
    done = period_report(session, console.directory, start, end, console.clock.now())
    return done, forum_list(session, start, end)


def _parts_of(team: ReportTeam) -> list[tuple[str, int]]:
    open_ = team.due - team.done_on_time - team.done_late - team.overdue
    return [
        ("done_on_time", team.done_on_time),
        ("done_late", team.done_late),
        ("overdue", team.overdue),
        ("open", open_),
    ]


async def _deadlines_page(
    request: Request, user: Operator, console: ConsoleDep, result: AnswerResult | None
) -> HTMLResponse:
    now = console.clock.now()
    teams = await read(console, lambda s: deadlines(s, now))
    return _page(request, "deadlines.html", user, teams=teams, at=now, result=result)


async def _still_missing(console: Console, query: MissingQuery) -> MissingPage:
    now, directory, page, per_page = (
        console.clock.now(),
        console.directory,
        query.page,
        query.per_page,
    )
    return await read(console, lambda s: still_missing_page(s, directory, now, page, per_page))


def _local(target: str) -> str:
    """Only a path on this site: a sign-in link must not send anyone elsewhere."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/log"
    return target
