"""The curator's spreadsheet path: TSV sheets under ``data/sheets/`` are the source of ``data/*.ttl``.

``build()`` turns the sheets into deterministic Turtle and validates it; ``export()`` turns Turtle back into the
canonical sheets (the round trip the tests hold). ``mscpo sheets build|check|export`` is the command.
"""

from mscpo.curation.build import Build, build, export
from mscpo.curation.sheets import Problem

__all__ = ["Build", "Problem", "build", "export"]
