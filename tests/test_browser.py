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
from pipeline.review.report import REPORT_FILE, write_report
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


def open_case(page: Any, base: str, case_id: str) -> None:
    """From the case list, select the case with j and open it with Enter."""
    page.goto(base + "/")
    ids = page.eval_on_selector_all("tr.case-row", "rows => rows.map(r => r.dataset.caseId)")
    for _ in range(ids.index(case_id) + 1):
        page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_selector(f'#case[data-case-id="{case_id}"]')
    page.wait_for_selector("body[data-ready]")


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
        page.evaluate("window.noReload = true")

        page.keyboard.press("?")
        expect(page.locator("dialog#help")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator("dialog#help")).to_be_hidden()

        for row, press, status in (
            (loop.rejected, "x", "rejected"),
            (loop.accepted, "a", "accepted"),
        ):
            if page.get_attribute("#case", "data-case-id") != row["case_id"]:
                open_case(page, base, row["case_id"])
                page.evaluate("window.noReload = true")
            go_to(page, key(row))
            page.keyboard.press(press)
            page.wait_for_selector(f'ins.edit.{status}[data-key="{key(row)}"]')
            current = page.get_attribute("ins.edit.current", "data-key")
            assert current != key(row), "a decision moves to the next undecided edit"

        undo_target = page.get_attribute("ins.edit.current", "data-key")
        page.keyboard.press("a")
        page.wait_for_selector(f'ins.edit.accepted[data-key="{undo_target}"]')
        page.keyboard.press("u")
        page.wait_for_selector(f'ins.edit[data-key="{undo_target}"]:not(.accepted)')
        assert page.get_attribute("ins.edit.current", "data-key") == undo_target

        open_case(page, base, loop.pair["case_id"])
        page.evaluate("window.noReload = true")
        go_to(page, key(loop.pair))
        page.keyboard.press("2")
        page.keyboard.press("x")
        page.wait_for_selector(f'ins.edit.rejected[data-key="{key(loop.pair)}"]')
        assert page.evaluate("window.noReload") is True, "counts update without a reload"
        table = rows(loop.out)
        pair = (loop.pair["original"], loop.pair["replacement"])
        n_pair = sum((r["original"], r["replacement"]) == pair for r in table)
        expect(page.locator('#totals [data-total="rejected"]')).to_have_text(str(n_pair + 1))
        expect(page.locator('#totals [data-total="accepted"]')).to_have_text("1")
        expect(page.locator('#totals [data-total="decisions"]')).to_have_text("3")

        open_case(page, base, SAMPLE_CASE)
        page.keyboard.press("j")
        page.screenshot(path=str(screenshot("review.png")))
    context.close()
    assert loop.dialogs == [] and errors == []

    saved = sorted((d.scope, d.value) for d in read_decisions(loop.out / DECISIONS_FILE).values())
    assert saved == [("edit", "accepted"), ("edit", "rejected"), ("pair", "rejected")]


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
