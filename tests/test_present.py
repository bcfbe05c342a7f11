"""Unit tests of the presentation layer: number and date formats, sentences, blocks, chart labels.

The end-to-end tests read whole reports; these pin each piece on its own, in both languages, so
that a wrong format or a sentence fed the wrong figure fails here with a precise message.
"""

import datetime as dt
import re

import pytest

from conftest import ROOT
from pii_lib.data.layers import load_dataset, load_history
from pii_lib.method.analysis import analyse_province
from pii_lib.method.results import GoalPath, PathStep
from pii_lib.model.params import load_params
from pii_lib.present import blocks, charts
from pii_lib.present.narrative import goal_sentence, rank_text, summary_paragraph
from pii_lib.present.wording import date, gain, number, signed, wording


@pytest.mark.parametrize("value, lang, decimals, shown", [
    (46.51, "vi", 2, "46,51"),
    (46.51, "en", 2, "46.51"),
    (1234.5, "vi", 1, "1.234,5"),
    (1234.5, "en", 1, "1,234.5"),
    (-0.25, "vi", 2, "−0,25"),   # a true minus sign
    (-0.004, "vi", 2, "0,00"),   # never "−0,00"
    (None, "vi", 2, "—"),
    (float("nan"), "en", 2, "—"),
])
def test_numbers_in_each_language(value, lang, decimals, shown):
    assert number(value, lang, decimals) == shown


def test_signed_changes_and_small_gains():
    assert signed(0.25, "vi") == "+0,25"
    assert signed(-0.25, "en") == "−0.25"
    assert signed(0.001, "vi") == "0,00"  # no sign on a change that rounds to nothing
    # a gain below 0.01 keeps enough decimals to be seen, at most four
    assert gain(0.004, "vi") == "0,004"
    assert gain(0.00004, "en") == "0.0000"
    assert gain(1.944, "en") == "1.94"


def test_dates_in_each_language():
    assert date("2024-07-09", "vi") == "9/7/2024"
    assert date(dt.date(2024, 7, 9), "en") == "9 July 2024"
    assert date(None, "vi") == "—"


@pytest.mark.parametrize("rank, interval, shown", [
    (11, None, "11/63"),
    (None, [12, 16], "12–16/63"),
    (None, [9, 9], "9/63"),        # an interval of one rank is that rank
    (None, [1, 63], "—"),          # an interval that says nothing is unknown
    (None, None, "—"),
])
def test_rank_text(rank, interval, shown):
    assert rank_text(wording("vi"), rank, interval, 63) == shown


def test_format_placeholders_follow_the_language():
    vi, en = wording("vi"), wording("en")
    assert vi("summary.projection", k=17, delta=1.944, pii=48.45, rank="9/63") == (
        "Nếu đạt cả 17 mục tiêu chỉ số của kế hoạch, điểm PII dự kiến tăng 1,94 điểm lên "
        "48,45 điểm, xếp hạng 9/63 (giả định các tỉnh khác giữ nguyên điểm).")
    assert "1.94" in en("summary.projection", k=17, delta=1.944, pii=48.45, rank="9/63")


@pytest.fixture(scope="module")
def bac_giang():
    ds = load_dataset("published", 2023)
    plan = load_params(ROOT / "params" / "bac-giang.yaml")
    return analyse_province(ds, "bac-giang", plan, load_history("published", 2023))


def test_summary_paragraph_states_the_published_and_computed_figures(bac_giang):
    vi = summary_paragraph(wording("vi"), bac_giang)
    assert "Năm 2023, Bắc Giang đạt 46,51 điểm PII, xếp hạng 11/63." in vi
    assert "cần thêm 1,24 điểm PII (điểm của địa phương xếp hạng 10: 47,75)" in vi
    assert "lên 48,45 điểm, xếp hạng 9/63" in vi
    assert not re.search(r"\d\.\d\d", vi)  # no English decimals (codes such as 6.1.1 are fine)
    en = summary_paragraph(wording("en"), bac_giang)
    assert "46.51" in en and "11/63" in en and "48.45" in en and "9/63" in en
    assert "," not in re.sub(r"(?<!\d),|,(?!\d)", "", en)  # no decimal comma in English


def _goal(**kw) -> GoalPath:
    base = dict(rank=10, source="plan", status="gap", threshold_score=47.75, points_needed=1.24)
    return GoalPath(**{**base, **kw})


def test_goal_sentence_for_each_status():
    w = wording("vi")
    reached = goal_sentence(w, _goal(status="reached", points_needed=0.0, margin=0.7,
                                     margin_basis="next_rank"), 63)
    assert reached == ("Tỉnh đã ở trong nhóm 10 địa phương dẫn đầu, cao hơn địa phương xếp "
                       "hạng 11 là 0,70 điểm PII.")
    steps = [PathStep(code="6.1.1", start=18.31, end=48.11, raise_by=29.8, pii_gain=1.24)]
    gap = goal_sentence(w, _goal(cheapest_path=steps, closes_gap=True,
                                 cheapest_total_points=29.8), 63)
    assert "1,24" in gap and "47,75" in gap and "6.1.1 +29,8" in gap
    assert goal_sentence(w, _goal(status="unknown"), 63) == ""


