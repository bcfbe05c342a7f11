"""Analysis rules with hand-checked cases, and the real plans' figures on published data."""

import math

import pandas as pd
import pytest

from conftest import ROOT
from pii_lib.method.analysis import (_gii_rule, _most_rule, analyse_province, analysis_json,
                              edition_context, national, rank_interval)
from pii_lib.data.tables import load_dataset
from pii_lib.model.params import load_params
from pii_lib.model.provinces import province_ids


def test_most_rule_takes_five_and_keeps_ties():
    ranks = pd.Series({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 5, "g": 30, "h": 40,
                       "i": 50, "j": 60, "k": 61, "l": 62})
    scores = pd.Series(range(12), index=ranks.index, dtype=float)
    best, worst = _most_rule(ranks, scores)
    assert best == ["a", "b", "c", "d", "f", "e"] or set(best) == set("abcdef")
    assert len(best) == 6  # e and f tie on rank 5: both are shown
    assert worst == ["l", "k", "j", "i", "h"]


def test_gii_rule_cutoffs_ties_and_top3_override():
    n = 63
    ranks = pd.Series({f"i{k}": r for k, r in enumerate(
        [1, 5, 6, 7, 8, 9, 10, 11, 12, 12, 12, 20, 30, 40, 50, 55, 56, 57, 58, 59, 60, 61, 62])})
    pct = (n - ranks) / (n - 1) * 100
    upper = pd.Series({"1": (n - 2) / (n - 1) * 100, "2": (n - 62) / (n - 1) * 100,
                       "3": (n - 30) / (n - 1) * 100})
    strengths, weaknesses = _gii_rule(pct, ranks, upper)
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
    ranks["i14"] = 3  # override even if it were below the cut-off in percentile terms
    pct = (n - ranks) / (n - 1) * 100
    pct["i14"] = 0.0
    strengths, _ = _gii_rule(pct, ranks, pd.Series(dtype=float))
    assert "i14" in strengths


def test_rank_interval_on_sparse_published_data():
    ctx = edition_context(load_dataset("published", 2023))
    # above the rank-9 score of Quảng Ninh (48.03) and below Bình Dương's 48.64: exactly 9th
    assert rank_interval(ctx, "bac-giang", "PII", 48.45) == (9, 9)
    # 40.00: 14 provinces are known to be above (ranks 1–11 but Bắc Giang, Ninh Bình 43.39,
    # Hưng Yên 42.52, Phú Thọ 41.29, Thanh Hóa 41.25); provinces with unknown scores could be
    best, worst = rank_interval(ctx, "bac-giang", "PII", 40.0)
    assert best == 15 and worst > best
    assert worst <= 63


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
    ds = load_dataset("published", 2023)
    a = analysis_json(analyse_province(ds, "bac-giang", load_params(ROOT / "params/bac-giang.yaml")))
    assert a["pii"]["score"] == 46.51 and a["pii"]["rank"] == 11 and a["pii"]["n"] == 63
    assert len(a["targets"]) == 17
    expected_delta = sum((t - b) * w for b, t, w in BG_GAPS.values())
    assert a["projection"]["delta"] == round(expected_delta, 2)
    assert a["projection"]["pii"] == round(46.51 + expected_delta, 2)
    assert a["projection"]["rank_range"] == [9, 9]  # between Bình Dương 48.64 and Quảng Ninh 48.03
    assert a["goal"]["threshold_score"] == 47.75  # Thái Nguyên, rank 10
    assert a["goal"]["points_needed"] == round(47.75 - 46.51, 2)
    t = {r["code"]: r for r in a["targets"]}
    assert t["6.3.3"]["gap"] == 10.0 and t["6.3.3"]["raw_target"] is None  # no min/max published
    assert any(m["item"] == "raw units" for m in a["missing"])
    assert {p["code"]: p["score"] for p in a["pillars"]}["7"] == 66.21


def test_hung_yen_2023_goal():
    ds = load_dataset("published", 2023)
    a = analysis_json(analyse_province(ds, "hung-yen", load_params(ROOT / "params/hung-yen.yaml")))
    assert a["pii"]["score"] == 42.52 and a["pii"]["rank"] == 18
    assert a["goal"]["rank"] == 10 and a["goal"]["points_needed"] == round(47.75 - 42.52, 2)
    assert a["goal"]["cheapest_path"] == []  # indicator scores unknown: no invented path
    # lower bound: 5.23 PII points on output indicators of weight 1/24 (6.1.x) then 1/32 …
    assert a["goal"]["lower_bound_points"] > 100
    rules = {(s["code"], s["rule"]) for s in a["strengths"]}
    assert ("5.3.3", "published") in rules
    assert {m["section"] for m in a["missing"]} >= {"strengths", "leverage", "goal"}


def test_region_average_uses_published_regional_figure():
    a = analysis_json(analyse_province(load_dataset("published", 2023), "hung-yen"))
    assert a["pii"]["region_average"] == 45.17  # Đồng bằng sông Hồng 2023


def test_cheapest_path_closes_gap_on_demo_data():
    ds = load_dataset("demo", 2023)
    a = analyse_province(ds, "bac-giang", load_params(ROOT / "params/bac-giang.yaml"))
    goal = a.sections["goal"]
    total_gain = sum(p["pii_gain"] for p in goal["cheapest_path"])
    assert goal["closes_gap"] and math.isclose(total_gain, goal["points_needed"], rel_tol=1e-9)
    weights = [next(r["effective_weight"] for r in a.sections["leverage"] if r["code"] == p["code"])
               for p in goal["cheapest_path"]]
    assert weights == sorted(weights, reverse=True)  # heaviest indicators first
    # raw units: target score ↔ raw via the edition's min and max
    t = a.sections["targets"][0]
    assert t["raw_target"] == pytest.approx(t["national_min"] + t["target"] / 100 *
                                            (t["national_max"] - t["national_min"]))


def test_every_demo_province_analyses():
    ds = load_dataset("demo", 2023)
    for pid in province_ids(2023):
        a = analyse_province(ds, pid)
        assert a.sections["pii"]["score"] is not None
        # the demo has a few missing raw values: only headroom of those indicators is unknown
        assert [m for m in a.missing if m["section"] not in ("targets", "leverage")] == []
        assert len([s for s in a.sections["strengths"] if s["rule"] == "most"]) >= 5


def test_trend_follows_the_crosswalk():
    ds = load_dataset("published", 2025)
    a = analyse_province(ds, "bac-ninh")
    rows = a.sections["trend"]["rows"]
    olds = {(r["edition"], r["province"]) for r in rows if r["relation"] != "same unit"}
    assert (2023, "bac-giang") in olds and (2024, "bac-ninh") in olds


def test_national_overview_on_demo():
    nat = national(edition_context(load_dataset("demo", 2024)))
    assert len(nat["ranking"]) == 63 and nat["ranking"][0]["rank"] == 1
    assert len(nat["regions"]) == 6 and all(r["average"] is not None for r in nat["regions"])
    assert nat["movers"] and all(m["rank_change"] != 0 for m in nat["movers"])


def test_cli_analyze_json_contract(cli):
    import json
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
