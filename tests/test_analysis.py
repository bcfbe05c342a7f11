"""Analysis rules with hand-checked cases, and the real plans' figures on published data."""

import json
import math

import pandas as pd
import pytest

from conftest import ROOT
from pii_lib.data.layers import load_dataset, load_history
from pii_lib.method.analysis import analyse_province, analysis_json
from pii_lib.method.context import edition_context, rank_interval
from pii_lib.method.standing import national
from pii_lib.method.strengths import gii_rule, most_rule, quartile_rule
from pii_lib.model.params import load_params
from pii_lib.model.provinces import province_ids


def _analyse(pid, edition=2023, params=None, data="published"):
    ds = load_dataset(data, edition)
    p = load_params(ROOT / "params" / params) if params else None
    return analyse_province(ds, pid, p, load_history(data, edition))


def test_most_rule_takes_five_and_keeps_ties():
    ranks = pd.Series({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 5, "g": 30, "h": 40,
                       "i": 50, "j": 60, "k": 61, "l": 62})
    scores = pd.Series(range(12), index=ranks.index, dtype=float)
    best, worst = most_rule(ranks, scores)
    assert set(best) == set("abcdef") and len(best) == 6  # e and f tie on rank 5: both shown
    assert worst == ["l", "k", "j", "i", "h"]


def test_gii_rule_cutoffs_ties_and_top3_override():
    n = 63
    ranks = pd.Series({f"i{k}": r for k, r in enumerate(
        [1, 5, 6, 7, 8, 9, 10, 11, 12, 12, 12, 20, 30, 40, 50, 55, 56, 57, 58, 59, 60, 61, 62])})
    pct = (n - ranks) / (n - 1) * 100
    upper = pd.Series({"1": (n - 2) / (n - 1) * 100, "2": (n - 62) / (n - 1) * 100,
                       "3": (n - 30) / (n - 1) * 100})
    strengths, weaknesses = gii_rule(pct, ranks, upper)
    # 10th highest percentile is rank 12 (tied three times) → 11 indicator strengths
    assert {f"i{k}" for k in range(11)} <= set(strengths)
    assert "i11" not in strengths
    # 10th lowest is rank 40 → 10 weaknesses (ranks 40..62), none also a strength
    assert set(weaknesses) - {"2"} == {f"i{k}" for k in range(13, 23)}
    assert "i12" not in weaknesses
    assert "1" in strengths and "2" in weaknesses and "3" not in strengths + weaknesses


def test_gii_rule_rank_three_is_always_a_strength():
    n = 63
    ranks = pd.Series({f"i{k}": 3 + 4 * k for k in range(15)})
    ranks["i14"] = 3
    pct = (n - ranks) / (n - 1) * 100
    pct["i14"] = 0.0
    strengths, _ = gii_rule(pct, ranks, pd.Series(dtype=float))
    assert "i14" in strengths


def test_quartile_rule_bounds_and_ties():
    ranks = pd.Series({"1": 15.0, "2": 16.0, "3": 47.0, "4": 48.0, "5": 1.0, "6": None})
    best, worst = quartile_rule(ranks, 63)
    assert best == ["5", "1"]            # ≤ 63/4 = 15.75
    assert worst == ["4"]                # > 3·63/4 = 47.25


def test_rank_interval_on_sparse_published_data():
    ctx = edition_context(load_dataset("published", 2023))
    # above the rank-9 score of Quảng Ninh (48.03) and below Bình Dương's 48.64: exactly 9th
    assert rank_interval(ctx, "bac-giang", "PII", 48.45) == (9, 9)
    # 40.00: 15 provinces are known to be above (ranks 1–14 but Bắc Giang, Thừa Thiên Huế
    # ranked 14 between Ninh Bình 43.39 (16) and 42.52 …); unknown others could be too
    best, worst = rank_interval(ctx, "bac-giang", "PII", 40.0)
    assert best == 16 and best < worst <= 63


def test_rank_interval_is_exact_with_complete_data():
    ctx = edition_context(load_dataset("demo", 2023))
    pid = ctx.score["PII"].idxmax()
    assert rank_interval(ctx, pid, "PII", float(ctx.score.at[pid, "PII"])) == (1, 1)


