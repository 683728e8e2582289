"""Release writers: Turtle, JSON-LD and the SSSOM mapping table, each deterministic (the HTML page: docpage)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from mscpo import prefixes
from mscpo.errors import InputError
from mscpo.release.qc import canonical_turtle
from mscpo.release.rdfxml import DEFAULT_PREFIXES, canonical_graph

MAPPING_PREDICATES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
MAPPING_SET_ID = "https://w3id.org/mscpo/mappings/mscpo.sssom.tsv"

# IRI prefix -> CURIE prefix for the objects of mappings (Bioregistry-style names).
SSSOM_PREFIXES: dict[str, str] = {
    ns: name for name, ns in prefixes.select(
        "MSCPO", "UniProtKB", "HGNC", "NCBIGene", "mirbase.mature", "pubmed", "dcterms", "skos", "semapv"
    ).items()
}
_OBO = re.compile(r"^http://purl\.obolibrary\.org/obo/([A-Za-z][A-Za-z0-9]*)_(\w+)$")


_SPARQL_PREFIX = re.compile(r"^PREFIX (\S+) (<[^>]*>)$", re.MULTILINE)


def turtle_bytes(graph: Graph) -> bytes:
    """Canonical Turtle with Turtle's own ``@prefix`` lines: the OWL API's Turtle parser rejects SPARQL ``PREFIX``."""
    return _SPARQL_PREFIX.sub(r"@prefix \1 \2 .", canonical_turtle(graph)).encode("utf-8")


def _sort_json(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _sort_json(v, k) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_sort_json(v) for v in value]
        return items if key == "@list" else sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def jsonld_bytes(graph: Graph, prefixes: dict[str, str]) -> bytes:
    """Compact JSON-LD with the release's prefixes as context; nodes and values in a stable order."""
    context = {p: ns for p, ns in sorted(prefixes.items())}
    text = canonical_graph(graph).serialize(format="json-ld", context=context, auto_compact=True)
    data = json.loads(text)
    if isinstance(data, dict) and "@graph" in data:
        data["@graph"] = sorted(
            (_sort_json(node) for node in data["@graph"]),
            key=lambda n: (str(n.get("@id", "")), json.dumps(n)),
        )
        data = {"@context": data.get("@context", context), "@graph": data["@graph"]}
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


def to_curie(iri: str, used: dict[str, str]) -> str:
    """CURIE for a mapping subject/object; records the prefix it needed in ``used``."""
    match = _OBO.match(iri)
    if match:
        used[match.group(1)] = f"http://purl.obolibrary.org/obo/{match.group(1)}_"
        return f"{match.group(1)}:{match.group(2)}"
    for ns, prefix in sorted(SSSOM_PREFIXES.items(), key=lambda kv: -len(kv[0])):
        if iri.startswith(ns) and len(iri) > len(ns):
            used[prefix] = ns
            return f"{prefix}:{iri[len(ns) :]}"
    raise InputError(
        f"no SSSOM prefix for mapping target {iri}",
        hint="add its namespace to mscpo/prefixes.py and SSSOM_PREFIXES in mscpo/release/writers.py",
    )


def _label(graphs: list[Graph], iri: URIRef) -> str:
    for g in graphs:
        for label in sorted(g.objects(iri, RDFS.label), key=str):
            if isinstance(label, Literal):
                return str(label)
    return ""


def sssom_bytes(edit: Graph, imports: Graph, version: str) -> bytes:
    """SSSOM TSV (YAML header: curie_map, mapping_set_id, license) of every skos:*Match in the edit source."""
    used: dict[str, str] = prefixes.select("skos", "semapv")
    rows = []
    for predicate in MAPPING_PREDICATES:
        for s, o in edit.subject_objects(predicate):
            if not isinstance(s, URIRef) or not isinstance(o, URIRef):
                continue
            rows.append(
                (
                    to_curie(str(s), used),
                    _label([edit], s),
                    "skos:" + str(predicate).split("#", 1)[1],
                    to_curie(str(o), used),
                    _label([edit, imports], o),
                    "semapv:ManualMappingCuration",
                )
            )
    header = ["# curie_map:"]
    header += [
        f"#   {prefix}: {json.dumps(ns)}" for prefix, ns in sorted(used.items(), key=lambda kv: kv[0].lower())
    ]
    header += [
        f"# mapping_set_id: {json.dumps(MAPPING_SET_ID)}",
        f"# mapping_set_version: {json.dumps(version)}",
        f"# mapping_set_title: {json.dumps('MSC Paracrine Ontology mappings')}",
        f"# license: {json.dumps(LICENSE)}",
    ]
    cols = [
        "subject_id",
        "subject_label",
        "predicate_id",
        "object_id",
        "object_label",
        "mapping_justification",
    ]
    lines = header + ["\t".join(cols)] + ["\t".join(row) for row in sorted(set(rows))]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` unless the file already holds exactly it; True when written."""
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


__all__ = [
    "DEFAULT_PREFIXES",
    "jsonld_bytes",
    "sssom_bytes",
    "turtle_bytes",
    "write_if_changed",
]
