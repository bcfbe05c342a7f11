"""Analysis of one province and edition, computed from a dataset and (optionally) its params.

What it answers: position (scores, ranks, distance to national median, top-10 threshold and
regional average), strengths and weaknesses (MOST's 5+5 by rank, the GII percentile rule, the
published list), leverage (effective weights and headroom), targets and gaps in score and raw
units, the projected PII and rank if targets are met, the path to a goal, peers, trend across
editions and the national picture.

Sparse data is the normal case: every function returns what it can and records in
``missing`` what it could not compute and why — it never makes a figure up. Ranks derived
from incomplete data are intervals ``[best, worst]`` that the known scores and ranks allow.
Per-edition work (wide tables, medians, thresholds, percentile ranks) is done once in
:func:`edition_context` and shared by every province.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from ..data.tables import PUBLISHED_DIR, Dataset, load_dataset, read_text_table
from ..errors import InputError
from ..model.framework import Framework, editions, load_framework
from ..model.params import Params, flags
from ..model.provinces import predecessors, province_table, successor
from ..method.scoring import score_to_raw, raw_to_score

MOST_N = 5            # MOST tells each province its 5 strongest and 5 weakest indicators
GII_CUTOFF_N = 10     # GII: cut-offs at the 10th highest / lowest percentile rank
GII_TOP_RANKS = 3     # GII: ranks 1-3 are always a strength
PEER_NEIGHBOURS = 2   # neighbours in rank on each side
IMPORT_HINT = ("import the province profile (indicator scores, ranks and national min/max) "
               "with `pii import FILE --edition E --province P --out DIR`, then use --data DIR")


def _num(x: object) -> float | None:
    """Float or None (for NaN / missing)."""
    if x is None:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


@dataclass
class EditionContext:
    """Per-edition tables shared by every province's analysis (computed once)."""

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
        return _num(frame.at[pid, code])

    def column_complete(self, code: str) -> bool:
        """True when every province of the edition has a score for ``code``."""
        return code in self.score.columns and int(self.score[code].notna().sum()) == self.n


_CONTEXTS: dict[tuple, EditionContext] = {}


def edition_context(dataset: Dataset) -> EditionContext:
    """Build (once per dataset) the wide tables and national statistics of an edition."""
    key = (dataset.kind, dataset.edition, tuple(sorted(dataset.files.items())))
    if key in _CONTEXTS:
        return _CONTEXTS[key]
    framework = load_framework(dataset.edition)
    provinces = province_table(dataset.edition).set_index("id")
    ids = provinces.index
    codes = framework.table["code"]
    score = dataset.wide("score").reindex(index=ids, columns=codes)
    rank = dataset.wide("rank").reindex(index=ids, columns=codes).astype(float)
    value = dataset.wide("value").reindex(index=ids, columns=codes)
    bounds = dataset.bounds.set_index("code")[["min", "max"]] if len(dataset.bounds) else \
        pd.DataFrame(columns=["min", "max"])
    n = len(ids)
    # percentile rank (GII): (N − rank) / (N − 1) · 100, 100 = best; only where ranks are known
    percentile = (n - rank) / (n - 1) * 100.0
    ctx = EditionContext(dataset=dataset, framework=framework, score=score, rank=rank,
                         value=value, provinces=provinces, node_weights=framework.node_weights(),
                         bounds=bounds, n=n, percentile=percentile)
    _CONTEXTS[key] = ctx
    return ctx


# --- ranks from incomplete data --------------------------------------------------------------

