"""Charts read on paper: every figure of the reports fits A4 portrait, its text is legible, labels do not collide.

A4 portrait minus margins is ≈ 186 mm ≈ 7.3 in wide; a figure wider than that is scaled down when printed
and its 8 pt text shrinks below 8 pt. Each figure function is drawn on the demo assessment (a failing and a
passing county, the city's plan targets) and measured at its saved size.
"""
import itertools

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

import quality_balance as qb  # noqa: E402
from quality_balance.report import charts, progress_charts, style  # noqa: E402
from quality_balance.report.notebook import mark_synthetic  # noqa: E402
from tests.builders import JUNIOR_OK, frame, school  # noqa: E402
from quality_balance.method.resources import assess_resources  # noqa: E402

#: A4 portrait content width (210 mm − 2 × 12 mm margins = 186 mm) in inches, and the print budgets.
A4_CONTENT_IN = 186 / 25.4
FAILING, PASSING = "台前县", "清丰县"


def _figures(a, demo_data):
    """Every figure the report notebooks draw (county report: both counties; city overview: the plans)."""
    progress = qb.progress(a)
    projection = qb.project(progress)
    last = int(a.verdicts["year"].max())
    min_ratio = 0.85
    out = {}
    for county in (FAILING, PASSING):
        school_id = a.resources.values.loc[a.resources.values["county"] == county, "school_id"].iloc[0]
        out |= {
            f"{county} cv": charts.plot_cv_by_year(a.cv, county),
            f"{county} misses": charts.plot_school_misses(a.resources.values, a.units, county, last, min_ratio),
            f"{county} recognition": charts.plot_recognition(a.recognition, county),
            f"{county} school trend": charts.plot_school_trend(a.resources.values, school_id),
        }
        for i, fig in enumerate(progress_charts.plot_county_progress(progress, county, projection, max_n=6)):
            out[f"{county} progress {i}"] = fig
    actuals = qb.plan_actuals(a)
    for i, fig in enumerate(progress_charts.plot_plan_targets(actuals, "全市", kinds=("yearly", "total", "level"))):
        out[f"plan {i}"] = fig
    return {name: mark_synthetic(fig, demo_data) for name, fig in out.items()}


@pytest.fixture(scope="module")
def drawn(demo_assessment, demo_data):
    figures = _figures(demo_assessment, demo_data)
    out = {}
    for name, fig in figures.items():
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        out[name] = (fig, canvas.get_renderer())
    return out


def _texts(fig):
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _overlaps(boxes) -> list:
    return [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2) if ba.overlaps(bb)]


def test_the_report_draws_every_kind_of_figure(drawn):
    names = " ".join(drawn)
    for kind in ("cv", "misses", "recognition", "school trend", "progress 0", "plan 0"):
        assert kind in names
    assert len([n for n in drawn if n.startswith("plan")]) >= 3


def test_every_figure_fits_the_a4_content_width_at_its_saved_size(drawn):
    assert style.PRINT_WIDTH_IN <= A4_CONTENT_IN
    for name, (fig, renderer) in drawn.items():
        width, height = fig.get_size_inches()
        saved = fig.get_tightbbox(renderer)          # savefig(bbox_inches="tight") of the style: what is embedded
        pad = 2 * matplotlib.rcParams["savefig.pad_inches"]
        assert width <= A4_CONTENT_IN and saved.width + pad <= A4_CONTENT_IN, name
        assert height <= style.GRID_HEIGHT_IN and saved.height <= style.GRID_HEIGHT_IN + 0.3, name


def test_single_charts_keep_to_their_height_budget(drawn):
    for name, (fig, _) in drawn.items():
        if "progress" not in name and "misses" not in name:
            assert fig.get_size_inches()[1] <= style.CHART_HEIGHT_IN, name


def test_every_text_is_at_least_8_points(drawn):
    for name, (fig, _) in drawn.items():
        small = [(t.get_text(), t.get_fontsize()) for t in _texts(fig) if t.get_fontsize() < style.MIN_FONT_PT]
        assert not small, (name, small[:5])
    assert style.MIN_FONT_PT == 8


def test_year_tick_labels_never_overlap(drawn):
    for name, (fig, renderer) in drawn.items():
        for ax in fig.axes:
            labels = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
            boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels]
            assert not _overlaps(boxes), (name, ax.get_title())


