"""The what-if simulator's model and block (no browser), and the rank robustness sections.

The model must let the page reproduce the analysis exactly: its rank bounds give the same
``(best, worst)`` as :func:`rank_interval` for any score, and its evaluation at the plan's
targets gives the analysis's projection (Bắc Giang 2023: 48,45 and 9/63).
"""

import json
import math
import re

import numpy as np
import pytest

from conftest import ROOT
from pii_lib.data.layers import load_dataset, load_history
from pii_lib.method.analysis import analyse_province
from pii_lib.method.context import edition_context, rank_interval
from pii_lib.method.edition_robustness import edition_robustness
from pii_lib.method.whatif import evaluate, rank_bounds, simulator_model
from pii_lib.model.params import load_params
from pii_lib.present.blocks import Figure, Table
from pii_lib.present.province import ProvinceReport
from pii_lib.present.whatif import WhatIf, script_json


def _model(pid, edition=2023, data="published", params=None):
    ds = load_dataset(data, edition)
    p = load_params(ROOT / "params" / params) if params else None
    analysis = analyse_province(ds, pid, p, load_history(data, edition))
    ctx = edition_context(ds)
    return ctx, analysis, simulator_model(ctx, analysis)


@pytest.fixture(scope="module")
def bac_giang():
    return _model("bac-giang", params="bac-giang.yaml")


def test_model_of_bac_giang_lists_the_plan_targets_first_at_full_precision(bac_giang):
    ctx, analysis, model = bac_giang
    codes = [i.code for i in model.indicators]
    assert codes[:17] == [t.code for t in analysis.targets]
    assert all(i.target is not None and i.score_source == "data" for i in model.indicators)
    data = model.to_dict()
    text = json.dumps(data, allow_nan=False)  # no NaN in the page
    assert set(data) >= {"pii", "rank_today", "subindices", "pillars", "indicators", "rank",
                         "goal_rank", "goal_threshold", "cheapest_path"}
    assert data["pii"] == 46.51 and data["rank_today"] == [11, 11] and data["n"] == 63
    assert data["goal_rank"] == 10 and data["goal_threshold"] == 47.75
    assert len(data["rank"]["others"]) == 62 and data["rank"]["exact"] is False
    first = data["indicators"][0]
    assert set(first) == {"code", "score", "score_source", "weight", "pillar", "subindex",
                          "target", "national_min", "national_max", "direction"}
    assert first["pillar"] == "1" and first["subindex"] == "IN"
    assert math.isclose(first["weight"], 0.5 * 0.2 * 0.5 * (1 / 3))  # 1.1.1
    assert "48.07000000000005" in text  # the cheapest path's end is not rounded


def test_plan_targets_reproduce_the_projection_exactly(bac_giang):
    _, analysis, model = bac_giang
    result = evaluate(model, {i.code: i.target for i in model.indicators})
    assert result["pii"] == analysis.projection.pii  # bit for bit
    assert round(result["pii"], 2) == 48.45 and result["rank"] == [9, 9]
    assert result["rank"] == analysis.projection.rank_range
    for change in analysis.projection.pillars:
        assert result["pillars"][change.code] == change.projected
    assert result["subindices"] == {"IN": None, "OUT": None}  # unknown today: unknown then
    assert result["gap"] == pytest.approx(47.75 - result["pii"])


def test_today_shows_the_reports_rank_and_no_change(bac_giang):
    _, analysis, model = bac_giang
    today = evaluate(model, {})
    assert today["pii"] == 46.51 and today["rank"] == [11, 11]
    assert today["pillars"]["1"] == 67.23 and today["pillars"]["2"] is None
    assert today["gap"] == pytest.approx(analysis.goal.points_needed)


def test_cheapest_path_reaches_the_goal(bac_giang):
    _, _, model = bac_giang
    result = evaluate(model, dict(model.cheapest_path))
    assert result["pii"] == pytest.approx(47.75) and result["rank"] == [10, 10]


@pytest.mark.parametrize("pid,edition,data", [
    ("bac-giang", 2023, "published"), ("hung-yen", 2023, "published"),
    ("thanh-hoa", 2024, "published"), ("bac-ninh", 2025, "published"),
    ("ha-noi", 2023, "demo"), ("bac-giang", 2024, "demo")])
def test_rank_bounds_give_the_same_ranks_as_rank_interval(pid, edition, data):
    ctx = edition_context(load_dataset(data, edition))
    bounds = rank_bounds(ctx, pid)
    assert bounds.exact == ctx.column_complete("PII") and len(bounds.others) == ctx.n - 1
    others = ctx.score["PII"].drop(index=pid).dropna().round(2).tolist()
    probes = list(np.linspace(0, 100, 201)) + others + [s + 1e-9 for s in others] + \
        [s - 1e-7 for s in others]
    for score in probes:
        assert bounds.rank(float(score)) == rank_interval(ctx, pid, "PII", float(score)), score


