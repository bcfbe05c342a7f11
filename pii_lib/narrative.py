"""Generated sentences and number formats for reports (Vietnamese by default, English).

Every sentence is built from analysis results; no figure is typed here. Vietnamese numbers use
a decimal comma and a thousands dot (``1.234,56``); English uses ``1,234.56``.
"""

from __future__ import annotations

import math

from .analysis import ProvinceAnalysis


def fmt_number(x: float | None, lang: str = "vi", decimals: int = 2) -> str:
    """Format a number in the report language; ``—`` for unknown."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    text = f"{x:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def fmt_rank(rank: float | None, rank_range: list | None, n: int, lang: str = "vi") -> str:
    """``11/63``, a range ``12–16/63`` when only an interval is known, or ``—``."""
    if rank is not None:
        return f"{int(rank)}/{n}"
    if rank_range:
        return f"{rank_range[0]}–{rank_range[1]}/{n}"
    return "—"


def _t(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


def summary_paragraph(analysis: ProvinceAnalysis, lang: str = "vi") -> str:
    """Key-figures summary: position, goal gap, projection if targets are met."""
    s = analysis.sections
    pii, proj = s["pii"], s.get("projection", {})
    n = pii["n"]
    f = lambda x, d=2: fmt_number(x, lang, d)  # noqa: E731
    parts = []
    if pii["score"] is not None:
        parts.append(_t(lang,
                        f"Năm {analysis.edition}, {analysis.name} đạt {f(pii['score'])} điểm PII, "
                        f"xếp hạng {fmt_rank(pii['rank'], pii['rank_range'], n, lang)}.",
                        f"In PII {analysis.edition}, {analysis.name} scored {f(pii['score'])}, "
                        f"ranking {fmt_rank(pii['rank'], pii['rank_range'], n, lang)}."))
    elif pii["rank"] is not None:
        parts.append(_t(lang, f"Năm {analysis.edition}, {analysis.name} xếp hạng "
                              f"{pii['rank']}/{n} (điểm PII chưa có trong dữ liệu).",
                        f"In PII {analysis.edition}, {analysis.name} ranked {pii['rank']}/{n} "
                        "(its PII score is not in the data)."))
    else:
        parts.append(_t(lang, f"Dữ liệu chưa có điểm PII {analysis.edition} của {analysis.name}.",
                        f"The data have no PII {analysis.edition} score for {analysis.name}."))
    sentence = goal_sentence(analysis, lang)
    if sentence:
        parts.append(sentence)
    if proj.get("pii") is not None and s.get("targets"):
        k = len(s["targets"])
        rank_text = fmt_rank(proj.get("rank"), proj.get("rank_range"), n, lang)
        parts.append(_t(lang,
                        f"Nếu đạt cả {k} mục tiêu chỉ số của kế hoạch, PII dự kiến tăng "
                        f"{f(proj['delta'])} điểm lên {f(proj['pii'])} điểm, xếp hạng "
                        f"{rank_text} (giả định các tỉnh khác giữ nguyên điểm).",
                        f"If all {k} indicator targets of the plan are met, the PII would rise "
                        f"by {f(proj['delta'])} to {f(proj['pii'])}, rank {rank_text} "
                        "(other provinces held at their scores)."))
    return " ".join(parts)


def goal_sentence(analysis: ProvinceAnalysis, lang: str = "vi") -> str:
    """Sentence on the points needed for the goal and the cheapest way to get them."""
    goal = analysis.sections.get("goal") or {}
    f = lambda x, d=2: fmt_number(x, lang, d)  # noqa: E731
    if goal.get("points_needed") is None:
        return ""
    g = goal["rank"]
    if goal["points_needed"] == 0:
        return _t(lang, f"Tỉnh đã đạt mục tiêu nhóm {g}.", f"The goal (top {g}) is already met.")
    text = _t(lang,
              f"Để vào nhóm {g}, cần thêm {f(goal['points_needed'])} điểm PII "
              f"(điểm của hạng {g}: {f(goal['threshold_score'])}).",
              f"Reaching the top {g} needs {f(goal['points_needed'])} more PII points "
              f"(score of rank {g}: {f(goal['threshold_score'])}).")
    path = goal.get("cheapest_path") or []
    if path and goal.get("closes_gap"):
        steps = ", ".join(f"{p['code']} +{f(p['raise_by'], 1)}" for p in path[:4])
        more = _t(lang, " …", " …") if len(path) > 4 else ""
        text += _t(lang,
                   f" Cách cần ít điểm chỉ số nhất: tổng cộng {f(goal['cheapest_total_points'], 1)}"
                   f" điểm chỉ số ({steps}{more}).",
                   f" The cheapest path needs {f(goal['cheapest_total_points'], 1)} indicator "
                   f"points in total ({steps}{more}).")
    elif goal.get("lower_bound_points") is not None:
        text += _t(lang,
                   f" Cần nâng ít nhất {f(goal['lower_bound_points'], 1)} điểm chỉ số (nếu dồn vào "
                   "các chỉ số có trọng số lớn nhất).",
                   f" At least {f(goal['lower_bound_points'], 1)} indicator points are needed "
                   "(if spent on the heaviest indicators).")
    return text
