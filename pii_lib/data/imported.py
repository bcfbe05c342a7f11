"""Import what users actually have: a province's official profile or a national table.

A CSV or XLSX file (see :mod:`pii_lib.data.sheets` for the columns and names recognised) is
checked as a whole — every problem is reported at once, nothing is written unless the file is
clean — and written as a tidy CSV that ``--data DIR`` stacks on the published figures:

* numbers with a decimal comma or point, decided per column (any ``46,51``-style value means
  decimal commas; otherwise ``.`` is the decimal point; a score is bounded 0–100);
* ranks as ``18``, ``18/63`` or ``18/34`` (the denominator must be the edition's);
* an indicator's score is computed from ``value, min, max`` when blank, and a given score that
  no rounding of ``value, min, max`` can produce (by more than 0.01) is an error naming both;
* higher levels given without their children are kept; missing higher levels are computed when
  all their children are given, written rounded to 2 decimals and labelled ``computed``;
* for an edition whose framework is partial (2025), a profile that lists sub-pillars and
  indicators under their pillars completes the framework for the runs that use the import
  (``framework_<edition>.csv`` beside the data, recorded in the report).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, ProblemList
from ..files import (atomic_path, check_out_dir, check_out_file, readable_name,
                     spreadsheet_text)
from ..method.scoring import raw_to_score
from ..model.framework import PARENT_LEVEL, Framework, edition_info, load_framework
from ..model.provinces import resolve_province
from ..text import closest
from .layers import complete_upper_levels, display_path
from .numbers import decimal_marks, parse_number, parse_rank
from .sheets import (level_of_text, map_headers, name_index, name_key, read_sheet,
                     same_field_columns, unplaced_names)
from .tables import NUMBER_COLUMNS, TIDY_COLUMNS, numbered_records, read_text_table, validate_tidy

SCORE_TOLERANCE = 0.01
_DECIMALS = re.compile(r"[.,](\d+)$")
_NODE_CODE = re.compile(r"\d{1,2}(\.\d{1,2}){1,2}")  # a sub-pillar or indicator code: 3.1, 3.1.2
FRAMEWORK_COLUMNS = ["code", "level", "parent", "name_vi"]


@dataclass
class _Context:
    """What reading a file has learnt so far: new framework nodes, last node per level."""

    framework: Framework
    names: dict[str, str]
    unplaced: dict[str, str]
    new_nodes: list[dict] = field(default_factory=list)
    last: dict[str, str] = field(default_factory=dict)

    def has(self, code: str) -> bool:
        return self.framework.has(code) or any(n["code"] == code for n in self.new_nodes)

    def level_of(self, code: str) -> str:
        if self.framework.has(code):
            return self.framework.level_of(code)
        return next(n["level"] for n in self.new_nodes if n["code"] == code)

    def n_children(self, code: str) -> int:
        return len(self.framework.children(code)) + sum(n["parent"] == code
                                                        for n in self.new_nodes)


def printed_decimals(text: object) -> int:
    """Decimals a number was printed with (``6,35`` → 2); 6 for machine numbers."""
    if isinstance(text, str):
        match = _DECIMALS.search(text.strip())
        return len(match.group(1)) if match else 0
    return 6


def score_interval(value: float, lo: float, hi: float, direction: int,
                   decimals: tuple[int, int, int]) -> tuple[float, float]:
    """The scores that raw values printed with these decimals can give (rounding included)."""
    hv, hl, hh = (0.5 * 10 ** -d for d in decimals)
    lo_s = (value - hv - lo - hl) / max(hi + hh - lo - hl, 1e-12) * 100
    hi_s = (value + hv - lo + hl) / max(hi - hh - lo + hl, 1e-12) * 100
    lo_s, hi_s = max(0.0, min(100.0, lo_s)), max(0.0, min(100.0, hi_s))
    return (lo_s, hi_s) if direction >= 0 else (100 - hi_s, 100 - lo_s)


def _identify(rec: dict, ctx: _Context, path: Path, line: int) -> str | None:
    """The framework code a row is about (adding it to the framework when completing one)."""
    code = str(rec.get("code", "") or "").strip().rstrip(".")
    name = str(rec.get("name", "") or "").strip()
    level_text = str(rec.get("level", "") or "").strip()
    if not code and not name:
        return None  # blank or section rows
    level = level_of_text(level_text) if level_text else None
    if level_text and level is None:
        raise InputError("level_word", file=path, row=line, column="level", value=level_text)
    fw = ctx.framework
    if code.upper() in ("PII", "IN", "OUT"):
        code = code.upper()
    if not code:
        code = ctx.names.get(name_key(name), "")
    if code and ctx.has(code):
        if level and level != ctx.level_of(code):
            raise InputError("level_of_code", file=path, row=line, column="level",
                             value=level_text, level=ctx.level_of(code), code=code)
        ctx.last[ctx.level_of(code)] = code
        return code
    if fw.complete:
        if code:
            raise InputError("framework_code", file=path, row=line, column="code", value=code,
                             edition=fw.edition)
        names = list(fw.table["name_vi"])

        def hint() -> tuple[str, dict] | None:  # only computed for the messages shown
            found = closest(name, names)
            return ("closest", {"name": found[0]}) if found else None

        raise InputError("item_name", file=path, row=line, column="name", value=name,
                         edition=fw.edition, hint=hint)
    return _complete(code, name, level, rec, ctx, path, line)


def _complete(code: str, name: str, level: str | None, rec: dict, ctx: _Context, path: Path,
              line: int) -> str:
    """Add a row's item to a partial framework: parent from its code or from the file's order."""
    if level is None:
        if code:
            level = {1: "pillar", 2: "subpillar", 3: "indicator"}.get(code.count(".") + 1)
        elif any(str(rec.get(c, "")).strip() for c in ("value", "min", "max")):
            level = "indicator"
    if level not in ("subpillar", "indicator"):
        raise InputError("completion_level", file=path, row=line, column="level",
                         value=code or name, edition=ctx.framework.edition)
    if code and not _NODE_CODE.fullmatch(code):
        raise InputError("framework_code", file=path, row=line, column="code", value=code,
                         edition=ctx.framework.edition)
    parent_level = PARENT_LEVEL[level]
    parent = code.rsplit(".", 1)[0] if code else ctx.last.get(parent_level, "")
    if not parent or not ctx.has(parent) or ctx.level_of(parent) != parent_level:
        raise InputError("completion_parent", file=path, row=line, column="code",
                         value=code or name, level=parent_level)
    pillar = ctx.unplaced.get(name_key(name)) if name else None
    pillar_of_parent = parent.split(".")[0]
    if pillar and pillar != pillar_of_parent:
        raise InputError("completion_pillar", file=path, row=line, column="name", value=name,
                         pillar=pillar, parent=parent)
    code = code or f"{parent}.{ctx.n_children(parent) + 1}"
    ctx.new_nodes.append({"code": code, "level": level, "parent": parent,
                          "name_vi": spreadsheet_text(name) if name else code})
    ctx.last[level] = code
    return code


def _row(rec: dict, code: str, pid: str, ctx: _Context, marks: dict, path: Path, line: int,
         n: int) -> dict:
    edition = ctx.framework.edition
    level = ctx.level_of(code)
    out = {"year": edition, "province_id": pid, "level": level, "code": code}
    problems = ProblemList()  # every bad cell of the row, not only the first
    for col in ("value", "min", "max", "score", "rank"):
        try:
            out[col] = parse_rank(rec.get(col), n, edition, file=path, row=line) \
                if col == "rank" else \
                parse_number(rec.get(col), decimal=marks.get(col, "."), file=path, row=line,
                             column=col, bounds=(0, 100) if col == "score" else None)
        except InputError as exc:
            problems.add(exc)
    problems.raise_if_any()
    if not math.isnan(out["score"]) and not 0 <= out["score"] <= 100:
        raise InputError("score_range", file=path, row=line, column="score",
                         value=rec.get("score"))
    out["source"] = spreadsheet_text(f"{readable_name(path)}:{line}")
    out["basis"] = "imported"
    raw = [out[c] for c in ("value", "min", "max")]
    if level == "indicator" and not any(math.isnan(x) for x in raw):
        direction = ctx.framework.direction(code) if ctx.framework.has(code) else 1
        if raw[1] > raw[2]:
            raise InputError("min_max", file=path, row=line, column="min", value=rec.get("min"))
        if not all(math.isfinite(x) for x in (raw[2] - raw[1], raw[0] - raw[1])):
            raise InputError("number_overflow", file=path, row=line, column="max",
                             value=rec.get("max"))  # max − min beyond the range of floats
        computed = raw_to_score(*raw, direction)
        if math.isnan(out["score"]):
            out["score"] = computed
        elif not math.isnan(computed):
            lo, hi = score_interval(*raw, direction, tuple(printed_decimals(rec.get(c)) for c in
                                                           ("value", "min", "max")))
            if not lo - SCORE_TOLERANCE <= out["score"] <= hi + SCORE_TOLERANCE:
                raise InputError("score_inconsistent", file=path, row=line, column="score",
                                 value=rec.get("score"), computed=computed, score=out["score"])
    return out


def read_profile(path: str | Path, *, edition: int, province: str | None
                 ) -> tuple[pd.DataFrame, list[dict]]:
    """Read a profile or national table into tidy rows (not yet aggregated).

    Returns
    -------
    tidy, new_nodes
        The rows, and the framework nodes the file added to a partial framework.

    Raises
    ------
    InputError
        Every problem of the file (one line each, at most 50), naming file, row, column, value
        and what was expected.
    """
    path = Path(path)
    table, header_row = read_sheet(path)
    twice = same_field_columns([str(c) for c in table.columns])
    if twice:
        raise InputError("column_twice", file=path, row=header_row, column=twice[1],
                         first=twice[0])
    mapping = map_headers(list(table.columns))
    if "code" not in mapping.values() and "name" not in mapping.values():
        raise InputError("import_identify", file=path, row=header_row,
                         found=", ".join(map(str, table.columns)))
    if not {"value", "score", "rank"} & set(mapping.values()):
        raise InputError("import_figures", file=path, row=header_row)
    framework = load_framework(edition)
    pid_fixed = resolve_province(province, edition) if province else None
    if pid_fixed is None and "province" not in mapping.values():
        raise InputError("import_province", file=path, row=header_row)
    table = table.rename(columns=mapping)
    marks = decimal_marks(table.astype(object).map(lambda v: v if isinstance(v, str) else ""),
                          NUMBER_COLUMNS, file=path)
    n = int(edition_info(edition)["n_provinces"])
    ctx = _Context(framework=framework, names=name_index(framework),
                   unplaced=unplaced_names(edition))
    problems = ProblemList()
    rows, seen = [], {}
    for line, rec in numbered_records(table, first=header_row + 1):
        try:
            code = _identify(rec, ctx, path, line)
            if code is None:
                continue
            pid = pid_fixed or resolve_province(str(rec["province"]), edition, file=str(path),
                                                row=line, column="province")
            if (pid, code) in seen:
                raise InputError("duplicate_item", file=path, row=line, column="code",
                                 value=code, first=seen[(pid, code)])
            seen[(pid, code)] = line
            rows.append(_row(rec, code, pid, ctx, marks, path, line, n))
        except InputError as exc:
            problems.add(exc)
    problems.raise_if_any()
    if not rows:
        raise InputError("no_data_rows", file=path, row=header_row + 1)
    return pd.DataFrame(rows, columns=TIDY_COLUMNS), ctx.new_nodes


def _plain(x: object) -> str:
    """A number as plain decimal text (no exponent), empty for missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return ""
    return np.format_float_positional(float(x), trim="-", precision=10)


