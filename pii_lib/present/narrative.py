"""Generated sentences of the reports, built from analysis results through the catalogue.

Every sentence is a catalogue template filled with numbers the analysis computed; nothing here
computes a figure or holds a word of any language.
"""

from __future__ import annotations

from ..method.results import Finding, GoalPath, Missing, Note, ProvinceAnalysis
from .wording import Wording


def rank_text(w: Wording, rank: int | None, rank_range: list[int] | None, n: int) -> str:
    """``11/63``; ``12–16/63`` when only an interval is known; ``—`` when nothing is known or
    the interval says nothing (1–N)."""
    if rank is not None:
        return w("rank.exact", rank=int(rank), n=n)
    if rank_range and not (rank_range[0] <= 1 and rank_range[1] >= n):
        if rank_range[0] == rank_range[1]:
            return w("rank.exact", rank=rank_range[0], n=n)
        return w("rank.interval", best=rank_range[0], worst=rank_range[1], n=n)
    return w("rank.unknown")


def note(w: Wording, item: Note) -> str:
    """A rule, assumption, caveat or flag in words."""
    return w(f"note.{item.code}", **item.args)


def missing_line(w: Wording, item: Missing) -> str:
    """``What: why`` for a missing item."""
    what = w(f"missing.item.{item.item}", **item.args)
    return w("missing.line", what=what, why=w(f"missing.reason.{item.reason}", **item.args))


def supply_hint(w: Wording, item: Missing) -> str:
    """How to supply a missing item, in words."""
    return w(f"missing.how.{item.how}")


def position_sentence(w: Wording, a: ProvinceAnalysis) -> str:
    """Where the province stands in one sentence."""
    pii, n = a.position.pii, a.position.n
    if pii.score is not None:
        return w("summary.position", name=a.name, edition=a.edition, score=pii.score,
                 rank=rank_text(w, pii.rank, pii.rank_range, n))
    if pii.rank is not None:
        return w("summary.rank_only", name=a.name, edition=a.edition,
                 rank=rank_text(w, pii.rank, None, n))
    return w("summary.no_score", name=a.name, edition=a.edition)


def goal_sentence(w: Wording, goal: GoalPath, n: int) -> str:
    """Points needed for the goal (and the cheapest way), or the margin when it is reached."""
    if goal.status == "reached":
        if goal.margin is None:
            return w("goal.reached", rank=goal.rank)
        key = "goal.reached_margin" if goal.margin_basis == "next_rank" else \
            "goal.reached_margin_at_least"
        return w(key, rank=goal.rank, margin=goal.margin, next=goal.rank + 1)
    if goal.status != "gap":
        return ""
    text = w("goal.gap", rank=goal.rank, points=goal.points_needed,
             threshold=goal.threshold_score)
    if goal.cheapest_path and goal.closes_gap:
        steps = [w("goal.step", code=p.code, raise_by=p.raise_by) for p in goal.cheapest_path[:4]]
        more = w("goal.more") if len(goal.cheapest_path) > 4 else ""
        text += " " + w("goal.cheapest", total=goal.cheapest_total_points,
                        steps=", ".join(steps) + more)
    elif goal.lower_bound_points is not None:
        text += " " + w("goal.lower_bound", points=goal.lower_bound_points)
    return text


def projection_sentence(w: Wording, a: ProvinceAnalysis) -> str:
    """What meeting every target would do to the PII and the rank."""
    proj = a.projection
    if proj.pii is None or not a.targets:
        return ""
    return w("summary.projection", k=len(a.targets), delta=proj.delta, pii=proj.pii,
             rank=rank_text(w, proj.rank, proj.rank_range, a.position.n))


def summary_paragraph(w: Wording, a: ProvinceAnalysis) -> str:
    """Key-figures summary: position, goal gap or margin, projection if targets are met."""
    parts = [position_sentence(w, a), goal_sentence(w, a.goal, a.position.n),
             projection_sentence(w, a)]
    return " ".join(p for p in parts if p)


def coverage_sentence(w: Wording, a: ProvinceAnalysis) -> str:
    """How complete the picture of the province is."""
    c = a.strengths.coverage
    return w("strengths.coverage", pillars=c.pillar_scores, pillar_ranks=c.pillar_ranks,
             n_pillars=c.pillars, indicator_scores=c.indicator_scores,
             indicator_ranks=c.indicator_ranks, n_indicators=c.indicators)


def finding_name(w: Wording, finding: Finding, name_of) -> str:
    """The name of a finding's item: the framework's name, or the source's own words."""
    if finding.code is not None:
        return name_of(finding.code)
    return w("strengths.named_item", name=finding.name)
