"""Keras-style training progress: a bar per epoch on a terminal, plain lines in logs.

``verbose=1``: on a terminal, one bar per epoch redrawn in place::

    Epoch 3/30
    1719/1719 [==============================] - 9s - 5ms/step - 6,210 samples/s - loss: 0.2913

When the output is not a terminal (CI logs, files) the bar is not redrawn; a plain
line is written about every 25% of the epoch instead, and the full bar once at its end
(with the validation metrics), so logs stay readable.
``verbose=2``: one line per epoch. ``verbose=0``: nothing.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

_BAR_WIDTH = 30


def format_logs(logs: dict[str, float]) -> str:
    """``loss: 0.2913 - accuracy: 0.8921``; learning rates in scientific notation."""
    parts = []
    for key, value in logs.items():
        if key in ("lr", "learning_rate"):
            parts.append(f"{key}: {value:.4g}")
        else:
            parts.append(f"{key}: {value:.4f}")
    return " - ".join(parts)


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}h{int(seconds % 3600 // 60):02d}m"
    if seconds >= 60:
        return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"
    return f"{seconds:.0f}s" if seconds >= 1 else f"{seconds * 1000:.0f}ms"


class ProgressBar:
    """Progress of one epoch (or ``evaluate``/``predict``): steps, time, samples/s, logs."""

    def __init__(self, total_steps: int, verbose: int = 1, stream: TextIO | None = None) -> None:
        self.total = total_steps
        self.verbose = verbose
        self.stream = stream if stream is not None else sys.stdout
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self.samples = 0
        self._last_draw = 0.0
        self._next_plain = max(1, total_steps // 4)
        self._drawn_width = 0  # length of the line drawn in place, 0 when none is open

    def due(self, step: int) -> bool:
        """Whether ``update(step, ...)`` would show something now (so logs are worth computing)."""
        if self.verbose != 1:
            return False
        if self.interactive:
            return time.perf_counter() - self._last_draw >= 0.1
        return self._next_plain <= step < self.total  # the last step's line is finish()'s

    def update(
        self, step: int, samples: int, logs: dict[str, float] | None = None, final: bool = False
    ) -> None:
        """Report that ``step`` of ``total`` steps (``samples`` samples in all) are done."""
        self.samples = samples
        if self.verbose != 1:
            return
        now = time.perf_counter()
        if self.interactive:
            if final or now - self._last_draw >= 0.1:
                self._last_draw = now
                self._redraw(self._line(step, logs or {}, now), final)
        elif final or self._next_plain <= step < self.total:
            self._next_plain = step + max(1, self.total // 4)
            self._write(self._line(step, logs or {}, now) + "\n")

    def finish(self, logs: dict[str, float], samples: int | None = None) -> None:
        """End of the epoch: the full bar (``verbose=1``) or one summary line (``verbose=2``)."""
        if samples is not None:
            self.samples = samples
        if self.verbose == 1:
            self.update(self.total, self.samples, logs, final=True)
        elif self.verbose == 2:
            self._write(self._line(self.total, logs, time.perf_counter(), bar=False) + "\n")

    def close(self) -> None:
        """End a line left half drawn (training interrupted mid-epoch) so what follows
        starts on a fresh line."""
        if self._drawn_width:
            self._write("\n")
            self._drawn_width = 0

    def _redraw(self, line: str, final: bool) -> None:
        """Overwrite the line in place: spaces clear what a longer previous line left.

        A line in progress is cut to the terminal's width: a wrapped line cannot be
        overwritten with a carriage return, and each redraw would pile up a new row.
        The final line is written whole and ends the row.
        """
        if not final:
            columns = shutil.get_terminal_size(fallback=(80, 24)).columns
            line = line[: max(columns - 1, 10)]
        padding = " " * max(self._drawn_width - len(line), 0)
        self._write("\r" + line + padding + ("\n" if final else ""))
        self._drawn_width = 0 if final else len(line)

    def _line(self, step: int, logs: dict[str, float], now: float, bar: bool = True) -> str:
        elapsed = now - self.start
        width = len(str(self.total))
        done = int(_BAR_WIDTH * step / self.total) if self.total else _BAR_WIDTH
        head = f"{step:>{width}}/{self.total}"
        if bar:
            arrow = ">" if done < _BAR_WIDTH else ""
            head += " [" + "=" * done + arrow + "." * (_BAR_WIDTH - done - len(arrow)) + "]"
        rate = self.samples / elapsed if elapsed > 0 else 0.0
        per_step = elapsed / step if step else 0.0
        parts = [head, _duration(elapsed)]
        if step < self.total and step:
            parts.append(f"ETA {_duration(per_step * (self.total - step))}")
        parts += [f"{per_step * 1000:.0f}ms/step", f"{rate:,.0f} samples/s"]
        text = format_logs(logs)
        if text:
            parts.append(text)
        return " - ".join(parts)

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
