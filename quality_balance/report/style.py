"""The plot style of every chart the library draws, with a Chinese font that is always there.

Chinese labels need a CJK font, and a fresh machine usually has none. The
``mplfonts`` package (a declared dependency) ships *Noto Sans CJK SC*; this
module registers that file with matplotlib's font manager *in memory* (it never
writes into matplotlib's installation) and puts it first in the sans-serif list
of the style that :func:`use_style` applies. ``axes.unicode_minus`` is turned
off because the CJK font has no U+2212 minus sign.

The style is seaborn's "whitegrid" theme, frozen here as plain rc settings
(:data:`WHITEGRID_RC`, :data:`WHITEGRID_COLOR_CODES`): drawing a chart does not
import seaborn, and through it scipy.stats (about a second of every report
kernel's start). A test checks the frozen theme against seaborn's own.

Print: the reports are printed on A4 portrait, whose content width is about 186 mm
(7.3 in). Every chart is at most :data:`PRINT_WIDTH_IN` wide, so it is never scaled
down on paper, its text is at least :data:`MIN_FONT_PT` at that size, and its height
stays within :data:`CHART_HEIGHT_IN` (one chart) or :data:`GRID_HEIGHT_IN` (a grid
of panels). Figures are drawn at :data:`DPI` dots per inch (``figure.dpi``, which the
notebooks' inline backend uses for the embedded PNG, and ``savefig.dpi``), sharp in print.

>>> family = register_cjk_font()
>>> family
'Noto Sans CJK SC'
>>> STYLE_RC["font.sans-serif"][0] == family
True
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

__all__ = ["CJK_FONT_FILE", "CJK_FONT_FAMILY", "STATUS_COLORS", "STYLE_RC", "cjk_font_path",
           "register_cjk_font", "use_style", "PRINT_WIDTH_IN", "CHART_HEIGHT_IN", "GRID_HEIGHT_IN", "MIN_FONT_PT",
           "DPI", "OKABE_ITO", "MUTED_COLOR", "year_ticks", "count_axis", "WHITEGRID_RC",
           "WHITEGRID_PALETTE", "WHITEGRID_COLOR_CODES", "figure_png", "show_figures_as_png"]

#: Widest figure (inches): A4 portrait minus margins is ≈ 186 mm ≈ 7.3 in; with the saved PNG's padding
#: (``savefig.pad_inches`` on each side) it stays within that.
PRINT_WIDTH_IN = 7.1
#: Height budget of a single chart and of a grid of panels (inches), so a report prints to few pages.
CHART_HEIGHT_IN, GRID_HEIGHT_IN = 3.2, 6.5
#: Smallest font size (points) of any text in a chart, at its saved size.
MIN_FONT_PT = 8
#: Resolution of figures and saved PNGs (dots per inch).
DPI = 150
#: The Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008), without its yellow (unreadable on white).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
#: Colour of series drawn for context only (muted behind the ones the chart is about).
MUTED_COLOR = "#b8b8b8"

#: The font file inside the ``mplfonts`` package.
CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
#: The family name matplotlib reads from that file.
CJK_FONT_FAMILY = "Noto Sans CJK SC"

#: Colours of assessment statuses (see :data:`quality_balance.schema.STATUS_LABELS`), used by
#: tables and charts alike: green met, red not met, grey no data / not applicable.
STATUS_COLORS = {
    "met": "#c6efce",
    "not_met": "#ffc7ce",
    "no_data": "#e7e6e6",
    "not_applicable": "#f2f2f2",
    "present": "#ffc7ce",
    "absent": "#c6efce",
}

#: The "deep" palette of seaborn 0.13: the colour cycle (``axes.prop_cycle``) of the theme.
WHITEGRID_PALETTE = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C",
                     "#CCB974", "#64B5CD")

#: seaborn 0.13's ``set_theme(style="whitegrid")`` as matplotlib rc settings: the "whitegrid" style, the
#: "notebook" context at font scale 1 (the colour cycle is :data:`WHITEGRID_PALETTE`). Left out:
#: ``image.cmap`` (seaborn's "rocket" exists only once seaborn is imported; every chart here names its colour map).
WHITEGRID_RC = {
    "axes.axisbelow": True, "axes.edgecolor": ".8", "axes.facecolor": "white", "axes.grid": True,
    "axes.labelcolor": ".15", "axes.labelsize": 12, "axes.linewidth": 1.25, "axes.spines.bottom": True,
    "axes.spines.left": True, "axes.spines.right": True, "axes.spines.top": True, "axes.titlesize": 12,
    "figure.facecolor": "white", "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "font.size": 12, "grid.color": ".8", "grid.linestyle": "-", "grid.linewidth": 1,
    "legend.fontsize": 11, "legend.title_fontsize": 12, "lines.linewidth": 1.5, "lines.markersize": 6,
    "lines.solid_capstyle": "round", "patch.edgecolor": "w", "patch.force_edgecolor": True, "patch.linewidth": 1,
    "text.color": ".15", "xtick.bottom": False, "xtick.color": ".15", "xtick.direction": "out",
    "xtick.labelsize": 11, "xtick.major.size": 6, "xtick.major.width": 1.25, "xtick.minor.size": 4,
    "xtick.minor.width": 1, "xtick.top": False, "ytick.color": ".15", "ytick.direction": "out",
    "ytick.labelsize": 11, "ytick.left": False, "ytick.major.size": 6, "ytick.major.width": 1.25,
    "ytick.minor.size": 4, "ytick.minor.width": 1, "ytick.right": False,
}
#: What the one-letter colour codes mean under the theme (seaborn's ``set_color_codes("deep")``).
WHITEGRID_COLOR_CODES = dict(zip("bgrmyck", ("#4C72B0", "#55A868", "#C44E52", "#8172B3", "#CCB974", "#64B5CD",
                                             (0.1, 0.1, 0.1))))

#: matplotlib rc settings applied on top of the "whitegrid" theme (:data:`WHITEGRID_RC`).
STYLE_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [CJK_FONT_FAMILY, "DejaVu Sans"],
    "axes.unicode_minus": False,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "figure.figsize": (PRINT_WIDTH_IN, CHART_HEIGHT_IN),
    "font.size": 9,
    "figure.titlesize": 10,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
}


def cjk_font_path() -> Path:
    """Path of the Noto Sans CJK SC file shipped by ``mplfonts`` (read-only, not copied).

    The package is located, not imported (importing it loads fontTools, which drawing does not need).
    """
    from importlib.util import find_spec

    spec = find_spec("mplfonts")
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0]) / "fonts" / CJK_FONT_FILE
    return Path(str(resources.files("mplfonts") / "fonts" / CJK_FONT_FILE))  # pragma: no cover - a zipped install


@lru_cache(maxsize=1)
def register_cjk_font() -> str:
    """Add the CJK font to matplotlib's font manager (once per process), ahead of any other file of its family
    name, and return that name."""
    path = cjk_font_path()
    if not path.is_file():  # pragma: no cover - a broken install
        from ..errors import RenderError
        raise RenderError(f"CJK font file {path} not found; reinstall the 'mplfonts' package "
                          f"(pip install 'mplfonts>=0.0.10,<0.1')")
    manager, name = font_manager.fontManager, str(path)
    if not any(f.fname == name for f in manager.ttflist):
        manager.addfont(name)
    # the shipped file first: matplotlib takes the first of equally good matches, and a system-wide Noto Sans CJK
    # (Debian's fonts-noto-cjk, which the browser tests install) has the same family name
    ours = [f for f in manager.ttflist if f.fname == name]
    if manager.ttflist[:len(ours)] != ours:
        manager.ttflist[:] = ours + [f for f in manager.ttflist if f.fname != name]
        manager._findfont_cached.cache_clear()  # (what addfont itself does after changing the list)
    return font_manager.FontProperties(fname=name).get_name()


def use_style() -> None:
    """Apply the library's plot style: seaborn's "whitegrid" theme, the CJK font first, no unicode minus.

    The theme is :data:`WHITEGRID_RC`, the colour cycle :data:`WHITEGRID_PALETTE` and the colour codes
    :data:`WHITEGRID_COLOR_CODES`,
    what ``seaborn.set_theme(style="whitegrid")`` sets, without importing seaborn; then
    :data:`STYLE_RC`. Call it once before drawing (the notebooks do in their first cell); the plot
    functions of :mod:`quality_balance.report.charts` call it too, so charts look the same wherever
    they are drawn.
    """
    from cycler import cycler
    from matplotlib import colors

    register_cjk_font()
    palette = cycler("color", [colors.to_rgb(c) for c in WHITEGRID_PALETTE])
    mpl.rcParams.update({**WHITEGRID_RC, "axes.prop_cycle": palette})
    for code, color in WHITEGRID_COLOR_CODES.items():
        colors.colorConverter.colors[code] = colors.to_rgb(color)
    mpl.rcParams.update(STYLE_RC)


def year_ticks(ax, years, *, max_labels: int = 6) -> None:
    """A tick at every year of ``years`` on the x axis, labelled at most ``max_labels`` times.

    With more years than ``max_labels``, every second (third…) year is labelled,
    counted from the first, so labels never overlap on a narrow panel; the other
    ticks stay, unlabelled. The x range is the years ± half a year.

    Parameters
    ----------
    ax : matplotlib Axes
    years : iterable of int
        The years on the axis (duplicates and order do not matter).
    max_labels : int, keyword-only
        Most year labels to show (default 6: fits a 3.4 in panel at 8 pt).
    """
    years = sorted({int(y) for y in years})
    if not years:
        return
    step = -(-len(years) // max(max_labels, 1))
    ax.set_xticks(years, [str(y) if i % step == 0 else "" for i, y in enumerate(years)])
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)


def count_axis(ax) -> None:
    """Make ``ax``'s y axis that of a count: whole-number ticks, starting at 0."""
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    top = ax.get_ylim()[1]
    ax.set_ylim(0, max(top, 1))


