"""``mscpo sheets build|check|export``: the curation sheets <-> ``data/*.ttl``.

Exit codes: 0 done (or, for ``check``, sheets and committed RDF agree and the result conforms); 1 problems in
the sheets, SHACL violations, or (``check``) committed RDF that differs from what the sheets give; 2 cannot run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mscpo import paths
from mscpo.curation.build import OUTPUTS, build, export, sheets_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=("build", "check", "export"),
        help="build: sheets -> data/*.ttl and validate; check: the same without writing, and fail "
        "when the committed RDF differs; export: data/*.ttl -> canonical sheets",
    )
    parser.add_argument(
        "--sheets", type=Path, default=None, help="folder of findings.tsv and publications.tsv (default: data/sheets)"
    )
    parser.add_argument("--out", type=Path, default=None, help="folder of the Turtle files (default: data)")
    parser.add_argument("--no-validate", action="store_true", help="skip the SHACL validation")


def run(args: argparse.Namespace) -> int:
    source = args.sheets or sheets_dir()
    out = args.out or paths.data_dir()
    if args.action == "export":
        texts, leftovers = export(out / "findings.ttl", out / "publications.ttl")
        for triple in leftovers:
            print(f"error: no sheet column holds {triple}", file=sys.stderr)
        source.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (source / name).write_text(text, encoding="utf-8")
        print(f"wrote {', '.join(str(source / n) for n in texts)}")
        return 1 if leftovers else 0
    result = build(source, validate=not args.no_validate)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if not result.ok:
        print(
            f"{len([p for p in result.problems if p.severity == 'error'])} error(s); nothing written", file=sys.stderr
        )
        return 1
    findings = len(set(result.conversion.findings.subjects()))
    publications = len(set(result.conversion.publications.subjects()))
    if args.action == "check":
        stale = [n for n, text in result.texts.items() if _read(out / n) != text]
        for name in stale:
            print(f"{out / name} differs from what the sheets give: run 'mscpo sheets build'", file=sys.stderr)
        print(
            f"{findings} findings, {publications} publications; "
            + ("RDF up to date" if not stale else f"{len(stale)} file(s) out of date")
        )
        return 1 if stale else 0
    for name, text in result.texts.items():
        (out / name).write_text(text, encoding="utf-8")
    print(f"wrote {', '.join(str(out / n) for n in OUTPUTS)}: {findings} findings, {publications} publications")
    return 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None
