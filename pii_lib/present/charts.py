"""Charts for the reports, in one consistent style (seaborn/matplotlib, print- and phone-readable).

Functions take analysis results (already computed) and return :class:`~pii_lib.blocks.Figure`
blocks with a caption in the report language. They never compute figures themselves.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from ..present.blocks import Figure  # noqa: E402
from ..present.narrative import fmt_number  # noqa: E402

PRIMARY = "#1F4E79"
ACCENT = "#C0504D"
MUTED = "#9DB3C8"
GOLD = "#D9A441"
WIDTH = 7.0  # inches: fits the A4 text width of the PDF


def _style() -> None:
    sns.set_theme(style="whitegrid", context="paper", font="DejaVu Sans",
                  rc={"axes.edgecolor": "#888888", "axes.titleweight": "bold",
                      "axes.titlesize": 11, "axes.labelsize": 9, "xtick.labelsize": 8.5,
                      "ytick.labelsize": 8.5, "legend.fontsize": 8, "svg.hashsalt": "pii",
                      "figure.dpi": 100})


def _t(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


def pillar_chart(rows: list[dict], names: dict[str, str], lang: str, caption: str) -> Figure:
    """Pillar scores of the province with national median, top-10 threshold and region average."""
    _style()
    rows = [r for r in rows if r.get("score") is not None or r.get("top10_threshold") is not None]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.45 * max(3, len(rows)) + 0.9))
    labels = [f"{r['code']}. {names[r['code']]}" for r in rows]
    ys = list(range(len(rows)))[::-1]
    ax.barh(ys, [r["score"] or 0 for r in rows], color=PRIMARY, height=0.55,
            label=_t(lang, "Điểm của tỉnh", "Province score"))
    for y, r in zip(ys, rows):
        if r["score"] is None:
            ax.text(1, y, _t(lang, "chưa có dữ liệu", "no data"), va="center", fontsize=8,
                    color="#666666", style="italic")
        else:
            ax.text(r["score"] + 1, y, fmt_number(r["score"], lang), va="center", fontsize=8)
    marks = (("median", "|", "#333333", _t(lang, "Trung vị cả nước", "National median")),
             ("top10_threshold", "D", GOLD, _t(lang, "Điểm hạng 10", "Score of rank 10")),
             ("region_average", "o", ACCENT, _t(lang, "Trung bình vùng", "Regional average")))
    for key, marker, color, label in marks:
        pts = [(r[key], y) for r, y in zip(rows, ys) if r.get(key) is not None]
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker, color=color,
                       s=45, zorder=3, label=label, linewidths=2)
    ax.set_yticks(ys, labels)
    ax.set_xlim(0, 105)
    ax.set_xlabel(_t(lang, "Điểm (0–100)", "Score (0–100)"))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, frameon=False)
    fig.tight_layout()
    return Figure.from_matplotlib(fig, caption)


def leverage_chart(rows: list[dict], lang: str, caption: str, top: int = 12) -> Figure:
    """PII points each indicator can still add (effective weight × headroom)."""
    _style()
    known = [r for r in rows if r.get("max_gain") is not None][:top]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.32 * max(4, len(known)) + 0.9))
    ys = list(range(len(known)))[::-1]
    colors = [ACCENT if str(r["code"])[0] in "67" else PRIMARY for r in known]
    ax.barh(ys, [r["max_gain"] for r in known], color=colors, height=0.6)
    ax.set_yticks(ys, [f"{r['code']} {r['name'][:48]}{'…' if len(r['name']) > 48 else ''}"
                       for r in known])
    for y, r in zip(ys, known):
        ax.text(r["max_gain"] * 1.01, y, fmt_number(r["max_gain"], lang), va="center",
                fontsize=7.5)
    ax.set_xlabel(_t(lang, "Điểm PII tối đa có thể tăng (trọng số hiệu dụng × dư địa)",
                     "Maximum PII gain (effective weight × headroom)"))
    fig.tight_layout()
    return Figure.from_matplotlib(fig, caption)


def trend_chart(rows: list[dict], lang: str, caption: str) -> Figure:
    """PII score across editions (one line per unit: the province or its predecessors)."""
    _style()
    fig, ax = plt.subplots(figsize=(WIDTH, 2.8))
    units = list(dict.fromkeys(r["label"] for r in rows))
    palette = [PRIMARY, ACCENT, GOLD, "#5B8C5A", "#7F6A93"]
    for i, unit in enumerate(units):
        pts = [r for r in rows if r["label"] == unit and r["score"] is not None]
        if not pts:
            continue
        ax.plot([p["edition"] for p in pts], [p["score"] for p in pts], marker="o",
                color=palette[i % len(palette)], label=unit)
        for p in pts:
            rank = f" ({int(p['rank'])}/{p['n']})" if p.get("rank") else ""
            ax.annotate(fmt_number(p["score"], lang) + rank, (p["edition"], p["score"]),
                        textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7.5)
    editions = sorted({r["edition"] for r in rows})
    ax.set_xticks(editions, [str(e) for e in editions])
    ax.set_xlim(min(editions) - 0.5, max(editions) + 0.5)
    ax.set_ylabel(_t(lang, "Điểm PII", "PII score"))
    ax.margins(y=0.25)
    ax.legend(frameon=False, loc="best")
    fig.tight_layout()
    return Figure.from_matplotlib(fig, caption)


def ranking_chart(ranking: list[dict], lang: str, caption: str) -> Figure:
    """PII scores of every province with a known score, sorted, coloured by region."""
    _style()
    known = [r for r in ranking if r.get("score") is not None]
    known.sort(key=lambda r: -r["score"])
    fig, ax = plt.subplots(figsize=(WIDTH, 0.16 * max(10, len(known)) + 1.0))
    regions = sorted({r["region"] for r in known})
    palette = dict(zip(regions, sns.color_palette("deep", len(regions))))
    ys = list(range(len(known)))[::-1]
    ax.barh(ys, [r["score"] for r in known], color=[palette[r["region"]] for r in known],
            height=0.75)
    ax.set_yticks(ys, [r["name"] for r in known], fontsize=6.5)
    ax.set_xlabel(_t(lang, "Điểm PII", "PII score"))
    handles = [plt.Rectangle((0, 0), 1, 1, color=palette[r]) for r in regions]
    ax.legend(handles, regions, frameon=False, fontsize=7, loc="lower right")
    fig.tight_layout()
    return Figure.from_matplotlib(fig, caption)


def distribution_chart(scores: list[float], lang: str, caption: str) -> Figure:
    """Histogram of PII scores."""
    _style()
    fig, ax = plt.subplots(figsize=(WIDTH, 2.6))
    sns.histplot(scores, bins=12, color=PRIMARY, ax=ax)
    ax.set_xlabel(_t(lang, "Điểm PII", "PII score"))
    ax.set_ylabel(_t(lang, "Số tỉnh", "Provinces"))
    fig.tight_layout()
    return Figure.from_matplotlib(fig, caption)
