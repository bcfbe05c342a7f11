"""The what-if simulator section of the HTML report ("Mô phỏng mục tiêu" / "What-if").

One row per indicator with a known score (the plan's targets first, then by leverage), each
with a slider and a number box; live results (PII, IN/OUT, the seven pillars, the rank, the gap
to the goal) and the raw value each position means. The numbers come from the JSON model of
:func:`pii_lib.method.whatif.simulator_model`, embedded in the page, and plain JavaScript
(``assets/whatif.js``, inlined: no network, no framework) recomputes them exactly as
:func:`pii_lib.method.whatif.evaluate` does.

The section exists in the HTML report only: its Markdown representation (the PDF) is empty,
the PDF shows the static projection instead. Every word comes from the catalogue; every value
placed in HTML is escaped, and the JSON is safe inside ``<script>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..method.context import edition_context
from ..method.scoring import score_to_raw
from ..method.whatif import SimulatorModel, evaluate, simulator_model
from .blocks import Block, Blocks, Heading, h
from .narrative import rank_text
from .wording import Wording

if TYPE_CHECKING:
    from .province import ReportContext

ASSETS = Path(__file__).resolve().parent / "assets"
GAP_EPS = 1e-9  # a PII this close to the goal rank's score has reached it (as in the page)
THUMB_PX = 16  # width of a range thumb: the target mark is placed over the thumb's centre


def script_json(data: object) -> str:
    """JSON that is safe inside ``<script>``: ``<``, ``>`` and ``&`` as ``\\u`` escapes."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def gap_text(w: Wording, result: dict, goal_rank: int) -> str:
    """``cần thêm 1,24`` / ``đạt, hơn 0,70`` (``đạt`` when level to 2 decimals) against the goal
    rank's score; where that score is unknown, ``đạt`` / ``chưa đạt`` when the rank interval
    decides it, else ``—``."""
    gap, rank = result["gap"], result["rank"]
    if gap is not None:
        if gap > GAP_EPS:
            return w("whatif.gap_needed", points=w.number(gap))
        ahead = w.number(-gap)
        return w("whatif.reached") if ahead == w.number(0) else \
            w("whatif.gap_reached", points=ahead)
    if rank and rank[1] <= goal_rank:
        return w("whatif.reached")
    if rank and rank[0] > goal_rank:
        return w("whatif.not_reached")
    return w.number(None)


