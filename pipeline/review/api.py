"""The review app's JSON endpoints: decide, step through the queue, bulk decisions, export.

Every state change (a decision, a bulk decision, an export) must come from the app's own
origin, carry the session's token and send JSON; anything else is refused before it is
read. Case ids and edit keys are looked up in the tables, never used as paths.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pipeline.decisions import SCOPES, VALUES, Decision, export_rules
from pipeline.review.casepage import case_state
from pipeline.review.filters import Filters
from pipeline.review.state import ReviewState

SESSION_COOKIE = "caseclean_session"
TOKEN_HEADER = "x-caseclean-token"


def session_token(secret: bytes, session: str) -> str:
    """The token a session's pages carry; only the server, holding ``secret``, can make it."""
    return hmac.new(secret, session.encode("utf-8"), hashlib.sha256).hexdigest()


def valid_session(session: str) -> bool:
    return 20 <= len(session) <= 100 and session.replace("-", "").replace("_", "").isalnum()


def review_of(request: Request) -> ReviewState:
    return request.app.state.review


def refuse(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


def refusal(request: Request) -> Response | None:
    """Why a state-changing request is refused (None when it may go on): it must come from
    the app's own origin, carry its session's token, and send JSON."""
    origin = urlsplit(request.headers.get("origin", ""))
    if origin.scheme != "http" or origin.netloc != request.headers.get("host", ""):
        return refuse(403, "cross-origin request refused")
    session = request.cookies.get(SESSION_COOKIE, "")
    sent = request.headers.get(TOKEN_HEADER, "")
    expected = session_token(request.app.state.secret, session)
    if not valid_session(session) or not hmac.compare_digest(sent, expected):
        return refuse(403, "missing or wrong session token: reload the page")
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return refuse(415, "send JSON")
    return None


async def _body(request: Request) -> dict[str, Any]:
    """The JSON object of a request; ``ValueError`` when it is not one."""
    try:
        body = await request.json()
    except ValueError as error:
        raise ValueError("send a JSON object") from error
    if not isinstance(body, dict):
        raise ValueError("send a JSON object")
    return body


def _filters(body: dict[str, Any]) -> Filters:
    """The page's filter state, sent as its query string."""
    query = body.get("query", "")
    return Filters.from_query(dict(_pairs(query if isinstance(query, str) else "")))


def _pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query[:2000])


def _previous(decision: Decision | None) -> dict[str, Any]:
    return {
        "previous": decision.value if decision else None,
        "previous_choice": decision.choice if decision else "",
    }


async def api_state(request: Request) -> Response:
    """A case's edits, clean texts and counts with the current decisions."""
    review = review_of(request)
    case_id = request.query_params.get("id", "")
    if case_id not in review.store.index_of:
        return refuse(404, "no such case")
    filters = Filters.from_query(request.query_params)
    return JSONResponse(case_state(review, review.store.index_of[case_id], filters))


async def api_decide(request: Request) -> Response:
    """Set or clear one decision, save it, and answer with the case's new state."""
    refused = refusal(request)
    if refused is not None:
        return refused
    review = review_of(request)
    try:
        body = await _body(request)
        case_id, key = str(body["case_id"]), str(body["key"])
        scope, value = str(body.get("scope", "edit")), body.get("value")
        choice = str(body.get("choice") or "")
    except (ValueError, KeyError) as error:
        return refuse(400, f"expected {{case_id, key, scope, value}}: {error}")
    if scope not in SCOPES or (value is not None and value not in VALUES):
        return refuse(400, "bad scope or value")
    if case_id not in review.store.index_of:
        return refuse(404, "no such case")
    try:
        previous = review.decide(case_id, key, scope, value, choice)
    except KeyError:
        return refuse(404, "no such edit")
    except ValueError as error:
        return refuse(400, str(error))
    state = case_state(review, review.store.index_of[case_id], _filters(body))
    return JSONResponse({**_previous(previous), **state})


async def api_step(request: Request) -> Response:
    """The queue's next (or previous) edit from one edit, as a case id, key and URL."""
    review = review_of(request)
    params = request.query_params
    case_id, key = params.get("id", ""), params.get("at", "")
    if case_id not in review.store.index_of:
        return refuse(404, "no such case")
    filters = Filters.from_query(params)
    try:
        found = review.step(
            case_id, key, filters, params.get("dir") != "prev", params.get("undecided") == "1"
        )
    except KeyError:
        return refuse(404, "no such edit")
    if found is None:
        return JSONResponse({"case_id": None, "key": None, "url": None})
    query = filters.query()
    url = "/case?" + urlencode({"id": found[0], "at": found[1]}) + (f"&{query}" if query else "")
    return JSONResponse({"case_id": found[0], "key": found[1], "url": url})


def bulk_decision(rule: str, cmin: float | None, cmax: float | None, value: str) -> Decision:
    """The decision that covers every edit of ``rule`` within a confidence range (the whole
    range 0..1 is the rule decision itself).

    >>> bulk_decision("d", None, 0.6, "rejected").key
    ('rule', 'd', '0', '0.6')
    >>> bulk_decision("d", 0.0, 1.0, "rejected").key
    ('rule', 'd')
    """
    whole = (cmin or 0.0) == 0.0 and (1.0 if cmax is None else cmax) == 1.0
    if whole:
        return Decision("rule", value, rule=rule)
    return Decision("rule", value, rule=rule, cmin=cmin, cmax=cmax)


async def api_bulk(request: Request) -> Response:
    """Set (or clear) a bulk decision. The page's confirmation sends ``expect``, the number of
    edits it said would change: when that is no longer so the decision is refused, so it
    never does more than the reviewer confirmed (an undo restores without one)."""
    refused = refusal(request)
    if refused is not None:
        return refused
    review = review_of(request)
    try:
        body = await _body(request)
        filters = Filters.from_query({k: str(body.get(k, "")) for k in ("rule", "cmin", "cmax")})
        value = body.get("value")
        decision = bulk_decision(filters.rule, filters.cmin, filters.cmax, value or "accepted")
    except ValueError as error:
        return refuse(400, str(error))
    if filters.rule not in review.store.rules or (value is not None and value not in VALUES):
        return refuse(400, "choose a rule of this run and accepted or rejected")
    change = review.preview(decision) if value else None
    if change is not None and "expect" in body and body["expect"] != change.edits:
        return refuse(409, f"the decision now changes {change.edits} edits: check again")
    previous = review.set(decision.key, decision if value else None)
    return JSONResponse(
        {**_previous(previous), "changed": change.edits if change else 0, "totals": review.counts()}
    )


async def api_export(request: Request) -> Response:
    """Merge this folder's decisions into the rules folder's, for every later run."""
    refused = refusal(request)
    if refused is not None:
        return refused
    review = review_of(request)
    path = export_rules(review.out_dir, review.rules_dir)
    return JSONResponse({"path": str(path), "decisions": len(review.book.local)})


ROUTES = [
    Route("/api/state", api_state),
    Route("/api/step", api_step),
    Route("/api/decide", api_decide, methods=["POST"]),
    Route("/api/bulk", api_bulk, methods=["POST"]),
    Route("/api/export", api_export, methods=["POST"]),
]
