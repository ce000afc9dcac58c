"""The CJK font resolves and Chinese labels draw without missing-glyph warnings."""
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from quality_balance.report import style  # noqa: E402


def test_font_file_is_shipped_by_mplfonts():
    path = style.cjk_font_path()
    assert path.is_file()
    assert path.name == "NotoSansCJKsc-Regular.otf"
    assert "mplfonts" in path.parts


def test_family_resolves_to_the_noto_file():
    family = style.register_cjk_font()
    assert family == style.CJK_FONT_FAMILY
    found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert Path(found).resolve() == style.cjk_font_path().resolve()


def test_use_style_puts_cjk_font_first_and_disables_unicode_minus():
    style.use_style()
    assert matplotlib.rcParams["font.sans-serif"][0] == style.CJK_FONT_FAMILY
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    # the default font of a new text object is the CJK file
    found = font_manager.findfont(font_manager.FontProperties())
    assert Path(found).resolve() == style.cjk_font_path().resolve()


def _draw(tmp_path, text):
    fig, ax = plt.subplots()
    ax.plot([-1, 0, 1], [-2, 0, 2])
    ax.set_title(text)
    ax.set_xlabel("年份")
    ax.set_ylabel("差异系数")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(tmp_path / "chart.png")
    plt.close(fig)
    return [str(w.message) for w in caught if "missing" in str(w.message).lower()]


def test_chinese_labels_draw_without_missing_glyphs(tmp_path):
    style.use_style()
    assert _draw(tmp_path, "县域义务教育优质均衡发展 演示数据") == []


def test_missing_glyph_check_can_fail(tmp_path):
    """Control: with a Latin-only font the same drawing does warn, so the test above is meaningful."""
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        missing = _draw(tmp_path, "县域义务教育优质均衡发展")
    assert missing and "Glyph" in missing[0]


def test_the_frozen_whitegrid_theme_is_seaborn_s():
    """use_style() without seaborn sets what seaborn's set_theme(style="whitegrid") and STYLE_RC set
    (every rc key but image.cmap, seaborn's own colour map), and the same one-letter colour codes."""
    import seaborn as sns
    from matplotlib import colors

    codes = dict(colors.colorConverter.colors)
    try:
        with matplotlib.rc_context():
            matplotlib.rcdefaults()
            style.use_style()
            ours, our_codes = dict(matplotlib.rcParams), {c: colors.colorConverter.colors[c] for c in "bgrmyck"}
        with matplotlib.rc_context():
            matplotlib.rcdefaults()
            style.register_cjk_font()
            sns.set_theme(style="whitegrid", rc=style.STYLE_RC)
            matplotlib.rcParams.update(style.STYLE_RC)
            theirs = dict(matplotlib.rcParams)
            their_codes = {c: tuple(colors.to_rgb(colors.colorConverter.colors[c])) for c in "bgrmyck"}
    finally:
        colors.colorConverter.colors.clear()
        colors.colorConverter.colors.update(codes)
    differ = sorted(k for k in theirs if theirs[k] != ours[k])
    assert differ == ["image.cmap"]
    assert {c: tuple(colors.to_rgb(v)) for c, v in our_codes.items()} == their_codes
    assert ours["axes.prop_cycle"].by_key()["color"][0] == colors.to_rgb("#4C72B0")  # the check is real: deep blue


def test_drawing_the_report_charts_imports_neither_seaborn_nor_scipy_stats():
    import subprocess
    import sys

    code = ("import sys\n"
            "from quality_balance.report import charts, document, notebook, progress_charts, style, summary, tables\n"
            "from matplotlib.figure import Figure\n"
            "import io\n"
            "style.use_style()\n"
            "fig = Figure(); ax = fig.subplots(); ax.plot([2021, 2022], [0.4, 0.6]); ax.set_title('差异系数')\n"
            "fig.savefig(io.BytesIO(), format='png')\n"
            "print(sorted(m for m in ('seaborn', 'scipy.stats', 'openpyxl', 'pyarrow.parquet', 'papermill', "
            "'nbconvert', 'quality_balance.inputs.validate') if m in sys.modules), 'matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "True"]
