"""Which shapes the fast engine compiles, and into what: the shapes graph split into compiled shapes and the rest
(left to pySHACL), with each compiled shape's targets, paths, parameters and SPARQL constraints read once.

Why a module of its own: the plan is pure reading of the shapes graph; :mod:`mscpo.validation.compiled` evaluates
it over the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from mscpo.validation.exact import to_store
from mscpo.validation.prebinding import joinable
from mscpo.validation.report import Path
from mscpo.validation.terms import nt, rdflib_to_ox, read_path

Term = ox.NamedNode | ox.BlankNode | ox.Literal

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# Constraint parameters evaluated here; each must have a single value on a shape (except the list-valued
# below).
SINGLE = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minCount,
    SH.maxCount,
    SH.pattern,
    SH.flags,
    SH["in"],
    SH.languageIn,
    SH.hasValue,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.node,
    SH["or"],
    SH["not"],
    SH["and"],
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.path,
    SH.severity,
}
MULTI = {SH.property, SH.sparql, SH.message, *TARGETS}
ANNOTATIONS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
}
SHAPE_REFERENCES = (SH.node, SH["not"], SH.qualifiedValueShape)
_CLASS, _NODEKIND, _IN, _NODE, _OR, _NOT, _AND = (
    SH["class"],
    SH.nodeKind,
    SH["in"],
    SH.node,
    SH["or"],
    SH["not"],
    SH["and"],
)
_PATTERN, _DATATYPE, _LANGUAGE_IN = SH.pattern, SH.datatype, SH.languageIn
_MIN_INCL, _MAX_INCL, _MIN_EXCL, _MAX_EXCL = (
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
)
# Per-value constraints, in the order they are checked (identity comparisons below rely on these objects).
VALUE_PARAMS = (
    _CLASS,
    _DATATYPE,
    _NODEKIND,
    _PATTERN,
    _IN,
    _LANGUAGE_IN,
    _MIN_INCL,
    _MAX_INCL,
    _MIN_EXCL,
    _MAX_EXCL,
    _NODE,
    _OR,
    _NOT,
    _AND,
)
_NODE_KINDS = {
    SH.IRI: (ox.NamedNode,),
    SH.BlankNode: (ox.BlankNode,),
    SH.Literal: (ox.Literal,),
    SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode),
    SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
}
SHAPE_LISTS = (SH["or"], SH["and"])
_UNSAFE_SPARQL = re.compile(
    r"(\bSELECT\b[\s\S]*\bSELECT\b|\bMINUS\b|\bSERVICE\b|\bGROUP\s+BY\b|\bHAVING\b|\bLIMIT\b|\bOFFSET\b|"
    r"\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(|[?$](currentShape|shapesGraph|failure)\b)",
    re.IGNORECASE,
)
_PROJECTS_THIS = re.compile(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?(\*|[^{]*[?$]this\b)", re.IGNORECASE)
_WHERE_OPEN = re.compile(r"\bWHERE\s*\{|\{", re.IGNORECASE)
_COMPONENT = {
    SH["class"]: "Class",
    SH.datatype: "Datatype",
    SH.nodeKind: "NodeKind",
    SH.minCount: "MinCount",
    SH.maxCount: "MaxCount",
    SH.pattern: "Pattern",
    SH["in"]: "In",
    SH.languageIn: "LanguageIn",
    SH.hasValue: "HasValue",
    SH.minInclusive: "MinInclusive",
    SH.maxInclusive: "MaxInclusive",
    SH.minExclusive: "MinExclusive",
    SH.maxExclusive: "MaxExclusive",
    SH.node: "Node",
    SH["or"]: "Or",
    SH["not"]: "Not",
    SH["and"]: "And",
}


@dataclass
class Shape:
    """What this engine needs to know about one shape of the shapes graph."""

    node: Node
    path: Path | None
    severity: URIRef
    messages: list[Literal]
    params: dict[URIRef, list[Node]]
    properties: list[Node] = field(default_factory=list)
    sparql: list[Node] = field(default_factory=list)
    checks: list[tuple[URIRef, object]] = field(default_factory=list)  # (parameter, prepared argument)
    min_count: int | None = None
    max_count: int | None = None
    has_value: Term | None = None
    qualified: tuple[Node, int | None, int | None] | None = None

    @property
    def key(self) -> str:
        return nt(self.node)


def _is_shape(g: Graph, node: Node) -> bool:
    return (
        (node, RDF.type, SH.NodeShape) in g
        or (node, RDF.type, SH.PropertyShape) in g
        or any((node, t, None) in g for t in TARGETS)
        or (node, SH.path, None) in g
    )


def top_level_shapes(g: Graph) -> list[Node]:
    """Shapes with a target (explicit, or implicit: a shape that is also a class), in a stable order."""
    found: set[Node] = set()
    for target in TARGETS:
        found.update(g.subjects(target, None))
    for cls in (RDFS.Class, OWL.Class):
        for node in g.subjects(RDF.type, cls):
            if (node, RDF.type, SH.NodeShape) in g or (node, RDF.type, SH.PropertyShape) in g:
                found.add(node)
    return sorted(found, key=nt)


class Compiler:
    """Reads shapes from an rdflib shapes graph and decides which can be evaluated here."""

    def __init__(self, shapes: Graph, require_messages: bool = True, sparql: bool = True) -> None:
        self.g = shapes
        self.require_messages = require_messages
        self.sparql = sparql  # False: shapes with SPARQL constraints go to pySHACL
        self.shapes: dict[Node, Shape | None] = {}

    def shape(self, node: Node) -> Shape | None:
        """The parsed shape, or None when it (or a shape it uses) needs pySHACL."""
        if node in self.shapes:
            return self.shapes[node]
        self.shapes[node] = None  # recursion guard: a recursive shape stays with pySHACL
        parsed = self._parse(node)
        self.shapes[node] = parsed
        return parsed

    def _parse(self, node: Node) -> Shape | None:
        g = self.g
        params: dict[URIRef, list[Node]] = {}
        for p, o in g.predicate_objects(node):
            if p in ANNOTATIONS:
                continue
            if p not in SINGLE and p not in MULTI:
                return None
            params.setdefault(p, []).append(o)
        if any(len(v) > 1 for p, v in params.items() if p in SINGLE):
            return None
        if SH.qualifiedValueShape in params and not (SH.qualifiedMinCount in params or SH.qualifiedMaxCount in params):
            return None
        if any(isinstance(t, BNode) for t in params.get(SH.targetNode, [])):
            return None
        path = None
        if SH.path in params:
            try:
                path = read_path(g, params[SH.path][0])
            except ValueError:
                return None
            if _inverts_a_sequence(path):
                return None  # pySHACL walks ^(p/q) as ^p/^q (SPARQL: ^q/^p); the reference decides
        for ref in SHAPE_REFERENCES:
            if ref in params and self.shape(params[ref][0]) is None:
                return None
        for ref in SHAPE_LISTS:
            if ref in params and any(self.shape(m) is None for m in Collection(g, params[ref][0])):
                return None
        properties = params.get(SH.property, [])
        if any(self.shape(p) is None for p in properties):
            return None
        sparql = params.get(SH.sparql, [])
        if sparql and not self.sparql:
            return None
        if any(not self._sparql_ok(c) for c in sparql):
            return None
        severity = params.get(SH.severity, [SH.Violation])[0]
        shape = Shape(node, path, severity, list(params.get(SH.message, [])), params, properties, sparql)
        try:
            self._prepare(shape)
        except (ValueError, TypeError, AttributeError):
            return None  # malformed parameters: pySHACL reports them properly
        return shape

    def _prepare(self, shape: Shape) -> None:
        """Turn parameters into ready-to-use arguments once (lists read, terms converted)."""
        one = {k: v[0] for k, v in shape.params.items() if k in SINGLE}
        for param in VALUE_PARAMS:
            if param not in one:
                continue
            rule = one[param]
            if param == _IN:
                arg: object = {to_store(rdflib_to_ox(m)) for m in Collection(self.g, rule)}
            elif param in (_OR, _AND):
                arg = list(Collection(self.g, rule))
            elif param == _LANGUAGE_IN:
                arg = [str(x) for x in Collection(self.g, rule)]
            elif param == _PATTERN:
                arg = (rule, one.get(SH.flags))
            elif param == _NODEKIND:
                arg = _NODE_KINDS.get(rule, ())
            else:
                arg = rule
            shape.checks.append((param, arg))
        if SH.minCount in one:
            shape.min_count = int(one[SH.minCount])
        if SH.maxCount in one:
            shape.max_count = int(one[SH.maxCount])
        if SH.hasValue in one:
            shape.has_value = to_store(rdflib_to_ox(one[SH.hasValue]))
        if SH.qualifiedValueShape in one:
            low, high = one.get(SH.qualifiedMinCount), one.get(SH.qualifiedMaxCount)
            shape.qualified = (
                one[SH.qualifiedValueShape],
                int(low) if low is not None else None,
                int(high) if high is not None else None,
            )

    def _sparql_ok(self, constraint: Node) -> bool:
        g = self.g
        select = g.value(constraint, SH.select)
        if select is None or (constraint, SH.deactivated, None) in g or (constraint, SH.ask, None) in g:
            return False
        text = str(select)
        if _UNSAFE_SPARQL.search(text) or "$PATH" in text or not _PROJECTS_THIS.search(text):
            return False
        try:
            prologue = self.prefixes(constraint)
        except ValueError:
            return False  # pySHACL rejects the declarations and says why
        return joinable(f"{prologue}\n{text}")

    def reports_results(self, shape: Shape) -> bool:
        """Whether every result this shape can report has a shape-given message (pySHACL's defaults differ)."""
        if not self.require_messages:
            return True
        constraint_params = set(shape.params) - {
            SH.property,
            SH.sparql,
            SH.message,
            SH.path,
            SH.severity,
            SH.flags,
            SH.qualifiedValueShape,
            *TARGETS,
        }
        constraint_params |= {SH.qualifiedMinCount} if SH.qualifiedValueShape in shape.params else set()
        if constraint_params and not shape.messages:
            return False
        for c in shape.sparql:
            if not shape.messages and (c, SH.message, None) not in self.g:
                return False
        return all(self.reports_results(self.shape(p)) for p in shape.properties)  # type: ignore[arg-type]

    def prefixes(self, constraint: Node) -> str:
        """PREFIX lines as pySHACL builds them for a SPARQL constraint (``collect_prefixes``): rdf, rdfs and
        owl; then the sh:declare of its sh:prefixes, of every owl:Ontology and of the shapes graph's own
        name (unless the sh:prefixes node is itself an ontology with declarations). Raises ValueError on a
        declaration pySHACL rejects."""
        g = self.g
        found = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
        holders = set(g.objects(constraint, SH.prefixes))
        if holders:
            named = set(g.objects(g.identifier, SH.declare)) if g.identifier else set()
            ontologies = set(g.subjects(RDF.type, OWL.Ontology))
            general = named | {d for o in ontologies for d in g.objects(o, SH.declare)}
            for holder in holders:
                own = set(g.objects(holder, SH.declare))
                for decl in (own | named) if own and holder in ontologies else (general | own):
                    prefixes = list(g.objects(decl, SH.prefix))
                    namespaces = list(g.objects(decl, SH.namespace))
                    if isinstance(decl, Literal) or len(prefixes) != 1 or len(namespaces) != 1:
                        raise ValueError("malformed sh:declare")
                    if not isinstance(prefixes[0], Literal) or not isinstance(namespaces[0], Literal):
                        raise ValueError("malformed sh:declare")
                    found[str(prefixes[0])] = str(namespaces[0])
        return "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in found.items())


@dataclass
class Plan:
    """The top-level shapes evaluated here, and those left to pySHACL."""

    compiled: list[Shape]
    residual: list[Node]


def plan(shapes: Graph, require_messages: bool = True, sparql: bool = True) -> tuple[Compiler, Plan]:
    """Split the top-level shapes; ``require_messages=False`` also compiles shapes without sh:message (their
    results then have no message, where pySHACL would write a generic one); ``sparql=False`` leaves every
    shape with a SPARQL constraint to pySHACL."""
    compiler = Compiler(shapes, require_messages, sparql)
    compiled, residual = [], []
    for node in top_level_shapes(shapes):
        shape = compiler.shape(node)
        if shape is not None and compiler.reports_results(shape):
            compiled.append(shape)
        else:
            residual.append(node)
    return compiler, Plan(compiled, residual)


def _nullable(path: Path) -> bool:
    """Whether the path matches with length zero (then every node reaches itself)."""
    kind, arg = path
    if kind in ("zeroOrMore", "zeroOrOne"):
        return True
    if kind == "inverse":
        return _nullable(arg)
    if kind == "sequence":
        return all(_nullable(p) for p in arg)
    if kind == "alternative":
        return any(_nullable(p) for p in arg)
    return False


def _inverts_a_sequence(path: Path, inverted: bool = False) -> bool:
    kind, arg = path
    if kind == "iri":
        return False
    if kind == "sequence" and inverted:
        return True
    if kind in ("sequence", "alternative"):
        return any(_inverts_a_sequence(p, inverted) for p in arg)
    return _inverts_a_sequence(arg, inverted or kind == "inverse")
