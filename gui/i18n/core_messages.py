"""Messages from core/ in the interface's language.

core is Qt-free: it raises and returns English built from templates it marks with
:func:`core.messages.QT_TRANSLATE_NOOP` (one source per message; ``pyside6-lupdate``
puts each template in the .ts under the ``CoreMessages`` context). Here a message is
matched against those templates, the matching template is translated, and the values
read from the message are put back in; a value that is itself a known message (the
reason inside "Could not read {path}: {reason}") is translated too. A message no
template matches is shown as it is.

Matching is by regular expression: a template's literal text must match exactly,
each ``{field}`` (with or without a format spec) matches any text, even none. A text
that is itself a marked string without fields (a setting's label or tip) is looked up
whole before any template is tried, so it never half-matches a loose template such as
"{where}: {field} {problem}.".
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from PySide6.QtCore import QCoreApplication

from core import messages

_FIELD = re.compile(r"\{(\w+)(?:![rsa])?(?::[^{}]*)?\}")
MAX_DEPTH = 3  # a value inside a value inside a message is as deep as core goes


@cache
def _pattern(template: str) -> re.Pattern[str] | None:
    """The regular expression of a template (None for one without fields)."""
    parts, seen, pos = [], set(), 0
    for match in _FIELD.finditer(template):
        parts.append(re.escape(template[pos : match.start()]))
        name = match.group(1)
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
        pos = match.end()
    if not seen:
        return None
    parts.append(re.escape(template[pos:]))
    return re.compile("".join(parts), re.DOTALL)


def _literal_length(template: str) -> int:
    return len(_FIELD.sub("", template))


@lru_cache(maxsize=4)
def _ordered(known: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Templates without fields (matched whole), and the others, most literal text first."""
    plain = frozenset(t for t in known if _pattern(t) is None)
    fields = sorted((t for t in known if t not in plain), key=_literal_length, reverse=True)
    return plain, tuple(fields)


def _fill(translated: str, values: dict[str, str]) -> str:
    """``translated`` with each {field} replaced by its value (format specs dropped)."""
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), translated)


def translate(text: str, depth: int = 0) -> str:
    """``text`` in the interface's language when core made it from a known template."""
    if not text or depth > MAX_DEPTH:
        return text
    plain, with_fields = _ordered(tuple(messages.templates()))
    if text in plain:
        return QCoreApplication.translate(messages.CONTEXT, text)
    for template in with_fields:
        match = _pattern(template).fullmatch(text)
        if match is None:
            continue
        translated = QCoreApplication.translate(messages.CONTEXT, template)
        values = {k: translate(v, depth + 1) for k, v in match.groupdict().items()}
        return _fill(translated, values)
    return text


def made_from(text: str, templates: tuple[str, ...]) -> bool:
    """Whether core made ``text`` from one of ``templates`` (matched as :func:`translate`
    matches them)."""
    for template in templates:
        pattern = _pattern(template)
        if text == template if pattern is None else pattern.fullmatch(text) is not None:
            return True
    return False


def fill(template: str, **values: object) -> str:
    """A core template in the interface's language with ``values`` put in (the caller
    translates values that are messages themselves)."""
    translated = QCoreApplication.translate(messages.CONTEXT, template)
    return _fill(translated, {k: str(v) for k, v in values.items()})


def translate_within(text: str, template: str) -> str:
    """``text`` with every phrase made from ``template`` translated in place (a phrase
    inside a list, such as a step of a size trail); each field is one word there."""
    pattern = _pattern(template)
    if pattern is None:
        return text.replace(template, QCoreApplication.translate(messages.CONTEXT, template))
    inline = re.compile(pattern.pattern.replace(".*?", r"\S+"))
    translated = QCoreApplication.translate(messages.CONTEXT, template)
    return inline.sub(lambda m: _fill(translated, m.groupdict()), text)


def translate_lines(text: str) -> str:
    """Each line of ``text`` translated on its own (core joins some messages by lines)."""
    return "\n".join(translate(line) for line in text.split("\n"))
