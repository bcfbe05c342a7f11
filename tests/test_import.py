"""`pii import` and `pii template`: what users actually have, in CSV or Excel."""

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from pii_lib.data.tables import load_dataset
from pii_lib.errors import InputError
from pii_lib.data.imported import import_file, read_profile, write_template


def test_khanh_hoa_2025_profile_with_vietnamese_headers_and_decimal_commas(tmp_path):
    src = tmp_path / "khanh-hoa.csv"
    src.write_text(
        "Chỉ số;Giá trị;Thấp nhất;Cao nhất\n"
        "Chính sách thúc đẩy KHCN&ĐMST phục vụ phát triển KT-XH;47,59;28,20;55,64\n"
        "thiet che phap ly va an ninh trat tu;7,45;6,35;8,44\n"
        "CHÍNH SÁCH HỖ TRỢ DOANH NGHIỆP;7,14;6,12;8,03\n"
        "Môi trường kinh doanh;;;\n", encoding="utf-8")
    out = import_file(src, edition=2025, province="Khánh Hòa", out_dir=tmp_path / "imp")
    tidy = pd.read_csv(out)
    by_code = tidy.set_index("code")
    assert round(by_code.at["1.1.1", "score"], 2) == 70.66
    assert round(by_code.at["1.1", "score"], 2) == 58.90  # computed from the 3 given indicators
    assert by_code.at["1.1", "basis"] == "computed"
    assert "khanh-hoa.csv" in by_code.at["1.1.1", "source"]
    ds = load_dataset(tmp_path / "imp", 2025)
    assert ds.kind == "imported" and round(float(ds.item("khanh-hoa", "1.1")["score"]), 2) == 58.9


def test_xlsx_profile_with_title_rows_merged_cells_and_any_column_order(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "HỒ SƠ PII 2023 — TỈNH BẮC GIANG"
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["Xếp hạng", "Điểm", "Mã", "Chỉ số", "Cấp"])
    ws.append([11, "46,51", "PII", "Chỉ số PII", "PII"])
    ws.append([4, 67.23, "1", "Thể chế", "Trụ cột"])
    ws.append([None, 12.76, "1.1.1", None, None])
    path = tmp_path / "bg.xlsx"
    wb.save(path)
    tidy = read_profile(path, edition=2023, province="bac-giang")
    got = tidy.set_index("code")
    assert got.at["PII", "score"] == 46.51 and got.at["PII", "rank"] == 11
    assert got.at["1", "level"] == "pillar" and got.at["1.1.1", "score"] == 12.76


def test_national_table_with_province_column(tmp_path):
    src = tmp_path / "nat.csv"
    src.write_text("Tỉnh,Mã,Điểm,Xếp hạng\nHà Nội,PII,62.86,1\nTP. Hồ Chí Minh,PII,55.85,2\n",
                   encoding="utf-8")
    out = import_file(src, edition=2023, province=None, out_dir=tmp_path / "o")
    assert out.name == "national_2023.csv"
    assert set(pd.read_csv(out)["province_id"]) == {"ha-noi", "ho-chi-minh"}


@pytest.mark.parametrize("body,needle", [
    ("Mã,Giá trị\n2.2.3,\"1.234\"\n", "ambiguous number"),
    ("Mã,Điểm\n9.9.9,3\n", "value '9.9.9'"),
    ("Chỉ số,Điểm\nChi phí gia nhập thị trườngg xyz,3\n", "closest"),
    ("Mã,Điểm\n2.2.3,abc\n", "expected a number"),
    ("Mã,Điểm\n2.2.3,3\n2.2.3,4\n", "duplicate item"),
    ("Foo,Bar\n1,2\n", "identify items"),
    ("Mã,Cấp,Điểm\n2.2.3,pillar,3\n", "expected level 'indicator'"),
])
def test_bad_import_files_are_refused(tmp_path, body, needle):
    src = tmp_path / "bad.csv"
    src.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        import_file(src, edition=2023, province="bac-giang", out_dir=tmp_path / "o")
    assert "bad.csv" in exc.value.message and needle in exc.value.message
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_template_round_trip(tmp_path):
    path = write_template(2023, tmp_path / "t.xlsx")
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == ["Cấp", "Mã", "Chỉ số", "Giá trị", "Thấp nhất",
                                        "Cao nhất", "Điểm", "Xếp hạng"]
    assert ws.max_row == 1 + 78
    ws["G2"] = 46.51  # PII score
    ws["H2"] = 11
    wb.save(path)
    tidy = read_profile(path, edition=2023, province="bac-giang")
    assert tidy.set_index("code").at["PII", "score"] == 46.51


def test_cli_import_and_template(cli, tmp_path):
    res = cli("template", "--edition", "2023", "--out", tmp_path / "t.xlsx")
    assert res.returncode == 0 and (tmp_path / "t.xlsx").exists()
    src = tmp_path / "p.csv"
    src.write_text("code,score,rank\nPII,46.51,11\n", encoding="utf-8")
    res = cli("import", src, "--edition", "2023", "--province", "bac giang", "--out",
              tmp_path / "imp")
    assert res.returncode == 0, res.stderr
    res = cli("analyze", "bac-giang", "--data", tmp_path / "imp", "--json")
    assert res.returncode == 0 and '"data_source": "imported"' in res.stdout
