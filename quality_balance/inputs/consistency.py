"""Cross-table consistency: what one table says that the others do not back up.

Each table can be valid on its own and the data set still be wrong: scores of a
school that is not in the school table would enter the difference rate (Q9), a
survey of a county with no schools would be counted, a county-table row for a
year without schools would receive a verdict. :func:`cross_table_problems`
finds these and returns warnings naming the table, the rows and what the
assessment does with them; ``check`` prints them and ``load_dataset`` puts them
in ``Dataset.notes``. The assessment leaves such rows out (see
:func:`quality_balance.method.assessment.assess`).

Within one row of the school table, :func:`school_row_problems` finds figures that cannot
all be true (:data:`ROW_RULES`): teachers by qualification or role above the full-time
teachers of their stage, a part (a stage's figure, 56+ classes, indoor sports area,
migrant children) above its whole, and classes × the largest class below the students.
They are errors naming file, sheet, Excel row, column and values (a largest class above
the stage's students is a warning: a small school's mixed-grade class may be counted under
one stage), found while the sheet is validated, so ``check``, the loaders and
``load_dataset`` all report them.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import Problem
from ..schema import COUNTIES, SCHOOLS, SCORES, SURVEY, Table
from .runs import distinct_rows

__all__ = ["cross_table_problems", "NAMED", "school_row_problems", "ROW_RULES", "FULL_TIME_TEACHERS",
           "TEACHER_SUBSETS", "WHOLE_SCHOOL_TEACHERS"]

#: At most this many keys are named in one warning.
NAMED = 8
_COUNTY = ["city", "county"]
_PLACE = ["city", "county", "year"]


def _keys(frame: pd.DataFrame, columns: list[str]) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(distinct_rows(frame, columns).astype(str))


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
    """Keys of ``frame`` over ``columns`` that ``reference`` does not have, in order (as texts).

    The distinct keys are few (a county-year each): they are compared as tuples of texts in a set, about
    half the cost of building a MultiIndex of each and matching them (7 → 4 ms for a survey table). A key
    with a missing cell goes the MultiIndex way, where a missing cell matches a missing cell (in a tuple two
    missing cells are equal only when they are the same object).
    """
    keys = distinct_rows(frame, columns).astype(str)
    known = distinct_rows(reference, columns).astype(str)
    if keys.isna().to_numpy().any() or known.isna().to_numpy().any():
        found = _keys(frame, columns)
        return list(found[~found.isin(_keys(reference, columns))])
    present = set(known.itertuples(index=False, name=None))
    return [key for key in keys.itertuples(index=False, name=None) if key not in present]


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
    # the schools' places, in order of first appearance: their (city, county, year) and (city, county)
    # keys are those of the whole table, found from ~1 500 rows instead of 100 000
    places = distinct_rows(schools, _PLACE)
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
        unknown = _missing(survey, places, _PLACE)
        if unknown:
            problems.append(_warning(
                SURVEY, f"满意度调查中有 {len(unknown)} 个县区年份在学校表中没有学校（{_listing(unknown)}），"
                        "不计入社会认可度（S1）",
                "核对县区名称和年份（须与学校表一致）"))
    counties = frames.get("counties")
    if counties is not None and len(counties):
        no_schools = _missing(counties, places, _PLACE)
        if no_schools:
            problems.append(_warning(
                COUNTIES, f"县区表中有 {len(no_schools)} 个县区年份在学校表中没有学校（{_listing(no_schools)}），"
                          "不对其作出评估结论",
                "核对县区名称和年份，或补充这些年份的学校表"))
        no_row = _missing(places, counties, _COUNTY)
        if no_row:
            problems.append(_warning(
                SCHOOLS, f"学校表中有 {len(no_row)} 个县区在县区表中没有任何一行（{_listing(no_row)}），"
                         "其县级项目将为“无数据”",
                "在县区表中补上这些县区，或核对县区名称是否一致"))
    return problems


# --- within one row of the school table ---------------------------------------------------------------

_STAGES = ("primary", "junior")
_ZH_STAGE = {"primary": "小学", "junior": "初中"}
#: Full-time teachers of each stage: the whole that every teacher count by qualification or role is part of.
FULL_TIME_TEACHERS = {stage: f"full_time_teachers_{stage}" for stage in _STAGES}
#: The whole school's full-time teachers (G12 school by school): certified teachers and the stages' sums within it.
WHOLE_SCHOOL_TEACHERS = "full_time_teachers"
#: Teacher counts by qualification or role (per stage) that cannot exceed the stage's full-time teachers.
#: ``certified_teachers_<stage>`` is checked when the table has it.
TEACHER_SUBSETS = ("teachers_above_degree", "backbone_teachers", "pe_art_teachers", "certified_teachers")
_FACILITIES = ("teaching_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_rooms")
#: The rules of :func:`school_row_problems`, in words (docs and ``check``'s list of rules).
ROW_RULES = (
    "各学段按学历或岗位统计的教师数（高于规定学历、县级以上骨干、体育艺术、持证教师）不超过该学段专任教师数；"
    "全校持证专任教师数、各学段专任教师数之和不超过全校专任教师数",
    "分学段填写的场地、设备、多媒体教室数不超过全校合计，两个学段之和也不超过全校合计",
    "56人以上大班额班级数不超过各学段班级数之和；室内体育场馆面积不超过教学及辅助用房面积；随迁子女数不超过在校生数",
    "各学段班级数 × 最大班额不少于该学段在校生数；最大班额不超过该学段在校生数（警告）",
)


def _num(sheet, name: str) -> np.ndarray:
    values = sheet.typed.get(name)
    return values.to_numpy(dtype=float) if values is not None else np.full(sheet.n, np.nan)


def _has(sheet, name: str) -> bool:
    return name in sheet.raw.frame


def _over(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """``part > whole`` (both given) with the one tolerance of the method's comparisons.

    A part over its whole by more than the tolerance is over it at all: where no part is, nothing is
    flagged without asking the method's rules (nor importing them while data are only loaded)."""
    with np.errstate(invalid="ignore"):  # a comparison with NaN is False: a blank cell is never over
        strictly = np.asarray(part > whole, dtype=bool)
        if not strictly.any():
            return strictly
        from ..method.rules import above  # at call time: rules and the inputs are both loaded

        return np.asarray(above(part, whole), dtype=bool)


