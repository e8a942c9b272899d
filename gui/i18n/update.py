"""Regenerate the translation files from the sources, and build them.

    python -m gui.i18n.update          # .ts from the sources, then the .qm files
    python -m gui.i18n.update --check  # change nothing; exit 1 when a file is stale
    python -m gui.i18n.update --fill zh.json  # also take translations from a JSON file

``pyside6-lupdate`` reads every ``self.tr``, ``ClassName.tr``,
``QCoreApplication.translate`` and ``QT_TRANSLATE_NOOP`` in gui/ and the core modules
that mark templates (:mod:`core.messages`), and merges them into
``convstudio_zh_CN.ts``: a new string arrives unfinished (translate it in Qt Linguist,
``pyside6-linguist``, or in the XML), a string gone from the sources is dropped. A
string that only moved (same English, another class) keeps its translation; ``--fill``
takes more from a JSON object {english: chinese} (a list of forms for a plural).
``convstudio_en.ts`` holds only the plural forms of English ("%n image(s)"), filled in
here. ``pyside6-lrelease`` then compiles each .ts into the .qm the app loads. Both
tools ship with PySide6-Essentials. Commit the .ts and the .qm files.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import PySide6

from gui.i18n import CHINESE, ENGLISH, FOLDER, qm_path, ts_path

ROOT = FOLDER.parents[1]
MARKER = "QT_TRANSLATE_NOOP("


def tool(name: str) -> str:
    """The path of lupdate or lrelease: PySide6's own copy, else pyside6-NAME on PATH."""
    bundled = Path(PySide6.__file__).parent / name
    if bundled.is_file():
        return str(bundled)
    found = shutil.which(f"pyside6-{name}")
    if found is None:
        raise FileNotFoundError(f"pyside6-{name} not found: pip install PySide6-Essentials")
    return found


def sources(root: Path = ROOT) -> list[str]:
    """gui/'s Python files and the core modules that mark templates (paths under root)."""
    files = sorted((root / "gui").rglob("*.py"))
    files += [p for p in sorted((root / "core").glob("*.py")) if MARKER in p.read_text("utf-8")]
    files = [p for p in files if p.name != "messages.py" or p.parent.name != "core"]
    return [str(p.relative_to(root)) for p in files]


def lupdate(ts: Path, *, plural_only: bool = False, locations: str = "none") -> None:
    """Merge the sources' strings into ``ts`` (created when missing)."""
    language = ts.stem.split("_", 1)[1]
    command = [tool("lupdate"), "-silent", "-no-obsolete", "-locations", locations]
    command += ["-source-language", "en", "-target-language", language]
    if plural_only:
        command.append("-pluralonly")
    command += [*sources(), "-ts", str(ts)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)


def lrelease(ts: Path, qm: Path) -> None:
    command = [tool("lrelease"), "-silent", "-removeidentical", str(ts), "-qm", str(qm)]
    subprocess.run(command, check=True, capture_output=True, text=True)


def english_forms(source: str) -> tuple[str, str]:
    """Singular and plural of an English source such as "%n image(s)" or "%n class(es)"."""
    singular = re.sub(r"\((?:e?s)\)", "", source)
    plural = re.sub(r"\((e?s)\)", r"\1", source)
    return singular, plural


def fill_english(ts: Path) -> int:
    """Give every unfinished plural message of the English .ts its two forms; the count."""
    tree = ET.parse(ts)
    filled = 0
    for message in tree.iter("message"):
        translation = message.find("translation")
        if translation is None or translation.get("type") != "unfinished":
            continue
        for child in list(translation):
            translation.remove(child)
        for form in english_forms(message.findtext("source", "")):
            ET.SubElement(translation, "numerusform").text = form
        translation.attrib.pop("type")
        filled += 1
    if filled:
        write_ts(tree, ts)
    return filled


def write_ts(tree: ET.ElementTree, ts: Path) -> None:
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    ts.write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n{body}\n', "utf-8")


def unfinished(ts: Path) -> list[tuple[str, str, list[str]]]:
    """(context, source, files) of every message of ``ts`` without a finished translation."""
    out = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = translation.get("type") if translation is not None else "unfinished"
            if kind in ("vanished", "obsolete"):
                continue
            texts = [translation.text or ""] + [
                f.text or "" for f in translation.iter("numerusform")
            ]
            if kind == "unfinished" or not any(t.strip() for t in texts):
                files = [loc.get("filename", "") for loc in message.iter("location")]
                out.append((name, message.findtext("source", ""), files))
    return out