def figure_png(figure, *, base64: bool = False):
    """The PNG of ``figure`` as a report page embeds it, laid out once.

    A figure of the library is laid out by matplotlib's constrained layout, which keeps
    every axes, label and title inside the figure (within its small pads): the picture is
    the figure itself, widened where a figure-level text — the 演示数据 stamp of
    :func:`~quality_balance.report.notebook.mark_synthetic`, above the top-right corner —
    lies outside it (with ``savefig.pad_inches`` around that text). So the layout is
    computed once, when the figure is drawn, instead of a second time by
    ``bbox_inches="tight"`` (which measures every artist again to crop the picture). A
    figure without constrained layout (one's own, in a notebook) is saved as IPython's
    inline backend saves it: cropped with ``bbox_inches="tight"``.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    base64 : bool, keyword-only
        Return base64 text (what a notebook's ``image/png`` output holds) instead of bytes.

    Returns
    -------
    bytes, str or None
        The PNG at the figure's own dpi (:data:`DPI` under the style); ``None`` for a figure
        with nothing drawn (as IPython's inline backend).
    """
    from io import BytesIO

    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if not figure.axes and not figure.lines:
        return None
    if not isinstance(figure.get_layout_engine(), ConstrainedLayoutEngine):
        from IPython.core.pylabtools import print_figure

        return print_figure(figure, "png", bbox_inches="tight", base64=base64)
    if figure.canvas is None:  # pragma: no cover - a figure always has a canvas
        from matplotlib.backend_bases import FigureCanvasBase

        FigureCanvasBase(figure)
    buffer = BytesIO()
    figure.canvas.print_figure(buffer, format="png", dpi=figure.dpi, facecolor=figure.get_facecolor(),
                               edgecolor=figure.get_edgecolor(), bbox_inches=_picture_box(figure))
    data = buffer.getvalue()
    if base64:
        from binascii import b2a_base64

        return b2a_base64(data, newline=False).decode("ascii")
    return data


