"""End to end with the builtin renderer: `pii report` for real and demo provinces, both
languages; what a reader sees in the HTML and the PDF; one voice per language."""

import os
import re
import unicodedata

import pytest
import yaml
from pypdf import PdfReader

from conftest import ROOT, run_cli
from report_text import (english_leaks, pdf_text, vietnamese_leaks, visible_html_text,
                         whitelist_for)

pytestmark = pytest.mark.e2e

CASES = {  # province → (edition, params)
    "bac-giang": (2023, "params/bac-giang.yaml"),
    "hung-yen": (2023, "params/hung-yen.yaml"),
    "ha-noi": (2023, "params/ha-noi.yaml"),
    "bac-ninh": (2025, ""),
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    runs = {}
    for lang in ("vi", "en"):
        for pid, (edition, params) in CASES.items():
            args = ["report", pid, "--edition", edition, "--out", out, "--renderer", "builtin"]
            args += ["--params", params] if params else []
            runs[(pid, lang)] = run_cli(*args, lang=lang)
    runs["demo"] = run_cli("report", "Hưng Yên", "--edition", "2023", "--data", "demo", "--out",
                           out, "--lang", "en", "--renderer", "builtin")
    return out, runs


def _paths(out, pid, lang, edition=None):
    edition = edition or CASES[pid][0]
    stem = pid if lang == "vi" else f"{pid}.{lang}"
    folder = out / str(edition) / pid
    return folder / f"{stem}.html", folder / f"{stem}.pdf"


def test_every_report_is_written_in_both_languages_side_by_side(reports):
    out, runs = reports
    for key, res in runs.items():
        assert res.returncode == 0, (key, res.stderr)
    for pid in CASES:
        for lang in ("vi", "en"):
            html, pdf = _paths(out, pid, lang)
            assert str(html) in runs[(pid, lang)].stdout and pdf.exists()
            mode = html.stat().st_mode & 0o777
            assert mode == 0o666 & ~_umask(), oct(mode)  # a colleague can read it


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_published_report_html(reports):
    out, _ = reports
    html = _paths(out, "bac-giang", "vi")[0].read_text(encoding="utf-8")
    assert "Bắc Giang" in html and "46,51" in html and "11/63" in html
    assert '<html lang="vi">' in html
    assert "Traceback" not in html
    assert not re.search(r'class="[^"]*(output_error|jp-RenderedText[^"]*stderr)', html)
    for attr in re.findall(r'(?:src|href)="([^"]+)"', html):  # self-contained
        assert not re.match(r"(https?:)?//", attr), attr
    assert "48,45" in html  # projected PII if the 17 targets are met
    assert "DỮ LIỆU MINH HỌA" not in html


def test_default_report_has_strengths_weaknesses_and_pillar_goals(reports):
    out, _ = reports
    text = visible_html_text(_paths(out, "bac-giang", "vi")[0])
    assert "Theo thứ hạng trụ cột và nhóm chỉ số" in text and "Tác động" in text
    assert "Theo kế hoạch của tỉnh" in text and "17 chỉ số thành phần" in text
    assert "Mục tiêu theo trụ cột của kế hoạch" in text and "Đạt" in text


def test_published_report_pdf(reports):
    out, _ = reports
    reader = PdfReader(_paths(out, "bac-giang", "vi")[1])
    text = pdf_text(reader)
    assert "Bắc Giang" in text and "46,51" in text
    assert len(reader.pages) >= 3
    # captions are numbered 1, 2, 3 … (pandoc's uncaptioned tables must not take numbers)
    numbers = [int(n) for n in re.findall(r"Bảng\s(\d+):", text)]
    assert len(numbers) >= 5 and numbers == list(range(1, len(numbers) + 1))
    # the HTML numbers the same captions with the same words (CSS counters on main.numbered)
    html = _paths(out, "bac-giang", "vi")[0].read_text(encoding="utf-8")
    assert """<main class="numbered" style="--figure-word: 'Hình'; --table-word: 'Bảng'">""" \
        in html
    assert html.count('<table class="data"><caption>') == len(numbers)
    assert html.count("<figcaption>") == len(re.findall(r"Hình\s\d+:", text))
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            desc = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()[
                "/FontDescriptor"]
            assert any(k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.mark.parametrize("pid", list(CASES))
def test_vietnamese_reports_speak_one_voice(reports, pid):
    """No English, no command syntax, no file paths, no internal words, numbers as 46,51."""
    out, _ = reports
    html, pdf = _paths(out, pid, "vi")
    for name, text in (("html", visible_html_text(html)), ("pdf", pdf_text(PdfReader(pdf)))):
        assert vietnamese_leaks(text) == [], (pid, name)


@pytest.mark.parametrize("pid", list(CASES))
def test_english_reports_have_no_vietnamese_outside_names_and_quotations(reports, pid):
    out, _ = reports
    edition, params = CASES[pid]
    allowed = whitelist_for(pid, edition, ROOT / params if params else None)
    html, pdf = _paths(out, pid, "en")
    for name, text in (("html", visible_html_text(html)), ("pdf", pdf_text(PdfReader(pdf)))):
        assert english_leaks(text, allowed) == [], (pid, name)


def test_demo_report_is_labelled_everywhere(reports):
    out, runs = reports
    folder = out / "demo" / "2023" / "hung-yen"
    html = (folder / "hung-yen.en.html").read_text(encoding="utf-8")
    assert "DEMONSTRATION DATA" in html and "<title>[DEMONSTRATION DATA]" in html
    assert '<html lang="en">' in html
    for page in PdfReader(folder / "hung-yen.en.pdf").pages:
        assert "DEMONSTRATION DATA" in page.extract_text()  # running header on every page


def test_rerun_is_skipped_when_inputs_unchanged(reports):
    out, _ = reports
    html = _paths(out, "bac-giang", "vi")[0]
    before = html.stat().st_mtime_ns
    res = run_cli("report", "bac-giang", "--params", "params/bac-giang.yaml", "--out", out,
                  "--renderer", "builtin", lang="vi")
    assert res.returncode == 0 and "bỏ qua" in res.stderr
    assert html.stat().st_mtime_ns == before


def test_report_bad_input_exits_2_and_writes_nothing(cli, tmp_path):
    res = cli("report", "Bac Giangg", "--out", tmp_path / "r")
    assert res.returncode == 2 and "did you mean 'Bắc Giang'" in res.stderr
    res = cli("report", "bac-giang", "--params", "params/hung-yen.yaml", "--out", tmp_path / "r")
    assert res.returncode == 2 and "hung-yen.yaml" in res.stderr
    res = cli("report", "bac-giang", "--out", tmp_path / "r", lang="vi")
    assert res.returncode in (0, 1)  # a valid run (smoke) — and messages in Vietnamese:
    res = cli("report", "Bac Giangg", "--out", tmp_path / "x", lang="vi")
    assert res.returncode == 2 and "có phải là 'Bắc Giang'" in res.stderr
    assert not (tmp_path / "x").exists()


def test_wording_catalogue_is_the_only_voice():
    """Every key exists in every language with the same placeholders."""
    from pii_lib.present.wording import catalogue, languages, placeholders

    langs = languages()
    assert set(langs) >= {"vi", "en"}
    keys = {lang: set(catalogue(lang)) for lang in langs}
    for lang in langs:
        assert keys[lang] == keys["vi"], (lang, keys[lang] ^ keys["vi"])
    for key in keys["vi"]:
        shapes = {lang: (sorted(placeholders(catalogue(lang)[key])),
                         sorted(re.findall(r"%\(\w+\)\w|%s", catalogue(lang)[key])))
                  for lang in langs}
        assert len({str(v) for v in shapes.values()}) == 1, (key, shapes)


def test_catalogue_files_are_valid_yaml_without_duplicates():
    from pii_lib.safe_yaml import read_yaml
    from pii_lib.present.wording import HERE

    for path in HERE.glob("*.yaml"):
        assert isinstance(read_yaml(path), dict)  # duplicate keys would be refused
        assert unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8"))
        yaml.safe_load(path.read_text(encoding="utf-8"))


def test_builtin_html_keeps_quarto_cell_options_alt_text_and_highlighting(tmp_path):
    """The builtin HTML exporter (nbconvert without its page re-parse) still shows ``echo: true``
    code highlighted, hides other code, drops ``include: false`` cells and keeps a figure's alt
    text."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from pii_lib.present.blocks import Figure
    from pii_lib.run.render import PageInfo, render_html

    fig = Figure(png=b"\x89PNG", caption="Hình 1", alt="Điểm các trụ cột")
    shown = new_code_cell("#| echo: true\ntotal = sum([1, 2])", outputs=[
        new_output("display_data", data={"text/html": fig._repr_html_()})])
    hidden = new_code_cell("secret_code = 1", outputs=[
        new_output("display_data", data={"text/html": "<p>kết quả</p>"})])
    dropped = new_code_cell("#| include: false\ndropped_cell = 2", outputs=[
        new_output("display_data", data={"text/html": "<p>bỏ đi</p>"})])
    nb = new_notebook(cells=[new_markdown_cell("## Mục một"), shown, hidden, dropped])
    nbformat.validate(nb)
    target = render_html(nb, tmp_path / "r.html", PageInfo(title="T", lang="vi"))
    html = target.read_text(encoding="utf-8")
    assert 'alt="Điểm các trụ cột"' in html
    assert re.search(r'<span class="n(b|f)?">sum</span>', html)  # pygments highlighting
    assert "secret_code" not in html and "<p>kết quả</p>" in html
    assert "dropped_cell" not in html and "bỏ đi" not in html
