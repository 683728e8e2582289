"""``mscpo load --backend sparql --gsp-endpoint URL``: files reach a remote store through the Graph Store Protocol,
and a file that does not parse stops the push before anything is sent (exit 2, file:line:column)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

from tests.scale.scale_support import Server, graph_counts, store_state

GRAPH = "urn:test:load-remote"


def mscpo_load(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mscpo.cli", "load", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_push_files_through_the_graph_store(remote_store: Server, tmp_path: Path) -> None:
    turtle = tmp_path / "a.ttl"
    turtle.write_text("<urn:x:a> <urn:x:p> <urn:x:b> .\n<urn:x:a> <urn:x:p> <urn:x:c> .\n", encoding="utf-8")
    gzipped = tmp_path / "b.nt.gz"
    gzipped.write_bytes(gzip.compress(b"<urn:x:d> <urn:x:p> <urn:x:e> .\n"))
    done = mscpo_load(
        str(turtle), str(gzipped), "--backend", "sparql", "--gsp-endpoint", remote_store.base + "/store",
        "--graph", GRAPH,
    )
    assert done.returncode == 0, done.stderr
    assert "pushed 2 file(s)" in done.stdout
    assert graph_counts(remote_store.base + "/query")[GRAPH] == 3


def test_bad_file_sends_nothing(remote_store: Server, tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_text("<urn:x:f> <urn:x:p> <urn:x:g> .\n", encoding="utf-8")
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:x:h> <urn:x:p> <urn:x:i> .\n<urn:x:h> <urn:x:p> \"unterminated .\n", encoding="utf-8")
    before = store_state(remote_store.base + "/query")
    done = mscpo_load(
        str(good), str(bad), "--backend", "sparql", "--gsp-endpoint", remote_store.base + "/store", "--graph", GRAPH
    )
    assert done.returncode == 2
    assert f"{bad}:2:" in done.stderr and "nothing was sent" in done.stderr
    assert "Traceback" not in done.stderr
    assert store_state(remote_store.base + "/query") == before


def test_remote_backend_needs_an_endpoint(tmp_path: Path) -> None:
    data = tmp_path / "a.ttl"
    data.write_text("<urn:x:a> <urn:x:p> <urn:x:b> .\n", encoding="utf-8")
    done = mscpo_load(str(data), "--backend", "sparql")
    assert done.returncode == 2
    assert "--gsp-endpoint" in done.stderr
