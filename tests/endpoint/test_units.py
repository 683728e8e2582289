"""Unit checks of settings, negotiation, the guard, the dataset builder and the example loader."""

from __future__ import annotations

import argparse
import logging
import random
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote_plus

import pytest
from mscpo import config
from mscpo.errors import InputError
from mscpo.sparql import execute, guard, negotiation, protocol
from mscpo.store import dataset
from mscpo.web.examples import load_examples

from tests.endpoint.endpoint_support import FIXTURES


def test_flags_beat_environment_beat_defaults() -> None:
    parser = argparse.ArgumentParser()
    config.add_arguments(parser)
    args = parser.parse_args(["--port", "9001"])
    settings = config.load(args, env={"MSCPO_PORT": "9000", "MSCPO_QUERY_TIMEOUT": "7.5"})
    assert settings.port == 9001
    assert settings.query_timeout == 7.5
    assert settings.max_rows == config.Settings().max_rows
    assert settings.endpoint_url == "http://127.0.0.1:9001/sparql"
    public = config.load(env={"MSCPO_PUBLIC_URL": "https://mscpo.example.org/"})
    assert public.endpoint_url == "https://mscpo.example.org/sparql"


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"MSCPO_QUERY_TIMEOUT": "0"}, "MSCPO_QUERY_TIMEOUT"),
        ({"MSCPO_PORT": "eighty"}, "MSCPO_PORT"),
        ({"MSCPO_PUBLIC_URL": "ftp://x"}, "http"),
        ({"MSCPO_LOG_LEVEL": "loud"}, "log level"),
    ],
)
def test_bad_settings_name_the_source(env: dict[str, str], needle: str) -> None:
    with pytest.raises(InputError) as error:
        config.load(env=env)
    assert needle in str(error.value)


def test_every_setting_has_a_flag_and_env_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "endpoint.md").read_text()
    for spec in config.FIELDS:
        assert spec.flag in doc and spec.env in doc, spec.name


@pytest.mark.parametrize(
    ("accept", "kind", "expected"),
    [
        ("text/turtle;q=0.2, application/rdf+xml;q=0.8", "graph", "application/rdf+xml"),
        ("application/*", "graph", "application/n-triples"),
        ("text/*;q=0.5, application/ld+json", "graph", "application/ld+json"),
        ("TEXT/CSV", "results", "text/csv"),
        ("text/boolean;q=0.1, application/sparql-results+xml", "boolean", "application/sparql-results+xml"),
        ("application/sparql-results+json;q=abc", "results", "application/sparql-results+json"),
    ],
)
def test_negotiation(accept: str, kind: str, expected: str) -> None:
    chosen = negotiation.choose(accept, kind)
    assert chosen is not None and chosen.media_type == expected


def test_negotiation_refuses_only_when_nothing_fits() -> None:
    assert negotiation.choose("image/png, text/html;q=0.1", "results") is None
    assert negotiation.choose("*/*;q=0", "graph") is None


def test_row_limit_wrapper_keeps_projection_dataset_and_order() -> None:
    query = (
        "PREFIX k: <https://w3id.org/mscpo/graph/>\nSELECT ?b (COUNT(?x) AS ?n) ?a FROM k:kg "
        "WHERE { ?a ?b ?x } GROUP BY ?a ?b ORDER BY DESC(?n)"
    )
    inspection = guard.inspect(query, 5)
    assert inspection.row_limited
    assert inspection.text.startswith(
        "PREFIX k: <https://w3id.org/mscpo/graph/>\nSELECT ?b ?n ?a FROM k:kg WHERE"
    )
    assert inspection.text.rstrip().endswith("LIMIT 6")  # one more than the cap, so a cut is seen
    assert inspection.from_graphs == ("https://w3id.org/mscpo/graph/kg",)
    assert not guard.inspect("SELECT * WHERE { ?s ?p ?o } LIMIT 5", 5).row_limited
    assert guard.inspect("SELECT * WHERE { ?s ?p ?o } LIMIT 6", 5).row_limited
    assert guard.inspect("ASK { ?s ?p ?o }", 5).form == "ASK"
    assert guard.inspect("DELETE WHERE { ?s ?p ?o }", 5).form == "UPDATE"