def rank_interval(ctx: EditionContext, pid: str, code: str, score: float) -> tuple[int, int]:
    """Best and worst rank that ``score`` can have for ``pid``, given what is known of others.

    Other provinces with a known score count as above when their score is higher. A province
    with only a rank is bounded by the scores of provinces ranked around it (the subject's own
    published score and rank included); a province with neither could be anywhere not claimed
    by a known rank. With complete data ``best == worst``.
    """
    scores = ctx.score[code] if code in ctx.score.columns else pd.Series(dtype=float)
    if ctx.column_complete(code):  # complete data: the rank is exact
        others = scores.drop(index=pid).round(6)
        above = int((others > round(score, 6)).sum())
        return above + 1, above + 1
    ranks = ctx.rank[code] if code in ctx.rank.columns else pd.Series(dtype=float)
    anchors = pd.DataFrame({"score": scores, "rank": ranks}).dropna()
    claimed = set(ranks.dropna().astype(int))
    unclaimed = [r for r in range(1, ctx.n + 1) if r not in claimed]
    best = worst = 1
    for other in ctx.provinces.index:
        if other == pid:
            continue
        s = _num(scores.get(other))
        if s is not None:
            lo = hi = s
        else:
            r = _num(ranks.get(other))
            if r is not None:
                lo_r = hi_r = r
            elif unclaimed:
                lo_r, hi_r = min(unclaimed), max(unclaimed)
            else:
                lo_r, hi_r = 1, ctx.n
            above = anchors[anchors["rank"] < lo_r]["score"]   # they are at least as good
            below = anchors[anchors["rank"] > hi_r]["score"]   # they are at most as good
            hi = float(above.min()) if len(above) else 100.0
            lo = float(below.max()) if len(below) else 0.0
        if lo > score:
            best += 1
        if hi > score:
            worst += 1
    return best, worst


def score_at_rank(ctx: EditionContext, code: str, rank: int, exclude: str | None = None
                  ) -> float | None:
    """Score of the province at ``rank`` (among provinces other than ``exclude``), if known."""
    if ctx.column_complete(code):
        col = ctx.score[code].drop(index=exclude) if exclude else ctx.score[code]
        ordered = col.sort_values(ascending=False)
        return float(ordered.iloc[rank - 1]) if len(ordered) >= rank else None
    col = pd.DataFrame({"score": ctx.score.get(code), "rank": ctx.rank.get(code)})
    if exclude:
        own_rank = ctx.get("rank", exclude, code)
        col = col.drop(index=exclude)
        if own_rank is not None and own_rank <= rank:  # the others' rank r+1 is our r
            rank = rank + 1
    hit = col[(col["rank"] == rank) & col["score"].notna()]
    return float(hit["score"].iloc[0]) if len(hit) else None


# --- result container ------------------------------------------------------------------------

@dataclass
class ProvinceAnalysis:
    """Everything the analysis found for one province and edition (see ``to_dict``)."""

    province: str
    name: str
    region_id: str
    edition: int
    data_source: str
    sections: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)
    flags: list = field(default_factory=list)

    def miss(self, section: str, item: str, reason: str, how: str = IMPORT_HINT) -> None:
        """Record something that could not be computed, why, and how to supply it."""
        self.missing.append({"section": section, "item": item, "reason": reason, "how": how})

    def to_dict(self) -> dict:
        """JSON-ready dict (numbers rounded to 2 decimals, None where unknown)."""
        base = {"province": self.province, "name": self.name, "region": self.region_id,
                "edition": self.edition, "data_source": self.data_source}
        base.update(self.sections)
        base["flags"] = self.flags
        base["missing"] = self.missing
        return _round(base)


def _round(obj):
    if isinstance(obj, float):
        return None if math.isnan(obj) else round(obj, 2)
    if isinstance(obj, (np.floating,)):
        return _round(float(obj))
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_round(v) for v in obj]
    return obj


# --- sections ------------------------------------------------------------------------------

def _rank_info(ctx: EditionContext, pid: str, code: str) -> dict:
    score = ctx.get("score", pid, code)
    rank = ctx.get("rank", pid, code)
    out = {"code": code, "score": score, "rank": int(rank) if rank else None,
           "rank_range": None}
    if rank is not None:
        out["rank_range"] = [int(rank), int(rank)]
    elif score is not None:
        out["rank_range"] = list(rank_interval(ctx, pid, code, score))
        if out["rank_range"][0] == out["rank_range"][1]:
            out["rank"] = out["rank_range"][0]
    return out


@lru_cache(maxsize=1)
def _published_regional() -> pd.DataFrame:
    return read_text_table(PUBLISHED_DIR / "regional_averages.csv")


