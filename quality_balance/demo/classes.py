"""School-by-school detail for one city of the demo: a class table and the school columns of G3, G6, G12, Q3, Q6.

Synthetic like the rest of the demo (合成演示数据), deterministic (its own random stream per
county, so the other tables are drawn exactly as before), and built so that every result of
these counties stays what the story designs — only the reasons become school- and class-level:

* **classes** (班级表): for each school-year and stage with classes, ``classes_<stage>``
  classes whose students add up to the school's students of the stage and whose largest is
  the school's ``max_class_size_<stage>`` (a school over the G5 limit gets a second oversize
  class when its students allow), so G5 names the same schools and now their classes;
* **full_time_teachers / certified_teachers** (G12): every teacher certified where the county's
  rate is 100 %, else the county's rate spread over its largest schools;
* **has_charter / it_management** (Q3): yes everywhere the county says so, else one school lacks
  information-based management;
* **school_moral_rating** (Q6): the county's lowest rating in one school, better ones elsewhere;
* **classes_senior** (G3 when a profile counts them): one class per 50 senior students.

The county table keeps its figures, so a county of :data:`DETAIL_CITY` is assessed from the schools
and says so ("（按学校数据）").
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import RATINGS, STAGE_LABELS
from ._common import stream

__all__ = ["DETAIL_CITY", "add_school_detail", "class_table"]

#: The city whose counties get the class table and the school columns.
DETAIL_CITY = "呼和浩特市"
#: Random-stream purpose key of this module (the generator's own keys are 1–9).
_STREAM = 10
_SENIOR_CLASS = 50  # senior students per class (a typical 高中 class; demo only)
_GRADE_NAMES = {"primary": ("一", "二", "三", "四", "五", "六"), "junior": ("七", "八", "九"),
                "senior": ("高一", "高二", "高三")}


def _sizes(students: int, n: int, biggest: int, limit: float) -> list[int]:
    """``n`` class sizes adding up to ``students`` with the largest ``biggest`` (when possible)."""
    if n <= 0 or students <= 0:
        return []
    if n == 1:
        return [students]
    biggest = int(min(max(biggest, int(np.ceil(students / n))), students))
    rest, others = students - biggest, n - 1
    base, extra = divmod(rest, others)
    sizes = [biggest] + [base + (1 if i < extra else 0) for i in range(others)]
    # a school over the limit: a second oversize class when the others can give students to it
    if biggest > limit and sizes[1] + 1 <= biggest and len(sizes) > 2 and sizes[1] < biggest:
        second = max(sizes[1], int(limit) + 1)
        take = second - sizes[1]
        if take <= sum(s - 1 for s in sizes[2:]) and second <= biggest:
            sizes[1] = second
            for i in range(2, len(sizes)):
                give = min(take, sizes[i] - 1, 1 + take // max(1, len(sizes) - 2))
                sizes[i] -= give
                take -= give
                if take == 0:
                    break
            if take:  # could not balance: keep the even split
                sizes = [biggest] + [base + (1 if i < extra else 0) for i in range(others)]
    return sizes


def class_table(schools: pd.DataFrame, limits: dict[str, pd.Series]) -> pd.DataFrame:
    """The class table of ``schools`` (one city's), consistent with their class columns.

    Parameters
    ----------
    schools : DataFrame
        Demo school rows (``classes_<stage>``, ``students_<stage>``, ``max_class_size_<stage>``).
    limits : dict of str to Series
        Per stage (``primary``, ``junior``) each school's G5 limit (人).

    Returns
    -------
    DataFrame
        ``year``, ``school_id``, ``stage`` (小学/初中/高中), ``class_name`` and ``students``.
    """
    rows = []
    for stage in ("primary", "junior", "senior"):
        n = schools[f"classes_{stage}"].fillna(0).astype(int).to_numpy()
        s = schools[f"students_{stage}"].fillna(0).astype(int).to_numpy()
        m = (schools[f"max_class_size_{stage}"].fillna(0).astype(int).to_numpy() if stage != "senior"
             else np.zeros(len(schools), int))
        lim = limits[stage].to_numpy(dtype=float) if stage in limits else np.full(len(schools), np.inf)
        grades = _GRADE_NAMES[stage]
        for i, (year, school_id) in enumerate(zip(schools["year"], schools["school_id"])):
            sizes = _sizes(s[i], n[i], m[i], lim[i])
            per_grade = int(np.ceil(len(sizes) / len(grades))) or 1
            for k, size in enumerate(sizes):
                grade = grades[min(k // per_grade, len(grades) - 1)]
                name = f"{grade}年级({k % per_grade + 1})班" if stage != "senior" else f"{grade}({k % per_grade + 1})班"
                rows.append((int(year), str(school_id), STAGE_LABELS[stage], name, int(size)))
    return pd.DataFrame(rows, columns=["year", "school_id", "stage", "class_name", "students"])


def add_school_detail(schools: pd.DataFrame, counties: pd.DataFrame, seed: int,
                      limits: dict[str, pd.Series]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The school table with the detail columns filled for :data:`DETAIL_CITY`, and its class table.

    Parameters
    ----------
    schools, counties : DataFrame
        The demo's typed school and county tables.
    seed : int
        The demo's seed.
    limits : dict of str to Series
        Per stage the G5 limit of each school row (人).

    Returns
    -------
    (DataFrame, DataFrame)
        The school table (a copy; other cities' rows unchanged) and the class table.
    """
    out = schools.copy()
    mine = out["city"] == DETAIL_CITY
    for name, kind in (("classes_senior", float), ("full_time_teachers", float), ("certified_teachers", float),
                       ("has_charter", "boolean"), ("it_management", "boolean"), ("school_moral_rating", object)):
        out[name] = out[name].astype(kind)
    c = counties.set_index(["county", "year"])
    for index, (county, group) in enumerate(out[mine].groupby("county", sort=True)):
        rng = stream(seed, _STREAM, index)
        for year, rows in group.groupby("year"):
            i = rows.index
            students = (rows["students_primary"] + rows["students_junior"]
                        + rows["students_senior"].fillna(0)).to_numpy(float)
            teachers = np.maximum(2, np.round(students / 15 + rng.integers(0, 4, len(i))))
            county_row = c.loc[(county, year)] if (county, year) in c.index else None
            rate = float(county_row["certified_teacher_rate"]) if county_row is not None else 100.0
            certified = teachers.copy()
            if rate < 100:  # the county's shortfall of certificates, in its largest schools
                missing = int(round(teachers.sum() * (100 - rate) / 100))
                for j in np.argsort(-teachers, kind="stable"):
                    if missing <= 0:
                        break
                    take = min(missing, int(teachers[j] // 4))
                    certified[j] -= take
                    missing -= take
            out.loc[i, "full_time_teachers"] = teachers
            out.loc[i, "certified_teachers"] = certified
            charter_it = bool(county_row["charter_and_it"]) if county_row is not None else True
            out.loc[i, "has_charter"] = True
            out.loc[i, "it_management"] = True
            if not charter_it:
                out.loc[i[int(rng.integers(0, len(i)))], "it_management"] = False
            lowest = county_row["moral_rating"] if county_row is not None else "良好"
            lowest = lowest if lowest in RATINGS else "良好"
            better = RATINGS[:RATINGS.index(lowest)] or (lowest,)   # strictly better, unless the lowest is 优秀
            ratings = rng.choice(np.array(better, dtype=object), len(i))
            ratings[int(rng.integers(0, len(i)))] = lowest
            out.loc[i, "school_moral_rating"] = ratings
            out.loc[i, "classes_senior"] = np.ceil(rows["students_senior"].fillna(0) / _SENIOR_CLASS).to_numpy()
    classes = class_table(out[mine], {k: v[mine] for k, v in limits.items()})
    return out, classes
