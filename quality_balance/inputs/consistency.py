"""Cross-table consistency: what one table says that the others do not back up.

Each table can be valid on its own and the data set still be wrong: scores of a
school that is not in the school table would enter the difference rate (Q9), a
survey of a county with no schools would be counted, a county-table row for a
year without schools would receive a verdict. :func:`cross_table_problems`
finds these and returns warnings naming the table, the rows and what the
assessment does with them; ``check`` prints them and ``load_dataset`` puts them
in ``Dataset.notes``. The assessment leaves such rows out (see
:func:`quality_balance.method.assessment.assess`).
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from ..errors import Problem
from ..schema import COUNTIES, SCHOOLS, SCORES, SURVEY, Table

__all__ = ["cross_table_problems", "NAMED"]

#: At most this many keys are named in one warning.
NAMED = 8
_COUNTY = ["city", "county"]
_PLACE = ["city", "county", "year"]


def _keys(frame: pd.DataFrame, columns: list[str]) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame[columns].drop_duplicates().astype(str))


def _name(key: tuple) -> str:
    return "".join(str(k) for k in key[:2]) + (f" {key[2]}年" if len(key) > 2 else "") + (
        f" 学校 {key[3]}" if len(key) > 3 else "")


def _listing(keys) -> str:
    keys = list(keys)
    shown = "、".join(_name(k) for k in keys[:NAMED])
    return shown + (f" 等 {len(keys)} 处" if len(keys) > NAMED else "")


def _warning(table: Table, message: str, fix: str) -> Problem:
    return Problem(f"「{table.zh}」表", message, severity="warning", fix=fix)


def _missing(frame: pd.DataFrame, reference: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Keys of ``frame`` over ``columns`` that ``reference`` does not have, in order."""
    keys = _keys(frame, columns)
    return list(keys[~keys.isin(_keys(reference, columns))])


def cross_table_problems(frames: Mapping[str, pd.DataFrame]) -> list[Problem]:
    """Warnings for rows of one table that the school table does not back up.

    Parameters
    ----------
    frames : mapping of table name → typed frame
        As validated (:class:`~quality_balance.inputs.validate.Validation` ``.frames``);
        ``schools`` is the reference. Tables missing from it are skipped.

    Returns
    -------
    list of Problem
        Warnings (``severity="warning"``): scores naming a school that the school
        table does not have in that county and year (left out of Q9); survey rows
        of a county and year without schools (left out of S1); county-table rows
        of a county and year without schools (no verdict is given for them); counties
        of the school table without any county-table row.
    """
    schools = frames.get("schools")
    if schools is None or schools.empty:
        return []
    problems: list[Problem] = []
    scores = frames.get("scores")
    if scores is not None and len(scores):
        unknown = _missing(scores, schools, _PLACE + ["school_id"])
        if unknown:
            problems.append(_warning(
                SCORES, f"成绩表中有 {len(unknown)} 所学校不在学校表中（{_listing(unknown)}），"
                        "其成绩不计入校际差异率（Q9）",
                "核对成绩表的学校标识码、县区和年份，或在学校表中补上这些学校"))
    survey = frames.get("survey")
    if survey is not None and len(survey):
        unknown = _missing(survey, schools, _PLACE)
        if unknown:
            problems.append(_warning(
                SURVEY, f"满意度调查中有 {len(unknown)} 个县区年份在学校表中没有学校（{_listing(unknown)}），"
                        "不计入社会认可度（S1）",
                "核对县区名称和年份（须与学校表一致）"))
    counties = frames.get("counties")
    if counties is not None and len(counties):
        no_schools = _missing(counties, schools, _PLACE)
        if no_schools:
            problems.append(_warning(
                COUNTIES, f"县区表中有 {len(no_schools)} 个县区年份在学校表中没有学校（{_listing(no_schools)}），"
                          "不对其作出评估结论",
                "核对县区名称和年份，或补充这些年份的学校表"))
        no_row = _missing(schools, counties, _COUNTY)
        if no_row:
            problems.append(_warning(
                SCHOOLS, f"学校表中有 {len(no_row)} 个县区在县区表中没有任何一行（{_listing(no_row)}），"
                         "其县级项目将为“无数据”",
                "在县区表中补上这些县区，或核对县区名称是否一致"))
    return problems
