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

from ..inputs.runs import factorize_text
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
        m², 元, rooms). Sorted by city, county, year, stage (小学 first) and school_id.
    excluded : DataFrame
        Schools left out of R, with a ``reason`` (Chinese).
    """
    s = schools.reset_index(drop=True)
    keys = pd.DataFrame({k: settings.index.get_level_values(i) for i, k in enumerate(["city", "county"])})
    units, excluded, _, _ = split_coded(s, settings, rows_in(s, keys, ["city", "county"]), place_sort_codes(s)[0])
    return units, excluded


def place_sort_codes(schools: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's (city, county, year) as an integer that sorts as the texts do (a missing cell last).

    Parameters
    ----------
    schools : DataFrame
        Holds ``city``, ``county`` and ``year``.

    Returns
    -------
    codes : ndarray of int64
        ``0 … places − 1`` per row: equal for rows of the same place, ordered as
        ``sort_values(["city", "county", "year"])`` orders the places.
    first : ndarray of int64
        The first row of each place, ``places`` long (``schools.take(first)`` is
        ``drop_duplicates().sort_values(...)`` of the key columns).
    """
    combined = np.zeros(len(schools), dtype=np.int64)
    for col in ("city", "county", "year"):
        codes, n_found = _sorted_codes(schools[col])  # a missing cell: n_found, after every value
        combined = combined * (n_found + 1) + codes
    seen, distinct = pd.factorize(combined)  # in order of first appearance: hashing, no sort of the rows
    if not len(seen):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.diff(np.maximum.accumulate(seen), prepend=-1) > 0)  # where each code first shows
    order = np.argsort(distinct)
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct), dtype=np.int64)
    return rank[seen], first[order].astype(np.int64)


def _numeric(s: pd.DataFrame, col: str) -> bool:
    dtype = s[col].dtype
    return isinstance(dtype, np.dtype) and dtype.kind in "iuf"


def _filled(s: pd.DataFrame, col: str) -> np.ndarray:
    """``s[col].fillna(0.0)`` as a NumPy array (its own dtype: whole numbers stay integers)."""
    a = s[col].to_numpy()
    return np.where(np.isnan(a), 0.0, a) if a.dtype.kind == "f" else a


def _unit_order(s: pd.DataFrame, place: np.ndarray, rows: np.ndarray, stage: np.ndarray) -> np.ndarray:
    """The order of the units (``rows``, ``stage``: primary rows, then junior rows, each in row order) by
    city, county, year, stage and school_id, ties in that order — as a stable ``sort_values`` of the texts.

    The place and stage are integer codes; the school_id is only compared where it must be: when, within
    every place, the rows already come in school_id order (as loaded tables do), the row number stands for it.
    """
    key = place[rows] * 2 + stage
    ids = s["school_id"]
    if not ids.isna().any():
        by_place = np.argsort(place, kind="stable")
        same = place[by_place][1:] == place[by_place][:-1]
        sid = ids.to_numpy(dtype=object)[by_place]
        if bool(np.all(sid[1:][same] >= sid[:-1][same])):
            return np.argsort(key, kind="stable")
    codes, n_found = _sorted_codes(ids)
    return np.argsort(key * (n_found + 1) + codes[rows], kind="stable")


def _sorted_codes(cells: pd.Series) -> tuple[np.ndarray, int]:
    """Each cell's rank among the distinct values, as ``pd.factorize(cells, sort=True)`` codes them (a missing
    cell after every value), and the number of distinct values.

    The cells are coded by their runs (:func:`~quality_balance.inputs.runs.factorize_text`: the city, county or
    school of a table sorted by them hashed once per run), then only the distinct texts are sorted, by Arrow
    (``pyarrow.compute.sort_indices``: UTF-8 bytes, which order as the code points that Python compares):
    tens of thousands of school ids sort several times faster so than as Python strings. Any other column,
    or a text Arrow cannot hold (a lone surrogate), is sorted by pandas.
    """
    if pd.api.types.is_string_dtype(cells.dtype) and cells.dtype != object:
        import pyarrow as pa
        import pyarrow.compute as pc

        codes, found = factorize_text(cells)  # −1 for a missing cell
        try:
            distinct = pa.array(np.asarray(found, dtype=object), type=pa.large_string())
        except (pa.ArrowException, UnicodeError, TypeError):
            distinct = None
        if distinct is not None:
            rank = np.empty(len(found) + 1, dtype=np.int64)
            rank[pc.sort_indices(distinct).to_numpy()] = np.arange(len(found))
            rank[-1] = len(found)  # (code −1: the missing cells, after every value)
            return rank[codes], len(found)
    codes, found = pd.factorize(cells, sort=True)
    return np.where(codes < 0, len(found), codes), len(found)


