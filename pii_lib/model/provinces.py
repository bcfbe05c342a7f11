"""Provinces, regions and the 2025 merger crosswalk.

PII 2023 and 2024 cover the 63 provinces in force until 30 June 2025; PII 2025 covers the 34
provinces/cities formed on 1 July 2025 (Resolution 202/2025/QH15). Ids are stable ASCII slugs.
Name lookup is accent-, case- and Unicode-form-insensitive and suggests the closest name.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .. import DATA_DIR
from ..errors import InputError
from .framework import edition_info
from ..text import closest, fold, nfc

PROVINCE_DIR = DATA_DIR / "provinces"


@lru_cache(maxsize=None)
def _read(name: str) -> pd.DataFrame:
    df = pd.read_csv(PROVINCE_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")
    for col in df.columns:
        df[col] = df[col].map(nfc)
    return df


def regions() -> pd.DataFrame:
    """The six socio-economic regions: ``region_id, name_vi, name_en``."""
    return _read("regions.csv").copy()


def region_name(region_id: str, lang: str = "vi") -> str:
    """Name of a region in ``vi`` or ``en``."""
    table = regions().set_index("region_id")
    return str(table.at[region_id, "name_en" if lang == "en" else "name_vi"])


def crosswalk() -> pd.DataFrame:
    """2025 merger crosswalk: ``old_id, old_name_vi, new_id, new_name_vi`` (63 rows)."""
    return _read("merger_2025.csv").copy()


def province_table(edition: int) -> pd.DataFrame:
    """Provinces of an edition: ``id, name_vi, region_id`` (+ ``region_name_vi``, ``region_name_en``).

    Parameters
    ----------
    edition
        PII edition year (2023, 2024 → 63 provinces; 2025 → 34).
    """
    return _province_table(edition_info(edition)["province_set"]).copy()


@lru_cache(maxsize=None)
def _province_table(province_set: str) -> pd.DataFrame:
    table = _read(f"{province_set}.csv")[["id", "name_vi", "region_id"]].copy()
    reg = regions().rename(columns={"name_vi": "region_name_vi", "name_en": "region_name_en"})
    return table.merge(reg, on="region_id", how="left")


def province_ids(edition: int) -> list[str]:
    """Province ids of an edition, in statistical-code order."""
    return province_table(edition)["id"].tolist()


def province_name(province_id: str, edition: int | None = None) -> str:
    """Vietnamese display name of a province id (any edition if ``edition`` is None)."""
    tables = [province_table(edition)] if edition else [province_table(2023), province_table(2025)]
    for table in tables:
        hit = table.loc[table["id"] == province_id, "name_vi"]
        if len(hit):
            return str(hit.iloc[0])
    raise InputError("province_id", value=province_id, column="province")


def resolve_province(name_or_id: str, edition: int, *, file: str | None = None,
                     row: int | None = None, column: str | None = None) -> str:
    """Return the province id for a name or id, matched accent- and case-insensitively.

    Raises
    ------
    InputError
        If nothing matches; the message suggests the closest name of that edition.
    """
    key = fold(name_or_id)
    lookup = _lookup(int(edition))
    if key and key in lookup:
        return lookup[key]
    table = _province_table(edition_info(edition)["province_set"])  # cached: no copy per row

    def hint() -> tuple[str, dict] | None:  # only computed for the messages shown
        suggestion = closest(str(name_or_id), list(table["name_vi"])) or closest(
            str(name_or_id), list(table["id"]))
        return ("did_you_mean", {"name": suggestion[0]}) if suggestion else None

    raise InputError("province", file=file, row=row, column=column or "province",
                     value=name_or_id, edition=edition, n=len(table), hint=hint)


@lru_cache(maxsize=None)
def _lookup(edition: int) -> dict[str, str]:
    table = province_table(edition)
    lookup: dict[str, str] = {}
    for pid, name in zip(table["id"], table["name_vi"]):
        lookup[fold(pid)] = pid
        lookup[fold(name)] = pid
        if fold(name).startswith("tp "):  # "TP. Hồ Chí Minh" is also "Hồ Chí Minh"
            lookup[fold(name)[3:]] = pid
    return lookup


def predecessors(new_id: str) -> list[str]:
    """Old (63-province) ids merged into a 2025 province, e.g. ``bac-ninh`` → bac-ninh, bac-giang."""
    cw = crosswalk()
    return cw.loc[cw["new_id"] == new_id, "old_id"].tolist()


def successor(old_id: str) -> str:
    """The 2025 province an old province became part of."""
    cw = crosswalk()
    hit = cw.loc[cw["old_id"] == old_id, "new_id"]
    if not len(hit):
        raise InputError("province_id", value=old_id, column="province")
    return str(hit.iloc[0])
