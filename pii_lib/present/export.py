"""Plan appendix content: the targets and responsibility tables a plan hands over.

Analysts paste these tables into the plan appendix ("Phụ lục phân công nhiệm vụ"), in the
layout of the provincial plans: **targets** (STT, indicator, baseline score, target, lead,
partners, timeline, actions) and **responsibilities** (STT, code, indicator name, lead,
partners, note; one row per indicator with an owner, in framework order, owners as
:meth:`pii_lib.model.params.Params.owners`). A plan with owners but no targets (Hà Nội)
exports the responsibility table alone; params with neither are refused. The Office files are
written by :mod:`.export_office`; widths are fitted to the content (:func:`fitted_widths`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..model.framework import load_framework
from ..model.params import Params
from .wording import Wording

TARGET_COLUMNS = ("number", "indicator", "baseline", "target", "lead", "partners", "timeline",
                  "actions")
RESPONSIBILITY_COLUMNS = ("number", "code", "name", "lead", "partners", "note")


@dataclass(frozen=True)
class TargetRow:
    """One row of the targets table."""

    number: int
    code: str
    name: str
    baseline: float | None
    target: float
    target_kind: str
    lead: str | None
    partners: list[str] = field(default_factory=list)
    timeline: str | None = None
    actions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ResponsibilityRow:
    """One row of the responsibility table (one indicator and its owners)."""

    number: int
    code: str
    name: str
    lead: str
    partners: list[str] = field(default_factory=list)
    note: str = ""


# --- content -----------------------------------------------------------------------------------

def target_rows(params: Params, lang: str = "vi") -> list[TargetRow]:
    """Rows of the targets table, in the params' order (empty when the plan sets no targets)."""
    framework = load_framework(params.baseline_edition)
    return [TargetRow(number=i, code=t.code, name=t.name or framework.name(t.code, lang),
                      baseline=t.baseline, target=t.target, target_kind=t.target_kind,
                      lead=t.lead, partners=list(t.partners), timeline=t.timeline,
                      actions=list(t.actions))
            for i, t in enumerate(params.targets, start=1)]


def responsibility_rows(params: Params, lang: str = "vi") -> list[ResponsibilityRow]:
    """One row per indicator with an owner, in framework order.

    The note joins the target's note and the responsibilities' notes; a responsibility whose
    lead is not the row's lead (a target's lead comes first) is named in the note.
    """
    framework = load_framework(params.baseline_edition)
    owned = {t.code for t in params.targets if t.lead} | {r.code for r in params.responsibilities}
    rows = []
    for code in [c for c in framework.table["code"] if c in owned]:
        lead, partners = params.owners(code)
        notes = [t.note for t in params.targets if t.code == code and t.note]
        for r in (r for r in params.responsibilities if r.code == code):
            named = r.lead in lead.split("; ")
            notes.append(r.note if named else f"{r.lead}: {r.note}" if r.note else r.lead)
        rows.append(ResponsibilityRow(number=len(rows) + 1, code=code, name=framework.name(code),
                                      lead=lead, partners=partners,
                                      note="\n".join(n for n in notes if n)))
    return rows


def appendix_title(w: Wording, params: Params, *, targets: bool) -> tuple[str, str]:
    """Heading and "attached to" line naming the plan (number, date, issuer and exact title)."""
    plan = params.plan
    if targets:
        year = w("export.year", year=params.target_year) if params.target_year else ""
        heading = w("export.heading_targets", year=year)
    else:
        heading = w("export.heading_responsibilities")
    parts = {"number": plan.number, "date": plan.date, "issuer": plan.issuer,
             "title": plan.title}
    return heading, w("export.attached", **{
        k: w(f"export.attached_{k}", value=v) if v else "" for k, v in parts.items()})


