"""Differential testing of ``validate()`` against plain pySHACL on generated and mutated shapes + data pairs.

Why: "the fast engine gives the same results as pySHACL" is only true while a test keeps it true over many
cases nobody wrote by hand. Each pair is two Turtle files; the default engine (``fast``) and the ``compiled``
engine (every shape the fast engine understands forced through it) run on them through ``validate()``, and
plain pySHACL runs on the same files read by rdflib (:mod:`reference`). Their result sets must be equal as
multisets of (focus, path, value, source shape, component, severity); when pySHACL cannot use the shapes,
``validate()`` must stop with an input error (exit 2) too.

The generator covers every constraint component the fast engine compiles, every SHACL path form, SPARQL
constraints with UNION / OPTIONAL / FILTER / EXISTS / BIND / sub-selects and ``$this`` in every position,
literals of the XSD types (also those a store would rewrite, and ill-typed ones), blank-node focus nodes,
several targets per shape and class hierarchies reached through more than one rdf:type. Every pair is derived
from a seed. Left out on purpose, because there the reference departs from the SPARQL 1.1 semantics the fast
engine's queries follow, and the two cannot be compared: comparisons of incomparable terms (rdflib's SPARQL
finds ``"hi"@en > 4`` true; the generator guards them with ``isNumeric``) and ill-typed ``xsd:boolean`` literals
(rdflib gives ``"none"^^xsd:boolean`` the text "false", so it equals ``"false"^^xsd:boolean``). An inverse of a
sequence path, which pySHACL walks in the wrong order, is generated: the fast engine leaves it to pySHACL.
``python tests/validation/differential.py --pairs 5000`` (or benchmarks/shacl_differential.py)
runs thousands.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from mscpo.errors import MscpoError
from mscpo.validation.engine import load_shapes, validate
from mscpo.validation.plan import plan

from tests.validation.reference import pyshacl_keys, report_keys

PREFIXES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""
NODES = [f"ex:n{i}" for i in range(6)] + [f"_:b{i}" for i in range(3)]
CLASSES = ["ex:C0", "ex:C1", "ex:C2", "ex:D"]
PROPS = ["ex:p", "ex:q", "ex:r"]
LITERALS = [
    '"5"^^xsd:int', '"05"^^xsd:integer', "7", "-3", "4.0", "4.50", "1e3", '"1.0E0"^^xsd:double',
    '"2.5"^^xsd:float', "true", '"1"^^xsd:boolean', '"abc"^^xsd:int',
    '"2011-01-01T00:00:00Z"^^xsd:dateTimeStamp', '"2011-01-01T10:00:00"^^xsd:dateTime', '"2011-01-01"^^xsd:date',
    '"10:00:00"^^xsd:time', '"2005"^^xsd:gYear', '"P1D"^^xsd:duration', '"7"^^xsd:short', '"12"^^xsd:long',
    '"255"^^xsd:unsignedByte', '"3"^^xsd:nonNegativeInteger', '"-1"^^xsd:negativeInteger', '"12"^^xsd:byte',
    '"hello"', '"hello"@en', '"Hallo"@de', '"hi"@en-GB', '"x"^^xsd:string', '"http://x.org/"^^xsd:anyURI',
]  # fmt: skip
DATATYPES = [
    "xsd:int", "xsd:integer", "xsd:decimal", "xsd:double", "xsd:float", "xsd:boolean", "xsd:dateTime",
    "xsd:dateTimeStamp", "xsd:date", "xsd:string", "rdf:langString", "xsd:short", "xsd:long", "xsd:gYear",
    "xsd:anyURI", "xsd:nonNegativeInteger",
]  # fmt: skip
BOUNDS = ["3", "4.0", '"5"^^xsd:int', "1e3", '"2011-01-01"^^xsd:date', '"2011-01-01T00:00:00Z"^^xsd:dateTime']
NODE_KINDS = ["sh:IRI", "sh:BlankNode", "sh:Literal", "sh:BlankNodeOrIRI", "sh:BlankNodeOrLiteral", "sh:IRIOrLiteral"]
KINDS = [
    "class", "datatype", "nodeKind", "minCount", "maxCount", "pattern", "in", "languageIn", "hasValue", "range",
    "node", "or", "and", "not", "qualified",
]  # fmt: skip
RANGES = ["minInclusive", "maxInclusive", "minExclusive", "maxExclusive"]
LANGUAGE_RANGES = ['"en"', '"de"', '"en" "fr"', '"*"']
SEVERITIES = ["sh:Violation", "sh:Warning", "sh:Info"]
# SPARQL constraint bodies: $this at the top, only in FILTERs of UNION branches, in OPTIONALs (top-level and
# nested), EXISTS, BIND, as object, in sub-selects; values of every type; VALUES/MINUS that pySHACL refuses.
SPARQL_BODIES = [
    "$this {p} ?value .",
    "$this {p} ?value . FILTER(isNumeric(?value) && ?value > 4)",
    "?value {p} $this .",
    "{{ ?x {p} ?value FILTER(?x = $this) }} UNION {{ ?y {q} ?value FILTER(?y = $this && isLiteral(?value)) }}",
    "{{ ?x {p} ?value FILTER(?x = $this && isNumeric(?value) && ?value < 6) }} UNION {{ $this {q} ?value }}",
    "{{ $this {p} ?value }} UNION {{ $this {q} ?value FILTER(?value != $this) }}",
    "OPTIONAL {{ $this {p} ?value }} FILTER(!BOUND(?value))",
    "?s {p} ?value . OPTIONAL {{ $this {q} ?value }}",
    "$this {p} ?v . OPTIONAL {{ ?v {q} ?value FILTER(?value != $this) }}",
    "{{ ?a {p} ?b OPTIONAL {{ $this {q} ?b }} }}",
    "$this {p} ?value . FILTER NOT EXISTS {{ $this {q} ?value }}",
    "$this {p} ?value . FILTER EXISTS {{ ?value {q} ?z FILTER(?z != $this) }}",
    "{{ ?s {p} ?o BIND($this AS ?value) }}",
    "$this {p} ?o BIND(?o AS ?value)",
    "FILTER(isBlank($this)) $this ?pp ?value .",
    'FILTER(isIRI($this) && STRENDS(STR($this), "1"))',
    "$this {p} ?value . FILTER(DATATYPE(?value) = xsd:int)",
    '$this {p} ?value . FILTER(isLiteral(?value) && STR(?value) = "5")',
    '$this {p} ?value . FILTER(LANG(?value) = "en")',
    "{{ SELECT $this ?value WHERE {{ $this {p} ?value }} }}",
    "$this {p} ?value . {{ SELECT ?value WHERE {{ ?value {q} ?z }} }}",
    "$this {p} ?value . MINUS {{ $this {q} ?value }}",
    "$this {p} ?value . VALUES ?value {{ 7 }}",
    "$this rdf:type/rdfs:subClassOf* ex:C0 . $this {p}* ?value .",
]


def _term(rng: random.Random, literals: bool = True) -> str:
    pool = NODES + (LITERALS if literals else [])
    return rng.choice(pool)


def _path(rng: random.Random, depth: int = 0) -> str:
    p = rng.choice(PROPS)
    if depth > 1:
        return p
    kind = rng.choice(["iri", "iri", "inverse", "sequence", "alternative", "zeroOrMore", "oneOrMore", "zeroOrOne"])
    if kind == "iri":
        return p
    if kind == "inverse":
        return f"[ sh:inversePath {_path(rng, depth + 1)} ]"
    if kind == "sequence":
        return f"( {_path(rng, depth + 1)} {_path(rng, depth + 1)} )"
    if kind == "alternative":
        return f"[ sh:alternativePath ( {_path(rng, depth + 1)} {_path(rng, depth + 1)} ) ]"
    return f"[ sh:{kind}Path {_path(rng, depth + 1)} ]"


class _Shapes:
    """Builds one shapes graph as Turtle."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.lines: list[str] = [
            'ex:ont a owl:Ontology ; sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] ,'
            ' [ sh:prefix "xsd" ; sh:namespace "http://www.w3.org/2001/XMLSchema#"^^xsd:anyURI ] .'
        ]
        self.count = 0

    def name(self) -> str:
        self.count += 1
        return f"ex:S{self.count}"

    def simple_shape(self) -> str:
        """A small named node shape for sh:node / sh:or / sh:and / sh:not / sh:qualifiedValueShape."""
        rng, name = self.rng, self.name()
        body = rng.choice(
            [
                f"sh:nodeKind {rng.choice(NODE_KINDS)}",
                f"sh:datatype {rng.choice(DATATYPES)}",
                f"sh:class {rng.choice(CLASSES)}",
                f'sh:property [ sh:path {_path(rng)} ; sh:minCount 1 ; sh:message "inner" ]',
                f"sh:in ( {_term(rng)} {_term(rng)} )",
                f"sh:minInclusive {rng.choice(BOUNDS)}",
            ]
        )
        self.lines.append(f'{name} a sh:NodeShape ; {body} ; sh:message "nested" .')
        return name

    def constraints(self, n: int, on_property: bool) -> list[str]:
        """``n`` constraints of different kinds (a parameter may appear once per shape)."""
        kinds = list(KINDS if on_property else [k for k in KINDS if k not in ("minCount", "maxCount", "qualified")])
        return [self.constraint(kind) for kind in self.rng.sample(kinds, n)]

    def constraint(self, kind: str) -> str:
        rng = self.rng
        if kind == "class":
            return f"sh:class {rng.choice(CLASSES)}"
        if kind == "datatype":
            return f"sh:datatype {rng.choice(DATATYPES)}"
        if kind == "nodeKind":
            return f"sh:nodeKind {rng.choice(NODE_KINDS)}"
        if kind == "minCount":
            return f"sh:minCount {rng.randint(0, 2)}"
        if kind == "maxCount":
            return f"sh:maxCount {rng.randint(0, 2)}"
        if kind == "pattern":
            flags = ' ; sh:flags "i"' if rng.random() < 0.3 else ""
            return f'sh:pattern "{rng.choice(["^h", "L", "^[0-9]+$", "n1", "example"])}"{flags}'
        if kind == "in":
            return f"sh:in ( {' '.join(_term(rng) for _ in range(rng.randint(1, 3)))} )"
        if kind == "languageIn":
            return f"sh:languageIn ( {rng.choice(LANGUAGE_RANGES)} )"
        if kind == "hasValue":
            return f"sh:hasValue {_term(rng)}"
        if kind == "range":
            return f"sh:{rng.choice(RANGES)} {rng.choice(BOUNDS)}"
        if kind == "node":
            return f"sh:node {self.simple_shape()}"
        if kind in ("or", "and"):
            return f"sh:{kind} ( {self.simple_shape()} {self.simple_shape()} )"
        if kind == "not":
            return f"sh:not {self.simple_shape()}"
        low = f" ; sh:qualifiedMinCount {rng.randint(0, 2)}" if rng.random() < 0.7 else ""
        high = f" ; sh:qualifiedMaxCount {rng.randint(0, 2)}" if not low or rng.random() < 0.5 else ""
        return f"sh:qualifiedValueShape {self.simple_shape()}{low}{high}"

    def sparql(self) -> str:
        rng = self.rng
        body = rng.choice(SPARQL_BODIES).format(p=rng.choice(PROPS), q=rng.choice(PROPS))
        projection = "$this ?value" if "?value" in body else "$this"
        return (
            f'[ a sh:SPARQLConstraint ; sh:message "sparql {{?value}}" ; sh:prefixes ex:ont ; '
            f'sh:select """SELECT {projection} WHERE {{ {body} }}""" ]'
        )

    def targets(self) -> list[str]:
        rng, found = self.rng, []
        for _ in range(rng.randint(1, 2)):
            kind = rng.choice(["class", "class", "node", "subjectsOf", "objectsOf"])
            if kind == "class":
                found.append(f"sh:targetClass {rng.choice(CLASSES)}")
            elif kind == "node":
                found.append(f"sh:targetNode {rng.choice([n for n in NODES if not n.startswith('_:')] + LITERALS)}")
            else:
                found.append(f"sh:target{kind[0].upper()}{kind[1:]} {rng.choice(PROPS)}")
        return found

    def property_shape(self, depth: int = 0) -> str:
        rng = self.rng
        parts = [f"sh:path {_path(rng)}", *self.constraints(rng.randint(1, 3), on_property=True)]
        if rng.random() < 0.2:
            parts.append(f"sh:sparql {self.sparql()}")
        if depth == 0 and rng.random() < 0.25:
            parts.append(f"sh:property {self.property_shape(depth + 1)}")
        parts.append(f"sh:severity {rng.choice(SEVERITIES)}")
        return f'[ {" ; ".join(parts)} ; sh:message "property" ]'

    def top_shape(self) -> None:
        rng = self.rng
        implicit = rng.random() < 0.15
        name = "ex:C1" if implicit else self.name()
        parts = ["a sh:NodeShape" + (" , rdfs:Class" if implicit else "")]
        parts += [] if implicit and rng.random() < 0.5 else self.targets()
        for _ in range(rng.randint(0, 2)):
            parts.append(f"sh:property {self.property_shape()}")
        if rng.random() < 0.4:
            parts.append(f"sh:sparql {self.sparql()}")
        if rng.random() < 0.3:
            parts += self.constraints(1, on_property=False)
        parts.append(f"sh:severity {rng.choice(SEVERITIES)}")
        self.lines.append(f'{name} {" ; ".join(parts)} ; sh:message "node" .')


