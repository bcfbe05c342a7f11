"""`pii import` and `pii template`: what users actually have, in CSV or Excel; layered data."""

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from pii_lib.data.imported import import_file, read_profile, write_template
from pii_lib.data.layers import load_dataset, load_history
from pii_lib.data.numbers import decimal_mark, parse_number, parse_rank
from pii_lib.errors import InputError, InputErrors
from pii_lib.method.analysis import analyse_province


def test_khanh_hoa_2025_profile_with_vietnamese_headers_and_decimal_commas(tmp_path):
    src = tmp_path / "khanh-hoa.csv"
    src.write_text(
        "Chỉ số;Giá trị;Thấp nhất;Cao nhất\n"
        "Chính sách thúc đẩy KHCN&ĐMST phục vụ phát triển KT-XH;47,59;28,20;55,64\n"
        "thiet che phap ly va an ninh trat tu;7,45;6,35;8,44\n"
        "CHÍNH SÁCH HỖ TRỢ DOANH NGHIỆP;7,14;6,12;8,03\n"
        "Môi trường kinh doanh;;;\n", encoding="utf-8")
    out = import_file(src, edition=2025, province="Khánh Hòa", out_dir=tmp_path / "imp")
    by_code = pd.read_csv(out).set_index("code")
    assert round(by_code.at["1.1.1", "score"], 2) == 70.66
    assert by_code.at["1.1", "score"] == 58.90  # computed from the 3 given indicators, 2 dp
    assert by_code.at["1.1", "basis"] == "computed"
    assert by_code.at["1.1.1", "source"] == "khanh-hoa.csv:2"
    ds = load_dataset(tmp_path / "imp", 2025)
    assert ds.kind == "imported" and round(float(ds.item("khanh-hoa", "1.1")["score"]), 2) == 58.9


def test_xlsx_profile_with_title_rows_merged_cells_and_any_column_order(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "HỒ SƠ PII 2023 — TỈNH BẮC GIANG"
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["Xếp hạng", "Điểm", "Mã", "Chỉ số", "Cấp"])
    ws.append(["11/63", "46,51", "PII", "Chỉ số PII", "PII"])
    ws.append([4, 67.23, "1", "Thể chế", "Trụ cột"])
    ws.append([None, 12.76, "1.1.1", None, None])
    path = tmp_path / "bg.xlsx"
    wb.save(path)
    tidy, _ = read_profile(path, edition=2023, province="bac-giang")
    got = tidy.set_index("code")
    assert got.at["PII", "score"] == 46.51 and got.at["PII", "rank"] == 11
    assert got.at["1", "level"] == "pillar" and got.at["1.1.1", "score"] == 12.76


def test_xlsx_reads_the_active_sheet_not_a_hidden_first_one(tmp_path):
    wb = Workbook()
    hidden = wb.active
    hidden.title = "old"
    hidden.append(["Mã", "Điểm"])
    hidden.append(["PII", 10])
    hidden.sheet_state = "hidden"
    visible = wb.create_sheet("2023")
    visible.append(["Mã", "Điểm"])
    visible.append(["PII", 46.51])
    wb.active = 1
    path = tmp_path / "two.xlsx"
    wb.save(path)
    tidy, _ = read_profile(path, edition=2023, province="bac-giang")
    assert tidy.set_index("code").at["PII", "score"] == 46.51


def test_xlsx_formula_without_cached_value_is_refused(tmp_path):
    wb = Workbook()
    wb.active.append(["Mã", "Điểm"])
    wb.active.append(["PII", "=40+6.51"])  # openpyxl writes no cached result
    path = tmp_path / "f.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as exc:
        read_profile(path, edition=2023, province="bac-giang")
    assert "formula" in exc.value.message and "=40+6.51" in exc.value.message


def test_national_table_with_province_column(tmp_path):
    src = tmp_path / "nat.csv"
    src.write_text("Tỉnh,Mã,Điểm,Xếp hạng\nHà Nội,PII,62.86,1\nTP. Hồ Chí Minh,PII,55.85,2\n",
                   encoding="utf-8")
    out = import_file(src, edition=2023, province=None, out_dir=tmp_path / "o")
    assert out.name == "national_2023.csv"
    assert set(pd.read_csv(out)["province_id"]) == {"ha-noi", "ho-chi-minh"}


def test_bac_ninh_2025_pillar_scores_import_and_give_pii(tmp_path):
    src = tmp_path / "bn.csv"
    src.write_text("level,code,score\n" + "".join(
        f"pillar,{c},{s}\n" for c, s in zip("1234567", (59.17, 39.99, 62.30, 47.43, 56.40,
                                                         28.74, 60.20))), encoding="utf-8")
    out = import_file(src, edition=2025, province="Bắc Ninh", out_dir=tmp_path / "imp")
    text = out.read_text(encoding="utf-8")
    assert ",PII,,,,48.76," in text and "computed" in text  # written rounded to 2 decimals
    ds = load_dataset(tmp_path / "imp", 2025)  # the importer's own file loads back
    assert round(float(ds.item("bac-ninh", "PII")["score"]), 2) == 48.76


