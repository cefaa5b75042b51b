"""The `involve` command.

Errors a person can fix (a broken template, an unknown session, a bad
setting) print one clear line and exit with status 2, never a traceback.

The arguments are read before anything else is imported: `involve --help`
and a mistyped command load only argparse, and each command loads what it
uses (storage and rich for most, Textual only for a live session).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from ._config import Config

EXIT_USAGE = 2


@cache
def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


class _Lazy:
    """Stands in for a console until something is printed."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr

    def print(self, *args, **kwargs) -> None:
        _console(self._stderr).print(*args, **kwargs)


_out = _Lazy(stderr=False)
_err = _Lazy(stderr=True)


class CommandError(Exception):
    """A problem the person running the command can fix; printed without a traceback."""


def _error(message: str) -> None:
    from rich.text import Text

    _err.print(Text("involve: ", style="bold red") + Text(message))


def _warn(message: str) -> None:
    from rich.text import Text

    _err.print(Text("involve: warning: ", style="bold yellow") + Text(message))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="involve",
        description="Run live workshops on service user involvement, projected from a terminal.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def live_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--headless", action="store_true", help="no screen: print the join address and run until stopped")
        sub.add_argument("--host", help="address the phone page listens on (default: this machine's LAN address)")
        sub.add_argument("--port", type=int, help="port the phone page listens on")
        sub.add_argument("--auto-approve", action="store_true", help="show comments without waiting for approval")

    run = commands.add_parser("run", help="start a live session from a template")
    run.add_argument("template", help="a template name (see `involve templates list`) or a path to a .toml file")
    run.add_argument("--title", default="", help="session title (default: the template's)")
    run.add_argument("--facilitator", default="", help="facilitator's name for the record")
    run.add_argument("--baseline", default="", help="an earlier session to review progress against")
    live_options(run)

    resume = commands.add_parser("resume", help="reopen a session (the newest if none is named)")
    resume.add_argument("session", nargs="?", default="", help="session id, id prefix or title")
    live_options(resume)

    demo = commands.add_parser("demo", help="a rehearsal with simulated participants")
    demo.add_argument("--speed", type=float, default=1.0, help="how fast the simulated room acts (2 = twice as fast)")
    live_options(demo)

    templates = commands.add_parser("templates", help="list, show, copy or check templates")
    tcommands = templates.add_subparsers(dest="templates_command", metavar="ACTION")
    tcommands.add_parser("list", help="built-in and your own templates")
    show = tcommands.add_parser("show", help="what a template contains")
    show.add_argument("name")
    copy = tcommands.add_parser("copy", help="copy a template to edit it")
    copy.add_argument("name")
    copy.add_argument("dest", help="a new name (saved in your templates folder) or a path ending in .toml")
    validate = tcommands.add_parser("validate", help="check template files for mistakes")
    validate.add_argument("files", nargs="+")

    commands.add_parser("sessions", help="list sessions")

    export = commands.add_parser("export", help="write the session record")
    export.add_argument("session", nargs="?", default="", help="session id, id prefix or title (default: newest)")
    export.add_argument("--format", default="md,html,csv,json", help="comma-separated: md, html, csv, json")
    export.add_argument("--out", type=Path, help="folder to write to (default: the export folder)")
    export.add_argument("--include-hidden", action="store_true", help="a private copy that includes hidden and pending comments")

    importer = commands.add_parser("import", help="read a JSON session record back in")
    importer.add_argument("file", type=Path)

    compare = commands.add_parser("compare", help="compare a session with an earlier one")
    compare.add_argument("old")
    compare.add_argument("new")

    purge = commands.add_parser("purge", help="delete a session's data for good")
    purge.add_argument("session", nargs="?", default="")
    purge.add_argument("--older-than", type=float, metavar="DAYS", help="every session older than DAYS days")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from sessions import SessionNotFound, StorageError, TemplateError

    from ._config import ConfigError, load_config

    try:
        config = load_config()
        from ._logging import keep_logs_off_the_terminal

        keep_logs_off_the_terminal(config.data_dir)
        return _dispatch(args, config)
    except (ConfigError, TemplateError, SessionNotFound, StorageError, CommandError) as error:
        _error(str(error))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, config: Config) -> int:
    command = args.command
    if command in (None, "run", "resume", "demo"):
        return _live(args, config)
    if command == "templates":
        return _templates(args, config)
    if command == "sessions":
        return _sessions(config)
    if command == "export":
        return _export(args, config)
    if command == "import":
        return _import(args, config)
    if command == "compare":
        return _compare(args, config)
    if command == "purge":
        return _purge(args, config)
    raise CommandError(f"unknown command {command}")


