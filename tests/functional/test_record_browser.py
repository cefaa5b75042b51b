"""The HTML record in a real browser: it draws, it fits a phone, it asks the network for nothing, its summary meets WCAG 2.2 AA."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessibility import axe_violations_sync, describe
from conftest import CHROMIUM_ARGS
from exports import export_session
from sessions import CommentState, Role, RoleGroup, SessionStore, TemplateLibrary, grid_item

pytestmark = pytest.mark.browser

CLOCK = "2026-03-02T10:00:00+00:00"
LONG_WORD = "Unbrokenwordwithoutanyspaces" * 6


@pytest.fixture
def record_page(tmp_path: Path) -> Path:
    store = SessionStore(tmp_path / "sessions", clock=lambda: CLOCK)
    template = TemplateLibrary().find("where-are-we")
    session = store.create(template, template.path.read_text(encoding="utf-8"), title="Ward 7 review", facilitator="Sam", session_id="browser")
    try:
        roles = [Role.SERVICE_USER, Role.SERVICE_USER, Role.CARER, Role.STAFF, Role.STAFF, Role.STAFF]
        people = [session.join("", role)[0].id for role in roles]
        for pid, position in zip(people, (2, 3, 3, 5, 6, 5)):
            session.cast_vote(pid, "spectrum", "place", position)
        for pid, (now, target) in zip(people, ((1, 4), (2, 4), (2, 5), (3, 4), (3, 4), (2, 3))):
            for area in ("individual", "setting", "policy"):
                session.cast_vote(pid, "grid", grid_item(area, "now"), now)
                session.cast_vote(pid, "grid", grid_item(area, "target"), target)
        session.set_tally("spectrum", "place", 4, 3)
        for pid, answer in zip(people, ("met", "partly", "not_met", "met", "met", "partly")):
            session.cast_vote(pid, "indicators", "valuing", answer)
        comment = session.add_comment("spectrum", f"<img src='http://127.0.0.1:9/x.png'> {LONG_WORD}")
        session.moderate(comment.id, CommentState.APPROVED)
        session.add_target("targets", "Co-written care plans", owner="Ward manager", review_date="2026-09-01")
        [path] = export_session(session, ["html"], tmp_path / "out")
    finally:
        session.close()
    return path


def test_record_renders_offline_and_fits_narrow_screens(record_page: Path, chromium_path: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 800})
            page.on("request", lambda request: requested.append(request.url))
            page.goto(record_page.as_uri())
            page.wait_for_load_state("load")
            page.screenshot(path=str(tmp_path / "record-1024.png"), full_page=True)
            assert (tmp_path / "record-1024.png").stat().st_size > 10_000

            assert page.locator("html").get_attribute("lang") == "en-GB"
            charts = page.locator("svg.chart")
            assert charts.count() == 2
            spectrum = charts.nth(0)
            assert (spectrum.locator("title").text_content() or "").endswith("answers per position")
            labels = spectrum.locator("text").all_text_contents()
            assert "Beginnings of involvement" in " ".join(labels)
            assert "Median 4" in labels
            # Counts written on the bars, the three hand-counted votes at position 4 included.
            assert spectrum.locator("text.count").all_text_contents() == ["0", "1", "2", "3", "2", "1", "0", "0", "0"]
            grid_labels = " ".join(charts.nth(1).locator("text").all_text_contents())
            assert "Individual care" in grid_labels and "Partnership" in grid_labels
            box = spectrum.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 100

            tables = page.locator("table")
            assert tables.count() >= 5
            assert page.locator("table caption").count() == tables.count()
            assert page.locator("th[scope]").count() > 20

            for width in (1024, 390):
                page.set_viewport_size({"width": width, "height": 800})
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"the page scrolls sideways at {width}px"
                chart_width = page.evaluate("document.querySelector('svg.chart').getBoundingClientRect().right")
                assert chart_width <= width
            page.screenshot(path=str(tmp_path / "record-390.png"), full_page=True)

            page.emulate_media(media="print")
            assert page.evaluate("getComputedStyle(document.querySelector('main')).paddingLeft") == "0px"
        finally:
            browser.close()
    assert requested == [record_page.as_uri()], f"the record asked for {requested}"


@pytest.fixture
def review_page(tmp_path: Path) -> Path:
    """A review session's record: its summary has every part, the changes since the earlier session included."""
    store = SessionStore(tmp_path / "sessions", clock=lambda: CLOCK)
    template = TemplateLibrary().find("where-are-we")
    source = template.path.read_text(encoding="utf-8")
    sessions = []
    try:
        for session_id, positions in (("earlier", (2, 3, 3, 4)), ("review", (4, 5, 5, 6, 6))):
            baseline_id = "earlier" if session_id == "review" else ""
            session = store.create(template, source, title=f"Ward 7 {session_id}", facilitator="Sam", session_id=session_id, baseline_id=baseline_id)
            sessions.append(session)
            roles = [Role.SERVICE_USER, Role.CARER, Role.STAFF, Role.STAFF, Role.SERVICE_USER][: len(positions)]
            people = [session.join("", role)[0].id for role in roles]
            for pid, position in zip(people, positions):
                session.cast_vote(pid, "spectrum", "place", position)
                session.cast_vote(pid, "grid", grid_item("policy", "now"), min(position, 5))
                session.cast_vote(pid, "grid", grid_item("policy", "target"), 5)
                session.cast_vote(pid, "indicators", "valuing", "met" if position > 4 else "not_met")
            session.add_target("targets", f"{LONG_WORD} target set at the {session_id} session", owner="Ward manager", review_date="2026-09-01")
        earlier, review = sessions
        review.set_present_without_phones(RoleGroup.LIVED, 1)
        review.set_head_count(7)
        [earlier_target] = earlier.targets.values()
        review.record_outcome(earlier_target, "partly", what_happened=f"{LONG_WORD} half the plans", working_together="Better than last year.")
        [path] = export_session(review, ["html"], tmp_path / "out", baseline=earlier)
    finally:
        for session in sessions:
            session.close()
    return path


def test_the_summary_comes_first_meets_wcag_22_aa_and_fits_a_phone(review_page: Path, chromium_path: str, axe_script_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1024, "height": 800}, bypass_csp=True)
            page = context.new_page()
            page.goto(review_page.as_uri())
            page.wait_for_load_state("load")
            headings = page.locator("h2").all_text_contents()
            assert headings[:2] == ["Summary", "Who took part"], headings
            summary = page.locator("section.summary")
            text = " ".join(summary.inner_text().split())
            assert "Who was there: 6 people: 5 on a phone or tablet, 1 counted in without one. Head count: 7." in text
            assert "✔✔ Presence: ideal. Service users or carers there: 4." in text
            assert "4PI National Involvement Standards" in text
            assert "Since 2 March 2026" in text and "Targets agreed on 2 March 2026: how they went" in text
            assert "1 of 1 reviewed: 0 done, 1 partly done, 0 not yet." in text and "Outcome Partly done" in text
            assert summary.locator("table caption").count() == summary.locator("table").count() >= 5
            violations = axe_violations_sync(page, axe_script_path)
            assert not violations, describe(violations)
            for width in (390, 320):
                page.set_viewport_size({"width": width, "height": 740})
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"the record scrolls sideways at {width}px"
            violations = axe_violations_sync(page, axe_script_path)
            assert not violations, describe(violations)
        finally:
            browser.close()
