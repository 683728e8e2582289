"""Helpers for the federation tests and benchmark: servers on 127.0.0.1, example queries, answer comparison.

Everything binds to 127.0.0.1 on free ports; nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import requests
from mscpo.testing import free_port

from tests import virtuoso_process

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = ROOT / "examples" / "federation"
BIN = Path(sys.executable).parent
PLACEHOLDER = "https://mscpo.example.org/sparql"
"""The endpoint URL written in the inbound examples; replace it with your endpoint's public URL."""
UNIPROT = "https://sparql.uniprot.org/sparql"
WIKIDATA = "https://query.wikidata.org/sparql"
JSON = "application/sparql-results+json"



@dataclass
class Process:
    """A server subprocess on 127.0.0.1 with its log file."""

    name: str
    base: str
    endpoint: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def _wait(proc: Process, probe: str, seconds: float = 60) -> Process:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            if proc.process.poll() is not None or time.monotonic() > deadline:
                proc.stop()
                raise RuntimeError(f"{proc.name} did not start:\n{proc.log()}") from None
            time.sleep(0.1)


def start_mscpo(workdir: Path, workers: int = 2, extra_env: dict[str, str] | None = None) -> Process:
    """``mscpo serve`` on the project's own data (the checkout), as users run it."""
    port = free_port()
    log_path = workdir / f"mscpo-{port}.log"
    env = {**os.environ, "MSCPO_HOME": str(ROOT), **(extra_env or {})}
    command = [
        *(str(BIN / "python"), "-m", "mscpo.cli", "serve"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        *("--query-timeout", "20", "--log-level", "warning"),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    return _wait(Process("mscpo serve", base, base + "/sparql", process, log_path), base + "/health")


def start_oxigraph(workdir: Path, *data: Path) -> Process:
    """``oxigraph serve`` (the PyPI ``oxigraph`` CLI) loaded with ``data``: a stand-in for a remote store."""
    location = Path(tempfile.mkdtemp(prefix="oxigraph-", dir=workdir))
    if data:
        subprocess.run(
            [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", *map(str, data)],
            check=True,
            capture_output=True,
        )
    port = free_port()
    log_path = workdir / f"oxigraph-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(BIN / "oxigraph"), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    proc = Process("oxigraph serve", base, base + "/query", process, log_path)
    return _wait(proc, base + "/query?query=ASK%7B%7D")


def example(name: str, **replace: str) -> str:
    """The text of ``examples/federation/<name>.rq`` with endpoint URLs replaced (old=new pairs)."""
    text = (EXAMPLES / f"{name}.rq").read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def strip_service(text: str) -> str:
    """The same query without its SERVICE wrappers: what it means over the union of both datasets."""
    from mscpo.federation.service import find_clauses
    from mscpo.sparql.guard import tokenize

    while True:
        tokens = tokenize(text)
        clauses = find_clauses(tokens)
        if not clauses:
            return text
        clause = clauses[0]
        text = text[: tokens[clause.start].start] + text[tokens[clause.open].start :]


Row = tuple[tuple[str, str], ...]


def rows_of(solutions: ox.QuerySolutions) -> list[Row]:
    """Order-insensitive, comparable rows: sorted (variable, N-Triples term) pairs per solution."""
    names = [v.value for v in solutions.variables]
    out = [tuple(sorted((n, str(s[n])) for n in names if s[n] is not None)) for s in solutions]
    return sorted(out)


def http_rows(endpoint: str, query: str, accept: str = JSON, timeout: float = 60) -> list[Row]:
    """POST ``query`` to a SPARQL endpoint and return its rows like ``rows_of``."""
    response = requests.post(endpoint, data={"query": query}, headers={"Accept": accept}, timeout=timeout)
    assert response.status_code == 200, f"{endpoint}: {response.status_code} {response.text[:500]}"
    fmt = ox.QueryResultsFormat.XML if "xml" in accept else ox.QueryResultsFormat.JSON
    return rows_of(ox.parse_query_results(response.content, format=fmt))


def dump_store(endpoint: str) -> ox.Store:
    """A local copy of everything a SPARQL endpoint serves in its default graph."""
    response = requests.post(
        endpoint,
        data={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
        timeout=60,
    )
    response.raise_for_status()
    store = ox.Store()
    store.load(response.content, format=ox.RdfFormat.N_TRIPLES)
    return store


def union_store(base: ox.Store, *turtle: Path) -> ox.Store:
    """A copy of ``base`` plus the Turtle files: the oracle for a federated join."""
    store = ox.Store()
    store.extend(base.quads_for_pattern(None, None, None, None))
    for path in turtle:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


@dataclass
class Hit:
    method: str
    path: str
    query: str


class Listener:
    """A SPARQL endpoint on 127.0.0.1 that records every request that reaches it.

    It answers from an in-memory store, or, when told to, with a redirect (``redirect_to``), after a delay
    (``delay``, in seconds, sent as a slow drip), or with ``status``. Policy tests assert on ``hits``.
    """

    def __init__(self, *data: Path, tls: tuple[Path, Path] | None = None) -> None:
        import http.server
        import ssl
        import threading
        import urllib.parse

        self.store = ox.Store()
        for path in data:
            self.store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        self.hits: list[Hit] = []
        self.redirect_to: str | None = None
        self.redirect_status = 302
        self.delay = 0.0
        self.status = 200
        self.raw: tuple[str, bytes] | None = None  # (content type, body) to send instead of real results
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                url = urllib.parse.urlsplit(self.path)
                params = urllib.parse.parse_qs(url.query) | urllib.parse.parse_qs(body)
                query = params.get("query", [""])[0]
                listener.hits.append(Hit(self.command, self.path, query))
                if listener.redirect_to is not None:
                    self.send_response(listener.redirect_status)
                    self.send_header("Location", listener.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if listener.raw is not None:
                    self._send(200, *listener.raw)
                    return
                if listener.status != 200:
                    self._send(listener.status, "text/plain", b"stand-in failure")
                    return
                payload = listener.store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
                self._send(200, JSON, payload or b"")

            def _send(self, status: int, content_type: str, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    if not listener.delay:
                        self.wfile.write(payload)
                        return
                    steps = 20
                    for index in range(steps):
                        time.sleep(listener.delay / steps)
                        self.wfile.write(payload[index * len(payload) // steps : (index + 1) * len(payload) // steps])
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (what the timeout tests expect)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                return None

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/sparql"

    @property
    def exemption(self) -> str:
        """The ``unsafe_allow_loopback`` entry that lets the policy call this listener."""
        return f"127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


SHAPE_PREFIXES = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX MSCPO: <https://w3id.org/mscpo/MSCPO_>\n"
JOIN = "?factor skos:exactMatch|skos:narrowMatch ?protein . ?finding MSCPO:0001001 ?factor ; MSCPO:0001004 ?mechanism ."


def accessions(store: ox.Store, rows: int) -> list[str]:
    """``rows`` UniProt IRIs: every one our graph maps, then accessions absent from it (as a big join has)."""
    mapped = sorted(
        s["p"].value
        for s in store.query(
            "SELECT DISTINCT ?p WHERE { ?f <http://www.w3.org/2004/02/skos/core#exactMatch> ?p "
            'FILTER(STRSTARTS(STR(?p), "http://purl.uniprot.org/uniprot/")) }'
        )
    )
    if rows <= len(mapped):
        return mapped[:rows] if rows > 1 else ["http://purl.uniprot.org/uniprot/P98066"]
    return mapped + [f"http://purl.uniprot.org/uniprot/A0A{i:06d}" for i in range(rows - len(mapped))]


@dataclass
class Shape:
    """One request shape a federating engine sends, and the query whose answer it must carry."""

    name: str
    query: str
    method: str = "POST-form"
    accept: str = JSON
    extra: dict[str, str] | None = None

    def send(self, session: requests.Session, endpoint: str) -> requests.Response:
        headers = {"Accept": self.accept}
        params = dict(self.extra or {})
        if self.method == "GET":
            return session.get(endpoint, params={"query": self.query, **params}, headers=headers, timeout=60)
        if self.method == "POST-empty-body":  # Blazegraph / WDQS: everything in the URL
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return session.post(endpoint, params={"query": self.query, **params}, data=b"", headers=headers)
        if self.method == "POST-direct":  # Jena beyond 2048 characters
            headers["Content-Type"] = "application/sparql-query"
            return session.post(endpoint, params=params, data=self.query.encode(), headers=headers)
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"  # RDF4J's form POST
        return session.post(endpoint, data={"query": self.query, **params}, headers=headers, timeout=60)


def request_shapes(store: ox.Store, sizes: tuple[int, ...] = (1, 100, 1000)) -> list[Shape]:
    """Bind joins (VALUES first, RDF4J ``?__rowIdx`` style, and last), equality filters, COUNT probes,
    Virtuoso's XML-only GET with ``maxrows`` and Blazegraph's empty-body POST."""
    shapes: list[Shape] = []
    for size in sizes:
        iris = accessions(store, size)
        first = " ".join(f'("{i}" <{iri}>)' for i, iri in enumerate(iris))
        shapes.append(
            Shape(
                f"values-first-rowidx-{size}",
                f"{SHAPE_PREFIXES}SELECT ?__rowIdx ?finding ?mechanism WHERE {{\n"
                f"VALUES (?__rowIdx ?protein) {{ {first} }}\n{JOIN}\n}}",
                method="GET" if size == 1 else "POST-form",
            )
        )
        last = " ".join(f"(<{iri}>)" for iri in iris)
        shapes.append(
            Shape(
                f"values-last-{size}",
                f"{SHAPE_PREFIXES}SELECT ?protein ?finding ?mechanism WHERE {{ {JOIN} }}\n"
                f"VALUES (?protein) {{ {last} }}",
                method="GET" if size == 1 else "POST-direct",
            )
        )
    target = "<http://purl.uniprot.org/uniprot/P98066>"
    equality = f"{SHAPE_PREFIXES}SELECT ?finding ?mechanism WHERE {{ {JOIN} FILTER(?protein = {target}) }}"
    uniprot_only = 'FILTER(STRSTARTS(STR(?protein), "http://purl.uniprot.org/uniprot/"))'
    count = f"{SHAPE_PREFIXES}SELECT (COUNT(*) AS ?count) WHERE {{ {JOIN} {uniprot_only} }}"
    pattern_count = "SELECT (COUNT(*) AS ?count) WHERE { ?s <http://www.w3.org/2004/02/skos/core#exactMatch> ?o }"
    shapes += [
        Shape("filter-equality", equality, method="GET"),
        Shape("count-probe", count, method="GET"),
        Shape("count-probe-pattern", pattern_count, method="GET"),  # Comunica's per-pattern cardinality probe
        Shape("count-probe-distinct", count.replace("COUNT(*)", "COUNT(DISTINCT ?finding)"), method="GET"),
        Shape(
            "virtuoso-xml-maxrows",
            equality,
            method="GET",
            accept="application/sparql-results+xml",
            extra={"maxrows": "1000", "timeout": "30000", "format": "application/sparql-results+xml"},
        ),
        Shape("blazegraph-empty-body-post", equality, method="POST-empty-body", extra={"queryId": "wdqs-1234"}),
    ]
    return shapes


def response_rows(response: requests.Response) -> list[Row]:
    fmt = ox.QueryResultsFormat.XML if "xml" in response.headers["Content-Type"] else ox.QueryResultsFormat.JSON
    return rows_of(ox.parse_query_results(response.content, format=fmt))


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throw-away certificate for 127.0.0.1 (openssl CLI): (certificate, key)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def start_virtuoso(workdir: Path, *data: Path) -> Process:
    """Virtuoso Open Source (the shared ``tests/virtuoso_process.py``) with ``data``, allowed to federate.

    ``SPARQL_SPONGE`` is the role that lets the anonymous SPARQL user federate in Virtuoso 7.2.5; newer
    releases call it ``SPARQL_SELECT_FED``.
    """
    setup = ['GRANT SPARQL_SPONGE TO "SPARQL";']
    setup += [f"DB.DBA.TTLP(file_to_string('{path}'), '', 'urn:mscpo:fixture:{path.stem}');" for path in data]
    server = virtuoso_process.start_virtuoso(workdir, setup=setup, dirs=[FIXTURES])
    return Process("virtuoso", server.base, server.endpoint, server.process, server.db / "console.log")


JENA_DEPENDENCIES = (
    "slf4j-api", "commons-lang3", "commons-io", "commons-cli", "commons-codec", "commons-compress", "commons-csv",
    "dexx.collection", "gson", "guava", "thrift", "protobuf", "jackson-core", "jackson-databind",
    "jackson-annotations", "jsonld-java", "titanium-json-ld", "jakarta.json-api", "httpclient", "httpcore",
    "commons-logging",
)  # fmt: skip


def jena_classpath(workdir: Path, java_dir: Path = Path("/usr/share/java")) -> str:
    """Class path for Apache Jena ARQ as Debian packages it (``libapache-jena-java``).

    Debian's jena-core 4.5 relocates its bundled Xerces to the package ``xerces`` but leaves the message files
    under ``org/apache/jena/ext/xerces``, so ARQ fails to start ("internal error" in XSSimpleTypeDecl); a copy of
    those files under the relocated name fixes it.
    """
    import shutil
    import zipfile

    core = java_dir / "jena-core.jar"
    if shutil.which("java") is None or not core.is_file():
        raise FileNotFoundError("Apache Jena not installed (apt-get install libapache-jena-java)")
    fix = workdir / "jena-xerces-messages"
    with zipfile.ZipFile(core) as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = fix / name.removeprefix("org/apache/jena/ext/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    jars = sorted(p for p in java_dir.glob("jena-*.jar") if not any(c.isdigit() for c in p.stem))
    jars += [java_dir / f"{name}.jar" for name in JENA_DEPENDENCIES if (java_dir / f"{name}.jar").is_file()]
    return ":".join([*map(str, jars), str(fix)])


def arq_rows(classpath: str, data: Path, query: str, workdir: Path) -> list[Row]:
    """Run ``query`` with Jena's ``arq`` command over ``data`` (SERVICE evaluated by ARQ itself)."""
    query_file = Path(tempfile.mkstemp(suffix=".rq", dir=workdir)[1])
    query_file.write_text(query)
    done = subprocess.run(
        ["java", "-cp", classpath, "arq.sparql", "--data", str(data), "--query", str(query_file), "--results=xml"],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return rows_of(ox.parse_query_results(done.stdout, format=ox.QueryResultsFormat.XML))


class RecordingProxy:
    """An HTTP proxy on 127.0.0.1 in front of a SPARQL endpoint that records each request an engine sends."""

    def __init__(self, target: str) -> None:
        import http.server
        import threading
        import urllib.parse

        self.hits: list[Hit] = []
        self.headers: list[dict[str, str]] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                url = urllib.parse.urlsplit(self.path)
                form = "form-urlencoded" in (self.headers.get("Content-Type") or "")
                params = urllib.parse.parse_qs(url.query) | (urllib.parse.parse_qs(body.decode()) if form else {})
                query = params.get("query", [body.decode() if body and not form else ""])[0]
                proxy.hits.append(Hit(self.command, self.path, query))
                proxy.headers.append({k.lower(): v for k, v in self.headers.items()})
                passed = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "content-type")}
                answer = requests.request(
                    self.command, target + (f"?{url.query}" if url.query else ""), data=body, headers=passed, timeout=60
                )
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("Content-Type", "text/plain"))
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = _forward

            def log_message(self, *args: object) -> None:
                return None

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def params(self, index: int) -> dict[str, list[str]]:
        import urllib.parse

        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.hits[index].path).query)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def comunica_rows(sources: list[str], query: str, workdir: Path) -> list[Row]:
    """Run ``query`` with Comunica (``comunica-sparql`` from npm) federating over SPARQL endpoint ``sources``."""
    import shutil

    binary = shutil.which("comunica-sparql")
    if binary is None:
        raise FileNotFoundError("comunica-sparql not installed (npm install -g @comunica/query-sparql@4)")
    query_file = Path(tempfile.mkstemp(suffix=".rq", dir=workdir)[1])
    query_file.write_text(query)
    done = subprocess.run(
        [binary, *(f"sparql@{s}" for s in sources), "-f", str(query_file), "-t", "application/sparql-results+json"],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    document = json.loads(done.stdout)  # the CLI appends a "metadata" member after "results"
    standard = json.dumps({"head": document["head"], "results": document["results"]})
    return rows_of(ox.parse_query_results(standard, format=ox.QueryResultsFormat.JSON))
