"""The one typed settings object (server, store, federation, home, reference), read from command-line flags, then
``MSCPO_*`` environment variables, then defaults.

One table (``FIELDS``) drives the argparse flags, the environment variables and the documentation, so the
three can never disagree; a new setting is one row there and one attribute of :class:`Settings`. Outbound
federation (``federation_*``) is handed to the SERVICE policy as :attr:`Settings.federation`. The one secret,
``write_token``, is never logged: :meth:`Settings.summary` shows only whether it is set.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mscpo.errors import InputError
from mscpo.federation.policy import FederationSettings

_FEDERATION = FederationSettings()
# Settings attribute -> FederationSettings attribute (the environment names stay MSCPO_FEDERATION_*).
FEDERATION_FIELDS: dict[str, str] = {
    "federation": "enabled",
    "federation_allow": "allowed",
    "federation_timeout": "call_timeout",
    "federation_total_timeout": "total_timeout",
    "federation_max_calls": "max_calls",
    "federation_max_rows": "max_rows",
    "federation_max_response_bytes": "max_response_bytes",
    "federation_max_redirects": "max_redirects",
    "federation_bind_join_max_values": "bind_join_max_values",
    "federation_bind_join_batch": "bind_join_batch",
    "federation_unsafe_allow_loopback": "unsafe_allow_loopback",
}


@dataclass(frozen=True)
class Field:
    """One setting: its flag, environment variable, parser and help text."""

    name: str
    parse: Callable[[str], Any]
    help: str

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return "MSCPO_" + self.name.upper()


def parse_bool(text: str) -> bool:
    """A boolean setting from a flag or an environment variable (true/false, yes/no, on/off, 1/0)."""
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {text!r} (use true/false)")


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError(f"must be greater than 0, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(f"must be 0 or more, got {text}")
    return value


def without_credentials(url: str) -> str:
    """A URL fit for the log: ``user:password@`` (which requests sends as Basic auth) is masked."""
    scheme, sep, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    if sep and "@" in host:
        return f"{scheme}://***@{host.rsplit('@', 1)[1]}{slash}{path}"
    return url


def _words(text: str) -> tuple[str, ...]:
    """A list setting: items separated by spaces or commas."""
    return tuple(item for item in text.replace(",", " ").split() if item)


def _url(text: str) -> str:
    text = text.strip().rstrip("/")
    if text and not text.startswith(("http://", "https://")):
        raise ValueError(f"must start with http:// or https://, got {text!r}")
    return text


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to know; immutable so every worker sees the same values."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 0
    query_timeout: float = 30.0
    public_url: str = ""
    iri_base: str = "https://w3id.org/mscpo/"
    max_rows: int = 10000
    max_result_bytes: int = 64 * 1024 * 1024
    max_request_bytes: int = 1024 * 1024
    cache_entries: int = 1024
    log_level: str = "info"
    home: str = ""
    store: str = ""
    backend: str = "oxigraph"
    query_endpoint: str = ""
    update_endpoint: str = ""
    gsp_endpoint: str = ""
    write_token: str = field(default="", repr=False)
    write_timeout: float = 120.0
    remote_timeout: float = 60.0
    reference: str = ""
    federation: bool = _FEDERATION.enabled
    federation_allow: tuple[str, ...] = _FEDERATION.allowed
    federation_timeout: float = _FEDERATION.call_timeout
    federation_total_timeout: float = _FEDERATION.total_timeout
    federation_max_calls: int = _FEDERATION.max_calls
    federation_max_rows: int = _FEDERATION.max_rows
    federation_max_response_bytes: int = _FEDERATION.max_response_bytes
    federation_max_redirects: int = _FEDERATION.max_redirects
    federation_bind_join_max_values: int = _FEDERATION.bind_join_max_values
    federation_bind_join_batch: int = _FEDERATION.bind_join_batch
    federation_unsafe_allow_loopback: tuple[str, ...] = _FEDERATION.unsafe_allow_loopback

    @property
    def federation_settings(self) -> FederationSettings:
        """The outbound SERVICE policy's settings (ValueError when they cannot work together)."""
        return FederationSettings(**{target: getattr(self, name) for name, target in FEDERATION_FIELDS.items()})
    replace_packaged: bool = False

    @property
    def effective_workers(self) -> int:
        """Several workers so a slow query only ever occupies one of them."""
        return self.workers or max(3, 2 * (os.cpu_count() or 1) + 1)

    @property
    def base_url(self) -> str:
        """Where clients reach this server: the configured public URL or the bound host and port."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def endpoint_url(self) -> str:
        return self.base_url + "/sparql"

    @property
    def writes_enabled(self) -> bool:
        return bool(self.write_token)

    def summary(self) -> dict[str, Any]:
        """Every setting by name, for the start-up log and /health; the write token only as set / not set."""
        values = {spec.name: getattr(self, spec.name) for spec in FIELDS}
        values["write_token"] = "(set)" if self.write_token else ""
        for name in ("query_endpoint", "update_endpoint", "gsp_endpoint"):
            values[name] = without_credentials(values[name])
        return values


FIELDS: tuple[Field, ...] = (
    Field("host", str, "interface to bind (127.0.0.1 keeps the server private; 0.0.0.0 for all)"),
    Field("port", int, "TCP port to listen on"),
    Field("workers", _non_negative_int, "worker processes (0 = 2 x CPUs + 1, at least 3)"),
    Field(
        "query_timeout", _positive_float, "seconds a query may run before it is stopped (503 + Retry-After)"
    ),
    Field(
        "public_url",
        _url,
        "public base URL of this server, used in the service description and links "
        "(default http://HOST:PORT)",
    ),
    Field("iri_base", str, "IRI namespace served by dereferencing: IRI_BASE + path is answered at /path"),
    Field("max_rows", _non_negative_int, "most rows a SELECT returns; longer results are cut (0 = no limit)"),
    Field(
        "max_result_bytes", _non_negative_int, "largest serialized result; beyond it the query fails with 500"
    ),
    Field("max_request_bytes", _non_negative_int, "largest request body or query string (413 beyond it)"),
    Field("cache_entries", _non_negative_int, "results of identical queries kept per worker (0 = no cache)"),
    Field("log_level", str, "debug, info, warning or error"),
    Field(
        "home",
        str,
        "project folder holding ontology/, shapes/, data/, examples/ (default: the checkout or the wheel's copy)",
    ),
    Field(
        "store",
        str,
        "on-disk store directory to serve (created if missing; default: an in-memory store of the project files)",
    ),
    Field("backend", str, "oxigraph (embedded store) or sparql (a remote SPARQL 1.1 store)"),
    Field("query_endpoint", _url, "query URL of the remote store (with --backend sparql)"),
    Field("update_endpoint", _url, "update URL of the remote store (with --backend sparql; needed for writes)"),
    Field("gsp_endpoint", _url, "Graph Store Protocol URL of the remote store (with --backend sparql)"),
    Field(
        "write_token",
        str,
        "secret that enables SPARQL Update and Graph Store writes (sent as 'Authorization: Bearer TOKEN');"
        " prefer the environment variable",
    ),
    Field("write_timeout", _positive_float, "seconds a guarded write (stage, validate, commit) may take"),
    Field("remote_timeout", _positive_float, "seconds to wait for the remote store (with --backend sparql)"),
    Field("reference", str, "folder of the verified reference tables (default: HOME/reference)"),
    Field("federation", parse_bool, "allow outbound SERVICE to the allow-listed endpoints"),
    Field("federation_allow", _words, "endpoint URLs or exact host names outbound SERVICE may call"),
    Field("federation_timeout", float, "seconds for one outbound SERVICE call, redirects included"),
    Field("federation_total_timeout", float, "seconds for all outbound SERVICE calls of one query"),
    Field("federation_max_calls", int, "outbound HTTP requests per query (redirects and bind-join batches count)"),
    Field("federation_max_rows", int, "rows one SERVICE clause may return"),
    Field("federation_max_response_bytes", int, "bytes of one SERVICE answer"),
    Field("federation_max_redirects", int, "redirects one SERVICE call may follow"),
    Field("federation_bind_join_max_values", int, "most local values sent along in a bind join"),
    Field("federation_bind_join_batch", int, "local values per bind-join request"),
    Field(
        "federation_unsafe_allow_loopback",
        _words,
        "UNSAFE, tests only: 127.0.0.1:PORT literals exempt from the public-address rule",
    ),
    Field(
        "replace_packaged",
        parse_bool,
        "true: replace the packaged graphs (ontology, imports, kg, inferred) in the remote store at start-up;"
        " default: add only the absent ones, never overwrite",
    ),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one flag per setting; the default is None so the environment can fill what the flag leaves out."""
    for spec in FIELDS:
        default = getattr(Settings(), spec.name)
        parser.add_argument(
            spec.flag,
            dest=spec.name,
            default=None,
            metavar=spec.name.upper(),
            help=f"{spec.help}; env {spec.env}; default {default!r}",
        )


