"""Moved to :mod:`mscpo.store.remote`; this alias keeps code written against the old path importing (remove it once
every branch imports ``mscpo.store.remote``)."""

from mscpo.store.push import ensure_packaged, push_files  # noqa: F401
from mscpo.store.remote import *  # noqa: F403
