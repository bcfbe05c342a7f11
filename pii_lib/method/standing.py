"""Where a province stands: position with benchmarks, peers, trend, and the national picture.

Functions take the edition's context (and other editions' datasets where they compare across
editions) and return typed results; what cannot be computed is returned as
:class:`~pii_lib.method.results.Missing`.
"""

from __future__ import annotations

import pandas as pd

from ..data.layers import Dataset
from ..model.framework import editions
from ..model.provinces import predecessors, successor
from .context import EditionContext, edition_context, finite, rank_interval, region_average, \
    score_at_rank
from .results import (Missing, NationalOverview, Note, PeerRow, Peers, Position, RankingRow,
                      RegionRow, Standing, Trend, TrendRow)

PEER_NEIGHBOURS = 2   # neighbours in rank on each side
TOP = 10              # the "top 10" benchmark of every pillar table


def standing(ctx: EditionContext, pid: str, code: str, region_id: str | None = None
             ) -> Standing:
    """Score, rank (or rank interval) and benchmarks of one node for one province."""
    score, rank = ctx.get("score", pid, code), ctx.get("rank", pid, code)
    out = Standing(code=code, level=ctx.framework.level_of(code), score=score,
                   rank=int(rank) if rank is not None else None)
    if rank is not None:
        out.rank_range = [int(rank), int(rank)]
    elif score is not None:
        best, worst = rank_interval(ctx, pid, code, score)
        out.rank_range = [best, worst]
        out.rank = best if best == worst else None
    out.median = float(ctx.score[code].median()) if ctx.column_complete(code) else None
    out.top10_threshold = score_at_rank(ctx, code, TOP)
    if region_id:
        out.region_average, out.region_average_source = region_average(ctx, region_id, code)
    row = ctx.dataset.item(pid, code)
    out.basis = "" if row is None else str(row["basis"])
    return out


def position(ctx: EditionContext, pid: str, region_id: str) -> tuple[Position, list[Missing]]:
    """PII, sub-indices, pillars and sub-pillars with national median, rank-10 score and
    regional average."""
    fw = ctx.framework
    missing: list[Missing] = []
    pii = standing(ctx, pid, "PII", region_id)
    known = int(ctx.score["PII"].notna().sum())
    result = Position(n=ctx.n, pii=pii, provinces_with_score=known,
                      subindices=[standing(ctx, pid, c, region_id) for c in fw.codes("subindex")],
                      pillars=[standing(ctx, pid, c, region_id) for c in fw.codes("pillar")],
                      subpillars=[standing(ctx, pid, c, region_id)
                                  for c in fw.codes("subpillar")])
    if pii.score is None:
        missing.append(Missing("position", "pii_score", "no_score", {"edition": ctx.edition}))
    if pii.median is None:
        missing.append(Missing("position", "national_median", "scores_incomplete",
                               {"have": known, "n": ctx.n}, "import_national"))
    have = sum(p.score is not None for p in result.pillars)
    if have < len(result.pillars):
        missing.append(Missing("position", "pillar_scores", "known_of",
                               {"have": have, "n": len(result.pillars)}))
    return result, missing


def peers(ctx: EditionContext, pid: str, region_id: str) -> tuple[Peers, list[Missing]]:
    """Region members and rank neighbours, side by side at pillar level."""
    pillars = ctx.framework.codes("pillar")
    region = ctx.provinces.index[ctx.provinces["region_id"] == region_id].tolist()
    rank = ctx.get("rank", pid, "PII")
    missing: list[Missing] = []
    neighbours: list[str] = []
    if rank is not None:
        ranks = ctx.rank["PII"].dropna()
        neighbours = ranks[(ranks - rank).abs() <= PEER_NEIGHBOURS].index.tolist()
    else:
        missing.append(Missing("peers", "neighbours", "rank_unknown"))

    def row(other: str) -> PeerRow:
        rank_other = ctx.get("rank", other, "PII")
        return PeerRow(province=other, region=str(ctx.provinces.at[other, "region_id"]),
                       pii=ctx.get("score", other, "PII"),
                       rank=int(rank_other) if rank_other is not None else None,
                       pillars={p: ctx.get("score", other, p) for p in pillars},
                       is_subject=other == pid)

    region_rows = sorted((row(o) for o in region),
                         key=lambda r: (r.rank is None, r.rank or 0, -(r.pii or 0)))
    return Peers(region=region_rows,
                 neighbours=sorted((row(o) for o in neighbours), key=lambda r: r.rank or 0)), \
        missing


def trend(ctx: EditionContext, pid: str, history: dict[int, Dataset]) -> Trend:
    """PII across the editions of ``history`` (and this one), through the 2025 crosswalk."""
    datasets = dict(history)
    datasets[ctx.edition] = ctx.dataset
    own_set = editions()[ctx.edition]["province_set"]
    rows: list[TrendRow] = []
    for edition in sorted(datasets):
        info = editions()[edition]
        if info["province_set"] == own_set:
            units, relation = [pid], "same"
        elif own_set == "provinces_34":
            units, relation = predecessors(pid), "predecessor"
        else:
            units, relation = [successor(pid)], "successor"
        for unit in units:
            item = datasets[edition].item(unit, "PII")
            rank = None if item is None else finite(item["rank"])
            rows.append(TrendRow(edition=edition, province=unit, relation=relation,
                                 score=None if item is None else finite(item["score"]),
                                 rank=int(rank) if rank is not None else None,
                                 n=int(info["n_provinces"])))
    caveats = [Note("trend.relative_scores"), Note("trend.method_changes")]
    return Trend(rows=rows, caveats=caveats)


def national(ctx: EditionContext, previous: Dataset | None = None) -> NationalOverview:
    """Ranking, regional averages, distribution, leaders by pillar, movers (per edition)."""
    pii = pd.DataFrame({"score": ctx.score["PII"], "rank": ctx.rank["PII"]})
    pii = pii.join(ctx.provinces[["name_vi", "region_id"]])
    ranking = pii.dropna(how="all", subset=["score", "rank"]).sort_values(
        ["rank", "score"], ascending=[True, False])
    regions = []
    for region_id in sorted(set(ctx.provinces["region_id"])):
        avg, source = region_average(ctx, region_id, "PII")
        regions.append(RegionRow(region=region_id, average=avg, source=source))
    known = pii["score"].dropna()
    quartiles = {}
    if len(known) == ctx.n:
        quartiles = {q: float(known.quantile(p)) for q, p in
                     (("min", 0), ("q1", .25), ("median", .5), ("q3", .75), ("max", 1))}
    leaders = {p: ctx.rank[p][ctx.rank[p] == 1].index.tolist()
               for p in ctx.framework.codes("pillar")}
    movers = []
    if previous is not None and editions()[previous.edition]["province_set"] == \
            editions()[ctx.edition]["province_set"]:
        prev = edition_context(previous)
        change = (prev.rank["PII"] - ctx.rank["PII"]).dropna()
        for p, d in change.sort_values(key=lambda s: -s.abs()).head(10).items():
            movers.append({"province": p, "rank_change": int(d),
                           "rank_before": int(prev.rank.at[p, "PII"]),
                           "rank_now": int(ctx.rank.at[p, "PII"])})
    return NationalOverview(
        edition=ctx.edition, n=ctx.n,
        ranking=[RankingRow(province=p, region=r["region_id"], score=finite(r["score"]),
                            rank=int(r["rank"]) if finite(r["rank"]) is not None else None)
                 for p, r in ranking.iterrows()],
        regions=regions, n_known=int(len(known)), quartiles=quartiles, leaders=leaders,
        movers=movers)
