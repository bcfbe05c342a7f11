"""Rank robustness: how much a province's PII rank depends on the methodological choices.

A Monte Carlo uncertainty analysis like the JRC statistical audit of the Global Innovation
Index: every draw recomputes the PII of every province with randomly varied choices and ranks
the provinces; the spread of a province's ranks over the draws shows how firm its rank is.

A draw varies
-------------
* **weights** — each indicator, sub-pillar and pillar weight is multiplied by an independent
  factor ~ U[1 − spread, 1 + spread] (default ±25 % around the framework weight). Aggregates
  are weighted means divided by the weight sum of the available children, so the weights are
  re-normalised within each parent. IN and OUT keep equal weight (``PII = (IN + OUT) / 2``).
* **aggregation** — with probability ½ the pillars are aggregated into the sub-indices by a
  weighted geometric mean instead of the arithmetic one (the JRC audit's "pillar level").
  Scores can be 0, so it is the geometric mean of ``score + 1``, minus 1:
  ``G = exp(Σ wᵢ·ln(xᵢ + 1) / Σ wᵢ) − 1`` (0–100 scale; equals the arithmetic mean for equal
  children, lower for unbalanced ones).
* **outliers** — with probability ½ the GII outlier treatment
  (:func:`pii_lib.method.scoring.treat_outliers`); the treated and untreated normalised indicator
  matrices are computed once and each draw picks one.

Missing values follow :func:`pii_lib.method.scoring.aggregate` (mean of the available children). The
*official* computation (framework weights, arithmetic means, no treatment) runs through the
same engine and its ranks equal :func:`pii_lib.method.scoring.score_raw`'s.

Per province: median rank and the 5th/95th percentile ranks (90 % interval) as empirical
quantiles (always an observed rank; numpy ``inverted_cdf``), and ``rank_shift_p90``, the 90th
percentile of ``|draw rank − official rank|`` (nine draws in ten move the province by at most
that many places; the maximum would be set by a single extreme draw). All draws are numpy
arrays (draws × provinces × nodes), computed in chunks of ``CHUNK_DRAWS`` to bound memory.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import InputError
from ..model.framework import Framework
from .scoring import RANK_DECIMALS, normalise, treat_outliers

LOG = logging.getLogger(__name__)

AggregationChoice = Literal["vary", "arithmetic", "geometric"]
OutlierChoice = Literal["vary", "off", "on"]
CHUNK_DRAWS = 2000  # draws computed together; bounds memory (~26 MB per 1,000 draws × 63 × 52)
GEOMETRIC_SHIFT = 1.0  # geometric mean of (score + 1), minus 1
SHARE_GEOMETRIC = 0.5
SHARE_TREATED = 0.5
QUANTILE_METHOD = "inverted_cdf"
SUMMARY_COLUMNS = ["province_id", "official_score", "official_rank", "median_rank", "rank_p05",
                   "rank_p95", "rank_shift_p90"]


@dataclass(frozen=True)
class RobustnessSettings:
    """The settings of a robustness run, recorded with its result.

    ``draws``, ``seed``, ``weight_spread``, ``aggregation`` and ``outliers`` as passed to
    :func:`rank_robustness`; ``source`` is ``raw`` or ``scores``; the remaining fields name the
    fixed method choices.
    """

    draws: int
    seed: int
    weight_spread: float
    aggregation: str
    outliers: str
    source: str
    edition: int
    weight_scheme: str = "uniform"
    geometric_shift: float = GEOMETRIC_SHIFT
    interval: tuple[int, int] = (5, 95)
    shift_statistic: str = "p90_abs_shift"


@dataclass
class RobustnessResult:
    """Ranks of every province over the draws, summarised.

    Attributes
    ----------
    table
        One row per province, sorted by official rank: ``province_id, official_score,
        official_rank, median_rank, rank_p05, rank_p95, rank_shift_p90``.
    settings
        The settings of the run.
    draw_ranks, draw_scores
        PII rank and score of every province in every draw, shape (draws, provinces), columns
        in the order of ``provinces`` (the province ids).
    geometric, outliers_treated
        Per draw: geometric mean used; outliers treated.
    treatments
        Indicators the outlier treatment changes, and how.
    """

    table: pd.DataFrame
    settings: RobustnessSettings
    draw_ranks: np.ndarray
    draw_scores: np.ndarray
    provinces: list[str]
    geometric: np.ndarray
    outliers_treated: np.ndarray
    treatments: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready summary: settings, method note, per-province statistics (no draw arrays)."""
        settings = asdict(self.settings)
        return {
            "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()},
            "share_geometric": float(np.mean(self.geometric)),
            "share_outliers_treated": float(np.mean(self.outliers_treated)),
            "treatments": dict(self.treatments),
            "provinces": json.loads(self.table.to_json(orient="records")),
        }


