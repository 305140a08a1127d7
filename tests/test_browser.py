"""The review loop in a real browser: decide with the keyboard, re-run, read the tables.

Playwright drives Debian's chromium (never a downloaded browser). The tests run in order on
one small archive: review (decisions by keyboard), re-run (the tables honour them), report
(opens from disk with no request). They also take the README's screenshots: into a temporary
folder, or into the folder CASECLEAN_SCREENSHOTS names (`make screenshots` sets it to docs/).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pipeline.decisions import DECISIONS_FILE, read_decisions
from pipeline.edits import apply_edits
from pipeline.output import read_table
from pipeline.review.app import create_app
from pipeline.review.diff import row_edit
from pipeline.review.report import REPORT_FILE, render_report, summarise, write_report
from pipeline.review.server import bind, make_server

from .conftest import (
    REPO,
    SAMPLE_CASE,
    SCRIPT_CASE,
    make_archive,
    run_archive,
)

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = os.environ.get("CASECLEAN_SCREENSHOTS")


def screenshot(name: str) -> Path:
    """Where a screenshot goes: the README's folder when asked, else a scratch folder."""
    folder = Path(SHOTS) if SHOTS else Path(tempfile.gettempdir()) / "caseclean-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
)


@dataclass
class Loop:
    """The shared state of the review loop: the archive, its run, and what was decided."""

    raw: Path
    out: Path
    rules: Path
    rejected: dict[str, Any] = field(default_factory=dict)
    accepted: dict[str, Any] = field(default_factory=dict)
    pair: dict[str, Any] = field(default_factory=dict)
    dialogs: list[str] = field(default_factory=list)


def rows(out: Path) -> list[dict[str, Any]]:
    return read_table(out, "corrections").to_dict(orient="records")


def key(row: dict[str, Any]) -> str:
    return f"{row['position']}-{row['edit']}"


def same_edit(a: dict[str, Any], b: dict[str, Any]) -> bool:
    fields = ("case_id", "section", "start", "end", "original", "replacement")
    return all(a[f] == b[f] for f in fields)


