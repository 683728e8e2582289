"""One ``mscpo serve`` for the hostile suite: the endpoint fixtures in an on-disk store, writes on (token),
3 workers, a 2 s query deadline, federation off (the default)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.hostile_support import TOKEN, Hostile, Listener
from tests.server_process import start_mscpo

FIXTURES = Path(__file__).parent.parent / "endpoint" / "fixtures"


@pytest.fixture(scope="session")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.sock.close()


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    work = tmp_path_factory.mktemp("hostile")
    home = work / "home"  # the endpoint fixtures, with the project's shapes so that writes are validated
    shutil.copytree(FIXTURES, home)
    shutil.copytree(Path(__file__).parents[2] / "shapes", home / "shapes", dirs_exist_ok=True)
    env = {**os.environ, "MSCPO_HOME": str(home), "MSCPO_WRITE_TOKEN": TOKEN}
    (work / "empty.nt").write_text("")
    store = work / "store"
    subprocess.run(
        [sys.executable, "-m", "mscpo.cli", "load", str(work / "empty.nt"), "--store", str(store)],
        env=env,
        check=True,
        capture_output=True,
    )
    args = ["--workers", "3", "--query-timeout", "2", "--store", str(store), "--log-level", "info"]
    server = start_mscpo(work / "serve.log", args, env, record=Hostile)
    yield server
    server.stop()
