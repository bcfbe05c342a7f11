"""Report sections on the plan: targets and gaps, the projection if they are met (with the
plan's pillar goals), the path to the goal, and the responsibility matrix."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .blocks import Blocks, Bullets, Heading, Para, Table
from .narrative import goal_sentence, note

if TYPE_CHECKING:
    from .province import ReportContext

SHORT_NOTE = 60  # responsibility notes up to this length are shown beside the lead unit


def plan_reference(c: ReportContext) -> str:
    """``Kế hoạch 41/KH-UBND ngày 9/7/2024 của UBND tỉnh Bắc Giang`` (what the plan says)."""
    w, plan = c.w, c.params.plan
    parts = [w("plan.number", number=plan.number) if plan.number else w("plan.unnumbered")]
    if plan.date:
        parts.append(w("plan.date", date=plan.date))
    if plan.issuer:
        parts.append(w("plan.issuer", issuer=plan.issuer))
    return " ".join(parts)


def targets(c: ReportContext) -> Blocks:
    """Targets and gaps in score and raw units, with owners' PII gain; a target below its
    baseline is flagged in the table."""
    w, rows_all = c.w, c.analysis.targets
    out = Blocks([Heading(w("section.targets"))])
    if not rows_all:
        out.extend(c.missing("targets"))
        return out
    out.append(Para(w("targets.plan", plan=plan_reference(c), k=len(rows_all)), "note"))
    any_raw = any(r.raw_baseline is not None or r.raw_target is not None for r in rows_all)
    rows = []
    for r in rows_all:
        row = [r.code, c.name(r.code), c.num(r.baseline), c.num(r.target), w.signed(r.gap)]
        if any_raw:
            unit = f" {c.framework.unit(r.code, w.lang)}" if r.raw_target is not None else ""
            row.append(w("targets.raw", start=c.num(r.raw_baseline), end=c.num(r.raw_target),
                         unit=unit.rstrip()))
        row.append(w.gain(r.pii_gain))
        row.append(w("targets.below_baseline") if r.below_baseline else "")
        rows.append(row)
    columns = [w("col.code"), w("col.indicator"), w("col.baseline"), w("col.target"),
               w("col.gap")] + ([w("col.raw_units")] if any_raw else []) + \
        [w("col.pii_gain"), w("col.remark")]
    align = "llrrr" + ("l" if any_raw else "") + "rl"
    if not any(r.below_baseline for r in rows_all):
        columns, rows, align = columns[:-1], [r[:-1] for r in rows], align[:-1]
    out.append(Table(columns, rows, align=align, caption=w("targets.caption")))
    out.extend(c.missing("targets"))
    return out


def _goal_text(c: ReportContext, g) -> str:
    """``≥ 67,23 điểm; hạng ≤ 10`` for a pillar goal."""
    parts = []
    if g.score_min is not None:
        parts.append(c.w("pillar_goal.score_min", score=g.score_min))
    if g.rank_max is not None:
        parts.append(c.w("pillar_goal.rank_max", rank=g.rank_max))
    return "; ".join(parts) or c.w.number(None)


def projection(c: ReportContext) -> Blocks:
    """Projected PII, rank and pillars if every target is met; the plan's pillar goals now and
    then; the assumptions."""
    w, a = c.w, c.analysis
    proj = a.projection
    out = Blocks([Heading(w("section.projection"))])
    if proj.pii is not None:
        pii = a.position.pii
        rows = [[w("col.pii"), c.num(pii.score), c.num(proj.pii), w.signed(proj.delta),
                 w("projection.rank_change", before=c.rank(pii.rank, pii.rank_range),
                   after=c.rank(proj.rank, proj.rank_range))]]
        rows += [[c.label(p.code), c.num(p.baseline), c.num(p.projected), w.signed(p.delta), ""]
                 for p in proj.pillars]
        out.append(Table([w("col.item"), w("col.now"), w("col.projected"), w("col.delta"),
                          w("col.rank")], rows, align="lrrrl", highlight=[0]))
        out.append(Bullets([note(w, n) for n in proj.assumptions], "note",
                           title=w("projection.assumptions")))
    elif a.targets:
        out.extend(c.missing("projection"))
    else:  # what is missing is said once, in the targets section
        out.append(Para(w("projection.none"), "missing"))
    if proj.pillar_goals:
        out.append(Heading(w("projection.pillar_goals"), 3))
        rows = [[c.label(g.code), _goal_text(c, g), c.num(g.score),
                 c.rank(g.rank, g.rank_range), w(f"pillar_goal.status.{g.status_now}"),
                 c.num(g.projected_score), w(f"pillar_goal.status.{g.status_projected}")]
                for g in proj.pillar_goals]
        out.append(Table([w("col.pillar"), w("col.goal"), w("col.score"), w("col.rank"),
                          w("col.status_now"), w("col.projected"), w("col.status_projected")],
                         rows, align="llrrlrl", caption=w("projection.pillar_goals_caption")))
    return out


def goal(c: ReportContext) -> Blocks:
    """Points needed for the goal rank and the cheapest indicators to get them (or the margin
    when the goal is reached)."""
    w, g = c.w, c.analysis.goal
    out = Blocks([Heading(w("section.goal"))])
    if g.source == "params" and c.params is not None and c.params.goal and c.params.goal.text:
        out.append(Para(w("goal.plan_goal", text=c.params.goal.text), "note"))
    sentence = goal_sentence(w, g, c.n)
    if sentence:
        out.append(Para(sentence))
    if g.cheapest_path:
        rows = [[p.code, c.name(p.code), c.num(p.start), c.num(p.end), w.signed(p.raise_by),
                 w.gain(p.pii_gain)] for p in g.cheapest_path]
        out.append(Table([w("col.code"), w("col.indicator"), w("col.from"), w("col.to"),
                          w("col.raise"), w("col.pii_gain")], rows, align="llrrrr",
                         caption=w("goal.path_caption")))
    single = [s for s in g.single_indicator if s.feasible][:8]
    if single:
        rows = [[s.code, c.name(s.code), w.signed(s.score_gain_needed), c.num(s.headroom)]
                for s in single]
        out.append(Table([w("col.code"), w("col.indicator"), w("col.gain_alone"),
                          w("col.headroom")], rows, align="llrr",
                         caption=w("goal.single_caption")))
    out.extend(c.missing("goal"))
    return out


def responsibilities(c: ReportContext) -> Blocks:
    """Indicator → lead unit, partners, timeline (from the plan's params)."""
    w = c.w
    out = Blocks([Heading(w("section.responsibilities"))])
    params = c.params
    if params is None or not (params.targets or params.responsibilities):
        out.append(Para(w("responsibilities.none"), "missing"))
        return out
    rows, seen = [], set()
    for t in params.targets:
        rows.append([t.code, c.name(t.code), t.lead or w.number(None),
                     "; ".join(t.partners) or w.number(None), t.timeline or w.number(None)])
        seen.add(t.code)
    for r in params.responsibilities:
        if r.code in seen:
            continue
        extra = f" ({r.note})" if r.note and len(r.note) < SHORT_NOTE else ""
        rows.append([r.code, c.name(r.code), r.lead + extra,
                     "; ".join(r.partners) or w.number(None), w.number(None)])
    out.append(Para(w("responsibilities.plan", plan=plan_reference(c), n=len(rows)), "note"))
    columns = [w("col.code"), w("col.indicator"), w("col.lead"), w("col.partners"),
               w("col.timeline")]
    out.append(Table(columns, rows, align="lllll"))
    return out
