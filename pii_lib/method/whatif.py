"""The model behind the what-if simulator of the HTML report: everything the page needs to
recompute the PII, the sub-indices, the pillars, the rank and the gap to the goal for any
indicator scores a reader sets — without Python.

Linearity makes this small (:mod:`.planning`): ``PII = PII₀ + Σ wᵢ·(xᵢ − sᵢ)`` with the effective
weights ``wᵢ``, and a pillar (or sub-index) moves by ``Σ wᵢ·(xᵢ − sᵢ) / w_pillar``. The rank is
:func:`~pii_lib.method.context.rank_interval` re-expressed as one ``[lo, hi]`` score bound per
other province, which does not depend on the subject's score: the best rank of a score ``s``
is ``1 + #(lo > s)`` and the worst ``1 + #(hi > s)``; with a complete column ``lo = hi`` = the
other province's score rounded to 6 decimals and ``s`` is rounded the same way.

:func:`simulator_model` builds the typed model (``to_dict()`` keeps full precision so that the
page computes exactly the analysis's numbers); :func:`evaluate` is the reference of what the
page's JavaScript (``pii_lib/present/assets/whatif.js``) computes from it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from .context import RANK_DECIMALS, EditionContext, other_score_bounds
from .results import ProvinceAnalysis

EPS = 1e-9


def _plain(obj: object) -> object:
    """JSON-ready copy at full precision: NaN → None, tuples → lists."""
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


@dataclass
class SimulatorIndicator:
    """One slider: an indicator with a known score (from the data, or the plan's baseline).

    ``target`` is the plan's target score (None without one); ``national_min``/``max`` and
    ``direction`` convert a score to a raw value where the edition's bounds are known.
    """

    code: str
    score: float
    score_source: str          # data | params
    weight: float
    pillar: str | None
    subindex: str | None
    target: float | None = None
    national_min: float | None = None
    national_max: float | None = None
    direction: int = 1


@dataclass
class SimulatorNode:
    """A pillar or sub-index: today's score (None when unknown) and its weight in the PII."""

    code: str
    score: float | None
    weight: float | None


@dataclass
class RankBounds:
    """What the rank of a PII score needs: one ``[lo, hi]`` bound per other province.

    ``exact`` when every province has a score (then ``lo = hi`` is the score rounded to
    ``RANK_DECIMALS`` and the subject's score is rounded the same way before comparing).
    """

    n: int
    exact: bool
    others: list[list[float]] = field(default_factory=list)
    decimals: int = RANK_DECIMALS
    own_rank: int | None = None
    own_score: float | None = None

    def rank(self, score: float) -> tuple[int, int]:
        """Best and worst rank of ``score`` (equal to :func:`rank_interval`'s)."""
        s = round(score, self.decimals) if self.exact else score
        best = 1 + sum(lo > s for lo, _ in self.others)
        worst = 1 + sum(hi > s for _, hi in self.others)
        if not self.exact and self.own_rank is not None and self.own_score is not None:
            if score >= self.own_score:  # others held fixed: a higher score never ranks worse
                worst = min(worst, self.own_rank)
            if score <= self.own_score:
                best = max(best, self.own_rank)
            best = min(best, worst)
        return best, worst


@dataclass
class SimulatorModel:
    """Everything the simulator recomputes from, for one province and edition.

    Attributes
    ----------
    pii
        Today's PII (None when unknown: the page then shows no PII, rank or gap).
    rank_today
        Today's rank as the report states it (``[rank, rank]`` or the interval), shown while
        every slider is at today's score; None when unknown.
    indicators
        The sliders: the plan's targets first (in the plan's order), then by leverage.
    goal_rank, goal_threshold
        The goal (top ``goal_rank``) and the score of the province at that rank among the
        others (None when unknown).
    cheapest_path
        ``[code, score]`` pairs: the cheapest path to the goal from the analysis.
    """

    province: str
    edition: int
    n: int
    pii: float | None
    rank_today: list[int] | None
    subindices: list[SimulatorNode]
    pillars: list[SimulatorNode]
    indicators: list[SimulatorIndicator]
    rank: RankBounds
    goal_rank: int
    goal_threshold: float | None
    cheapest_path: list[list] = field(default_factory=list)

    @property
    def has_targets(self) -> bool:
        """True when at least one slider has a plan target."""
        return any(i.target is not None for i in self.indicators)

    def to_dict(self) -> dict:
        """JSON-ready dict at full precision (the page must reproduce the analysis exactly)."""
        return _plain(asdict(self))  # type: ignore[return-value]


def rank_bounds(ctx: EditionContext, pid: str, code: str = "PII") -> RankBounds:
    """Per other province the ``[lo, hi]`` bound of its score, as :func:`rank_interval` uses it
    (:func:`other_score_bounds`), and the province's own published rank and score."""
    if ctx.column_complete(code):
        others = ctx.score[code].drop(index=pid).round(RANK_DECIMALS)
        return RankBounds(n=ctx.n, exact=True,
                          others=[[float(s), float(s)] for s in others])
    bounds = [list(b) for b in other_score_bounds(ctx, pid, code)]
    own_rank, own_score = ctx.get("rank", pid, code), ctx.get("score", pid, code)
    return RankBounds(n=ctx.n, exact=False, others=bounds,
                      own_rank=int(own_rank) if own_rank is not None and own_score is not None
                      else None, own_score=own_score if own_rank is not None else None)


def _subindex_of(ctx: EditionContext, code: str) -> str | None:
    fw = ctx.framework
    return next((a for a in fw.ancestors(code) if fw.level_of(a) == "subindex"), None)


def simulator_model(ctx: EditionContext, analysis: ProvinceAnalysis) -> SimulatorModel:
    """The simulator's model for the analysed province (see the module docstring).

    Parameters
    ----------
    ctx
        The edition's context (the analysis's dataset).
    analysis
        The province's analysis: targets, leverage order, goal and today's rank.
    """
    fw, pid = ctx.framework, analysis.province
    rows: dict[str, SimulatorIndicator] = {}

    def add(code: str, score: float | None, source: str, target: float | None) -> None:
        weight = ctx.weight(code)
        if code in rows or score is None or weight is None:
            return
        lo, hi = ctx.bounds_of(code)
        convertible = lo is not None and hi is not None and hi > lo
        rows[code] = SimulatorIndicator(
            code=code, score=score, score_source=source, weight=weight,
            pillar=fw.pillar_of(code), subindex=_subindex_of(ctx, code), target=target,
            national_min=lo if convertible else None, national_max=hi if convertible else None,
            direction=fw.direction(code))

    for t in analysis.targets:
        add(t.code, t.baseline, t.baseline_source or "data", t.target)
    for r in analysis.leverage.rows:
        add(r.code, r.score, "data", None)
    pii = analysis.position.pii
    rank_today = ([int(pii.rank)] * 2 if pii.rank is not None else
                  [int(x) for x in pii.rank_range] if pii.rank_range else None)
    goal = analysis.goal
    return SimulatorModel(
        province=pid, edition=analysis.edition, n=ctx.n, pii=ctx.get("score", pid, "PII"),
        rank_today=rank_today,
        subindices=[SimulatorNode(c, ctx.get("score", pid, c), ctx.weight(c))
                    for c in fw.codes("subindex")],
        pillars=[SimulatorNode(c, ctx.get("score", pid, c), ctx.weight(c))
                 for c in fw.codes("pillar")],
        indicators=list(rows.values()), rank=rank_bounds(ctx, pid, "PII"),
        goal_rank=goal.rank, goal_threshold=goal.threshold_score,
        cheapest_path=[[p.code, p.end] for p in goal.cheapest_path if p.code in rows])


def _node(node: SimulatorNode, deltas: list[tuple[float, float]]) -> float | None:
    """A node's simulated score: today + Σ Δ·w / w_node (None when it cannot be told)."""
    if not deltas:
        return node.score
    if node.score is None or not node.weight:
        return None
    value = 0.0
    for delta, weight in deltas:
        value += delta * weight / node.weight
    return node.score + value


def evaluate(model: SimulatorModel, values: dict[str, float]) -> dict:
    """What the page shows for slider ``values`` (code → score; others stay at today's).

    Returns
    -------
    dict
        ``pii`` (None when unknown), ``subindices`` and ``pillars`` (code → score or None),
        ``rank`` (``[best, worst]`` or None), ``gap`` (threshold − PII; None when unknown).
    """
    changed = [(values[i.code] - i.score, i) for i in model.indicators
               if i.code in values and values[i.code] != i.score]
    pii = None
    if model.pii is not None:
        delta = 0.0
        for d, i in changed:
            delta += i.weight * d
        pii = model.pii + delta
    if not changed:
        rank = model.rank_today if pii is not None else None
    else:
        rank = list(model.rank.rank(pii)) if pii is not None else None

    def nodes(items: list[SimulatorNode], key: str) -> dict[str, float | None]:
        return {n.code: _node(n, [(d, i.weight) for d, i in changed if getattr(i, key) == n.code])
                for n in items}

    return {"pii": pii, "subindices": nodes(model.subindices, "subindex"),
            "pillars": nodes(model.pillars, "pillar"), "rank": rank,
            "gap": None if pii is None or model.goal_threshold is None
            else model.goal_threshold - pii}
