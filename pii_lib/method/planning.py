"""What a plan can change: leverage, targets and gaps, the projection if they are met, pillar
goals, and the cheapest path to the goal rank.

Everything rests on the linearity of the index: ``ΔPII = Σ wᵢ·Δscoreᵢ`` with each indicator's
effective weight ``wᵢ`` from the framework, exact while the national min and max of every
indicator are unchanged — so a province's own scores are enough to project its PII.
"""

from __future__ import annotations

from ..model.params import Params, flags
from ..method.scoring import raw_to_score, score_to_raw
from .context import EditionContext, rank_interval, score_at_rank
from .results import (GoalPath, Leverage, LeverageRow, Missing, Note, PathStep, PillarChange,
                      PillarGoalStatus, Projection, SingleIndicator, TargetRow)

DEFAULT_GOAL_RANK = 10
EPS = 1e-9


def leverage(ctx: EditionContext, pid: str) -> tuple[Leverage, list[Missing]]:
    """Per indicator: effective weight, headroom and the PII points it can still add."""
    fw = ctx.framework
    rows = []
    for code in fw.indicators:
        score, w = ctx.get("score", pid, code), ctx.weight(code)
        headroom = None if score is None else 100.0 - score
        rows.append(LeverageRow(code=code, pillar=fw.pillar_of(code), effective_weight=w,
                                score=score, headroom=headroom,
                                max_gain=None if headroom is None or w is None else w * headroom))
    rows.sort(key=lambda r: (-(r.max_gain if r.max_gain is not None else -1),
                             -(r.effective_weight or 0)))
    result = Leverage(rows=rows, framework_complete=fw.complete,
                      indicators_weighted=fw.indicators_weighted(),
                      indicators_expected=fw.expected_count("indicator"))
    missing = []
    unknown = sum(r.headroom is None for r in rows)
    if unknown:
        missing.append(Missing("leverage", "headroom", "scores_unknown",
                               {"unknown": unknown, "n": len(rows)}))
    if not fw.complete:
        missing.append(Missing("leverage", "weights", "framework_partial",
                               {"have": result.indicators_weighted,
                                "n": result.indicators_expected, "edition": ctx.edition},
                               "import_framework"))
    return result, missing


def _target_row(ctx: EditionContext, pid: str, target) -> TargetRow:
    fw = ctx.framework
    data_score = ctx.get("score", pid, target.code)
    baseline = data_score if data_score is not None else target.baseline
    lo, hi = ctx.bounds_of(target.code)
    direction = fw.direction(target.code)
    have_bounds = lo is not None and hi is not None and hi > lo
    if target.target_kind == "score":
        target_score = target.target
        raw_target = score_to_raw(target.target, lo, hi, direction) if have_bounds else None
    else:
        raw_target = target.target
        target_score = (min(100.0, max(0.0, raw_to_score(target.target, lo, hi, direction)))
                        if have_bounds else None)
    raw_baseline = ctx.get("value", pid, target.code)
    if raw_baseline is None and have_bounds and baseline is not None:
        raw_baseline = score_to_raw(baseline, lo, hi, direction)
    gap = None if baseline is None or target_score is None else target_score - baseline
    w = ctx.weight(target.code)
    return TargetRow(
        code=target.code, baseline=baseline,
        baseline_source="data" if data_score is not None else (
            "params" if target.baseline is not None else None),
        target=target_score, target_kind=target.target_kind, gap=gap,
        raw_baseline=raw_baseline, raw_target=raw_target,
        raw_gap=(raw_target - raw_baseline) if raw_target is not None and
        raw_baseline is not None else None,
        unit=fw.unit(target.code), national_min=lo, national_max=hi, effective_weight=w,
        pii_gain=None if gap is None or w is None else w * gap, lead=target.lead,
        partners=list(target.partners), timeline=target.timeline,
        below_baseline=gap is not None and gap < 0)


def targets(ctx: EditionContext, pid: str, params: Params | None
            ) -> tuple[list[TargetRow], list[Note], list[Missing]]:
    """Each target's gap in score and raw units, owners and PII gain; flags; what is missing."""
    if params is None or not params.targets:
        reason = "no_params" if params is None else "no_targets"
        return [], [], [Missing("targets", "targets", reason, {}, "params_targets")]
    rows = [_target_row(ctx, pid, t) for t in params.targets]
    missing = [Missing("targets", "gap", "baseline_unknown" if r.baseline is None else
                       "raw_not_convertible", {"code": r.code})
               for r in rows if r.gap is None]
    no_bounds = [r.code for r in rows if r.national_min is None or r.national_max is None]
    if no_bounds:
        missing.append(Missing("targets", "raw_units", "bounds_unknown",
                               {"edition": ctx.edition, "n": len(no_bounds),
                                "codes": ", ".join(no_bounds)}))
    return rows, flags(params), missing


