"""Charts for the reports, in one consistent style (seaborn/matplotlib, print- and phone-readable).

Functions take analysis results (already computed) and return
:class:`~pii_lib.present.blocks.Figure` blocks; labels come from the wording catalogue and
every number on a chart (tick labels included) is formatted in the report's language. They
never compute figures themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from ..model.provinces import province_name, region_name  # noqa: E402
from .blocks import Figure  # noqa: E402
from .wording import Wording  # noqa: E402

if TYPE_CHECKING:
    from .province import ReportContext

PRIMARY = "#1F4E79"
ACCENT = "#C0504D"
GOLD = "#D9A441"
WIDTH = 6.8  # inches: fits the A4 text width of the PDF and the HTML column
LABEL_CHARS = 46
_STYLED = False


def _style() -> None:
    global _STYLED
    if _STYLED:
        return
    sns.set_theme(style="whitegrid", context="paper", font="DejaVu Sans",
                  rc={"axes.edgecolor": "#888888", "axes.titleweight": "bold",
                      "axes.titlesize": 11, "axes.labelsize": 9, "xtick.labelsize": 8.5,
                      "ytick.labelsize": 8.5, "legend.fontsize": 8, "svg.hashsalt": "pii",
                      # the PNG's dpi: text laid out for tight_layout is reused when drawing
                      "figure.dpi": 120})
    _STYLED = True


def _number_axis(axis, w: Wording, decimals: int = 0) -> None:
    """Tick labels in the report's number format (``46,5`` in Vietnamese)."""
    axis.set_major_formatter(FuncFormatter(lambda x, _: w.number(x, decimals)))


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def pillar_chart(c: ReportContext, pillars: list, caption: str) -> Figure:
    """Known pillar scores of the province with national median, rank-10 score and region."""
    _style()
    w = c.w
    rows = [p for p in pillars if p.score is not None]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.42 * max(3, len(rows)) + 1.0))
    ys = list(range(len(rows)))[::-1]
    ax.barh(ys, [r.score for r in rows], color=PRIMARY, height=0.55,
            label=w("chart.pillars.province"))
    for y, r in zip(ys, rows):  # values in their own column, clear of the benchmark marks
        ax.text(103, y, w.number(r.score), va="center", ha="left", fontsize=8, color=PRIMARY,
                fontweight="bold")
    marks = (("median", "|", "#333333", "chart.pillars.median"),
             ("top10_threshold", "D", GOLD, "chart.pillars.top10"),
             ("region_average", "o", ACCENT, "chart.pillars.region"))
    for key, marker, color, label in marks:
        pts = [(getattr(r, key), y) for r, y in zip(rows, ys) if getattr(r, key) is not None]
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker, color=color,
                       s=45, zorder=3, label=w(label), linewidths=2)
    ax.set_yticks(ys, [_short(c.label(r.code)) for r in rows])
    ax.grid(axis="y", visible=False)  # a line through each bar's value label reads as a strike
    ax.set_xlim(0, 114)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    _number_axis(ax.xaxis, w)
    ax.set_xlabel(w("chart.score_axis"))
    # centred on the figure, not on the axes (which long pillar names push to the right):
    # four entries over the axes ran past the figure's right edge and were cut
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), frameon=False)
    height = fig.get_figheight()
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.32 / height))
    return Figure.from_matplotlib(fig, caption, label="fig-pillars")


def leverage_chart(c: ReportContext, rows: list, caption: str, top: int = 12) -> Figure:
    """PII points each indicator can still add (effective weight × headroom)."""
    _style()
    w = c.w
    known = rows[:top]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.32 * max(4, len(known)) + 0.9))
    ys = list(range(len(known)))[::-1]
    colors = [ACCENT if r.pillar in ("6", "7") else PRIMARY for r in known]
    ax.barh(ys, [r.max_gain for r in known], color=colors, height=0.6)
    ax.set_yticks(ys, [_short(f"{r.code} {c.name(r.code)}") for r in known])
    ax.grid(axis="y", visible=False)
    for y, r in zip(ys, known):
        ax.text(r.max_gain * 1.01, y, w.gain(r.max_gain), va="center", fontsize=7.5)
    _number_axis(ax.xaxis, w, 1)
    ax.set_xlabel(w("chart.leverage.axis"))
    fig.tight_layout()
    return Figure.from_matplotlib(fig, caption, label="fig-leverage")


