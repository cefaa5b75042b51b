"""The JSON helpers the journal and the phone page share."""

from __future__ import annotations

import json

import pytest

from sessions._json import dumps, loads, loads_strict


@pytest.mark.parametrize(
    "value",
    [
        {"text": "Café — “quotes”, emoji 😀, Welsh ŵ, right-to-left עברית"},
        {"nested": [1, {"a": None, "b": True}], "n": -(2**63)},
        {},
    ],
)
def test_round_trips_and_matches_the_standard_library(value: object) -> None:
    data = dumps(value)
    assert loads(data) == value == json.loads(data)
    assert b"\n" not in data  # one journal line each


def test_non_ascii_is_written_as_utf8_not_escaped() -> None:
    assert dumps({"t": "é"}) == '{"t":"é"}'.encode()


def test_what_orjson_refuses_falls_back_to_escaped_ascii_and_reads_back() -> None:
    for value in ({"t": "a\ud800b"}, {"big": 2**70}):
        data = dumps(value)
        assert data.isascii()
        assert loads(data) == value


def test_integer_keys_are_written_as_the_standard_library_writes_them() -> None:
    assert loads(dumps({1: "a", "2": "b"})) == json.loads(json.dumps({1: "a", "2": "b"}))


def test_values_json_cannot_save_are_still_refused() -> None:
    import datetime

    with pytest.raises(TypeError):
        dumps({"when": datetime.datetime(2026, 11, 23)})
    with pytest.raises(TypeError):
        dumps({"thing": object()})


@pytest.mark.parametrize(
    "text",
    ['{"a": NaN}', '{"a": Infinity}', '{"a": "\\ud800"}', "[" * 2000 + "]" * 2000, "\ufeff{}", '{"a": 1,}', "{'a': 1}"],
)
def test_strict_loads_refuses_anything_but_plain_json(text: str) -> None:
    with pytest.raises(ValueError):
        loads_strict(text)


def test_strict_loads_reads_surrogate_pairs_and_keeps_the_last_duplicate_key() -> None:
    assert loads_strict('{"a": "\\ud83d\\ude00", "b": 1, "b": 2}') == {"a": "😀", "b": 2}
