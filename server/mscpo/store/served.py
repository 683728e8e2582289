"""The on-disk store behind ``mscpo serve --store DIR``: prepared once in the master, read by every worker.

RocksDB lets one process open a store read-write, and pyoxigraph documents reading a store while another
process writes it as undefined behaviour. So nothing ever writes into the directory the workers read:

* start-up (in the master, before forking) and every guarded write build the next version in a hard-link
  copy (``Store.backup``), change the copy, and swap it in with :func:`mscpo.store.staging.publish` (one
  atomic ``renameat2(RENAME_EXCHANGE)``) — the protocol of ``mscpo load``, under the same lock file;
* every worker opens the store read-only (~20 ms) and, before each request, compares the directory's identity
  (inode, change time, generation in the marker file) with the one it opened; after a swap it reopens, so a
  request sees one whole version, the old or the new, never a mix.

A kill at any moment leaves either the old directory untouched (the copy is removed by the next writer's
``staging.recover``) or the new one complete.

Every read-write use of RocksDB runs in a short-lived child process started afresh (``python -m
mscpo.store.served``), never in the gunicorn master or its forked workers: RocksDB's background threads do not
survive ``fork``, and a forked worker that opened a store read-write hung on its first flush (measured).

``DIR/mscpo-served.json`` (the marker, published with the store) records the digest of the packaged sources
and the quad count it was prepared for: start-up reloads the packaged graphs only when the sources changed,
and refreshes the inferred graph when anything changed (e.g. after ``mscpo load``, whose copies do not carry
the marker).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from mscpo.errors import InputError
from mscpo.store import dataset, staging

log = logging.getLogger("mscpo.store")

MARKER = "mscpo-served.json"
PACKAGED = "mscpo-packaged.nq"  # the packaged knowledge-graph triples last loaded, to swap them on a change
PR_SET_PDEATHSIG = 1
LOCK_WAIT_SECONDS = 30.0


@contextlib.contextmanager
def locked(path: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[int]:
    """Holds the store's lock (the one ``mscpo load`` takes), waiting up to ``wait`` seconds; yields its fd."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = staging.lock_path(path).open("a")
    try:
        staging.wait_for_lock(handle.fileno(), wait, staging.in_use_error(path))
        yield handle.fileno()
    finally:
        handle.close()  # closing the descriptor releases the lock, also when the process is killed


def read_marker(path: Path) -> dict[str, object]:
    try:
        return json.loads((path / MARKER).read_text())
    except (OSError, ValueError):
        return {}


def _identity(path: Path, info: os.stat_result | None = None) -> tuple[int, int, str]:
    info = os.stat(path) if info is None else info
    return info.st_ino, info.st_ctime_ns, str(read_marker(path).get("generation", ""))


def open_pinned(path: Path, attempts: int = 3) -> tuple[ox.Store, int, tuple[int, int, str]]:
    """Opens the store read-only through a descriptor of its directory: (store, descriptor, identity).

    RocksDB opens CURRENT, MANIFEST and table files one by one by path; a swap in the middle could hand it
    files of two versions. Through ``/proc/self/fd/N`` every lookup resolves in the one directory the
    descriptor holds, even after it is renamed. If that version is deleted meanwhile, the open fails and is
    retried on the new one. The descriptor must stay open as long as the store.
    """
    for attempt in range(attempts):
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        pinned = Path(f"/proc/self/fd/{descriptor}")
        try:
            identity = _identity(pinned, os.fstat(descriptor))
            return ox.Store.read_only(str(pinned)), descriptor, identity
        except OSError:
            os.close(descriptor)
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def fingerprint(path: Path) -> str:
    """Names and sizes of the RocksDB files: changes whenever the content does (any write adds or rewrites
    files), stays put while the store is only read, and costs no scan of the data."""
    digest = hashlib.sha256()
    for entry in sorted(path.iterdir()):
        name = entry.name
        if name.startswith(("LOG", "LOCK")) or name in (MARKER, PACKAGED) or not entry.is_file():
            continue
        digest.update(f"{name}\0{entry.stat().st_size}\0".encode())
    return digest.hexdigest()[:32]