def region_average(ctx: EditionContext, region_id: str, code: str) -> tuple[float | None, str]:
    """Average score of a region for a code and where it comes from."""
    members = ctx.provinces.index[ctx.provinces["region_id"] == region_id]
    col = ctx.score.get(code)
    if col is not None and col.reindex(members).notna().all():
        return float(col.reindex(members).mean()), "computed from all provinces of the region"
    if code == "PII" and ctx.dataset.kind == "published":
        table = _published_regional()
        hit = table[(table["year"] == str(ctx.edition)) & (table["region_id"] == region_id)
                    & (table["score"] != "")]
        if len(hit):
            return float(hit["score"].iloc[0]), hit["source"].iloc[0]
    return None, ""


def position(ctx: EditionContext, pid: str, out: ProvinceAnalysis) -> None:
    """PII, input/output, pillars and sub-pillars with benchmarks."""
    fw = ctx.framework
    pii = _rank_info(ctx, pid, "PII")
    pii["n"] = ctx.n
    if pii["score"] is None:
        out.miss("position", "PII score", f"no PII {ctx.edition} score for this province in the "
                 f"{ctx.dataset.kind} data")
    rows = []
    for code in fw.codes("subindex") + fw.codes("pillar") + fw.codes("subpillar"):
        info = _rank_info(ctx, pid, code)
        info["level"] = fw.level_of(code)
        info["median"] = float(ctx.score[code].median()) if ctx.column_complete(code) else None
        info["top10_threshold"] = score_at_rank(ctx, code, 10)
        region_avg, _ = region_average(ctx, out.region_id, code)
        info["region_average"] = region_avg
        for bench in ("median", "top10_threshold", "region_average"):
            info[f"gap_to_{bench}"] = (info["score"] - info[bench]
                                       if info["score"] is not None and info[bench] is not None
                                       else None)
        rows.append(info)
    pii["median"] = float(ctx.score["PII"].median()) if ctx.column_complete("PII") else None
    pii["top10_threshold"] = score_at_rank(ctx, "PII", 10)
    pii["region_average"], pii["region_average_source"] = region_average(ctx, out.region_id,
                                                                          "PII")
    if pii["median"] is None:
        out.miss("position", "national median", "needs the PII score of every province; the "
                 f"{ctx.dataset.kind} data have {int(ctx.score['PII'].notna().sum())} of {ctx.n}",
                 "use a complete national table (`pii import` of the national ranking)")
    known_pillars = [r for r in rows if r["level"] == "pillar" and r["score"] is not None]
    if len(known_pillars) < len(fw.codes("pillar")):
        out.miss("position", "pillar scores", f"{len(known_pillars)} of "
                 f"{len(fw.codes('pillar'))} pillar scores are known")
    out.sections["pii"] = pii
    out.sections["subindices"] = [r for r in rows if r["level"] == "subindex"]
    out.sections["pillars"] = [r for r in rows if r["level"] == "pillar"]
    out.sections["subpillars"] = [r for r in rows if r["level"] == "subpillar"]


def _most_rule(ranks: pd.Series, scores: pd.Series) -> tuple[list, list]:
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


def _gii_rule(pct: pd.Series, ranks: pd.Series, upper_pct: pd.Series) -> tuple[list, list]:
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
    return sorted(strengths, key=_code_key), sorted(weaknesses, key=_code_key)


def _code_key(code: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))


