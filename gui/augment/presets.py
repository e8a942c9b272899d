"""Presets: the built-in ones of core.augment and the user's own, one JSON file each."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core import augment
from core.augment import SpecError

BUILTIN_PRESETS = ("seed", "digits", "none")
#: how the preset box shows the built-in presets (their names stay the CLI's --augment names)
PRESET_LABELS = {
    "seed": QT_TRANSLATE_NOOP("PresetStore", "seed"),
    "digits": QT_TRANSLATE_NOOP("PresetStore", "digits"),
    "none": QT_TRANSLATE_NOOP("PresetStore", "none"),
}


def preset_label(name: str) -> str:
    """A built-in preset's name as the preset box shows it."""
    return QCoreApplication.translate("PresetStore", PRESET_LABELS.get(name, name))


_FORBIDDEN = '/\\:*?"<>|'


class PresetStore:
    """The built-in presets and the user's, saved as ``NAME.json`` in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def user_names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json"))

    def load(self, name: str) -> dict:
        """{"train", "eval"} of a built-in or a user preset (SpecError when unusable)."""
        if name in BUILTIN_PRESETS:
            return augment.get_preset(name)
        return augment.load_spec_file(self.folder / f"{name}.json")

    def save(self, name: str, specs: dict) -> Path:
        """Save ``specs`` as user preset ``name``; returns the file."""
        name = name.strip()
        if not name or any(c in name for c in _FORBIDDEN) or name in BUILTIN_PRESETS:
            raise SpecError(
                QCoreApplication.translate(
                    "PresetStore", "{name} cannot be a preset name; use letters, digits, - or _."
                ).format(name=repr(name))
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{name}.json"
        augment.save_spec_file(path, specs)
        return path

    def delete(self, name: str) -> None:
        (self.folder / f"{name}.json").unlink(missing_ok=True)
