"""The durable TinyDB engine: query semantics, recovery, failure handling, locking."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from tinydb import Query
from tinydb.table import Document

import sessions._disk as disk
import sessions._disk_format as disk_format
import sessions._writer as writer
from sessions._storage import DurableDB, StorageError

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = "snapshot.json"
JOURNAL = "journal.log"


@pytest.fixture
def db(tmp_path: Path):
    database = DurableDB(tmp_path / "session")
    yield database
    database.close()


def reopen(database: DurableDB, **kwargs) -> DurableDB:
    database.close()
    return DurableDB(database.directory, **kwargs)


def crash_image(database: DurableDB, dest: Path) -> Path:
    """What a crash right now would leave behind: the files as fsync'd, without the lock.

    A crash freezes both files at one instant; copying them one after the other does not. If a
    compaction lands between the two copies (new snapshot, then the journal cut), the copy would
    pair the old snapshot with the cut journal, which no crash can leave. So copy again until the
    snapshot stayed the same throughout, as the store's own unlocked reader does.
    """
    database.sync(timeout=10)
    dest.mkdir(parents=True)
    for _ in range(100):
        before = _identity(database.directory / SNAPSHOT)
        for name in (SNAPSHOT, JOURNAL):
            (dest / name).unlink(missing_ok=True)
            if (database.directory / name).exists():
                shutil.copyfile(database.directory / name, dest / name)
        if _identity(database.directory / SNAPSHOT) == before:
            return dest
        time.sleep(0.01)
    raise AssertionError("the snapshot kept changing while the crash image was copied")


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def journal_lines(directory: Path) -> list[bytes]:
    path = directory / JOURNAL
    return path.read_bytes().splitlines(keepends=True) if path.exists() else []


def snapshot_seq(directory: Path) -> int:
    """The snapshot's change number; 0 before there is one."""
    path = directory / SNAPSHOT
    if not path.exists():
        return 0
    return json.loads(path.read_bytes().partition(b"\n")[0])["seq"]


def rows(database: DurableDB, table: str) -> list[tuple[int, dict]]:
    return [(doc.doc_id, dict(doc)) for doc in database.table(table).all()]


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def enospc(*_args: object) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# -- TinyDB semantics ---------------------------------------------------------------


def test_insert_query_and_reopen(db: DurableDB) -> None:
    votes = db.table("votes")
    first = votes.insert({"who": "ann", "value": 3})
    more = votes.insert_multiple([{"who": "bob", "value": 1}, {"who": "cy", "value": 2}])
    assert [first, *more] == [1, 2, 3]

    assert votes.get(doc_id=2) == {"who": "bob", "value": 1}
    assert votes.get(doc_id=2).doc_id == 2
    assert votes.get(doc_id=99) is None
    assert [doc.doc_id for doc in votes.get(doc_ids=[3, 1, 42])] == [3, 1]
    assert votes.get(Query().who == "cy").doc_id == 3
    assert sorted(doc["who"] for doc in votes.search(Query().value >= 2)) == ["ann", "cy"]
    assert votes.count(Query().value > 0) == 3
    assert votes.contains(doc_id=3) and not votes.contains(doc_id=4)
    assert len(votes) == 3
    assert db.db.tables() == {"votes"}

    before = rows(db, "votes")
    again = reopen(db)
    try:
        assert rows(again, "votes") == before
    finally:
        again.close()


def test_update_by_ids_condition_callable_and_all(db: DurableDB) -> None:
    table = db.table("people")
    table.insert_multiple({"name": name, "n": n, "tags": []} for n, name in enumerate(["a", "b", "c", "d"]))

    assert table.update({"role": "x"}, doc_ids=[1, 99]) == [1]
    assert sorted(table.update({"big": True}, Query().n >= 2)) == [3, 4]
    assert table.update(lambda doc: doc["tags"].append("seen"), doc_ids=[2]) == [2]
    assert sorted(table.update({"all": 1})) == [1, 2, 3, 4]
    assert table.update_multiple([({"first": True}, Query().n == 0), ({"last": True}, Query().n == 3)]) == [1, 4]

    expected = [
        (1, {"name": "a", "n": 0, "tags": [], "role": "x", "all": 1, "first": True}),
        (2, {"name": "b", "n": 1, "tags": ["seen"], "all": 1}),
        (3, {"name": "c", "n": 2, "tags": [], "big": True, "all": 1}),
        (4, {"name": "d", "n": 3, "tags": [], "big": True, "all": 1, "last": True}),
    ]
    assert rows(db, "people") == expected
    again = reopen(db)
    try:
        assert rows(again, "people") == expected
    finally:
        again.close()


def test_upsert_updates_or_inserts(db: DurableDB) -> None:
    table = db.table("meta")
    assert table.upsert({"key": "k", "v": 1}, Query().key == "k") == [1]
    assert table.upsert({"key": "k", "v": 2}, Query().key == "k") == [1]
    assert table.upsert(Document({"key": "j", "v": 3}, doc_id=7)) == [7]
    assert table.upsert(Document({"v": 4}, doc_id=7)) == [7]
    expected = [(1, {"key": "k", "v": 2}), (7, {"key": "j", "v": 4})]
    assert rows(db, "meta") == expected
    again = reopen(db)
    try:
        assert rows(again, "meta") == expected
        assert again.table("meta").insert({"key": "next"}) == 8
    finally:
        again.close()


