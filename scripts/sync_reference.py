#!/usr/bin/env python3
"""Refresh the project's copy of the verified reference tables: ``scripts/sync_reference.py ../shared/reference``.

Writes ``reference/`` (verbatim Markdown plus one TSV per table, see ``mscpo.reference.sync``); running it again
on unchanged input changes nothing. Commit the result: the package and the tests read only this copy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mscpo.reference.sync import sync

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder with identifiers.md, isct-criteria.md, literature.md")
    parser.add_argument("--target", type=Path, default=REPO / "reference", help="default: reference/")
    args = parser.parse_args()
    try:
        changed = sync(args.source, args.target)
    except (FileNotFoundError, ValueError, UnicodeDecodeError) as exc:
        print(f"sync_reference: error: {exc}", file=sys.stderr)
        return 2
    for path in changed:
        print(f"updated {path}")
    print(f"{len(changed)} file(s) changed under {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
