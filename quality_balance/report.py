"""What a report notebook needs besides tables and charts: its data, its county's slice, its header.

The notebooks in ``notebooks/`` stay thin: they call these functions, the
tables of :mod:`quality_balance.tables` and the charts of
:mod:`quality_balance.plots`, and show the results.

* :func:`load_dataset_or_demo` loads a data folder, or — when the folder does
  not exist and ``fallback`` is on — generates the demo data in memory, so a
  notebook opened on a fresh clone (or run by nbval) works before ``make demo``.
* :func:`subset_dataset` keeps one city or county and a range of years.
* :func:`report_header` is the provenance block at the top of every report.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .dataset import SYNTHETIC_LABEL, Dataset
from .errors import InputError, Problem

__all__ = ["DEMO_DIR", "load_dataset_or_demo", "subset_dataset", "report_header", "profile_titles", "or_note"]

#: The demo data folder of a source checkout (``make demo`` writes it).
DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"


def load_dataset_or_demo(data_dir: str | Path | None = None, fallback: bool = True) -> Dataset:
    """Load the data set in ``data_dir``; without it, the demo data.

    ``data_dir=None`` means the demo folder :data:`DEMO_DIR`. When the folder
    does not exist and ``fallback`` is true, the demo data are generated in
    memory (deterministic, labelled 演示数据) and a note says so; with
    ``fallback=False`` (batch rendering) a missing folder is an
    :class:`~quality_balance.errors.InputError`.
    """
    from .loaders import load_dataset

    folder = Path(data_dir) if data_dir is not None else DEMO_DIR
    if folder.exists():
        return load_dataset(folder)
    if not fallback:
        raise InputError([Problem(file=str(folder), message="数据文件夹不存在",
                                  expected="包含学校表等输入表格的文件夹",
                                  fix="检查路径，或先运行 make demo 生成演示数据")])
    from . import demo

    dataset = demo.generate()
    note = f"未找到数据文件夹 {folder}，已在内存中生成演示数据"
    return dataset.replace(notes=tuple(dataset.notes) + (note,))


def subset_dataset(dataset: Dataset, city: str | None = None, county: str | None = None,
                   first_year: int | None = None, last_year: int | None = None) -> Dataset:
    """The same data set restricted to one city and/or county and a range of years (inclusive).

    Every table that has the column is filtered; an unknown city or county is an
    :class:`~quality_balance.errors.InputError` naming the ones the data have.
    """
    schools = dataset.schools
    for column, wanted, zh in (("city", city, "市"), ("county", county, "县区")):
        if wanted is not None and wanted not in set(schools[column]):
            known = "、".join(sorted(schools[column].unique()))
            raise InputError([Problem(file=dataset.source or "数据", column=column, value=wanted,
                                      message=f"学校表中没有这个{zh}", expected=known)])

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

    return dataset.replace(**{name: keep(getattr(dataset, name)) for name in dataset.tables})


def report_header(dataset: Dataset, profile_title: str, place: str) -> str:
    """Markdown for the top of a report: the place, the data's provenance, the profile used.

    Synthetic data get a prominent 演示数据 warning line, so nobody takes a demo
    verdict for a real one.
    """
    lines = []
    if dataset.synthetic:
        lines.append(f"> **⚠ {SYNTHETIC_LABEL}** —— 本报告的全部数字与结论来自合成的演示数据，"
                     f"不反映{place}的真实情况。")
        lines.append("")
    lines.append(f"- **评估对象**：{place}")
    lines.append(f"- **{dataset.provenance}**")
    lines.append(f"- **评估标准**：{profile_title}")
    for note in dataset.notes:
        lines.append(f"- 说明：{note}")
    return "\n".join(lines)


def profile_titles(profiles: dict) -> str:
    """The titles of the profiles an assessment used (``Assessment.profiles``), joined for a header."""
    return "、".join(sorted({p.title for p in profiles.values()}))


def or_note(frame: pd.DataFrame, note: str, caption: str | None = None):
    """``frame`` (with ``caption`` above it, if given), or — when it has no rows — ``note`` as Markdown,
    so an empty table reads as a finding rather than as a blank."""
    if len(frame):
        return frame.style.set_caption(caption) if caption else frame
    from IPython.display import Markdown

    return Markdown(f"*{note}*")
