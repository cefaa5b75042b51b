"""The real app, run headless in a child process, as the benchmarks and fault drills see it.

`prepare_session` makes a session of a built-in template and moves it to a
votable activity, exactly as a facilitator would before the room starts
voting; `HeadlessApp` then resumes it with
`python -m tui resume ID --headless --host 127.0.0.1 --port 0 --auto-approve`
and reads the `join: URL` line the app prints once it is listening.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_TICKS = os.sysconf("SC_CLK_TCK")


def app_env(data_dir: Path) -> dict[str, str]:
    """The environment for a child app: its own data folder, this checkout on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INVOLVE_")}
    env["INVOLVE_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def app_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tui", *args]


def prepare_session(data_dir: Path, template: str = "where-are-we", activity: str = "spectrum", *, hold_comments: bool = False) -> str:
    """Create a session of `template`, open at `activity`; returns its id."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from sessions import SessionStore, TemplateLibrary

    found = TemplateLibrary(data_dir / "templates").find(template)
    assert found.path is not None
    store = SessionStore(data_dir / "sessions")
    session = store.create(found, found.path.read_text(encoding="utf-8"), title="Benchmark room", hold_comments=hold_comments)
    try:
        ids = [a.id for a in session.template.activities]
        session.go_to(ids.index(activity))
        session.sync()
        return session.id
    finally:
        session.close()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a live process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class ChildServer:
    """A server in a child process that prints one `<prefix> URL` line once it listens."""

    def __init__(
        self, command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, prefix: str = "join: ", log: Path | None = None
    ) -> None:
        self.command = command
        self.env = env
        self.cwd = cwd
        self.prefix = prefix
        self.log = log
        self.url = ""
        self.process: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self._drain: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self, timeout: float = 30.0) -> str:
        stderr = self.log.open("ab") if self.log else asyncio.subprocess.DEVNULL
        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                env=self.env,
                cwd=self.cwd,
            )
        finally:
            if self.log:
                stderr.close()  # type: ignore[union-attr]
        try:
            self.url = await asyncio.wait_for(self._read_url(), timeout)
        except BaseException:
            await self.kill()
            raise
        self._drain = asyncio.create_task(self._read_rest())
        return self.url

    async def _read_url(self) -> str:
        assert self.process is not None and self.process.stdout is not None
        while True:
            raw = await self.process.stdout.readline()
            if not raw:
                code = await self.process.wait()
                raise RuntimeError(f"{' '.join(self.command[1:])} exited with {code} before listening: {self.lines[-5:]}")
            line = raw.decode(errors="replace").strip()
            self.lines.append(line)
            if line.startswith(self.prefix):
                return line[len(self.prefix):].strip()

    async def _read_rest(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        while raw := await self.process.stdout.readline():
            self.lines.append(raw.decode(errors="replace").rstrip())

    async def kill(self) -> int:
        """kill -9: no clean-up of any kind, as when the laptop's power goes."""
        return await self._end(signal.SIGKILL, 10.0)

    async def stop(self, timeout: float = 15.0) -> int:
        """Ask it to stop as Ctrl-C would; kill it if it does not within `timeout`."""
        return await self._end(signal.SIGTERM, timeout)

    async def _end(self, signum: int, timeout: float) -> int:
        process = self.process
        if process is None:
            return 0
        if process.returncode is None:
            try:
                process.send_signal(signum)
            except ProcessLookupError:
                pass
            try:
                await asyncio.wait_for(process.wait(), timeout)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._drain is not None:
            await asyncio.wait_for(self._drain, 5.0)
        return process.returncode if process.returncode is not None else 0


def headless_app(data_dir: Path, *args: str, log: Path | None = None) -> ChildServer:
    """`python -m tui ARGS --headless --host 127.0.0.1 --port 0 --auto-approve` on its own data folder."""
    flags = ("--headless", "--host", "127.0.0.1", "--port", "0", "--auto-approve")
    return ChildServer(app_command(*args, *flags), env=app_env(data_dir), cwd=data_dir, log=log)


def baseline_server(*args: str) -> ChildServer:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    return ChildServer([sys.executable, "-m", "bench._baseline", "--port", "0", *args], env=env, cwd=REPO, prefix="url: ")