def test_dataset_graphs_and_closure() -> None:
    backend, report = dataset.build(dataset.Sources.from_root(FIXTURES))
    assert list(report.graph_triples)[:4] == list(dataset.GRAPH_ORDER)
    assert all(report.graph_triples[g] > 0 for g in dataset.GRAPH_ORDER)
    closure = {
        (r["a"].value, r["c"].value)
        for r in backend.query(
            f"SELECT ?a ?c WHERE {{ GRAPH <{dataset.INFERRED_GRAPH}> {{ ?a "
            "<http://www.w3.org/2000/01/rdf-schema#subClassOf> ?c } }"
        )
    }
    assert ("https://w3id.org/mscpo/MSCPO_0000100", "https://w3id.org/mscpo/MSCPO_0000002") in closure
    assert ("https://w3id.org/mscpo/MSCPO_0000200", "http://purl.obolibrary.org/obo/GO_0008150") in closure
    again = dataset.build(dataset.Sources.from_root(FIXTURES))[0]
    assert again.version == backend.version


def test_absent_files_give_empty_graphs_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="mscpo.dataset"):
        _, report = dataset.build(dataset.Sources.from_root(tmp_path))
    assert report.total == 0
    assert "no files for graph https://w3id.org/mscpo/graph/kg" in caplog.text


def test_syntax_error_names_file_and_position(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "broken.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    with pytest.raises(InputError) as error:
        dataset.build(dataset.Sources.from_root(tmp_path))
    assert "broken.ttl" in str(error.value) and "line 2" in str(error.value)


def test_examples_title_description_query() -> None:
    examples = load_examples(FIXTURES / "examples" / "queries")
    assert [e.name for e in examples] == ["01-factors-angiogenesis", "02-findings-per-factor-kind"]
    assert examples[0].title == "Which factors mediate angiogenesis-mediated repair?"
    assert examples[0].description.startswith("Lists each mediator")
    assert "SELECT ?factor" in examples[0].query
    assert load_examples(FIXTURES / "no-such-folder") == []


def test_result_cache_is_bounded_in_entries_and_bytes() -> None:
    cache = execute.ResultCache(entries=3, max_entry_bytes=100, max_total_bytes=250)
    for i in range(5):
        cache.put(("v", i), execute.CachedAnswer(b"x" * 100, negotiation.JSON))
    assert cache.get(("v", 0)) is None and cache.get(("v", 4)) is not None
    assert cache.total_bytes <= 250 and len(cache._items) == 2
    cache.put(("v", 9), execute.CachedAnswer(b"x" * 101, negotiation.JSON))
    assert cache.get(("v", 9)) is None
    assert guard.inspect("ASK {} #" + "x" * 10000).form == "ASK"  # long queries are inspected, not memoized


def test_fast_unquote_matches_urllib() -> None:
    """The C fast path of parameter decoding gives exactly urllib's answer, odd escapes included."""
    rng = random.Random(7)
    alphabet = "abc =%+\n\t é{}<>?#&;\"'\\_~"
    samples = ["a%zzb", "%", "100%", "a=b", "x%3d%3D", "%0D%0A%20", "=0A", "%C3%A9+%E2%82%AC"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        samples += [quote_plus(text), quote(text, safe="=+%")]
    for sample in samples:
        try:
            expected: str | type[UnicodeDecodeError] = unquote_plus(sample, errors="strict")
        except UnicodeDecodeError:
            expected = UnicodeDecodeError  # bytes that are not UTF-8: a 400 for the caller, not a guess
        try:
            got: str | type[UnicodeDecodeError] = protocol._unquote(sample, "utf-8")
        except UnicodeDecodeError:
            got = UnicodeDecodeError
        assert got == expected, sample
