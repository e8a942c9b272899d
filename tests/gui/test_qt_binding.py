"""The installed Qt binding must not leak references to None.

PySide6 6.12.0 on CPython 3.11 drops one reference to None on every call of a
method that returns nothing; after a few thousand calls the interpreter aborts
("none_dealloc"). pyproject.toml keeps that release out; this test catches a
binding that brings the bug back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_void_calls_keep_none_alive(qapp):
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(200):
        probe.setObjectName("probe")
    assert sys.getrefcount(None) >= before - 5