# --- the tree as matrices ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Step:
    """One aggregation step: children → parents, with the children's framework weights."""

    membership: np.ndarray  # children × parents, 1 where the child belongs to the parent
    weights: np.ndarray
    perturbed: bool  # weights varied by the draws (not for IN/OUT → PII)
    may_be_geometric: bool  # the pillar → sub-index step


def _steps(framework: Framework) -> list[_Step]:
    """The framework tree as matrices, bottom-up (indicators → … → PII)."""
    weights = framework.table.set_index("code")["weight"].astype(float)
    steps, children = [], framework.indicators
    for parent_level in ("subpillar", "pillar", "subindex", "pii"):
        parents = framework.codes(parent_level)
        column = {code: j for j, code in enumerate(parents)}
        membership = np.zeros((len(children), len(parents)))
        for i, code in enumerate(children):
            membership[i, column[framework.parent(code)]] = 1.0
        steps.append(_Step(membership, weights[children].to_numpy(),
                           perturbed=parent_level != "pii",
                           may_be_geometric=parent_level == "subindex"))
        children = parents
    return steps


def _weighted_mean(values: np.ndarray, available: np.ndarray, weights: np.ndarray,
                   membership: np.ndarray, geometric: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Weighted (arithmetic or shifted geometric) mean of the available children per parent.

    ``values`` and ``available`` are (draws, provinces, children) with missing values set to 0;
    ``weights`` is (draws, children); ``geometric`` (draws,) selects the geometric mean.
    """
    w = weights[:, None, :] * available
    den = w @ membership
    arithmetic = (values * w) @ membership
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = arithmetic / den
        if geometric is not None and geometric.any():
            log_mean = (np.log(values + GEOMETRIC_SHIFT) * w) @ membership / den
            mean = np.where(geometric[:, None, None], np.exp(log_mean) - GEOMETRIC_SHIFT, mean)
    has_children = den > 0
    return np.where(has_children, mean, 0.0), has_children.astype(float)


def _pii_scores(matrices: np.ndarray, available: np.ndarray, steps: list[_Step],
                factors: np.ndarray, treated: np.ndarray, geometric: np.ndarray) -> np.ndarray:
    """PII of every province in every draw, shape (draws, provinces); NaN when uncomputable."""
    values, avail = matrices[treated.astype(int)], available[treated.astype(int)]
    offset = 0
    for step in steps:
        n_children = step.membership.shape[0]
        weights = np.broadcast_to(step.weights, (len(treated), n_children))
        if step.perturbed:
            weights = weights * factors[:, offset:offset + n_children]
            offset += n_children
        values, avail = _weighted_mean(values, avail, weights, step.membership,
                                       geometric if step.may_be_geometric else None)
    return np.where(avail[:, :, 0] > 0, values[:, :, 0], np.nan)


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Ranks per draw (row): 1 = best, ties share the better rank, NaN stays unranked."""
    rounded = np.round(scores, RANK_DECIMALS)
    better = (rounded[:, None, :] > rounded[:, :, None]).sum(axis=2)
    return np.where(np.isnan(rounded), np.nan, 1.0 + better)


# --- entry points --------------------------------------------------------------------------------

MIN_SHARE_KNOWN = 0.8  # a province needs this share of indicator scores to be ranked fairly


def has_complete_scores(scores: pd.DataFrame, n_provinces: int) -> bool:
    """True when every province of the edition has (nearly) all its indicator scores — the
    condition for a robustness analysis (demo data, or an imported national table)."""
    known = scores.notna().mean(axis=1)
    return len(known) >= n_provinces and bool((known >= MIN_SHARE_KNOWN).all())


def rank_robustness(raw: pd.DataFrame, framework: Framework, *, draws: int = 1000,
                    seed: int = 20231, weight_spread: float = 0.25,
                    aggregation: AggregationChoice = "vary",
                    outliers: OutlierChoice = "vary") -> RobustnessResult:
    """Monte Carlo robustness of the PII ranks, from raw indicator values.

    Parameters
    ----------
    raw
        Long table ``province_id, code, value`` of every province of the edition (indicator
        codes only), e.g. :func:`pii_lib.data.read_raw_values`. Missing pairs are missing values.
    framework
        The edition's framework (must be complete).
    draws, seed
        Number of draws and the random seed (same seed → identical result).
    weight_spread
        Weights are multiplied by U[1 − spread, 1 + spread]; 0 keeps the framework weights.
    aggregation
        ``vary`` (geometric mean at pillar level in half of the draws), ``arithmetic`` or
        ``geometric``.
    outliers
        ``vary`` (GII outlier treatment in half of the draws), ``off`` or ``on``.

    Returns
    -------
    RobustnessResult
        Raises ``InputError`` on a malformed table or invalid settings.
    """
    framework.require_complete("the rank robustness analysis")
    values = _raw_wide(raw, framework)
    directions = framework.table.set_index("code")["direction"]
    untreated, _ = normalise(values, directions)
    treated_values, treatments = _treat_outliers(values)
    treated, _ = normalise(treated_values, directions)
    return _run(untreated, treated, treatments, framework, "raw", draws=draws, seed=seed,
                weight_spread=weight_spread, aggregation=aggregation, outliers=outliers)


def rank_robustness_from_scores(scores: pd.DataFrame, framework: Framework, *,
                                draws: int = 1000, seed: int = 20231,
                                weight_spread: float = 0.25,
                                aggregation: AggregationChoice = "vary",
                                outliers: OutlierChoice = "vary") -> RobustnessResult:
    """Monte Carlo robustness of the PII ranks, from indicator scores (0–100).

    For an imported national table: ``scores`` has one row per province (index = province id)
    and one column per indicator code; other columns (e.g. pillar codes of
    ``Dataset.wide("score")``) are ignored, missing cells are missing values. The outlier
    treatment is applied to the score columns, which are then re-normalised to 0–100; because
    min–max normalisation is affine this equals treating the raw values when winsorising, while
    the log branch works on the score scale. Other parameters as :func:`rank_robustness`.
    """
    framework.require_complete("the rank robustness analysis")
    if not isinstance(scores, pd.DataFrame):
        raise InputError("robust_table", value=type(scores).__name__)
    present = [c for c in framework.indicators if c in scores.columns]
    if not present:
        raise InputError("robust_table", column="code",
                         value=", ".join(map(str, scores.columns[:5])))
    try:
        table = scores.reindex(columns=framework.indicators).astype(float)
    except (TypeError, ValueError):
        raise InputError("robust_table") from None
    outside = (table < 0) | (table > 100)
    if outside.to_numpy().any():
        pid, code = outside.stack().loc[lambda s: s].index[0]
        raise InputError("score_range", row=str(pid), column=str(code),
                         value=float(table.at[pid, code]))
    table.index = table.index.map(str)
    table.index.name = "province_id"
    treated_values, treatments = _treat_outliers(table)
    treated, _ = normalise(treated_values, pd.Series(1, index=framework.indicators))
    return _run(table, treated, treatments, framework, "scores", draws=draws, seed=seed,
                weight_spread=weight_spread, aggregation=aggregation, outliers=outliers)


def _treat_outliers(values: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """GII outlier treatment of every column; returns the table and what was done where."""
    treated, treatments = values.copy(), {}
    for code in values.columns:
        treated[code], what = treat_outliers(values[code])
        if what:
            treatments[code] = what
    return treated, treatments


def _raw_wide(raw: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    need = ["province_id", "code", "value"]
    if not isinstance(raw, pd.DataFrame) or any(c not in raw.columns for c in need):
        raise InputError("robust_raw")
    known = set(framework.indicators)
    unknown = raw.loc[~raw["code"].isin(known), "code"]
    if len(unknown):
        raise InputError("indicator_code", edition=framework.edition, column="code",
                         value=unknown.iloc[0])
    dup = raw.duplicated(["province_id", "code"])
    if dup.any():
        first = raw[dup].iloc[0]
        raise InputError("robust_duplicate", row=str(first["province_id"]), column="code",
                         value=first["code"])
    try:
        values = (raw.pivot(index="province_id", columns="code", values="value")
                  .reindex(columns=framework.indicators).astype(float))
    except (TypeError, ValueError):
        raise InputError("number", column="value") from None
    return values


def _check_settings(draws: int, weight_spread: float, aggregation: str, outliers: str) -> None:
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
        raise InputError("robust_draws", column="--draws", value=draws)
    if not 0 <= float(weight_spread) < 1:
        raise InputError("robust_spread", column="--spread", value=weight_spread)
    if aggregation not in ("vary", "arithmetic", "geometric"):
        raise InputError("one_of", column="aggregation", value=aggregation,
                         options="vary, arithmetic, geometric")
    if outliers not in ("vary", "off", "on"):
        raise InputError("one_of", column="outliers", value=outliers, options="vary, off, on")


def _run(untreated: pd.DataFrame, treated: pd.DataFrame, treatments: dict[str, str],
         framework: Framework, source: str, *, draws: int, seed: int, weight_spread: float,
         aggregation: str, outliers: str) -> RobustnessResult:
    """Draw the choices, compute every draw's ranks, summarise per province."""
    _check_settings(draws, weight_spread, aggregation, outliers)
    if len(untreated) < 2:
        raise InputError("robust_provinces", column="province_id", value=len(untreated))
    started = time.perf_counter()
    steps = _steps(framework)
    treated = treated.reindex(index=untreated.index, columns=untreated.columns)
    stacked = np.stack([untreated.to_numpy(float), treated.to_numpy(float)])
    available = (~np.isnan(stacked)).astype(float)
    matrices = np.nan_to_num(stacked, nan=0.0)
    n_varied = sum(step.membership.shape[0] for step in steps if step.perturbed)

    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy=seed)))
    factors = rng.uniform(1.0 - weight_spread, 1.0 + weight_spread, size=(draws, n_varied))
    geometric = rng.random(draws) < SHARE_GEOMETRIC
    outliers_treated = rng.random(draws) < SHARE_TREATED
    if aggregation != "vary":
        geometric[:] = aggregation == "geometric"
    if outliers != "vary":
        outliers_treated[:] = outliers == "on"

    official_scores = _pii_scores(matrices, available, steps, np.ones((1, n_varied)),
                                  np.zeros(1, bool), np.zeros(1, bool))
    official_ranks = _ranks(official_scores)[0]
    chunks = [_pii_scores(matrices, available, steps, factors[part], outliers_treated[part],
                          geometric[part])
              for part in (slice(i, i + CHUNK_DRAWS) for i in range(0, draws, CHUNK_DRAWS))]
    draw_scores = np.concatenate(chunks)
    draw_ranks = np.concatenate([_ranks(chunk) for chunk in chunks])

    table = _summarise(list(untreated.index), official_scores[0], official_ranks, draw_ranks)
    settings = RobustnessSettings(draws=int(draws), seed=seed,
                                  weight_spread=float(weight_spread), aggregation=aggregation,
                                  outliers=outliers, source=source, edition=framework.edition)
    LOG.info("rank robustness: %d draws × %d provinces in %.3f s", draws, len(untreated),
             time.perf_counter() - started)
    return RobustnessResult(table=table, settings=settings, draw_ranks=draw_ranks,
                            draw_scores=draw_scores, provinces=list(untreated.index),
                            geometric=geometric, outliers_treated=outliers_treated,
                            treatments=treatments)


def _summarise(provinces: list[str], official_scores: np.ndarray, official_ranks: np.ndarray,
               draw_ranks: np.ndarray) -> pd.DataFrame:
    with warnings.catch_warnings():  # a province unranked in every draw → all-NaN column
        warnings.simplefilter("ignore", RuntimeWarning)
        p05, median, p95 = np.nanpercentile(draw_ranks, [5, 50, 95], axis=0,
                                            method=QUANTILE_METHOD)
        shift = np.nanpercentile(np.abs(draw_ranks - official_ranks[None, :]), 90, axis=0,
                                 method=QUANTILE_METHOD)
    table = pd.DataFrame({
        "province_id": provinces, "official_score": official_scores,
        "official_rank": official_ranks, "median_rank": median, "rank_p05": p05,
        "rank_p95": p95, "rank_shift_p90": shift,
    })
    for col in SUMMARY_COLUMNS[2:]:
        table[col] = pd.array(np.round(table[col].to_numpy()), dtype="Int64")
    return (table.sort_values(["official_rank", "province_id"], na_position="last")
            .reset_index(drop=True)[SUMMARY_COLUMNS])
