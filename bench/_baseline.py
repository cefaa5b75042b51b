"""The floor the intake is measured against: aiohttp answering a POST and doing nothing else.

It serves the same paths the phone intake serves and answers with JSON of the
same shape, but never parses, validates or saves anything. Whatever the real
intake costs on top of this is the price of doing the work.

    python -m bench._baseline --port 0      # prints "url: http://127.0.0.1:PORT/j/TOKEN"
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys

from aiohttp import web

JOIN_TOKEN = "baseline"
_JOINED = json.dumps({"participant": {"id": "000000000000"}, "token": "baseline-device"}).encode()
_OK = b'{"ok": true}'


async def _answer(request: web.Request) -> web.Response:
    await request.read()
    body = _JOINED if request.path == "/api/join" else _OK
    return web.Response(body=body, content_type="application/json")


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/{tail:.*}", _answer)
    return app


async def _serve(host: str, port: int) -> None:
    runner = web.AppRunner(make_app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=256)
    await site.start()
    bound = runner.addresses[0][1]
    print(f"url: http://{host}:{bound}/j/{JOIN_TOKEN}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._baseline", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        parser.error("the baseline listens on loopback only")
    asyncio.run(_serve(args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
