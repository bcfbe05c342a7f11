"""The Quarto renderer for real (skipped where no `quarto` is on PATH; `.ci/run` installs it):
one report as a self-contained HTML and an A4 PDF as finished as the builtin ones, and a
batch as an offline Quarto website with search and a listing."""

import json
import re
import shutil

import pytest
from pypdf import PdfReader

from conftest import ROOT, run_cli
from report_text import english_leaks, pdf_text, vietnamese_leaks, visible_html_text, \
    whitelist_for

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(shutil.which("quarto") is None,
                                 reason="Quarto is not on PATH (install it with "
                                        "../shared/tools/quarto/install.sh DEST)")]


@pytest.fixture(scope="module")
def quarto_reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("quarto")
    runs = {lang: run_cli("report", "bac-giang", "--params", "params/bac-giang.yaml", "--out",
                          out, "--renderer", "quarto", lang=lang) for lang in ("vi", "en")}
    return out, runs


def _files(out, lang):
    stem = "bac-giang" if lang == "vi" else "bac-giang.en"
    folder = out / "2023" / "bac-giang"
    return folder / f"{stem}.html", folder / f"{stem}.pdf", folder


def test_quarto_html_is_self_contained_and_finished(quarto_reports):
    out, runs = quarto_reports
    assert runs["vi"].returncode == 0, runs["vi"].stderr
    html_path, _, folder = _files(out, "vi")
    html = html_path.read_text(encoding="utf-8")
    for attr in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not re.match(r"(https?:)?//", attr), attr
    assert "<title>Bắc Giang — PII 2023</title>" in html  # the title carries province, edition
    assert 'class="keyfigures"' in html and "46,51" in html and "48,45" in html  # cards
    assert html.count('src="data:image/png;base64,') >= 3  # the charts, embedded
    assert re.search(r"Hình\s1:", html) and re.search(r"Bảng\s1:", html)  # numbered, Vietnamese
    assert "Other formats" not in html and "Typst" not in visible_html_text(html_path)
    assert not [p for p in folder.iterdir() if p.name.endswith("_files")]  # nothing left


def test_quarto_pdf_is_a4_with_embedded_fonts_and_the_key_figures(quarto_reports):
    out, _ = quarto_reports
    reader = PdfReader(_files(out, "vi")[1])
    assert len(reader.pages) >= 3
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 in points
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            desc = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()[
                "/FontDescriptor"]
            assert any(k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    text = pdf_text(reader)
    assert "46,51" in text and "11/63" in text and "48,45" in text
    assert "Bắc Giang — PII 2023" in reader.pages[1].extract_text()  # running header


def test_quarto_reports_speak_one_voice(quarto_reports):
    out, runs = quarto_reports
    assert runs["en"].returncode == 0, runs["en"].stderr
    html, pdf, _ = _files(out, "vi")
    assert vietnamese_leaks(visible_html_text(html)) == []
    assert vietnamese_leaks(pdf_text(PdfReader(pdf))) == []
    html, pdf, _ = _files(out, "en")
    allowed = whitelist_for("bac-giang", 2023, ROOT / "params/bac-giang.yaml")
    assert english_leaks(visible_html_text(html), allowed) == []
    assert english_leaks(pdf_text(PdfReader(pdf)), allowed) == []
    assert re.search(r"Figure\s1:", html.read_text(encoding="utf-8"))


def test_quarto_batch_is_an_offline_website_with_search_and_a_listing(tmp_path):
    out = tmp_path / "r"
    res = run_cli("report", "--all", "--data", "demo", "--only", "bac-giang,ha-noi,hung-yen",
                  "--out", out, "--renderer", "quarto", "--jobs", "2", lang="vi")
    assert res.returncode == 0, res.stderr
    site = out / "demo" / "2023" / "site"
    assert str(site / "index.html") in res.stdout
    for pid in ("bac-giang", "ha-noi", "hung-yen"):
        assert (site / f"{pid}.html").exists() and (site / f"{pid}.pdf").exists()
        page = (site / f"{pid}.html").read_text(encoding="utf-8")
        # the page links its PDF (rendered beside the site, by a second Quarto at once)
        assert re.search(rf'class="quarto-other-links"><h2>Tải về</h2><ul><li><a href="{pid}'
                         r'\.pdf"', page)
        assert PdfReader(site / f"{pid}.pdf").pages[0].extract_text().count("PII") >= 1
    index = (site / "index.html").read_text(encoding="utf-8")
    listing = json.loads((site / "listings.json").read_text(encoding="utf-8"))
    assert sorted(i.strip("/") for i in listing[0]["items"]) == [
        "bac-giang.html", "ha-noi.html", "hung-yen.html"]
    assert "bac-giang.pdf" in index and "Lọc" in index  # PDF links and the filter box
    search = json.loads((site / "search.json").read_text(encoding="utf-8"))
    assert any("Bắc Giang" in (e.get("title", "") + e.get("text", "")) for e in search)
    assert (site / "site_libs/quarto-search/search-index.js").exists()  # works from file://
    for page in site.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        for attr in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"(https?:)?//", attr), (page.name, attr)
        assert 'type="module"' not in html  # module scripts are blocked on file://
    rerun = run_cli("report", "--all", "--data", "demo", "--only", "bac-giang,ha-noi,hung-yen",
                    "--out", out, "--renderer", "quarto", lang="en")
    assert rerun.returncode == 0 and (out / "demo" / "2023" / "site").exists()


def test_auto_uses_quarto_and_says_so(tmp_path):
    res = run_cli("report", "bac-giang", "--formats", "html", "--out", tmp_path, lang="en")
    assert res.returncode == 0, res.stderr
    assert "renderer: quarto" in res.stderr
