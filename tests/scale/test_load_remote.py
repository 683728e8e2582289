"""``mscpo load --backend sparql --gsp-endpoint URL``: files reach a remote store through the Graph Store Protocol,
and a file that does not parse stops the push before anything is sent (exit 2, file:line:column)."""

from __future__ import annotations

import gzip
import http.server
import subprocess
import sys
import threading
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


class _SwallowingGraphStore:
    """A Graph Store endpoint that answers 201 and stores nothing (what Virtuoso does with a chunked body)."""

    def __init__(self) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = do_POST

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/store"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_store_that_answers_success_but_stores_nothing_fails_the_load(remote_store: Server, tmp_path: Path) -> None:
    """No command reports success while the remote store did not change: exit 2 with the server's answer."""
    data = tmp_path / "lost.ttl"
    data.write_text("<urn:x:lost> <urn:x:p> <urn:x:q> .\n", encoding="utf-8")
    swallowing = _SwallowingGraphStore()
    try:
        done = mscpo_load(str(data), "--backend", "sparql", "--gsp-endpoint", swallowing.url,
                          "--query-endpoint", remote_store.base + "/query", "--graph", "urn:test:lost")  # fmt: skip
    finally:
        swallowing.close()
    assert done.returncode == 2, done.stdout
    assert "did not store what was sent to urn:test:lost" in done.stderr and "POST 201" in done.stderr
    assert "pushed" not in done.stdout and "Traceback" not in done.stderr


def test_replace_puts_and_verifies(remote_store: Server, tmp_path: Path) -> None:
    first = tmp_path / "first.ttl"
    first.write_text("<urn:x:r1> <urn:x:p> <urn:x:q> .\n<urn:x:r2> <urn:x:p> <urn:x:q> .\n", encoding="utf-8")
    second = tmp_path / "second.trig"
    second.write_text("<urn:test:replaced> { <urn:x:r3> <urn:x:p> <urn:x:q> . }\n", encoding="utf-8")
    endpoint = remote_store.base + "/store"
    loaded = mscpo_load(str(first), "--backend", "sparql", "--gsp-endpoint", endpoint, "--graph", "urn:test:replaced")
    assert loaded.returncode == 0, loaded.stderr
    done = mscpo_load(str(second), "--backend", "sparql", "--gsp-endpoint", endpoint, "--replace")
    assert done.returncode == 0, done.stderr
    assert graph_counts(remote_store.base + "/query")["urn:test:replaced"] == 1
    assert "urn:test:replaced: 1 triples" in done.stdout
