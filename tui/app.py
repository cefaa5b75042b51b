"""The projected workshop app: one open session, its phone page, and the screens.

The App owns the session store, the open `LiveSession` and its intake server.
The session's listener only records what changed and, once per burst, posts
`SessionChanged`; the handler publishes one `ChangeBatch` per burst on
`session_signal`, and each screen redraws only the parts the batch touches.
What the command line asked for, and the session opened for it before the
app starts, is `_launch.py`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol, cast

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import ModalScreen
from textual.signal import Signal
from textual.timer import Timer

from screens import (
    ActivityScreen,
    ConfirmScreen,
    CurtainScreen,
    HomeScreen,
    LobbyScreen,
    ModerationScreen,
    PairingForm,
    ReviewScreen,
    pending_label,
    with_key_hint,
)
from sessions import (
    Change,
    JournalDamage,
    LiveSession,
    SessionNotFound,
    SessionStore,
    StorageError,
    TemplateError,
    TemplateLibrary,
    earlier_session_absent,
)

from ._collector import QuietCollector
from ._commands import SessionCommands
from ._config import Config
from ._messages import ChangeBatch, ResumeSession, SessionChanged, SessionClosed, SessionOpened, StartSession, StorageFailed
from ._palette import InvolvePalette, palette_in
from ._reporter import Reporter
from ._themes import register_themes
from ._toasts import Toast, ToastLedger

__all__ = ["InvolveApp", "EXPORT_FORMATS"]

SCREENS_CSS = Path(__file__).resolve().parent.parent / "screens" / "screens.tcss"
EXPORT_FORMATS = ("md", "html", "csv", "json")


class IntakeLike(Protocol):
    async def start(self) -> str: ...

    async def stop(self) -> None: ...


ServerFactory = Callable[..., IntakeLike]


def default_server_factory(
    session: LiveSession, *, host: str, port: int, public_url: str, support_text: str = "", safeguarding_reminder: str = ""
) -> IntakeLike:
    from sessions.intake import IntakeServer

    return IntakeServer(
        session, host=host, port=port, public_url=public_url, support_text=support_text, safeguarding_reminder=safeguarding_reminder
    )


QUIT_HELP = "Leave Involve: it asks first, and says whether everything is saved (q)"
"""The palette's Quit, in the project's words: Textual's says it quits at once, which this one never does."""

PUBLISH_INTERVAL = 0.05
"""Seconds between screen updates from session changes: 20 a second at most."""


def _no_console_link() -> str:
    return ""


