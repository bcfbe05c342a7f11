"""Plan appendix export: the targets/owners table as XLSX and DOCX, in the seeds' layout.

Columns as in the appendices of the provincial plans ("Phụ lục phân công nhiệm vụ"): STT,
indicator, baseline score, target, lead unit, partner units, timeline, actions.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..files import atomic_path
from ..model.framework import load_framework
from ..present.narrative import fmt_number
from ..model.params import Params

HEADERS = ["STT", "Chỉ số", "Mức điểm số năm nền", "Mục tiêu", "Đơn vị chủ trì",
           "Đơn vị phối hợp", "Thời gian thực hiện", "Nhiệm vụ, giải pháp"]


def appendix_rows(params: Params) -> list[list[str]]:
    """Rows of the appendix table (one per target, in the params' order)."""
    if not params.targets:
        raise InputError("expected a params file with `targets:` to export a plan appendix",
                         file=params.source_file, row="targets")
    fw = load_framework(params.baseline_edition)
    rows = []
    for i, t in enumerate(params.targets, start=1):
        rows.append([str(i), f"{t.code}. {t.name or fw.name(t.code)}",
                     fmt_number(t.baseline, "vi") if t.baseline is not None else "—",
                     ("≥ " + fmt_number(t.target, "vi")) + (" (giá trị thực)"
                                                           if t.target_kind == "raw" else ""),
                     t.lead or "—", "; ".join(t.partners) or "—", t.timeline or "—",
                     "\n".join(f"- {a}" for a in t.actions)])
    return rows


def _title(params: Params) -> str:
    plan = params.plan
    year = params.target_year or ""
    base = (f"PHÂN CÔNG NHIỆM VỤ, GIẢI PHÁP CẢI THIỆN VÀ NÂNG CAO ĐIỂM SỐ CÁC CHỈ SỐ THÀNH PHẦN "
            f"CHỈ SỐ PII NĂM {year}").strip()
    sub = f"(Kèm theo Kế hoạch số {plan.number}" if plan.number else "(Kèm theo Kế hoạch"
    if plan.date:
        sub += f" ngày {plan.date.strftime('%d/%m/%Y')}"
    if plan.issuer:
        sub += f" của {plan.issuer}"
    return base, sub + ")"


def export_xlsx(params: Params, out: str | Path) -> Path:
    """Write the appendix as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    rows = appendix_rows(params)
    title, sub = _title(params)
    wb = Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    ws.append(["Phụ lục"])
    ws.append([title])
    ws.append([sub])
    ws.append([])
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    for r in (1, 2, 3):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(HEADERS))
        ws.cell(r, 1).alignment = Alignment(horizontal="center", wrap_text=True)
        ws.cell(r, 1).font = Font(bold=r < 3, italic=r == 3)
    thin = Side(style="thin", color="999999")
    for row in ws.iter_rows(min_row=5, max_row=5 + len(rows)):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            if cell.row == 5:
                cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGH", (5, 40, 12, 12, 24, 28, 14, 70)):
        ws.column_dimensions[col].width = width
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return Path(out)


def export_docx(params: Params, out: str | Path) -> Path:
    """Write the appendix as a Word document (landscape A4)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    rows = appendix_rows(params)
    title, sub = _title(params)
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Cm(1.5))
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    for text, bold, italic in (("Phụ lục", True, False), (title, True, False), (sub, False, True)):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADERS):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    with atomic_path(out) as tmp:
        doc.save(tmp)
    return Path(out)
