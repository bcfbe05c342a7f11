"""Reading users' tables: text CSV files and tidy scores (numbers and ranks: :mod:`.numbers`).

Tidy long format, one row per edition × province × level × code::

    year, province_id, level, code, value, min, max, score, rank, source, basis

``value`` is the raw indicator value, ``min``/``max`` the edition's national bounds of that
item when known, ``source`` where the row comes from (URL, plan number, file), ``basis`` how
the number was obtained (``published``, ``demo``, ``imported``, ``computed``).

Readers check a whole file and report every problem at once (at most 50 lines, see
:class:`~pii_lib.errors.InputErrors`); files larger than any real input are refused up front.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from ..errors import InputError, ProblemList, errno_name, has_unsafe_characters
from ..model.framework import LEVELS, edition_info, load_framework
from ..model.provinces import resolve_province
from ..text import nfc
from .numbers import ROW_INDEX, decimal_marks, parse_number, parse_rank

TIDY_COLUMNS = ["year", "province_id", "level", "code", "value", "min", "max", "score", "rank",
                "source", "basis"]
KEY = ["year", "province_id", "level", "code"]
NUMBER_COLUMNS = ("value", "min", "max", "score", "rank")
MAX_ROWS = 100_000            # far more than any real profile or national table
MAX_BYTES = 50 * 2 ** 20
MAX_LINES_IN_FILE = 1_100_000  # blank ones included: more than an Excel sheet's 1,048,576 rows
MAX_CELLS = 2_000_000          # 100,000 rows of a tidy table are 1,100,000 cells


def file_checksum(path: Path) -> str:
    """SHA-256 of a file (first 12 hex digits), for reproducibility stamps."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return digest[:12]


_SPLIT_CR = re.compile(rb"(?<=\r)(?!\n)")     # after a lone CR (old Mac line ends)
_QUOTED = re.compile(r'"[^"]*"')
SEPARATORS = (",", ";", "\t")


def check_readable(path: Path) -> None:
    """Refuse a path that is not an existing, readable file (a directory, a broken link …)."""
    if not path.is_file():
        raise InputError("file_exists", file=path)
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise InputError("file_unreadable", file=path, reason=errno_name(exc)) from None