def generate(seed: int) -> tuple[str, str]:
    """(shapes Turtle, data Turtle) of one generated pair."""
    rng = random.Random(seed)
    shapes = _Shapes(rng)
    for _ in range(rng.randint(1, 3)):
        shapes.top_shape()
    data = ["ex:C1 rdfs:subClassOf ex:C0 .", "ex:C2 rdfs:subClassOf ex:C1 ."]
    for node in NODES:
        for cls in rng.sample(CLASSES, rng.choice([0, 1, 1, 2, 3])):
            data.append(f"{node} a {cls} .")
    for _ in range(rng.randint(8, 22)):
        data.append(f"{rng.choice(NODES)} {rng.choice(PROPS)} {_term(rng)} .")
    return PREFIXES + "\n".join(shapes.lines) + "\n", PREFIXES + "\n".join(data) + "\n"


def mutate(data: str, seed: int) -> str:
    """A variant of the data: one triple dropped, one literal retyped, one triple or type added."""
    rng = random.Random(seed)
    head, body = data[: len(PREFIXES)], data[len(PREFIXES) :].splitlines()
    kind = rng.choice(["drop", "retype", "add", "type"])
    if kind == "drop" and len(body) > 3:
        body.pop(rng.randrange(2, len(body)))
    elif kind == "retype":
        i = rng.randrange(2, len(body))
        s, p, *_ = body[i].split(" ")
        body[i] = f"{s} {p} {rng.choice(LITERALS)} ."
    elif kind == "add":
        body.append(f"{rng.choice(NODES)} {rng.choice(PROPS)} {_term(rng)} .")
    else:
        body.append(f"{rng.choice(NODES)} a {rng.choice(CLASSES)} .")
    return head + "\n".join(body) + "\n"