def _nan_sum(columns: list[np.ndarray]) -> np.ndarray:
    """``np.nansum(np.column_stack(columns), axis=1)``, column by column (a row's sum in the same order;
    a blank counts 0), without the slow reduction along rows."""
    total = 0.0 + np.where(np.isnan(columns[0]), 0.0, columns[0])  # from 0, as the reduction: -0.0 sums to 0.0
    for column in columns[1:]:
        total = total + np.where(np.isnan(column), 0.0, column)
    return total


def _any_given(columns: list[np.ndarray]) -> np.ndarray:
    """Rows where at least one of ``columns`` is not blank."""
    given = ~np.isnan(columns[0])
    for column in columns[1:]:
        given = given | ~np.isnan(column)
    return given


def _header_zh(name: str) -> str:
    return SCHOOLS.column(name).zh if name in SCHOOLS.names else name


def _shown(mask: np.ndarray, *parts) -> np.ndarray:
    """Per flagged row, the values compared as text, e.g. "骨干教师数(小学) 12 > 专任教师数(小学) 10"."""
    if not mask.any():
        return None  # nothing flagged: nothing to show (``report`` reports nothing)
    out = np.full(len(mask), None, dtype=object)
    idx = np.flatnonzero(mask)
    out[idx] = ["".join(f"{p[i]:g}" if isinstance(p, np.ndarray) else str(p) for p in parts) for i in idx]
    return out


