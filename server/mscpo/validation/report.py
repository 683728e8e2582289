"""The one report object every engine produces and every formatter reads.

Terms are kept in N-Triples form (``<iri>``, ``_:id``, ``"text"@en``, ``"97.5"^^<…#decimal>``) so results from
different engines compare exactly; paths are kept as a small tree so they print as SPARQL paths and can be
written back as SHACL path RDF.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

SH = "http://www.w3.org/ns/shacl#"
SEVERITIES = ("Violation", "Warning", "Info")

# A SHACL path: ("iri", "<p>") or (kind, child) for inverse / zeroOrMore / oneOrMore / zeroOrOne,
# or ("sequence" | "alternative", (child, child, …)).
Path = tuple
_SUFFIX = {"zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}


def path_to_sparql(path: Path | None) -> str | None:
    """The SPARQL 1.1 property path text of a SHACL path (what a curator can paste into a query)."""
    if path is None:
        return None
    kind, arg = path
    if kind == "iri":
        return arg
    if kind == "inverse":
        return f"^{_group(arg)}"
    if kind in _SUFFIX:
        return f"{_group(arg)}{_SUFFIX[kind]}"
    joiner = "/" if kind == "sequence" else "|"
    return joiner.join(_group(child) for child in arg)


def _group(path: Path) -> str:
    text = path_to_sparql(path) or ""
    return text if path[0] == "iri" else f"({text})"


@dataclass(frozen=True)
class Result:
    """One SHACL validation result."""

    focus_node: str
    path: Path | None
    value: str | None
    source_shape: str
    constraint_component: str
    severity: str
    message: str

    def sort_key(self) -> tuple[str, ...]:
        """Reports list results by focus node, then path, value, shape: stable across runs and engines."""
        return (
            self.focus_node,
            self.path_text or "",
            self.value or "",
            self.source_shape,
            self.constraint_component,
            self.severity,
            self.message,
        )

    @property
    def path_text(self) -> str | None:
        return path_to_sparql(self.path)

    @property
    def component_name(self) -> str:
        """``MinCountConstraintComponent`` for ``<http://www.w3.org/ns/shacl#MinCountConstraintComponent>``."""
        return self.constraint_component.strip("<>").removeprefix(SH)


@dataclass
class Report:
    """The outcome of one validation run."""

    results: list[Result]
    labels: dict[str, str] = field(default_factory=dict)  # focus node -> rdfs:label, for people
    files: list[str] = field(default_factory=list)
    triples: int = 0
    engine: str = "fast"
    inference: str = "none"
    shapes: list[str] = field(default_factory=list)  # shapes that were evaluated (for JUnit test cases)

    def __post_init__(self) -> None:
        # Duplicates stay: SHACL reports may hold two equal results (e.g. one node reached through two paths).
        self.results = sorted(self.results, key=Result.sort_key)

    @property
    def conforms(self) -> bool:
        """SHACL's sh:conforms: true only when there is no result of any severity."""
        return not self.results

    def counts(self) -> dict[str, int]:
        counter = Counter(r.severity for r in self.results)
        return {severity: counter.get(severity, 0) for severity in SEVERITIES}

    def fails(self, fail_on: str) -> bool:
        """Whether the run fails: any violation, or (``fail_on='warning'``) any violation or warning."""
        counts = self.counts()
        if fail_on == "warning":
            return counts["Violation"] + counts["Warning"] > 0
        return counts["Violation"] > 0

    def keys(self) -> Counter:
        """Results as a multiset of comparable tuples (used to prove engines agree)."""
        return Counter(
            (
                r.focus_node,
                r.path_text,
                r.value,
                r.source_shape,
                r.constraint_component,
                r.severity,
                r.message,
            )
            for r in self.results
        )
