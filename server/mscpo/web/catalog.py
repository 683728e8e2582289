"""The search index: every labelled IRI of the store with its synonyms and identifiers, by kind.

Built from the store with three queries (labels and synonyms, identifiers, kinds) and kept as one sorted list of
normalized keys, so a lookup is a binary search plus a short scan (word-prefix matching), whatever the store's
size. It is rebuilt when the store's ``version`` changes (a write), lazily at the next search in each process.
"""

from __future__ import annotations

import array
import bisect
import logging
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field

from mscpo.store.backend import Backend
from mscpo.web.namespaces import OBO, PREFIXES, curie

log = logging.getLogger("mscpo.web")

RDFS = PREFIXES["rdfs"]
SKOS = PREFIXES["skos"]
OIO = PREFIXES["oboInOwl"]
MSCPO = PREFIXES["MSCPO"]
LABELS = (RDFS + "label", SKOS + "prefLabel", PREFIXES["dcterms"] + "bibliographicCitation")
SYNONYMS = (
    OIO + "hasExactSynonym",
    OIO + "hasRelatedSynonym",
    OIO + "hasBroadSynonym",
    OIO + "hasNarrowSynonym",
    SKOS + "altLabel",
    PREFIXES["bibo"] + "doi",
    PREFIXES["bibo"] + "pmid",
    MSCPO + "0001016",  # literature table row (F09)
)
IDENTIFIERS = (SKOS + "exactMatch", SKOS + "narrowMatch", SKOS + "closeMatch", OIO + "hasDbXref")

# (kind, title, how membership is decided: "sub" = the root or a subclass of it, "type" = an instance of it)
KINDS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("factor", "Factors", "sub", (MSCPO + "0000002", MSCPO + "0002001")),
    ("population", "MSC populations", "sub", (OBO + "CL_0000134",)),
    ("mechanism", "Mechanisms", "sub", (MSCPO + "0000003",)),
    ("tissue", "Tissues, cells and diseases", "sub", (MSCPO + "0000005",)),
    ("delivery", "Delivery modes", "sub", (MSCPO + "0000004",)),
    ("finding", "Findings", "type", (MSCPO + "0000001",)),
    ("publication", "Publications", "type", (OBO + "IAO_0000311", MSCPO + "0000006")),
    ("evidence", "Evidence types", "", ()),
    ("other", "Other terms", "", ()),
)
KIND_TITLES = {kind: title for kind, title, _, _ in KINDS}
KIND_ORDER = {kind: i for i, (kind, *_rest) in enumerate(KINDS)}
# Namespaces whose terms are tissues, cells or diseases when no root above claims them.
_TISSUE_SPACES = tuple(OBO + p for p in ("UBERON_", "MONDO_", "DOID_", "CL_"))
_EVIDENCE_SPACE = OBO + "ECO_"
FIELD_LABEL, FIELD_SYNONYM, FIELD_IDENTIFIER = 0, 1, 2
SCAN_LIMIT = 5000  # keys looked at per lookup at most (a one-letter query on a large store stays cheap)