def load(args: argparse.Namespace | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Flags beat environment variables, which beat defaults; a bad value is an InputError naming it."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for spec in FIELDS:
        raw = getattr(args, spec.name, None) if args is not None else None
        source = spec.flag
        if raw is None and spec.env in env:
            raw, source = env[spec.env], spec.env
        if raw is None:
            continue
        try:
            values[spec.name] = spec.parse(str(raw))
        except ValueError as exc:
            raise InputError(f"invalid value for {source}: {exc}") from None
    settings = Settings(**values)
    try:
        settings.federation_settings  # noqa: B018 (validates the combination)
    except ValueError as exc:
        raise InputError(
            f"invalid MSCPO_FEDERATION* setting: {exc}", hint="see the federation settings in docs/federation.md"
        ) from None
    if settings.log_level.lower() not in {"debug", "info", "warning", "error"}:
        raise InputError(
            f"invalid log level {settings.log_level!r}", hint="use debug, info, warning or error"
        )
    if settings.backend not in {"oxigraph", "sparql"}:
        raise InputError(f"invalid backend {settings.backend!r}", hint="use oxigraph or sparql")
    if settings.backend == "sparql" and not settings.query_endpoint:
        raise InputError(
            "--backend sparql needs the remote store's query URL", hint="pass --query-endpoint URL"
        )
    if settings.backend == "sparql" and settings.store:
        raise InputError("--store is for the embedded store", hint="drop --store or --backend sparql")
    if settings.write_token and settings.backend == "oxigraph" and not settings.store:
        raise InputError(
            "writes need a store that every worker shares, and the default in-memory store is one copy per"
            " worker, rebuilt from the project files at each start",
            hint="serve an on-disk store (--store DIR) or a remote one (--backend sparql), or drop the"
            " write token",
        )
    if settings.write_token and settings.backend == "sparql" and not settings.update_endpoint:
        raise InputError(
            "writes to a remote store need its update URL", hint="pass --update-endpoint URL"
        )
    if not settings.iri_base.endswith(("/", "#")):
        settings = replace(settings, iri_base=settings.iri_base + "/")
    return settings