def school_row_problems(sheet) -> None:
    """Report figures of one school row that cannot all be true (:data:`ROW_RULES`) as errors.

    Parameters
    ----------
    sheet : the validation state of a school-table sheet
        Its ``typed`` columns (numbers, NaN where blank) and ``report`` (one problem per flagged row,
        with file, sheet, Excel row and the column's header as the user wrote it). A rule whose
        columns the sheet lacks, or a row where one of its cells is blank, is not checked.
    """
    for stage in _STAGES:
        total = FULL_TIME_TEACHERS[stage]
        if _has(sheet, total):
            whole = _num(sheet, total)
            for prefix in TEACHER_SUBSETS:
                name = f"{prefix}_{stage}"
                if not _has(sheet, name):
                    continue
                part = _num(sheet, name)
                bad = _over(part, whole)
                sheet.report(name, bad, f"{_header_zh(name)}多于{_header_zh(total)}",
                             f"不超过{_header_zh(total)}（按学历、岗位统计的教师都是专任教师的一部分）",
                             f"核对两列的学段和口径：{_header_zh(name)}只计本学段专任教师",
                             values=_shown(bad, f"{_header_zh(name)} ", part, f" > {_header_zh(total)} ", whole))
    if _has(sheet, WHOLE_SCHOOL_TEACHERS):
        # the whole school's full-time teachers (G12's school columns): certified ones and the stages' totals within it
        whole, total = _num(sheet, WHOLE_SCHOOL_TEACHERS), _header_zh(WHOLE_SCHOOL_TEACHERS)
        if _has(sheet, "certified_teachers"):
            part = _num(sheet, "certified_teachers")
            bad = _over(part, whole)
            sheet.report("certified_teachers", bad, f"{_header_zh('certified_teachers')}多于{total}",
                         f"不超过{total}（持证教师是专任教师的一部分）", "核对两列是否都按全校专任教师填写",
                         values=_shown(bad, f"{_header_zh('certified_teachers')} ", part, f" > {total} ", whole))
        stages = [FULL_TIME_TEACHERS[st] for st in _STAGES if _has(sheet, FULL_TIME_TEACHERS[st])]
        if stages:
            summed = [_num(sheet, c) for c in stages]
            given = _any_given(summed)
            both = np.where(given, _nan_sum(summed), np.nan)
            bad = _over(both, whole)
            sheet.report(stages[-1], bad, f"各学段专任教师数之和多于{total}", f"各学段之和不超过{total}",
                         "核对全校和各学段的专任教师数（全校应包括各学段）",
                         values=_shown(bad, "各学段之和 ", both, f" > {total} ", whole))
    for facility in _FACILITIES:
        if not _has(sheet, facility):
            continue
        whole = _num(sheet, facility)
        parts = {st: _num(sheet, f"{facility}_{st}") for st in _STAGES if _has(sheet, f"{facility}_{st}")}
        for st, part in parts.items():
            name = f"{facility}_{st}"
            bad = _over(part, whole)
            sheet.report(name, bad, f"{_header_zh(name)}大于全校合计", f"不超过全校的“{_header_zh(facility)}”",
                         "核对是否把全校数填到了学段列，或全校合计漏计了某个学段",
                         values=_shown(bad, f"{_header_zh(name)} ", part, " > 全校 ", whole))
        if len(parts) == 2:
            both = parts["primary"] + parts["junior"]
            bad = _over(both, whole) & ~_over(parts["primary"], whole) & ~_over(parts["junior"], whole)
            name = f"{facility}_junior"
            sheet.report(name, bad, f"小学、初中两个学段的“{_header_zh(facility)}”之和大于全校合计",
                         f"两个学段之和不超过全校的“{_header_zh(facility)}”",
                         "核对各学段和全校的数值（全校合计应包括各学段）",
                         values=_shown(bad, "小学 ", parts["primary"], " + 初中 ", parts["junior"], " > 全校 ", whole))
    classes = [f"classes_{st}" for st in _STAGES if _has(sheet, f"classes_{st}")]
    if _has(sheet, "classes_56_plus") and classes:
        large = _num(sheet, "classes_56_plus")
        total = _nan_sum([_num(sheet, c) for c in classes])
        given = _any_given([_num(sheet, c) for c in classes])
        bad = _over(large, np.where(given, total, np.nan))
        sheet.report("classes_56_plus", bad, "56人以上大班额班级数多于各学段班级数之和", "不超过班级总数",
                     "核对大班额班级数和各学段班级数", values=_shown(bad, "大班额 ", large, " > 班级数 ", total))
    if _has(sheet, "indoor_sports_area_m2") and _has(sheet, "teaching_area_m2"):
        indoor, rooms = _num(sheet, "indoor_sports_area_m2"), _num(sheet, "teaching_area_m2")
        bad = _over(indoor, rooms)
        sheet.report("indoor_sports_area_m2", bad, "室内体育场馆面积大于教学及辅助用房面积",
                     "不超过教学及辅助用房面积（室内场馆是其中的一部分）", "核对面积和单位",
                     values=_shown(bad, "室内场馆 ", indoor, " > 教学及辅助用房 ", rooms))
    if _has(sheet, "migrant_students"):
        migrants = _num(sheet, "migrant_students")
        students = _nan_sum([_num(sheet, f"students_{st}") for st in _STAGES])
        bad = _over(migrants, students)
        sheet.report("migrant_students", bad, "随迁子女数多于义务教育阶段在校生数", "不超过小学、初中在校生数之和",
                     "核对随迁子女数是否含高中学生或填错了学校",
                     values=_shown(bad, "随迁子女 ", migrants, " > 在校生 ", students))
    for stage in _STAGES:
        n_classes, largest, students = (_num(sheet, f"classes_{stage}"), _num(sheet, f"max_class_size_{stage}"),
                                        _num(sheet, f"students_{stage}"))
        label = _ZH_STAGE[stage]
        if _has(sheet, f"classes_{stage}") and _has(sheet, f"max_class_size_{stage}"):
            bad = _over(students, n_classes * largest)
            sheet.report(f"max_class_size_{stage}", bad, f"{label}班级数 × 最大班额少于{label}在校生数",
                         f"{label}班级数 × {label}最大班额 ≥ {label}在校生数",
                         f"核对{label}班级数、最大班额（人数最多的一个班）和在校生数",
                         values=_shown(bad, "班级 ", n_classes, " × 最大班额 ", largest, " = ", n_classes * largest,
                                       " < 在校生 ", students))
        if _has(sheet, f"max_class_size_{stage}"):
            bad = _over(largest, students)
            # a warning: a mixed-grade class of a small school (复式班) may be counted under one stage
            sheet.report(f"max_class_size_{stage}", bad, f"{label}最大班额多于{label}在校生数",
                         f"不超过{label}在校生数", "核对最大班额和在校生数是否填到了正确的学段列（复式班可忽略）",
                         severity="warning", values=_shown(bad, "最大班额 ", largest, " > 在校生 ", students))
