"""Datasets: published figures, the demo dataset and imported files, in one tidy format.

Tidy long format, one row per edition × province × level × code::

    year, province_id, level, code, value, min, max, score, rank, source, basis

``value`` is the raw indicator value, ``min``/``max`` the edition's national bounds of that
item when known, ``source`` where the row comes from (URL, plan number, file), ``basis`` how
the number was obtained (``published``, ``demo``, ``imported``, ``computed``). Three kinds of
data exist and are never mixed: ``published`` (sparse real figures with sources), ``demo``
(synthetic, complete) and ``imported`` (a user's files).
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import DATA_DIR
from ..errors import InputError
from ..model.framework import LEVELS, Framework, edition_info, load_framework
from ..model.provinces import province_ids, resolve_province
from ..method.scoring import aggregate, score_raw
from ..text import nfc

log = logging.getLogger(__name__)

TIDY_COLUMNS = ["year", "province_id", "level", "code", "value", "min", "max", "score", "rank",
                "source", "basis"]
KEY = ["year", "province_id", "level", "code"]
PUBLISHED_DIR = DATA_DIR / "published"
DEMO_DIR = DATA_DIR / "demo"
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)?|\d{1,3}([.,]\d{3})+([.,]\d+)?)$")


def file_checksum(path: Path) -> str:
    """SHA-256 of a file (first 12 hex digits), for reproducibility stamps."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return digest[:12]


def read_text_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV file as strings, with clear errors for binary, empty or non-UTF-8 files.

    A UTF-8 byte-order mark is accepted; UTF-16 and legacy encodings (cp1258, …) are refused
    with a message saying how to save the file.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("expected an existing file", file=path)
    blob = path.read_bytes()
    if not blob.strip():
        raise InputError("expected a CSV file with a header row; the file is empty", file=path)
    if blob[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError("expected UTF-8 text; the file is UTF-16 (save it as 'CSV UTF-8')",
                         file=path)
    if b"\x00" in blob[:4096] or blob[:4] == b"PK\x03\x04":
        raise InputError("expected a text CSV file; this looks like a binary file "
                         "(Excel files must end in .xlsx)", file=path)
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = blob[: exc.start].count(b"\n") + 1
        raise InputError("expected UTF-8 text; found bytes of another encoding (e.g. cp1258 or "
                         "Windows-1252) — save the file as 'CSV UTF-8'", file=path, row=line,
                         value=blob[exc.start:exc.start + 4].hex(" "), has_value=True) from None
    from io import StringIO
    header = text.split("\n", 1)[0]
    sep = ";" if header.count(";") > header.count(",") else ","  # Excel (vi) saves with ';'
    try:
        table = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True,
                            sep=sep)
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise InputError(f"expected the same number of columns on every row ({exc})".split(
            "\n")[0], file=path, row=int(match.group(1)) if match else None) from None
    table.columns = [nfc(c) for c in table.columns]
    for col in table.columns:
        table[col] = table[col].map(nfc)
    return table


