"""The one settings object: every setting (server, federation, home, reference) from flags, environment, defaults."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest
from mscpo import config, paths
from mscpo.errors import InputError
from mscpo.federation import FederationSettings
from mscpo.web import serve


def parse(*flags: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    config.add_arguments(parser)
    return parser.parse_args(list(flags))


def test_every_field_is_a_settings_attribute_with_its_own_flag_and_variable() -> None:
    names = [spec.name for spec in config.FIELDS]
    assert len(names) == len(set(names))
    defaults = config.Settings()
    for spec in config.FIELDS:
        assert hasattr(defaults, spec.name), spec.name
    assert set(config.FEDERATION_FIELDS) <= set(names)


def test_federation_settings_come_from_the_same_table() -> None:
    settings = config.load(
        parse("--federation", "true", "--federation-bind-join-batch", "7"),
        env={"MSCPO_FEDERATION_ALLOW": "https://sparql.uniprot.org/sparql, query.wikidata.org"},
    )
    federation = settings.federation_settings
    assert federation.enabled and federation.bind_join_batch == 7
    assert federation.allowed == ("https://sparql.uniprot.org/sparql", "query.wikidata.org")
    assert config.Settings().federation_settings == FederationSettings()  # same defaults, one place
    assert FederationSettings.from_env({"MSCPO_FEDERATION_BIND_JOIN_BATCH": "9"}).bind_join_batch == 9


def test_flags_beat_environment_and_bad_values_name_their_source() -> None:
    settings = config.load(parse("--federation-timeout", "3"), env={"MSCPO_FEDERATION_TIMEOUT": "5"})
    assert settings.federation_timeout == 3.0
    with pytest.raises(InputError, match="MSCPO_FEDERATION_MAX_CALLS"):
        config.load(env={"MSCPO_FEDERATION_MAX_CALLS": "many"})
    with pytest.raises(InputError, match="bind_join_batch must be 1 or more"):
        config.load(parse("--federation-bind-join-batch", "0"))


def test_home_and_reference_are_settings(tmp_path: Path) -> None:
    settings = config.load(env={"MSCPO_HOME": str(tmp_path), "MSCPO_REFERENCE": str(tmp_path / "ref")})
    assert (settings.home, settings.reference) == (str(tmp_path), str(tmp_path / "ref"))
    assert settings.summary()["reference"] == str(tmp_path / "ref")


def test_serve_configures_paths_without_writing_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MSCPO_HOME", raising=False)
    before = dict(os.environ)
    try:
        with pytest.raises(InputError, match="no SHACL shapes"):
            serve.run(parse("--home", str(tmp_path)))
        assert paths.project_root() == tmp_path.resolve()
    finally:
        paths.configure()
    assert dict(os.environ) == before
    assert paths.project_root() != tmp_path.resolve()
