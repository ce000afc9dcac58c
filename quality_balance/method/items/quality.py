"""Education quality (教育质量), items Q1–Q9, and the schools' difference rate.

Method: docs/method.md §6.

Q4 is computed from the school table (every school except 特殊教育学校 must spend
at least ``quality.Q4.min_training_share`` % of its public funds on teacher
training); the rest come from the county table. Q5/Q6 are ratings
(优秀 > 良好 > 合格 > 不合格) compared with ``min_rating``. Q9 needs the lowest
attainment level across tested subjects ≥ ``min_level`` (Ⅲ = 3) and the
largest inter-school difference rate strictly below ``max_difference_rate``
(0.15). When the county table leaves the difference rate blank and student
scores are given, it is computed per subject by :func:`difference_rate`, and the
reason names every subject with its rate against the limit (failing ones first).

Q9 per subject (issue 13): when the scores give each student's level (``level``, 1–4),
:func:`subject_figures` also computes each subject's share of students at ``min_level`` or
above; every subject must reach ``quality.Q9.min_level_rate`` (%), and then the county's
single level figure is not needed (a subject's share stands for it). The item fails when
any subject fails. Without levels in the scores the level-Ⅲ part does not apply and Q9 is
as before.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import (PLACE, ItemBlock, bool_check, check, column, combine, concat_texts, county_values, fmt_limit,
                    fmt_number, is_one_of, numeric_check, param, param_text, school_check, school_values,
                    shared_keys)
from ._sources import by_source
from ..rules import FAILED_SIGNS, OP_SIGNS, at_least, compare, rating_level
from ..texts import join_nonempty

__all__ = ["quality_items", "difference_rate", "subject_figures", "QUALITY_LABELS", "LEVEL_NUMERALS"]

#: Attainment levels as the monitoring reports write them.
LEVEL_NUMERALS = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}

QUALITY_LABELS = {
    "Q1": "初中巩固率",
    "Q2": "残疾儿童少年入学率",
    "Q3": "学校章程与信息化管理",
    "Q4": "教师培训经费占公用经费比例",
    "Q5": "信息技术应用水平",
    "Q6": "德育工作与校园文化",
    "Q7": "课程开齐开足、教学秩序规范",
    "Q8": "无过重课业负担",
    "Q9": "国家义务教育质量监测",
}


def difference_rate(scores: pd.DataFrame) -> pd.DataFrame:
    """Inter-school difference rate (校际差异率) per county, year and subject.

    The share of score variance that lies between schools: between-school
    variance ÷ total variance, with between = Σ_s n_s (x̄_s − x̄)² / N and total
    = Σ (x − x̄)² / N.

    Parameters
    ----------
    scores : DataFrame
        One row per student test score, with columns ``city``, ``county``,
        ``year``, ``subject``, ``school_id`` and ``score`` (any scale; rows with a
        missing score are ignored), as :func:`~quality_balance.load_scores` returns.

    Returns
    -------
    DataFrame
        One row per (city, county, year, subject), with columns ``city``,
        ``county``, ``year``, ``subject``, ``difference_rate`` (a plain fraction
        0–1; ``nan`` when every score is the same), ``n_students`` and
        ``n_schools``. Item Q9 takes the largest rate of a county-year and needs
        it strictly below the profile's ``quality.Q9.max_difference_rate``
        (0.15 in the national profile).

    Examples
    --------
    >>> s = pd.DataFrame({"city": "c", "county": "k", "year": 2025, "subject": "数学",
    ...                   "school_id": ["a", "a", "b", "b"], "score": [1.0, 3.0, 5.0, 7.0]})
    >>> float(difference_rate(s)["difference_rate"].iloc[0])  # between 4, total 5
    0.8
    """
    key = PLACE + ["subject"]
    s = scores.dropna(subset=["score"])
    grand = s.groupby(key)["score"].transform("mean")
    school_mean = s.groupby(key + ["school_id"])["score"].transform("mean")
    parts = pd.DataFrame({"between": (school_mean - grand) ** 2, "total": (s["score"] - grand) ** 2})
    sums = parts.groupby([s[k] for k in key]).sum()
    counts = s.groupby(key).agg(n_students=("score", "size"), n_schools=("school_id", "nunique"))
    out = (sums["between"] / sums["total"].where(sums["total"] > 0)).rename("difference_rate").to_frame().join(counts)
    return out.reset_index()


def subject_figures(scores: pd.DataFrame, min_level) -> pd.DataFrame:
    """Per county, year and subject: the difference rate and the share of students at ``min_level`` or above.

    Parameters
    ----------
    scores : DataFrame
        As for :func:`difference_rate`, optionally with ``level`` (each student's attainment
        level in the subject, 1–4; blank where not reported).
    min_level : int or Series
        The level counted (``quality.Q9.min_level``, Ⅲ = 3), one for all rows or one per row of
        ``scores`` (each county's profile).

    Returns
    -------
    DataFrame
        One row per (city, county, year, subject): ``difference_rate`` (fraction), ``n_students``,
        ``n_schools`` (as :func:`difference_rate`), ``n_levelled`` (students with a level) and
        ``level_rate`` (% of them at ``min_level`` or above; NaN when no student has a level).

    Examples
    --------
    >>> s = pd.DataFrame({"city": "c", "county": "k", "year": 2025, "subject": "数学",
    ...                   "school_id": ["a", "a", "b", "b"], "score": [1.0, 3.0, 5.0, 7.0],
    ...                   "level": [2, 3, 3, 4]})
    >>> subject_figures(s, 3)[["difference_rate", "level_rate"]].values.tolist()
    [[0.8, 75.0]]
    """
    key = PLACE + ["subject"]
    out = difference_rate(scores)
    if "level" in scores and len(scores):
        level = pd.to_numeric(scores["level"], errors="coerce").astype(float)
        minimum = min_level.astype(float) if isinstance(min_level, pd.Series) else float(min_level)
        has = level.notna()
        rates = pd.DataFrame({"n_levelled": has.astype(float), "_up": (has & at_least(level, minimum)).astype(float)}
                             ).groupby([scores[k] for k in key]).sum()
        rates["level_rate"] = rates["_up"] / rates["n_levelled"].where(rates["n_levelled"] > 0) * 100
        out = out.merge(rates[["n_levelled", "level_rate"]].reset_index(), on=key, how="left")
    else:
        out["n_levelled"], out["level_rate"] = 0.0, np.nan
    return out


def _subject_texts(figures: pd.DataFrame, places: pd.DataFrame, limit: pd.Series, column: str, op: str,
                   unit: str, decimals: int) -> pd.Series:
    """Per county-year, every subject's figure against its limit: "数学 0.182 ≥ 0.15、语文 0.101 < 0.15".

    Failing subjects come first; a subject whose figure is missing reads "无法计算".
    """
    rows = places[PLACE].assign(_row=places.index, _limit=limit.to_numpy())
    f = figures.merge(rows, on=PLACE)
    f = f[f[column].notna() | (column == "difference_rate")]
    if f.empty:
        return pd.Series("", index=places.index, dtype=object)
    value = f[column].astype(float)
    ok = np.asarray(compare(value, f["_limit"].astype(float), op), dtype=bool)
    sign = np.where(ok, OP_SIGNS[op], FAILED_SIGNS[op])
    text = (f["subject"].astype(str) + " " + fmt_number(value, unit, decimals, limit=f["_limit"]) + " "
            + pd.Series(sign, index=f.index) + " " + fmt_limit(f["_limit"].astype(float), unit))
    text = text.where(value.notna(), f["subject"].astype(str) + " 无法计算（各校成绩无差异）")
    f = f.assign(_text=text, _ok=ok & value.notna().to_numpy()).sort_values(["_row", "_ok", "subject"],
                                                                             kind="stable")
    joined = f.groupby("_row")["_text"].agg("、".join)
    return joined.reindex(places.index).fillna("").astype(object)


def _rating_check(values: pd.Series, minimum: pd.Series, label: str) -> pd.DataFrame:
    v, m = rating_level(values), rating_level(minimum)  # 不合格 0 … 优秀 3
    ok = at_least(v, m)
    status = np.select([v.isna(), ok], ["no_data", "met"], "not_met")
    text = label + "：" + values.fillna("—").astype(str) + np.where(
        v.isna(), "（无数据）", np.where(ok, "，不低于", "，低于") + minimum.astype(str))
    return check(status, values, minimum.astype(str) + "及以上", text, values.index, op="rating", part=label)


def _q4(schools, places, profiles):
    share_min = param(schools, profiles, "quality.Q4.min_training_share").astype(float)
    funds, training = (column(schools, "public_funds_yuan").astype(float),
                       column(schools, "training_funds_yuan").astype(float))
    share = training / funds.where(funds > 0) * 100
    ok = at_least(share, share_min)
    scope = ~is_one_of(schools, "school_type", ("特殊教育学校",))
    thr = "≥" + fmt_limit(param(places, profiles, "quality.Q4.min_training_share"), "%")

    def describe(at, names):
        minimum = school_values(share_min, schools, at)
        return concat_texts(names, " ", fmt_number(school_values(share, schools, at), "%", limit=minimum), " < ",
                            fmt_limit(minimum, "%"))
    return school_check(schools, places, scope, ok, share.isna(), describe, QUALITY_LABELS["Q4"], thr,
                        share, share_min, op=">=")


def _q3(schools, places, c):
    """Q3 from the schools' charter and information-management flags when they give them, else the county's."""
    charter, it = column(schools, "has_charter"), column(schools, "it_management")
    given = charter.notna() & it.notna()
    ok = charter.fillna(False).astype(bool) & it.fillna(False).astype(bool)
    scope = pd.Series(True, index=schools.index)

    def describe(at, names):
        lacks = [np.where(~school_values(flag, schools, at).fillna(False).astype(bool).to_numpy(), what, "")
                 for flag, what in ((charter, "未制定章程"), (it, "未实现管理与教学信息化"))]
        # what ``str.cat(sep="、").str.strip("、")`` gives on these texts (never missing, never ending in "、")
        return concat_texts(names, "（", join_nonempty(lacks, "、"), "）")
    from_schools = school_check(schools, places, scope, ok, ~given, describe, "章程与信息化管理", "是")
    county = column(c, "charter_and_it")
    return by_source(places, schools, scope, given, from_schools,
                     bool_check(county, "章程与信息化管理全覆盖"), county)


def _q6(schools, places, profiles, c):
    """Q6 from the schools' moral-education ratings when they give them, else the county's lowest rating."""
    minimum = param(schools, profiles, "quality.Q6.min_rating")
    rating = column(schools, "school_moral_rating")
    level, need = rating_level(rating), rating_level(minimum)
    given = level.notna()
    scope = pd.Series(True, index=schools.index)
    thr = param(places, profiles, "quality.Q6.min_rating").astype(str) + "及以上"

    def describe(at, names):
        return concat_texts(names, " ", school_values(rating, schools, at).astype(str), "（须",
                            school_values(minimum, schools, at).astype(str), "及以上）")
    from_schools = school_check(schools, places, scope, at_least(level, need), ~given, describe, "德育与校园文化",
                                thr)
    county = column(c, "moral_rating")
    return by_source(places, schools, scope, given, from_schools,
                     _rating_check(county, param(places, profiles, "quality.Q6.min_rating"), "德育与校园文化"),
                     county.where(county.notna(), None))


def quality_items(places: pd.DataFrame, schools: pd.DataFrame, counties: pd.DataFrame | None,
                  scores: pd.DataFrame | None, profiles: dict) -> ItemBlock:
    """Items Q1–Q9 for every county-year of ``places``: items-table rows and failing schools."""
    with shared_keys():  # the schools' county codes computed once for every item (_base.shared_keys)
        return _quality_items(places, schools, counties, scores, profiles)


def _quality_items(places, schools, counties, scores, profiles):
    c = county_values(places, counties)
    p = lambda dotted: param(places, profiles, dotted)  # noqa: E731
    diff = pd.to_numeric(column(c, "difference_rate"), errors="coerce")
    diff_source = pd.Series("", index=places.index)
    max_diff = p("quality.Q9.max_difference_rate")
    figures, use = None, pd.Series(False, index=places.index)
    if scores is not None and len(scores):
        figures = subject_figures(scores, param(scores, profiles, "quality.Q9.min_level"))
        computed = figures.groupby(PLACE)["difference_rate"].max()
        from_scores = pd.Series(computed.reindex(pd.MultiIndex.from_frame(places[PLACE])).to_numpy(),
                                index=places.index)
        use = diff.isna() & from_scores.notna()
        diff = diff.where(~use, from_scores)
        diff_source = diff_source.where(~use, "（由学生成绩计算）")
    q9_diff = numeric_check(diff, max_diff, "<", "校际差异率", "", 3)
    q9_diff["text"] = q9_diff["text"] + diff_source
    if use.any():  # computed per subject: the reason names every subject (docs/method.md §6)
        per_subject = _subject_texts(figures, places, max_diff, "difference_rate", "<", "", 3)
        q9_diff.loc[use, "text"] = "校际差异率（由学生成绩计算，按学科）：" + per_subject[use]
    q9_level = numeric_check(column(c, "monitoring_level"), p("quality.Q9.min_level"), ">=", "学业水平最低等级",
                             "级", 0)
    q9_parts = [q9_level, q9_diff]
    if figures is not None and figures["level_rate"].notna().any():
        q9_parts.append(_level_rate_check(figures, places, profiles, q9_level))
    q1_label = p("quality.Q1.label")
    results = {
        "Q1": numeric_check(column(c, "consolidation_rate"), p("quality.Q1.min_rate"), ">=", q1_label, "%"),
        "Q2": numeric_check(column(c, "disabled_enrollment_rate"), p("quality.Q2.min_rate"), ">=",
                            "残疾儿童少年入学率", "%"),
        "Q3": _q3(schools, places, c),
        "Q4": _q4(schools, places, profiles),
        "Q5": _rating_check(column(c, "ict_rating"), p("quality.Q5.min_rating"), "信息技术应用水平"),
        "Q6": _q6(schools, places, profiles, c),
        "Q7": bool_check(column(c, "curriculum_ok"), "课程开齐开足、教学秩序规范"),
        "Q8": bool_check(column(c, "no_excess_burden"), "无过重课业负担"),
        "Q9": combine(*q9_parts),
    }
    return ItemBlock.build(places, "quality", {**QUALITY_LABELS, "Q1": q1_label}, results)


def _level_rate_check(figures: pd.DataFrame, places: pd.DataFrame, profiles: dict, level: pd.DataFrame
                      ) -> pd.DataFrame:
    """Q9's per-subject level-Ⅲ part: every subject's share of students at ``min_level`` or above ≥ ``min_level_rate``.

    Where a county-year has these shares, the county's single level figure is not needed: a blank one
    makes the level part ``not_applicable`` (changed in ``level`` in place). A county-year without
    shares has this part ``not_applicable``.
    """
    minimum = param(places, profiles, "quality.Q9.min_level_rate").astype(float)
    numeral = param_text(places, profiles, "quality.Q9.min_level", lambda v: LEVEL_NUMERALS.get(int(v), f"{v:g}"))
    label = "达到" + numeral + "级及以上学生比例"
    lowest = figures.groupby(PLACE)["level_rate"].min()
    value = pd.Series(lowest.reindex(pd.MultiIndex.from_frame(places[PLACE])).to_numpy(), index=places.index,
                      dtype=float)
    ok = np.asarray(compare(value, minimum, ">="), dtype=bool)
    has = value.notna().to_numpy()
    status = np.select([~has, ok], ["not_applicable", "met"], "not_met")
    texts = _subject_texts(figures, places, minimum, "level_rate", ">=", "%", 1)
    text = np.where(has, label + "（按学科）：" + texts, label + "：无分学科数据，不适用")
    superseded = has & level["value"].isna().to_numpy()
    level.loc[superseded, "status"] = "not_applicable"
    level.loc[superseded, "text"] = "学业水平：以各学科" + label[superseded] + "判断"
    return check(status, value, minimum, pd.Series(text, index=places.index), places.index, op=">=",
                 part=label + "（最低学科）", unit="%")
