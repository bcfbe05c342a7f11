"""Report sections for the province and national notebooks (presentation of analysis results).

A notebook builds a :class:`ProvinceReport` (or :class:`NationalReport`) once and calls one
method per section; each returns :class:`~pii_lib.blocks.Blocks` to display. Nothing here
computes a figure: numbers come from :mod:`pii_lib.analysis`, sentences from
:mod:`pii_lib.narrative`, charts from :mod:`pii_lib.plots`.
"""

from __future__ import annotations

import datetime as dt
import platform
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from . import charts as plots
from ..method.analysis import ProvinceAnalysis, analyse_province, edition_context, national
from ..present.blocks import Banner, Blocks, Bullets, Heading, KeyFigures, Para, Table
from ..data.tables import Dataset, file_checksum, load_dataset
from ..model.framework import Framework, edition_info, load_framework
from ..present.narrative import fmt_number, fmt_rank, goal_sentence, missing_text, summary_paragraph
from ..model.params import Params, load_params
from ..model.provinces import province_name, regions

LABELS = {
    "vi": {
        "title": "Báo cáo phân tích Chỉ số đổi mới sáng tạo cấp địa phương (PII)",
        "demo_prefix": "[DỮ LIỆU MINH HỌA] ",
        "demo_banner": "DỮ LIỆU MINH HỌA — các số liệu trong báo cáo này do bộ sinh dữ liệu tổng "
                       "hợp tạo ra, KHÔNG phải kết quả PII thực tế.",
        "key": "Các số liệu chính", "position": "Vị trí theo trụ cột và nhóm chỉ số",
        "sw": "Điểm mạnh và điểm yếu", "leverage": "Đòn bẩy: chỉ số nào tác động nhiều nhất",
        "targets": "Mục tiêu và khoảng cách", "projection": "Dự báo nếu đạt mục tiêu",
        "goal": "Lộ trình đạt mục tiêu", "peers": "So sánh với các tỉnh tương đồng",
        "trend": "Diễn biến qua các năm", "resp": "Ma trận phân công trách nhiệm",
        "sources": "Dữ liệu, nguồn và phương pháp", "stamp": "Thông tin tái lập",
        "score": "Điểm", "rank": "Hạng", "code": "Mã", "indicator": "Chỉ số", "item": "Nội dung",
        "median": "Trung vị", "top10": "Điểm hạng 10", "region_avg": "TB vùng",
        "missing": "Chưa tính được", "how": "Cách bổ sung",
    },
    "en": {
        "title": "Provincial Innovation Index (PII) analytical report",
        "demo_prefix": "[DEMONSTRATION DATA] ",
        "demo_banner": "DEMONSTRATION DATA — the figures in this report come from a synthetic "
                       "data generator and are NOT real PII results.",
        "key": "Key figures", "position": "Position by pillar and sub-pillar",
        "sw": "Strengths and weaknesses", "leverage": "Leverage: which indicators matter most",
        "targets": "Targets and gaps", "projection": "Projection if targets are met",
        "goal": "Path to the goal", "peers": "Peers", "trend": "Trend across editions",
        "resp": "Responsibility matrix", "sources": "Data, sources and method",
        "stamp": "Reproducibility", "score": "Score", "rank": "Rank", "code": "Code",
        "indicator": "Indicator", "item": "Item", "median": "Median", "top10": "Rank-10 score",
        "region_avg": "Region avg.", "missing": "Not computable", "how": "How to supply",
    },
}