def next_version(
    path: Path,
    change: Callable[[ox.Store], bytes | None],
    sources_version: str,
    counts: Callable[[], dict[str, int] | None] = lambda: None,
) -> None:
    """Builds the next version of the store in a copy, changes it, and swaps it in; the caller holds the lock.

    ``change`` may return a new snapshot of the packaged knowledge-graph triples (else the current one is
    kept); ``counts``, called after it, may give the triples per graph of the new version (else they are
    counted, a scan of the whole store). On any error (or a kill) before the swap the store directory is
    exactly as before.
    """
    copy_path = staging.staging_path(path)
    staging.recover(path)
    packaged = (path / PACKAGED).read_bytes() if (path / PACKAGED).is_file() else None
    if staging.is_absent(path):
        copy = ox.Store(str(copy_path))
    else:
        current = ox.Store.read_only(str(path))
        current.backup(str(copy_path))
        del current
        copy = ox.Store(str(copy_path))
    try:
        packaged = change(copy) or packaged
        graphs = counts() or dataset.OxigraphBackend(copy, "").graph_triples()
        copy.flush()
    except BaseException:
        del copy
        gc.collect()
        shutil.rmtree(copy_path, ignore_errors=True)
        raise
    del copy
    gc.collect()  # closes RocksDB before the files are published
    marker = {
        "sources": sources_version,
        "fingerprint": fingerprint(copy_path),
        "graphs": graphs,
        "generation": uuid.uuid4().hex,
    }
    if packaged is not None:
        (copy_path / PACKAGED).write_bytes(packaged)
    (copy_path / MARKER).write_text(json.dumps(marker))
    staging.publish(path)


def _in_child(*args: str, lock_fd: int) -> None:
    """Runs one read-write step of this module in a fresh interpreter (see the module docstring).

    The child inherits the lock's descriptor, so the lock stays held while it runs even if this process is
    ended (at a write deadline), and it asks the kernel to kill it when this process dies: a write whose
    caller got a 503 is not published later by an orphan.
    """
    command = [sys.executable, "-m", "mscpo.store.served", str(os.getpid()), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False, pass_fds=(lock_fd,))
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        raise OSError(f"updating the store failed: {detail}")


def _reload_packaged(store: ox.Store, sources: dataset.Sources, previous: Path) -> bytes:
    """Replaces the ontology and imports graphs; in the knowledge graph, which ``mscpo load`` and writes also
    fill, swaps the previously loaded packaged triples (``previous``, when known) for the current ones.
    Returns the new snapshot of the packaged knowledge-graph triples (N-Quads)."""
    for graph, files in ((dataset.ONTOLOGY_GRAPH, sources.ontology), (dataset.IMPORTS_GRAPH, sources.imports)):
        node = ox.NamedNode(graph)
        if node in set(store.named_graphs()):
            store.remove_graph(node)
        for file in files:
            dataset.load_file(store, file, graph)
    fresh = ox.Store()
    for file in sources.kg:
        dataset.load_file(fresh, file, dataset.KG_GRAPH)
    new = set(fresh)
    old = set(ox.parse(path=str(previous), format=ox.RdfFormat.N_QUADS)) if previous.is_file() else set()
    for quad in old - new:
        store.remove(quad)
    store.extend(new - old)
    return ox.serialize(sorted(new, key=str), format=ox.RdfFormat.N_QUADS) or b""


