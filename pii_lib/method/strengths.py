"""Strengths and weaknesses of a province, each labelled with the rule and source that found it.

The rules are registered (:data:`RULES`); each returns what the data allow, so sparse real data
still give a partial answer:

``most``          MOST's convention: the 5 indicators with the best and the 5 with the worst
                  rank (indicators tied with the 5th are included). Needs ≥ 5 indicator ranks.
``gii``           The GII rule: percentile rank (N − rank)/(N − 1); cut-offs at the province's
                  10th highest and lowest indicator percentile rank, ranks 1–3 always a
                  strength, cut-offs also applied to sub-pillars and pillars. Needs ≥ 10.
``rank_quartile`` Where indicator ranks are unknown: a pillar or sub-pillar ranked in the best
                  quarter of provinces (rank ≤ N/4) is a strength, in the worst quarter
                  (rank > 3N/4) a weakness.
``extreme``       Where indicator ranks are unknown: a known indicator score of 100 (the
                  national maximum) is a strength, 0 (the national minimum) a weakness.
``plan``          Lists a plan declares (``published_strengths/weaknesses`` in params), with
                  the plan's words as source.
``published``     Lists published for the province (MOST profile quoted in the press).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from ..model.params import Params
from .context import EditionContext
from .results import Coverage, Finding, Missing, StrengthsWeaknesses

MOST_N = 5            # MOST tells each province its 5 strongest and 5 weakest indicators
GII_CUTOFF_N = 10     # GII: cut-offs at the 10th highest / lowest percentile rank
GII_TOP_RANKS = 3     # GII: ranks 1-3 are always a strength

RuleResult = tuple[list[Finding], list[Finding], dict]
RULES: dict[str, Callable[..., RuleResult | None]] = {}


def rule(name: str):
    """Register a strength/weakness rule under ``name``."""
    def register(func):
        RULES[name] = func
        return func
    return register


def code_key(code: str) -> tuple:
    """Sort key of a framework code (1.10 after 1.9)."""
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))


def most_rule(ranks: pd.Series, scores: pd.Series) -> tuple[list[str], list[str]]:
    """5 best and 5 worst by rank; indicators tied with the 5th are included."""
    frame = pd.DataFrame({"rank": ranks, "score": scores}).dropna(subset=["rank"])
    if frame.empty:
        return [], []
    ordered = frame.sort_values(["rank", "score"], ascending=[True, False])
    k = min(MOST_N, len(ordered))
    cut_best = ordered["rank"].iloc[k - 1]
    cut_worst = ordered["rank"].iloc[-k]
    best = ordered[ordered["rank"] <= cut_best]
    worst = ordered[ordered["rank"] >= cut_worst].iloc[::-1]
    return list(best.index), list(worst.index)


def gii_rule(pct: pd.Series, ranks: pd.Series, upper_pct: pd.Series
             ) -> tuple[list[str], list[str]]:
    """GII rule: cut-offs at the province's 10th highest / lowest indicator percentile rank."""
    valid = pct.dropna()
    if len(valid) < GII_CUTOFF_N:
        return [], []
    ordered = valid.sort_values(ascending=False)
    hi_cut = ordered.iloc[GII_CUTOFF_N - 1]
    lo_cut = ordered.iloc[-GII_CUTOFF_N]
    strengths = set(valid.index[valid >= hi_cut]) | set(ranks.index[ranks <= GII_TOP_RANKS])
    weaknesses = set(valid.index[valid <= lo_cut]) - strengths
    upper = upper_pct.dropna()
    strengths |= set(upper.index[upper >= hi_cut])
    weaknesses |= set(upper.index[upper <= lo_cut]) - strengths
    return sorted(strengths, key=code_key), sorted(weaknesses, key=code_key)


def quartile_rule(ranks: pd.Series, n: int) -> tuple[list[str], list[str]]:
    """Codes ranked in the best quarter (≤ N/4) and in the worst quarter (> 3N/4)."""
    known = ranks.dropna()
    best = known[known <= n / 4].sort_values()
    worst = known[known > 3 * n / 4].sort_values(ascending=False)
    return list(best.index), list(worst.index)


class _Finder:
    """Builds findings for one province (score and rank filled from the context)."""

    def __init__(self, ctx: EditionContext, pid: str) -> None:
        self.ctx, self.pid = ctx, pid

    def __call__(self, kind: str, code: str | None, rule_name: str, **extra) -> Finding:
        ctx = self.ctx
        if code is None or not ctx.framework.has(code):
            return Finding(kind=kind, code=None, level="", rule=rule_name, **extra)
        rank = ctx.get("rank", self.pid, code)
        return Finding(kind=kind, code=code, level=ctx.framework.level_of(code),
                       rule=rule_name, score=ctx.get("score", self.pid, code),
                       rank=int(rank) if rank is not None else None, **extra)


def _indicator_ranks(ctx: EditionContext, pid: str) -> pd.Series:
    return ctx.rank.loc[pid, ctx.framework.indicators]


@rule("most")
def _most(ctx: EditionContext, pid: str, params: Params | None) -> RuleResult | None:
    ranks = _indicator_ranks(ctx, pid)
    if ranks.notna().sum() < MOST_N:
        return None
    best, worst = most_rule(ranks, ctx.score.loc[pid, ctx.framework.indicators])
    find = _Finder(ctx, pid)
    return ([find("strength", c, "most") for c in best],
            [find("weakness", c, "most") for c in worst], {"n": MOST_N})


