"""The PII framework of each edition: indicators → sub-pillars → pillars → sub-indices → PII.

Frameworks are data (``data/framework/pii_<edition>.csv``), one file per edition, listed in
``data/framework/editions.yaml``. This module loads and checks them and derives what follows
from the tree alone, such as each indicator's effective weight in the PII.

A framework may be partial (2025: only part of it is public). Its file then says, per node, how
many children the node has when a source states it (column ``n_children``); an indicator's
effective weight is known only when every ancestor's number of children is known. A user's
import may complete a partial framework for one run (:meth:`Framework.extended`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from .. import DATA_DIR
from ..errors import InputError, ProblemList
from ..text import nfc

FRAMEWORK_DIR = DATA_DIR / "framework"
LEVELS = ("indicator", "subpillar", "pillar", "subindex", "pii")
PARENT_LEVEL = {"indicator": "subpillar", "subpillar": "pillar", "pillar": "subindex",
                "subindex": "pii", "pii": None}
COLUMNS = ("code", "level", "parent", "name_vi", "name_en", "unit_vi", "unit_en", "direction",
           "weight", "code_status", "source")
OPTIONAL_COLUMNS = ("n_children", "name_basis")


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
        raise InputError("edition", column="edition", value=str(edition),
                         editions=", ".join(map(str, sorted(known))))
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
        direction, weight, code_status, source, n_children, name_basis``.
    complete
        False when only part of the framework is known (raw-value scoring is then refused).
    expected
        Expected node counts per level (e.g. ``{"indicator": 52}``).
    completed_from
        Files that completed a partial framework for this run (empty for the committed one).
    """

    edition: int
    table: pd.DataFrame
    complete: bool = True
    expected: dict = field(default_factory=dict)
    completed_from: tuple[str, ...] = ()

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

    def expected_count(self, level: str) -> int:
        """Number of nodes of a level in the full framework (the known count when complete)."""
        return int(self.expected.get(level, len(self.codes(level))))

    def children(self, code: str) -> list[str]:
        """Direct children of a node (those the framework file lists)."""
        return list(self._children.get(code, []))

    def parent(self, code: str) -> str | None:
        """Parent code of a node (None for the PII)."""
        return self.row(code)["parent"] or None

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
            raise InputError("framework_code", column="code", value=code,
                             edition=self.edition) from None

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
        return next((a for a in self.ancestors(code) if self.level_of(a) == "pillar"), None)

    def n_children(self, code: str) -> int | None:
        """How many children a node has in the full framework (None when unknown)."""
        declared = self.row(code).get("n_children")
        if declared not in (None, "") and not (isinstance(declared, float) and
                                               math.isnan(declared)):
            return int(float(declared))
        listed = len(self.children(code))
        return listed if self.complete and listed else None

    def effective_weights(self) -> pd.Series:
        """Weight of every indicator in the PII (sums to 1 over a complete framework).

        Because every aggregate is a weighted mean, ``ΔPII = Σ wᵢ · Δscoreᵢ`` exactly while the
        national min and max of each indicator are unchanged. With unit weights this gives
        ½·⅕·1/n_sub·1/n_ind for input indicators and ½·½·1/n_sub·1/n_ind for output ones.
        NaN where the framework does not say how many siblings an ancestor has.

        Returns
        -------
        pandas.Series
            Indexed by indicator code, in framework order.
        """
        return self.node_weights().loc[self.indicators]

    def node_weights(self) -> pd.Series:
        """Effective weight in the PII of every node of the tree (PII itself = 1)."""
        share: dict[str, float] = {}
        for parent, kids in self._children.items():
            if not parent:
                continue
            n = self.n_children(parent)
            weights = {k: float(self._rows[k]["weight"]) for k in kids}
            if n is None or n < len(kids):
                value = {k: math.nan for k in kids}
            else:  # siblings not listed count with the default weight 1
                total = sum(weights.values()) + (n - len(kids))
                value = {k: w / total for k, w in weights.items()}
            share.update(value)
        out: dict[str, float] = {}
        for code in self.table["code"]:
            value = 1.0 if not self.parent(code) else share[code]
            for anc in self.ancestors(code):
                if self.parent(anc):
                    value *= share[anc]
            out[code] = float(value)
        return pd.Series(out, name="effective_weight")

    def indicators_weighted(self) -> int:
        """Number of indicators whose effective weight is known."""
        return int(self.effective_weights().notna().sum())

    def require_complete(self, purpose: str) -> None:
        """Raise ``InputError`` when the framework is partial and ``purpose`` needs all of it."""
        if self.complete:
            return
        raise InputError("framework_partial", column="edition", value=self.edition,
                         edition=self.edition, have=len(self.indicators),
                         want=self.expected_count("indicator"), purpose=purpose)

    def extended(self, rows: list[dict], source: str) -> "Framework":
        """A copy completed with nodes from a user's file (for one run).

        Parameters
        ----------
        rows
            New nodes: ``code, level, parent, name_vi`` (other columns default).
        source
            File the nodes come from (recorded in ``completed_from`` and each row's ``source``).
        """
        if not rows:
            return self
        extra = pd.DataFrame([{
            "code": r["code"], "level": r["level"], "parent": r["parent"],
            "name_vi": r.get("name_vi", r["code"]), "name_en": r.get("name_en") or
            r.get("name_vi", r["code"]), "unit_vi": r.get("unit_vi", ""),
            "unit_en": r.get("unit_en", ""), "direction": 1, "weight": 1.0,
            "code_status": "imported", "source": source, "n_children": "",
            "name_basis": "imported"} for r in rows])
        table = _tree_order(pd.concat([self.table, extra], ignore_index=True))
        counts_ok = all(int((table["level"] == lvl).sum()) == int(want)
                        for lvl, want in self.expected.items())
        return Framework(edition=self.edition, table=table, complete=counts_ok,
                         expected=self.expected,
                         completed_from=self.completed_from + (source,))


