"""The query page in headless Chromium: it loads offline (only our own URLs), and runs an example query.

Drives Debian's ``chromium`` through tests/devtools.py; skipped, with the reason shown, only where it is missing.
"""

from __future__ import annotations

from tests.devtools import DevTools, browser, needs_chromium
from tests.endpoint.endpoint_support import RunningServer

pytestmark = needs_chromium
__all__ = ["browser"]  # the fixture, imported for pytest


def test_query_page_runs_an_example(server: RunningServer, browser: DevTools) -> None:
    browser.send("Network.enable")
    browser.send("Page.enable")
    browser.send("Page.navigate", url=server.base + "/")
    browser.wait_for("typeof window.mscpoYasgui !== 'undefined' && !!window.mscpoYasgui.getTab().getYasqe()")
    assert "Which factors mediate angiogenesis-mediated repair?" in browser.evaluate(
        "document.body.innerText"
    )
    browser.evaluate("document.querySelector('[data-example=\"0\"]').click()")
    text = browser.wait_for(
        "(() => { const t = document.querySelector('.yasr'); return t && "
        "t.innerText.includes('vascular endothelial growth factor A') ? t.innerText : ''; })()"
    )
    assert "kg/finding/F09" in text or "F09" in text
    requested = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert any(url.startswith(server.endpoint) for url in requested), requested
    outside = [url for url in requested if not url.startswith((server.base, "data:", "blob:", "about:"))]
    assert outside == [], f"the page fetched from outside the server: {outside}"
