"""The projected progress review: better or worse in words, and how the earlier targets went."""

from __future__ import annotations

from pathlib import Path

from app_fixtures import make_app, make_config, new_session, screen_text, store_for
from screens import OutcomeForm, ReviewScreen
from sessions import Outcome, grid_item

SIZE = (110, 90)
"""Tall enough that the whole review is on screen, so the text can be read back."""


async def settle(pilot, times: int = 3) -> None:
    for _ in range(times):
        await pilot.pause()


def _room(session, size: int) -> list[str]:
    roles = ("service_user", "carer", "staff")
    return [session.join("", roles[i % 3])[0].id for i in range(size)]


def _pair(tmp_path: Path):
    """Seven answered at the baseline and eight at the review; the gap widened and more said 'not met'."""
    config = make_config(tmp_path)
    baseline = new_session(config, title="Last spring")
    then = _room(baseline, 7)
    for pid in then:
        baseline.cast_vote(pid, "grid", grid_item("individual", "now"), 3)
        baseline.cast_vote(pid, "grid", grid_item("individual", "target"), 4)
    for pid, answer in zip(then, ["met"] * 3 + ["partly"] * 2 + ["not_met"] * 2):
        baseline.cast_vote(pid, "indicators", "valuing", answer)
    baseline.add_target("targets", "Service users co-chair the team meeting.", owner="Ward manager", review_date="2026-09-01")
    baseline.add_target("targets", "Carers see the care plan before it is signed.")
    baseline_id = baseline.id
    session = new_session(config, title="This spring", baseline_id=baseline_id)
    now = _room(session, 8)
    for pid in now:
        session.cast_vote(pid, "grid", grid_item("individual", "now"), 2)
        session.cast_vote(pid, "grid", grid_item("individual", "target"), 4)
    for pid, answer in zip(now, ["met"] * 2 + ["partly"] * 2 + ["not_met"] * 4):
        session.cast_vote(pid, "indicators", "valuing", answer)
    return config, baseline, session


def squeezed(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


async def test_the_review_says_worse_in_words_beside_the_arrow(tmp_path: Path) -> None:
    config, baseline, session = _pair(tmp_path)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(baseline, session))
        await settle(pilot)
        lines = squeezed(screen_text(app))
        text = "\n".join(lines)
        assert "Gap to target +1 → +2 +1 level ↓ worse: further to go" in lines, text
        assert "Level now (median) 3 → 2 −1 level ↓ worse: less involvement" in lines, text
        assert "✘ Not met 2 of 7 (29%) → 4 of 8 (50%) +21 points ↓ worse: more say not met" in lines, text
        assert "✔ Met 3 of 7 (43%) → 2 of 8 (25%) −18 points ↓ worse: fewer say met" in lines, text
        assert "↑ better and ↓ worse in the framework's terms" in " ".join(lines)
        assert "= 0.0" not in text and "2.0" not in text, "the one number vocabulary: '= no change', '2'"
    baseline.close()


async def test_the_review_says_when_a_side_holds_back_phone_answers_beside_hands(tmp_path: Path) -> None:
    """The baseline had one service user on a phone beside four hands: it compares its hands alone, and says so."""
    config = make_config(tmp_path)
    baseline = new_session(config, title="Last spring")
    lone = baseline.join("", "service_user")[0].id
    baseline.cast_vote(lone, "indicators", "valuing", "not_met")
    baseline.set_tally("indicators", "valuing", "met", 4)
    session = new_session(config, title="This spring", baseline_id=baseline.id)
    for pid in _room(session, 4):
        session.cast_vote(pid, "indicators", "valuing", "met")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(baseline, session))
        await settle(pilot)
        text = " ".join(squeezed(screen_text(app)))
        note = "1 answer from a phone is not shown: with fewer than 3 on phones, it could be told apart from the hands counted."
        assert f"Phone answers not shown • The seven indicators (then): {note}" in text, text
        assert "Valuing People answering 4 → 4 = no change ✔ Met 4 → 4 = no change" in text, "the baseline's hands alone"
        assert "✘ Not met 0 → 0" in text, text
    baseline.close()


