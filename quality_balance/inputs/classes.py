"""The class table (班级表) against the school table: what one class row says that its school does not back up.

Method: docs/method.md §5.2.

Each row of the optional class table names a school by 学校标识码 and 年份. Errors (they stop a
loader, each naming file, sheet, Excel row and column): a school that the school table does not
have in that year (its classes would silently miss G5), and a stage (学段) that the school's type
cannot have (a 初中 class in a 小学). Warnings: classes of a stage the school reports no students
of, and a school-stage whose classes do not add up to the school table's students or class count
(the class table is then used as it is: G5 checks every class it lists).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import Problem
from ..schema import CLASSES, SCHOOL_TYPE_STAGES, STAGE_LABELS

__all__ = ["class_problems", "STAGE_OF_LABEL", "NAMED"]

#: The class table's stage words (学段) → the stage ids of the school table (``primary``…).
STAGE_OF_LABEL = {v: k for k, v in STAGE_LABELS.items()}
#: At most this many school-stages are named in one warning.
NAMED = 8


def _header(where: pd.DataFrame, pos: np.ndarray, column: str) -> list[str]:
    return [h.get(column) or CLASSES.column(column).zh for h in where["header"].to_numpy()[pos]]


def class_problems(classes: pd.DataFrame, schools: pd.DataFrame, where: pd.DataFrame) -> list[Problem]:
    """Errors and warnings of the class table against the school table.

    Parameters
    ----------
    classes : DataFrame
        The validated class table (:data:`quality_balance.schema.CLASSES`: ``year``, ``school_id``,
        ``stage`` as written — 小学/初中/高中 —, ``class_name``, ``students``).
    schools : DataFrame
        The validated school table.
    where : DataFrame
        One row per class row, in the same order: ``file``, ``sheet``, ``row`` (as seen in Excel)
        and ``header`` (the sheet's headers as written, by column).

    Returns
    -------
    list of Problem
        Errors: a class of a school the school table lacks in that year (column 学校标识码), a class of
        a stage the school type has not (column 学段). Warnings: a class of a stage the school has
        0 students of; a school-stage whose classes' students (人) differ from the school table's
        ``students_<stage>`` or whose number of classes differs from ``classes_<stage>`` (one
        warning each, naming at most :data:`NAMED` school-stages).
    """
    if classes is None or classes.empty or schools is None or schools.empty:
        return []
    problems: list[Problem] = []
    known = schools.drop_duplicates(["school_id", "year"]).set_index(["school_id", "year"])
    key = pd.MultiIndex.from_arrays([classes["school_id"].astype(str), classes["year"]])
    known.index = pd.MultiIndex.from_arrays([known.index.get_level_values(0).astype(str),
                                             known.index.get_level_values(1)])
    found = key.isin(known.index) & classes["school_id"].notna().to_numpy()
    files, sheets, rows = (where[c].to_numpy(dtype=object) for c in ("file", "sheet", "row"))

    def report(mask, column, message, values, expected, fix, severity="error"):
        pos = np.flatnonzero(mask)
        headers = _header(where, pos, column)
        msgs = [message] * len(pos) if isinstance(message, str) else list(np.asarray(message, dtype=object)[pos])
        problems.extend(Problem(files[p], m, int(rows[p]), h, v, expected, fix, sheets[p] or None, severity)
                        for p, m, h, v in zip(pos, msgs, headers, np.asarray(values, dtype=object)[pos]))

    year_text = classes["year"].astype("Int64").astype(str)
    report(~found & classes["school_id"].notna().to_numpy() & classes["year"].notna().to_numpy(), "school_id",
           "学校表中没有这所学校（" + year_text + " 年）", classes["school_id"].to_numpy(),
           "学校表中该年份已有的学校标识码", "核对班级表的学校标识码和年份，或在学校表中补上这所学校")
    rows_known = known.reindex(key)
    types = rows_known["school_type"].to_numpy(dtype=object)
    stage = classes["stage"].map(STAGE_OF_LABEL).to_numpy(dtype=object)
    allowed = np.array([isinstance(t, str) and isinstance(s, str) and s in SCHOOL_TYPE_STAGES.get(t, ())
                        for t, s in zip(types, stage)])
    wrong = found & classes["stage"].notna().to_numpy() & ~allowed
    report(wrong, "stage", "学校类型为“" + pd.Series(types).fillna("").astype(str) + "”，没有这个学段",
           classes["stage"].to_numpy(), "本校学校类型所有的学段", "核对学段，或学校表中的学校类型")
    students = np.full(len(classes), np.nan)
    for s in ("primary", "junior", "senior"):
        col = f"students_{s}"
        if col in rows_known:
            students = np.where(stage == s, pd.to_numeric(rows_known[col], errors="coerce").to_numpy(), students)
    empty = found & allowed & (students == 0)
    report(empty, "stage", "学校表中本校这一学段在校生数为 0", classes["stage"].to_numpy(),
           "学校有学生的学段", "核对学段，或学校表中的在校生数", severity="warning")
    problems.extend(_totals(classes[found & allowed], schools))
    return problems


def _totals(classes: pd.DataFrame, schools: pd.DataFrame) -> list[Problem]:
    """Warnings for school-stages whose classes do not add up to the school table's figures (vectorised)."""
    if classes.empty:
        return []
    c = classes.assign(_stage=classes["stage"].map(STAGE_OF_LABEL), school_id=classes["school_id"].astype(str))
    sums = c.groupby(["school_id", "year", "_stage"]).agg(n=("students", "size"), total=("students", "sum"))
    sums = sums.reset_index()
    s = schools.assign(school_id=schools["school_id"].astype(str)).drop_duplicates(["school_id", "year"])
    merged = sums.merge(s, on=["school_id", "year"], how="inner")
    problems = []
    for what, prefix, unit, measure in (("在校生数", "students_", "人", "total"), ("班级数", "classes_", "个", "n")):
        given = pd.Series(np.nan, index=merged.index)
        for stage in STAGE_OF_LABEL.values():
            if prefix + stage in merged:
                given = given.where(merged["_stage"] != stage, pd.to_numeric(merged[prefix + stage], errors="coerce"))
        off = merged[given.notna() & (given != merged[measure])]
        if off.empty:
            continue
        listed = (off["school_name"].astype(str) + "（" + off["year"].astype(str) + " 年"
                  + off["_stage"].map(STAGE_LABELS) + "：班级表 " + off[measure].map("{:g}".format) + unit
                  + "，学校表 " + given[off.index].map("{:g}".format) + unit + "）").tolist()
        shown = "、".join(listed[:NAMED]) + (f" 等 {len(listed)} 个" if len(listed) > NAMED else "")
        problems.append(Problem(f"「{CLASSES.zh}」表", f"班级表合计的{what}与学校表不一致：{shown}",
                                severity="warning", fix=f"核对两表；G5 按班级表逐班核对，{what}以学校表为准"))
    return problems