def _check_port(port: int | None) -> None:
    """A port the phone page can listen on, checked before any session is created (0: any free port)."""
    if port is not None and not 0 <= port <= 65535:
        raise CommandError(f"--port must be between 1 and 65535 (or 0 for any free port), not {port}")


def _live(args: argparse.Namespace, config: Config) -> int:
    _check_port(getattr(args, "port", None))
    from ._launch import LaunchRequest

    overrides = {}
    if getattr(args, "host", None):
        overrides["intake_host"] = args.host
    if getattr(args, "port", None) is not None:
        overrides["intake_port"] = args.port
    if getattr(args, "auto_approve", False):
        overrides["hold_comments"] = False
    config = config.with_overrides(**overrides)
    request = LaunchRequest(
        mode=args.command or "home",
        template=getattr(args, "template", ""),
        title=getattr(args, "title", ""),
        facilitator=getattr(args, "facilitator", ""),
        baseline=getattr(args, "baseline", ""),
        session=getattr(args, "session", ""),
        speed=getattr(args, "speed", 1.0),
        headless=getattr(args, "headless", False),
        auto_approve=getattr(args, "auto_approve", False),
    )
    if request.headless:
        from ._headless import run_headless

        return run_headless(config, request)
    from ._launch import run_app

    return run_app(config, request)


def _templates(args: argparse.Namespace, config: Config) -> int:
    from rich.table import Table
    from rich.text import Text

    from sessions import TemplateError, TemplateLibrary, load_template_file

    library = TemplateLibrary(config.templates_dir)
    action = args.templates_command
    if action in (None, "list"):
        table = Table(title="Templates", title_justify="left")
        table.add_column("name")
        table.add_column("title")
        table.add_column("kind")
        table.add_column("file")
        for entry in library.entries():
            kind = "built-in" if entry.builtin else "yours"
            title = Text(entry.title) if entry.error is None else Text(f"cannot be used: {entry.error.message}")
            table.add_row(Text(entry.name), title, kind, Text(str(entry.path)))
        _out.print(table)
        _out.print(Text(f"Your templates folder: {config.templates_dir}"))
        return 0
    if action == "show":
        template = library.find(args.name)
        _out.print(Text(template.title, style="bold"))
        _out.print(Text(f"name {template.name}, version {template.version}, family {template.family_name}"))
        if template.description:
            _out.print(Text(template.description))
        for source in template.sources:
            _out.print(Text(f"Based on: {source.credit}"))
        for number, activity in enumerate(template.activities, start=1):
            timer = f" ({activity.minutes} min)" if activity.minutes else ""
            _out.print(Text(f"{number}. [{activity.kind}] {activity.title}{timer}"))
        if template.path:
            _out.print(Text(f"File: {template.path}"))
        return 0
    if action == "copy":
        path = library.copy(args.name, args.dest)
        _out.print(Text(f"Copied to {path}. Edit it, then check it with: involve templates validate {path}"))
        return 0
    if action == "validate":
        failed = 0
        for name in args.files:
            try:
                template = load_template_file(name)
            except TemplateError as error:
                _error(str(error))
                failed += 1
            else:
                _out.print(Text(f"{name}: OK ({template.title}, {len(template.activities)} activities)"))
        return EXIT_USAGE if failed else 0
    raise CommandError(f"unknown templates action {action}")


