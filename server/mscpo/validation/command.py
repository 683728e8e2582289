"""``mscpo validate``: validate RDF files or directories against the SHACL shapes (exit 0 / 1 / 2).

Exit codes: 0 the data conforms (no result at or above ``--fail-on``), 1 it does not, 2 the run could not
happen (unreadable or unparseable input, unknown option); errors reach the user as one message via
:mod:`mscpo.cli`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mscpo.errors import InputError
from mscpo.validation.engine import ENGINES, INFERENCE, validate
from mscpo.validation.formatters import FORMATTERS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="FILE_OR_DIR",
        help="RDF files (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD) or directories",
    )
    parser.add_argument("--format", choices=sorted(FORMATTERS), default="text", help="report format (default: text)")
    parser.add_argument(
        "--inference",
        choices=INFERENCE,
        default="none",
        help="RDFS inference before validating (default: none)",
    )
    parser.add_argument(
        "--fail-on",
        choices=("violation", "warning"),
        default="violation",
        help="lowest severity that makes the run fail with exit 1 (default: violation)",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="fast",
        help="fast (default; identical results) or pyshacl (plain pySHACL, the reference)",
    )
    parser.add_argument(
        "--shapes",
        action="append",
        metavar="FILE_OR_DIR",
        help="shapes to use instead of the project's shapes/ (repeatable)",
    )
    parser.add_argument(
        "--ontology",
        action="append",
        metavar="FILE_OR_DIR",
        help="ontology files instead of the project's edit source and imports (repeatable)",
    )
    parser.add_argument(
        "--no-ontology",
        action="store_true",
        help="validate without the ontology (class membership then ignores the hierarchy)",
    )
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report here (default: stdout)")


def run(args: argparse.Namespace) -> int:
    if args.no_ontology and args.ontology:
        raise InputError("--ontology and --no-ontology contradict each other", hint="use only one of them")
    ontology = [] if args.no_ontology else args.ontology
    report = validate(args.paths, shapes=args.shapes, ontology=ontology, inference=args.inference, engine=args.engine)
    text = FORMATTERS[args.format](report, args.fail_on)
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"cannot write the report: {exc.strerror or exc}",
                where=str(args.output),
                hint="choose a writable location for --output",
            ) from None
    else:
        sys.stdout.write(text)
    return 1 if report.fails(args.fail_on) else 0
