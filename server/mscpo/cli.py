"""The ``mscpo`` command: argument parsing only; each subcommand lives in the module that owns its concern.

Every subcommand module exposes ``add_arguments(parser)`` and ``run(args) -> int``. Only the module of the
command being run is imported, so ``mscpo validate`` does not pay for the web server's imports.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Sequence

from mscpo import __version__
from mscpo.errors import MscpoError

# name -> (module, one-line help). The names and their meanings are a public interface: keep them stable.
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("mscpo.web.serve", "run the SPARQL 1.1 endpoint (/sparql) over the ontology and knowledge graph"),
    "validate": ("mscpo.validation.command", "validate RDF files against the SHACL shapes (exit 0/1/2)"),
    "qc": ("mscpo.release.qc", "run the ontology quality checks and the HermiT reasoner"),
    "release": ("mscpo.release.command", "write the release artifacts from the edit source"),
    "imports": ("mscpo.release.imports", "rebuild the import modules from the term lists"),
    "load": ("mscpo.store.load", "bulk-load RDF files into a persistent store"),
    "sheets": ("mscpo.curation.command", "build data/*.ttl from the curation sheets (build|check|export)"),
}
# (command, subcommand) -> (module, one-line help): a second word that selects its own module.
SUBCOMMANDS: dict[tuple[str, str], tuple[str, str]] = {
    ("qc", "identifiers"): (
        "mscpo.reference.check",
        "check that every external identifier in RDF files is verified by reference/ (exit 0/1/2)",
    ),
}


def version_text() -> str:
    """``mscpo VERSION (ontology VERSION_IRI)``: the package and the ontology release it serves."""
    from mscpo import paths

    release = paths.ontology_dir() / "mscpo.ttl"
    pattern = re.compile(r"owl:versionIRI\s+<([^>]+)>")
    match = pattern.search(release.read_text(encoding="utf-8")) if release.is_file() else None
    ontology = match.group(1) if match else f"no release at {release}"
    return f"mscpo {__version__} (ontology {ontology})"


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mscpo",
        description="MSC Paracrine Ontology: ontology, knowledge graph, validation and SPARQL endpoint.",
        epilog="Run 'mscpo COMMAND --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=version_text())
    parser.add_argument(
        "--home", metavar="DIR", help="project folder (default: MSCPO_HOME, the checkout, or the packaged copy)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if len(args_list) >= 2 and args_list[0] == "--home":
        from mscpo import paths

        paths.configure(home=args_list[1])
        args_list = args_list[2:]
    if not args_list or args_list[0] not in COMMANDS:
        parser = _top_parser()
        if not args_list:
            parser.print_help()
            return 2
        parser.parse_args(args_list)  # prints usage and exits 2 for an unknown command, or handles --help
        return 2
    name = args_list[0]
    module_name, help_text = COMMANDS[name]
    if len(args_list) > 1 and (name, args_list[1]) in SUBCOMMANDS:
        module_name, help_text = SUBCOMMANDS[(name, args_list[1])]
        name = f"{name} {args_list.pop(1)}"
    module = importlib.import_module(module_name)
    extra = [f"  {name} {sub}: {text}" for (cmd, sub), (_, text) in SUBCOMMANDS.items() if cmd == name]
    parser = argparse.ArgumentParser(
        prog=f"mscpo {name}",
        description=help_text,
        epilog="subcommands:\n" + "\n".join(extra) if extra else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.add_arguments(parser)
    args = parser.parse_args(args_list[1:])
    try:
        return int(module.run(args))
    except MscpoError as exc:
        print(f"mscpo {name}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"mscpo {name}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
