"""Full collections wait for a quiet moment during a live session, but never for too long."""

from __future__ import annotations

import gc

import pytest

from tui._collector import FULL_AFTER, IdleCollector, QuietCollector


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def collector():
    clock = Clock()
    collector = QuietCollector(quiet=1.0, max_wait=30.0, clock=clock)
    before = gc.get_threshold()
    collector.start()
    yield collector, clock
    collector.stop()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def make_full_pass_due() -> None:
    for _ in range(FULL_AFTER):
        gc.collect(1)  # each middle pass counts towards the next full one


def test_start_freezes_the_loaded_session_and_stops_automatic_full_passes(collector) -> None:
    assert gc.get_freeze_count() > 0
    young, middle, full = gc.get_threshold()
    assert (young, middle) == (5_000, 5)
    assert full > 10**6


def test_nothing_runs_before_a_full_pass_is_due(collector) -> None:
    quiet, clock = collector
    gc.collect(2)  # counts start from nothing
    assert not quiet.collect_when_quiet(last_change=0.0)
    assert quiet.full_passes == 0


def test_a_due_full_pass_waits_while_the_room_is_busy_and_runs_once_it_is_still(collector) -> None:
    quiet, clock = collector
    make_full_pass_due()
    assert not quiet.collect_when_quiet(last_change=clock.now - 0.2)  # a change 0.2 s ago
    clock.now += 0.5
    assert not quiet.collect_when_quiet(last_change=clock.now - 0.3)
    clock.now += 0.5
    assert quiet.collect_when_quiet(last_change=clock.now - 1.5)  # still for 1.5 s
    assert quiet.full_passes == 1
    assert gc.get_count()[2] == 0
    assert not quiet.collect_when_quiet(last_change=0.0)  # not due again yet


def test_a_storm_that_never_stops_gets_its_full_pass_after_max_wait(collector) -> None:
    quiet, clock = collector
    make_full_pass_due()
    for _ in range(59):  # every half second, a change just now
        assert not quiet.collect_when_quiet(last_change=clock.now)
        clock.now += 0.5
    clock.now += 0.5
    assert quiet.collect_when_quiet(last_change=clock.now)
    assert quiet.full_passes == 1


def test_garbage_cycles_are_still_freed_by_the_deferred_pass(collector) -> None:
    quiet, clock = collector

    class Node:
        pass

    def cycle():
        a, b = Node(), Node()
        a.other, b.other = b, a
        return a

    gc.collect(2)
    alive = [cycle() for _ in range(100)]
    for _ in range(2):
        gc.collect(1)  # while in use, the cycles move up to the oldest generation
    del alive  # now garbage that only a full pass looks at
    gc.collect(1)
    assert sum(isinstance(o, Node) for o in gc.get_objects(2)) == 200
    make_full_pass_due()
    assert quiet.collect_when_quiet(last_change=clock.now - 5)
    assert not any(isinstance(o, Node) for o in gc.get_objects())


def test_stop_without_start_changes_nothing() -> None:
    before = gc.get_threshold()
    QuietCollector().stop()
    assert gc.get_threshold() == before
    assert not QuietCollector().collect_when_quiet(last_change=0.0)


def test_the_idle_collector_leaves_python_s_collector_alone() -> None:
    """What the app's tests use when they do not test collection: no full pass, no freeze."""
    idle = IdleCollector()
    before = gc.get_threshold()
    idle.start()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    make_full_pass_due()
    assert idle.collect_when_quiet(last_change=0.0) is False and idle.full_passes == 0
    idle.stop()
    assert gc.get_threshold() == before


def test_tests_get_the_idle_collector_and_the_product_keeps_the_live_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/conftest.py makes an app's default collector idle; without it the app takes the live one."""
    from tui import load_config
    from tui.app import InvolveApp

    config = load_config()
    assert type(InvolveApp(config).collector) is IdleCollector
    monkeypatch.undo()  # what the conftest fixture changed, too: the app as the product makes it
    assert type(InvolveApp(config).collector) is QuietCollector
