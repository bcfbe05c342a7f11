"""Rank robustness (Monte Carlo over weights, aggregation and outlier treatment)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from pii_lib.data.demo import DEMO_DIR
from pii_lib.data.tables import read_raw_values
from pii_lib.errors import InputError
from pii_lib.model.framework import COLUMNS, Framework, load_framework
from pii_lib.method.robustness import rank_robustness, rank_robustness_from_scores
from pii_lib.method.scoring import score_raw

DRAWS = 300  # enough to exercise every choice; the 1,000-draw default is a benchmark, not a test


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework(2023)


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return read_raw_values(DEMO_DIR / "raw_2023.csv", 2023)


@pytest.fixture(scope="module")
def result(raw, framework):
    return rank_robustness(raw, framework, draws=DRAWS, seed=7)


def _pii_ranks(raw: pd.DataFrame, framework: Framework, *, outliers: bool = False) -> pd.Series:
    tidy = score_raw(raw, framework, outliers=outliers).scores
    return tidy[tidy["code"] == "PII"].set_index("province_id")["rank"].astype(int)


def test_official_rank_equals_score_raw_for_all_63_demo_provinces(result, raw, framework):
    table = result.table.set_index("province_id")
    expected = _pii_ranks(raw, framework)
    assert len(table) == 63 and table["official_rank"].notna().all()
    assert table["official_rank"].astype(int).sort_index().equals(expected.sort_index())


def test_zero_perturbation_collapses_every_interval(raw, framework):
    res = rank_robustness(raw, framework, draws=50, seed=1, weight_spread=0.0,
                          aggregation="arithmetic", outliers="off")
    t = res.table
    for col in ("median_rank", "rank_p05", "rank_p95"):
        assert (t[col] == t["official_rank"]).all(), col
    assert (t["rank_shift_p90"] == 0).all()
    assert (res.draw_ranks == res.draw_ranks[0]).all()


def test_outlier_option_alone_reproduces_score_raw_with_treatment(raw, framework):
    res = rank_robustness(raw, framework, draws=5, weight_spread=0.0, aggregation="arithmetic",
                          outliers="on")
    expected = _pii_ranks(raw, framework, outliers=True)
    got = pd.Series(res.draw_ranks[0].astype(int), index=res.provinces)
    assert got.sort_index().equals(expected.sort_index())
    assert not expected.sort_index().equals(_pii_ranks(raw, framework).sort_index())
    assert res.treatments["2.1.3"] == "log-transformed"


def test_perturbed_draws_move_ranks_and_intervals_are_ordered(result):
    t = result.table
    assert (t["rank_p05"] <= t["median_rank"]).all() and (t["median_rank"] <= t["rank_p95"]).all()
    assert (t["rank_p95"] > t["rank_p05"]).sum() > 10
    assert (t["rank_shift_p90"] > 0).any()
    assert 0.35 < result.geometric.mean() < 0.65 and 0.35 < result.outliers_treated.mean() < 0.65
    assert result.draw_ranks.shape == (DRAWS, 63)
    assert sorted(result.draw_ranks[0].astype(int)) == list(range(1, 64))


def test_dominant_province_is_first_in_every_draw(raw, framework):
    directions = framework.table.set_index("code")["direction"]
    wide = raw.pivot(index="province_id", columns="code", values="value")
    best = [(wide[c].max() + 1 if directions[c] > 0 else wide[c].min() - 1)
            for c in framework.indicators]
    extra = pd.DataFrame({"province_id": "dominant", "code": framework.indicators,
                          "value": best})
    res = rank_robustness(pd.concat([raw, extra], ignore_index=True), framework, draws=DRAWS,
                          seed=3)
    column = res.provinces.index("dominant")
    assert (res.draw_ranks[:, column] == 1).all()
    assert res.table.iloc[0]["province_id"] == "dominant"
    assert res.table.iloc[0][["official_rank", "rank_p05", "rank_p95"]].tolist() == [1, 1, 1]


def test_same_seed_same_output_other_seed_other_draws(raw, framework):
    a = rank_robustness(raw, framework, draws=100, seed=11)
    b = rank_robustness(raw, framework, draws=100, seed=11)
    c = rank_robustness(raw, framework, draws=100, seed=12)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert np.array_equal(a.draw_ranks, b.draw_ranks)
    assert a.to_dict() == b.to_dict()
    assert not np.array_equal(a.draw_ranks, c.draw_ranks)
    assert not np.array_equal(a.geometric, c.geometric)
    assert (a.settings.seed, c.settings.seed) == (11, 12)


def _tiny_framework() -> Framework:
    """PII → IN (pillars P1, P2) and OUT (pillar P3); one sub-pillar and indicator each."""
    rows = [("PII", "pii", ""), ("IN", "subindex", "PII"), ("OUT", "subindex", "PII")]
    for pillar, subindex in (("1", "IN"), ("2", "IN"), ("3", "OUT")):
        rows += [(pillar, "pillar", subindex), (f"{pillar}.1", "subpillar", pillar),
                 (f"{pillar}.1.1", "indicator", f"{pillar}.1")]
    table = pd.DataFrame([{c: "" for c in COLUMNS} | {"code": code, "level": level,
                                                       "parent": parent, "direction": 1,
                                                       "weight": 1.0}
                          for code, level, parent in rows])
    return Framework(edition=2023, table=table)


TINY_SCORES = pd.DataFrame({"1.1.1": [100.0, 40.0, 30.0], "2.1.1": [0.0, 40.0, 30.0],
                            "3.1.1": [50.0, 50.0, 50.0]}, index=["a", "b", "c"])


def test_tiny_case_arithmetic_by_hand():
    res = rank_robustness_from_scores(TINY_SCORES, _tiny_framework(), draws=3,
                                      weight_spread=0.0, aggregation="arithmetic",
                                      outliers="off")
    # IN = (100 + 0)/2 = 50, (40 + 40)/2 = 40, 30; OUT = 50 → PII 50, 45, 40
    assert np.allclose(res.draw_scores[0], [50.0, 45.0, 40.0])
    assert res.draw_ranks[0].tolist() == [1, 2, 3]
    assert res.table.set_index("province_id")["official_rank"].to_dict() == {"a": 1, "b": 2,
                                                                              "c": 3}


def test_tiny_case_geometric_by_hand():
    res = rank_robustness_from_scores(TINY_SCORES, _tiny_framework(), draws=3,
                                      weight_spread=0.0, aggregation="geometric",
                                      outliers="off")
    # IN(a) = √(101 · 1) − 1 ≈ 9.05 punishes the unbalanced profile; IN(b) = 40, IN(c) = 30
    expected_a = (math.sqrt(101.0) - 1.0 + 50.0) / 2
    assert np.allclose(res.draw_scores[0], [expected_a, 45.0, 40.0])
    assert res.draw_ranks[0].tolist() == [3, 1, 2]
    table = res.table.set_index("province_id")
    assert table["official_rank"].to_dict() == {"a": 1, "b": 2, "c": 3}  # official = arithmetic
    assert table["median_rank"].to_dict() == {"a": 3, "b": 1, "c": 2}
    assert table.at["a", "rank_shift_p90"] == 2


def test_missing_indicator_uses_mean_of_available_children(raw, framework):
    holes = raw[~((raw["province_id"] == "ha-noi") & (raw["code"].isin(["1.1.1", "2.2.3"])))]
    res = rank_robustness(holes, framework, draws=2, weight_spread=0.0,
                          aggregation="arithmetic", outliers="off")
    expected = _pii_ranks(holes, framework)
    got = res.table.set_index("province_id")["official_rank"].astype(int)
    assert got.sort_index().equals(expected.sort_index())


def test_scores_entry_matches_raw_entry_on_the_same_data(raw, framework):
    tidy = score_raw(raw, framework).scores
    wide = tidy.pivot(index="province_id", columns="code", values="score")  # all levels
    from_scores = rank_robustness_from_scores(wide, framework, draws=50, seed=5,
                                              outliers="off")
    from_raw = rank_robustness(raw, framework, draws=50, seed=5, outliers="off")
    assert np.array_equal(from_scores.draw_ranks, from_raw.draw_ranks)
    assert from_scores.settings.source == "scores"


def test_to_dict_is_json_with_settings(result):
    blob = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert blob["settings"]["draws"] == DRAWS and blob["settings"]["seed"] == 7
    assert blob["settings"]["weight_spread"] == 0.25 and blob["settings"]["aggregation"] == "vary"
    assert len(blob["provinces"]) == 63 and blob["provinces"][0]["official_rank"] == 1
    assert set(blob["provinces"][0]) == {"province_id", "official_score", "official_rank",
                                         "median_rank", "rank_p05", "rank_p95",
                                         "rank_shift_p90"}
    assert "method_vi" not in blob  # wording lives in the catalogue, not in results


@pytest.mark.parametrize("kwargs", [{"draws": 0}, {"weight_spread": 1.0},
                                    {"weight_spread": -0.1}, {"aggregation": "harmonic"},
                                    {"outliers": "maybe"}])
def test_bad_settings_are_input_errors(raw, framework, kwargs):
    with pytest.raises(InputError):
        rank_robustness(raw, framework, **kwargs)


def test_bad_tables_are_input_errors(raw, framework):
    with pytest.raises(InputError, match="indicator code"):
        rank_robustness(pd.concat([raw, pd.DataFrame({"province_id": ["ha-noi"],
                                                      "code": ["9.9.9"], "value": [1.0]})]),
                        framework)
    with pytest.raises(InputError, match="duplicate"):
        rank_robustness(pd.concat([raw, raw.head(1)]), framework)
    with pytest.raises(InputError, match="0–100"):
        rank_robustness_from_scores(TINY_SCORES * 2, _tiny_framework())