BG_GAPS = {  # plan 41/KH-UBND appendix: (baseline, target), weights by hand from the tree
    "1.1.1": (12.76, 20, 1 / 60), "2.2.3": (2.43, 10, 1 / 80), "2.2.4": (14.72, 20, 1 / 80),
    "6.1.1": (18.31, 20, 1 / 24), "6.2.3": (2.81, 5, 1 / 48), "6.3.3": (0.0, 10, 1 / 36),
    "1.2.1": (20.34, 30, 1 / 80), "4.2.1": (18.90, 25, 1 / 60), "4.2.2": (21.05, 30, 1 / 60),
    "2.1.2": (1.64, 10, 1 / 60), "2.2.1": (6.31, 10, 1 / 80), "2.2.2": (17.07, 25, 1 / 80),
    "3.1.1": (46.75, 55, 1 / 40), "4.1.1": (7.57, 15, 1 / 80), "5.2.2": (20.0, 25, 1 / 90),
    "5.2.3": (4.46, 10, 1 / 90), "7.1.2": (18.79, 25, 1 / 32),
}


def test_bac_giang_2023_real_plan():
    a = analysis_json(_analyse("bac-giang", params="bac-giang.yaml"))
    assert a["pii"]["score"] == 46.51 and a["pii"]["rank"] == 11 and a["pii"]["n"] == 63
    assert len(a["targets"]) == 17
    expected_delta = sum((t - b) * w for b, t, w in BG_GAPS.values())
    assert a["projection"]["delta"] == round(expected_delta, 2)
    assert a["projection"]["pii"] == round(46.51 + expected_delta, 2) == 48.45
    assert a["projection"]["rank_range"] == [9, 9]  # between Bình Dương 48.64 and Quảng Ninh 48.03
    assert a["goal"]["threshold_score"] == 47.75  # Thái Nguyên, rank 10
    assert a["goal"]["points_needed"] == round(47.75 - 46.51, 2)
    t = {r["code"]: r for r in a["targets"]}
    assert t["6.3.3"]["gap"] == 10.0 and t["6.3.3"]["raw_target"] is None  # no min/max published
    assert any(m["item"] == "raw_units" for m in a["missing"])
    assert {p["code"]: p["score"] for p in a["pillars"]}["7"] == 66.21


def test_bac_giang_partial_strengths_and_weaknesses():
    a = _analyse("bac-giang", params="bac-giang.yaml")
    sw = a.strengths
    quartile = {f.code: f.rank for f in sw.strengths if f.rule == "rank_quartile"}
    assert quartile == {"7": 1, "1": 4, "3": 5, "5": 7}  # pillar ranks 1, 4, 5, 7 of 63
    plan = [f for f in sw.weaknesses if f.rule == "plan"]
    assert [f.code for f in plan] == list(BG_GAPS)  # the plan's 17, in its order
    assert all("có điểm số thấp" in f.quote and f.source == "41/KH-UBND" for f in plan)
    assert ("6.3.3", "extreme") in {(f.code, f.rule) for f in sw.weaknesses}  # score 0
    assert (sw.coverage.pillar_ranks, sw.coverage.pillars) == (4, 7)
    assert sw.coverage.indicator_ranks == 0 and "most" not in sw.rules


def test_pillar_goals_are_checked_now_and_if_targets_are_met():
    a = _analyse("bac-giang", params="bac-giang.yaml")
    goals = {g.code: g for g in a.projection.pillar_goals}
    assert len(goals) == 7
    assert (goals["1"].status_now, goals["1"].status_projected) == ("met", "met")  # 67.23 ≥ 67.23
    assert goals["2"].status_now == "unknown"  # pillar 2 score not published
    assert goals["7"].rank == 1 and goals["7"].status_now == "met"
    # pillar 1 = ½ (1.1 + 1.2); 1.1.1 is ⅓ of 1.1, 1.2.1 is ¼ of 1.2
    assert goals["1"].projected_score == pytest.approx(67.23 + (20 - 12.76) / 6 + (30 - 20.34) / 8)


def test_hung_yen_2023_goal():
    a = analysis_json(_analyse("hung-yen", params="hung-yen.yaml"))
    assert a["pii"]["score"] == 42.52 and a["pii"]["rank"] == 18
    assert a["goal"]["rank"] == 10 and a["goal"]["points_needed"] == round(47.75 - 42.52, 2)
    assert a["goal"]["cheapest_path"] == []  # indicator scores unknown: no invented path
    assert a["goal"]["lower_bound_points"] > 100
    rules = {(s["code"], s["rule"]) for s in a["strengths"]}
    assert ("5.3.3", "published") in rules or ("5.3.3", "plan") in rules
    assert {m["section"] for m in a["missing"]} >= {"strengths", "leverage", "goal"}


