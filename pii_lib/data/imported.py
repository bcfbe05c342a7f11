"""Import what users actually have: a province's official profile or a national table.

Accepts CSV or XLSX with columns in any order and any subset of ``level, code, name, value,
min, max, score, rank`` (and ``province`` for a national table), in English or with the usual
Vietnamese headers (``Mã``, ``Chỉ số``, ``Giá trị``, ``Thấp nhất``, ``Cao nhất``, ``Điểm``,
``Xếp hạng``, ``Tỉnh``). Items are identified by code or by name (accent-insensitive) at any
level. Decimal commas are accepted where unambiguous. Title rows above the header and merged
cells in Excel files are tolerated. The result is the tidy dataset, validated, with the
source file recorded.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..data.tables import (TIDY_COLUMNS, complete_upper_levels, parse_number, read_text_table,
                   validate_tidy)
from ..errors import InputError
from ..files import atomic_path
from ..model.framework import Framework, edition_info, load_framework
from ..model.provinces import resolve_province
from ..method.scoring import raw_to_score
from ..text import closest, fold, nfc

HEADERS = {
    "level": ["level", "cap", "cap do", "cấp độ", "loại"],
    "code": ["code", "mã", "ma so", "mã số", "mã chỉ số", "ky hieu"],
    "name": ["name", "chỉ số", "tên", "tên chỉ số", "chi tieu", "indicator", "nội dung"],
    "value": ["value", "giá trị", "raw", "raw value", "giá trị thô", "số liệu"],
    "min": ["min", "thấp nhất", "nhỏ nhất", "giá trị thấp nhất", "national min"],
    "max": ["max", "cao nhất", "lớn nhất", "giá trị cao nhất", "national max"],
    "score": ["score", "điểm", "điểm số", "điểm chuẩn hóa"],
    "rank": ["rank", "xếp hạng", "thứ hạng", "hạng"],
    "province": ["province", "province_id", "tỉnh", "tỉnh thành phố", "địa phương", "tinh tp"],
}
_HEADER_KEYS = {fold(alias): field for field, aliases in HEADERS.items() for alias in aliases}
LEVEL_WORDS = {
    "indicator": ["indicator", "chỉ số", "chỉ số thành phần", "chi so thanh phan"],
    "subpillar": ["subpillar", "sub-pillar", "nhóm chỉ số", "chỉ số nhóm", "tiểu trụ cột"],
    "pillar": ["pillar", "trụ cột"],
    "subindex": ["subindex", "sub-index", "chỉ số phụ", "đầu vào đầu ra"],
    "pii": ["pii", "tổng", "chỉ số pii"],
}
_LEVEL_KEYS = {fold(w): lvl for lvl, words in LEVEL_WORDS.items() for w in words}
EXTRA_NAMES = {"PII": ["PII", "Chỉ số PII", "Chỉ số đổi mới sáng tạo", "Tổng điểm"],
               "IN": ["Đầu vào", "Input", "Chỉ số đầu vào", "Điểm số đầu vào"],
               "OUT": ["Đầu ra", "Output", "Chỉ số đầu ra", "Điểm số đầu ra"]}


def _map_headers(columns: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for col in columns:
        field = _HEADER_KEYS.get(fold(col))
        if field and field not in mapping.values():
            mapping[col] = field
    return mapping


def _read_xlsx(path: Path) -> tuple[pd.DataFrame, int]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any openpyxl failure means "not a valid xlsx"
        raise InputError(f"expected a valid .xlsx workbook ({exc.__class__.__name__})",
                         file=path) from None
    ws = wb.worksheets[0]
    for merged in list(ws.merged_cells.ranges):  # fill merged cells with their top-left value
        value = ws.cell(merged.min_row, merged.min_col).value
        ws.unmerge_cells(str(merged))
        for row in ws.iter_rows(min_row=merged.min_row, max_row=merged.max_row,
                                min_col=merged.min_col, max_col=merged.max_col):
            for cell in row:
                cell.value = value
    rows = [["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True)]
    for i, row in enumerate(rows[:30]):
        header = [nfc(str(v)) for v in row]
        if len(_map_headers(header)) >= 2:
            body = [r for r in rows[i + 1:] if any(str(v).strip() for v in r)]
            table = pd.DataFrame(body, columns=header).astype(object)
            return table, i + 1
    raise InputError("expected a header row with at least two known columns (e.g. Mã, Chỉ số, "
                     "Giá trị, Điểm, Xếp hạng) in the first 30 rows", file=path)


def read_profile(path: str | Path, *, edition: int, province: str | None) -> pd.DataFrame:
    """Read a profile or national table into the tidy format (not yet aggregated).

    Parameters
    ----------
    path
        CSV or XLSX file.
    edition
        Edition year the figures belong to.
    province
        Province of a single-province profile; None when the file has a province column.

    Raises
    ------
    InputError
        Naming file, row, column, value and what was expected.
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        table, header_row = _read_xlsx(path)
    else:
        table, header_row = read_text_table(path), 1
    mapping = _map_headers(list(table.columns))
    if "code" not in mapping.values() and "name" not in mapping.values():
        raise InputError("expected a 'code'/'Mã' or 'name'/'Chỉ số' column to identify items; "
                         f"found {', '.join(map(str, table.columns))}", file=path,
                         row=header_row)
    if not {"value", "score", "rank"} & set(mapping.values()):
        raise InputError("expected at least one of the columns value/Giá trị, score/Điểm, "
                         "rank/Xếp hạng", file=path, row=header_row)
    framework = load_framework(edition)
    names = _name_index(framework)
    pid_fixed = resolve_province(province, edition) if province else None
    if pid_fixed is None and "province" not in mapping.values():
        raise InputError("expected --province for a single-province profile, or a "
                         "'province'/'Tỉnh' column for a national table", file=path,
                         row=header_row)
    table = table.rename(columns=mapping)
    rows = []
    for offset, rec in enumerate(table.to_dict("records")):
        line = header_row + 1 + offset
        code = _identify(rec, framework, names, path, line)
        if code is None:
            continue
        pid = pid_fixed or resolve_province(str(rec["province"]), edition, file=str(path),
                                            row=line, column="province")
        out = {"year": edition, "province_id": pid, "level": framework.level_of(code),
               "code": code}
        for col in ("value", "min", "max", "score", "rank"):
            out[col] = parse_number(rec.get(col), file=path, row=line, column=col)
        if not math.isnan(out["score"]) and not 0 <= out["score"] <= 100:
            raise InputError("expected a score within 0–100", file=path, row=line,
                             column="score", value=rec.get("score"))
        n = int(edition_info(edition)["n_provinces"])
        if not math.isnan(out["rank"]) and (out["rank"] != int(out["rank"])
                                            or not 1 <= out["rank"] <= n):
            raise InputError(f"expected a whole rank within 1…{n} for PII {edition}", file=path,
                             row=line, column="rank", value=rec.get("rank"))
        out["source"] = f"imported: {path.name} row {line}"
        out["basis"] = "imported"
        if (math.isnan(out["score"]) and out["level"] == "indicator"
                and not any(math.isnan(out[c]) for c in ("value", "min", "max"))):
            out["score"] = raw_to_score(out["value"], out["min"], out["max"],
                                        framework.direction(code))
            out["source"] += " (score computed from value, min, max)"
        rows.append(out)
    if not rows:
        raise InputError("expected at least one data row", file=path, row=header_row + 1)
    tidy = pd.DataFrame(rows, columns=TIDY_COLUMNS)
    dup = tidy.duplicated(["province_id", "code"], keep=False)
    if dup.any():
        first = tidy[dup].iloc[1]
        raise InputError("expected each item once per province (duplicate item)", file=path,
                         row=int(first["source"].split("row ")[1].split()[0]), column="code",
                         value=first["code"])
    return tidy


