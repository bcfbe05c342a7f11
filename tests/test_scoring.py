"""Scoring engine: unit cases, published regression figures, independent re-computation."""

import math

import numpy as np
import pandas as pd
import pytest

from pii_lib.data.tables import read_raw_values
from pii_lib.data.demo import demo_path
from pii_lib.model.framework import load_framework
from pii_lib.method.scoring import (aggregate, normalise, raw_to_score, rank_wide, score_raw,
                             score_to_raw, treat_outliers)


# --- regression tests: published figures the tool can recompute (methodology.md §4) ---------

def test_khanh_hoa_2025_policy_environment_from_raw_values():
    """Khánh Hòa 2025 'Môi trường chính sách' = 58.90 from 3 raw values and national min/max."""
    scores = [raw_to_score(47.59, 28.20, 55.64), raw_to_score(7.45, 6.35, 8.44),
              raw_to_score(7.14, 6.12, 8.03)]
    assert [round(s, 2) for s in scores] == [70.66, 52.63, 53.40]
    assert round(sum(scores) / 3, 2) == 58.90


def test_khanh_hoa_2025_pillars_from_sub_pillars():
    fw = load_framework(2025)
    wide = pd.DataFrame({"1.1": [58.90], "1.2": [58.62], "2.1": [31.36], "2.2": [44.94]},
                        index=["khanh-hoa"])
    out, n_avail, _ = aggregate(wide, fw, min_coverage=1.0)
    assert round(out.at["khanh-hoa", "1"], 2) == 58.76
    assert round(out.at["khanh-hoa", "2"], 2) == 38.15
    assert n_avail.at["khanh-hoa", "1"] == 2


@pytest.mark.parametrize("edition,province,inp,outp,pii", [
    (2023, "ha-tinh", 44.18, 23.35, 33.76),
    (2024, "thanh-hoa", 42.25, 30.85, 36.55),
    (2025, "khanh-hoa", 46.80, 46.28, 46.54),
])
def test_pii_from_published_input_output(edition, province, inp, outp, pii):
    fw = load_framework(edition)
    wide = pd.DataFrame({"IN": [inp], "OUT": [outp]}, index=[province])
    out, _, _ = aggregate(wide, fw, min_coverage=1.0)
    assert round(out.at[province, "PII"], 2) == pii


# --- unit cases ----------------------------------------------------------------------------

def test_normalise_direction_and_constant_column():
    values = pd.DataFrame({"up": [1.0, 3.0, 5.0], "down": [1.0, 3.0, 5.0], "flat": [2.0] * 3},
                          index=["a", "b", "c"])
    scores, bounds = normalise(values, pd.Series({"up": 1, "down": -1, "flat": 1}))
    assert scores["up"].tolist() == [0.0, 50.0, 100.0]
    assert scores["down"].tolist() == [100.0, 50.0, 0.0]
    assert scores["flat"].isna().all()  # constant: missing, never a division by zero
    assert bool(bounds.at["flat", "constant"]) and not bool(bounds.at["up", "constant"])


def test_score_to_raw_inverts_raw_to_score():
    for direction in (1, -1):
        raw = score_to_raw(40.0, 2.0, 12.0, direction)
        assert math.isclose(raw_to_score(raw, 2.0, 12.0, direction), 40.0)
    assert score_to_raw(50, 6.35, 8.44) == pytest.approx(7.395)
    assert math.isnan(raw_to_score(5.0, 3.0, 3.0))


def test_ranks_ties_share_the_better_rank():
    scores = pd.DataFrame({"x": [90.0, 80.0, 80.0, 70.0, np.nan]}, index=list("abcde"))
    ranks = rank_wide(scores)["x"]
    assert ranks.tolist()[:4] == [1, 2, 2, 4]
    assert math.isnan(ranks["e"])


def test_aggregate_uses_available_children_and_reports_counts():
    fw = load_framework(2023)
    wide = pd.DataFrame({"1.1.1": [30.0], "1.1.2": [60.0], "1.1.3": [np.nan]}, index=["p"])
    out, n_avail, n_exp = aggregate(wide, fw)
    assert out.at["p", "1.1"] == 45.0
    assert n_avail.at["p", "1.1"] == 2 and n_exp.at["p", "1.1"] == 3
    strict, _, _ = aggregate(wide, fw, min_coverage=1.0)
    assert math.isnan(strict.at["p", "1.1"])


