"""The ontology page (``mscpo.release.docpage``): every term under its ``#MSCPO_nnnnnnn`` anchor with its
definition and source, mappings, individuals and readable axioms; deterministic; well-formed HTML, no script.

The expectations are read from the graphs the page is rendered from (the edit source and its imports), so they
follow the ontology as it changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from mscpo import paths
from mscpo.release.docpage import page_bytes
from mscpo.release.sources import Sources, load_sources
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

MINTED = "https://w3id.org/mscpo/MSCPO_"
OBO = "http://purl.obolibrary.org/obo/"
DEFINITION = URIRef(OBO + "IAO_0000115")
REPLACED_BY = URIRef(OBO + "IAO_0100001")
HAS_DBXREF = URIRef("http://www.geneontology.org/formats/oboInOwl#hasDbXref")
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.narrowMatch, SKOS.broadMatch, SKOS.relatedMatch)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> list[Element]:
        out = [self]
        for c in self.children:
            if isinstance(c, Element):
                out += c.iter()
        return out

    def links(self) -> list[str]:
        return [e.attrs["href"] for e in self.iter() if e.tag == "a" and "href" in e.attrs]


class StrictTree(HTMLParser):
    """A tree of the page that fails on any unclosed, stray or misnested tag (html.parser tolerates them)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [a for a, _v in attrs]
        assert len(names) == len(set(names)), f"duplicate attribute on <{tag}>"
        element = Element(tag, {a: v or "" for a, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in VOID, f"<{tag}/> is not a void element"
        self.stack[-1].children.append(Element(tag, {a: v or "" for a, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        assert tag not in VOID, f"</{tag}> closes a void element"
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}> at line {self.getpos()[0]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_page(data: bytes) -> Element:
    parser = StrictTree()
    parser.feed(data.decode("utf-8"))
    parser.close()
    assert parser.stack == [parser.root], f"unclosed: {[e.tag for e in parser.stack[1:]]}"
    assert parser.doctype.lower() == "doctype html"
    return parser.root


@pytest.fixture(scope="module")
def sources() -> Sources:
    return load_sources(paths.edit_source(), paths.catalog(), [])


@pytest.fixture(scope="module")
def page(sources: Sources) -> bytes:
    return page_bytes(sources.ontology, sources.imports, sources.import_files)


@pytest.fixture(scope="module")
def tree(page: bytes) -> Element:
    return parse_page(page)


@pytest.fixture(scope="module")
def by_id(tree: Element) -> dict[str, Element]:
    return {e.attrs["id"]: e for e in tree.iter() if "id" in e.attrs}


def minted(graph: Graph) -> list[URIRef]:
    return sorted(
        {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(MINTED)}
        - {s for s in graph.subjects(RDF.type, OWL.Ontology)}
    )


def anchor(iri: URIRef) -> str:
    return str(iri).rsplit("/", 1)[1]


def label(sources: Sources, iri: URIRef) -> str:
    for graph in (sources.ontology, sources.imports):
        for value in sorted(graph.objects(iri, RDFS.label), key=str):
            return str(value)
    raise AssertionError(f"{iri} has no label")


def quoted(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z][A-Za-z0-9_\-]*(:[A-Za-z0-9_\-.]+)?", text) else f"'{text}'"


def test_every_minted_term_has_exactly_one_element_with_its_local_name_as_id(sources: Sources, tree: Element) -> None:
    ids = [e.attrs["id"] for e in tree.iter() if "id" in e.attrs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    terms = [t for t in minted(sources.ontology) if (t, OWL.deprecated, Literal(True)) not in sources.ontology]
    assert len(terms) > 200
    for term in terms:
        assert ids.count(anchor(term)) == 1, term
    assert not [i for i in ids if " " in i or "'" in i], "an id built from a label"


def test_every_internal_link_reaches_an_anchor(tree: Element, by_id: dict[str, Element]) -> None:
    internal = [h for h in tree.links() if h.startswith("#")]
    assert len(internal) > 1000
    assert sorted({h for h in internal if h[1:] not in by_id}) == []


def test_every_definition_appears_with_its_sources(sources: Sources, by_id: dict[str, Element]) -> None:
    g = sources.ontology
    annotated = {
        (g.value(a, OWL.annotatedSource), g.value(a, OWL.annotatedTarget)): sorted(map(str, g.objects(a, HAS_DBXREF)))
        for a in g.subjects(RDF.type, OWL.Axiom)
        if g.value(a, OWL.annotatedProperty) == DEFINITION
    }
    definitions = [(s, d) for s, d in g.subject_objects(DEFINITION) if str(s).startswith(MINTED)]
    assert len(definitions) > 200 and sum(1 for key in annotated if key in definitions) > 200
    for s, d in definitions:
        section = by_id[anchor(s)]
        assert " ".join(str(d).split()) in " ".join(section.text().split()), s
        links = section.links()
        for xref in annotated.get((s, d), []):
            assert xref in section.text(), (s, xref)
            prefix, _, local = xref.partition(":")
            expected = {"DOI": "doi.org/", "PMID": "pubmed", "UniProtKB": "uniprot"}.get(prefix)
            if xref.startswith("http"):
                assert xref in links, (s, xref)
            elif expected:
                assert any(expected in h and h.endswith(local) for h in links), (s, xref, links)


def test_every_skos_mapping_appears_as_a_link(sources: Sources, by_id: dict[str, Element]) -> None:
    mappings = [
        (s, o)
        for p in MAPPINGS
        for s, o in sources.ontology.subject_objects(p)
        if str(s).startswith(MINTED) and isinstance(o, URIRef)
    ]
    assert len(mappings) > 100
    for s, o in mappings:
        assert str(o) in by_id[anchor(s)].links(), (s, o)


def test_every_named_individual_appears_with_its_types(sources: Sources, by_id: dict[str, Element]) -> None:
    g = sources.ontology
    individuals = [i for i in minted(g) if (i, RDF.type, OWL.NamedIndividual) in g]
    assert {URIRef(f"{MINTED}00007{n:02d}") for n in range(10)} <= set(individuals)  # the ISCT surface markers
    for individual in individuals:
        section = by_id[anchor(individual)]
        assert label(sources, individual) in section.text()
        for rdf_type in g.objects(individual, RDF.type):
            if rdf_type != OWL.NamedIndividual and isinstance(rdf_type, URIRef):
                assert f"#{anchor(rdf_type)}" in section.links() or str(rdf_type) in section.links()


def test_deprecated_terms_are_marked_with_their_replacement(sources: Sources, by_id: dict[str, Element]) -> None:
    deprecated = [t for t in minted(sources.ontology) if (t, OWL.deprecated, Literal(True)) in sources.ontology]
    for term in deprecated:
        section = by_id[anchor(term)]
        assert "deprecated" in section.attrs["class"] or "deprecated" in section.text()
        for replacement in sources.ontology.objects(term, REPLACED_BY):
            target = f"#{anchor(replacement)}" if str(replacement).startswith(MINTED) else str(replacement)
            assert target in section.links(), (term, replacement)


def test_no_blank_node_label_anywhere(page: bytes) -> None:
    text = page.decode()
    assert "_:" not in text
    assert not re.findall(r"\b[Nn][0-9a-f]{16,}\b", text)
    assert "unrecognised expression" not in text.split("</style>", 1)[1]


def _expression_counts(g: Graph, node: object) -> dict[str, int]:
    """How many of each Manchester keyword an expression must render to, read from its triples."""
    counts = {"and": 0, "or": 0, "some": 0, "only": 0, "value": 0, "not": 0}
    todo = [node]
    while todo:
        n = todo.pop()
        if not isinstance(n, BNode):
            continue
        for p, word in ((OWL.intersectionOf, "and"), (OWL.unionOf, "or")):
            for head in g.objects(n, p):
                members = list(Collection(g, head))
                counts[word] += len(members) - 1
                todo += members
        for p, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only"), (OWL.complementOf, "not")):
            for filler in g.objects(n, p):
                counts[word] += 1
                todo.append(filler)
        counts["value"] += len(list(g.objects(n, OWL.hasValue)))
    return counts


def _named_in(g: Graph, node: object) -> set[URIRef]:
    named, todo = set(), [node]
    while todo:
        n = todo.pop()
        for p, o in g.predicate_objects(n):
            if p == RDF.type:
                continue
            if isinstance(o, URIRef) and o != RDF.nil:
                named.add(o)
            elif isinstance(o, BNode):
                todo.append(o)
    return named


def test_equivalence_axioms_read_as_manchester_syntax(sources: Sources, by_id: dict[str, Element]) -> None:
    g = sources.ontology
    axioms = [(s, e) for s, e in g.subject_objects(OWL.equivalentClass) if isinstance(e, BNode)]
    assert axioms
    for subject, expression in axioms:
        rows = by_id[anchor(subject)].iter()
        dd = next(rows[i + 1] for i, e in enumerate(rows) if e.tag == "dt" and e.text() == "EquivalentTo")
        text = dd.text()
        words = re.findall(r"\b(and|or|some|only|value|not)\b", re.sub(r"'[^']*'", "", text))
        for word, count in _expression_counts(g, expression).items():
            assert words.count(word) == count, (subject, word, text)
        for named in _named_in(g, expression):
            if not isinstance(named, URIRef) or (named, RDF.type, OWL.NamedIndividual) in g:
                continue
            assert quoted(label(sources, named)) in text, (subject, named)


def test_the_msc_derived_vesicle_axiom_reads_as_the_issue_asks(sources: Sources, by_id: dict[str, Element]) -> None:
    """``'extracellular vesicle' and ('derives from' some 'mesenchymal stem cell')``, labels read from the graphs."""
    g = sources.ontology
    ev, derives, msc = (URIRef(OBO + x) for x in ("GO_1903561", "RO_0001000", "CL_0000134"))
    found = [
        s
        for s, e in g.subject_objects(OWL.equivalentClass)
        if isinstance(e, BNode) and {ev, derives, msc} == _named_in(g, e)
    ]
    assert found, "the ontology no longer defines an MSC-derived vesicle class"
    expected = (
        f"{quoted(label(sources, ev))} and ({quoted(label(sources, derives))} some {quoted(label(sources, msc))})"
    )
    assert expected == "'extracellular vesicle' and ('derives from' some 'mesenchymal stem cell')"
    assert expected in " ".join(by_id[anchor(found[0])].text().split())


def test_two_runs_give_identical_bytes_even_from_a_fresh_parse(page: bytes) -> None:
    again = load_sources(paths.edit_source(), paths.catalog(), [])  # new blank-node identifiers
    assert page_bytes(again.ontology, again.imports, again.import_files) == page


def test_page_has_no_script_and_an_index_of_every_term(tree: Element, by_id: dict[str, Element]) -> None:
    elements = tree.iter()
    assert not [e for e in elements if e.tag == "script"]
    assert not [(e.tag, a) for e in elements for a in e.attrs if a.startswith("on")]
    assert not [h for h in tree.links() if h.lower().startswith("javascript:")]
    index = by_id["term-index"]
    section = next(e for e in elements if index in e.children)
    term_ids = {e.attrs["id"] for e in elements if e.tag == "article"}
    assert {h[1:] for h in section.links()} == term_ids


SYNTHETIC = """
@prefix : <https://w3id.org/mscpo/MSCPO_> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/mscpo/test.owl> a owl:Ontology .
:9000001 a owl:Class ; rdfs:label "it's a \\"quoted\\" class" ; rdfs:subClassOf obo:CL_0000000 .
:9000002 a owl:Class ; rdfs:label "other class" ;
  owl:equivalentClass [ a owl:Restriction ; owl:onProperty :9000010 ; owl:minQualifiedCardinality 2 ;
                        owl:onClass [ owl:complementOf :9000001 ] ] ;
  rdfs:subClassOf [ a owl:Restriction ; owl:onProperty [ owl:inverseOf :9000010 ] ; owl:allValuesFrom
                    [ owl:oneOf ( :9000020 ) ] ] ,
                  [ a owl:Restriction ; owl:onProperty :9000011 ; owl:someValuesFrom
                    [ a rdfs:Datatype ; owl:onDatatype xsd:integer ;
                      owl:withRestrictions ( [ xsd:minInclusive 0 ] ) ] ] .
:9000010 a owl:ObjectProperty , owl:TransitiveProperty ; rdfs:label "has part thing" ;
  owl:propertyChainAxiom ( :9000010 :9000010 ) .
:9000011 a owl:DatatypeProperty ; rdfs:label "count" .
:9000012 a owl:Class ; rdfs:label "<script>alert(1)</script> & <b>co</b>" ; owl:deprecated true ;
  obo:IAO_0100001 :9000001 .
:9000020 a owl:NamedIndividual , :9000001 ; rdfs:label "thing one" ; :9000011 3 .
"""
SYNTHETIC_EXPECTED = [
    ("MSCPO_9000002", "'has part thing' min 2 (not 'it\\'s a \"quoted\" class')"),
    ("MSCPO_9000002", "inverse ('has part thing') only {'thing one'}"),
    ("MSCPO_9000002", "count some xsd:integer[>= 0]"),
    ("MSCPO_9000010", "Transitive"),
    ("MSCPO_9000010", "'has part thing' o 'has part thing'"),
    ("MSCPO_9000020", "count 3"),
    ("MSCPO_9000001", "CL:0000000"),  # an external term without a label in the graphs shows as its CURIE
]


@pytest.fixture(scope="module")
def synthetic() -> dict[str, Element]:
    tree = parse_page(page_bytes(Graph().parse(data=SYNTHETIC, format="turtle"), Graph()))
    return {e.attrs["id"]: e for e in tree.iter() if "id" in e.attrs}


@pytest.mark.parametrize(("anchor_id", "text"), SYNTHETIC_EXPECTED)
def test_synthetic_axioms_render(synthetic: dict[str, Element], anchor_id: str, text: str) -> None:
    assert text in " ".join(synthetic[anchor_id].text().split())


def test_markup_in_labels_is_escaped_and_deprecation_links_the_replacement(synthetic: dict[str, Element]) -> None:
    section = synthetic["MSCPO_9000012"]
    assert "<script>alert(1)</script> & <b>co</b>" in section.text()
    assert not [e for e in section.iter() if e.tag in ("script", "b")]
    assert "#MSCPO_9000001" in section.links() and "deprecated" in section.text()


def test_anchors_are_local_names_even_for_labels_with_quotes(synthetic: dict[str, Element]) -> None:
    assert {"MSCPO_9000001", "MSCPO_9000002", "MSCPO_9000010", "MSCPO_9000011", "MSCPO_9000020"} <= set(synthetic)
    assert "#MSCPO_9000001" in synthetic["MSCPO_9000002"].links()
    assert 'it\'s a "quoted" class' in synthetic["MSCPO_9000001"].text()