def test_the_direct_labels_of_the_cv_chart_never_overlap(drawn):
    for county in (FAILING, PASSING):
        fig, renderer = drawn[f"{county} cv"]
        for ax in fig.axes:
            ends = [t for t in ax.texts if t.get_text()[:1] == "R"]
            assert not _overlaps([(t.get_text(), Text.get_window_extent(t, renderer)) for t in ends]), county


def test_figures_are_drawn_at_150_dpi_for_print():
    style.use_style()
    assert matplotlib.rcParams["figure.dpi"] == matplotlib.rcParams["savefig.dpi"] == style.DPI == 150
    # the notebooks' inline backend embeds each figure at its own dpi (IPython's print_figure uses fig.dpi)
    from IPython.core.pylabtools import print_figure
    fig = charts.plot_recognition(pd.DataFrame(columns=["city", "county", "year", "group"]), "甲县")
    png = print_figure(fig, "png")                   # as the inline backend calls it: the rc padding applies
    width_px = int.from_bytes(png[16:20], "big")
    assert fig.dpi == 150 and width_px <= A4_CONTENT_IN * 150 and width_px <= (style.PRINT_WIDTH_IN + 0.1) * 150
    assert width_px > style.PRINT_WIDTH_IN * 100     # sharper than the old 100 dpi


# --- the CV chart tells which indicator crosses its limit -------------------------------------------

@pytest.fixture(scope="module")
def ra():
    """甲县 2024: 小学 R7 CV 0.852 over the 0.50 limit (school B has 0.2 rooms per 100 students); 2025 has a
    junior school too. Every other indicator stays under its limit."""
    rows = frame(
        school(school_id="A", year=2024), school(school_id="B", year=2024, multimedia_rooms=2.0),
        school(school_id="A"), school(school_id="B", teaching_area_m2=3000.0, students_primary=800.0),
        school(JUNIOR_OK, school_id="C"),
    )
    return assess_resources(rows)


def test_over_limit_indicators_are_coloured_and_the_others_muted(ra):
    fig = charts.plot_cv_by_year(ra.cv, "甲县")
    primary = fig.axes[0]
    lines = {line.get_label(): line for line in primary.get_lines()}
    assert lines["R7"].get_color() == charts.INDICATOR_COLORS["R7"] == style.OKABE_ITO[6]
    assert lines["R7"].get_linewidth() > lines["R1"].get_linewidth()
    for ind in ("R1", "R2", "R3", "R4", "R5", "R6"):
        assert lines[ind].get_color() == style.MUTED_COLOR, ind
    # marker shapes tell lines apart without colour
    assert len({lines[i].get_marker() for i in ("R1", "R2", "R3", "R4", "R5", "R6", "R7")}) == 7
    assert "R7 多媒体教室 超过限值" in primary.get_title()
    assert "各项均未超过限值" in fig.axes[1].get_title()


def test_every_indicator_has_a_direct_label_at_its_line_end(ra):
    fig = charts.plot_cv_by_year(ra.cv, "甲县")
    primary = fig.axes[0]
    labels = {t.get_text(): t for t in primary.texts if t.get_text()[:1] == "R"}
    assert set(labels) == {f"{i} {charts.INDICATOR_SHORT_LABELS[i]}" for i in charts.INDICATORS}
    hot = labels["R7 多媒体教室"]
    assert hot.get_color() == charts.INDICATOR_COLORS["R7"]
    assert all(labels[k].get_color() != hot.get_color() for k in labels if k != "R7 多媒体教室")
    # each label points at its line's last value (2025)
    r7 = next(line for line in primary.get_lines() if line.get_label() == "R7")
    assert hot.xy == pytest.approx((2025, r7.get_ydata()[-1]))
    assert hot.get_position()[0] > 2025


def test_the_limit_line_is_labelled_with_its_value_from_the_limit_column(ra):
    fig = charts.plot_cv_by_year(ra.cv, "甲县")
    assert "限值 0.5" in [t.get_text() for t in fig.axes[0].texts]
    assert "限值 0.45" in [t.get_text() for t in fig.axes[1].texts]
    local = ra.cv.assign(limit=ra.cv["limit"].where(ra.cv["stage"] != "primary", 0.4))   # a stricter profile
    texts = [t.get_text() for t in charts.plot_cv_by_year(local, "甲县").axes[0].texts]
    assert "限值 0.4" in texts and "限值 0.5" not in texts


