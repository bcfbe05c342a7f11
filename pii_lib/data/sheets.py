"""Reading the sheets users bring (CSV or XLSX) and recognising their columns and items.

* Columns are recognised by their header in English or Vietnamese (``Mã``, ``Chỉ số``,
  ``Giá trị``, ``Thấp nhất``, ``Cao nhất``, ``Điểm``, ``Xếp hạng``, ``Tỉnh`` …), in any order.
* XLSX: the workbook's **active sheet** is read (the one Excel shows on opening; a hidden
  active sheet or a chart sheet falls back to the first visible worksheet; other sheets are
  ignored); title rows above the header and merged cells are tolerated; a formula without a
  cached value is refused (open and save the file in Excel first) rather than read as a blank,
  wherever it is (title rows, header, any column). Workbooks are size-checked before loading:
  at most :data:`MAX_CELLS` cells and :data:`MAX_UNZIPPED` bytes unpacked.
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
from ..errors import InputError, ProblemList, has_unsafe_characters
from ..model.framework import Framework
from ..text import fold, nfc
from .numbers import ROW_INDEX
from .tables import MAX_BYTES, MAX_ROWS, check_readable, read_text_table

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


def same_field_columns(columns: list[str]) -> tuple[str, str] | None:
    """Two columns whose headers name the same field (``Điểm`` and ``Điểm số``), or None:
    reading one and ignoring the other would be a guess."""
    seen: dict[str, str] = {}
    for col in columns:
        name = _HEADER_KEYS.get(fold(col))
        if name in seen:
            return seen[name], col
        if name:
            seen[name] = col
    return None


def map_headers(columns: list[str]) -> dict[str, str]:
    """Column → field (``code``, ``name``, ``score`` …) for the headers we recognise."""
    mapping: dict[str, str] = {}
    for col in columns:
        name = _HEADER_KEYS.get(fold(col))
        if name and name not in mapping.values():
            mapping[col] = name
    return mapping


MAX_CELLS = 1_000_000            # cells of all worksheets: 100,000 rows × 10 columns
MAX_UNZIPPED = 200 * 2 ** 20     # an .xlsx is a zip: its parts unpacked
MAX_PART = 50 * 2 ** 20          # a part other than a worksheet (shared strings, styles …)
MAX_PARTS = 10_000               # zip entries
_TAG_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
_CELL_TAG = re.compile(_TAG_PREFIX + rb"c[\s>/]")
_FORMULA_TAG = re.compile(_TAG_PREFIX + rb"f[\s>/]")


def _scan_xlsx(path: Path) -> bool:
    """Check a workbook's size before openpyxl loads it whole; True when it has formulas.

    openpyxl builds every cell of every sheet in memory, so a small file that unpacks to
    millions of cells (or to gigabytes) is refused first, by counting the cell tags of the
    worksheet parts as they stream out of the zip — a fraction of a second, little memory.

    Raises
    ------
    InputError
        For a file that is not a zip, too big, or with more than :data:`MAX_CELLS` cells.
    """
    import zipfile

    if path.stat().st_size > MAX_BYTES:
        raise InputError("file_too_large", file=path, mb=MAX_BYTES // 2 ** 20)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise InputError("xlsx_invalid", file=path, kind=exc.__class__.__name__) from None
    cells, formulas = 0, False
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS or sum(info.file_size for info in parts) > MAX_UNZIPPED \
                or any(info.file_size > MAX_PART for info in parts
                       if not info.filename.startswith("xl/worksheets/")):
            raise InputError("xlsx_unzipped", file=path, mb=MAX_UNZIPPED // 2 ** 20)
        for info in parts:
            if not (info.filename.startswith("xl/worksheets/")
                    and info.filename.endswith(".xml")):
                continue
            try:
                with archive.open(info) as part:
                    carry = b""
                    while True:
                        chunk = part.read(1 << 20)
                        text = carry + chunk
                        cut = text.rfind(b"<") if chunk else len(text)
                        whole, carry = (text[:cut], text[cut:]) if cut > 0 else (text, b"")
                        cells += len(_CELL_TAG.findall(whole))
                        formulas = formulas or _FORMULA_TAG.search(whole) is not None
                        if cells > MAX_CELLS:
                            raise InputError("too_many_cells", file=path, n=MAX_CELLS)
                        if not chunk:
                            break
            except InputError:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, ValueError,
                    NotImplementedError) as exc:
                raise InputError("xlsx_invalid", file=path, kind=exc.__class__.__name__) \
                    from None
    return formulas


def _active_sheet(wb):
    """The worksheet Excel shows on opening: the active sheet when it is a visible worksheet,
    else the first visible worksheet (never a chart sheet or a hidden sheet); None if none."""
    sheets = [s for s in wb.worksheets if s.sheet_state == "visible"]
    active = wb.active
    return active if active in sheets else (sheets[0] if sheets else None)


MAX_MERGE_FILL = 10_000  # merged ranges larger than this keep their value in the top-left cell


def read_xlsx(path: Path) -> tuple[pd.DataFrame, int]:
    """The active sheet of a workbook as strings/numbers, from its header row on.

    The workbook's size is checked first (:func:`_scan_xlsx`). Only the cells the file holds
    are visited, so a stray value in row 1,000,000 or column XFD costs nothing. A formula
    without a cached value (a file written by a program, never opened in Excel) and text with
    control characters are refused, every such cell listed.

    Returns
    -------
    table, header_row
        The table (header recognised in the first 30 rows) and the header's 1-based row.
    """
    from openpyxl.utils import get_column_letter

    has_formulas = _scan_xlsx(path)
    formulas = _formula_cells(path) if has_formulas else {}
    ws = _load_sheet(path, data_only=True)
    values = _cell_values(ws)
    problems = ProblemList()
    for (r, c), formula in formulas.items():
        if values.get((r, c)) is None:
            problems.add(InputError("xlsx_formula", file=path, row=r,
                                    column=get_column_letter(c), value=formula))
    for (r, c), value in sorted(values.items()):
        if isinstance(value, str) and has_unsafe_characters(value):
            problems.add(InputError("control_characters", file=path, row=r,
                                    column=get_column_letter(c), value=value))
    problems.raise_if_any()
    _fill_merged(ws, values)
    by_row: dict[int, dict[int, object]] = {}
    for (r, c), value in values.items():
        by_row.setdefault(r, {})[c] = value
    if len(by_row) > MAX_ROWS + 1:
        raise InputError("too_many_rows", file=path, n=MAX_ROWS)
    for i in range(1, 31):
        cells = by_row.get(i, {})
        header = [nfc(str(cells.get(c, ""))) for c in range(1, max(cells, default=0) + 1)]
        if len(map_headers(header)) >= 2:
            while header and header[-1].strip() == "":
                header.pop()
            body, numbers = [], []
            for r in sorted(by_row):
                row = [by_row[r].get(c, "") for c in range(1, len(header) + 1)]
                if r > i and any(str(v).strip() for v in row):
                    body.append([nfc(v) if isinstance(v, str) else v for v in row])
                    numbers.append(r)
            _check_what_excel_shows(path, ws, header, numbers)
            return pd.DataFrame(body, columns=header, dtype=object,
                                index=pd.Index(numbers, name=ROW_INDEX)), i
    raise InputError("xlsx_header", file=path)


def _check_what_excel_shows(path: Path, ws, header: list[str], rows: list[int]) -> None:
    """Refuse what would be read differently from what the user sees in Excel: hidden (or
    filtered-out) data rows, hidden columns the import reads, numbers formatted as
    percentages (Excel shows 25% and stores 0.25; a PII value in % is 25), and a number cell
    merged over several rows (copying it to each row would invent figures; a level or a
    pillar name merged beside its rows is fine).

    Raises
    ------
    InputError
        Every such row, column and cell.
    """
    from openpyxl.utils import get_column_letter

    problems = ProblemList()
    read = [c for c, name in enumerate(header, start=1) if _HEADER_KEYS.get(fold(name))]
    hidden_columns = {c for dim in ws.column_dimensions.values() if dim.hidden
                      for c in range(dim.min or 0, (dim.max or 0) + 1)}
    for c in read:
        if c in hidden_columns:
            problems.add(InputError("xlsx_hidden_column", file=path,
                                    column=get_column_letter(c), value=header[c - 1]))
    numbers = {c for c in read if _HEADER_KEYS.get(fold(header[c - 1]))
               in ("value", "min", "max", "score", "rank")}
    first_row = min(rows, default=0)
    for merged in ws.merged_cells.ranges:  # one number shown across rows: whose is it?
        if merged.max_row > merged.min_row and merged.max_row >= first_row and \
                any(merged.min_col <= c <= merged.max_col for c in numbers):
            problems.add(InputError("xlsx_merged_number", file=path, row=merged.min_row,
                                    column=get_column_letter(merged.min_col),
                                    value=merged.coord, cells=merged.coord))
    for r in rows:
        if r in ws.row_dimensions and ws.row_dimensions[r].hidden:
            problems.add(InputError("xlsx_hidden_row", file=path, row=r))
        for c in read:
            cell = ws._cells.get((r, c))
            if cell is not None and isinstance(cell.value, (int, float)) \
                    and not isinstance(cell.value, bool) and "%" in str(cell.number_format):
                problems.add(InputError("xlsx_percent", file=path, row=r,
                                        column=get_column_letter(c),
                                        value=f"{cell.value * 100:g}%", shown=cell.value * 100))
    problems.raise_if_any()


def _load_sheet(path: Path, *, data_only: bool):
    """The sheet to read (see :func:`_active_sheet`) of a workbook loaded by openpyxl."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=data_only)
    except Exception as exc:  # noqa: BLE001 - any openpyxl failure means "not a valid xlsx"
        raise InputError("xlsx_invalid", file=path, kind=exc.__class__.__name__) from None
    ws = _active_sheet(wb)
    if ws is None:
        raise InputError("xlsx_no_sheet", file=path)
    return ws


