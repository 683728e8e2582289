"""The wheel carries the artifacts: installed away from the checkout, mscpo serves the full graph, knows its
ontology version, checks identifiers against its own reference tables, and refuses to serve without data.

The wheel is built offline (``--no-build-isolation`` with the hatchling of this environment) and installed
with ``--target`` into a folder that sits on ``PYTHONPATH`` ahead of the editable install. ``.ci/run`` does the
same with a fresh venv.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(work), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = work.glob("mscpo-*.whl")
    target = work / "site"
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    return wheel, target


def run_installed(target: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MSCPO_")}
    env["PYTHONPATH"] = str(target)
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=180, cwd=cwd, env=env, check=False
    )


def test_wheel_ships_every_artifact(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for tracked in ("ontology", "data", "shapes", "examples", "reference"):
        files = subprocess.run(
            ["git", "ls-files", tracked], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        assert files, tracked
        missing = [f for f in files if f"mscpo/_home/{f}" not in names]
        assert missing == [], tracked
    assert "mscpo/py.typed" in names


def test_installed_package_serves_its_packaged_graph(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, target = installed
    result = run_installed(target, "-m", "mscpo.testing", "smoke", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"from {target / 'mscpo'};" in result.stdout
    assert f"project files from {target / 'mscpo' / '_home'}" in result.stdout
    rows = int(result.stdout.strip().splitlines()[-1].split(": ")[1].split()[0])
    assert rows >= 5


def test_installed_version_names_the_ontology_release(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, target = installed
    result = run_installed(target, "-m", "mscpo.cli", "--version", cwd=tmp_path)
    release = (ROOT / "ontology" / "mscpo.ttl").read_text(encoding="utf-8")
    version_iri = release.split("owl:versionIRI <", 1)[1].split(">", 1)[0]
    assert result.stdout.strip() == f"mscpo 0.1.0 (ontology {version_iri})"


def test_installed_checker_reads_the_packaged_reference(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, target = installed
    data = target / "mscpo" / "_home" / "data"
    result = run_installed(target, "-m", "mscpo.cli", "qc", "identifiers", str(data), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("; 0 not")


def test_serve_refuses_an_empty_dataset_or_missing_shapes(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, target = installed
    (tmp_path / "shapes").mkdir()
    serve = ("-m", "mscpo.cli", "serve", "--host", "127.0.0.1", "--port", "0", "--home", str(tmp_path))
    no_shapes = run_installed(target, *serve, cwd=tmp_path)
    assert no_shapes.returncode == 2 and "no SHACL shapes" in no_shapes.stderr, no_shapes.stderr
    (tmp_path / "shapes" / "s.ttl").write_text("", encoding="utf-8")
    empty = run_installed(target, *serve, cwd=tmp_path)
    assert empty.returncode == 2 and "dataset to serve is empty" in empty.stderr, empty.stderr
    assert "Traceback" not in no_shapes.stderr + empty.stderr