def test_the_years_over_the_limit_are_circled_and_the_band_above_it_shaded(ra):
    fig = charts.plot_cv_by_year(ra.cv, "甲县")
    primary = fig.axes[0]
    circled = np.concatenate([c.get_offsets() for c in primary.collections])
    assert circled.shape == (1, 2) and list(circled[0]) == pytest.approx([2024, 0.851852], abs=1e-6)
    # a light red band from the limit up: the region a CV must not reach
    bands = [p for p in primary.patches if p.get_facecolor()[0] > 0.7 and p.get_facecolor()[3] < 0.2]
    assert len(bands) == 1
    band = bands[0]                                   # a Rectangle in data y
    assert band.get_y() == pytest.approx(0.5)
    assert band.get_y() + band.get_height() == pytest.approx(primary.get_ylim()[1])


def test_label_spreading_by_hand():
    # wishes 0.10, 0.11, 0.30 with a gap of 0.04: the first two share a centre 0.105 → 0.085 and 0.125
    placed = charts._spread(np.array([0.11, 0.30, 0.10]), 0.04, 0.0, 1.0)
    assert placed.tolist() == pytest.approx([0.125, 0.30, 0.085])
    # just apart (gap 0.01 ≤ 0.01) nothing moves; pushed up from below the axis
    assert charts._spread(np.array([0.10, 0.11]), 0.01, 0.0, 1.0).tolist() == pytest.approx([0.10, 0.11])
    assert charts._spread(np.array([0.0, 0.0]), 0.1, 0.05, 1.0).tolist() == pytest.approx([0.05, 0.15])


# --- the school-miss grid is capped ----------------------------------------------------------------

def test_the_school_grid_lists_at_most_max_units_and_says_how_many_are_left_out(demo_assessment):
    a = demo_assessment
    last = int(a.verdicts["year"].max())
    full = charts.plot_school_misses(a.resources.values, a.units, FAILING, last, 0.85, max_units=None)
    n = len(full.axes[0].get_yticks())
    assert n > 3
    at = charts.plot_school_misses(a.resources.values, a.units, FAILING, last, 0.85, max_units=n)
    assert len(at.axes[0].get_yticks()) == n and "未显示" not in at._suptitle.get_text()
    past = charts.plot_school_misses(a.resources.values, a.units, FAILING, last, 0.85, max_units=n - 1)
    assert len(past.axes[0].get_yticks()) == n - 1
    assert f"只列出最差的 {n - 1} 个，另有 1 个未全部达标的单元未显示" in past._suptitle.get_text()
    # the worst come first: units failing the school rule (marked ×) before the others
    names = [t.get_text() for t in full.axes[0].get_yticklabels()]
    kept = [t.get_text() for t in past.axes[0].get_yticklabels()]
    assert kept == names[:n - 1] and names[0].startswith("× ")
    assert past.get_size_inches()[1] < full.get_size_inches()[1] <= style.GRID_HEIGHT_IN


# --- counts: integer ticks from 0, never projected below zero ---------------------------------------

def _count_table(values, unit="所（未达标学校数）", measure="G5"):
    rows = [dict(city="测试市", county="甲县", year=2021 + i, measure=measure, label="班额", value=v, threshold=0.0,
                 direction="<=", unit=unit, status="met" if v <= 0 else "not_met", met=v <= 0, counts=True,
                 numeric=True, source="item", indicator=None)
            for i, v in enumerate(values)]
    return pd.DataFrame(rows).assign(met=lambda f: f["met"].astype("boolean"))


def test_a_count_chart_has_integer_ticks_from_zero_and_no_negative_projection():
    table = _count_table([6.0, 5.0, 3.0])
    fig = progress_charts.plot_progress(table, "甲县", "G5", projection=qb.project(table))
    ax = fig.axes[0]
    locator = ax.yaxis.get_major_locator()
    assert isinstance(locator, MaxNLocator) and locator._integer
    assert ax.get_ylim()[0] == 0
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    assert all(float(t).is_integer() for t in ticks)
    dashed = next(line for line in ax.get_lines() if line.get_label() == "预测（线性趋势）")
    assert min(dashed.get_ydata()) == 0.0          # 2026: −4/3 on the line, drawn at 0
    band = next(c for c in ax.collections if c.get_label().startswith("预测区间"))
    assert band.get_paths()[0].vertices[:, 1].min() >= 0


