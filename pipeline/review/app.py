"""``caseclean review``: a local web app to accept or reject a run's corrections.

The app serves the tables of one output folder on 127.0.0.1. Every decision is written to
``decisions.jsonl`` in that folder at once, and the page shows its effect straight away (see
:mod:`pipeline.review.state`). The pages: the case list (filtered, sorted, paginated on the
server), a case, the patterns, one pattern with every occurrence, and bulk decisions; they
share one filter state in the query string (:mod:`pipeline.review.filters`).

Page text is untrusted. Templates autoescape everything, scripts come only from the
package's own static files (a strict Content-Security-Policy forbids inline script), a
state-changing request must carry the session's token and come from the app's own origin
(:mod:`pipeline.review.api`), the Host header must name the loopback interface (against DNS
rebinding), and case ids are looked up in the tables, never joined into a path.
"""

from __future__ import annotations

import secrets
import webbrowser
from pathlib import Path
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.decisions import DECISIONS_FILE, VALUES
from pipeline.review import api
from pipeline.review.api import SESSION_COOKIE, review_of, session_token, valid_session
from pipeline.review.casepage import (
    PATTERN_PAGE,
    case_views,
    occurrences,
    pattern_code,
    pattern_edits,
    patterns,
)
from pipeline.review.filters import PAGE_SIZE, Filters
from pipeline.review.server import HOST, bind, make_server
from pipeline.review.state import ReviewState
from pipeline.review.views import PACKAGE, environment

LOOPBACK_NAMES = ("127.0.0.1", "localhost")
LEAST_LIKELY = Filters(kind="suggested", decision="undecided", sort="confidence")
"""The queue a curator starts with: the least likely suggestions first, across the run."""
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


def _page(request: Request, template: str, filters: Filters, **context: Any) -> Response:
    """A page of the app; a browser without a valid session cookie gets a new session."""
    session = request.cookies.get(SESSION_COOKIE) or ""
    fresh = not valid_session(session)
    if fresh:
        session = secrets.token_urlsafe(32)
    review = review_of(request)
    context.update(
        token=session_token(request.app.state.secret, session),
        totals=review.counts(),
        out_dir=str(review.out_dir),
        filters=filters,
        query=filters.query(),
    )
    response = request.app.state.templates.TemplateResponse(request, template, context)
    if fresh:
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict")
    return response