def strengths_weaknesses(ctx: EditionContext, pid: str, params: Params | None,
                         out: ProvinceAnalysis) -> None:
    """Strengths and weaknesses by the MOST rule, the GII rule and the published list."""
    fw = ctx.framework
    ind = fw.indicators
    ranks = ctx.rank.loc[pid, ind]
    scores = ctx.score.loc[pid, ind]
    strengths, weaknesses = [], []

    def item(code, rule):
        return {"code": code, "name": fw.name(code), "level": fw.level_of(code),
                "score": ctx.get("score", pid, code), "rank": ctx.get("rank", pid, code),
                "rule": rule}

    if ranks.notna().sum() >= MOST_N:
        best, worst = _most_rule(ranks, scores)
        strengths += [item(c, "most") for c in best]
        weaknesses += [item(c, "most") for c in worst]
    else:
        out.miss("strengths", "MOST rule (5 best / 5 worst indicators by rank)",
                 f"needs indicator ranks; {int(ranks.notna().sum())} of {len(ind)} are known")
    if ranks.notna().sum() >= GII_CUTOFF_N:
        upper_codes = fw.codes("subpillar") + fw.codes("pillar")
        s, w = _gii_rule(ctx.percentile.loc[pid, ind], ranks,
                         ctx.percentile.loc[pid, upper_codes])
        strengths += [item(c, "gii") for c in s]
        weaknesses += [item(c, "gii") for c in w]
    else:
        out.miss("strengths", "GII rule (percentile-rank cut-offs)",
                 f"needs at least {GII_CUTOFF_N} indicator ranks; "
                 f"{int(ranks.notna().sum())} are known")
    published = _published_sw(ctx.edition, pid)
    if params is not None and params.province == pid:
        for code in params.published_strengths:
            published.append(("strength", code, params.plan.number or "params"))
        for code in params.published_weaknesses:
            published.append(("weakness", code, params.plan.number or "params"))
    seen = set()
    for kind, code, source in published:
        if (kind, code) in seen:
            continue
        seen.add((kind, code))
        entry = item(code, "published") | {"source": source}
        (strengths if kind == "strength" else weaknesses).append(entry)
    out.sections["strengths"] = strengths
    out.sections["weaknesses"] = weaknesses
    out.sections["strength_rules"] = {
        "most": f"MOST convention: the {MOST_N} indicators with the best and the {MOST_N} with "
                "the worst rank (indicators tied with the last one are included)",
        "gii": "GII rule (GII 2023 Appendix I): percentile rank = (N − rank)/(N − 1); cut-offs at "
               f"the province's {GII_CUTOFF_N}th highest and lowest indicator percentile rank, "
               f"ranks 1–{GII_TOP_RANKS} always a strength; cut-offs also applied to sub-pillars "
               "and pillars",
        "published": "as published (MOST profile quoted in a plan or the press)",
    }


@lru_cache(maxsize=1)
def _published_sw_table() -> pd.DataFrame:
    return read_text_table(PUBLISHED_DIR / "strengths_weaknesses.csv")


def _published_sw(edition: int, pid: str) -> list[tuple[str, str, str]]:
    table = _published_sw_table()
    hit = table[(table["year"] == str(edition)) & (table["province_id"] == pid)
                & (table["code"] != "")]
    return [(r["kind"], r["code"], r["source"]) for r in hit.to_dict("records")]


def leverage(ctx: EditionContext, pid: str, out: ProvinceAnalysis) -> None:
    """Per indicator: effective weight, headroom and the PII points it can still buy."""
    rows = []
    weights = ctx.node_weights
    for code in ctx.framework.indicators:
        score = ctx.get("score", pid, code)
        headroom = None if score is None else 100.0 - score
        w = float(weights[code])
        rows.append({"code": code, "name": ctx.framework.name(code),
                     "pillar": ctx.framework.pillar_of(code), "effective_weight": w,
                     "pii_per_point": w, "score": score, "headroom": headroom,
                     "max_gain": None if headroom is None else w * headroom})
    rows.sort(key=lambda r: (-(r["max_gain"] if r["max_gain"] is not None else -1),
                             -r["effective_weight"]))
    unknown = sum(r["headroom"] is None for r in rows)
    if unknown:
        out.miss("leverage", "headroom", f"{unknown} of {len(rows)} indicator scores are unknown "
                 "(effective weights are still shown)")
    out.sections["leverage"] = rows


def _bounds(ctx: EditionContext, code: str) -> tuple[float | None, float | None]:
    if code in ctx.bounds.index:
        return _num(ctx.bounds.at[code, "min"]), _num(ctx.bounds.at[code, "max"])
    return None, None


