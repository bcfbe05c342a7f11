"""The PII framework of each edition: indicators → sub-pillars → pillars → sub-indices → PII.

Frameworks are data (``data/framework/pii_<edition>.csv``), one file per edition, listed in
``data/framework/editions.yaml``. This module loads and checks them and derives what follows
from the tree alone, such as each indicator's effective weight in the PII.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from .. import DATA_DIR
from ..errors import InputError
from ..text import nfc

FRAMEWORK_DIR = DATA_DIR / "framework"
LEVELS = ("indicator", "subpillar", "pillar", "subindex", "pii")
PARENT_LEVEL = {"indicator": "subpillar", "subpillar": "pillar", "pillar": "subindex",
                "subindex": "pii", "pii": None}
COLUMNS = ("code", "level", "parent", "name_vi", "name_en", "unit_vi", "unit_en", "direction",
           "weight", "code_status", "source")


@lru_cache(maxsize=1)
def editions() -> dict[int, dict]:
    """Edition metadata from ``editions.yaml`` keyed by year."""
    with open(FRAMEWORK_DIR / "editions.yaml", encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return {int(k): v for k, v in raw.items()}


def edition_info(edition: int | str) -> dict:
    """Metadata of one edition (framework file, number of provinces, completeness, notes).

    Raises
    ------
    InputError
        If the edition does not exist.
    """
    known = editions()
    try:
        year = int(edition)
    except (TypeError, ValueError):
        year = None
    if year not in known:
        raise InputError(f"expected an edition among {', '.join(map(str, sorted(known)))}",
                         column="edition", value=str(edition), has_value=True)
    return known[year]


@dataclass(frozen=True)
class Framework:
    """One edition's framework tree.

    Attributes
    ----------
    edition
        Edition year.
    table
        One row per node: ``code, level, parent, name_vi, name_en, unit_vi, unit_en,
        direction, weight, code_status, source``.
    complete
        False when only part of the framework is public (raw-value scoring is then refused).
    expected
        Expected node counts per level (e.g. ``{"indicator": 52}``).
    """

    edition: int
    table: pd.DataFrame
    complete: bool = True
    expected: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        records = self.table.to_dict("records")
        children: dict[str, list[str]] = {}
        for rec in records:
            children.setdefault(rec["parent"], []).append(rec["code"])
        object.__setattr__(self, "_rows", {rec["code"]: rec for rec in records})
        object.__setattr__(self, "_children", children)

    def __hash__(self) -> int:  # frameworks are cached per edition; identity is enough
        return id(self)

    @property
    def indicators(self) -> list[str]:
        """Indicator codes in framework order."""
        return self.codes("indicator")

    def codes(self, level: str) -> list[str]:
        """Codes of one level in framework order."""
        return self.table.loc[self.table["level"] == level, "code"].tolist()

    def children(self, code: str) -> list[str]:
        """Direct children of a node."""
        return list(self._children.get(code, []))

    def parent(self, code: str) -> str | None:
        """Parent code of a node (None for the PII)."""
        value = self.row(code)["parent"]
        return value or None

    def ancestors(self, code: str) -> list[str]:
        """Ancestors from the parent up to ``PII``."""
        out = []
        node = self.parent(code)
        while node:
            out.append(node)
            node = self.parent(node)
        return out

    def row(self, code: str) -> dict:
        """The framework row of a code (raises ``InputError`` for an unknown code)."""
        try:
            return self._rows[code]
        except KeyError:
            raise InputError(f"expected a code of the PII {self.edition} framework",
                             column="code", value=code) from None

    def has(self, code: str) -> bool:
        """True when ``code`` is a node of this framework."""
        return code in self._rows

    def level_of(self, code: str) -> str:
        """Level of a code (indicator, subpillar, pillar, subindex, pii)."""
        return str(self.row(code)["level"])

    def name(self, code: str, lang: str = "vi") -> str:
        """Display name of a node in ``vi`` or ``en``."""
        return str(self.row(code)["name_en" if lang == "en" else "name_vi"])

    def unit(self, code: str, lang: str = "vi") -> str:
        """Unit of an indicator's raw value (empty when unknown)."""
        return str(self.row(code)["unit_en" if lang == "en" else "unit_vi"])

    def direction(self, code: str) -> int:
        """1 when higher is better, -1 when lower is better."""
        return int(self.row(code)["direction"])

    def pillar_of(self, code: str) -> str | None:
        """The pillar a node belongs to (itself for a pillar)."""
        if self.level_of(code) == "pillar":
            return code
        for anc in self.ancestors(code):
            if self.level_of(anc) == "pillar":
                return anc
        return None

    def effective_weights(self) -> pd.Series:
        """Weight of every indicator in the PII (sums to 1 over a complete framework).

        Because every aggregate is a weighted mean, ``ΔPII = Σ wᵢ · Δscoreᵢ`` exactly while the
        national min and max of each indicator are unchanged. With unit weights this gives
        ½·⅕·1/n_sub·1/n_ind for input indicators and ½·½·1/n_sub·1/n_ind for output ones.

        Returns
        -------
        pandas.Series
            Indexed by indicator code, in framework order.
        """
        return self.node_weights().loc[self.indicators]

    def node_weights(self) -> pd.Series:
        """Effective weight in the PII of every node of the tree (PII itself = 1)."""
        table = self.table.set_index("code")
        weights = table["weight"].astype(float)
        sibling_total = table.groupby("parent")["weight"].transform("sum").astype(float)
        share = (weights / sibling_total).where(table["parent"] != "", 1.0)
        out: dict[str, float] = {}
        for code in self.table["code"]:
            value = share[code]
            for anc in self.ancestors(code):
                value *= share[anc]
            out[code] = float(value)
        return pd.Series(out, name="effective_weight")

    def require_complete(self, purpose: str) -> None:
        """Raise ``InputError`` when the framework is incomplete and ``purpose`` needs all of it."""
        if self.complete:
            return
        have = len(self.indicators)
        want = self.expected.get("indicator", "?")
        raise InputError(
            f"expected the full PII {self.edition} framework for {purpose}, but only {have} of {want} "
            f"indicators are public (data/framework/pii_{self.edition}.csv is marked incomplete "
            "in editions.yaml); supply sub-pillar, pillar or sub-index scores instead, or add the "
            "missing indicators to the framework file",
            column="edition", value=self.edition,
        )


