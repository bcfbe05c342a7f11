"""Bad input across every entry point: exit code 2, one clear line, nothing written.

Each case runs the CLI with an output directory and asserts: exit status 2; a single-line
message on stderr that names the file (or argument), and says what was expected; no new or
modified file under the output directory.
"""

from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import ROOT, run_cli

BG_PARAMS = (ROOT / "params" / "bac-giang.yaml").read_text(encoding="utf-8")


def _snapshot(folder: Path) -> dict:
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*")} if folder.exists() else {}


def _write(path: Path, content) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _xlsx_no_header(path):
    wb = Workbook()
    wb.active.append(["Báo cáo"])
    wb.active.append([1, 2, 3])
    wb.save(path)
    return path


RAW_OK = "province_id,code,value\nbac-giang,1.1.1,3\n"
CASES = {
    # id: (file name, content or None, argv with {f} for the file and {out} for the out dir,
    #      text that must be in the message)
    "report unknown province": (None, None, ["report", "Bac Giangg", "--out", "{out}"],
                                "did you mean 'Bắc Giang'"),
    "report path separator id": (None, None, ["report", "../../etc/passwd", "--out", "{out}"],
                                 "expected a province"),
    "report unknown edition": (None, None, ["report", "bac-giang", "--edition", "2022", "--out",
                                            "{out}"], "2023, 2024, 2025"),
    "report bad lang": (None, None, ["report", "bac-giang", "--lang", "fr", "--out", "{out}"],
                        "invalid choice: 'fr'"),
    "report bad format": (None, None, ["report", "bac-giang", "--formats", "html,docx",
                                       "--out", "{out}"], "html, pdf"),
    "report missing data dir": (None, None, ["report", "bac-giang", "--data", "/nonexistent",
                                             "--out", "{out}"], "'published', 'demo'"),
    "report params of another province": ("p.yaml", BG_PARAMS, ["report", "hung-yen",
                                          "--params", "{f}", "--out", "{out}"],
                                          "expected params for hung-yen"),
    "report --all bad data": (None, None, ["report", "--all", "--data", "nowhere", "--out",
                                           "{out}"], "'published', 'demo'"),
    "analyze params not a mapping": ("p.yaml", "- a\n- b\n", ["analyze", "bac-giang",
                                     "--params", "{f}", "--json"], "YAML mapping"),
    "analyze params python tag": ("p.yaml", "province: !!python/object/apply:os.system [ls]\n",
                                  ["analyze", "bac-giang", "--params", "{f}"], "no Python tags"),
    "analyze params unknown code": ("p.yaml", "province: bac-giang\ntargets:\n  - {code: "
                                    "'8.1.1', target: 5}\n", ["analyze", "bac-giang",
                                    "--params", "{f}"], "targets[0].code"),
    "analyze params score > 100": ("p.yaml", "province: bac-giang\ntargets:\n  - {code: '1.1.1',"
                                   " target: 150}\n", ["analyze", "bac-giang", "--params", "{f}"],
                                   "within 0–100"),
    "analyze params conflicting targets": ("p.yaml", "province: bac-giang\ntargets:\n  - {code: "
                                           "'1.1.1', target: 20}\n  - {code: '1.1.1', target: "
                                           "25}\n", ["analyze", "bac-giang", "--params", "{f}"],
                                           "conflicts with targets[0]"),
    "analyze params wrong type": ("p.yaml", "province: bac-giang\ngoal: {rank: top}\n",
                                  ["analyze", "bac-giang", "--params", "{f}"], "goal.rank"),
    "analyze params cp1258": ("p.yaml", "province: Bắc Giang\n".encode("cp1258", "replace")
                              .replace(b"?", b"\xd2"), ["analyze", "bac-giang", "--params",
                              "{f}"], "UTF-8"),
    "analyze unknown province": (None, None, ["analyze", "Atlantis"], "expected a province"),
    "score duplicate rows": ("raw.csv", RAW_OK + "Bắc Giang,1.1.1,4\n", ["score", "{f}", "--out",
                             "{out}/s.csv"], "duplicate of row 2"),
    "score non-numeric": ("raw.csv", "province_id,code,value\nbac-giang,1.1.1,n/a\n",
                          ["score", "{f}", "--out", "{out}/s.csv"], "expected a number"),
    "score empty file": ("raw.csv", "", ["score", "{f}", "--out", "{out}/s.csv"], "empty"),
    "score utf16": ("raw.csv", RAW_OK.encode("utf-16"), ["score", "{f}", "--out",
                    "{out}/s.csv"], "UTF-16"),
    "score cp1258": ("raw.csv", "province_id,code,value\nBắc Giang,1.1.1,3\n".encode("cp1258",
                     "replace").replace(b"?", b"\xd2"), ["score", "{f}", "--out", "{out}/s.csv"],
                     "UTF-8"),
    "score binary": ("raw.csv", bytes(range(256)) * 8, ["score", "{f}", "--out", "{out}/s.csv"],
                     "binary"),
    "score unknown code": ("raw.csv", "province_id,code,value\nbac-giang,1.1.9,3\n",
                           ["score", "{f}", "--out", "{out}/s.csv"], "value '1.1.9'"),
    "score missing column": ("raw.csv", "province,code,value\nbac-giang,1.1.1,3\n",
                             ["score", "{f}", "--out", "{out}/s.csv"], "province_id"),
    "score 2025 incomplete framework": ("raw.csv", "province_id,code,value\nkhanh-hoa,1.1.1,3\n",
                                        ["score", "{f}", "--edition", "2025", "--out",
                                         "{out}/s.csv"], "full PII 2025 framework"),
    "import ambiguous decimal": ("p.csv", "Mã,Giá trị\n2.2.3,\"1.234\"\n2.2.4,\"46,51\"\n",
                                 ["import", "{f}",
                                 "--province", "bac-giang", "--out", "{out}"], "ambiguous"),
    "import xlsx without header": ("p.xlsx", _xlsx_no_header, ["import", "{f}", "--province",
                                   "bac-giang", "--out", "{out}"], "header row"),
    "import corrupt xlsx": ("p.xlsx", b"PK\x03\x04 not really a zip", ["import", "{f}",
                            "--province", "bac-giang", "--out", "{out}"], "valid .xlsx"),
    "import rank out of range": ("p.csv", "Mã,Điểm,Xếp hạng\nPII,46.51,70\n", ["import", "{f}",
                                 "--province", "bac-giang", "--out", "{out}"], "1…63"),
    "import score out of range": ("p.csv", "Mã,Điểm\nPII,146.51\n", ["import", "{f}",
                                  "--province", "bac-giang", "--out", "{out}"], "0–100"),
    "import unknown province in table": ("p.csv", "Tỉnh,Mã,Điểm\nAtlantis,PII,40\n",
                                         ["import", "{f}", "--out", "{out}"],
                                         "expected a province"),
    "import no province": ("p.csv", "Mã,Điểm\nPII,40\n", ["import", "{f}", "--out", "{out}"],
                           "--province"),
    "validate rank zero": ("t.csv", "year,province_id,level,code,score,rank\n2023,ha-noi,pii,"
                           "PII,62.86,0\n", ["validate", "{f}"], "1…63"),
    "validate duplicate tidy rows": ("t.csv", "year,province_id,level,code,score\n2023,ha-noi,"
                                     "pii,PII,62.86\n2023,Hà Nội,pii,PII,62.86\n",
                                     ["validate", "{f}"], "duplicate of row 2"),
    "validate framework missing indicators": ("fw.csv", lambda p: _short_framework(p),
                                              ["validate", "{f}", "--edition", "2023"],
                                              "expected 52 indicator rows"),
    "export-plan without targets or owners": ("p.yaml", "province: ha-noi\n",
                                              ["export-plan", "ha-noi", "--params", "{f}",
                                               "--out", "{out}/x.xlsx"], "responsibilities"),
    "export-plan other province": (None, None, ["export-plan", "hung-yen", "--params",
                                   str(ROOT / "params/bac-giang.yaml"), "--out",
                                   "{out}/x.xlsx"], "expected params for hung-yen"),
    "template unknown edition": (None, None, ["template", "--edition", "1999", "--out",
                                              "{out}/t.xlsx"], "2023, 2024, 2025"),
}