def _tree_order(table: pd.DataFrame) -> pd.DataFrame:
    """Rows in depth-first order of the tree, siblings in their first-seen order."""
    kids: dict[str, list[int]] = {}
    for i, parent in enumerate(table["parent"]):
        kids.setdefault(parent, []).append(i)
    order: list[int] = []
    stack = list(reversed(kids.get("", [])))
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(reversed(kids.get(table.iloc[i]["code"], [])))
    return table.iloc[order].reset_index(drop=True)


def _check_table(table: pd.DataFrame, path: Path) -> None:
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise InputError("columns_missing", file=path, row=1, missing=", ".join(missing),
                         expected=", ".join(COLUMNS))
    problems = ProblemList()
    seen: set[str] = set()
    levels = dict(zip(table["code"], table["level"]))
    numbers = table.index if table.index.name == "row" else range(2, len(table) + 2)
    for i, rec in zip(numbers, table.to_dict("records")):
        if rec["code"] in seen:
            problems.add(InputError("unique_code", file=path, row=i, column="code",
                                    value=rec["code"]))
        seen.add(rec["code"])
        if rec["level"] not in LEVELS:
            problems.add(InputError("one_of", file=path, row=i, column="level",
                                    value=rec["level"], options=", ".join(LEVELS)))
            continue
        want_parent = PARENT_LEVEL[rec["level"]]
        if want_parent is None:
            if rec["parent"]:
                problems.add(InputError("pii_no_parent", file=path, row=i, column="parent",
                                        value=rec["parent"]))
        elif levels.get(rec["parent"]) != want_parent:
            problems.add(InputError("parent_level", file=path, row=i, column="parent",
                                    value=rec["parent"], level=want_parent))
        if str(rec["direction"]) not in ("1", "-1"):
            problems.add(InputError("direction", file=path, row=i, column="direction",
                                    value=rec["direction"]))
        try:
            weight = float(rec["weight"])
        except ValueError:
            weight = -1.0
        if not weight > 0 or math.isinf(weight):
            problems.add(InputError("positive_number", file=path, row=i, column="weight",
                                    value=rec["weight"]))
        declared = rec.get("n_children", "")
        if declared and not str(declared).isdigit():
            problems.add(InputError("whole_number", file=path, row=i, column="n_children",
                                    value=declared))
    problems.raise_if_any()


def read_framework(path: str | Path, edition: int, *, complete: bool = True,
                   expected: dict | None = None, table: pd.DataFrame | None = None
                   ) -> Framework:
    """Read and check a framework CSV.

    Parameters
    ----------
    table
        The file already read by :func:`pii_lib.data.tables.read_text_table` — always the case
        for a user's file: pandas would take a row with a trailing comma for a row with an
        index, shifting every column (committed files are read with pandas).

    Raises
    ------
    InputError
        On a malformed file, or when a file marked complete misses nodes.
    """
    path = Path(path)
    if table is None:
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8",
                                index_col=False)
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError("framework_csv", file=path, kind=exc.__class__.__name__) \
                from None
    table = table.copy()
    for col in table.columns:
        table[col] = table[col].map(nfc)
    _check_table(table, path)
    for col in OPTIONAL_COLUMNS:
        if col not in table.columns:
            table[col] = ""
    table["direction"] = table["direction"].astype(int)
    table["weight"] = table["weight"].astype(float)
    expected = dict(expected or {})
    if complete:
        for level, want in expected.items():
            have = int((table["level"] == level).sum())
            if have != int(want):
                raise InputError("framework_count", file=path, column="level", value=level,
                                 want=want, have=have, level=level)
    return Framework(edition=int(edition), table=table.reset_index(drop=True),
                     complete=complete, expected=expected)


@lru_cache(maxsize=None)
def load_framework(edition: int | str) -> Framework:
    """The committed framework of an edition (cached)."""
    info = edition_info(edition)
    return read_framework(FRAMEWORK_DIR / info["framework"], int(edition),
                          complete=bool(info.get("complete", True)),
                          expected=info.get("expected_counts", {}))
