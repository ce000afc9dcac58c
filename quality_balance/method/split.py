"""School units: one row per school and stage, with whole-school facilities split.

Method: docs/method.md §4.1, §4.2.

A school that spans stages is assessed as one unit per stage. Teacher counts
(R1–R3) are reported per stage and used as given. Whole-school facilities —
teaching rooms (R4, m²), sports area (R5, m²), equipment (R6, 元) and multimedia
rooms (R7) — are split in proportion to *weighted* students::

    share_stage = w_stage · N_stage / Σ_s w_s · N_s

with the profile's ``resources.stage_weights`` (小学 : 初中 : 高中 = 1 : 1.1 : 1.32)
for every school type except 完全中学, which uses
``resources.complete_middle_weights`` (初中 : 高中 = 1 : 1.2). A nine-year
school with A primary and B junior students thus gives its primary part
A / (A + 1.1·B). Where a per-stage figure is reported (``teaching_area_m2_junior``
etc.) it is used as is and nothing is split for that facility and stage.

Out of scope of R: 特殊教育学校, and 教学点 with fewer students than the profile's
``resources.exclude_teaching_points_below`` (0 = none excluded).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..stats._groups import rows_in

__all__ = ["FACILITIES", "TEACHER_COLUMNS", "OUT_OF_SCOPE_TYPES", "split_units", "facility_shares"]

#: indicator → whole-school facility column it splits
FACILITIES = {"R4": "teaching_area_m2", "R5": "sports_area_m2", "R6": "equipment_value_yuan",
              "R7": "multimedia_rooms"}
#: indicator → per-stage teacher column prefix
TEACHER_COLUMNS = {"R1": "teachers_above_degree", "R2": "backbone_teachers", "R3": "pe_art_teachers"}
OUT_OF_SCOPE_TYPES = ("特殊教育学校",)
COMPLETE_MIDDLE = "完全中学"
TEACHING_POINT = "教学点"
_ID_COLUMNS = ["city", "county", "year", "school_id", "school_name", "school_type", "location"]


def facility_shares(schools: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Each school's share of whole-school facilities for its primary and junior parts.

    Parameters
    ----------
    schools : DataFrame
        Canonical school table (``students_primary``, ``students_junior``, optional
        ``students_senior``, ``school_type``, ``county``...).
    weights : DataFrame
        One row per school (same index) with columns ``w_primary``, ``w_junior``,
        ``w_senior`` already chosen for its type (see :func:`split_units`).

    Returns
    -------
    DataFrame with ``primary`` and ``junior`` share columns (0–1), same index.

    Examples
    --------
    A nine-year school with 600 primary and 300 junior students:

    >>> s = pd.DataFrame({"students_primary": [600], "students_junior": [300], "students_senior": [0]})
    >>> w = pd.DataFrame({"w_primary": [1.0], "w_junior": [1.1], "w_senior": [1.32]})
    >>> facility_shares(s, w).round(4).values.tolist()  # 600/930, 330/930
    [[0.6452, 0.3548]]
    """
    n = {st: schools.get(f"students_{st}", pd.Series(0.0, index=schools.index)).fillna(0.0)
         for st in ("primary", "junior", "senior")}
    weighted = {st: n[st] * weights[f"w_{st}"] for st in n}
    total = weighted["primary"] + weighted["junior"] + weighted["senior"]
    safe = total.where(total > 0)
    return pd.DataFrame({st: (weighted[st] / safe).fillna(0.0) for st in ("primary", "junior")},
                        index=schools.index)