def test_table_escapes_text_in_markdown_and_html():
    t = blocks.Table(columns=["Mã", "Nội dung"], rows=[["1.1", "<script>*x*|y</script>"]],
                     caption="Bảng thử")
    md = t._repr_markdown_()
    assert r"\<script\>\*x\*\|y\</script\>" in md.replace(r"\/", "/")
    assert re.search(r"^: Bảng thử \{#tbl-[0-9a-f]+\}$", md, re.M)
    html = t._repr_html_()
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_short_headers_get_room_beside_long_text():
    """A header such as "Điểm" beside a long text column ran into its neighbour in the PDF."""
    t = blocks.Table(columns=["Trụ cột", "Điểm", "Hạng"],
                     rows=[["Nguồn nhân lực và nghiên cứu và phát triển " * 2, "67,23", "4/63"]])
    widths = t.content_widths()
    assert widths[0] == 62                       # long text: capped at 60, plus padding
    assert widths[1] >= len("Điểm") + 3 and widths[2] >= len("Hạng") + 3
    dashes = t._repr_markdown_().splitlines()[1].strip("|").split("|")
    assert [len(d) for d in dashes] == widths    # the widths reach pandoc as dash counts


def test_figure_markdown_has_an_id_alt_text_and_an_embedded_image():
    f = blocks.Figure(png=b"\x89PNG fake", caption="Điểm các trụ cột", alt='So "sánh"')
    md = f._repr_markdown_()
    assert md.startswith("![Điểm các trụ cột](data:image/png;base64,")
    assert re.search(r'\{#fig-[0-9a-f]+ fig-alt="So \\"sánh\\""\}$', md)


@pytest.fixture
def drawn(monkeypatch):
    """The matplotlib figure a chart function draws, kept open for inspection."""
    kept = {}

    def keep(fig, caption, alt="", dpi=120, label=""):
        kept["fig"] = fig
        return blocks.Figure(png=b"", caption=caption, label=label)

    monkeypatch.setattr(blocks.Figure, "from_matplotlib", staticmethod(keep))
    yield kept
    import matplotlib.pyplot as plt
    plt.close("all")


@pytest.mark.parametrize("lang, tick, axis_label", [("vi", "1.500", "Điểm PII"),
                                                    ("en", "1,500", "PII score")])
def test_chart_ticks_and_labels_follow_the_language(drawn, lang, tick, axis_label):
    charts.distribution_chart(wording(lang), [40.1, 46.5, 52.3, 61.0], "cap")
    ax = drawn["fig"].axes[0]
    assert ax.xaxis.get_major_formatter()(1500, 0) == tick
    assert ax.get_xlabel() == axis_label


def test_ranking_chart_names_every_province_without_empty_bands(drawn):
    from types import SimpleNamespace as Row
    ranking = [Row(province=p, region="dbsh", score=s)
               for p, s in (("ha-noi", 62.86), ("bac-ninh", 50.1), ("hung-yen", 40.2))]
    ranking.append(Row(province="nam-dinh", region="dbsh", score=None))  # unknown: left out
    charts.ranking_chart(wording("vi"), ranking, "cap")
    ax = drawn["fig"].axes[0]
    top_down = sorted(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())),
                      reverse=True)
    assert [name for _, name in top_down] == ["Hà Nội", "Bắc Ninh", "Hưng Yên"]
    assert ax.get_ylim() == pytest.approx((-0.6, 2.6))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Đồng bằng sông Hồng"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pillar_chart_legend_stays_inside_the_figure_and_off_the_bars(drawn, lang):
    """With four entries the legend, centred over axes that long names push right, was cut."""
    from types import SimpleNamespace as Row
    w = wording(lang)
    names = {"2": "Vốn con người, Nghiên cứu và phát triển", "4": "Trình độ phát triển"}
    pillars = [Row(code=k, score=26.35, median=30.1, top10_threshold=47.2, region_average=25.0)
               for k in names]
    charts.pillar_chart(Row(w=w, label=names.get), pillars, "cap")
    fig = drawn["fig"]
    fig.canvas.draw()
    legend = fig.legends[0].get_window_extent()
    axes = fig.axes[0].get_window_extent()
    assert len(fig.legends[0].get_texts()) == 4
    assert 0 <= legend.x0 and legend.x1 <= fig.bbox.x1 and legend.y1 <= fig.bbox.y1
    assert legend.y0 >= axes.y1  # above the plot, not over a bar
