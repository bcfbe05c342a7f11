"""Integrity of every committed data file: counts, ranges, unique keys, sources."""


import pandas as pd
import pytest

from conftest import ROOT
from pii_lib.data.layers import load_dataset
from pii_lib.data.tables import read_text_table, validate_tidy
from pii_lib.data.demo import DEMO_EDITIONS, demo_path, generate
from pii_lib.model.provinces import province_ids

PUB = ROOT / "data" / "published"


def test_published_scores_are_valid_and_sourced():
    table = read_text_table(PUB / "scores.csv")
    tidy = validate_tidy(table, PUB / "scores.csv")  # unique keys, ranges, codes, provinces
    assert len(tidy) == len(table)
    assert (table["source"].str.strip() != "").all()
    assert set(tidy["year"]) == {2023, 2024, 2025}


def test_published_contains_the_seed_figures():
    pub = load_dataset("published", 2023)
    def score(pid, code):
        return float(pub.item(pid, code)["score"])
    assert score("hung-yen", "PII") == 42.52 and int(pub.item("hung-yen", "PII")["rank"]) == 18
    assert score("ha-noi", "PII") == 62.86
    assert score("bac-giang", "1") == 67.23 and int(pub.item("bac-giang", "7")["rank"]) == 1
    bg = pub.scores[(pub.scores["province_id"] == "bac-giang")
                    & (pub.scores["level"] == "indicator")]
    assert len(bg) == 17
    assert "41/KH-UBND" in bg["source"].iloc[0]


def test_published_excludes_conflicting_rows_with_reasons():
    excl = read_text_table(PUB / "exclusions.csv")
    assert (excl["reason"].str.len() > 10).all()
    pub = load_dataset("published", 2024)
    nghe_an = pub.item("nghe-an", "PII")
    assert float(nghe_an["score"]) == 32.69  # baonghean preferred, vneconomy 36.52 excluded
    assert pub.item("gia-lai", "PII") is None  # both 2024 Gia Lai figures are suspect
    assert pub.item("lai-chau", "PII") is None


def test_published_computes_only_fully_determined_aggregates():
    pub = load_dataset("published", 2023)
    tay_ninh = pub.item("tay-ninh", "PII")  # IN 36.18 and OUT 33.60 published, PII not
    assert tay_ninh["basis"] == "computed"
    assert round(float(tay_ninh["score"]), 2) == round((36.18 + 33.60) / 2, 2)
    assert pub.item("bac-giang", "1.1") is None  # only 1 of 3 indicators known: not computed


@pytest.mark.parametrize("edition", DEMO_EDITIONS)
def test_committed_demo_equals_fresh_generation(edition):
    committed = pd.read_csv(demo_path(edition))
    fresh = generate(edition)
    assert committed[["province_id", "code"]].equals(fresh[["province_id", "code"]])
    assert (committed["value"].isna() == fresh["value"].isna()).all()
    diff = (committed["value"] - fresh["value"]).abs().max()
    assert diff < 1e-9


@pytest.mark.parametrize("edition", DEMO_EDITIONS)
def test_demo_is_complete_and_plausible(edition):
    raw = pd.read_csv(demo_path(edition))
    assert raw["province_id"].nunique() == 63 and raw["code"].nunique() == 52
    assert set(raw["province_id"]) == set(province_ids(edition))
    assert not raw.duplicated(["province_id", "code"]).any()
    assert 0 < raw["value"].isna().sum() < 0.02 * len(raw)  # a few missing values
    assert (raw["value"] == 0).sum() > 0  # some zeros
    counts = raw[raw["code"] == "2.2.1"]["value"]
    assert counts.skew() > 0.5  # count indicators are right-skewed
    ds = load_dataset("demo", edition)
    assert ds.is_demo and (ds.scores["source"].str.startswith("DEMO")).all()
    pii = ds.scores[ds.scores["code"] == "PII"]["score"]
    assert pii.between(0, 100).all() and len(pii) == 63


def test_province_reference_files():
    p63 = pd.read_csv(ROOT / "data" / "provinces" / "provinces_63.csv", dtype=str)
    assert len(p63) == 63 and p63["id"].is_unique and p63["gso_code"].str.len().eq(2).all()
    p34 = pd.read_csv(ROOT / "data" / "provinces" / "provinces_34.csv", dtype=str)
    assert len(p34) == 34
    cw = pd.read_csv(ROOT / "data" / "provinces" / "merger_2025.csv", dtype=str)
    assert set(cw["old_id"]) == set(p63["id"]) and set(cw["new_id"]) == set(p34["id"])
