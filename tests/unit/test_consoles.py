"""Pairing the facilitator's console: single-use codes, one claim, one-time links, sign-out, nothing kept."""

from __future__ import annotations

import json

import pytest

from sessions import (
    ROOM_CODE_ALPHABET,
    Change,
    ConsolePairing,
    PairingRefused,
    SessionStore,
    TemplateLibrary,
)
from sessions._consoles import CODE_LENGTH


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def changes() -> list[int]:
    return []


@pytest.fixture
def pairing(clock: Clock, changes: list[int]) -> ConsolePairing:
    return ConsolePairing(lambda: changes.append(1), clock=clock, code_lifetime=300, token_lifetime=3600, pending_per_address=3)


def test_a_code_from_the_room_code_alphabet_pairs_once_and_the_secret_claims_once(pairing: ConsolePairing) -> None:
    pending = pairing.start("192.0.2.1")
    assert len(pending.code) == CODE_LENGTH and set(pending.code) <= set(ROOM_CODE_ALPHABET)
    assert len(pending.secret) >= 32
    assert pairing.claim(pending.secret) is None  # not typed into the app yet
    assert not pairing.paired
    assert pairing.pair(f" {pending.code[:3].lower()}-{pending.code[3:]} ")  # typed loosely
    assert not pairing.pair(pending.code)  # single use
    token = pairing.claim(pending.secret)
    assert token and pairing.is_console(token)
    assert pairing.paired and pairing.count == 1
    assert pairing.claim(pending.secret) is None  # exchanged exactly once
    assert pairing.waiting(pending.secret) is None


def test_wrong_codes_and_forged_tokens_are_refused(pairing: ConsolePairing) -> None:
    pending = pairing.start("a")
    wrong = "".join(ROOM_CODE_ALPHABET[(ROOM_CODE_ALPHABET.index(c) + 1) % len(ROOM_CODE_ALPHABET)] for c in pending.code)
    for typed in (wrong, "", pending.code[:-1], pending.code + "A", "x" * 500):
        assert not pairing.pair(typed)
    assert pairing.claim("forged") is None and pairing.claim("") is None and pairing.claim(None) is None
    assert not pairing.is_console("forged") and not pairing.is_console(None) and not pairing.is_console("")
    assert not pairing.is_console(pending.secret)  # a pending secret is not a console token
    assert pairing.pair(pending.code)


def test_codes_expire_and_a_paired_browser_has_minutes_to_collect(pairing: ConsolePairing, clock: Clock) -> None:
    old = pairing.start("a")
    clock.now += 301
    assert not pairing.pair(old.code)
    assert pairing.waiting(old.secret) is None
    fresh = pairing.start("a")
    clock.now += 290
    assert pairing.pair(fresh.code)
    clock.now += 290  # the pairing renewed its few minutes
    assert pairing.claim(fresh.secret)
    late = pairing.start("a")
    assert pairing.pair(late.code)
    clock.now += 301
    assert pairing.claim(late.secret) is None


def test_a_refreshed_page_shows_the_same_code_again(pairing: ConsolePairing) -> None:
    pending = pairing.start("a")
    again = pairing.waiting(pending.secret)
    assert again is not None and again.code == pending.code and again.expires_at == pending.expires_at
    assert pairing.waiting("someone else's") is None and pairing.waiting(None) is None


def test_pending_codes_are_limited_per_address_and_overall(clock: Clock) -> None:
    pairing = ConsolePairing(lambda: None, clock=clock, code_lifetime=300, pending_per_address=2, pending_max=3)
    pairing.start("a")
    pairing.start("a")
    with pytest.raises(PairingRefused):
        pairing.start("a")
    pairing.start("b")  # another address has its own allowance
    with pytest.raises(PairingRefused):
        pairing.start("c")  # but the total is bounded too
    clock.now += 301
    pairing.start("a")  # expired codes no longer count