def _check_text_file(path: Path) -> None:
    """Refuse, before reading, what is not a user's text file of sensible size: over
    :data:`MAX_BYTES`, or over :data:`MAX_LINES_IN_FILE` lines (counted in C, about 30 ms for
    50 MB: a file of 45 million empty lines took a minute to parse)."""
    check_readable(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError("file_too_large", file=path, mb=MAX_BYTES // 2 ** 20)
    with open(path, "rb") as fh:
        head = fh.read(4096)
        fh.seek(0)
        lf = cr = 0
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            lf, cr = lf + chunk.count(b"\n"), cr + chunk.count(b"\r")
    if max(lf, cr) > MAX_LINES_IN_FILE:
        raise InputError("too_many_lines", file=path, n=MAX_LINES_IN_FILE)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError("csv_utf16", file=path)
    if b"\x00" in head or head[:4] == b"PK\x03\x04":
        raise InputError("csv_binary", file=path)


def _text_lines(path: Path) -> Iterator[str]:
    """The lines of a UTF-8 file, decoded one at a time with their line ends (LF, CRLF or CR).

    Streaming keeps memory small however long the file is, and a file refused on its third
    row is refused after reading three rows.
    """
    with open(path, "rb") as fh:
        number = 0
        for raw in fh:
            if number == 0 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            for part in _SPLIT_CR.split(raw) if b"\r" in raw[:-2] else (raw,):
                number += 1
                try:
                    yield part.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InputError("csv_encoding", file=path, row=number,
                                     value=part[exc.start:exc.start + 4].hex(" ")) from None


def _separator(header_line: str) -> str:
    """The separator the header uses most (``,`` ``;`` or tab; quoted text not counted)."""
    bare = _QUOTED.sub("", header_line)
    counts = {sep: bare.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])  # ties: the first, ","
    return best if counts[best] else ","


def read_text_table(path: str | Path, *, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Read a CSV file as NFC strings, checking every row's length and text.

    A UTF-8 byte-order mark is accepted; UTF-16 and legacy encodings (cp1258, …) are refused
    with a message saying how to save the file. The separator is the one the header uses most:
    ``,``, ``;`` (Excel with Vietnamese settings) or tab. Line ends may be LF, CRLF or CR.
    Trailing empty fields (``a,b,`` or ``a;b;``) are dropped, in the header too; a row with
    more filled fields than the header, or fewer, is refused — a column never silently shifts.
    Blank rows are skipped. Text with control characters (terminal escapes …) is refused.

    The file is streamed: files over :data:`MAX_BYTES` are refused before reading, and reading
    stops as soon as the file has more than ``max_rows`` data rows.
    """
    path = Path(path)
    _check_text_file(path)
    lines = _text_lines(path)
    try:
        first = next(lines, None)
        if first is None or not first.strip():
            if first is None or not any(line.strip() for line in lines):
                raise InputError("csv_empty", file=path)
            raise InputError("csv_header", file=path, row=1, value="")
        sep = _separator(first)
        reader = csv.reader(itertools.chain([first], lines), delimiter=sep,
                            skipinitialspace=True)
        header = [nfc(c) for c in next(reader)]
        while header and header[-1].strip() == "":
            header.pop()
        if len(header) > MAX_CELLS // 100:  # 20,000 columns: no table of ours has 20
            raise InputError("too_many_cells", file=path, n=MAX_CELLS)
        if len(set(header)) != len(header) or "" in header:
            raise InputError("csv_header", file=path, row=1, value=", ".join(header))
        problems = ProblemList()
        rows, numbers = [], []
        n_rows = 0
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            n_rows += 1
            if n_rows > max_rows:
                raise InputError("too_many_rows", file=path, row=line, n=max_rows)
            if n_rows * len(header) > MAX_CELLS:
                raise InputError("too_many_cells", file=path, row=line, n=MAX_CELLS)
            while len(row) > len(header) and row[-1].strip() == "":
                row.pop()
            if len(row) != len(header):
                problems.add(InputError("csv_fields", file=path, row=line, have=len(row),
                                        want=len(header)))
                continue
            bad = next((i for i, cell in enumerate(row) if has_unsafe_characters(cell)), None)
            if bad is not None:
                problems.add(InputError("control_characters", file=path, row=line,
                                        column=header[bad], value=row[bad]))
                continue
            rows.append([nfc(cell) for cell in row])
            numbers.append(line)
    except csv.Error as exc:
        limit = "field larger than field limit" in str(exc)
        raise InputError("csv_field_long" if limit else "csv_invalid", file=path,
                         row=reader.line_num, n=csv.field_size_limit()) from None
    problems.raise_if_any()
    bad = next((c for c in header if has_unsafe_characters(c)), None)
    if bad is not None:
        raise InputError("control_characters", file=path, row=1, value=bad)
    return pd.DataFrame(rows, columns=header, dtype=object,
                        index=pd.Index(numbers, name=ROW_INDEX))


def numbered_records(table: pd.DataFrame, first: int = 2) -> Iterator[tuple[int, dict]]:
    """(row number in the file, record) of a table: the file's own numbers when the reader
    kept them (blank rows skipped do not shift the rows named in messages), else counted
    from ``first``."""
    records = table.to_dict("records")
    if table.index.name == ROW_INDEX:
        return zip((int(i) for i in table.index), records)
    return enumerate(records, start=first)


def read_raw_values(path: str | Path, edition: int) -> pd.DataFrame:
    """Read and check a raw indicator file ``province_id, code, value`` (one row per pair).

    Province names are accepted too and resolved to ids.

    Raises
    ------
    InputError
        Naming file, row, column, value and what was expected (every problem of the file).
    """
    path = Path(path)
    table = read_text_table(path)
    need = ["province_id", "code", "value"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise InputError("columns_missing", file=path, row=1, column=missing[0],
                         missing=", ".join(missing), expected=", ".join(need))
    framework = load_framework(edition)
    indicators = set(framework.indicators)
    mark = decimal_marks(table, ["value"], file=path)["value"]
    problems = ProblemList()
    out, seen = [], {}
    for i, rec in numbered_records(table):
        try:
            pid = resolve_province(rec["province_id"], edition, file=str(path), row=i,
                                   column="province_id")
            code = rec["code"].strip()
            if code not in indicators:
                raise InputError("indicator_code", file=path, row=i, column="code", value=code,
                                 edition=edition)
            if (pid, code) in seen:
                raise InputError("duplicate_row", file=path, row=i, column="code", value=code,
                                 first=seen[(pid, code)])
            seen[(pid, code)] = i
            out.append((pid, code, parse_number(rec["value"], decimal=mark, file=path, row=i,
                                                column="value")))
        except InputError as exc:
            problems.add(exc)
    problems.raise_if_any()
    if not out:
        raise InputError("no_data_rows", file=path, row=2)
    return pd.DataFrame(out, columns=need)


def validate_tidy(table: pd.DataFrame, path: str | Path, *, edition: int | None = None,
                  framework=None) -> pd.DataFrame:
    """Check a tidy score table and return it typed (numbers as floats, ranks as Int64).

    Checks: required columns, known edition, level and code of that edition's framework (or of
    ``framework`` when given), province of that edition, one row per key, scores within 0–100,
    ranks within 1…N, min ≤ max.

    Raises
    ------
    InputError
        For every problem found (one line each), naming file, row, column, value and expectation.
    """
    need = ["year", "province_id", "level", "code"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise InputError("columns_missing", file=path, row=1, column=missing[0],
                         missing=", ".join(missing), expected=", ".join(need))
    marks = decimal_marks(table, NUMBER_COLUMNS, file=path)
    problems = ProblemList()
    rows, seen = [], {}
    for i, rec in numbered_records(table):
        try:
            out = _tidy_row(rec, path, i, edition, framework, marks, seen)
        except InputError as exc:
            problems.add(exc)
            continue
        if out is not None:
            rows.append(out)
    problems.raise_if_any()
    result = pd.DataFrame(rows, columns=TIDY_COLUMNS)
    result["rank"] = result["rank"].astype("Int64")
    return result


def _tidy_row(rec: dict, path, i: int, edition: int | None, framework, marks: dict,
              seen: dict) -> dict | None:
    year = rec["year"]
    try:
        info = edition_info(year)
    except InputError as exc:
        raise exc.located(file=path, row=i, column="year") from None
    year = int(year)
    if edition is not None and year != edition:
        return None
    fw = framework if framework is not None and framework.edition == year else \
        load_framework(year)
    pid = resolve_province(rec["province_id"], year, file=str(path), row=i,
                           column="province_id")
    level, code = rec["level"], rec["code"]
    if level not in LEVELS:
        raise InputError("one_of", file=path, row=i, column="level", value=level,
                         options=", ".join(LEVELS))
    if not fw.has(code) or fw.level_of(code) != level:
        raise InputError("level_code", file=path, row=i, column="code", value=code,
                         level=level, edition=year)
    key = (year, pid, level, code)
    if key in seen:
        raise InputError("duplicate_row", file=path, row=i, column="code", value=code,
                         first=seen[key])
    seen[key] = i
    n = int(info["n_provinces"])
    out = {"year": year, "province_id": pid, "level": level, "code": code}
    problems = ProblemList()  # every bad cell of the row, not only the first
    for col in ("value", "min", "max", "score", "rank"):
        try:
            out[col] = parse_rank(rec.get(col, ""), n, year, file=path, row=i) \
                if col == "rank" else \
                parse_number(rec.get(col, ""), decimal=marks.get(col, "."), file=path, row=i,
                             column=col, bounds=(0, 100) if col == "score" else None)
        except InputError as exc:
            problems.add(exc)
    problems.raise_if_any()
    if not math.isnan(out["score"]) and not 0 <= out["score"] <= 100:
        raise InputError("score_range", file=path, row=i, column="score", value=rec["score"])
    if not math.isnan(out["min"]) and not math.isnan(out["max"]) and out["min"] > out["max"]:
        raise InputError("min_max", file=path, row=i, column="min", value=rec["min"])
    out["source"] = rec.get("source", "") or Path(path).name
    out["basis"] = rec.get("basis", "") or "imported"
    return out
