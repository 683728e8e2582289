"""The fast engine: the common SHACL Core and SHACL-SPARQL constraints evaluated set-at-a-time over pyoxigraph.

Why: plain pySHACL evaluates shape by shape and node by node in Python and re-parses a SPARQL constraint's
query for every focus node, so a million triples take many minutes. Here a top-level shape costs one SPARQL
query for its focus nodes and one per property path (run by pyoxigraph, in Rust); a SPARQL constraint runs
once for all focus nodes (the distinct focus nodes joined in front of its WHERE clause, which equals
pre-binding ``$this`` for the queries :mod:`mscpo.validation.prebinding` accepts); nested shapes (sh:node,
sh:or, sh:not, sh:and, sh:qualifiedValueShape) are decided once per distinct value node and remembered.
Per-value checks copy pySHACL's semantics (same literal comparison, same datatype well-formedness test), and
every result is built the way pySHACL builds it, so both engines give identical reports.

A shape this module does not fully understand (another constraint component, a missing sh:message, a
blank-node target, a SPARQL query with sub-selects or aggregates …) is left to pySHACL: :func:`plan` splits
the shapes graph into the shapes compiled here and the rest; the tests prove both engines agree on the
project's shapes and data.
"""

from __future__ import annotations

import multiprocessing

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from mscpo.errors import InputError
from mscpo.validation.exact import to_store
from mscpo.validation.plan import (
    _AND,
    _CLASS,
    _COMPONENT,
    _DATATYPE,
    _IN,
    _LANGUAGE_IN,
    _NODE,
    _NODEKIND,
    _NOT,
    _OR,
    _PATTERN,
    _WHERE_OPEN,
    TARGETS,
    Compiler,
    Shape,
    _nullable,
)
from mscpo.validation.report import Path, Result, path_to_sparql
from mscpo.validation.terms import nt, ox_to_rdflib, rdflib_to_ox
from mscpo.validation.value_checks import _datatype_ok, _format, _language_ok, _pattern_ok, _range_ok, _unique

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class Evaluator:
    """Evaluates compiled shapes over a pyoxigraph store (data and ontology in its default graph)."""

    def __init__(self, store: ox.Store, compiler: Compiler) -> None:
        self.store = store
        self.compiler = compiler
        self.g = compiler.g
        self._conforms: dict[tuple[Node, Term], bool] = {}
        self._instances: dict[Node, set[Term]] = {}
        self._rdflib: dict[Term, Node] = {}
        self._focus_cache: dict[str | int, list[Term]] = {}

    # ------------------------------------------------------------------ helpers
    def _query(self, text: str) -> ox.QuerySolutions:
        return self.store.query(text)

    def _lit(self, term: Term) -> Node:
        found = self._rdflib.get(term)
        if found is None:
            found = self._rdflib[term] = ox_to_rdflib(term)
        return found

    def _nt(self, term: Term) -> str:
        """N-Triples text of a node as pySHACL reports it (literals pass through rdflib, which normalizes lexical
        forms such as "2011-01-01"^^xsd:dateTime)."""
        return nt(self._lit(term)) if isinstance(term, ox.Literal) else nt(term)

    def _target_sparql(self, shape: Shape) -> str:
        parts = []
        for target, values in ((t, shape.params.get(t, [])) for t in TARGETS):
            for v in values:
                if target == SH.targetClass:
                    parts.append(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {nt(v)} .")
                elif target == SH.targetNode:
                    parts.append(f"VALUES ?this {{ {to_store(rdflib_to_ox(v))} }}")
                elif target == SH.targetSubjectsOf:
                    parts.append(f"?this {nt(v)} ?__o .")
                else:
                    parts.append(f"?__s {nt(v)} ?this .")
        if (shape.node, RDF.type, RDFS.Class) in self.g or (shape.node, RDF.type, OWL.Class) in self.g:
            parts.append(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {nt(shape.node)} .")
        # A node reached by several targets or rdf:type paths matches several times: callers take DISTINCT.
        return " UNION ".join(f"{{ {p} }}" for p in parts)

    def focus_nodes(self, shape: Shape) -> list[Term]:
        rows = self._query(f"SELECT DISTINCT ?this WHERE {{ {self._target_sparql(shape)} }}")
        return [row["this"] for row in rows]

    def _values_bulk(self, shape: Shape, restriction: str, focus: list[Term]) -> dict[Term, list[Term]]:
        """Value nodes of every focus node (those matching ``restriction``) of a property shape, by one query.

        Literal focus nodes (``sh:targetNode "…"``) are walked instead: pyoxigraph's zero-length paths do not
        start from a literal, SHACL's do."""
        path = path_to_sparql(shape.path)
        rows = self._query(f"SELECT DISTINCT ?this ?value WHERE {{ {{ {restriction} }} ?this {path} ?value }}")
        values: dict[Term, list[Term]] = {}
        for row in rows:
            f = row[0]
            found = values.get(f)
            if found is None:
                values[f] = [row[1]]
            else:
                found.append(row[1])
        nullable = _nullable(shape.path)  # type: ignore[arg-type]
        for f in focus:
            if isinstance(f, ox.Literal):
                values[f] = self._walk(f, shape.path)  # type: ignore[arg-type]
            elif nullable:
                # A path that may have length zero reaches its start node, whatever the query returned.
                found = values.setdefault(f, [])
                if f not in found:
                    found.append(f)
        return values

    def _walk(self, node: Term, path: Path, inverse: bool = False) -> list[Term]:
        """Nodes reached from ``node`` along a SHACL path (used for nested shapes, node by node)."""
        kind, arg = path
        if kind == "iri":
            p = ox.NamedNode(arg[1:-1])
            if inverse:  # a literal has subjects too
                return [q.subject for q in self.store.quads_for_pattern(None, p, node)]
            if isinstance(node, ox.Literal):
                return []
            return [q.object for q in self.store.quads_for_pattern(node, p, None)]
        if kind == "inverse":
            return self._walk(node, arg, not inverse)
        if kind == "sequence":
            frontier = [node]
            for step in reversed(arg) if inverse else arg:
                frontier = _unique(n for f in frontier for n in self._walk(f, step, inverse))
            return frontier
        if kind == "alternative":
            return _unique(n for step in arg for n in self._walk(node, step, inverse))
        if kind == "zeroOrOne":
            return _unique([node, *self._walk(node, arg, inverse)])
        reached: dict[Term, None] = {node: None} if kind == "zeroOrMore" else {}
        frontier = [node]
        while frontier:
            nxt = []
            for f in frontier:
                for n in self._walk(f, arg, inverse):
                    if n not in reached:
                        reached[n] = None
                        nxt.append(n)
            frontier = nxt
        return list(reached)

    def _instances_of(self, cls: Node) -> set[Term]:
        found = self._instances.get(cls)
        if found is None:
            query = f"SELECT DISTINCT ?x WHERE {{ ?x <{RDF.type}>/<{RDFS.subClassOf}>* {nt(cls)} }}"
            found = self._instances[cls] = {row[0] for row in self._query(query)}
        return found

    def conforms(self, shape_node: Node, node: Term) -> bool:
        """Whether ``node`` conforms to a (nested) shape; remembered, because the same terms recur."""
        key = (shape_node, node)
        cached = self._conforms.get(key)
        if cached is None:
            shape = self.compiler.shape(shape_node)
            assert shape is not None
            vs = self._walk(node, shape.path) if shape.path else [node]
            cached = not any(True for _ in self._violations(shape, [node], {node: vs}))
            inner = vs if shape.path else [node]
            cached = cached and all(self.conforms(p, x) for p in shape.properties for x in inner)
            cached = cached and not self._sparql(shape, [node], None)
            self._conforms[key] = cached
        return cached

    # ------------------------------------------------------------------ evaluation
    def validate(self, shapes: list[Shape], jobs: int = 1) -> list[Result]:
        """Results of the top-level ``shapes``; with ``jobs`` > 1 the work is split across forked processes."""
        units = [
            (i, part, k)
            for i, shape in enumerate(shapes)
            for part, k in [
                ("own", 0),
                *(("property", k) for k in range(len(shape.properties))),
                *(("sparql", k) for k in range(len(shape.sparql))),
            ]
        ]
        if jobs <= 1 or len(units) < 2:
            return [r for unit in units for r in self.run_unit(shapes, unit)]
        global _WORK
        _WORK = (self, shapes)
        try:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                # Largest units first (property shapes of big targets), handed out one at a time.
                chunks = pool.imap_unordered(_run_unit, units, chunksize=1)
                return [r for chunk in chunks for r in chunk]
        finally:
            _WORK = None

    def run_unit(self, shapes: list[Shape], unit: tuple[str | int, ...]) -> list[Result]:
        """One independent piece of work: a shape's own constraints, one of its property shapes, or one SPARQL
        constraint, on all its focus nodes."""
        index, part, k = unit
        shape = shapes[int(index)]
        restriction = self._target_sparql(shape)
        focus = self._focus_cache.get(index)
        if focus is None:
            focus = self._focus_cache[index] = self.focus_nodes(shape)
        if part == "own":
            bare = Shape(
                shape.node,
                shape.path,
                shape.severity,
                shape.messages,
                shape.params,
                [],
                [],
                shape.checks,
                shape.min_count,
                shape.max_count,
                shape.has_value,
                shape.qualified,
            )
            return self._shape_results(bare, focus, restriction)
        if part == "sparql":
            only = Shape(
                shape.node,
                shape.path,
                shape.severity,
                shape.messages,
                shape.params,
                [],
                [shape.sparql[int(k)]],
            )
            # SPARQL constraints see the focus nodes, on node and property shapes alike.
            return self._sparql(only, focus, restriction)
        prop_shape = self.compiler.shape(shape.properties[int(k)])
        assert prop_shape is not None
        if shape.path is None:
            return self._shape_results(prop_shape, focus, restriction)
        values = self._values_bulk(shape, restriction, focus)
        # Nested property shapes run once per (focus, value) occurrence, as in pySHACL: no de-duplication.
        return self._shape_results(prop_shape, [v for f in focus for v in values.get(f, [])], None)

    def _shape_results(self, shape: Shape, focus: list[Term], restriction: str | None) -> list[Result]:
        """Results of ``shape`` on ``focus``; ``restriction`` is SPARQL selecting exactly ``focus`` (bulk path)."""
        if shape.path is None:
            values = {f: [f] for f in focus}
        elif restriction is not None:
            values = self._values_bulk(shape, restriction, focus)
        else:
            values = {f: self._walk(f, shape.path) for f in focus}
        results = [self._result(shape, f, v, component) for f, v, component in self._violations(shape, focus, values)]
        for prop in shape.properties:
            prop_shape = self.compiler.shape(prop)
            assert prop_shape is not None
            # The value nodes of a node shape are its focus nodes, so its property shapes see the same focus
            # nodes (and the same restriction); under a property shape they see that shape's value nodes.
            if shape.path is None:
                results.extend(self._shape_results(prop_shape, focus, restriction))
            else:
                inner = [v for f in focus for v in values.get(f, [])]
                results.extend(self._shape_results(prop_shape, inner, None))
        results.extend(self._sparql(shape, focus, restriction))
        return results

    def _result(
        self, shape: Shape, focus: Term, value: Term | None, component: str, messages: list[str] | None = None
    ) -> Result:
        if messages is None:
            messages = [str(m) for m in shape.messages]
        return Result(
            focus_node=self._nt(focus),
            path=shape.path,
            value=self._nt(value) if value is not None else None,
            source_shape=nt(shape.node),
            constraint_component=f"<{SH}{component}ConstraintComponent>",
            severity=str(shape.severity).removeprefix(str(SH)),
            message=" | ".join(sorted(messages)),
        )

    def _violations(self, shape: Shape, focus: list[Term], values: dict[Term, list[Term]]):
        """(focus, value or None, component name) for every failed core constraint of ``shape``."""
        checks = shape.checks
        for f in focus:
            vs = values.get(f, ())
            for param, arg in checks:
                for v in vs:
                    if not self._value_ok(param, arg, v):
                        yield f, v, _COMPONENT[param]
            if shape.min_count is not None and len(vs) < shape.min_count:
                yield f, None, "MinCount"
            if shape.max_count is not None and len(vs) > shape.max_count:
                yield f, None, "MaxCount"
            if shape.has_value is not None and shape.has_value not in vs:
                yield f, None, "HasValue"
            if shape.qualified is not None:
                qshape, low, high = shape.qualified
                count = sum(1 for v in vs if self.conforms(qshape, v))
                if low is not None and count < low:
                    yield f, None, "QualifiedMinCount"
                if high is not None and count > high:
                    yield f, None, "QualifiedMaxCount"

    def _value_ok(self, param: URIRef, arg, v: Term) -> bool:
        if param is _NODEKIND:
            return isinstance(v, arg)
        if param is _IN:
            return v in arg
        if param is _CLASS:
            return not isinstance(v, ox.Literal) and v in self._instances_of(arg)
        if param is _NODE:
            return self.conforms(arg, v)
        if param is _NOT:
            return not self.conforms(arg, v)
        if param is _OR:
            return any(self.conforms(m, v) for m in arg)
        if param is _AND:
            return all(self.conforms(m, v) for m in arg)
        value = self._lit(v)
        if param is _PATTERN:
            return _pattern_ok(arg[0], arg[1], value)
        if param is _DATATYPE:
            return _datatype_ok(arg, value)
        if param is _LANGUAGE_IN:
            return _language_ok(arg, value)
        return _range_ok(param, arg, value)

    def _sparql(self, shape: Shape, focus: list[Term], restriction: str | None) -> list[Result]:
        results: list[Result] = []
        if not shape.sparql or not focus:
            return results
        wanted = None if restriction is not None else set(focus)
        # Each focus node once (one SPARQL result per solution and focus node, as with pre-binding).
        restriction = (
            f"SELECT DISTINCT ?this WHERE {{ {restriction} }}"
            if restriction is not None
            else self._values_clause(focus)
        )
        for constraint in shape.sparql:
            query = self._inject(str(self.g.value(constraint, SH.select)), restriction)
            extra = [m for m in self.g.objects(constraint, SH.message) if m not in shape.messages]
            try:
                solutions = self.store.query(f"{self.compiler.prefixes(constraint)}\n{query}")
            except (SyntaxError, ValueError, OSError) as exc:
                raise InputError(
                    f"the shapes cannot be used: the SPARQL constraint {nt(constraint)} fails: {exc}",
                    hint="fix the query of that constraint",
                ) from None
            variables = [v.value for v in solutions.variables]
            seen: set[frozenset] = set()
            for row in solutions:
                bound = {name: row[name] for name in variables if row[name] is not None}
                key = frozenset(bound.items())
                if key in seen:
                    continue  # pySHACL reports equal solution rows once ("guard against duplicate results")
                seen.add(key)
                results.extend(self._sparql_result(shape, bound, extra, wanted))
        return results

    def _values_clause(self, focus: list[Term]) -> str:
        named = [str(f) for f in focus if not isinstance(f, ox.BlankNode)]  # store form (surrogates kept)
        values = f"VALUES ?this {{ {' '.join(named)} }}"
        if len(named) == len(focus):
            return values
        # Blank nodes cannot be named in a query: match each blank node once, keep the wanted ones afterwards.
        blank = "SELECT DISTINCT ?this WHERE { { ?this ?__p ?__o } UNION { ?__s ?__p ?this } FILTER(isBlank(?this)) }"
        return f"{{ {blank} }} UNION {{ {values} }}" if named else blank

    @staticmethod
    def _inject(text: str, restriction: str) -> str:
        match = _WHERE_OPEN.search(text)
        assert match is not None
        return f"{text[: match.end()]} {{ {restriction} }} {text[match.end() :]}"

    def _sparql_result(
        self, shape: Shape, bound: dict[str, Term], extra: list[Node], wanted: set[Term] | None
    ) -> list[Result]:
        this = bound.get("this")
        if this is None or (wanted is not None and this not in wanted):
            return []
        path_term = bound.get("path")
        value = bound.get("value")
        if value is None and shape.path is None:
            value = this
        fmt = {k: self._lit(v) for k, v in bound.items() if k not in ("this", "path", "value")}
        fmt["this"] = self._lit(this)
        if path_term is not None:
            fmt["path"] = self._lit(path_term)
        if value is not None:
            fmt["value"] = self._lit(value)
        messages = [_format(str(m), fmt) for m in extra if isinstance(m, Literal)]
        messages += [_format(str(m), fmt) for m in shape.messages]
        result = self._result(shape, this, value, "SPARQL", messages)
        if path_term is not None:
            result = Result(
                result.focus_node,
                ("iri", nt(path_term)),
                result.value,
                result.source_shape,
                result.constraint_component,
                result.severity,
                result.message,
            )
        return [result]


_WORK: tuple[Evaluator, list[Shape]] | None = None


def _run_unit(unit: tuple[str | int, ...]) -> list[Result]:
    """Worker side of :meth:`Evaluator.validate` (the evaluator and store arrive through fork)."""
    assert _WORK is not None
    evaluator, shapes = _WORK
    return evaluator.run_unit(shapes, unit)



