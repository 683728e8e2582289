"""SPARQL 1.1 Protocol request parsing: turn a WSGI request into one operation, or a precise HTTP error.

Works on the raw WSGI environ (no framework request object) because this is the hot path of every query.
Accepted: GET ``?query=``, POST form (any charset), POST ``application/sparql-query``, POST with an empty body
and the query in the URL (Blazegraph, Wikidata), POST ``update=`` / ``application/sparql-update``. Unknown
parameters (``maxrows``, ``queryId``, ``output``, ``format``, ``timeout`` …) are ignored.
"""

from __future__ import annotations

import binascii
import codecs
import re
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


class ProtocolError(Exception):
    """A request that breaks the protocol; carries the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class SparqlRequest:
    """One protocol operation: ``query``, ``update`` or ``description`` (a plain GET of the endpoint)."""

    operation: str
    text: str = ""
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    accept: str = ""


def _media(header: str) -> tuple[str, str]:
    """(lower-cased media type, charset or 'utf-8') of a Content-Type header."""
    base, *params = header.split(";")
    charset = "utf-8"
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    return base.strip().lower(), charset


def _codec(charset: str) -> str:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        raise ProtocolError(415, f"unsupported charset {charset!r} in Content-Type") from None


def _decode(body: bytes, charset: str) -> str:
    try:
        return body.decode(_codec(charset))
    except UnicodeDecodeError as exc:
        raise ProtocolError(
            400, f"request body is not valid {charset}: {exc.reason} at byte {exc.start}"
        ) from None


def _read_body(environ: dict[str, Any], limit: int) -> bytes:
    """Read the body, refusing (413) anything over ``limit`` bytes without reading it all; a gzip body
    (``Content-Encoding: gzip``) is inflated under the same limit; a stalled body is a 408."""
    raw_length = environ.get("CONTENT_LENGTH") or ""
    try:
        length = int(raw_length) if raw_length.strip() else None
    except ValueError:
        raise ProtocolError(400, f"invalid Content-Length {raw_length!r}") from None
    if length is not None and limit and length > limit:
        raise ProtocolError(413, f"request body of {length} bytes exceeds the limit of {limit} bytes")
    stream = environ["wsgi.input"]
    try:
        if length is None:
            body = stream.read(limit + 1) if limit else stream.read()
        else:
            body = stream.read(length) if length else b""
    except OSError:  # the worker's read deadline (mscpo.web.admission) or a dropped connection
        raise ProtocolError(408, "the request body did not arrive in time") from None
    if limit and len(body) > limit:
        raise ProtocolError(413, f"request body exceeds the limit of {limit} bytes")
    encoding = (environ.get("HTTP_CONTENT_ENCODING") or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return _gunzip(body, limit)
    if encoding != "identity":
        raise ProtocolError(415, f"unsupported Content-Encoding {encoding!r}: send identity or gzip")
    return body


def _gunzip(body: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit + 1 if limit else 0)
    except zlib.error as exc:
        raise ProtocolError(400, f"the gzip request body is corrupt: {exc}") from None
    if limit and len(data) > limit:
        raise ProtocolError(413, f"the inflated request body exceeds the limit of {limit} bytes")
    if not inflater.eof:
        raise ProtocolError(400, "the gzip request body is truncated")
    return data


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _unquote(value: str, codec: str) -> str:
    """``urllib.parse.unquote_plus`` with a C fast path for the usual all-ASCII, well-escaped value.

    A percent-encoded query has hundreds of escapes, which urllib decodes one by one in Python (more time than
    a lookup query takes); ``binascii.a2b_qp`` decodes them in C once ``%XX`` is rewritten as ``=XX``.
    """
    value = value.replace("+", " ")
    if "%" not in value:
        return value
    if not value.isascii() or _BAD_ESCAPE.search(value):
        return unquote(value, encoding=codec, errors="strict")
    return binascii.a2b_qp(value.replace("=", "=3D").replace("%", "=").encode("ascii")).decode(codec)


def _params(text: str, charset: str = "utf-8") -> list[tuple[str, str]]:
    """Name/value pairs of a query string or form body (blank values kept), decoded in ``charset``."""
    codec = _codec(charset)
    try:
        return [
            (_unquote(name, codec), _unquote(value, codec))
            for name, _, value in (part.partition("=") for part in text.split("&") if part)
        ]
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"parameters are not valid {charset}: {exc.reason}") from None


def _build(
    params: list[tuple[str, str]], accept: str, text_from_body: tuple[str, str] | None
) -> SparqlRequest:
    """Combine parameters (and a direct body) into one operation, enforcing one query or one update."""
    queries = [v for k, v in params if k == "query"]
    updates = [v for k, v in params if k == "update"]
    if text_from_body is not None:
        kind, body_text = text_from_body
        if body_text.strip():
            (queries if kind == "query" else updates).append(body_text)
    if len(queries) > 1 or len(updates) > 1:
        raise ProtocolError(400, "more than one 'query' or 'update' in the request: send exactly one")
    if queries and updates:
        raise ProtocolError(400, "a request carries either a 'query' or an 'update', not both")
    defaults = tuple(v for k, v in params if k == "default-graph-uri")
    named = tuple(v for k, v in params if k == "named-graph-uri")
    dataset = {"default_graphs": defaults or None, "named_graphs": named or None}
    if queries:
        if not queries[0].strip():
            raise ProtocolError(400, "the 'query' parameter is empty")
        return SparqlRequest("query", queries[0], accept=accept, **dataset)
    if updates:
        return SparqlRequest("update", updates[0], accept=accept, **dataset)
    return SparqlRequest("description", accept=accept)


def parse(environ: dict[str, Any], max_bytes: int) -> SparqlRequest:
    """Parse a request to the endpoint URL; raises ProtocolError (400, 405, 413, 415) on a malformed one."""
    method = environ.get("REQUEST_METHOD", "GET").upper()
    accept = environ.get("HTTP_ACCEPT", "")
    query_string = environ.get("QUERY_STRING", "")
    if max_bytes and len(query_string) > max_bytes:
        raise ProtocolError(
            413, f"query string of {len(query_string)} bytes exceeds the limit of {max_bytes} bytes"
        )
    url_params = _params(query_string)
    if method in ("GET", "HEAD"):
        if any(k == "update" for k, _ in url_params):
            raise ProtocolError(400, "SPARQL Update must be sent with POST, not GET")
        return _build(url_params, accept, None)
    if method != "POST":
        raise ProtocolError(405, f"method {method} is not allowed on the SPARQL endpoint: use GET or POST")
    media, charset = _media(environ.get("CONTENT_TYPE", ""))
    body = _read_body(environ, max_bytes)
    if media == FORM:
        return _build(url_params + _params(_decode(body, charset), charset), accept, None)
    if media in (QUERY_TYPE, UPDATE_TYPE):
        if _codec(charset) not in ("utf-8", "ascii"):
            raise ProtocolError(
                415,
                f"{media} bodies must be UTF-8 (SPARQL 1.1 Protocol), not {charset}; "
                f"send other charsets as {FORM}",
            )
        operation = "query" if media == QUERY_TYPE else "update"
        return _build(url_params, accept, (operation, _decode(body, charset)))
    if body.strip():
        raise ProtocolError(
            415, f"unsupported Content-Type {media or '(none)'!r}: use {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}"
        )
    return _build(url_params, accept, None)


def url_parameters(query_string: str) -> list[tuple[str, str]]:
    """Name/value pairs of a URL's query string (for the Graph Store Protocol's ``graph`` / ``default``)."""
    return _params(query_string)


def read_body(environ: dict[str, Any], limit: int) -> bytes:
    """The request body, 413 beyond ``limit`` bytes."""
    return _read_body(environ, limit)
