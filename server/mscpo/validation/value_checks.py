"""Per-value checks of the fast engine (sh:pattern, sh:datatype, sh:languageIn, the range constraints), copying
pySHACL's semantics: the same literal comparison and the same datatype well-formedness test, so both engines agree.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import pyoxigraph as ox
from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from mscpo.validation.plan import _MAX_INCL, _MIN_EXCL, _MIN_INCL

Term = ox.NamedNode | ox.BlankNode | ox.Literal

def _unique(nodes: Iterable[Term]) -> list[Term]:
    return list(dict.fromkeys(nodes))


def _format(msg: str, bound: dict[str, Node]) -> str:
    """pySHACL's substitution of {?var} / {$var} in SPARQL-constraint messages."""
    for var, val in bound.items():
        msg = re.sub(f"{{[?$]{var}}}", str(val), msg)
    return msg


def _pattern_ok(rule: Node, flags: Node | None, v: Node) -> bool:
    if isinstance(v, BNode):
        return False
    re_flags = 0
    if flags is not None:
        text = str(flags).lower()
        re_flags |= re.I if "i" in text else 0
        re_flags |= re.M if "m" in text else 0
    pattern = (
        str(rule.value) if isinstance(rule, Literal) and rule.value is not None and len(rule.value) > 1 else str(rule)
    )
    matcher = _compile(pattern, re_flags)
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, XSD.string):
        text = str(v.value)
    else:
        text = str(v)
    return bool(matcher.match(text) or matcher.search(text))


@functools.lru_cache(maxsize=256)
def _compile(pattern: str, flags: int) -> re.Pattern:
    return re.compile(pattern, flags)


def _datatype_ok(rule: Node, v: Node) -> bool:
    if not isinstance(v, Literal):
        return False
    if v.datatype == rule:
        if getattr(v, "ill_typed", None) is True:
            return False
        return _actual_datatype(v, rule)
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and rule == XSD.string:
        return _actual_datatype(v, rule)
    if rule == RDF.langString and v.language:
        return _actual_datatype(v, rule)
    return False


def _actual_datatype(v: Literal, rule: Node) -> bool:
    from datetime import date, datetime, time
    from decimal import Decimal

    value = v.value
    checks = {
        XSD.string: (str, bytes),
        RDF.langString: (str, bytes),
        XSD.integer: (int,),
        XSD.float: (float,),
        XSD.decimal: (Decimal,),
        XSD.boolean: (bool,),
        XSD.date: (date,),
        XSD.time: (time,),
        XSD.dateTime: (datetime,),
    }
    kinds = checks.get(rule)
    return True if kinds is None else isinstance(value, kinds)


def _language_ok(ranges: list[str], v: Node) -> bool:
    wanted = {r.lower() for r in ranges}
    if not isinstance(v, Literal) or not v.language:
        return False
    lang = str(v.language).lower()
    return "*" in wanted or lang in wanted or lang.split("-")[0] in wanted


def _range_ok(param: URIRef, bound: Node, v: Node) -> bool:
    if not isinstance(v, Literal) or not isinstance(bound, Literal):
        return False
    if isinstance(bound.value, str) != isinstance(v.value, str):
        return False
    try:
        cmp = compare_literal(v, bound)
    except (TypeError, NotImplementedError):
        return False
    if param is _MIN_INCL:
        return cmp >= 0
    if param is _MAX_INCL:
        return cmp <= 0
    if param is _MIN_EXCL:
        return cmp > 0
    return cmp < 0

