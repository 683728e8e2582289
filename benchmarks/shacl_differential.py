"""On demand: the differential test of ``validate()`` against plain pySHACL at scale (thousands of pairs).

    .venv/bin/python benchmarks/shacl_differential.py --pairs 2000 --variants 1 --seed 1000

The generator and the comparison are the test suite's (tests/validation/differential.py; CI runs 200 pairs
from seed 0). Exit code 1 when any pair disagrees; the first disagreements are printed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout: the tests package

from tests.validation import differential

if __name__ == "__main__":
    sys.exit(differential.main())