def refresh_inferred(store: ox.Store) -> None:
    """Recomputes the inferred graph from every other graph and applies only the difference (removing a large
    graph quad by quad is slow on disk: 100 s for 1.5 M triples, measured)."""
    inferred = ox.NamedNode(dataset.INFERRED_GRAPH)
    sources = [g for g in store.named_graphs() if g != inferred]
    new: set[ox.Quad] = set()
    for construct in (dataset.SUBCLASS_CLOSURE, dataset.TYPE_CLOSURE):
        for t in store.query(construct, default_graph=sources):
            new.add(ox.Quad(t.subject, t.predicate, t.object, inferred))
    old = set(store.quads_for_pattern(None, None, None, inferred))
    for quad in old - new:
        store.remove(quad)
    store.bulk_extend(new - old)


def prepare(path: Path, sources: dataset.Sources) -> dataset.LoadReport:
    """Makes the store at ``path`` hold the packaged graphs and a current inferred graph (start-up)."""
    started = time.perf_counter()
    path = path.expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise InputError(f"{path} is a file, not a store directory", hint="pass a directory to --store")
    if path.is_dir() and not staging.is_absent(path) and not staging.is_store(path):
        raise InputError(f"{path} exists but is not an Oxigraph store", hint="pass a new or empty directory")
    version = sources.version()
    with locked(path) as lock_fd:
        staging.recover(path)
        marker = read_marker(path)
        present = not staging.is_absent(path)
        sources_changed = marker.get("sources") != version
        if present and not sources_changed and marker.get("fingerprint") == fingerprint(path):
            log.info("store %s is current: nothing to load", path)
        else:
            reload = sources_changed or not present
            if reload:
                log.info("loading the packaged ontology, imports and knowledge graph into %s", path)
            log.info("refreshing the inferred graph")
            root = sources.root if sources.root is not None else Path.cwd()
            _in_child("prepare", str(path), str(root), "reload" if reload else "infer", lock_fd=lock_fd)
    graphs = read_marker(path).get("graphs")
    counts = dict(graphs) if isinstance(graphs, dict) else DiskBackend(path).graph_triples()
    report = dataset.LoadReport(graph_triples={g: int(n) for g, n in counts.items()})
    report.files = {g: [str(p) for p in files] for g, files in sources.by_graph().items()}
    report.seconds = time.perf_counter() - started
    return report


def _prepare_here(path: Path, root: Path, mode: str) -> None:
    sources = dataset.Sources.from_root(root)

    def change(store: ox.Store) -> bytes | None:
        packaged = _reload_packaged(store, sources, path / PACKAGED) if mode == "reload" else None
        refresh_inferred(store)
        return packaged

    version = sources.version()  # before the change: a file edited meanwhile is seen at the next start
    next_version(path, change, version)


def _apply_here(path: Path, removed: Path, added: Path) -> None:
    marker = read_marker(path)
    known = marker.get("graphs")
    graphs = {str(g): int(n) for g, n in known.items()} if isinstance(known, dict) else None

    def count(quad: ox.Quad, step: int) -> None:
        if graphs is not None and isinstance(quad.graph_name, ox.NamedNode):
            graphs[quad.graph_name.value] = graphs.get(quad.graph_name.value, 0) + step

    def change(store: ox.Store) -> None:
        for quad in ox.parse(path=str(removed), format=ox.RdfFormat.N_QUADS):
            if quad in store:
                count(quad, -1)
                store.remove(quad)
        for quad in ox.parse(path=str(added), format=ox.RdfFormat.N_QUADS):
            if quad not in store:
                count(quad, +1)
                store.add(quad)

    # the counts follow from the previous version's and the change: no scan of the whole store per write
    next_version(path, change, str(marker.get("sources", "")), lambda: graphs)


