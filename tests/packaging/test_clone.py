"""A bare clone of the repository, with nothing beside it, collects the whole suite and passes the fast tests.

This is what a contributor (and CI) has: no ``../shared``, no W3C suites outside the repository. The clone
runs with this environment's interpreter and dependencies, its own ``server/`` first on ``PYTHONPATH`` so the
package under test is the clone's, not this checkout's. Only committed files are in the clone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAST_TESTS = ("tests/test_identifiers.py", "tests/test_prefixes.py", "tests/packaging/test_settings.py")
pytestmark = pytest.mark.slow


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    alone = tmp_path_factory.mktemp("alone")
    head = git("rev-parse", "HEAD", cwd=ROOT).strip()
    git("clone", "--quiet", "--no-checkout", str(ROOT), str(alone / "mscpo"), cwd=alone)
    git("checkout", "--quiet", head, cwd=alone / "mscpo")
    assert [p.name for p in alone.iterdir()] == ["mscpo"]
    return alone / "mscpo"


def run_pytest(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MSCPO_", "PYTEST_"))}
    env["PYTHONPATH"] = str(clone / "server")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(clone), *args],
        cwd=clone, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_clone_collects_the_whole_suite(clone: Path) -> None:
    result = run_pytest(clone, "--collect-only")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " collected" in result.stdout and "error" not in result.stdout.splitlines()[-1], result.stdout[-500:]


def test_clone_passes_the_fast_tests_with_its_own_package(clone: Path) -> None:
    where = subprocess.run(
        [sys.executable, "-c", "import mscpo; print(mscpo.__file__)"],
        env={**os.environ, "PYTHONPATH": str(clone / "server")}, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(clone)
    result = run_pytest(clone, *FAST_TESTS)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1] and "failed" not in result.stdout.splitlines()[-1]
