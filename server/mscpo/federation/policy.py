"""Settings and checks for outbound SERVICE calls: which endpoints this server may call, and how.

Every check raises ``ServiceRefused`` naming the rule that refused, so an operator (and the query author) sees
exactly why a SERVICE clause was not run. The rules, in the order they are applied to every URL (the first
request and each redirect hop alike):

* ``disabled``          outbound SERVICE is off (the default)
* ``variable-endpoint`` ``SERVICE ?var``: the endpoint must be a constant IRI
* ``scheme``            only ``http`` and ``https``
* ``user-info``         no ``user:password@`` in the URL
* ``allow-list``        the host (and port, when the entry gives one) must be allow-listed
* ``dns``               the host name must resolve
* ``address``           every resolved address must be public: loopback, private, link-local, shared (CGNAT),
                        reserved, multicast, unspecified and documentation ranges are refused
* ``call-limit``        at most ``max_calls`` HTTP requests (redirect hops included) per query
* ``redirect-limit``    at most ``max_redirects`` redirects per call
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

DEFAULT_ALLOWED: tuple[str, ...] = (
    "https://sparql.uniprot.org/sparql",
    "https://query.wikidata.org/sparql",
    "https://sparql.rhea-db.org/sparql",
    "https://www.bgee.org/sparql/",
)
"""Documented defaults: public life-science endpoints (UniProt, Wikidata, Rhea, Bgee)."""

DEFAULT_PORTS = {"http": 80, "https": 443}

Resolver = Callable[[str, int], list[str]]


class FederationError(Exception):
    """A SERVICE clause that could not be run; ``rule`` names the check, ``status`` the HTTP code."""

    status = 502

    def __init__(self, rule: str, endpoint: str, detail: str) -> None:
        self.rule = rule
        self.endpoint = _shown(endpoint)
        self.detail = detail
        super().__init__(f"SERVICE <{self.endpoint}> refused by rule '{rule}': {detail}")


def _shown(url: str) -> str:
    """A URL for messages: without the (possibly long) query text we added, at most 200 characters."""
    for marker in ("?query=", "&query="):
        url = url.split(marker, 1)[0]
    return url if len(url) <= 200 else url[:197] + "..."


class ServiceRefused(FederationError):
    """Policy refused the call before (or instead of) sending it: answer 403. SILENT does not hide it."""

    status = 403


class ServiceFailed(FederationError):
    """The remote endpoint failed (timeout, HTTP error, bad or oversized answer). SILENT hides it."""

    def __init__(self, rule: str, endpoint: str, detail: str, status: int = 502) -> None:
        super().__init__(rule, endpoint, detail)
        self.status = status


class MalformedService(FederationError):
    """The SERVICE clause itself could not be located or parsed: answer 400."""

    status = 400


@dataclass(frozen=True)
class FederationSettings:
    """Outbound SERVICE configuration; immutable. Off unless ``enabled``; every limit applies per query."""

    enabled: bool = False  # outbound SERVICE at all
    allowed: tuple[str, ...] = DEFAULT_ALLOWED  # endpoint URLs (host + port) or bare host names
    call_timeout: float = 10.0  # seconds for one call, redirects included (wall clock)
    total_timeout: float = 20.0  # seconds for all calls of one query
    max_calls: int = 8  # HTTP requests per query, redirect hops and bind-join batches included
    max_rows: int = 10000  # rows one SERVICE clause may return
    max_response_bytes: int = 32 * 1024 * 1024  # bytes of one answer
    max_redirects: int = 3  # redirects one call may follow
    bind_join_max_values: int = 1000  # most local values sent along in a bind join
    bind_join_batch: int = 500  # values per bind-join request
    unsafe_allow_loopback: tuple[str, ...] = ()
    """UNSAFE, for tests only: ``127.0.0.1:PORT`` / ``[::1]:PORT`` literals exempt from the ``address`` rule.
    Only a URL whose host is written as that literal loopback address is exempt; a name that resolves to it
    (``localhost``) is still refused, and no private or link-local address can be exempted."""

    def __post_init__(self) -> None:
        """Refuse settings that cannot work, naming the setting (ValueError)."""
        for name in ("call_timeout", "total_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be greater than 0")
        for name in ("max_calls", "max_rows", "max_response_bytes", "bind_join_batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be 1 or more")
        for name in ("max_redirects", "bind_join_max_values"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more")
        for entry in self.allowed:
            if "://" in entry and urlsplit(entry).scheme.lower() not in DEFAULT_PORTS:
                raise ValueError(f"allow-list entry {entry!r}: only http:// and https:// endpoints can be allowed")
            if "://" not in entry and ("/" in entry or "*" in entry or not entry.strip(".")):
                raise ValueError(f"allow-list entry {entry!r}: give an endpoint URL or an exact host name")
        for entry in self.unsafe_allow_loopback:
            host, port = _loopback_literal(entry)
            if host is None or port is None:
                raise ValueError(
                    f"invalid value for MSCPO_FEDERATION_UNSAFE_ALLOW_LOOPBACK: {entry!r} is not a loopback "
                    "IP literal with a port (127.0.0.1:PORT or [::1]:PORT)"
                )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FederationSettings:
        """The ``MSCPO_FEDERATION*`` variables of ``env`` read through the one settings table (``mscpo.config``);
        a bad value is a ValueError naming the variable."""
        from mscpo import config
        from mscpo.errors import InputError

        federation_env = {k: v for k, v in env.items() if k.startswith("MSCPO_FEDERATION")}
        try:
            return config.load(env=federation_env).federation_settings
        except InputError as exc:
            raise ValueError(str(exc).split("\n", 1)[0]) from None


def _loopback_literal(entry: str) -> tuple[str | None, int | None]:
    """(host, port) of a ``127.0.0.1:PORT`` / ``[::1]:PORT`` entry, or (None, None) when it is not one."""
    try:
        parts = urlsplit("//" + entry)
        port = parts.port
        address = ipaddress.ip_address(parts.hostname or "")
    except ValueError:
        return None, None
    if not address.is_loopback or port is None:
        return None, None
    return str(address), port


def default_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), as strings."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def address_problem(address: str) -> str | None:
    """Why ``address`` may not be called, or None when it is a public unicast address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            problem = address_problem(str(embedded))
            if problem:
                return f"{problem} (embedded in {ip})"
    checks = (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("not globally routable", not ip.is_global),
    )
    for name, hit in checks:
        if hit:
            return f"{address} is a {name} address"
    return None


