"""The analyst's explore notebook (``notebooks/explore.ipynb``): Chinese first views and a county and year picker.

The notebook stays thin: it loads a data set, assesses it, and then calls these
functions. :func:`data_overview` and :func:`schools_preview` are its first outputs,
in Chinese (headers from :data:`quality_balance.schema.SCHOOLS`, no machine path);
:func:`county_picker` puts a county and a year ``Dropdown`` (ipywidgets) above
:func:`show_county`, redrawn on every choice, beside the cell in which an analyst
may type a county's name instead.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..schema import SCHOOLS

__all__ = ["source_text", "data_overview", "schools_preview", "place_options", "year_options", "show_figure",
           "show_county", "county_picker"]


def source_text(dataset) -> str:
    """One Chinese line on where the data come from: the folder's name (never its path), the synthetic label.

    Parameters
    ----------
    dataset : Dataset

    Returns
    -------
    str

    >>> from types import SimpleNamespace
    >>> source_text(SimpleNamespace(source="/home/我/数据/2025年", synthetic=False))
    '数据来源：2025年'
    """
    from ..inputs.dataset import SYNTHETIC_LABEL

    if dataset.synthetic:
        return f"{SYNTHETIC_LABEL}：本笔记本的结论基于合成的演示数据，不反映任何真实县区的情况。"
    source = str(dataset.source or "")
    names = "、".join(Path(part).name or part for part in source.split("、")) if source else "内存中的数据"
    return f"数据来源：{names}"


def data_overview(dataset) -> pd.DataFrame:
    """Per city: counties, schools and the years of the school table, with Chinese headers.

    Parameters
    ----------
    dataset : Dataset

    Returns
    -------
    DataFrame
        Columns 市, 县区数, 学校数 (distinct ``school_id``), 年份 (``2021—2025``); no numeric index shown.
    """
    schools = dataset.schools
    rows = []
    for city, group in schools.groupby("city", sort=True):
        years = sorted(int(y) for y in group["year"].unique())
        span = f"{years[0]}—{years[-1]}" if len(years) > 1 else str(years[0])
        rows.append({"市": city, "县区数": group["county"].nunique(), "学校数": group["school_id"].nunique(),
                     "年份": span})
    return pd.DataFrame(rows).set_index("市")


def schools_preview(dataset, n: int = 5) -> pd.DataFrame:
    """The first ``n`` rows of the school table with the Chinese column names of the input template.

    Parameters
    ----------
    dataset : Dataset
    n : int
        Rows shown (default 5).

    Returns
    -------
    DataFrame
        Indexed by 学校名称; columns in the template's order, named as in the template (``SCHOOLS``).
    """
    labels = {c.name: c.zh for c in SCHOOLS.columns}
    frame = dataset.schools.head(n)
    frame = frame[[c for c in SCHOOLS.names if c in frame.columns]].rename(columns=labels)
    return frame.set_index(labels["school_name"]) if labels["school_name"] in frame else frame


def place_options(verdicts: pd.DataFrame) -> list[tuple[str, tuple[str, str]]]:
    """(``"濮阳市 台前县"``, (city, county)) for every county of ``verdicts``, by city and county name."""
    places = verdicts[["city", "county"]].drop_duplicates().sort_values(["city", "county"])
    return [(f"{city} {county}", (city, county)) for city, county in places.itertuples(index=False, name=None)]


def year_options(verdicts: pd.DataFrame) -> list[tuple[str, int]]:
    """(``"2025年"``, 2025) for every year of ``verdicts``, latest first."""
    return [(f"{y}年", int(y)) for y in sorted(verdicts["year"].unique(), reverse=True)]


def show_figure(figure) -> None:
    """Display a matplotlib figure once, as an image (not returned as a value to print), and close it.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    display(figure)
    plt.close(figure)


def show_county(result, city: str, county: str, year: int) -> None:
    """Display one county: its verdicts by year, its CV chart, and the schools below the standard in ``year``.

    Parameters
    ----------
    result : Assessment
        ``qb.assess(...)`` of the data set.
    city, county : str
        The county (as in the data).
    year : int
        The year of the school list.
    """
    from IPython.display import Markdown, display

    from . import charts, tables

    display(Markdown(f"### {city} {county}：各年度评估结论"))
    display(tables.verdict_table(result.verdicts, county, city=city))
    show_figure(charts.plot_cv_by_year(result.cv, county, city=city))
    failing = tables.failing_schools(result.units, county, year)
    display(Markdown(f"### {year}年未达到校际指标要求的学校（{len(failing)} 所）"))
    if len(failing):
        display(failing)


def county_picker(result, *, county: str | None = None, year: int | None = None):
    """A county and a year drop-down above :func:`show_county`, redrawn on every choice.

    Parameters
    ----------
    result : Assessment
        ``qb.assess(...)`` of the data set.
    county : str, keyword-only, optional
        The county chosen first (a name as in the data); default the first one.
    year : int, keyword-only, optional
        The year chosen first; default the latest.

    Returns
    -------
    ipywidgets.VBox
        The two ``Dropdown``\\ s (县区, 年份) and the ``interactive_output`` they drive.

    Raises
    ------
    UnknownNameError
        ``county`` or ``year`` is not in the assessment (the message lists the known ones).
    """
    import ipywidgets as widgets

    from ..errors import require_known

    places = place_options(result.verdicts)
    years = year_options(result.verdicts)
    chosen = places[0][1]
    if county is not None:
        require_known(county, [c for _, (_, c) in places], parameter="county", what="县区")
        chosen = next(key for _, key in places if key[1] == county)
    if year is not None:
        require_known(int(year), [y for _, y in years], parameter="year", what="年份")
    place_box = widgets.Dropdown(options=places, value=chosen, description="县区")
    year_box = widgets.Dropdown(options=years, value=int(year) if year is not None else years[0][1],
                                description="年份")

    def draw(place, year):
        show_county(result, place[0], place[1], year)

    view = widgets.interactive_output(draw, {"place": place_box, "year": year_box})
    return widgets.VBox([widgets.HBox([place_box, year_box]), view])