def _goal_status(value: float | None, ok) -> str:
    return "unknown" if value is None else ("met" if ok(value) else "not_met")


def pillar_goals(ctx: EditionContext, pid: str, params: Params | None,
                 changes: dict[str, PillarChange]) -> list[PillarGoalStatus]:
    """Each pillar goal of the plan checked now and if the targets are met."""
    out = []
    for goal in (params.pillar_goals if params else []):
        score, rank = ctx.get("score", pid, goal.code), ctx.get("rank", pid, goal.code)
        rank_range = None
        if rank is None and score is not None:
            rank_range = list(rank_interval(ctx, pid, goal.code, score))
        change = changes.get(goal.code)
        projected = score if change is None else change.projected
        checks_now, checks_then = [], []
        if goal.score_min is not None:
            checks_now.append(_goal_status(score, lambda s: s >= goal.score_min - EPS))
            checks_then.append(_goal_status(projected, lambda s: s >= goal.score_min - EPS))
        if goal.rank_max is not None:
            worst = rank if rank is not None else (rank_range[1] if rank_range else None)
            best = rank if rank is not None else (rank_range[0] if rank_range else None)
            if worst is not None and worst <= goal.rank_max:
                checks_now.append("met")
            elif best is not None and best > goal.rank_max:
                checks_now.append("not_met")
            else:
                checks_now.append("unknown")
            checks_then.append("unknown")  # other provinces' pillar scores may move too

        def combine(checks: list[str]) -> str:
            if "not_met" in checks:
                return "not_met"
            return "met" if checks and all(c == "met" for c in checks) else "unknown"

        out.append(PillarGoalStatus(
            code=goal.code, kind=goal.kind, score_min=goal.score_min, rank_max=goal.rank_max,
            score=score, rank=int(rank) if rank is not None else None, rank_range=rank_range,
            projected_score=projected, status_now=combine(checks_now),
            status_projected=combine([c for c in checks_then if c != "unknown"] or ["unknown"])
            if goal.score_min is not None else "unknown", text=goal.text or ""))
    return out


def projection(ctx: EditionContext, pid: str, rows: list[TargetRow], params: Params | None
               ) -> tuple[Projection, list[Missing]]:
    """The PII, rank and pillars if every target is met (other provinces held fixed)."""
    fw = ctx.framework
    changes: dict[str, PillarChange] = {}
    for pillar in fw.codes("pillar"):
        pillar_w = ctx.weight(pillar)
        delta = sum(r.gap * r.effective_weight / pillar_w for r in rows
                    if r.gap is not None and r.effective_weight is not None and pillar_w
                    and fw.pillar_of(r.code) == pillar)
        if delta:
            base = ctx.get("score", pid, pillar)
            changes[pillar] = PillarChange(code=pillar, baseline=base, delta=delta,
                                           projected=None if base is None else base + delta)
    result = Projection(pillars=list(changes.values()),
                        pillar_goals=pillar_goals(ctx, pid, params, changes))
    if not rows:
        return result, []
    counted = [r for r in rows if r.pii_gain is not None]
    result.delta = sum(r.pii_gain for r in counted)
    result.complete = len(counted) == len(rows)
    result.assumptions = [Note("projection.others_fixed", {"edition": ctx.edition}),
                          Note("projection.bounds_fixed"), Note("projection.only_targets")]
    if not result.complete:
        result.assumptions.append(Note("projection.unknown_gaps_left_out"))
    current = ctx.get("score", pid, "PII")
    if current is None:
        return result, [Missing("projection", "projected_pii", "pii_unknown")]
    result.pii = current + result.delta
    best, worst = rank_interval(ctx, pid, "PII", result.pii)
    result.rank_range = [best, worst]
    result.rank = best if best == worst else None
    missing = []
    if best != worst:
        missing.append(Missing("projection", "exact_rank", "rank_interval",
                               {"best": best, "worst": worst}, "import_national"))
    return result, missing


