"""Load progress: a tqdm bar on a terminal, a plain log line every few seconds otherwise (CI logs, pipes).

The bar advances by bytes of the input files on disk (so rate and ETA are exact, also for gzip); the number
of triples is estimated from the lines read (exact for N-Triples and N-Quads, close for Turtle and TriG).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm

LOG_EVERY_SECONDS = 5.0
POSTFIX_EVERY_SECONDS = 0.5


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:,.1f} MB"


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class Progress:
    """Tracks bytes and lines across all files of one load and shows them on ``stream``."""

    def __init__(self, total_bytes: int, stream: TextIO | None = None, bar: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = max(total_bytes, 1)
        self.done = 0
        self.lines = 0
        self.started = time.monotonic()
        self._last_shown = self.started
        self._file = ""
        use_bar = self.stream.isatty() if bar is None else bar
        self._bar: tqdm | None = (
            tqdm(
                total=self.total,
                unit="B",
                unit_scale=True,
                unit_divisor=1000,
                file=self.stream,
                dynamic_ncols=True,
                miniters=1,
                mininterval=0.2,
                desc="loading",
            )
            if use_bar
            else None
        )

    def start_file(self, name: str, size: int) -> None:
        self._file = name
        if self._bar is not None:
            self._bar.set_description(name, refresh=True)
        else:
            self._log(f"loading {name} ({_megabytes(size)})")

    def advance(self, disk_bytes: int, lines: int) -> None:
        """Called from the reader for every chunk pyoxigraph pulls, so it must stay cheap."""
        self.done += disk_bytes
        self.lines += lines
        if self._bar is not None:
            self._bar.update(disk_bytes)
        now = time.monotonic()
        if self._bar is not None and now - self._last_shown >= POSTFIX_EVERY_SECONDS:
            self._last_shown = now
            self._bar.set_postfix_str(
                f"≈{self.lines:,} triples, {self.triples_per_second(now):,.0f} triples/s", refresh=False
            )
        elif self._bar is None and now - self._last_shown >= LOG_EVERY_SECONDS:
            self._last_shown = now
            self._log(self._status(now))

    def triples_per_second(self, now: float | None = None) -> float:
        elapsed = (now or time.monotonic()) - self.started
        return self.lines / elapsed if elapsed > 0 else 0.0

    def _status(self, now: float) -> str:
        elapsed = now - self.started
        fraction = min(self.done / self.total, 1.0)
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 else 0.0
        return (
            f"{self._file}: {fraction:.0%} ({_megabytes(self.done)} of {_megabytes(self.total)}), "
            f"≈{self.lines:,} triples, {self.triples_per_second(now):,.0f} triples/s, ETA {_duration(eta)}"
        )

    def note(self, message: str) -> None:
        """A step that is not reading (copying the store, swapping): shown without breaking the bar."""
        if self._bar is not None:
            self._bar.write(f"mscpo load: {message}", file=self.stream)
        else:
            self._log(message)

    def _log(self, message: str) -> None:
        print(f"mscpo load: {message}", file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
