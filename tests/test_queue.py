"""The review queue: one filter state for every page, sorted and paginated lists, the queue
across cases, patterns, bulk decisions and readings to choose."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from bench.review_index import write_synthetic_run
from pipeline.decisions import DECISIONS_FILE, read_decisions
from pipeline.output import read_table
from pipeline.review.app import create_app
from pipeline.review.filters import PAGE_SIZE, Filters
from pipeline.review.state import ReviewState

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic run of 130 cases (three pages of the list). Read only: copy it first."""
    out = tmp_path_factory.mktemp("synthetic") / "out"
    write_synthetic_run(out, 130)
    return out


@pytest.fixture()
def client(synthetic: Path, tmp_path: Path) -> TestClient:
    copy = tmp_path / "out"
    shutil.copytree(synthetic, copy)
    return TestClient(create_app(copy, tmp_path), base_url=ORIGIN)


def token_of(client: TestClient) -> str:
    found = re.search(r'name="caseclean-token" content="([0-9a-f]+)"', client.get("/").text)
    assert found
    return found.group(1)


def post(client: TestClient, url: str, **body: Any) -> Any:
    headers = {"X-Caseclean-Token": token_of(client), "Origin": ORIGIN}
    return client.post(url, json=body, headers=headers)


def listed(html: str) -> list[str]:
    return re.findall(r'<tr class="case-row" data-case-id="([^"]+)"', html)


def corrections(client: TestClient) -> list[dict[str, Any]]:
    return read_table(client.app.state.review.out_dir, "corrections").to_dict(orient="records")


def test_the_list_is_paginated_on_the_server_and_sorted_by_any_column(client: TestClient) -> None:
    first, second = listed(client.get("/").text), listed(client.get("/?page=2").text)
    assert len(first) == PAGE_SIZE and first[0] < first[-1] < second[0]
    last = client.get("/?page=3").text
    assert len(listed(last)) == 130 - 2 * PAGE_SIZE and 'id="next-page"' not in last
    assert listed(client.get("/?page=999").text) == listed(last)
    rows = corrections(client)
    edits: dict[str, int] = {}
    for row in rows:
        edits[row["case_id"]] = edits.get(row["case_id"], 0) + 1
    most = listed(client.get("/?sort=-edits").text)
    assert [edits.get(c, 0) for c in most] == sorted(edits.values(), reverse=True)[:PAGE_SIZE]
    lowest = listed(client.get("/?sort=confidence").text)[0]
    assert min(r["confidence"] for r in rows if r["case_id"] == lowest) == min(
        r["confidence"] for r in rows
    )
    page = client.get("/?sort=-edits&kind=suggested").text
    assert "sort=edits" in page and "kind=suggested" in page  # headers keep the filters
    assert "/<wbr>" in page  # ids wrap between folders, never inside a name


def test_the_filters_follow_into_the_case_page(client: TestClient) -> None:
    rows = corrections(client)
    case_id = next(r["case_id"] for r in rows if not r["proposed"])
    page = client.get("/case", params={"id": case_id, "kind": "suggested"}).text
    at = re.search(r'data-at="([^"]+)"', page).group(1)
    first = min(
        (r for r in rows if r["case_id"] == case_id and not r["proposed"]),
        key=lambda r: (r["position"], r["edit"]),
    )
    assert at == f"{first['position']}-{first['edit']}"
    assert "outside" in page and 'data-query="kind=suggested"' in page
    assert 'href="/?kind=suggested"' in page


def step(client: TestClient, query: str, case_id: str, key: str, way: str = "next") -> Any:
    params = {**dict(parse_qsl(query)), "id": case_id, "at": key, "dir": way}
    return client.get("/api/step", params=params).json()


def walk(client: TestClient, query: str) -> list[tuple[str, str]]:
    """The whole queue, stepping from its start as ``j`` does."""
    page = client.get(f"/?{query}").text
    start = re.search(r'id="start" href="/case\?id=([^&]+)&amp;at=([^&"]+)', page)
    assert start
    here = (unquote_plus(start.group(1)), unquote_plus(start.group(2)))
    seen = [here]
    while True:
        found = step(client, query, *here)
        if found["key"] is None:
            return seen
        here = (found["case_id"], found["key"])
        seen.append(here)


