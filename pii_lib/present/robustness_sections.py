"""Report sections on how robust the PII ranks are: the national overview's chart and table, and
the sentence of a province report. Shown only where every province's data are complete (demo
data or an imported national table); presentation only — the Monte Carlo is
:func:`pii_lib.method.edition_robustness.edition_robustness`, computed once per dataset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..data.layers import Dataset
from ..method.edition_robustness import edition_robustness
from ..method.robustness import RobustnessResult
from ..model.provinces import province_name
from . import charts
from .blocks import Blocks, Heading, Para, Table
from .wording import Wording

if TYPE_CHECKING:
    from .province import ReportContext


def method_note(w: Wording, result: RobustnessResult) -> str:
    """The method of the simulation in words (draws, seed, weight spread, choices varied)."""
    s = result.settings
    return w("robustness.method", draws=s.draws, seed=s.seed, spread=100 * s.weight_spread)


def province_sentence(c: ReportContext) -> Blocks:
    """``Hạng 11/63; với 90% các cách tính hợp lý … từ hạng 9 đến hạng 14.`` and the method,
    or nothing where the edition's data are incomplete."""
    result = edition_robustness(c.dataset)
    if result is None:
        return Blocks()
    table = result.table.set_index("province_id")
    pid = c.analysis.province
    if pid not in table.index or table.isna().loc[pid, "official_rank"]:
        return Blocks()
    row = table.loc[pid]
    return Blocks([Para(c.w("robustness.sentence", rank=int(row["official_rank"]), n=c.n,
                            best=int(row["rank_p05"]), worst=int(row["rank_p95"]))),
                   Para(method_note(c.w, result), "note")])


def national_section(w: Wording, dataset: Dataset) -> Blocks:
    """Chart of every province's 90 % rank interval and the table of official rank, median
    rank, interval and shift; nothing where the edition's data are incomplete."""
    result = edition_robustness(dataset)
    if result is None:
        return Blocks()
    table = result.table.dropna(subset=["official_rank"])
    rows = [[str(int(r.official_rank)), province_name(r.province_id), str(int(r.median_rank)),
             w("robustness.interval", best=int(r.rank_p05), worst=int(r.rank_p95)),
             str(int(r.rank_shift_p90))] for r in table.itertuples()]
    return Blocks([
        Heading(w("national.robustness")),
        charts.robustness_chart(w, table, w("national.robustness_caption")),
        Para(method_note(w, result), "note"),
        Table([w("col.official_rank"), w("col.province"), w("col.median_rank"),
               w("col.rank_interval"), w("col.rank_shift")], rows, align="rlrrr",
              caption=w("robustness.caption"))])
