"""Defence in depth: a serving worker (federation off, local store) cannot open an IP socket, so even a SERVICE
the guard misread never reaches the network."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading

PROBE = """
import sys, pyoxigraph as ox
from mscpo.web.outbound import forbid_ip_sockets
assert forbid_ip_sockets()
try:
    list(ox.Store().query("SELECT * {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"))
except OSError as exc:
    print("refused:", exc)
"""


def test_filtered_process_cannot_reach_a_loopback_listener() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    connections: list[int] = []

    def accept() -> None:
        try:
            while True:
                conn, _ = listener.accept()
                connections.append(1)
                conn.close()
        except OSError:
            return

    threading.Thread(target=accept, daemon=True).start()
    result = subprocess.run([sys.executable, "-c", PROBE.format(port=port)], capture_output=True, text=True, timeout=60)
    listener.close()
    assert result.returncode == 0, result.stderr
    assert "refused:" in result.stdout
    assert connections == []


def test_served_workers_install_the_filter(server) -> None:
    import urllib.request

    with urllib.request.urlopen(server.base + "/health", timeout=5) as response:
        assert response.status == 200
    assert "outbound IP sockets are blocked" in server.log()
