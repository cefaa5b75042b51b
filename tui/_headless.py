"""A live session with no screen: the phone page runs, the terminal shows one line.

Used for benchmarks, for tests that drive the session over HTTP, and for a
facilitator who projects the phone page from elsewhere. It prints exactly
`join: URL` once the phone page listens, then runs until SIGINT or SIGTERM,
and closes the session (compacting its store) before it exits.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Callable, TextIO

from sessions import StorageError

from ._config import Config

__all__ = ["run_headless", "serve_headless"]


def run_headless(config: Config, request) -> int:
    return asyncio.run(serve_headless(config, request))


async def serve_headless(
    config: Config,
    request,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stop: asyncio.Event | None = None,
    server_factory: Callable[..., object] | None = None,
) -> int:
    """Run the session named by `request` until `stop` is set or a stop signal arrives."""
    from .app import default_server_factory, prepare_launch

    out = out or sys.stdout
    err = err or sys.stderr
    if request.mode not in ("run", "resume", "demo"):
        err.write("involve: --headless needs a session: use `involve run TEMPLATE --headless` or `involve resume --headless`\n")
        err.flush()
        return 2
    launch = prepare_launch(config, request)
    session = launch.session
    assert session is not None
    factory = server_factory or default_server_factory
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
            handled.append(signum)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - not on the main thread / Windows
            pass
    demo_task: asyncio.Task | None = None
    watch_task: asyncio.Task | None = None
    server = None
    status = 0
    try:
        from sessions.intake import IntakeError

        server = factory(session, host=config.intake_host, port=config.intake_port, public_url=config.public_url)
        try:
            url = await server.start()
        except IntakeError as error:
            err.write(f"involve: {error}\n")
            err.flush()
            server = None
            return 2
        out.write(f"join: {url}\n")
        out.flush()
        if launch.demo:
            from ._demo import DemoRoom

            demo_task = asyncio.create_task(DemoRoom(session, speed=request.speed).run())
        watch_task = asyncio.create_task(_watch_storage(session, err))
        await stop.wait()
    finally:
        for task in (demo_task, watch_task):
            if task is not None:
                task.cancel()
                try:
                    await task
                except (asyncio.CancelledError, Exception):
                    pass
        if server is not None:
            await server.stop()
        for signum in handled:
            loop.remove_signal_handler(signum)
        try:
            session.close()
        except StorageError as error:
            err.write(f"involve: the last changes could not be saved: {error}\n")
            err.flush()
            status = 1
        launch.session = None
        launch.cleanup()
    return status


async def _watch_storage(session, err: TextIO) -> None:
    """Say once on stderr when saving fails, and again when it recovers."""
    failing = False
    while True:
        await asyncio.sleep(1.0)
        failure = session.storage_failure
        if failure is not None and not failing:
            err.write(f"involve: changes are not being saved: {failure}\n")
            err.flush()
            failing = True
        elif failure is None and failing:
            err.write("involve: saving works again\n")
            err.flush()
            failing = False