def test_the_queue_walks_lowest_confidence_first_across_cases(client: TestClient) -> None:
    rows = corrections(client)
    query = "kind=suggested&decision=undecided&sort=confidence"
    seen = walk(client, query)
    order = {cid: i for i, cid in enumerate(client.app.state.review.store.case_ids)}
    expected = sorted(
        (r for r in rows if not r["proposed"]),
        key=lambda r: (r["confidence"], order[r["case_id"]], r["position"], r["edit"]),
    )
    assert seen == [(r["case_id"], f"{r['position']}-{r['edit']}") for r in expected]
    assert len({case for case, _ in seen}) > 3
    back = step(client, query, *seen[1], way="prev")
    assert (back["case_id"], back["key"]) == seen[0]


def test_a_decision_leaves_the_kinds_alone_and_counts_only_what_waits(client: TestClient) -> None:
    review = client.app.state.review
    rows = corrections(client)
    before = review.counts()
    assert before["undecided"] == before["to_review"] == sum(r["to_review"] for r in rows)
    sure = next(r for r in rows if r["proposed"] and not r["to_review"])
    key = f"{sure['position']}-{sure['edit']}"
    body = {"case_id": sure["case_id"], "key": key, "scope": "edit", "value": "rejected"}
    after = post(client, "/api/decide", **body).json()["totals"]
    assert after["suggested"] == before["suggested"] and after["applied"] == before["applied"]
    assert after["rejected"] == 1 and after["undecided"] == before["undecided"]
    waiting = next(r for r in rows if r["to_review"])
    key = f"{waiting['position']}-{waiting['edit']}"
    body = {"case_id": waiting["case_id"], "key": key, "scope": "edit", "value": "accepted"}
    assert post(client, "/api/decide", **body).json()["totals"]["undecided"] == (
        before["undecided"] - 1
    )


def test_a_pattern_shows_every_occurrence_and_is_decided_in_one_go(client: TestClient) -> None:
    rows = corrections(client)
    pairs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        pairs.setdefault((row["original"], row["replacement"]), []).append(row)
    (original, replacement), mine = max(pairs.items(), key=lambda item: len(item[1]))
    page = client.get("/pattern", params={"o": original, "r": replacement}).text
    assert f'<b id="occurrence-count">{len(mine)}</b>' in page
    assert page.count('<li class="occurrence') == min(len(mine), 100)
    listing = client.get("/patterns").text
    assert listing.index(f">{original}</a>") < listing.index("</tbody>")
    waiting = sum(r["to_review"] for r in mine)
    before = client.app.state.review.counts()["undecided"]
    first = mine[0]
    body = {"case_id": first["case_id"], "key": f"{first['position']}-{first['edit']}"}
    totals = post(client, "/api/decide", **body, scope="pair", value="rejected").json()["totals"]
    assert totals["rejected"] == len(mine) and totals["undecided"] == before - waiting
    again = client.get("/pattern", params={"o": original, "r": replacement}).text
    assert again.count("data-status>rejected<") == min(len(mine), 100)
    assert client.get("/pattern", params={"o": "no", "r": "such"}).status_code == 404


def test_a_bulk_decision_shows_what_it_changes_and_needs_that_number(client: TestClient) -> None:
    rows = corrections(client)
    rule = max({r["rule"] for r in rows}, key=lambda n: sum(r["rule"] == n for r in rows))
    inside = [r for r in rows if r["rule"] == rule and r["confidence"] <= 0.7]
    changes = len(inside)  # nothing decided yet: every edit in the range gets a decision
    page = client.get("/bulk", params={"rule": rule, "cmax": "0.7", "value": "rejected"}).text
    assert f'<b id="bulk-changes">{changes}</b>' in page
    assert f'data-expect="{changes}"' in page
    body = {"rule": rule, "cmin": "", "cmax": "0.7", "value": "rejected"}
    assert post(client, "/api/bulk", **body, expect=changes + 1).status_code == 409
    assert not (client.app.state.review.out_dir / DECISIONS_FILE).exists()
    done = post(client, "/api/bulk", **body, expect=changes)
    assert done.status_code == 200 and done.json()["changed"] == changes
    assert done.json()["totals"]["rejected"] == len(inside)
    review = client.app.state.review
    fresh = ReviewState(review.out_dir, review.rules_dir)  # the confirm reused the preview
    for name in ("decision", "applied", "scope", "superseded"):
        assert (getattr(fresh.live, name) == getattr(review.live, name)).all(), name
    (saved,) = read_decisions(client.app.state.review.out_dir / DECISIONS_FILE).values()
    assert (saved.scope, saved.rule, saved.cmin, saved.cmax) == ("rule", rule, None, 0.7)
    undone = post(client, "/api/bulk", **body | {"value": None})
    assert undone.status_code == 200 and undone.json()["previous"] == "rejected"
    assert read_decisions(client.app.state.review.out_dir / DECISIONS_FILE) == {}
    bad = post(client, "/api/bulk", rule="no-such-rule", value="rejected", expect=0)
    assert bad.status_code == 400


