"""Command palette entries for the facilitator (ctrl+p).

Everything here is also reachable some other way; the palette is for the
things done once a session (reset, close answers, review, theme) that do not
deserve a key of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

__all__ = ["SessionCommands"]

Command = tuple[str, str, Callable[[], object]]


class SessionCommands(Provider):
    def commands(self) -> Iterator[Command]:
        app = self.app
        run = app.run_action
        session = getattr(app, "session", None)
        if session is not None and session.curtain:
            # Behind the curtain nothing else is offered: the room sees only the title.
            yield ("Lift the curtain", "Show the projected screen again (b)", partial(run, "app.curtain"))
            return
        if session is not None:
            yield ("Draw the curtain", "Blank the projector to the session title at once (b)", partial(run, "app.curtain"))
            yield ("Export the session record", "Markdown, web page, spreadsheet and JSON, into the export folder", partial(run, "app.export"))
            yield ("Reveal or hide results", "Show this activity's results to the room, or hide them again", partial(run, "app.reveal"))
            yield ("Moderation queue", "Read comments before the room sees them", partial(run, "app.moderation"))
            yield ("Pair the facilitator's phone", "Type the code the console page shows on your phone (k)", partial(run, "app.pair_console"))
            yield ("Sign out every console", "Every paired phone or browser stops working as a console", partial(run, "app.sign_out_consoles"))
            yield ("Lobby and QR code", "The join code, the room code and who is here", partial(run, "app.lobby"))
            if getattr(app, "room_view", False):
                yield ("Show the keys on the projector", "Bring back the key footer for the facilitator (z)", partial(run, "app.toggle_room_view"))
            else:
                yield ("Room view: hide the keys", "Only the room's view on the projector, and a quiet '? keys' (z)", partial(run, "app.toggle_room_view"))
            if getattr(app, "damage_notice", ""):
                help_text = "Take it off the projector; the next open of the session says it again (w)"
                yield ("Hide the notice about damaged saved changes", help_text, partial(run, "app.dismiss_damage"))
            yield ("Reset this activity", "Clear its votes and hand counts (asks first)", partial(run, "app.reset_activity"))
            if session.intake_open:
                yield ("Close phone answers", "Phones show a notice and cannot vote or comment", partial(run, "app.set_intake(False)"))
            else:
                yield ("Open phone answers", "Phones can vote and comment again", partial(run, "app.set_intake(True)"))
            if session.joining_open:
                yield ("Close joining", "New phones are refused; people already in keep answering", partial(run, "app.set_joining(False)"))
            else:
                yield ("Open joining", "New phones can join again", partial(run, "app.set_joining(True)"))
            if session.meta.get("baseline_id"):
                yield ("Review progress against the earlier session", "Then and now, side by side", partial(run, "app.review"))
            yield ("Close this session", "Back to the start screen (asks first)", partial(run, "app.request_close"))
        yield ("Theme: projector (dark, high contrast)", "White on black with yellow and cyan", partial(run, "app.use_theme('projector')"))
        yield ("Theme: projector-light (for washed-out projectors)", "Black on white", partial(run, "app.use_theme('projector-light')"))

    async def discover(self) -> Hits:
        for name, help_text, command in self.commands():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, help=help_text)
