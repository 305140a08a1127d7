"""``caseclean review``: a local web app to accept or reject a run's corrections.

The app serves the tables of one output folder on 127.0.0.1. Every decision is written to
``decisions.jsonl`` in that folder at once, and the page shows its effect straight away (see
:mod:`pipeline.review.state`).

Page text is untrusted. Templates autoescape everything, scripts come only from the
package's own static files (a strict Content-Security-Policy forbids inline script), a
state-changing request must carry the session's token and come from the app's own origin,
the Host header must name the loopback interface (against DNS rebinding), and case ids are
looked up in the tables, never joined into a path.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.decisions import DECISIONS_FILE, SCOPES, VALUES, export_rules
from pipeline.review.server import HOST, bind, make_server
from pipeline.review.state import Filters, ReviewState
from pipeline.review.views import PACKAGE, environment, html_pieces

LOOPBACK_NAMES = ("127.0.0.1", "localhost")
SESSION_COOKIE = "caseclean_session"
TOKEN_HEADER = "x-caseclean-token"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


class SecurityHeadersMiddleware:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response, refusals and static files too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def session_token(secret: bytes, session: str) -> str:
    """The token a session's pages carry; only the server, holding ``secret``, can make it."""
    return hmac.new(secret, session.encode("utf-8"), hashlib.sha256).hexdigest()


def _valid_session(session: str) -> bool:
    return 20 <= len(session) <= 100 and session.replace("-", "").replace("_", "").isalnum()


def _review(request: Request) -> ReviewState:
    return request.app.state.review


def _refuse(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


def _page(request: Request, template: str, **context: Any) -> Response:
    """A page of the app; a browser without a valid session cookie gets a new session."""
    session = request.cookies.get(SESSION_COOKIE) or ""
    fresh = not _valid_session(session)
    if fresh:
        session = secrets.token_urlsafe(32)
    review = _review(request)
    context.update(
        token=session_token(request.app.state.secret, session),
        totals=review.totals(),
        out_dir=str(review.out_dir),
    )
    response = request.app.state.templates.TemplateResponse(request, template, context)
    if fresh:
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict")
    return response


def _refusal(request: Request) -> Response | None:
    """Why a state-changing request is refused (None when it may go on): it must come from
    the app's own origin, carry its session's token, and send JSON."""
    origin = urlsplit(request.headers.get("origin", ""))
    if origin.scheme != "http" or origin.netloc != request.headers.get("host", ""):
        return _refuse(403, "cross-origin request refused")
    session = request.cookies.get(SESSION_COOKIE, "")
    sent = request.headers.get(TOKEN_HEADER, "")
    expected = session_token(request.app.state.secret, session)
    if not _valid_session(session) or not hmac.compare_digest(sent, expected):
        return _refuse(403, "missing or wrong session token: reload the page")
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _refuse(415, "send JSON")
    return None


async def index(request: Request) -> Response:
    """The case list, narrowed by the filters of the query string."""
    review = _review(request)
    filters = Filters.from_query(request.query_params)
    rows = [(cid, review.cases[cid], review.counts(cid, filters)) for cid in review.listed(filters)]
    return _page(
        request,
        "review_index.html",
        rows=rows,
        filters=filters,
        passes=review.passes(),
        rules=sorted(review.rules),
        query=filters.query(),
    )


async def case_page(request: Request) -> Response:
    """One case's inline diff, with links to its neighbours in the filtered list."""
    review = _review(request)
    case_id = request.query_params.get("id", "")
    if case_id not in review.cases:
        return HTMLResponse("no such case in this run", status_code=404)
    filters = Filters.from_query(request.query_params)
    prev_id, next_id = review.neighbours(case_id, filters)
    sections = [(s, html_pieces(s, views), clean) for s, views, clean in review.sections(case_id)]
    return _page(
        request,
        "review_case.html",
        case=review.cases[case_id],
        sections=sections,
        counts=review.counts(case_id),
        prev_id=prev_id,
        next_id=next_id,
        query=filters.query(),
        pairs=review.pairs,
        rule_counts=review.rules,
    )


async def api_state(request: Request) -> Response:
    """A case's edits, clean texts and counts with the current decisions."""
    review = _review(request)
    case_id = request.query_params.get("id", "")
    if case_id not in review.cases:
        return _refuse(404, "no such case")
    return JSONResponse(review.state(case_id))


async def _decision_body(request: Request) -> tuple[str, str, str, Any]:
    """``(case_id, key, scope, value)`` of a decision; ``ValueError`` when malformed."""
    try:
        body = await request.json()
        if not isinstance(body, dict):
            raise TypeError(body)
        case_id, key = str(body["case_id"]), str(body["key"])
        scope, value = str(body.get("scope", "edit")), body.get("value")
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError("expected {case_id, key, scope, value}") from error
    return case_id, key, scope, value


async def api_decide(request: Request) -> Response:
    """Set or clear one decision, save it, and answer with the case's new state."""
    refused = _refusal(request)
    if refused is not None:
        return refused
    review = _review(request)
    try:
        case_id, key, scope, value = await _decision_body(request)
    except ValueError as error:
        return _refuse(400, str(error))
    if scope not in SCOPES or (value is not None and value not in VALUES):
        return _refuse(400, "bad scope or value")
    if case_id not in review.cases:
        return _refuse(404, "no such case")
    try:
        previous = review.decide(case_id, key, scope, value)
    except KeyError:
        return _refuse(404, "no such edit")
    return JSONResponse({"previous": previous, **review.state(case_id)})


async def api_export(request: Request) -> Response:
    """Merge this folder's decisions into the rules folder's, for every later run."""
    refused = _refusal(request)
    if refused is not None:
        return refused
    review = _review(request)
    path = export_rules(review.out_dir, review.rules_dir)
    return JSONResponse({"path": str(path), "decisions": len(review.book.local)})


ROUTES = [
    Route("/", index),
    Route("/case", case_page),
    Route("/api/state", api_state),
    Route("/api/decide", api_decide, methods=["POST"]),
    Route("/api/export", api_export, methods=["POST"]),
    Mount("/static", StaticFiles(packages=[(PACKAGE, "static")]), name="static"),
]


def create_app(
    out_dir: Path, rules_dir: Path | None = None, secret: bytes | None = None
) -> Starlette:
    """The review app over one output folder; ``secret`` signs the session tokens (a fresh
    random one when not given, so tokens die with the server)."""
    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(SecurityHeadersMiddleware),
            Middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_NAMES, www_redirect=False),
        ],
    )
    app.state.review = ReviewState(out_dir, rules_dir)
    app.state.secret = secret or secrets.token_bytes(32)
    app.state.templates = Jinja2Templates(env=environment())
    return app


def serve(out_dir: Path, port: int = 0, rules_dir: Path | None = None) -> None:
    """Run the review app until interrupted, printing its URL."""
    app = create_app(out_dir, rules_dir)
    sock = bind(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/"
    print(f"caseclean review of {out_dir} at {url}  (Ctrl+C to stop)", flush=True)
    print(f"decisions are saved to {Path(out_dir) / DECISIONS_FILE}", flush=True)
    make_server(app, sock).run(sockets=[sock])