def test_a_measure_that_is_not_a_count_keeps_its_own_axis():
    """Control: a CV (no unit) falling towards its limit gets no integer locator and no forced 0."""
    table = _count_table([0.60, 0.57, 0.54], unit="", measure="R4-CV-primary").assign(threshold=0.5)
    table["status"], table["met"] = "not_met", pd.array([False] * 3, dtype="boolean")
    ax = progress_charts.plot_progress(table, "甲县", "R4-CV-primary", projection=qb.project(table)).axes[0]
    assert not isinstance(ax.yaxis.get_major_locator(), MaxNLocator) or not ax.yaxis.get_major_locator()._integer
    assert ax.get_ylim()[0] > 0


def test_a_plan_chart_of_schools_has_integer_ticks(demo_assessment):
    actuals = qb.plan_actuals(demo_assessment)
    counted = actuals[actuals["unit"].isin(["所", "个", "人"]) & actuals["kind"].isin(["yearly", "total"])]
    target = counted["target_id"].iloc[0]
    fig = progress_charts.plot_plan_vs_actual(counted, target)
    for ax in fig.axes:
        assert isinstance(ax.yaxis.get_major_locator(), MaxNLocator) and ax.yaxis.get_major_locator()._integer
        assert ax.get_ylim()[0] == 0


def test_year_ticks_are_thinned_on_narrow_panels():
    from matplotlib.figure import Figure
    ax = Figure().subplots()
    style.year_ticks(ax, range(2021, 2031), max_labels=5)
    assert list(ax.get_xticks()) == list(range(2021, 2031))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021", "", "2023", "", "2025", "", "2027", "",
                                                             "2029", ""]
    style.year_ticks(ax, range(2021, 2026), max_labels=5)       # at the limit: every year labelled
    assert "" not in [t.get_text() for t in ax.get_xticklabels()]


# --- the embedded picture is laid out once ---------------------------------------------------------

def _png_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_constrained_layout_keeps_every_report_figure_inside_its_picture(drawn):
    """figure_png saves the figure's own box (and the stamp): nothing the tight crop would keep is cut off."""
    for name, (fig, renderer) in drawn.items():
        box = style._picture_box(fig)
        stamp = [t for t in fig.texts if t.get_text().startswith("⚠")]
        assert stamp, name                                         # the demo data: every figure is stamped
        tight = fig.get_tightbbox(renderer)                        # what bbox_inches="tight" keeps (inches)
        one_px = 1 / fig.dpi
        assert tight.x0 >= box.x0 - one_px and tight.y0 >= box.y0 - one_px, name
        assert tight.x1 <= box.x1 + one_px and tight.y1 <= box.y1 + one_px, name
        # the stamp sits above the figure: the picture grows by its height and the padding, not more
        width, height = fig.get_size_inches()
        assert box.y1 > height and box.y1 - height < 0.4 and (box.x0, box.y0) == (0, 0), name
        png = style.figure_png(fig)
        assert _png_size(png) == pytest.approx((box.width * fig.dpi, box.height * fig.dpi), abs=1), name
        assert box.width <= A4_CONTENT_IN, name


def test_a_figure_without_texts_outside_is_saved_at_its_own_size_and_one_without_constrained_layout_cropped():
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    style.use_style()
    plain = charts.plot_recognition(pd.DataFrame(columns=["city", "county", "year", "group"]), "甲县")
    width, height = plain.get_size_inches()
    assert _png_size(style.figure_png(plain)) == (round(width * style.DPI), round(height * style.DPI))
    own = Figure(figsize=(4, 3))                                   # one's own figure: the inline backend's crop
    own.subplots().plot([1, 2], [3, 4])
    assert style.figure_png(own) == print_figure(own, "png", bbox_inches="tight")
    assert style.figure_png(Figure()) is None                      # nothing drawn, nothing shown
    assert isinstance(style.figure_png(plain, base64=True), str)


def test_setup_report_makes_ipython_show_figures_as_laid_out_once_png():
    import base64

    from IPython.core.interactiveshell import InteractiveShell

    from quality_balance.report.notebook import setup_report

    shell = InteractiveShell.instance()
    try:
        setup_report()
        def fig():
            return charts.plot_recognition(pd.DataFrame(columns=["city", "county", "year", "group"]), "甲县")

        data, _ = shell.display_formatter.format(fig())
        assert base64.b64decode(data["image/png"]) == style.figure_png(fig())
        assert style.show_figures_as_png(shell) is True
    finally:
        InteractiveShell.clear_instance()
    assert style.show_figures_as_png() is False                    # outside IPython: nothing to do
