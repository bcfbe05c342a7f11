"""Provinces: counts per edition, accent-insensitive lookup, crosswalk."""

import unicodedata

import pytest

from pii_lib.errors import InputError
from pii_lib.model.provinces import (crosswalk, predecessors, province_table, resolve_province,
                               successor)


@pytest.mark.parametrize("edition,n", [(2023, 63), (2024, 63), (2025, 34)])
def test_counts(edition, n):
    table = province_table(edition)
    assert len(table) == n
    assert table["id"].is_unique
    assert table["region_id"].notna().all()
    assert set(table["region_id"]) == {"tdmnpb", "dbsh", "btb", "tn", "dnb", "dbscl"}


@pytest.mark.parametrize("name", ["bac giang", "Bắc Giang", "BẮC GIANG", "bac-giang",
                                  unicodedata.normalize("NFD", "Bắc Giang"), "  Bắc  Giang "])
def test_lookup_is_accent_case_and_form_insensitive(name):
    assert resolve_province(name, 2023) == "bac-giang"


def test_lookup_handles_city_prefix():
    assert resolve_province("Hồ Chí Minh", 2023) == "ho-chi-minh"
    assert resolve_province("TP. Hồ Chí Minh", 2025) == "ho-chi-minh"


def test_miss_suggests_closest_name():
    with pytest.raises(InputError) as exc:
        resolve_province("Bac Giangg", 2023)
    assert "did you mean 'Bắc Giang'" in exc.value.message


def test_old_province_is_not_a_2025_province():
    with pytest.raises(InputError, match="PII 2025"):
        resolve_province("bac-giang", 2025)


def test_crosswalk():
    assert len(crosswalk()) == 63
    assert set(crosswalk()["new_id"]) == set(province_table(2025)["id"])
    assert predecessors("bac-ninh") == ["bac-ninh", "bac-giang"]
    assert successor("thua-thien-hue") == "hue"
