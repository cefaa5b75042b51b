"""`involve resume --auto-approve` shows phones' comments at once, even in a session
that was created holding them for the facilitator."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bench._headless import ChildServer, app_command, app_env, headless_app, prepare_session
from sessions import CommentState, SessionStore
from sessions.intake import DEVICE_HEADER


async def _comment(url: str, text: str = "Shown at once") -> str:
    base, token = url.rsplit("/j/", 1)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/api/join", json={"join_token": token}) as response:
            device = (await response.json())["token"]
        async with http.post(f"{base}/api/comment", json={"activity_id": "spectrum", "text": text}, headers={DEVICE_HEADER: device}) as response:
            assert response.status == 200
            return (await response.json())["comment"]["state"]


async def test_resume_with_auto_approve_approves_a_held_session(tmp_path: Path) -> None:
    session_id = prepare_session(tmp_path, "where-are-we", "spectrum", hold_comments=True)
    app = headless_app(tmp_path, "resume", session_id)
    await app.start()
    try:
        assert await _comment(app.url) == "approved"
    finally:
        assert await app.stop() == 0
    session = SessionStore(tmp_path / "sessions").open(session_id, readonly=True)
    try:
        assert [c.state for c in session.comments.values()] == [CommentState.APPROVED]
    finally:
        session.close()


async def test_resume_without_it_keeps_holding(tmp_path: Path) -> None:
    session_id = prepare_session(tmp_path, "where-are-we", "spectrum", hold_comments=True)
    command = app_command("resume", session_id, "--headless", "--host", "127.0.0.1", "--port", "0")
    app = ChildServer(command, env=app_env(tmp_path), cwd=tmp_path)
    await app.start()
    try:
        assert await _comment(app.url) == "pending"
    finally:
        assert await app.stop() == 0


async def test_auto_approve_never_approves_a_flagged_comment(tmp_path: Path) -> None:
    session_id = prepare_session(tmp_path, "where-are-we", "spectrum", hold_comments=True)
    app = headless_app(tmp_path, "resume", session_id)
    await app.start()
    try:
        assert await _comment(app.url, "Some days I have thought about ending it.") == "pending"
        assert await _comment(app.url, "More tea breaks please") == "approved"
    finally:
        assert await app.stop() == 0
    session = SessionStore(tmp_path / "sessions").open(session_id, readonly=True)
    try:
        flagged = [c for c in session.comments.values() if c.flags]
        assert [(c.state, c.flags) for c in flagged] == [(CommentState.PENDING, ("suicide",))]
    finally:
        session.close()