def _pages(total: int, size: int, page: int) -> tuple[int, int]:
    """How many pages ``total`` rows make, and ``page`` brought into range."""
    last = max(1, -(-total // size))
    return last, min(max(1, page), last)


def _start(review: ReviewState, filters: Filters) -> tuple[str, str] | None:
    """The queue's first edit, as (case id, key)."""
    queue = review.queue(filters)
    if not len(queue):
        return None
    first = int(queue.edits[0])
    return review.store.case_ids[int(review.store.arrays["case"][first])], review.store.key(first)


async def index(request: Request) -> Response:
    """The case list: filtered, sorted and paginated on the server."""
    review = review_of(request)
    filters = Filters.from_query(request.query_params)
    listed, matching = review.listed(filters)
    last, page = _pages(len(listed), PAGE_SIZE, filters.page)
    store = review.store
    rows = [
        {
            "case_id": store.case_ids[i],
            "title": store.titles[i],
            "status": store.statuses[i],
            "counts": review.counts(i),
            "by_pass": review.by_pass(i),
            "matching": int(matching[i]),
            "lowest": review.lowest(i, filters),
        }
        for i in listed[(page - 1) * PAGE_SIZE : page * PAGE_SIZE].tolist()
    ]
    return _page(
        request,
        "review_index.html",
        filters,
        rows=rows,
        listed=len(listed),
        page=page,
        last=last,
        passes=store.passes,
        rules=store.rules,
        start=_start(review, filters),
        least_likely=LEAST_LIKELY.query(),
    )


async def case_page(request: Request) -> Response:
    """One case's inline diff, the current edit (``at``), and the case's neighbours in the
    filtered list."""
    review = review_of(request)
    case_id = request.query_params.get("id", "")
    if case_id not in review.store.index_of:
        return HTMLResponse("no such case in this run", status_code=404)
    case = review.store.index_of[case_id]
    filters = Filters.from_query(request.query_params)
    before, after = review.neighbours(case, filters)
    sections = case_views(review, case, filters)
    at = request.query_params.get("at", "")
    keys = [v.key for _, views, _ in sections for v in views]
    if at not in keys:
        wanted = review.live.undecided(review.store)
        first = review.queue(filters).first_in(review.store, case, wanted)
        at = review.store.key(first) if first is not None else (keys[0] if keys else "")
    return _page(
        request,
        "review_case.html",
        filters,
        case=review.store.case(case),
        sections=sections,
        counts=review.counts(case),
        at=at,
        prev_id=review.store.case_ids[before] if before is not None else None,
        next_id=review.store.case_ids[after] if after is not None else None,
    )


async def patterns_page(request: Request) -> Response:
    """Every pattern (original -> replacement) among the edits the filters keep."""
    review = review_of(request)
    filters = Filters.from_query(request.query_params)
    rows, total = patterns(review, filters, filters.page)
    last, page = _pages(total, PATTERN_PAGE, filters.page)
    if page != filters.page:
        rows, total = patterns(review, filters, page)
    return _page(
        request, "review_patterns.html", filters, rows=rows, total=total, page=page, last=last
    )


async def pattern_page(request: Request) -> Response:
    """One pattern with every occurrence in its context, to decide all at once or one by
    one."""
    review = review_of(request)
    filters = Filters.from_query(request.query_params)
    original, replacement = request.query_params.get("o", ""), request.query_params.get("r", "")
    code = pattern_code(review, original, replacement)
    if code is None:
        return HTMLResponse("no such pattern in this run", status_code=404)
    edits = pattern_edits(review, code)
    last, page = _pages(len(edits), PATTERN_PAGE, filters.page)
    shown = occurrences(review, edits[(page - 1) * PATTERN_PAGE : page * PATTERN_PAGE])
    undecided = int(review.live.undecided(review.store)[edits].sum())
    return _page(
        request,
        "review_pattern.html",
        filters,
        original=review.store.pairs[code][0],
        replacement=review.store.pairs[code][1],
        occurrences=shown,
        total=len(edits),
        cases=len(np.unique(review.store.arrays["case"][edits])),
        undecided=undecided,
        page=page,
        last=last,
    )


async def bulk_page(request: Request) -> Response:
    """Bulk decisions by rule and confidence range, with how many edits they would change."""
    review = review_of(request)
    filters = Filters.from_query(request.query_params)
    value = request.query_params.get("value", "")
    preview = None
    if filters.rule in review.store.rules and value in VALUES:
        decision = api.bulk_decision(filters.rule, filters.cmin, filters.cmax, value)
        preview = review.preview(decision)
    return _page(
        request,
        "review_bulk.html",
        filters,
        rules=review.store.rules,
        value=value,
        preview=preview,
    )


ROUTES = [
    Route("/", index),
    Route("/case", case_page),
    Route("/patterns", patterns_page),
    Route("/pattern", pattern_page),
    Route("/bulk", bulk_page),
    *api.ROUTES,
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


def serve(
    out_dir: Path, port: int = 0, rules_dir: Path | None = None, open_browser: bool = False
) -> None:
    """Run the review app until interrupted, printing its URL (and opening it in the
    browser with ``open_browser``, as ``datasette -o`` does)."""
    app = create_app(out_dir, rules_dir)
    sock = bind(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/"
    print(f"caseclean review of {out_dir} at {url}  (Ctrl+C to stop)", flush=True)
    print(f"decisions are saved to {Path(out_dir) / DECISIONS_FILE}", flush=True)
    if open_browser:
        webbrowser.open(url)  # the socket listens already: the browser's request waits for us
    make_server(app, sock).run(sockets=[sock])