_TEXTS = """SELECT ?s ?p ?o WHERE { VALUES ?p { %s } ?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o)) }"""
_XREFS = """SELECT ?s ?o WHERE { VALUES ?p { %s } ?s ?p ?o FILTER(isIRI(?s)) }"""
_MEMBERS = """SELECT DISTINCT ?s ?root WHERE { VALUES ?root { %s } ?s %s ?root FILTER(isIRI(?s)) }"""


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-blind: 'TSG-6' and 'tsg 6' meet, 'HGNC:11898' and 'hgnc 11898' too."""
    text = unicodedata.normalize("NFKD", text).casefold()
    return " ".join(re.findall(r"[^\W_]+", text))


def identifier_texts(iri: str) -> list[str]:
    """What a person types for a mapped identifier: 'P98066', 'HGNC:11898', '11898', the IRI itself."""
    texts = [iri, curie(iri)]
    tail = re.split(r"[/#]", iri.rstrip("/"))[-1]
    texts.append(tail)
    if ":" in tail:
        texts.append(tail.split(":", 1)[1])
    return texts


@dataclass
class Entry:
    iri: str
    label: str
    kind: str
    curie: str
    synonyms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Hit:
    entry: Entry
    matched: str  # the text that matched (label, synonym or identifier)
    field: int


class Catalog:
    """The entries of one store version and the sorted key list that finds them."""

    def __init__(self, entries: list[Entry], keys: list[tuple[str, int, int, int, int]], texts: list[str],
                 version: str) -> None:
        """``keys``: (normalized key, 0 if the whole text else 1, field, entry index, text number), sorted.

        Kept as a list of key strings and one packed integer per key (an array, not tuples): about 40% less
        memory per key, which is what the index is made of."""
        self.entries = entries
        self.texts = texts  # the original texts, by number
        self._keys = [key for key, *_ in keys]
        self._meta = array.array("q", (p << 62 | f << 60 | i << 30 | t for _, p, f, i, t in keys))
        self.version = version
        self.seconds = 0.0
        self.by_iri = {entry.iri: entry for entry in entries}

    @classmethod
    def build(cls, backend: Backend) -> Catalog:
        started = time.perf_counter()
        version = backend.version
        labels: dict[str, str] = {}
        texts: dict[str, list[tuple[int, str]]] = {}

        def values(iris: tuple[str, ...]) -> str:
            return " ".join(f"<{iri}>" for iri in iris)

        for row in backend.query(_TEXTS % values(LABELS + SYNONYMS)):  # type: ignore[union-attr]
            s, p, o = row["s"].value, row["p"].value, row["o"].value
            if p in LABELS:
                # rdfs:label wins over a citation; the first label seen otherwise
                if s not in labels or p == RDFS + "label":
                    labels[s] = o
                texts.setdefault(s, []).append((FIELD_LABEL, o))
            else:
                texts.setdefault(s, []).append((FIELD_SYNONYM, o))
        for row in backend.query(_XREFS % values(IDENTIFIERS)):  # type: ignore[union-attr]
            s, o = row["s"].value, row["o"].value
            texts.setdefault(s, []).extend((FIELD_IDENTIFIER, t) for t in identifier_texts(o))
        kinds: dict[str, str] = {}
        for kind, _title, how, roots in KINDS:
            if not roots:
                continue
            for root in roots:
                kinds.setdefault(root, kind)
            predicate = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>" if how == "sub" else "a"
            for row in backend.query(_MEMBERS % (values(roots), predicate)):  # type: ignore[union-attr]
                kinds.setdefault(row["s"].value, kind)
        entries: list[Entry] = []
        keys: list[tuple[str, int, int, int, int]] = []
        all_texts: list[str] = []
        for iri, label in labels.items():
            kind = kinds.get(iri) or _kind_by_namespace(iri)
            entry = Entry(iri, label, kind, curie(iri))
            index = len(entries)
            entries.append(entry)
            seen: set[tuple[str, int]] = set()
            for field_, text in [(FIELD_IDENTIFIER, iri), (FIELD_IDENTIFIER, entry.curie), *texts.get(iri, [])]:
                if field_ == FIELD_SYNONYM and text not in entry.synonyms and text != label:
                    entry.synonyms.append(text)
                key = normalize(text)
                if not key or (key, field_) in seen:
                    continue
                seen.add((key, field_))
                number = len(all_texts)
                all_texts.append(text)
                keys.append((key, 0, field_, index, number))
                if field_ != FIELD_IDENTIFIER:
                    for match in re.finditer(r" ", key):  # every later word start: 'infarction' finds 'myocardial …'
                        keys.append((key[match.end() :], 1, field_, index, number))
        keys.sort()
        catalog = cls(entries, keys, all_texts, version)
        del keys
        catalog.seconds = time.perf_counter() - started
        log.info("search index: %d entries, %d keys in %.3f s", len(entries), len(catalog._meta), catalog.seconds)
        return catalog

    def search(self, query: str, limit: int = 20, kind: str | None = None) -> list[Hit]:
        """Best matches first: whole-text before word-prefix, label before synonym before identifier."""
        q = normalize(query)
        if not q:
            return []
        start = bisect.bisect_left(self._keys, q)
        best: dict[int, tuple[tuple[int, int, int, int, int, str], Hit]] = {}
        for position in range(start, min(start + SCAN_LIMIT, len(self._keys))):
            key = self._keys[position]
            if not key.startswith(q):
                break
            meta = self._meta[position]
            partial, field_, index, text = meta >> 62 & 1, meta >> 60 & 3, meta >> 30 & 0x3FFFFFFF, meta & 0x3FFFFFFF
            entry = self.entries[index]
            if kind is not None and entry.kind != kind:
                continue
            exact = 0 if key == q and not partial else 1
            rank = (exact, partial, field_, KIND_ORDER[entry.kind], len(entry.label), entry.label)
            if index not in best or rank < best[index][0]:
                best[index] = (rank, Hit(entry, self.texts[text], field_))
        ranked = sorted(best.values(), key=lambda item: item[0])
        return [hit for _, hit in ranked[:limit]]


def _kind_by_namespace(iri: str) -> str:
    if iri.startswith(_TISSUE_SPACES):
        return "tissue"
    return "evidence" if iri.startswith(_EVIDENCE_SPACE) else "other"


class CatalogCache:
    """One catalog per process, rebuilt when the store's version moves on."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None

    def get(self) -> Catalog:
        catalog = self._catalog
        if catalog is not None and catalog.version == self.backend.version:
            return catalog
        with self._lock:
            if self._catalog is None or self._catalog.version != self.backend.version:
                self._catalog = Catalog.build(self.backend)
            return self._catalog