def _check_table(table: pd.DataFrame, path: Path) -> None:
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}",
                         file=path, row=1)
    seen: set[str] = set()
    levels = dict(zip(table["code"], table["level"]))
    for i, rec in enumerate(table.to_dict("records"), start=2):
        if rec["code"] in seen:
            raise InputError("expected unique codes (duplicate row)", file=path, row=i,
                             column="code", value=rec["code"])
        seen.add(rec["code"])
        if rec["level"] not in LEVELS:
            raise InputError(f"expected one of {', '.join(LEVELS)}", file=path, row=i,
                             column="level", value=rec["level"])
        want_parent = PARENT_LEVEL[rec["level"]]
        if want_parent is None:
            if rec["parent"]:
                raise InputError("expected no parent for the PII row", file=path, row=i,
                                 column="parent", value=rec["parent"])
        elif levels.get(rec["parent"]) != want_parent:
            raise InputError(f"expected the code of an existing {want_parent}", file=path, row=i,
                             column="parent", value=rec["parent"], has_value=True)
        if str(rec["direction"]) not in ("1", "-1"):
            raise InputError("expected 1 (higher is better) or -1 (lower is better)", file=path,
                             row=i, column="direction", value=rec["direction"])
        try:
            weight = float(rec["weight"])
        except ValueError:
            weight = -1.0
        if not weight > 0:
            raise InputError("expected a positive number", file=path, row=i, column="weight",
                             value=rec["weight"])


def read_framework(path: str | Path, edition: int, *, complete: bool = True,
                   expected: dict | None = None) -> Framework:
    """Read and check a framework CSV.

    Raises
    ------
    InputError
        On a malformed file, or when a file marked complete misses nodes.
    """
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"expected a UTF-8 CSV framework file ({exc.__class__.__name__})",
                         file=path) from None
    for col in table.columns:
        table[col] = table[col].map(nfc)
    _check_table(table, path)
    table["direction"] = table["direction"].astype(int)
    table["weight"] = table["weight"].astype(float)
    expected = dict(expected or {})
    if complete:
        for level, want in expected.items():
            have = int((table["level"] == level).sum())
            if have != int(want):
                raise InputError(f"expected {want} {level} rows for a complete framework, "
                                 f"found {have}", file=path, column="level", value=level)
    return Framework(edition=int(edition), table=table.reset_index(drop=True),
                     complete=complete, expected=expected)


@lru_cache(maxsize=None)
def load_framework(edition: int | str) -> Framework:
    """The committed framework of an edition (cached)."""
    info = edition_info(edition)
    return read_framework(FRAMEWORK_DIR / info["framework"], int(edition),
                          complete=bool(info.get("complete", True)),
                          expected=info.get("expected_counts", {}))
