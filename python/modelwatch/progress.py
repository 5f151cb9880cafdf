"""Progress of a `modelwatch run`, fed by dbt's event callbacks (dbtRunner(callbacks=[...])).

On a terminal: one status line redrawn in place - a bar, steps done / total, the model being
built and the elapsed time. Elsewhere (scheduler logs, pipes): one plain line per model built.
Steps are every node of the build (models, seeds, tests); dbt announces the total with the
first node it starts.
"""

from __future__ import annotations

import time
from typing import Any, TextIO

BAR_WIDTH = 24
# a terminal line is redrawn at most this often (dbt can finish hundreds of tests a second)
REDRAW_SECONDS = 0.1
BUILT_TYPES = ("model", "seed", "snapshot")


class Progress:
    """A dbt event callback that reports progress to `stream`."""

    def __init__(self, stream: TextIO, tty: bool | None = None, clock: Any = time.monotonic):
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.clock = clock
        self.started = clock()
        self.total = 0
        self.done = 0
        self.models_done = 0
        self.current = ""
        self._drawn_at = -1.0
        self._width = 0

    def elapsed(self) -> float:
        return self.clock() - self.started

    def __call__(self, event: Any) -> None:
        name = event.info.name
        if name == "LogStartLine" and event.data.total:
            self.total = max(self.total, int(event.data.total))
        elif name == "NodeStart":
            info = event.data.node_info
            if info.resource_type in BUILT_TYPES:
                self.current = info.node_name
                self._draw()
        elif name == "NodeFinished":
            info = event.data.node_info
            self.done += 1
            if info.resource_type in BUILT_TYPES:
                self.models_done += 1
                if not self.tty:
                    status = info.node_status or "done"
                    self.stream.write(
                        f"modelwatch: [{self.done}/{self.total or '?'}] {info.node_name} "
                        f"{status} ({self.elapsed():.1f} s)\n"
                    )
                    self.stream.flush()
            self._draw()

    def _draw(self, force: bool = False) -> None:
        if not self.tty:
            return
        now = self.clock()
        if not force and now - self._drawn_at < REDRAW_SECONDS:
            return
        self._drawn_at = now
        share = self.done / self.total if self.total else 0.0
        filled = int(round(share * BAR_WIDTH))
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = (
            f"modelwatch [{bar}] {self.done}/{self.total or '?'} steps"
            f" · {self.current or 'starting'} · {self.elapsed():.0f} s"
        )
        self.stream.write("\r" + line.ljust(self._width))
        self._width = len(line)
        self.stream.flush()

    def abort(self) -> None:
        """End a status line cut short by an error (no totals: the error says what happened)."""
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()

    def finish(self) -> None:
        """End the status line (terminal) so the summary starts on a clean line."""
        if self.tty and self._width:
            self.current = "done"
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()
        elif not self.tty:
            self.stream.write(
                f"modelwatch: built {self.models_done} models and ran "
                f"{self.done - self.models_done} tests in {self.elapsed():.1f} s\n"
            )
            self.stream.flush()
