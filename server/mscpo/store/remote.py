"""A remote SPARQL 1.1 store (Virtuoso, GraphDB, Fuseki, QLever, Neptune, Oxigraph server …) behind the
``Backend`` seam (pushing files to one is :mod:`mscpo.store.push`).

Answers are fetched in one exchange format (SPARQL results JSON, N-Triples) and re-parsed with pyoxigraph, so
the endpoint serializes and negotiates exactly as over the embedded store. Every call has a connect and a read
timeout. Guarded writes (``mscpo.store.writes``) take a snapshot of the remote named graphs, validate, and commit the
difference as one SPARQL Update request, which the store runs as one transaction (Oxigraph, Fuseki, GraphDB
and RDF4J do; check yours). Writers through this server are serialized by a lock file on this machine;
writers that bypass it also bypass validation.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
import requests

from mscpo.config import without_credentials
from mscpo.errors import InputError
from mscpo.store import dialects, staging
from mscpo.store.backend import COUNT_PER_GRAPH, QueryResult, counts_from

log = logging.getLogger("mscpo.remote")

CONNECT_TIMEOUT = 5.0
RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
GRAPH_FORMATS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE}


class RemoteSparqlBackend:
    """Queries, counts and guarded writes over a remote store's SPARQL 1.1 and Graph Store endpoints."""

    exact_version = False  # other workers and hosts change it too: never cache, always re-validate
    shared = True
    writable = True
    remote = True
    kind = "remote-sparql"

    def __init__(
        self,
        query_endpoint: str,
        update_endpoint: str = "",
        gsp_endpoint: str = "",
        timeout: float = 60.0,
    ) -> None:
        self.session, (self.query_endpoint, self.update_endpoint, self.gsp_endpoint) = session_for(
            query_endpoint, update_endpoint, gsp_endpoint
        )
        self.timeout = timeout
        self.location = without_credentials(self.query_endpoint)
        self._writes = 0

    @property
    def version(self) -> str:
        """Changes with each write through this process; answers are not cached for a remote store."""
        return f"remote-{self._writes}"

    def _post(self, url: str, **kwargs: object) -> requests.Response:
        try:
            return self.session.post(url, timeout=(CONNECT_TIMEOUT, self.timeout), **kwargs)  # type: ignore[arg-type]
        except requests.RequestException:
            # requests' messages repeat the URL, which may carry user:password: name only the safe form
            raise OSError(f"the remote store at {without_credentials(url)} did not answer") from None

    def query(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Runs the query remotely; a 400 from the store becomes a SyntaxError, anything else an OSError."""
        if base_iri:
            text = f"BASE <{base_iri}> {text}"  # same line: error positions keep their line numbers
        params: list[tuple[str, str]] = [("query", text)]
        params += [("default-graph-uri", g) for g in default_graphs or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        response = self._post(self.query_endpoint, data=params, headers={"Accept": RESULTS_ACCEPT})
        if response.status_code == 400:
            raise SyntaxError(response.text.strip()[:2000])
        if response.status_code != 200:
            raise OSError(f"the remote store answered {response.status_code}: {response.text.strip()[:500]}")
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media in GRAPH_FORMATS:
            return _as_query_triples(response.content, GRAPH_FORMATS[media])
        if media in ("application/sparql-results+json", "application/json"):
            body = dialects.normalize_json_results(response.content, dialects.query_form(text))
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        raise OSError(f"the remote store answered in an unexpected format: {media or 'none'}")

    def update(self, text: str) -> None:
        """Sends one SPARQL Update request (one transaction on the remote store)."""
        if not self.update_endpoint:
            raise OSError("no update endpoint is configured for the remote store")
        response = self._post(
            self.update_endpoint,
            data=text.encode(),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )
        if response.status_code >= 300:
            raise OSError(f"the remote store refused the update ({response.status_code}): {response.text[:500]}")
        self._writes += 1

    def graph_triples(self) -> dict[str, int]:
        """Triples per named graph by one COUNT query (for /health, /metrics and VoID)."""
        rows = self.query(COUNT_PER_GRAPH)
        assert isinstance(rows, ox.QuerySolutions)
        return counts_from(rows)

    def release(self) -> None:
        """Each forked worker gets its own connection pool (and Digest nonce)."""
        auth = self.session.auth
        self.session.close()
        self.session = requests.Session()
        if isinstance(auth, dialects.ChallengeAuth):
            self.session.auth = dialects.ChallengeAuth(auth.username, auth.password)

    # What mscpo.store.writes needs: a lock, an in-memory snapshot, and an atomic commit.

    def write_lock(self) -> contextlib.AbstractContextManager[None]:
        return _file_lock(self.update_endpoint or self.query_endpoint)

    def snapshot(self) -> ox.Store:
        """Every named graph of the remote store, in memory (its default graph is not read)."""
        rows = self.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(rows, ox.QuerySolutions)
        store = ox.Store()
        store.bulk_extend(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)
        return store

    def commit(
        self, removed: Sequence[ox.Quad], added: Sequence[ox.Quad], after: ox.Store, fresh_blank_nodes: bool = False
    ) -> None:
        """The difference as one update request; graphs whose change involves stored blank nodes are replaced
        whole (``after`` holds their new content)."""
        self.update(difference_update(removed, added, after, fresh_blank_nodes))


def session_for(*urls: str) -> tuple[requests.Session, tuple[str, ...]]:
    """A session for a remote store's endpoints: credentials taken out of the URLs (never sent before the store
    asks, then as Digest or Basic, whichever it asks for) and the URLs without them."""
    session = requests.Session()
    clean: list[str] = []
    for url in urls:
        bare, credentials = dialects.split_credentials(url) if url else (url, None)
        if credentials is not None and session.auth is None:
            session.auth = dialects.ChallengeAuth(*credentials)
        clean.append(bare)
    return session, tuple(clean)


def _as_query_triples(body: bytes, fmt: ox.RdfFormat) -> ox.QueryTriples:
    """pyoxigraph has no public constructor for triple results: answer them from a small in-memory store."""
    store = ox.Store()
    store.load(body, format=fmt)
    return store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")  # type: ignore[return-value]


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _block(quads: Iterable[ox.Quad]) -> str:
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        key = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
        by_graph.setdefault(key, []).append(f"{q.subject} {q.predicate} {q.object} .")
    parts = []
    for graph, lines in sorted(by_graph.items()):
        body = "\n".join(lines)
        parts.append(f"GRAPH {graph} {{\n{body}\n}}" if graph else body)
    return "\n".join(parts)


def difference_update(
    removed: Sequence[ox.Quad], added: Sequence[ox.Quad], after: ox.Store, fresh_blank_nodes: bool = False
) -> str:
    """A SPARQL Update that turns the old state into ``after``: DELETE DATA + INSERT DATA, graph replacement
    where stored blank nodes are involved (they cannot be named in DELETE DATA). With ``fresh_blank_nodes`` the
    added blank nodes are new ones (``INSERT DATA`` creates them), so only removals force a replacement."""
    replaced = {q.graph_name for q in [*removed, *([] if fresh_blank_nodes else added)] if _has_blank(q)}
    operations = []
    for graph in sorted(replaced, key=str):
        target = "DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph}"
        operations.append(f"DROP SILENT {target}")
        content = list(after.quads_for_pattern(None, None, None, graph))
        if content:
            operations.append(f"INSERT DATA {{\n{_block(content)}\n}}")
    kept_removed = [q for q in removed if q.graph_name not in replaced]
    kept_added = [q for q in added if q.graph_name not in replaced]
    if kept_removed:
        operations.append(f"DELETE DATA {{\n{_block(kept_removed)}\n}}")
    if kept_added:
        operations.append(f"INSERT DATA {{\n{_block(kept_added)}\n}}")
    return " ;\n".join(operations) or "CLEAR SILENT GRAPH <urn:mscpo:nothing>"


@contextlib.contextmanager
def _file_lock(key: str, wait: float = 30.0) -> Iterator[None]:
    """Serializes writers on this machine (all workers of one server) for one remote store."""
    name = hashlib.sha256(key.encode()).hexdigest()[:16]
    handle = (Path(tempfile.gettempdir()) / f"mscpo-remote-{name}.lock").open("a")
    try:
        staging.wait_for_lock(
            handle.fileno(), wait, InputError("another write to the remote store is still running")
        )
        yield
    finally:
        handle.close()
