"""Seeded generator of the synthetic demonstration dataset.

The demo data are raw values for all indicators and all provinces of the 2023 and 2024
editions, made up by this generator (nothing here is a real PII figure). Distributions are
plausible rather than realistic: skewed counts per population or per firm, shares, PCI-type
0–10 scores, some zeros, a few missing values. Every report built on them says "demo".
Regenerate with ``python -m pii_lib.demo``; a test checks the committed files equal a fresh
generation.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import DATA_DIR
from ..errors import InputError
from ..method.scoring import score_raw
from ..model.framework import edition_info, load_framework
from ..model.provinces import province_ids
from .layers import Dataset, Layer, display_path
from .tables import TIDY_COLUMNS, file_checksum, read_raw_values

log = logging.getLogger(__name__)

DEMO_DIR = DATA_DIR / "demo"
DEMO_EDITIONS = (2023, 2024)
SEED = 20231  # fixed: the demo dataset must be reproducible
MISSING_SHARE = 0.006
ZERO_SHARE_STARTUPS = 0.3


def _profile(unit: str) -> str:
    unit = unit.lower()
    if "pci" in unit:
        return "pci"
    if "par" in unit:
        return "par"
    if "0–1" in unit:
        return "index01"
    if unit.strip() == "chỉ số":
        return "index100"
    if unit.startswith("%"):
        return "share"
    if "/" in unit or "tỷ" in unit or "triệu" in unit:
        return "count"
    return "points"


def _draw(profile: str, capacity: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = capacity.size
    noise = rng.normal(0.0, 1.0, n)
    signal = 0.5 * capacity + 0.9 * noise
    if profile == "pci":
        return np.clip(6.5 + 0.45 * signal, 0, 10)
    if profile == "par":
        return np.clip(86 + 3.0 * signal, 0, 100)
    if profile == "index01":
        return np.clip(0.72 + 0.03 * signal, 0, 1)
    if profile == "index100":
        return 104 + 4 * signal
    if profile == "share":
        return 100 / (1 + np.exp(-(signal - 1.2)))
    if profile == "count":
        return np.exp(1.0 + 0.55 * signal)
    return np.clip(55 + 12 * signal, 0, 100)


def generate(edition: int, seed: int = SEED) -> pd.DataFrame:
    """Synthetic raw values ``province_id, code, value`` for one edition.

    2024 values evolve from 2023's with a random growth factor, so trends look plausible.
    """
    framework = load_framework(edition)
    provinces = province_ids(edition)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy=seed)))
    capacity = rng.normal(0.0, 1.0, len(provinces))
    columns: dict[str, np.ndarray] = {}
    for code in framework.indicators:
        columns[code] = _draw(_profile(framework.unit(code)), capacity, rng)
    table = pd.DataFrame(columns, index=provinces)
    table["6.3.3"] = table["6.3.3"].where(rng.random(len(provinces)) > ZERO_SHARE_STARTUPS, 0.0)
    if edition != DEMO_EDITIONS[0]:
        previous = generate(DEMO_EDITIONS[0], seed).pivot(
            index="province_id", columns="code", values="value").reindex(
            index=table.index, columns=table.columns)
        growth = rng.normal(1.03, 0.08, table.shape)
        table = previous.fillna(table) * growth
    mask = rng.random(table.shape) < MISSING_SHARE
    table = table.mask(mask).round(4)
    table.index.name = "province_id"
    table.columns.name = "code"
    long = table.stack(future_stack=True).rename("value").reset_index()
    return long


def demo_path(edition: int) -> Path:
    """Path of the committed demo raw-value file of an edition."""
    return DEMO_DIR / f"raw_{edition}.csv"


@lru_cache(maxsize=4)
def demo_dataset(edition: int) -> Dataset:
    """The demonstration dataset of an edition: the committed synthetic raw values, scored.

    Raises
    ------
    InputError
        For an edition without demo data.
    """
    path = demo_path(edition)
    if not path.exists():
        raise InputError("demo_edition", column="edition", value=edition,
                         editions=", ".join(map(str, DEMO_EDITIONS)))
    framework = load_framework(edition)
    raw = read_raw_values(path, edition)
    result = score_raw(raw, framework)
    tidy = result.scores.copy()
    tidy.insert(0, "year", edition)
    bounds = result.bounds.set_index("code")
    is_ind = tidy["level"] == "indicator"
    tidy["min"] = tidy["code"].map(bounds["min"]).where(is_ind)
    tidy["max"] = tidy["code"].map(bounds["max"]).where(is_ind)
    rel = display_path(path)
    tidy["source"] = f"DEMO: {rel}"
    tidy["basis"] = "demo"
    layer = Layer(kind="demo", rows=tidy[TIDY_COLUMNS], files={rel: file_checksum(path)})
    return Dataset(edition=edition, kind="demo", scores=tidy[TIDY_COLUMNS + ["n_available",
                                                                           "n_expected"]],
                   framework=framework, layers=[layer],
                   n_provinces=int(edition_info(edition)["n_provinces"]))


def write_demo(directory: Path = DEMO_DIR) -> list[Path]:
    """Write the demo raw-value files for every demo edition; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for edition in DEMO_EDITIONS:
        path = directory / f"raw_{edition}.csv"
        generate(edition).to_csv(path, index=False, float_format="%.4f", lineterminator="\n")
        paths.append(path)
        log.info("wrote %s", path)
    return paths


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    logging.basicConfig(level=logging.INFO)
    write_demo()
