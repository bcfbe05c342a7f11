"""Plan appendix export (`pii export-plan`): XLSX and DOCX opened and checked cell by cell."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from pii_lib.errors import InputError
from pii_lib.model.framework import load_framework
from pii_lib.model.params import load_params
from pii_lib.present.export import fitted_widths, responsibility_headers, responsibility_rows
from pii_lib.present.export_office import NUMBER_FORMAT
from pii_lib.present.export_office import export_docx as _export_docx
from pii_lib.present.export_office import export_xlsx as _export_xlsx
from pii_lib.present.wording import wording

VI = wording("vi")


def export_xlsx(params, out):
    """The Vietnamese appendix (the plans' own language)."""
    return _export_xlsx(params, out, lang="vi")


def export_docx(params, out):
    """The Vietnamese appendix (the plans' own language)."""
    return _export_docx(params, out, lang="vi")

ROOT = Path(__file__).resolve().parent.parent
HEADER_ROW = 5
INJECTION = '=HYPERLINK("http://x","y")'


@pytest.fixture(scope="module")
def bac_giang():
    return load_params(ROOT / "params/bac-giang.yaml")


@pytest.fixture(scope="module")
def ha_noi():
    return load_params(ROOT / "params/ha-noi.yaml")


@pytest.fixture(scope="module")
def files(tmp_path_factory, bac_giang, ha_noi) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("plans")
    return {"bg.xlsx": export_xlsx(bac_giang, out / "bac-giang.xlsx"),
            "bg.docx": export_docx(bac_giang, out / "bac-giang.docx"),
            "hn.xlsx": export_xlsx(ha_noi, out / "ha-noi.xlsx"),
            "hn.docx": export_docx(ha_noi, out / "ha-noi.docx")}


def _body(ws) -> list[list]:
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW + 1)]
    return [r for r in rows if any(v is not None for v in r)]


def _owned_codes(params) -> set[str]:
    return {t.code for t in params.targets if t.lead} | {r.code for r in params.responsibilities}


# --- XLSX --------------------------------------------------------------------------------------

def test_xlsx_bac_giang_has_targets_and_responsibility_sheets(files, bac_giang):
    wb = load_workbook(files["bg.xlsx"])
    assert wb.sheetnames == ["Mục tiêu", "Phân công"]
    targets, owners = wb["Mục tiêu"], wb["Phân công"]
    assert [c.value for c in targets[HEADER_ROW]][:4] == ["STT", "Chỉ số", "Mức điểm số năm 2023",
                                                          "Mục tiêu năm 2024"]
    body = _body(targets)
    assert len(body) == 17 == len(bac_giang.targets)
    assert body[0][0] == 1 and body[0][1].startswith("1.1.1. ")
    assert body[1][4] == "Sở Khoa học và Công nghệ"
    owners_body = _body(owners)
    assert len(owners_body) == len(_owned_codes(bac_giang)) == 24
    order = list(load_framework(2023).table["code"])
    codes = [r[1] for r in owners_body]
    assert codes == sorted(codes, key=order.index)


def test_xlsx_numbers_are_numbers_with_locale_number_format(files, bac_giang):
    ws = load_workbook(files["bg.xlsx"])["Mục tiêu"]
    first = ws.cell(HEADER_ROW + 1, 3), ws.cell(HEADER_ROW + 1, 4)
    assert first[0].data_type == "n" and first[0].value == pytest.approx(12.76)
    assert first[0].number_format == NUMBER_FORMAT == "#,##0.00"
    assert first[1].data_type == "n" and first[1].value == pytest.approx(20.0)
    assert first[1].number_format.endswith(NUMBER_FORMAT) and "≥" in first[1].number_format
    for r, target in enumerate(bac_giang.targets, start=HEADER_ROW + 1):
        assert isinstance(ws.cell(r, 3).value, (int, float))
        assert ws.cell(r, 4).value == pytest.approx(target.target)
        assert ws.cell(r, 1).data_type == "n"