def _picture_box(figure):
    """The figure's box (inches), widened to its figure-level texts (padded by ``savefig.pad_inches``)."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.transforms import Bbox

    width, height = figure.get_size_inches()
    boxes = [Bbox.from_bounds(0, 0, width, height)]
    texts = [t for t in figure.texts if t.get_visible() and t.get_text()]
    if texts:
        renderer = RendererAgg(max(int(width * figure.dpi), 1), max(int(height * figure.dpi), 1), figure.dpi)
        to_inches = figure.dpi_scale_trans.inverted()
        pad = mpl.rcParams["savefig.pad_inches"]
        boxes += [t.get_window_extent(renderer).transformed(to_inches).padded(pad) for t in texts]
    return Bbox.union(boxes)


def show_figures_as_png(shell=None) -> bool:
    """Make IPython show every matplotlib figure as :func:`figure_png` draws it (``image/png``).

    Called by :func:`~quality_balance.report.notebook.setup_report`: the report notebooks need
    neither ``%matplotlib inline`` nor pyplot to show their figures.

    Parameters
    ----------
    shell : IPython InteractiveShell, optional
        Default: the running one (none outside IPython: nothing is done).

    Returns
    -------
    bool
        Whether a shell was found and the formatter registered.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython comes with the notebooks
            return False
        shell = get_ipython()
    if shell is None:
        return False
    from matplotlib.figure import Figure

    formatters = shell.display_formatter.formatters
    formatters["image/png"].for_type(Figure, lambda figure: figure_png(figure, base64=True))
    return True
