"""Message templates the window shows translated: one English source, marked here.

core stays Qt-free, so it cannot translate. A message the window may show is defined
once, as a module constant wrapped in :func:`QT_TRANSLATE_NOOP` (a plain function
that returns its text; Qt's ``pyside6-lupdate`` extracts every call of that name into
the translation file) and raised or returned as ``TEMPLATE.format(name=value)``.
The CLI prints the English; the GUI (``gui.i18n.core_messages``) recognises a message
by its template, translates the template and puts the same values back in.

A template is registered when its module is imported, so every message a user can
see has its template registered by the time it is shown. Keep each template a whole
sentence with named ``{fields}``, so a translation can reorder them.
"""

from __future__ import annotations

#: the translation context of every core template
CONTEXT = "CoreMessages"

_TEMPLATES: dict[str, None] = {}  # insertion-ordered set


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate knows
    """Register ``text`` as a template the GUI translates; returns it unchanged."""
    _TEMPLATES[text] = None
    return text


def templates() -> list[str]:
    """Every template registered so far (from the core modules imported until now)."""
    return list(_TEMPLATES)