def test_aggregate_keeps_given_higher_levels():
    fw = load_framework(2023)
    wide = pd.DataFrame({"1.1.1": [30.0], "1.1.2": [60.0], "1.1.3": [90.0], "1.1": [12.0]},
                        index=["p"])
    out, _, _ = aggregate(wide, fw)
    assert out.at["p", "1.1"] == 12.0


def test_outlier_treatment_winsorises_few_outliers():
    s = pd.Series([1.0] * 20 + [2.0, 2.5, 3.0, 3.5, 4.0] * 4 + [60.0])
    treated, how = treat_outliers(s)
    assert how.startswith("winsorised 1")
    assert treated.max() == 4.0


def test_outlier_treatment_logs_heavy_tails():
    s = pd.Series(np.exp(np.random.default_rng(0).normal(0, 2.2, 63)))
    treated, how = treat_outliers(s)
    assert how == "log-transformed"
    assert abs(treated.skew()) < abs(s.skew())


def test_outlier_treatment_leaves_normal_data_alone():
    s = pd.Series(np.random.default_rng(1).normal(0, 1, 63))
    treated, how = treat_outliers(s)
    assert how == "" and treated.equals(s)


def test_score_raw_reports_outlier_treatment():
    fw = load_framework(2023)
    raw = read_raw_values(demo_path(2023), 2023)
    raw.loc[(raw["code"] == "2.2.1") & (raw["province_id"] == "ha-noi"), "value"] = 1e6
    result = score_raw(raw, fw, outliers=True)
    row = result.bounds.set_index("code").loc["2.2.1"]
    assert row["treatment"].startswith("winsorised")
    plain = score_raw(raw, fw)
    assert plain.bounds.set_index("code").loc["2.2.1", "treatment"] == ""


# --- independent re-computation of the demo scores -------------------------------------

def _independent(raw: pd.DataFrame, fw) -> dict[tuple[str, str], float]:
    """Plain-Python re-implementation of the published recipe (loops, no pandas maths)."""
    table = fw.table.to_dict("records")
    values: dict[str, dict[str, float]] = {}
    for rec in raw.to_dict("records"):
        if not math.isnan(rec["value"]):
            values.setdefault(rec["code"], {})[rec["province_id"]] = rec["value"]
    score: dict[tuple[str, str], float] = {}
    for rec in table:
        if rec["level"] != "indicator":
            continue
        col = values.get(rec["code"], {})
        lo, hi = min(col.values()), max(col.values())
        for pid, v in col.items():
            if hi > lo:
                s = (v - lo) / (hi - lo) * 100
                score[(pid, rec["code"])] = s if rec["direction"] == 1 else 100 - s
    provinces = sorted(raw["province_id"].unique())
    for level in ("subpillar", "pillar", "subindex", "pii"):
        for rec in table:
            if rec["level"] != level:
                continue
            kids = [r for r in table if r["parent"] == rec["code"]]
            for pid in provinces:
                got = [(score[(pid, k["code"])], k["weight"]) for k in kids
                       if (pid, k["code"]) in score]
                if got:
                    score[(pid, rec["code"])] = sum(s * w for s, w in got) / sum(w for _, w in got)
    return score


@pytest.mark.parametrize("edition", [2023, 2024])
def test_demo_scores_match_independent_recomputation(edition):
    fw = load_framework(edition)
    raw = read_raw_values(demo_path(edition), edition)
    result = score_raw(raw, fw).scores
    expected = _independent(raw, fw)
    got = {(r["province_id"], r["code"]): r["score"] for r in result.to_dict("records")
           if not math.isnan(r["score"])}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key
    # ranks: 1 = best, every edition has exactly one rank-1 PII and 63 ranked provinces
    pii = result[result["code"] == "PII"].sort_values("score", ascending=False)
    assert pii["rank"].iloc[0] == 1 and pii["rank"].max() <= 63 and len(pii) == 63
    # the province with the highest raw value of an indicator scores 100
    top = raw[raw["code"] == "1.1.1"].dropna().sort_values("value").iloc[-1]["province_id"]
    row = result[(result["province_id"] == top) & (result["code"] == "1.1.1")]
    assert row["score"].iloc[0] == pytest.approx(100.0)