def _name_index(framework: Framework) -> dict[str, str]:
    index: dict[str, str] = {}
    for rec in framework.table.to_dict("records"):
        for name in (rec["name_vi"], rec["name_en"]):
            index.setdefault(fold(name), rec["code"])
    for code, names in EXTRA_NAMES.items():
        for name in names:
            index.setdefault(fold(name), code)
    return index


def _identify(rec: dict, framework: Framework, names: dict[str, str], path: Path,
              line: int) -> str | None:
    code = str(rec.get("code", "") or "").strip().rstrip(".")
    name = str(rec.get("name", "") or "").strip()
    level_text = str(rec.get("level", "") or "").strip()
    if not code and not name:
        return None  # blank / section rows
    if code:
        if code.upper() in ("PII", "IN", "OUT"):
            code = code.upper()
        if not framework.has(code):
            raise InputError(f"expected a code of the PII {framework.edition} framework "
                             "(e.g. 2.2.3, 2.2, 2, IN, PII)", file=path, row=line,
                             column="code", value=code, has_value=True)
    else:
        code = names.get(fold(name))
        if code is None:
            hint = closest(name, [r["name_vi"] for r in framework.table.to_dict("records")])
            extra = f" (closest: '{hint[0]}')" if hint else ""
            raise InputError(f"expected the name of an item of the PII {framework.edition} "
                             f"framework{extra}; or add a 'Mã' (code) column", file=path,
                             row=line, column="name", value=name)
    if level_text:
        level = _LEVEL_KEYS.get(fold(level_text), level_text)
        if level != framework.level_of(code):
            raise InputError(f"expected level '{framework.level_of(code)}' for code {code}",
                             file=path, row=line, column="level", value=level_text)
    return code