def choose(out: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A correction on two pages or more, an applied edit, and a suggestion, all distinct."""
    table = rows(out)
    pages: dict[tuple[str, str], set[str]] = {}
    for r in table:
        if r["applied"] and r["original"].strip():
            pages.setdefault((r["original"], r["replacement"]), set()).add(r["case_id"])
    shared = sorted(p for p, cases in pages.items() if len(cases) > 1)
    assert shared, "the archive should give one correction on several pages"
    pair = next(r for r in table if (r["original"], r["replacement"]) == shared[0])

    def preference(r: dict[str, Any]) -> tuple[bool, int, int]:
        return (r["case_id"] != SCRIPT_CASE, r["position"], r["edit"])

    others = sorted(
        (r for r in table if (r["original"], r["replacement"]) != shared[0]), key=preference
    )
    rejected = next(r for r in others if r["applied"] and r["original"].strip())
    suggestions = [r for r in others if not r["applied"]]
    assert suggestions, "the archive should give at least one suggestion"
    return pair, rejected, suggestions[0]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> Loop:
    root = tmp_path_factory.mktemp("browser")
    rules = root / "rules"
    shutil.copytree(REPO / "rules", rules, ignore=shutil.ignore_patterns(DECISIONS_FILE))
    raw = make_archive(root)
    out = root / "out"
    run_archive(raw, out, rules)
    return Loop(raw, out, rules)


@contextmanager
def serving(out: Path, rules: Path) -> Iterator[str]:
    """The review app on a free loopback port, in a thread, for the length of the block."""
    sock = bind(0)
    server = make_server(create_app(out, rules), sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def go_to(page: Any, target: str) -> None:
    """Move the current edit to ``target`` with j and k only."""
    keys = page.eval_on_selector_all("ins.edit[data-key]", "els => els.map(e => e.dataset.key)")
    current = page.get_attribute("ins.edit.current", "data-key")
    steps = keys.index(target) - keys.index(current)
    for _ in range(abs(steps)):
        page.keyboard.press("j" if steps > 0 else "k")
    page.wait_for_selector(f'ins.edit.current[data-key="{target}"]')


SETTLED = (
    "!!document.body && !document.body.dataset.busy && "
    "(document.body.dataset.ready === '1' || !document.body.dataset.page)"
)
"""The page has loaded (or is none of the app's) and no key's action is running or leaving it."""


def settle(page: Any) -> None:
    until(lambda: page.evaluate(SETTLED))


def open_case(page: Any, base: str, case_id: str) -> None:
    """From the case list, select the case with j and open it with Enter."""
    settle(page)
    page.goto(base + "/")
    ids = page.eval_on_selector_all("tr.case-row", "rows => rows.map(r => r.dataset.caseId)")
    for _ in range(ids.index(case_id) + 1):
        page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_selector(f'#case[data-case-id="{case_id}"]')
    page.wait_for_selector("body[data-ready]")


def saved(out: Path) -> list[tuple[str, str]]:
    return sorted((d.scope, d.value) for d in read_decisions(out / DECISIONS_FILE).values())


def until(check: Any, timeout: float = 10.0) -> Any:
    """Poll ``check`` until it answers something true (a page may be navigating)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = check()
        except Exception:  # the page is between two documents: ask again
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def test_review_with_the_keyboard(browser: Any, loop: Loop) -> None:
    from playwright.sync_api import expect

    loop.pair, loop.rejected, loop.accepted = choose(loop.out)
    context = browser.new_context(viewport={"width": 1360, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("dialog", lambda d: (loop.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    with serving(loop.out, loop.rules) as base:
        open_case(page, base, SCRIPT_CASE)
        assert "<script>alert(1)</script>" in page.inner_text("h1")
        assert "<img src=x onerror=alert(1)>" in page.inner_text(".doc")
        assert "a accept" in page.inner_text("#keys"), "the keys are on screen"

        page.keyboard.press("?")
        expect(page.locator("dialog#help")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator("dialog#help")).to_be_hidden()

        for n, (row, press) in enumerate(((loop.rejected, "x"), (loop.accepted, "a")), 1):
            open_case(page, base, row["case_id"])
            go_to(page, key(row))
            page.keyboard.press(press)
            until(lambda n=n: len(saved(loop.out)) == n)
            settle(page)

        # On a page with two edits to review, a decision moves to the next one in place.
        waiting = [r for r in rows(loop.out) if r["to_review"] and r["case_id"] == SAMPLE_CASE]
        target = key(waiting[0])
        open_case(page, base, SAMPLE_CASE)
        go_to(page, target)
        page.evaluate("window.noReload = true")
        page.keyboard.press("a")
        page.wait_for_selector(f'ins.edit.accepted[data-key="{target}"]')
        page.wait_for_selector(f'ins.edit.current[data-key="{key(waiting[1])}"]')
        expect(page.locator('#totals [data-total="accepted"]')).to_have_text("2")
        assert page.evaluate("window.noReload") is True, "counts update without a reload"
        page.keyboard.press("u")
        page.wait_for_selector(f'ins.edit[data-key="{target}"]:not(.accepted)')
        assert page.get_attribute("ins.edit.current", "data-key") == target

        open_case(page, base, loop.pair["case_id"])
        go_to(page, key(loop.pair))
        page.keyboard.press("o")
        page.keyboard.press("x")
        until(lambda: ("pair", "rejected") in saved(loop.out))
        settle(page)
        table = rows(loop.out)
        pair = (loop.pair["original"], loop.pair["replacement"])
        n_pair = sum((r["original"], r["replacement"]) == pair for r in table)
        open_case(page, base, SAMPLE_CASE)
        expect(page.locator('#totals [data-total="rejected"]')).to_have_text(str(n_pair + 1))
        expect(page.locator('#totals [data-total="accepted"]')).to_have_text("1")
        expect(page.locator('#totals [data-total="decisions"]')).to_have_text("3")
        page.keyboard.press("j")
        page.screenshot(path=str(screenshot("review.png")))
    context.close()
    assert loop.dialogs == [] and errors == []
    assert saved(loop.out) == [("edit", "accepted"), ("edit", "rejected"), ("pair", "rejected")]


def test_a_rerun_honours_the_decisions(loop: Loop) -> None:
    from pipeline.cli import main

    assert loop.rejected, "runs after test_review_with_the_keyboard"
    assert main(["run", str(loop.raw), "--out", str(loop.out), "--rules", str(loop.rules)]) == 0
    table = rows(loop.out)

    def find(row: dict[str, Any]) -> dict[str, Any]:
        return next(r for r in table if same_edit(r, row))

    rejected, accepted = find(loop.rejected), find(loop.accepted)
    assert not rejected["applied"] and rejected["decision"] == "rejected"
    assert accepted["applied"] and accepted["decision"] == "accepted"
    pair = (loop.pair["original"], loop.pair["replacement"])
    covered = [r for r in table if (r["original"], r["replacement"]) == pair]
    assert len({r["case_id"] for r in covered}) > 1
    assert all(not r["applied"] and r["decision"] == "rejected" for r in covered)

    sections = read_table(loop.out, "sections").to_dict(orient="records")
    for section in sections:
        mine = [
            row_edit(r)
            for r in table
            if r["case_id"] == section["case_id"] and r["position"] == section["position"]
        ]
        assert apply_edits(section["raw_text"], mine) == section["clean_text"]
    for row, present in ((rejected, "original"), (accepted, "replacement")):
        section = next(
            s
            for s in sections
            if s["case_id"] == row["case_id"] and s["position"] == row["position"]
        )
        assert row[present] in section["clean_text"]
    cases = read_table(loop.out, "cases").to_dict(orient="records")
    assert sum(c["n_edits_applied"] for c in cases) == sum(bool(r["applied"]) for r in table)


TEXT_OUTSIDE_ITS_CHART = """() => {
  const out = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const box = svg.viewBox.baseVal;
    for (const text of svg.querySelectorAll("text")) {
      const b = text.getBBox();
      const m = svg.getCTM().inverse().multiply(text.getCTM());
      const x = b.x + m.e, y = b.y + m.f;
      if (x < box.x - 0.5 || y < box.y - 0.5 || x + b.width > box.x + box.width + 0.5 ||
          y + b.height > box.y + box.height + 0.5) {
        out.push(svg.getAttribute("aria-label") + ": " + text.textContent);
      }
    }
  }
  return out;
}"""
"""Every text of the report's charts whose box pokes out of its chart's viewBox."""


def test_the_report_opens_from_disk_with_no_request(browser: Any, loop: Loop) -> None:
    from playwright.sync_api import expect

    path = write_report(loop.out)
    assert path == loop.out / REPORT_FILE
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url == path.as_uri() else route.abort(),
    )
    page.goto(path.as_uri())
    page.wait_for_load_state("load")

    table = rows(loop.out)
    cases = read_table(loop.out, "cases")
    errors = read_table(loop.out, "errors")
    expected = {
        "pages": len(cases) + len(errors),
        "cases": len(cases),
        "edits": len(table),
        "applied": sum(bool(r["applied"]) for r in table),
        "suggested": sum(not r["applied"] for r in table),
        "rejected": sum(r["decision"] == "rejected" for r in table),
        "accepted": sum(r["decision"] == "accepted" for r in table),
    }
    for name, value in expected.items():
        expect(page.locator(f'[data-total="{name}"]')).to_have_text(str(value))

    outside = page.evaluate(TEXT_OUTSIDE_ITS_CHART)
    assert page.locator("svg.chart").count() == 4 and outside == []

    script_case = page.locator(f'details.case[data-case-id="{SCRIPT_CASE}"]')
    script_case.locator("summary").click()
    assert "<script>alert(1)</script>" in script_case.inner_text()
    page.fill("#filter", "alert")
    expect(page.locator("details.case:visible")).to_have_count(1)
    page.fill("#filter", "")
    page.locator(f'details.case[data-case-id="{SAMPLE_CASE}"] summary').click()
    page.screenshot(path=str(screenshot("report.png")), full_page=True)
    context.close()
    assert requests == [path.as_uri()], "the report makes no request of its own"
    assert dialogs == []


def big_run() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Cases and corrections with the dev run's largest figure (2,942 applied dehyphenate
    edits), a long section heading and a long pass name: what once cut its labels."""
    cases = [
        {"case_id": f"c{i:04d}.txt", "title": "", "status": "ok", "n_edits_applied": 9 * i,
         "n_suggestions": 0}
        for i in range(12)
    ]  # fmt: skip
    kinds = [
        ("dehyphenate", 2942, "discussion"),
        ("normalize", 10, "findings"),
        ("dictionary+context+dehyphenate+ocr", 3, "other:Imaging Procedures and Findings"),
    ]
    rows = []
    for pass_name, n, section in kinds:
        rows += [
            {"case_id": "c0000.txt", "position": 0, "edit": i, "section": section, "start": 0,
             "end": 1, "original": "a", "replacement": "b", "pass": pass_name, "rule": pass_name,
             "confidence": (i % 10) / 10, "applied": i % 300 != 0, "decision": None,
             "to_review": False}
            for i in range(n)
        ]  # fmt: skip
    return cases, rows


def test_the_report_charts_keep_their_largest_figures_inside(browser: Any, tmp_path: Path) -> None:
    cases, rows = big_run()
    data = summarise(cases, [], rows, [])
    path = tmp_path / REPORT_FILE
    path.write_text(render_report(data, "big"), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(path.as_uri())
    values = page.eval_on_selector_all(
        'svg[aria-label="edits per pass"] text.value', "ts => ts.map(t => t.textContent)"
    )
    assert "2942" in values
    assert page.evaluate(TEXT_OUTSIDE_ITS_CHART) == [], "every label and number fits its chart"
    page.close()


DOUBTFUL = (
    ("apply_threshold: 0.94", "apply_threshold: 0.999"),
    ("ocr_threshold: 0.8 ", "ocr_threshold: 0.999"),
    ("real_word_threshold: 0.9 ", "real_word_threshold: 0.999"),
)
"""Rules that doubt more: the small archive then has suggestions on each of its pages."""
QUEUE = "kind=suggested&decision=undecided&sort=confidence"


@pytest.fixture(scope="module")
def doubtful(tmp_path_factory: pytest.TempPathFactory) -> Loop:
    root = tmp_path_factory.mktemp("queue")
    rules = root / "rules"
    shutil.copytree(REPO / "rules", rules, ignore=shutil.ignore_patterns(DECISIONS_FILE))
    text = (rules / "correct.yaml").read_text(encoding="utf-8")
    for old, new in DOUBTFUL:
        assert old in text
        text = text.replace(old, new)
    (rules / "correct.yaml").write_text(text, encoding="utf-8")
    raw = make_archive(root)
    run_archive(raw, root / "out", rules)
    return Loop(raw, root / "out", rules)


WHERE = f"""() => {{
  const here = document.getElementById("case"), edit = document.querySelector("ins.edit.current");
  return {SETTLED} && here && edit ? [here.dataset.caseId, edit.dataset.key] : null;
}}"""


def where(page: Any) -> tuple[str, str] | None:
    """The case and the current edit the page shows once it has settled (read in one go: a
    page may be leaving)."""
    found = page.evaluate(WHERE)
    return (found[0], found[1]) if found else None


def moved_or_ended(page: Any, last: tuple[str, str]) -> tuple[str, str] | bool | None:
    """Where ``j`` went from ``last``: the new place, True at the end of the queue, or None
    while it is on its way."""
    if "end of the queue" in page.inner_text("#toast"):
        return True
    here = where(page)
    return here if here is not None and here != last else None


def undecided(out: Path) -> int:
    """Edits waiting for a reviewer that nobody decided, as the tables say."""
    return sum(bool(r["to_review"]) and not isinstance(r["decision"], str) for r in rows(out))


def test_walk_the_queue_with_the_keyboard_and_decide_a_pattern(
    browser: Any, doubtful: Loop
) -> None:
    from playwright.sync_api import expect

    table = rows(doubtful.out)
    order = {c: i for i, c in enumerate(read_table(doubtful.out, "cases")["case_id"])}
    expected = [
        (r["case_id"], key(r))
        for r in sorted(
            (r for r in table if not r["proposed"]),
            key=lambda r: (r["confidence"], order[r["case_id"]], r["position"], r["edit"]),
        )
    ]
    assert len({case for case, _ in expected}) >= 3
    before = undecided(doubtful.out)
    context = browser.new_context(viewport={"width": 1360, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with serving(doubtful.out, doubtful.rules) as base:
        page.goto(f"{base}/")
        settle(page)
        page.keyboard.press("l")  # the queue of undecided suggestions, lowest confidence first
        page.wait_for_url(f"**/?{QUEUE}")
        settle(page)
        expect(page.locator('#totals [data-total="undecided"]')).to_have_text(str(before))
        page.keyboard.press("s")
        visited = [until(lambda: where(page))]
        while True:
            page.keyboard.press("j")
            moved = until(lambda: moved_or_ended(page, visited[-1]))
            if moved is True:
                break
            visited.append(moved)
        assert visited == expected, "j walks every suggestion, lowest confidence first"

        page.keyboard.press("i")
        page.wait_for_selector("table#cases")
        settle(page)
        page.keyboard.press("s")
        assert until(lambda: where(page)) == expected[0]
        page.keyboard.press("x")  # reject the least likely suggestion, then on to the next
        assert until(lambda: where(page) if where(page) == expected[1] else None)
        first, second = (
            next(r for r in table if (r["case_id"], key(r)) == e) for e in expected[:2]
        )
        pattern = [
            r
            for r in table
            if (r["original"], r["replacement"]) == (second["original"], second["replacement"])
        ]
        assert len({r["case_id"] for r in pattern}) > 1, "a pattern on several pages"
        page.keyboard.press("v")
        page.wait_for_selector("#pattern")
        settle(page)
        expect(page.locator("li.occurrence")).to_have_count(len(pattern))
        page.keyboard.press("A")  # every occurrence at once
        expect(page.locator("li.occurrence .pill.accepted")).to_have_count(len(pattern))
        waiting = {(r["case_id"], key(r)) for r in [first, *pattern] if r["to_review"]}
        decided = len(waiting)  # what waited among the rejected edit and the pattern
        expect(page.locator('#totals [data-total="undecided"]')).to_have_text(str(before - decided))
    context.close()
    assert errors == []
    assert saved(doubtful.out) == [("edit", "rejected"), ("pair", "accepted")]

    from pipeline.cli import main

    args = ["run", str(doubtful.raw), "--out", str(doubtful.out), "--rules", str(doubtful.rules)]
    assert main(args) == 0
    after = rows(doubtful.out)
    assert undecided(doubtful.out) == before - decided
    again = {(r["case_id"], key(r)): r for r in after}
    assert again[expected[0]]["decision"] == "rejected" and not again[expected[0]]["applied"]
    for row in pattern:
        redone = again[(row["case_id"], key(row))]
        assert redone["decision"] == "accepted" and redone["applied"]
    assert first["original"] in "".join(
        s["clean_text"] for s in read_table(doubtful.out, "sections").to_dict(orient="records")
    )


def test_a_reading_is_chosen_with_its_number_key(browser: Any, tmp_path: Path) -> None:
    from bench.review_index import write_synthetic_run

    out = tmp_path / "out"
    write_synthetic_run(out, 40)
    row = next(r for r in rows(out) if len(r["alternatives"]))
    page = browser.new_page(viewport={"width": 1360, "height": 860})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with serving(out, tmp_path) as base:
        page.goto(f"{base}/case?id={row['case_id']}&at={key(row)}")
        settle(page)
        readings = page.locator("#readings li")
        options = [row["replacement"], *row["alternatives"]]
        assert readings.count() == len(options)
        assert row["alternatives"][0] in readings.nth(1).inner_text()
        page.keyboard.press("2")
        until(lambda: saved(out) == [("edit", "accepted")])
        settle(page)
        chosen = page.locator(f'ins.edit[data-key="{key(row)}"]')
        assert chosen.inner_text() == row["alternatives"][0]
    page.close()
    (decision,) = read_decisions(out / DECISIONS_FILE).values()
    assert decision.choice == row["alternatives"][0] and errors == []
