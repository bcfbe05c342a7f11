"""Framework files: structure, counts, effective weights, incomplete 2025 edition."""

import math

import pytest

from pii_lib.errors import InputError
from pii_lib.model.framework import edition_info, load_framework, read_framework


@pytest.mark.parametrize("edition", [2023, 2024])
def test_complete_frameworks_have_the_published_structure(edition):
    fw = load_framework(edition)
    assert len(fw.indicators) == 52
    assert len(fw.codes("subpillar")) == 16
    assert fw.codes("pillar") == [str(i) for i in range(1, 8)]
    assert fw.codes("subindex") == ["IN", "OUT"]
    assert fw.children("IN") == ["1", "2", "3", "4", "5"]
    assert fw.children("OUT") == ["6", "7"]
    assert fw.children("PII") == ["IN", "OUT"]
    assert fw.table["code"].is_unique
    # codes as in seed 002 §II.4, e.g. 2.2.3 R&D expenditure / GRDP under sub-pillar 2.2
    assert fw.parent("2.2.3") == "2.2"
    assert "GRDP" in fw.name("2.2.3")


@pytest.mark.parametrize("edition", [2023, 2024, 2025])
def test_every_parent_exists_and_levels_chain(edition):
    fw = load_framework(edition)
    codes = set(fw.table["code"])
    for rec in fw.table.to_dict("records"):
        if rec["level"] != "pii":
            assert rec["parent"] in codes
        assert rec["direction"] in (1, -1)
        assert rec["weight"] > 0


def test_effective_weights_follow_the_formula():
    fw = load_framework(2023)
    w = fw.effective_weights()
    assert math.isclose(w.sum(), 1.0)
    # input: ½ · 1/5 · 1/n_sub · 1/n_ind ; output: ½ · ½ · 1/n_sub · 1/n_ind
    assert math.isclose(w["1.2.1"], 0.5 * 0.2 * 0.5 * 0.25)
    assert math.isclose(w["2.2.3"], 0.5 * 0.2 * 0.5 * 0.25)
    assert math.isclose(w["7.1.1"], 0.5 * 0.5 * 0.5 * 0.25)
    assert math.isclose(w["6.1.1"], 0.5 * 0.5 * (1 / 3) * 0.5)
    # an output indicator weighs 2.5 times an input one with the same number of siblings
    assert math.isclose(w["7.1.1"] / w["1.2.1"], 2.5)
    assert math.isclose(w[[c for c in fw.indicators if c[0] in "12345"]].sum(), 0.5)


def test_weights_in_the_framework_file_change_effective_weights(tmp_path):
    fw = load_framework(2023)
    table = fw.table.copy()
    table.loc[table["code"] == "1.1.1", "weight"] = 2.0
    path = tmp_path / "fw.csv"
    table.to_csv(path, index=False)
    weighted = read_framework(path, 2023)
    w = weighted.effective_weights()
    assert math.isclose(w["1.1.1"], 0.5 * 0.2 * 0.5 * 0.5)
    assert math.isclose(w["1.1.2"], 0.5 * 0.2 * 0.5 * 0.25)
    assert math.isclose(w.sum(), 1.0)


def test_2025_is_incomplete_and_refuses_raw_scoring():
    fw = load_framework(2025)
    assert not fw.complete
    assert edition_info(2025)["n_provinces"] == 34
    with pytest.raises(InputError, match="only 19 of 52 indicators"):
        fw.require_complete("scoring raw indicator values")


def test_unknown_edition_is_bad_input():
    with pytest.raises(InputError, match="expected an edition among 2023, 2024, 2025"):
        edition_info(2022)


def test_framework_with_missing_parent_is_refused(tmp_path):
    table = load_framework(2023).table.copy()
    table.loc[table["code"] == "2.2.3", "parent"] = "9.9"
    path = tmp_path / "bad.csv"
    table.to_csv(path, index=False)
    with pytest.raises(InputError) as exc:
        read_framework(path, 2023)
    assert "bad.csv" in exc.value.message and "9.9" in exc.value.message
    assert "parent" in exc.value.message


def test_complete_framework_missing_indicators_is_refused(tmp_path):
    table = load_framework(2023).table
    table = table[table["code"] != "7.2.4"]
    path = tmp_path / "short.csv"
    table.to_csv(path, index=False)
    with pytest.raises(InputError, match="expected 52 indicator rows"):
        read_framework(path, 2023, expected={"indicator": 52})
