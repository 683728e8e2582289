"""Moved to :mod:`mscpo.store.writes`; this alias keeps code written against the old path importing (remove it once
every branch imports ``mscpo.store.writes``)."""

from mscpo.store.writes import *  # noqa: F403