def targets_and_projection(ctx: EditionContext, pid: str, params: Params | None,
                           out: ProvinceAnalysis) -> None:
    """Targets and gaps (score and raw units) and the projected PII and rank if all are met."""
    fw = ctx.framework
    rows = []
    if params is None or not params.targets:
        out.sections["targets"] = []
        out.sections["projection"] = {"pii": None, "rank": None, "rank_range": None,
                                      "delta": None, "pillars": [], "assumptions": []}
        out.miss("targets", "indicator targets",
                 "no params file was given" if params is None else
                 "the params file sets no indicator targets",
                 "pass --params params/<province>.yaml with a `targets:` list")
        return
    weights = ctx.node_weights
    delta_pii = 0.0
    complete = True
    no_bounds: list[str] = []
    for t in params.targets:
        data_score = ctx.get("score", pid, t.code)
        baseline = data_score if data_score is not None else t.baseline
        lo, hi = _bounds(ctx, t.code)
        direction = fw.direction(t.code)
        have_bounds = lo is not None and hi is not None and hi > lo
        if t.target_kind == "score":
            target_score = t.target
            raw_target = score_to_raw(t.target, lo, hi, direction) if have_bounds else None
        else:
            raw_target = t.target
            target_score = (min(100.0, max(0.0, raw_to_score(t.target, lo, hi, direction)))
                            if have_bounds else None)
        raw_baseline = ctx.get("value", pid, t.code)
        if raw_baseline is None and have_bounds and baseline is not None:
            raw_baseline = score_to_raw(baseline, lo, hi, direction)
        gap = None if baseline is None or target_score is None else target_score - baseline
        lead, partners = t.lead, t.partners
        row = {"code": t.code, "name": fw.name(t.code), "baseline": baseline,
               "baseline_source": "data" if data_score is not None else (
                   "params" if t.baseline is not None else None),
               "target": target_score, "target_kind": t.target_kind, "gap": gap,
               "raw_baseline": raw_baseline, "raw_target": raw_target,
               "raw_gap": (raw_target - raw_baseline) if raw_target is not None
               and raw_baseline is not None else None,
               "unit": fw.unit(t.code), "national_min": lo, "national_max": hi,
               "effective_weight": float(weights[t.code]),
               "pii_gain": None if gap is None else float(weights[t.code]) * gap,
               "lead": lead, "partners": partners, "timeline": t.timeline,
               "below_baseline": gap is not None and gap < 0}
        rows.append(row)
        if gap is None:
            complete = False
            out.miss("targets", f"gap for {t.code}",
                     "baseline score unknown" if baseline is None else
                     "raw target cannot be converted without the national min/max")
        else:
            delta_pii += float(weights[t.code]) * gap
        if not have_bounds:
            no_bounds.append(t.code)
    if no_bounds:
        out.miss("targets", "raw units", f"the national min/max of PII {ctx.edition} are not in "
                 f"the {ctx.dataset.kind} data for {len(no_bounds)} target indicator(s): "
                 f"{', '.join(no_bounds)}")
    out.flags.extend(flags(params))
    out.sections["targets"] = rows
    current = ctx.get("score", pid, "PII")
    projection = {"pii": None, "rank": None, "rank_range": None, "delta": delta_pii,
                  "pillars": [], "complete": complete}
    projection["assumptions"] = [
        "other provinces keep their PII "
        f"{ctx.edition} scores (published or as in the data)",
        "every indicator's national min and max are unchanged, so ΔPII = Σ effective weight × "
        "Δscore holds exactly",
        "only the indicators with targets change; all others keep their baseline scores",
    ]
    if not complete:
        projection["assumptions"].append("targets whose gap is unknown are left out of ΔPII")
    for pillar in fw.codes("pillar"):
        base = ctx.get("score", pid, pillar)
        d = sum(r["gap"] * float(weights[r["code"]] / weights[pillar]) for r in rows
                if r["gap"] is not None and fw.pillar_of(r["code"]) == pillar)
        if d:
            projection["pillars"].append({"code": pillar, "baseline": base, "delta": d,
                                          "projected": None if base is None else base + d})
    if current is None:
        out.miss("projection", "projected PII", "the current PII score is unknown")
    else:
        projected = current + delta_pii
        best, worst = rank_interval(ctx, pid, "PII", projected)
        projection.update({"pii": projected, "rank_range": [best, worst],
                           "rank": best if best == worst else None})
        if best != worst:
            out.miss("projection", "exact projected rank", f"only a range {best}–{worst} follows "
                     "from the known scores and ranks of other provinces",
                     "use a complete national table (`pii import`) for an exact rank")
    out.sections["projection"] = projection


