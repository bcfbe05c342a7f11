"""Reading the sheets users bring (CSV or XLSX) and recognising their columns and items.

* Columns are recognised by their header in English or Vietnamese (``Mã``, ``Chỉ số``,
  ``Giá trị``, ``Thấp nhất``, ``Cao nhất``, ``Điểm``, ``Xếp hạng``, ``Tỉnh`` …), in any order.
* XLSX: the workbook's **active sheet** is read (the one Excel shows on opening; a hidden
  active sheet falls back to the first visible one); title rows above the header and merged
  cells are tolerated; a formula without a cached value is refused (open and save the file in
  Excel first) rather than read as a blank.
* Items are identified by code or by name: the framework's names, the alias table
  ``data/framework/aliases.csv`` (names as printed in plans and profiles), accents, case,
  punctuation, thousands separators (``10.000`` = ``10000``) and common abbreviations
  (KH&CN, ĐMST, NC&PT …) do not matter.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import DATA_DIR
from ..errors import InputError
from ..model.framework import Framework
from ..text import fold, nfc
from .tables import MAX_ROWS, read_text_table

HEADERS = {
    "level": ["level", "cap", "cap do", "cấp độ", "loại"],
    "code": ["code", "mã", "ma so", "mã số", "mã chỉ số", "ky hieu", "stt mã"],
    "name": ["name", "chỉ số", "tên", "tên chỉ số", "chi tieu", "indicator", "nội dung",
             "tiêu chí", "item"],
    "value": ["value", "giá trị", "raw", "raw value", "giá trị thô", "số liệu", "giá trị thực"],
    "min": ["min", "thấp nhất", "nhỏ nhất", "giá trị thấp nhất", "national min", "min cả nước"],
    "max": ["max", "cao nhất", "lớn nhất", "giá trị cao nhất", "national max", "max cả nước"],
    "score": ["score", "điểm", "điểm số", "điểm chuẩn hóa"],
    "rank": ["rank", "xếp hạng", "thứ hạng", "hạng"],
    "province": ["province", "province_id", "tỉnh", "tỉnh thành phố", "địa phương", "tinh tp"],
}
_HEADER_KEYS = {fold(alias): name for name, aliases in HEADERS.items() for alias in aliases}
LEVEL_WORDS = {
    "indicator": ["indicator", "chỉ số", "chỉ số thành phần", "chi so thanh phan"],
    "subpillar": ["subpillar", "sub-pillar", "nhóm chỉ số", "chỉ số nhóm", "tiểu trụ cột"],
    "pillar": ["pillar", "trụ cột"],
    "subindex": ["subindex", "sub-index", "chỉ số phụ", "đầu vào đầu ra"],
    "pii": ["pii", "tổng", "chỉ số pii"],
}
LEVEL_KEYS = {fold(w): lvl for lvl, words in LEVEL_WORDS.items() for w in words}
EXTRA_NAMES = {"PII": ["PII", "Chỉ số PII", "Chỉ số đổi mới sáng tạo", "Tổng điểm"],
               "IN": ["Đầu vào", "Input", "Chỉ số đầu vào", "Điểm số đầu vào",
                      "Đầu vào đổi mới sáng tạo"],
               "OUT": ["Đầu ra", "Output", "Chỉ số đầu ra", "Điểm số đầu ra",
                       "Đầu ra đổi mới sáng tạo"]}
# Abbreviations used in plans and profiles, as folded tokens → the words they stand for.
ABBREVIATIONS = {"khcn": "khoa hoc cong nghe", "kh cn": "khoa hoc cong nghe",
                 "kh": "khoa hoc", "dmst": "doi moi sang tao", "nc pt": "nghien cuu phat trien",
                 "ncpt": "nghien cuu phat trien", "r d": "nghien cuu phat trien",
                 "gd dt": "giao duc dao tao", "dn": "doanh nghiep", "kt xh": "kinh te xa hoi",
                 "thpt": "trung hoc pho thong", "cn": "cong nghe"}
_ABBR = re.compile(r"\b(" + "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len,
                                            reverse=True)) + r")\b")
_THOUSANDS = re.compile(r"(\d)[.,\s](\d{3})\b")
_PAREN_TAIL = re.compile(r"\s*\([^)]*\)\s*$")


def name_key(name: str) -> str:
    """Matching key of an item name (accents, case, punctuation, abbreviations, "và" ignored).

    Examples
    --------
    >>> name_key("Nhân lực NC&PT/10.000 dân") == name_key("nhan luc nghien cuu va phat trien/10000 dan")
    True
    """
    text = _THOUSANDS.sub(r"\1\2", nfc(name))
    key = fold(text)
    key = _ABBR.sub(lambda m: ABBREVIATIONS[m.group(1)], key)
    return " ".join(w for w in key.split() if w not in ("va", "and", "cac", "cua"))


def map_headers(columns: list[str]) -> dict[str, str]:
    """Column → field (``code``, ``name``, ``score`` …) for the headers we recognise."""
    mapping: dict[str, str] = {}
    for col in columns:
        name = _HEADER_KEYS.get(fold(col))
        if name and name not in mapping.values():
            mapping[col] = name
    return mapping


def _active_sheet(wb):
    ws = wb.active
    if ws is None or ws.sheet_state != "visible":
        ws = next((s for s in wb.worksheets if s.sheet_state == "visible"), wb.worksheets[0])
    return ws


def read_xlsx(path: Path) -> tuple[pd.DataFrame, int]:
    """The active sheet of a workbook as strings/numbers, from its header row on.

    Returns
    -------
    table, header_row
        The table (header recognised in the first 30 rows) and the header's 1-based row.
    """
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any openpyxl failure means "not a valid xlsx"
        raise InputError("xlsx_invalid", file=path, kind=exc.__class__.__name__) from None
    ws = _active_sheet(wb)
    if ws.max_row > MAX_ROWS:
        raise InputError("too_many_rows", file=path, n=MAX_ROWS)
    ws_formulas = formulas[ws.title]
    for row in ws_formulas.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("=") and \
                    ws[cell.coordinate].value is None:
                raise InputError("xlsx_formula", file=path, row=cell.row,
                                 column=cell.column_letter, value=cell.value)
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
        if len(map_headers(header)) >= 2:
            while header and header[-1] == "":
                header.pop()
            body = [list(r[:len(header)]) for r in rows[i + 1:] if any(str(v).strip() for v in r)]
            body = [[nfc(v) if isinstance(v, str) else v for v in r] for r in body]
            return pd.DataFrame(body, columns=header, dtype=object), i + 1
    raise InputError("xlsx_header", file=path)


def read_sheet(path: Path) -> tuple[pd.DataFrame, int]:
    """A CSV or XLSX file as a table and the row number of its header."""
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path)
    if path.suffix.lower() in (".xls", ".ods"):
        raise InputError("sheet_format", file=path)
    return read_text_table(path), 1


@lru_cache(maxsize=1)
def _aliases() -> pd.DataFrame:
    path = DATA_DIR / "framework" / "aliases.csv"
    if not path.exists():
        return pd.DataFrame(columns=["edition", "code", "pillar", "alias", "source"])
    return read_text_table(path)


def name_index(framework: Framework) -> dict[str, str]:
    """Name key → code for every name an item of the framework is known by.

    Keys with a trailing parenthesis (``… (%)``) are also indexed without it; a key that would
    map to two different codes is dropped (ambiguous names must be given with a code).
    """
    candidates: dict[str, set[str]] = {}

    def add(name: str, code: str) -> None:
        for variant in {name, _PAREN_TAIL.sub("", name)}:
            key = name_key(variant)
            if key:
                candidates.setdefault(key, set()).add(code)

    for rec in framework.table.to_dict("records"):
        add(rec["name_vi"], rec["code"])
        add(rec["name_en"], rec["code"])
    for code, names in EXTRA_NAMES.items():
        for name in names:
            add(name, code)
    aliases = _aliases()
    for rec in aliases[aliases["edition"] == str(framework.edition)].to_dict("records"):
        if rec["code"] and framework.has(rec["code"]):
            add(rec["alias"], rec["code"])
    return {k: next(iter(v)) for k, v in candidates.items() if len(v) == 1}


def unplaced_names(edition: int) -> dict[str, str]:
    """Name key → pillar of items known by name whose place in the tree is not known."""
    aliases = _aliases()
    rows = aliases[(aliases["edition"] == str(edition)) & (aliases["code"] == "")]
    return {name_key(r["alias"]): r["pillar"] for r in rows.to_dict("records")}


def level_of_text(text: str) -> str | None:
    """The level a cell names (``Trụ cột`` → pillar), None when it names none."""
    return LEVEL_KEYS.get(fold(text))