def translations(ts: Path) -> dict[str, str | list[str]]:
    """{source: translation} of every finished message of ``ts`` (a list for a plural)."""
    known: dict[str, str | list[str]] = {}
    if not ts.is_file():
        return known
    for message in ET.parse(ts).getroot().iter("message"):
        translation = message.find("translation")
        if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete"):
            continue
        forms = [f.text or "" for f in translation.iter("numerusform")]
        text = forms if message.get("numerus") == "yes" else (translation.text or "")
        if any(t.strip() for t in ([text] if isinstance(text, str) else text)):
            known.setdefault(message.findtext("source", ""), text)
    return known


def reuse(ts: Path, known: dict[str, str | list[str]]) -> int:
    """Fill each unfinished message of ``ts`` whose source ``known`` translates; the count."""
    tree = ET.parse(ts)
    filled = 0
    for message in tree.iter("message"):
        translation = message.find("translation")
        source = message.findtext("source", "")
        if translation is None or translation.get("type") != "unfinished" or source not in known:
            continue
        text = known[source]
        plural = message.get("numerus") == "yes"
        if plural != isinstance(text, list):
            continue  # a plural needs its forms, a plain message one text
        for child in list(translation):
            translation.remove(child)
        if plural:
            for form in text:
                ET.SubElement(translation, "numerusform").text = form
        else:
            translation.text = text
        translation.attrib.pop("type")
        filled += 1
    if filled:
        write_ts(tree, ts)
    return filled


def refresh(ts: Path, language: str, locations: str = "none", extra: dict | None = None) -> None:
    """Merge the sources into ``ts``; English gets its plural forms (then lupdate's layout).
    A string that moved keeps its translation, and ``extra`` translates more."""
    known = {**translations(ts), **(extra or {})} if language != ENGLISH else {}
    lupdate(ts, plural_only=language == ENGLISH, locations=locations)
    if language == ENGLISH and fill_english(ts):
        lupdate(ts, plural_only=True, locations=locations)
    if known and reuse(ts, known):
        lupdate(ts, locations=locations)  # back to lupdate's own layout


def fresh_copy(language: str, folder: Path, locations: str = "absolute") -> Path:
    """The committed .ts merged with the sources as they are now, written into ``folder``."""
    target = folder / ts_path(language).name
    if ts_path(language).is_file():
        shutil.copyfile(ts_path(language), target)
    refresh(target, language, locations)
    return target


def stale_files() -> list[str]:
    """The committed .ts/.qm files that differ from what this script would write."""
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for language in (CHINESE, ENGLISH):
            ts = fresh_copy(language, Path(tmp), locations="none")
            if not ts_path(language).is_file() or ts.read_bytes() != ts_path(language).read_bytes():
                stale.append(str(ts_path(language).relative_to(ROOT)))
            qm = Path(tmp) / qm_path(language).name
            lrelease(ts_path(language) if ts_path(language).is_file() else ts, qm)
            if not qm_path(language).is_file() or qm.read_bytes() != qm_path(language).read_bytes():
                stale.append(str(qm_path(language).relative_to(ROOT)))
    return stale


def update(extra: dict | None = None) -> None:
    for language in (CHINESE, ENGLISH):
        ts = ts_path(language)
        refresh(ts, language, extra=extra if language == CHINESE else None)
        lrelease(ts, qm_path(language))
        missing = unfinished(ts)
        print(f"{ts.relative_to(ROOT)}: {len(missing)} unfinished")
        for context, source, _files in missing[:20]:
            print(f"  [{context}] {source}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gui.i18n.update", description=__doc__)
    parser.add_argument("--check", action="store_true", help="report stale files; change nothing")
    parser.add_argument(
        "--fill",
        action="append",
        default=[],
        metavar="JSON",
        help="a file of {english: chinese} translations to fill unfinished strings from",
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for name in stale:
            print(f"stale: {name}")
        return 1 if stale else 0
    extra: dict = {}
    for name in args.fill:
        extra.update(json.loads(Path(name).read_text("utf-8")))
    update(extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
