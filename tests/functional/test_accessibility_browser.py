"""axe-core's WCAG 2.2 AA rules on every phone page and on the HTML record, in Debian's Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from accessibility import axe_violations, axe_violations_without_js, describe
from conftest_intake import GRID, INDICATORS, QUESTIONS, SPECTRUM, TARGETS
from sessions import LiveSession
from sessions.intake import IntakeServer

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
async def test_every_phone_page_meets_wcag_22_aa(
    browser: Any, server: IntakeServer, live_session: LiveSession, axe_script_path: Path, javascript: bool
) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(
        viewport={"width": 360, "height": 740}, bypass_csp=True, java_script_enabled=javascript
    )
    page = await context.new_page()
    live_session.add_target("targets", "Co-written care plans", owner="Ward manager", review_date="2027-01-31")
    found: dict[str, str] = {}

    async def check(name: str) -> None:
        check_page = axe_violations if javascript else axe_violations_without_js
        violations = await check_page(page, axe_script_path)
        if violations:
            found[name] = describe(violations)

    await page.goto(server.room_url)
    await check("room-code")
    await page.goto(server.join_url)
    await check("join")
    await page.get_by_role("button", name="Join").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Welcome")
    await check("info")
    for index, name in ((SPECTRUM, "spectrum"), (GRID, "grid"), (INDICATORS, "indicators"), (QUESTIONS, "questions"), (TARGETS, "targets")):
        live_session.go_to(index)
        await page.goto(server.room_url + "s")
        await expect(page.locator("body")).to_have_attribute("data-version", re.compile(rf"^{index}\."))
        await check(name)
    await context.close()
    assert not found, "\n\n".join(f"{name}:\n{text}" for name, text in found.items())


async def test_the_check_finds_what_it_is_for(browser: Any, axe_script_path: Path) -> None:
    """An unlabelled field and grey-on-white text are reported, so a clean page means something."""
    context = await browser.new_context(bypass_csp=True)
    page = await context.new_page()
    await page.set_content('<html lang="en"><title>t</title><main><input><p style="color:#bbb">faint</p></main></html>')
    found = {v["id"] for v in await axe_violations(page, axe_script_path)}
    await context.close()
    assert {"label", "color-contrast"} <= found
