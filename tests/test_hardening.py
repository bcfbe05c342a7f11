"""Hardening round 2 (issue #11): each class of attack, tested as a class, not as one example.

1. output that can hurt the reader (formulas in XLSX, control characters, terminal escapes,
   rich markup); 2. silent wrong imports (shifted columns, hidden sheets, formulas without a
   value, non-finite numbers, duplicate YAML keys); 3. batch isolation; 4. internal errors for
   user mistakes (exit 1 instead of 2); 7. large inputs.

Every CLI case asserts the exit code, the shape of the message, that nothing was written and
that no temporary file (``.pii-tmp-*``) was left behind.
"""

from __future__ import annotations

import json
import os
import pickle
import re
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from pii_lib.errors import MAX_LINES, InputError, InputErrors, ProblemList, visible

PYTHONPATH = {"PYTHONPATH": str(ROOT)}
ESC = "\x1b[31m"


def _snapshot(folder: Path) -> dict:
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*")} if folder.exists() else {}


def _no_temporaries(folder: Path) -> None:
    assert not [p for p in folder.rglob(".pii-tmp-*")], list(folder.rglob(".pii-tmp-*"))


def _error_lines(res) -> list[str]:
    return [ln for ln in res.stderr.splitlines() if ln.strip()]


def _assert_refused(res, folder: Path, before: dict, *needles: str) -> str:
    """Exit 2, one line ``error: …expected…`` holding the needles, nothing written."""
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    lines = _error_lines(res)
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ") and "expected" in lines[0], lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert "\x1b" not in res.stderr + res.stdout
    assert _snapshot(folder) == before
    _no_temporaries(folder)
    return lines[0]


# --- messages: visible text, counted problems, lazy hints -------------------------------------

@pytest.mark.parametrize("text,shown", [
    (f"a{ESC}b", "a\\x1b[31mb"),                     # ANSI colour
    ("a\x9b2Jb", "a\\x9b2Jb"),                          # 8-bit CSI
    ("evil\u202etxt.csv", "evil\\u202etxt.csv"),        # right-to-left override
    ("bad\udcff.csv", "bad\\xff.csv"),                  # undecodable byte of a file name
    ("two\nlines\r\nhere", "two lines here"),           # no fake second line
    ("tab\tkept", "tab\tkept"),
])
def test_visible_escapes_every_kind_of_unsafe_character(text, shown):
    assert visible(text) == shown
    shown.encode("utf-8")  # always printable, whatever the terminal's error handler


def test_more_than_50_problems_are_counted_not_kept():
    problems = ProblemList()
    for i in range(130):
        problems.add(InputError("number", file="f.csv", row=i + 2, column="score", value="x"))
    with pytest.raises(InputErrors) as exc:
        problems.raise_if_any()
    lines = exc.value.lines()
    assert len(lines) == MAX_LINES + 1 and len(exc.value.problems) == MAX_LINES
    assert lines[-1] == "… and 80 more problems"
    assert lines[0] == "f.csv: row 2, column 'score', value 'x': expected a number"


def test_suggestions_are_computed_only_for_messages_shown_and_survive_pickling():
    from pii_lib.model.provinces import resolve_province

    with pytest.raises(InputError) as exc:
        resolve_province("Bac Giangg", 2023)
    assert callable(exc.value.hint)  # nothing computed yet
    copy = pickle.loads(pickle.dumps(exc.value))  # batches send errors between processes
    assert copy.message == exc.value.message
    assert "did you mean 'Bắc Giang'" in copy.message


# --- 2. silent wrong imports: columns never shift -----------------------------------------------

EXPECTED_ROWS = [("1", 67.23, 4), ("7", 66.21, 1)]
CSV_VARIANTS = {
    "trailing comma": "Mã,Điểm,Xếp hạng\n1,67.23,4,\n7,66.21,1,\n",
    "trailing semicolon": "Mã;Điểm;Xếp hạng\n1;67,23;4;\n7;66,21;1;\n",
    "header with trailing separator": "Mã;Điểm;Xếp hạng;\n1;67,23;4;\n7;66,21;1;\n",
    "header only with trailing comma": "Mã,Điểm,Xếp hạng,\n1,67.23,4\n7,66.21,1\n",
    "two trailing commas": "Mã,Điểm,Xếp hạng\n1,67.23,4,,\n7,66.21,1,,\n",
    "quoted fields": '"Mã","Điểm","Xếp hạng"\n"1","67.23","4",\n"7","66.21","1",\n',
    "quoted empty trailing": 'Mã,Điểm,Xếp hạng\n1,67.23,4,""\n7,66.21,1,""\n',
    "byte-order mark": "\ufeffMã,Điểm,Xếp hạng\n1,67.23,4,\n7,66.21,1,\n",
    "CRLF": "Mã,Điểm,Xếp hạng\r\n1,67.23,4,\r\n7,66.21,1,\r\n",
    "CR only": "Mã;Điểm;Xếp hạng\r1;67,23;4;\r7;66,21;1;\r",
    "blank trailing lines": "Mã,Điểm,Xếp hạng\n1,67.23,4,\n\n7,66.21,1,\n\n,,,\n   \n",
    "tab separated": "Mã\tĐiểm\tXếp hạng\n1\t67.23\t4\t\n7\t66.21\t1\n",
}


@pytest.mark.parametrize("case", sorted(CSV_VARIANTS))
def test_csv_variants_never_shift_columns(case, tmp_path):
    from pii_lib.data.imported import read_profile

    src = tmp_path / "p.csv"
    src.write_bytes(CSV_VARIANTS[case].encode("utf-8"))
    tidy, _ = read_profile(src, edition=2023, province="bac-giang")
    got = [(r["code"], r["score"], r["rank"]) for r in tidy.to_dict("records")]
    assert got == EXPECTED_ROWS


def test_separator_is_counted_outside_quotes(tmp_path):
    from pii_lib.data.tables import read_text_table

    src = tmp_path / "p.csv"
    src.write_text('"Mã, mục, tên";Điểm\n1;67,23;\n', encoding="utf-8")
    table = read_text_table(src)
    assert list(table.columns) == ["Mã, mục, tên", "Điểm"]
    assert table.to_dict("records") == [{"Mã, mục, tên": "1", "Điểm": "67,23"}]


@pytest.mark.parametrize("body,row", [
    ("Mã,Điểm,Xếp hạng\n1,67.23\n7,66.21,1\n", 2),               # a field missing
    ("Mã,Điểm,Xếp hạng\n1,67.23,4\n7,66.21,1,9\n", 3),            # a filled extra field
    ("Mã;Điểm;Xếp hạng\n1;67,23;4\n\n\n7;66,21;1;9;\n", 5),       # blank rows keep numbering
])
def test_rows_of_another_length_are_refused_naming_their_line(body, row, tmp_path):
    from pii_lib.data.imported import read_profile

    src = tmp_path / "p.csv"
    src.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_profile(src, edition=2023, province="bac-giang")
    assert f"p.csv: row {row}: expected 3 fields like the header, found" in exc.value.message


