"""Reviewing the earlier session's targets from the facilitator's console, over real HTTP on loopback."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest

from conftest_intake import TEMPLATE
from sessions import LiveSession, Outcome, SessionStore, parse_template
from sessions.intake import IntakeServer
from test_console_http import page_of, pair, post


@pytest.fixture
def live_session(review_session: LiveSession) -> LiveSession:
    """The intake fixtures serve this module's review session."""
    return review_session


def _targets(session: LiveSession):
    store = SessionStore(session.directory.parent)
    earlier = store.open("earlier", readonly=True)
    try:
        return sorted(earlier.targets.values(), key=lambda t: t.created_at)
    finally:
        earlier.close()


async def test_the_console_records_how_an_earlier_target_went(server: IntakeServer, live_session: LiveSession, client: aiohttp.ClientSession) -> None:
    await pair(client, server)
    first, second = _targets(live_session)
    page = await page_of(client, server, "/console/review")
    assert "0 of 2 reviewed" in page
    assert "Carers see the care plan &lt;b&gt;before&lt;/b&gt; it is signed." in page, "the earlier target's words are escaped"
    assert '<a href="/console/review" aria-current="page">Review</a>' in page
    done = await post(client, server, "/console/review", {
        "target_id": second.id,
        "outcome": "partly",
        "what_happened": "Half the plans\x07 so far",
        "working_together": "Carers came to two meetings.",
    })
    assert done.status == 303 and done.headers["Location"] == "/console/review?done=reviewed&n=2#target-2"
    recorded = live_session.outcomes[second.id]
    assert (recorded.outcome, recorded.what_happened, recorded.working_together) == (Outcome.PARTLY, "Half the plans so far", "Carers came to two meetings.")
    page = await page_of(client, server, "/console/review?done=reviewed&n=2")
    assert "Saved: how target 2 went." in page and "1 of 2 reviewed" in page
    form = page[page.index('id="target-2"'):]
    assert re.search(r'value="partly" checked', form), "the recorded outcome is chosen when the page comes back"
    assert "Half the plans so far</textarea>" in form
    assert first.id not in live_session.outcomes


async def test_the_console_refuses_with_its_reason_and_keeps_what_was_typed(
    server: IntakeServer, live_session: LiveSession, client: aiohttp.ClientSession
) -> None:
    await pair(client, server)
    first, _ = _targets(live_session)
    missing = await post(client, server, "/console/review", {"target_id": first.id, "what_happened": "We met twice."})
    assert missing.status == 400
    page = await missing.text()
    assert "Choose how it went: done, partly or not yet." in page and "We met twice.</textarea>" in page
    long = await post(client, server, "/console/review", {"target_id": first.id, "outcome": "done", "what_happened": "x" * 2500})
    assert long.status == 400
    assert "What happened is 2,500 characters; the most is 2,000. Shorten it and save again." in await long.text()
    assert live_session.outcomes == {}, "refused, never cut short"
    stranger = await post(client, server, "/console/review", {"target_id": "not-a-target", "outcome": "done"})
    assert stranger.status == 404
    assert live_session.outcomes == {}


async def test_a_session_that_reviews_nothing_says_so(tmp_path: Path, client: aiohttp.ClientSession) -> None:
    store = SessionStore(tmp_path / "sessions")
    template = parse_template(TEMPLATE, "<intake test>")
    session = store.create(template, TEMPLATE, title="First time")
    intake = IntakeServer(session, host="127.0.0.1", port=0)
    await intake.start()
    try:
        await pair(client, intake)
        page = await page_of(client, intake, "/console/review")
        assert "was not started as a review of an earlier one" in page
    finally:
        await intake.stop()
        session.close()


async def test_the_console_spells_out_review_dates_as_the_projected_review_and_the_record_do(
    tmp_path: Path, client: aiohttp.ClientSession
) -> None:
    """'31 January 2027' on the console's Review page, never '2027-01-31': the same words as the screen and the record."""
    from exports import build_record, compare_sessions
    from exports._markdown import render_markdown
    from sessions import numbers

    store = SessionStore(tmp_path / "sessions")
    template = parse_template(TEMPLATE, "<intake test>")
    earlier = store.create(template, TEMPLATE, title="Last winter", session_id="earlier")
    earlier.add_target("targets", "Service users co-chair the team meeting.", owner="Ward manager", review_date="2027-01-31")
    earlier.close()
    session = store.create(template, TEMPLATE, title="This winter", baseline_id="earlier", session_id="review")
    intake = IntakeServer(session, host="127.0.0.1", port=0)
    await intake.start()
    try:
        await pair(client, intake)
        page = await page_of(client, intake, "/console/review")
        assert 'Review by: <time datetime="2027-01-31">31 January 2027</time>' in page
        assert "Review by: 2027-01-31" not in page
        # The projected review and the record read their dates from the same function.
        earlier = store.open("earlier", readonly=True)
        try:
            [review] = compare_sessions(earlier, session).target_reviews
            assert review.target.review_date_label == numbers.date_label("2027-01-31") == "31 January 2027"
            assert "review by 31 January 2027" in render_markdown(build_record(session, baseline=earlier))
        finally:
            earlier.close()
    finally:
        await intake.stop()
        session.close()
