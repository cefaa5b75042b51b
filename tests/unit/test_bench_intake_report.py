"""The intake benchmark's verdicts: the headroom line must not claim more than the runs showed."""

from __future__ import annotations

import argparse

import pytest

from bench.intake import _headroom, _rates, report


def _run(rate: float, rps: float, stall_max: float, screen_p95: float) -> dict:
    return {
        "mode": f"paced, aiming at {rate:.0f} req/s" if rate else "flat out",
        "paced": rate > 0,
        "probes": 10,
        "probes_seen": 10,
        "background": {"phones": 300, "requests_acknowledged": 1000, "throughput_rps": rps},
        "ack_to_screen_ms": {"p50": 10.0, "p95": screen_p95, "p99": screen_p95, "max": screen_p95},
        "drawn_before_ack": 0,
        "loop_lateness_ms": {"p50": 1.0, "p99": stall_max, "max": stall_max},
    }


def test_headroom_names_the_busiest_paced_run_that_kept_both_targets() -> None:
    runs = [_run(300, 181, 18.9, 56.8), _run(1500, 1247, 28.5, 52.4), _run(0, 3415, 95.9, 87.3)]
    line = _headroom(runs)
    assert "up to 1247 req/s" in line
    assert "flat out (saturated, 3415 req/s) it did not keep them" in line


def test_headroom_ignores_a_faster_paced_run_that_missed_a_target() -> None:
    runs = [_run(300, 181, 18.9, 56.8), _run(1500, 1247, 52.9, 52.4), _run(0, 3415, 40.0, 80.0)]
    line = _headroom(runs)
    assert "up to 181 req/s" in line
    assert "it kept them too" in line


def test_headroom_says_so_when_no_paced_run_held() -> None:
    line = _headroom([_run(300, 181, 60.0, 56.8), _run(0, 3415, 95.9, 120.0)])
    assert line.startswith("Headroom: no paced run kept both screen targets")


def test_report_ends_with_the_headroom_and_marks_the_missed_stall() -> None:
    lines = report(None, [_run(300, 181, 18.9, 56.8), _run(0, 3415, 95.9, 87.3)])
    assert lines[-1].startswith("Headroom:")
    stalls = [line for line in lines if "event-loop stalls" in line]
    assert stalls[0].endswith("met)") and stalls[1].endswith("MISSED)")


@pytest.mark.parametrize("text", ["fast", "300,0", "-5"])
def test_screen_rates_refuse_what_is_not_a_positive_rate(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        _rates(text)


def test_screen_rates_parse_a_list() -> None:
    assert _rates("300, 1500") == (300.0, 1500.0)


def test_collector_watch_counts_only_collections_inside_a_window() -> None:
    import gc
    import time

    from bench.intake import CollectorWatch

    watch = CollectorWatch()
    watch.start()
    try:
        before = time.perf_counter()
        garbage = [[n] for n in range(50_000)]
        gc.collect()
        after = time.perf_counter()
        del garbage
    finally:
        watch.stop()
    assert watch._callback not in gc.callbacks
    summary = watch.summary()
    assert summary["passes"]["gen2"] >= 1 and summary["longest_ms"]["gen2"] > 0
    assert 0 < summary["longest_cpu_ms"]["gen2"] <= summary["longest_ms"]["gen2"] * 1.5
    assert 0 < watch.within(before, after) <= (after - before)
    assert watch.within(after + 1, after + 2) == 0.0


def test_report_says_how_much_of_the_longest_stall_was_collection() -> None:
    run = _run(0, 3415, 95.9, 87.3)
    run["collections"] = {
        "longest_ms": {"gen0": 3.0, "gen1": 22.0, "gen2": 38.8},
        "longest_cpu_ms": {"gen0": 0.5, "gen1": 21.0, "gen2": 38.1},
        "passes": {"gen0": 90, "gen1": 9, "gen2": 2},
        "in_longest_stall_ms": 38.8,
    }
    text = "\n".join(report(None, [run]))
    assert (
        "longest pass 3.0 ms young (0.5 ms CPU), 22.0 ms middle (21.0 ms CPU), 38.8 ms full (38.1 ms CPU);"
        " 2 full passes; 38.8 ms of the longest stall was collection"
    ) in text
