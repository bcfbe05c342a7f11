"""Analysis of one province and edition: the facade over the section modules.

:func:`analyse_province` runs, on datasets it is given (it reads no file), every section —
position (:mod:`.standing`), strengths and weaknesses (:mod:`.strengths`), leverage, targets,
projection and the path to the goal (:mod:`.planning`), peers and trend — and returns a typed
:class:`~pii_lib.method.results.ProvinceAnalysis`. :func:`analysis_json` gives the stable JSON
contract of ``pii analyze --json``.

Sparse data is the normal case: every section returns what it can and records, as
:class:`~pii_lib.method.results.Missing`, what it could not compute and why — it never makes a
figure up.
"""

from __future__ import annotations

from ..data.layers import Dataset
from ..errors import InputError
from ..model.params import Params
from .context import edition_context
from .planning import goal_path, leverage, projection, targets
from .results import ProvinceAnalysis, rounded
from .standing import peers, position, trend
from .strengths import strengths_weaknesses


def analyse_province(dataset: Dataset, province_id: str, params: Params | None = None,
                     history: dict[int, Dataset] | None = None) -> ProvinceAnalysis:
    """Run every section of the analysis for one province.

    Parameters
    ----------
    dataset
        Scores of the edition (published, demo or imported layers).
    province_id
        Province id of that edition.
    params
        The province's plan inputs (goal, targets, owners), if any.
    history
        The same data stack for other editions (for the trend); none when omitted.
    """
    ctx = edition_context(dataset)
    if province_id not in ctx.provinces.index:
        raise InputError("province_of_edition", column="province", value=province_id,
                         edition=dataset.edition)
    if params is not None and params.province != province_id:
        raise InputError("params_province", file=params.source_file, row="province",
                         value=params.province, province=province_id)
    region_id = str(ctx.provinces.at[province_id, "region_id"])
    missing = []
    pos, miss = position(ctx, province_id, region_id)
    missing += miss
    sw, miss = strengths_weaknesses(ctx, province_id, params)
    missing += miss
    lev, miss = leverage(ctx, province_id)
    missing += miss
    target_rows, flags, miss = targets(ctx, province_id, params)
    missing += miss
    proj, miss = projection(ctx, province_id, target_rows, params)
    missing += miss
    goal, miss = goal_path(ctx, province_id, params, lev.rows)
    missing += miss
    peer, miss = peers(ctx, province_id, region_id)
    missing += miss
    return ProvinceAnalysis(
        province=province_id, name=ctx.name(province_id), region_id=region_id,
        edition=dataset.edition, data_source=dataset.kind, position=pos, strengths=sw,
        leverage=lev, targets=target_rows, projection=proj, goal=goal, peers=peer,
        trend=trend(ctx, province_id, history or {}), flags=flags, missing=missing,
        conflicts=[c for c in dataset.conflicts if c.province == province_id])


def _pick(row: dict, keys: tuple) -> dict:
    return {k: row.get(k) for k in keys}


def analysis_json(analysis: ProvinceAnalysis) -> dict:
    """The JSON contract of ``pii analyze --json`` (stable keys; see the README)."""
    a = analysis
    pos = rounded(a.position)
    pii = pos["pii"]
    finding = ("code", "rule", "score", "rank", "level", "name", "source")
    return rounded({
        "province": a.province, "name": a.name, "region": a.region_id, "edition": a.edition,
        "data_source": a.data_source,
        "pii": {**_pick(pii, ("score", "rank", "rank_range", "median", "top10_threshold",
                              "region_average")), "n": pos["n"]},
        "subindices": [_pick(r, ("code", "score", "rank")) for r in pos["subindices"]],
        "pillars": [_pick(r, ("code", "score", "rank", "rank_range", "median",
                              "top10_threshold", "region_average")) for r in pos["pillars"]],
        "subpillars": [_pick(r, ("code", "score", "rank")) for r in pos["subpillars"]],
        "strengths": [_pick(f, finding) for f in rounded(a.strengths.strengths)],
        "weaknesses": [_pick(f, finding) for f in rounded(a.strengths.weaknesses)],
        "strength_rules": a.strengths.rules,
        "coverage": a.strengths.coverage.to_dict(),
        "leverage": [{**r.to_dict(), "pii_per_point": r.pii_per_point} for r in a.leverage.rows],
        "framework": {"complete": a.leverage.framework_complete,
                      "indicators_weighted": a.leverage.indicators_weighted,
                      "indicators_expected": a.leverage.indicators_expected},
        "targets": [_pick(t, ("code", "baseline", "target", "gap", "raw_baseline", "raw_target",
                              "unit", "pii_gain", "lead", "partners", "timeline",
                              "below_baseline")) for t in rounded(a.targets)],
        "projection": a.projection.to_dict(),
        "goal": {**a.goal.to_dict(), "cheapest_path": [
            {"code": p.code, "from": p.start, "to": p.end, "raise_by": p.raise_by,
             "pii_gain": p.pii_gain} for p in a.goal.cheapest_path]},
        "peers": a.peers.to_dict(),
        "trend": a.trend.to_dict(),
        "flags": [f.to_dict() for f in a.flags],
        "missing": [m.to_dict() for m in a.missing],
        "conflicts": [c.to_dict() for c in a.conflicts],
    })