def split_coded(s: pd.DataFrame, settings: pd.DataFrame, county_row: np.ndarray, place: np.ndarray
                ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """:func:`split_units` from integer codes: each school's settings row and place sort code given.

    Parameters
    ----------
    s : DataFrame
        Canonical school-year table with a RangeIndex.
    settings : DataFrame
        As for :func:`split_units`; only its columns are read (row ``county_row[i]`` for school ``i``).
    county_row : ndarray of int
        Each school's row in ``settings``; −1 when none (its settings are then missing).
    place : ndarray of int
        Each school's place, ordered as the (city, county, year) texts sort (:func:`place_sort_codes`).

    Returns
    -------
    units, excluded : DataFrame
        As :func:`split_units`.
    unit_rows : ndarray of int64
        Each unit's row in ``s``.
    unit_stage : ndarray of int64
        Each unit's stage: 0 小学 (primary), 1 初中 (junior).
    """
    numbers = ["students_primary", "students_junior"] + [f"{p}_{st}" for p in TEACHER_COLUMNS.values()
                                                         for st in ("primary", "junior")] + list(FACILITIES.values())
    numbers += [f"{c}_{st}" for c in FACILITIES.values() for st in ("primary", "junior") if f"{c}_{st}" in s]
    numbers += ["students_senior"] if "students_senior" in s else []
    if not all(_numeric(s, c) for c in numbers if c in s):  # nullable or text columns: pandas' own rules
        return _split_frames(s, settings, county_row, place)
    n = len(s)
    county_row = np.asarray(county_row, dtype=np.int64)
    at = np.where(county_row >= 0, county_row, len(settings))

    def cfg(col):
        return np.append(settings[col].to_numpy(dtype=float), np.nan)[at]

    types, found = factorize_text(s["school_type"])
    found = np.asarray(found, dtype=object)
    out_of_scope = np.isin(types, np.flatnonzero(np.isin(found, list(OUT_OF_SCOPE_TYPES))))
    is_tp = np.isin(types, np.flatnonzero(found == TEACHING_POINT))
    is_cm = np.isin(types, np.flatnonzero(found == COMPLETE_MIDDLE))
    cut = cfg("exclude_tp_below")
    with np.errstate(invalid="ignore"):
        small_tp = is_tp & (_filled(s, "students_primary") < cut) & (cut > 0)
    dropped = out_of_scope | small_tp
    gone = np.flatnonzero(dropped)
    reasons = np.empty(gone.size, dtype=object)
    reasons[:] = "特殊教育学校不纳入资源配置评估"
    tp = ~out_of_scope[gone] & small_tp[gone]
    cut_text = _formatted(pd.Series(cut[gone][tp]))
    reasons[tp] = ("教学点在校生少于 " + cut_text + " 人，按本地规定不纳入").to_numpy(object)
    excluded = s[_ID_COLUMNS].take(gone).assign(reason=reasons)

    students = {st: _filled(s, f"students_{st}") for st in ("primary", "junior")}
    senior = _filled(s, "students_senior") if "students_senior" in s else np.zeros(n)
    weights = {"primary": cfg("w_primary"), "junior": np.where(is_cm, cfg("cm_junior"), cfg("w_junior")),
               "senior": np.where(is_cm, cfg("cm_senior"), cfg("w_senior"))}
    weighted = {st: np.asarray(students[st] * weights[st], dtype=float) for st in ("primary", "junior")}
    weighted["senior"] = senior * weights["senior"]
    with np.errstate(invalid="ignore", divide="ignore"):
        total = weighted["primary"] + weighted["junior"] + weighted["senior"]
        safe = np.where(total > 0, total, np.nan)
        shares = {st: weighted[st] / safe for st in ("primary", "junior")}
    for st in shares:
        shares[st][np.isnan(shares[st])] = 0.0

    rows = [np.flatnonzero(~dropped & (students[st] > 0)) for st in ("primary", "junior")]
    unit_rows = np.concatenate(rows).astype(np.int64)
    unit_stage = np.repeat(np.arange(2, dtype=np.int64), [len(r) for r in rows])
    order = _unit_order(s, np.asarray(place, dtype=np.int64), unit_rows, unit_stage)
    unit_rows, unit_stage = unit_rows[order], unit_stage[order]
    junior = unit_stage == 1

    def per_stage(primary: np.ndarray, junior_values: np.ndarray) -> np.ndarray:
        return np.where(junior, junior_values[unit_rows], primary[unit_rows])

    units = s[_ID_COLUMNS].take(unit_rows).reset_index(drop=True)
    # texts taken by code from one object per label (no new string per row)
    units["stage"] = pd.array(np.array(["primary", "junior"], dtype=object)[unit_stage], dtype="str")
    units["students"] = per_stage(students["primary"], students["junior"])
    share = per_stage(shares["primary"], shares["junior"])
    units["share"] = share
    for ind, prefix in TEACHER_COLUMNS.items():
        units[f"res_{ind}"] = per_stage(_filled(s, f"{prefix}_primary"), _filled(s, f"{prefix}_junior"))
    any_split = np.zeros(len(unit_rows), dtype=bool)
    all_reported = np.ones(len(unit_rows), dtype=bool)
    for ind, col in FACILITIES.items():
        whole = s[col].to_numpy()[unit_rows] * share
        reported = {st: s[f"{col}_{st}"].to_numpy() if f"{col}_{st}" in s else np.full(n, np.nan)
                    for st in ("primary", "junior")}
        value = per_stage(reported["primary"], reported["junior"])
        missing = np.isnan(value) if value.dtype.kind == "f" else np.zeros(len(value), dtype=bool)
        units[f"res_{ind}"] = np.where(missing, whole, value) if missing.any() else value
        any_split |= missing & (share < 1)
        all_reported &= ~missing  # an absent per-stage column reads as missing
    units["split"] = pd.array(np.array(["none", "reported", "weighted"], dtype=object)[
        np.where(any_split, 2, all_reported.astype(np.int64))], dtype="str")
    return units, excluded.reset_index(drop=True), unit_rows, unit_stage


def _split_frames(s: pd.DataFrame, settings: pd.DataFrame, county_row: np.ndarray, place: np.ndarray
                  ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """:func:`split_coded` for tables with nullable or text number columns, by pandas' own column rules."""
    st = settings.reset_index(drop=True).reindex(county_row).reset_index(drop=True)

    out_of_scope = s["school_type"].isin(OUT_OF_SCOPE_TYPES)
    small_tp = ((s["school_type"] == TEACHING_POINT) & (s["students_primary"].fillna(0) < st["exclude_tp_below"])
                & (st["exclude_tp_below"] > 0))
    reasons = np.select([out_of_scope, small_tp],
                        ["特殊教育学校不纳入资源配置评估",
                         "教学点在校生少于 " + _formatted(st["exclude_tp_below"]) + " 人，按本地规定不纳入"],
                        "")
    excluded = s.loc[out_of_scope | small_tp, _ID_COLUMNS].assign(reason=reasons[out_of_scope | small_tp])
    keep = ~(out_of_scope | small_tp)
    full, s, st = s, s[keep], st[keep]

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
    units = pd.concat(parts)  # index: the school's row in ``s``
    unit_stage = np.repeat(np.arange(2, dtype=np.int64), [len(p) for p in parts])
    unit_rows = units.index.to_numpy(dtype=np.int64)
    order = _unit_order(full, np.asarray(place, dtype=np.int64), unit_rows, unit_stage)
    units = units.iloc[order].reset_index(drop=True)
    return units, excluded.reset_index(drop=True), unit_rows[order], unit_stage[order]
