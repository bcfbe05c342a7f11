"""Generated sentences and number formats for reports (Vietnamese by default, English).

Every sentence is built from analysis results; no figure is typed here. Vietnamese numbers use
a decimal comma and a thousands dot (``1.234,56``); English uses ``1,234.56``.
"""

from __future__ import annotations

import math

from ..method.analysis import ProvinceAnalysis


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


# Vietnamese wording of the analysis' "missing" entries (the analysis records them in English).
_MISSING_VI: list[tuple[str, str]] = [
    (r"no PII (\d+) score for this province in the (\w+) data",
     r"dữ liệu chưa có điểm PII \1 của tỉnh"),
    (r"needs the PII score of every province; the (\w+) data have (\d+) of (\d+)",
     r"cần điểm PII của mọi tỉnh; dữ liệu mới có \2/\3 tỉnh"),
    (r"(\d+) of (\d+) pillar scores are known", r"mới có điểm \1/\2 trụ cột"),
    (r"needs indicator ranks; (\d+) of (\d+) are known",
     r"cần thứ hạng các chỉ số thành phần; mới có \1/\2"),
    (r"needs at least (\d+) indicator ranks; (\d+) are known",
     r"cần ít nhất \1 thứ hạng chỉ số thành phần; mới có \2"),
    (r"(\d+) of (\d+) indicator scores are unknown \(effective weights are still shown\)",
     r"chưa có điểm của \1/\2 chỉ số thành phần (trọng số hiệu dụng vẫn được trình bày)"),
    (r"no params file was given", r"chưa có tệp tham số kế hoạch"),
    (r"the params file sets no indicator targets",
     r"tệp tham số kế hoạch chưa đặt mục tiêu cho chỉ số nào"),
    (r"baseline score unknown", r"chưa có điểm nền"),
    (r"raw target cannot be converted without the national min/max",
     r"không quy đổi được mục tiêu theo giá trị thực khi thiếu giá trị thấp nhất/cao nhất cả nước"),
    (r"the national min/max of PII (\d+) are not in the (\w+) data for (\d+) target "
     r"indicator\(s\): (.*)",
     r"dữ liệu chưa có giá trị thấp nhất/cao nhất cả nước năm \1 của \3 chỉ số mục tiêu: \4"),
    (r"the current PII score is unknown", r"chưa có điểm PII hiện tại"),
    (r"only a range (\d+)–(\d+) follows from the known scores and ranks of other provinces",
     r"điểm và hạng đã biết của các tỉnh khác chỉ cho phép xác định khoảng hạng \1–\2"),
    (r"the score of rank (\d+) in PII (\d+) is not in the data",
     r"dữ liệu chưa có điểm của tỉnh xếp hạng \1 năm \2"),
    (r"indicator scores \(headroom\) are unknown; at least ([\d.]+) indicator-score points are "
     r"needed in any case",
     r"chưa có điểm các chỉ số (dư địa); dù thế nào cũng cần tăng ít nhất \1 điểm chỉ số"),
    (r"the known indicators' headroom is not enough \(([\d.]+) PII points short\); (\d+) "
     r"indicator scores are unknown",
     r"dư địa của các chỉ số đã biết không đủ (còn thiếu \1 điểm PII); \2 chỉ số chưa có điểm"),
    (r"the province's PII rank is unknown", r"chưa có hạng PII của tỉnh"),
    # items
    (r"^PII score$", "Điểm PII"), (r"^national median$", "Trung vị cả nước"),
    (r"^pillar scores$", "Điểm các trụ cột"), (r"^headroom$", "Dư địa"),
    (r"^MOST rule .*", "Quy ước Bộ KH&CN (5 + 5 theo hạng)"),
    (r"^GII rule .*", "Quy tắc GII (ngưỡng phân vị)"),
    (r"^indicator targets$", "Mục tiêu chỉ số"), (r"^gap for (.*)", r"Khoảng cách của \1"),
    (r"^raw units$", "Đơn vị thực"), (r"^projected PII$", "PII dự báo"),
    (r"^exact projected rank$", "Hạng dự báo chính xác"),
    (r"^points needed for top (\d+)$", r"Số điểm cần để vào nhóm \1"),
    (r"^cheapest path$", "Lộ trình ít điểm nhất"),
    (r"^a path that closes the gap$", "Lộ trình đủ để đạt mục tiêu"),
    (r"^rank neighbours$", "Các tỉnh xếp hạng liền kề"),
    # how to supply
    (r"^import the province profile .*",
     "nhập hồ sơ PII của tỉnh (điểm, hạng các chỉ số và giá trị thấp nhất/cao nhất cả nước) bằng "
     "`pii import TỆP --edition NĂM --province TỈNH --out THƯ_MỤC`, rồi dùng --data THƯ_MỤC"),
    (r"^use a complete national table .*",
     "dùng bảng số liệu đầy đủ cả nước (`pii import` bảng xếp hạng toàn quốc)"),
    (r"^pass --params .*", "chạy với --params params/<tỉnh>.yaml có danh sách `targets:`"),
]


def missing_text(text: str, lang: str = "vi") -> str:
    """A 'missing' item, reason or hint in the report language (the analysis writes English)."""
    import re

    if lang != "vi":
        return text
    for pattern, repl in _MISSING_VI:
        new, count = re.subn(pattern, repl, text)
        if count:
            return new
    return text
