"""Durable storage for TinyDB: one database per workshop session.

TinyDB stays the store of record and the query API. Underneath it, each
session directory holds:

* ``snapshot.json`` - the whole database as of one sequence number, only ever
  replaced atomically (temp file, fsync, rename, fsync of the directory);
* ``journal.log`` - one checksummed line per change made after that snapshot,
  appended by a single writer thread with one fsync per batch (group commit);
* ``lock`` - held with ``flock`` while a window has the session open.

The calling thread (the app's event loop) only changes memory and queues a
journal line, so a write costs the same with ten documents or ten thousand.
This module is TinyDB's side: the storage and table that keep state in memory,
and `DurableDB`. What the files hold is `_disk_format`; reading them back,
`_recovery`; writing them, `_writer`; the file operations, `_disk`.
docs/storage.md explains the design and the reasons for it.
"""

from __future__ import annotations

import atexit
import errno
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.queries import QueryLike
from tinydb.storages import Storage
from tinydb.table import Document, Table

from ._disk import _O_BINARY, StorageError, _fsync_directory, _reason
from ._disk_format import LOCK, Tables, _apply, _journal_line
from ._journal_damage import JournalDamage
from ._json import dumps, loads
from ._recovery import _damage_of, _open_journal, _recover, _recover_while_shared, _remove_temp_files, _set_damage_aside
from ._writer import _Record, _resolve, _Writer

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

__all__ = ["DurableDB", "JournalDamage", "StorageError"]

log = logging.getLogger(__name__)