def read_framework_extension(path: Path, base: Framework) -> list[dict]:
    """The nodes an import added to a partial framework (``framework_<edition>.csv``)."""
    table = read_text_table(path)
    missing = [c for c in FRAMEWORK_COLUMNS if c not in table.columns]
    if missing:
        raise InputError("columns_missing", file=path, row=1, missing=", ".join(missing),
                         expected=", ".join(FRAMEWORK_COLUMNS))
    problems = ProblemList()
    rows: list[dict] = []
    levels: dict[str, str] = {}
    for line, rec in numbered_records(table):
        code, level, parent = (str(rec[c]).strip() for c in ("code", "level", "parent"))
        if base.has(code):
            continue  # known since the import (the framework file was completed): keep it
        if level not in ("subpillar", "indicator"):
            problems.add(InputError("completion_level", file=path, row=line, column="level",
                                    value=level, edition=base.edition))
        elif not code or code in levels:
            problems.add(InputError("unique_code", file=path, row=line, column="code",
                                    value=code))
        elif (levels.get(parent) or (base.level_of(parent) if base.has(parent) else None)) \
                != PARENT_LEVEL[level]:
            problems.add(InputError("parent_level", file=path, row=line, column="parent",
                                    value=parent, level=PARENT_LEVEL[level]))
        else:
            levels[code] = level
            rows.append({**rec, "code": code, "level": level, "parent": parent})
    problems.raise_if_any()
    return rows


