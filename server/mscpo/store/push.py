"""Pushing files and the packaged graphs to a remote store through the Graph Store Protocol, verified.

Every body is N-Triples serialized here from a local parse (so relative IRIs, JSON-LD and RDF/XML mean the same
on every store) and sent with a Content-Length, never chunked: Virtuoso's Graph Store answers a chunked body 201
and stores nothing. Quad files are split by graph, and each request names its graph (``?graph=``): Virtuoso
answers a quad body without one with its HTML query form and 200. After the push, what the store holds per graph
is counted through its query endpoint, and a store that did not take what was sent fails the push (exit 2) with
the store's own answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import requests

from mscpo.config import without_credentials
from mscpo.errors import InputError
from mscpo.store import dataset
from mscpo.store.backend import GRAPH_ORDER, INFERRED_GRAPH
from mscpo.store.formats import CountingReader, Source, inspect
from mscpo.store.remote import CONNECT_TIMEOUT, RemoteSparqlBackend, session_for

log = logging.getLogger("mscpo.remote")
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
BODY_LIMIT = 32 << 20  # bytes of N-Triples per request: large graphs go as several POSTs
SAMPLE = 32  # triples whose presence is checked when the counts alone cannot tell
# Query endpoints that go with a Graph Store endpoint, by the store's conventions (Oxigraph, Virtuoso, Fuseki).
QUERY_FOR_GSP = (("/sparql-graph-crud-auth", "/sparql-auth"), ("/sparql-graph-crud", "/sparql"), ("/store", "/query"),
                 ("/data", "/query"))  # fmt: skip


@dataclass
class GraphPush:
    """What was sent to one graph and what the store held before and after."""

    graph: str
    replace: bool
    before: int = 0
    after: int = 0
    lines: set[int] = field(default_factory=set)  # hashes of the distinct N-Triples lines sent
    sample: list[bytes] = field(default_factory=list)  # a few ground triples, to check presence
    answers: list[str] = field(default_factory=list)  # what the Graph Store said

    @property
    def sent(self) -> int:
        return len(self.lines)


def query_endpoint_for(gsp_endpoint: str) -> str:
    """The query endpoint beside a Graph Store endpoint (Oxigraph ``/store``, Virtuoso ``/sparql-graph-crud``)."""
    bare = gsp_endpoint.split("?", 1)[0].rstrip("/")
    for suffix, query in QUERY_FOR_GSP:
        if bare.endswith(suffix):
            return bare[: -len(suffix)] + query
    raise InputError(
        f"cannot tell the query endpoint of {without_credentials(gsp_endpoint)}",
        hint="pass --query-endpoint URL: the counts after the push are read there",
    )


class Pusher:
    """Sends N-Triples bodies to a Graph Store endpoint and verifies them through the query endpoint."""

    def __init__(self, gsp_endpoint: str, query_endpoint: str, timeout: float = 600.0) -> None:
        self.session, (self.gsp_endpoint, query) = session_for(gsp_endpoint, query_endpoint)
        self.counter = RemoteSparqlBackend(query, timeout=timeout)
        self.counter.session = self.session
        self.timeout = timeout
        self.graphs: dict[str, GraphPush] = {}

    def count(self, graph: str) -> int:
        rows = self._query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        for row in rows:
            value = row["n"]
            return int(value.value) if isinstance(value, ox.Literal) else 0
        return 0

    def _query(self, text: str) -> ox.QuerySolutions:
        """A query on the store's query endpoint; its failures become InputErrors that say where (exit 2)."""
        try:
            result = self.counter.query(text)
        except (OSError, SyntaxError) as exc:
            raise InputError(
                f"cannot read the counts at {without_credentials(self.counter.query_endpoint)}: {exc}",
                hint="check --query-endpoint and the credentials in the URLs; the counts verify the push",
            ) from None
        assert isinstance(result, ox.QuerySolutions)
        return result

    def start(self, graph: str, replace: bool) -> GraphPush:
        if graph not in self.graphs:
            self.graphs[graph] = GraphPush(graph, replace, before=self.count(graph))
        return self.graphs[graph]

    def send(self, graph: str, triples: Iterable[ox.Triple], replace: bool = False) -> None:
        """Sends the triples to ``graph`` (PUT for the first body when ``replace``, POST otherwise)."""
        push = self.start(graph, replace)
        body = bytearray()
        first = True
        for triple in triples:
            line = f"{triple} .\n".encode()
            push.lines.add(hash(line))
            if len(push.sample) < SAMPLE and not _has_blank(triple):
                push.sample.append(line)
            body += line
            if len(body) >= BODY_LIMIT:
                self._request(push, bytes(body), "PUT" if replace and first else "POST")
                body, first = bytearray(), False
        if body or (replace and first):
            self._request(push, bytes(body), "PUT" if replace and first else "POST")

    def _request(self, push: GraphPush, body: bytes, method: str) -> None:
        where = without_credentials(self.gsp_endpoint)
        try:
            response = self.session.request(
                method,
                self.gsp_endpoint,
                params={"graph": push.graph},
                data=body,  # bytes: requests sends a Content-Length
                headers={"Content-Type": "application/n-triples"},
                timeout=(CONNECT_TIMEOUT, self.timeout),
            )
        except requests.RequestException as exc:
            raise InputError(f"the Graph Store at {where} did not answer ({type(exc).__name__})") from None
        answer = f"{method} {response.status_code}: {' '.join(response.text.split())[:300] or '(empty body)'}"
        push.answers.append(answer)
        if response.status_code >= 300:
            raise InputError(
                f"the Graph Store at {where} refused graph {push.graph} ({answer})",
                hint="fix what the store says and push again; graphs named before this one were stored",
            )

    def verify(self) -> dict[str, int]:
        """Counts every graph pushed to; InputError (exit 2) when the store does not hold what was sent."""
        held = {}
        for push in self.graphs.values():
            push.after = self.count(push.graph)
            held[push.graph] = push.after
            problem = self._problem(push)
            if problem:
                raise InputError(
                    f"the remote store did not store what was sent to {push.graph}: {problem}; "
                    f"the Graph Store answered: {' | '.join(push.answers) or 'nothing'}",
                    hint="check that the endpoint is the store's Graph Store Protocol endpoint and that it "
                    "accepts writes from this host (see docs/deployment.md)",
                )
        return held

    def _problem(self, push: GraphPush) -> str:
        if push.replace:
            return "" if push.after == push.sent else f"it holds {push.after} triples, {push.sent} were sent"
        if push.after < push.before:
            return f"it held {push.before} triples and now holds {push.after}"
        if push.after - push.before == push.sent:
            return ""
        if push.after - push.before > push.sent:
            return f"it grew by {push.after - push.before} triples, {push.sent} were sent"
        # Fewer new triples than sent: some were there already (RDF is a set), or the store dropped them.
        missing = self._missing(push)
        return f"{missing} of {len(push.sample)} sampled triples are not in the store" if missing else ""

    def _missing(self, push: GraphPush) -> int:
        if not push.sample:
            return 0
        rows = " ".join(f"({line.decode().strip().removesuffix('.').strip()})" for line in push.sample)
        query = (
            f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES (?s ?p ?o) {{ {rows} }} "
            f"GRAPH <{push.graph}> {{ ?s ?p ?o }} }}"
        )
        result = self._query(query)
        found = next((int(r["n"].value) for r in result if isinstance(r["n"], ox.Literal)), 0)
        return len(push.sample) - found


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _by_graph(source: Source, default_graph: str, base_iri: str | None) -> Iterator[tuple[str, list[ox.Triple]]]:
    """The file's triples grouped by graph (quad files keep their graphs; default-graph triples go to
    ``default_graph``); graphs in order of first appearance."""
    groups: dict[str, list[ox.Triple]] = {}
    reader = CountingReader(source, lambda _bytes, _lines: None)
    try:
        for quad in ox.parse(input=reader, format=source.format, base_iri=base_iri):
            name = quad.graph_name
            graph = name.value if isinstance(name, ox.NamedNode) else default_graph
            groups.setdefault(graph, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
    finally:
        reader.close()
    yield from groups.items()


def push_files(
    files: Sequence[Path],
    gsp_endpoint: str,
    graph: str,
    *,
    query_endpoint: str | None = None,
    replace: bool = False,
    rdf_format: ox.RdfFormat | None = None,
    base_iri: str | None = None,
    timeout: float = 600.0,
) -> dict[str, int]:
    """Sends files to a remote store and verifies them; returns the triples each graph now holds.

    Triple files go to ``graph`` (POST adds; ``replace`` makes the first body a PUT); quad files keep their
    graphs. Syntax errors are found by the caller's local parse before anything is sent.
    """
    pusher = Pusher(gsp_endpoint, query_endpoint or query_endpoint_for(gsp_endpoint), timeout)
    replaced: set[str] = set()
    for path in files:
        source = inspect(Path(path), rdf_format)
        for target, triples in _by_graph(source, graph, base_iri):
            first_replace = replace and target not in replaced
            replaced.add(target)
            pusher.send(target, triples, replace=first_replace)
            log.info("pushed %s: %d triples to %s", path, len(triples), target)
    return pusher.verify()


def ensure_packaged(backend: RemoteSparqlBackend, sources: dataset.Sources, *, replace: bool = False) -> list[str]:
    """Adds each packaged graph the remote store does not hold (never overwrites one it holds, unless
    ``replace``); returns the graphs written. Says in the log what it kept and what it added. An absent inferred
    graph is computed over what the store holds (:func:`infer_remotely`) when an update endpoint is set."""
    counts = backend.graph_triples()
    wanted = list(GRAPH_ORDER) if replace else [g for g in GRAPH_ORDER if counts.get(g, 0) == 0]
    for graph in GRAPH_ORDER:
        if graph not in wanted:
            log.info("graph %s: kept as stored (%d triples); --replace-packaged replaces it", graph, counts[graph])
    if not wanted:
        return []
    if not backend.gsp_endpoint:
        log.warning("graphs %s are absent and no --gsp-endpoint is set: they stay absent", ", ".join(wanted))
        return []
    local, _report = dataset.build(sources)
    pusher = Pusher(backend.gsp_endpoint, backend.query_endpoint, backend.timeout)
    pusher.session.auth = backend.session.auth
    remote_inference = INFERRED_GRAPH in wanted and bool(backend.update_endpoint)
    for graph in wanted:
        if graph == INFERRED_GRAPH and remote_inference:
            continue
        quads = local.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        pusher.send(graph, (ox.Triple(q.subject, q.predicate, q.object) for q in quads), replace=True)
    held = pusher.verify() if pusher.graphs else {}
    for graph in held:
        verb = "replaced with" if replace else "absent: added"
        log.info("graph %s: %s the packaged %d triples", graph, verb, held[graph])
    if remote_inference:
        log.info("graph %s: computed over the store's data: %d triples", INFERRED_GRAPH, infer_remotely(backend))
    return wanted


def infer_remotely(backend: RemoteSparqlBackend) -> int:
    """Materializes the subclass and type closure of the store's data into its inferred graph (replacing it).

    The class hierarchy is read out and closed here (it is small; and Virtuoso 7.2 evaluates ``subClassOf+``
    wrongly); the types are added by one update that runs on the store, so no instance data is transferred.
    """
    rows = backend.query(
        f"SELECT ?a ?c WHERE {{ GRAPH ?g {{ ?a <{SUBCLASS}> ?c }} "
        f"FILTER(isIRI(?a) && isIRI(?c) && ?g != <{INFERRED_GRAPH}>) }}"
    )
    assert isinstance(rows, ox.QuerySolutions)
    hierarchy = ox.Store()
    hierarchy.extend(ox.Quad(r["a"], ox.NamedNode(SUBCLASS), r["c"]) for r in rows)  # type: ignore[arg-type]
    links = list(hierarchy.query(dataset.SUBCLASS_CLOSURE))
    closure = hierarchy.query(f"SELECT ?a ?c WHERE {{ ?a <{SUBCLASS}>+ ?c FILTER(?a != ?c) }}")
    pairs = sorted({(str(r["a"]), str(r["c"])) for r in closure})  # type: ignore[union-attr]
    backend.update(f"DROP SILENT GRAPH <{INFERRED_GRAPH}>")
    body = "\n".join(f"{t} ." for t in links)
    if body:
        backend.update(f"INSERT DATA {{ GRAPH <{INFERRED_GRAPH}> {{\n{body}\n}} }}")
    for start in range(0, len(pairs), 500):
        values = " ".join(f"({a} {c})" for a, c in pairs[start : start + 500])
        backend.update(
            f"INSERT {{ GRAPH <{INFERRED_GRAPH}> {{ ?x a ?c }} }} WHERE {{ VALUES (?b ?c) {{ {values} }} "
            f"GRAPH ?g {{ ?x a ?b }} FILTER(?g != <{INFERRED_GRAPH}>) "
            f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?x a ?c }} FILTER(?h != <{INFERRED_GRAPH}>) }} }}"
        )
    return backend.graph_triples().get(INFERRED_GRAPH, 0)
