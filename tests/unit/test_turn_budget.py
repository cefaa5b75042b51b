"""The intake's budget per event-loop turn: a burst is spread over turns, in order, and nobody is lost."""

import asyncio

import pytest

from sessions.intake._turns import TurnBudget


async def test_a_burst_is_spread_over_turns_first_come_first_served() -> None:
    budget = TurnBudget(3)
    started: list[tuple[int, int]] = []  # (who, turn)
    turn = 0

    async def request(who: int) -> None:
        await budget.enter()
        started.append((who, turn))

    tasks = [asyncio.ensure_future(request(n)) for n in range(10)]
    while not all(task.done() for task in tasks):
        await asyncio.sleep(0)
        turn += 1
    assert [who for who, _ in started] == list(range(10))
    per_turn: dict[int, int] = {}
    for _, when in started:
        per_turn[when] = per_turn.get(when, 0) + 1
    assert max(per_turn.values()) <= 3
    assert len(per_turn) >= 4  # ten requests, three a turn
    assert budget.waiting == 0


async def test_a_request_that_goes_away_while_waiting_uses_no_budget() -> None:
    budget = TurnBudget(1)
    first, gone, third = (asyncio.ensure_future(budget.enter()) for _ in range(3))
    await asyncio.sleep(0)
    assert first.done() and budget.waiting == 2  # one place this turn; two wait
    gone.cancel()
    await asyncio.sleep(0)  # the next turn's place goes to the third, not to the one that left
    await asyncio.sleep(0)
    assert gone.cancelled() and third.done() and third.exception() is None
    assert budget.waiting == 0


def test_a_budget_needs_room_for_one() -> None:
    with pytest.raises(ValueError):
        TurnBudget(0)