@dataclass
class Outcome:
    seed: int
    variant: int
    agree: bool
    compiled_shapes: int
    results: int
    refused: bool
    detail: str = ""


def _outcome(directory: Path, shapes: Path, data: Path, engine: str) -> Counter | str:
    try:
        return report_keys(validate([data], shapes=[shapes], ontology=[], engine=engine))
    except MscpoError as exc:
        return f"error: {str(exc).splitlines()[0]}"


def check_pair(directory: Path, shapes_text: str, data_text: str, seed: int, variant: int) -> Outcome:
    shapes, data = directory / f"shapes-{seed}-{variant}.ttl", directory / f"data-{seed}-{variant}.ttl"
    shapes.write_text(shapes_text)
    data.write_text(data_text)
    try:
        want: Counter | str = pyshacl_keys(data, shapes)
    except Exception as exc:  # pySHACL refuses the shapes: validate() must refuse them too
        want = f"error: {type(exc).__name__}"
    _, split = plan(load_shapes([shapes]), require_messages=False)
    detail = []
    for engine in ("fast", "compiled"):
        got = _outcome(directory, shapes, data, engine)
        same = (isinstance(want, str) and isinstance(got, str)) or got == want
        if not same:
            if isinstance(got, Counter) and isinstance(want, Counter):
                detail.append(f"{engine}: missing {dict(want - got)} unexpected {dict(got - want)}")
            else:
                detail.append(f"{engine}: got {got if isinstance(got, str) else dict(got)}, pySHACL {want}")
    results = 0 if isinstance(want, str) else sum(want.values())
    return Outcome(seed, variant, not detail, len(split.compiled), results, isinstance(want, str), "; ".join(detail))