def test_decimal_mark_is_decided_per_column():
    assert decimal_mark(["7.398", "12.5"]) == "."   # pandas-written numbers
    assert decimal_mark(["46,51", "1.234"]) == ","   # a 46,51-style value: comma decimals
    assert decimal_mark(["1.234"]) is None            # nothing tells: the file decides
    assert parse_number("7.398", decimal=".") == 7.398
    assert parse_number("1.234,5", decimal=",") == 1234.5
    with pytest.raises(InputError, match="ambiguous"):  # thousands, or a slipped decimal point?
        parse_number("1.234", decimal=",")
    assert parse_number("1.234", decimal=",", bounds=(0, 100)) == 1.234  # a score settles it


def test_cli_score_accepts_a_pandas_written_csv(cli, tmp_path):
    raw = pd.read_csv("data/demo/raw_2023.csv")
    raw["value"] = raw["value"] * 1.0001  # 4+ decimals, e.g. 7.398012
    src = tmp_path / "raw.csv"
    raw.to_csv(src, index=False)
    res = cli("score", src, "--out", tmp_path / "s.csv")
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("text,n,expected", [("18", 63, 18), ("18/63", 63, 18), ("6/34", 34, 6),
                                             (" 7 / 34 ", 34, 7), (18.0, 63, 18)])
def test_ranks_accept_the_published_forms(text, n, expected):
    assert parse_rank(text, n, 2023) == expected


def test_rank_out_of_another_total_is_refused():
    with pytest.raises(InputError, match="out of the 63"):
        parse_rank("18/34", 63, 2023)


def test_indicator_names_as_printed_in_the_plans(tmp_path):
    src = tmp_path / "bg.csv"
    src.write_text("Chỉ số,Điểm\n"
                   "\"Chính sách thúc đẩy KH,CN&ĐMST phục vụ phát triển kinh tế xã hội (STI)\",12.76\n"
                   "Chi cho nghiên cứu khoa học và phát triển công nghệ/GRDP (%),2.43\n"
                   "Nhân lực NC&PT (toàn thời gian)/10000 dân,6.31\n", encoding="utf-8")
    tidy, _ = read_profile(src, edition=2023, province="bac-giang")
    assert list(tidy["code"]) == ["1.1.1", "2.2.3", "2.2.1"]


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text("Mã,Điểm,Xếp hạng\n2.2.3,abc,1\n9.9.9,3,2\n2.2.4,140,3\n2.2.1,4,70\n",
                   encoding="utf-8")
    with pytest.raises(InputErrors) as exc:
        import_file(src, edition=2023, province="bac-giang", out_dir=tmp_path / "o")
    lines = exc.value.lines()
    assert len(lines) == 4
    assert [ln.split(": ")[1].split(",")[0] for ln in lines] == ["row 2", "row 3", "row 4",
                                                                  "row 5"]
    assert not (tmp_path / "o").exists()


def test_score_inconsistent_with_value_min_max_names_both_numbers(tmp_path):
    src = tmp_path / "kh.csv"
    src.write_text("Mã,Giá trị,Thấp nhất,Cao nhất,Điểm\n1.1.1,47.59,28.20,55.64,50\n",
                   encoding="utf-8")
    with pytest.raises(InputError) as exc:
        import_file(src, edition=2025, province="khanh-hoa", out_dir=tmp_path / "o")
    assert "70.66" in exc.value.message and "50.00" in exc.value.message
    # the same profile with its published score (rounding of the raw values allowed) passes
    src.write_text("Mã,Giá trị,Thấp nhất,Cao nhất,Điểm\n1.2.3,88.24,82.95,93.09,52.17\n",
                   encoding="utf-8")
    import_file(src, edition=2025, province="khanh-hoa", out_dir=tmp_path / "o")