def test_xlsx_ha_noi_responsibilities_only(files, ha_noi):
    wb = load_workbook(files["hn.xlsx"])
    assert wb.sheetnames == ["Phân công"]
    ws = wb["Phân công"]
    assert [c.value for c in ws[HEADER_ROW]] == responsibility_headers(VI)
    body = _body(ws)
    assert len(body) == 52 == len(_owned_codes(ha_noi))
    fw = load_framework(2023)
    assert {r[1] for r in body} == set(fw.indicators)
    for row in body:
        lead, _ = ha_noi.owners(row[1])
        assert row[2] == fw.name(row[1]) and row[3] == lead
        assert all(isinstance(v, str) for v in row[1:] if v is not None)


@pytest.mark.parametrize("name", ["bg.xlsx", "hn.xlsx"])
def test_xlsx_frozen_header_print_setup_and_wrapping(files, name):
    for ws in load_workbook(files[name]):
        assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert all(ws.cell(HEADER_ROW, c).alignment.wrap_text for c in range(1, ws.max_column))
        assert all(ws.cell(HEADER_ROW + 1, c).alignment.wrap_text
                   for c in range(1, ws.max_column))
        widths = [ws.column_dimensions[chr(64 + c)].width for c in range(1, ws.max_column + 1)]
        assert all(w and w > 3 for w in widths)


def test_xlsx_formula_injection_is_stored_as_text(tmp_path, bac_giang):
    params = bac_giang.model_copy(deep=True)
    params.targets[0].lead = INJECTION
    params.targets[0].partners = ["+SUM(1,2)", "@cmd", "-1+2", "\tx"]
    path = export_xlsx(params, tmp_path / "x.xlsx")
    ws = load_workbook(path)["Mục tiêu"]
    lead, partners = ws.cell(HEADER_ROW + 1, 5), ws.cell(HEADER_ROW + 1, 6)
    assert lead.data_type == "s" and lead.value == INJECTION and lead.quotePrefix
    assert partners.data_type == "s" and partners.quotePrefix
    owner = load_workbook(path)["Phân công"]
    assert owner.cell(HEADER_ROW + 1, 4).value == INJECTION
    assert owner.cell(HEADER_ROW + 1, 4).data_type == "s"
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any("<f>" in z.read(n).decode() or "<f " in z.read(n).decode()
                                  for n in sheets)


def _params_file(tmp_path: Path, old: str, new: str) -> Path:
    text = (ROOT / "params/bac-giang.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bac-giang.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("export", [export_xlsx, export_docx])
def test_control_characters_are_refused_naming_file_key_and_value(tmp_path, export):
    path = _params_file(tmp_path, 'lead: "Sở Khoa học và Công nghệ"',
                        'lead: "Sở Khoa học\\x07 và Công nghệ"')
    out = tmp_path / f"out.{export.__name__[-4:]}"
    with pytest.raises(InputError) as caught:  # refused when the params are read
        export(load_params(path), out)
    message = str(caught.value)
    assert str(path) in message and "targets[1].lead" in message and "\\x07" in message
    assert "control characters" in message
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_params_without_targets_or_responsibilities_are_refused(tmp_path, ha_noi):
    params = ha_noi.model_copy(deep=True)
    params.responsibilities = []
    with pytest.raises(InputError, match="targets.*responsibilities") as caught:
        export_xlsx(params, tmp_path / "x.xlsx")
    assert "ha-noi.yaml" in str(caught.value)
    assert not (tmp_path / "x.xlsx").exists()


def test_responsibility_row_notes_name_a_lead_overridden_by_a_target(bac_giang):
    rows = {r.code: r for r in responsibility_rows(bac_giang)}
    first = rows["1.1.1"]
    assert first.lead == bac_giang.targets[0].lead  # the target's lead comes first
    assert first.note.startswith("Sở Khoa học và Công nghệ: Mục II.2.1")
    assert rows["6.3.3"].lead == "Sở Khoa học và Công nghệ"


# --- DOCX --------------------------------------------------------------------------------------

def _paragraph_texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.text.strip()]


