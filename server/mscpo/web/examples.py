"""The competency questions of ``examples/queries/*.rq``, read once for the query page's example list.

Each file starts with a ``# Title`` line, then ``#`` description lines, then the query itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("mscpo.web")


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    query: str


def parse_example(path: Path) -> Example:
    """Split a .rq file into title, description and the full query text (comments kept: they explain it)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    title = lines[0].lstrip("#").strip() if lines and lines[0].startswith("#") else path.stem
    description: list[str] = []
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        description.append(line.lstrip("#").strip())
    return Example(path.stem, title or path.stem, " ".join(d for d in description if d), text)


def load_examples(folder: Path) -> list[Example]:
    """All examples in file-name order; an absent folder gives none (logged), unreadable files are skipped."""
    if not folder.is_dir():
        log.warning("no example queries: %s does not exist", folder)
        return []
    examples = []
    for path in sorted(folder.glob("*.rq")):
        try:
            examples.append(parse_example(path))
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("skipping example %s: %s", path, exc)
    return examples
