"""The toast ledger: one toast per message on screen, never more than three at once."""

from __future__ import annotations

from tui._toasts import MOST_SHOWING, Toast, ToastLedger

LAST = Toast("This is the last activity.", "", "information", 5.0)


def toast(message: str, severity: str = "information", timeout: float = 5.0) -> Toast:
    return Toast(message, "", severity, timeout)


def test_a_toast_already_showing_is_not_shown_again() -> None:
    ledger = ToastLedger()
    assert ledger.admit(LAST, now=0.0).show == (LAST,)
    for now in (0.1, 1.0, 4.9):
        admission = ledger.admit(LAST, now=now)
        assert admission.show == () and not admission.clear_first


def test_the_same_toast_shows_again_once_the_first_has_gone() -> None:
    ledger = ToastLedger()
    ledger.admit(LAST, now=0.0)
    assert ledger.admit(LAST, now=5.0).show == (LAST,)


def test_the_same_words_at_another_severity_are_another_toast() -> None:
    ledger = ToastLedger()
    ledger.admit(LAST, now=0.0)
    warning = toast(LAST.message, "warning")
    assert ledger.admit(warning, now=0.1).show == (warning,)


def test_a_fourth_toast_clears_the_screen_and_brings_back_the_problems_with_the_time_they_had_left() -> None:
    ledger = ToastLedger()
    error = toast("Saving failed", "error", timeout=15.0)
    first, second = toast("one"), toast("two")
    for n, shown in enumerate((error, first, second)):
        assert ledger.admit(shown, now=float(n)).show == (shown,)
    new = toast("three")
    admission = ledger.admit(new, now=3.0)
    assert admission.clear_first
    assert admission.show == (Toast("Saving failed", "", "error", 12.0), new)
    assert len(admission.show) <= MOST_SHOWING


def test_many_problems_keep_only_the_newest_that_fit() -> None:
    ledger = ToastLedger()
    for n in range(MOST_SHOWING):
        ledger.admit(toast(f"problem {n}", "error", timeout=60.0), now=0.0)
    admission = ledger.admit(toast("new"), now=1.0)
    assert [shown.message for shown in admission.show] == [f"problem {n}" for n in range(1, MOST_SHOWING)] + ["new"]


def test_expired_toasts_leave_room() -> None:
    ledger = ToastLedger()
    for n in range(MOST_SHOWING):
        ledger.admit(toast(f"t{n}", timeout=1.0), now=0.0)
    admission = ledger.admit(toast("later"), now=2.0)
    assert not admission.clear_first and admission.show == (toast("later"),)


def test_clearing_forgets_every_toast() -> None:
    ledger = ToastLedger()
    ledger.admit(LAST, now=0.0)
    ledger.clear()
    assert ledger.admit(LAST, now=0.1).show == (LAST,)