@rule("gii")
def _gii(ctx: EditionContext, pid: str, params: Params | None) -> RuleResult | None:
    ranks = _indicator_ranks(ctx, pid)
    if ranks.notna().sum() < GII_CUTOFF_N:
        return None
    fw = ctx.framework
    upper = fw.codes("subpillar") + fw.codes("pillar")
    s, w = gii_rule(ctx.percentile.loc[pid, fw.indicators], ranks,
                    ctx.percentile.loc[pid, upper])
    find = _Finder(ctx, pid)
    return ([find("strength", c, "gii") for c in s], [find("weakness", c, "gii") for c in w],
            {"cutoff": GII_CUTOFF_N, "top": GII_TOP_RANKS})


@rule("rank_quartile")
def _rank_quartile(ctx: EditionContext, pid: str, params: Params | None
                   ) -> RuleResult | None:
    if _indicator_ranks(ctx, pid).notna().sum() >= MOST_N:
        return None
    fw = ctx.framework
    ranks = ctx.rank.loc[pid, fw.codes("pillar") + fw.codes("subpillar")]
    if ranks.notna().sum() == 0:
        return None
    best, worst = quartile_rule(ranks, ctx.n)
    find = _Finder(ctx, pid)
    return ([find("strength", c, "rank_quartile") for c in best],
            [find("weakness", c, "rank_quartile") for c in worst],
            {"n": ctx.n, "best_max": math.floor(ctx.n / 4),
             "worst_min": math.floor(3 * ctx.n / 4) + 1})


@rule("extreme")
def _extreme(ctx: EditionContext, pid: str, params: Params | None) -> RuleResult | None:
    if _indicator_ranks(ctx, pid).notna().sum() >= MOST_N:
        return None
    scores = ctx.score.loc[pid, ctx.framework.indicators].dropna()
    if scores.empty:
        return None
    find = _Finder(ctx, pid)
    return ([find("strength", c, "extreme") for c in scores.index[scores >= 100]],
            [find("weakness", c, "extreme") for c in scores.index[scores <= 0]], {})


@rule("plan")
def _plan(ctx: EditionContext, pid: str, params: Params | None) -> RuleResult | None:
    if params is None or params.province != pid:
        return None
    lists = (("strength", params.published_strengths), ("weakness", params.published_weaknesses))
    if not any(declared.codes for _, declared in lists):
        return None
    find = _Finder(ctx, pid)
    found: dict[str, list[Finding]] = {"strength": [], "weakness": []}
    for kind, declared in lists:
        for code in declared.codes:
            found[kind].append(find(kind, code, "plan", source=params.plan.number or "",
                                    quote=declared.quote or ""))
    plan = params.plan
    return found["strength"], found["weakness"], {
        "number": plan.number or "", "date": plan.date.isoformat() if plan.date else "",
        "issuer": plan.issuer or "", "section": (params.published_weaknesses.section or
                                                 params.published_strengths.section or "")}


@rule("published")
def _published(ctx: EditionContext, pid: str, params: Params | None) -> RuleResult | None:
    rows = [r for r in ctx.dataset.findings if r["province_id"] == pid]
    if not rows:
        return None
    find = _Finder(ctx, pid)
    seen: set[tuple] = set()
    found: dict[str, list[Finding]] = {"strength": [], "weakness": []}
    for r in rows:
        key = (r["kind"], r["code"] or r["name"])
        if key in seen or r["kind"] not in found:
            continue
        seen.add(key)
        found[r["kind"]].append(find(r["kind"], r["code"], "published", source=r["source"],
                                     name=r["name"] if not r["code"] else ""))
    return found["strength"], found["weakness"], {}


def coverage(ctx: EditionContext, pid: str) -> Coverage:
    """How much of the province's picture the data hold, level by level."""
    fw = ctx.framework

    def count(table: str, level: str) -> int:
        return int(getattr(ctx, table).loc[pid, fw.codes(level)].notna().sum())

    return Coverage(pillar_scores=count("score", "pillar"), pillar_ranks=count("rank", "pillar"),
                    pillars=fw.expected_count("pillar"),
                    subpillar_ranks=count("rank", "subpillar"),
                    subpillars=fw.expected_count("subpillar"),
                    indicator_scores=count("score", "indicator"),
                    indicator_ranks=count("rank", "indicator"),
                    indicators=fw.expected_count("indicator"))


def strengths_weaknesses(ctx: EditionContext, pid: str, params: Params | None
                         ) -> tuple[StrengthsWeaknesses, list[Missing]]:
    """Run every registered rule; say which indicator-level rules lacked data."""
    result = StrengthsWeaknesses(coverage=coverage(ctx, pid))
    for name, func in RULES.items():
        found = func(ctx, pid, params)
        if found is None:
            continue
        strengths, weaknesses, rule_params = found
        result.strengths += strengths
        result.weaknesses += weaknesses
        result.rules[name] = rule_params
    missing = []
    have = result.coverage.indicator_ranks
    if "most" not in result.rules:
        missing.append(Missing("strengths", "rule_most", "ranks_needed",
                               {"have": have, "need": MOST_N, "n": result.coverage.indicators}))
    return result, missing