def goal_path(ctx: EditionContext, pid: str, params: Params | None, out: ProvinceAnalysis
              ) -> None:
    """Points of PII needed for the goal rank and the cheapest indicators to get them."""
    goal_rank = params.goal.rank if params is not None and params.goal else 10
    current = ctx.get("score", pid, "PII")
    current_rank = ctx.get("rank", pid, "PII")
    threshold = score_at_rank(ctx, "PII", goal_rank, exclude=pid)
    goal = {"rank": goal_rank, "source": "params" if params and params.goal else "default top 10",
            "threshold_score": threshold, "current_score": current,
            "current_rank": int(current_rank) if current_rank else None,
            "points_needed": None, "single_indicator": [], "cheapest_path": [],
            "cheapest_total_points": None, "closes_gap": None, "lower_bound_points": None}
    out.sections["goal"] = goal
    if current is None or threshold is None:
        out.miss("goal", f"points needed for top {goal_rank}",
                 "the current PII score is unknown" if current is None else
                 f"the score of rank {goal_rank} in PII {ctx.edition} is not in the data")
        return
    needed = max(0.0, threshold - current)
    goal["points_needed"] = needed
    weights = ctx.node_weights.loc[ctx.framework.indicators]
    rows = out.sections.get("leverage") or []
    headroom = {r["code"]: r["headroom"] for r in rows}
    for code, w in weights.items():
        gain_needed = needed / float(w)
        h = headroom.get(code)
        goal["single_indicator"].append({
            "code": code, "score_gain_needed": gain_needed, "headroom": h,
            "feasible": None if h is None else gain_needed <= h + 1e-9})
    goal["single_indicator"].sort(key=lambda r: r["score_gain_needed"])
    # lower bound on score points: spend on the heaviest indicators assuming full headroom
    remaining, points = needed, 0.0
    for w in sorted(weights.tolist(), reverse=True):
        take = min(100.0, remaining / w)
        points += take
        remaining -= take * w
        if remaining <= 1e-12:
            break
    goal["lower_bound_points"] = points
    if needed == 0:
        goal["closes_gap"] = True
        goal["cheapest_total_points"] = 0.0
        return
    known = [r for r in rows if r["headroom"] is not None and r["headroom"] > 0]
    if not known:
        out.miss("goal", "cheapest path", "indicator scores (headroom) are unknown; at least "
                 f"{points:.1f} indicator-score points are needed in any case")
        return
    # fractional knapsack: raising the heaviest indicators first needs the fewest score points
    known.sort(key=lambda r: (-r["effective_weight"], -r["max_gain"]))
    remaining, total = needed, 0.0
    path = []
    for r in known:
        if remaining <= 1e-12:
            break
        raise_by = min(r["headroom"], remaining / r["effective_weight"])
        gain = raise_by * r["effective_weight"]
        path.append({"code": r["code"], "from": r["score"], "to": r["score"] + raise_by,
                     "raise_by": raise_by, "pii_gain": gain})
        remaining -= gain
        total += raise_by
    goal["cheapest_path"] = path
    goal["cheapest_total_points"] = total
    goal["closes_gap"] = remaining <= 1e-9
    if not goal["closes_gap"]:
        unknown = sum(r["headroom"] is None for r in rows)
        out.miss("goal", "a path that closes the gap",
                 f"the known indicators' headroom is not enough ({remaining:.2f} PII points "
                 f"short); {unknown} indicator scores are unknown")