class InvolveApp(App[int]):
    """Runs one workshop session at a time, projected."""

    TITLE = "Involve"
    CSS_PATH = ["app.tcss", SCREENS_CSS]
    COMMANDS = App.COMMANDS | {SessionCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("l", "lobby", "Lobby/QR"),
        Binding("m", "moderation", "Moderate"),
        Binding("x", "export", "Export"),
        Binding("b", "curtain", "Curtain"),
        Binding("k", "pair_console", "Pair phone"),
        Binding("j", "toggle_joining", "Open/close joining", show=False),
        Binding("z", "toggle_room_view", "Room view"),
        Binding("w", "dismiss_damage", "Hide notice"),
        Binding("q", "request_quit", "Quit"),
        Binding("question_mark", "keys", "All keys", key_display="?"),
    ]

    session_title: var[str] = var("")
    pending_count: var[int] = var(0)
    intake_open: var[bool] = var(True)
    join_url: var[str] = var("")
    room_url: var[str] = var("")
    intake_problem: var[str] = var("")
    storage_problem: var[str] = var("")
    damage_notice: var[str] = var("", bindings=True)
    """What a damaged journal cost the open session, in plain words; shown in the session bar until dismissed (w)."""
    curtain: var[bool] = var(False, init=False)
    """Is the projector blanked to the session title? Follows the session, wherever it was drawn."""
    console_paired: var[bool] = var(False, init=False)
    """Is a facilitator's console signed in? Then comment text reaches the projector only when asked."""
    room_view: var[bool] = var(False, init=False)
    """Does the projector show only the room's view: no key footer and no facilitator's hints, one quiet `? keys`?"""

    def __init__(
        self,
        config: Config,
        *,
        store: SessionStore | None = None,
        session: LiveSession | None = None,
        landing: str = "lobby",
        server_factory: ServerFactory | None = None,
        demo_speed: float | None = None,
        demo_seed: int | None = None,
        reporter: Reporter | None = None,
        collector: QuietCollector | None = None,
    ) -> None:
        super().__init__()
        self.report = reporter if reporter is not None else Reporter()
        self.config = config
        self.store = store or SessionStore(config.sessions_dir)
        self.library = TemplateLibrary(config.templates_dir)
        self.session: LiveSession | None = None
        self.server: IntakeLike | None = None
        self.server_factory = server_factory or default_server_factory
        self.demo_speed = demo_speed
        self.demo_seed = demo_seed
        self.session_signal: Signal[ChangeBatch] = Signal(self, "session-changed")
        self._initial = (session, landing)
        self._batch = ChangeBatch()
        self._publish_timer: Timer | None = None
        self._change_posted = False
        self._last_publish = 0.0
        self.collector = collector if collector is not None else QuietCollector()
        self._toasts = ToastLedger()
        self._storage_lasting = False
        self.unsaved_at_exit = ""
        """What was not saved when the session closed for good (the exit status is then 1)."""
        self.phone_page_refused: set[str] = set()
        """Sessions whose phone page could not start (and has not started since): nobody could join them."""

    # -- notifications ---------------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """As Textual's, but a toast already showing is not stacked again, and at most three show (see `_toasts`)."""
        toast = Toast(message, title, severity, self.NOTIFICATION_TIMEOUT if timeout is None else timeout, markup)
        admission = self._toasts.admit(toast, time.monotonic())
        if admission.clear_first:
            super().clear_notifications()
        for shown in admission.show:
            super().notify(
                shown.message,
                title=shown.title,
                severity=cast(SeverityLevel, shown.severity),
                timeout=shown.timeout,
                markup=shown.markup,
            )

    def clear_notifications(self) -> None:
        self._toasts.clear()
        super().clear_notifications()

    # -- start-up and shut-down ------------------------------------------------------

    async def on_mount(self) -> None:
        self.report.attach(self)
        register_themes(self)
        self.theme = self.config.theme
        self.set_interval(1.0, self._check_storage)
        self.set_interval(0.25, self._collect_when_quiet)
        self.set_interval(5.0, self._check_consoles)
        session, landing = self._initial
        self._initial = (None, landing)
        if session is None:
            await self.push_screen(self._home_screen())
        else:
            await self.open_session(session, landing=landing)

    async def on_unmount(self) -> None:
        await self._release_session()

    def _home_screen(self):
        return HomeScreen(self.library.entries(), self.store.list())

    # -- the open session ------------------------------------------------------------

    async def open_session(self, session: LiveSession, *, landing: str = "lobby") -> None:
        """Make `session` the live one: listen to it, show it, start its phone page."""
        if self.session is not None:
            await self.close_session()
        self.session = session
        self.collector.start()
        session.add_listener(self._session_listener)
        self.session_title = session.title
        self.intake_open = session.intake_open
        self.pending_count = self._count_pending()
        self.join_url = self.room_url = self.intake_problem = self.storage_problem = self.damage_notice = ""
        self._storage_lasting = False
        self._check_storage()
        await self.push_screen(ActivityScreen(session, show_results=self.config.show_results))
        if landing == "lobby":
            await self.push_screen(LobbyScreen(session))
        self.curtain = session.curtain  # drawn when the app stopped: it stays drawn
        self.room_view = self.config.room_view == "on"
        if session.damage is not None:
            self._report_damage(session.damage)
        self.console_paired = session.consoles.paired
        self.start_intake(session)
        if self.demo_speed is not None:
            self.run_demo(session, self.demo_speed)
        self.post_message(SessionOpened(session.id))

    @work(group="intake", exclusive=True, exit_on_error=False)
    async def start_intake(self, session: LiveSession) -> None:
        """Start the phone page; a failure is shown on the lobby, never a crash."""
        from sessions.intake import IntakeError  # aiohttp loads only once a session is live

        try:
            server = self.server_factory(
                session,
                host=self.config.intake_host,
                port=self.config.intake_port,
                public_url=self.config.public_url,
                support_text=self.config.support_text,
                safeguarding_reminder=self.config.safeguarding_reminder,
            )
            url = await server.start()
        except IntakeError as error:
            self._intake_failed(str(error))
            return
        except Exception as error:  # a broken phone page must not take the screen down
            self._intake_failed(f"The phone page could not start: {error}")
            return
        if self.session is not session:
            await server.stop()
            return
        self.server = server
        self.phone_page_refused.discard(session.id)
        self.room_url = str(getattr(server, "room_url", "") or "")
        self.join_url = url
        # Only a headless run asks for the console's one-time link; on a screen none is made.
        self.report.joined(url, getattr(server, "console_link_url", None) or _no_console_link)

    def _intake_failed(self, message: str) -> None:
        self.intake_problem = message
        if self.session is not None:
            self.phone_page_refused.add(self.session.id)
        if self.report.intake_failed(message):
            self.exit()
            return
        self.notify(message, title="Phone page not running", severity="error", timeout=12, markup=False)

    @work(group="demo", exclusive=True, exit_on_error=False)
    async def run_demo(self, session: LiveSession, speed: float) -> None:
        from ._demo import DemoRoom

        await DemoRoom(session, speed=speed, seed=self.demo_seed).run()

    async def _release_session(self) -> None:
        """Stop the demo and the phone page, and close the session (compacting it).

        Callers that can keep the session open ask `_unsaved_reason` first. By here the
        session goes whatever happens: what could not be saved is said, never raised."""
        self.workers.cancel_group(self, "demo")
        self.workers.cancel_group(self, "intake")
        server, self.server = self.server, None
        if server is not None:
            try:
                await server.stop()
            except Exception:  # stopping must never block closing the session
                pass
        session, self.session = self.session, None
        if session is None:
            return
        # Without the watcher: closing pops every screen anyway, and quitting tears them down.
        self.set_reactive(InvolveApp.curtain, False)
        self.set_reactive(InvolveApp.console_paired, False)
        self.set_reactive(InvolveApp.room_view, False)  # close_session takes the class off for the start screen
        self.set_reactive(InvolveApp.damage_notice, "")
        session.remove_listener(self._session_listener)
        self.collector.stop()
        try:
            session.close(give_up=True)
        except StorageError as error:
            self.unsaved_at_exit = str(error)
            self.storage_problem = f"Not everything could be saved: {error}"
            self.report.closing_failed(self.storage_problem)
        else:
            self.report.closed(session.id)
        self.post_message(SessionClosed(session.id))

    async def _unsaved_reason(self, timeout: float = 3.0) -> str:
        """'' when every change of the open session is on disk; otherwise what is not saved, in words."""
        session = self.session
        if session is None:
            return ""
        try:
            await session.saved(timeout=timeout)
        except (StorageError, TimeoutError) as error:
            count = session.unsaved
            what = f"{count} change{'s' if count != 1 else ''} made here" if count else "The latest changes"
            return f"{what} {'are' if count != 1 else 'is'} not saved yet: {str(error).rstrip('.')}."
        return ""

    def _offer_to_keep_trying(self, reason: str, then: Callable[[], Awaitable[None]], *, about_quitting: bool = False) -> None:
        """Saving is failing: keep the session open unless the facilitator insists on losing changes."""

        async def answered(give_up: bool | None) -> None:
            if give_up:
                await then()
            else:
                self.notify(
                    "The session stays open; Involve keeps trying to save every second. Free some disk space.",
                    title="Still trying to save",
                    markup=False,
                )

        detail = (
            f"{reason} Involve keeps trying every second, and saves them as soon as there is room on the disk. "
            "Keep the session open until this message goes; quitting now loses them."
        )
        question = ConfirmScreen("Some changes are not saved yet", detail, yes="Lose them and close", no="Keep trying", about_quitting=about_quitting)
        self.push_screen(question, answered)

    async def close_session(self) -> None:
        """Close the live session and go back to the home screen."""
        await self._release_session()
        self.session_title = ""
        self.pending_count = 0
        self.join_url = self.room_url = self.intake_problem = ""
        self.remove_class("-room-view")  # the start screen has no room to hide keys from
        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            await self.pop_screen()
        if isinstance(self.screen, HomeScreen):
            self.screen.show_sessions(self.store.list())
        else:
            await self.push_screen(self._home_screen())

    # -- live updates ----------------------------------------------------------------

    def _session_listener(self, change: Change) -> None:
        """Called for every mutation, on the event loop: record it, and post only if nothing will carry it.

        A posted message or a scheduled publish already takes every change
        recorded before it runs, so a burst of votes costs one message.
        """
        self._batch.add(change)
        if self._publish_timer is None and not self._change_posted:
            self._change_posted = True
            self.post_message(SessionChanged(change))

    def on_session_changed(self, message: SessionChanged) -> None:
        """Publish the batch to screens, at most once per PUBLISH_INTERVAL.

        Under a full room the loop could redraw after every few votes; nobody
        sees faster than this, and the time saved goes to answering phones.
        """
        self._change_posted = False
        if self._publish_timer is not None:
            return  # the scheduled publish will carry this change too
        wait = self._last_publish + PUBLISH_INTERVAL - time.monotonic()
        if wait > 0:
            self._publish_timer = self.set_timer(wait, self._publish_batch)
            return
        self._publish_batch()

    def _publish_batch(self) -> None:
        self._publish_timer = None
        self._last_publish = time.monotonic()
        batch, self._batch = self._batch, ChangeBatch()
        session = self.session
        if not batch or session is None:
            return
        if "comment" in batch.kinds:
            self.pending_count = self._count_pending()
        if "state" in batch.kinds:
            self.session_title = session.title
            self.intake_open = session.intake_open
            self.curtain = session.curtain
        if "console" in batch.kinds:
            self.console_paired = session.consoles.paired
        self.session_signal.publish(batch)

    def _collect_when_quiet(self) -> None:
        """A due full collection waits until the room has been still for a moment."""
        self.collector.collect_when_quiet(self._last_publish)

    def _count_pending(self) -> int:
        session = self.session
        return session.pending_count if session is not None else 0

    def _check_storage(self) -> None:
        """Poll the session's writer: show a failure while it lasts, and say when saving works again."""
        session = self.session
        failure = session.storage_failure if session is not None else None
        if session is not None:
            self.report.storage(str(failure) if failure is not None else "")
        if failure is not None:
            self._report_storage(str(failure), lasting=False)
        elif self.storage_problem and not self._storage_lasting and session is not None:
            self.storage_problem = ""
            self.notify("Saving works again; every change is on disk.", markup=False)

    def _report_storage(self, reason: str, *, lasting: bool = True) -> None:
        """Show a storage problem on every screen; `lasting` ones (a refused change) stay until the session closes."""
        reason = reason.rstrip(". ")
        message = f"Changes are not being saved: {reason}. Free some disk space; Involve keeps trying."
        if lasting:
            message = f"A change could not be saved: {reason}. Export the record and restart Involve."  # it stays in the session bar: no key named
        self._storage_lasting = self._storage_lasting or lasting
        if message != self.storage_problem:
            self.storage_problem = message
            self.notify(message, title="Saving failed", severity="error", timeout=15, markup=False)

    def _report_damage(self, damage: JournalDamage) -> None:
        """A damaged journal cost some changes: say so calmly, and what was kept.

        A headless run says it at once, in full (a run stopped straight after it starts
        still said it); on a screen the session bar shows it in short, plain words
        until the facilitator hides it (w): a notice that timed out could be missed."""
        if self.report.damage_found(damage.describe()):
            return
        self.damage_notice = damage.in_short()

    def action_dismiss_damage(self) -> None:
        """The facilitator has read the damage notice: take it off the projector (the next open says it again)."""
        self.damage_notice = ""

    def on_storage_failed(self, message: StorageFailed) -> None:
        self._report_storage(message.reason)

    # -- home screen requests --------------------------------------------------------

    @on(StartSession)
    async def _start_session(self, message: StartSession) -> None:
        try:
            template = self.library.find(message.template_name)
            assert template.path is not None
            session = self.store.create(
                template,
                template.path.read_text(encoding="utf-8"),
                title=message.title,
                facilitator=message.facilitator,
                baseline_id=message.baseline_id,
                hold_comments=self.config.hold_comments,
            )
        except (TemplateError, StorageError, OSError) as error:
            self.notify(str(error), title="Could not start the session", severity="error", markup=False)
            return
        await self.open_session(session, landing="lobby")

    @on(ResumeSession)
    async def _resume_session(self, message: ResumeSession) -> None:
        try:
            session = self.store.open(message.session_id)
        except (SessionNotFound, StorageError, TemplateError) as error:
            self.notify(str(error), title="Could not resume the session", severity="error", markup=False)
            return
        await self.open_session(session, landing="activity")

    # -- keys and commands -------------------------------------------------------------

    CURTAIN_KEEPS = frozenset({"curtain", "command_palette", "quit"})
    """What still works behind the curtain: lifting it (key or palette) and ctrl+q, which asks before quitting."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.curtain and action not in self.CURTAIN_KEEPS:
            return False
        if action == "curtain":
            return self.session is not None
        if action == "dismiss_damage":
            return bool(self.damage_notice)  # offered only while there is a notice to hide
        if action in ("lobby", "moderation", "export", "toggle_joining", "pair_console", "toggle_room_view"):
            if self.session is None:
                return False
            if isinstance(self.screen, ModalScreen):
                return None
        return True

    # -- the facilitator's console -------------------------------------------------------

    def action_pair_console(self) -> None:
        """Type the code the facilitator's phone shows; that phone becomes a console."""
        session = self.session
        if session is None:
            return
        room = self.room_url or ""
        address = f"{room.rstrip('/')}/console" if room else ""

        def paired(done: bool | None) -> None:
            if done:
                # No keys named: the room view comes with the console, and its `? keys` lists them.
                self.notify(
                    "Paired. Your phone opens the console in a moment; from now on the queue is shown here only if you say so."
                    + (" Then the projector shows the room's view." if self.config.room_view == "auto" else ""),
                    title="Console paired",
                    markup=False,
                )

        self.push_screen(PairingForm(session.consoles.pair, address), paired)

    def action_sign_out_consoles(self) -> None:
        session = self.session
        if session is None:
            return
        had = session.consoles.paired
        session.consoles.sign_out_all()
        self.console_paired = session.consoles.paired
        self.notify(
            with_key_hint(self, "Every console is signed out; waiting codes no longer work.", "Press k to pair again.") if had
            else "No console was signed in; waiting codes no longer work.",
            markup=False,
        )

    def _check_consoles(self) -> None:
        """A console's sign-in runs out without anyone acting; notice it."""
        session = self.session
        if session is not None:
            self.console_paired = session.consoles.paired

    def watch_console_paired(self, paired: bool) -> None:
        if self.config.room_view == "auto" and self.session is not None:
            # The facilitator's workings move to the phone, so the projector becomes the room's; unpaired, the keys come back.
            # At once, so what is said next about the console knows whether keys may be named.
            self.room_view = paired
        if paired:
            self.call_next(self._close_unasked_queue)

    # -- the room view -----------------------------------------------------------------

    def action_toggle_room_view(self) -> None:
        """Hide the key footer and the facilitator's hints from the projector, or bring them back."""
        if self.session is None:
            return
        self.room_view = not self.room_view
        if self.room_view:
            self.notify("Room view: the keys are hidden from the projector.", markup=False)  # its `? keys` lists them, z too

    def watch_room_view(self, on: bool) -> None:
        self.set_class(on, "-room-view")
        # Textual restyles only the screens on show: the activity under the lobby would come back with the old footer.
        for screen in self.screen_stack:
            screen.update_node_styles(animate=False)
        self.refresh_bindings()

    async def _close_unasked_queue(self) -> None:
        """A queue opened on the projector before a console was paired closes: nobody was asked.

        Screens above it (a question, a form) go with it; behind the curtain
        nothing is shown, so it waits until the curtain lifts.
        """
        if not self.console_paired or self.curtain:
            return
        queues = [s for s in self.screen_stack if isinstance(s, ModerationScreen) and not s.shown_by_choice]
        if not queues:
            return
        while any(s in self.screen_stack for s in queues) and len(self.screen_stack) > 1:
            await self.pop_screen()
        self.notify(with_key_hint(self, "Your console is paired: the queue left the projector.", "Press m to show it here."), markup=False)

    # -- the curtain -------------------------------------------------------------------

    def action_curtain(self) -> None:
        """Blank the projector at once (or bring everything back); the same key does both."""
        session = self.session
        if session is None:
            return
        try:
            session.set_curtain(not session.curtain)
        except StorageError as error:
            self._report_storage(str(error))
            return
        self.curtain = session.curtain  # at once, not at the next redraw

    def get_system_commands(self, screen):
        """Textual's own palette entries (keys, screenshot, theme), except behind the curtain; Quit says that it asks."""
        if self.curtain:
            return
        for command in super().get_system_commands(screen):
            if command.callback == self.action_quit:
                command = command._replace(help=QUIT_HELP)
            yield command

    def _curtain_screen(self) -> CurtainScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, CurtainScreen):
                return screen
        return None

    async def watch_curtain(self, drawn: bool) -> None:
        shown = self._curtain_screen()
        if drawn and shown is None:
            await self.push_screen(CurtainScreen(self.session_title))
        elif not drawn and shown is not None:
            # Only the palette can be opened above the curtain; it goes with it.
            while self._curtain_screen() is not None and len(self.screen_stack) > 1:
                await self.pop_screen()
            await self._close_unasked_queue()
        self.refresh_bindings()

    def activity_screen(self):
        for screen in reversed(self.screen_stack):
            if isinstance(screen, ActivityScreen):
                return screen
        return None

    async def action_lobby(self) -> None:
        await self._toggle_overlay(LobbyScreen)

    async def action_moderation(self) -> None:
        """Open the queue (or close it), always asking first: this screen is the room's.

        The room is told comments are read before anyone else sees them, so waiting and
        hidden text reach this screen only when the facilitator says so, every time;
        the question itself shows how many wait, never what they say.
        """
        session = self.session
        if session is None:
            return
        if isinstance(self.screen, ModerationScreen):
            await self._toggle_overlay(ModerationScreen)
            return
        paired = self.console_paired

        async def answered(yes: bool | None) -> None:
            if yes and self.session is session:
                await self._toggle_overlay(ModerationScreen)
                if isinstance(self.screen, ModerationScreen):
                    # Asked with a console paired: pairing later does not take it away.
                    self.screen.shown_by_choice = paired
            elif not yes:
                if self.console_paired:
                    self.notify("The queue stays on your console.", markup=False)
                else:
                    self.notify(with_key_hint(self, "The queue stays closed.", "Pair your phone (k) to moderate where the room cannot see."), markup=False)

        waiting = pending_label(session.pending_count).plain
        elsewhere = (
            "Your console is paired: moderate there instead."
            if paired
            else with_key_hint(self, "To moderate where the room cannot see, pair your phone or a browser on an unprojected screen", "(k)") + "."
        )
        self.push_screen(
            ConfirmScreen("The room can see this screen. Show the queue here?", f"{waiting}. {elsewhere}", yes="Show it here", no="Not here"),
            answered,
        )

    async def _toggle_overlay(self, overlay: type[LobbyScreen] | type[ModerationScreen]) -> None:
        """The same key opens the lobby (or the queue) and closes it again."""
        if self.session is None:
            return
        if isinstance(self.screen, overlay):
            self.screen.dismiss()
            return
        await self._pop_overlays()
        await self.push_screen(overlay(self.session))

    async def _pop_overlays(self) -> None:
        """Leave lobby or moderation before opening the other, so Escape always leads back to the activity."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ActivityScreen) and self.activity_screen() is not None:
            if isinstance(self.screen, ModalScreen):
                break
            await self.pop_screen()

    def action_export(self) -> list[Path]:
        """Write the record in every format and say where it went."""
        session = self.session
        if session is None:
            return []
        from exports import export_session

        baseline = self.open_baseline(quiet=True)
        try:
            paths = export_session(session, list(EXPORT_FORMATS), self.config.export_dir, baseline=baseline)
        except (OSError, StorageError, ValueError) as error:
            self.notify(f"Could not write the record: {error}", title="Export failed", severity="error", timeout=12, markup=False)
            return []
        finally:
            if baseline is not None:
                baseline.close()
        folder = paths[0].parent if paths else self.config.export_dir
        names = ", ".join(path.name for path in paths)
        self.notify(f"Record written to {folder}: {names}", title="Exported", timeout=12, markup=False)
        return paths

    def open_baseline(self, *, quiet: bool = False) -> LiveSession | None:
        session = self.session
        baseline_id = session.meta.get("baseline_id") if session is not None else ""
        if not baseline_id:
            return None
        try:
            return self.store.open(baseline_id, readonly=True)
        except SessionNotFound:
            if not quiet:
                self.notify(earlier_session_absent(baseline_id), severity="warning", markup=False)
            return None
        except (StorageError, TemplateError) as error:
            if not quiet:
                self.notify(f"The earlier session cannot be opened: {error}", severity="error", markup=False)
            return None

    def action_review(self) -> None:
        if self.session is None:
            return
        if not self.session.meta.get("baseline_id"):
            self.notify("This session has no earlier session to compare with. Start one with a baseline to review progress.", markup=False)
            return
        baseline = self.open_baseline()
        if baseline is None:
            return
        self.push_screen(ReviewScreen(baseline, self.session), lambda _result: baseline.close())

    def action_reveal(self) -> None:
        screen = self.activity_screen()
        if screen is not None:
            screen.action_reveal()

    def action_reset_activity(self) -> None:
        session = self.session
        if session is None:
            return
        activity = session.current_activity
        if not activity.votable:
            self.notify("This activity has no votes or tallies to reset.", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes and self.session is session:
                try:
                    session.reset_activity(activity.id)
                except StorageError as error:
                    self._report_storage(str(error))
                    return
                self.notify("Votes and hand counts for this activity were cleared; comments stay.", markup=False)

        self.push_screen(
            ConfirmScreen(
                f"Clear every vote and hand count for “{activity.title}”?",
                "Comments and targets stay. This cannot be undone.",
                yes="Clear them",
                no="Keep them",
            ),
            answered,
        )

    def action_set_intake(self, is_open: bool) -> None:
        session = self.session
        if session is None:
            return
        try:
            session.set_intake_open(is_open)
        except StorageError as error:
            self._report_storage(str(error))
            return
        self.notify("Phones can answer again." if is_open else "Phone answers are closed; phones show a notice.", markup=False)

    def action_toggle_joining(self) -> None:
        session = self.session
        if session is None:
            return
        self.action_set_joining(not session.joining_open)

    def action_set_joining(self, is_open: bool) -> None:
        """Close the door to new phones (or open it again); people already in keep answering."""
        session = self.session
        if session is None:
            return
        try:
            session.set_joining_open(is_open)
        except StorageError as error:
            self._report_storage(str(error))
            return
        self.refresh_bindings()
        self.notify(
            "Joining is open again: new phones can join." if is_open
            else "Joining is closed: new phones are turned away; people already in keep answering.",
            markup=False,
        )

    async def _quit(self) -> None:
        await self._release_session()
        status = 1 if self.unsaved_at_exit or self.report.status else 0
        self.exit(status, return_code=status)

    def action_command_palette(self) -> None:
        """ctrl+p opens our palette, and only one: Textual checks only the top screen, so ctrl+p over
        a question asked from the palette pushed a second one with the same id, and the app closed."""
        if self.use_command_palette and palette_in(self.screen_stack) is None:
            self.push_screen(InvolvePalette(id="--command-palette"))

    async def action_quit(self) -> None:
        """ctrl+q and the palette's Quit ask what `q` asks: Textual's own quit would leave at once, saved or not."""
        if isinstance(self.screen, InvolvePalette):  # ctrl+q typed in the palette: the question replaces it
            self.screen.close()
        await self.action_request_quit()

    async def action_request_quit(self) -> None:
        """Quit, but only say "saved" when it is: while saving fails, offer to keep trying instead."""
        if isinstance(self.screen, ConfirmScreen) and self.screen.about_quitting:
            return  # the question is already up: a second key press must not stack a second one
        reason = await self._unsaved_reason()
        if reason:
            self._offer_to_keep_trying(reason, self._quit, about_quitting=True)
            return

        async def answered(yes: bool | None) -> None:
            if not yes:
                return
            late = await self._unsaved_reason()
            if late:  # the disk refused something while the question was up
                self._offer_to_keep_trying(late, self._quit, about_quitting=True)
                return
            await self._quit()

        if self.session is None:
            detail = ""
        elif self.demo_speed is not None:  # a rehearsal's folder is removed on the way out
            detail = "This was a rehearsal: nothing in it is kept."
        else:
            detail = "Everything is saved. Reopen it later with: involve resume"
        self.push_screen(ConfirmScreen("Quit Involve?", detail, yes="Quit", no="Stay", about_quitting=True), answered)

    async def action_request_close(self) -> None:
        if self.session is None:
            return
        reason = await self._unsaved_reason()
        if reason:
            self._offer_to_keep_trying(reason, self.close_session)
            return

        async def answered(yes: bool | None) -> None:
            if not yes:
                return
            late = await self._unsaved_reason()
            if late:
                self._offer_to_keep_trying(late, self.close_session)
                return
            await self.close_session()

        self.push_screen(ConfirmScreen("Close this session and go back to the start?", "It is saved; you can resume it from the start screen."), answered)

    def action_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_use_theme(self, name: str) -> None:
        self.theme = name
