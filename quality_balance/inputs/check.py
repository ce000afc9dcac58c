"""The data check (``quality-balance check``): validate files without assessing them.

:func:`check` reads and validates files or folders with
:func:`quality_balance.inputs.validate.validate_files` (every error and warning, each
naming file, sheet, Excel row, column, value, what is expected and a fix) and
adds warnings for values that are legal but suspicious — data-quality
heuristics, **not** the standard. Their limits come from the profile's
``[check]`` table (national defaults):

* ``max_year_on_year_ratio`` (10): a school's area per student — 教学及辅助用房面积
  or 体育运动场馆面积 (m²) ÷ its students of every stage — changes by more than
  this factor, up or down, from the previous year the school reports (a wrong
  unit such as 万平方米, or a missing digit); a change from or to 0 counts too;
* ``max_teachers_per_100`` (30): any teacher column of a stage (高于规定学历,
  骨干, 体育艺术 teachers) exceeds this many per 100 students of that stage;
* ``max_school_count_change`` (0.3): the number of schools of a county changes
  by more than this share of the previous year's number (schools missing from
  a file, or two years mixed).

The checks are vectorised (pandas group shifts, no loop over schools or
counties). The heuristic warnings name the school (标识码, name) and year
rather than an Excel row, since they compare rows across years and files.
A report with errors has exit status 2 (:data:`EXIT_ERRORS`); warnings alone 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import Problem, ProblemList
from ..standards.profile import Profile, load_profile
from ..schema import SCHOOLS, STAGE_LABELS, STAGES, TABLES
from .validate import validate_files

__all__ = ["CheckReport", "check", "suspicious_values", "area_jumps", "teacher_density", "school_count_jumps",
           "EXIT_ERRORS", "AREA_COLUMNS"]

#: Exit status of ``quality-balance check`` when the files have errors.
EXIT_ERRORS = 2
#: The R4 and R5 numerators (whole-school areas, m²) whose per-student values are compared across years.
AREA_COLUMNS = ("teaching_area_m2", "sports_area_m2")
_STUDENTS = [c.name for c in SCHOOLS.columns if c.name.startswith("students_")]
#: "per 100 students": the unit of the teacher indicators (spec §2), not a threshold
_PER_HUNDRED = 100.0
_HEURISTIC = "（数据质量提示，不是评估标准）"
#: The teacher columns whose density is checked: the R1–R3 numerators (not the full-time or visiting teachers).
_DENSITY_TEACHERS = ("teachers_above_degree", "backbone_teachers", "pe_art_teachers")


def _describe(source) -> str:
    if isinstance(source, (str, Path)):
        return str(source)
    return "、".join(map(str, source))


# --- the heuristics: calculations on a validated school table --------------------------------------

def area_jumps(schools: pd.DataFrame, max_ratio: float) -> pd.DataFrame:
    """Schools whose area per student changes by more than ``max_ratio`` times from the previous year.

    Parameters
    ----------
    schools : canonical school table (``year``, ``school_id``, ``students_*`` and the area columns, m²).
    max_ratio : the largest accepted factor between a year and the school's previous reported year.

    Returns one row per flagged school, year and area column: ``city``, ``county``,
    ``school_id``, ``school_name``, ``year``, ``previous_year``, ``column``,
    ``value`` and ``previous`` (m² per student), ``ratio`` (larger ÷ smaller;
    ``inf`` when one of them is 0).

    >>> s = pd.DataFrame({"city": "市", "county": "县", "school_id": "1", "school_name": "一小",
    ...                   "year": [2023, 2024], "students_primary": [100.0, 100.0],
    ...                   "teaching_area_m2": [450.0, 45.0], "sports_area_m2": [750.0, 760.0]})
    >>> area_jumps(s, 10)[["year", "column", "ratio"]].values.tolist()
    []
    >>> area_jumps(s, 9.9)[["year", "column", "ratio"]].values.tolist()
    [[2024, 'teaching_area_m2', 10.0]]
    """
    students = schools[[c for c in _STUDENTS if c in schools]].sum(axis=1, min_count=1)
    per_student = schools[list(AREA_COLUMNS)].div(students.where(students > 0), axis=0)
    frame = pd.concat([schools[["city", "county", "school_id", "school_name", "year"]], per_student], axis=1)
    frame = frame.sort_values(["school_id", "year"], kind="stable")
    previous = frame.groupby("school_id", sort=False)[["year", *AREA_COLUMNS]].shift()
    blocks = []
    for column in AREA_COLUMNS:
        now, before = frame[column].to_numpy(dtype=float), previous[column].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.fmax(now / before, before / now)  # NaN only when both are 0 or missing
        flagged = ratio > max_ratio
        block = frame.loc[flagged, ["city", "county", "school_id", "school_name", "year"]].copy()
        block["previous_year"] = previous.loc[flagged, "year"].astype("int64").to_numpy()
        block["column"] = column
        block["value"], block["previous"], block["ratio"] = now[flagged], before[flagged], ratio[flagged]
        blocks.append(block)
    return pd.concat(blocks, ignore_index=True)


def teacher_density(schools: pd.DataFrame, max_per_100: float) -> pd.DataFrame:
    """Teacher columns with more than ``max_per_100`` teachers per 100 students of their stage.

    Returns one row per flagged school, year and column: ``city``, ``county``,
    ``school_id``, ``school_name``, ``year``, ``stage``, ``column``, ``teachers``,
    ``students`` and ``per_100``. Stages without students are not checked (the
    validation already refuses teachers there).

    >>> s = pd.DataFrame({"city": "市", "county": "县", "school_id": ["1", "2"], "school_name": ["一小", "二小"],
    ...                   "year": 2025, "students_primary": [100.0, 10.0], "students_junior": 0.0,
    ...                   "teachers_above_degree_primary": [30.0, 4.0], "backbone_teachers_primary": [2.0, 1.0],
    ...                   "pe_art_teachers_primary": [3.0, 1.0]})
    >>> teacher_density(s, 30)[["school_id", "column", "per_100"]].values.tolist()
    [['2', 'teachers_above_degree_primary', 40.0]]
    """
    blocks = []
    for stage in STAGES:
        students = schools.get(f"students_{stage}")
        if students is None:
            continue
        for col in (c for c in SCHOOLS.columns if c.stage == stage and c.name.startswith(_DENSITY_TEACHERS)):
            if col.name not in schools:
                continue
            per_100 = schools[col.name] / students.where(students > 0) * _PER_HUNDRED
            flagged = (per_100 > max_per_100).to_numpy()
            block = schools.loc[flagged, ["city", "county", "school_id", "school_name", "year"]].copy()
            block["stage"], block["column"] = stage, col.name
            block["teachers"] = schools.loc[flagged, col.name].to_numpy()
            block["students"] = students[flagged].to_numpy()
            block["per_100"] = per_100[flagged].to_numpy()
            blocks.append(block)
    columns = ["city", "county", "school_id", "school_name", "year", "stage", "column", "teachers", "students",
               "per_100"]
    return pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame(columns=columns)


def school_count_jumps(schools: pd.DataFrame, max_change: float) -> pd.DataFrame:
    """Counties whose number of schools changes by more than ``max_change`` (a share) from the previous year.

    Returns one row per flagged county and year: ``city``, ``county``, ``year``,
    ``previous_year``, ``schools``, ``previous`` (numbers of distinct school
    identifiers) and ``change`` (signed share of the previous number).

    >>> s = pd.DataFrame({"city": "市", "county": "县", "year": [2024] * 10 + [2025] * 6,
    ...                   "school_id": [str(i) for i in range(10)] + [str(i) for i in range(6)]})
    >>> school_count_jumps(s, 0.3)[["year", "previous_year", "schools", "previous", "change"]].to_dict("records")
    [{'year': 2025, 'previous_year': 2024, 'schools': 6, 'previous': 10, 'change': -0.4}]
    """
    counts = (schools.groupby(["city", "county", "year"], sort=True)["school_id"].nunique()
              .rename("schools").reset_index())
    previous = counts.groupby(["city", "county"], sort=False)[["year", "schools"]].shift()
    change = (counts["schools"] - previous["schools"]) / previous["schools"]
    flagged = (change.abs() > max_change).to_numpy()
    out = counts[flagged].copy()
    out["previous_year"] = previous.loc[flagged, "year"].astype("int64").to_numpy()
    out["previous"] = previous.loc[flagged, "schools"].astype("int64").to_numpy()
    out["change"] = change[flagged].to_numpy()
    return out[["city", "county", "year", "previous_year", "schools", "previous", "change"]].reset_index(drop=True)


def _school(frame: pd.DataFrame) -> pd.Series:
    return "学校 " + frame["school_id"].astype(str) + "（" + frame["school_name"].fillna("").astype(str) + "）"


def _problems(file: str, column: pd.Series, message: pd.Series, value: pd.Series, expected: str,
              fix: str) -> list[Problem]:
    return [Problem(file, m, None, c, v, expected, fix, None, "warning")
            for c, m, v in zip(column, message, value)]


def suspicious_values(schools: pd.DataFrame, profile: Profile | str = "national", source: str = ""
                      ) -> list[Problem]:
    """Warnings (``severity="warning"``) for suspicious but legal values of a validated school table.

    Limits from ``profile``'s ``[check]`` table: ``max_year_on_year_ratio``,
    ``max_teachers_per_100``, ``max_school_count_change`` (see the module
    docstring). ``source`` names the files in the messages. Nothing is read or written.
    """
    profile = load_profile(profile)
    max_ratio = profile.get("check.max_year_on_year_ratio")
    max_per_100 = profile.get("check.max_teachers_per_100")
    max_change = profile.get("check.max_school_count_change")
    zh = {c.name: c.zh for c in SCHOOLS.columns}
    problems: list[Problem] = []

    jumps = area_jumps(schools, max_ratio)
    if len(jumps):
        ratio = jumps["ratio"].map(lambda r: "从 0 变为非 0" if np.isinf(r) else f"相差 {r:.1f} 倍")
        message = ("生均" + jumps["column"].map(zh) + "与 " + jumps["previous_year"].astype(str) + " 年相比"
                   + ratio + f"，超过 {max_ratio:g} 倍" + _HEURISTIC)
        value = (_school(jumps) + " " + jumps["year"].astype(str) + " 年 " + jumps["value"].map("{:.2f}".format)
                 + " m²/生（" + jumps["previous_year"].astype(str) + " 年 " + jumps["previous"].map("{:.2f}".format)
                 + " m²/生）")
        problems += _problems(source, jumps["column"].map(zh), message, value,
                              f"相邻年份生均面积变化不超过 {max_ratio:g} 倍",
                              "核对面积是否用了其他单位（万平方米、亩）、是否多写或少写一位，以及在校生数")

    dense = teacher_density(schools, max_per_100)
    if len(dense):
        label = dense["stage"].map(STAGE_LABELS)
        message = ("每百名" + label + "学生有 " + dense["per_100"].map("{:.1f}".format) + " 名此类教师，"
                   + f"超过 {max_per_100:g} 名" + _HEURISTIC)
        value = (_school(dense) + " " + dense["year"].astype(str) + " 年：教师 " + dense["teachers"].map("{:g}".format)
                 + " 人，" + label + "学生 " + dense["students"].map("{:g}".format) + " 人")
        problems += _problems(source, dense["column"].map(zh), message, value,
                              f"每百名学生不超过 {max_per_100:g} 名",
                              "核对教师数与学生数是否填反、填到了错误的学段列，或学生数是否漏填")

    counts = school_count_jumps(schools, max_change)
    if len(counts):
        message = ("学校数从 " + counts["previous_year"].astype(str) + " 年的 " + counts["previous"].astype(str)
                   + " 所变为 " + counts["year"].astype(str) + " 年的 " + counts["schools"].astype(str) + " 所（"
                   + counts["change"].map("{:+.0%}".format) + f"），变化超过 {max_change:.0%}" + _HEURISTIC)
        value = counts["city"] + counts["county"] + " " + counts["year"].astype(str) + " 年"
        problems += _problems(source, pd.Series(zh["school_id"], index=counts.index), message, value,
                              f"相邻年份学校数变化不超过 {max_change:.0%}",
                              "核对是否漏了某个文件或工作表、是否混入了其他年份或其他县区的学校；确有撤并新建可忽略")
    return problems


# --- the report --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckReport(ProblemList):
    """What :func:`check` found.

    Attributes
    ----------
    source : str
        The files or folders checked.
    problems : tuple of Problem
        Every problem: validation errors and warnings, then the suspicious-value warnings.
    suspicious : int
        How many of the warnings are suspicious-value heuristics.
    rows : dict
        Table name → data rows read (tables found only).
    """

    source: str
    problems: tuple[Problem, ...]
    suspicious: int
    rows: dict[str, int]

    @property
    def exit_status(self) -> int:
        """:data:`EXIT_ERRORS` (2) when there are errors, else 0 (warnings alone pass)."""
        return EXIT_ERRORS if self.errors else 0

    def summary(self) -> str:
        """Counts of errors, warnings and rows read per table, and what to do next."""
        read = "，".join(f"{TABLES[name].zh} {n} 行" for name, n in self.rows.items()) or "无"
        errors, warnings = len(self.errors), len(self.warnings)
        verdict = (f"有错误：请按上面的提示修改后重新检查（退出码 {EXIT_ERRORS}）。 / errors found."
                   if errors else "没有错误，可以评估（quality-balance assess）。 / no errors: ready to assess.")
        return "\n".join([
            f"检查结果 / check summary: {self.source}",
            f"  读取 / rows read: {read}",
            f"  错误 / errors: {errors}",
            f"  警告 / warnings: {warnings}（其中可疑数值 / suspicious values: {self.suspicious}）",
            f"  {verdict}",
        ])

    def lines(self) -> list[str]:
        """Every problem, errors first, one line each, prefixed 错误 or 警告."""
        return ([f"错误 / error: {p}" for p in self.errors]
                + [f"警告 / warning: {p}" for p in self.warnings])


def check(source: str | Path | Iterable[str | Path], *, profile: Profile | str = "national",
          include_hidden: bool = False) -> CheckReport:
    """Validate files or folders without assessing them; nothing is written.

    Parameters
    ----------
    source : str, Path or iterable of them
        A file (.csv, .tsv, .xlsx, .xls), a folder, or a list of them.
    profile : Profile or str, keyword-only
        The profile (or its name or ``.toml`` path) whose ``[check]`` table sets the
        suspicious-value limits. The default ``"national"`` uses the national
        profile's limits.
    include_hidden : bool, keyword-only
        Read hidden workbook sheets too. The default ``False`` skips them, with a
        warning naming them.

    Returns
    -------
    CheckReport
        ``source`` (the files checked, as text), ``problems`` (validation errors
        and warnings, then the suspicious-value warnings), ``suspicious`` (how many
        of those heuristics fired) and ``rows`` (table name → data rows read);
        ``exit_status`` is 2 with errors, else 0. Bad input never raises: an
        unreadable file is a problem in the report. Finding no table with data
        rows is an error.

    Raises
    ------
    ProfileError
        ``profile`` names no known profile or its file is invalid.
    """
    profile = load_profile(profile)
    described = _describe(source)
    result = validate_files(source, include_hidden=include_hidden)
    problems = list(result.problems)
    rows = {name: len(frame) for name, frame in result.frames.items()}
    if not result.errors and not any(rows.values()):
        problems.append(Problem(described, "没有找到含数据行的表" if rows else "没有找到可识别的数据表",
                                expected="学校.csv、学校.xlsx 等以表名命名的文件，或含中文表头和数据行的工作表",
                                fix="检查路径、文件名、工作表名和表头（可用 quality-balance template 生成模板）"))
    found: list[Problem] = []
    schools = result.frames.get("schools")
    if schools is not None and len(schools):
        found = suspicious_values(schools, profile, described)
    return CheckReport(described, tuple(problems + found), len(found), rows)
