"""Read the upstream ontology releases that the import modules are extracted from.

Each reader returns a ``Release``: per term its label, definition, synonyms and named parents exactly as
the source file gives them. Formats (all offline):

* OBO (``go-basic``, ``eco``): ``[Term]`` stanzas, ``is_a`` lines as parents;
* OWL functional syntax (the CL edit source): one axiom per line; named ``SubClassOf`` parents and the
  genus of ``EquivalentClasses(X ObjectIntersectionOf(G ObjectSomeValuesFrom(P F)))`` definitions, which are
  kept (``Release.genus_differentia``) so a module can carry CL's own logical definitions;
* RDF/XML (``ro-base``, ``iao``, ``bfo``): read with rdflib; the graph is kept for the property axioms;
* the zstd JSON files of the PyPI package ``cellxgene-ontology-guide`` (the ``[build]`` extra): UBERON,
  MONDO, ChEBI, NCBITaxon, PATO, EFO and CL. They give ancestors with distances but not the relation
  (UBERON mixes is_a and part_of), so ``parents="direct"`` takes the distance-1 ancestors only for
  ontologies whose ancestor sets are is_a only, and ``parents="root"`` links a term to the ontology's
  root class alone (true in every case, and all MIREOT needs).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from mscpo.errors import InputError

OBO = "http://purl.obolibrary.org/obo/"
DEFINITION = URIRef(OBO + "IAO_0000115")
_OBO_IRI = re.compile(r"^http://purl\.obolibrary\.org/obo/([A-Za-z]+)_(\w+)$")


@dataclass
class UpstreamTerm:
    """One term as its release gives it."""

    curie: str
    label: str
    definition: str | None = None
    synonyms: list[tuple[str, str]] = field(default_factory=list)  # (scope EXACT/RELATED/..., text)
    parents: list[str] = field(default_factory=list)
    deprecated: bool = False


@dataclass
class Release:
    """The terms of one source release, and what it is (for the module header)."""

    name: str
    version: str
    terms: dict[str, UpstreamTerm] = field(default_factory=dict)
    genus_differentia: dict[str, tuple[str, list[tuple[str, str]]]] = field(default_factory=dict)
    graph: Graph | None = None


def iri_to_curie(iri: str) -> str | None:
    match = _OBO_IRI.match(iri)
    return f"{match.group(1)}:{match.group(2)}" if match else None


def curie_to_iri(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(f"{OBO}{prefix}_{local}")


def _open_text(path: Path) -> str:
    if not path.is_file():
        raise InputError(f"source release {path} not found", hint="pass --sources DIR (../shared/ontologies)")
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")


_OBO_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*(\w+)?')


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def read_obo(path: Path, name: str) -> Release:
    """An OBO 1.2/1.4 file: ``[Term]`` stanzas (other stanza types are skipped)."""
    text = _open_text(path)
    header, _, body = text.partition("\n[")
    version = next((ln.split(":", 1)[1].strip() for ln in header.splitlines() if ln.startswith("data-version:")), "")
    release = Release(name, version)
    for stanza in ("[" + body).split("\n\n"):
        lines = stanza.strip().splitlines()
        if not lines or lines[0].strip() != "[Term]":
            continue
        tags: dict[str, list[str]] = {}
        for line in lines[1:]:
            tag, _, value = line.partition(": ")
            tags.setdefault(tag, []).append(value.split(" ! ")[0].strip() if tag == "is_a" else value.strip())
        curie, label = tags.get("id", [""])[0], tags.get("name", [""])[0]
        if not curie or not label:
            continue
        term = UpstreamTerm(curie, label, deprecated=tags.get("is_obsolete", ["false"])[0] == "true")
        for value in tags.get("def", []):
            match = _OBO_QUOTED.match(value)
            if match:
                term.definition = _unquote(match.group(1))
        for value in tags.get("synonym", []):
            match = _OBO_QUOTED.match(value)
            if match:
                term.synonyms.append(((match.group(2) or "RELATED").upper(), _unquote(match.group(1))))
        term.parents = [p for p in tags.get("is_a", []) if ":" in p]
        release.terms[curie] = term
    return release


_OFN_LABEL = re.compile(r'^AnnotationAssertion\(rdfs:label obo:(CL_\d+) "((?:[^"\\]|\\.)*)"')
_OFN_DEF = re.compile(r'^AnnotationAssertion\((?:Annotation\(.*\) )?obo:IAO_0000115 obo:(CL_\d+) "((?:[^"\\]|\\.)*)"')
_OFN_SYN = re.compile(
    r'^AnnotationAssertion\((?:Annotation\(.*\) )?oboInOwl:has(Exact|Related|Broad|Narrow)Synonym obo:(CL_\d+) '
    r'"((?:[^"\\]|\\.)*)"'
)
_OFN_DEPRECATED = re.compile(r'^AnnotationAssertion\(owl:deprecated obo:(CL_\d+) "true"\^\^xsd:boolean\)')
# Axiom annotations such as Annotation(oboInOwl:is_inferred "true") may precede the operands.
_OFN_AXIOM_ANNOTATIONS = r'(?:Annotation\((?:[^()"]|"(?:[^"\\]|\\.)*")*\) )*'
_OFN_SUB = re.compile(rf"^SubClassOf\({_OFN_AXIOM_ANNOTATIONS}obo:(CL_\d+) obo:([A-Za-z]+_\d+)\)$")
_OFN_EQ = re.compile(rf"^EquivalentClasses\({_OFN_AXIOM_ANNOTATIONS}obo:(CL_\d+) ObjectIntersectionOf\((.*)\)\)$")
_OFN_NAMED = re.compile(r"^obo:([A-Za-z]+_\d+)")
_OFN_SOME = re.compile(r"^ObjectSomeValuesFrom\(obo:([A-Za-z]+_\d+) obo:([A-Za-z]+_\d+)\)")


def _ofn_curie(local: str) -> str:
    return local.replace("_", ":", 1)


def _split_operands(text: str) -> list[str] | None:
    """Operands of an intersection that are named classes or ``some`` restrictions on named classes."""
    operands: list[str] = []
    rest = text.strip()
    while rest:
        match = _OFN_SOME.match(rest) or _OFN_NAMED.match(rest)
        if not match:
            return None
        operands.append(match.group(0))
        rest = rest[match.end() :].strip()
    return operands


def read_cl_ofn(path: Path, name: str) -> Release:
    """The CL edit source (OWL functional syntax, one axiom per line)."""
    release = Release(name, "")
    labels: dict[str, str] = {}
    defs: dict[str, str] = {}
    syns: dict[str, list[tuple[str, str]]] = {}
    parents: dict[str, list[str]] = {}
    deprecated: set[str] = set()
    for line in _open_text(path).splitlines():
        if match := _OFN_LABEL.match(line):
            labels[_ofn_curie(match.group(1))] = _unquote(match.group(2))
        elif match := _OFN_DEF.match(line):
            defs[_ofn_curie(match.group(1))] = _unquote(match.group(2))
        elif match := _OFN_SYN.match(line):
            syns.setdefault(_ofn_curie(match.group(2)), []).append((match.group(1).upper(), _unquote(match.group(3))))
        elif match := _OFN_DEPRECATED.match(line):
            deprecated.add(_ofn_curie(match.group(1)))
        elif match := _OFN_SUB.match(line):
            parents.setdefault(_ofn_curie(match.group(1)), []).append(_ofn_curie(match.group(2)))
        elif match := _OFN_EQ.match(line):
            operands = _split_operands(match.group(2))
            named = [o for o in operands or [] if o.startswith("obo:")]
            if operands is None or len(named) != 1:
                continue
            genus = _ofn_curie(named[0][4:])
            differentia = [
                (_ofn_curie(m.group(1)), _ofn_curie(m.group(2)))
                for o in operands
                if (m := _OFN_SOME.match(o))
            ]
            child = _ofn_curie(match.group(1))
            parents.setdefault(child, []).append(genus)
            release.genus_differentia[child] = (genus, differentia)
        elif line.startswith("Annotation(owl:versionIRI") or line.startswith("Ontology("):
            release.version = release.version or line.strip()
    for curie, label in labels.items():
        release.terms[curie] = UpstreamTerm(
            curie, label, defs.get(curie), syns.get(curie, []), sorted(set(parents.get(curie, []))),
            curie in deprecated,
        )
    return release


def read_owl(path: Path, name: str) -> Release:
    """An RDF/XML release (RO, IAO, BFO): labels, definitions, named parents; the graph is kept."""
    graph = Graph()
    try:
        graph.parse(data=_open_text(path), format="xml")
    except Exception as exc:  # the parser's own errors are many types
        raise InputError(f"cannot parse {path}: {exc}") from None
    onto = next(iter(graph.subjects(RDF.type, OWL.Ontology)), None)
    version = str(next(iter(graph.objects(onto, OWL.versionIRI)), "")) if onto is not None else ""
    release = Release(name, version, graph=graph)
    for subject, label in graph.subject_objects(RDFS.label):
        curie = iri_to_curie(str(subject))
        if curie is None or curie in release.terms:
            continue
        term = UpstreamTerm(curie, str(label))
        definition = graph.value(subject, DEFINITION)
        term.definition = str(definition) if definition is not None else None
        for predicate in (RDFS.subClassOf, RDFS.subPropertyOf):
            term.parents += sorted(
                c for o in graph.objects(subject, predicate) if isinstance(o, URIRef) and (c := iri_to_curie(str(o)))
            )
        term.deprecated = str(graph.value(subject, OWL.deprecated)).lower() == "true"
        release.terms[curie] = term
    return release


CXG_ROOTS: dict[str, str] = {
    "UBERON": "UBERON:0001062",
    "CHEBI": "CHEBI:24431",
    "PATO": "PATO:0000001",
    "EFO": "BFO:0000001",
}


def cxg_data_dir() -> Path:
    """The data folder of the installed ``cellxgene-ontology-guide`` package."""
    try:
        import cellxgene_ontology_guide
    except ImportError:
        raise InputError(
            "the build extra is not installed: cellxgene-ontology-guide is needed to extract UBERON, MONDO,"
            " ChEBI and NCBITaxon terms",
            hint="pip install -e '.[build]'",
        ) from None
    return Path(cellxgene_ontology_guide.__file__).parent / "data"


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.name.split("-ontology-", 1)[1]))


def _scan_entries(path: Path, wanted: set[str], chunk: int = 1 << 24) -> dict[str, dict]:
    """The JSON objects of ``wanted`` keys, streamed: the NCBITaxon file is 0.8 GB decompressed."""
    import zstandard

    found: dict[str, dict] = {}
    decoder = json.JSONDecoder()
    key = re.compile(r'"([A-Za-z]+:\w+)":\{')
    buffer = ""
    with path.open("rb") as handle:
        reader = zstandard.ZstdDecompressor().stream_reader(handle)
        while True:
            data = reader.read(chunk)
            buffer += data.decode("utf-8", errors="strict") if data else ""
            keep = 0
            for match in key.finditer(buffer):
                if match.group(1) not in wanted or match.group(1) in found:
                    continue
                try:
                    value, _end = decoder.raw_decode(buffer, match.end() - 1)
                except json.JSONDecodeError:
                    keep = match.start()
                    break
                found[match.group(1)] = value
            else:
                keep = max(0, len(buffer) - 4096)
            if not data:
                break
            buffer = buffer[keep:]
    return found


def read_cxg(prefix: str, parents: str, wanted: set[str], data_dir: Path | None = None) -> Release:
    """``wanted`` terms (and all their ancestors) of the newest ``<PREFIX>-ontology-<v>.json.zst``."""
    folder = data_dir or cxg_data_dir()
    files = sorted(folder.glob(f"{prefix}-ontology-*.json.zst"), key=_version_key)
    if not files:
        raise InputError(f"no {prefix} release in {folder}")
    path = files[-1]
    entries = _scan_entries(path, set(wanted))
    ancestors = {a for entry in entries.values() for a in (entry.get("ancestors") or {})}
    if ancestors - set(entries):
        entries.update(_scan_entries(path, ancestors - set(entries)))
    version = path.name.split("-ontology-", 1)[1].removesuffix(".json.zst")
    release = Release(f"{prefix} {version} (cellxgene-ontology-guide {path.name})", version)
    root = CXG_ROOTS.get(prefix)
    for curie, entry in entries.items():
        lineage: dict[str, int] = entry.get("ancestors") or {}
        if parents == "direct":
            chosen = sorted(a for a, d in lineage.items() if d == 1)
        else:
            chosen = [root] if root and root in lineage else []
        term = UpstreamTerm(curie, entry.get("label", ""), entry.get("description") or None, parents=chosen)
        term.synonyms = [("RELATED", s) for s in entry.get("synonyms") or []]
        term.deprecated = bool(entry.get("deprecated"))
        release.terms[curie] = term
    return release
