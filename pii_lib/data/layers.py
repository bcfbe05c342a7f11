"""A report's data as a stack of layers: the edition's published figures, then imported files.

``--data`` names the stack: ``published`` (the default), ``demo`` (synthetic, complete; never
mixed with real data), or one or more directories written by ``pii import`` — comma-separated
or repeated — which stack, in the order given, **on top of the published figures**. For each
figure (province × code × column) the topmost layer that has it wins; a disagreement larger
than rounding (0.005 for scores and values, any difference for ranks) is kept as a
:class:`~pii_lib.method.results.Conflict` so the report can list it. Aggregates are computed
once, on the merged stack, and only where every child is known (labelled ``computed``).

An imported layer may complete a partial framework for the run: ``framework_<edition>.csv``
written by ``pii import`` beside the data adds the sub-pillars and indicators its file listed.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import PROJECT_DIR
from ..errors import InputError
from ..method.results import Conflict
from ..method.scoring import aggregate
from ..model.framework import Framework, edition_info, load_framework
from .tables import KEY, TIDY_COLUMNS, file_checksum, read_text_table, validate_tidy

log = logging.getLogger(__name__)

SCORE_TOLERANCE = 0.005   # two figures that round to the same 2 decimals agree
DATA_COLUMNS = ("value", "min", "max", "score", "rank")


def display_path(path: str | Path) -> str:
    """A path as a report shows it: relative to the project when inside it, else its name."""
    path = Path(path).resolve()
    try:
        shown = str(path.relative_to(PROJECT_DIR.resolve()))
    except ValueError:
        shown = path.name
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass
class Layer:
    """One layer of data: its kind, the files it came from and its given rows (tidy)."""

    kind: str                       # published | demo | imported
    rows: pd.DataFrame
    files: dict[str, str] = field(default_factory=dict)   # display path → checksum
    framework_rows: list[dict] = field(default_factory=list)
    framework_source: str = ""


@dataclass
class Dataset:
    """Scores of one edition from a stack of layers.

    Attributes
    ----------
    edition, kind
        Edition year and ``published`` | ``demo`` | ``imported`` (any imported layer).
    scores
        Tidy table (see :mod:`pii_lib.data.tables`) of the edition, aggregates completed.
    framework
        The edition's framework, completed by imported layers where they list new items.
    layers
        Kinds and files of the layers, bottom to top.
    conflicts
        Figures on which layers disagree by more than rounding.
    """

    edition: int
    kind: str
    scores: pd.DataFrame
    framework: Framework
    layers: list[Layer] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    n_provinces: int = 0
    regional_averages: dict[str, tuple[float, str]] = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)

    @property
    def is_demo(self) -> bool:
        """True for the synthetic demonstration dataset."""
        return self.kind == "demo"

    @property
    def files(self) -> dict[str, str]:
        """Every file the data came from, with its checksum."""
        out: dict[str, str] = {}
        for layer in self.layers:
            out.update(layer.files)
        return out

    @property
    def bounds(self) -> pd.DataFrame:
        """National ``min``/``max`` per indicator code, where known."""
        ind = self.scores[(self.scores["level"] == "indicator") & self.scores["min"].notna()
                          & self.scores["max"].notna()]
        return ind.groupby("code")[["min", "max"]].first().reset_index()

    def wide(self, column: str = "score") -> pd.DataFrame:
        """Provinces × codes table of ``score`` (or ``rank``, ``value``)."""
        return self.scores.pivot_table(index="province_id", columns="code", values=column,
                                       aggfunc="first")

    def item(self, province_id: str, code: str) -> pd.Series | None:
        """The tidy row of one province and code, or None."""
        hit = self.scores[(self.scores["province_id"] == province_id)
                          & (self.scores["code"] == code)]
        return None if hit.empty else hit.iloc[0]


def complete_upper_levels(tidy: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Add the aggregates that the given rows fully determine (all children given).

    A node is computed only when the framework lists all of its children; the new rows (or
    scores added to rows that had only a rank) are labelled ``basis = computed``.
    """
    wide = tidy.pivot_table(index="province_id", columns="code", values="score", aggfunc="first")
    if wide.empty:
        return tidy
    whole = {c for c in framework.table["code"]
             if framework.children(c) and framework.n_children(c) == len(framework.children(c))}
    completed, _, _ = aggregate(wide, framework, min_coverage=1.0, keep_given=True,
                                only=whole)
    tidy = tidy.copy().reset_index(drop=True)
    index = {(p, c): i for i, (p, c) in enumerate(zip(tidy["province_id"], tidy["code"]))}
    added = []
    for pid in completed.index:
        for code in completed.columns:
            val = completed.at[pid, code]
            if np.isnan(val) or (code in wide.columns and not np.isnan(wide.at[pid, code])):
                continue
            source = "computed: " + ", ".join(framework.children(code))
            if (pid, code) in index:  # a given rank without its score
                i = index[(pid, code)]
                tidy.at[i, "score"] = val
                tidy.at[i, "basis"] = "computed"
                continue
            added.append({"year": framework.edition, "province_id": pid,
                          "level": framework.level_of(code), "code": code, "score": val,
                          "source": source, "basis": "computed"})
    if added:
        tidy = pd.concat([tidy, pd.DataFrame(added)], ignore_index=True)
    return tidy


