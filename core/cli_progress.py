"""What ``main.py train`` prints while it trains: a line per epoch, progress, notes.

One line per epoch on stdout (or one JSON object per event with ``--json``), an
in-epoch progress indicator on stderr, the resume notes and the dataset warnings when
the fit starts, the images an epoch had to skip, and the summary at the end. Split
from core.cli so the command-line module stays a map of the subcommands.
Torch-free.
"""

from __future__ import annotations

import json
import sys
import time

from core.events import Callback

__all__ = ["ConsoleProgress"]


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.2f}%"


class ConsoleProgress(Callback):
    """Prints one line per epoch (stdout) and an in-epoch progress indicator (stderr)."""

    def __init__(self, as_json: bool, stream=None) -> None:
        self.as_json = as_json
        self.err = stream or sys.stderr
        self.tty = hasattr(self.err, "isatty") and self.err.isatty()
        self._last = 0.0
        self._dirty = False

    def on_fit_start(self, ev) -> None:
        line = (
            f"training {ev.arch} on {ev.train_size} images ({ev.num_classes} classes), "
            f"validating on {ev.valid_size}; {ev.trainable_params:,} trainable parameters; "
            f"device {ev.device}, {ev.precision}; epochs {ev.start_epoch}..{ev.epochs}"
        )
        if self.as_json:
            self._json({"event": "start", **_event_dict(ev)})
        else:
            print(line, flush=True)
            print(f"run folder {ev.run_dir}", flush=True)
            for note in ev.notes:  # what a resume changed or found (core.resume)
                print(f"note: {note}", flush=True)
            for warning in ev.summary.get("warnings", []) or []:
                print(f"warning: {warning}", file=self.err, flush=True)

    def on_batch_end(self, ev) -> None:
        now = time.monotonic()
        if self.tty:
            if now - self._last < 0.1 and ev.step != ev.steps:
                return
            msg = (
                f"\repoch {ev.epoch}/{ev.epochs}  step {ev.step}/{ev.steps}  "
                f"loss {ev.loss:.4f}  {ev.images_per_second:,.0f} img/s"
            )
            self.err.write(msg.ljust(72))
            self.err.flush()
            self._dirty = True
        elif now - self._last >= 10.0:
            self.err.write(
                f"  epoch {ev.epoch}/{ev.epochs} step {ev.step}/{ev.steps} loss {ev.loss:.4f}\n"
            )
            self.err.flush()
        else:
            return
        self._last = now

    def _clear(self) -> None:
        if self._dirty:
            self.err.write("\r" + " " * 72 + "\r")
            self.err.flush()
            self._dirty = False

    def on_epoch_end(self, ev) -> None:
        self._clear()
        if self.as_json:
            self._json({"event": "epoch", **_event_dict(ev)})
            return
        best = "  *best" if ev.is_best else ""
        print(
            f"epoch {ev.epoch:>3}/{ev.epochs}  train_loss {ev.train_loss:.4f}  "
            f"train_acc {_pct(ev.train_acc)}  val_loss {ev.val_loss:.4f}  "
            f"val_acc {_pct(ev.val_acc)}  lr {ev.lr:.3g}  {ev.seconds:.1f}s{best}",
            flush=True,
        )
        if ev.skipped:  # files gone or emptied since the scan: skipped, not fatal
            shown = "; ".join(ev.skipped_examples)
            print(
                f"warning: {ev.skipped} image(s) could not be read in epoch {ev.epoch} and "
                f"were skipped: {shown}",
                file=self.err,
                flush=True,
            )

    def on_phase(self, ev) -> None:
        """Downloading weights, extracting features (core.stages): a line when it ends."""
        ended = ev.total > 0 and ev.done >= ev.total
        if self.as_json:
            if ended:
                self._json({"event": "phase", **_event_dict(ev)})
            return
        if ended:
            self._clear()
            print(ev.text, flush=True)
        elif self.tty:
            self.err.write(f"\r{ev.text}".ljust(72))
            self.err.flush()
            self._dirty = True

    def on_exception(self, exc: BaseException) -> None:
        self._clear()

    def on_fit_end(self, ev) -> None:
        self._clear()
        s = ev.summary
        if self.as_json:
            self._json({"event": "summary", **s})
            return
        ips = s.get("train_images_per_second")
        status = "stopped" if ev.stopped else "done"
        if s.get("stopped_early"):
            status = f"stopped early after epoch {s.get('stopped_early_epoch')} (no improvement)"
        print(
            f"{status}: best val_acc {_pct(s.get('best_val_acc'))} at epoch {s.get('best_epoch')}; "
            f"{s.get('epochs')} epochs in {s.get('seconds', 0):.1f}s; "
            f"{(ips or 0):,.0f} train images/s; run folder {ev.run_dir}",
            flush=True,
        )

    @staticmethod
    def _json(obj: dict) -> None:
        print(json.dumps(obj), flush=True)


def _event_dict(ev) -> dict:
    import dataclasses

    return dataclasses.asdict(ev)
