"""Typed, language-free results of the analysis of one province (one dataclass per section).

The analysis layer states facts: numbers, codes and the arguments that explain them. It writes
no sentence. A missing figure is a :class:`Missing` (section, item code, reason code, arguments,
supply-hint code); a rule, an assumption, a caveat or a warning is a :class:`Note` (code and
arguments). The presentation layer (:mod:`pii_lib.present`) words them from the wording
catalogue of the report's language.

Every dataclass has ``to_dict()`` for JSON (numbers rounded to 2 decimals as MOST publishes them,
``None`` where unknown); :func:`pii_lib.method.analysis.analysis_json` builds the stable JSON
contract of ``pii analyze --json`` from them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, is_dataclass

import numpy as np


def rounded(obj: object, decimals: int = 2) -> object:
    """JSON-ready copy: floats rounded, NaN → None, numpy scalars → Python, tuples → lists."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return rounded(asdict(obj), decimals)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return None if math.isnan(value) or math.isinf(value) else round(value, decimals)
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, dict):
        return {str(k): rounded(v, decimals) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [rounded(v, decimals) for v in obj]
    return obj


class _Result:
    """Mixin: ``to_dict()`` for JSON."""

    def to_dict(self) -> dict:
        """JSON-ready dict (see :func:`rounded`)."""
        return rounded(self)  # type: ignore[return-value]


@dataclass(frozen=True)
class Note(_Result):
    """A rule, assumption, caveat or warning: a catalogue code and its arguments."""

    code: str
    args: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Missing(_Result):
    """Something the analysis could not compute.

    Attributes
    ----------
    section
        Report section (``position``, ``strengths``, ``leverage``, ``targets``, ``projection``,
        ``goal``, ``peers``, ``trend``).
    item
        What is missing (code, e.g. ``national_median``).
    reason
        Why (code, e.g. ``scores_incomplete``), worded with ``args``.
    args
        Arguments of the reason (counts, edition, rank …).
    how
        How to supply it (code of a supply hint, e.g. ``import_profile``).
    """

    section: str
    item: str
    reason: str
    args: dict = field(default_factory=dict)
    how: str = "import_profile"


@dataclass
class Standing(_Result):
    """Score and rank of one node (PII, sub-index, pillar, sub-pillar) with its benchmarks.

    ``rank_range`` is ``[best, worst]`` when the rank follows only as an interval from what is
    known of other provinces; with a published or exact rank both ends are equal.
    """

    code: str
    level: str
    score: float | None = None
    rank: int | None = None
    rank_range: list[int] | None = None
    median: float | None = None
    top10_threshold: float | None = None
    region_average: float | None = None
    region_average_source: str = ""
    basis: str = ""

    def gap_to(self, benchmark: str) -> float | None:
        """Score minus a benchmark (``median``, ``top10_threshold``, ``region_average``)."""
        other = getattr(self, benchmark)
        return None if self.score is None or other is None else self.score - other


@dataclass
class Position(_Result):
    """Where the province stands: PII, sub-indices, pillars and sub-pillars."""

    n: int
    pii: Standing
    subindices: list[Standing] = field(default_factory=list)
    pillars: list[Standing] = field(default_factory=list)
    subpillars: list[Standing] = field(default_factory=list)
    provinces_with_score: int = 0


@dataclass
class Finding(_Result):
    """One strength or weakness, with the rule that found it and its source."""

    kind: str              # strength | weakness
    code: str | None       # None when a published item names no code of the framework
    level: str
    rule: str              # most | gii | rank_quartile | plan | published | extreme
    score: float | None = None
    rank: int | None = None
    name: str = ""         # the source's wording when the item has no code
    source: str = ""
    quote: str = ""


@dataclass
class Coverage(_Result):
    """How complete the province's picture is, level by level (known / expected)."""

    pillar_scores: int = 0
    pillar_ranks: int = 0
    pillars: int = 7
    subpillar_ranks: int = 0
    subpillars: int = 0
    indicator_scores: int = 0
    indicator_ranks: int = 0
    indicators: int = 52


@dataclass
class StrengthsWeaknesses(_Result):
    """Strengths and weaknesses by every rule the data allow, and how complete the picture is."""

    strengths: list[Finding] = field(default_factory=list)
    weaknesses: list[Finding] = field(default_factory=list)
    rules: dict[str, dict] = field(default_factory=dict)
    coverage: Coverage = field(default_factory=Coverage)


@dataclass
class LeverageRow(_Result):
    """An indicator's effective weight in the PII and the PII points it can still add."""

    code: str
    pillar: str | None
    effective_weight: float | None
    score: float | None
    headroom: float | None
    max_gain: float | None

    @property
    def pii_per_point(self) -> float | None:
        """PII points per indicator-score point (= the effective weight)."""
        return self.effective_weight


@dataclass
class Leverage(_Result):
    """Leverage of every indicator, and how much of the framework is known."""

    rows: list[LeverageRow] = field(default_factory=list)
    framework_complete: bool = True
    indicators_weighted: int = 0
    indicators_expected: int = 0


@dataclass
class TargetRow(_Result):
    """One indicator target of the plan: gap in score and raw units, owners, PII gain."""

    code: str
    baseline: float | None
    baseline_source: str | None
    target: float | None
    target_kind: str
    gap: float | None
    raw_baseline: float | None
    raw_target: float | None
    raw_gap: float | None
    unit: str
    national_min: float | None
    national_max: float | None
    effective_weight: float | None
    pii_gain: float | None
    lead: str | None
    partners: list[str]
    timeline: str | None
    below_baseline: bool


@dataclass
class PillarChange(_Result):
    """A pillar's score now and if the targets are met."""

    code: str
    baseline: float | None
    delta: float
    projected: float | None


@dataclass
class PillarGoalStatus(_Result):
    """A pillar goal of the plan checked against current and projected scores and ranks.

    ``status_now`` / ``status_projected``: ``met``, ``not_met`` or ``unknown``.
    """

    code: str
    kind: str
    score_min: float | None
    rank_max: int | None
    score: float | None
    rank: int | None
    rank_range: list[int] | None
    projected_score: float | None
    status_now: str
    status_projected: str
    text: str = ""


@dataclass
class Projection(_Result):
    """The PII, rank and pillars if every target is met (other provinces held fixed)."""

    pii: float | None = None
    rank: int | None = None
    rank_range: list[int] | None = None
    delta: float | None = None
    pillars: list[PillarChange] = field(default_factory=list)
    assumptions: list[Note] = field(default_factory=list)
    complete: bool = True
    pillar_goals: list[PillarGoalStatus] = field(default_factory=list)


@dataclass
class PathStep(_Result):
    """Raise one indicator from → to on the cheapest path to the goal."""

    code: str
    start: float
    end: float
    raise_by: float
    pii_gain: float


@dataclass
class SingleIndicator(_Result):
    """The score gain one indicator alone would need to close the gap."""

    code: str
    score_gain_needed: float
    headroom: float | None
    feasible: bool | None


@dataclass
class GoalPath(_Result):
    """Points needed for the goal rank, or the margin when it is already reached.

    ``status``: ``reached`` (rank ≤ goal), ``gap`` (points needed known), ``unknown``.
    ``margin`` is the lead over the score of rank goal+1 (``margin_basis = "next_rank"``) or,
    where that is unknown, at least the lead over rank goal's score (``"goal_rank"``).
    """

    rank: int
    source: str
    status: str = "unknown"
    threshold_score: float | None = None
    current_score: float | None = None
    current_rank: int | None = None
    points_needed: float | None = None
    margin: float | None = None
    margin_basis: str = ""
    single_indicator: list[SingleIndicator] = field(default_factory=list)
    cheapest_path: list[PathStep] = field(default_factory=list)
    cheapest_total_points: float | None = None
    closes_gap: bool | None = None
    lower_bound_points: float | None = None


@dataclass
class PeerRow(_Result):
    """One peer province at pillar level."""

    province: str
    region: str
    pii: float | None
    rank: int | None
    pillars: dict[str, float | None]
    is_subject: bool


@dataclass
class Peers(_Result):
    """Provinces of the same region and neighbours in rank."""

    region: list[PeerRow] = field(default_factory=list)
    neighbours: list[PeerRow] = field(default_factory=list)


@dataclass
class TrendRow(_Result):
    """The PII of the province (or a predecessor/successor) in one edition."""

    edition: int
    province: str
    relation: str          # same | predecessor | successor
    score: float | None
    rank: int | None
    n: int


@dataclass
class Trend(_Result):
    """PII across editions, with comparability caveats (codes)."""

    rows: list[TrendRow] = field(default_factory=list)
    caveats: list[Note] = field(default_factory=list)


@dataclass
class Conflict(_Result):
    """A figure on which two data layers disagree by more than rounding."""

    province: str
    code: str
    column: str
    kept: float
    kept_source: str
    other: float
    other_source: str


@dataclass
class RankingRow(_Result):
    """One province in the national ranking."""

    province: str
    region: str
    score: float | None
    rank: int | None


@dataclass
class RegionRow(_Result):
    """Average PII of a region and where it comes from (``computed`` or a URL)."""

    region: str
    average: float | None
    source: str


@dataclass
class NationalOverview(_Result):
    """The national picture of one edition."""

    edition: int
    n: int
    ranking: list[RankingRow] = field(default_factory=list)
    regions: list[RegionRow] = field(default_factory=list)
    n_known: int = 0
    quartiles: dict[str, float] = field(default_factory=dict)
    leaders: dict[str, list[str]] = field(default_factory=dict)
    movers: list[dict] = field(default_factory=list)


@dataclass
class ProvinceAnalysis(_Result):
    """Everything the analysis found for one province and edition."""

    province: str
    name: str
    region_id: str
    edition: int
    data_source: str
    position: Position
    strengths: StrengthsWeaknesses
    leverage: Leverage
    targets: list[TargetRow]
    projection: Projection
    goal: GoalPath
    peers: Peers
    trend: Trend
    flags: list[Note] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def missing_in(self, section: str) -> list[Missing]:
        """The missing items of one section."""
        return [m for m in self.missing if m.section == section]


def field_names(cls: type) -> list[str]:
    """Names of a dataclass's fields (for the JSON contract)."""
    return [f.name for f in fields(cls)]
