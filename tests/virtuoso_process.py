"""A real Virtuoso Open Source on 127.0.0.1 for tests and benchmarks (Debian's ``virtuoso-opensource-7-bin``).

One throw-away database per start, SQL and HTTP ports picked free, the setup statements run through
``isql-vt``. Endpoints: ``/sparql`` (anonymous), ``/sparql-auth`` and ``/sparql-graph-crud-auth`` (HTTP Digest,
user ``dba``), ``/sparql-graph-crud`` (anonymous, writable when ``anonymous_writes``).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.server_process import free_port

USER, PASSWORD = "dba", "dba"
INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
ServerThreads = 10
CheckpointInterval = 0
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
DirsAllowed = ., {db}, {dirs}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {db}
ServerThreads = 10
MaxClientConnections = 10
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""


@dataclass
class Virtuoso:
    """A running Virtuoso: its HTTP base URL, SQL port, process and log."""

    base: str
    sql_port: int
    process: subprocess.Popen[bytes]
    db: Path

    @property
    def endpoint(self) -> str:
        return self.base + "/sparql"

    @property
    def auth_endpoint(self) -> str:
        return self.base + "/sparql-auth"

    @property
    def gsp_endpoint(self) -> str:
        return self.base + "/sparql-graph-crud"

    @property
    def gsp_auth_endpoint(self) -> str:
        return self.base + "/sparql-graph-crud-auth"

    def log(self) -> str:
        return (self.db / "console.log").read_text(errors="replace")

    def sql(self, *statements: str) -> str:
        """Runs SQL / SPARQL statements as ``dba`` through isql; RuntimeError on any error."""
        isql = shutil.which("isql-vt") or shutil.which("isql")
        assert isql is not None
        out = []
        for statement in statements:
            done = subprocess.run(
                [isql, f"127.0.0.1:{self.sql_port}", USER, PASSWORD, f"exec={statement}"],
                capture_output=True,
                text=True,
                timeout=120,
            )
            if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
                raise RuntimeError(f"virtuoso: {statement[:200]} failed: {done.stdout}{done.stderr}")
            out.append(done.stdout)
        return "".join(out)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        shutil.rmtree(self.db, ignore_errors=True)


def installed() -> bool:
    return shutil.which("virtuoso-t") is not None and (shutil.which("isql-vt") or shutil.which("isql")) is not None


def start_virtuoso(
    workdir: Path,
    *,
    setup: Sequence[str] = (),
    dirs: Sequence[Path] = (),
    anonymous_writes: bool = False,
    memory_mb: int = 200,
    seconds: float = 60,
) -> Virtuoso:
    """Starts Virtuoso on free 127.0.0.1 ports and runs ``setup`` (SQL statements) as ``dba``.

    ``anonymous_writes`` grants ``SPARQL_UPDATE`` to the anonymous SPARQL user (what the unauthenticated
    ``/sparql-graph-crud`` needs); ``dirs`` are the folders ``DB.DBA.TTLP(file_to_string(…))`` may read.
    """
    virtuoso = shutil.which("virtuoso-t")
    if virtuoso is None or not installed():
        raise FileNotFoundError("virtuoso-t / isql-vt not installed (apt-get install virtuoso-opensource-7-bin)")
    db = Path(tempfile.mkdtemp(prefix="virtuoso-", dir=workdir))
    sql, http = free_port(), free_port()
    buffers = max(memory_mb * 1024 // 8 * 2 // 3, 2000)  # 8 kB pages, two thirds of the memory for buffers
    ini = db / "virtuoso.ini"
    ini.write_text(
        INI.format(
            db=db, sql=sql, http=http, dirs=", ".join(map(str, dirs)) or db, buffers=buffers, dirty=buffers * 3 // 4
        )
    )
    with (db / "console.log").open("wb") as log:
        process = subprocess.Popen(
            [virtuoso, "+configfile", str(ini), "+foreground"], cwd=db, stdout=log, stderr=subprocess.STDOUT
        )
    server = Virtuoso(f"http://127.0.0.1:{http}", sql, process, db)
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(server.endpoint + "?query=ASK%7B%7D", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log_text = server.log()
                server.stop()
                raise RuntimeError(f"virtuoso did not start:\n{log_text}") from None
            time.sleep(0.1)
    statements = list(setup)
    if anonymous_writes:
        statements.insert(0, 'GRANT SPARQL_UPDATE TO "SPARQL";')
    try:
        if statements:
            server.sql(*statements)
    except RuntimeError:
        server.stop()
        raise
    return server
