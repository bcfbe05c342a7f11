"""The published layer: real PII figures copied from public sources, each with its source.

``data/published/scores.csv`` (tidy rows), ``regional_averages.csv`` and
``strengths_weaknesses.csv`` (strengths and weaknesses that profiles, plans or the press name);
``exclusions.csv`` keeps the figures left out on purpose and why. Nothing here is computed.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd

from .. import DATA_DIR
from .layers import Layer, display_path
from .tables import file_checksum, read_text_table, validate_tidy

PUBLISHED_DIR = DATA_DIR / "published"


@lru_cache(maxsize=8)
def published_layer(edition: int) -> Layer:
    """The published figures of an edition as the bottom layer of a data stack."""
    path = PUBLISHED_DIR / "scores.csv"
    rows = validate_tidy(read_text_table(path), path, edition=edition)
    rows["basis"] = "published"
    return Layer(kind="published", rows=rows, files={display_path(path): file_checksum(path)})


@lru_cache(maxsize=1)
def _regional_table() -> pd.DataFrame:
    return read_text_table(PUBLISHED_DIR / "regional_averages.csv")


def published_regional_averages(edition: int) -> dict[str, tuple[float, str]]:
    """Published average PII per region of an edition: ``{region_id: (score, source)}``."""
    table = _regional_table()
    hit = table[(table["year"] == str(edition)) & (table["score"] != "")]
    return {r["region_id"]: (float(r["score"]), r["source"]) for r in hit.to_dict("records")}


@lru_cache(maxsize=1)
def _findings_table() -> pd.DataFrame:
    return read_text_table(PUBLISHED_DIR / "strengths_weaknesses.csv")


def published_findings(edition: int) -> list[dict]:
    """Strengths and weaknesses published for the provinces of an edition:
    ``province_id, kind, code, name, source`` (``code`` None when the source's item maps to no
    code of the framework)."""
    table = _findings_table()
    hit = table[table["year"] == str(edition)]
    return [{"province_id": r["province_id"], "kind": r["kind"], "code": r["code"] or None,
             "name": r.get("name_published", ""), "source": r["source"]}
            for r in hit.to_dict("records")]


def finite(x: object) -> float | None:
    """Float or None (for NaN / missing / not a number)."""
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) or math.isinf(value) else value
