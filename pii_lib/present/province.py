"""The province report: one object a notebook builds once, one method per section.

:class:`ProvinceReport` reads like the report's table of contents; each method returns
:class:`~pii_lib.present.blocks.Blocks` to display, built by the section modules
(:mod:`.standing_sections`, :mod:`.plan_sections`, :mod:`.provenance_sections`) from the
analysis results. Nothing here computes a figure; every word comes from the wording catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data.layers import Dataset, load_dataset, load_history
from ..method.analysis import analyse_province
from ..method.results import ProvinceAnalysis
from ..model.framework import Framework
from ..model.params import Params, load_params
from ..model.provinces import province_name, region_name, resolve_province
from . import plan_sections, provenance_sections, robustness_sections, standing_sections
from . import whatif as whatif_section
from .blocks import Banner, Blocks, Bullets, Heading, KeyFigures, Para
from .narrative import missing_line, rank_text, summary_paragraph, supply_hint
from .wording import Wording, languages, wording


def keep_kernel_memory_flat() -> None:
    """In a warm kernel reused across provinces, do not keep every displayed result in ``Out``."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is not None:
        shell.displayhook.cache_size = 0
        shell.user_ns.get("Out", {}).clear()


def report_title(w: Wording, province_id: str, edition: int, demo: bool) -> str:
    """Title of a province report (marked for demonstration data)."""
    title = w("report.title", province=province_name(province_id), edition=edition)
    return w("demo.title_prefix") + title if demo else title


@dataclass
class ReportContext:
    """What every section needs: the analysis, its data, the plan and the language."""

    analysis: ProvinceAnalysis
    dataset: Dataset
    params: Params | None
    w: Wording

    @property
    def framework(self) -> Framework:
        """The framework of the analysed edition (completed by imports where they did)."""
        return self.dataset.framework

    @property
    def n(self) -> int:
        """Number of provinces in the edition."""
        return self.dataset.n_provinces

    def name(self, code: str) -> str:
        """An item's name in the report language."""
        return self.framework.name(code, self.w.lang)

    def label(self, code: str) -> str:
        """``code. name`` of an item."""
        return self.w("item.label", code=code, name=self.name(code))

    def num(self, x: float | None, decimals: int = 2) -> str:
        """A number in the report language."""
        return self.w.number(x, decimals)

    def rank(self, rank: int | None, rank_range: list[int] | None = None) -> str:
        """A rank or an informative interval."""
        return rank_text(self.w, rank, rank_range, self.n)

    def missing(self, section: str) -> Blocks:
        """What a section could not compute, and what would supply it (in words)."""
        items = self.analysis.missing_in(section)
        if not items:
            return Blocks()
        hows = list(dict.fromkeys(supply_hint(self.w, m) for m in items))
        return Blocks([Bullets([missing_line(self.w, m) for m in items], "missing",
                               title=self.w("missing.title")),
                       Para(self.w("missing.supply", how=self.w.join(hows)), "note")])


