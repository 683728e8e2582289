"""The front in headless Chromium: search → entity page, browse → filtered table → CSV, and the issue's
done-when path ("angiogenesis" → the mechanism page → the findings table, in at most three clicks).

Screenshots go to ``MSCPO_SCREENSHOTS`` (docs/ when the docs are refreshed), else to the test's temporary folder.
"""

from __future__ import annotations

import csv
import io
import json
import os
import urllib.parse
from pathlib import Path

import pytest

from tests.devtools import DevTools, browser, needs_chromium
from tests.front.front_support import RunningServer

pytestmark = needs_chromium
__all__ = ["browser"]  # the fixture, imported for pytest

M = "https://w3id.org/mscpo/MSCPO_"


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MSCPO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_page(browser: DevTools, url: str) -> None:
    browser.send("Network.enable")
    browser.send("Page.enable")
    browser.send("Emulation.setDeviceMetricsOverride", width=1280, height=860, deviceScaleFactor=1, mobile=False)
    browser.send("Page.navigate", url=url)
    browser.wait_for("document.readyState === 'complete' && !!document.querySelector('form.search-form')")


def click(browser: DevTools, selector: str) -> None:
    """A real click (mouse events at the element's centre), then wait for the next page to load."""
    before = browser.evaluate("location.href")
    box = browser.evaluate(
        f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
        " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
    )
    assert box, f"nothing to click at {selector}"
    for kind in ("mousePressed", "mouseReleased"):
        browser.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)
    browser.wait_for(f"location.href !== {json.dumps(before)} && document.readyState === 'complete'")


def type_text(browser: DevTools, text: str) -> None:
    browser.evaluate("document.querySelector('form.search-form input[name=q]').focus()")
    browser.send("Input.insertText", text=text)


def sparql(server: RunningServer, query: str) -> list[dict[str, str]]:
    _, _, body = server.get("/sparql?" + urllib.parse.urlencode({"query": query}),
                            {"Accept": "application/sparql-results+json"})
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(body)["results"]["bindings"]]


def assert_offline(browser: DevTools, server: RunningServer) -> None:
    outside = [u for u in browser.requested() if not u.startswith((server.base, "data:", "blob:", "about:"))]
    assert outside == [], f"the page fetched from outside the server: {outside}"


def table(browser: DevTools) -> list[dict[str, str]]:
    return browser.evaluate(
        "[...document.querySelectorAll('table.findings-table tbody tr')].map(tr => Object.fromEntries("
        "[...tr.querySelectorAll('td')].map(td => [td.className, td.innerText.trim()])))"
    )


