"""The ontology's HTML documentation page (``docs/ontology/index.html``), rendered from the release graph.

Why our own page and not pyLODE: pyLODE showed none of the IAO:0000115 definitions or SKOS mappings, left out
the named individuals, printed class expressions as blank-node hashes and built anchors from labels. This page
has the ontology header (title, description, version IRI, license, creator, imports, how to cite, the release
files), the upper structure (which external BFO / IAO / GO / CHEBI / CL class each minted root sits under), the
class hierarchy, one section per minted term (:mod:`mscpo.release.docterms`) under its ``#MSCPO_nnnnnnn``
anchor, and an alphabetical term index. It is a pure function of the graphs (sorted, no blank-node label), so
re-running gives identical bytes; it has no script, so the endpoint's Content-Security-Policy (inline styles
only) holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from mscpo.release.docterms import KINDS, Term, Terms, sorted_nodes
from mscpo.release.writers import MAPPING_SET_ID

RELEASE_FILES = (  # (file under ontology/, content, how to get it: "versioned" | an Accept type | an IRI)
    ("mscpo.owl", "RDF/XML, self-contained: mscpo's axioms with the import modules merged (ODK main release)",
     "versioned"),
    ("mscpo-base.owl", "RDF/XML, mscpo's own axioms only (ODK base)", "versioned"),
    ("mscpo.ttl", "Turtle of mscpo.owl", "text/turtle"),
    ("mscpo.jsonld", "JSON-LD of mscpo.owl", "application/ld+json"),
    ("mappings/mscpo.sssom.tsv", "SSSOM table of every SKOS mapping", MAPPING_SET_ID),
)  # fmt: skip
VANN = "http://purl.org/vocab/vann/"


class DocPage(Terms):
    """The whole page's content: the term sections plus the header, upper structure, hierarchy and index."""

    def __init__(self, own: Graph, imports: Graph, import_iris: Iterable[str]) -> None:
        super().__init__(own, imports)
        self.import_iris = sorted(set(import_iris) | {str(o) for o in own.objects(None, OWL.imports)})

    # -- page ------------------------------------------------------------------------------------------------
    def header(self) -> dict[str, object]:
        own = self.own
        onto = next((s for s in sorted(own.subjects(RDF.type, OWL.Ontology), key=str) if isinstance(s, URIRef)), None)

        def values(predicate: URIRef) -> list[Markup]:
            return [self.annotation(o) for o in sorted_nodes(own.objects(onto, predicate))] if onto else []

        def text(predicate: URIRef) -> str:
            found = sorted_nodes(own.objects(onto, predicate)) if onto else []
            return str(found[0]) if found else ""

        version_iri = text(OWL.versionIRI)
        release_dir = version_iri.rsplit("/", 1)[0] + "/" if version_iri else ""
        title = text(DCTERMS.title) or "Ontology"
        creators = [self.names.label(o) for o in sorted_nodes(own.objects(onto, DCTERMS.creator))] if onto else []
        citation = text(DCTERMS.bibliographicCitation) or " ".join(
            part
            for part in (
                ", ".join(creators) + "." if creators else "",
                f"{title}, version {text(OWL.versionInfo)}." if text(OWL.versionInfo) else f"{title}.",
                version_iri or (str(onto) if onto else ""),
            )
            if part
        )
        return {
            "title": title,
            "iri": str(onto) if onto else "",
            "version_iri": version_iri,
            "version": text(OWL.versionInfo),
            "description": values(DCTERMS.description),
            "comment": values(RDFS.comment),
            "license": values(DCTERMS.license),
            "creator": values(DCTERMS.creator),
            "contributor": values(DCTERMS.contributor),
            "created": text(DCTERMS.created),
            "prefix": text(URIRef(VANN + "preferredNamespacePrefix")),
            "namespace": text(URIRef(VANN + "preferredNamespaceUri")),
            "imports": [(iri, self._module_note(iri)) for iri in self.import_iris],
            "citation": citation,
            "files": [
                (name, note, *self._where(how, name, str(onto) if onto else "", release_dir))
                for name, note, how in RELEASE_FILES
            ],
        }

    @staticmethod
    def _where(how: str, name: str, iri: str, release_dir: str) -> tuple[str, str]:
        """(IRI, note): the file's dated version IRI, the ontology IRI with an Accept type, or a fixed IRI."""
        if how == "versioned":
            return (release_dir + name, "owl:versionIRI") if release_dir else ("", "")
        if "://" in how:
            return how, ""
        return iri, f"Accept: {how}"

    def _live_classes(self) -> list[Term]:
        return [t for t in self.terms.values() if t.kind == "classes" and not t.deprecated]

    def _roots(self) -> list[tuple[URIRef, list[URIRef]]]:
        """Each external parent (or owl:Thing) with the live minted classes that have no minted parent under it."""
        groups: dict[URIRef, list[Term]] = defaultdict(list)
        for term in self._live_classes():
            parents = [p for p in self.own.objects(term.iri, RDFS.subClassOf) if isinstance(p, URIRef)]
            if any(p in self.terms and not self.terms[p].deprecated for p in parents):
                continue
            for parent in [p for p in parents if p not in self.terms] or [OWL.Thing]:
                groups[parent].append(term)
        ordered = sorted(groups.items(), key=lambda kv: (self.names.label(kv[0]).casefold(), str(kv[0])))
        return [(parent, [t.iri for t in sorted(members, key=_order)]) for parent, members in ordered]

    def _module_note(self, iri: str) -> str:
        """What the import module says of itself (its seed list and source release)."""
        notes = sorted(str(c) for c in self.imports.objects(URIRef(iri), RDFS.comment))
        return notes[0] if notes else ""

    def _external(self, iri: URIRef) -> Markup:
        return self.names.link(iri, quote=False) + Markup(" <code>{}</code>").format(self.names.curie(iri))

    def ancestry(self, iri: URIRef) -> list[Markup]:
        """The is_a path of an external class up to its source's root, through the import modules (first parent
        by IRI at each step)."""
        path: list[Markup] = []
        seen = {iri}
        while True:
            parents = sorted(p for p in self.imports.objects(iri, RDFS.subClassOf) if isinstance(p, URIRef))
            parents = [p for p in parents if p not in seen]
            if not parents:
                return path
            iri = parents[0]
            seen.add(iri)
            path.append(self.names.link(iri, quote=False))

    def upper_structure(self) -> list[tuple[Markup, list[Markup], list[Markup]]]:
        """The upper-structure table: external parent, its ancestors, the minted root classes under it."""
        return [
            (self._external(p), self.ancestry(p), [self.names.link(r, quote=False) for r in roots])
            for p, roots in self._roots()
        ]

    def hierarchy(self) -> Markup:
        """Minted classes as nested lists under the external parent of their root (a class with two parents shows
        under both)."""
        live = {t.iri for t in self._live_classes()}
        children: dict[URIRef, list[URIRef]] = defaultdict(list)
        for iri in live:
            for p in self.own.objects(iri, RDFS.subClassOf):
                if p in live and p != iri:
                    children[p].append(iri)

        def tree(nodes: list[URIRef], path: frozenset[URIRef]) -> Markup:
            items = []
            for iri in sorted(nodes, key=lambda i: _order(self.terms[i])):
                below = [c for c in children.get(iri, []) if c not in path]
                inner = tree(below, path | {iri}) if below else Markup("")
                items.append(Markup("<li>") + self.names.link(iri, quote=False) + inner + Markup("</li>"))
            return Markup("<ul>") + Markup("").join(items) + Markup("</ul>")

        groups = [
            Markup("<li>") + self._external(parent) + tree(roots, frozenset()) + Markup("</li>")
            for parent, roots in self._roots()
        ]
        return Markup("<ul>") + Markup("").join(groups) + Markup("</ul>") if groups else Markup("")

    def sections(self) -> list[tuple[str, str, list[Term]]]:
        return [
            (kind, title, sorted((t for t in self.terms.values() if t.kind == kind), key=_order))
            for _type, kind, title in KINDS
            if any(t.kind == kind for t in self.terms.values())
        ]

    def index(self) -> list[tuple[str, list[Term]]]:
        letters: dict[str, list[Term]] = defaultdict(list)
        for term in self.terms.values():
            first = term.label[:1].upper()
            letters[first if first.isalpha() else "#"].append(term)
        return [(letter, sorted(terms, key=_order)) for letter, terms in sorted(letters.items())]


def _order(term: Term) -> tuple[str, str]:
    return (term.label.casefold(), str(term.iri))


_ENV = Environment(
    loader=PackageLoader("mscpo.release", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def page_bytes(own: Graph, imports: Graph, import_iris: Iterable[str] = ()) -> bytes:
    """The HTML page of ``own`` (the release's own axioms); ``imports`` gives the labels of external terms."""
    page = DocPage(own, imports, import_iris)
    html = _ENV.get_template("ontology.html.j2").render(
        header=page.header(),
        upper=page.upper_structure(),
        hierarchy=page.hierarchy(),
        sections=page.sections(),
        index=page.index(),
        counts={title: len(terms) for _kind, title, terms in page.sections()},
    )
    return html.encode("utf-8")


__all__ = ["DocPage", "Term", "page_bytes"]