def run(pairs: int, seed: int = 0, variants: int = 2) -> list[Outcome]:
    """``pairs`` generated pairs from ``seed`` on, each with ``variants`` mutated data variants as well."""
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)  # ill-typed literals are meant: no warnings
    logging.getLogger("pyshacl").setLevel(logging.CRITICAL)
    outcomes = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for s in range(seed, seed + pairs):
            shapes, data = generate(s)
            outcomes.append(check_pair(directory, shapes, data, s, 0))
            for v in range(1, variants + 1):
                outcomes.append(check_pair(directory, shapes, mutate(data, s * 1000 + v), s, v))
    return outcomes


def summary(outcomes: list[Outcome], seconds: float) -> str:
    failed = sum(not o.agree for o in outcomes)
    return (
        f"{len(outcomes)} pairs: {len(outcomes) - failed} agree, {failed} disagree; "
        f"{sum(1 for o in outcomes if o.compiled_shapes)} with shapes the fast engine compiles, "
        f"{sum(o.refused for o in outcomes)} whose shapes pySHACL refuses, "
        f"{sum(o.results for o in outcomes)} results in all; {seconds:.0f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=1000, help="generated pairs (each also mutated)")
    parser.add_argument("--variants", type=int, default=2, help="mutated data variants per generated pair")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    outcomes = run(args.pairs, args.seed, args.variants)
    failed = [o for o in outcomes if not o.agree]
    for o in failed[:20]:
        print(f"DISAGREE seed {o.seed} variant {o.variant}: {o.detail[:1500]}")
    print(summary(outcomes, time.perf_counter() - start))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
