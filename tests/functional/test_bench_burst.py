"""The burst benchmark's phones do what a browser does, against the real phone page:
a page that answers in place is answered by fetch, any other page and every phone
without JavaScript by the forms; and the report shows each figure with its range."""

from __future__ import annotations

from bench._phones import BurstPlan, run_burst
from bench.burst import report
from conftest_intake import SPECTRUM
from sessions import LiveSession
from sessions.intake import IntakeServer


async def test_a_small_burst_joins_answers_and_comments_by_both_flows(server: IntakeServer, live_session: LiveSession) -> None:
    live_session.go_to(SPECTRUM)
    plan = BurstPlan(url=server.join_url, phones=12, arrive_seconds=0.3, no_js_share=0.5, vote_values=5, max_seconds=30, seed=3)
    result = await run_burst(plan)
    assert result["errors"] == [] and result["answered"] == 12
    assert result["saved"]["js"] and result["saved"]["form"]
    assert len(result["saved"]["js"]) + len(result["saved"]["form"]) == 12
    assert len(live_session.participants) == 12
    assert len(live_session.votes_for("spectrum")) == 12
    assert len(live_session.comments) == 12
    counts = result["counts"]
    # JavaScript phones used the API; phones without it posted the forms and reloaded the page.
    assert counts["POST /api/vote 200"] == len(result["saved"]["js"])
    assert counts["POST /s/answer 303"] == len(result["saved"]["form"])
    # Each phone fetched the style sheet once, and only phones with JavaScript fetched the script.
    assert sum(n for key, n in counts.items() if key.startswith("GET /static/intake.css")) == 12
    assert sum(n for key, n in counts.items() if key.startswith("GET /static/intake.js")) == len(result["saved"]["js"])


def _run(saved_p95: float, answered: float, key_p50: float, ratio: float) -> dict:
    side = {
        "saved_ms": {"p50": 1.0, "p95": saved_p95, "p99": saved_p95, "max": saved_p95},
        "saved_by_flow_ms": {},
        "comment_ms": {"p95": 1.0},
        "all_answered_s": answered,
        "requests": 100,
        "errors": 0,
        "error_samples": [],
        "server_cpu_ms_per_phone": 1.0,
        "server_cpu_us_per_request": 100.0,
    }
    return {
        "load_average": (1.5, 1.0, 1.0),
        "app": side,
        "bare": side,
        "key_burst_ms": {"p50": key_p50, "p95": key_p50, "max": key_p50},
        "key_quiet_ms": {"p50": 20.0},
        "cpu_ratio": ratio,
        "cpu_ratio_above_idle": ratio,
        "idle_cpu_cores": 0.01,
    }


def test_report_gives_the_median_and_range_and_judges_the_median() -> None:
    runs = {3000: [_run(400, 6.5, 90, 1.4), _run(900, 9.0, 150, 1.6), _run(450, 6.9, 95, 1.45)]}
    lines = report(runs, 5.0)
    saved = next(line for line in lines if line.startswith("app: 'Saved' p95 (ms)"))
    assert saved.split()[-2:] == ["450", "[400–900]"]
    verdict = next(line for line in lines if line.startswith("3000 phones: 'Saved'"))
    assert "p95 450 ms (target < 500: met)" in verdict
    assert "answered in 6.90 s (target < 7: met)" in verdict
    assert "key press p50 95 ms (target < 100: met)" in verdict
    assert any("1.45x the bare handler's (target <= 1.5: met)" in line for line in lines)
