"""Per-edition tables shared by every province's analysis, and ranks from incomplete data.

:func:`edition_context` builds, once per dataset, the provinces × codes tables of scores, ranks
and raw values, national bounds and percentile ranks. Sparse data is the normal case: a rank
that follows only as an interval from what is known of the other provinces is
``[best, worst]`` (:func:`rank_interval`), never a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from ..data.layers import Dataset
from ..model.framework import Framework
from ..model.provinces import province_table

RANK_DECIMALS = 6  # scores equal to 6 decimals are ties (float noise is not a lead)


def finite(x: object) -> float | None:
    """Float or None (for NaN / missing / not a number)."""
    if x is None or x is pd.NA:
        return None
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) or math.isinf(value) else value


@dataclass
class EditionContext:
    """Per-edition tables shared by every province's analysis (computed once per dataset)."""

    dataset: Dataset
    framework: Framework
    score: pd.DataFrame
    rank: pd.DataFrame
    value: pd.DataFrame
    provinces: pd.DataFrame
    node_weights: pd.Series
    bounds: pd.DataFrame
    n: int
    percentile: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def edition(self) -> int:
        """Edition year."""
        return self.dataset.edition

    def get(self, table: str, pid: str, code: str) -> float | None:
        """One cell of the score/rank/value table (None when unknown)."""
        frame = getattr(self, table)
        if pid not in frame.index or code not in frame.columns:
            return None
        return finite(frame.at[pid, code])

    def weight(self, code: str) -> float | None:
        """Effective weight of a node in the PII (None where the framework does not tell)."""
        return finite(self.node_weights.get(code))

    def column_complete(self, code: str) -> bool:
        """True when every province of the edition has a score for ``code``."""
        return code in self.score.columns and int(self.score[code].notna().sum()) == self.n

    def bounds_of(self, code: str) -> tuple[float | None, float | None]:
        """National min and max of an indicator in this edition, where known."""
        if code in self.bounds.index:
            return finite(self.bounds.at[code, "min"]), finite(self.bounds.at[code, "max"])
        return None, None

    def name(self, pid: str) -> str:
        """Province name."""
        return str(self.provinces.at[pid, "name_vi"])


_CONTEXTS: dict[int, EditionContext] = {}


def edition_context(dataset: Dataset) -> EditionContext:
    """Build (once per dataset object) the wide tables and national statistics of an edition."""
    key = id(dataset)
    if key in _CONTEXTS and _CONTEXTS[key].dataset is dataset:
        return _CONTEXTS[key]
    framework = dataset.framework
    provinces = province_table(dataset.edition).set_index("id")
    ids = provinces.index
    codes = framework.table["code"]
    score = dataset.wide("score").reindex(index=ids, columns=codes).astype(float)
    rank = dataset.wide("rank").reindex(index=ids, columns=codes).astype(float)
    value = dataset.wide("value").reindex(index=ids, columns=codes).astype(float)
    bounds = dataset.bounds.set_index("code")[["min", "max"]] if len(dataset.bounds) else \
        pd.DataFrame(columns=["min", "max"])
    n = len(ids)
    # percentile rank (GII): (N − rank) / (N − 1) · 100, 100 = best; only where ranks are known
    percentile = (n - rank) / (n - 1) * 100.0
    ctx = EditionContext(dataset=dataset, framework=framework, score=score, rank=rank,
                         value=value, provinces=provinces, node_weights=framework.node_weights(),
                         bounds=bounds, n=n, percentile=percentile)
    if len(_CONTEXTS) > 16:
        _CONTEXTS.clear()
    _CONTEXTS[key] = ctx
    return ctx


def clear_contexts() -> None:
    """Forget every cached context (benchmarks measure a cold start)."""
    _CONTEXTS.clear()


