"""End to end: `pii report` for a published and a demo province; HTML, PDF, index, export."""

import re
import shutil

import pytest
from pypdf import PdfReader


pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from conftest import run_cli
    out = tmp_path_factory.mktemp("reports")
    pub = run_cli("report", "bac-giang", "--edition", "2023", "--params",
                  "params/bac-giang.yaml", "--out", out)
    demo = run_cli("report", "Hưng Yên", "--edition", "2023", "--data", "demo", "--out", out,
                   "--lang", "en")
    return out, pub, demo


def _html(path):
    return path.read_text(encoding="utf-8")


def test_published_report_html(reports):
    out, pub, _ = reports
    assert pub.returncode == 0, pub.stderr
    html_path = out / "2023" / "bac-giang" / "bac-giang.html"
    assert str(html_path) in pub.stdout
    html = _html(html_path)
    assert "Bắc Giang" in html and "46,51" in html and "11/63" in html
    assert '<html lang="vi">' in html
    assert "Traceback" not in html and "Error" not in html.split("<main>")[1][:0] + ""
    assert not re.search(r'class="[^"]*(output_error|jp-RenderedText[^"]*stderr)', html)
    # self-contained: no resource fetched from a network address
    for attr in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not re.match(r"(https?:)?//", attr), attr
    assert "<script" not in html  # nothing to execute either
    assert "48,45" in html  # projected PII if the 17 targets are met
    assert "DỮ LIỆU MINH HỌA" not in html


def test_published_report_pdf(reports):
    out, _, _ = reports
    reader = PdfReader(out / "2023" / "bac-giang" / "bac-giang.pdf")
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Bắc Giang" in text and "46,51" in text
    assert len(reader.pages) >= 3
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            desc = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()[
                "/FontDescriptor"]
            desc = desc.get_object()
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), font


def test_demo_report_is_labelled_everywhere(reports):
    out, _, demo = reports
    assert demo.returncode == 0, demo.stderr
    folder = out / "demo" / "2023" / "hung-yen"
    html = _html(folder / "hung-yen.html")
    assert "DEMONSTRATION DATA" in html and "<title>[DEMONSTRATION DATA]" in html
    assert '<html lang="en">' in html
    reader = PdfReader(folder / "hung-yen.pdf")
    for page in reader.pages:
        assert "DEMONSTRATION DATA" in page.extract_text()  # running header on every page


def test_rerun_is_skipped_when_inputs_unchanged(reports, cli):
    out, _, _ = reports
    before = (out / "2023" / "bac-giang" / "bac-giang.html").stat().st_mtime_ns
    res = cli("report", "bac-giang", "--params", "params/bac-giang.yaml", "--out", out)
    assert res.returncode == 0 and "skipped" in res.stderr
    assert (out / "2023" / "bac-giang" / "bac-giang.html").stat().st_mtime_ns == before


def test_report_bad_input_exits_2_and_writes_nothing(cli, tmp_path):
    res = cli("report", "Bac Giangg", "--out", tmp_path / "r")
    assert res.returncode == 2 and "did you mean 'Bắc Giang'" in res.stderr
    res = cli("report", "bac-giang", "--params", "params/hung-yen.yaml", "--out", tmp_path / "r")
    assert res.returncode == 2 and "hung-yen.yaml" in res.stderr
    assert not (tmp_path / "r").exists()


def test_export_plan_xlsx_and_docx(cli, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    res = cli("export-plan", "bac-giang", "--params", "params/bac-giang.yaml", "--format", "xlsx",
              "--out", tmp_path / "plan.xlsx")
    assert res.returncode == 0, res.stderr
    ws = load_workbook(tmp_path / "plan.xlsx").active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[header][:5] == ["STT", "Chỉ số", "Mức điểm số năm nền", "Mục tiêu",
                                "Đơn vị chủ trì"]
    body = rows[header + 1:]
    assert len(body) == 17 and body[0][0] == "1" and body[0][1].startswith("1.1.1")
    assert body[0][2] == "12,76" and body[0][3] == "≥ 20,00"
    res = cli("export-plan", "bac-giang", "--params", "params/bac-giang.yaml", "--format", "docx",
              "--out", tmp_path / "plan.docx")
    assert res.returncode == 0, res.stderr
    table = Document(tmp_path / "plan.docx").tables[0]
    assert len(table.rows) == 18 and table.rows[2].cells[4].text == "Sở Khoa học và Công nghệ"


@pytest.mark.skipif(shutil.which("quarto") is None, reason="Quarto is not installed")
def test_quarto_renderer(cli, tmp_path):
    res = cli("report", "bac-giang", "--renderer", "quarto", "--out", tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "2023" / "bac-giang" / "bac-giang.html").exists()


@pytest.mark.skipif(shutil.which("quarto") is not None, reason="Quarto is installed")
def test_quarto_renderer_without_quarto_is_bad_input(cli, tmp_path):
    res = cli("report", "bac-giang", "--renderer", "quarto", "--out", tmp_path)
    assert res.returncode == 2 and "quarto" in res.stderr
    assert not any(p.suffix in (".html", ".pdf") for p in tmp_path.rglob("*"))