def test_a_reading_is_chosen_from_the_alternatives(client: TestClient) -> None:
    rows = corrections(client)
    row = next(r for r in rows if len(r["alternatives"]))
    key = f"{row['position']}-{row['edit']}"
    page = client.get("/case", params={"id": row["case_id"], "at": key}).text
    assert "data-readings='[&#34;" in page or "data-readings='[\"" in page
    assert row["alternatives"][0] in page
    body = {"case_id": row["case_id"], "key": key, "scope": "edit", "value": "accepted"}
    refused = post(client, "/api/decide", **body, choice="not-a-reading")
    assert refused.status_code == 400
    state = post(client, "/api/decide", **body, choice=row["alternatives"][0]).json()
    edit = next(e for e in state["edits"] if e["key"] == key)
    assert edit["replacement"] == row["alternatives"][0] and edit["status"] == "accepted"
    clean = next(s["clean"] for s in state["sections"] if s["position"] == row["position"])
    assert row["alternatives"][0] in clean
    (saved,) = read_decisions(client.app.state.review.out_dir / DECISIONS_FILE).values()
    assert saved.choice == row["alternatives"][0]


def test_the_state_of_the_query_survives_a_round_trip() -> None:
    query = {"q": "mass", "kind": "suggested", "decision": "undecided", "sort": "-confidence"}
    filters = Filters.from_query(query)
    assert Filters.from_query(dict(re.findall(r"([^&=]+)=([^&]*)", filters.query()))) == filters
    assert filters.by_confidence and Filters.from_query({"sort": "nonsense"}).sort == "case"
    assert Filters.from_query({"page": "-3"}).page == 1
    assert "page=4" in filters.query(page=4) and "page" not in filters.query()


def test_review_open_opens_the_browser(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    from pipeline.cli import main
    from pipeline.review import app as review_app

    opened: list[str] = []
    served: list[Any] = []

    class Server:
        def run(self, sockets: list[Any]) -> None:
            served.append(sockets[0].getsockname())
            sockets[0].close()

    monkeypatch.setattr(webbrowser, "open", opened.append)
    monkeypatch.setattr(review_app, "make_server", lambda app, sock: Server())
    out = tmp_path / "out"
    shutil.copytree(run_dir, out)
    assert main(["review", "--out", str(out), "--open"]) == 0
    assert opened == [f"http://127.0.0.1:{served[0][1]}/"]
    assert main(["review", "--out", str(out)]) == 0 and len(opened) == 1


def test_a_case_opens_on_its_first_undecided_edit_of_the_queue(client: TestClient) -> None:
    rows = [r for r in corrections(client) if not r["proposed"]]
    by_case: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_case.setdefault(row["case_id"], []).append(row)
    case_id, mine = next((c, rs) for c, rs in by_case.items() if len(rs) > 2)
    mine.sort(key=lambda r: (r["confidence"], r["position"], r["edit"]))
    keys = [f"{r['position']}-{r['edit']}" for r in mine]
    params = {"id": case_id, "kind": "suggested", "sort": "confidence"}

    def opened() -> str:
        page = client.get("/case", params=params).text
        return re.search(r'data-at="([^"]+)"', page).group(1)

    assert opened() == keys[0]
    body = {"case_id": case_id, "key": keys[0], "scope": "edit", "value": "rejected"}
    assert post(client, "/api/decide", **body).status_code == 200
    assert opened() == keys[1], "n/p land on what is left to decide, in the queue's order"