def _cell_values(ws) -> dict[tuple[int, int], object]:
    """(row, column) → value of the cells the sheet holds (empty ones left out).

    ``ws._cells`` holds exactly the cells of the file; ``iter_rows`` would create every cell
    of the bounding box, millions for one stray value far away.
    """
    return {rc: cell.value for rc, cell in ws._cells.items()
            if cell.value is not None and cell.value != ""}


def _formula_cells(path: Path) -> dict[tuple[int, int], str]:
    """(row, column) → formula of the formula cells of the sheet to read."""
    ws = _load_sheet(path, data_only=False)
    return {rc: str(cell.value) for rc, cell in ws._cells.items() if cell.data_type == "f"}


def _fill_merged(ws, values: dict[tuple[int, int], object]) -> None:
    """Give each cell of a merged range its top-left value (a title over A1:E1, a level
    written once beside several rows), as Excel shows it."""
    for merged in ws.merged_cells.ranges:
        if merged.size["rows"] * merged.size["columns"] > MAX_MERGE_FILL:
            continue
        value = values.get((merged.min_row, merged.min_col))
        if value is None:
            continue
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                values[(r, c)] = value


def read_sheet(path: Path) -> tuple[pd.DataFrame, int]:
    """A CSV or XLSX file as a table and the row number of its header."""
    path = Path(path)
    check_readable(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if path.suffix.lower() in (".xls", ".xlsb", ".ods", ".numbers"):
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