class DiskBackend:
    """A served on-disk store: one read-only handle per worker process, reopened after every swap."""

    exact_version = True  # the version is the identity of the directory holding the data
    shared = True  # every worker reads the one directory, reopened after each swap
    writable = True
    remote = False
    kind = "oxigraph-disk"

    def __init__(self, path: Path) -> None:
        self.path = path.expanduser().resolve()
        self.location = str(self.path)
        self._store: ox.Store | None = None
        self._descriptor = -1
        self._key: tuple[int, tuple[int, int, str]] | None = None
        self._version = ""
        self._lock_fd = -1

    def current(self) -> ox.Store:
        """The version of the store a request should read (reopened when another process swapped one in)."""
        key = (os.getpid(), _identity(self.path))
        if self._store is None or key != self._key:
            self.release()
            self._store, self._descriptor, opened = open_pinned(self.path)
            self._key = (os.getpid(), opened)
            self._version = f"{opened[0]}-{opened[1]}-{opened[2]}"
        return self._store

    @property
    def version(self) -> str:
        self.current()
        return self._version

    def release(self) -> None:
        """Closes this process's handle (the master does, before forking workers)."""
        self._store = None
        self._key = None
        gc.collect()
        if self._descriptor >= 0:
            with contextlib.suppress(OSError):
                os.close(self._descriptor)  # in a forked worker this is its own copy of the master's
            self._descriptor = -1

    def query(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        return dataset.OxigraphBackend(self.current(), self._version).query(
            text, default_graphs=default_graphs, named_graphs=named_graphs, base_iri=base_iri
        )

    def update(self, text: str) -> None:
        raise RuntimeError("the served store is changed only through guarded writes (mscpo.store.writes)")

    def graph_triples(self) -> dict[str, int]:
        """The counts the marker recorded for this version (no scan), when the marker is this version's."""
        store = self.current()
        pinned = Path(f"/proc/self/fd/{self._descriptor}")
        marker = read_marker(pinned)
        graphs = marker.get("graphs")
        if isinstance(graphs, dict) and marker.get("fingerprint") == fingerprint(pinned):
            counts = {g: 0 for g in dataset.GRAPH_ORDER}
            counts.update({str(g): int(n) for g, n in graphs.items()})
            return counts
        return dataset.OxigraphBackend(store, self._version).graph_triples()

    # What mscpo.store.writes needs: a lock, an in-memory snapshot, and an atomic commit.

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        with locked(self.path) as lock_fd:
            self._lock_fd = lock_fd
            try:
                yield
            finally:
                self._lock_fd = -1

    def snapshot(self) -> ox.Store:
        """An in-memory copy of the current version (every graph); the caller holds the lock."""
        copy = ox.Store()
        copy.bulk_extend(ox.Store.read_only(str(self.path)).quads_for_pattern(None, None, None, None))
        return copy

    def commit(
        self, removed: Sequence[ox.Quad], added: Sequence[ox.Quad], after: ox.Store, fresh_blank_nodes: bool = False
    ) -> None:
        """Applies the change to a copy and swaps it in (in a child process); the caller holds the lock. Blank
        nodes keep their identity on disk, so ``after`` and ``fresh_blank_nodes`` are not needed here."""
        with tempfile.TemporaryDirectory(dir=self.path.parent, prefix=".mscpo-write-") as work:
            removed_file, added_file = Path(work) / "removed.nq", Path(work) / "added.nq"
            ox.serialize(removed, str(removed_file), format=ox.RdfFormat.N_QUADS)
            ox.serialize(added, str(added_file), format=ox.RdfFormat.N_QUADS)
            _in_child("apply", str(self.path), str(removed_file), str(added_file), lock_fd=self._lock_fd)


def _die_with(parent: int) -> None:
    """Linux: SIGKILL this process when ``parent`` dies (and exit now if it already has)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        raise SystemExit("the process that asked for this change is gone: nothing was changed")


def main(argv: Sequence[str]) -> int:
    """``python -m mscpo.store.served PARENT_PID prepare DIR ROOT reload|infer`` or
    ``… PARENT_PID apply DIR REMOVED.nq ADDED.nq``."""
    parent, command, path, *rest = argv
    _die_with(int(parent))
    if command == "prepare":
        _prepare_here(Path(path), Path(rest[0]), rest[1])
    elif command == "apply":
        _apply_here(Path(path), Path(rest[0]), Path(rest[1]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
