"""Start and stop real servers on 127.0.0.1 for tests, benchmarks and CI (one helper for all of them).

``free_port()`` picks a port; :class:`ServerProcess` runs a command (``mscpo serve …`` or a third-party store),
waits until its SPARQL endpoint answers ``ASK {}``, and stops it with SIGTERM, then SIGKILL. Its log goes to a
file, and its last lines are in every error so a failed start says why.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mscpo_command(python: str | Path = sys.executable) -> list[str]:
    """How to run ``mscpo`` with a given interpreter (its own installation of the package)."""
    return [str(python), "-m", "mscpo.cli"]


class ServerProcess:
    """One server process: started by :meth:`start`, ready when ``ASK {}`` at ``sparql_url`` answers 200."""

    def __init__(
        self,
        command: Sequence[str],
        sparql_url: str,
        log: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.command = list(command)
        self.sparql_url = sparql_url
        self.log = log
        self.env = dict(os.environ if env is None else env)
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> ServerProcess:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                self.command, stdout=out, stderr=subprocess.STDOUT, env=self.env, cwd=self.cwd,
                start_new_session=True,
            )
        self.wait_ready(timeout)
        return self

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.is_file() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, timeout: float) -> None:
        assert self.process is not None, "start() first"
        deadline = time.monotonic() + timeout
        url = self.sparql_url + "?query=" + urllib.parse.quote("ASK {}")
        while True:
            code = self.process.poll()
            if code is not None:
                raise RuntimeError(f"{self.command[0]} exited with code {code} before it was ready:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"no answer from {self.sparql_url} within {timeout} s:\n{self.log_tail()}")
            time.sleep(0.2)

    def stop(self, grace: float = 10.0) -> int | None:
        """SIGTERM to the server's process group, SIGKILL after ``grace`` seconds; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait(grace)

    def __enter__(self) -> ServerProcess:
        return self.start() if self.process is None else self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


SMOKE_QUERY = "08-findings-per-mechanism.rq"


def smoke(workdir: Path, query_name: str = SMOKE_QUERY) -> int:
    """Serve this installation of mscpo on a free port, ask one competency query, stop; returns the row count.

    Run as ``python -m mscpo.testing smoke`` by CI with the interpreter of a fresh venv holding the wheel, from a
    folder outside the checkout, so it proves the installed package serves its packaged graph.
    """
    import json

    import mscpo
    from mscpo import paths

    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    command = [*mscpo_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    query = (paths.queries_dir() / query_name).read_text(encoding="utf-8")
    print(f"mscpo {mscpo.__version__} from {Path(mscpo.__file__).parent}; project files from {paths.project_root()}")
    with ServerProcess(command, url, workdir / "serve.log", cwd=workdir):
        body = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(url, body, {"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            rows = len(json.load(response)["results"]["bindings"])
    print(f"{query_name}: {rows} rows from {url}")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    import tempfile

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] != ["smoke"]:
        print("usage: python -m mscpo.testing smoke", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mscpo-smoke-") as tmp:
        try:
            rows = smoke(Path(tmp))
        except (RuntimeError, OSError) as exc:
            print(f"smoke test failed: {exc}", file=sys.stderr)
            return 1
    return 0 if rows > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
