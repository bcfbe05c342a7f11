"""Writing the plan appendix as Office files: XLSX (openpyxl) and DOCX (python-docx).

Format choices
--------------
* XLSX numbers are numbers. The format ``#,##0.00`` takes its separators from the *locale*, so
  Vietnamese Excel/LibreOffice show ``12,76`` (``1.234,50``) for 12.76; targets use
  ``"≥ "#,##0.00`` and stay numbers. Missing values are empty cells, never "—" text.
* Text is always a string cell, never a formula; text starting with ``= + - @``, tab or CR also
  gets Excel's quote prefix (the apostrophe equivalent; OWASP formula-injection advice).
  Control characters never reach here: the params loader refuses them.
* Column widths are fitted to the content; XLSX row heights are estimated from them, as
  LibreOffice does not re-fit wrapped rows written by openpyxl. Header row frozen and repeated
  on every printed page; A4 landscape, fit to width.
* DOCX: A4 landscape, Times New Roman, fixed table layout with the width set on every cell,
  header row repeated on every page (``w:tblHeader``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..files import FORMULA_TRIGGERS, atomic_path
from ..model.params import Params
from .export import (appendix_title, checked_rows, fitted_widths,
                     line_counts, line_lengths, responsibility_headers, responsibility_texts,
                     target_headers, target_texts)
from .wording import Wording, current_lang, wording

NUMBER_FORMAT = "#,##0.00"  # the locale renders the separators: 12,76 in Vietnamese Excel
FONT = "Times New Roman"
HEADER_ROW = 5  # XLSX rows 1–3: appendix, heading, "attached to" line; row 4 empty
XLSX_WIDTH_CHARS = 160  # table width budget (column-width units); printing fits it to the page
XLSX_CHAR, XLSX_PADDING = 0.6, 2.0  # a Times New Roman 11 pt character in column-width units
XLSX_LINE_PT, XLSX_MAX_ROW_PT = 14.0, 409.0  # Excel's maximum row height is 409 pt
PAGE_WIDTH_CM, PAGE_HEIGHT_CM, MARGIN_CM = 29.7, 21.0, 1.5
DOCX_CHAR_CM, DOCX_PADDING_CM = 0.2, 0.45  # Times New Roman 11 pt; cell margins included


def _number_formats(w: Wording) -> tuple[str, str]:
    at_least = w("export.at_least", value="").strip()
    target = f'"{at_least} "{NUMBER_FORMAT}'
    return target, f'{target}"{w("export.raw_target")}"'


# --- XLSX --------------------------------------------------------------------------------------

def export_xlsx(params: Params, out: str | Path, lang: str | None = None) -> Path:
    """Write the appendix as an Excel workbook (sheets "Mục tiêu" and/or "Phân công").

    Raises ``InputError`` when the params hold neither targets nor responsibilities, or text
    with control characters (naming the params file, the key and the value).
    """
    from openpyxl import Workbook

    w = wording(lang or current_lang())
    targets, responsibilities = checked_rows(params, w.lang)
    target_format, raw_target_format = _number_formats(w)
    workbook = Workbook()
    workbook.remove(workbook.active)
    if targets:
        texts = target_texts(w, targets)  # XLSX cells: the same text, numbers as numbers
        values = [[r.number, t[1], r.baseline, float(r.target), *_blank_dashes(t[4:])]
                  for r, t in zip(targets, texts)]
        formats = [{1: "0", 3: NUMBER_FORMAT,
                    4: raw_target_format if r.target_kind == "raw" else target_format}
                   for r in targets]
        _xlsx_sheet(w, workbook.create_sheet(w("export.sheet_targets")),
                    appendix_title(w, params, targets=True), target_headers(w, params), values,
                    texts, formats)
    if responsibilities:
        texts = responsibility_texts(w, responsibilities)
        values = [[r.number, *_blank_dashes(t[1:])] for r, t in zip(responsibilities, texts)]
        _xlsx_sheet(w, workbook.create_sheet(w("export.sheet_responsibilities")),
                    appendix_title(w, params, targets=False), responsibility_headers(w),
                    values, texts, [{1: "0"}] * len(values))
    with atomic_path(out) as tmp:
        workbook.save(tmp)
    return Path(out)


def _blank_dashes(texts: list[str]) -> list[str | None]:
    return [None if text in ("", "—") else text for text in texts]


def _set_cell(ws, row: int, column: int, value: object):
    """Write one cell; text is always a string cell, quote-prefixed when it could be a formula."""
    cell = ws.cell(row=row, column=column)
    cell.value = None if value == "" else value
    if isinstance(value, str) and value:
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
        cell.quotePrefix = value.startswith(FORMULA_TRIGGERS)
    return cell


def _xlsx_sheet(w: Wording, ws, title: tuple[str, str], headers: list[str], values: list[list],
                texts: list[list[str]], formats: list[dict[int, str]]) -> None:
    """Title rows, header, body, widths and heights, frozen header and print setup."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    budget = XLSX_WIDTH_CHARS
    while True:  # widen the table until the tallest row fits Excel's maximum row height
        widths = fitted_widths([headers] + texts, budget, char=XLSX_CHAR, padding=XLSX_PADDING)
        lines = line_counts(line_lengths([headers] + texts), np.array([widths]), XLSX_CHAR,
                             XLSX_PADDING)[0]
        if lines.max() * XLSX_LINE_PT <= XLSX_MAX_ROW_PT or budget > 4 * XLSX_WIDTH_CHARS:
            break
        budget *= 1.15
    for r, (text, bold, italic) in enumerate(((w("export.appendix"), True, False),
                                              (title[0], True, False), (title[1], False, True)),
                                             start=1):
        cell = _set_cell(ws, r, 1, text)
        cell.font = Font(name=FONT, size=12, bold=bold, italic=italic)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(headers))
        ws.row_dimensions[r].height = 1.2 * XLSX_LINE_PT * math.ceil(1.1 * len(text) * XLSX_CHAR
                                                                     / budget)
    thin = Side(style="thin", color="808080")
    border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for c, (text, width) in enumerate(zip(headers, widths), start=1):
        cell = _set_cell(ws, HEADER_ROW, c, text)
        cell.font = Font(name=FONT, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="E7E6E6")
        cell.border = border
        ws.column_dimensions[get_column_letter(c)].width = round(width, 1)
    for r, (row, number_formats) in enumerate(zip(values, formats), start=HEADER_ROW + 1):
        for c, value in enumerate(row, start=1):
            cell = _set_cell(ws, r, c, value)
            cell.font = Font(name=FONT, size=11)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True,
                                       horizontal="center" if c == 1 else None)
            if c in number_formats and isinstance(value, (int, float)):
                cell.number_format = number_formats[c]
    for r, n_lines in enumerate(lines, start=HEADER_ROW):
        ws.row_dimensions[r].height = min(XLSX_MAX_ROW_PT, n_lines * XLSX_LINE_PT + 3)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1).coordinate
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5