def _aligned(table: pd.DataFrame, frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """The rows of ``table`` (indexed by ``key``, unique) for each row of ``frame``, all-missing where absent.

    ``table.reindex`` by the keys of ``frame``, found by integer codes (:func:`~quality_balance.stats._groups.rows_in`)
    instead of a MultiIndex of one tuple per row; the result has a fresh RangeIndex.
    """
    keys = pd.DataFrame({k: table.index.get_level_values(i) for i, k in enumerate(key)})
    return table.reset_index(drop=True).reindex(rows_in(frame, keys, key)).reset_index(drop=True)


def _formatted(values: pd.Series) -> pd.Series:
    """``values.map("{:g}".format)``, formatting each distinct value once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    texts = np.array(["{:g}".format(u) for u in uniques], dtype=object)
    return pd.Series(texts[codes] if len(codes) else np.array([], dtype=object), index=values.index, dtype=object)


def split_units(schools: pd.DataFrame, settings: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn the school table into school units with per-stage resource numerators.

    Parameters
    ----------
    schools : DataFrame
        Canonical school-year table (spec §10).
    settings : DataFrame
        Per-county settings indexed by (``city``, ``county``) with columns
        ``w_primary``, ``w_junior``, ``w_senior`` (stage weights),
        ``cm_junior``, ``cm_senior`` (完全中学 weights) and
        ``exclude_tp_below`` (teaching-point size cut, students).

    Returns
    -------
    units : DataFrame
        One row per (school, year, stage) with ``students`` > 0: the identifying
        columns, ``stage`` (``primary``/``junior``), ``students``, ``share`` (facility
        share used, 1 for single-stage schools), ``split`` (``"weighted"`` when any
        facility was split, ``"reported"`` when all were per-stage figures, ``"none"``),
        and ``res_R1`` … ``res_R7``: the resource numerators of that stage (teachers,
        m², 元, rooms).
    excluded : DataFrame
        Schools left out of R, with a ``reason`` (Chinese).
    """
    s = schools.reset_index(drop=True)
    st = _aligned(settings, s, ["city", "county"])

    out_of_scope = s["school_type"].isin(OUT_OF_SCOPE_TYPES)
    small_tp = ((s["school_type"] == TEACHING_POINT) & (s["students_primary"].fillna(0) < st["exclude_tp_below"])
                & (st["exclude_tp_below"] > 0))
    reasons = np.select([out_of_scope, small_tp],
                        ["特殊教育学校不纳入资源配置评估",
                         "教学点在校生少于 " + _formatted(st["exclude_tp_below"]) + " 人，按本地规定不纳入"],
                        "")
    excluded = s.loc[out_of_scope | small_tp, _ID_COLUMNS].assign(reason=reasons[out_of_scope | small_tp])
    keep = ~(out_of_scope | small_tp)
    s, st = s[keep], st[keep]

    is_cm = s["school_type"] == COMPLETE_MIDDLE
    weights = pd.DataFrame({
        "w_primary": st["w_primary"],
        "w_junior": st["w_junior"].where(~is_cm, st["cm_junior"]),
        "w_senior": st["w_senior"].where(~is_cm, st["cm_senior"]),
    })
    shares = facility_shares(s, weights)

    parts = []
    for stage in ("primary", "junior"):
        students = s[f"students_{stage}"].fillna(0.0)
        has = students > 0
        part = s.loc[has, _ID_COLUMNS].copy()
        part["stage"] = stage
        part["students"] = students[has]
        part["share"] = shares.loc[has, stage]
        any_split = pd.Series(False, index=part.index)
        for ind, prefix in TEACHER_COLUMNS.items():
            part[f"res_{ind}"] = s.loc[has, f"{prefix}_{stage}"].fillna(0.0)
        for ind, col in FACILITIES.items():
            reported = s[f"{col}_{stage}"][has] if f"{col}_{stage}" in s else pd.Series(np.nan, index=part.index)
            split_value = s.loc[has, col] * part["share"]
            part[f"res_{ind}"] = reported.where(reported.notna(), split_value)
            any_split |= reported.isna() & (part["share"] < 1)
        all_reported = pd.concat([s[f"{c}_{stage}"][has].notna() if f"{c}_{stage}" in s
                                  else pd.Series(False, index=part.index) for c in FACILITIES.values()],
                                 axis=1).all(axis=1)
        part["split"] = np.where(any_split, "weighted", np.where(all_reported, "reported", "none"))
        parts.append(part)
    units = pd.concat(parts, ignore_index=True)
    units["stage"] = pd.Categorical(units["stage"], categories=["primary", "junior"])
    units = units.sort_values(["city", "county", "year", "stage", "school_id"], kind="stable")
    units["stage"] = units["stage"].astype(str)
    return units.reset_index(drop=True), excluded.reset_index(drop=True)
