"""What a report notebook needs besides tables and charts: its data, its county's slice, its header.

The notebooks in ``notebooks/`` stay thin: they call these functions, the
tables of :mod:`quality_balance.report.tables` and the charts of
:mod:`quality_balance.report.charts`, and show the results.

* :func:`load_dataset_or_demo` loads a data folder, or — when the folder does
  not exist and ``fallback`` is on — generates the demo data in memory, so a
  notebook opened on a fresh clone (or run by nbval) works before ``make demo``.
* :func:`load_report_data` is what a report notebook loads: the slice of its own
  place that ``quality-balance render`` staged for it (:func:`save_data_slice`), or,
  opened by hand, the data folder as :func:`load_dataset_or_demo` reads it.
* :func:`subset_dataset` keeps one city or county and a range of years.
* :func:`county_report` and :func:`city_report` compute, once, everything a county report or a
  city overview shows (:class:`CountyReport`, :class:`CityReport`): the assessment, progress,
  projection, pass projection, plan status, gap… each made a single time and handed to what needs
  it, so that no cell computes again what another cell (or a library function) already has.
* :func:`report_header` is the provenance block at the top of every report.
* :func:`mark_synthetic` stamps 演示数据 on a chart drawn from synthetic data, so
  a chart copied out of a report keeps the label.
* :func:`planned_certification_years` and :func:`profile_values` gather, per
  county, the plan's certification year and a profile setting for the tables.
* :func:`projection_note`, :func:`cost_note` and :func:`gap_summary` are the
  sentences around the projection and gap tables (what is a projection, where
  the unit costs come from, what the gap adds up to).
* :func:`show_figures` shows a list of charts, or a sentence when there is none;
  :func:`show_gap` shows the gap-to-pass section of a county report.
* :func:`headline_results` and :func:`record_headline` are a report's headline
  results (verdicts by year, projected pass year; counties passing by year): the
  notebook emits them as :data:`HEADLINE_MIME` output and ``quality-balance render``
  moves them into the executed notebook's ``metadata["quality_balance"]["headline"]``.
"""
from __future__ import annotations

import html
import re

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .. import paths
from ..inputs.dataset import SYNTHETIC_LABEL, Dataset
from ..errors import (InputError, Problem, ProfileError, UnknownInputNameError, require_known, require_place,
                      suggest)

__all__ = ["DEMO_DIR", "setup_report", "load_dataset_or_demo", "load_report_data", "save_data_slice",
           "StagedSlice", "load_staged_slice",
           "CountyReport", "CityReport", "county_report", "city_report",
           "SLICE_SUFFIX", "subset_dataset", "report_header", "profile_titles",
           "or_note", "mark_synthetic", "planned_certification_years", "profile_values", "projection_note", "cost_note",
           "gap_summary", "show_figures", "show_gap", "SYNTHETIC_MARK_COLOR",
           "HEADLINE_MIME", "headline_results", "record_headline", "markdown_text", "report_heading",
           "table_of_contents", "show_table", "earliest_application_year"]

#: pandas display options for reports: reasons are shown whole, not cut at 50 characters.
REPORT_DISPLAY = {"display.max_colwidth": None, "display.max_rows": 200, "display.max_columns": 40}


def setup_report() -> None:
    """Prepare a report notebook: the plot style (CJK font), how figures are shown, pandas display options.

    Reason texts name schools and gaps; pandas would cut them at 50 characters,
    so :data:`REPORT_DISPLAY` shows them whole. In IPython, figures are shown as
    PNG laid out once (:func:`~quality_balance.report.style.show_figures_as_png`).
    """
    from .style import show_figures_as_png, use_style

    use_style()
    show_figures_as_png()
    for option, value in REPORT_DISPLAY.items():
        pd.set_option(option, value)


#: The demo data folder (``quality-balance demo``/``make demo`` writes it), relative to the working folder.
DEMO_DIR = paths.DEFAULT_DEMO_DIR


def load_dataset_or_demo(data_dir: str | Path | None = None, *, fallback: bool = True) -> Dataset:
    """Load the data set in ``data_dir``; without it, the demo data.

    Parameters
    ----------
    data_dir : str, Path or None
        A data folder or file, read with :func:`quality_balance.load_dataset`.
        Positional: it is the data. The default ``None`` means the demo folder
        :data:`DEMO_DIR`.
    fallback : bool, keyword-only
        When the folder does not exist or holds no data file (a fresh checkout's
        ``data/demo`` has only its README until ``make demo`` runs): ``True``
        (default, for notebooks) generates the demo data in memory (deterministic,
        labelled 演示数据) with a note saying so; ``False`` (batch rendering) raises.

    Returns
    -------
    Dataset
        The data set loaded from ``data_dir``, or the generated demo data set with
        ``synthetic`` true and the note in ``notes``.

    Raises
    ------
    InputError
        The folder holds no data and ``fallback`` is false, or the data have errors
        (as :func:`quality_balance.load_dataset`).
    """
    from ..inputs.readers import collect_files
    from ..inputs.loaders import load_dataset

    folder = Path(data_dir) if data_dir is not None else DEMO_DIR
    if folder.is_file() or (folder.is_dir() and collect_files(folder)):
        return load_dataset(folder)
    if not fallback:
        raise InputError([Problem(file=str(folder), message="数据文件夹不存在或其中没有数据文件",
                                  expected="包含学校表等输入表格的文件夹",
                                  fix="检查路径，或先运行 make demo 生成演示数据")])
    from .. import demo

    dataset = demo.generate()
    note = f"数据文件夹 {folder} 不存在或没有数据文件，已在内存中生成演示数据"
    return dataset.replace(notes=tuple(dataset.notes) + (note,))