def test_docx_title_layout_and_repeated_header(files, bac_giang):
    doc = Document(files["bg.docx"])
    section = doc.sections[0]
    assert section.orientation == 1 and section.page_width > section.page_height
    assert abs(section.page_width.cm - 29.7) < 0.05 and abs(section.page_height.cm - 21.0) < 0.05
    texts = _paragraph_texts(doc)
    attached = next(t for t in texts if t.startswith("(Kèm theo"))
    assert "41/KH-UBND" in attached and "9/7/2024" in attached
    assert bac_giang.plan.title in attached and bac_giang.plan.issuer in attached
    assert doc.styles["Normal"].font.name == "Times New Roman"
    targets, owners = doc.tables
    assert len(targets.rows) == 18 and len(owners.rows) == 1 + 24
    assert targets.rows[2].cells[4].text == "Sở Khoa học và Công nghệ"
    assert targets.rows[1].cells[2].text == "12,76" and targets.rows[1].cells[3].text == "≥ 20,00"
    for table in doc.tables:
        header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
        assert header is not None and header.get(qn("w:val")) in ("true", "1", None)
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        for row in table.rows:
            for cell in row.cells:
                assert cell._tc.tcPr.find(qn("w:tcW")).get(qn("w:type")) == "dxa"
        widths = [cell.width.cm for cell in table.rows[0].cells]
        assert sum(widths) == pytest.approx(29.7 - 2 * 1.5, abs=0.05)


def test_docx_ha_noi_is_the_responsibility_appendix(files):
    doc = Document(files["hn.docx"])
    assert len(doc.tables) == 1 and len(doc.tables[0].rows) == 53
    texts = _paragraph_texts(doc)
    assert texts[0] == "Phụ lục" and texts[1] == VI("export.heading_responsibilities")
    assert "UBND thành phố Hà Nội" in texts[2]
    assert [c.text for c in doc.tables[0].rows[0].cells] == responsibility_headers(VI)


def test_fitted_widths_fill_the_page_and_give_long_text_room():
    rows = [["STT", "Tên", "Ghi chú"], ["1", "Ngắn", "một đoạn ghi chú dài " * 20],
            ["2", "Tên dài hơn một chút", "ngắn"]]
    widths = fitted_widths(rows, 26.7, char=0.2, padding=0.45)
    assert sum(widths) == pytest.approx(26.7)
    assert widths[2] > widths[1] > widths[0] >= 3 * 0.2 + 0.45


# --- CLI and LibreOffice -----------------------------------------------------------------------

def test_cli_export_plan_for_targets_and_for_responsibilities_only(cli, tmp_path):
    for province, fmt in (("bac-giang", "xlsx"), ("bac-giang", "docx"), ("ha-noi", "xlsx"),
                          ("ha-noi", "docx")):
        out = tmp_path / f"{province}.{fmt}"
        res = cli("export-plan", province, "--params", f"params/{province}.yaml", "--format",
                  fmt, "--out", out, lang="vi")
        assert res.returncode == 0, res.stderr
        assert out.exists() and out.stat().st_size > 0
        assert oct(out.stat().st_mode & 0o777) == oct(0o666 & ~_umask())  # readable by others
    assert load_workbook(tmp_path / "ha-noi.xlsx").sheetnames == ["Phân công"]
    res = cli("export-plan", "ha-noi", "--params", "params/ha-noi.yaml", "--out",
              tmp_path / "en.xlsx", lang="en")
    assert load_workbook(tmp_path / "en.xlsx").sheetnames == ["Responsibilities"]


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not on PATH; cannot check that it opens "
                           "the exported files")
def test_libreoffice_converts_the_exports_to_pdf(tmp_path, bac_giang, files):
    from pypdf import PdfReader

    params = bac_giang.model_copy(deep=True)
    params.targets[0].lead = INJECTION
    injected = export_xlsx(params, tmp_path / "injected.xlsx")
    profile = (tmp_path / "lo-profile").as_uri()
    for source in (files["bg.xlsx"], files["bg.docx"], files["hn.docx"], injected):
        outdir = tmp_path / source.name.replace(".", "_")
        res = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                              "--convert-to", "pdf", "--outdir", str(outdir), str(source)],
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
        pdf = outdir / (source.stem + ".pdf")
        assert pdf.exists() and pdf.stat().st_size > 0, res.stdout + res.stderr
        text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
        if source == injected:
            assert "HYPERLINK" in text  # shown as text, not evaluated to the link label
        elif source.suffix == ".docx" and source.stem == "bac-giang":
            assert "41/KH-UBND" in text
