"""Helpers of the hostile-input suite: a loopback listener that counts connections, and timed probes."""

from __future__ import annotations

import socket
import threading
import time

import requests

from tests.server_process import RunningServer

TOKEN = "hostile-suite-token"


Hostile = RunningServer  # the hostile suite's one server (tests.server_process)


ASK = "ASK {}"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q FILTER(?c != {i}) }}"


class Listener:
    """Counts every TCP connection to 127.0.0.1:port (the server must never open one)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._loop, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _loop(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


def ask_seconds(endpoint: str) -> float:
    """Seconds ``ASK {}`` takes end to end (asserting it answers true)."""
    started = time.perf_counter()
    response = requests.get(endpoint, params={"query": ASK}, headers={"Accept": "text/boolean"}, timeout=10)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and response.text == "true", (response.status_code, response.text)
    return elapsed
