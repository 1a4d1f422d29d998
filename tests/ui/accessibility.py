"""axe-core (npm ``axe-core``, installed in tests/js by ``make js``) run inside a real page.

Only WCAG 2.0/2.1 level A and AA rules run, and only serious or critical violations count:
what a test asserts is that this list is empty. Also here: how the widgets fit a phone's
width (``PHONE``, ``SIDEWAYS``, ``CUT``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
RUN = """async (include) => {
    const context = include ? { include: include.map((selector) => [selector]) } : document;
    const result = await window.axe.run(context, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        resultTypes: ["violations"],
    });
    return result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.slice(0, 6).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
        }));
}"""


def serious_violations(page: Page, include: list[str] | None = None) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2 A/AA violations in ``page`` (or inside the
    elements matching ``include``)."""
    assert AXE.exists(), f"{AXE} is missing: run `make js` (npm ci in tests/js)"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN, include)
    return found


# A phone's viewport, and two checks of how the widgets fit it (or any width).
PHONE = {"width": 390, "height": 844}
# Elements inside the widgets whose content is wider than their box (a cut word, "Sign...").
CUT = """() => [...document.querySelectorAll(
        '.aw-root *, .aw-table-view button, .aw-table-view .widget-label')]
    .filter((el) => el.offsetParent !== null && el.clientWidth > 2  // not 1 px hidden text
            && el.scrollWidth > el.clientWidth + 1
            && getComputedStyle(el).overflowX !== 'visible')
    .map((el) => el.className + ': ' + el.textContent.trim().slice(0, 40))"""
# How far the page reaches past the right edge (Voila scrolls inside an element of the page).
SIDEWAYS = """() => {
    const width = document.documentElement.clientWidth;
    let worst = document.documentElement.scrollWidth - width;
    for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.width && box.height) worst = Math.max(worst, box.right - width);
        if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'auto') {
            worst = Math.max(worst, el.scrollWidth - el.clientWidth);
        }
    }
    return worst;
}"""
