"""All-or-nothing loads: build the new store beside the old one, then swap the two directories in one step.

Why: pyoxigraph's bulk loader is documented as not atomic ("if the operation fails in the middle, only a
part of the data may be written") and a load of several files is several bulk loads. So a load never writes
into the store directory itself. It hard-link copies the store (``Store.backup``: cheap, the immutable
RocksDB files are shared), bulk-loads into that copy, and only when every file has loaded does it exchange
the copy and the store directory with ``renameat2(RENAME_EXCHANGE)`` (one atomic step on Linux). A failure
or a ``kill -9`` before that step leaves the store directory untouched; a kill after it leaves the new store
complete. Leftovers are cleaned by :func:`recover`, which every load runs first.

Sibling paths of a store ``DIR`` (same file system, so hard links and renames work): ``DIR.mscpo-lock``
(held with ``flock`` for the whole load), ``DIR.mscpo-staging`` (the copy being loaded, or the old store
just swapped out), ``DIR.mscpo-previous`` (only on file systems without ``RENAME_EXCHANGE``).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from mscpo.errors import InputError

AT_FDCWD = -100
RENAME_EXCHANGE = 2
UNSUPPORTED_ERRNOS = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}


def staging_path(store: Path) -> Path:
    return store.with_name(store.name + ".mscpo-staging")


def previous_path(store: Path) -> Path:
    return store.with_name(store.name + ".mscpo-previous")


def lock_path(store: Path) -> Path:
    return store.with_name(store.name + ".mscpo-lock")


def in_use_error(store: Path) -> InputError:
    return InputError(
        f"the store {store} is in use by another process",
        hint="stop the process that has it open (for example 'mscpo serve --store …' or another"
        " 'mscpo load') and run the load again; nothing was loaded",
    )


@contextlib.contextmanager
def exclusive(store: Path) -> Iterator[None]:
    """Holds the store's load lock, so two loads into one store never interleave their swaps."""
    store.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path(store).open("a")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise in_use_error(store) from exc
        yield
    finally:
        handle.close()


def wait_for_lock(fd: int, wait: float, refusal: Exception) -> None:
    """Takes an exclusive flock on ``fd``, polling for up to ``wait`` seconds; raises ``refusal`` past that."""
    give_up = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= give_up:
                raise refusal from None
            time.sleep(0.05)


def is_store(path: Path) -> bool:
    """An Oxigraph (RocksDB) directory always has a ``CURRENT`` file."""
    return (path / "CURRENT").is_file()


def is_absent(path: Path) -> bool:
    """No store yet: the path does not exist or is an empty directory."""
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def recover(store: Path) -> None:
    """Finishes or undoes what a killed load left behind; the caller holds :func:`exclusive`."""
    previous = previous_path(store)
    if previous.exists():
        if is_absent(store):
            # Killed between the two renames of the fallback swap: the previous content comes back.
            if store.exists():
                store.rmdir()
            os.rename(previous, store)
        else:
            shutil.rmtree(previous)
    staging = staging_path(store)
    if staging.exists():
        shutil.rmtree(staging)


def _exchange(first: Path, second: Path) -> bool:
    """Swaps two directories atomically; False when the platform or file system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except AttributeError:
        return False
    result = renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in UNSUPPORTED_ERRNOS:
        return False
    raise OSError(code, os.strerror(code), str(first))


def _sync_dir(path: Path) -> None:
    """Makes a rename durable (the directory entry itself must reach the disk)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def publish(store: Path) -> None:
    """Makes the fully loaded staging copy the store, in one atomic step where the file system allows it."""
    staging = staging_path(store)
    if is_absent(store):
        if store.exists():
            store.rmdir()
        os.rename(staging, store)
    elif not _exchange(staging, store):  # on success the old store now sits at the staging path
        # Two renames; recover() restores the previous store if a kill lands between them.
        previous = previous_path(store)
        os.rename(store, previous)
        os.rename(staging, store)
        _sync_dir(store.parent)
        shutil.rmtree(previous)
    _sync_dir(store.parent)
    if staging.exists():
        shutil.rmtree(staging)