def peers(ctx: EditionContext, pid: str, out: ProvinceAnalysis) -> None:
    """Region members and rank neighbours, side by side at pillar level."""
    pillars = ctx.framework.codes("pillar")
    region = ctx.provinces.index[ctx.provinces["region_id"] == out.region_id].tolist()
    rank = ctx.get("rank", pid, "PII")
    neighbours = []
    if rank is not None:
        ranks = ctx.rank["PII"].dropna()
        neighbours = ranks[(ranks - rank).abs() <= PEER_NEIGHBOURS].index.tolist()
    else:
        out.miss("peers", "rank neighbours", "the province's PII rank is unknown")

    def row(other):
        return {"province": other, "name": ctx.provinces.at[other, "name_vi"],
                "region": ctx.provinces.at[other, "region_id"],
                "pii": ctx.get("score", other, "PII"), "rank": ctx.get("rank", other, "PII"),
                "pillars": {p: ctx.get("score", other, p) for p in pillars},
                "is_subject": other == pid}

    out.sections["peers"] = {
        "region": sorted((row(o) for o in region),
                         key=lambda r: (r["rank"] is None, r["rank"] or 0)),
        "neighbours": sorted((row(o) for o in neighbours), key=lambda r: r["rank"] or 0)}


def trend(ctx: EditionContext, pid: str, out: ProvinceAnalysis) -> None:
    """PII across every edition the data have, with predecessors / successor via the crosswalk."""
    kind = ctx.dataset.kind
    rows = []
    for edition, info in sorted(editions().items()):
        try:
            ds = ctx.dataset if edition == ctx.edition else load_dataset(kind, edition)
        except InputError:
            continue
        if kind == "imported" and edition != ctx.edition:
            continue
        if info["province_set"] == province_set_of(ctx.edition):
            units = [pid]
            relation = "same unit"
        elif ctx.edition == 2025 or province_set_of(ctx.edition) == "provinces_34":
            units = predecessors(pid)
            relation = "pre-merger predecessor"
        else:
            units = [successor(pid)]
            relation = "post-merger successor"
        for unit in units:
            item = ds.item(unit, "PII")
            rows.append({"edition": edition, "province": unit, "relation": relation,
                         "score": None if item is None else _num(item["score"]),
                         "rank": None if item is None else _num(item["rank"]),
                         "n": int(info["n_provinces"])})
    out.sections["trend"] = {
        "rows": rows,
        "caveats": [
            "min–max scores are relative to each edition's provinces: a change of score is not a "
            "change of absolute performance",
            "PII 2024 changed the computation of some indicators and some data sources "
            "(Decision 1705/QĐ-BKHCN); 2025 uses a revised framework (Decision 989/QĐ-BKHCN) "
            "over 34 merged provinces, so 2025 ranks are out of 34, not 63",
        ]}


def province_set_of(edition: int) -> str:
    """Province set name of an edition (provinces_63 or provinces_34)."""
    return editions()[int(edition)]["province_set"]


def national(ctx: EditionContext) -> dict:
    """Ranking, regional averages, distribution, leaders by pillar, movers (per edition)."""
    pii = pd.DataFrame({"score": ctx.score["PII"], "rank": ctx.rank["PII"]})
    pii = pii.join(ctx.provinces[["name_vi", "region_id"]])
    ranking = pii.dropna(how="all", subset=["score", "rank"]).sort_values(
        ["rank", "score"], ascending=[True, False])
    regions = []
    for region_id in sorted(set(ctx.provinces["region_id"])):
        avg, source = region_average(ctx, region_id, "PII")
        regions.append({"region": region_id, "average": avg, "source": source})
    known = pii["score"].dropna()
    distribution = {"n_known": int(len(known)), "n": ctx.n}
    if len(known) == ctx.n:
        distribution.update({q: float(known.quantile(p)) for q, p in
                             (("min", 0), ("q1", .25), ("median", .5), ("q3", .75), ("max", 1))})
    leaders = []
    for pillar in ctx.framework.codes("pillar"):
        top = ctx.rank[pillar][ctx.rank[pillar] == 1].index.tolist()
        leaders.append({"code": pillar, "provinces": top,
                        "scores": [ctx.get("score", p, pillar) for p in top]})
    movers = []
    previous = ctx.edition - 1
    if previous in editions() and province_set_of(previous) == province_set_of(ctx.edition):
        try:
            prev = edition_context(load_dataset(ctx.dataset.kind, previous)) \
                if ctx.dataset.kind != "imported" else None
        except InputError:
            prev = None
        if prev is not None:
            change = (prev.rank["PII"] - ctx.rank["PII"]).dropna()
            for p, d in change.sort_values(key=lambda s: -s.abs()).head(10).items():
                movers.append({"province": p, "rank_change": int(d),
                               "rank_before": int(prev.rank.at[p, "PII"]),
                               "rank_now": int(ctx.rank.at[p, "PII"])})
    return {"ranking": [{"province": p, "name": r["name_vi"], "region": r["region_id"],
                         "score": _num(r["score"]), "rank": _num(r["rank"])}
                        for p, r in ranking.iterrows()],
            "regions": regions, "distribution": distribution, "leaders": leaders,
            "movers": movers}