def test_problems_name_the_rows_of_the_file_even_after_blank_rows(tmp_path):
    from pii_lib.data.imported import read_profile

    src = tmp_path / "p.csv"
    src.write_text("Mã,Điểm\n\n1,67.23\n\n\n7,abc\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_profile(src, edition=2023, province="bac-giang")
    assert exc.value.message.endswith("p.csv: row 6, column 'score', value 'abc': "
                                      "expected a number")


def test_text_with_control_characters_in_a_csv_is_refused(tmp_path):
    from pii_lib.data.tables import read_text_table

    src = tmp_path / "t.csv"
    src.write_text(f"Mã,Chỉ số\n1.1.1,ok\n1.1.2,bad{ESC}\n1.1.3,\u202eevil\n", encoding="utf-8")
    with pytest.raises(InputErrors) as exc:
        read_text_table(src)
    assert exc.value.lines() == [
        f"{src}: row 3, column 'Chỉ số', value 'bad\\x1b[31m': expected text without control "
        "characters (terminal escapes, direction marks); remove them",
        f"{src}: row 4, column 'Chỉ số', value '\\u202eevil': expected text without control "
        "characters (terminal escapes, direction marks); remove them"]


# --- 2. silent wrong imports: which sheet, formulas without a value ------------------------------

def _workbook(path: Path, rows_by_sheet: dict[str, list[list]], *, active: int = 0,
              states: dict[str, str] | None = None, chart: bool = False) -> Path:
    """Save a workbook, then set its active tab and sheet states in ``xl/workbook.xml`` as
    Excel may leave them (openpyxl itself moves the active tab off a hidden sheet and refuses
    to save a workbook without a visible sheet)."""
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in rows_by_sheet.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    if chart:
        from openpyxl.chart import BarChart

        wb.create_chartsheet("chart", 0).add_chart(BarChart())
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    with zipfile.ZipFile(tmp) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info)
            if info.filename == "xl/workbook.xml":
                text = re.sub(r'activeTab="\d+"', f'activeTab="{active}"', blob.decode())
                for name, state in (states or {}).items():
                    text = text.replace(f'name="{name}" sheetId', f'name="{name}" x="" sheetId')
                    text = re.sub(rf'(name="{name}" x="" sheetId="\d+" )state="\w+"',
                                  rf'\g<1>state="{state}"', text)
                blob = text.replace(' x=""', "").encode()
            dst.writestr(info, blob)
    tmp.unlink()
    return path


PROFILE = [["Mã", "Điểm"], ["PII", 46.51]]
STALE = [["Mã", "Điểm"], ["PII", 10]]


@pytest.mark.parametrize("sheets,active,states,chart", [
    ({"old": STALE, "2023": PROFILE}, 1, {"old": "hidden"}, False),     # hidden first sheet
    ({"old": STALE, "2023": PROFILE, "x": STALE}, 0, {"old": "hidden"}, False),  # active hidden
    ({"old": STALE, "2023": PROFILE}, 0, {"old": "veryHidden"}, False),
    ({"2023": PROFILE, "x": STALE}, 0, {}, True),                       # a chart sheet active
])
def test_the_sheet_read_is_the_one_excel_shows(sheets, active, states, chart, tmp_path):
    """The active sheet, or — when it is hidden or a chart — the first visible worksheet."""
    from openpyxl import load_workbook

    from pii_lib.data.imported import read_profile

    path = _workbook(tmp_path / "p.xlsx", sheets, active=active, states=states, chart=chart)
    wb = load_workbook(path)
    assert wb.active.sheet_state != "visible" or chart or active == 1  # the case is real
    tidy, _ = read_profile(path, edition=2023, province="bac-giang")
    assert tidy.set_index("code").at["PII", "score"] == 46.51


def test_a_workbook_without_a_visible_worksheet_is_refused(tmp_path):
    from pii_lib.data.imported import read_profile

    path = _workbook(tmp_path / "p.xlsx", {"a": PROFILE, "b": PROFILE},
                     states={"a": "hidden", "b": "hidden"}, chart=True)
    with pytest.raises(InputError, match="expected a workbook with a visible worksheet"):
        read_profile(path, edition=2023, province="bac-giang")


@pytest.mark.parametrize("rows,where", [
    ([["=CONCAT(\"PII \", 2023)"], ["Mã", "Điểm"], ["PII", 46.51]], "row 1, column 'A'"),  # title
    ([["Mã", "=\"Điểm\""], ["PII", 46.51]], "row 1, column 'B'"),                          # header
    ([["Mã", "Điểm", "Xếp hạng"], ["PII", 46.51, "=10+1"]], "row 2, column 'C'"),          # rank
    ([["Mã", "Điểm"], ["PII", "=40+6.51"], ["1", "=67"]], "row 3, column 'B'"),            # each
])
def test_formulas_without_a_cached_value_are_refused_wherever_they_are(rows, where, tmp_path):
    from pii_lib.data.imported import read_profile

    path = _workbook(tmp_path / "f.xlsx", {"s": rows})  # formulas without cached results
    with pytest.raises(InputError) as exc:
        read_profile(path, edition=2023, province="bac-giang")
    assert f"f.xlsx: {where}, value '=" in exc.value.message
    assert "found a formula without a cached result" in exc.value.message


def test_text_that_starts_with_an_equals_sign_is_not_a_formula(tmp_path):
    from openpyxl import Workbook

    from pii_lib.data.imported import read_profile

    wb = Workbook()
    wb.active.append(["Mã", "Chỉ số", "Điểm"])
    wb.active.append(["PII", "=PII", 46.51])
    wb.active["B2"].data_type = "s"  # text typed as '=PII
    path = tmp_path / "t.xlsx"
    wb.save(path)
    tidy, _ = read_profile(path, edition=2023, province="bac-giang")
    assert list(tidy["code"]) == ["PII"]


def test_a_stray_cell_far_away_costs_nothing_and_rows_keep_their_numbers(tmp_path):
    """Only the cells the file holds are visited (iter_rows would build 1,048,576 × 16,384)."""
    from openpyxl import Workbook

    from pii_lib.data.imported import read_profile

    wb = Workbook()
    ws = wb.active
    ws.append(["Mã", "Điểm"])
    ws.append(["PII", 46.51])
    ws.cell(1_048_576, 16_384, "stray")
    ws.cell(900_000, 2, "abc")
    ws.cell(900_000, 1, "1")
    path = tmp_path / "far.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as exc:
        read_profile(path, edition=2023, province="bac-giang")
    assert "far.xlsx: row 900000, column 'score', value 'abc': expected a number" \
        in exc.value.message


def test_control_characters_in_xlsx_cells_are_refused(tmp_path):
    from pii_lib.data.imported import read_profile

    path = _workbook(tmp_path / "c.xlsx", {"s": [["Mã", "Chỉ số", "Điểm"],
                                                  ["PII", "PII \u202eevil", 46.51]]})
    with pytest.raises(InputError) as exc:
        read_profile(path, edition=2023, province="bac-giang")
    assert "c.xlsx: row 2, column 'B', value 'PII \\u202eevil': expected text without " \
        "control characters" in exc.value.message


# --- 7. large inputs -------------------------------------------------------------------------------

def test_a_million_row_csv_with_a_bad_third_row_is_refused_at_once(tmp_path, monkeypatch):
    """The reader streams and stops at the 100,000-row limit: it decodes no more lines than
    that, whatever the file's length (before the fix the whole file was loaded; a million rows
    took ~1 GB). Time and memory are measured by ``make bench``, not here."""
    from pii_lib.cli import main
    from pii_lib.data import tables

    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("province_id,code,value\nbac-giang,1.1.1,3\nbac-giang,1.1.2,abc\n")
        fh.writelines(f"ha-noi,1.1.{i % 3 + 1},{i}.25\n" for i in range(1_000_000))
    decoded = []
    original = tables._text_lines

    def counting(path):
        for line in original(path):
            decoded.append(1)
            yield line

    monkeypatch.setattr(tables, "_text_lines", counting)
    monkeypatch.setenv("PII_LANG", "en")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(SystemExit) as stop:
        code = main(["score", str(big), "--out", str(out / "s.csv")])
        raise SystemExit(code)
    assert stop.value.code == 2
    assert len(decoded) <= 100_002 + 1  # header, 100,000 rows, the refused row (+ read-ahead)
    assert not any(out.iterdir())


