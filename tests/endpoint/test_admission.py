"""``mscpo.web.admission.Admission``: who counts as busy, when a worker is the reserved one, and that workers
which died busy stop counting (their slots are freed)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest
from mscpo.web.admission import SLOTS, Admission


@pytest.fixture()
def others() -> Iterator[list[subprocess.Popen[bytes]]]:
    processes = [subprocess.Popen(["sleep", "30"]) for _ in range(4)]
    yield processes
    for process in processes:
        process.kill()
        process.wait()


def _owners(admission: Admission) -> list[int]:
    return [admission._cells[i] for i in range(SLOTS)]


def test_reserved_only_when_every_other_worker_is_busy(others: list[subprocess.Popen[bytes]]) -> None:
    admission = Admission(5)
    assert admission.enter() is False  # alone
    assert _owners(admission).count(os.getpid()) == 1
    assert admission.enter() is False  # entering twice keeps one slot
    assert _owners(admission).count(os.getpid()) == 1
    admission.leave()
    assert os.getpid() not in _owners(admission)
    for i, process in enumerate(others[:3]):
        admission._cells[7 + 5 * i] = process.pid  # three of four others busy, anywhere in the table
    assert admission.enter() is False
    admission.leave()
    admission._cells[40] = others[3].pid
    assert admission.enter() is True  # the last free worker
    admission.leave()
    others[3].kill()
    others[3].wait()
    assert admission.enter() is False  # a worker that died busy is not busy
    assert admission._cells[40] == 0
    admission.leave()


def test_a_full_table_of_dead_owners_is_reclaimed() -> None:
    admission = Admission(3)
    dead = subprocess.Popen(["true"])
    dead.wait()
    for i in range(SLOTS):
        admission._cells[i] = dead.pid
    assert admission.enter() is False
    assert _owners(admission).count(os.getpid()) == 1 and dead.pid not in _owners(admission)
    admission.leave()
    assert _owners(admission) == [0] * SLOTS


def test_one_worker_is_never_reserved() -> None:
    admission = Admission(1)
    assert admission.enter() is False
    admission.leave()
