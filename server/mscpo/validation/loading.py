"""Reading RDF files for a validation run: paths -> one store, or one precise error (file:line:column + fix).

Parsing uses pyoxigraph because it is fast (a million triples in seconds) and reports positions. JSON-LD
remote ``@context`` documents are never fetched: pyoxigraph has no document loader unless one is given, and
:func:`no_network` additionally refuses any URL opening or socket connection from Python while files are
parsed. Named graphs (TriG, N-Quads) are merged into the one data graph that is validated.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from mscpo.errors import InputError
from mscpo.store.formats import EXTENSIONS, xml_error_position
from mscpo.validation import exact
from mscpo.xml_safety import check_rdfxml_file

# File name endings -> RDF format: the store loader's table, plus ".json" for JSON-LD documents from web tools.
FORMATS: dict[str, ox.RdfFormat] = {**EXTENSIONS, ".json": ox.RdfFormat.JSON_LD}
SUPPORTED = (
    "Turtle (.ttl), N-Triples (.nt), N-Quads (.nq), TriG (.trig), RDF/XML (.rdf, .owl, .xml), JSON-LD (.jsonld, .json)"
)

_guard = threading.local()


def _audit(event: str, args: tuple) -> None:
    """Audit hook: while parsing, refuse every attempt to open a URL or connect a socket."""
    if getattr(_guard, "active", False) and (event == "urllib.Request" or event == "socket.connect"):
        target = args[0] if args else "?"
        raise PermissionError(f"network access is disabled while reading input files (attempted: {target})")


_hook_installed = False


@contextmanager
def no_network() -> Iterator[None]:
    """Refuse network access from Python code inside the block (audit hooks cannot be removed, so use a flag)."""
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True
    previous = getattr(_guard, "active", False)
    _guard.active = True
    try:
        yield
    finally:
        _guard.active = previous


def format_for(path: Path) -> ox.RdfFormat:
    """The RDF format of ``path`` from its extension, or an InputError naming the supported ones."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"cannot tell the RDF format of '{path.name}' from its extension",
            where=str(path),
            hint=f"rename the file with one of the extensions for {SUPPORTED}",
        )
    return fmt


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files named directly, plus every RDF file (by extension) under each directory, sorted for stable output."""
    if not paths:
        raise InputError("no input files given", hint="name one or more RDF files or directories to validate")
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS)
            if not found:
                raise InputError(
                    "the directory holds no RDF files",
                    where=str(path),
                    hint=f"point at a directory that contains {SUPPORTED} files",
                )
            files.extend(found)
        elif path.is_file():
            format_for(path)
            files.append(path)
        elif path.exists():
            raise InputError("not a regular file or directory", where=str(path), hint="name an RDF file instead")
        else:
            raise InputError("no such file or directory", where=str(path), hint="check the path and its spelling")
    return files


_POSITION = re.compile(r"line (\d+) column (\d+)")


def _syntax_error(path: Path, exc: SyntaxError) -> InputError:
    """Turn a pyoxigraph syntax error into file:line:column plus what to do."""
    message = exc.args[0] if exc.args else str(exc)
    line, column = exc.lineno, exc.offset
    if line is None:
        match = _POSITION.search(str(message))
        if match:
            line, column = int(match.group(1)), int(match.group(2))
    if line is None and format_for(path) == ox.RdfFormat.RDF_XML:
        line, column = xml_error_position(path) or (None, None)
    where = f"{path}:{line}:{column}" if line is not None else str(path)
    if "LoadDocumentCallback" in str(message) or "remote context" in str(message).lower():
        return InputError(
            "the JSON-LD document refers to a remote @context, which is never fetched (validation works offline)",
            where=where,
            hint='replace the remote "@context" URL with the context object itself (inline it in the file)',
        )
    return InputError(
        f"not valid {_format_name(path)}: {message}",
        where=where,
        hint=f"fix the syntax at that position (the file is read as {_format_name(path)} because of its extension)",
    )


def _format_name(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    return fmt.name if fmt is not None else "RDF"


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Parse ``path`` inside the block with no network access; any failure becomes one positioned InputError."""
    try:
        with no_network():
            yield
    except SyntaxError as exc:
        raise _syntax_error(path, exc) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})",
            where=str(path),
            hint="save the file as UTF-8",
        ) from None
    except PermissionError as exc:
        raise InputError(str(exc), where=str(path), hint="inline remote documents; nothing is downloaded") from None
    except OSError as exc:
        raise InputError(
            f"cannot read the file: {exc.strerror or exc}",
            where=str(path),
            hint="check that the file exists and is readable",
        ) from None


