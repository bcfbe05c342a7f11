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


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(case, tmp_path):
    name, content, argv, needle = CASES[case]
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
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    message = lines[0]
    assert needle in message, message
    assert "expected" in message or "ambiguous" in message
    if f is not None and name != "p.yaml" or case.startswith("analyze params"):
        assert f.name in message, message
    assert _snapshot(out) == before
    assert not (tmp_path / "reports").exists()


def test_there_are_at_least_30_cases():
    assert len(CASES) >= 30


def test_utf8_bom_is_accepted(tmp_path, cli):
    raw = tmp_path / "raw.csv"
    raw.write_bytes("\ufeffprovince_id,code,value\nbac-giang,1.1.1,3\n".encode("utf-8"))
    res = cli("validate", raw)
    assert res.returncode == 0, res.stderr
