"""Session templates: TOML files, shipped or written by trainers.

A trainer edits these by hand, so every mistake is reported with the file,
the line and the field, in words a non-programmer can act on.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ._files import FileRefused, read_limited
from ._model import (
    ACTIVITY_KINDS,
    AnyActivity,
    Area,
    GridActivity,
    IndicatorsActivity,
    InfoActivity,
    Level,
    QuestionsActivity,
    Source,
    SpectrumActivity,
    Stage,
    Statement,
    TargetsActivity,
    Template,
)
from ._text import TEXT_MAX, TITLE_MAX, clean_line, clean_text, reflow_paragraphs

DEFAULT_LEVELS: tuple[Level, ...] = (
    Level(1, "No involvement", "Plans and care are made without asking service users."),
    Level(2, "Limited involvement", "Service users hear a little and are asked now and then."),
    Level(3, "Growing involvement", "Service users are asked regularly, but big decisions happen elsewhere."),
    Level(4, "Collaboration", "Service users take a full, supported and paid part in most decisions."),
    Level(5, "Partnership", "Service users and staff decide together, across everything."),
)

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class TemplateError(Exception):
    """A template that cannot be used, with where and why."""

    def __init__(self, path: Path | str, message: str, *, line: int | None = None, field: str = "") -> None:
        self.path = Path(path)
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}"
        if self.line:
            where += f", line {self.line}"
        what = f" (field '{self.field}')" if self.field else ""
        return f"{where}{what}: {self.message}"


class _Locator:
    """Finds the line of a key in TOML text, since tomllib does not keep positions."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"']+)\s*=")

    def __init__(self, text: str) -> None:
        # Each section: (header, line, index path, {key: line})
        self.sections: list[tuple[str, int, tuple[int, ...], dict[str, int]]] = []
        counts: dict[str, int] = {}
        current: dict[str, int] = {}
        self.sections.append(("", 1, (), current))
        in_multiline: str | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = self._HEADER.match(line)
            if header and not line.lstrip().startswith(("'", '"')):
                name = header.group(2).strip()
                if header.group(1) == "[[":
                    parent = name.rpartition(".")[0]
                    # a nested array restarts its count under each new parent element
                    parent_index = counts.get(parent, 0) if parent else 0
                    key = f"{name}@{parent_index}"
                    counts[key] = counts.get(key, 0) + 1
                    if "." not in name:
                        counts[name] = counts.get(name, 0) + 1
                    index: tuple[int, ...] = (parent_index - 1, counts[key] - 1) if parent else (counts[name] - 1,)
                else:
                    index = ()
                current = {}
                self.sections.append((name, number, index, current))
                continue
            assignment = self._KEY.match(line)
            if assignment:
                current.setdefault(assignment.group(1).strip("\"'"), number)
                for quote in ('"""', "'''"):
                    if line.count(quote) % 2 == 1:
                        in_multiline = quote

    def line_of(self, header: str, index: tuple[int, ...] = (), key: str | None = None) -> int | None:
        for name, line, at, keys in self.sections:
            if name == header and at == index:
                if key is None:
                    return line
                return keys.get(key, line)
        return None


@dataclass
class _Context:
    path: Path
    locator: _Locator

    def fail(self, message: str, field: str, header: str = "", index: tuple[int, ...] = (), key: str | None = None) -> TemplateError:
        return TemplateError(self.path, message, line=self.locator.line_of(header, index, key), field=field)


MAX_KEY_PARTS = 16
"""A template's keys have one to three parts (`activities.stages`); a key with more is not a plan."""

MAX_NESTING = 16
"""A template nests arrays and tables two or three deep; deeper is not a plan."""

_NO_MEMORY = "there is not enough memory to read this template"
_DIGITS_MAX = 4300
"""Python's default limit on the digits of a number read from text."""

_BARE = r"[A-Za-z0-9_+:-]+"
_QUOTED = r'"(?:[^"\\\n]|\\[^\n])*"?|\'[^\'\n]*\'?'  # unclosed, it runs to the line's end, as tomllib stops there
_ATOM = re.compile(rf"{_BARE}|{_QUOTED}")
_TOKENS = re.compile(
    r"(?P<skip>#[^\n]*"  # a comment
    r'|"""(?:[^\\]|\\.?)*?(?:"{3,5}|\Z)'  # a multi-line basic string (it may end in one or two quotes), or one never closed
    r"|\'\'\'.*?(?:\'{3,5}|\Z))"  # a multi-line literal string
    rf"|(?P<chain>(?:{_BARE}|{_QUOTED})(?:[ \t]*\.[ \t]*(?:{_BARE}|{_QUOTED}))*)"  # a key, dotted or not, or a value
    r"|(?P<open>[\[{])|(?P<close>[\]}])"
    r"|[^\[\]{}\"'#A-Za-z0-9_+:-]+|.",
    re.DOTALL,
)


