"""What every response of the server carries, in one place: reasons, CORS, error bodies (never HTML to a
machine client), the raw 503 a deadline writes to the socket, and the browser-safety headers of pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

StartResponse = Callable[..., Any]

REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    408: "Request Timeout",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
CORS = [("Access-Control-Allow-Origin", "*")]
PREFLIGHT = [
    ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"),
    ("Access-Control-Allow-Headers", "Accept, Content-Type, Authorization, X-Requested-With"),
    ("Access-Control-Max-Age", "86400"),
]
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
"""Sent with every HTML page. Scripts come only from the server's own files (the templates carry no inline script);
styles may be inline because the vendored YASGUI/CodeMirror editor writes style elements and attributes at run time."""
NOSNIFF = ("X-Content-Type-Options", "nosniff")


def with_page_headers(start_response: StartResponse) -> StartResponse:
    """Wrap ``start_response`` so every response of the Flask side (pages, entity pages, /health, and any page
    added later) carries nosniff, and HTML ones a Content-Security-Policy and a frame policy."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        names = {name.lower() for name, _ in headers}
        extra = [NOSNIFF] if "x-content-type-options" not in names else []
        html = any(n.lower() == "content-type" and v.lower().startswith("text/html") for n, v in headers)
        if html and "content-security-policy" not in names:
            extra += [("Content-Security-Policy", PAGE_CSP), ("X-Frame-Options", "DENY")]
        return (
            start_response(status, [*headers, *extra], exc_info)
            if exc_info
            else start_response(status, [*headers, *extra])
        )

    return start


RETRY_AFTER = "5"


def error_body(status: int, message: str, accept: str) -> tuple[str, bytes]:
    """(content type, body) of an error: JSON for clients that take JSON, plain text otherwise; never HTML."""
    lowered = (accept or "").lower()
    if "json" in lowered:
        body = {"error": {"status": status, "reason": REASONS.get(status, ""), "message": message}}
        return "application/json", json.dumps(body).encode()
    return "text/plain; charset=utf-8", f"{status} {REASONS.get(status, '')}: {message}\n".encode()


QUERY_DEADLINE = "query stopped at its deadline of {seconds:g} s: make it more selective (LIMIT, VALUES, fewer joins)"
WRITE_DEADLINE = "write stopped at its deadline of {seconds:g} s: nothing was committed; send smaller writes"


def raw_timeout_response(accept: str, seconds: float, template: str = QUERY_DEADLINE) -> bytes:
    content_type, body = error_body(503, template.format(seconds=seconds), accept)
    head = [
        f"HTTP/1.1 503 {REASONS[503]}",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
        f"Retry-After: {RETRY_AFTER}",
        "Access-Control-Allow-Origin: *",
        "Connection: close",
        "",
        "",
    ]
    return "\r\n".join(head).encode() + body