@dataclass
class ProvinceReport:
    """Sections of one province's report, in reading order."""

    ctx: ReportContext

    @classmethod
    def build(cls, province: str, edition: int = 2023, lang: str = "vi",
              data: str | list = "published", params_file: str = "") -> "ProvinceReport":
        """Load checked data and params and run the analysis (one call per notebook)."""
        keep_kernel_memory_flat()
        edition = int(edition)
        pid = resolve_province(province, edition)
        dataset = load_dataset(data, edition)
        params = load_params(params_file) if params_file else None
        analysis = analyse_province(dataset, pid, params, load_history(data, edition))
        w = wording(lang if lang in languages() else "vi")
        return cls(ReportContext(analysis=analysis, dataset=dataset, params=params, w=w))

    @property
    def analysis(self) -> ProvinceAnalysis:
        """The analysis results the report presents."""
        return self.ctx.analysis

    def title(self) -> str:
        """The report's title."""
        return report_title(self.ctx.w, self.analysis.province, self.analysis.edition,
                            self.ctx.dataset.is_demo)

    def header(self) -> Blocks:
        """Demo banner (for demo data) and the lead paragraph."""
        c, a, w = self.ctx, self.analysis, self.ctx.w
        out = Blocks()
        if c.dataset.is_demo:
            out.append(Banner(w("demo.banner")))
        region = region_name(a.region_id, w.lang)
        out.append(Para(w("report.lead", name=a.name, region=region, edition=a.edition,
                          n=c.n, source=w(f"source.kind.{c.dataset.kind}")), "lead"))
        if c.framework.completed_from:
            out.append(Para(w("report.framework_completed", edition=a.edition,
                              files=", ".join(c.framework.completed_from)), "note"))
        return out

    def key_figures(self) -> Blocks:
        """Headline cards and the generated summary paragraph."""
        c, a, w = self.ctx, self.analysis, self.ctx.w
        pii, goal, proj = a.position.pii, a.goal, a.projection
        subs = {s.code: s for s in a.position.subindices}
        cards = [(w("card.pii"), c.num(pii.score), w("card.pii_sub")),
                 (w("card.rank"), c.rank(pii.rank, pii.rank_range), w("card.rank_sub"))]
        if subs["IN"].score is not None or subs["OUT"].score is not None:
            cards.append((w("card.in_out"), w("card.in_out_value",
                                               input=c.num(subs["IN"].score),
                                               output=c.num(subs["OUT"].score)),
                           w("card.in_out_sub")))
        if goal.status == "reached":
            cards.append((w("card.goal_reached", rank=goal.rank),
                          w.signed(goal.margin) if goal.margin is not None else "✓",
                          w("card.margin_sub", next=goal.rank + 1)
                          if goal.margin_basis == "next_rank" else
                          w("card.margin_at_least_sub", rank=goal.rank)
                          if goal.margin is not None else w("card.reached_sub")))
        elif goal.status == "gap":
            cards.append((w("card.goal_gap", rank=goal.rank), c.num(goal.points_needed),
                          w("card.goal_gap_sub")))
        if proj.pii is not None:
            cards.append((w("card.projection"), c.num(proj.pii),
                          w("card.projection_sub", rank=c.rank(proj.rank, proj.rank_range))))
        return Blocks([Heading(w("section.key")), KeyFigures(cards),
                       Para(summary_paragraph(w, a))])

    def position(self) -> Blocks:
        """Pillars and sub-pillars against national median, rank-10 score and region; how
        robust the rank is where every province's data are complete."""
        out = standing_sections.position(self.ctx)
        out.extend(robustness_sections.province_sentence(self.ctx))
        return out

    def strengths(self) -> Blocks:
        """Strengths and weaknesses, grouped by the rule that found them."""
        return standing_sections.strengths(self.ctx)

    def leverage(self) -> Blocks:
        """Effective weights and headroom: where a score point buys most PII."""
        return standing_sections.leverage(self.ctx)

    def targets(self) -> Blocks:
        """Targets and gaps in score and raw units."""
        return plan_sections.targets(self.ctx)

    def projection(self) -> Blocks:
        """Projected PII, rank, pillars and pillar goals if every target is met."""
        return plan_sections.projection(self.ctx)

    def goal(self) -> Blocks:
        """Points needed for the goal rank (or the margin) and the cheapest path."""
        return plan_sections.goal(self.ctx)

    def what_if(self) -> Blocks:
        """The what-if simulator (HTML report only; the PDF keeps the static projection)."""
        return whatif_section.what_if(self.ctx)

    def peers(self) -> Blocks:
        """Region members and rank neighbours at pillar level."""
        return standing_sections.peers(self.ctx)

    def trend(self) -> Blocks:
        """PII across editions with comparability notes and the 2025 crosswalk."""
        return standing_sections.trend(self.ctx)

    def responsibilities(self) -> Blocks:
        """Indicator → lead unit, partners, timeline (from the plan's params)."""
        return plan_sections.responsibilities(self.ctx)

    def sources(self) -> Blocks:
        """Data coverage, sources grouped by origin, disagreements, method notes."""
        return provenance_sections.sources(self.ctx)

    def supply(self) -> Blocks:
        """How to supply what is missing, in words (an appendix)."""
        return provenance_sections.supply(self.ctx)

    def stamp(self) -> Blocks:
        """Package version, data checksums, params checksum, generation time."""
        return provenance_sections.stamp(self.ctx)