def _refuse_deep_nesting(text: str, path: Path) -> None:
    """Refuse keys with many dotted parts and deep brackets before tomllib reads them.

    tomllib's time and memory grow with the square of a dotted key's depth: a 100 KB key of
    50,000 parts takes gigabytes. One pass over the text's tokens (strings and comments
    skipped whole, so a dot inside them never counts) finds both kinds of depth cheaply.
    """
    depth = 0
    for token in _TOKENS.finditer(text):
        kind = token.lastgroup
        if kind == "chain":
            chain = token.group()
            if chain.count(".") >= MAX_KEY_PARTS:
                parts = _ATOM.findall(chain)
                if len(parts) > MAX_KEY_PARTS:
                    line = text.count("\n", 0, token.start()) + 1
                    field = ".".join(part.strip("\"'") for part in parts[:3])[:60] + ".…"
                    raise TemplateError(
                        path,
                        f"this is not a usable template: a key has {len(parts):,} parts separated by dots, and at most {MAX_KEY_PARTS} are allowed",
                        line=line,
                        field=field,
                    )
        elif kind == "open":
            depth += 1
            if depth > MAX_NESTING:
                line = text.count("\n", 0, token.start()) + 1
                raise TemplateError(path, "this is not a usable template: its arrays or tables are nested too deeply", line=line)
        elif kind == "close":
            depth = max(depth - 1, 0)


def parse_template(text: str, path: Path | str = "<template>", *, builtin: bool = False) -> Template:
    """Parse and check template text; raise TemplateError naming file, line and field."""
    path = Path(path)
    text = text.removeprefix("\ufeff")  # a byte order mark, as some editors save UTF-8
    _refuse_deep_nesting(text, path)
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise TemplateError(path, "this is not a usable template: its arrays or tables are nested too deeply") from None
    except MemoryError:
        raise TemplateError(path, _NO_MEMORY) from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise TemplateError(path, f"this is not valid TOML: {message}", line=line) from None
    except ValueError:  # Python refuses to read a whole number of more than 4,300 digits
        raise _too_long_number(text, path) from None
    ctx = _Context(path, _Locator(text))
    try:
        return _build_template(data, ctx, builtin=builtin)
    except RecursionError:
        raise TemplateError(path, "this is not a usable template: its values are nested too deeply") from None
    except MemoryError:
        raise TemplateError(path, _NO_MEMORY) from None
    except ValueError:
        raise _too_long_number(text, path) from None


def _too_long_number(text: str, path: Path) -> TemplateError:
    """Python's int-size limit raises a bare ValueError; say which line holds the number."""
    match = re.search(r"[0-9][0-9_]{" + str(_DIGITS_MAX) + r",}", text)
    line = text.count("\n", 0, match.start()) + 1 if match else None
    return TemplateError(path, f"this is not a usable template: it has a number longer than {_DIGITS_MAX:,} digits", line=line)


TEMPLATE_MAX_BYTES = 1024 * 1024
"""A workshop plan is a few kilobytes; anything near a megabyte is not one."""