def import_file(path: str | Path, *, edition: int, province: str | None, out_dir: str | Path
                ) -> Path:
    """Import a file and write the tidy dataset to ``out_dir`` (validated, atomic).

    Higher levels given without their children are kept as given; missing higher levels are
    computed when all their children are given (labelled ``computed``).
    """
    path = Path(path)
    tidy = read_profile(path, edition=edition, province=province)
    framework = load_framework(edition)
    tidy = complete_upper_levels(tidy, framework, path.name)
    order = {c: i for i, c in enumerate(framework.table["code"])}
    tidy = tidy.sort_values(["province_id", "code"], key=lambda s: s.map(order)
                            if s.name == "code" else s).reset_index(drop=True)
    out_dir = Path(out_dir)
    stem = province or "national"
    target = out_dir / f"{resolve_province(stem, edition) if province else stem}_{edition}.csv"
    with atomic_path(target) as tmp:
        tidy[TIDY_COLUMNS].to_csv(tmp, index=False, float_format="%.6g", lineterminator="\n")
        validate_tidy(read_text_table(tmp), tmp)  # the written file must load back cleanly
    return target


def write_template(edition: int, out: str | Path) -> Path:
    """Write a fill-in XLSX template (every item of the edition's framework, one per row)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    framework = load_framework(edition)
    wb = Workbook()
    ws = wb.active
    ws.title = f"PII {edition}"
    headers = ["Cấp", "Mã", "Chỉ số", "Giá trị", "Thấp nhất", "Cao nhất", "Điểm", "Xếp hạng"]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for rec in framework.table.to_dict("records"):
        ws.append([rec["level"], rec["code"], rec["name_vi"], None, None, None, None, None])
    widths = [11, 8, 70, 12, 12, 12, 10, 10]
    for col, width in zip("ABCDEFGH", widths):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    guide = wb.create_sheet("Hướng dẫn")
    lines = [
        f"Mẫu nhập số liệu PII {edition} cho một tỉnh/thành phố.",
        "Điền các cột có số liệu (có thể để trống): Giá trị (giá trị thô của chỉ số), Thấp nhất "
        "/ Cao nhất (giá trị thấp nhất, cao nhất cả nước), Điểm (0–100), Xếp hạng.",
        "Dấu thập phân là dấu phẩy hoặc dấu chấm (46,51 hoặc 46.51).",
        "Nhập: pii import FILE.xlsx --edition "
        f"{edition} --province <tỉnh> --out <thư mục>",
        "Fill in the columns you have (blanks allowed); decimal comma or point.",
    ]
    if not framework.complete:
        lines.append(f"Khung PII {edition} chưa công bố đầy đủ: chỉ có các mục đã công bố.")
    for line in lines:
        guide.append([line])
    guide.column_dimensions["A"].width = 120
    out = Path(out)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out