@dataclass(frozen=True)
class Target:
    """A URL that passed every static rule, with the addresses it may be connected to."""

    url: str
    parts: SplitResult
    host: str
    port: int
    addresses: tuple[str, ...]


def _allowed(host: str, port: int, settings: FederationSettings) -> bool:
    """URL entries allow their host and port; bare host names allow the host on any port."""
    for entry in settings.allowed:
        if "://" in entry:
            allowed = urlsplit(entry)
            allowed_host = (allowed.hostname or "").lower()
            allowed_port = allowed.port or DEFAULT_PORTS.get(allowed.scheme.lower())
            if allowed_host == host and allowed_port == port:
                return True
        elif entry.lower().rstrip(".") == host:
            return True
    return False


def check_url(url: str, settings: FederationSettings, resolver: Resolver = default_resolver) -> Target:
    """Apply every static rule to ``url`` (DNS included); return where it may be fetched from."""
    if not settings.enabled:
        raise ServiceRefused(
            "disabled", url, "outbound SERVICE is off on this server (set MSCPO_FEDERATION=true to enable)"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ServiceRefused("scheme", url, f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ServiceRefused("scheme", url, f"only http and https endpoints may be called, not {scheme!r}")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ServiceRefused("user-info", url, "URLs with user-info (user:password@host) are refused")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise ServiceRefused("scheme", url, "the URL has no host")
    port = port or DEFAULT_PORTS[scheme]
    if not _allowed(host, port, settings):
        raise ServiceRefused(
            "allow-list", url, f"{host}:{port} is not on the federation allow-list (MSCPO_FEDERATION_ALLOW)"
        )
    exempt = _exempt_loopback(host, port, settings)
    if exempt is not None:
        return Target(url, parts, host, port, (exempt,))
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise ServiceRefused("dns", url, f"{host} does not resolve: {exc}") from None
    if not addresses:
        raise ServiceRefused("dns", url, f"{host} resolves to no address")
    for address in addresses:
        problem = address_problem(address)
        if problem:
            raise ServiceRefused("address", url, f"{host} resolves to {problem}")
    return Target(url, parts, host, port, tuple(addresses))


def _exempt_loopback(host: str, port: int, settings: FederationSettings) -> str | None:
    """The loopback literal when the UNSAFE test exemption names exactly this host and port."""
    try:
        literal = str(ipaddress.ip_address(host))
    except ValueError:
        return None
    for entry in settings.unsafe_allow_loopback:
        if _loopback_literal(entry) == (literal, port):
            return literal
    return None
