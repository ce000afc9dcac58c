"""The plot style of every chart the library draws, with a Chinese font that is always there.

Chinese labels need a CJK font, and a fresh machine usually has none. The
``mplfonts`` package (a declared dependency) ships *Noto Sans CJK SC*; this
module registers that file with matplotlib's font manager *in memory* (it never
writes into matplotlib's installation) and puts it first in the sans-serif list
of the style that :func:`use_style` applies. ``axes.unicode_minus`` is turned
off because the CJK font has no U+2212 minus sign.

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
           "register_cjk_font", "use_style"]

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

#: matplotlib rc settings applied on top of seaborn's "whitegrid" theme.
STYLE_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [CJK_FONT_FAMILY, "DejaVu Sans"],
    "axes.unicode_minus": False,
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "savefig.bbox": "tight",
    "figure.figsize": (8.0, 4.0),
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
}


def cjk_font_path() -> Path:
    """Path of the Noto Sans CJK SC file shipped by ``mplfonts`` (read-only, not copied)."""
    path = resources.files("mplfonts") / "fonts" / CJK_FONT_FILE
    return Path(str(path))


@lru_cache(maxsize=1)
def register_cjk_font() -> str:
    """Add the CJK font to matplotlib's font manager (once per process) and return its family name."""
    path = cjk_font_path()
    if not path.is_file():  # pragma: no cover - a broken install
        from ..errors import RenderError
        raise RenderError(f"CJK font file {path} not found; reinstall the 'mplfonts' package "
                          f"(pip install 'mplfonts>=0.0.10,<0.1')")
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def use_style() -> None:
    """Apply the library's plot style: seaborn "whitegrid", the CJK font first, no unicode minus.

    Call it once before drawing (the notebooks do in their first cell); the plot
    functions of :mod:`quality_balance.report.charts` call it too, so charts look the
    same wherever they are drawn.
    """
    import seaborn as sns

    register_cjk_font()
    sns.set_theme(style="whitegrid", rc=STYLE_RC)
    mpl.rcParams.update(STYLE_RC)