def load_template_file(path: Path | str, *, builtin: bool = False) -> Template:
    path = Path(path)
    try:
        raw = read_limited(path, TEMPLATE_MAX_BYTES)
    except FileNotFoundError:
        raise TemplateError(path, "no such file") from None
    except FileRefused as refused:
        message = "this is a folder, not a template file" if "folder" in str(refused) else str(refused)
        raise TemplateError(path, message) from None
    except OSError as error:
        raise TemplateError(path, f"cannot be read: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise TemplateError(path, "the file is not UTF-8 text", line=line) from None
    return parse_template(text, path, builtin=builtin)


_TEMPLATE_KEYS = {"name", "title", "version", "family", "description", "show_results", "risk_phrases", "support"}
_ACTIVITY_KEYS = {"kind", "id", "title", "prompt", "minutes", "show_results"}
_KIND_KEYS: dict[str, set[str]] = {
    "info": {"body"},
    "spectrum": {"stages", "positions"},
    "grid": {"levels", "areas"},
    "indicators": {"statements"},
    "questions": {"questions"},
    "targets": {"max_targets"},
}


def _build_template(data: dict[str, Any], ctx: _Context, *, builtin: bool) -> Template:
    unknown = set(data) - {"template", "sources", "activities"}
    if unknown:
        key = sorted(unknown)[0]
        raise ctx.fail(f"unknown section '{key}'; expected [template], [[sources]] and [[activities]]", key, key=key)
    head = data.get("template")
    if not isinstance(head, dict):
        raise ctx.fail("the [template] section is missing", "template")
    for key in head:
        if key not in _TEMPLATE_KEYS:
            raise ctx.fail(f"unknown field; expected one of {', '.join(sorted(_TEMPLATE_KEYS))}", f"template.{key}", "template", key=key)
    get = _Getter(ctx, head, "template", "template", ())
    title = get.line_text("title", required=True)
    name = get.ident("name", default=ctx.path.stem if ctx.path.suffix == ".toml" else "")
    if not name:
        raise ctx.fail("a template needs a name", "template.name", "template")
    version = get.line_text("version", default="1")
    family = get.ident("family", default="")
    description = get.text("description", default="")
    show_results = get.boolean("show_results", default=False)
    risk_phrases = tuple(get.string_list("risk_phrases"))
    support = get.text("support", default="")

    sources_raw = data.get("sources", [])
    if not isinstance(sources_raw, list):
        raise ctx.fail("must be a list of [[sources]] tables", "sources", key="sources")
    sources = []
    for i, entry in enumerate(sources_raw):
        sget = _Getter(ctx, entry, f"sources[{i + 1}]", "sources", (i,))
        sget.only({"title", "publisher", "year"})
        sources.append(
            Source(
                title=sget.line_text("title", required=True),
                publisher=sget.line_text("publisher", required=True),
                year=sget.line_text("year", default=""),
            )
        )

    raw_activities = data.get("activities")
    if not raw_activities:
        raise ctx.fail("a template needs at least one [[activities]] entry", "activities")
    if not isinstance(raw_activities, list):
        raise ctx.fail("must be a list of [[activities]] tables", "activities", key="activities")
    activities: list[AnyActivity] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_activities):
        activity = _build_activity(raw, i, ctx)
        if activity.id in seen:
            raise ctx.fail(f"the id '{activity.id}' is used twice", f"activities[{i + 1}].id", "activities", (i,), "id")
        seen.add(activity.id)
        activities.append(activity)
    return Template(
        name=name,
        title=title,
        version=version,
        family=family,
        description=description,
        sources=tuple(sources),
        activities=tuple(activities),
        show_results=show_results,
        risk_phrases=risk_phrases,
        support=support,
        path=ctx.path,
        builtin=builtin,
    )


def _build_activity(raw: Any, i: int, ctx: _Context) -> AnyActivity:
    where = f"activities[{i + 1}]"
    if not isinstance(raw, dict):
        raise ctx.fail("must be a table", where, "activities", (i,))
    get = _Getter(ctx, raw, where, "activities", (i,))
    kind = raw.get("kind")
    if kind is None:
        raise ctx.fail(f"every activity needs a kind: one of {', '.join(ACTIVITY_KINDS)}", f"{where}.kind", "activities", (i,))
    if kind not in ACTIVITY_KINDS:
        raise ctx.fail(
            f"unknown activity kind '{clean_line(kind, 40)}'; expected one of {', '.join(ACTIVITY_KINDS)}",
            f"{where}.kind",
            "activities",
            (i,),
            "kind",
        )
    get.only(_ACTIVITY_KEYS | _KIND_KEYS[kind])
    common = dict(
        id=get.ident("id", default=f"{kind}-{i + 1}"),
        title=get.line_text("title", required=True),
        prompt=get.text("prompt", default=""),
        minutes=get.integer("minutes", default=None, low=1, high=600),
        show_results=get.boolean("show_results", default=None),
    )
    if kind == "info":
        return InfoActivity(**common, body=get.text("body", default=""))
    if kind == "spectrum":
        stages = get.table_list("stages", minimum=2, build=_stage)
        return SpectrumActivity(**common, stages=tuple(stages), positions=get.integer("positions", default=9, low=3, high=21))
    if kind == "grid":
        areas = get.table_list("areas", minimum=1, build=_area, missing="a grid needs at least one area")
        levels = get.table_list("levels", minimum=2, build=_level, optional=True) or list(DEFAULT_LEVELS)
        numbers = [level.number for level in levels]
        if numbers != list(range(1, len(levels) + 1)):
            raise ctx.fail("levels must be numbered 1, 2, 3 … in order", f"{where}.levels", "activities.levels", (i, 0))
        _unique_ids(ctx, areas, f"{where}.areas", "activities.areas", i)
        return GridActivity(**common, areas=tuple(areas), levels=tuple(levels))
    if kind == "indicators":
        statements = get.table_list("statements", minimum=1, build=_statement)
        _unique_ids(ctx, statements, f"{where}.statements", "activities.statements", i)
        return IndicatorsActivity(**common, statements=tuple(statements))
    if kind == "questions":
        questions = get.table_list("questions", minimum=1, build=_statement)
        _unique_ids(ctx, questions, f"{where}.questions", "activities.questions", i)
        return QuestionsActivity(**common, questions=tuple(questions))
    return TargetsActivity(**common, max_targets=get.integer("max_targets", default=2, low=1, high=5))