def export_docx(params: Params, out: str | Path, lang: str | None = None) -> Path:
    """Write the appendix as a Word document (A4 landscape, Times New Roman).

    The targets table comes first; the responsibility table follows on a new page, or stands
    alone when the plan only assigns owners. Raises ``InputError`` as :func:`export_xlsx`.
    """
    from docx import Document
    from docx.enum.text import WD_BREAK

    w = wording(lang or current_lang())
    targets, responsibilities = checked_rows(params, w.lang)
    doc = Document()
    _docx_page_and_font(doc)
    if targets:
        _docx_table(w, doc, appendix_title(w, params, targets=True), target_headers(w, params),
                    target_texts(w, targets), centred={0, 2, 3, 6}, with_appendix=True)
    if responsibilities:
        if targets:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _docx_table(w, doc, appendix_title(w, params, targets=False),
                    responsibility_headers(w), responsibility_texts(w, responsibilities),
                    centred={0, 1}, with_appendix=not targets)
    with atomic_path(out) as tmp:
        doc.save(tmp)
    return Path(out)


def _docx_page_and_font(doc) -> None:
    """A4 landscape page and Times New Roman as the Normal style (all scripts)."""
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Cm(MARGIN_CM))
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(11)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    style.paragraph_format.space_after = Pt(0)


def _docx_table(w: Wording, doc, title: tuple[str, str], headers: list[str], rows: list[list[str]], *,
                centred: set[int], with_appendix: bool) -> None:
    """Title lines, then a fixed-layout table: widths fitted to content on every cell, header
    row repeated on every page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    for text, bold, italic in ([(w("export.appendix"), True, False)] if with_appendix else []) + [
            (title[0], True, False), (title[1], False, True), ("", False, False)]:
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(12)

    widths = fitted_widths([headers] + rows, PAGE_WIDTH_CM - 2 * MARGIN_CM, char=DOCX_CHAR_CM,
                           padding=DOCX_PADDING_CM)
    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    table.autofit = False  # w:tblLayout w:type="fixed": Word keeps the widths below
    table_width = table._tbl.tblPr.find(qn("w:tblW"))
    table_width.set(qn("w:type"), "dxa")
    table_width.set(qn("w:w"), str(round(sum(widths) / 2.54 * 1440)))
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for r, (row, texts) in enumerate(zip(table.rows, [headers] + rows)):
        for c, (cell, text) in enumerate(zip(row.cells, texts)):
            cell.width = Cm(widths[c])
            for i, line in enumerate(text.split("\n")):
                paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
                paragraph.add_run(line).bold = r == 0
                if r == 0 or c in centred:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