def import_file(path: str | Path, *, edition: int, province: str | None, out_dir: str | Path
                ) -> Path:
    """Import a file and write the tidy dataset to ``out_dir`` (validated, atomic).

    Returns
    -------
    Path
        The tidy CSV written (``<province>_<edition>.csv`` or ``national_<edition>.csv``).
    """
    path, out_dir = Path(path), check_out_dir(out_dir)
    stem = resolve_province(province, edition) if province else "national"
    target = check_out_file(out_dir / f"{stem}_{edition}.csv")
    check_out_file(out_dir / f"framework_{edition}.csv")  # both checked before writing either
    tidy, new_nodes = read_profile(path, edition=edition, province=province)
    framework = load_framework(edition).extended(new_nodes, display_path(path))
    tidy = complete_upper_levels(tidy, framework)
    computed = tidy["basis"] == "computed"
    tidy.loc[computed, "score"] = tidy.loc[computed, "score"].astype(float).round(2)
    order = {c: i for i, c in enumerate(framework.table["code"])}
    tidy = tidy.assign(_o=tidy["code"].map(order)).sort_values(["province_id", "_o"]) \
        .drop(columns="_o").reset_index(drop=True)
    text = tidy[TIDY_COLUMNS].astype(object).map(lambda v: v if isinstance(v, str) else
                                                 _plain(v))
    text["year"] = str(edition)
    if new_nodes:
        ext = pd.DataFrame(new_nodes)[FRAMEWORK_COLUMNS]
        with atomic_path(out_dir / f"framework_{edition}.csv") as tmp:
            ext.to_csv(tmp, index=False, lineterminator="\n")
    with atomic_path(target) as tmp:
        text.to_csv(tmp, index=False, lineterminator="\n")
        try:
            validate_tidy(read_text_table(tmp), target, framework=framework)
        except InputError as exc:  # our own output must load back: a bug, not bad input
            raise RuntimeError(f"the imported table does not load back: {exc.message}") \
                from None
    return target