def test_angiogenesis_to_the_filtered_findings_table_in_three_clicks(
    server: RunningServer, browser: DevTools, shots: Path
) -> None:
    open_page(browser, server.base + "/")
    clicks = 0
    type_text(browser, "angiogenesis")
    browser.wait_for("document.querySelectorAll('#suggestions li[role=option]').length > 0")
    groups = browser.evaluate("[...document.querySelectorAll('#suggestions li.group')].map(li => li.textContent)")
    assert "Mechanisms" in groups
    browser.screenshot(shots / "front-suggestions.png")
    # the first suggestion in the mechanisms group
    browser.evaluate(
        "(() => { const items = [...document.querySelectorAll('#suggestions li')];"
        " const start = items.findIndex(li => li.classList.contains('group') && li.textContent === 'Mechanisms');"
        " items[start + 1].querySelector('a').id = 'first-mechanism'; })()"
    )
    mechanism_path = browser.evaluate("new URL(document.getElementById('first-mechanism').href).pathname")
    click(browser, "#first-mechanism")
    clicks += 1
    assert browser.evaluate("location.pathname") == mechanism_path
    iri = "https://w3id.org/mscpo" + mechanism_path
    browser.screenshot(shots / "front-mechanism.png")
    click(browser, "a.findings-link[data-dimension=mechanism]")
    clicks += 1
    assert browser.evaluate("location.pathname") == "/findings"
    assert "mechanism=MSCPO%3A" in browser.evaluate("location.search")
    browser.send("Emulation.setDeviceMetricsOverride", width=1600, height=900, deviceScaleFactor=1, mobile=False)
    browser.screenshot(shots / "front-findings.png")
    assert clicks <= 3
    rows = table(browser)
    expected = sparql(server, f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?f ?factor ?direction ?citation WHERE {{
          ?f a <{M}0000001> ; <{M}0001004> ?m ; <{M}0001012> ?d ; <{M}0001013> ?pub .
          ?m rdfs:subClassOf* <{iri}> . ?d rdfs:label ?direction .
          OPTIONAL {{ ?f <{M}0001001> ?x . ?x rdfs:label ?factor }}
          OPTIONAL {{ ?pub <http://purl.org/dc/terms/bibliographicCitation> ?citation }} }}""")
    findings = {e["f"] for e in expected}
    assert len(rows) == len(findings) > 0
    shown_factors = {line for r in rows for line in r["factor"].splitlines()}
    assert shown_factors == {e["factor"] for e in expected if "factor" in e}
    for row in rows:
        assert row["direction"] in {e["direction"] for e in expected}
        assert row["publication"], row
    assert_offline(browser, server)


def test_search_results_page_to_the_entity_page(server: RunningServer, browser: DevTools, shots: Path) -> None:
    open_page(browser, server.base + "/browse")
    type_text(browser, "P98066")
    click(browser, "form.search-form button[type=submit]")  # the plain form: no suggestion chosen
    assert browser.evaluate("location.pathname + location.search") == "/search?q=P98066"
    browser.screenshot(shots / "front-search.png")
    assert browser.evaluate("document.querySelector('section.results').dataset.kind") == "factor"
    click(browser, "section.results[data-kind=factor] li a")
    assert browser.evaluate("location.pathname") == "/MSCPO_0000107"
    assert browser.evaluate("document.querySelector('h1').innerText") == "TNF alpha induced protein 6"
    assert "TSG-6" in browser.evaluate("document.querySelector('.synonyms').innerText")
    assert_offline(browser, server)


def test_keyboard_suggestion_opens_the_entity_page(server: RunningServer, browser: DevTools) -> None:
    open_page(browser, server.base + "/findings")
    type_text(browser, "TSG-6")
    browser.wait_for("document.querySelectorAll('#suggestions li[role=option]').length > 0")
    before = browser.evaluate("location.href")
    for key, code in (("ArrowDown", 40), ("Enter", 13)):
        browser.send("Input.dispatchKeyEvent", type="rawKeyDown", key=key, code=key, windowsVirtualKeyCode=code)
    browser.wait_for(f"location.href !== {json.dumps(before)} && document.readyState === 'complete'")
    assert browser.evaluate("location.pathname") == "/MSCPO_0000107"


def test_browse_to_a_filtered_table_and_its_csv(server: RunningServer, browser: DevTools, shots: Path) -> None:
    open_page(browser, server.base + "/")
    click(browser, "header nav a[href='/browse']")
    click(browser, "a[data-index=mechanism]")
    browser.screenshot(shots / "front-index.png")
    click(browser, "table.index tr:nth-child(2) td:last-child a")  # the mechanism named by most findings
    assert browser.evaluate("location.pathname") == "/findings"
    before_rows = len(table(browser))
    # narrow it down with the form (no JavaScript needed: a GET form), evidence direction = supports
    browser.evaluate(
        "(() => { const s = document.querySelector('select[name=direction]');"
        " s.value = [...s.options].find(o => o.text.startsWith('supports')).value; })()"
    )
    click(browser, "form.filters button[type=submit]")
    search = urllib.parse.parse_qs(browser.evaluate("location.search.slice(1)"))
    assert search["direction"] == ["MSCPO:0000600"] and search["mechanism"]
    rows = table(browser)
    assert 0 < len(rows) <= before_rows
    assert all(r["direction"] == "supports" for r in rows)
    total = int(browser.evaluate("document.querySelector('.pager .total').innerText").split()[0])
    assert total == len(rows)
    href = browser.evaluate("document.querySelector('a.download[data-format=csv]').href")
    text = browser.evaluate(f"fetch({json.dumps(href)}).then(r => r.text())")
    downloaded = list(csv.DictReader(io.StringIO(text)))
    assert [d["finding"] for d in downloaded] == [r["finding"] for r in rows]
    assert_offline(browser, server)
