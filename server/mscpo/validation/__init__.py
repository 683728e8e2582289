"""SHACL validation of the knowledge graph: ``validate(paths) -> Report`` and the ``mscpo validate`` command.

Modules: ``loading`` (files -> store, positioned errors), ``engine`` (the run), ``compiled`` (the fast
engine), ``report`` (the result model), ``formatters`` (text, JSON, Turtle, JUnit), ``command`` (the CLI).
"""

from mscpo.validation.engine import validate
from mscpo.validation.report import Report, Result

__all__ = ["Report", "Result", "validate"]
