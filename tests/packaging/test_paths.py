"""Where the project files are found: configured home, MSCPO_HOME, the checkout, then the copy in the wheel."""

from __future__ import annotations

from pathlib import Path

import pytest
from mscpo import paths


@pytest.fixture(autouse=True)
def _no_configured_home(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("MSCPO_HOME", raising=False)
    monkeypatch.delenv("MSCPO_REFERENCE", raising=False)
    paths.configure()
    yield
    paths.configure()


def test_a_checkout_reads_its_own_files() -> None:
    root = paths.checkout_root()
    assert root is not None and (root / "pyproject.toml").is_file()
    assert paths.project_root() == root
    assert paths.reference_dir() == root / "reference"


def test_order_is_configured_then_environment_then_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MSCPO_HOME", str(tmp_path / "env"))
    assert paths.project_root() == (tmp_path / "env").resolve()
    paths.configure(home=tmp_path / "flag", reference=tmp_path / "ref")
    assert paths.project_root() == (tmp_path / "flag").resolve()
    assert paths.shapes_dir() == (tmp_path / "flag" / "shapes").resolve()
    assert paths.reference_dir() == (tmp_path / "ref").resolve()


def test_an_installed_package_reads_the_copy_it_ships(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "checkout_root", lambda: None)
    assert paths.project_root() == paths.packaged_root()
    assert paths.packaged_root().parent == Path(paths.__file__).resolve().parent


def test_missing_shapes_and_an_empty_dataset_are_refused(tmp_path: Path) -> None:
    paths.configure(home=tmp_path)
    with pytest.raises(paths.InputError, match="no SHACL shapes"):
        paths.require_shapes()
    with pytest.raises(paths.InputError, match="dataset to serve is empty"):
        paths.require_dataset(0)
    paths.require_dataset(1)
