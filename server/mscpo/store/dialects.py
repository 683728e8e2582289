"""What remote stores answer differently from the SPARQL 1.1 Protocol, translated back to the standard.

* Virtuoso answers ASK as a SELECT with one variable ``__ASK_RETVAL`` (one row, 1 or 0, or no row): an ASK's
  answer becomes a boolean again, for clients (any Accept, ``text/boolean`` included) and mscpo's own checks.
* Virtuoso names blank nodes ``nodeID://b10006``, not a valid blank node label: labels are mapped to valid
  ones (the same label always to the same one, so joins on them still hold within one answer).
* Virtuoso's authenticated endpoints (``/sparql-auth``, ``/sparql-graph-crud-auth``) take HTTP Digest only,
  others Basic: :class:`ChallengeAuth` answers whichever challenge the store sends, and never sends a password
  before a challenge asks for it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import requests
from requests.auth import HTTPDigestAuth, _basic_auth_str

ASK_VARIABLE = "__ASK_RETVAL"
_VALID_BNODE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-.]*$")
# The query form: the first of these keywords outside comments, IRIs and strings (after BASE / PREFIX).
_FORM = re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE)
_SKIP = re.compile(r"#[^\n]*|<[^<>\s]*>|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the form of a query (comments, IRIs and strings skipped)."""
    match = _FORM.search(_SKIP.sub(" ", text))
    return match.group(1).upper() if match else ""


def _bnode_label(value: str) -> str:
    if _VALID_BNODE.match(value):
        return value
    return "b" + hashlib.sha256(value.encode()).hexdigest()[:24]


def normalize_json_results(body: bytes, form: str) -> bytes:
    """SPARQL results JSON as pyoxigraph reads it: booleans for ASK, valid blank node labels."""
    try:
        document: dict[str, Any] = json.loads(body)
    except ValueError:
        return body  # let the results parser report it
    if "boolean" in document:
        return body
    variables = document.get("head", {}).get("vars", [])
    rows = document.get("results", {}).get("bindings", [])
    if form == "ASK" and variables == [ASK_VARIABLE]:
        cell = rows[0].get(ASK_VARIABLE, {}) if rows else {}
        answer = str(cell.get("value", "0")).strip().lower() in ("1", "true")
        return json.dumps({"head": {}, "boolean": answer}).encode()
    changed = False
    for row in rows:
        for cell in row.values():
            if isinstance(cell, dict) and cell.get("type") == "bnode":
                label = _bnode_label(str(cell.get("value", "")))
                if label != cell.get("value"):
                    cell["value"] = label
                    changed = True
    return json.dumps(document).encode() if changed else body


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """The URL without ``user:password@`` and the credentials it carried (percent-decoded), if any."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return clean, (unquote(parts.username), unquote(parts.password or ""))


class ChallengeAuth(HTTPDigestAuth):
    """HTTP Digest when the store challenges with Digest (Virtuoso), Basic when it asks for Basic (Oxigraph
    behind a proxy, Fuseki, GraphDB); after a Basic challenge later requests send Basic at once."""

    def __init__(self, username: str, password: str) -> None:
        super().__init__(username, password)
        self.basic = False

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.basic:
            request.headers["Authorization"] = _basic_auth_str(self.username, self.password)
            return request
        request = super().__call__(request)  # registers the Digest challenge handler
        request.register_hook("response", self._answer_basic)
        return request

    def _answer_basic(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        challenge = response.headers.get("www-authenticate", "").lower()
        if response.status_code != 401 or not challenge.startswith("basic") or self.basic:
            return response
        self.basic = True
        response.content  # noqa: B018 - consume the body so the connection can be reused
        response.close()
        retry = response.request.copy()
        body = retry.body
        if hasattr(body, "seek"):
            body.seek(0)  # type: ignore[union-attr]
        retry.headers["Authorization"] = _basic_auth_str(self.username, self.password)
        answer = response.connection.send(retry, **kwargs)  # type: ignore[attr-defined]
        answer.history.append(response)
        answer.request = retry
        return answer
