"""Scoring engine: min–max normalisation, weighted aggregation up the tree, ranks.

Reproduces MOST's published recipe (``research/methodology.md`` §4): each indicator is
min–max normalised to 0–100 over the provinces of the edition (reversed when lower is
better); every higher node is the weighted mean of its children (weights from the framework
file, default 1); ``IN`` = mean of pillars 1–5, ``OUT`` = mean of pillars 6–7,
``PII`` = (IN + OUT) / 2; rank 1 = best and ties share the better rank.

Conventions
-----------
* Missing values: an aggregate is the weighted mean of the children that are available; the
  output keeps ``n_available`` and ``n_expected`` so a report can say so.
* A constant indicator (national max = min) carries no information: it scores missing (NaN)
  for every province and is flagged in ``ScoreResult.bounds`` (``constant=True``); it never
  divides by zero.
* Optional outlier treatment (GII rule, off by default): when |skewness| > 2.25 and
  kurtosis > 3.5, up to 5 extreme values are winsorised (set to the next value); if that is
  not enough the series is log-transformed. Applied treatments are reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model.framework import Framework

SKEW_LIMIT = 2.25
KURT_LIMIT = 3.5
MAX_WINSORISED = 5
AGG_LEVELS = ("subpillar", "pillar", "subindex", "pii")
RANK_DECIMALS = 6  # ranks compare scores rounded to this many decimals (float noise ≠ a lead)


def raw_to_score(value: float, lo: float, hi: float, direction: int = 1) -> float:
    """Min–max score (0–100) of a raw value given the edition's national min and max.

    Returns NaN for a constant indicator (``hi == lo``).

    Examples
    --------
    >>> round(raw_to_score(47.59, 28.20, 55.64), 2)
    70.66
    """
    if hi == lo or any(map(_isnan, (value, lo, hi))):
        return math.nan
    frac = (value - lo) / (hi - lo)
    return 100.0 * (frac if direction >= 0 else 1.0 - frac)


def score_to_raw(score: float, lo: float, hi: float, direction: int = 1) -> float:
    """Raw value that earns ``score`` given the edition's min and max (inverse of ``raw_to_score``).

    ``raw = min + score/100 · (max − min)`` (reversed when lower is better).
    """
    if any(map(_isnan, (score, lo, hi))):
        return math.nan
    frac = score / 100.0 if direction >= 0 else 1.0 - score / 100.0
    return lo + frac * (hi - lo)


def _isnan(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def normalise(values: pd.DataFrame, directions: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Min–max normalise every column of a provinces × indicators table to 0–100.

    Parameters
    ----------
    values
        Raw values, one row per province, one column per indicator.
    directions
        1 or -1 per indicator column.

    Returns
    -------
    scores, bounds
        Scores with the same shape; ``bounds`` has ``min, max, n, constant`` per indicator.
    """
    lo = values.min(axis=0, skipna=True)
    hi = values.max(axis=0, skipna=True)
    span = (hi - lo).where(hi > lo)  # NaN for constant columns → NaN scores, no division by 0
    frac = (values - lo) / span
    higher_is_better = directions.reindex(values.columns).fillna(1).to_numpy() > 0
    scores = pd.DataFrame(np.where(higher_is_better, frac, 1.0 - frac) * 100.0,
                          index=values.index, columns=values.columns)
    bounds = pd.DataFrame({"min": lo, "max": hi, "n": values.notna().sum(axis=0),
                           "constant": (hi == lo) & values.notna().any(axis=0)})
    return scores, bounds


def treat_outliers(series: pd.Series) -> tuple[pd.Series, str]:
    """GII outlier treatment of one indicator (winsorise ≤ 5 points, else log).

    Returns the treated series and a description (``""`` when nothing was needed).
    """
    s = series.astype(float).copy()
    if not _needs_treatment(s):
        return series, ""
    skew_sign = 1 if s.skew() > 0 else -1
    w = s.copy()
    for k in range(1, MAX_WINSORISED + 1):
        valid = w.dropna()
        extreme = valid.idxmax() if skew_sign > 0 else valid.idxmin()
        rest = valid.drop(extreme)
        w[extreme] = rest.max() if skew_sign > 0 else rest.min()  # set to the next value
        if not _needs_treatment(w):
            return w, f"winsorised {k} value(s)"
    lo = s.min()
    if skew_sign > 0:
        logged = np.log1p(s - lo)
    else:
        logged = -np.log1p(s.max() - s)
    return logged, "log-transformed"


def _needs_treatment(s: pd.Series) -> bool:
    valid = s.dropna()
    if len(valid) < 4 or valid.nunique() < 3:
        return False
    return abs(float(valid.skew())) > SKEW_LIMIT and float(valid.kurt()) > KURT_LIMIT


