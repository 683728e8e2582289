"""``mscpo load``: which graph gets what, reloads, bad files, gzip, a store in use, kill -9 mid-load.

Each test runs the real command (in-process through ``mscpo.cli.main``, or as a subprocess where a second
process is the point) and inspects the store directory afterwards through a read-only handle.
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest
from mscpo.cli import main
from mscpo.store import staging
from mscpo.store.load import DEFAULT_GRAPH

EX = "http://example.org/"
KG = pyoxigraph.NamedNode(DEFAULT_GRAPH)

TURTLE = f'@prefix ex: <{EX}> .\nex:a ex:p ex:b ;\n  ex:q "one" .\nex:c ex:p ex:d .\n'
NTRIPLES = f'<{EX}s1> <{EX}p> <{EX}o1> .\n<{EX}s2> <{EX}p> "two"@en .\n'
NQUADS = f"<{EX}s> <{EX}p> <{EX}o> <{EX}g1> .\n<{EX}s> <{EX}p> <{EX}o2> .\n"
TRIG = f"@prefix ex: <{EX}> .\nex:g2 {{ ex:s ex:p ex:o . }}\nex:t ex:p ex:u .\n"
RDFXML = (
    '<?xml version="1.0"?>\n'
    f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{EX}">\n'
    f'  <rdf:Description rdf:about="{EX}x"><ex:p rdf:resource="{EX}y"/></rdf:Description>\n'
    "</rdf:RDF>\n"
)
BAD_TURTLE = f'@prefix ex: <{EX}> .\nex:a ex:p ex:b .\nex:a ex:p "unterminated .\nex:c ex:p ex:d .\n'


def write(path: Path, text: str, compress: bool = False) -> Path:
    if compress:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def quads(store_dir: Path) -> set[tuple[str, str, str, str]]:
    """The store's content as plain strings (read-only handle, so it never holds the store's lock)."""
    store = pyoxigraph.Store.read_only(str(store_dir))
    try:
        return {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in store}
    finally:
        del store


def load(*args: str | Path) -> int:
    return main(["load", "--no-progress-bar", *map(str, args)])


def test_turtle_goes_to_the_knowledge_graph_and_reload_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    source = write(tmp_path / "a.ttl", TURTLE)
    assert load(source, "--store", store) == 0
    first = quads(store)
    assert len(first) == 3
    assert {graph for *_, graph in first} == {f"<{DEFAULT_GRAPH}>"}
    assert "(+3)" in capsys.readouterr().out

    assert load(source, "--store", store) == 0
    assert quads(store) == first
    assert "(+0)" in capsys.readouterr().out
    assert not staging.staging_path(store).exists()


def test_graph_option_names_the_target_graph(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert load(write(tmp_path / "a.nt", NTRIPLES), "--store", store, "--graph", f"{EX}mine") == 0
    assert {graph for *_, graph in quads(store)} == {f"<{EX}mine>"}


@pytest.mark.parametrize(
    ("name", "text", "graphs"),
    [
        ("f.ttl", TURTLE, {DEFAULT_GRAPH}),
        ("f.nt", NTRIPLES, {DEFAULT_GRAPH}),
        ("f.nq", NQUADS, {f"{EX}g1", DEFAULT_GRAPH}),
        ("f.trig", TRIG, {f"{EX}g2", DEFAULT_GRAPH}),
        ("f.rdf", RDFXML, {DEFAULT_GRAPH}),
    ],
)
@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_every_syntax_plain_and_gzip(
    tmp_path: Path, name: str, text: str, graphs: set[str], compress: bool
) -> None:
    """Quad syntaxes keep their named graphs; default-graph triples and triple syntaxes go to the KG."""
    source = write(tmp_path / (name + ".gz" if compress else name), text, compress)
    store = tmp_path / "store"
    assert load(source, "--store", store) == 0
    expected = pyoxigraph.Store()
    expected.load(input=text, format=pyoxigraph.RdfFormat.from_extension(name.rsplit(".", 1)[1]), to_graph=KG)
    want = {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in expected}
    assert quads(store) == want
    assert {graph.strip("<>") for *_, graph in want} == graphs


def test_bad_file_reports_line_and_column_and_commits_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    assert load(write(tmp_path / "first.nt", NTRIPLES), "--store", store) == 0
    before = quads(store)
    capsys.readouterr()

    good = write(tmp_path / "good.ttl", TURTLE)
    bad = write(tmp_path / "bad.ttl", BAD_TURTLE)
    assert load(good, bad, "--store", store) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:11:" in err
    assert "how to fix" in err
    assert "Traceback" not in err
    # The good file before the bad one is not committed either: the whole load is one unit.
    assert quads(store) == before
    assert not staging.staging_path(store).exists()


def test_bad_gzip_and_bad_rdfxml_are_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    assert load(write(tmp_path / "bad.ttl.gz", BAD_TURTLE, compress=True), "--store", store) == 2
    assert "bad.ttl.gz:3:11:" in capsys.readouterr().err
    ill_formed = RDFXML.replace("</rdf:Description>", "</rdf:Other>")
    assert load(write(tmp_path / "bad.rdf", ill_formed), "--store", store) == 2
    assert "bad.rdf:3:" in capsys.readouterr().err
    truncated = tmp_path / "cut.nt.gz"
    truncated.write_bytes(gzip.compress(NTRIPLES.encode() * 50)[:40])
    assert load(truncated, "--store", store) == 2
    assert "gzip" in capsys.readouterr().err
    assert not store.exists()


def test_missing_file_unknown_syntax_and_bad_graph_are_input_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    good = write(tmp_path / "a.ttl", TURTLE)
    assert load(good, tmp_path / "missing.ttl", "--store", store) == 2
    assert "missing.ttl: no such file" in capsys.readouterr().err
    assert load(write(tmp_path / "a.txt", TURTLE), "--store", store) == 2
    assert "--format" in capsys.readouterr().err
    assert load(good, "--store", store, "--graph", "not an iri") == 2
    assert "--graph" in capsys.readouterr().err
    assert not store.exists()
    # --format names the syntax when the file name does not.
    assert load(tmp_path / "a.txt", "--store", store, "--format", "turtle") == 0
    assert len(quads(store)) == 3


def test_directory_that_is_not_a_store_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    assert load(write(tmp_path / "a.ttl", TURTLE), "--store", other) == 2
    assert "not an Oxigraph store" in capsys.readouterr().err
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]


HOLD_STORE = """
import sys, time, pyoxigraph
store = pyoxigraph.Store(sys.argv[1])
print("open", flush=True)
time.sleep(60)
"""


def test_store_in_use_by_another_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    assert load(write(tmp_path / "a.nt", NTRIPLES), "--store", store) == 0
    capsys.readouterr()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_STORE, str(store)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        assert load(write(tmp_path / "b.ttl", TURTLE), "--store", store) == 2
        assert "in use by another process" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert len(quads(store)) == 2


def test_swap_without_rename_exchange_and_recovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without RENAME_EXCHANGE a swap is two renames; a kill between them is undone by the next load."""
    monkeypatch.setattr(staging, "_exchange", lambda first, second: False)
    store = tmp_path / "store"
    assert load(write(tmp_path / "a.nt", NTRIPLES), "--store", store) == 0
    assert load(write(tmp_path / "b.ttl", TURTLE), "--store", store) == 0
    both = quads(store)
    assert len(both) == 5

    # Simulate a kill after "store -> previous" and before "staging -> store".
    os.rename(store, staging.previous_path(store))
    staging.staging_path(store).mkdir()
    assert load(write(tmp_path / "c.nt", NTRIPLES), "--store", store) == 0
    assert quads(store) == both
    assert not staging.previous_path(store).exists()
    assert not staging.staging_path(store).exists()