@dataclass
class WhatIf(Block):
    """The simulator: heading, intro, buttons, live results, one slider row per indicator.

    ``names`` and ``units`` hold each indicator's name and raw unit in the report language;
    ``pillar_labels`` the short pillar labels. The Markdown representation is empty.
    """

    model: SimulatorModel
    w: Wording
    names: dict[str, str]
    units: dict[str, str]
    pillar_labels: dict[str, str]
    title: str
    html_id: str = "whatif"

    def page_model(self) -> dict:
        """What the page's JavaScript reads: the model, the words it fills, the units."""
        t = self.w.templates
        return {"lang": self.w.lang, "model": self.model.to_dict(), "units": self.units,
                "text": {"rank_exact": t["rank.exact"], "rank_interval": t["rank.interval"],
                         "rank_unknown": t["rank.unknown"], "gap_needed": t["whatif.gap_needed"],
                         "gap_reached": t["whatif.gap_reached"], "delta": t["whatif.delta"],
                         "reached": self.w("whatif.reached"),
                         "not_reached": self.w("whatif.not_reached")}}

    def _card(self, label: str, out: str, value: str, sub_out: str = "", small: bool = False
              ) -> str:
        sub = (f'<div class="wi-sub" data-out="{sub_out}"></div>' if sub_out else
               '<div class="wi-sub"></div>')
        cls = "wi-value wi-small" if small else "wi-value"
        return (f'<div class="wi-card"><div class="wi-label">{h(label)}</div>'
                f'<div class="{cls}" data-out="{out}">{h(value)}</div>{sub}</div>')

    def _results(self) -> str:
        w, m = self.w, self.model
        today = evaluate(m, {})
        rank = rank_text(w, None, today["rank"], m.n) if today["pii"] is not None else \
            w("rank.unknown")
        gap = gap_text(w, today, m.goal_rank)
        cards = [self._card(w("whatif.result_pii"), "pii", w.number(today["pii"]), "pii-delta"),
                 self._card(w("whatif.result_rank"), "rank", rank)]
        for code, key in (("IN", "whatif.result_in"), ("OUT", "whatif.result_out")):
            if code in today["subindices"]:
                cards.append(self._card(w(key), f"sub-{h(code)}",
                                        w.number(today["subindices"][code])))
        cards.append(self._card(w("whatif.result_gap", rank=m.goal_rank), "gap", gap,
                                small=True))
        pillars = "".join(
            f'<div class="wi-pillar">{h(self.pillar_labels[p.code])}'
            f'<b data-out="pillar-{h(p.code)}">{h(w.number(today["pillars"][p.code]))}</b></div>'
            for p in m.pillars)
        return (f'<div class="wi-results" aria-live="polite"><div class="wi-cards">'
                f'{"".join(cards)}</div><div class="wi-pillars">{pillars}</div></div>')

    def _buttons(self) -> str:
        w, m = self.w, self.model
        buttons = [("today", "whatif.today", True), ("plan", "whatif.plan", m.has_targets),
                   ("cheapest", "whatif.cheapest", bool(m.cheapest_path))]
        return '<div class="wi-buttons">' + "".join(
            f'<button type="button" data-preset="{name}" '
            f'aria-pressed="{str(name == "today").lower()}" disabled>'
            f'{h(w(key))}</button>' for name, key, shown in buttons if shown) + "</div>"

    def _slider(self, ind, label: str) -> str:
        w, mark = self.w, ""
        if ind.target is not None:
            frac = max(0.0, min(100.0, ind.target)) / 100
            mark = (f'<span class="wi-mark" style="left: calc({THUMB_PX // 2}px + '
                    f'(100% - {THUMB_PX}px) * {frac:.4f})" '
                    f'title="{h(w("whatif.target_mark"))} {h(w.number(ind.target))}"></span>')
        return (f'<span class="wi-track"><input type="range" class="wi-slider" min="0" '
                f'max="100" step="0.01" value="{float(ind.score)!r}" aria-label="{h(label)}">'
                f'{mark}</span><input type="text" class="wi-box" inputmode="decimal" '
                f'value="{h(w.number(ind.score))}" aria-label="{h(label)}">')

    def _raw(self, ind) -> str:
        if ind.national_min is None:
            return ""
        value = score_to_raw(ind.score, ind.national_min, ind.national_max, ind.direction)
        unit = self.units.get(ind.code, "")
        return self.w.number(value) + (f" {unit}" if unit else "")

    def _rows(self) -> str:
        w, m = self.w, self.model
        any_target = m.has_targets
        any_raw = any(i.national_min is not None for i in m.indicators)
        # (css class, alignment, header, cell) per column; the header doubles as the label of
        # a cell on narrow screens, where each row is laid out as a card
        columns = [("wi-code", "l", w("col.code"), lambda i, label: h(i.code)),
                   ("wi-name", "l", w("whatif.indicator"), lambda i, label: h(self.names[i.code])),
                   ("wi-now", "r", w("col.now"), lambda i, label: h(w.number(i.score))),
                   ("wi-input", "l", w("whatif.score"), self._slider)]
        if any_target:
            columns.append(("wi-target", "r", w("col.target"), lambda i, label: h(
                w.number(i.target)) if i.target is not None else ""))
        if any_raw:
            columns.append(("wi-raw", "r", w("whatif.raw"), lambda i, label: h(self._raw(i))))
        body = []
        for k, ind in enumerate(m.indicators):
            label = w("item.label", code=ind.code, name=self.names[ind.code])
            cells = "".join(f'<td class="{a} {cls}" data-label="{h(head)}">{cell(ind, label)}</td>'
                            for cls, a, head, cell in columns)
            body.append(f'<tr data-wi="{k}">{cells}</tr>')
        header = "".join(f'<th class="{a} {cls}">{h(head)}</th>' for cls, a, head, _ in columns)
        legend = (f'<p class="wi-legend"><span class="wi-mark"></span>'
                  f'{h(w("whatif.legend"))}</p>' if any_target else "")
        return (f'{legend}<div class="tablewrap"><table class="data wi-table"><thead><tr>'
                f'{header}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')

    def _repr_html_(self) -> str:
        w = self.w
        return (f'<section class="whatif" id="{h(self.html_id)}" lang="{h(w.lang)}">'
                f"<style>{_asset('whatif.css')}</style>"
                f"{Heading(self.title)._repr_html_()}"
                f'<p class="note">{h(w("whatif.intro"))}</p>'
                f'<noscript><p class="missing">{h(w("whatif.nojs"))}</p></noscript>'
                f"{self._buttons()}{self._results()}{self._rows()}"
                f'<script type="application/json" class="whatif-model">'
                f"{script_json(self.page_model())}</script>"
                f"<script>{_asset('whatif.js')}</script></section>")

    def _repr_markdown_(self) -> str:
        return ""  # the PDF shows the static projection; no simulator on paper

    def _repr_mimebundle_(self, include=None, exclude=None):
        data, meta = super()._repr_mimebundle_(include, exclude)
        meta["pii"]["html_only"] = True
        return data, meta


@dataclass
class HtmlOnlyPara(Block):
    """A sentence that belongs to the HTML report only (empty Markdown representation)."""

    title: str
    text: str
    kind: str = "missing"

    def _repr_html_(self) -> str:
        return (f'<section class="whatif">{Heading(self.title)._repr_html_()}'
                f'<p class="{h(self.kind)}">{h(self.text)}</p></section>')

    def _repr_markdown_(self) -> str:
        return ""

    def _repr_mimebundle_(self, include=None, exclude=None):
        data, meta = super()._repr_mimebundle_(include, exclude)
        meta["pii"]["html_only"] = True
        return data, meta


def what_if(c: ReportContext) -> Blocks:
    """The simulator of the province (HTML only), or one sentence when no indicator score is
    known."""
    w = c.w
    model = simulator_model(edition_context(c.dataset), c.analysis)
    title = w("section.whatif")
    if not model.indicators:
        return Blocks([HtmlOnlyPara(title, w("whatif.none"))])
    names = {i.code: c.name(i.code) for i in model.indicators}
    units = {i.code: c.framework.unit(i.code, w.lang) for i in model.indicators}
    pillars = {p.code: w("col.pillar_short", code=p.code) for p in model.pillars}
    return Blocks([WhatIf(model=model, w=w, names=names, units=units, pillar_labels=pillars,
                          title=title, html_id=f"whatif-{model.province}")])
