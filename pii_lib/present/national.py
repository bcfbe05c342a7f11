"""The national overview of one edition: ranking, regional averages, distribution, leaders by
pillar, largest movers and, where every province's data are complete, how robust the ranks are.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data.layers import Dataset, load_dataset, load_history
from ..method.context import edition_context
from ..method.results import NationalOverview
from ..model.framework import edition_info
from ..model.provinces import province_name, region_name
from . import charts, robustness_sections
from .blocks import Banner, Blocks, Heading, Para, Table
from .narrative import rank_text
from .province import keep_kernel_memory_flat
from .provenance_sections import source_label
from .wording import Wording, languages, wording


@dataclass
class NationalReport:
    """Sections of the national overview of one edition."""

    dataset: Dataset
    overview: NationalOverview
    w: Wording

    @classmethod
    def build(cls, edition: int = 2023, lang: str = "vi", data: str | list = "published"
              ) -> "NationalReport":
        """Load the edition's data and compute the national picture (one call per notebook)."""
        keep_kernel_memory_flat()
        edition = int(edition)
        dataset = load_dataset(data, edition)
        previous = load_history(data, edition).get(edition - 1)
        overview = NationalReport._overview(dataset, previous)
        return cls(dataset=dataset, overview=overview,
                   w=wording(lang if lang in languages() else "vi"))

    @staticmethod
    def _overview(dataset: Dataset, previous: Dataset | None) -> NationalOverview:
        from ..method.standing import national

        return national(edition_context(dataset), previous)

    def title(self) -> str:
        """The page title."""
        w = self.w
        title = w("national.title", edition=self.dataset.edition)
        return w("demo.title_prefix") + title if self.dataset.is_demo else title

    def header(self) -> Blocks:
        """Demo banner and the lead paragraph."""
        w, info = self.w, edition_info(self.dataset.edition)
        out = Blocks([Banner(w("demo.banner"))] if self.dataset.is_demo else [])
        out.append(Para(w("national.lead", edition=self.dataset.edition,
                          n=info["n_provinces"], date=w.date(info["published"])), "lead"))
        return out

    def ranking(self) -> Blocks:
        """Ranking chart and table of every province with a score or rank."""
        w, nat = self.w, self.overview
        out = Blocks([Heading(w("national.ranking"))])
        if any(r.score is not None for r in nat.ranking):
            out.append(charts.ranking_chart(w, nat.ranking, w("national.ranking_caption")))
        rows = [[rank_text(w, r.rank, None, nat.n), province_name(r.province),
                 region_name(r.region, w.lang), w.number(r.score)] for r in nat.ranking]
        out.append(Table([w("col.rank"), w("col.province"), w("col.region"), w("col.pii")],
                         rows, align="rllr"))
        if nat.n_known < nat.n:
            out.append(Para(w("national.known", have=len(nat.ranking), n=nat.n), "missing"))
        return out

    def regions(self) -> Blocks:
        """Average PII per region, with its source."""
        w, nat = self.w, self.overview
        rows = [[region_name(r.region, w.lang), w.number(r.average),
                 w("sources.computed") if r.source == "computed" else
                 source_label(w, r.source) if r.source else w.number(None)]
                for r in nat.regions]
        return Blocks([Heading(w("national.regions")),
                       Table([w("col.region"), w("col.average"), w("col.source")], rows,
                             align="lrl")])

    def distribution(self) -> Blocks:
        """Histogram and quartiles (only when every province has a score)."""
        w, nat = self.w, self.overview
        if not nat.quartiles:
            return Blocks()
        q = nat.quartiles
        scores = [r.score for r in nat.ranking if r.score is not None]
        return Blocks([
            Heading(w("national.distribution")),
            charts.distribution_chart(w, scores, w("national.distribution_caption")),
            Table([w("col.q_min"), w("col.q1"), w("col.q_median"), w("col.q3"), w("col.q_max")],
                  [[w.number(q[k]) for k in ("min", "q1", "median", "q3", "max")]],
                  align="rrrrr")])

    def leaders(self) -> Blocks:
        """The province(s) ranked first in each pillar."""
        w, fw = self.w, self.dataset.framework
        rows = [[w("item.label", code=p, name=fw.name(p, w.lang)),
                 ", ".join(province_name(x) for x in who) or w("national.leaders_none")]
                for p, who in self.overview.leaders.items()]
        return Blocks([Heading(w("national.leaders")),
                       Table([w("col.pillar"), w("col.rank_one")], rows, align="ll")])

    def movers(self) -> Blocks:
        """Largest rank changes against the previous edition of the same provinces."""
        w, nat = self.w, self.overview
        if not nat.movers:
            return Blocks()
        rows = [[province_name(m["province"]), str(m["rank_before"]), str(m["rank_now"]),
                 w.signed(m["rank_change"], 0)] for m in nat.movers]
        return Blocks([Heading(w("national.movers")),
                       Table([w("col.province"), w("col.rank_before"), w("col.rank_now"),
                              w("col.delta")], rows, align="lrrr")])

    def robustness(self) -> Blocks:
        """How robust the ranks are (Monte Carlo over methodological choices), only where every
        province's data are complete."""
        return robustness_sections.national_section(self.w, self.dataset)
