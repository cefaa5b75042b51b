"""The floor the intake is measured against: aiohttp answering and doing nothing else.

It serves the same paths the phone intake serves, with answers of the same
shape, but never parses, validates or saves anything: a POST of JSON gets a
fixed JSON body, a form POST a 303 to where the real page would send the
phone, and a GET a fixed page (by default a small one; `--pages DIR` serves
the bytes of real activity pages, `page.html`, and `saved.html` and
`commented.html` for the pages shown after an answer or a comment, so both
servers send as much) or a fixed style sheet. Whatever the real intake costs on top of this is the price of
doing the work.

    python -m bench._baseline --port 0      # prints "url: http://127.0.0.1:PORT/j/TOKEN"
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path

from aiohttp import web

JOIN_TOKEN = "baseline"
_JOINED = json.dumps({"participant": {"id": "000000000000"}, "token": "baseline-device"}).encode()
_OK = b'{"ok": true, "summary": "Saved: 5", "version": "1.spectrum.11"}'
_PAGE = b'<!doctype html><html><head><link rel="stylesheet" href="/static/intake.css?v=1"></head><body><p>Saved</p></body></html>'
_STATIC = b"body { font-size: 1.2rem; }\n" * 100
_AFTER = {"/s/answer": "/s?saved=1", "/s/comment": "/s?commented=1"}


def make_app(pages: dict[str, bytes] | None = None) -> web.Application:
    pages = pages or {}
    page = pages.get("page", _PAGE)
    after = {"saved": pages.get("saved", page), "commented": pages.get("commented", page)}

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        if request.content_type == "application/x-www-form-urlencoded":
            response = web.Response(status=303, headers={"Location": _AFTER.get(request.path, "/s")})
            if request.path.startswith("/j/"):
                response.set_cookie("involve_device", "baseline-device", httponly=True, samesite="Strict")
            return response
        body = _JOINED if request.path == "/api/join" else _OK
        return web.Response(body=body, content_type="application/json")

    async def get(request: web.Request) -> web.Response:
        if request.path.startswith("/static/"):
            return web.Response(body=_STATIC, content_type="text/css", headers={"Cache-Control": "public, max-age=31536000, immutable"})
        if request.path.startswith("/api/"):
            return web.Response(body=_OK, content_type="application/json")
        shown = next((body for key, body in after.items() if key in request.query), page)
        return web.Response(body=shown, content_type="text/html")

    app = web.Application()
    app.router.add_post("/{tail:.*}", answer)
    app.router.add_get("/{tail:.*}", get)
    return app


async def _serve(host: str, port: int, pages: dict[str, bytes]) -> None:
    runner = web.AppRunner(make_app(pages), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=1024)
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
    parser.add_argument("--pages", type=Path, help="a folder of page.html, saved.html and commented.html to serve")
    args = parser.parse_args(argv)
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        parser.error("the baseline listens on loopback only")
    pages = {path.stem: path.read_bytes() for path in args.pages.glob("*.html")} if args.pages else {}
    asyncio.run(_serve(args.host, args.port, pages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