def test_province_already_in_the_top_10_gets_its_margin():
    bg = _analyse("bac-giang", edition=2024).goal  # 10/63 with 43.53; Bắc Ninh 11th, 42.83
    assert bg.status == "reached" and bg.margin_basis == "next_rank"
    assert bg.margin == pytest.approx(43.53 - 42.83)
    hn = _analyse("ha-noi", params="ha-noi.yaml").goal  # goal rank 1, rank 1
    assert hn.status == "reached" and hn.margin == pytest.approx(62.86 - 55.85)
    bn = _analyse("bac-ninh", edition=2025).goal  # 6/34; the rank-11 score is not published
    assert bn.status == "reached" and bn.points_needed == 0.0
    assert bn.margin is None or bn.margin > 0


def test_partial_2025_framework_is_said_and_counted():
    a = _analyse("bac-ninh", edition=2025)
    lev = a.leverage
    assert not lev.framework_complete and lev.indicators_expected == 52
    assert lev.indicators_weighted == 18
    known = [r for r in lev.rows if r.effective_weight is not None]
    assert {r.code[:3] for r in known} <= {"1.1", "1.2", "2.1", "7.1", "7.2"}
    assert ("leverage", "weights", "framework_partial") in {(m.section, m.item, m.reason)
                                                           for m in a.missing}
    assert a.goal.lower_bound_points is None  # needs every weight


def test_region_average_uses_published_regional_figure():
    a = analysis_json(_analyse("hung-yen"))
    assert a["pii"]["region_average"] == 45.17  # Đồng bằng sông Hồng 2023


def test_cheapest_path_closes_gap_on_demo_data():
    a = _analyse("bac-giang", params="bac-giang.yaml", data="demo")
    goal = a.goal
    total_gain = sum(p.pii_gain for p in goal.cheapest_path)
    assert goal.closes_gap and math.isclose(total_gain, goal.points_needed, rel_tol=1e-9)
    weights = {r.code: r.effective_weight for r in a.leverage.rows}
    path_weights = [weights[p.code] for p in goal.cheapest_path]
    assert path_weights == sorted(path_weights, reverse=True)  # heaviest indicators first
    t = a.targets[0]  # raw units: target score ↔ raw via the edition's min and max
    assert t.raw_target == pytest.approx(t.national_min + t.target / 100 *
                                         (t.national_max - t.national_min))


def test_every_demo_province_analyses():
    ds = load_dataset("demo", 2023)
    for pid in province_ids(2023):
        a = analyse_province(ds, pid)
        assert a.position.pii.score is not None
        assert [m for m in a.missing if m.section not in ("targets", "leverage")] == []
        assert len([s for s in a.strengths.strengths if s.rule == "most"]) >= 5


def test_trend_follows_the_crosswalk():
    rows = _analyse("bac-ninh", edition=2025).trend.rows
    olds = {(r.edition, r.province) for r in rows if r.relation != "same"}
    assert (2023, "bac-giang") in olds and (2024, "bac-ninh") in olds


def test_national_overview_on_demo():
    nat = national(edition_context(load_dataset("demo", 2024)), load_dataset("demo", 2023))
    assert len(nat.ranking) == 63 and nat.ranking[0].rank == 1
    assert len(nat.regions) == 6 and all(r.average is not None for r in nat.regions)
    assert nat.movers and all(m["rank_change"] != 0 for m in nat.movers)


def test_analysis_layer_writes_no_sentence():
    a = _analyse("bac-giang", params="bac-giang.yaml")
    for m in a.missing:
        assert " " not in m.item and " " not in m.reason and " " not in m.how
    for n in a.projection.assumptions + a.trend.caveats + a.flags:
        assert " " not in n.code


def test_cli_analyze_json_contract(cli):
    res = cli("analyze", "bac-giang", "--edition", "2023", "--params", "params/bac-giang.yaml",
              "--json")
    assert res.returncode == 0, res.stderr
    a = json.loads(res.stdout)
    for key in ("province", "edition", "data_source", "pii", "pillars", "strengths",
                "weaknesses", "leverage", "targets", "projection", "goal", "missing"):
        assert key in a
    assert set(a["projection"]) >= {"pii", "rank", "rank_range", "assumptions"}
    assert set(a["goal"]) >= {"rank", "threshold_score", "points_needed", "cheapest_path"}
    assert set(a["targets"][0]) >= {"code", "baseline", "target", "gap", "raw_baseline",
                                    "raw_target"}
    assert set(a["missing"][0]) >= {"section", "item", "reason", "how", "args"}


def test_cli_analyze_text_is_vietnamese_by_default(cli):
    res = cli("analyze", "bac-giang", "--params", "params/bac-giang.yaml", lang="vi")
    assert res.returncode == 0, res.stderr
    assert "46,51" in res.stdout and "xếp hạng 11/63" in res.stdout
    assert "missing" not in res.stdout and "score" not in res.stdout
