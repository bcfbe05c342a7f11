"""Numbers and ranks as people and machines write them: either decimal mark, per column.

``46,51`` and ``7.398`` are both read right: a column's own values tell its decimal mark (any
``46,51``-style value means a decimal comma, any ``7.25``-style value a decimal point), else the
file's, else the point (machine-written files); a score's bounds (0–100) settle a lone
``1.234``. Ranks are written ``18``, ``18/63`` or ``18.0``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

ROW_INDEX = "row"             # index name of tables whose index is the row number in the file
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)?|\d{1,3}([.,]\d{3})+([.,]\d+)?|[.,]\d+)$")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d*,(\d{1,2}|\d{4,})$|\.\d{3},\d|^[+-]?0?,\d+$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d*\.(\d{1,2}|\d{4,})$|,\d{3}\.\d|^[+-]?0?\.\d+$")
_LONE_GROUP = re.compile(r"^[+-]?\d{1,3}[.,]\d{3}$")
_EXPONENT = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)[eE][+-]?\d{1,4}$")  # 1.5e-05, 1,5E-03
_RANK = re.compile(r"^\s*(\d+)\s*(?:/\s*(\d+))?\s*$")


def decimal_mark(values: Iterable[object]) -> str | None:
    """``","`` when some value can only be read with a decimal comma (``46,51``), ``"."`` when
    some value can only be read with a decimal point, None when the values do not tell."""
    texts = [str(v).strip().replace("\u00a0", "").replace(" ", "") for v in values
             if isinstance(v, str) and v.strip()]
    if any(_COMMA_DECIMAL.search(t) for t in texts):
        return ","
    if any(_DOT_DECIMAL.search(t) for t in texts):
        return "."
    return None


def _first_with(table: pd.DataFrame, column: str, pattern: re.Pattern) -> tuple[int, str] | None:
    for row, value in zip(_row_numbers(table), table[column]):
        if isinstance(value, str) and pattern.search(value.strip().replace("\u00a0", "")
                                                     .replace(" ", "")):
            return row, value
    return None


def _row_numbers(table: pd.DataFrame) -> list[int]:
    return [int(i) for i in table.index] if table.index.name == ROW_INDEX else \
        list(range(2, len(table) + 2))


def decimal_marks(table: pd.DataFrame, columns: Iterable[str], *,
                  file: str | Path | None = None) -> dict[str, str]:
    """Decimal mark of each number column: the column's own evidence, else the file's, else
    ``.`` (machine-written files).

    Raises
    ------
    InputError
        When a column holds values that can only be read with a decimal comma (``46,51``) and
        values that can only be read with a decimal point (``7.25``): either reading would
        turn some of them into numbers 100 or 1000 times too large.
    """
    columns = [c for c in columns if c in table.columns]
    for c in columns:
        comma = _first_with(table, c, _COMMA_DECIMAL)
        dot = _first_with(table, c, _DOT_DECIMAL) if comma else None
        if comma and dot:
            (row, value), (other_row, other) = sorted([comma, dot])[1], sorted([comma, dot])[0]
            raise InputError("decimal_mixed", file=file, row=row, column=c, value=value,
                             other=other, other_row=other_row)
    own = {c: decimal_mark(table[c]) for c in columns}
    votes = {m for m in own.values() if m}
    file_mark = votes.pop() if len(votes) == 1 else "."
    return {c: own[c] or file_mark for c in columns}


def parse_number(text: object, *, decimal: str = ".", file: str | Path | None = None,
                 row: int | None = None, column: str | None = None,
                 bounds: tuple[float, float] | None = None) -> float:
    """Parse a number written with the given decimal mark; the other mark groups thousands.

    ``46,51`` → 46.51 with ``decimal=","``; ``1.234,5`` → 1234.5; ``7.398`` → 7.398 with
    ``decimal="."``. With ``bounds`` (e.g. a score, 0–100), a value that the decimal mark puts
    outside the bounds but the other reading puts inside is refused as ambiguous. Scientific
    notation as machines write it (``1.5e-05``, ``1,5E-03``) is read; its mark can only be the
    decimal one. ``nan``, ``inf``, ``1e999`` and numbers too large for a float are refused.

    Raises
    ------
    InputError
        For text that is not a finite number, or is ambiguous.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return math.nan
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool):
        try:
            value = float(text)
        except OverflowError:  # a Python int beyond the float range
            value = math.inf
        if math.isinf(value):
            raise InputError("number_finite", file=file, row=row, column=column, value=text)
        return value
    raw = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if raw == "":
        return math.nan
    if _EXPONENT.match(raw):
        return _finite(float(raw.replace(",", ".")), text, file, row, column)
    if not _NUMBER.match(raw):
        if raw.strip("+-").lower() in _NON_FINITE:
            raise InputError("number_finite", file=file, row=row, column=column, value=text)
        raise InputError("number", file=file, row=row, column=column, value=text)
    value = _finite(_read(raw, decimal), text, file, row, column)
    other = _read(raw, "," if decimal == "." else ".")
    if other != value and _LONE_GROUP.match(raw) and decimal not in raw:
        # "1.234" with a decimal comma, or "1,234" with a decimal point: a thousands group or a
        # slip of the other decimal mark? Bounds settle it when only one reading fits them.
        fits = [v for v in (value, other) if bounds is None or bounds[0] <= v <= bounds[1]]
        if len(fits) != 1:
            raise InputError("number_ambiguous", file=file, row=row, column=column, value=text)
        return fits[0]
    if bounds is not None and not bounds[0] <= value <= bounds[1] and \
            bounds[0] <= other <= bounds[1]:
        raise InputError("number_ambiguous", file=file, row=row, column=column, value=text)
    return value


_NON_FINITE = {"nan", "inf", "infinity", "-nan"}


def _finite(value: float, text: object, file, row, column) -> float:
    """``value`` unless it is infinite (a number too large for a float: 400 digits, 1e999)."""
    if not math.isfinite(value):
        raise InputError("number_finite", file=file, row=row, column=column, value=text)
    return value


def _read(raw: str, decimal: str) -> float:
    thousands = "," if decimal == "." else "."
    return float(raw.replace(thousands, "").replace(decimal, "."))


def parse_rank(text: object, n: int, edition: int, *, file: str | Path | None = None,
               row: int | None = None, column: str | None = "rank") -> float:
    """A rank written ``18``, ``18/63`` or ``18.0``; NaN when empty.

    Raises
    ------
    InputError
        Unless it is a whole number within 1…n whose denominator, if given, is ``n``.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)) or str(text).strip() == "":
        return math.nan
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool):
        rank, total = (float(text) if abs(text) < 1e300 else math.inf), None
    else:
        match = _RANK.match(str(text).replace(".0", "", 1) if str(text).strip().endswith(".0")
                            else str(text))
        if not match:
            raise InputError("rank", file=file, row=row, column=column, value=text, n=n,
                             edition=edition)
        rank, total = float(match.group(1)), match.group(2)
    if total is not None and int(total) != n:
        raise InputError("rank_total", file=file, row=row, column=column, value=text, n=n,
                         edition=edition)
    if not 1 <= rank <= n or rank != int(rank):  # NaN and infinity fail the first test
        raise InputError("rank", file=file, row=row, column=column, value=text, n=n,
                         edition=edition)
    return rank