def _margin(ctx: EditionContext, pid: str, goal_rank: int, current: float
            ) -> tuple[float | None, str]:
    nxt = score_at_rank(ctx, "PII", goal_rank, exclude=pid)  # others' rank N = overall N + 1
    if nxt is not None:
        return current - nxt, "next_rank"
    at_goal = score_at_rank(ctx, "PII", goal_rank)
    if at_goal is not None and current - at_goal > EPS:
        return current - at_goal, "goal_rank"
    return None, ""


def goal_path(ctx: EditionContext, pid: str, params: Params | None, rows: list[LeverageRow]
              ) -> tuple[GoalPath, list[Missing]]:
    """Points of PII needed for the goal rank and the cheapest indicators to get them, or the
    margin when the goal is already reached.

    Parameters
    ----------
    rows
        The leverage rows of the province (effective weights and headroom).
    """
    goal_rank = params.goal.rank if params is not None and params.goal else DEFAULT_GOAL_RANK
    current = ctx.get("score", pid, "PII")
    rank = ctx.get("rank", pid, "PII")
    if rank is None and current is not None:
        best, worst = rank_interval(ctx, pid, "PII", current)
        rank = best if best == worst else None
    threshold = score_at_rank(ctx, "PII", goal_rank, exclude=pid)
    goal = GoalPath(rank=goal_rank, source="params" if params and params.goal else "default",
                    threshold_score=threshold, current_score=current,
                    current_rank=int(rank) if rank is not None else None)
    if current is None:
        return goal, [Missing("goal", "points_needed", "pii_unknown", {"rank": goal_rank})]
    if (rank is not None and rank <= goal_rank) or (threshold is not None and
                                                    current >= threshold - EPS):
        goal.status, goal.points_needed = "reached", 0.0
        goal.margin, goal.margin_basis = _margin(ctx, pid, goal_rank, current)
        return goal, []
    if threshold is None:
        return goal, [Missing("goal", "points_needed", "threshold_unknown",
                              {"rank": goal_rank, "edition": ctx.edition}, "import_national")]
    goal.status = "gap"
    needed = threshold - current
    goal.points_needed = needed
    return goal, _paths(goal, needed, rows, ctx.framework.complete)


def _paths(goal: GoalPath, needed: float, rows: list[LeverageRow], complete: bool
           ) -> list[Missing]:
    weighted = [r for r in rows if r.effective_weight]
    for r in sorted(weighted, key=lambda r: -r.effective_weight):
        gain = needed / r.effective_weight
        goal.single_indicator.append(SingleIndicator(
            code=r.code, score_gain_needed=gain, headroom=r.headroom,
            feasible=None if r.headroom is None else gain <= r.headroom + EPS))
    missing = []
    if complete:  # lower bound: spend on the heaviest indicators assuming full headroom
        remaining, points = needed, 0.0
        for w in sorted((r.effective_weight for r in weighted), reverse=True):
            take = min(100.0, remaining / w)
            points += take
            remaining -= take * w
            if remaining <= 1e-12:
                break
        goal.lower_bound_points = points
    known = [r for r in weighted if r.headroom is not None and r.headroom > 0]
    if not known:
        if goal.lower_bound_points is None:
            missing.append(Missing("goal", "cheapest_path", "headroom_unknown_partial"))
        else:
            missing.append(Missing("goal", "cheapest_path", "headroom_unknown",
                                   {"points": goal.lower_bound_points}))
        return missing
    # fractional knapsack: raising the heaviest indicators first needs the fewest score points
    known.sort(key=lambda r: (-r.effective_weight, -(r.max_gain or 0)))
    remaining, total = needed, 0.0
    for r in known:
        if remaining <= 1e-12:
            break
        raise_by = min(r.headroom, remaining / r.effective_weight)
        gain = raise_by * r.effective_weight
        goal.cheapest_path.append(PathStep(code=r.code, start=r.score, end=r.score + raise_by,
                                           raise_by=raise_by, pii_gain=gain))
        remaining -= gain
        total += raise_by
    goal.cheapest_total_points = total
    goal.closes_gap = remaining <= EPS
    if not goal.closes_gap:
        missing.append(Missing("goal", "path_closes", "headroom_short",
                               {"short": remaining,
                                "unknown": sum(r.headroom is None for r in rows)}))
    return missing