def merge_layers(layers: list[Layer]) -> tuple[pd.DataFrame, list[Conflict]]:
    """Merge given rows bottom to top: per column the topmost known value wins."""
    merged: dict[tuple, dict] = {}
    conflicts: list[Conflict] = []
    for layer in layers:
        for rec in layer.rows.to_dict("records"):
            key = tuple(rec[k] for k in KEY)
            below = merged.get(key)
            if below is None:
                merged[key] = dict(rec)
                continue
            for col in DATA_COLUMNS:
                new = rec.get(col)
                if new is None or pd.isna(new):
                    continue
                old = below.get(col)
                if old is not None and not pd.isna(old):
                    tol = 0 if col == "rank" else SCORE_TOLERANCE
                    if abs(float(new) - float(old)) > tol + 1e-12:
                        conflicts.append(Conflict(
                            province=rec["province_id"], code=rec["code"], column=col,
                            kept=float(new), kept_source=rec["source"], other=float(old),
                            other_source=below["source"]))
                below[col] = new
            below["source"] = rec["source"] if below["source"] == rec["source"] else \
                f"{rec['source']} ; {below['source']}"
            below["basis"] = rec["basis"]
    table = pd.DataFrame(list(merged.values()), columns=TIDY_COLUMNS)
    table["rank"] = table["rank"].astype("Int64")
    return table, conflicts


def imported_layers(directory: Path, edition: int, base: Framework
                    ) -> tuple[list[Layer], Framework]:
    """The layers of an import directory for one edition (one per file), and the framework
    completed by the directory's ``framework_<edition>.csv`` if any."""
    from .imported import read_framework_extension

    framework = base
    ext = directory / f"framework_{edition}.csv"
    if ext.is_file():
        framework = base.extended(read_framework_extension(ext, base), display_path(ext))
    layers = []
    for path in sorted(directory.glob("*.csv")):
        if path.name.startswith("framework_"):
            continue
        rows = validate_tidy(read_text_table(path), path, edition=edition, framework=framework)
        if rows.empty:
            continue
        rows = rows[rows["basis"] != "computed"]
        layers.append(Layer(kind="imported", rows=rows,
                            files={display_path(path): file_checksum(path)}))
    return layers, framework


def parse_stack(source: str | Path | list) -> list[str]:
    """The layer names of a ``--data`` value (comma-separated or a list)."""
    items = source if isinstance(source, (list, tuple)) else [source]
    names = [part.strip() for item in items for part in str(item).split(",") if part.strip()]
    if not names:
        raise InputError("data_source", column="data", value=str(source))
    if "demo" in names and len(set(names)) > 1:
        raise InputError("demo_mixed", column="data", value=",".join(names))
    return names


def load_dataset(source: str | Path | list, edition: int) -> Dataset:
    """Load the scores of an edition from a stack of layers.

    Parameters
    ----------
    source
        ``"published"`` (default real figures), ``"demo"`` (synthetic), or directories written
        by ``pii import`` (a comma-separated string or a list), stacked on the published
        figures in the order given.
    edition
        Edition year.

    Raises
    ------
    InputError
        For an unknown edition, a missing directory, demo mixed with real data, or a bad file.
    """
    info = edition_info(edition)
    edition = int(edition)
    names = parse_stack(source)
    if names == ["demo"]:
        from .demo import demo_dataset

        return demo_dataset(edition)
    from .published import published_findings, published_layer, published_regional_averages

    framework = load_framework(edition)
    layers = [published_layer(edition)]
    for name in names:
        if name == "published":
            continue
        directory = Path(name)
        if not directory.is_dir():
            raise InputError("data_source", column="data", value=name)
        if not os.access(directory, os.R_OK | os.X_OK):  # glob would silently find nothing
            raise InputError("file_unreadable", file=directory, reason="EACCES")
        found, framework = imported_layers(directory, edition, framework)
        layers.extend(found)
    merged, conflicts = merge_layers(layers)
    scores = complete_upper_levels(merged, framework)
    kind = "imported" if any(layer.kind == "imported" for layer in layers) else "published"
    return Dataset(edition=edition, kind=kind, scores=scores[TIDY_COLUMNS], framework=framework,
                   layers=layers, conflicts=conflicts, n_provinces=int(info["n_provinces"]),
                   regional_averages=published_regional_averages(edition),
                   findings=published_findings(edition))


def load_history(source: str | Path | list, edition: int) -> dict[int, Dataset]:
    """The same data stack for every other edition that has one (for trends and movers)."""
    from ..model.framework import editions

    out = {}
    for other in editions():
        if other == int(edition):
            continue
        try:
            out[other] = load_dataset(source, other)
        except InputError:
            continue
    return out