def test_remove_and_truncate(db: DurableDB) -> None:
    table = db.table("votes")
    table.insert_multiple({"n": n} for n in range(6))
    assert table.remove(doc_ids=[2, 99]) == [2]
    assert table.remove(Query().n >= 4) == [5, 6]
    assert [doc["n"] for doc in table.all()] == [0, 2, 3]
    with pytest.raises(RuntimeError):
        table.remove()

    other = db.table("other")
    other.insert({"keep": True})
    table.truncate()
    assert table.all() == []
    assert table.insert({"n": "after"}) == 1

    again = reopen(db)
    try:
        assert rows(again, "votes") == [(1, {"n": "after"})]
        assert rows(again, "other") == [(1, {"keep": True})]
    finally:
        again.close()


def test_doc_ids_continue_after_reopen(db: DurableDB) -> None:
    table = db.table("votes")
    table.insert_multiple({"n": n} for n in range(5))
    table.remove(doc_ids=[2, 3])
    again = reopen(db)
    try:
        assert again.table("votes").insert({"n": 5}) == 6
        assert again.table("votes").insert_multiple([{"n": 6}, {"n": 7}]) == [7, 8]
    finally:
        again.close()


def test_reads_return_copies(db: DurableDB) -> None:
    table = db.table("notes")
    source = {"tags": ["a"], "meta": {"k": 1}}
    doc_id = table.insert(source)
    source["tags"].append("from-caller")
    source["meta"]["k"] = "from-caller"

    got = table.get(doc_id=doc_id)
    got["tags"].append("x")
    got["meta"]["k"] = 2
    got["extra"] = 1
    for doc in table.all():
        doc["tags"].append("y")
    for doc in table.get(doc_ids=[doc_id]):
        doc["tags"].append("y2")
    query = Query().tags.any(["a"])
    table.search(query)[0]["tags"].append("z")  # a second identical search must not see this
    assert table.search(query)[0] == {"tags": ["a"], "meta": {"k": 1}}
    table.get(query)["meta"]["k"] = 3

    assert table.get(doc_id=doc_id) == {"tags": ["a"], "meta": {"k": 1}}
    assert db.db.storage.read()["notes"]["1"] == {"tags": ["a"], "meta": {"k": 1}}
    again = reopen(db)
    try:
        assert rows(again, "notes") == [(1, {"tags": ["a"], "meta": {"k": 1}})]
    finally:
        again.close()


