"""Report sections on where the province stands: position, strengths and weaknesses, leverage,
peers and trend. Presentation only: numbers come from the analysis, words from the catalogue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.provinces import province_name, region_name
from . import charts
from .blocks import Blocks, Bullets, Heading, Para, Table
from .narrative import coverage_sentence, finding_name, note
from .provenance_sections import source_label

if TYPE_CHECKING:
    from .province import ReportContext

RULE_ORDER = ("plan", "published", "rank_quartile", "extreme", "most", "gii")
LEVERAGE_ROWS = 20


def _drop_empty_columns(columns: list[str], rows: list[list[str]], align: str, keep: int,
                        empty: str) -> tuple[list[str], list[list[str]], str]:
    """Drop the columns after the first ``keep`` whose cells are all ``empty``."""
    wanted = [i for i in range(len(columns))
              if i < keep or any(r[i] != empty for r in rows)]
    return ([columns[i] for i in wanted], [[r[i] for i in wanted] for r in rows],
            "".join(align[i] for i in wanted))


def position(c: ReportContext) -> Blocks:
    """Pillars and sub-pillars against national median, rank-10 score and region average."""
    w, pos = c.w, c.analysis.position
    out = Blocks([Heading(w("section.position"))])
    known_pillars = sum(p.score is not None for p in pos.pillars)
    known_subs = sum(p.score is not None for p in pos.subpillars)
    out.append(Para(w("position.known", pillars=known_pillars, n_pillars=len(pos.pillars),
                      subpillars=known_subs, n_subpillars=len(pos.subpillars))))
    if known_pillars:
        out.append(charts.pillar_chart(c, pos.pillars, w("chart.pillars.caption",
                                                         name=c.analysis.name)))
    rows, highlight = [], []
    for s in pos.subindices + pos.pillars + pos.subpillars:
        if s.score is None and s.rank is None:
            continue
        if s.level == "pillar":
            highlight.append(len(rows))
        rows.append([s.code, c.name(s.code), c.num(s.score), c.rank(s.rank, s.rank_range),
                     c.num(s.median), c.num(s.top10_threshold), c.num(s.region_average)])
    if rows:
        columns = [w("col.code"), w("col.item"), w("col.score"), w("col.rank"),
                   w("col.median"), w("col.top10"), w("col.region_avg")]
        columns, rows, align = _drop_empty_columns(columns, rows, "llrrrrr", 4, w.number(None))
        out.append(Table(columns, rows, align=align, highlight=highlight,
                         caption=w("position.table_caption")))
    out.extend(c.missing("position"))
    return out


def strengths(c: ReportContext) -> Blocks:
    """Strengths and weaknesses, grouped by the rule that found them, with how complete the
    picture is."""
    w, sw = c.w, c.analysis.strengths
    out = Blocks([Heading(w("section.strengths")), Para(coverage_sentence(w, c.analysis))])
    for rule in RULE_ORDER:
        if rule not in sw.rules:
            continue
        found = [f for f in sw.strengths + sw.weaknesses if f.rule == rule]
        out.append(Heading(w(f"rule.{rule}.title"), 3))
        args = dict(sw.rules[rule])
        if rule == "plan":
            args["date"] = w.date(args.get("date") or None)
            quote = next((f.quote for f in found if f.quote), "")
            args["quote"] = w("rule.plan.quote", quote=quote) if quote else ""
        out.append(Para(w(f"rule.{rule}.text", **args), "note"))
        if not found:
            out.append(Para(w("strengths.none_found"), "note"))
            continue
        with_source = rule == "published"
        rows = []
        for f in found:
            row = [w(f"strengths.kind.{f.kind}"), f.code or w.number(None),
                   finding_name(w, f, c.name), c.num(f.score), c.rank(f.rank)]
            rows.append(row + [source_label(w, f.source)] if with_source else row)
        columns = [w("col.kind"), w("col.code"), w("col.item"), w("col.score"), w("col.rank")]
        columns += [w("col.source")] if with_source else []
        align = "lllrr" + ("l" if with_source else "")
        columns, rows, align = _drop_empty_columns(columns, rows, align, 3, w.number(None))
        out.append(Table(columns, rows, align=align))
    if not sw.rules:
        out.append(Para(w("strengths.nothing"), "missing"))
    out.extend(c.missing("strengths"))
    return out


def leverage(c: ReportContext) -> Blocks:
    """Effective weights and headroom: where a score point buys most PII."""
    w, lev = c.w, c.analysis.leverage
    out = Blocks([Heading(w("section.leverage")), Para(w("leverage.explain"), "note")])
    if not lev.framework_complete:
        out.append(Para(w("leverage.partial", edition=c.analysis.edition,
                          have=lev.indicators_weighted, n=lev.indicators_expected,
                          listed=len(c.framework.indicators)), "missing"))
    rows_all = [r for r in lev.rows if r.effective_weight is not None]
    gains = [r for r in rows_all if r.max_gain is not None]
    if gains:
        out.append(charts.leverage_chart(c, gains, w("chart.leverage.caption")))
    rows = [[r.code, c.name(r.code), c.num(r.effective_weight, 4), c.num(r.score),
             c.num(r.headroom), w.gain(r.max_gain)] for r in rows_all[:LEVERAGE_ROWS]]
    if rows:
        columns = [w("col.code"), w("col.indicator"), w("col.weight"), w("col.score"),
                   w("col.headroom"), w("col.max_gain")]
        columns, rows, align = _drop_empty_columns(columns, rows, "llrrrr", 3, w.number(None))
        out.append(Table(columns, rows, align=align,
                         caption=w("leverage.caption_gain" if gains else
                                   "leverage.caption_weight", n=len(rows))))
    out.extend(c.missing("leverage"))
    return out


def peers(c: ReportContext) -> Blocks:
    """Region members and rank neighbours at pillar level (only columns with data)."""
    w, peer = c.w, c.analysis.peers
    out = Blocks([Heading(w("section.peers"))])
    pillars = c.framework.codes("pillar")
    for key, items in (("peers.region", peer.region), ("peers.neighbours", peer.neighbours)):
        items = [r for r in items if r.pii is not None or r.rank is not None]
        if not items:
            continue
        out.append(Heading(w(key, region=region_name(c.analysis.region_id, w.lang)), 3))
        rows = [[province_name(r.province), c.num(r.pii), c.rank(r.rank)] +
                [c.num(r.pillars[p], 1) for p in pillars] for r in items]
        columns = [w("col.province"), w("col.pii"), w("col.rank")] + \
            [w("col.pillar_short", code=p) for p in pillars]
        columns, rows, align = _drop_empty_columns(
            columns, rows, "l" + "r" * (2 + len(pillars)), 3, w.number(None))
        out.append(Table(columns, rows, align=align,
                         highlight=[i for i, r in enumerate(items) if r.is_subject]))
        if len(columns) > 3:
            out.append(Para(w("peers.pillar_note"), "note"))
    out.extend(c.missing("peers"))
    return out


def trend(c: ReportContext) -> Blocks:
    """PII across editions with comparability notes and the 2025 crosswalk."""
    w, tr = c.w, c.analysis.trend
    out = Blocks([Heading(w("section.trend"))])
    rows = [r for r in tr.rows if r.score is not None or r.rank is not None]
    if sum(r.score is not None for r in rows) >= 2:
        out.append(charts.trend_chart(c, rows, w("chart.trend.caption")))
    if rows:
        out.append(Table([w("col.edition"), w("col.unit"), w("col.score"), w("col.rank")],
                         [[str(r.edition), w(f"trend.relation.{r.relation}",
                                             name=province_name(r.province)),
                           c.num(r.score), w("rank.exact", rank=r.rank, n=r.n)
                           if r.rank is not None else w.number(None)] for r in rows],
                         align="llrr"))
    else:
        out.append(Para(w("trend.none"), "missing"))
    out.append(Bullets([note(w, n) for n in tr.caveats], "note"))
    return out