def _deep(value: Any) -> Any:
    """Copy JSON data; stored documents must never share lists or dicts with callers."""
    if isinstance(value, dict):
        return {key: _deep(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_deep(item) for item in value]
    return value


def _detached(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """What to hand to `Document()`: it copies the top level itself, so only nesting needs a copy."""
    for item in doc.values():
        if isinstance(item, (dict, list)):
            return _deep(doc)
    return doc


def _lock_directory(directory: Path) -> int:
    """One writer per session: a second window (or process) gets a clear refusal."""
    if not directory.is_dir():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        _fsync_directory(directory.parent)
    fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT | _O_BINARY, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
            raise StorageError(
                f"The session at {directory} is already open in another Involve window; close it there first."
            ) from None
        raise
    return fd


# -- TinyDB integration --------------------------------------------------------------------


class JournalStorage(Storage):
    """A TinyDB storage whose state lives in memory and reaches disk through the journal.

    `DurableDB` creates it; on its own, with TinyDB's stock `Table`, every write
    would become a whole-database journal entry (correct, but slow).
    """

    def __init__(self, directory: Path, *, readonly: bool = False, compact_after: int = 5000) -> None:
        self.directory = directory
        self.readonly = readonly
        self.lock = threading.RLock()
        self._closed = False
        self._lock_fd: int | None = None
        self._writer: _Writer | None = None
        self.damage: JournalDamage | None = None
        """What the journal lost to damage (on this open or an earlier one), or None."""
        try:
            if readonly:
                if not directory.is_dir():
                    raise StorageError(f"There is no saved session at {directory}.")
                recovered = _recover_while_shared(directory)
                self.damage = _damage_of(directory, recovered)
            else:
                self._lock_fd = _lock_directory(directory)
                _remove_temp_files(directory)
                recovered = _recover(directory)
                self.damage = _damage_of(directory, recovered)
                if recovered.damaged and self.damage is not None:
                    try:
                        self.damage = _set_damage_aside(directory, recovered, self.damage)
                    except OSError as exc:  # the journal still reads the same way next time
                        log.warning("Could not set the damaged journal of %s aside: %s", directory, _reason(exc))
                journal_fd = _open_journal(directory, recovered)
                self._writer = _Writer(directory, journal_fd, recovered, self._capture, compact_after)
        except OSError as exc:
            self._release_lock()
            raise StorageError(f"Could not open the session at {directory}: {_reason(exc)}") from exc
        except BaseException:
            self._release_lock()
            raise
        self.tables: Tables = recovered.tables
        self.seq = recovered.seq
        if self.damage is not None:
            log.warning("%s", self.damage.describe())
        if self._writer is not None:
            self._writer.start()
            atexit.register(self._close_at_exit)

    # The Storage interface: whole-database reads and writes, used by TinyDB's
    # tables() and drop_table(s) (our JournalTable has a cheaper path).

    def read(self) -> Tables:
        with self.lock:
            return {name: {key: _deep(doc) for key, doc in docs.items()} for name, docs in self.tables.items()}

    def write(self, data: Mapping[str, Mapping[Any, Any]]) -> None:
        self.commit({"all": {str(name): {str(key): doc for key, doc in docs.items()} for name, docs in data.items()}})

    def close(self, *, give_up: bool = False) -> None:
        """Wait until everything is durable, compact, stop the writer and release the lock.

        If the last changes cannot be saved, raise StorageError and stay open, so the
        caller can free space and close again rather than lose them. With `give_up`
        (a person chose to lose them) it makes one last attempt, closes all the same,
        and then raises StorageError saying how many changes were not saved.
        """
        if self._closed:
            return
        if self._writer is None:
            self._closed = True
            return
        if self._writer.dead is None and not give_up:
            self.barrier().result()
        with self.lock:
            self._closed = True
        error = self._writer.stop()
        self._release_lock()
        atexit.unregister(self._close_at_exit)
        if error is not None:
            lost = self.seq - self._writer.durable_seq
            if give_up and lost > 0:
                gone = StorageError(f"{lost} change{'s were' if lost != 1 else ' was'} not saved: {error}")
                gone.__cause__ = error.__cause__
                raise gone
            raise error

    @property
    def unsaved(self) -> int:
        """How many changes are in memory but not yet on disk."""
        writer = self._writer
        return 0 if writer is None else max(0, self.seq - writer.durable_seq)

    # Durability.

    @property
    def failure(self) -> StorageError | None:
        return self._writer.failure if self._writer is not None else None

    def barrier(self) -> Future[None]:
        future: Future[None] = Future()
        with self.lock:
            writer = self._writer
            if writer is None or self._closed or writer.durable_seq >= self.seq:
                _resolve(future, writer.dead if writer is not None else None)
            else:
                writer.submit(future)
        return future

    # The write path, used by JournalTable.

    def check_writable(self) -> None:
        if self.readonly:
            raise StorageError(f"The session at {self.directory} was opened read-only.")
        if self._closed:
            raise StorageError(f"The session at {self.directory} is closed.")
        assert self._writer is not None
        if self._writer.dead is not None:
            raise self._writer.dead

    def commit(self, change: dict[str, Any]) -> None:
        """Apply one change set to memory and queue its journal line; never touches the disk.

        The change goes through JSON before it reaches memory, so memory always
        equals what recovery would rebuild, and unsavable values fail here, not later.
        """
        with self.lock:
            self.check_writable()
            assert self._writer is not None
            payload = dumps(change)
            applied = loads(payload)
            seq = self.seq + 1
            line = _journal_line(seq, payload)
            _apply(self.tables, applied)
            self.seq = seq
            self._writer.submit(_Record(seq, line))

    def _capture(self) -> tuple[int, Tables]:
        """A consistent view for a snapshot. Stored documents are never changed in place
        (writes replace them), so copying the table dicts is enough."""
        with self.lock:
            return self.seq, {name: dict(docs) for name, docs in self.tables.items()}

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _close_at_exit(self) -> None:
        """The interpreter is ending with the session open: save what can be, and log (never print) what cannot."""
        try:
            self.close(give_up=True)
        except Exception as error:  # noqa: BLE001 - the log is the only place left to say it
            log.error("Could not save %s before exiting: %s", self.directory, error)


_GONE: Any = object()


class _StagedTable(MutableMapping[int, dict[str, Any]]):
    """The table as TinyDB's updaters expect it (int ids), recording only what they touch.

    Reading a document hands out a copy and stages it, so in-place edits by
    `update()` are caught, and nothing reaches the stored state unless the whole
    updater succeeds.
    """

    def __init__(self, live: dict[str, Any]) -> None:
        self._live = live
        self._staged: dict[int, Any] = {}
        self._cleared = False

    def __getitem__(self, doc_id: int) -> dict[str, Any]:
        doc = self._staged.get(doc_id, _GONE)
        if doc is _GONE:
            if doc_id in self._staged or self._cleared:
                raise KeyError(doc_id)
            doc = self._staged[doc_id] = _deep(self._live[str(doc_id)])
        return doc

    def __setitem__(self, doc_id: int, doc: dict[str, Any]) -> None:
        self._staged[doc_id] = doc

    def __delitem__(self, doc_id: int) -> None:
        if doc_id not in self:
            raise KeyError(doc_id)
        self._staged[doc_id] = _GONE

    def __contains__(self, doc_id: object) -> bool:
        if doc_id in self._staged:
            return self._staged[doc_id] is not _GONE
        return not self._cleared and str(doc_id) in self._live

    def __iter__(self) -> Iterator[int]:
        if not self._cleared:
            for key in list(self._live):
                if self._staged.get(int(key)) is not _GONE:
                    yield int(key)
        for doc_id, doc in list(self._staged.items()):
            if doc is not _GONE and (self._cleared or str(doc_id) not in self._live):
                yield doc_id

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def clear(self) -> None:
        self._staged.clear()
        self._cleared = True

    def change(self, name: str, *, exists: bool) -> dict[str, Any] | None:
        """The journal record for what the updater did, or None if it changed nothing."""
        put: dict[str, Any] = {}
        gone: list[str] = []
        for doc_id, doc in self._staged.items():
            key = str(doc_id)
            if doc is _GONE:
                if not self._cleared and key in self._live:
                    gone.append(key)
            elif self._cleared or self._live.get(key, _GONE) != doc:
                put[key] = doc
        change: dict[str, Any] = {"t": name}
        if self._cleared and (self._live or not exists):
            change["clear"] = True
        if gone:
            change["del"] = gone
        if put:
            change["put"] = put
        return change if len(change) > 1 else None


class JournalTable(Table):
    """A TinyDB table whose writes cost O(changed documents) and whose reads return copies.

    Stock `Table._update_table` reads, rebuilds and rewrites the whole table on
    every write; here TinyDB's own update logic runs against a `_StagedTable` and
    only the documents it touched become a journal entry. Reads skip the query
    cache (every write clears it anyway) and hand out deep copies, so a caller
    editing a result can never change stored state behind the journal's back.
    """

    _storage: JournalStorage

    def _read_table(self) -> dict[str, Mapping[str, Any]]:
        return self._storage.tables.get(self.name, {})

    def _update_table(self, updater: Callable[[dict[int, Mapping[str, Any]]], None]) -> None:
        storage = self._storage
        with storage.lock:
            storage.check_writable()
            live = storage.tables.get(self.name)
            staged = _StagedTable(live if live is not None else {})
            updater(staged)  # type: ignore[arg-type]
            change = staged.change(self.name, exists=live is not None)
            if change is not None:
                storage.commit(change)
        self.clear_cache()

    def insert(self, document: Mapping[str, Any]) -> int:
        """As TinyDB's; a new document (every comment and join) is one journal line, with no staging."""
        if not isinstance(document, Mapping):
            raise ValueError("Document is not a Mapping")
        if isinstance(document, self.document_class):
            return super().insert(document)  # it brings its own id
        doc_id = self._get_next_id()
        storage = self._storage
        with storage.lock:
            storage.check_writable()
            live = storage.tables.get(self.name)
            if live is not None and str(doc_id) in live:
                raise ValueError(f"Document with ID {doc_id} already exists")
            storage.commit({"t": self.name, "put": {str(doc_id): dict(document)}})
        self.clear_cache()
        return doc_id

    def update(
        self,
        fields: Mapping[str, Any] | Callable[[MutableMapping[str, Any]], None],
        cond: QueryLike | None = None,
        doc_ids: Iterable[int] | None = None,
    ) -> list[int]:
        """As TinyDB's; setting fields on documents named by id (every vote a room changes)
        skips the staging copy and costs one journal line of just those documents."""
        if callable(fields) or cond is not None or doc_ids is None:
            return super().update(fields, cond, doc_ids)
        storage = self._storage
        updated: list[int] = []
        with storage.lock:
            storage.check_writable()
            live = storage.tables.get(self.name, {})
            put: dict[str, Any] = {}
            for doc_id in doc_ids:
                key = str(doc_id)
                doc = live.get(key)
                if doc is None:
                    continue  # as TinyDB: ids that are not there are skipped
                updated.append(doc_id)
                new = {**doc, **fields}
                if new != doc:
                    put[key] = new
            if put:
                storage.commit({"t": self.name, "put": put})
        self.clear_cache()
        return updated

    def _document(self, key: str, doc: Mapping[str, Any]) -> Document:
        return self.document_class(_detached(doc), self.document_id_class(key))

    def __iter__(self) -> Iterator[Document]:
        for key, doc in list(self._read_table().items()):
            yield self._document(key, doc)

    def search(self, cond: QueryLike) -> list[Document]:
        return [self._document(key, doc) for key, doc in self._read_table().items() if cond(doc)]

    def get(  # type: ignore[override]
        self,
        cond: QueryLike | None = None,
        doc_id: int | None = None,
        doc_ids: list[int] | None = None,
    ) -> Document | list[Document] | None:
        """As TinyDB's, but `doc_ids` costs O(ids) and returns documents in the order asked."""
        table = self._read_table()
        if doc_id is not None:
            doc = table.get(str(doc_id))
            return None if doc is None else self.document_class(_detached(doc), doc_id)
        if doc_ids is not None:
            keys = dict.fromkeys(str(doc_id) for doc_id in doc_ids)
            return [self._document(key, table[key]) for key in keys if key in table]
        if cond is not None:
            for key, doc in table.items():
                if cond(doc):
                    return self._document(key, doc)
            return None
        raise RuntimeError("You have to pass either cond or doc_id or doc_ids")


class _JournalTinyDB(TinyDB):
    """A TinyDB whose tables are JournalTables; DurableDB hands it a JournalStorage."""

    table_class = JournalTable


# -- the public face -------------------------------------------------------------------


class DurableDB:
    """One session's TinyDB, kept safe on disk by a journal and snapshots.

    Writes return as soon as memory has changed; `barrier()` / `sync()` say when
    they are on disk, and only then should anything be confirmed to a person.
    Use it from one thread (the app's event loop). Callbacks added to a barrier's
    future run on the writer thread and must not block.
    """

    def __init__(self, directory: Path | str, *, readonly: bool = False, compact_after: int = 5000) -> None:
        if compact_after < 1:
            raise ValueError("compact_after must be at least 1")
        self.directory = Path(directory)
        self.db: TinyDB = _JournalTinyDB(self.directory, storage=JournalStorage, readonly=readonly, compact_after=compact_after)
        self._storage: JournalStorage = self.db.storage  # type: ignore[assignment]

    def __repr__(self) -> str:
        mode = "readonly" if self.readonly else "writable"
        return f"<DurableDB {str(self.directory)!r} {mode}>"

    @property
    def readonly(self) -> bool:
        return self._storage.readonly

    def table(self, name: str) -> Table:
        return self.db.table(name)

    def barrier(self) -> Future[None]:
        """A future that resolves once every write made so far is fsync'd.

        It fails with StorageError if they could not be saved; in asyncio use
        ``await asyncio.wrap_future(db.barrier())``.
        """
        return self._storage.barrier()

    def sync(self, timeout: float | None = None) -> None:
        """Block until every write so far is on disk (StorageError, or TimeoutError after `timeout`)."""
        self.barrier().result(timeout)

    @property
    def failure(self) -> Exception | None:
        """The last save error while saving is failing; None when healthy."""
        return self._storage.failure

    @property
    def damage(self) -> JournalDamage | None:
        """What this session lost to a damaged journal, found now or by an earlier open; None if nothing."""
        return self._storage.damage

    @property
    def unsaved(self) -> int:
        """How many changes are only in memory so far (0 once everything is on disk)."""
        return self._storage.unsaved

    def close(self, *, give_up: bool = False) -> None:
        """Save everything, compact, stop the writer and release the lock; safe to call twice.

        If changes cannot be saved it raises StorageError and stays open; with
        `give_up` it closes all the same and raises saying how many were lost."""
        if give_up:
            self._storage.close(give_up=True)
        self.db.close()

    def __enter__(self) -> DurableDB:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