def write_template(edition: int, out: str | Path) -> Path:
    """Write a fill-in XLSX template (every item of the edition's framework, one per row)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from ..present.wording import say

    out = check_out_file(out)
    framework = load_framework(edition)
    wb = Workbook()
    ws = wb.active
    ws.title = f"PII {edition}"
    ws.append(["Cấp", "Mã", "Chỉ số", "Giá trị", "Thấp nhất", "Cao nhất", "Điểm", "Xếp hạng"])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    levels = {"pii": "PII", "subindex": "Chỉ số phụ", "pillar": "Trụ cột",
              "subpillar": "Nhóm chỉ số", "indicator": "Chỉ số"}
    for rec in framework.table.to_dict("records"):
        ws.append([levels[rec["level"]], rec["code"], rec["name_vi"], None, None, None, None,
                   None])
    for col, width in zip("ABCDEFGH", [12, 8, 70, 12, 12, 12, 10, 10]):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    guide = wb.create_sheet(say("template.guide_title"))
    for key in ("intro", "columns", "decimals", "ranks", "how"):
        guide.append([say(f"template.guide.{key}", edition=edition)])
    if not framework.complete:
        guide.append([say("template.guide.partial", edition=edition,
                          n=framework.expected_count("indicator"))])
    guide.column_dimensions["A"].width = 120
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out