def _unique_ids(ctx: _Context, things: list[Any], field: str, header: str, i: int) -> None:
    seen: set[str] = set()
    for j, thing in enumerate(things):
        if thing.id in seen:
            raise ctx.fail(f"the id '{thing.id}' is used twice", f"{field}[{j + 1}].id", header, (i, j), "id")
        seen.add(thing.id)


def _stage(get: _Getter, j: int) -> Stage:
    get.only({"id", "name", "practices"})
    return Stage(id=get.ident("id", default=f"stage-{j + 1}"), name=get.line_text("name", required=True), practices=tuple(get.string_list("practices")))


def _area(get: _Getter, j: int) -> Area:
    get.only({"id", "name", "description"})
    return Area(id=get.ident("id", required=True), name=get.line_text("name", required=True), description=get.text("description", default=""))


def _level(get: _Getter, j: int) -> Level:
    get.only({"number", "name", "description"})
    return Level(
        number=get.integer("number", default=j + 1, low=1, high=10),
        name=get.line_text("name", required=True),
        description=get.text("description", default=""),
    )


def _statement(get: _Getter, j: int) -> Statement:
    get.only({"id", "name", "text"})
    return Statement(id=get.ident("id", default=f"item-{j + 1}"), name=get.line_text("name", required=True), text=get.text("text", default=""))


_MISSING = object()


