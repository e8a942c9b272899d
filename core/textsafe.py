"""Text from file names made safe to print and to put in a CSV.

* :func:`printable`: Linux file names are bytes; Python hands the bytes that are not
  valid UTF-8 over as lone surrogates (``os.fsdecode``), which a UTF-8 terminal,
  ``print`` under a strict locale, or a UTF-8 CSV cannot take ("surrogates not
  allowed"). Each such byte is written as ``\\xNN`` instead (``caf\\xe9.png``), so
  every row survives and the name still tells which file it was.
* :func:`csv_cell`: a cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or a
  carriage return) is a formula to Excel, LibreOffice and Google Sheets: a file or class
  named ``=HYPERLINK(...)`` would run when the CSV is opened. Such cells get a leading
  apostrophe, which those programs show as text (OWASP's advice for CSV injection).
  Numbers ConvStudio writes itself (probabilities, losses) are not names and are not
  passed through it.

Plain Python: no torch, no Qt.
"""

from __future__ import annotations

import os

__all__ = ["FORMULA_STARTS", "csv_cell", "printable"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str | os.PathLike | None) -> str:
    """``text`` with every byte that is not valid UTF-8 written as ``\\xNN``."""
    if text is None:
        return ""
    text = os.fspath(text)
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace")
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")  # the file name's own bytes back
    except UnicodeEncodeError:  # a surrogate that no file name made: show its code
        return text.encode("utf-8", "backslashreplace").decode("ascii")
    return raw.decode("utf-8", "backslashreplace")


def csv_cell(text: str | os.PathLike | None) -> str:
    """A name as a CSV cell: :func:`printable`, and never read as a formula."""
    cell = printable(text)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell
