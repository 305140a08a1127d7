"""The review app over HTTP: pages, decisions, filters, and its defences against page text
and other origins."""

from __future__ import annotations

import json
import re
import shutil
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from pipeline.cli import build_parser
from pipeline.decisions import DECISIONS_FILE, read_decisions
from pipeline.edits import Edit, apply_edits, check_edits
from pipeline.output import read_table
from pipeline.review.app import create_app
from pipeline.review.casepage import case_state
from pipeline.review.diff import row_edit
from pipeline.review.filters import Filters
from pipeline.review.server import bind
from pipeline.review.state import ReviewState, baseline

from .conftest import SAMPLE_CASE, SCRIPT_CASE

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture()
def out(run_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of the run, so decisions made by one test do not leak into the next."""
    copy = tmp_path / "out"
    shutil.copytree(run_dir, copy)
    return copy


@pytest.fixture()
def rules_dir(tmp_path: Path) -> Path:
    path = tmp_path / "rules"
    path.mkdir()
    return path


@pytest.fixture()
def client(out: Path, rules_dir: Path) -> TestClient:
    return TestClient(create_app(out, rules_dir), base_url=ORIGIN)


def token_of(client: TestClient, url: str = "/") -> str:
    page = client.get(url)
    assert page.status_code == 200
    match = re.search(r'<meta name="caseclean-token" content="([0-9a-f]+)">', page.text)
    assert match
    return match.group(1)


def decide(client: TestClient, token: str, **body: object) -> dict:
    response = client.post(
        "/api/decide",
        json=body,
        headers={"X-Caseclean-Token": token, "Origin": ORIGIN},
    )
    assert response.status_code == 200, response.text
    return response.json()


def corrections(out: Path) -> list[dict]:
    return read_table(out, "corrections").to_dict(orient="records")


def first(out: Path, **match: object) -> dict:
    for row in corrections(out):
        if all(row[k] == v for k, v in match.items()):
            return row
    raise AssertionError(f"no correction with {match}")


def key_of(row: dict) -> str:
    return f"{row['position']}-{row['edit']}"


def test_the_case_list_shows_every_case_with_its_counts(client: TestClient, out: Path) -> None:
    page = client.get("/")
    assert page.status_code == 200
    rows = corrections(out)
    for case_id in {r["case_id"] for r in rows}:
        assert f"<code>{case_id.replace('/', '/<wbr>')}</code>" in page.text
    applied = sum(bool(r["applied"]) for r in rows)
    assert f'<b data-total="applied">{applied}</b>' in page.text
    waiting = sum(bool(r["to_review"]) for r in rows)
    assert 0 < waiting < len(rows)
    assert f'<b data-total="undecided">{waiting}</b>' in page.text
    assert f'<b data-total="to_review">{waiting}</b>' in page.text


def test_filters_and_search_narrow_the_list(client: TestClient, out: Path) -> None:
    rows = corrections(out)
    suggested_cases = {r["case_id"] for r in rows if not r["applied"]}
    page = client.get("/", params={"kind": "suggested"}).text
    listed = set(re.findall(r'data-case-id="([^"]+)"', page))
    assert listed == suggested_cases
    assert set(re.findall(r'data-case-id="([^"]+)"', client.get("/?pass=dehyphenate").text)) == {
        SAMPLE_CASE
    }
    assert re.findall(r'data-case-id="([^"]+)"', client.get("/?q=script+paravertebral").text) == [
        SCRIPT_CASE
    ]
    assert re.findall(r'data-case-id="([^"]+)"', client.get("/?q=hemolltic").text) == [
        SAMPLE_CASE,
        SCRIPT_CASE,
    ]
    assert "No case matches" in client.get("/?q=nowhere-in-the-archive").text
    high = {r["case_id"] for r in rows if r["confidence"] >= 0.99}
    assert set(re.findall(r'data-case-id="([^"]+)"', client.get("/?cmin=0.99").text)) == high
    assert "No case matches" in client.get("/?decision=rejected").text
    assert "No case matches" in client.get("/?rule=no-such-rule").text


def test_filters_ignore_nonsense() -> None:
    filters = Filters.from_query({"cmin": "x", "cmax": "7", "kind": "<b>", "decision": "maybe"})
    assert filters == Filters()
    assert not filters.on_edits and filters.query() == ""
    kept = Filters.from_query({"q": " sever ", "cmin": "0.5", "kind": "applied"})
    assert kept.query() == "q=sever&cmin=0.5&kind=applied" and kept.on_edits


def test_page_text_is_escaped_everywhere(client: TestClient) -> None:
    for url in ("/", "/?q=script", f"/case?id={SCRIPT_CASE}"):
        text = client.get(url).text
        assert "<script>alert" not in text and "<img src=x" not in text
        assert re.findall(r"<script[^>]*>", text) == ['<script src="/static/review.js" defer>']
    case = client.get("/case", params={"id": SCRIPT_CASE}).text
    assert "A &lt;script&gt;alert(1)&lt;/script&gt; case" in case
    assert "&lt;img src=x onerror=alert(1)&gt;" in case
    assert "&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in case


def test_every_response_carries_a_strict_policy(client: TestClient) -> None:
    for url in ("/", f"/case?id={SAMPLE_CASE}", "/static/review.js", "/nowhere"):
        headers = client.get(url).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


def test_ids_never_reach_outside_the_output_folder(client: TestClient) -> None:
    for bad in ("../../etc/passwd", "/etc/passwd", "..", "cases.csv", ""):
        assert client.get("/case", params={"id": bad}).status_code == 404
        assert client.get("/api/state", params={"id": bad}).status_code == 404
    for name in ("..%2Freview.py", "report.css.map", "..%2F..%2Fpyproject.toml", "review.py"):
        assert client.get(f"/static/{name}").status_code == 404
    assert client.get("/static/review.js").headers["content-type"].startswith("text/javascript")
    token = token_of(client)
    headers = {"X-Caseclean-Token": token, "Origin": ORIGIN}
    for body in (
        {"case_id": "../x", "key": "0-0", "scope": "edit", "value": "rejected"},
        {"case_id": SAMPLE_CASE, "key": "../0", "scope": "edit", "value": "rejected"},
        {"case_id": SAMPLE_CASE, "key": "99-0", "scope": "edit", "value": "rejected"},
    ):
        assert client.post("/api/decide", json=body, headers=headers).status_code == 404
    bad_scope = {"case_id": SAMPLE_CASE, "key": "0-0", "scope": "page", "value": "rejected"}
    assert client.post("/api/decide", json=bad_scope, headers=headers).status_code == 400
    bad_value = {"case_id": SAMPLE_CASE, "key": "0-0", "scope": "edit", "value": "<b>"}
    assert client.post("/api/decide", json=bad_value, headers=headers).status_code == 400


def test_state_changes_need_the_session_token_and_the_apps_origin(
    client: TestClient, out: Path
) -> None:
    token = token_of(client)
    row = first(out, case_id=SAMPLE_CASE)
    body = {"case_id": SAMPLE_CASE, "key": key_of(row), "scope": "edit", "value": "rejected"}
    refused = [
        {},
        {"Origin": ORIGIN},
        {"X-Caseclean-Token": token},
        {"X-Caseclean-Token": token, "Origin": "http://evil.example"},
        {"X-Caseclean-Token": token, "Origin": "null"},
        {"X-Caseclean-Token": "0" * 64, "Origin": ORIGIN},
    ]
    for headers in refused:
        assert client.post("/api/decide", json=body, headers=headers).status_code == 403
    other = TestClient(client.app, base_url=ORIGIN)
    stolen = {"X-Caseclean-Token": token, "Origin": ORIGIN}
    assert other.post("/api/decide", json=body, headers=stolen).status_code == 403
    form = client.post(
        "/api/decide",
        content=json.dumps(body),
        headers={**stolen, "Content-Type": "text/plain"},
    )
    assert form.status_code == 415
    assert client.post("/api/export", headers={"Origin": ORIGIN}).status_code == 403
    assert not (out / DECISIONS_FILE).exists()


def test_the_app_answers_only_to_loopback_host_names(out: Path) -> None:
    app = create_app(out)
    assert TestClient(app, base_url="http://localhost:9").get("/").status_code == 200
    for host in ("http://evil.example:8000", "http://127.0.0.1.evil.example", "http://10.0.0.1"):
        assert TestClient(app, base_url=host).get("/").status_code == 400


def test_a_rebound_host_header_is_refused_before_any_route(client: TestClient, out: Path) -> None:
    """DNS rebinding: a page of evil.example resolved to 127.0.0.1 still sends its own Host."""
    token = token_of(client)
    rebound = {"Host": "evil.example"}
    page = client.get("/", headers=rebound)
    assert page.status_code == 400 and "caseclean" not in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert client.get("/static/review.js", headers=rebound).status_code == 400
    row = first(out, case_id=SAMPLE_CASE)
    body = {"case_id": SAMPLE_CASE, "key": key_of(row), "scope": "edit", "value": "rejected"}
    headers = {**rebound, "X-Caseclean-Token": token, "Origin": "http://evil.example"}
    assert client.post("/api/decide", json=body, headers=headers).status_code == 400
    assert not (out / DECISIONS_FILE).exists()


def expected_clean(out: Path, row: dict, applied: bool) -> str:
    """The clean text of a row's section with that one edit applied or not."""
    sections = read_table(out, "sections")
    section = sections[
        (sections["case_id"] == row["case_id"]) & (sections["position"] == row["position"])
    ].iloc[0]
    edits = [
        row_edit(r)
        for r in corrections(out)
        if r["case_id"] == row["case_id"] and r["position"] == row["position"]
    ]
    edits = [replace(e, applied=applied) if e == row_edit(row) else e for e in edits]
    return apply_edits(section["raw_text"], edits)


def pair_on_several_pages(out: Path) -> dict:
    """An applied (original, replacement) pair that the run made on two pages or more."""
    pages: dict[tuple[str, str], set[str]] = {}
    for r in corrections(out):
        if r["applied"] and r["original"].strip():
            pages.setdefault((r["original"], r["replacement"]), set()).add(r["case_id"])
    shared = sorted(pair for pair, cases in pages.items() if len(cases) > 1)
    assert shared, "the test archive should give one correction on several pages"
    return first(out, original=shared[0][0], replacement=shared[0][1])


def test_a_decision_is_saved_at_once_and_shown_with_its_effect(
    client: TestClient, out: Path
) -> None:
    token = token_of(client)
    row = first(out, case_id=SCRIPT_CASE, applied=True)
    key = key_of(row)
    state = decide(client, token, case_id=SCRIPT_CASE, key=key, scope="edit", value="rejected")
    assert state["previous"] is None
    edit = next(e for e in state["edits"] if e["key"] == key)
    assert edit["status"] == "rejected" and not edit["applied"] and edit["scope"] == "edit"
    clean = next(s["clean"] for s in state["sections"] if s["position"] == row["position"])
    assert clean == expected_clean(out, row, applied=False)
    assert state["counts"]["rejected"] == 1 and state["totals"]["decisions"] == 1
    saved = list(read_decisions(out / DECISIONS_FILE).values())
    assert len(saved) == 1 and saved[0].original == row["original"]
    assert saved[0].case_id == SCRIPT_CASE and saved[0].value == "rejected"

    again = decide(client, token, case_id=SCRIPT_CASE, key=key, scope="edit", value="accepted")
    assert again["previous"] == "rejected"
    cleared = decide(client, token, case_id=SCRIPT_CASE, key=key, scope="edit", value=None)
    assert cleared["previous"] == "accepted"
    assert read_decisions(out / DECISIONS_FILE) == {}
    state = client.get("/api/state", params={"id": SCRIPT_CASE}).json()
    clean = next(s["clean"] for s in state["sections"] if s["position"] == row["position"])
    assert clean == expected_clean(out, row, applied=True)


def test_pair_and_rule_decisions_cover_every_page(client: TestClient, out: Path) -> None:
    token = token_of(client)
    rows = corrections(out)
    row = pair_on_several_pages(out)
    pair = (row["original"], row["replacement"])
    decide(client, token, case_id=row["case_id"], key=key_of(row), scope="pair", value="rejected")
    cases = {r["case_id"] for r in rows if (r["original"], r["replacement"]) == pair}
    for case_id in cases:
        state = client.get("/api/state", params={"id": case_id}).json()
        keys = {
            key_of(r)
            for r in rows
            if r["case_id"] == case_id and (r["original"], r["replacement"]) == pair
        }
        assert {e["status"] for e in state["edits"] if e["key"] in keys} == {"rejected"}
    listed = client.get("/?decision=rejected").text
    assert set(re.findall(r'data-case-id="([^"]+)"', listed)) == cases

    other = next(r for r in rows if r["rule"] != row["rule"])
    state = decide(
        client, token, case_id=other["case_id"], key=key_of(other), scope="rule", value="accepted"
    )
    same_rule = [r for r in rows if r["rule"] == other["rule"]]
    assert state["totals"]["accepted"] == len(same_rule)
    assert state["totals"]["decisions"] == 2


def test_export_shares_the_decisions_in_rules(
    client: TestClient, out: Path, rules_dir: Path
) -> None:
    token = token_of(client)
    row = first(out, case_id=SAMPLE_CASE)
    decide(client, token, case_id=SAMPLE_CASE, key=key_of(row), scope="pair", value="accepted")
    response = client.post(
        "/api/export", json={}, headers={"X-Caseclean-Token": token, "Origin": ORIGIN}
    )
    assert response.status_code == 200
    assert response.json()["path"] == str(rules_dir / DECISIONS_FILE)
    assert read_decisions(rules_dir / DECISIONS_FILE) == read_decisions(out / DECISIONS_FILE)


def test_the_review_state_reads_a_run_that_already_honoured_decisions(out: Path) -> None:
    state = ReviewState(out)
    before = {cid: case_state(state, i, Filters()) for i, cid in enumerate(state.store.case_ids)}
    assert all(e["status"] in ("applied", "suggested") for s in before.values() for e in s["edits"])
    sections = read_table(out, "sections")
    for case_id, value in before.items():
        mine = sections[sections["case_id"] == case_id].sort_values("position")
        assert [s["clean"] for s in value["sections"]] == list(mine["clean_text"])


def test_baseline_guesses_the_correctors_verdicts() -> None:
    raw = "ab cd"
    edits = [
        Edit(0, 2, "ab", "AB", "p", "r", 0.9, False, "rejected"),
        Edit(0, 2, "ab", "Ab", "p", "r", 0.9, True, None),
        Edit(3, 5, "cd", "CD", "p", "r", 0.9, True, "accepted"),
    ]
    base = baseline(edits)
    assert [(e.applied, e.decision) for e in base] == [(False, None), (True, None), (False, None)]
    check_edits(raw, base)


def test_the_command_line_helper(tmp_path: Path) -> None:
    args = build_parser().parse_args(["review", "--out", str(tmp_path), "--port", "0"])
    assert args.port == 0 and args.out == tmp_path
    assert args.func(args) == 2


def test_bind_uses_loopback_and_a_free_port() -> None:
    sock = bind(0)
    try:
        host, port = sock.getsockname()
        assert host == "127.0.0.1" and port > 0
    finally:
        sock.close()


def test_baseline_prefers_the_recorded_verdict_to_a_guess() -> None:
    accepted = Edit(0, 3, "tho", "the", "ocr", "r", 0.9, True, "accepted")
    rejected = Edit(4, 7, "aud", "and", "ocr", "r", 0.9, False, "rejected")
    guessed = baseline([accepted, rejected])
    assert [e.applied for e in guessed] == [False, True]
    exact = baseline([accepted, rejected], [True, False])
    assert [e.applied for e in exact] == [True, False]
    assert all(e.decision is None for e in exact)