async def test_an_outcome_is_recorded_from_the_keyboard_on_the_review(tmp_path: Path) -> None:
    config, baseline, session = _pair(tmp_path)
    first, second = sorted(baseline.targets.values(), key=lambda t: t.created_at)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(baseline, session))
        await settle(pilot)
        lines = squeezed(screen_text(app))
        assert any(line.startswith("Targets agreed on") and line.endswith("how did they go? (0 of 2 reviewed)") for line in lines), lines
        assert lines.count("○ Outcome: Not reviewed yet") == 2
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, OutcomeForm) and app.screen.target == second
        assert "How did target 2 go?" in screen_text(app)
        # Arrows choose in the set, Space picks; the cursor goes on to what happened.
        await pilot.press("right", "space")
        await settle(pilot)
        assert app.screen.chosen is Outcome.PARTLY
        assert "Chosen: Partly done" in screen_text(app), "the choice is said in words, not by colour alone"
        await pilot.press(*"Half the plans [b]so far[/b]", "enter")
        await pilot.press(*"Carers came to two meetings", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        recorded = session.outcomes[second.id]
        assert (recorded.outcome, recorded.what_happened, recorded.working_together) == (
            Outcome.PARTLY,
            "Half the plans [b]so far[/b]",
            "Carers came to two meetings",
        )
        assert recorded.target_text == second.text
        lines = squeezed(screen_text(app))
        assert "◐ Outcome: Partly done" in lines
        assert "What happened: Half the plans [b]so far[/b]" in lines, "typed text shows as typed, never as markup"
        assert "Working together: Carers came to two meetings" in lines
        assert any(line.endswith("(1 of 2 reviewed)") for line in lines)
        # o opens the first target nobody has reviewed yet; saving with no outcome picked is refused.
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OutcomeForm) and app.screen.target == first
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OutcomeForm)
        assert "Choose how it went: done, partly or not yet." in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen) and first.id not in session.outcomes
        # Opening a reviewed target again shows what was recorded, ready to change.
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, OutcomeForm) and app.screen.chosen is Outcome.PARTLY
        assert "Chosen: Partly done" in screen_text(app)
        await pilot.press("left", "space")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert session.outcomes[second.id].outcome is Outcome.DONE
        assert session.outcomes[second.id].what_happened == "Half the plans [b]so far[/b]", "what was typed stays"
    baseline.close()
    session.close()
    # Kept with the session: it reads back after a restart.
    reopened = store_for(config).open(session.id)
    try:
        assert reopened.outcomes[second.id].what_happened == "Half the plans [b]so far[/b]"
    finally:
        reopened.close()


async def test_an_outcome_saved_elsewhere_shows_on_the_open_review(tmp_path: Path) -> None:
    """The console saves into the same session: the projected review follows without being reopened."""
    config, baseline, session = _pair(tmp_path)
    first, _ = sorted(baseline.targets.values(), key=lambda t: t.created_at)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(baseline, session))
        await settle(pilot)
        assert "✔ Outcome: Done" not in squeezed(screen_text(app))
        session.record_outcome(first, "done", "Every meeting since June.")
        for _ in range(20):
            await pilot.pause(0.05)
            if "✔ Outcome: Done" in squeezed(screen_text(app)):
                break
        lines = squeezed(screen_text(app))
        assert "✔ Outcome: Done" in lines and "What happened: Every meeting since June." in lines
    baseline.close()


async def test_the_spectrum_bars_read_as_shares_when_the_room_grew(tmp_path: Path) -> None:
    """Seven then, eight now, all at one place: the bars say '7 (100%)' and '8 (100%)' and are drawn the same length.

    The record and `involve compare` give those cells; drawn as bare counts the
    eight would look like a bigger move than the seven although nothing moved.
    """
    config = make_config(tmp_path)
    baseline = new_session(config, title="Last spring")
    for pid in _room(baseline, 7):
        baseline.cast_vote(pid, "spectrum", "place", 3)
    session = new_session(config, title="This spring", baseline_id=baseline.id)
    for pid in _room(session, 8):
        session.cast_vote(pid, "spectrum", "place", 3)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(baseline, session))
        await settle(pilot)
        text = screen_text(app)
        row = next((line for line in text.splitlines() if "7 (100%)" in line), "")
        assert "8 (100%)" in row, text
        then_cell, now_cell = row.split("│")[:2]
        assert then_cell.count("█") == now_cell.count("█") > 0, row
        assert "7 people answered then and 8 now, so each bar is drawn to its share of those answering." in " ".join(squeezed(text))
        # Where nobody stood, the cell says a plain 0, as in the record.
        assert any(line.split()[:1] == ["1"] and line.count(" 0 ") >= 2 for line in text.splitlines()), text
    baseline.close()
    session.close()


async def test_the_spectrum_bars_stay_counts_when_the_room_is_the_same_size(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    baseline = new_session(config, title="Last spring")
    for pid, place in zip(_room(baseline, 7), [3] * 4 + [4] * 3):
        baseline.cast_vote(pid, "spectrum", "place", place)
    session = new_session(config, title="This spring", baseline_id=baseline.id)
    for pid, place in zip(_room(session, 7), [3] * 2 + [4] * 5):
        session.cast_vote(pid, "spectrum", "place", place)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(baseline, session))
        await settle(pilot)
        text = screen_text(app)
        assert "%" not in "".join(line for line in text.splitlines() if "│" in line), text
    baseline.close()
    session.close()
