"""Rank robustness of an edition's dataset, computed once per dataset for the reports.

The reports (the national overview's section and each province report's sentence) need the
Monte Carlo of :mod:`.robustness` only where every province's indicator scores are known —
demonstration data or an imported national table. :func:`edition_robustness` checks that,
runs the analysis once per dataset object (about 0.1 s for 1,000 draws) and remembers it, so a
warm kernel that renders many provinces of one edition computes it once.
"""

from __future__ import annotations

from ..data.layers import Dataset
from .robustness import RobustnessResult, has_complete_scores, rank_robustness_from_scores

DRAWS = 1000
SEED = 20231
WEIGHT_SPREAD = 0.25

_RESULTS: dict[tuple, tuple[Dataset, RobustnessResult | None]] = {}


def robustness_possible(dataset: Dataset) -> bool:
    """True when the framework is complete and every province has (nearly) all its scores."""
    if not dataset.framework.complete:
        return False
    scores = dataset.wide("score").reindex(columns=dataset.framework.indicators)
    return has_complete_scores(scores, dataset.n_provinces)


def edition_robustness(dataset: Dataset, draws: int = DRAWS, seed: int = SEED,
                       weight_spread: float = WEIGHT_SPREAD) -> RobustnessResult | None:
    """The rank robustness of a dataset's edition, or None where its data are incomplete.

    Cached per dataset object and settings (the same dataset gives the same result).
    """
    key = (id(dataset), draws, seed, weight_spread)
    hit = _RESULTS.get(key)
    if hit is not None and hit[0] is dataset:
        return hit[1]
    result = None
    if robustness_possible(dataset):
        scores = dataset.wide("score").reindex(columns=dataset.framework.indicators)
        result = rank_robustness_from_scores(scores, dataset.framework, draws=draws, seed=seed,
                                             weight_spread=weight_spread)
    if len(_RESULTS) > 8:
        _RESULTS.clear()
    _RESULTS[key] = (dataset, result)
    return result