def _t(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


def _keep_kernel_memory_flat() -> None:
    """In a warm kernel reused across provinces, do not keep every displayed result in ``Out``."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is not None:
        shell.displayhook.cache_size = 0
        shell.user_ns.get("Out", {}).clear()


def report_title(province_id: str, edition: int, lang: str, demo: bool) -> str:
    """Title of a province report (prefixed with the demo label for demo data)."""
    lab = LABELS[lang]
    prefix = lab["demo_prefix"] if demo else ""
    return f"{prefix}{province_name(province_id)} — PII {edition}"


@dataclass
class ProvinceReport:
    """Sections of one province's report."""

    analysis: ProvinceAnalysis
    dataset: Dataset
    framework: Framework
    params: Params | None
    lang: str = "vi"

    @classmethod
    def build(cls, province: str, edition: int = 2023, lang: str = "vi", data: str = "published",
              params_file: str = "") -> "ProvinceReport":
        """Load checked data and params and run the analysis (one call per notebook)."""
        from ..model.provinces import resolve_province

        _keep_kernel_memory_flat()
        edition = int(edition)
        pid = resolve_province(province, edition)
        dataset = load_dataset(data, edition)
        params = load_params(params_file) if params_file else None
        analysis = analyse_province(dataset, pid, params)
        return cls(analysis=analysis, dataset=dataset, framework=load_framework(edition),
                   params=params, lang=lang if lang in LABELS else "vi")

    # helpers ------------------------------------------------------------------------------
    @property
    def L(self) -> dict:
        return LABELS[self.lang]

    def f(self, x, d: int = 2) -> str:
        return fmt_number(x, self.lang, d)

    def name(self, code: str) -> str:
        return self.framework.name(code, self.lang)

    def _missing(self, section: str) -> Blocks:
        items = [m for m in self.analysis.missing if m["section"] == section]
        if not items:
            return Blocks()
        tr = lambda t: missing_text(t, self.lang)  # noqa: E731
        lines = [f"{tr(m['item'])}: {tr(m['reason'])}" for m in items]
        hows = list(dict.fromkeys(tr(m["how"]) for m in items))
        return Blocks([Para(self.L["missing"] + ":", "missing"), Bullets(lines, "missing"),
                       Para(f"{self.L['how']}: " + "; ".join(hows), "note")])

    def section_name(self, section: str) -> str:
        """Section title for a 'missing' entry."""
        key = {"position": "position", "strengths": "sw", "leverage": "leverage",
               "targets": "targets", "projection": "projection", "goal": "goal",
               "peers": "peers"}.get(section)
        return self.L[key] if key else section

    def rank_text(self, rank, rank_range) -> str:
        """Rank or an informative interval; '—' when the interval says nothing."""
        n = self.dataset.n_provinces
        if rank is None and rank_range and rank_range[0] <= 1 and rank_range[1] >= n:
            return "—"
        return fmt_rank(rank, rank_range, n, self.lang)

    # sections -----------------------------------------------------------------------------
    def header(self) -> Blocks:
        """Demo banner (for demo data) and the lead paragraph."""
        out = Blocks()
        if self.dataset.is_demo:
            out.append(Banner(self.L["demo_banner"]))
        a = self.analysis
        region = regions().set_index("region_id").loc[a.region_id]
        out.append(Para(_t(self.lang,
                           f"{a.name} · vùng {region['name_vi']} · PII {a.edition} "
                           f"({self.dataset.n_provinces} tỉnh, thành phố) · nguồn dữ liệu: "
                           f"{self._source_label()}",
                           f"{a.name} · {region['name_en']} region · PII {a.edition} "
                           f"({self.dataset.n_provinces} provinces) · data: "
                           f"{self._source_label()}"), "lead"))
        return out

    def _source_label(self) -> str:
        return {"published": _t(self.lang, "số liệu đã công bố", "published figures"),
                "demo": _t(self.lang, "dữ liệu minh họa (tổng hợp)", "demonstration (synthetic)"),
                "imported": _t(self.lang, "số liệu nhập từ tệp", "imported file")}[
            self.dataset.kind]

    def key_figures(self) -> Blocks:
        """Headline cards and the generated summary paragraph."""
        s = self.analysis.sections
        pii, goal, proj = s["pii"], s["goal"], s["projection"]
        subs = {r["code"]: r for r in s["subindices"]}
        n = pii["n"]
        cards = [
            (_t(self.lang, "Điểm PII", "PII score"), self.f(pii["score"]),
             _t(self.lang, "thang 0–100", "0–100 scale")),
            (_t(self.lang, "Xếp hạng", "Rank"), fmt_rank(pii["rank"], pii["rank_range"], n,
                                                         self.lang),
             _t(self.lang, "1 = cao nhất", "1 = best")),
            (_t(self.lang, "Đầu vào / Đầu ra", "Input / Output"),
             f"{self.f(subs['IN']['score'])} / {self.f(subs['OUT']['score'])}",
             _t(self.lang, "chỉ số phụ", "sub-indices")),
            (_t(self.lang, f"Cần thêm cho nhóm {goal['rank']}", f"Needed for top {goal['rank']}"),
             self.f(goal["points_needed"]),
             _t(self.lang, "điểm PII", "PII points")),
        ]
        if proj.get("pii") is not None:
            cards.append((_t(self.lang, "Nếu đạt mục tiêu", "If targets are met"),
                          self.f(proj["pii"]),
                          _t(self.lang, "hạng ", "rank ") + fmt_rank(proj.get("rank"),
                                                                     proj.get("rank_range"), n,
                                                                     self.lang)))
        return Blocks([Heading(self.L["key"]), KeyFigures(cards),
                       Para(summary_paragraph(self.analysis, self.lang))])

    def position(self) -> Blocks:
        """Pillars and sub-pillars against national median, rank-10 score and region average."""
        s = self.analysis.sections
        L = self.L
        out = Blocks([Heading(L["position"])])
        names = {c: self.name(c) for c in self.framework.codes("pillar")}
        out.append(plots.pillar_chart(
            s["pillars"], names, self.lang,
            _t(self.lang, f"Điểm các trụ cột của {self.analysis.name} so với trung vị cả nước, "
                          "điểm của tỉnh hạng 10 và trung bình vùng (khi có dữ liệu).",
               f"Pillar scores of {self.analysis.name} against the national median, the score of "
               "rank 10 and the regional average (where known).")))
        rows, hl = [], []
        for r in s["subindices"] + s["pillars"] + s["subpillars"]:
            if r["level"] == "pillar":
                hl.append(len(rows))
            indent = "    " if r["level"] == "subpillar" else ""
            rows.append([r["code"], indent + self.name(r["code"]), self.f(r["score"]),
                         self.rank_text(r["rank"], r["rank_range"]), self.f(r["median"]),
                         self.f(r["top10_threshold"]), self.f(r["region_average"])])
        out.append(Table([L["code"], L["item"], L["score"], L["rank"], L["median"], L["top10"],
                          L["region_avg"]], rows, align="llrrrrr", highlight=hl,
                         widths=[4, 40, 6, 6, 6, 6, 6]))
        out.extend(self._missing("position"))
        return out

    def strengths(self) -> Blocks:
        """Strengths and weaknesses, grouped by the rule that produced them."""
        s = self.analysis.sections
        out = Blocks([Heading(self.L["sw"])])
        rules = s["strength_rules"]
        n = self.dataset.n_provinces
        for rule in ("published", "most", "gii"):
            st = [r for r in s["strengths"] if r["rule"] == rule]
            wk = [r for r in s["weaknesses"] if r["rule"] == rule]
            if not st and not wk:
                continue
            title = {"published": _t(self.lang, "Danh sách đã công bố", "Published list"),
                     "most": _t(self.lang, "Quy ước của Bộ KH&CN (5 + 5 theo hạng)",
                                "MOST convention (5 + 5 by rank)"),
                     "gii": _t(self.lang, "Quy tắc GII (ngưỡng phân vị)",
                               "GII rule (percentile cut-offs)")}[rule]
            out.append(Heading(title, 3))
            rule_vi = {
                "most": "5 chỉ số có thứ hạng tốt nhất và 5 chỉ số có thứ hạng kém nhất (chỉ số "
                        "đồng hạng với chỉ số thứ 5 cũng được liệt kê).",
                "gii": "Phân vị = (N − hạng)/(N − 1); ngưỡng là phân vị cao thứ 10 và thấp thứ 10 "
                       "của tỉnh; hạng 1–3 luôn là điểm mạnh; ngưỡng áp dụng cả cho nhóm chỉ số "
                       "và trụ cột.",
                "published": "Như đã công bố (hồ sơ PII của Bộ KH&CN được trích trong kế hoạch "
                             "hoặc báo chí)."}
            out.append(Para(rules[rule] if self.lang == "en" else rule_vi[rule], "note"))
            rows = []
            for kind, items in ((_t(self.lang, "Điểm mạnh", "Strength"), st),
                                (_t(self.lang, "Điểm yếu", "Weakness"), wk)):
                for r in items:
                    rows.append([kind, r["code"], self.name(r["code"]), self.f(r["score"]),
                                 fmt_rank(r["rank"], None, n, self.lang)])
            out.append(Table([_t(self.lang, "Loại", "Type"), self.L["code"],
                              self.L["indicator"], self.L["score"], self.L["rank"]], rows,
                             align="lllrr", widths=[8, 5, 50, 6, 6]))
        out.extend(self._missing("strengths"))
        return out

    def leverage(self) -> Blocks:
        """Effective weights and headroom: where a score point buys most PII."""
        rows_all = self.analysis.sections["leverage"]
        out = Blocks([Heading(self.L["leverage"])])
        out.append(Para(_t(self.lang,
                           "Trọng số hiệu dụng là số điểm PII tăng thêm khi điểm của chỉ số tăng 1 "
                           "điểm; dư địa là 100 trừ điểm hiện tại. Chỉ số đầu ra (trụ cột 6–7) có "
                           "trọng số gấp 2,5 lần chỉ số đầu vào cùng số chỉ số anh em.",
                           "The effective weight is the PII gain per score point of an indicator; "
                           "headroom is 100 minus the current score. An output indicator (pillars "
                           "6–7) weighs 2.5 times an input one with as many siblings."), "note"))
        if any(r["max_gain"] is not None for r in rows_all):
            out.append(plots.leverage_chart(rows_all, self.lang, _t(
                self.lang, "Các chỉ số có thể đóng góp nhiều điểm PII nhất (đỏ: chỉ số đầu ra).",
                "Indicators that can add the most PII points (red: output indicators).")))
        rows = [[r["code"], self.name(r["code"]), self.f(r["effective_weight"], 4),
                 self.f(r["score"]), self.f(r["headroom"]), self.f(r["max_gain"])]
                for r in rows_all[:20]]
        out.append(Table([self.L["code"], self.L["indicator"],
                          _t(self.lang, "Trọng số hiệu dụng", "Effective weight"),
                          self.L["score"], _t(self.lang, "Dư địa", "Headroom"),
                          _t(self.lang, "PII tối đa", "Max PII gain")], rows, align="llrrrr",
                         caption=_t(self.lang, "20 chỉ số đứng đầu theo mức đóng góp tối đa "
                                               "(hoặc trọng số khi chưa có điểm).",
                                    "Top 20 indicators by maximum gain (or weight when the "
                                    "score is unknown)."), widths=[5, 44, 8, 6, 6, 6]))
        out.extend(self._missing("leverage"))
        return out

    def targets(self) -> Blocks:
        """Targets and gaps in score and raw units."""
        rows_all = self.analysis.sections["targets"]
        out = Blocks([Heading(self.L["targets"])])
        if not rows_all:
            out.extend(self._missing("targets"))
            return out
        if self.params and self.params.plan.number:
            plan = self.params.plan
            out.append(Para(_t(self.lang, f"Mục tiêu theo Kế hoạch {plan.number}"
                                          f"{' ngày ' + plan.date.strftime('%d/%m/%Y') if plan.date else ''}"
                                          f" của {plan.issuer or ''}.",
                               f"Targets of plan {plan.number}"
                               f"{' of ' + plan.date.isoformat() if plan.date else ''}"
                               f" ({plan.issuer or ''})."), "note"))
        rows = []
        for r in rows_all:
            unit = f" {r['unit']}" if r["unit"] and r["raw_target"] is not None else ""
            raw = ("—" if r["raw_baseline"] is None and r["raw_target"] is None else
                   self.f(r["raw_baseline"]) + " → " + self.f(r["raw_target"]) + unit)
            rows.append([r["code"], self.name(r["code"]), self.f(r["baseline"]),
                         self.f(r["target"]), self.f(r["gap"]), raw,
                         self.f(r["pii_gain"], 3)])
        out.append(Table([self.L["code"], self.L["indicator"],
                          _t(self.lang, "Điểm nền", "Baseline"), _t(self.lang, "Mục tiêu", "Target"),
                          _t(self.lang, "Khoảng cách", "Gap"),
                          _t(self.lang, "Đơn vị thực (nền → mục tiêu)", "Raw units (base → target)"),
                          _t(self.lang, "+PII", "+PII")], rows, align="llrrrlr",
                         widths=[5, 40, 6, 6, 6, 16, 5]))
        flags = self.analysis.flags
        if flags:
            out.append(Bullets(flags, "note"))
        out.extend(self._missing("targets"))
        return out

    def projection(self) -> Blocks:
        """Projected PII, rank and pillars if all targets are met, with the assumptions."""
        proj = self.analysis.sections["projection"]
        out = Blocks([Heading(self.L["projection"])])
        if proj.get("pii") is None:
            out.extend(self._missing("projection") or self._missing("targets"))
            return out
        n = self.dataset.n_provinces
        pii = self.analysis.sections["pii"]
        rows = [["PII", self.f(pii["score"]), self.f(proj["pii"]), "+" + self.f(proj["delta"]),
                 fmt_rank(pii["rank"], pii["rank_range"], n, self.lang) + " → " +
                 fmt_rank(proj["rank"], proj["rank_range"], n, self.lang)]]
        for p in proj["pillars"]:
            rows.append([f"{p['code']}. {self.name(p['code'])}", self.f(p["baseline"]),
                         self.f(p["projected"]), "+" + self.f(p["delta"]), ""])
        out.append(Table([self.L["item"], _t(self.lang, "Hiện tại", "Now"),
                          _t(self.lang, "Dự báo", "Projected"), "Δ", self.L["rank"]], rows,
                         align="lrrrl", highlight=[0], widths=[40, 8, 8, 6, 12]))
        out.append(Para(_t(self.lang, "Giả định:", "Assumptions:"), "note"))
        out.append(Bullets(proj["assumptions"] if self.lang == "en" else [
            f"các tỉnh khác giữ nguyên điểm PII {self.analysis.edition} (đã công bố hoặc theo dữ "
            "liệu)",
            "giá trị thấp nhất và cao nhất cả nước của mỗi chỉ số không đổi, nên ΔPII = Σ trọng "
            "số hiệu dụng × Δđiểm là chính xác",
            "chỉ các chỉ số có mục tiêu thay đổi; các chỉ số khác giữ điểm nền"] +
            (["các mục tiêu chưa tính được khoảng cách không được tính vào ΔPII"]
             if not proj.get("complete", True) else []), "note"))
        out.extend(self._missing("projection"))
        return out

    def goal(self) -> Blocks:
        """Points needed for the goal rank and the cheapest indicators to get them."""
        goal = self.analysis.sections["goal"]
        out = Blocks([Heading(self.L["goal"])])
        sentence = goal_sentence(self.analysis, self.lang)
        if sentence:
            out.append(Para(sentence))
        if goal["cheapest_path"]:
            rows = [[p["code"], self.name(p["code"]), self.f(p["from"]), self.f(p["to"]),
                     "+" + self.f(p["raise_by"]), self.f(p["pii_gain"], 3)]
                    for p in goal["cheapest_path"]]
            out.append(Table([self.L["code"], self.L["indicator"], _t(self.lang, "Từ", "From"),
                              _t(self.lang, "Đến", "To"), _t(self.lang, "Tăng", "Raise"),
                              "+PII"], rows, align="llrrrr", widths=[5, 44, 6, 6, 6, 6],
                             caption=_t(self.lang, "Tổ hợp ít điểm chỉ số nhất (ưu tiên chỉ số có "
                                                   "trọng số lớn, trong giới hạn dư địa).",
                                        "Cheapest combination (heaviest indicators first, "
                                        "within headroom).")))
        single = [r for r in goal["single_indicator"] if r["feasible"]][:8]
        if single:
            rows = [[r["code"], self.name(r["code"]), "+" + self.f(r["score_gain_needed"]),
                     self.f(r["headroom"])] for r in single]
            out.append(Table([self.L["code"], self.L["indicator"],
                              _t(self.lang, "Tăng cần thiết (một mình)", "Gain needed alone"),
                              _t(self.lang, "Dư địa", "Headroom")], rows, align="llrr",
                             widths=[5, 50, 10, 8]))
        out.extend(self._missing("goal"))
        return out

    def peers(self) -> Blocks:
        """Region members and rank neighbours at pillar level."""
        peers = self.analysis.sections["peers"]
        out = Blocks([Heading(self.L["peers"])])
        pillars = self.framework.codes("pillar")
        n = self.dataset.n_provinces
        for title, items in ((_t(self.lang, "Các tỉnh cùng vùng", "Same region"),
                              peers["region"]),
                             (_t(self.lang, "Các tỉnh xếp hạng liền kề", "Neighbours in rank"),
                              peers["neighbours"])):
            if not items:
                continue
            out.append(Heading(title, 3))
            rows = [[r["name"], self.f(r["pii"]), fmt_rank(r["rank"], None, n, self.lang)] +
                    [self.f(r["pillars"][p], 1) for p in pillars] for r in items]
            hl = [i for i, r in enumerate(items) if r["is_subject"]]
            out.append(Table([_t(self.lang, "Tỉnh", "Province"), "PII", self.L["rank"]] +
                             [f"TC{p}" if self.lang == "vi" else f"P{p}" for p in pillars], rows,
                             align="l" + "r" * (2 + len(pillars)), highlight=hl,
                             widths=[18, 6, 6] + [5] * len(pillars)))
        out.append(Para(_t(self.lang, "TC1–TC7: điểm các trụ cột (— khi chưa có dữ liệu).",
                           "P1–P7: pillar scores (— where unknown)."), "note"))
        out.extend(self._missing("peers"))
        return out

    def trend(self) -> Blocks:
        """PII across editions with comparability notes and the 2025 crosswalk."""
        tr = self.analysis.sections["trend"]
        out = Blocks([Heading(self.L["trend"])])
        rows = []
        chart_rows = []
        for r in tr["rows"]:
            label = province_name(r["province"])
            rel = {"same unit": "", "pre-merger predecessor": _t(self.lang, " (trước sáp nhập)",
                                                                 " (pre-merger)"),
                   "post-merger successor": _t(self.lang, " (sau sáp nhập)", " (post-merger)")}[
                r["relation"]]
            rows.append([str(r["edition"]), label + rel, self.f(r["score"]),
                         fmt_rank(r["rank"], None, r["n"], self.lang)])
            chart_rows.append({"edition": r["edition"], "label": label, "score": r["score"],
                               "rank": r["rank"], "n": r["n"]})
        if sum(r["score"] is not None for r in chart_rows) >= 2:
            out.append(plots.trend_chart(chart_rows, self.lang, _t(
                self.lang, "Điểm PII qua các năm (trong ngoặc: hạng/số đơn vị).",
                "PII score by edition (in brackets: rank/number of units).")))
        out.append(Table([_t(self.lang, "Năm", "Edition"), _t(self.lang, "Đơn vị", "Unit"),
                          self.L["score"], self.L["rank"]], rows, align="llrr",
                         widths=[6, 30, 8, 8]))
        out.append(Bullets(tr["caveats"] if self.lang == "en" else [
            "Điểm chuẩn hóa min–max chỉ mang tính tương đối trong từng năm: thay đổi điểm không "
            "phải là thay đổi tuyệt đối của năng lực.",
            "PII 2024 thay đổi cách tính một số chỉ số và nguồn dữ liệu (QĐ 1705/QĐ-BKHCN); PII "
            "2025 dùng khung mới (QĐ 989/QĐ-BKHCN) cho 34 tỉnh, thành phố sau sáp nhập, nên hạng "
            "2025 tính trên 34 đơn vị."], "note"))
        return out

    def responsibilities(self) -> Blocks:
        """Indicator → lead unit, partners, timeline (from the plan's params)."""
        out = Blocks([Heading(self.L["resp"])])
        if self.params is None or not (self.params.targets or self.params.responsibilities):
            out.append(Para(_t(self.lang,
                               "Chưa có phân công: thêm `targets` hoặc `responsibilities` vào "
                               "params/<tỉnh>.yaml và chạy lại với --params.",
                               "No assignment yet: add `targets` or `responsibilities` to "
                               "params/<province>.yaml and run again with --params."), "missing"))
            return out
        rows, seen = [], set()
        for t in self.params.targets:
            rows.append([t.code, self.name(t.code), t.lead or "—", "; ".join(t.partners) or "—",
                         t.timeline or "—"])
            seen.add(t.code)
        for r in self.params.responsibilities:
            if r.code in seen:
                continue
            note = f" ({r.note})" if r.note and len(r.note) < 60 else ""
            rows.append([r.code, self.name(r.code), r.lead + note, "; ".join(r.partners) or "—",
                         "—"])
        out.append(Table([self.L["code"], self.L["indicator"],
                          _t(self.lang, "Đơn vị chủ trì", "Lead unit"),
                          _t(self.lang, "Đơn vị phối hợp", "Partners"),
                          _t(self.lang, "Thời gian", "Timeline")], rows, align="lllll",
                         widths=[5, 32, 22, 22, 10]))
        return out

    def sources(self) -> Blocks:
        """Data coverage, the sources of every figure used, method notes, what is missing."""
        ds, a = self.dataset, self.analysis
        own = ds.scores[ds.scores["province_id"] == a.province]
        out = Blocks([Heading(self.L["sources"])])
        cover = []
        for level in ("pii", "subindex", "pillar", "subpillar", "indicator"):
            total = len(self.framework.codes(level))
            have = int(own[(own["level"] == level)]["score"].notna().sum())
            cover.append([level, f"{have}/{total}"])
        out.append(Table([_t(self.lang, "Cấp", "Level"), _t(self.lang, "Có điểm", "Scored")],
                         cover, align="lr", caption=_t(self.lang, "Mức độ đầy đủ dữ liệu của tỉnh.",
                                                      "Data coverage for the province."),
                         widths=[12, 8]))
        srcs = sorted({s for s in own["source"].dropna() if s})
        out.append(Heading(_t(self.lang, "Nguồn số liệu", "Sources"), 3))
        out.append(Bullets(srcs[:40] or ["—"]))
        if self.params is not None:
            out.append(Para(_t(self.lang, "Tham số kế hoạch: ", "Plan params: ") +
                            (self.params.plan.source or self.params.source_file or ""), "note"))
        out.append(Heading(_t(self.lang, "Phương pháp", "Method"), 3))
        out.append(Bullets([
            _t(self.lang, "Chuẩn hóa min–max 0–100 theo từng chỉ số trên các tỉnh của năm; nhóm "
                          "chỉ số, trụ cột là trung bình (có trọng số) của cấp dưới; Đầu vào = TB "
                          "trụ cột 1–5, Đầu ra = TB trụ cột 6–7, PII = (Đầu vào + Đầu ra)/2.",
               "Min–max 0–100 per indicator over the edition's provinces; sub-pillars and pillars "
               "are (weighted) means of their children; Input = mean of pillars 1–5, Output = "
               "mean of pillars 6–7, PII = (Input + Output)/2."),
            _t(self.lang, "Hạng 1 là cao nhất, đồng điểm cùng hạng cao hơn; hạng suy ra từ dữ liệu "
                          "chưa đầy đủ được ghi dưới dạng khoảng (ví dụ 12–16).",
               "Rank 1 is best; ties share the better rank; ranks derived from incomplete data "
               "are given as intervals (e.g. 12–16)."),
            _t(self.lang, "ΔPII = Σ trọng số hiệu dụng × Δđiểm, đúng khi min/max cả nước không đổi.",
               "ΔPII = Σ effective weight × Δscore, exact while national min/max are unchanged."),
        ]))
        missing = [m for m in a.missing]
        if missing:
            out.append(Heading(self.L["missing"], 3))
            out.append(Table([_t(self.lang, "Mục", "Section"), self.L["item"],
                              _t(self.lang, "Lý do", "Reason")],
                             [[self.section_name(m["section"]), missing_text(m["item"], self.lang),
                               missing_text(m["reason"], self.lang)] for m in missing],
                             align="lll", widths=[8, 20, 50]))
            out.append(Para(_t(self.lang, "Bổ sung: ", "To supply: ") +
                            missing_text(missing[0]["how"], self.lang), "note"))
        return out

    def stamp(self) -> Blocks:
        """Package version, data checksums, params checksum, generation time."""
        rows = [[_t(self.lang, "Phiên bản pii-reports", "pii-reports version"), __version__],
                ["Python", platform.python_version()]]
        for path, digest in sorted(self.dataset.files.items()):
            rows.append([path, f"sha256 {digest}"])
        if self.params is not None and self.params.source_file:
            rows.append([self.params.source_file,
                         f"sha256 {file_checksum(Path(self.params.source_file))}"])
        rows.append([_t(self.lang, "Thời điểm tạo", "Generated"),
                     dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")])
        return Blocks([Heading(self.L["stamp"]),
                       Table([_t(self.lang, "Mục", "Item"), _t(self.lang, "Giá trị", "Value")],
                             rows, align="ll", widths=[40, 30])])


@dataclass
class NationalReport:
    """Sections of the national overview of one edition."""

    dataset: Dataset
    lang: str = "vi"

    @classmethod
    def build(cls, edition: int = 2023, lang: str = "vi", data: str = "published"
              ) -> "NationalReport":
        """Load the edition's data (one call per notebook)."""
        _keep_kernel_memory_flat()
        return cls(dataset=load_dataset(data, int(edition)), lang=lang if lang in LABELS else "vi")

    def header(self) -> Blocks:
        out = Blocks()
        if self.dataset.is_demo:
            out.append(Banner(LABELS[self.lang]["demo_banner"]))
        info = edition_info(self.dataset.edition)
        out.append(Para(_t(self.lang, f"PII {self.dataset.edition}: {info['n_provinces']} tỉnh, "
                                      f"thành phố; công bố {info['published']}.",
                           f"PII {self.dataset.edition}: {info['n_provinces']} provinces; "
                           f"published {info['published']}."), "lead"))
        return out

    def overview(self) -> Blocks:
        nat = national(edition_context(self.dataset))
        f = lambda x, d=2: fmt_number(x, self.lang, d)  # noqa: E731
        n = self.dataset.n_provinces
        out = Blocks([Heading(_t(self.lang, "Bảng xếp hạng", "Ranking"))])
        if nat["ranking"]:
            out.append(plots.ranking_chart(nat["ranking"], self.lang, _t(
                self.lang, "Điểm PII của các tỉnh có số liệu, theo vùng.",
                "PII scores of the provinces with data, by region.")))
        rows = [[fmt_rank(r["rank"], None, n, self.lang), r["name"], r["region"], f(r["score"])]
                for r in nat["ranking"]]
        out.append(Table([_t(self.lang, "Hạng", "Rank"), _t(self.lang, "Tỉnh", "Province"),
                          _t(self.lang, "Vùng", "Region"), "PII"], rows, align="llrr",
                         widths=[6, 24, 8, 8]))
        if nat["distribution"]["n_known"] < n:
            out.append(Para(_t(self.lang, f"Có số liệu của {nat['distribution']['n_known']}/{n} "
                                          "tỉnh; các tỉnh còn lại chưa có số liệu công bố.",
                               f"Data for {nat['distribution']['n_known']}/{n} provinces; the "
                               "others have no published figures."), "missing"))
        out.append(Heading(_t(self.lang, "Trung bình theo vùng", "Regional averages")))
        reg = regions().set_index("region_id")
        out.append(Table([_t(self.lang, "Vùng", "Region"), "PII", _t(self.lang, "Nguồn", "Source")],
                         [[reg.at[r["region"], "name_vi" if self.lang == "vi" else "name_en"],
                           f(r["average"]), r["source"] or "—"] for r in nat["regions"]],
                         align="lrl", widths=[30, 8, 40]))
        d = nat["distribution"]
        if "median" in d:
            out.append(Heading(_t(self.lang, "Phân bố", "Distribution")))
            scores = [r["score"] for r in nat["ranking"] if r["score"] is not None]
            out.append(plots.distribution_chart(scores, self.lang, _t(
                self.lang, "Phân bố điểm PII.", "Distribution of PII scores.")))
            out.append(Table(["min", "Q1", _t(self.lang, "trung vị", "median"), "Q3", "max"],
                             [[f(d["min"]), f(d["q1"]), f(d["median"]), f(d["q3"]), f(d["max"])]],
                             align="rrrrr"))
        fw = load_framework(self.dataset.edition)
        leaders = [[f"{x['code']}. {fw.name(x['code'], self.lang)}",
                    ", ".join(province_name(p) for p in x["provinces"]) or "—"]
                   for x in nat["leaders"]]
        out.append(Heading(_t(self.lang, "Dẫn đầu theo trụ cột", "Leaders by pillar")))
        out.append(Table([_t(self.lang, "Trụ cột", "Pillar"), _t(self.lang, "Hạng 1", "Rank 1")],
                         leaders, align="ll", widths=[40, 30]))
        if nat["movers"]:
            out.append(Heading(_t(self.lang, "Thay đổi hạng lớn nhất", "Largest movers")))
            out.append(Table([_t(self.lang, "Tỉnh", "Province"),
                              _t(self.lang, "Hạng trước", "Before"),
                              _t(self.lang, "Hạng nay", "Now"), "Δ"],
                             [[province_name(m["province"]), str(m["rank_before"]),
                               str(m["rank_now"]), f"{m['rank_change']:+d}"] for m in
                              nat["movers"]], align="lrrr"))
        return out
