"""The Augment panel's model: the train and eval pipelines, edited in one place.

:class:`Pipeline` holds both step lists and is their single source of truth: the
list views (:mod:`gui.augment.steps`) show it, the parameter form edits it, and
every edit goes through one of its methods, which validates the edited pipeline
once with :func:`core.augment.validate_spec` and announces the change.

Signals: ``about_to_edit(Edit)`` and ``edited(Edit)`` around each change (Qt item
models begin and end their row changes on them), then ``changed()``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from core import augment
from core.augment import TRANSFORMS, SpecError

WHICH = ("train", "eval")


@dataclass(frozen=True)
class Edit:
    """One change to one pipeline: ``kind`` is insert, remove, move, step or reset.

    ``row`` is the step concerned (insert: its new row); ``to`` the row a moved
    step ends up at.
    """

    kind: str
    which: str
    row: int = -1
    to: int = -1


def _step(raw: dict) -> dict:
    """A step as the model stores it: name, a private copy of params, enabled."""
    return {
        "name": raw["name"],
        "params": copy.deepcopy(raw.get("params") or {}),
        "enabled": raw.get("enabled", True),
    }


class Pipeline(QObject):
    """The two pipelines the panel edits (``"train"`` and ``"eval"``)."""

    about_to_edit = Signal(object)  # Edit
    edited = Signal(object)  # Edit
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps: dict[str, list[dict]] = {which: [] for which in WHICH}
        self._checked: dict[str, list[dict] | SpecError] = {
            which: [] for which in WHICH
        }  # the validated spec, or its first problem

    # ----------------------------------------------------------------- reading

    def count(self, which: str) -> int:
        return len(self._steps[which])

    def step(self, which: str, row: int) -> dict:
        """A copy of one step: {"name", "params", "enabled"}."""
        return copy.deepcopy(self._steps[which][row])

    def steps(self, which: str) -> list[dict]:
        """A copy of one pipeline as edited (not normalised)."""
        return copy.deepcopy(self._steps[which])

    def error(self, which: str) -> SpecError | None:
        """The first problem of a pipeline, or None when it is valid."""
        checked = self._checked[which]
        return checked if isinstance(checked, SpecError) else None

    def valid_specs(self) -> dict | None:
        """Both pipelines normalised ({"train", "eval"}), or None while either has a problem."""
        if any(isinstance(self._checked[which], SpecError) for which in WHICH):
            return None
        return {which: copy.deepcopy(self._checked[which]) for which in WHICH}

    def specs(self) -> dict:
        """The current {"train": spec, "eval": spec}: normalised when valid, else as edited."""
        return self.valid_specs() or {which: self.steps(which) for which in WHICH}

    # ----------------------------------------------------------------- editing

    def set_specs(self, specs: dict) -> None:
        """Replace both pipelines (SpecError, and nothing changes, when either is not valid)."""
        checked = {which: augment.validate_spec(specs[which]) for which in WHICH}
        for which in WHICH:
            edit = Edit("reset", which)
            self.about_to_edit.emit(edit)
            self._steps[which] = [_step(s) for s in checked[which]]
            self._checked[which] = checked[which]
            self.edited.emit(edit)
        self.changed.emit()

    def add(self, which: str, name: str, row: int | None = None) -> int:
        """Insert a ``name`` step with default params at ``row`` (end: None); returns its row."""
        steps = self._steps[which]
        row = len(steps) if row is None else max(0, min(row, len(steps)))
        step = {"name": name, "params": TRANSFORMS[name].defaults(), "enabled": True}
        self._apply(Edit("insert", which, row), lambda: steps.insert(row, step))
        return row

    def remove(self, which: str, row: int) -> None:
        if 0 <= row < self.count(which):
            self._apply(Edit("remove", which, row), lambda: self._steps[which].pop(row))

    def move(self, which: str, row: int, to: int) -> bool:
        """Move step ``row`` so that it ends up at ``to``; False when nothing moves."""
        steps = self._steps[which]
        if row == to or not (0 <= row < len(steps) and 0 <= to < len(steps)):
            return False
        self._apply(Edit("move", which, row, to), lambda: steps.insert(to, steps.pop(row)))
        return True

    def set_enabled(self, which: str, row: int, on: bool) -> None:
        step = self._steps[which][row]
        if step["enabled"] != bool(on):
            self._apply(Edit("step", which, row), lambda: step.update(enabled=bool(on)))

    def set_param(self, which: str, row: int, name: str, value: Any) -> None:
        params = self._steps[which][row]["params"]
        if name not in params or params[name] != value:
            self._apply(
                Edit("step", which, row), lambda: params.update({name: copy.deepcopy(value)})
            )

    def _apply(self, edit: Edit, change) -> None:
        self.about_to_edit.emit(edit)
        change()
        try:
            self._checked[edit.which] = augment.validate_spec(self._steps[edit.which])
        except SpecError as exc:
            self._checked[edit.which] = exc
        self.edited.emit(edit)
        self.changed.emit()