class _Getter:
    """Typed access to one TOML table, raising errors that point at the right line."""

    def __init__(self, ctx: _Context, table: Any, where: str, header: str, index: tuple[int, ...]) -> None:
        if not isinstance(table, dict):
            raise ctx.fail("must be a table", where, header, index)
        self.ctx, self.table, self.where, self.header, self.index = ctx, table, where, header, index

    def fail(self, key: str, message: str) -> TemplateError:
        return self.ctx.fail(message, f"{self.where}.{key}", self.header, self.index, key)

    def only(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                raise self.fail(key, f"unknown field; expected one of {', '.join(sorted(allowed))}")

    def _raw(self, key: str, required: bool, default: Any) -> Any:
        if key in self.table:
            return self.table[key]
        if required:
            raise self.ctx.fail("this field is required", f"{self.where}.{key}", self.header, self.index)
        return _MISSING if default is _MISSING else default

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        value = self._raw(key, required, default)
        if not isinstance(value, str):
            raise self.fail(key, "must be text in quotes")
        return reflow_paragraphs(clean_text(value, TEXT_MAX))

    def line_text(self, key: str, *, required: bool = False, default: str = "") -> str:
        value = self._raw(key, required, default)
        if not isinstance(value, str):
            raise self.fail(key, "must be text in quotes")
        cleaned = clean_line(value, TITLE_MAX)
        if required and not cleaned:
            raise self.fail(key, "must not be empty")
        return cleaned

    def ident(self, key: str, *, required: bool = False, default: str = "") -> str:
        value = self._raw(key, required, default)
        if not isinstance(value, str) or (value and not _ID.match(value)):
            raise self.fail(key, "must be a short id: lower-case letters, digits, '-' or '_' (up to 40)")
        return value

    def integer(self, key: str, *, default: int | None, low: int, high: int) -> Any:
        value = self._raw(key, False, default)
        if value is default:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "must be a whole number")
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low} and {high}")
        return value

    def boolean(self, key: str, *, default: bool | None) -> Any:
        value = self._raw(key, False, default)
        if value is default:
            return value
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def string_list(self, key: str) -> list[str]:
        value = self._raw(key, False, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(key, "must be a list of texts, like [\"one\", \"two\"]")
        return [reflow_paragraphs(clean_text(item, 400)) for item in value if clean_text(item, 400)]

    def table_list(
        self,
        key: str,
        *,
        minimum: int,
        build: Callable[[_Getter, int], Any],
        optional: bool = False,
        missing: str = "",
    ) -> list[Any]:
        value = self.table.get(key)
        if value is None:
            if optional:
                return []
            raise self.ctx.fail(
                missing or f"needs at least {minimum} [[{self.header}.{key}]] entries",
                f"{self.where}.{key}",
                self.header,
                self.index,
            )
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.fail(key, f"must be a list of [[{self.header}.{key}]] tables")
        if len(value) < minimum:
            raise self.ctx.fail(missing or f"needs at least {minimum} entries", f"{self.where}.{key}", self.header, self.index)
        header = f"{self.header}.{key}"
        return [
            build(_Getter(self.ctx, item, f"{self.where}.{key}[{j + 1}]", header, (self.index[0], j)), j)
            for j, item in enumerate(value)
        ]


@dataclass(frozen=True)
class TemplateEntry:
    """A template as listed: usable, or broken with the reason."""

    name: str
    title: str
    path: Path
    builtin: bool
    template: Template | None = None
    error: TemplateError | None = None


def builtin_template_dir() -> Path:
    return Path(str(resources.files("sessions") / "templates"))


class TemplateLibrary:
    """Built-in templates beside the trainer's own, looked up by name or path."""

    def __init__(self, user_dir: Path | None = None) -> None:
        self.user_dir = user_dir

    def entries(self) -> list[TemplateEntry]:
        entries: dict[str, TemplateEntry] = {}
        for directory, builtin in ((builtin_template_dir(), True), (self.user_dir, False)):
            if directory is None or not directory.is_dir():
                continue
            for path in sorted(directory.glob("*.toml")):
                try:
                    template = load_template_file(path, builtin=builtin)
                except TemplateError as error:
                    entries.setdefault(path.stem, TemplateEntry(path.stem, "(cannot be used)", path, builtin, error=error))
                    continue
                key = template.name
                if key in entries and not builtin:
                    # A trainer's template never hides a built-in one silently.
                    key = f"{key} ({path.name})"
                entries[key] = TemplateEntry(key, template.title, path, builtin, template=template)
        return list(entries.values())

    def find(self, name_or_path: str) -> Template:
        """Load by name from the library, or from a path to a TOML file."""
        candidate = Path(name_or_path).expanduser()
        if name_or_path.endswith(".toml") or "/" in name_or_path or candidate.is_file():
            return load_template_file(candidate)
        for entry in self.entries():
            if entry.name == name_or_path or entry.path.stem == name_or_path:
                if entry.error:
                    raise entry.error
                assert entry.template is not None
                return entry.template
        names = ", ".join(entry.name for entry in self.entries()) or "none"
        raise TemplateError(name_or_path, f"no template with this name; available: {names}")

    def copy(self, name: str, destination: str) -> Path:
        """Copy a template so a trainer can edit it; a bare name lands in their folder."""
        source = self.find(name)
        assert source.path is not None
        dest = Path(destination).expanduser()
        if "/" not in destination and not destination.endswith(".toml"):
            if self.user_dir is None:
                raise TemplateError(destination, "no templates folder is configured; give a path ending in .toml")
            dest = self.user_dir / f"{destination}.toml"
        elif dest.is_dir():
            dest = dest / source.path.name
        if dest.exists():
            raise TemplateError(dest, "a file is already there; choose another name")
        if not _ID.match(dest.stem):
            raise TemplateError(dest, "the file name must be a short id: lower-case letters, digits, '-' or '_'")
        dest.parent.mkdir(parents=True, exist_ok=True)
        text = _rename(source.path.read_text(encoding="utf-8"), dest.stem)
        dest.write_text(text, encoding="utf-8")
        shutil.copystat(source.path, dest)
        return dest


def _rename(text: str, name: str) -> str:
    """Set `name` in the [template] section only, keeping the trainer's layout and comments."""
    head = re.search(r"(?m)^\[template\][^\n]*\n", text)
    if head is None:
        return text
    end = re.search(r"(?m)^\[", text[head.end():])
    stop = head.end() + (end.start() if end else len(text) - head.end())
    section = text[head.end():stop]
    section, count = re.subn(r'(?m)^(name\s*=\s*)"[^"\n]*"', lambda m: f'{m.group(1)}"{name}"', section, count=1)
    if not count:
        section = f'name = "{name}"\n' + section
    return text[: head.end()] + section + text[stop:]
