"""When joining the focus nodes in front of a SPARQL constraint equals pre-binding ``$this`` (SHACL §5.3.1).

Why: the fast engine runs a SPARQL constraint once for all focus nodes, as ``WHERE { {focus nodes} body }``.
Pre-binding gives ``$this`` its value everywhere in the query, also in a ``FILTER`` or ``BIND`` of a nested
group (a ``UNION`` branch, a nested ``OPTIONAL``), where a join leaves it unbound; and a nested ``OPTIONAL``
that mentions ``$this`` without its left side binding it matches other nodes under a join. So the join is
used only when every expression that reads ``$this`` is evaluated where ``$this`` is already bound: in the
query's top-level group (the joined focus nodes come first), directly in an ``OPTIONAL`` or ``EXISTS`` whose
surroundings bind it, or in a group whose own triple patterns bind it. Anything else (and what pySHACL
rejects or treats specially: sub-selects, ``MINUS``, ``VALUES``, ``SERVICE``, ``GRAPH``) runs in pySHACL.

The query is read with rdflib's SPARQL parser (the one pySHACL uses), so a query it cannot parse also goes
to pySHACL, which reports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

THIS = Variable("this")
_EXISTS = ("Builtin_EXISTS", "Builtin_NOTEXISTS")


def joinable(query: str) -> bool:
    """Whether the SELECT ``query`` (with its PREFIX lines) may be evaluated by joining ``$this`` in front."""
    try:
        parsed = parseQuery(query)
    except Exception:  # any parser failure: pySHACL reads the query and reports it
        return False
    select = parsed[1]
    if getattr(select, "name", None) != "SelectQuery":
        return False
    where = select.get("where")
    if where is None or getattr(where, "name", None) != "GroupGraphPatternSub":
        return False
    return _group_ok(where, True)


def _mentions(node: object, variable: Variable = THIS) -> bool:
    if node == variable and isinstance(node, Variable):
        return True
    if isinstance(node, CompValue):
        return any(_mentions(v, variable) for v in node.values())
    return any(_mentions(v, variable) for v in _items(node))


def _items(node: object) -> Iterable[object]:
    """The members of a parse-result list (pyparsing's ParseResults, lists); nothing for a term or string."""
    if isinstance(node, Iterable) and not isinstance(node, (str, bytes, dict)):
        return node
    return ()


def _group_ok(group: CompValue, filters: bool, binds: bool | None = None) -> bool:
    """``filters``: whether ``$this`` is bound for the FILTERs of ``group`` (they apply to the whole group, and
    to the left side too in an OPTIONAL); ``binds``: whether it is bound before the group's first element."""
    parts = group.get("part") or []
    before = filters if binds is None else binds  # bound by what precedes the current part (BIND, OPTIONAL)
    filters = filters or any(p.name == "TriplesBlock" and _mentions(p) for p in parts)
    for part in parts:
        name = part.name
        if name == "TriplesBlock":
            before = before or _mentions(part)
            continue
        if name == "Filter":
            if not _expression_ok(part.expr, filters):
                return False
        elif name == "Bind":
            if not _expression_ok(part.expr, before):
                return False
        elif name == "OptionalGraphPattern":
            if _mentions(part.graph) and not before:
                return False
            # Its FILTERs are the left join's condition (they see the left side); the rest is evaluated alone.
            if not _graph_ok(part.graph, before, False):
                return False
        elif name == "GroupOrUnionGraphPattern":
            if not all(_graph_ok(g, False) for g in part.graph):
                return False
        else:  # MINUS, VALUES, SERVICE, GRAPH, anything new: pySHACL decides
            return False
    return True


def _graph_ok(graph: CompValue, filters: bool, binds: bool | None = None) -> bool:
    if getattr(graph, "name", None) != "GroupGraphPatternSub":
        return False  # a sub-select
    return _group_ok(graph, filters, binds)


def _expression_ok(expr: object, bound: bool) -> bool:
    """An expression may read ``$this`` (also inside its EXISTS patterns) only where it is bound; an EXISTS
    pattern is evaluated with the current solution substituted, so its own FILTERs see it too."""
    if not bound:
        return not _mentions(expr)
    return all(_graph_ok(g, True, True) for g in _exists_patterns(expr))


def _exists_patterns(node: object) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        if node.name in _EXISTS:
            yield node.graph
            return
        for v in node.values():
            yield from _exists_patterns(v)
    else:
        for v in _items(node):
            yield from _exists_patterns(v)
