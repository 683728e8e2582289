"""``mscpo load FILES… --store DIR``: bulk-load RDF files into an on-disk pyoxigraph store, all or nothing.

Flow: inspect every file (exists, syntax known) → take the store's lock and clean up after any killed load →
copy the store with hard links → bulk-load every file into the copy → swap the copy in (see ``staging.py``).
Triple syntaxes go to one named graph (``--graph``, default the knowledge graph ``…/graph/kg``;
docs/model.md); quad syntaxes keep their graphs and only their default-graph triples go to ``--graph``. RDF
is a set, so loading the same file twice adds nothing.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from mscpo import paths
from mscpo.config import without_credentials
from mscpo.errors import InputError
from mscpo.store import push, staging
from mscpo.store.formats import (
    SUPPORTED,
    CountingReader,
    Source,
    inspect,
    parse_format_name,
    xml_error_position,
)
from mscpo.store.progress import Progress
from mscpo.xml_safety import check_rdfxml_file

DEFAULT_GRAPH = f"{paths.GRAPH_NAMESPACE}kg"


@dataclass(frozen=True)
class LoadResult:
    """What a load did: files, their size on disk, quads in the store before and after, time taken."""

    store: Path
    files: tuple[Path, ...]
    disk_bytes: int
    before: int
    after: int
    seconds: float

    @property
    def added(self) -> int:
        return self.after - self.before


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Bulk-load RDF files (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD; each may be gzipped)"
        " into an on-disk store. All files load or none does: on any error the store is left exactly as"
        " before."
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="RDF files to load")
    parser.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="store directory (created if missing; must not be open in another process); required with the "
        "default --backend oxigraph",
    )
    parser.add_argument(
        "--backend",
        choices=("oxigraph", "sparql"),
        default="oxigraph",
        help="oxigraph: the embedded on-disk store (default); sparql: push to a remote SPARQL 1.1 store "
        "through its Graph Store Protocol endpoint (--gsp-endpoint)",
    )
    parser.add_argument(
        "--gsp-endpoint",
        metavar="URL",
        help="Graph Store Protocol endpoint of the remote store (with --backend sparql), e.g. "
        "http://localhost:7878/store for oxigraph serve",
    )
    parser.add_argument(
        "--query-endpoint",
        metavar="URL",
        help="query endpoint of the remote store, where the load is verified (default: derived from "
        "--gsp-endpoint for Oxigraph /store, Virtuoso /sparql-graph-crud[-auth] and Fuseki /data)",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="with --backend sparql: replace the target graphs (HTTP PUT) instead of adding to them",
    )
    parser.add_argument(
        "--graph",
        default=DEFAULT_GRAPH,
        metavar="IRI",
        help=f"named graph for triples of triple-only files (default: {DEFAULT_GRAPH})",
    )
    parser.add_argument(
        "--format",
        dest="rdf_format",
        metavar="FORMAT",
        help="syntax of all files when their names do not tell (ttl, nt, nq, trig, rdf, jsonld "
        "or a media type)",
    )
    parser.add_argument("--base", metavar="IRI", help="base IRI to resolve relative IRIs against")
    parser.add_argument(
        "--optimize",
        action="store_true",
        help="compact the store after loading (slower load, faster reads afterwards)",
    )
    parser.add_argument("--no-progress-bar", action="store_true", help="plain log lines even on a terminal")


def run(args: argparse.Namespace) -> int:
    rdf_format = parse_format_name(args.rdf_format) if args.rdf_format else None
    progress_bar = False if args.no_progress_bar else None
    if args.backend == "sparql":
        if not args.gsp_endpoint:
            raise InputError("--backend sparql needs --gsp-endpoint URL", hint="name the remote Graph Store endpoint")
        held = push_to_remote(
            args.files,
            args.gsp_endpoint,
            args.graph,
            rdf_format=rdf_format,
            base_iri=args.base,
            query_endpoint=args.query_endpoint,
            replace=args.replace,
        )
        where = without_credentials(args.gsp_endpoint)
        print(f"pushed {len(args.files)} file(s) to {where}, verified: the remote store now holds")
        for graph, count in held.items():
            print(f"  {graph}: {count:,} triples")
        return 0
    if args.store is None:
        raise InputError("--store DIR is required", hint="name the store directory, or use --backend sparql")
    result = load_files(
        args.files,
        args.store,
        args.graph,
        rdf_format=rdf_format,
        base_iri=args.base,
        optimize=args.optimize,
        progress_bar=progress_bar,
    )
    rate = result.disk_bytes / result.seconds / 1_000_000 if result.seconds > 0 else 0.0
    print(
        f"loaded {len(result.files)} file(s), {result.disk_bytes / 1_000_000:,.1f} MB, into {result.store}"
        f" in {result.seconds:.1f} s ({rate:,.1f} MB/s): {result.after:,} quads in the store"
        f" ({result.added:+,})"
    )
    return 0


def push_to_remote(
    files: Sequence[Path],
    gsp_endpoint: str,
    graph: str = DEFAULT_GRAPH,
    *,
    rdf_format: pyoxigraph.RdfFormat | None = None,
    base_iri: str | None = None,
    query_endpoint: str | None = None,
    replace: bool = False,
) -> dict[str, int]:
    """Parses every file locally first (positioned errors, nothing sent on any error), then pushes and verifies
    them (:func:`mscpo.store.push.push_files`); returns the triples each graph pushed to now holds."""
    _graph_node(graph)
    sources = [inspect(Path(file), rdf_format) for file in files]
    for source in sources:
        reader = CountingReader(source, lambda _bytes, _lines: None)
        try:
            for _quad in pyoxigraph.parse(input=reader, format=source.format, base_iri=base_iri):
                pass
        except SyntaxError as exc:
            raise _parse_error(source, exc, committed="nothing was sent to the remote store") from exc
        except (OSError, EOFError, ValueError) as exc:
            raise _read_error(source, exc) from exc
        finally:
            reader.close()
    return push.push_files(
        [source.path for source in sources],
        gsp_endpoint,
        graph,
        query_endpoint=query_endpoint,
        replace=replace,
        rdf_format=rdf_format,
        base_iri=base_iri,
    )


def load_files(
    files: Sequence[Path],
    store: Path,
    graph: str = DEFAULT_GRAPH,
    *,
    rdf_format: pyoxigraph.RdfFormat | None = None,
    base_iri: str | None = None,
    optimize: bool = False,
    progress_bar: bool | None = None,
) -> LoadResult:
    """Loads ``files`` into the store at ``store``; on failure raises :class:`InputError`, changes nothing."""
    started = time.monotonic()
    target_graph = _graph_node(graph)
    sources = [inspect(Path(file), rdf_format) for file in files]
    store = Path(store).expanduser().resolve()
    if store.exists() and not store.is_dir():
        raise InputError(f"{store} is a file, not a store directory", hint="pass a directory to --store")
    progress = Progress(sum(source.size for source in sources), bar=progress_bar)
    try:
        with staging.exclusive(store):
            staging.recover(store)
            # The current store stays open (locked against writers, whose writes the swap would lose) until
            # the load is complete, and is closed before the swap: RocksDB writes files by path on close.
            current = _open_current(store)
            try:
                before = 0
                if current is not None:
                    before = len(current)
                    progress.note(f"copying the store ({before:,} quads) before loading")
                    current.backup(str(staging.staging_path(store)))
                    _keep_side_files(store, staging.staging_path(store))
                after = _load_into_staging(store, sources, target_graph, base_iri, optimize, progress)
            finally:
                current = None
                gc.collect()
            progress.note("swapping the loaded copy in")
            staging.publish(store)
    finally:
        progress.close()
    return LoadResult(
        store,
        tuple(source.path for source in sources),
        sum(s.size for s in sources),
        before,
        after,
        time.monotonic() - started,
    )


def _keep_side_files(store: Path, copy: Path) -> None:
    """Carries ``mscpo-*`` files (``mscpo serve --store``'s marker and packaged triples) into the copy, which
    ``Store.backup`` leaves out: the server then refreshes only its inferred graph at its next start."""
    for side_file in store.glob("mscpo-*"):
        if side_file.is_file():
            shutil.copy2(side_file, copy / side_file.name)


def _graph_node(graph: str) -> pyoxigraph.NamedNode:
    try:
        return pyoxigraph.NamedNode(graph)
    except ValueError as exc:
        raise InputError(
            f"--graph {graph!r} is not an absolute IRI ({exc})", hint=f"pass an IRI such as {DEFAULT_GRAPH}"
        ) from exc


def _open(path: Path) -> pyoxigraph.Store:
    """Opens a store read-write; a store held by another process is reported so, not as a RocksDB error."""
    try:
        return pyoxigraph.Store(str(path))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise staging.in_use_error(path) from exc
        raise InputError(
            f"cannot open the store {path}: {exc}",
            hint="check that the directory is an Oxigraph store and is writable",
        ) from exc


def _open_current(store: Path) -> pyoxigraph.Store | None:
    """The existing store, opened read-write so that no other process can write to it during the load."""
    if staging.is_absent(store):
        return None
    if not staging.is_store(store):
        raise InputError(
            f"{store} exists but is not an Oxigraph store",
            hint="pass a new or empty directory, or an existing store, to --store",
        )
    return _open(store)


def _load_into_staging(
    store: Path,
    sources: Sequence[Source],
    graph: pyoxigraph.NamedNode,
    base_iri: str | None,
    optimize: bool,
    progress: Progress,
) -> int:
    """Bulk-loads every file into the staging copy; on any failure deletes the copy and re-raises."""
    path = staging.staging_path(store)
    copy = pyoxigraph.Store(str(path))
    try:
        for source in sources:
            progress.start_file(source.path.name, source.size)
            _bulk_load(copy, source, graph, base_iri, progress)
        if optimize:
            progress.note("optimizing the store")
            copy.optimize()
        count = len(copy)
        copy.flush()
    except BaseException:
        del copy
        gc.collect()
        shutil.rmtree(path, ignore_errors=True)
        raise
    del copy
    gc.collect()
    return count


def _bulk_load(
    store: pyoxigraph.Store,
    source: Source,
    graph: pyoxigraph.NamedNode,
    base_iri: str | None,
    progress: Progress,
) -> None:
    if source.format == pyoxigraph.RdfFormat.RDF_XML:
        check_rdfxml_file(source.path, source.gzipped)  # no DTD entities (issue 10: unbounded expansion)
    reader = CountingReader(source, progress.advance)
    try:
        store.bulk_load(input=reader, format=source.format, base_iri=base_iri, to_graph=graph)
    except SyntaxError as exc:
        raise _parse_error(source, exc) from exc
    except (OSError, EOFError, ValueError) as exc:
        raise _read_error(source, exc) from exc
    finally:
        reader.close()


def _parse_error(
    source: Source, exc: SyntaxError, committed: str = "nothing of this load was committed, the store is as before"
) -> InputError:
    line, column = exc.lineno, exc.offset
    if not line and source.format == pyoxigraph.RdfFormat.RDF_XML:
        line, column = xml_error_position(source.path, source.gzipped) or (None, None)
    where = f"{source.path}:{line}:{column}" if line else str(source.path)
    message = exc.msg or str(exc)
    if line and source.gzipped:
        message += " (line and column of the decompressed text)"
    fix = "fix the file at that position" if line else "fix the file"
    return InputError(
        f"{source.format.name} syntax error: {message}",
        where=where,
        hint=f"{fix} and run the load again; {committed}",
    )


def _read_error(source: Source, exc: BaseException) -> InputError:
    if source.gzipped and ("gzip" in str(exc).lower() or isinstance(exc, EOFError)):
        return InputError(
            f"{source.path}: not a complete gzip file ({exc})",
            hint="re-download or re-compress the file; the store is as before",
        )
    return InputError(
        f"{source.path}: cannot be loaded as {source.format.name} ({exc})",
        hint=f"check the file and its syntax (supported: {SUPPORTED}); the store is as before",
    )