def _short_framework(path):
    lines = (ROOT / "data/framework/pii_2023.csv").read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    return path


def _run_refused(tmp_path, name, content, argv):
    """Write the case's input file (if any) and run the CLI on it beside an output folder that
    already holds a file; the run must be refused with exit 2 and leave that folder as it was.
    Returns (input file, stderr lines that are not blank)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "existing.txt").write_text("keep me")
    f = None
    if name:
        f = tmp_path / name
        if callable(content):
            content(f)
        else:
            _write(f, content)
    before = _snapshot(out)
    args = [a.replace("{f}", str(f)).replace("{out}", str(out)) for a in argv]
    res = run_cli(*args, cwd=tmp_path)
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    assert _snapshot(out) == before
    assert not (tmp_path / "reports").exists()
    return f, [ln for ln in res.stderr.splitlines() if ln.strip()]


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(case, tmp_path):
    name, content, argv, needle = CASES[case]
    f, lines = _run_refused(tmp_path, name, content, argv)
    assert len(lines) == 1, lines
    message = lines[0]
    assert needle in message, message
    assert "expected" in message or "ambiguous" in message
    if f is not None and name != "p.yaml" or case.startswith("analyze params"):
        assert f.name in message, message


def test_there_are_at_least_30_cases():
    assert len(CASES) >= 30


def test_utf8_bom_is_accepted(tmp_path, cli):
    raw = tmp_path / "raw.csv"
    raw.write_bytes("\ufeffprovince_id,code,value\nbac-giang,1.1.1,3\n".encode("utf-8"))
    res = cli("validate", raw)
    assert res.returncode == 0, res.stderr


# --- several problems in one file: one line each (at most 50, then "… and N more") ------------

def _xlsx_with_formulas(path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã", "Điểm", "Xếp hạng"])
    ws.append(["PII", "=40+6.51", 11])        # openpyxl writes no cached result
    ws.append(["1", 67.23, "=3+1"])
    ws.append(["7", "abc", 1])
    wb.save(path)
    return path


def _many_bad_rows(path):
    path.write_text("Mã,Điểm\n" + "".join(f"9.{i},{i}\n" for i in range(130)),
                    encoding="utf-8")
    return path


IMPORT = ["import", "{f}", "--province", "bac-giang", "--out", "{out}"]
MULTI = {
    # id: (file name, content, argv, the lines after "error: {f}: ")
    "import several bad cells in one row": (
        "p.csv", "Mã,Giá trị,Điểm,Xếp hạng\nPII,,46.51,11\n1.1.1,nan,abc,0\n1.1.2,3,12.5,64/63\n",
        IMPORT, ["row 3, column 'value', value 'nan': expected a finite number",
                 "row 3, column 'score', value 'abc': expected a number",
                 "row 3, column 'rank', value '0': expected a whole rank within 1…63 for PII "
                 "2023 (e.g. 18 or 18/63)",
                 "row 4, column 'rank', value '64/63': expected a whole rank within 1…63 for "
                 "PII 2023 (e.g. 18 or 18/63)"]),
    "import unknown and duplicate codes": (
        "p.csv", "Mã,Điểm\n9.9.9,3\n1.1.1,4\n1.1.1,5\nX.1,6\n", IMPORT,
        ["row 2, column 'code', value '9.9.9': expected a code of the PII 2023 framework",
         "row 4, column 'code', value '1.1.1': expected each item once per province; "
         "duplicate of row 3",
         "row 5, column 'code', value 'X.1': expected a code of the PII 2023 framework"]),
    "import ambiguous decimal and score out of range": (
        "p.csv", "Mã,Giá trị,Điểm\n2.2.3,\"1.234\",\n2.2.4,\"46,51\",146\n", IMPORT,
        ["row 2, column 'value', value '1.234': ambiguous number: '.' or ',' may be the "
         "decimal mark here; write it without thousands separators",
         "row 3, column 'score', value '146': expected a score within 0–100"]),
    "import national table with unknown provinces": (
        "n.csv", "Tỉnh,Mã,Điểm\nHa Noii,PII,62.86\nAtlantis,PII,40\nHà Nội,PII,62.86\n",
        ["import", "{f}", "--out", "{out}"],
        ["row 2, column 'province', value 'Ha Noii': expected a province of PII 2023 (63 "
         "provinces) (did you mean 'Hà Nội'?)",
         "row 3, column 'province', value 'Atlantis': expected a province of PII 2023 (63 "
         "provinces) (did you mean 'Gia Lai'?)"]),
    "import rows longer than the header": (
        "p.csv", "Mã,Điểm,Xếp hạng\n1,67.23,4\n7,66.21,1,9\n\n2,50,3,,8\n", IMPORT,
        ["row 3: expected 3 fields like the header, found 4",
         "row 5: expected 3 fields like the header, found 5"]),
    "import score inconsistent and min above max": (
        "p.csv", "Mã,Giá trị,Thấp nhất,Cao nhất,Điểm\n1.1.1,47.59,28.20,55.64,50\n"
        "1.1.2,5,9,2,\n", IMPORT,
        ["row 2, column 'score', value '50': expected the score computed from value, min and "
         "max (70.66), found 50.00",
         "row 3, column 'min', value '9': expected min ≤ max"]),
    "import control characters in cells": (
        "p.csv", "Mã,Chỉ số,Điểm\nPII,ok\x1b[2J,46\n1,\u202eabc,5\n", IMPORT,
        ["row 2, column 'Chỉ số', value 'ok\\x1b[2J': expected text without control "
         "characters (terminal escapes, direction marks); remove them",
         "row 3, column 'Chỉ số', value '\\u202eabc': expected text without control "
         "characters (terminal escapes, direction marks); remove them"]),
    "import xlsx formulas without values and a bad number": (
        "p.xlsx", _xlsx_with_formulas, IMPORT,
        ["row 2, column 'B', value '=40+6.51': expected a value, found a formula without a "
         "cached result; open the file in Excel, save it and import it again",
         "row 3, column 'C', value '=3+1': expected a value, found a formula without a "
         "cached result; open the file in Excel, save it and import it again"]),
    "import 130 bad rows": (
        "p.csv", _many_bad_rows, IMPORT,
        [f"row {2 + i}, column 'code', value '9.{i}': expected a code of the PII 2023 "
         "framework" for i in range(50)]
        + ["… and 80 more problems"]),
    "score unknown province, code, text and non-finite values": (
        "raw.csv", "province_id,code,value\nAtlantis,1.1.1,3\nbac-giang,1.1.9,4\n"
        "bac-giang,1.1.1,n/a\nha-noi,1.1.1,inf\nha-noi,1.1.2,1e999\nha-noi,1.1.3,NaN\n",
        ["score", "{f}", "--out", "{out}/s.csv"],
        ["row 2, column 'province_id', value 'Atlantis': expected a province of PII 2023 (63 "
         "provinces) (did you mean 'Gia Lai'?)",
         "row 3, column 'code', value '1.1.9': expected an indicator code of the PII 2023 "
         "framework (e.g. 2.2.3)",
         "row 4, column 'value', value 'n/a': expected a number",
         "row 5, column 'value', value 'inf': expected a finite number",
         "row 6, column 'value', value '1e999': expected a finite number",
         "row 7, column 'value', value 'NaN': expected a finite number"]),
    "validate tidy rank, score, level and bounds": (
        "t.csv", "year,province_id,level,code,value,min,max,score,rank\n"
        "2023,ha-noi,pii,PII,,,,62.86,0\n2023,ha-noi,pillar,1,,,,146,3\n"
        "2023,ha-noi,pillar,1.1,,,,5,3\n2023,ha-noi,indicator,1.1.1,3,9,2,5,\n",
        ["validate", "{f}"],
        ["row 2, column 'rank', value '0': expected a whole rank within 1…63 for PII 2023 "
         "(e.g. 18 or 18/63)",
         "row 3, column 'score', value '146': expected a score within 0–100",
         "row 4, column 'code', value '1.1': expected a pillar code of the PII 2023 framework",
         "row 5, column 'min', value '9': expected min ≤ max"]),
    "validate tidy non-finite numbers in every column": (
        "t.csv", "year,province_id,level,code,value,min,max,score,rank\n"
        "2023,ha-noi,indicator,1.1.1,inf,-inf,1e999,NaN,Infinity\n", ["validate", "{f}"],
        ["row 2, column 'value', value 'inf': expected a finite number",
         "row 2, column 'min', value '-inf': expected a finite number",
         "row 2, column 'max', value '1e999': expected a finite number",
         "row 2, column 'score', value 'NaN': expected a finite number",
         "row 2, column 'rank', value 'Infinity': expected a whole rank within 1…63 for PII "
         "2023 (e.g. 18 or 18/63)"]),
}


@pytest.mark.parametrize("case", sorted(MULTI))
def test_every_problem_of_a_file_is_listed_one_per_line(case, tmp_path):
    name, content, argv, want = MULTI[case]
    f, lines = _run_refused(tmp_path, name, content, argv)
    expected = [f"error: {f}: {line}" if not line.startswith("…") else f"error: {line}"
                for line in want]
    assert lines == expected
    assert len(lines) <= 51
    assert not list(tmp_path.rglob(".pii-tmp-*"))


def test_there_are_at_least_10_multi_problem_cases():
    assert len(MULTI) >= 10