def test_100001_rows_are_refused_100000_are_read(tmp_path):
    from pii_lib.data.tables import MAX_ROWS, read_text_table

    src = tmp_path / "t.csv"
    src.write_text("a,b\n" + "x,1\n" * MAX_ROWS, encoding="utf-8")
    assert len(read_text_table(src)) == MAX_ROWS
    src.write_text("a,b\n" + "x,1\n" * MAX_ROWS + "\n\n,\ny,2\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_text_table(src)
    assert exc.value.message == f"{src}: row 100005: expected at most 100000 rows, far more " \
        "than any real profile"


def test_a_wide_csv_is_refused_by_its_number_of_cells(tmp_path):
    """Cells, not only rows, are bounded: 50 MB of '1,' would be 25 million Python strings."""
    from pii_lib.data.tables import MAX_CELLS, read_text_table

    src = tmp_path / "wide.csv"
    columns = 10_000
    src.write_text(",".join(f"c{i}" for i in range(columns)) + "\n"
                   + ("1," * columns + "\n") * (MAX_CELLS // columns + 5), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_text_table(src)
    assert exc.value.message == f"{src}: row {MAX_CELLS // columns + 2}: expected at most " \
        f"{MAX_CELLS} cells, far more than any real profile"
    src.write_text(",".join(f"c{i}" for i in range(MAX_CELLS // 100 + 1)) + "\n1\n")
    with pytest.raises(InputError, match="expected at most 2000000 cells"):
        read_text_table(src)


def test_files_over_50_mb_are_refused_before_reading(tmp_path):
    from pii_lib.data.tables import MAX_BYTES, read_text_table

    src = tmp_path / "big.csv"
    with src.open("wb") as fh:
        fh.write(b"a,b\n")
        fh.truncate(MAX_BYTES + 1)  # sparse: no 50 MB written
    with pytest.raises(InputError, match="expected a file under 50 MB"):
        read_text_table(src)


def _xlsx_with_cells(path: Path, rows: int, columns: int) -> Path:
    """A workbook whose sheet XML is written directly (openpyxl would take minutes)."""
    import zipfile

    template = path.with_suffix(".tmp.xlsx")
    _workbook(template, {"s": [["Mã", "Điểm"]]})
    row_xml = "".join(f'<c r="{chr(65 + c)}{{r}}"><v>1</v></c>' for c in range(columns))
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = blob.decode()
                body = "".join(f'<row r="{r}">{row_xml.replace("{r}", str(r))}</row>'
                               for r in range(2, rows + 2))
                text = text.replace("</row></sheetData>", "</row>" + body + "</sheetData>")
                blob = text.encode()
            dst.writestr(info, blob)
    template.unlink()
    return path


def test_a_workbook_with_more_cells_than_any_profile_is_refused_before_loading(tmp_path,
                                                                               monkeypatch):
    """Counted in the zip stream before openpyxl builds any cell (limit lowered to keep the
    test small; a real 1,001,000-cell file is refused the same way in about a second)."""
    import openpyxl

    from pii_lib.data import sheets

    path = _xlsx_with_cells(tmp_path / "big.xlsx", rows=10_100, columns=10)
    monkeypatch.setattr(sheets, "MAX_CELLS", 100_000)
    monkeypatch.setattr(openpyxl, "load_workbook", None)  # never reached
    with pytest.raises(InputError) as exc:
        sheets.read_sheet(path)
    assert exc.value.message == f"{path}: expected at most 100000 cells, far more than any " \
        "real profile"


@pytest.mark.parametrize("limit", ["MAX_UNZIPPED", "MAX_PART", "MAX_PARTS"])
def test_a_workbook_that_unpacks_to_more_than_the_limits_is_refused(limit, tmp_path,
                                                                     monkeypatch):
    """The total unpacked, any part but a worksheet (shared strings, styles: openpyxl parses
    them whole) and the number of zip entries are bounded (limits lowered for the test)."""
    from pii_lib.data import sheets

    path = _xlsx_with_cells(tmp_path / "b.xlsx", rows=2_000, columns=5)
    monkeypatch.setattr(sheets, limit, {"MAX_UNZIPPED": 100_000, "MAX_PART": 5_000,
                                        "MAX_PARTS": 5}[limit])
    with pytest.raises(InputError, match="expected a workbook under .* MB once unpacked"):
        sheets.read_sheet(path)


def test_a_workbook_with_too_many_filled_rows_is_refused(tmp_path, monkeypatch):
    from pii_lib.data import sheets

    path = _xlsx_with_cells(tmp_path / "r.xlsx", rows=3_000, columns=1)
    monkeypatch.setattr(sheets, "MAX_ROWS", 2_000)
    with pytest.raises(InputError, match="expected at most 2000 rows"):
        sheets.read_sheet(path)


# --- 2. silent wrong imports: numbers are finite, everywhere ---------------------------------------

NON_FINITE = ["nan", "NaN", "NAN", "inf", "-inf", "+inf", "Infinity", "-Infinity", "1e999",
              "-1E999", "9" * 400]


@pytest.mark.parametrize("column", ["Giá trị", "Thấp nhất", "Cao nhất", "Điểm", "Xếp hạng"])
@pytest.mark.parametrize("token", NON_FINITE)
def test_import_refuses_non_finite_numbers_in_every_column(column, token, tmp_path):
    from pii_lib.data.imported import read_profile

    row = {"Giá trị": "3", "Thấp nhất": "1", "Cao nhất": "5", "Điểm": "50", "Xếp hạng": "4",
           column: token}
    src = tmp_path / "p.csv"
    src.write_text(f"Mã,{','.join(row)}\n2.2.3,{','.join(row.values())}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_profile(src, edition=2023, province="bac-giang")
    message = exc.value.message
    assert message.startswith(f"{src}: row 2, column '") and "expected a" in message
    assert "finite number" in message or "whole rank" in message  # ranks: 1…63 only


@pytest.mark.parametrize("token", NON_FINITE)
def test_raw_values_for_score_and_tidy_files_refuse_non_finite_numbers(token, tmp_path):
    from pii_lib.data.tables import read_raw_values, read_text_table, validate_tidy

    raw = tmp_path / "raw.csv"
    raw.write_text(f"province_id,code,value\nbac-giang,1.1.1,{token}\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2, column 'value', .*expected a finite number"):
        read_raw_values(raw, 2023)
    for column in ("value", "min", "max", "score"):
        tidy = tmp_path / "t.csv"
        tidy.write_text(f"year,province_id,level,code,{column}\n2023,bac-giang,indicator,1.1.1,"
                        f"{token}\n", encoding="utf-8")
        with pytest.raises(InputError, match=f"column '{column}', .*expected a finite number"):
            validate_tidy(read_text_table(tidy), tidy)


def test_machine_written_exponents_are_read_and_overflowing_ones_refused(tmp_path):
    from pii_lib.data.numbers import parse_number

    assert parse_number("1.5e-05") == 1.5e-05
    assert parse_number("1,5E-03", decimal=",") == 0.0015
    with pytest.raises(InputError, match="expected a finite number"):
        parse_number("2e308")
    with pytest.raises(InputError, match="expected a finite number"):
        parse_number(10 ** 400)  # an integer cell beyond the float range


def test_a_score_that_cannot_be_computed_from_huge_bounds_is_refused(tmp_path):
    from pii_lib.data.imported import read_profile

    src = tmp_path / "p.csv"
    src.write_text("Mã,Giá trị,Thấp nhất,Cao nhất\n2.2.3,1,-1e308,1e308\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2, column 'max'.*small enough to compute"):
        read_profile(src, edition=2023, province="bac-giang")


PARAMS_NUMBERS = {
    "targets[0].target": "targets:\n  - {{code: '1.1.1', target: {v}}}\n",
    "targets[0].target raw": "targets:\n  - {{code: '1.1.1', target: {v}, target_kind: raw}}\n",
    "targets[0].baseline": "targets:\n  - {{code: '1.1.1', target: 5, baseline: {v}}}\n",
    "pillar_goals[0].score_min": "pillar_goals:\n  - {{code: '1', kind: improve, "
                                 "score_min: {v}}}\n",
    "pillar_goals[0].baseline_score": "pillar_goals:\n  - {{code: '1', kind: maintain, "
                                      "baseline_score: {v}}}\n",
}


@pytest.mark.parametrize("key", sorted(PARAMS_NUMBERS))
@pytest.mark.parametrize("token", [".nan", ".NaN", ".inf", "-.inf", "'nan'", "'inf'", "'-inf'",
                                   "1e999", "'1e999'", "'NaN'", "true"])
def test_params_refuse_non_finite_numbers_and_booleans(key, token, tmp_path):
    from pii_lib.model.params import load_params

    path = tmp_path / "p.yaml"
    path.write_text("province: bac-giang\n" + PARAMS_NUMBERS[key].format(v=token),
                    encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_params(path)
    assert exc.value.message.startswith(f"{path}: key {key.split()[0]}, value ")
    assert "expected a finite number" in exc.value.message or "expected a number" in \
        exc.value.message


def test_analyze_json_is_strict_json_even_with_extreme_targets(tmp_path, cli):
    """``--json`` output never holds NaN/Infinity (not JSON); huge raw targets give nulls."""
    params = tmp_path / "p.yaml"
    params.write_text("province: bac-giang\ntargets:\n"
                      "  - {code: '2.2.3', target: 1.0e+308, target_kind: raw}\n"
                      "  - {code: '1.1.1', target: 100, baseline: 0}\n"
                      "  - {code: '1.1.2', target: 0}\n", encoding="utf-8")

    def refuse(constant):
        raise AssertionError(f"not JSON: {constant}")

    for data in ("published", "demo"):
        res = cli("analyze", "bac-giang", "--params", params, "--json", "--data", data)
        assert res.returncode == 0, res.stderr
        json.loads(res.stdout, parse_constant=refuse)


# --- 1. output that can hurt the reader: params text ----------------------------------------------

FULL_PARAMS = {
    "province": "bac-giang",
    "plan": {"number": "41/KH-UBND", "date": "2024-07-09", "title": "t", "issuer": "i",
             "signer": "s", "source": "x"},
    "target_year": 2025,
    "goal": {"rank": 10, "text": "t"},
    "pillar_goals": [{"code": "1", "kind": "improve", "text": "t"}],
    "targets": [{"code": "1.1.1", "target": 50, "name": "n", "lead": "l", "partners": ["a", "b"],
                 "timeline": "t", "actions": ["a", "b"], "note": "n"}],
    "responsibilities": [{"code": "1.1.2", "lead": "l", "partners": ["p", "q"], "note": "n"}],
    "published_strengths": {"codes": ["1.1.1"], "quote": "q", "section": "s"},
    "published_weaknesses": {"codes": ["1.1.2"], "quote": "q", "section": "s"},
    "notes": ["n", "m"],
}


def _text_paths(node, path=()):
    """Key paths of every text value (dates and codes left out: they have their own checks)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _text_paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _text_paths(value, path + (i,))
    elif isinstance(node, str) and path[-1] not in ("date", "kind", "code") \
            and "codes" not in path:
        yield path


def _free_text_paths():
    """Text a plan writes freely (the province must name a province)."""
    return [p for p in _text_paths(FULL_PARAMS) if p != ("province",)]


def _with(data, path, value):
    import copy

    data = copy.deepcopy(data)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def _key(path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p)
                   for i, p in enumerate(path))


def test_full_params_cover_every_text_field_of_the_schema():
    """The walk below reaches every str field of every params model (a new field is tested)."""
    import typing

    from pii_lib.model import params as schema

    def text_fields(model, prefix=""):
        for name, field in model.model_fields.items():
            if name == "source_file":
                continue
            args = typing.get_args(field.annotation) or (field.annotation,)
            for arg in args:
                inner = typing.get_args(arg)
                if arg is str or str in inner:
                    yield prefix + name
                elif isinstance(arg, type) and issubclass(arg, schema.BaseModel):
                    yield from text_fields(arg, prefix + name + ".")
                elif inner and isinstance(inner[0], type) and issubclass(inner[0],
                                                                         schema.BaseModel):
                    yield from text_fields(inner[0], prefix + name + ".")

    covered = {".".join(p for p in path if isinstance(p, str))
               for path in _text_paths(FULL_PARAMS)}
    wanted = {f for f in text_fields(schema.Params)
              if not f.endswith((".code", ".codes", ".kind", ".date"))}
    assert wanted <= covered, wanted - covered


@pytest.mark.parametrize("bad", ["\x1b[2J", "\x00", "\x07", "\x7f", "\x9b31m", "\u202e",
                                 "\u2066", "\ufffe", "\ud800"])
def test_unsafe_characters_are_refused_in_every_text_field(bad, tmp_path):
    import yaml

    from pii_lib.model.params import load_params

    for path in _text_paths(FULL_PARAMS):
        file = tmp_path / "p.yaml"
        text = yaml.safe_dump(_with(FULL_PARAMS, path, f"ok {bad} text"), allow_unicode=False)
        file.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as exc:
            load_params(file)
        message = exc.value.message
        assert message.startswith(f"{file}: ") and "expected text without control characters" \
            in message or "expected a valid" in message, (path, message)
        assert "\x1b" not in message and "\u202e" not in message


def test_export_plan_with_control_characters_exits_2_and_writes_nothing(tmp_path, cli):
    import yaml

    params = tmp_path / "p.yaml"
    params.write_text(yaml.safe_dump(_with(FULL_PARAMS, ("targets", 0, "partners", 1),
                                           "Sở\x1b[31m")), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    before = _snapshot(out)
    for fmt in ("xlsx", "docx"):
        res = cli("export-plan", "bac-giang", "--params", params, "--format", fmt, "--out",
                  out / f"a.{fmt}")
        _assert_refused(res, out, before, f"{params}: key targets[0].partners[1], value "
                        "'Sở\\x1b[31m': expected text without control characters")


FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "=1+1\tx",
            "=cmd|' /C calc'!A0"]


def test_xlsx_export_stores_every_text_cell_as_text(tmp_path):
    """Every sheet, every cell (title rows, headers, every text column): text cells, never a
    formula, and those that look like one carry the quote prefix."""
    import zipfile

    from openpyxl import load_workbook

    from pii_lib.model.params import load_params
    from pii_lib.present.export_office import export_xlsx

    data = dict(FULL_PARAMS)
    for i, path in enumerate(_free_text_paths()):
        data = _with(data, path, FORMULAS[i % len(FORMULAS)])
    import yaml

    file = tmp_path / "p.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = export_xlsx(load_params(file), tmp_path / "a.xlsx", lang="en")
    with zipfile.ZipFile(out) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 2
        for name in sheets:
            assert not re.search(rb"<(\w+:)?f[\s>]", archive.read(name)), name  # no formula
    wb = load_workbook(out)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    if cell.value.startswith(("=", "+", "-", "@")):
                        assert cell.quotePrefix, (ws.title, cell.coordinate)
                    seen.update(f for f in FORMULAS if f in cell.value)
    assert seen == set(FORMULAS)  # every text field reached a cell


def test_docx_export_of_formula_like_text_works(tmp_path):
    import yaml

    from pii_lib.model.params import load_params
    from pii_lib.present.export_office import export_docx

    data = dict(FULL_PARAMS)
    for i, path in enumerate(_free_text_paths()):
        data = _with(data, path, FORMULAS[i % len(FORMULAS)] + " Sở KH&CN <b>")
    file = tmp_path / "p.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = export_docx(load_params(file), tmp_path / "a.docx", lang="vi")
    from docx import Document

    text = "\n".join(c.text for t in Document(out).tables for r in t.rows for c in r.cells)
    assert "=cmd|' /C calc'!A0 Sở KH&CN <b>" in text


def test_params_text_longer_than_an_excel_cell_allows_is_refused(tmp_path):
    from pii_lib.model.params import MAX_TEXT, load_params

    file = tmp_path / "p.yaml"
    file.write_text(f"province: bac-giang\nplan: {{title: '{'x' * (MAX_TEXT + 1)}'}}\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="key plan.title, .*expected text of at most 10000"):
        load_params(file)


# --- 2./4. YAML: duplicate keys anywhere, budgets, syntax worded from the catalogue --------------

@pytest.mark.parametrize("text,row,key", [
    ("province: bac-giang\nprovince: ha-noi\n", 2, "province"),
    ("province: bac-giang\nplan:\n  number: a\n  title: t\n  number: b\n", 5, "number"),
    ("province: bac-giang\ntargets:\n  - code: '1.1.1'\n    target: 5\n  - code: '1.1.2'\n"
     "    target: 6\n    target: 7\n", 7, "target"),                 # in a list of mappings
    ("province: bac-giang\ngoal: {rank: 5, text: a, rank: 6}\n", 2, "rank"),   # flow mapping
    ("province: bac-giang\nresponsibilities:\n  - {code: '1.1.1', lead: a, partners: [x],"
     " lead: b}\n", 3, "lead"),
    ("province: bac-giang\nx: {1: a, 1.0: b}\n", 2, "1.0"),        # equal keys, other spelling
])
def test_duplicate_keys_are_refused_at_any_depth(text, row, key, tmp_path):
    from pii_lib.model.params import load_params

    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_params(path)
    assert exc.value.message.startswith(f"{path}: row {row}: expected each key once; '{key}' "
                                        "was already given on line")


@pytest.mark.parametrize("text,needle", [
    ("province: bac-giang\nbase: &b {rank: 5}\ngoal:\n  <<: *b\n  rank: 6\n",
     "row 4: expected plain keys; YAML merge keys (<<) are not supported"),
    ("province: bac-giang\nplan:\n\tnumber: a\n", "row 3: expected valid YAML indented with "
     "spaces; found a tab"),
    ("province: bac-giang\nplan:\n  title: \"open\n", "row 3: expected a closing quote"),
    ("province: bac-giang\nplan: *nothing\n", "row 2: expected plain values; this YAML alias"),
    ("province: bac-giang\nplan:\n  title: a\x00b\n", "row 3, value '\\x00': expected text "
     "without control characters"),
    ("province: bac-giang\nplan: {date: 2024-02-30}\n", "key plan.date, value '2024-02-30': "
     "expected a valid date"),
    ("province: bac-giang\nplan: {date: 20240101}\n", "key plan.date, value '20240101': "
     "expected a date as YEAR-MONTH-DAY"),
    ("province: bac-giang\nbaseline_edition: abc\n", "key baseline_edition, value 'abc': "
     "expected a whole number"),
    ("province: bac-giang\ntarget_year: 99999999999999999999\n", "key target_year, value "
     "'99999999999999999999': expected a number less than or equal to 2100"),
    ("province: bac-giang\nx: " + "[" * 20_000 + "]" * 20_000 + "\n",
     "row 2: expected nesting of at most 40 levels"),
    ("province: bac-giang\nnotes:\n" + "  - a\n" * 20_001,
     "expected at most 20000 values in a params file"),
    ("province: bac-giang\nnotes: ['" + "a" * (1024 * 1024) + "']\n",
     "expected a file under 1 MB"),
])
def test_yaml_mistakes_are_bad_input_worded_from_the_catalogue(text, needle, tmp_path):
    from pii_lib.model.params import load_params

    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_params(path)
    assert exc.value.message.startswith(f"{path}: ") and needle in exc.value.message


def test_yaml_alias_bomb_under_an_unknown_key_is_refused_at_once(tmp_path):
    """Aliases are counted while composing, so the billion-laugh expansion never starts: the
    refusal names the 21st alias's row (measured: 3 ms; before the alias budget it ran for a
    minute into a MemoryError)."""
    from pii_lib.model.params import load_params

    lines = ["province: bac-giang", "unknown:", "  a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_params(path)
    assert exc.value.message == f"{path}: row 6: expected at most 20 YAML aliases; plan " \
        "parameters need none"


def test_params_for_reports_a_directory_or_a_bad_edition_instead_of_ignoring_it(tmp_path,
                                                                                  monkeypatch):
    from pii_lib.model import params

    monkeypatch.setattr(params, "PARAMS_DIR", tmp_path)
    (tmp_path / "bac-giang.yaml").mkdir()
    (tmp_path / "ha-noi.yaml").write_text("province: ha-noi\nbaseline_edition: yes\n")
    (tmp_path / "hung-yen.yaml").write_text("province: hung-yen\nbaseline_edition: 1e400\n")
    (tmp_path / "lao-cai.yaml").write_text("province: lao-cai\nbaseline_edition: 2024\n")
    for pid in ("bac-giang", "ha-noi", "hung-yen"):
        assert params.params_for(pid, 2023) == str(tmp_path / f"{pid}.yaml")
        with pytest.raises(InputError):
            params.load_params(params.params_for(pid, 2023))
    assert params.params_for("lao-cai", 2023) == ""  # params of another edition
    assert params.params_for("lao-cai", 2024) == str(tmp_path / "lao-cai.yaml")
    assert params.params_for("ca-mau", 2023) == ""


# --- 3. batch isolation ------------------------------------------------------------------------------

BAD_PARAMS = {
    "bac-giang": ("- a\n- b\n", "value 'list': expected a YAML mapping"),
    "hung-yen": ("province: hung-yen\nplan: {date: 2024-02-30}\n",
                 "key plan.date, value '2024-02-30': expected a valid date"),
    "ha-noi": ("province: ha-noi\nbaseline_edition: abc\n",
               "key baseline_edition, value 'abc': expected a whole number"),
    "nam-dinh": ("province: nam-dinh\ntargets:\n  - {code: '[/x]', target: 5}\n",
                 "key targets[0].code, value '[/x]': expected an indicator code"),
    "thai-binh": (None, "expected an existing params YAML file"),   # a directory
    "thai-nguyen": ('province: "thai-nguyen\\e[31m"\n', "key province, value "
                    "'thai-nguyen\\x1b[31m': expected text without control characters"),
}


@pytest.mark.e2e
def test_bad_params_fail_alone_and_markup_is_never_interpreted(tmp_path):
    """One batch: six provinces with bad params (a YAML list, an impossible date, a
    non-numeric edition, a message holding '[/x]', a directory, an escape code) fail alone
    with their cause, on the progress console and in the summary; the seventh, named three
    times through aliases, is written once; paths with '[draft]', '[/b]' and ':bomb:' print as
    they are."""
    params = tmp_path / "params"
    params.mkdir()
    for pid, (text, _) in BAD_PARAMS.items():
        if text is None:
            (params / f"{pid}.yaml").mkdir()
        else:
            (params / f"{pid}.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "a[/b]" / "[draft] :bomb:"
    only = ",".join(BAD_PARAMS) + ",lao-cai,Lào Cai,LAO CAI"
    res = run_cli("report", "--all", "--data", "demo", "--formats", "html", "--renderer",
                  "builtin", "--only", only, "--out", out, "--jobs", "1",
                  env={"PII_PARAMS_DIR": str(params), **PYTHONPATH}, timeout=600)
    assert res.returncode == 1, res.stderr
    folder = out / "demo" / "2023"
    assert res.stdout.strip().splitlines()[-1] == (
        f"1 of 7 reports ok (0 unchanged, skipped); index: {folder / 'index.en.html'}")
    failed = [ln for ln in res.stderr.splitlines() if ln.startswith("failed ")]
    for pid, (_, cause) in BAD_PARAMS.items():
        mine = [ln for ln in failed if ln.startswith(f"failed {pid}: {params / pid}.yaml")]
        assert len(mine) == 2 and all(cause in ln for ln in mine), (pid, failed)  # bar + end
        assert not (folder / pid).exists()
    assert (folder / "lao-cai" / "lao-cai.en.html").exists()
    assert (folder / "index.en.html").exists()
    assert "\x1b" not in res.stderr + res.stdout and "💣" not in res.stderr + res.stdout
    _no_temporaries(tmp_path)


@pytest.mark.parametrize("argv,needle", [
    (["--only", ","], "column '--only', value ',': expected at least one province in --only"),
    (["--only", " , "], "expected at least one province in --only"),
    (["--only", "lao-cai,Atlantis"], "column '--only', value 'Atlantis': expected a province"),
    (["--params", "missing.yaml"], "column '--params', value 'missing.yaml': expected no "
                                   "--params with --all"),
])
def test_batch_options_are_checked_before_any_work(argv, needle, tmp_path, cli):
    out = tmp_path / "r"
    before = _snapshot(tmp_path)
    res = cli("report", "--all", "--data", "demo", "--formats", "html", "--renderer",
              "builtin", "--out", out, *argv, cwd=tmp_path)
    _assert_refused(res, tmp_path, before, needle)
    assert not out.exists()


def test_wanted_provinces_drops_the_same_province_named_through_aliases():
    from pii_lib.run.batch import wanted_provinces

    assert wanted_provinces("Hà Nội,ha-noi,HA NOI, hà nội ,bac-giang", 2023) == [
        "ha-noi", "bac-giang"]


# --- 1. the terminal: nothing from input is interpreted ----------------------------------------------

def test_json_output_escapes_what_a_terminal_would_act_on():
    from pii_lib.cli import json_text

    data = {"source": "p\x9b2J\u202e.csv\udcff:2", "name": "Bắc Giang", "x": None}
    text = json_text(data)
    assert text == ('{\n "source": "p\\u009b2J\\u202e.csv\\udcff:2",\n "name": "Bắc Giang",\n'
                    ' "x": null\n}')
    assert json.loads(text) == data
    with pytest.raises(ValueError):
        json_text({"x": float("nan")})


def _cli_case(tmp_path, name: str):
    """(argv, expected exit code, text that must be on the output, escaped)."""
    raw = tmp_path / "raw.csv"
    raw.write_text("province_id,code,value\nbac-giang,1.1.1,3\n", encoding="utf-8")
    if name == "value naming an escape":
        raw.write_text(f"province_id,code,value\nbac-giang,1.1.1,3{ESC}\n", encoding="utf-8")
        return ["score", raw, "--out", tmp_path / "out" / "s.csv"], 2, "value '3\\x1b[31m'"
    if name == "file name with an escape":
        bad = tmp_path / f"p{ESC}.csv"
        bad.write_text("Mã,Điểm\nPII,abc\n", encoding="utf-8")
        return ["import", bad, "--province", "bac-giang", "--out", tmp_path / "out"], 2, \
            "p\\x1b[31m.csv: row 2"
    if name == "province name with an escape":
        return ["analyze", f"\x1b[2JBắc{ESC}"], 2, "value '\\x1b[2JBắc\\x1b[31m'"
    if name == "out path with an OSC title escape":
        target = tmp_path / "out" / "t\x1b]0;pwned\x07.xlsx"
        return ["template", "--out", target], 0, "t\\x1b]0;pwned\\x07.xlsx"
    if name == "out path with a right-to-left override":
        target = tmp_path / "out" / "report\u202exslx.csv"
        return ["score", raw, "--out", target], 0, "report\\u202exslx.csv"
    if name == "non-UTF-8 file name":
        good = Path(os.fsdecode(bytes(tmp_path / "out") + b"/p\xff.csv"))
        good.parent.mkdir()
        good.write_text("Mã,Điểm\nPII,46.51\n", encoding="utf-8")
        return ["import", good, "--province", "bac-giang", "--out", tmp_path / "imp"], 0, \
            "bac-giang_2023.csv"
    raise KeyError(name)


@pytest.mark.parametrize("name", ["value naming an escape", "file name with an escape",
                                  "province name with an escape",
                                  "out path with an OSC title escape",
                                  "out path with a right-to-left override",
                                  "non-UTF-8 file name"])
def test_text_echoed_to_the_terminal_never_carries_escapes(name, tmp_path, cli):
    argv, code, shown = _cli_case(tmp_path, name)
    res = cli(*argv, cwd=tmp_path)
    assert res.returncode == code, res.stderr
    printed = res.stdout + res.stderr
    assert shown in printed
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", printed)
    if name == "non-UTF-8 file name":  # the name is written as text the CSV can hold
        tidy = (tmp_path / "imp" / "bac-giang_2023.csv").read_text(encoding="utf-8")
        assert "p\ufffd.csv:2" in tidy


# --- 4. user mistakes are bad input (exit 2), never internal errors -------------------------------

def _bad_setup(tmp_path: Path) -> dict[str, Path]:
    from openpyxl import Workbook

    paths = {"raw": tmp_path / "raw.csv", "profile": tmp_path / "p.csv",
             "file": tmp_path / "a-file", "dir": tmp_path / "a-dir",
             "params": ROOT / "params" / "bac-giang.yaml"}
    paths["raw"].write_text("province_id,code,value\nbac-giang,1.1.1,3\n", encoding="utf-8")
    paths["profile"].write_text("Mã,Điểm\nPII,46.51\n", encoding="utf-8")
    paths["file"].write_text("keep me", encoding="utf-8")
    paths["dir"].mkdir()
    (tmp_path / "imp" / "bac-giang_2023.csv").mkdir(parents=True)
    for name, text in {"date.yaml": "province: bac-giang\nplan: {date: 2023-13-01}\n",
                       "deep.yaml": "province: bac-giang\nx: " + "{a: " * 20_000 + "1"
                       + "}" * 20_000 + "\n",
                       "tab.yaml": "province: bac-giang\ngoal:\n\trank: 3\n"}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    empty = Workbook()
    empty.save(tmp_path / "empty.xlsx")
    header = Workbook()
    header.active.append(["Mã", "Điểm", "Xếp hạng"])
    header.save(tmp_path / "header.xlsx")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    (tmp_path / "sheet.ods").write_bytes(b"PK\x03\x04" + bytes(60))
    (tmp_path / "rows.csv").write_text("Mã,Điểm\n" + "PII,40\n" * 100_001, encoding="utf-8")
    return paths


LONG = "n" * 300
MISTAKES = {
    # name: (argv with {raw} {profile} {file} {dir} {params} and {t} = tmp_path, message part)
    "score --out a directory": (["score", "{raw}", "--out", "{dir}"],
                                "column '--out', value '{dir}': expected a file path"),
    "score --out under a file": (["score", "{raw}", "--out", "{file}/s.csv"],
                                 "expected a path in a folder, but {file} is a file"),
    "score --out name too long": (["score", "{raw}", "--out", "{t}/" + LONG + ".csv"],
                                  "expected a location that can be written (ENAMETOOLONG)"),
    "template --out a directory": (["template", "--out", "{dir}"], "expected a file path"),
    "template --out under a file": (["template", "--out", "{file}/t.xlsx"],
                                    "but {file} is a file"),
    "import --out a file": (["import", "{profile}", "--province", "bac-giang", "--out",
                             "{file}"], "value '{file}': expected a directory"),
    "import --out under a file": (["import", "{profile}", "--province", "bac-giang", "--out",
                                   "{file}/imp"], "but {file} is a file"),
    "import target is a directory": (["import", "{profile}", "--province", "bac-giang",
                                      "--out", "{t}/imp"], "imp/bac-giang_2023.csv': "
                                     "expected a file path, not an existing directory"),
    "export-plan --out a directory": (["export-plan", "bac-giang", "--params", "{params}",
                                       "--out", "{dir}"], "expected a file path"),
    "export-plan docx --out under a file": (["export-plan", "bac-giang", "--params",
                                             "{params}", "--format", "docx", "--out",
                                             "{file}/x.docx"], "but {file} is a file"),
    "report --out a file": (["report", "bac-giang", "--data", "demo", "--out", "{file}"],
                            "expected a directory"),
    "report --out under a file": (["report", "bac-giang", "--data", "demo", "--out",
                                   "{file}/r"], "but {file} is a file"),
    "report --out name too long": (["report", "bac-giang", "--data", "demo", "--out",
                                    "{t}/" + LONG + "/r"], "(ENAMETOOLONG)"),
    "robustness --out": (["robustness", "--data", "demo", "--out", "{dir}"],
                         "unrecognized arguments: --out"),
    "impossible date": (["analyze", "bac-giang", "--params", "{t}/date.yaml"],
                        "key plan.date, value '2023-13-01': expected a valid date"),
    "20,000-deep YAML": (["analyze", "bac-giang", "--params", "{t}/deep.yaml"],
                         "row 2: expected nesting of at most 40 levels"),
    "tab in YAML": (["analyze", "bac-giang", "--params", "{t}/tab.yaml"],
                    "row 3: expected valid YAML indented with spaces; found a tab"),
    "--edition not a number": (["analyze", "bac-giang", "--edition", "abc"],
                               "invalid int value: 'abc'"),
    "unknown option": (["analyze", "bac-giang", "--bogus"], "unrecognized arguments: --bogus"),
    "--jobs not a number": (["report", "--all", "--jobs", "two"], "invalid int value: 'two'"),
    "no command": ([], "the following arguments are required: COMMAND"),
    "score input is a directory": (["score", "{dir}", "--out", "{t}/s.csv"],
                                   "{dir}: expected an existing file"),
    "import input is a directory": (["import", "{dir}", "--province", "bac-giang", "--out",
                                     "{t}/i"], "{dir}: expected an existing file"),
    "validate a directory": (["validate", "{dir}"], "{dir}: expected an existing file"),
    "params path is a directory": (["analyze", "bac-giang", "--params", "{dir}"],
                                   "{dir}: expected an existing params YAML file"),
    "export-plan params is a directory": (["export-plan", "bac-giang", "--params", "{dir}"],
                                          "expected an existing params YAML file"),
    "empty xlsx": (["import", "{t}/empty.xlsx", "--province", "bac-giang", "--out", "{t}/i"],
                   "empty.xlsx: expected a header row"),
    "xlsx with only a header": (["import", "{t}/header.xlsx", "--province", "bac-giang",
                                 "--out", "{t}/i"],
                                "header.xlsx: row 2: expected at least one data row"),
    "an .xls file": (["import", "{t}/old.xls", "--province", "bac-giang", "--out", "{t}/i"],
                     "old.xls: expected a .csv or .xlsx file"),
    "an .ods file": (["import", "{t}/sheet.ods", "--province", "bac-giang", "--out", "{t}/i"],
                     "sheet.ods: expected a .csv or .xlsx file"),
    "a CSV of 100,001 rows": (["import", "{t}/rows.csv", "--province", "bac-giang", "--out",
                               "{t}/i"], "rows.csv: row 100002: expected at most 100000 rows"),
    "robustness with 10⁸ draws": (["robustness", "--data", "demo", "--draws", "100000000"],
                                  "column '--draws', value '100000000': expected a whole "
                                  "number of draws within 1…100000"),
    "robustness with a negative seed": (["robustness", "--data", "demo", "--seed", "-1"],
                                        "column '--seed', value '-1': expected a whole number"),
}


@pytest.fixture(scope="module")
def mistakes_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mistakes")
    return folder, _bad_setup(folder)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_user_mistakes_exit_2_with_one_line_and_write_nothing(name, mistakes_folder, cli):
    folder, paths = mistakes_folder
    argv, needle = MISTAKES[name]

    def fill(text: str) -> str:
        for key, path in paths.items():
            text = text.replace("{" + key + "}", str(path))
        return text.replace("{t}", str(folder))

    before = _snapshot(folder)
    res = cli(*[fill(a) for a in argv], cwd=folder)
    _assert_refused(res, folder, before, fill(needle))


def test_an_unreadable_file_is_bad_input(tmp_path, cli):
    raw = tmp_path / "raw.csv"
    raw.write_text("province_id,code,value\nbac-giang,1.1.1,3\n", encoding="utf-8")
    raw.chmod(0)
    try:
        if os.access(raw, os.R_OK):
            pytest.skip("running as a user who reads any file (root)")
        before = _snapshot(tmp_path)
        res = cli("score", raw, "--out", tmp_path / "s.csv")
        _assert_refused(res, tmp_path, before, f"{raw}: expected a readable file (EACCES)")
    finally:
        raw.chmod(0o644)


def test_argparse_mistakes_are_worded_in_vietnamese_too(cli):
    res = cli("analyze", "bac-giang", "--edition", "abc", lang="vi")
    assert res.returncode == 2
    assert _error_lines(res) == ["lỗi: tham số dòng lệnh không hợp lệ: tham số --edition: giá "
                                 "trị không hợp lệ (kiểu int): 'abc'"]


# --- 2. frameworks users bring: no pandas column shift, extensions checked ------------------------

def test_validate_reads_a_framework_with_trailing_commas_without_shifting(tmp_path, cli):
    """pandas took a data row with one more field than the header for a row with an index:
    every column shifted and 150 bogus problems were listed."""
    lines = (ROOT / "data/framework/pii_2023.csv").read_text(encoding="utf-8").splitlines()
    framework = tmp_path / "fw.csv"
    framework.write_text("\n".join([lines[0]] + [ln + "," for ln in lines[1:]]) + "\n",
                         encoding="utf-8")
    res = cli("validate", framework, "--edition", "2023")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"Valid: {framework}: framework with 52 indicators"


@pytest.mark.parametrize("body,lines", [
    ("3.1,subpillar,3,A\n3.1.1,indicator,3.1,x\n9.9,pillar,,x\n3.1.1,indicator,3.9,dup\n",
     ["row 4, column 'level', value 'pillar': expected a sub-pillar or an indicator",
      "row 5, column 'code', value '3.1.1': expected unique codes"]),
    ("3.1,subpillar,3.1,A\n3.1.1,indicator,3.1.1,x\n",
     ["row 2, column 'parent', value '3.1': expected the code of an existing pillar",
      "row 3, column 'parent', value '3.1.1': expected the code of an existing subpillar"]),
])
def test_a_framework_extension_in_a_data_folder_is_checked(body, lines, tmp_path):
    """It crashed (duplicate codes: 'truth value of a Series is ambiguous') or was used as is."""
    from pii_lib.data.layers import load_dataset

    (tmp_path / "framework_2025.csv").write_text("code,level,parent,name_vi\n" + body,
                                                 encoding="utf-8")
    with pytest.raises(InputErrors) as exc:
        load_dataset([str(tmp_path)], 2025)
    got = exc.value.lines()
    assert len(got) == len(lines)
    for line, want in zip(got, lines):
        assert line.startswith(f"{tmp_path / 'framework_2025.csv'}: {want}"), line


def test_export_refuses_unsafe_text_in_params_built_in_code(tmp_path):
    """load_params refuses it; params made by a notebook or the what-if tool are checked too
    (openpyxl raised IllegalCharacterError, python-docx a ValueError)."""
    from pii_lib.model.params import Params
    from pii_lib.present.export_office import export_docx, export_xlsx

    params = Params(province="bac-giang", targets=[{"code": "1.1.1", "target": 5,
                                                    "partners": ["a", "b\x1b[31m"]}])
    for export in (export_xlsx, export_docx):
        with pytest.raises(InputError, match=r"key targets\[0\].partners\[1\], value "
                           r"'b\\x1b\[31m': expected text without control characters"):
            export(params, tmp_path / "a.out")
    assert not any(tmp_path.iterdir())


def test_log_lines_show_escape_codes_from_input_as_text():
    import logging

    from pii_lib.cli import LOG_FORMAT, VisibleFormatter

    record = logging.LogRecord("pii", logging.WARNING, __file__, 1, "read %s", (f"p{ESC}.csv",),
                               None)
    assert VisibleFormatter(LOG_FORMAT).format(record) == "WARNING pii: read p\\x1b[31m.csv"


@pytest.mark.parametrize("command", ["score", "template"])
def test_paths_with_markup_print_as_they_are(command, tmp_path, cli):
    raw = tmp_path / "raw.csv"
    raw.write_text("province_id,code,value\nbac-giang,1.1.1,3\n", encoding="utf-8")
    target = tmp_path / "a[/b]" / "[draft] [bold]x[/bold] :bomb:.out"
    argv = ["score", raw] if command == "score" else ["template"]
    res = cli(*argv, "--out", target)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-1] == str(target) and target.exists()


def test_an_output_folder_with_braces_gets_its_report(tmp_path, cli):
    """papermill formats its input and output paths with the parameters (str.format): an
    --out holding '{x}' fails with 'Missing parameter x' (exit 1), one holding '{province}'
    would name another folder."""
    out = tmp_path / "r{x}"
    res = cli("report", "bac-giang", "--data", "demo", "--formats", "html", "--renderer",
              "builtin", "--out", out, env=PYTHONPATH)
    assert res.returncode == 0, res.stderr
    assert (out / "demo" / "2023" / "bac-giang" / "bac-giang.en.html").exists()



# --- 2. silent wrong imports: what the user sees is what is read -----------------------------------

def test_a_column_mixing_decimal_marks_is_refused(tmp_path):
    """'46,51' (decimal comma) and '7.25' (decimal point) in one column: 7.25 was read as 725."""
    from pii_lib.data.imported import read_profile

    src = tmp_path / "p.csv"
    src.write_text('Mã,Giá trị\n2.2.3,"46,51"\n2.2.4,7.25\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_profile(src, edition=2023, province="bac-giang")
    assert exc.value.message == (
        f"{src}: row 3, column 'value', value '7.25': expected one decimal mark in the whole "
        "column; row 2 has '46,51' (the other mark): one of them would be read 100 or 1000 "
        "times too large")


def test_two_columns_for_the_same_field_are_refused(tmp_path):
    """'Điểm' and 'Điểm số' both mean the score: the second was silently ignored."""
    from pii_lib.data.imported import read_profile

    src = tmp_path / "p.csv"
    src.write_text("Mã,Điểm,Điểm số\n2.2.3,5,6\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_profile(src, edition=2023, province="bac-giang")
    assert exc.value.message == f"{src}: row 1, column 'Điểm số': expected one column per " \
        "field; this column means the same as 'Điểm'"


def test_hidden_rows_hidden_columns_and_percent_cells_are_refused(tmp_path):
    """Excel shows neither hidden rows nor hidden columns, and shows 25% for a stored 0.25."""
    from openpyxl import Workbook

    from pii_lib.data.imported import read_profile

    wb = Workbook()
    ws = wb.active
    for row in (["Mã", "Giá trị", "Điểm", "Ghi chú"], ["2.2.3", 0.25, 5, "x"],
                ["2.2.4", 3, 6, "y"], ["2.2.1", 4, 7, "z"]):
        ws.append(row)
    ws["B2"].number_format = "0%"
    ws.row_dimensions[3].hidden = True       # e.g. filtered out
    ws.column_dimensions["C"].hidden = True  # read: refused
    ws.column_dimensions["D"].hidden = True  # not read: ignored
    path = tmp_path / "h.xlsx"
    wb.save(path)
    with pytest.raises(InputErrors) as exc:
        read_profile(path, edition=2023, province="bac-giang")
    assert exc.value.lines() == [
        f"{path}: column 'C', value 'Điểm': expected visible columns: this column is hidden "
        "in Excel; unhide it or delete it",
        f"{path}: row 2, column 'B', value '25%': expected a plain number: the cell is "
        "formatted as a percentage, so Excel stores it divided by 100; write 25.00 without "
        "the % format",
        f"{path}: row 3: expected visible rows: this row is hidden (or filtered out) in Excel; "
        "unhide it or delete it"]


def test_csv_outputs_never_start_a_cell_with_a_formula(tmp_path):
    """The tidy CSV and the framework completion are opened in Excel too: a file named
    '=HYPERLINK(…).csv' or an item named '@SUM(…)' is written with a leading quote."""
    import csv

    from pii_lib.data.imported import import_file

    src = tmp_path / "=HYPERLINK(x).csv"
    src.write_text("Cấp,Chỉ số,Giá trị,Thấp nhất,Cao nhất\nTrụ cột,Cơ sở hạ tầng,,,\n"
                   "Nhóm chỉ số,@SUM(A1),,,\nChỉ số,+cmd,40,10,70\n", encoding="utf-8")
    out = import_file(src, edition=2025, province="Khánh Hòa", out_dir=tmp_path / "imp")
    cells = [cell for name in (out, tmp_path / "imp" / "framework_2025.csv")
             for row in csv.reader(name.open(encoding="utf-8")) for cell in row]
    assert "'=HYPERLINK(x).csv:4" in cells and "'@SUM(A1)" in cells and "'+cmd" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))
                and not c.lstrip("+-").replace(".", "").isdigit()]


def test_codes_that_complete_a_framework_must_look_like_codes(tmp_path):
    from pii_lib.data.imported import read_profile

    src = tmp_path / "p.csv"
    src.write_text("Mã,Giá trị,Thấp nhất,Cao nhất\n3.=1,40,10,70\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2, column 'code', value '3.=1': expected a code"):
        read_profile(src, edition=2025, province="khanh-hoa")


def test_merged_number_cells_over_several_rows_are_refused(tmp_path):
    """A level or a name merged beside its rows is filled in; one score shown across two
    indicators' rows would be copied to both."""
    from openpyxl import Workbook

    from pii_lib.data.imported import read_profile

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "HỒ SƠ PII"
    ws.merge_cells("A1:D1")
    ws.append(["Cấp", "Mã", "Điểm", "Xếp hạng"])
    ws.append(["Chỉ số", "2.2.3", 5, 3])
    ws.append([None, "2.2.4", None, 4])
    ws.merge_cells("A3:A4")
    ws.merge_cells("C3:C4")
    path = tmp_path / "m.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as exc:
        read_profile(path, edition=2023, province="bac-giang")
    assert exc.value.message == f"{path}: row 3, column 'C', value 'C3:C4': expected one " \
        "number per row: cells C3:C4 are merged over several rows; unmerge them and give " \
        "each row its number"


def test_every_error_raised_in_the_code_has_its_wording_and_arguments():
    """Each InputError("key", …) of the package has error.key in every catalogue, and passes
    every placeholder its template uses (a missing one raised KeyError: exit 1)."""
    import ast

    from pii_lib.present.wording import catalogue, languages, placeholders

    where = {"file", "row", "column", "value", "hint"}
    checked = 0
    for source in (ROOT / "pii_lib").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "InputError"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            if any(k.arg is None for k in node.keywords):
                continue  # **args: checked where they are built
            given = {k.arg for k in node.keywords} - where
            for lang in languages():
                template = catalogue(lang).get(f"error.{node.args[0].value}")
                assert template is not None, (source.name, node.lineno, node.args[0].value)
                missing = placeholders(template) - given
                assert not missing, (source.name, node.lineno, lang, missing)
            checked += 1
    assert checked > 100


def test_an_unreadable_data_folder_is_bad_input_not_an_empty_layer(tmp_path):
    from pii_lib.data.layers import load_dataset

    folder = tmp_path / "imp"
    folder.mkdir()
    folder.chmod(0)
    try:
        if os.access(folder, os.R_OK):
            pytest.skip("running as a user who reads any folder (root)")
        with pytest.raises(InputError, match="expected a readable file"):
            load_dataset([str(folder)], 2023)
    finally:
        folder.chmod(0o755)


def test_a_write_the_system_refuses_is_bad_input_but_a_missing_input_is_not(tmp_path):
    import errno

    from pii_lib.files import atomic_path

    target = tmp_path / "out" / "a.csv"
    with pytest.raises(InputError, match=r"value '.*a.csv': expected a location that can be "
                                         r"written \(ENOSPC\)"):
        with atomic_path(target):
            raise OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(FileNotFoundError):  # an asset missing while writing: our bug, exit 1
        with atomic_path(target):
            open(tmp_path / "missing" / "asset.css", encoding="utf-8")
    assert not target.exists() and not list(target.parent.glob(".pii-tmp-*"))


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_file_of_mostly_empty_lines_is_refused_before_parsing(newline, tmp_path, monkeypatch):
    """Lines are counted in C before any parsing (limit lowered for the test): 45 million
    empty lines (45 MB, under the size limit) took 65 s to read, now 0.5 s to refuse."""
    from pii_lib.data import tables

    monkeypatch.setattr(tables, "MAX_LINES_IN_FILE", 1_000)
    src = tmp_path / "p.csv"
    src.write_text("Mã,Điểm" + newline + "PII,40" + newline * 1_000, encoding="utf-8",
                   newline="")
    with pytest.raises(InputError) as exc:
        tables.read_text_table(src)
    assert exc.value.message == f"{src}: expected at most 1000 lines (blank ones included), " \
        "far more than any real profile"
    src.write_text("Mã,Điểm" + newline + "PII,40" + newline * 990, encoding="utf-8", newline="")
    assert len(tables.read_text_table(src)) == 1
