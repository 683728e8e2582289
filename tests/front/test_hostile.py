"""Hostile input on the front's routes: never a 500 or a traceback, never text put into a query unchecked."""

from __future__ import annotations

import pytest

ATTEMPTS = [
    "https://w3id.org/mscpo/MSCPO_0000201> } UNION { ?f ?p ?o",
    "https://x/a{b}",
    "https://x/a b",
    'https://x/"quoted"',
    "file:///etc/passwd",
    "javascript:alert(1)",
    "MSCPO:0000201> . ?s ?p ?o",
    "\x00",
    "obo:CL_0000134\n} DROP ALL",
]


@pytest.mark.parametrize("value", ATTEMPTS)
def test_filter_values_that_would_escape_the_query_are_refused(client, value: str) -> None:
    response = client.get("/findings", query_string={"mechanism": value}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "is not a term" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("text", ["\u0000", "'\"<>{}", "\u202e" * 50, "𝔸𝔹ℂ", "*", "%", " " * 150, "a\nb"])
def test_search_never_fails(client, text: str) -> None:
    for path in ("/search", "/search.json"):
        response = client.get(path, query_string={"q": text})
        assert response.status_code == 200, (path, text)


@pytest.mark.parametrize(
    "path",
    ["/browse/%3Cscript%3E", "/MSCPO_0000107.ttl%00", "/MSCPO_0000107%3E.ttl", "/%3E%20%7D.ttl", "/..%2F..%2Fetc.ttl",
     "/findings?page=-1", "/findings?size=0", "/findings?sort=%00", "/findings?factor=&factor="],
)
def test_odd_urls_get_a_clear_answer(client, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code in (200, 400, 404), path
    if response.status_code != 200:
        assert response.get_json()["error"]["message"]


def test_non_http_iris_are_never_links(app) -> None:
    """A term with a urn: or javascript: IRI is shown as text, not as a link."""
    from mscpo.web.findings import Term

    with app.test_request_context("/"):
        template = app.jinja_env.from_string(
            '{% from "macros.html" import term %}{{ term(a) }}|{{ term(b) }}|{{ term(c) }}'
        )
        html = template.render(
            a=Term("javascript:alert(1)", "evil"), b=Term("urn:x:y", "urn"), c=Term("https://example.org/z", "ok")
        )
    assert html == 'evil|urn|<a href="https://example.org/z">ok</a>'