@pytest.mark.parametrize("body,needle", [
    ("Mã,Giá trị\n2.2.3,\"1.234\"\n2.2.4,\"46,51\"\n", "ambiguous"),
    ("Mã,Điểm\n9.9.9,3\n", "value '9.9.9'"),
    ("Chỉ số,Điểm\nChi phí gia nhập thị trườngg xyz,3\n", "closest"),
    ("Mã,Điểm\n2.2.3,abc\n", "expected a number"),
    ("Mã,Điểm\n2.2.3,3\n2.2.3,4\n", "duplicate of row 2"),
    ("Foo,Bar\n1,2\n", "identify items"),
    ("Mã,Cấp,Điểm\n2.2.3,Trụ cột,3\n", "expected level 'indicator'"),
    ("Mã,Điểm\n2.2.3,3,\n2.2.4,4,7\n", "fields like the header"),
    ("Mã,Xếp hạng\n2.2.3,12/34\n", "out of the 63"),
    ("Mã,Điểm\n2.2.3,inf\n", "expected a finite number"),
])
def test_bad_import_files_are_refused(tmp_path, body, needle):
    src = tmp_path / "bad.csv"
    src.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        import_file(src, edition=2023, province="bac-giang", out_dir=tmp_path / "o")
    assert "bad.csv" in exc.value.message and needle in exc.value.message
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_trailing_commas_do_not_shift_columns(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("Mã,Điểm,Xếp hạng\n1,67.23,4,\n7,66.21,1,\n", encoding="utf-8")
    tidy, _ = read_profile(src, edition=2023, province="bac-giang")
    got = tidy.set_index("code")
    assert got.at["1", "score"] == 67.23 and got.at["7", "rank"] == 1


def test_imported_profile_keeps_the_published_national_figures(tmp_path):
    """Hưng Yên: importing its own profile must not lose the gap to the top 10, the national
    median from published scores, the peers and the trend."""
    src = tmp_path / "hung-yen.csv"
    src.write_text("Mã,Điểm,Xếp hạng\nPII,42.52,18/63\n1.1.1,35.2,\n6.1.1,12.5,\n",
                   encoding="utf-8")
    import_file(src, edition=2023, province="Hưng Yên", out_dir=tmp_path / "imp")
    ds = load_dataset(tmp_path / "imp", 2023)
    a = analyse_province(ds, "hung-yen", history=load_history(tmp_path / "imp", 2023))
    assert a.data_source == "imported"
    assert a.goal.points_needed == pytest.approx(47.75 - 42.52)
    assert a.position.provinces_with_score >= 26  # the published scores are still there
    assert any(r.pii is not None for r in a.peers.region if not r.is_subject)
    assert {r.edition for r in a.trend.rows} == {2023, 2024, 2025}  # other editions still shown
    assert a.leverage.rows[0].score is not None  # the imported indicator scores are used


def test_disagreement_with_published_figures_is_listed(tmp_path):
    src = tmp_path / "bg.csv"
    src.write_text("Mã,Điểm\nPII,46.515\n1,67.00\n", encoding="utf-8")  # 46.515 ≈ 46.51: rounding
    import_file(src, edition=2023, province="bac-giang", out_dir=tmp_path / "imp")
    ds = load_dataset(tmp_path / "imp", 2023)
    conflicts = [(c.province, c.code, c.column) for c in ds.conflicts]
    assert conflicts == [("bac-giang", "1", "score")]
    assert float(ds.item("bac-giang", "1")["score"]) == 67.00  # imported wins


def test_demo_never_mixes_with_real_data(tmp_path):
    with pytest.raises(InputError, match="demonstration data never mix"):
        load_dataset(["demo", str(tmp_path)], 2023)


def test_profile_completes_the_partial_2025_framework(tmp_path):
    src = tmp_path / "profile.csv"
    src.write_text("Cấp,Chỉ số,Giá trị,Thấp nhất,Cao nhất\n"
                   "Trụ cột,Cơ sở hạ tầng,,,\n"
                   "Nhóm chỉ số,Hạ tầng công nghệ thông tin,,,\n"
                   "Chỉ số,Hạ tầng số,40,10,70\n"
                   "Chỉ số,Quản trị điện tử,5,1,9\n", encoding="utf-8")
    import_file(src, edition=2025, province="Khánh Hòa", out_dir=tmp_path / "imp")
    ext = pd.read_csv(tmp_path / "imp" / "framework_2025.csv")
    assert list(ext["code"]) == ["3.1", "3.1.1", "3.1.2"]
    ds = load_dataset(tmp_path / "imp", 2025)
    assert ds.framework.has("3.1.2") and ds.framework.completed_from
    assert round(float(ds.item("khanh-hoa", "3.1.1")["score"]), 2) == 50.0


def test_template_round_trip(tmp_path):
    path = write_template(2023, tmp_path / "t.xlsx")
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == ["Cấp", "Mã", "Chỉ số", "Giá trị", "Thấp nhất",
                                        "Cao nhất", "Điểm", "Xếp hạng"]
    assert ws.max_row == 1 + 78
    ws["G2"] = 46.51  # PII score
    ws["H2"] = "11/63"
    wb.save(path)
    tidy, _ = read_profile(path, edition=2023, province="bac-giang")
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