def aggregate(wide: pd.DataFrame, framework: Framework, *, min_coverage: float = 0.0,
              keep_given: bool = True, only: set[str] | None = None
              ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Compute every higher level from the levels below (weighted mean of available children).

    Parameters
    ----------
    wide
        Scores, one row per province, one column per code (any level). Values already present
        for higher levels are kept when ``keep_given`` (e.g. published pillar scores).
    framework
        The edition's framework.
    min_coverage
        Share of a node's children that must be available to compute it (0 → at least one;
        1 → all). Below it the node stays missing.
    only
        When given, only these nodes are computed (e.g. those whose children the framework
        lists completely); the others keep what ``wide`` gives.

    Returns
    -------
    scores, n_available, n_expected
        Wide tables with all codes of the framework; the count tables are NaN for given values.
    """
    out = wide.reindex(columns=framework.table["code"]).astype(float)
    n_avail = pd.DataFrame(np.nan, index=out.index, columns=out.columns)
    n_exp = pd.DataFrame(np.nan, index=out.index, columns=out.columns)
    weights = framework.table.set_index("code")["weight"].astype(float)
    for level in AGG_LEVELS:
        for code in framework.codes(level):
            kids = framework.children(code)
            if not kids or (only is not None and code not in only):
                continue
            sub = out[kids]
            w = weights[kids].to_numpy()
            avail = sub.notna()
            num = (sub.fillna(0.0).to_numpy() * w).sum(axis=1)
            den = (avail.to_numpy() * w).sum(axis=1)
            count = avail.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                computed = pd.Series(num / den, index=out.index)
            enough = (count > 0) & (count >= min_coverage * len(kids) - 1e-9)
            computed = computed.where(enough)
            given = out[code].notna() if keep_given else pd.Series(False, index=out.index)
            out[code] = out[code].where(given, computed)
            n_avail[code] = count.where(~given)
            n_exp[code] = pd.Series(len(kids), index=out.index).where(~given)
    return out, n_avail, n_exp


def rank_wide(scores: pd.DataFrame) -> pd.DataFrame:
    """Ranks per column: 1 = best, ties share the better rank (``min``), NaN stays unranked."""
    return scores.round(RANK_DECIMALS).rank(axis=0, ascending=False, method="min")


@dataclass
class ScoreResult:
    """Output of :func:`score_raw`.

    Attributes
    ----------
    scores
        Tidy table ``province_id, level, code, value, score, rank, n_available, n_expected``.
    bounds
        Per indicator: national ``min``, ``max``, number of values ``n``, ``constant`` flag and
        the outlier ``treatment`` applied (empty when none).
    """

    scores: pd.DataFrame
    bounds: pd.DataFrame


def score_raw(raw: pd.DataFrame, framework: Framework, *, outliers: bool = False) -> ScoreResult:
    """Score raw indicator values of every province of an edition, at every level.

    Parameters
    ----------
    raw
        Long table ``province_id, code, value`` (indicator codes only, one row per pair).
    framework
        The edition's framework; must be complete.
    outliers
        Apply the GII outlier treatment before normalising (off by default).

    Returns
    -------
    ScoreResult
    """
    framework.require_complete("scoring raw indicator values")
    values = (raw.pivot(index="province_id", columns="code", values="value")
              .reindex(columns=framework.indicators).astype(float))
    treated = values.copy()
    treatments = pd.Series("", index=framework.indicators, dtype=object)
    if outliers:
        for code in framework.indicators:
            treated[code], treatments[code] = treat_outliers(values[code])
    directions = framework.table.set_index("code")["direction"]
    ind_scores, bounds = normalise(treated, directions)
    # bounds are reported in raw units (the units departments act on)
    bounds["min"] = values.min(axis=0)
    bounds["max"] = values.max(axis=0)
    bounds["treatment"] = treatments
    wide, n_avail, n_exp = aggregate(ind_scores, framework, keep_given=False)
    ranks = rank_wide(wide)
    tidy = _to_tidy(wide, ranks, n_avail, n_exp, framework)
    value_long = values.stack().rename("value").reset_index()
    tidy = tidy.merge(value_long, on=["province_id", "code"], how="left")
    cols = ["province_id", "level", "code", "value", "score", "rank", "n_available", "n_expected"]
    bounds.index.name = "code"
    return ScoreResult(scores=tidy[cols], bounds=bounds.reset_index())


def _to_tidy(wide: pd.DataFrame, ranks: pd.DataFrame, n_avail: pd.DataFrame,
             n_exp: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    wide = wide.copy()
    wide.index.name = "province_id"
    parts = {"score": wide, "rank": ranks, "n_available": n_avail, "n_expected": n_exp}
    long = None
    for name, frame in parts.items():
        frame = frame.copy()
        frame.index.name = "province_id"
        frame.columns.name = "code"
        piece = frame.stack(future_stack=True).rename(name).reset_index()
        long = piece if long is None else long.merge(piece, on=["province_id", "code"])
    levels = framework.table.set_index("code")["level"]
    long["level"] = long["code"].map(levels)
    order = {c: i for i, c in enumerate(framework.table["code"])}
    long["_o"] = long["code"].map(order)
    long = long.sort_values(["province_id", "_o"]).drop(columns="_o").reset_index(drop=True)
    long["rank"] = long["rank"].astype("Int64")
    long["n_available"] = long["n_available"].astype("Int64")
    long["n_expected"] = long["n_expected"].astype("Int64")
    return long
