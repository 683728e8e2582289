"""Deterministic synthetic paracrine findings in the project's model (docs/model.md), for benchmarks.

Why synthetic: the curated graph is small; validation and query benchmarks need 10k to 1M+ triples with the
same shape. Everything here is derived from a seed, so two runs with the same arguments write byte-identical
files.

Identifiers: findings are ``kg:finding/synthetic-N`` and publications ``kg:publication/synthetic-N`` (clearly
not real records: each publication's citation says it is synthetic, and none has a DOI or PMID). Values are
ontology terms named in docs/model.md and external terms verified in ../shared/reference/identifiers.md;
nothing else is minted.

As a module: ``findings_lines(n_triples, seed, error_rate)`` and ``model_skeleton_lines()`` yield N-Triples
lines; ``write(path, n_triples, seed, error_rate, skeleton)`` writes a file.
As a command: ``python benchmarks/synthetic.py --triples 100000 --out /tmp/syn.nt [--error-rate 0.01]``.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

MSCPO = "https://w3id.org/mscpo/MSCPO_"
OBO = "http://purl.obolibrary.org/obo/"
KG_PUB = "https://w3id.org/mscpo/kg/publication/"
KG_FINDING = "https://w3id.org/mscpo/kg/finding/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS = "http://purl.org/dc/terms/"

# The class hierarchy stated in docs/model.md (child, parent, label): enough for the kind checks of the
# shapes.
SKELETON: tuple[tuple[str, str | None, str], ...] = (
    (f"{MSCPO}0000001", None, "paracrine finding"),
    (f"{MSCPO}0000002", None, "MSC secreted factor"),
    (f"{MSCPO}0000020", f"{MSCPO}0000002", "protein mediator"),
    (f"{MSCPO}0000025", f"{MSCPO}0000020", "growth factor"),
    (f"{MSCPO}0000026", f"{MSCPO}0000020", "cytokine"),
    (f"{MSCPO}0000027", f"{MSCPO}0000020", "chemokine"),
    (f"{MSCPO}0000021", f"{MSCPO}0000002", "small molecule mediator"),
    (f"{MSCPO}0000022", f"{MSCPO}0000021", "lipid mediator"),
    (f"{OBO}CHEBI_15551", f"{MSCPO}0000022", "prostaglandin E2"),
    (f"{MSCPO}0000023", f"{MSCPO}0000002", "extracellular vesicle"),
    (f"{MSCPO}0000034", f"{MSCPO}0000023", "exosome"),
    (f"{MSCPO}0000035", f"{MSCPO}0000023", "microvesicle"),
    (f"{MSCPO}0000024", f"{MSCPO}0000002", "microRNA mediator"),
    (f"{MSCPO}0000032", f"{MSCPO}0000002", "MSC secretome (mixed)"),
    (f"{MSCPO}0000033", f"{MSCPO}0000002", "unidentified paracrine factors"),
    (f"{MSCPO}0000036", None, "protein"),
    (f"{MSCPO}0000003", None, "repair mechanism"),
    (f"{MSCPO}0000214", f"{MSCPO}0000003", "paracrine mechanism"),
    (f"{MSCPO}0000215", f"{MSCPO}0000003", "cell-replacement mechanism"),
    (f"{MSCPO}0000004", None, "therapeutic modality"),
    (f"{MSCPO}0000300", f"{MSCPO}0000004", "cell transplantation"),
    (f"{MSCPO}0000307", f"{MSCPO}0000004", "conditioned medium"),
    (f"{MSCPO}0000308", f"{MSCPO}0000004", "extracellular vesicle therapy"),
    (f"{MSCPO}0000309", f"{MSCPO}0000004", "recombinant factor"),
    (f"{MSCPO}0000005", None, "injury model"),
    (f"{MSCPO}0000006", None, "publication"),
    (f"{OBO}CL_0000134", None, "mesenchymal stem cell"),
    (f"{OBO}CL_0002540", f"{OBO}CL_0000134", "mesenchymal stem cell of the bone marrow"),
    (f"{OBO}CL_0002570", f"{OBO}CL_0000134", "mesenchymal stem cell of adipose tissue"),
)

# Values with no protein leaf (a protein leaf would need a UniProt mapping that synthetic data cannot claim).
MEDIATORS = (
    f"{OBO}CHEBI_15551",
    f"{MSCPO}0000034",
    f"{MSCPO}0000035",
    f"{MSCPO}0000024",
    f"{MSCPO}0000032",
    f"{MSCPO}0000033",
)
PRODUCERS = (f"{OBO}CL_0000134", f"{OBO}CL_0002540", f"{OBO}CL_0002570")
MODALITIES = (f"{MSCPO}0000300", f"{MSCPO}0000307", f"{MSCPO}0000308", f"{MSCPO}0000309")
MECHANISMS = (f"{MSCPO}0000214", f"{MSCPO}0000215")
TISSUES = tuple(f"{OBO}UBERON_{n}" for n in ("0000948", "0002113", "0002048", "0002107", "0000955"))
DISEASES = tuple(f"{OBO}MONDO_{n}" for n in ("0005068", "0002492", "0006502", "0005098"))
SPECIES = tuple(f"{OBO}NCBITaxon_{n}" for n in ("9606", "10090", "10116", "9823"))
EVIDENCE = tuple(f"{OBO}ECO_{n}" for n in ("0000006", "0000017", "0000314", "0000315"))
DIRECTIONS = (f"{MSCPO}0000600", f"{MSCPO}0000601")
# Deliberate mistakes for error_rate > 0: (name, how the finding's triples change).
MISTAKES = ("mechanism-as-mediator", "no-evidence", "loss-of-function-without-product", "no-publication")

TRIPLES_PER_FINDING = 15
FINDINGS_PER_PUBLICATION = 8
PUBLICATION_TRIPLES = 3


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(text: str, suffix: str = "") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"{suffix}'


def model_skeleton_lines() -> Iterator[str]:
    """N-Triples of the class hierarchy of docs/model.md (the benchmark's stand-in for the full ontology)."""
    for child, parent, label in SKELETON:
        yield f"{_iri(child)} {_iri(RDF_TYPE)} {_iri(OWL_CLASS)} ."
        yield f"{_iri(child)} {_iri(RDFS + 'label')} {_lit(label, '@en')} ."
        if parent:
            yield f"{_iri(child)} {_iri(RDFS + 'subClassOf')} {_iri(parent)} ."
    for direction, label in zip(DIRECTIONS, ("supports", "does not support"), strict=True):
        yield f"{_iri(direction)} {_iri(RDF_TYPE)} {_iri(MSCPO + '0000007')} ."
        yield f"{_iri(direction)} {_iri(RDFS + 'label')} {_lit(label, '@en')} ."


def finding_count(n_triples: int) -> int:
    """How many findings give about ``n_triples`` triples (findings plus their share of publications)."""
    per_finding = TRIPLES_PER_FINDING + PUBLICATION_TRIPLES / FINDINGS_PER_PUBLICATION
    return max(1, round(n_triples / per_finding))


def findings_lines(n_triples: int, seed: int = 1, error_rate: float = 0.0) -> Iterator[str]:
    """N-Triples lines of about ``n_triples`` triples of synthetic findings; ``error_rate`` of them break one
    rule."""
    rng = random.Random(seed)
    n_findings = finding_count(n_triples)
    n_publications = max(1, n_findings // FINDINGS_PER_PUBLICATION)
    for p in range(n_publications):
        pub = _iri(f"{KG_PUB}synthetic-{p}")
        yield f"{pub} {_iri(RDF_TYPE)} {_iri(MSCPO + '0000006')} ."
        citation = (
            f"Synthetic publication {p} (benchmark data generated by benchmarks/synthetic.py; "
            "not a real paper)."
        )
        yield f"{pub} {_iri(DCTERMS + 'bibliographicCitation')} {_lit(citation)} ."
        yield f"{pub} {_iri(DCTERMS + 'issued')} {_lit(str(2000 + p % 25), '^^' + _iri(XSD + 'gYear'))} ."
    p_ = MSCPO
    for i in range(n_findings):
        f = _iri(f"{KG_FINDING}synthetic-{i}")
        mistake = MISTAKES[rng.randrange(len(MISTAKES))] if rng.random() < error_rate else None
        mediator = MECHANISMS[0] if mistake == "mechanism-as-mediator" else rng.choice(MEDIATORS)
        evidence = (
            f"{OBO}ECO_0001583" if mistake == "loss-of-function-without-product" else rng.choice(EVIDENCE)
        )
        yield f"{f} {_iri(RDF_TYPE)} {_iri(p_ + '0000001')} ."
        yield f"{f} {_iri(RDFS + 'label')} {_lit(f'synthetic finding {i}', '@en')} ."
        yield f"{f} {_iri(RDFS + 'comment')} {_lit(f'Synthetic finding {i} for benchmarks.', '@en')} ."
        yield f"{f} {_iri(p_ + '0001001')} {_iri(mediator)} ."
        yield f"{f} {_iri(p_ + '0001002')} {_iri(rng.choice(PRODUCERS))} ."
        yield f"{f} {_iri(p_ + '0001003')} {_iri(rng.choice(MODALITIES))} ."
        yield f"{f} {_iri(p_ + '0001004')} {_iri(rng.choice(MECHANISMS))} ."
        yield f"{f} {_iri(p_ + '0001005')} {_iri(rng.choice(TISSUES))} ."
        yield f"{f} {_iri(p_ + '0001008')} {_iri(rng.choice(DISEASES))} ."
        yield f"{f} {_iri(p_ + '0001009')} {_iri(rng.choice(SPECIES))} ."
        if mistake != "no-evidence":
            yield f"{f} {_iri(p_ + '0001011')} {_iri(evidence)} ."
        yield f"{f} {_iri(p_ + '0001012')} {_iri(rng.choice(DIRECTIONS))} ."
        if mistake != "no-publication":
            yield f"{f} {_iri(p_ + '0001013')} {_iri(f'{KG_PUB}synthetic-{rng.randrange(n_publications)}')} ."
        yield f"{f} {_iri(p_ + '0001015')} {_lit(f'synthetic evidence description {i}')} ."
        yield f"{f} {_iri(p_ + '0001016')} {_lit(f'F{i}')} ."


def write(path: Path, n_triples: int, seed: int = 1, error_rate: float = 0.0, skeleton: bool = True) -> int:
    """Write N-Triples to ``path`` (skeleton ontology first when asked); return the number of lines written."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        lines = findings_lines(n_triples, seed, error_rate)
        if skeleton:
            lines = _chain(model_skeleton_lines(), lines)
        for line in lines:
            out.write(line)
            out.write("\n")
            count += 1
    return count


def _chain(*iterators: Iterator[str]) -> Iterator[str]:
    for it in iterators:
        yield from it


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write deterministic synthetic mscpo findings as N-Triples.")
    parser.add_argument("--triples", type=int, required=True, help="approximate number of finding triples")
    parser.add_argument("--out", type=Path, required=True, help="output .nt file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--error-rate", type=float, default=0.0, help="fraction of findings with one mistake")
    parser.add_argument(
        "--no-skeleton", action="store_true", help="omit the class hierarchy of docs/model.md"
    )
    args = parser.parse_args(argv)
    n = write(args.out, args.triples, args.seed, args.error_rate, skeleton=not args.no_skeleton)
    print(f"{n} triples written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