def parse_file(path: Path) -> Iterator[ox.Triple]:
    """Triples of one file (named graphs merged), with positioned errors and no network access."""
    fmt = format_for(path)
    if fmt == ox.RdfFormat.RDF_XML:
        check_rdfxml_file(path)  # no DTD entities (issue 10: unbounded expansion)
    with reading(path):
        for quad in ox.parse(path=path, format=fmt, base_iri=path.resolve().as_uri(), rename_blank_nodes=True):
            yield quad.triple


def load_into(
    store: ox.Store, files: Iterable[Path], graph: ox.NamedNode | ox.DefaultGraph, native: bool = True
) -> int:
    """Parse every file into ``graph`` of ``store``; return the number of triples read.

    With ``native`` (use it for one call per store: the data), the largest file is loaded natively by
    pyoxigraph, several times faster than passing triples through Python, keeping its blank-node labels; every
    other file's blank nodes are renamed to random ids while parsing, so blank nodes of different files stay
    distinct, as an RDF merge requires. Literals are stored as written (:mod:`mscpo.validation.exact`): the
    native load is used only when a first pass finds no literal the store would change.
    """
    files = list(files)
    if not files:
        return 0
    largest = max(files, key=lambda p: p.stat().st_size if p.is_file() else 0) if native else None
    before, found = len(store), list[bool]()
    for path in files:
        if path == largest:
            _load_native(store, path, graph, found)
            continue
        store.bulk_extend(exact.quads(parse_file(path), graph, found))
    read = len(store) - before
    if found:
        exact.mark(store)
    return read


def _load_native(store: ox.Store, path: Path, graph: ox.NamedNode | ox.DefaultGraph, found: list[bool]) -> None:
    fmt = format_for(path)
    if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG) or _changes_literals(path, fmt):
        # Named graphs are merged into ``graph`` (the parser drops graph names); literals the store would
        # change are stored as written. Same blank-node labels as the native load.
        store.bulk_extend(exact.quads(_parse_keeping_labels(path), graph, found))
        return
    if fmt == ox.RdfFormat.RDF_XML:
        check_rdfxml_file(path)  # no DTD entities (issue 10: unbounded expansion)
    with reading(path):
        store.load(path=path, format=fmt, base_iri=path.resolve().as_uri(), to_graph=graph)


def _parse_keeping_labels(path: Path) -> Iterator[ox.Triple]:
    fmt = format_for(path)
    with reading(path):
        for quad in ox.parse(path=path, format=fmt, base_iri=path.resolve().as_uri()):
            yield quad.triple


# A typed literal in N-Triples is always "…"^^<datatype>: a regular expression finds them all (a match inside
# a comment only costs the slower load).
_NT_TYPED = re.compile(rb'"((?:[^"\\\n]|\\.)*)"\^\^<([^>]*)>')


def _changes_literals(path: Path, fmt: ox.RdfFormat) -> bool:
    """Whether the store would change a literal of the file (then it is loaded through Python)."""
    if fmt != ox.RdfFormat.N_TRIPLES:
        return exact.changes_literals(_parse_keeping_labels(path))
    typed: set[tuple[bytes, bytes]] = set()
    with reading(path), path.open("rb") as stream:
        rest = b""
        while chunk := stream.read(1 << 23):
            head, _, tail = (rest + chunk).rpartition(b"\n")
            typed.update((m.group(1), m.group(2)) for m in _NT_TYPED.finditer(head))
            rest = tail
        typed.update((m.group(1), m.group(2)) for m in _NT_TYPED.finditer(rest))
    document = b"\n".join(b'<urn:x:s> <urn:x:p> "%s"^^<%s> .' % pair for pair in typed)
    try:
        return exact.changes_literals(t.triple for t in ox.parse(input=document, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError:
        return True  # the Python path reports the error with its position