def other_score_bounds(ctx: EditionContext, pid: str, code: str) -> list[tuple[float, float]]:
    """Per province other than ``pid`` (in table order), the ``(lo, hi)`` bound of its score.

    A province with a known score is bounded by it; one with only a rank by the scores of
    provinces ranked around it (the subject's own published score and rank included); one with
    neither could be anywhere not claimed by a known rank.
    """
    scores = ctx.score[code] if code in ctx.score.columns else pd.Series(dtype=float)
    ranks = ctx.rank[code] if code in ctx.rank.columns else pd.Series(dtype=float)
    anchors = pd.DataFrame({"score": scores, "rank": ranks}).dropna()
    claimed = set(ranks.dropna().astype(int))
    unclaimed = [r for r in range(1, ctx.n + 1) if r not in claimed]
    bounds = []
    for other in ctx.provinces.index:
        if other == pid:
            continue
        s = finite(scores.get(other))
        if s is not None:
            bounds.append((s, s))
            continue
        r = finite(ranks.get(other))
        if r is not None:
            lo_r = hi_r = r
        elif unclaimed:
            lo_r, hi_r = min(unclaimed), max(unclaimed)
        else:
            lo_r, hi_r = 1, ctx.n
        above = anchors[anchors["rank"] < lo_r]["score"]   # they are at least as good
        below = anchors[anchors["rank"] > hi_r]["score"]   # they are at most as good
        bounds.append((float(below.max()) if len(below) else 0.0,
                       float(above.min()) if len(above) else 100.0))
    return bounds


def rank_interval(ctx: EditionContext, pid: str, code: str, score: float) -> tuple[int, int]:
    """Best and worst rank that ``score`` can have for ``pid``, given what is known of others
    (:func:`other_score_bounds`), tightened by its own published rank (:func:`own_rank_bound`).
    With complete data ``best == worst``.
    """
    if ctx.column_complete(code):  # complete data: the rank is exact
        others = ctx.score[code].drop(index=pid).round(RANK_DECIMALS)
        above = int((others > round(score, RANK_DECIMALS)).sum())
        return above + 1, above + 1
    bounds = other_score_bounds(ctx, pid, code)
    best = 1 + sum(lo > score for lo, _ in bounds)
    worst = 1 + sum(hi > score for _, hi in bounds)
    return own_rank_bound(ctx, pid, code, score, best, worst)


def own_rank_bound(ctx: EditionContext, pid: str, code: str, score: float, best: int,
                   worst: int) -> tuple[int, int]:
    """Tighten ``[best, worst]`` with the province's own known score and rank: with the other
    provinces held fixed, a higher score never ranks worse and a lower one never better."""
    own_rank, own_score = ctx.get("rank", pid, code), ctx.get("score", pid, code)
    if own_rank is None or own_score is None:
        return best, worst
    if score >= own_score:
        worst = min(worst, int(own_rank))
    if score <= own_score:
        best = max(best, int(own_rank))
    return min(best, worst), worst


def score_at_rank(ctx: EditionContext, code: str, rank: int, exclude: str | None = None
                  ) -> float | None:
    """Score of the province at ``rank`` (among provinces other than ``exclude``), if known."""
    if ctx.column_complete(code):
        col = ctx.score[code].drop(index=exclude) if exclude else ctx.score[code]
        ordered = col.sort_values(ascending=False)
        return float(ordered.iloc[rank - 1]) if 0 < rank <= len(ordered) else None
    if code not in ctx.score.columns:
        return None
    col = pd.DataFrame({"score": ctx.score[code], "rank": ctx.rank[code]})
    if exclude:
        own_rank = ctx.get("rank", exclude, code)
        col = col.drop(index=exclude)
        if own_rank is not None and own_rank <= rank:  # the others' rank r+1 is our r
            rank = rank + 1
    hit = col[(col["rank"] == rank) & col["score"].notna()]
    return float(hit["score"].iloc[0]) if len(hit) else None


def region_average(ctx: EditionContext, region_id: str, code: str) -> tuple[float | None, str]:
    """Average score of a region for a code and where it comes from (``computed`` or a URL)."""
    members = ctx.provinces.index[ctx.provinces["region_id"] == region_id]
    if code in ctx.score.columns:
        col = ctx.score[code].reindex(members)
        if col.notna().all():
            return float(col.mean()), "computed"
    if code == "PII" and region_id in ctx.dataset.regional_averages:
        return ctx.dataset.regional_averages[region_id]
    return None, ""