def test_tokens_expire(pairing: ConsolePairing, clock: Clock, changes: list[int]) -> None:
    pending = pairing.start("a")
    pairing.pair(pending.code)
    token = pairing.claim(pending.secret)
    clock.now += 3601
    before = len(changes)
    assert not pairing.is_console(token)
    assert not pairing.paired
    assert len(changes) == before + 1  # the app hears that no console is signed in now


def test_one_time_link_pairs_the_first_opening_only(pairing: ConsolePairing) -> None:
    link = pairing.one_time_link()
    assert not pairing.is_console(link)
    token = pairing.open_link(link)
    assert token and pairing.is_console(token) and token != link
    assert pairing.open_link(link) is None
    assert pairing.open_link("forged") is None and pairing.open_link(None) is None


def test_sign_out_all_ends_every_console_code_and_link(pairing: ConsolePairing) -> None:
    first = pairing.start("a")
    pairing.pair(first.code)
    token = pairing.claim(first.secret)
    waiting = pairing.start("a")
    typed = pairing.start("b")
    pairing.pair(typed.code)
    link = pairing.one_time_link()
    linked = pairing.open_link(pairing.one_time_link())
    pairing.sign_out_all()
    assert not pairing.paired
    assert not pairing.is_console(token) and not pairing.is_console(linked)
    assert not pairing.pair(waiting.code)
    assert pairing.claim(typed.secret) is None
    assert pairing.open_link(link) is None


def test_every_change_reaches_the_listener(pairing: ConsolePairing, changes: list[int]) -> None:
    pending = pairing.start("a")
    assert len(changes) == 1
    pairing.pair(pending.code)
    assert len(changes) == 2
    pairing.claim(pending.secret)
    assert len(changes) == 3
    pairing.open_link(pairing.one_time_link())
    assert len(changes) == 4
    pairing.sign_out_all()
    assert len(changes) == 5
    assert not pairing.pair("nothing") and len(changes) == 5  # a refusal changes nothing


def test_only_hashes_are_kept(pairing: ConsolePairing) -> None:
    pending = pairing.start("a")
    pairing.pair(pending.code)
    token = pairing.claim(pending.secret)
    link = pairing.one_time_link()
    second = pairing.start("a")
    kept = repr(vars(pairing))
    for secret in (pending.code, pending.secret, token, link, second.code, second.secret):
        assert secret not in kept


def test_live_session_consoles_emit_console_changes_and_stay_out_of_the_record(tmp_path) -> None:
    template = TemplateLibrary().find("where-are-we")
    live = SessionStore(tmp_path / "sessions").create(template, template.path.read_text(encoding="utf-8"), session_id="s1")
    try:
        heard: list[Change] = []
        live.add_listener(heard.append)
        pending = live.consoles.start("a")
        assert live.consoles.pair(pending.code)
        token = live.consoles.claim(pending.secret)
        assert token and live.consoles.paired
        assert heard and all(change == Change("console") for change in heard)
        record = json.dumps(live.snapshot()) + json.dumps(live.meta)
        assert token not in record and pending.secret not in record and "console" not in record
    finally:
        live.close()


def test_a_browser_can_see_it_is_ready_without_using_up_its_claim(pairing: ConsolePairing) -> None:
    pending = pairing.start("a")
    assert not pairing.is_ready(pending.secret)
    pairing.pair(pending.code)
    assert pairing.is_ready(pending.secret) and pairing.is_ready(pending.secret)
    assert not pairing.is_ready("forged") and not pairing.is_ready(None)
    assert pairing.claim(pending.secret)
    assert not pairing.is_ready(pending.secret)


def test_one_console_signs_itself_out(pairing: ConsolePairing, changes: list[int]) -> None:
    first = pairing.open_link(pairing.one_time_link())
    second = pairing.open_link(pairing.one_time_link())
    before = len(changes)
    pairing.sign_out(first)
    assert not pairing.is_console(first) and pairing.is_console(second)
    assert len(changes) == before + 1
    pairing.sign_out(first)
    pairing.sign_out(None)
    assert len(changes) == before + 1  # nothing more changed