def test_failed_writes_change_nothing(db: DurableDB) -> None:
    table = db.table("votes")
    table.insert({"n": 1, "tags": ["a"]})
    db.sync()
    size = (db.directory / JOURNAL).stat().st_size

    with pytest.raises(ValueError):
        table.insert(Document({"n": 2}, doc_id=1))
    with pytest.raises(ValueError):
        table.insert_multiple([{"n": 3}, "not a mapping"])  # type: ignore[list-item]

    def half_done(doc: dict) -> None:
        doc["tags"].append("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        table.update(half_done, doc_ids=[1])
    with pytest.raises(TypeError):
        table.insert({"bad": object()})
    assert table.update({"n": 5}, doc_ids=[42]) == []
    with pytest.raises(TypeError):
        table.update({"n": object()}, doc_ids=[1])
    assert table.update({"n": 1}, doc_ids=[1]) == [1]  # already so: no journal line

    assert rows(db, "votes") == [(1, {"n": 1, "tags": ["a"]})]
    db.sync()
    assert (db.directory / JOURNAL).stat().st_size == size


def test_values_are_stored_as_json_would_return_them(db: DurableDB) -> None:
    table = db.table("t")
    table.insert({"pair": (1, 2), "keys": {3: "three"}})
    assert table.get(doc_id=1) == {"pair": [1, 2], "keys": {"3": "three"}}


def test_drop_table_is_saved(db: DurableDB) -> None:
    db.table("a").insert({"n": 1})
    db.table("b").insert({"n": 2})
    db.db.drop_table("a")
    assert db.db.tables() == {"b"}
    again = reopen(db)
    try:
        assert again.db.tables() == {"b"}
        again.db.drop_tables()
        assert again.db.tables() == set()
    finally:
        again.close()
    with DurableDB(db.directory, readonly=True) as view:
        assert view.db.tables() == set()


# -- cost of a write ------------------------------------------------------------------


def test_a_write_journals_only_the_changed_document(db: DurableDB) -> None:
    table = db.table("votes")
    table.insert_multiple({"n": n, "pad": "x" * 50} for n in range(2000))
    db.sync()
    size = (db.directory / JOURNAL).stat().st_size
    table.update({"n": -1}, doc_ids=[1500])
    table.insert({"n": 2000, "pad": ""})
    table.remove(doc_ids=[7])
    db.sync()
    lines = journal_lines(db.directory)[-3:]
    assert (db.directory / JOURNAL).stat().st_size - size == sum(map(len, lines))
    assert all(len(line) < 200 for line in lines), lines


def test_write_latency_at_ten_thousand_documents(tmp_path: Path) -> None:
    """Not a benchmark (see bench/): a generous bound on how long the event loop can stall."""
    with DurableDB(tmp_path / "big", compact_after=40) as database:
        table = database.table("votes")
        table.insert_multiple({"participant": f"p{n}", "item": "q", "value": n % 5} for n in range(10_000))
        database.sync()
        latencies = []
        for n in range(200):
            started = time.perf_counter()
            if n % 3 == 0:
                table.insert({"participant": f"new{n}", "item": "q", "value": 1})
            elif n % 3 == 1:
                table.update({"value": 4}, doc_ids=[n + 1])
            else:
                table.remove(doc_ids=[5000 + n])
            latencies.append(time.perf_counter() - started)
        database.sync()
        assert len(table) == 10_000 + 67 - 66
    latencies.sort()
    print(
        f"\n10k docs, 200 writes with compaction every 40: median {latencies[100] * 1000:.3f} ms, "
        f"p99 {latencies[197] * 1000:.3f} ms, max {latencies[-1] * 1000:.3f} ms"
    )
    assert latencies[-1] < 0.05


def test_group_commit_uses_one_fsync_per_batch(db: DurableDB, monkeypatch: pytest.MonkeyPatch) -> None:
    real = disk._fsync
    calls: list[int] = []

    def slow_fsync(fd: int) -> None:
        calls.append(fd)
        time.sleep(0.005)
        real(fd)

    monkeypatch.setattr(disk, "_fsync", slow_fsync)
    table = db.table("votes")
    for n in range(500):
        table.insert({"n": n})
    db.sync(timeout=10)
    assert len(table) == 500
    assert 1 <= len(calls) < 100


# -- durability signal ----------------------------------------------------------------


def test_barrier_waits_for_fsync(db: DurableDB, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real = disk._fsync

    def held_fsync(fd: int) -> None:
        release.wait(10)
        real(fd)

    monkeypatch.setattr(disk, "_fsync", held_fsync)
    db.table("votes").insert({"n": 1})
    future = db.barrier()
    time.sleep(0.1)
    assert not future.done()
    with pytest.raises(TimeoutError):
        db.sync(timeout=0.05)
    release.set()
    assert future.result(timeout=10) is None
    db.sync(timeout=10)
    assert db.barrier().done()  # nothing new: resolves at once


async def test_barrier_from_asyncio(tmp_path: Path) -> None:
    database = DurableDB(tmp_path / "s")
    try:
        database.table("votes").insert({"n": 1})
        await asyncio.wrap_future(database.barrier())
        assert len(journal_lines(database.directory)) == 1
        # A caller giving up on the wait must not upset the writer.
        database.table("votes").insert({"n": 2})
        try:
            await asyncio.wait_for(asyncio.wrap_future(database.barrier()), timeout=0)
        except TimeoutError:
            pass
        await asyncio.wrap_future(database.barrier())
        assert database.failure is None
        assert len(journal_lines(database.directory)) == 2
    finally:
        database.close()


# -- recovery -------------------------------------------------------------------------


def _five_votes(db: DurableDB) -> None:
    for n in range(5):
        db.table("votes").insert({"n": n})


def test_torn_last_line_is_dropped_and_cut_off(db: DurableDB, tmp_path: Path) -> None:
    _five_votes(db)
    image = crash_image(db, tmp_path / "image")
    with open(image / JOURNAL, "ab") as journal:
        journal.write(b'6 0badc0de {"t":"votes","put":{"6":{"n"')  # the write a crash interrupted

    with DurableDB(image, readonly=True) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == [0, 1, 2, 3, 4]

    recovered = DurableDB(image)
    assert [doc["n"] for doc in recovered.table("votes").all()] == [0, 1, 2, 3, 4]
    recovered.table("votes").insert({"n": 5})
    after = crash_image(recovered, tmp_path / "after")
    recovered.close()
    # The new line went after the last good one, not after the garbage.
    with DurableDB(after, readonly=True) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == [0, 1, 2, 3, 4, 5]
    assert not (image / "journal.log.damaged").exists()


def test_half_written_last_line_loses_only_that_change(db: DurableDB, tmp_path: Path) -> None:
    _five_votes(db)
    image = crash_image(db, tmp_path / "image")
    data = (image / JOURNAL).read_bytes()
    (image / JOURNAL).write_bytes(data[:-12])
    with DurableDB(image, readonly=True) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == [0, 1, 2, 3]


def test_bad_checksum_on_last_line_is_dropped_and_reported(db: DurableDB, tmp_path: Path) -> None:
    _five_votes(db)
    image = crash_image(db, tmp_path / "image")
    lines = journal_lines(image)
    lines[-1] = lines[-1].replace(b'"n":4', b'"n":9')
    (image / JOURNAL).write_bytes(b"".join(lines))
    with DurableDB(image, readonly=True) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == [0, 1, 2, 3]
        # A whole line with its newline was written and may have been confirmed: never called unconfirmed.
        assert view.damage is not None and view.damage.lines == 1
        assert "line 5" in view.damage.describe() and "votes record 5" in view.damage.describe()


def test_damage_before_good_lines_keeps_the_good_lines_and_the_evidence(db: DurableDB, tmp_path: Path) -> None:
    _five_votes(db)
    image = crash_image(db, tmp_path / "image")
    lines = journal_lines(image)
    lines[2] = lines[2].replace(b'"n":2', b'"n":7')
    damaged = b"".join(lines)
    (image / JOURNAL).write_bytes(damaged)
    with DurableDB(image, readonly=True) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == [0, 1, 3, 4]
        assert view.damage is not None
        message = view.damage.describe()
        assert "1 damaged line" in message and "line 3" in message and "1 change" in message
        assert "votes record 3" in message and "never confirmed" not in message
    assert (image / JOURNAL).read_bytes() == damaged  # a reader never changes a file
    with DurableDB(image) as recovered:
        assert [doc["n"] for doc in recovered.table("votes").all()] == [0, 1, 3, 4]
        assert recovered.damage is not None and "journal.log.damaged" in recovered.damage.describe()
        recovered.table("votes").insert({"n": 5})
    assert (image / "journal.log.damaged").read_bytes() == damaged
    # The damage was set aside, but every later open still says what was lost.
    for readonly in (True, False):
        with DurableDB(image, readonly=readonly) as again:
            assert [doc["n"] for doc in again.table("votes").all()] == [0, 1, 3, 4, 5]
            assert again.damage is not None and again.damage.lines == 1 and "line 3" in again.damage.describe()


def test_a_damaged_newline_costs_nothing(db: DurableDB, tmp_path: Path) -> None:
    _five_votes(db)
    image = crash_image(db, tmp_path / "image")
    data = bytearray((image / JOURNAL).read_bytes())
    second_newline = data.index(b"\n", data.index(b"\n") + 1)
    data[second_newline] ^= 0x40
    data[-1] ^= 0x01  # and the last line's newline
    (image / JOURNAL).write_bytes(bytes(data))
    with DurableDB(image) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == [0, 1, 2, 3, 4]
        assert view.damage is None  # nothing was lost
        view.table("votes").insert({"n": 5})
        after = crash_image(view, tmp_path / "after")
    with DurableDB(after, readonly=True) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("trial", range(100))
def test_one_flipped_byte_costs_at_most_its_own_line(tmp_path: Path, trial: int) -> None:
    """Flip one byte of a random journal line: every change in every other line is still there."""
    import random

    rng = random.Random(1800 + trial)
    directory = tmp_path / "s"
    with DurableDB(directory) as database:
        for n in range(rng.randrange(20, 80)):
            table = rng.choice(["votes", "comments", "tallies"])
            ids = [doc.doc_id for doc in database.table(table).all()]
            if ids and rng.random() < 0.4:
                doc_id = rng.choice(ids)
                database.table(table).update({"v": n}, doc_ids=[doc_id])
            elif ids and rng.random() < 0.1:
                doc_id = rng.choice(ids)
                database.table(table).remove(doc_ids=[doc_id])
            else:
                database.table(table).insert({"v": n, "text": "é" * rng.randrange(30)})
        image = crash_image(database, tmp_path / "image")
    lines = journal_lines(image)
    victim = rng.randrange(len(lines))
    line = bytearray(lines[victim])
    where = rng.randrange(len(line))
    line[where] ^= rng.randrange(1, 256)
    damaged = [*lines[:victim], bytes(line), *lines[victim + 1 :]]
    (image / JOURNAL).write_bytes(b"".join(damaged))

    # What every line but the damaged one says, replayed by hand.
    expected: dict[str, dict[str, dict]] = {}
    for number, raw in enumerate(lines):
        if number == victim:
            continue
        disk_format._apply(expected, json.loads(raw.split(b" ", 2)[2]))
    for readonly in (True, False):
        with DurableDB(image, readonly=readonly) as view:
            got = {name: {str(doc.doc_id): dict(doc) for doc in view.table(name).all()} for name in expected}
            assert got == {name: docs for name, docs in expected.items()}
            if where < len(line) - 1 and bytes(line).lower() != lines[victim].lower():
                # A damaged newline loses nothing, and a checksum's hex digit changing case reads
                # the same; any other damage is reported.
                assert view.damage is not None
                message = view.damage.describe()
                # A byte turned into a newline splits its line in two: "lines 13-14", one change.
                assert f"line {victim + 1}," in message or f"lines {victim + 1}-{victim + 2}," in message
                assert "1 change" in message or victim == len(lines) - 1
                assert "never confirmed" not in view.damage.describe()


def test_crash_between_snapshot_and_journal_truncation(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    with DurableDB(directory) as database:
        for n in range(10):
            database.table("votes").insert({"n": n})
        database.table("votes").update({"n": 100}, doc_ids=[1])
        database.table("votes").remove(doc_ids=[2])
        database.sync()
        stale = (directory / JOURNAL).read_bytes()
    assert snapshot_seq(directory) == 12
    assert (directory / JOURNAL).read_bytes() == b""
    # Put back the journal as it was before compaction emptied it: the truncation "never happened".
    (directory / JOURNAL).write_bytes(stale)

    expected = [(1, {"n": 100})] + [(n + 1, {"n": n}) for n in range(2, 10)]
    with DurableDB(directory) as database:
        assert rows(database, "votes") == expected
        database.table("votes").insert({"n": "new"})
        database.sync()
        assert journal_lines(directory)[-1].startswith(b"13 ")
        image = crash_image(database, tmp_path / "image")
    with DurableDB(image, readonly=True) as view:
        assert rows(view, "votes") == [*expected, (11, {"n": "new"})]


def _craft(directory: Path, seq: int, tables: dict, changes: list[dict], first_seq: int = 1) -> None:
    """Write the on-disk format by hand, as docs/storage.md describes it."""
    directory.mkdir(parents=True)
    body = json.dumps(tables).encode()
    header = json.dumps({"format": 1, "seq": seq, "size": len(body), "crc32": zlib.crc32(body)}).encode()
    (directory / SNAPSHOT).write_bytes(header + b"\n" + body)
    lines = []
    for number, change in enumerate(changes, start=first_seq):
        payload = json.dumps(change).encode()
        crc = zlib.crc32(b"%d %s" % (number, payload))
        lines.append(b"%d %08x %s\n" % (number, crc, payload))
    (directory / JOURNAL).write_bytes(b"".join(lines))


def test_journal_lines_the_snapshot_already_has_are_not_replayed(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    _craft(
        directory,
        seq=3,
        tables={"c": {"1": {"v": 30}}},
        changes=[
            {"t": "c", "put": {"1": {"v": 1}}},
            {"t": "c", "put": {"1": {"v": 2}}},
            {"t": "c", "put": {"2": {"v": 3}}},
            {"t": "c", "put": {"3": {"v": 4}}},
            {"t": "c", "del": ["1"]},
        ],
    )
    with DurableDB(directory, readonly=True) as view:
        assert rows(view, "c") == [(3, {"v": 4})]
    (directory / JOURNAL).write_bytes(b"".join(journal_lines(directory)[:4]))
    with DurableDB(directory, readonly=True) as view:
        assert rows(view, "c") == [(1, {"v": 30}), (3, {"v": 4})]


def test_a_damaged_line_the_snapshot_already_has_is_said_to_cost_nothing(tmp_path: Path) -> None:
    """A leftover from a crash before the journal was cut, then damaged: the snapshot has its change, so nothing is lost."""
    for victim in (1, 2):  # one followed by another leftover line; one followed by the first new change
        directory = tmp_path / f"s{victim}"
        changes = [{"t": "c", "put": {str(n): {"v": n}}} for n in range(1, 6)]
        _craft(directory, seq=3, tables={"c": {str(n): {"v": n} for n in range(1, 4)}}, changes=changes)
        lines = journal_lines(directory)
        line = bytearray(lines[victim])
        line[-4] ^= 0x01  # inside the payload: the checksum no longer matches
        lines[victim] = bytes(line)
        (directory / JOURNAL).write_bytes(b"".join(lines))
        with DurableDB(directory, readonly=True) as view:
            assert rows(view, "c") == [(n, {"v": n}) for n in range(1, 6)]
            assert view.damage is not None and view.damage.nothing_lost
            message = view.damage.describe()
            assert "nothing was lost" in message and f"line {victim + 1}" in message
            assert "0 changes" not in message and "could not be read back" not in message
            assert view.damage.in_short() == "1 damaged line left over from before the last save; nothing was lost."


def test_a_gap_in_sequence_keeps_later_lines_and_is_reported(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    _craft(directory, seq=0, tables={}, changes=[{"t": "c", "put": {"1": {"v": 1}}}])
    with open(directory / JOURNAL, "ab") as journal:
        payload = b'{"t":"c","put":{"2":{"v":2}}}'
        journal.write(b"3 %08x %s\n" % (zlib.crc32(b"3 " + payload), payload))
    with DurableDB(directory, readonly=True) as view:
        assert rows(view, "c") == [(1, {"v": 1}), (2, {"v": 2})]
        assert view.damage is not None and "1 change missing before line 2" in view.damage.describe()


def test_an_unfinished_last_write_is_not_reported_as_damage(db: DurableDB, tmp_path: Path) -> None:
    _five_votes(db)
    image = crash_image(db, tmp_path / "image")
    with open(image / JOURNAL, "ab") as journal:
        journal.write(b'6 0badc0de {"t":"votes","put":{"6":{"n"')
    with DurableDB(image, readonly=True) as view:
        assert view.damage is None


def test_damaged_snapshot_refuses_to_open(db: DurableDB) -> None:
    db.table("votes").insert({"n": 1})
    db.close()
    path = db.directory / SNAPSHOT
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 0x01
    path.write_bytes(bytes(raw))
    for _ in range(2):  # the failed open must not leave the lock behind
        with pytest.raises(StorageError, match="damaged"):
            DurableDB(db.directory)
    with pytest.raises(StorageError, match="damaged"):
        DurableDB(db.directory, readonly=True)


def test_every_bit_flip_in_the_snapshot_header_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    with DurableDB(directory, compact_after=1) as database:
        for n in range(40):
            database.table("votes").insert({"n": n})
    path = directory / SNAPSHOT
    good = path.read_bytes()
    header_end = good.index(b"\n") + 1  # the newline that ends the header is part of it
    assert json.loads(good[: header_end - 1])["format"] == 2
    flips = 0
    for byte in range(header_end):
        for bit in range(8):
            raw = bytearray(good)
            raw[byte] ^= 1 << bit
            path.write_bytes(bytes(raw))
            for readonly in (True, False):
                with pytest.raises(StorageError, match="damaged"):
                    DurableDB(directory, readonly=readonly).close()
            flips += 1
    assert flips == header_end * 8 > 300
    path.write_bytes(good)
    with DurableDB(directory, readonly=True) as view:
        assert len(view.table("votes")) == 40


def test_a_snapshot_written_before_format_2_still_opens(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    changes = [{"t": "c", "put": {"1": {"v": 0}}}, {"t": "c", "put": {"2": {"v": 2}}}, {"t": "c", "put": {"3": {"v": 3}}}]
    _craft(directory, seq=2, tables={"c": {"1": {"v": 1}}}, changes=changes)
    with DurableDB(directory, readonly=True) as view:
        assert rows(view, "c") == [(1, {"v": 1}), (3, {"v": 3})]
    with DurableDB(directory) as database:
        database.table("c").insert({"v": 4})
    assert json.loads((directory / SNAPSHOT).read_bytes().partition(b"\n")[0])["format"] == 2
    with DurableDB(directory, readonly=True) as view:
        assert rows(view, "c") == [(1, {"v": 1}), (3, {"v": 3}), (4, {"v": 4})]


def test_stray_temp_files_are_removed_at_open(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    with DurableDB(directory) as database:
        database.table("t").insert({"n": 1})
    stray = directory / "snapshot.json.tmp-0a1b2c3d"
    stray.write_bytes(b'{"format":1,"seq":99')
    unrelated = directory / "notes.txt"
    unrelated.write_text("keep me")

    with DurableDB(directory, readonly=True) as view:
        assert rows(view, "t") == [(1, {"n": 1})]
    assert stray.exists()  # readers never change anything

    with DurableDB(directory) as database:
        assert not stray.exists()
        assert unrelated.exists()
        assert rows(database, "t") == [(1, {"n": 1})]


# -- compaction -----------------------------------------------------------------------


def test_compaction_writes_snapshot_and_empties_journal(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    with DurableDB(directory, compact_after=10) as database:
        for n in range(25):
            database.table("votes").insert({"n": n})
            database.sync()
        # A snapshot is written in the background and the journal cut to what came after it.
        # How short it ends up depends on when the compactions ran: one that began late (a loaded
        # machine) leaves a tail of 10 or more, and the next waits for a write or for close.
        assert wait_for(lambda: snapshot_seq(directory) > 0 and len(journal_lines(directory)) < 25, timeout=30)
    assert snapshot_seq(directory) == 25
    assert journal_lines(directory) == []
    assert [p.name for p in directory.iterdir() if p.name.startswith("snapshot.json.tmp")] == []
    with DurableDB(directory) as database:
        assert [doc["n"] for doc in database.table("votes").all()] == list(range(25))
        database.table("votes").insert({"n": 25})
        database.sync()
        assert journal_lines(directory)[0].startswith(b"26 ")


def test_any_text_survives_the_journal_and_the_snapshot(tmp_path: Path) -> None:
    """UTF-8 lines, and the escaped-ASCII lines written for what orjson refuses, read back alike."""
    directory = tmp_path / "s"
    texts = ["Café — “quotes” 😀 עברית", "line\nbreak\u2028separator", "lone \ud800 surrogate", "x" * 5000]
    with DurableDB(directory) as database:
        for text in texts:
            database.table("comments").insert({"text": text, "big": 2**70 if "lone" in text else 1})
        database.sync()
        lines = journal_lines(directory)
        assert len(lines) == len(texts)
        assert [line.isascii() and b"\\ud800" in line for line in lines] == [False, False, True, False]  # escaped
        assert "😀".encode() in lines[0]  # the rest are UTF-8, not escaped
        crash_image(database, tmp_path / "crashed")
    with DurableDB(tmp_path / "crashed") as database:  # from the journal alone
        assert [doc["text"] for doc in database.table("comments").all()] == texts
    assert journal_lines(directory) == [] and snapshot_seq(directory) == len(texts)
    with DurableDB(directory) as database:  # from the snapshot written on closing
        assert [doc["text"] for doc in database.table("comments").all()] == texts
        assert [doc["big"] for doc in database.table("comments").all()] == [1, 1, 2**70, 1]


def test_a_burst_then_one_barrier_costs_one_fsync(db: DurableDB, monkeypatch: pytest.MonkeyPatch) -> None:
    """The changes of one event-loop turn share a write: the writer waits for the turn's barrier."""
    db.table("votes").insert({"n": -1})
    db.sync()
    fsyncs: list[int] = []
    real = disk._fsync
    monkeypatch.setattr(disk, "_fsync", lambda fd: (fsyncs.append(fd), real(fd)))
    # The writer's own short wait would also end the batch; on a loaded machine 50 inserts can
    # outlast it. Lengthen it so this test sees only the barrier's effect, not the clock's.
    monkeypatch.setattr(writer, "BATCH_SECONDS", 60.0)
    for n in range(50):
        db.table("votes").insert({"n": n})
        time.sleep(0)  # the loop lets go of the GIL between requests (socket calls), as here
    db.barrier().result(timeout=5)
    assert len(fsyncs) == 1
    assert len(journal_lines(db.directory)) == 51


def test_a_change_nobody_waits_for_is_still_written_soon(db: DurableDB) -> None:
    db.table("votes").insert({"n": 1})
    assert wait_for(lambda: len(journal_lines(db.directory)) == 1, timeout=2.0)


class HeldSnapshots(NamedTuple):
    started: threading.Event  # a snapshot is under way
    release: threading.Event  # set it to let snapshots finish


def hold_snapshots(monkeypatch: pytest.MonkeyPatch) -> HeldSnapshots:
    held = HeldSnapshots(threading.Event(), threading.Event())
    real = writer._write_snapshot

    def write_when_released(*args):
        held.started.set()
        assert held.release.wait(10)
        return real(*args)

    monkeypatch.setattr(writer, "_write_snapshot", write_when_released)
    return held


def six_votes_then_a_snapshot(directory: Path, held: HeldSnapshots) -> DurableDB:
    database = DurableDB(directory, compact_after=5)
    for n in range(6):
        database.table("votes").insert({"n": n})
    database.sync()
    assert held.started.wait(10)
    return database


def test_changes_are_confirmed_while_a_snapshot_is_being_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big session's snapshot takes a while; votes keep being confirmed meanwhile, and none is lost."""
    directory = tmp_path / "s"
    held = hold_snapshots(monkeypatch)
    database = six_votes_then_a_snapshot(directory, held)
    votes = database.table("votes")
    for n in range(6, 10):  # while the snapshot is stuck, these are still confirmed
        votes.insert({"n": n})
        database.barrier().result(timeout=5)
    during = crash_image(database, tmp_path / "during")
    held.release.set()
    assert wait_for(lambda: snapshot_seq(directory) == 6 and len(journal_lines(directory)) == 4)
    assert [line.split(b" ")[0] for line in journal_lines(directory)] == [b"7", b"8", b"9", b"10"]
    after = crash_image(database, tmp_path / "after")
    votes.insert({"n": 10})
    database.close()
    for image, count in ((during, 10), (after, 10), (directory, 11)):
        with DurableDB(image, readonly=True) as view:
            assert [doc["n"] for doc in view.table("votes").all()] == list(range(count))
    assert [p.name for p in directory.iterdir() if ".tmp-" in p.name] == []


def test_a_journal_that_cannot_be_shortened_keeps_every_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "s"
    held = hold_snapshots(monkeypatch)
    real_replace = disk._replace

    def refuse_journal(source, target):
        if Path(target).name == disk_format.JOURNAL:
            enospc()
        return real_replace(source, target)

    monkeypatch.setattr(disk, "_replace", refuse_journal)
    database = six_votes_then_a_snapshot(directory, held)
    votes = database.table("votes")
    votes.insert({"n": 6})
    database.sync()
    held.release.set()
    assert wait_for(lambda: snapshot_seq(directory) == 6)
    votes.insert({"n": 7})  # still appended to the old journal, which still has everything
    database.sync()
    assert database.failure is None
    assert len(journal_lines(directory)) == 8
    image = crash_image(database, tmp_path / "image")
    with DurableDB(image, readonly=True) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == list(range(8))
    monkeypatch.undo()
    database.close()
    with DurableDB(directory, readonly=True) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == list(range(8))


def test_compaction_failure_keeps_every_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "s"
    attempts: list[object] = []

    def full_disk_replace(*args: object) -> None:
        attempts.append(args)
        enospc()

    monkeypatch.setattr(disk, "_replace", full_disk_replace)
    database = DurableDB(directory, compact_after=5)
    for n in range(12):
        database.table("votes").insert({"n": n})
    database.sync()
    temp_files = lambda: [p.name for p in directory.iterdir() if p.name.startswith("snapshot.json.tmp")]  # noqa: E731
    assert wait_for(lambda: bool(attempts) and not temp_files())  # tried, failed, cleaned up
    image = crash_image(database, tmp_path / "image")
    assert database.failure is None  # the journal has it all; compaction just waits
    assert not (directory / SNAPSHOT).exists()
    with DurableDB(image, readonly=True) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == list(range(12))

    monkeypatch.undo()
    database.close()  # compacts now that renaming works
    assert snapshot_seq(directory) == 12
    assert journal_lines(directory) == []
    with DurableDB(directory, readonly=True) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == list(range(12))


# -- a full disk ----------------------------------------------------------------------


def test_full_disk_on_fsync(db: DurableDB, monkeypatch: pytest.MonkeyPatch) -> None:
    votes = db.table("votes")
    votes.insert({"n": "before"})
    db.sync()
    monkeypatch.setattr(writer, "RETRY_SECONDS", 3600.0)  # only our own calls retry, so the checks below hold
    monkeypatch.setattr(disk, "_fsync", enospc)

    votes.insert({"n": "during"})
    with pytest.raises(StorageError) as info:
        db.barrier().result(timeout=10)
    message = str(info.value)
    assert message.startswith("Could not save to disk: no space left on device")
    assert str(db.directory) in message
    assert isinstance(db.failure, StorageError)
    with pytest.raises(StorageError):
        db.sync(timeout=10)  # still failing: no acknowledgement
    with DurableDB(db.directory, readonly=True) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == ["before"]
    with pytest.raises(StorageError):
        db.close()  # refuses to drop unsaved changes, and stays open
    assert votes.insert({"n": "still open"}) == 3

    monkeypatch.undo()
    db.sync(timeout=10)
    assert db.failure is None
    with DurableDB(db.directory, readonly=True) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == ["before", "during", "still open"]


def test_full_disk_mid_write_leaves_no_torn_line(db: DurableDB, monkeypatch: pytest.MonkeyPatch) -> None:
    votes = db.table("votes")
    votes.insert({"n": "before"})
    db.sync()
    size = (db.directory / JOURNAL).stat().st_size
    real_write = disk._write

    def half_write(fd: int, data: memoryview) -> int:
        real_write(fd, data[: max(1, len(data) // 2)])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writer, "RETRY_SECONDS", 3600.0)
    monkeypatch.setattr(disk, "_write", half_write)
    votes.insert({"n": "during", "pad": "x" * 100})
    with pytest.raises(StorageError, match="no space left on device"):
        db.sync(timeout=10)
    assert (db.directory / JOURNAL).stat().st_size == size

    monkeypatch.undo()
    votes.insert({"n": "after"})
    db.sync(timeout=10)
    assert db.failure is None
    with DurableDB(db.directory, readonly=True) as view:
        assert [doc["n"] for doc in view.table("votes").all()] == ["before", "during", "after"]
    assert not (db.directory / "journal.log.damaged").exists()


def test_giving_up_closes_and_says_how_many_changes_were_lost(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "s"
    database = DurableDB(directory)
    database.table("votes").insert({"n": 0})
    database.sync()
    monkeypatch.setattr(disk, "_write", enospc)
    database.table("votes").insert({"n": 1})
    database.table("votes").insert({"n": 2})
    with pytest.raises(StorageError):
        database.sync(timeout=5)
    assert database.unsaved == 2
    with pytest.raises(StorageError, match="no space"):
        database.close()  # refuses: the session stays open
    assert database.unsaved == 2
    with pytest.raises(StorageError, match="2 changes were not saved: .*no space left on device"):
        database.close(give_up=True)
    database.close()  # closed for good now; a second close is quiet
    monkeypatch.setattr(disk, "_write", os.write)
    with DurableDB(directory) as again:  # the lock was released
        assert [doc["n"] for doc in again.table("votes").all()] == [0]


def test_writer_retries_on_its_own_once_space_is_freed(db: DurableDB, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disk, "_fsync", enospc)
    db.table("votes").insert({"n": 1})
    with pytest.raises(StorageError):
        db.sync(timeout=10)
    monkeypatch.undo()
    assert wait_for(lambda: db.failure is None, timeout=writer.RETRY_SECONDS * 5)
    with DurableDB(db.directory, readonly=True) as view:
        assert len(view.table("votes")) == 1


# -- opening, closing, locking, read-only ----------------------------------------------


def test_open_creates_missing_directories(tmp_path: Path) -> None:
    directory = tmp_path / "a" / "b" / "c"
    with DurableDB(str(directory)) as database:
        assert database.directory == directory
        assert directory.is_dir()
        database.table("t").insert({"n": 1})
    with DurableDB(directory, readonly=True) as view:
        assert len(view.table("t")) == 1


def test_close_is_idempotent_and_final(tmp_path: Path) -> None:
    with DurableDB(tmp_path / "s") as database:
        database.table("t").insert({"n": 1})
    database.close()
    database.close()
    with pytest.raises(StorageError, match="closed"):
        database.table("t").insert({"n": 2})
    assert database.barrier().result(timeout=1) is None
    database.sync()
    assert database.table("t").all() == [{"n": 1}]
    assert snapshot_seq(database.directory) == 1
    assert journal_lines(database.directory) == []


def test_second_writer_in_same_process_is_refused(db: DurableDB) -> None:
    with pytest.raises(StorageError, match="already open in another Involve window"):
        DurableDB(db.directory)
    db.close()
    DurableDB(db.directory).close()  # the lock goes with close()


def test_second_writer_in_another_process_is_refused(db: DurableDB) -> None:
    code = (
        "import sys\n"
        "from sessions._storage import DurableDB, StorageError\n"
        "try:\n"
        "    DurableDB(sys.argv[1])\n"
        "except StorageError as exc:\n"
        "    print(exc)\n"
        "    sys.exit(3)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code, str(db.directory)], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 3, result.stderr
    assert "already open in another Involve window" in result.stdout


def test_readonly_open(db: DurableDB, tmp_path: Path) -> None:
    db.table("votes").insert({"n": 1})
    db.sync()
    with DurableDB(db.directory, readonly=True) as view:  # alongside the writer, no lock needed
        assert view.readonly
        votes = view.table("votes")
        assert votes.all() == [{"n": 1}]
        for attempt in (
            lambda: votes.insert({"n": 2}),
            lambda: votes.update({"n": 2}, doc_ids=[1]),
            lambda: votes.remove(doc_ids=[1]),
            lambda: votes.truncate(),
            lambda: view.db.drop_table("votes"),
        ):
            with pytest.raises(StorageError, match="read-only"):
                attempt()
        assert votes.all() == [{"n": 1}]
        assert view.failure is None
        view.sync()
        assert view.barrier().done()

    missing = tmp_path / "missing"
    with pytest.raises(StorageError):
        DurableDB(missing, readonly=True)
    assert not missing.exists()


def test_readers_see_a_consistent_state_while_the_writer_compacts(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    database = DurableDB(directory, compact_after=3)
    counter = database.table("counter")
    counter.insert({"count": 0})
    database.sync()
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            database.table("items").insert({"n": n})
            counter.update({"count": n}, doc_ids=[1])
            database.sync()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for _ in range(150):
            with DurableDB(directory, readonly=True) as view:
                items = len(view.table("items"))
                count = view.table("counter").get(doc_id=1)["count"]
                assert items - count in (0, 1)
    finally:
        stop.set()
        writer.join()
        database.close()


def test_a_broken_writer_fails_loudly_instead_of_hanging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "s"
    database = DurableDB(directory)
    database.table("t").insert({"n": 1})
    database.sync()

    def bug(*_args: object) -> int:
        raise RuntimeError("a bug, not a disk error")

    monkeypatch.setattr(disk, "_write", bug)
    database.table("t").insert({"n": 2})
    with pytest.raises(StorageError, match="Could not save to disk"):
        database.sync(timeout=10)
    with pytest.raises(StorageError):
        database.table("t").insert({"n": 3})
    with pytest.raises(StorageError):
        database.close()
    monkeypatch.undo()
    with DurableDB(directory) as again:  # the lock was released
        assert [doc["n"] for doc in again.table("t").all()] == [1]
