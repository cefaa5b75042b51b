"""The projected view of one activity: its question, the room's answers and hand counts.

A facilitator records a show of hands from the keyboard while the room
watches the same screen, so counting has to be quick ("3", "0", Enter sets
thirty) and must never reveal results the facilitator is still holding back.
Each kind of activity has its own subclass; `view_for` (in `_views.py`) picks it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Static

from sessions import ActivityResults, InvalidInput, LiveSession, Role, RoleGroup, presence

from . import _charts as charts
from . import _layout as layout
from ._lobby_screen import presence_content
from ._redraw import show_content

TALLY_GROUPS: tuple[Role | None, ...] = (None, Role.SERVICE_USER, Role.CARER, Role.STAFF, Role.OTHER)
"""The order "g" steps through: a count for everyone, then one role at a time."""

GROUP_WORDS: dict[Role | None, str] = {
    None: "everyone",
    Role.SERVICE_USER: "service users",
    Role.CARER: "carers",
    Role.STAFF: "staff",
    Role.OTHER: "others",
}

COUNT_DIGITS = 5
"""Longest count that can be typed; the session caps tallies at 10,000."""

# Where each kind of activity's framework comes from, matched against the
# template's own list of sources so a trainer's template is never miscredited.
SOURCE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "spectrum": ("Together",),
    "grid": ("Suresearch",),
    "indicators": ("Suresearch",),
    "targets": ("Suresearch",),
}


@dataclass(frozen=True)
class Choice:
    """The option, position or cell a hand count goes to."""

    item: str
    value: int | str
    label: str


class Canvas(Widget):
    """Text drawn for the width it is given, so one chart fits a projector or a laptop."""

    DEFAULT_CSS = """
    Canvas {
        height: auto;
        width: 1fr;
    }
    """

    def __init__(self, draw: Callable[[int, int], Content], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._draw = draw
        self._version = 0
        self._cache: tuple[tuple[int, int, int], Content] | None = None

    def redraw(self) -> bool:
        """Draw again; returns whether the drawing changed.

        Under a full room this runs twenty times a second. Most new drawings
        are as tall as the last (a count went up), so the screen is laid out
        again only when the height changes; and while results are hidden most
        are the same as the last, so nothing is repainted at all.
        """
        before = self._cache[1] if self._cache is not None else None
        self._version += 1
        width = self.size.width
        if not width or before is None:
            self.refresh(layout=True)
            return True
        after = self.drawing(width)
        if after.plain == before.plain and after.spans == before.spans:
            return False
        self.refresh(layout=after.get_height(self.styles, width) != self.size.height)
        return True

    def drawing(self, width: int) -> Content:
        height = self.parent.size.height if isinstance(self.parent, Widget) else 0
        key = (width, height, self._version)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, self._draw(width, height))
        return self._cache[1]

    def render(self) -> Content:
        return self.drawing(self.size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not width:
            return 0
        return self.drawing(width).get_height(self.styles, width)


class BodyScroll(VerticalScroll, can_focus=False):
    """Scrolls a tall drawing; never takes focus, so keys stay with the view."""


class ActivityView(Widget, can_focus=True):
    """Base class: renders one activity of a LiveSession, its results and keyboard tallies."""

    DEFAULT_CSS = """
    ActivityView {
        layout: vertical;
        width: 1fr;
        height: 1fr;
        padding: 0 1;
    }
    ActivityView > #heading {
        height: auto;
        margin-bottom: 1;
    }
    ActivityView > BodyScroll {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    ActivityView > #status {
        height: auto;
        background: $boost;
        padding: 0 1;
    }
    ActivityView > .-empty {
        display: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(0, -1)", "Up", show=False),
        Binding("down", "move(0, 1)", "Down", show=False),
        Binding("left", "move(-1, 0)", "Left", show=False),
        Binding("right", "move(1, 0)", "Right", show=False),
        # Kept out of the keys panel (system), so the activity's own keys lead it; docs/facilitating.md lists them.
        Binding("pageup", "scroll_body('page_up')", "Page up", show=False, system=True),
        Binding("pagedown", "scroll_body('page_down')", "Page down", show=False, system=True),
        Binding("home", "scroll_body('home')", "Top", show=False, system=True),
        Binding("end", "scroll_body('end')", "Bottom", show=False, system=True),
        Binding("0", "digit(0)", "Count", key_display="0-9"),
        *(Binding(str(d), f"digit({d})", "Count", show=False) for d in range(1, 10)),
        Binding("enter", "set_count", "Set count"),
        Binding("backspace", "erase_digit", "Erase digit", show=False),
        Binding("escape", "cancel_count", "Cancel"),
        Binding("plus,equals_sign", "adjust(1)", "One more", key_display="+"),
        Binding("minus", "adjust(-1)", "One less", key_display="-"),
        Binding("g", "cycle_group", "Hands group"),
    ]

    TALLIES: ClassVar[bool] = False
    """Whether this kind of activity takes hand counts."""

    revealed: var[bool] = var(False)
    """Are results shown to the room? The shell sets it."""
    split: var[bool] = var(False)
    """Are role groups shown side by side? The shell sets it."""
    show_title: var[bool] = var(True)
    """Draw the activity's title; a host that shows the title itself turns this off."""
    typed: var[str] = var("")
    """The count being typed, not yet set."""
    tally_group: var[Role | None] = var(None)
    """Whose hands the next count is for; None counts everyone together."""
    counting: var[bool] = var(False)
    """Is the facilitator counting hands on revealed results? Only then does the cursor show over them."""

    @dataclass
    class TallyRecorded(Message):
        """A hand count changed from the keyboard."""

        activity_id: str
        item: str
        value: int | str
        count: int
        role: Role | None = None

    def __init__(self, session: LiveSession, activity, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.activity = activity
        self.results: ActivityResults | None = None
        self.hand: Counter = Counter()
        self.focus_lines: tuple[int, int] | None = None
        self.set_reactive(ActivityView.revealed, session.is_revealed(activity.id))
        self.read_session()

    # -- building ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        heading = self.heading()
        yield Static(heading, id="heading", classes="" if heading else "-empty")
        with BodyScroll():
            yield Canvas(self._draw_body, id="body")
        lines = self.status()
        yield Static(layout.join_lines(lines), id="status", classes="" if lines else "-empty")

    def heading(self) -> Content:
        prompt = getattr(self.activity, "prompt", "")
        parts: list[Content | str | tuple[str, str]] = []
        if self.show_title:
            parts.append((self.activity.title, "bold"))
        if prompt:
            parts += ["\n" if parts else "", Content(prompt)]
        return Content.assemble(*parts)

    # -- reading the session ----------------------------------------------------------

    def read_session(self) -> None:
        """Summarise the session once; drawing and counting reuse the summary."""
        if not self.activity.votable:
            return
        tallies = self.session.tallies_for(self.activity.id)
        self.results = self.session.results(self.activity.id)
        if self.revealed:
            # Results forced on by the settings are shown without a reveal the session knows of.
            self.session.note_seen(self.activity.id, self.results)
        hand: Counter = Counter()
        for tally in tallies:
            hand[(tally.item, tally.value)] += tally.count
        self.hand = hand

    def hand_apart(self, item: str, value: int | str) -> int:
        """The hands counted for one option, for "(2 by hand)": 0 when the results say phones and hands may not be
        shown apart, since beside the option's total that would single out the few on phones."""
        if self.results is None or not self.results.by_channel:
            return 0
        return self.hand.get((item, value), 0)

    def refresh_from_session(self) -> None:
        """Re-read the session and redraw; the shell calls this once per burst of changes."""
        self.read_session()
        self.redraw()

    def redraw(self) -> None:
        """Draw again from the last summary (before compose there is nothing to draw)."""
        for canvas in self.query("#body").results(Canvas):
            changed = canvas.redraw()
            self._update_status()
            if changed:
                self.call_after_refresh(self._keep_selection_in_view)

    def split_refusal(self) -> str:
        """Why the room cannot see results split by role just now ("" when it can).

        The split is refused, not drawn, when every group it would show is
        withheld: a chart of "not shown" columns beside the room's total
        would invite the subtraction the withholding prevents. It is refused
        too while more phones have joined than the head count (the session's rule).
        """
        if self.results is None:
            return ""
        return self.session.split_refusal(self.results)

    @property
    def cursor(self) -> bool:
        """Is the hand-count cursor drawn? Always while results are hidden (hands are being counted);
        on revealed results only once an arrow, a digit, + or - asks for it, until Esc, so the room reads
        its results without the facilitator's brackets on them."""
        return not self.revealed or self.counting

    @property
    def showing_split(self) -> bool:
        """Are results drawn split by role: asked for, revealed, and safe to show?"""
        return self.split and self.revealed and self.results is not None and not self.split_refusal()

    def presence_warning(self) -> Content | None:
        """The lobby's presence warning, when too few service users or carers are here; else None."""
        session = self.session
        lived, level = presence(session.participants.values(), extra_lived=session.present_without_phones[RoleGroup.LIVED])
        return presence_content(lived, level) if level == "below" else None

    def refusal_notice(self) -> str:
        """What `s` says when it refuses the split: who it would single out, and the presence warning."""
        refusal = self.split_refusal()
        warning = self.presence_warning()
        return f"{refusal} {warning.plain}" if refusal and warning is not None else refusal

    def refusal_lines(self, width: int) -> list[Content]:
        """The refusal in words, with the lobby's presence warning when too few service users or carers are here."""
        lines = [Content.styled(line, layout.HEADING) for line in layout.wrap(f"⚠ {self.split_refusal()}", width)]
        lines += [Content(line) for line in layout.wrap("Results are shown for everyone together.", width)]
        warning = self.presence_warning()
        if warning is not None:
            lines += warning.wrap(width)
        return lines

    def held_note(self) -> str:
        """Why the revealed figures leave out the few phone answers ("" when they do not); the results say when."""
        if not self.revealed or self.results is None:
            return ""
        return self.results.held_note

    @property
    def answers(self) -> int:
        """People who answered: on their phones plus the largest hand count."""
        if self.results is None:
            return 0
        return self.results.respondents + self.results.tallied

    def total_for(self, item: str, value: int | str) -> int:
        """Votes and hand counts together for one option or cell; each kind looks in its own result."""
        return 0

    # -- drawing ----------------------------------------------------------------------

    def _draw_body(self, width: int, height: int) -> Content:
        self.focus_lines = None
        lines = self.draw(max(width, 10), height)
        warning: list[Content] = []
        if self.split and self.revealed and self.split_refusal():
            warning = [*self.refusal_lines(max(width, 10)), Content("")]
        held = self.held_note()
        if held:
            # Above the chart, where it cannot scroll out of sight: the figures below are the hands alone.
            warning += [Content.styled(line, layout.HEADING) for line in layout.wrap(held, max(width, 10), first="⚠ ", indent="  ")]
            warning.append(Content(""))
        if warning:
            if self.focus_lines is not None:
                self.focus_lines = (self.focus_lines[0] + len(warning), self.focus_lines[1] + len(warning))
            lines = [*warning, *lines]
        credit = self.credit()
        if credit:
            lines = [*lines, Content("")]
            lines += [Content.styled(line, layout.QUIET) for line in layout.wrap(f"Source: {credit}", width, indent="  ")]
        return layout.join_lines(lines)

    def draw(self, width: int, height: int) -> list[Content]:
        """The body's lines for this width; set `focus_lines` to keep the selection in view."""
        return []

    def credit(self) -> str:
        keywords = SOURCE_KEYWORDS.get(self.activity.kind, ())
        for source in self.session.template.sources:
            if any(word.lower() in f"{source.title} {source.publisher}".lower() for word in keywords):
                return source.credit
        return ""

    def status(self) -> list[Content]:
        """Lines under the body: answers so far, and the hand count being recorded."""
        if not self.TALLIES:
            return []
        lines: list[Content] = []
        if self.revealed:
            state = charts.answers_text(self.answers, self.results.tallied if self.results else 0)
            extra = " · split by role" if self.showing_split else ""
            lines.append(Content.assemble((state, layout.HEADING), f" · results shown{extra}"))
        else:
            lines.append(charts.hidden_note(self.answers))
        choice = self.choice() if self.cursor else None
        if choice is None:
            return lines
        selected: list[Content | str | tuple[str, str]] = [Content(choice.label)]
        if self.revealed:
            total = self.total_for(choice.item, choice.value)
            selected.append(f": {charts.count_text(total, self.hand_apart(choice.item, choice.value))}")
        counted = self.session.tally_count(self.activity.id, choice.item, choice.value, self.tally_group)
        typing: list[str | tuple[str, str]] = []
        if self.typed:
            typing = [" → ", (f"{self.typed}▌", layout.SELECTED)]  # Enter and Esc are in the footer

        def hands(lead: str) -> Content:
            return Content.assemble(lead, " (", (GROUP_WORDS[self.tally_group], layout.HEADING), f"): {counted}", *typing)

        one_line = Content.assemble(*selected, " · ", hands("hands"))
        width = self.content_region.width - 2
        if width <= 0 or one_line.cell_length <= width:
            lines.append(one_line)
        else:
            # On a narrow screen the count being typed gets a line of its own.
            lines += [Content.assemble(*selected), hands("Hands")]
        return lines

    def on_resize(self) -> None:
        self._update_status()

    def _update_status(self) -> None:
        for status in self.query("#status").results(Static):
            lines = self.status()
            show_content(status, layout.join_lines(lines))
            status.set_class(not lines, "-empty")

    def _keep_selection_in_view(self) -> None:
        """Scroll the selection into view; scheduled after a redraw, so dropped if the view has gone since.

        Only while the selection is drawn: on revealed results the room may have been scrolled to the
        figures under the chart, and a vote arriving must not pull the body back up to an unseen cursor.
        """
        if self.focus_lines is None or not self.is_attached or not self.cursor:
            return
        top, bottom = self.focus_lines
        scroll = next(iter(self.query(BodyScroll).results(BodyScroll)), None)
        if scroll is None:
            return
        scroll.scroll_to_region(Region(0, top, 1, bottom - top + 1), animate=False, immediate=True)

    # -- watching ---------------------------------------------------------------------

    def watch_revealed(self) -> None:
        # A count half typed stays in sight with its cursor, so Enter never sets a number unseen.
        self.counting = bool(self.typed) and self.TALLIES
        if self.revealed and self.results is not None:
            self.session.note_seen(self.activity.id, self.results)
        self.redraw()

    def watch_split(self) -> None:
        self.redraw()

    def watch_show_title(self) -> None:
        for heading in self.query("#heading").results(Static):
            content = self.heading()
            heading.update(content)
            heading.set_class(not content, "-empty")

    def watch_typed(self) -> None:
        self._update_status()
        self.refresh_bindings()

    def watch_tally_group(self) -> None:
        self._update_status()

    def watch_counting(self) -> None:
        self.redraw()
        self._update_status()
        self.refresh_bindings()

    # -- selection and counting ---------------------------------------------------------

    def choice(self) -> Choice | None:
        """What the selection points at, for hand counts; None when nothing is countable."""
        return None

    def move(self, dx: int, dy: int) -> bool:
        """Move the selection; return False when it did not move (nothing to move, or at the edge), so Up and Down scroll."""
        return False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("set_count", "erase_digit"):
            return bool(self.typed)
        if action == "cancel_count":
            return bool(self.typed) or (self.revealed and self.counting)
        if action in ("digit", "adjust", "cycle_group"):
            return self.TALLIES
        return True

    def _start_counting(self) -> None:
        """A counting key on revealed results brings the cursor back, so the facilitator sees where counts go."""
        if self.TALLIES and self.revealed:
            self.counting = True

    def action_move(self, dx: int, dy: int) -> None:
        """Move the selection; past its last row (or where nothing moves up and down) Up and Down scroll the body,
        so what is drawn under the chart can always be brought into view."""
        if self.move(dx, dy):
            self._start_counting()
            self.typed = ""
            self.redraw()
        elif dy:
            for scroll in self.query(BodyScroll).results(BodyScroll):
                scroll.scroll_relative(y=dy * 3, animate=False, immediate=True)

    def action_scroll_body(self, where: str) -> None:
        """Page Up, Page Down, Home and End scroll the body; the selection stays where it is."""
        for scroll in self.query(BodyScroll).results(BodyScroll):
            page = max(1, scroll.scrollable_content_region.height - 1)  # a line of the last page stays, to read on from
            if where in ("page_up", "page_down"):
                scroll.scroll_relative(y=page if where == "page_down" else -page, animate=False, immediate=True)
            elif where == "home":
                scroll.scroll_home(animate=False, immediate=True, x_axis=False)
            else:
                scroll.scroll_end(animate=False, immediate=True, x_axis=False)

    def action_digit(self, digit: int) -> None:
        if self.choice() is None:
            return
        self._start_counting()
        if len(self.typed) < COUNT_DIGITS:
            self.typed = (self.typed + str(digit)).lstrip("0") or "0"

    def action_erase_digit(self) -> None:
        self.typed = self.typed[:-1]

    def action_cancel_count(self) -> None:
        """Esc drops the count being typed; with none, it takes the cursor off revealed results."""
        if self.typed:
            self.typed = ""
        else:
            self.counting = False

    def action_set_count(self) -> None:
        if not self.typed:
            return
        count = int(self.typed)
        self.typed = ""
        self._record(lambda choice: self.session.set_tally(
            self.activity.id, choice.item, choice.value, count, self.tally_group
        ))

    def action_adjust(self, delta: int) -> None:
        self._start_counting()
        self.typed = ""
        self._record(lambda choice: self.session.adjust_tally(
            self.activity.id, choice.item, choice.value, delta, self.tally_group
        ))

    def action_cycle_group(self) -> None:
        self._start_counting()
        index = TALLY_GROUPS.index(self.tally_group)
        self.tally_group = TALLY_GROUPS[(index + 1) % len(TALLY_GROUPS)]

    def _record(self, change) -> None:
        choice = self.choice()
        if choice is None:
            return
        try:
            tally = change(choice)
        except InvalidInput as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.refresh_from_session()
        self.post_message(self.TallyRecorded(self.activity.id, tally.item, tally.value, tally.count, tally.role))
