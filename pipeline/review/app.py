"""``caseclean review``: a local web app to accept or reject a run's corrections.

The app serves the tables of one output folder on 127.0.0.1. Every decision is written to
``decisions.jsonl`` in that folder at once, and the page shows its effect straight away by
running :func:`pipeline.decisions.resolve`, the function the next ``caseclean run`` uses.

Page text is untrusted. Templates autoescape everything, scripts come only from the
package's own static files (a strict Content-Security-Policy forbids inline script), a
state-changing request must carry the session's token and come from the app's own origin,
the Host header must name the loopback interface (against DNS rebinding), and case ids are
looked up in the tables, never joined into a path.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import socket
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from pipeline.decisions import (
    DECISIONS_FILE,
    SCOPES,
    VALUES,
    DecisionBook,
    Key,
    Outcome,
    export_rules,
    for_edit,
    overlaps,
    resolve,
    write_decisions,
)
from pipeline.edits import Edit, apply_edits
from pipeline.review.diff import (
    CaseDiff,
    EditView,
    SectionDiff,
    edit_key,
    edit_title,
    html_pieces,
    load_cases,
    primary_pass,
)

HOST = "127.0.0.1"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
SESSION_COOKIE = "caseclean_session"
TOKEN_HEADER = "x-caseclean-token"
STATIC_FILES = {
    "diff.css": "text/css; charset=utf-8",
    "review.css": "text/css; charset=utf-8",
    "review.js": "text/javascript; charset=utf-8",
}
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


def baseline(edits: Sequence[Edit], proposed: Sequence[bool | None] = ()) -> list[Edit]:
    """The corrector's own verdicts, with decisions cleared.

    A table row shows an edit after the decisions of its run; its ``proposed`` column keeps
    the corrector's verdict, which is exact. Tables without that column only tell for
    undecided rows: a rejected row was most likely applied and an accepted one most likely a
    suggestion. Guessed applied edits that would overlap are left unapplied, so the clean text
    can always be derived.
    """
    known = list(proposed) + [None] * (len(edits) - len(proposed))
    out = [
        replace(
            edit,
            applied=(
                own
                if own is not None
                else edit.applied
                if edit.decision is None
                else edit.decision == "rejected"
            ),
            decision=None,
        )
        for edit, own in zip(edits, known, strict=True)
    ]
    kept: list[Edit] = []
    for i in sorted(range(len(out)), key=lambda i: (edits[i].decision is not None, i)):
        if not out[i].applied:
            continue
        if any(overlaps(out[i], k) for k in kept):
            out[i] = replace(out[i], applied=False)
        else:
            kept.append(out[i])
    return out


@dataclass(frozen=True)
class Filters:
    """The case list's filters; an edit filter lists a case when one of its edits passes."""

    q: str = ""
    pass_name: str = ""
    rule: str = ""
    cmin: float | None = None
    cmax: float | None = None
    kind: str = ""
    decision: str = ""

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        def number(name: str) -> float | None:
            try:
                value = float(query.get(name, ""))
            except ValueError:
                return None
            return value if 0.0 <= value <= 1.0 else None

        kind = query.get("kind", "")
        decision = query.get("decision", "")
        return cls(
            q=query.get("q", "").strip()[:200],
            pass_name=query.get("pass", "")[:100],
            rule=query.get("rule", "")[:200],
            cmin=number("cmin"),
            cmax=number("cmax"),
            kind=kind if kind in ("applied", "suggested") else "",
            decision=decision if decision in ("undecided", *VALUES) else "",
        )

    @property
    def on_edits(self) -> bool:
        """Whether any filter is about edits (the search is about cases)."""
        numbers = (self.cmin, self.cmax)
        return any((self.pass_name, self.rule, self.kind, self.decision)) or numbers != (
            None,
            None,
        )

    def query(self) -> str:
        """The filters as a query string, to carry them from the list to a case and back."""
        pairs = {
            "q": self.q,
            "pass": self.pass_name,
            "rule": self.rule,
            "cmin": "" if self.cmin is None else f"{self.cmin:g}",
            "cmax": "" if self.cmax is None else f"{self.cmax:g}",
            "kind": self.kind,
            "decision": self.decision,
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def edit_passes(self, outcome: Outcome) -> bool:
        edit = outcome.edit
        if self.pass_name and self.pass_name not in edit.pass_name.split("+"):
            return False
        if self.rule and self.rule != edit.rule:
            return False
        if self.cmin is not None and edit.confidence < self.cmin:
            return False
        if self.cmax is not None and edit.confidence > self.cmax:
            return False
        if self.kind and (self.kind == "applied") != edit.applied:
            return False
        if self.decision:
            decided = edit.decision or "undecided"
            if decided != self.decision:
                return False
        return True


def _undecided(outcome: Outcome) -> bool:
    return outcome.edit.decision is None


class ReviewState:
    """A run's cases and the reviewer's decisions; what every request reads and changes."""

    def __init__(self, out_dir: Path, rules_dir: Path | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.rules_dir = rules_dir
        self.cases: dict[str, CaseDiff] = load_cases(self.out_dir)
        self.order = list(self.cases)
        self.book = DecisionBook.load(self.out_dir, rules_dir)
        self.base = {
            cid: [baseline(s.edits, s.proposed) for s in case.sections]
            for cid, case in self.cases.items()
        }
        self.lock = threading.Lock()
        self._cache: dict[str, list[list[Outcome]]] = {}
        self.search = {
            cid: " ".join(
                [cid, case.title, *(s.raw for s in case.sections)]
                + [f"{e.original} {e.replacement}" for e in case.edits]
            ).casefold()
            for cid, case in self.cases.items()
        }
        self.pairs: Counter[tuple[str, str]] = Counter()
        self.rules: Counter[str] = Counter()
        self._cases_of: dict[Key, set[str]] = {}
        for cid, case in self.cases.items():
            for edit in case.edits:
                self.pairs[(edit.original, edit.replacement)] += 1
                self.rules[edit.rule] += 1
                for scope in ("pair", "rule"):
                    covering = for_edit(cid, "", "", edit, scope, "accepted")
                    self._cases_of.setdefault(covering.key, set()).add(cid)

    def outcomes(self, case_id: str) -> list[list[Outcome]]:
        """Each section's edits of a case with the current decisions honoured."""
        cached = self._cache.get(case_id)
        if cached is None:
            case = self.cases[case_id]
            cached = [
                resolve(case_id, s.section, s.raw, base, self.book)
                for s, base in zip(case.sections, self.base[case_id], strict=True)
            ]
            self._cache[case_id] = cached
        return cached

    def find(self, case_id: str, key: str) -> tuple[SectionDiff, int]:
        """The section and index of an edit, from its key; ``KeyError`` when unknown."""
        case = self.cases[case_id]
        position, _, number = key.partition("-")
        for section in case.sections:
            if str(section.position) == position:
                for index, n in enumerate(section.numbers):
                    if str(n) == number:
                        return section, index
        raise KeyError(key)

    def decide(self, case_id: str, key: str, scope: str, value: str | None) -> str | None:
        """Set (or clear, when ``value`` is None) the decision of ``scope`` covering an edit,
        write the decisions file, and return the decision it replaced."""
        section, index = self.find(case_id, key)
        edit = section.edits[index]
        decision = for_edit(case_id, section.section, section.raw, edit, scope, value or "accepted")
        with self.lock:
            previous = self.book.local.get(decision.key)
            self.book = self.book.with_local(decision.key, decision if value else None)
            write_decisions(self.out_dir / DECISIONS_FILE, self.book.local.values())
            affected = {case_id} if scope == "edit" else self._cases_of.get(decision.key, set())
            for cid in affected:
                self._cache.pop(cid, None)
        return previous.value if previous else None

    def views(self, case_id: str) -> list[list[EditView]]:
        """A case's edits as the page shows them."""
        case = self.cases[case_id]
        return [
            [
                EditView(
                    edit_key(s.position, n),
                    n,
                    o.edit,
                    o.superseded,
                    o.decision.scope if o.decision else None,
                )
                for n, o in zip(s.numbers, outs, strict=True)
            ]
            for s, outs in zip(case.sections, self.outcomes(case_id), strict=True)
        ]

    def counts(self, case_id: str, filters: Filters | None = None) -> dict[str, Any]:
        """A case's counts: edits, applied, suggested, undecided, decided and by pass."""
        outs = [o for section in self.outcomes(case_id) for o in section]
        by_pass = Counter(primary_pass(o.edit.pass_name) for o in outs)
        return {
            "edits": len(outs),
            "applied": sum(o.edit.applied for o in outs),
            "suggested": sum(not o.edit.applied for o in outs),
            "undecided": sum(_undecided(o) for o in outs),
            "accepted": sum(o.edit.decision == "accepted" for o in outs),
            "rejected": sum(o.edit.decision == "rejected" for o in outs),
            "by_pass": dict(sorted(by_pass.items())),
            "matching": sum(filters.edit_passes(o) for o in outs) if filters else len(outs),
        }

    def totals(self) -> dict[str, int]:
        """Counts over the whole archive."""
        keys = ("edits", "applied", "suggested", "undecided", "accepted", "rejected")
        total = dict.fromkeys(keys, 0)
        for case_id in self.order:
            counts = self.counts(case_id)
            for key in keys:
                total[key] += counts[key]
        total["cases"] = len(self.order)
        total["decisions"] = len(self.book.local)
        return total

    def listed(self, filters: Filters) -> list[str]:
        """The case ids the filters keep, in table order."""
        words = filters.q.casefold().split()
        out = []
        for case_id in self.order:
            if words and not all(w in self.search[case_id] for w in words):
                continue
            if filters.on_edits and not any(
                filters.edit_passes(o) for s in self.outcomes(case_id) for o in s
            ):
                continue
            out.append(case_id)
        return out

    def state(self, case_id: str) -> dict[str, Any]:
        """Everything the case page updates after a decision, as JSON."""
        case = self.cases[case_id]
        edits = []
        sections = []
        for section, views in zip(case.sections, self.views(case_id), strict=True):
            for v in views:
                edits.append(
                    {
                        "key": v.key,
                        "status": v.status,
                        "applied": v.edit.applied,
                        "decision": v.edit.decision,
                        "scope": v.scope,
                        "title": edit_title(v),
                    }
                )
            clean = apply_edits(section.raw, [v.edit for v in views])
            sections.append({"position": section.position, "clean": clean})
        return {
            "case_id": case_id,
            "edits": edits,
            "sections": sections,
            "counts": self.counts(case_id),
            "totals": self.totals(),
        }


def session_token(secret: bytes, session: str) -> str:
    """The token a session's pages carry; only the server, holding ``secret``, can make it."""
    return hmac.new(secret, session.encode("utf-8"), hashlib.sha256).hexdigest()


def _host_ok(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.lower() in LOOPBACK_NAMES


class ReviewApp:
    """The ASGI app: refuses a Host that is not loopback, adds the security headers to every
    response, and hands the rest to the Starlette routes."""

    def __init__(self, state: ReviewState, routes: Any) -> None:
        self.state = state
        self.routes = routes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.routes(scope, receive, send)
            return
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if not _host_ok(host):
            from starlette.responses import PlainTextResponse

            refused = PlainTextResponse("the review app answers on 127.0.0.1 only", 400)
            await refused(scope, receive, _with_headers(send))
            return
        await self.routes(scope, receive, _with_headers(send))


def _with_headers(send: Any) -> Any:
    extra = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]

    async def wrapped(message: Any) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return wrapped


def create_app(
    out_dir: Path, rules_dir: Path | None = None, secret: bytes | None = None
) -> ReviewApp:
    """The review app over one output folder."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    from pipeline.review.report import environment

    state = ReviewState(out_dir, rules_dir)
    key = secret or secrets.token_bytes(32)
    env = environment()
    static_dir = Path(__file__).parent / "static"
    static = {name: (static_dir / name).read_bytes() for name in STATIC_FILES}

    def page(request: Request, template: str, **context: Any) -> Response:
        session = request.cookies.get(SESSION_COOKIE) or ""
        fresh = not _valid_session(session)
        if fresh:
            session = secrets.token_urlsafe(32)
        html = env.get_template(template).render(
            token=session_token(key, session),
            totals=state.totals(),
            out_dir=str(state.out_dir),
            **context,
        )
        response = HTMLResponse(html)
        if fresh:
            response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict")
        return response

    def refuse(status: int, message: str) -> Response:
        return JSONResponse({"error": message}, status_code=status)

    def check_post(request: Request) -> Response | None:
        origin = urlsplit(request.headers.get("origin", ""))
        if origin.scheme != "http" or origin.netloc != request.headers.get("host", ""):
            return refuse(403, "cross-origin request refused")
        session = request.cookies.get(SESSION_COOKIE, "")
        sent = request.headers.get(TOKEN_HEADER, "")
        if not _valid_session(session) or not hmac.compare_digest(
            sent, session_token(key, session)
        ):
            return refuse(403, "missing or wrong session token: reload the page")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return refuse(415, "send JSON")
        return None

    async def index(request: Request) -> Response:
        filters = Filters.from_query(request.query_params)
        listed = state.listed(filters)
        rows = [(cid, state.cases[cid], state.counts(cid, filters)) for cid in listed]
        passes = sorted({p for c in state.cases.values() for e in c.edits for p in _passes(e)})
        return page(
            request,
            "review_index.html",
            rows=rows,
            filters=filters,
            passes=passes,
            rules=sorted(state.rules),
            query=filters.query(),
        )

    async def case_page(request: Request) -> Response:
        case_id = request.query_params.get("id", "")
        if case_id not in state.cases:
            return HTMLResponse("no such case in this run", status_code=404)
        filters = Filters.from_query(request.query_params)
        listed = state.listed(filters)
        here = listed.index(case_id) if case_id in listed else -1
        case = state.cases[case_id]
        sections = [
            (s, html_pieces(s, views), apply_edits(s.raw, [v.edit for v in views]))
            for s, views in zip(case.sections, state.views(case_id), strict=True)
        ]
        return page(
            request,
            "review_case.html",
            case=case,
            sections=sections,
            counts=state.counts(case_id),
            prev_id=listed[here - 1] if here > 0 else None,
            next_id=listed[here + 1] if 0 <= here < len(listed) - 1 else None,
            query=filters.query(),
            pairs=state.pairs,
            rule_counts=state.rules,
        )

    async def api_state(request: Request) -> Response:
        case_id = request.query_params.get("id", "")
        if case_id not in state.cases:
            return refuse(404, "no such case")
        return JSONResponse(state.state(case_id))

    async def api_decide(request: Request) -> Response:
        refused = check_post(request)
        if refused is not None:
            return refused
        try:
            body = json.loads(await request.body())
            case_id, edit = str(body["case_id"]), str(body["key"])
            scope, value = str(body.get("scope", "edit")), body.get("value")
        except (ValueError, KeyError, TypeError):
            return refuse(400, "expected {case_id, key, scope, value}")
        if scope not in SCOPES or (value is not None and value not in VALUES):
            return refuse(400, "bad scope or value")
        if case_id not in state.cases:
            return refuse(404, "no such case")
        try:
            previous = state.decide(case_id, edit, scope, value)
        except KeyError:
            return refuse(404, "no such edit")
        return JSONResponse({"previous": previous, **state.state(case_id)})

    async def api_export(request: Request) -> Response:
        refused = check_post(request)
        if refused is not None:
            return refused
        path = export_rules(state.out_dir, state.rules_dir)
        return JSONResponse({"path": str(path), "decisions": len(state.book.local)})

    async def static_file(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in static:
            return Response("not found", status_code=404)
        return Response(static[name], media_type=STATIC_FILES[name])

    routes = Starlette(
        routes=[
            Route("/", index),
            Route("/case", case_page),
            Route("/api/state", api_state),
            Route("/api/decide", api_decide, methods=["POST"]),
            Route("/api/export", api_export, methods=["POST"]),
            Route("/static/{name}", static_file),
        ]
    )
    return ReviewApp(state, routes)


def _valid_session(session: str) -> bool:
    return 20 <= len(session) <= 100 and session.replace("-", "").replace("_", "").isalnum()


def _passes(edit: Edit) -> list[str]:
    return edit.pass_name.split("+")


def bind(port: int = 0, host: str = HOST) -> socket.socket:
    """A listening socket on loopback (a free port when ``port`` is 0)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def make_server(app: Any, sock: socket.socket) -> Any:
    """A uvicorn server for ``app`` on an already bound socket (so the port is known)."""
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    return server


def serve(out_dir: Path, port: int = 0, rules_dir: Path | None = None) -> None:
    """Run the review app until interrupted, printing its URL."""
    app = create_app(out_dir, rules_dir)
    sock = bind(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/"
    print(f"caseclean review of {out_dir} at {url}  (Ctrl+C to stop)", flush=True)
    print(f"decisions are saved to {Path(out_dir) / DECISIONS_FILE}", flush=True)
    make_server(app, sock).run(sockets=[sock])
