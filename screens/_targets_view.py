"""The targets for change the room agrees: what, who takes it on, and when to look again."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.reactive import var
from textual.timer import Timer

from sessions import Target, TargetsActivity, numbers

from . import _layout as layout
from ._activity_view import ActivityView
from ._confirm_screen import ConfirmScreen
from ._host import SessionHost
from ._target_form import TargetForm

SUGGESTED = {1: "one target", 2: "one or two targets"}
MARKER_SECONDS = 5.0
"""In the room view the ▸ marker shows while the facilitator moves it, and this long after the last move."""


class TargetsView(ActivityView):
    """The agreed targets as a numbered list; "a" adds, Enter edits, Delete removes.

    The ▸ marker shows which target Enter and Delete act on: the facilitator's
    cursor, not the room's. In the room view it is drawn only while the
    facilitator moves it.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_target", "Add target"),
        Binding("enter", "edit_target", "Edit"),
        Binding("delete", "remove_target", "Remove"),
    ]

    selected: var[int] = var(0)

    activity: TargetsActivity
    _moving = False
    _marker_timer: Timer | None = None

    def on_mount(self) -> None:
        if isinstance(self.app, SessionHost):
            self.watch(self.app, "room_view", lambda _on: self.redraw(), init=False)

    @property
    def marker_shown(self) -> bool:
        return self._moving or not (isinstance(self.app, SessionHost) and self.app.room_view)

    @property
    def targets(self) -> list[Target]:
        return self.session.targets_for(self.activity.id)

    def move(self, dx: int, dy: int) -> bool:
        """False at the first or last target, so Up and Down scroll on through a long target's words."""
        if not dy or not self.targets:
            return False
        before = self.selected
        self.selected = max(0, min(len(self.targets) - 1, self.selected + dy))
        if self.selected == before:
            return False
        self._moving = True
        if self._marker_timer is not None:
            self._marker_timer.stop()
        self._marker_timer = self.set_timer(MARKER_SECONDS, self._stopped_moving)
        return True

    def _stopped_moving(self) -> None:
        self._moving = False
        self._marker_timer = None
        self.redraw()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_target", "remove_target"):
            return bool(self.targets)
        return super().check_action(action, parameters)

    def refresh_from_session(self) -> None:
        self.selected = max(0, min(self.selected, len(self.targets) - 1))
        super().refresh_from_session()
        self.refresh_bindings()

    # -- drawing ------------------------------------------------------------------------

    def draw(self, width: int, height: int) -> list[Content]:
        targets = self.targets
        if not targets:
            return [Content.styled("No targets yet.", layout.QUIET)]  # the footer offers "a Add target"
        lines: list[Content] = []
        for index, target in enumerate(targets):
            if index:
                lines.append(Content(""))
            chosen = index == self.selected
            top = len(lines)
            lines += layout.numbered_heading(index + 1, target.text, width, chosen=chosen and self.marker_shown)
            owner = target.owner or "not agreed yet"
            review = numbers.date_label(target.review_date) if target.review_date else "not set yet"
            # Who and when on one line when they fit, else one line each, wrapped: a date is never cut.
            forms = [[f"Who: {owner} · Review by: {review}"], [f"Who: {owner}", f"Review by: {review}"]]
            lines += [Content(f"     {line}") for line in layout.first_fit(forms, width - 5)]
            if chosen and self.marker_shown:  # a redraw pulls the body back only to a marker the room can see
                self.focus_lines = (top, len(lines) - 1)
        return lines

    def status(self) -> list[Content]:
        count = len(self.targets)
        limit = self.activity.max_targets
        lines = [Content(f"{count} target{'s' if count != 1 else ''} agreed")]  # adding, editing, removing: in the footer
        if count > limit:
            suggested = SUGGESTED.get(limit, f"up to {limit} targets")
            lines.append(
                Content(
                    f"A gentle note: the Guide for Action suggests {suggested} at a time, so each one "
                    f"gets done. There are {count} here; could some wait for the review?"
                )
            )
        return lines

    # -- changing -----------------------------------------------------------------------

    def action_add_target(self) -> None:
        def added(target: Target | None) -> None:
            self.refresh_from_session()
            if target is not None:
                ids = [t.id for t in self.targets]
                if target.id in ids:
                    self.selected = ids.index(target.id)
                    self.redraw()

        self.app.push_screen(TargetForm(self.session, self.activity.id), added)

    def action_edit_target(self) -> None:
        targets = self.targets
        if not targets:
            return
        self.app.push_screen(
            TargetForm(self.session, self.activity.id, targets[self.selected]),
            lambda _: self.refresh_from_session(),
        )

    def action_remove_target(self) -> None:
        targets = self.targets
        if not targets:
            return
        target = targets[self.selected]

        def confirmed(remove: bool | None) -> None:
            if remove and target.id in self.session.targets:
                self.session.remove_target(target.id)
            self.refresh_from_session()

        self.app.push_screen(ConfirmScreen("Remove this target?", target.text, yes="Remove", no="Keep it"), confirmed)