def checked_rows(params: Params, lang: str = "vi"
                 ) -> tuple[list[TargetRow], list[ResponsibilityRow]]:
    """Both tables' rows (names in ``lang``); a plan with neither targets nor owners is
    refused, and so is text that XLSX or DOCX cannot hold or that would disguise what the
    reader sees (control characters, direction marks) — :func:`load_params` refuses it too,
    this also covers params built in code."""
    from ..model.params import unsafe_text

    bad = unsafe_text(params)
    if bad:
        raise InputError("control_characters", file=params.source_file, row=bad[0],
                         value=bad[1])
    targets, responsibilities = target_rows(params, lang), responsibility_rows(params, lang)
    if not targets and not responsibilities:
        raise InputError("export_empty", file=params.source_file, row="targets")
    return targets, responsibilities


def target_headers(w: Wording, params: Params) -> list[str]:
    """Column headers of the targets table."""
    year = w("export.target_year", year=params.target_year) if params.target_year else ""
    return [w(f"export.target_headers.{k}", edition=params.baseline_edition, year=year)
            for k in TARGET_COLUMNS]


def responsibility_headers(w: Wording) -> list[str]:
    """Column headers of the responsibility table."""
    return [w(f"export.responsibility_headers.{k}") for k in RESPONSIBILITY_COLUMNS]


def target_texts(w: Wording, rows: list[TargetRow]) -> list[list[str]]:
    """The targets table as display text (DOCX cells; XLSX column sizing)."""
    dash = w.number(None)
    return [[str(r.number), f"{r.code}. {r.name}", w.number(r.baseline),
             w("export.at_least", value=w.number(r.target))
             + (w("export.raw_target") if r.target_kind == "raw" else ""),
             r.lead or dash, "\n".join(r.partners) or dash, r.timeline or dash,
             "\n".join(w("export.bullet", text=a) for a in r.actions)] for r in rows]


def responsibility_texts(w: Wording, rows: list[ResponsibilityRow]) -> list[list[str]]:
    """The responsibility table as display text."""
    return [[str(r.number), r.code, r.name, r.lead, "\n".join(r.partners) or w.number(None),
             r.note] for r in rows]


# --- sizing ------------------------------------------------------------------------------------

def line_lengths(rows: list[list[str]]) -> np.ndarray:
    """Length of every line of every cell, (rows, columns, lines), NaN where no line."""
    lengths = [[[len(line) for line in text.split("\n")] for text in row] for row in rows]
    table = np.full((len(rows), len(rows[0]), max(len(c) for row in lengths for c in row)), np.nan)
    for r, row in enumerate(lengths):
        for c, cell in enumerate(row):
            table[r, c, :len(cell)] = cell
    return table


def line_counts(lengths: np.ndarray, widths: np.ndarray, char: float,
                 padding: float) -> np.ndarray:
    """Estimated wrapped lines of each row (its tallest cell), (candidates, rows) for widths
    (candidates, columns)."""
    per_line = np.maximum((widths - padding) / char, 1.0)[:, None, :, None]
    lines = np.nansum(np.maximum(1.0, np.ceil(lengths[None] / per_line)), axis=3)
    return lines.max(axis=2)


def fitted_widths(rows: list[list[str]], total: float, *, char: float,
                  padding: float) -> list[float]:
    """Column widths that fill ``total`` and keep the table short.

    Every column first gets its longest word; the rest is handed out in small steps, each to
    the column whose widening saves the most estimated lines; what no column needs is shared
    in proportion. Units are those of ``total``, ``char`` (one character) and ``padding``.
    """
    n_columns = len(rows[0])
    words = [max([len(w) for row in rows for w in row[c].split()] or [1])
             for c in range(n_columns)]
    widths = np.array(words, float) * char + padding
    if widths.sum() >= total:
        return list(widths * total / widths.sum())
    step, lengths = total / 200, line_lengths(rows)
    height = line_counts(lengths, widths[None], char, padding).sum()
    while widths.sum() + step <= total:
        candidates = widths[None] + step * np.eye(n_columns)
        heights = line_counts(lengths, candidates, char, padding).sum(axis=1)
        if heights.min() >= height:
            break
        widths, height = candidates[heights.argmin()], heights.min()
    return list(widths * total / widths.sum())