def analyse_province(dataset: Dataset, province_id: str, params: Params | None = None
                     ) -> ProvinceAnalysis:
    """Run every section of the analysis for one province.

    Parameters
    ----------
    dataset
        Scores of the edition (published, demo or imported).
    province_id
        Province id of that edition.
    params
        The province's plan inputs (goal, targets, owners), if any.
    """
    ctx = edition_context(dataset)
    if province_id not in ctx.provinces.index:
        raise InputError(f"expected a province of PII {dataset.edition}", column="province",
                         value=province_id)
    if params is not None and params.province != province_id:
        raise InputError(f"expected params for {province_id}", file=params.source_file,
                         row="province", value=params.province)
    out = ProvinceAnalysis(province=province_id, name=ctx.provinces.at[province_id, "name_vi"],
                           region_id=ctx.provinces.at[province_id, "region_id"],
                           edition=dataset.edition, data_source=dataset.kind)
    position(ctx, province_id, out)
    strengths_weaknesses(ctx, province_id, params, out)
    leverage(ctx, province_id, out)
    targets_and_projection(ctx, province_id, params, out)
    goal_path(ctx, province_id, params, out)
    peers(ctx, province_id, out)
    trend(ctx, province_id, out)
    return out


def analysis_json(analysis: ProvinceAnalysis) -> dict:
    """The JSON contract of ``pii analyze --json`` (stable keys; see the README)."""
    d = analysis.to_dict()
    return {
        "province": d["province"], "name": d["name"], "region": d["region"],
        "edition": d["edition"], "data_source": d["data_source"],
        "pii": {k: d["pii"][k] for k in ("score", "rank", "n", "rank_range", "median",
                                         "top10_threshold", "region_average")},
        "subindices": [_pick(r, ("code", "score", "rank")) for r in d["subindices"]],
        "pillars": [_pick(r, ("code", "score", "rank", "rank_range", "median",
                              "top10_threshold", "region_average")) for r in d["pillars"]],
        "subpillars": [_pick(r, ("code", "score", "rank")) for r in d["subpillars"]],
        "strengths": [_pick(r, ("code", "rule", "score", "rank")) for r in d["strengths"]],
        "weaknesses": [_pick(r, ("code", "rule", "score", "rank")) for r in d["weaknesses"]],
        "strength_rules": d["strength_rules"],
        "leverage": [_pick(r, ("code", "effective_weight", "headroom", "pii_per_point",
                               "max_gain")) for r in d["leverage"]],
        "targets": [_pick(r, ("code", "baseline", "target", "gap", "raw_baseline",
                              "raw_target", "unit", "pii_gain", "lead", "partners",
                              "timeline", "below_baseline")) for r in d["targets"]],
        "projection": d["projection"],
        "goal": d["goal"],
        "peers": d["peers"],
        "trend": d["trend"],
        "flags": d["flags"],
        "missing": d["missing"],
    }


def _pick(row: dict, keys: tuple) -> dict:
    return {k: row.get(k) for k in keys}
