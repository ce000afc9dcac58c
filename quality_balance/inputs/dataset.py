"""The Dataset: the input tables of one data set, with their provenance.

A data set is a folder holding some of the tables of :mod:`quality_balance.schema`
(``schools`` is required; ``counties``, ``survey`` or ``survey_answers``,
``scores`` and ``classes`` are optional) plus an optional ``metadata.json``. When the metadata say
``"synthetic": true`` every result built from the data carries the 演示数据 label.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

__all__ = ["Dataset", "SYNTHETIC_LABEL", "METADATA_FILE"]

SYNTHETIC_LABEL = "演示数据（合成，非真实统计）"
METADATA_FILE = "metadata.json"


@dataclass(frozen=True)
class Dataset:
    """Input tables with canonical English column names (see :mod:`quality_balance.schema`).

    Attributes
    ----------
    schools : DataFrame
        The school-year table, one row per school per year.
    counties, survey, survey_answers, scores : DataFrame or None
        The optional tables; ``None`` when the data set does not have them.
    source : str
        Where the data came from (a folder or file path, or "generated in memory").
    synthetic : bool
        True for the generated demo data. Results and reports carry :data:`SYNTHETIC_LABEL`.
    metadata : dict
        The data set's ``metadata.json`` (generator, seed, description...), if any.
    notes : list of str
        What the loader wants the user to know: missing optional tables, ignored columns.
    classes : DataFrame or None
        The optional class table (班级表, :data:`quality_balance.schema.CLASSES`): one row per
        school, year, stage (学段 as written: 小学/初中/高中) and class, with its ``students``.
        When given, G5 checks every class (docs/method.md §5.2); ``None`` when absent.
    """

    schools: pd.DataFrame
    counties: pd.DataFrame | None = None
    survey: pd.DataFrame | None = None
    survey_answers: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    source: str = ""
    synthetic: bool = False
    metadata: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    classes: pd.DataFrame | None = None

    @property
    def provenance(self) -> str:
        """One line for report headers: source, and the synthetic label when it applies."""
        text = f"数据来源: {self.source or '内存'}"
        return f"{SYNTHETIC_LABEL} — {text}" if self.synthetic else text

    @property
    def source_label(self) -> str:
        """The data source as a reader names it, without the machine's paths: 数据文件夹“2025年报表”.

        Synthetic data read 合成演示数据.

        >>> Dataset(schools=pd.DataFrame(), source="/srv/x/2025年报表").source_label
        '数据文件夹“2025年报表”'
        """
        from pathlib import PurePath

        if self.synthetic:  # the demo: its folder's name ("demo") tells a reader nothing more
            return "合成演示数据"
        if "/" not in self.source and "\\" not in self.source:  # not a path: built in memory
            return self.source or "内存中的数据"
        path = PurePath(self.source.replace("\\", "/"))
        kind = "数据文件" if path.suffix else "数据文件夹"
        return f"{kind}“{path.name}”"

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables present, by name."""
        names = ("schools", "counties", "survey", "survey_answers", "scores", "classes")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def replace(self, **changes) -> "Dataset":
        """A copy with some tables or attributes replaced (datasets are immutable)."""
        return replace(self, **changes)