#: File ending of a staged data slice (:func:`save_data_slice`).
SLICE_SUFFIX = ".qb-slice.pickle"


def save_data_slice(dataset: Dataset, path: str | Path, *, assessment=None, place: tuple | None = None,
                    profile: str | None = None) -> Path:
    """Write ``dataset`` (one place's slice of the loaded, validated data) for :func:`load_report_data`.

    ``quality-balance render`` loads and validates the data set once, cuts it per
    county and per city (:func:`subset_dataset`'s rows, in the same order, with the
    same source, notes and synthetic flag) and writes each slice with this into a
    staging folder of the run (removed at its end), so that a report kernel reads
    only its own place's rows instead of reloading the whole country. The slice is a
    pickle: the very tables the batch loaded, so every result is identical to
    loading the folder and subsetting; it is written by this user's own batch into a
    folder only it can write, and read back by the same package.

    With ``assessment``, the place's slice of the batch's own assessment is written
    beside the data (a :class:`StagedSlice`), and :func:`county_report` /
    :func:`city_report` show it instead of assessing the slice again.

    Parameters
    ----------
    dataset : Dataset
        The slice.
    path : str or Path
        The file to write (its folder must exist); should end in :data:`SLICE_SUFFIX`.
    assessment : Assessment, optional, keyword-only
        The place's slice of the batch's assessment (:func:`quality_balance.report.render.place_assessments`),
        made with ``profile`` over every year of the data. Default ``None``: only the data are written
        (the report assesses them itself).
    place : tuple of (str, str or None), optional, keyword-only
        ``(city, county)`` of the slice (``county`` ``None`` for a whole city); required with ``assessment``.
    profile : str, optional, keyword-only
        The ``profile`` argument the batch assessed with (``None``: each county's own).

    Returns
    -------
    Path
        ``path``.
    """
    import pickle

    path = Path(path)
    content: Any = dataset
    if assessment is not None:
        if place is None:
            raise InputError([Problem(file=str(path), column="place", message="写出评估结果切片时缺少所属地区",
                                      value="None", expected="(市, 县区) 或 (市, None)")])
        content = StagedSlice(dataset=dataset, assessment=assessment, place=tuple(place), profile=profile)
    with open(path, "wb") as handle:
        pickle.dump(content, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return path


@dataclass(frozen=True)
class StagedSlice:
    """One place's staged data and, when the batch wrote it, its assessment (:func:`save_data_slice`).

    Attributes
    ----------
    dataset : Dataset
        The place's rows of the loaded data.
    assessment : Assessment or None
        The place's slice of the batch's assessment of every year (``None``: not staged, or the
        data were read from a folder).
    place : tuple of (str, str or None)
        ``(city, county)`` the assessment is the slice of (``county`` ``None`` for a city).
    profile : str or None
        The ``profile`` argument the batch assessed with.
    """

    dataset: Dataset
    assessment: Any = None
    place: tuple = ()
    profile: str | None = None

    def result_for(self, data: Dataset, *, city: str, county: str | None, first_year: int | None,
                   last_year: int | None, profile: str | None):
        """The assessment of ``data`` (the notebook's subset of :attr:`dataset`): the staged one when it is
        that of the same place, every year and the same profile; else ``assess(data, profile=profile)``.

        Parameters
        ----------
        data : Dataset
            :func:`subset_dataset` of :attr:`dataset` for the place and years asked.
        city, county : str (county ``None`` for a city), keyword-only
            The place the notebook reports on.
        first_year, last_year : int or None, keyword-only
            The years the notebook keeps (a staged assessment covers every year: it is used only when
            both are ``None``).
        profile : str or None, keyword-only
            The notebook's ``profile`` parameter (must be the one the batch assessed with).

        Returns
        -------
        Assessment
            Equal, table by table, to ``assess(data, profile=profile)`` as far as the reports read it.
        """
        if (self.assessment is not None and self.place == (city, county) and first_year is None
                and last_year is None and profile == self.profile):
            return self.assessment
        from ..method.assessment import assess

        return assess(data, profile=profile)


def load_report_data(data_dir: str | Path | None = None, data_slice: str | Path | None = None, *,
                     fallback: bool = True) -> Dataset:
    """The data of a report notebook: the staged slice of its place when there is one, else ``data_dir``.

    Parameters
    ----------
    data_dir : str, Path or None
        The data folder (or file), as for :func:`load_dataset_or_demo`; what a notebook
        opened by hand in JupyterLab reads.
    data_slice : str, Path or None
        A file written by :func:`save_data_slice` (``quality-balance render`` passes it as
        the notebook's ``data_slice`` parameter). ``None`` (the default), or a file that no
        longer exists (a rendered notebook re-run after its batch removed the staging
        folder), reads ``data_dir`` instead: same data, only slower.
    fallback : bool, keyword-only
        As for :func:`load_dataset_or_demo` (only used when ``data_dir`` is read).

    Returns
    -------
    Dataset
        The slice (the notebook still applies :func:`subset_dataset` to it, which keeps it
        whole), or the data set loaded from ``data_dir``.

    Raises
    ------
    InputError
        ``data_slice`` exists but is not a data slice (naming the parameter and the file),
        or ``data_dir`` cannot be read (as :func:`load_dataset_or_demo`).
    """
    return load_staged_slice(data_dir, data_slice, fallback=fallback).dataset


def load_staged_slice(data_dir: str | Path | None = None, data_slice: str | Path | None = None, *,
                      fallback: bool = True) -> StagedSlice:
    """What a report notebook starts from: its staged data (and assessment) slice, or ``data_dir``'s data.

    Parameters
    ----------
    data_dir, data_slice : str, Path or None
        As for :func:`load_report_data`.
    fallback : bool, keyword-only
        As for :func:`load_dataset_or_demo`.

    Returns
    -------
    StagedSlice
        The file's content; a slice written without an assessment, or the data of ``data_dir``
        (no staged file), come with ``assessment`` ``None``.

    Raises
    ------
    InputError
        As :func:`load_report_data`.
    """
    if data_slice is not None and Path(data_slice).is_file():
        import pickle

        try:
            with open(data_slice, "rb") as handle:
                content = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            content = exc
        if isinstance(content, Dataset):
            return StagedSlice(dataset=content)
        if isinstance(content, StagedSlice) and isinstance(content.dataset, Dataset):
            return content
        raise InputError([Problem(file=str(data_slice), column="data_slice",
                                  message="不是 quality-balance render 写出的数据切片",
                                  value=type(content).__name__, expected="save_data_slice 写出的文件，或 None",
                                  fix="把参数 data_slice 设为 None，从 data_dir 读取数据")])
    return StagedSlice(dataset=load_dataset_or_demo(data_dir, fallback=fallback))


@dataclass(frozen=True)
class CountyReport:
    """Everything a county report shows, computed once by :func:`county_report`; the cells only show it.

    Attributes
    ----------
    city, county : str
        The place.
    data : Dataset
        The county's rows (and the years chosen).
    result : Assessment
        ``qb.assess(data, profile=...)``.
    profile : Profile
        The profile the county was assessed under.
    last : int
        The latest year assessed.
    gap : GapResult
        ``qb.gap_to_pass(result, county, last)``.
    progress : DataFrame
        ``qb.progress(result)``.
    projection : Projection
        ``qb.project(progress)``.
    projected : DataFrame
        ``qb.projected_pass_year(result)`` (from ``progress`` and ``projection``).
    planned : dict
        County → planned certification year, for the counties of the city
        (:func:`planned_certification_years`).
    earliest : int or None
        The first year the county may apply (:func:`earliest_application_year`).
    plan_status, plan_actuals : DataFrame
        ``qb.plan_status(result)`` and ``qb.plan_actuals(result)`` (the shipped plans of the city).
    """

    city: str
    county: str
    data: Dataset
    result: Any
    profile: Any
    last: int
    gap: Any
    progress: pd.DataFrame
    projection: Any
    projected: pd.DataFrame
    planned: dict
    earliest: int | None
    plan_status: pd.DataFrame
    plan_actuals: pd.DataFrame


@dataclass(frozen=True)
class CityReport:
    """Everything a city overview shows, computed once by :func:`city_report`; the cells only show it.

    Attributes
    ----------
    city : str
        The city.
    data : Dataset
        The city's rows (every county of it, the years chosen).
    result : Assessment
        ``qb.assess(data, profile=...)``.
    last : int
        The latest year assessed.
    progress : DataFrame
        ``qb.progress(result)``.
    projection : Projection
        ``qb.project(progress)``.
    projected : DataFrame
        ``qb.projected_pass_year(result)``.
    plan_status, plan_actuals : DataFrame
        ``qb.plan_status(result)`` and ``qb.plan_actuals(result)`` (the shipped plans of the city).
    """

    city: str
    data: Dataset
    result: Any
    last: int
    progress: pd.DataFrame
    projection: Any
    projected: pd.DataFrame
    plan_status: pd.DataFrame
    plan_actuals: pd.DataFrame


def _planning(result) -> dict:
    """Progress, projection, pass projection, plan status and actuals of ``result``, each computed once."""
    from ..planning.progress import progress
    from ..planning.projection import project, projected_pass_year
    from ..planning.tracking import plan_actuals, plan_status
    from ..standards.plan import load_plans

    table = progress(result)
    projection = project(table)
    plans = load_plans(None, result.verdicts["city"].unique())  # the shipped plans of the data's cities, read once
    return {"progress": table, "projection": projection,
            "projected": projected_pass_year(result, progress_table=table, projection=projection),
            "plan_status": plan_status(result, plans, progress_table=table, projection=projection),
            "plan_actuals": plan_actuals(result, plans)}


def county_report(data_dir: str | Path | None = None, data_slice: str | Path | None = None, *, city: str,
                  county: str, first_year: int | None = None, last_year: int | None = None,
                  profile: str | None = None, fallback: bool = True) -> CountyReport:
    """What the county report notebook shows, computed once: its data, assessment, planning tables and gap.

    Parameters
    ----------
    data_dir, data_slice : str, Path or None
        Where the data come from, as for :func:`load_report_data` (the staged slice of a batch,
        else the data folder).
    city, county : str, keyword-only
        The place (an unknown one is an :class:`~quality_balance.errors.UnknownInputNameError`).
    first_year, last_year : int, optional, keyword-only
        The years kept (inclusive; default: every year of the data), as for :func:`subset_dataset`.
    profile : str, optional, keyword-only
        A standards profile name or ``.toml`` path for the county; default ``None``: its place's own.
    fallback : bool, keyword-only
        As for :func:`load_dataset_or_demo` (default ``True``: the demo data when the folder has none).

    Returns
    -------
    CountyReport
        Each table made a single time from the others (the pass projection from the progress
        table and its projection, the plan status from both), equal to what the separate
        ``qb.*`` calls give.
    """
    from ..planning.gap import gap_to_pass

    staged = load_staged_slice(data_dir, data_slice, fallback=fallback)
    data = subset_dataset(staged.dataset, city=city, county=county, first_year=first_year, last_year=last_year)
    result = staged.result_for(data, city=city, county=county, first_year=first_year, last_year=last_year,
                               profile=profile)
    own = result.profile_of(county, city=city)
    last = int(result.verdicts["year"].max())
    return CountyReport(city=city, county=county, data=data, result=result, profile=own, last=last,
                        gap=gap_to_pass(result, county, last), **_planning(result),
                        planned=planned_certification_years(result.verdicts, city),
                        earliest=earliest_application_year(data, county, own, city))


def city_report(data_dir: str | Path | None = None, data_slice: str | Path | None = None, *, city: str,
                first_year: int | None = None, last_year: int | None = None, profile: str | None = None,
                fallback: bool = True) -> CityReport:
    """What the city overview notebook shows, computed once: its data, assessment and planning tables.

    Parameters
    ----------
    data_dir, data_slice : str, Path or None
        As for :func:`county_report`.
    city : str, keyword-only
        The city (an unknown one is an :class:`~quality_balance.errors.UnknownInputNameError`).
    first_year, last_year : int, optional, keyword-only
        The years kept (inclusive; default: every year of the data).
    profile : str, optional, keyword-only
        A standards profile for every county; default ``None``: each county's own.
    fallback : bool, keyword-only
        As for :func:`load_dataset_or_demo`.

    Returns
    -------
    CityReport
    """
    staged = load_staged_slice(data_dir, data_slice, fallback=fallback)
    data = subset_dataset(staged.dataset, city=city, first_year=first_year, last_year=last_year)
    result = staged.result_for(data, city=city, county=None, first_year=first_year, last_year=last_year,
                               profile=profile)
    return CityReport(city=city, data=data, result=result, last=int(result.verdicts["year"].max()),
                      **_planning(result))


def subset_dataset(dataset: Dataset, city: str | None = None, county: str | None = None,
                   first_year: int | None = None, last_year: int | None = None) -> Dataset:
    """The same data set restricted to one city and/or county and a range of years (inclusive).

    Every table that has the column is filtered. A city or county the school table
    does not have (a county of another city, when both are given), or a year range
    that keeps none of its years, is an
    :class:`~quality_balance.errors.UnknownInputNameError` — both an
    :class:`~quality_balance.errors.UnknownNameError` and an
    :class:`~quality_balance.errors.InputError` — naming the value, the ones the
    data have and the closest. The report notebooks call this first, so a report
    asked for an unknown place stops here.
    """
    schools = dataset.schools
    source = dataset.source or "数据"
    require_place(schools, city=city, county=county, where="学校表", error=UnknownInputNameError, file=source)
    _require_years(schools, city, county, first_year, last_year, source)

    def keep(frame):
        if frame is None:
            return None
        mask = frame.index == frame.index
        for column, wanted in (("city", city), ("county", county)):
            if wanted is not None and column in frame:
                mask &= (frame[column] == wanted).to_numpy()
        if "year" in frame:
            if first_year is not None:
                mask &= (frame["year"] >= first_year).to_numpy()
            if last_year is not None:
                mask &= (frame["year"] <= last_year).to_numpy()
        out = frame.loc[mask]
        out.attrs = dict(frame.attrs)
        return out

    kept = {name: keep(getattr(dataset, name)) for name in dataset.tables}
    if dataset.classes is not None:  # the class table names its school only: the kept schools' classes
        ids = set(kept["schools"]["school_id"].astype(str))
        classes = dataset.classes
        kept["classes"] = keep(classes.loc[classes["school_id"].astype(str).isin(ids).to_numpy()])
    return dataset.replace(**kept)


def _require_years(schools: pd.DataFrame, city, county, first_year, last_year, source: str) -> None:
    """Raise when ``first_year``…``last_year`` keeps none of the years the selected schools have."""
    rows = schools
    for column, wanted in (("city", city), ("county", county)):
        if wanted is not None:
            rows = rows[rows[column] == wanted]
    years = sorted(int(y) for y in rows["year"].dropna().unique())
    if not years or any((first_year is None or y >= first_year) and (last_year is None or y <= last_year)
                        for y in years):
        return
    parameter, value = (("first_year", first_year) if first_year is not None and first_year > years[-1]
                        else ("last_year", last_year) if last_year is not None and last_year < years[0]
                        else ("first_year", first_year))
    hint = suggest(value, years)
    where = "学校表" + (f"（{county or city}）" if county or city else "")
    raise UnknownInputNameError(
        f"{where}中没有 {first_year or '…'}—{last_year or '…'} 年间的数据（参数 {parameter} = {value}）"
        + (f"，是否指 {hint}？" if hint is not None else "。")
        + f"已有的年份（共 {len(years)} 个）：{'、'.join(map(str, years))}\n"
        f"no year of the data in {first_year}..{last_year} ({parameter} {value!r})",
        parameter=parameter, value=value, known=years, suggestion=hint, file=source)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def markdown_text(text: object) -> str:
    """Text from the data made literal inside Markdown: HTML escaped, Markdown marks backslash-escaped.

    Every name or note from the data that a report shows through ``Markdown(...)`` goes
    through this, so a county named ``<script>…`` or ``**x**`` is shown as written and
    never becomes markup.

    >>> print(markdown_text("<script>alert(1)</script>"), markdown_text("**甲**县_1"))
    &lt;script&gt;alert\\(1\\)&lt;/script&gt; \\*\\*甲\\*\\*县\\_1
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def report_header(dataset: Dataset, profile_title: str, place: str) -> str:
    """Markdown for the top of a report: the place, the data's provenance, the profile used.

    Synthetic data get a prominent 演示数据 warning line, so nobody takes a demo
    verdict for a real one.
    """
    lines = []
    if dataset.synthetic:
        lines.append(f"> **⚠ {SYNTHETIC_LABEL}** —— 本报告的全部数字与结论来自合成的演示数据，"
                     f"不反映{markdown_text(place)}的真实情况。")
        lines.append("")
    lines.append(f"- **评估对象**：{markdown_text(place)}")
    lines.append(f"- **{markdown_text(dataset.provenance)}**")
    lines.append(f"- **评估标准**：{markdown_text(profile_title)}")
    for note in dataset.notes:
        lines.append(f"- 说明：{markdown_text(note)}")
    return "\n".join(lines)


def report_heading(dataset: Dataset, *, title: str, profile_title: str, links: dict[str, str] | None = None) -> str:
    """HTML for the top of a report page: its title, the 演示数据 label, the standard, the data source, links.

    Parameters
    ----------
    dataset : Dataset
        The data (its :attr:`~quality_balance.inputs.dataset.Dataset.source_label` names the source
        without machine paths; synthetic data get the 演示数据 label).
    title : str, keyword-only
        The page title ("濮阳市台前县 县域义务教育优质均衡发展评估报告").
    profile_title : str, keyword-only
        The title of the standard (profile) applied.
    links : dict, keyword-only
        Link text → relative address (城市概览 → ``城市概览.html``, 全部报告 → ``../index.html``).

    Returns
    -------
    str
        Escaped HTML.
    """
    parts = [f'<h1 class="qb-title">{html.escape(title)}</h1>']
    if dataset.synthetic:
        parts.append(f'<p class="qb-synthetic">⚠ {html.escape(SYNTHETIC_LABEL)}：'
                     f"本报告的全部数字与结论来自合成的演示数据，不反映任何真实县区的情况。</p>")
    meta = [f"评估标准：{html.escape(profile_title)}", f"数据来源：{html.escape(dataset.source_label)}"]
    for note in dataset.notes:
        meta.append(f"说明：{html.escape(str(note))}")
    nav = " · ".join(f'<a href="{html.escape(href, quote=True)}">{html.escape(text)}</a>'
                     for text, href in (links or {}).items())
    if nav:
        meta.append(nav)
    parts.append(f'<p class="qb-meta">{"　｜　".join(meta)}</p>')
    return "".join(parts)


def table_of_contents(headings: list[str]) -> str:
    """HTML list of links to a page's section headings (their anchors are the headings' own text).

    >>> table_of_contents(["一、结论"])
    '<nav class="qb-toc"><b>目录</b>：<a href="#一、结论">一、结论</a></nav>'
    """
    links = "　".join(f'<a href="#{html.escape(h, quote=True)}">{html.escape(h)}</a>' for h in headings)
    return f'<nav class="qb-toc"><b>目录</b>：{links}</nav>'


def show_table(frame, note: str, *, caption: str | None = None, **options) -> None:
    """Display ``frame`` as a document table (:func:`quality_balance.report.document.document_table`),
    or ``note`` when it has no rows — an empty table reads as a finding.

    ``options`` go to ``document_table`` (``decimals``, ``drop_constant``, ``colours``).
    """
    from IPython.display import Markdown, display

    from .document import document_table

    data = frame.data if hasattr(frame, "data") and not isinstance(frame, pd.DataFrame) else frame
    if not len(data):
        display(Markdown(f"*{markdown_text(note)}*"))
        return
    display(document_table(data, caption=caption, **options))


def profile_titles(profiles: dict) -> str:
    """The titles of the profiles an assessment used (``Assessment.profiles``), joined for a header."""
    return "、".join(sorted({p.title for p in profiles.values()}))


def or_note(frame, note: str, caption: str | None = None):
    """``frame`` (with ``caption`` above it, if given), or — when it has no rows — ``note`` as Markdown,
    so an empty table reads as a finding rather than as a blank.

    ``frame`` is a DataFrame or a pandas ``Styler`` (whose rows are those of its ``data``).
    """
    from pandas.io.formats.style import Styler

    if len(frame.data if isinstance(frame, Styler) else frame):
        if not caption:
            return frame
        from .tables import html_caption, html_styler

        return html_caption(frame if isinstance(frame, Styler) else html_styler(frame), caption)
    from IPython.display import Markdown

    return Markdown(f"*{markdown_text(note)}*")


#: Colour of the 演示数据 stamp on charts (the amber of the header's warning box).
SYNTHETIC_MARK_COLOR = "#bf9000"


def mark_synthetic(figure, dataset: Dataset):
    """Stamp the synthetic-data label on ``figure`` when ``dataset`` is synthetic; returns the figure.

    The label (:data:`~quality_balance.inputs.dataset.SYNTHETIC_LABEL`) goes just above the
    figure's top-right corner, outside the axes, so it covers nothing; notebooks
    and ``savefig`` (``bbox_inches="tight"``, the library's style) keep it in the
    picture. Real data leave the figure unchanged.
    """
    if dataset.synthetic:
        figure.text(1.0, 1.0, f"⚠ {SYNTHETIC_LABEL}", ha="right", va="bottom", fontsize=9,
                    color=SYNTHETIC_MARK_COLOR)
    return figure


def planned_certification_years(verdicts: pd.DataFrame, city: str, plans=None) -> dict[str, int]:
    """County → the year its plan sets for national certification, for the counties of ``city``.

    Counties of ``city`` in ``verdicts`` that no plan names (nor a city goal of
    "all counties by …") are left out. ``plans``: plan names, paths or
    :class:`~quality_balance.standards.plan.Plan` objects; ``None`` = the shipped plans
    (:func:`quality_balance.planned_certification_year`).
    """
    from ..standards.plan import available_plans, load_plan
    from ..planning.tracking import planned_certification_year

    require_place(verdicts, city=city)
    if plans is None:  # load the shipped plans once, not once per county
        plans = [load_plan(path) for path in available_plans().values()]
    counties = verdicts.loc[verdicts["city"] == city, "county"].drop_duplicates()
    years = {county: planned_certification_year(city, county, plans=plans) for county in counties}
    return {county: year for county, year in years.items() if year is not None}


def earliest_application_year(dataset: Dataset, county: str, profile, city: str | None = None) -> int | None:
    """The first year ``county`` may apply for certification: its basic-balance year plus the profile's wait.

    The basic-balance year is the county table's ``basic_balance_year`` (latest row); the wait is
    ``certification.min_years_after_basic`` of ``profile`` (3 years nationally). None when the
    county table does not give the year.
    """
    require_place(dataset.schools, city=city, county=county)
    counties = dataset.counties
    if counties is None or "basic_balance_year" not in counties:
        return None
    rows = counties[(counties["county"] == county) & ((counties["city"] == city) if city else True)]
    basic = pd.to_numeric(rows["basic_balance_year"], errors="coerce").max()
    if pd.isna(basic):
        return None
    return int(basic) + int(profile.get("certification.min_years_after_basic"))


def profile_values(assessment, key: str, city: str | None = None) -> dict[str, object]:
    """County → the value of profile setting ``key`` (dotted, e.g. ``certification.min_years_after_basic``)
    in the profile each county was assessed under, for the counties of ``city`` (default: all).

    An unknown ``city`` is an :class:`~quality_balance.errors.UnknownNameError`; a
    ``key`` no profile has, a :class:`~quality_balance.errors.ProfileError`."""
    if city is not None:
        require_known(city, {place_city for place_city, _ in assessment.profiles}, parameter="city", what="市")
    return {county: prof.get(key) for (place_city, county), prof in assessment.profiles.items()
            if city is None or place_city == city}


def projection_note(projection) -> str:
    """Markdown saying what the projection tables and charts are: 预测, the method, the interval.

    ``projection`` is :func:`quality_balance.project` output (its level and horizon are quoted).
    """
    return (f"**以下为预测，不是实际统计值。** 预测方法：对每项尚未达标的指标，用已有各年度的实际值拟合"
            f"普通最小二乘（OLS）直线趋势，向后外推到 {projection.horizon} 年，求趋势线首次达到标准的年份；"
            f"区间为 {projection.level:.0%} 预测区间（t 分布），给出乐观与保守两个年份。"
            f"少于 3 个年度的数据、是/否或等级类项目无法预测。趋势外推假定各年变化延续，"
            f"政策与投入的变化会改变结果。")


def cost_note(profile) -> str:
    """Markdown on where the gap tables' unit costs come from, and that costs are estimates (估算).

    ``profile`` is the county's :class:`~quality_balance.standards.profile.Profile`. When its
    ``[costs]`` equal the national profile's, they are the rough planning defaults
    of ``profiles/national.toml``; otherwise the local profile's own figures.
    """
    from ..standards.profile import load_profile

    national = load_profile("national").get("costs")
    try:
        own = profile.get("costs")
    except ProfileError:  # a profile without a [costs] table
        own = {}
    if own == national:
        source = "国家标准配置中的粗略规划默认值，是量级估计，不是官方公布的价格"
    else:
        source = f"评估标准“{markdown_text(profile.title)}”的成本表"
    return (f"**成本均为估算。** 单位成本取自{source}。教师按每人每年的费用计（每年），"
            f"其余为一次性投入，两类不宜直接相加。如需按本地价格测算，请在地方标准配置中填写成本表"
            f"（方法见使用说明）。")


def _wan(yuan: float) -> str:
    """元 as 万元 with one decimal: 8310072 → '831.0 万元'."""
    return f"{yuan / 1e4:,.1f} 万元"


def gap_summary(gap, county: str, year: int) -> str:
    """One Markdown sentence on what ``county`` lacks in ``year`` and what the plan to pass would cost (估算).

    ``gap`` is :func:`quality_balance.gap_to_pass` output covering that county and
    year. Three cases: nothing missing; resources pass but some units miss single
    indicators within the school rule's tolerance (fixing them is optional); or
    units failing the school rule and/or CVs over their limit, with the plan's
    estimated one-off and yearly costs. A county or year the gap does not cover is an
    :class:`~quality_balance.errors.UnknownNameError`.
    """
    require_place(gap.counties, county=county, year=year, where="补足测算结果")
    row = gap.counties[(gap.counties["county"] == county) & (gap.counties["year"] == year)]
    name = markdown_text(county)
    n_misses = int(((gap.units["county"] == county) & (gap.units["year"] == year)).sum())
    n_failing = int(row["n_failing"].sum())
    n_cv = int(row["n_cv_failing"].sum())
    if n_failing == 0 and n_cv == 0:
        if n_misses == 0:
            return f"*{year}年{name}各学校单元的七项指标均达到标准、各项差异系数均在限值内，资源配置无需补充。*"
        return (f"*{year}年{name}资源配置已达标，无需补充；另有 {n_misses} 处单项指标低于标准值，"
                f"但在校际指标要求容许的范围内（见下表，补足与否不影响结论）。*")
    lacks = [text for n, text in ((n_failing, f"{n_failing} 个学校单元未达到校际指标要求"),
                                  (n_cv, f"{n_cv} 项差异系数超过限值")) if n]
    r = row.iloc[0]
    costs = [f"一次性投入约 {_wan(r['plan_cost_one_off_yuan'])}"]
    if r["plan_cost_per_year_yuan"] > 0:
        costs.append(f"每年新增教师费用约 {_wan(r['plan_cost_per_year_yuan'])}")
    return (f"{year}年{name}有 " + "、".join(lacks) + f"（单项指标未达标共 {n_misses} 处）。"
            f"达标方案（补足校际指标要求所需，并使差异系数回到限值内）估算" + "，".join(costs) + "。")


def show_figures(figures, note: str, dataset: Dataset | None = None) -> None:
    """Display each figure of ``figures`` in a notebook, or ``note`` (as Markdown) when there is none.

    With ``dataset``, each figure is stamped by :func:`mark_synthetic` first.
    """
    from IPython.display import Markdown, display

    if not len(figures):
        display(Markdown(f"*{markdown_text(note)}*"))
        return
    display(*(mark_synthetic(fig, dataset) if dataset is not None else fig for fig in figures))


def show_gap(gap, county: str, year: int, profile, top: int | None = 20) -> None:
    """Display the gap to pass of one county-year in a notebook: the summary sentence, then the tables.

    ``gap`` is :func:`quality_balance.gap_to_pass` output for that county and year;
    ``profile`` the county's profile (for :func:`cost_note`). Shown: :func:`gap_summary`;
    when anything is missing, the totals per indicator and stage and the school units'
    misses (the ``top`` first, those the school rule requires first; see
    :func:`quality_balance.report.tables.gap_view`), with costs marked 估算, and :func:`cost_note`.
    When nothing is missing, the one sentence is all.
    """
    from IPython.display import Markdown, display

    require_place(gap.counties, county=county, year=year, where="补足测算结果")

    from .tables import gap_view

    from .document import document_table

    display(Markdown(gap_summary(gap, county, year)))
    totals = gap_view(gap, "totals")
    if totals.empty:
        return
    every = gap_view(gap, "units")
    units = every if top is None else every.head(top)
    shown = f"列出前 {len(units)} 项，共 {len(every)} 项" if len(units) < len(every) else f"共 {len(every)} 项"
    # the printed page holds these columns; gap_table keeps all of them for scripts and workbooks
    totals = totals.drop(columns=[c for c in REPORT_GAP_LEAVES_OUT if c in totals.columns])
    units = units.drop(columns=[c for c in REPORT_GAP_LEAVES_OUT if c in units.columns])
    display(document_table(totals, caption=f"{county} {year}年 各指标需增加的资源合计（成本为估算）", decimals=2),
            document_table(units, caption=f"{county} {year}年 各学校单元未达标指标需增加的资源（{shown}；"
                                          f"“校际达标须补足”为“是”的最先）", decimals=2),
            Markdown(cost_note(profile)))


#: Gap-table columns a report page leaves out to fit A4: the unit cost and the all-indicators figure
#: (shown in :func:`quality_balance.gap_table`), the 措施 text (it repeats 需增加 and the resource).
REPORT_GAP_LEAVES_OUT = ("单位成本（元，估算）", "各校全部指标达标所需", "其中须补足数", "措施", "达成比例(%)")


# --- headline results ---------------------------------------------------------------

#: MIME type of the headline output of a report notebook (:func:`record_headline`). The renderer moves
#: it into the notebook's metadata (``metadata["quality_balance"]["headline"]``); HTML pages never show it.
HEADLINE_MIME = "application/vnd.quality-balance.headline+json"
#: The verdict columns a county headline carries per year (dimension statuses, the veto, the overall verdict).
HEADLINE_VERDICTS = ("overall", "resources", "guarantee", "quality", "recognition", "veto")


def _int_or_none(value) -> int | None:
    return None if pd.isna(value) else int(value)


def headline_results(result, *, county: str | None = None, city: str | None = None,
                     projected: pd.DataFrame | None = None) -> dict:
    """The headline results of a county report (``county`` given) or of a city overview (``city`` only).

    Parameters
    ----------
    result : Assessment
        :func:`quality_balance.assess` output holding the place.
    county : str, optional
        The county of a county report: its verdicts by year and its projected pass year.
    city : str, optional
        The county's city (checked when given), or — without ``county`` — the city of an
        overview: which of its counties pass in each year.
    projected : DataFrame, optional, keyword-only
        :func:`quality_balance.projected_pass_year` of ``result``, when the report has it already
        (default ``None``: computed here for a county).

    Returns
    -------
    dict
        JSON-ready. A county: ``{"kind": "county", "city", "county", "profile", "synthetic",
        "years": [...], "verdicts": [{"year", "overall", "resources", "guarantee", "quality",
        "recognition", "veto"}, ...], "projected_pass": {"status", "year", "label"}}`` — statuses
        as in ``result.verdicts`` (``met``/``not_met``/``no_data``; for ``veto``, ``met`` means no
        veto item) and the projection of :func:`quality_balance.projected_pass_year` (``year`` is
        ``None`` when it cannot be projected). A city: ``{"kind": "city", "city", "synthetic",
        "years", "counties": [...], "passing": [{"year", "counties": [...], "n_passing",
        "n_counties"}, ...]}``.

    Raises
    ------
    UnknownNameError
        A county or city that ``result`` does not hold (the known ones are listed, the closest suggested).
    InputError
        Neither given.
    """
    verdicts = result.verdicts
    if county is None and city is None:
        raise InputError([Problem(file="评估结果", column="county", message="没有指定县区或市",
                                  expected="county= 或 city=")])
    require_place(result, city=city, county=county)
    rows = verdicts[verdicts["county"] == county] if county is not None else verdicts[verdicts["city"] == city]
    rows = rows.sort_values(["county", "year"])
    years = sorted(int(y) for y in rows["year"].unique())
    synthetic = bool(result.synthetic)
    if county is not None:
        if projected is None:
            from ..planning.projection import projected_pass_year

            projected = projected_pass_year(result)
        own = projected[projected["county"] == county]
        first = own.iloc[0] if len(own) else None
        return {
            "kind": "county", "city": str(rows["city"].iloc[0]), "county": county,
            "profile": str(rows["profile"].iloc[-1]) if "profile" in rows else None,
            "synthetic": synthetic, "years": years,
            "verdicts": [{"year": int(r["year"]), **{c: str(r[c]) for c in HEADLINE_VERDICTS}}
                         for _, r in rows.iterrows()],
            "projected_pass": {"status": None if first is None else str(first["status"]),
                               "year": None if first is None else _int_or_none(first["year"]),
                               "label": None if first is None else str(first["label"])},
        }
    counties = sorted(rows["county"].unique())
    passing = []
    for year in years:
        met = sorted(rows.loc[(rows["year"] == year) & (rows["overall"] == "met"), "county"])
        present = rows.loc[rows["year"] == year, "county"].nunique()
        passing.append({"year": year, "counties": met, "n_passing": len(met), "n_counties": int(present)})
    return {"kind": "city", "city": city, "synthetic": synthetic, "years": years, "counties": counties,
            "passing": passing}


def record_headline(result, *, county: str | None = None, city: str | None = None,
                    projected: pd.DataFrame | None = None) -> None:
    """Emit the report's :func:`headline_results` as a :data:`HEADLINE_MIME` output of the current cell.

    ``quality-balance render`` moves that output into the executed notebook's
    ``metadata["quality_balance"]["headline"]``, where tests and scripts read it, and
    removes it from the cell, so neither the HTML page nor the saved notebook shows it.
    Run by hand in JupyterLab, the cell shows one line (its ``text/plain`` part).

    Parameters
    ----------
    result : Assessment
        :func:`quality_balance.assess` output.
    county, city : str, optional
        As in :func:`headline_results`.
    projected : DataFrame, optional, keyword-only
        As in :func:`headline_results`.

    Returns
    -------
    None
    """
    from IPython.display import display

    headline = headline_results(result, county=county, city=city, projected=projected)
    if headline["kind"] == "county":
        last = headline["verdicts"][-1]
        from ..schema import status_label

        summary = (f"报告要点已记录：{headline['city']}{county}，{headline['years'][0]}—{headline['years'][-1]}年，"
                   f"{last['year']}年综合结论{status_label(last['overall'])}")
    else:
        summary = (f"报告要点已记录：{city}各年度达标县区数 "
                   + "，".join(f"{p['year']}年 {p['n_passing']}/{p['n_counties']}" for p in headline["passing"]))
    display({HEADLINE_MIME: headline, "text/plain": summary}, raw=True)