def parse_number(text: object, *, file: str | Path | None = None, row: int | None = None,
                 column: str | None = None, allow_empty: bool = True) -> float:
    """Parse a number written with ``.`` or ``,`` as decimal separator.

    ``46,51`` → 46.51; ``1.234,5`` → 1234.5; ``1,234.5`` → 1234.5. A lone separator followed
    by exactly three digits (``1.234`` / ``1,234``) is ambiguous (thousands or decimals?) and
    is refused unless the other separator also appears.

    Raises
    ------
    InputError
        For text that is not a number or is ambiguous.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        if allow_empty:
            return math.nan
        raise InputError("expected a number, found an empty cell", file=file, row=row,
                         column=column)
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool):
        return float(text)
    raw = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if raw == "":
        if allow_empty:
            return math.nan
        raise InputError("expected a number, found an empty cell", file=file, row=row,
                         column=column)
    if not _NUMBER.match(raw):
        raise InputError("expected a number", file=file, row=row, column=column, value=text)
    has_dot, has_comma = "." in raw, "," in raw
    if has_dot and has_comma:
        decimal = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        raw = raw.replace(thousands, "").replace(decimal, ".")
    elif has_dot or has_comma:
        sep = "." if has_dot else ","
        groups = raw.lstrip("+-").split(sep)
        if len(groups) > 2:  # 1.234.567 → thousands separators
            raw = raw.replace(sep, "")
        elif len(groups[1]) == 3 and groups[0] not in ("0", ""):
            raise InputError(f"ambiguous number: '{sep}' may be a decimal or a thousands "
                             "separator; write it without thousands separators",
                             file=file, row=row, column=column, value=text)
        else:
            raw = raw.replace(",", ".")
    return float(raw)


def read_raw_values(path: str | Path, edition: int) -> pd.DataFrame:
    """Read and check a raw indicator file ``province_id, code, value`` (one row per pair).

    Province names are accepted too and resolved to ids.

    Raises
    ------
    InputError
        Naming file, row, column, value and what was expected.
    """
    path = Path(path)
    table = read_text_table(path)
    need = ["province_id", "code", "value"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise InputError(f"expected columns {', '.join(need)}; missing {', '.join(missing)}",
                         file=path, row=1, column=missing[0])
    framework = load_framework(edition)
    indicators = set(framework.indicators)
    out, seen = [], {}
    for i, rec in enumerate(table.to_dict("records"), start=2):
        pid = resolve_province(rec["province_id"], edition, file=str(path), row=i,
                               column="province_id")
        code = rec["code"].strip()
        if code not in indicators:
            raise InputError(f"expected an indicator code of the PII {edition} framework "
                             "(e.g. 2.2.3)", file=path, row=i, column="code", value=code,
                             has_value=True)
        if (pid, code) in seen:
            raise InputError(f"expected one row per province and code; duplicate of row "
                             f"{seen[(pid, code)]}", file=path, row=i, column="code", value=code)
        seen[(pid, code)] = i
        value = parse_number(rec["value"], file=path, row=i, column="value")
        out.append((pid, code, value))
    if not out:
        raise InputError("expected at least one data row", file=path, row=2)
    return pd.DataFrame(out, columns=need)


@dataclass
class Dataset:
    """Scores of one edition from one kind of data.

    Attributes
    ----------
    edition, kind
        Edition year and ``published`` | ``demo`` | ``imported``.
    scores
        Tidy table (see module docstring) for that edition.
    files
        Files the data came from, with checksums: ``{path: sha256-prefix}``.
    bounds
        National ``min``/``max`` per indicator code, where known.
    n_provinces
        Number of units in the edition.
    """

    edition: int
    kind: str
    scores: pd.DataFrame
    files: dict[str, str] = field(default_factory=dict)
    bounds: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_provinces: int = 0

    @property
    def is_demo(self) -> bool:
        """True for the synthetic demonstration dataset."""
        return self.kind == "demo"

    def wide(self, column: str = "score") -> pd.DataFrame:
        """Provinces × codes table of ``score`` (or ``rank``, ``value``)."""
        return self.scores.pivot_table(index="province_id", columns="code", values=column,
                                       aggfunc="first")

    def item(self, province_id: str, code: str) -> pd.Series | None:
        """The tidy row of one province and code, or None."""
        hit = self.scores[(self.scores["province_id"] == province_id)
                          & (self.scores["code"] == code)]
        return None if hit.empty else hit.iloc[0]


def complete_upper_levels(tidy: pd.DataFrame, framework: Framework, source_note: str
                           ) -> pd.DataFrame:
    """Add aggregates that the given rows fully determine (all children given)."""
    wide = tidy.pivot_table(index="province_id", columns="code", values="score", aggfunc="first")
    if wide.empty:
        return tidy
    completed, _, _ = aggregate(wide, framework, min_coverage=1.0, keep_given=True)
    added = []
    tidy = tidy.copy()
    index = {(r["province_id"], r["code"]): i for i, r in tidy.iterrows()}
    for pid in completed.index:
        for code in completed.columns:
            val = completed.at[pid, code]
            if np.isnan(val) or (code in wide.columns and not np.isnan(wide.at[pid, code])):
                continue
            note = (f"score computed: weighted mean of {', '.join(framework.children(code))} "
                    f"({source_note})")
            if (pid, code) in index:  # e.g. a published rank without its score
                i = index[(pid, code)]
                tidy.at[i, "score"] = val
                tidy.at[i, "source"] = f"{tidy.at[i, 'source']} ; {note}"
                tidy.at[i, "basis"] = "computed"
                continue
            added.append({"year": framework.edition, "province_id": pid,
                          "level": framework.level_of(code), "code": code, "score": val,
                          "source": note, "basis": "computed"})
    if added:
        tidy = pd.concat([tidy, pd.DataFrame(added)], ignore_index=True)
    return tidy


def validate_tidy(table: pd.DataFrame, path: str | Path, *, edition: int | None = None
                  ) -> pd.DataFrame:
    """Check a tidy score table and return it typed (numbers as floats, ranks as Int64).

    Checks: required columns, known edition, level and code of that edition's framework,
    province of that edition, one row per key, scores within 0–100, ranks within 1…N.

    Raises
    ------
    InputError
        For the first problem found, naming file, row, column, value and expectation.
    """
    need = ["year", "province_id", "level", "code"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise InputError(f"expected columns {', '.join(need)} (tidy format); missing "
                         f"{', '.join(missing)}", file=path, row=1, column=missing[0])
    rows, seen = [], {}
    for i, rec in enumerate(table.to_dict("records"), start=2):
        year = rec["year"]
        try:
            info = edition_info(year)
        except InputError as exc:
            raise InputError(exc.what, file=path, row=i, column="year", value=year) from None
        year = int(year)
        if edition is not None and year != edition:
            continue
        framework = load_framework(year)
        pid = resolve_province(rec["province_id"], year, file=str(path), row=i,
                               column="province_id")
        level = rec["level"]
        if level not in LEVELS:
            raise InputError(f"expected one of {', '.join(LEVELS)}", file=path, row=i,
                             column="level", value=level, has_value=True)
        code = rec["code"]
        if not framework.has(code) or framework.level_of(code) != level:
            raise InputError(f"expected a {level} code of the PII {year} framework", file=path,
                             row=i, column="code", value=code, has_value=True)
        key = (year, pid, level, code)
        if key in seen:
            raise InputError(f"expected one row per year, province, level and code; duplicate "
                             f"of row {seen[key]}", file=path, row=i, column="code", value=code)
        seen[key] = i
        out = {"year": year, "province_id": pid, "level": level, "code": code}
        for col in ("value", "min", "max", "score", "rank"):
            out[col] = parse_number(rec.get(col, ""), file=path, row=i, column=col)
        if not math.isnan(out["score"]) and not 0 <= out["score"] <= 100:
            raise InputError("expected a score within 0–100", file=path, row=i, column="score",
                             value=rec["score"])
        n = int(info["n_provinces"])
        if not math.isnan(out["rank"]) and (out["rank"] != int(out["rank"])
                                            or not 1 <= out["rank"] <= n):
            raise InputError(f"expected a whole rank within 1…{n} for PII {year}", file=path,
                             row=i, column="rank", value=rec["rank"])
        if not math.isnan(out["min"]) and not math.isnan(out["max"]) and out["min"] > out["max"]:
            raise InputError("expected min ≤ max", file=path, row=i, column="min",
                             value=rec["min"])
        out["source"] = rec.get("source", "") or str(path)
        out["basis"] = rec.get("basis", "") or "imported"
        rows.append(out)
    result = pd.DataFrame(rows, columns=TIDY_COLUMNS)
    result["rank"] = result["rank"].astype("Int64")
    return result


def _bounds_from_rows(tidy: pd.DataFrame) -> pd.DataFrame:
    ind = tidy[(tidy["level"] == "indicator") & tidy["min"].notna() & tidy["max"].notna()]
    return ind.groupby("code")[["min", "max"]].first().reset_index()


@lru_cache(maxsize=8)
def _published(edition: int) -> Dataset:
    path = PUBLISHED_DIR / "scores.csv"
    table = read_text_table(path)
    tidy = validate_tidy(table, path, edition=edition)
    tidy["basis"] = "published"
    framework = load_framework(edition)
    tidy = complete_upper_levels(tidy, framework, "published figures")
    return Dataset(edition=edition, kind="published", scores=tidy[TIDY_COLUMNS],
                   files={str(path.relative_to(DATA_DIR.parent)): file_checksum(path)},
                   bounds=_bounds_from_rows(tidy),
                   n_provinces=int(edition_info(edition)["n_provinces"]))


@lru_cache(maxsize=8)
def _demo(edition: int) -> Dataset:
    path = DEMO_DIR / f"raw_{edition}.csv"
    if not path.exists():
        raise InputError(f"no demo data for PII {edition} (demo editions: 2023, 2024)",
                         column="edition", value=edition)
    raw = read_raw_values(path, edition)
    result = score_raw(raw, load_framework(edition))
    tidy = result.scores.copy()
    tidy.insert(0, "year", edition)
    bounds = result.bounds.set_index("code")
    is_ind = tidy["level"] == "indicator"
    tidy["min"] = tidy["code"].map(bounds["min"]).where(is_ind)
    tidy["max"] = tidy["code"].map(bounds["max"]).where(is_ind)
    rel = str(path.relative_to(DATA_DIR.parent))
    tidy["source"] = f"DEMO (synthetic): {rel}"
    tidy["basis"] = "demo"
    return Dataset(edition=edition, kind="demo", scores=tidy[TIDY_COLUMNS + ["n_available",
                                                                            "n_expected"]],
                   files={rel: file_checksum(path)}, bounds=result.bounds,
                   n_provinces=len(province_ids(edition)))


def _imported(directory: Path, edition: int) -> Dataset:
    files = sorted(directory.glob("*.csv"))
    if not files:
        raise InputError("expected a directory with tidy CSV files written by `pii import`",
                         file=directory)
    parts, checksums = [], {}
    for path in files:
        parts.append(validate_tidy(read_text_table(path), path, edition=edition))
        checksums[str(path)] = file_checksum(path)
    tidy = pd.concat(parts, ignore_index=True)
    dup = tidy.duplicated(KEY, keep=False)
    if dup.any():
        first = tidy[dup].iloc[0]
        raise InputError("expected each item in only one imported file", file=directory,
                         column="code", value=first["code"])
    framework = load_framework(edition)
    tidy = complete_upper_levels(tidy, framework, "imported figures")
    return Dataset(edition=edition, kind="imported", scores=tidy[TIDY_COLUMNS], files=checksums,
                   bounds=_bounds_from_rows(tidy),
                   n_provinces=int(edition_info(edition)["n_provinces"]))


def load_dataset(source: str | Path, edition: int) -> Dataset:
    """Load the scores of an edition.

    Parameters
    ----------
    source
        ``"published"`` (default real figures), ``"demo"`` (synthetic) or a directory of files
        written by ``pii import``.
    edition
        Edition year.
    """
    edition_info(edition)
    edition = int(edition)
    if str(source) == "published":
        return _published(edition)
    if str(source) == "demo":
        return _demo(edition)
    directory = Path(source)
    if not directory.is_dir():
        raise InputError("expected 'published', 'demo' or a directory written by `pii import`",
                         column="data", value=str(source), has_value=True)
    return _imported(directory, edition)
