"""axe-core in a real browser: the WCAG 2.2 AA check every page test shares.

axe-core comes from the npm registry (the package the accessibility world
maintains; no Python port keeps up with it). It is installed once into
`.cache/axe-core` under the repository, by `.ci/run` in CI and by the first
test that needs it elsewhere, so the README's test command needs nothing more.

Pages keep their strict Content-Security-Policy, so the script is injected
into a browser context opened with `bypass_csp=True`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

AXE_VERSION = "4.11"
ROOT = Path(__file__).resolve().parent.parent
AXE_PREFIX = ROOT / ".cache" / "axe-core"
AXE_SCRIPT = AXE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
# Every success criterion up to WCAG 2.2 at levels A and AA.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN_AXE = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary.replace(/\\s+/g, ' ')).slice(0, 5),
  }));
}
"""


IS_LOADED = "() => typeof window.axe !== 'undefined'"


def _source(script: Path) -> str:
    # Evaluated by the browser's debugging protocol rather than added as a <script>, so it also
    # runs on a page opened with JavaScript turned off; `bypass_csp=True` covers pages with it on.
    return script.read_text(encoding="utf-8") + "\n;true"


def axe_script() -> Path | None:
    """The path of axe.min.js, installing it with npm when it is missing; None when that cannot be done."""
    override = os.environ.get("INVOLVE_AXE_SCRIPT")
    if override:
        return Path(override) if Path(override).is_file() else None
    if AXE_SCRIPT.is_file():
        return AXE_SCRIPT
    npm = shutil.which("npm")
    if npm is None:
        return None
    AXE_PREFIX.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(AXE_PREFIX), f"axe-core@{AXE_VERSION}"],
        check=False,
        capture_output=True,
        timeout=300,
    )
    return AXE_SCRIPT if AXE_SCRIPT.is_file() else None


def describe(violations: list[dict[str, Any]]) -> str:
    """One readable block per violation, for an assertion message."""
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in violations)


async def axe_violations(page: Any, script: Path) -> list[dict[str, Any]]:
    """WCAG 2.2 AA violations on an async Playwright page (its context opened with bypass_csp=True).

    axe needs the page's timers, which a context with JavaScript turned off never runs; for
    such a page, pass it to `axe_violations_without_js` instead.
    """
    if not await page.evaluate(IS_LOADED):
        await page.evaluate(_source(script))
    return await page.evaluate(RUN_AXE, WCAG_AA_TAGS)


async def axe_violations_without_js(page: Any, script: Path) -> list[dict[str, Any]]:
    """Check a page shown with JavaScript off: its DOM is served, as it stands, to a twin page
    that may run axe but none of the page's own scripts, at the same address and size."""
    html = await page.content()
    url = page.url
    twin_context = await page.context.browser.new_context(viewport=page.viewport_size, bypass_csp=True)
    try:
        twin = await twin_context.new_page()

        async def serve(route: Any) -> None:
            if route.request.url == url:
                await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            elif route.request.resource_type == "script":
                await route.abort()
            else:
                await route.continue_()

        await twin.route("**/*", serve)
        await twin.goto(url)
        return await axe_violations(twin, script)
    finally:
        await twin_context.close()


def axe_violations_sync(page: Any, script: Path) -> list[dict[str, Any]]:
    """The same check on a sync Playwright page with JavaScript on."""
    if not page.evaluate(IS_LOADED):
        page.evaluate(_source(script))
    return page.evaluate(RUN_AXE, WCAG_AA_TAGS)
