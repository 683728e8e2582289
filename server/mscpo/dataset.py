"""Moved to :mod:`mscpo.store.dataset`; this alias keeps code written against the old path importing (remove it once
every branch imports ``mscpo.store.dataset``)."""

from mscpo.store.dataset import *  # noqa: F403