def test_interval_rank_on_published_data_after_a_change():
    ctx, analysis, model = _model("thanh-hoa", 2024)
    assert model.rank_today == [26, 26] and len(model.indicators) == 3
    code = model.indicators[0].code
    result = evaluate(model, {code: 100.0})
    assert result["rank"] == list(rank_interval(ctx, "thanh-hoa", "PII", result["pii"]))
    assert result["rank"][0] < result["rank"][1]


def test_no_indicator_score_gives_one_sentence_and_no_widget():
    report = ProvinceReport.build("hung-yen", 2023, "vi", "published",
                                  str(ROOT / "params/hung-yen.yaml"))
    blocks = report.what_if()
    html = "".join(b._repr_html_() for b in blocks)
    assert "Chưa có điểm chỉ số thành phần nào để mô phỏng." in html
    assert "<input" not in html and "<script" not in html
    assert all(b._repr_markdown_() == "" for b in blocks)


def test_block_is_html_only_escaped_and_self_contained():
    report = ProvinceReport.build("ha-noi", 2023, "en", "demo")
    (block,) = report.what_if()
    assert isinstance(block, WhatIf) and block._repr_markdown_() == ""
    data, meta = block._repr_mimebundle_()
    assert data["text/markdown"] == "" and meta["pii"]["html_only"] is True
    block.names[block.model.indicators[0].code] = '<script>alert("x")</script>'
    block.units[block.model.indicators[0].code] = "</script><b>"
    html = block._repr_html_()
    assert '<script>alert("x")' not in html and "&lt;script&gt;alert" in html
    assert html.count("<script") == 2 and html.count("</script>") == 2
    assert not re.search(r'(?:src|href)\s*=', html) and "eval(" not in html
    payload = re.search(r'<script type="application/json" class="whatif-model">(.*?)</script>',
                        html, re.S).group(1)
    page = json.loads(payload)
    assert page["lang"] == "en" and page["units"][block.model.indicators[0].code] == \
        "</script><b>"
    assert len(block.model.indicators) == 52 and page["model"]["rank"]["exact"] is True
    assert 'data-preset="plan"' not in html  # no targets in the demo Hà Nội params
    assert html.count('class="wi-slider"') == 52 and html.count('class="wi-box"') == 52


def test_script_json_cannot_close_the_script():
    text = script_json({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_vietnamese_numbers_in_the_simulator(bac_giang):
    report = ProvinceReport.build("bac-giang", 2023, "vi", "published",
                                  str(ROOT / "params/bac-giang.yaml"))
    html = report.what_if()[0]._repr_html_()
    assert 'data-out="pii">46,51<' in html and 'data-out="rank">11/63<' in html
    assert "cần thêm 1,24" in html and 'value="12,76"' in html


# --- rank robustness in the reports ------------------------------------------------------------

def test_robustness_only_on_complete_data_and_computed_once():
    assert edition_robustness(load_dataset("published", 2023)) is None
    demo = load_dataset("demo", 2023)
    first = edition_robustness(demo)
    assert first is not None and len(first.table) == 63
    assert edition_robustness(demo) is first  # cached per dataset
    assert first.settings.draws == 1000 and first.settings.seed == 20231


def test_province_report_says_how_robust_its_rank_is_on_demo_data():
    report = ProvinceReport.build("ha-noi", 2023, "vi", "demo")
    text = " ".join(b._repr_markdown_() for b in report.position())
    table = edition_robustness(report.ctx.dataset).table.set_index("province_id")
    row = {k: int(v) for k, v in table.loc["ha-noi"].items() if k != "official_score"}
    expected = (f"Hạng {row['official_rank']}/63; với 90% các cách tính hợp lý (thay đổi trọng "
                f"số, cách lấy trung bình, xử lý giá trị ngoại lai), tỉnh xếp từ hạng "
                f"{row['rank_p05']} đến hạng {row['rank_p95']}")
    assert expected in text.replace("\\", "")
    assert "Mô phỏng 1.000 lần" in text.replace("\\", "")
    assert row["official_rank"] == report.analysis.position.pii.rank
    published = ProvinceReport.build("bac-giang", 2023, "vi", "published")
    assert "cách tính hợp lý" not in " ".join(b._repr_markdown_()
                                               for b in published.position())


def test_national_overview_has_the_robustness_chart_and_table_on_demo_only():
    from pii_lib.present.national import NationalReport

    blocks = NationalReport.build(2023, "en", "demo").robustness()
    assert any(isinstance(b, Figure) for b in blocks)
    table = next(b for b in blocks if isinstance(b, Table))
    assert len(table.rows) == 63 and table.rows[0][0] == "1"
    assert re.fullmatch(r"\d+–\d+", table.rows[0][3])
    assert NationalReport.build(2023, "en", "published").robustness() == []