def trend_chart(c: ReportContext, rows: list, caption: str) -> Figure:
    """PII score across editions (one line per unit: the province or its predecessors)."""
    _style()
    w = c.w
    fig, ax = plt.subplots(figsize=(WIDTH, 2.8))
    units = list(dict.fromkeys(r.province for r in rows))
    palette = [PRIMARY, ACCENT, GOLD, "#5B8C5A", "#7F6A93"]
    top = {}  # per edition, the highest score: its label goes above, the others below
    for r in rows:
        if r.score is not None:
            top[r.edition] = max(top.get(r.edition, r.score), r.score)
    for i, unit in enumerate(units):
        pts = [r for r in rows if r.province == unit and r.score is not None]
        if not pts:
            continue
        ax.plot([p.edition for p in pts], [p.score for p in pts], marker="o",
                color=palette[i % len(palette)], label=province_name(unit))
        for p in pts:
            rank = f" ({w('rank.exact', rank=p.rank, n=p.n)})" if p.rank else ""
            above = p.score >= top[p.edition]
            ax.annotate(w.number(p.score) + rank, (p.edition, p.score),
                        textcoords="offset points", xytext=(0, 7 if above else -12),
                        ha="center", fontsize=7.5)
    editions = sorted({r.edition for r in rows})
    ax.set_xticks(editions, [str(e) for e in editions])
    ax.set_xlim(min(editions) - 0.5, max(editions) + 0.5)
    _number_axis(ax.yaxis, w)
    ax.set_ylabel(w("chart.pii_axis"))
    ax.margins(y=0.25)
    ax.legend(frameon=False, loc="best")
    fig.tight_layout()
    return Figure.from_matplotlib(fig, caption, label="fig-trend")


def ranking_chart(w: Wording, ranking: list, caption: str) -> Figure:
    """PII scores of every province with a known score, sorted, coloured by region."""
    _style()
    known = sorted([r for r in ranking if r.score is not None], key=lambda r: -r.score)
    fig, ax = plt.subplots(figsize=(WIDTH, 0.16 * max(10, len(known)) + 1.0))
    regions = sorted({r.region for r in known})
    palette = dict(zip(regions, sns.color_palette("deep", len(regions))))
    ys = list(range(len(known)))[::-1]
    ax.barh(ys, [r.score for r in known], color=[palette[r.region] for r in known],
            height=0.75)
    ax.set_yticks(ys, [province_name(r.province) for r in known], fontsize=6.5)
    ax.set_ylim(-0.6, len(known) - 0.4)  # no empty bands above and below the bars
    ax.grid(axis="y", visible=False)
    _number_axis(ax.xaxis, w)
    ax.set_xlabel(w("chart.pii_axis"))
    handles = [plt.Rectangle((0, 0), 1, 1, color=palette[r]) for r in regions]
    ax.legend(handles, [region_name(r, w.lang) for r in regions], frameon=False, fontsize=7,
              loc="lower right")
    fig.tight_layout()
    return Figure.from_matplotlib(fig, caption, label="fig-ranking")


def distribution_chart(w: Wording, scores: list[float], caption: str) -> Figure:
    """Histogram of PII scores."""
    _style()
    fig, ax = plt.subplots(figsize=(WIDTH, 2.6))
    sns.histplot(scores, bins=12, color=PRIMARY, ax=ax)
    _number_axis(ax.xaxis, w)
    ax.set_xlabel(w("chart.pii_axis"))
    ax.set_ylabel(w("chart.provinces_axis"))
    fig.tight_layout()
    return Figure.from_matplotlib(fig, caption, label="fig-distribution")


def robustness_chart(w: Wording, table, caption: str) -> Figure:
    """Official rank and the 90 % interval of ranks over plausible methods, every province."""
    _style()
    rows = table.sort_values("official_rank")
    fig, ax = plt.subplots(figsize=(WIDTH, 0.16 * max(10, len(rows)) + 1.0))
    ys = list(range(len(rows)))[::-1]
    ax.hlines(ys, rows["rank_p05"], rows["rank_p95"], color=PRIMARY, linewidth=2.2,
              label=w("chart.robustness.interval"))
    ax.scatter(rows["median_rank"], ys, color=GOLD, s=14, zorder=3,
               label=w("chart.robustness.median"))
    ax.scatter(rows["official_rank"], ys, color=ACCENT, marker="|", s=60, zorder=4,
               label=w("chart.robustness.official"))
    ax.set_yticks(ys, [province_name(p) for p in rows["province_id"]], fontsize=6.5)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.invert_xaxis()
    _number_axis(ax.xaxis, w)
    ax.set_xlabel(w("chart.robustness.axis"))
    ax.legend(frameon=False, fontsize=7, loc="lower right")  # the empty corner: x is inverted
    fig.tight_layout()
    return Figure.from_matplotlib(fig, caption, label="fig-robustness")