def _sessions(config: Config) -> int:
    from rich.table import Table
    from rich.text import Text

    from sessions import SessionStore

    store = SessionStore(config.sessions_dir)
    sessions = store.list()
    if not sessions:
        _out.print("No sessions yet. Start one with: involve run where-are-we")
        return 0
    table = Table(title="Sessions", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("title", ratio=1)
    table.add_column("template")
    table.add_column("date", no_wrap=True)
    for column in ("people", "votes", "comments"):
        table.add_column(column, justify="right", no_wrap=True)
    for info in sessions:
        table.add_row(
            Text(info.id),
            Text(info.title),
            Text(info.template_name),
            Text(info.created_at[:10]),
            *info.counts(),
        )
    _out.print(table)
    for info in sessions:
        if info.damage:
            _warn(info.damage)
    return 0


def _export(args: argparse.Namespace, config: Config) -> int:
    from rich.text import Text

    from exports import FORMATS, export_session
    from sessions import SessionStore

    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise CommandError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    store = SessionStore(config.sessions_dir)
    info = store.find(args.session)
    session = _open_to_read(store, info.id)
    baseline = _open_baseline(store, session)
    try:
        paths = export_session(session, formats, args.out or config.export_dir, include_hidden=args.include_hidden, baseline=baseline)
    except OSError as error:
        raise CommandError(f"cannot write the record: {error.strerror or error} ({error.filename or args.out})") from None
    finally:
        session.close()
        if baseline:
            baseline.close()
    for path in paths:
        _out.print(Text(f"Wrote {path}"))
    return 0


def _open_to_read(store, session_id: str):
    """Open a session read-only; if its journal was damaged, say what was lost (every open says it)."""
    session = store.open(session_id, readonly=True)
    if session.damage is not None:
        _warn(session.damage.describe())
    return session


def _open_baseline(store, session):
    from sessions import SessionNotFound

    baseline_id = session.meta.get("baseline_id")
    if not baseline_id:
        return None
    try:
        return _open_to_read(store, baseline_id)
    except SessionNotFound:
        from sessions import earlier_session_absent

        _warn(earlier_session_absent(baseline_id))
        return None


def _import(args: argparse.Namespace, config: Config) -> int:
    from rich.text import Text

    from exports import RecordError, import_record
    from sessions import SessionStore

    store = SessionStore(config.sessions_dir)
    try:
        session = import_record(store, args.file)
    except RecordError as error:
        raise CommandError(str(error)) from None
    try:
        _out.print(Text(f"Imported {session.title} as session {session.id}"))
        if session.baseline_id and not store.session_dir(session.baseline_id).is_dir():
            from sessions import earlier_session_absent

            _warn(earlier_session_absent(session.baseline_id))
    finally:
        session.close()
    return 0


def _compare(args: argparse.Namespace, config: Config) -> int:
    from rich.text import Text

    from exports import render_comparison
    from sessions import SessionStore

    store = SessionStore(config.sessions_dir)
    old = _open_to_read(store, store.find(args.old).id)
    try:
        new = _open_to_read(store, store.find(args.new).id)
    except BaseException:
        old.close()
        raise
    try:
        _out.print(Text(render_comparison(old, new)))
    finally:
        old.close()
        new.close()
    return 0


def _purge(args: argparse.Namespace, config: Config) -> int:
    from rich.text import Text

    from sessions import SessionStore

    if args.older_than is not None and not args.older_than >= 0:
        raise CommandError(f"--older-than must be a number of days, 0 or more, not {args.older_than:g}")
    store = SessionStore(config.sessions_dir)
    if args.older_than is not None:
        targets = store.older_than(args.older_than)
    elif args.session:
        targets = [store.find(args.session)]
    else:
        raise CommandError("name a session, or give --older-than DAYS")
    if not targets:
        _out.print("Nothing to delete.")
        return 0
    for info in targets:
        _out.print(Text(f"{info.id}  {info.title}  {info.created_at[:10]}"))
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandError("add --yes to delete without a prompt")
        answer = input(f"Delete {len(targets)} session(s) and their exports for good? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            _out.print("Nothing deleted.")
            return 0
    from exports import purge_exports

    for info in targets:
        store.purge(info.id)
        removed = purge_exports(config.export_dir, info.id)
        _out.print(Text(f"Deleted {info.id}" + (f" and {removed} exported file(s)" if removed else "")))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