def test_kill_9_during_load_leaves_previous_content(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert load(write(tmp_path / "a.nt", NTRIPLES), "--store", store) == 0
    before = quads(store)
    big = tmp_path / "big.nt"
    with big.open("w", encoding="utf-8") as handle:
        for i in range(600_000):
            handle.write(f'<{EX}s{i // 8}> <{EX}p{i % 8}> "value {i}" .\n')

    loader = subprocess.Popen(
        [sys.executable, "-m", "mscpo.cli", "load", "--no-progress-bar", str(big), "--store", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert loader.stderr is not None
    for line in loader.stderr:
        if "loading big.nt" in line:
            break
    time.sleep(0.5)
    assert loader.poll() is None, "the load finished before it could be killed; make the file bigger"
    with pytest.raises(OSError, match="lock"):
        pyoxigraph.Store(str(store))  # held by the load, so no writer can slip in and be lost by the swap
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait()
    assert loader.returncode == -signal.SIGKILL
    assert staging.staging_path(store).exists()  # the half-loaded copy, never the store itself

    assert quads(store) == before
    # The store stays usable: the next load cleans up and commits.
    assert load(write(tmp_path / "b.ttl", TURTLE), "--store", store) == 0
    assert len(quads(store)) == len(before) + 3
    assert not staging.staging_path(store).exists()


def test_concurrent_load_into_the_same_store_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """While one load holds the store's lock, another one is refused at once (never two swaps interleaved)."""
    store = tmp_path / "store"
    with staging.exclusive(store):
        assert load(write(tmp_path / "a.nt", NTRIPLES), "--store", store) == 2
    assert "in use by another process" in capsys.readouterr().err
    assert not store.exists()
    assert load(tmp_path / "a.nt", "--store", store) == 0
