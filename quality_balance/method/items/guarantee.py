"""Government guarantee (政府保障程度), items G1–G15.

Method: docs/method.md §5.

Items G3–G6 are computed from the school table; the rest from the county table.
Every threshold is read from the county's profile (``guarantee.*``). School
scope: G3 covers every compulsory school except 教学点 and 特殊教育学校
(teaching points have one or two multi-grade classes and share the central
school's rooms; special-education schools have their own standards). G5 covers
every compulsory school except 特殊教育学校, 教学点 included: they are primary
units (spec §2.2) and the standard limits every class (spec §3 G5, 小学 ≤
``max_class_primary``, 初中 ≤ ``max_class_junior``). G4 covers 小学 and
初级中学 (limit ``max_students_single_stage``), 九年一贯制 and 十二年一贯制
(``max_students_one_through``) and the junior part of 完全中学 (single-stage
limit), counting compulsory-stage students only.

G6: a village school or teaching point (``is_village_school``, or when blank:
教学点, or 小学 in 乡村) with fewer than ``G6.below`` students must receive public
funds of at least benchmark × ``G6.funded_as`` (the county's per-student
benchmark, ``funds_benchmark_yuan``). When the profile sets
``G6.boarding_supplement_yuan`` (濮阳市: 200 元), schools with boarders must also
receive that much more per boarder on top of benchmark × students.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import (PLACE, ItemBlock, ItemResult, bool_check, column, combine, concat_texts, county_values,
                    fmt_limit, fmt_number, is_one_of, memo, numeric_check, param, param_text, place_rows,
                    school_check, school_values, shared_keys)
from ._sources import by_source
from ..texts import filled, join_nonempty
from ..classes import class_rows, oversize_classes
from ..rules import at_least, at_most, limit_text
from ...schema import STAGE_LABELS
from ...standards.conditions import school_setting
from ...stats._groups import rows_in

__all__ = ["guarantee_items", "GUARANTEE_LABELS"]

GUARANTEE_LABELS = {
    "G1": "学校规划布局合理",
    "G2": "城乡学校“四统一”",
    "G3": "音乐、美术专用教室配备",
    "G4": "学校规模",
    "G5": "班额",
    "G6": "小规模学校公用经费",
    "G7": "特殊教育学校生均公用经费",
    "G8": "教师工资与绩效工资",
    "G9": "教师5年360学时培训完成率",
    "G10": "县级统筹编制和岗位",
    "G11": "教师交流轮岗",
    "G12": "专任教师持证上岗率",
    "G13": "就近划片入学比例",
    "G14": "优质高中招生名额分配",
    "G15": "随迁子女在公办学校就读比例",
}
ROOM_EXEMPT_TYPES = ("教学点", "特殊教育学校")
ONE_THROUGH = ("九年一贯制学校", "十二年一贯制学校")


def _g3(schools, places, profiles):
    g3 = "guarantee.G3."
    # per-school thresholds: the profile's, changed where a conditional rule applies (standards/conditions.py)
    per = school_setting(schools, profiles, g3 + "classes_per_room")
    music_min = school_setting(schools, profiles, g3 + "music_room_min_m2")
    art_min = school_setting(schools, profiles, g3 + "art_room_min_m2")
    # the verdict on float arrays in the schools' order: every figure is a column ``astype(float)`` and every
    # threshold a float Series aligned with the schools, so numpy's sums, quotients and comparisons (NaN
    # compares False; ``fillna(0)`` is NaN → 0.0) are the Series' own, without an index per step
    def figure(name):
        return column(schools, name).astype(float).to_numpy()

    def or_zero(values):
        return np.where(np.isnan(values), 0.0, values)
    # senior classes of a 完全中学 or 十二年一贯制 share the rooms: counted when the profile says so
    senior = param(schools, profiles, g3 + "count_senior_classes").fillna(False).astype(bool).to_numpy()
    classes = or_zero(figure("classes_primary")) + or_zero(figure("classes_junior")) \
        + np.where(senior, or_zero(figure("classes_senior")), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):  # (x / 0: inf or NaN, as the Series gave, unwarned)
        need_rooms = np.maximum(1, np.ceil(classes / per.to_numpy()))
    need = pd.Series(need_rooms, index=schools.index)
    music, art = column(schools, "music_rooms").astype(float), column(schools, "art_rooms").astype(float)
    m_area, a_area = (column(schools, "music_room_min_area_m2").astype(float),
                      column(schools, "art_room_min_area_m2").astype(float))
    mu, ar, ma, aa = (x.to_numpy() for x in (music, art, m_area, a_area))
    missing = (column(schools, "classes_primary").isna().to_numpy() & column(schools, "classes_junior").isna()
               .to_numpy()) | np.isnan(mu) | np.isnan(ar) | (np.isnan(ma) & (mu > 0)) | (np.isnan(aa) & (ar > 0))
    ok = at_least(mu, need_rooms) & at_least(ar, need_rooms) & ((mu == 0) | at_least(ma, music_min.to_numpy())) \
        & ((ar == 0) | at_least(aa, art_min.to_numpy()))
    missing, ok = pd.Series(missing, index=schools.index), pd.Series(ok, index=schools.index)
    scope = ~is_one_of(schools, "school_type", ROOM_EXEMPT_TYPES)

    def area_text(rooms, area, minimum):
        """"最小 95.9m²（须 ≥ 96m²）" for an area under its minimum, "最小 96m²" otherwise."""
        short = ((rooms > 0) & area.notna() & ~at_least(area, minimum)).to_numpy()
        return concat_texts("最小 ", fmt_number(area, "m²", 0, limit=minimum),
                            np.where(short, concat_texts("（须 ≥ ", fmt_limit(minimum, "m²"), "）"), ""))

    def describe(at, names):
        # the failing schools' figures by position (school_values); the pieces are never missing ("—" for a
        # missing number), so the text is missing where the name is, as with ``+`` on Series
        def of(series):
            return school_values(series, schools, at)
        m, a = of(music), of(art)
        return concat_texts(names, "（", _counts(of(need)), " 间应配，音乐 ", _counts(m.fillna(0)), " 间/",
                            area_text(m, of(m_area), of(music_min)), "，美术 ", _counts(a.fillna(0)), " 间/",
                            area_text(a, of(a_area), of(art_min)), "）")
    with_senior = np.where(param(places, profiles, g3 + "count_senior_classes").fillna(False).astype(bool),
                           "（含高中班）", "")
    thr = ("每" + param_text(places, profiles, g3 + "classes_per_room", limit_text) + "个班" + with_senior
           + "各1间；音乐≥"
           + param_text(places, profiles, g3 + "music_room_min_m2", limit_text)
           + "m²，美术≥" + param_text(places, profiles, g3 + "art_room_min_m2", limit_text) + "m²")
    # per school, how far it is from the rule: the lowest of rooms/needed and smallest area/required area
    # (1 = met), so the shortfall list can rank a school missing one room of three below one missing all
    achieved = pd.concat([music / need, art / need, (m_area / music_min).where(music > 0),
                          (a_area / art_min).where(art > 0)], axis=1).min(axis=1).clip(upper=1.0)
    return school_check(schools, places, scope, ok, missing, describe, GUARANTEE_LABELS["G3"], thr,
                        achieved, pd.Series(1.0, index=schools.index), op=">=")


def _counts(numbers: pd.Series) -> pd.Series:
    """Whole numbers as texts ("3"): ``astype(int).astype(str)`` (raising, as it does, on a missing value)."""
    return numbers.astype(int).astype(str)


def _g4(schools, places, profiles):
    single = school_setting(schools, profiles, "guarantee.G4.max_students_single_stage")
    through = school_setting(schools, profiles, "guarantee.G4.max_students_one_through")
    limit = pd.Series(np.where(is_one_of(schools, "school_type", ONE_THROUGH), through, single), index=schools.index)
    size = schools["students_primary"].fillna(0) + schools["students_junior"].fillna(0)
    scope = ~is_one_of(schools, "school_type", ("教学点", "特殊教育学校"))
    ok = at_most(size, limit)
    g4 = "guarantee.G4."
    thr = ("小学、初中≤" + param_text(places, profiles, g4 + "max_students_single_stage", "{:g}".format)
           + "人，一贯制≤" + param_text(places, profiles, g4 + "max_students_one_through", "{:g}".format) + "人")

    def describe(at, names):
        return concat_texts(names, " ", _counts(school_values(size, schools, at)), " 人（限 ",
                            school_values(limit, schools, at).map("{:g}".format), "）")
    return school_check(schools, places, scope, ok, size.isna(), describe, GUARANTEE_LABELS["G4"], thr, size, limit,
                        op="<=")


def _g5(schools, places, profiles, rows=None):
    lim_p = param(schools, profiles, "guarantee.G5.max_class_primary").astype(float)
    lim_j = param(schools, profiles, "guarantee.G5.max_class_junior").astype(float)
    has_p, has_j = schools["students_primary"].fillna(0) > 0, schools["students_junior"].fillna(0) > 0
    mp, mj = (column(schools, "max_class_size_primary").astype(float),
              column(schools, "max_class_size_junior").astype(float))
    missing = (has_p & mp.isna()) | (has_j & mj.isna())
    ok = (~has_p | at_most(mp, lim_p)) & (~has_j | at_most(mj, lim_j))
    scope = ~is_one_of(schools, "school_type", ("特殊教育学校",))   # 教学点 included: every class (module docstring)

    def describe(at, names):
        def over(has, size, lim, label):  # "小学最大班额 58" where the stage is over its limit, else ""
            size = school_values(size, schools, at)
            rows = np.flatnonzero((school_values(has, schools, at) & ~at_most(size, school_values(lim, schools, at)))
                                  .to_numpy())
            text = filled(len(at), "")
            # written for those rows only: without a limit, each number's text is its own (fmt_number)
            text[rows] = concat_texts(label, fmt_number(size.iloc[rows], "", 0))
            return text
        # what ``str.cat(sep="，").str.strip("，")`` gives on these texts (never missing, never ending in "，")
        both = join_nonempty([over(has_p, mp, lim_p, "小学最大班额 "), over(has_j, mj, lim_j, "初中最大班额 ")], "，")
        return concat_texts(names, "（", both, "）")
    thr = ("小学≤" + param_text(places, profiles, "guarantee.G5.max_class_primary", "{:g}".format) + "人，初中≤"
           + param_text(places, profiles, "guarantee.G5.max_class_junior", "{:g}".format) + "人")
    # per school: the stage that is furthest over its limit gives the value shown in the ledger
    primary_worse = (mp - lim_p).where(has_p).fillna(-np.inf) >= (mj - lim_j).where(has_j).fillna(-np.inf)
    value, limit = mp.where(primary_worse, mj), lim_p.where(primary_worse, lim_j)
    if rows is None or rows.empty:
        return school_check(schools, places, scope, ok, missing, describe, GUARANTEE_LABELS["G5"], thr, value,
                            limit, op="<=")
    return _g5_by_class(schools, places, profiles, rows, scope, ok, missing, describe, thr, value, limit)


#: At most this many oversize classes are named per school in a reason ("… 等 N 个").
CLASSES_NAMED = 5


def _g5_by_class(schools, places, profiles, rows, scope, ok, missing, describe, thr, value, limit):
    """G5 where the class table lists a school's classes: the same verdict (its largest class is derived
    from them), each failing school named with its oversize classes per stage, one failure row per
    oversize class (the ledger's units to fix), and the county's count of oversize classes per stage and
    of 大班额 (≥ ``guarantee.G5.large_class_from``) in the reason. Method: docs/method.md §5.2."""
    limits = {"primary": param(schools, profiles, "guarantee.G5.max_class_primary").astype(float),
              "junior": param(schools, profiles, "guarantee.G5.max_class_junior").astype(float)}
    rows = rows[rows["stage"].isin(list(limits)) & scope.reindex(rows.index).fillna(False).to_numpy()]
    over = oversize_classes(rows, limits)
    listed = pd.Index(rows.index.unique())

    def class_text(frame):
        return (frame["class_name"].astype(str) + " " + frame["students"].map("{:g}".format) + " 人")

    stage_texts = {}
    for stage in limits:
        of = over[over["stage"] == stage]
        if of.empty:
            continue
        g = of.assign(_t=class_text(of)).groupby(level=0)
        n = g.size()
        names = g["_t"].agg(lambda t: "、".join(t.iloc[:CLASSES_NAMED]))
        more = n.map(lambda k: f" 等 {k} 个" if k > CLASSES_NAMED else "")
        lim = of.groupby(level=0)["limit"].first()
        stage_texts[stage] = (STAGE_LABELS[stage] + " " + n.astype(str) + " 个班超过 " + lim.map("{:g}".format)
                              + " 人：" + names + more)

    def by_class(at, names):
        i = schools.index[at]
        parts = [t.reindex(i) for t in stage_texts.values()]
        joined = pd.concat(parts, axis=1).apply(lambda r: "；".join(x for x in r if isinstance(x, str)), axis=1) \
            if parts else pd.Series("", index=i)
        from_classes = i.isin(listed) & joined.ne("")
        return pd.Series(np.where(from_classes, pd.Series(names, index=i) + "（" + joined + "）",
                                  describe(at, names)), index=i)

    result = school_check(schools, places, scope, ok, missing, by_class, GUARANTEE_LABELS["G5"], thr, value, limit,
                          op="<=")
    # one failure per oversize class for the schools the class table lists; the others as before
    fails = result.failures
    keep = fails[~pd.MultiIndex.from_frame(fails[["school_id", "year"]].astype({"school_id": str})).isin(
        pd.MultiIndex.from_frame(rows[["school_id", "year"]].astype({"school_id": str})))]
    per_class = over[PLACE + ["school_id", "school_name"]].copy()
    per_class["detail"] = (over["stage"].map(STAGE_LABELS) + " " + class_text(over) + "（限 "
                           + over["limit"].map("{:g}".format) + " 人）")
    per_class["value"], per_class["threshold"], per_class["op"] = over["students"], over["limit"], "<="
    per_class["stage"] = over["stage"]
    failures = pd.concat([keep.assign(stage=None), per_class.reset_index(drop=True)], ignore_index=True)
    # per county-year: oversize classes per stage and large classes, where the class table lists classes
    keys = pd.MultiIndex.from_frame(places[PLACE])
    counted = pd.Series(keys.isin(pd.MultiIndex.from_frame(rows[PLACE].drop_duplicates())), index=places.index)
    large_from = param(schools, profiles, "guarantee.G5.large_class_from").astype(float)
    large = rows[rows["students"].to_numpy() >= large_from.reindex(rows.index).to_numpy()]
    n_large = large.groupby(PLACE).size().reindex(keys, fill_value=0).to_numpy()
    per_stage = [STAGE_LABELS[s] + " " + pd.Series(over[over["stage"] == s].groupby(PLACE).size()
                                                   .reindex(keys, fill_value=0).to_numpy(), index=places.index
                                                   ).astype(str) + " 个" for s in limits]
    summary = ("班级表：超过班额上限的班级 " + per_stage[0].str.cat(per_stage[1:], sep="、")
               + "，" + param_text(places, profiles, "guarantee.G5.large_class_from", "{:g}".format)
               + " 人及以上大班额 " + pd.Series(n_large, index=places.index).astype(str) + " 个")
    check_frame = result.check.copy()
    check_frame["text"] = check_frame["text"].where(~counted, check_frame["text"] + "；" + summary)
    return ItemResult(check_frame, (check_frame,), failures)


def village_schools(schools: pd.DataFrame) -> pd.Series:
    """Village schools and teaching points: the input flag, or 教学点 / 乡村小学 where it is blank.

    Parameters
    ----------
    schools : DataFrame
        The school table (``school_type``, ``location``, optionally ``is_village_school``).

    Returns
    -------
    Series of bool
        Aligned with ``schools``.

    >>> schools = pd.DataFrame({"school_type": ["教学点", "小学", "小学", "初级中学"],
    ...                         "location": ["城区", "乡村", "乡村", "乡村"],
    ...                         "is_village_school": pd.array([None, None, False, True], dtype="boolean")},
    ...                        index=[7, 5, 3, 1])
    >>> village_schools(schools).tolist()
    [True, True, False, True]
    """
    def derived() -> pd.Series:
        return is_one_of(schools, "school_type", ("教学点",)) | (is_one_of(schools, "school_type", ("小学",))
                                                                & is_one_of(schools, "location", ("乡村",)))
    flag = column(schools, "is_village_school")
    if not flag.notna().any():
        return derived()
    if isinstance(flag.dtype, pd.BooleanDtype):
        # what ``fillna(derived).astype(bool)`` gives (the derived flags share the flag's index): the flag where
        # given, the derived one where blank; derived (reading the school type and location) only if one is
        blank = flag.isna().to_numpy()
        values = flag.to_numpy(dtype=bool, na_value=False)
        if blank.any():
            values = np.where(blank, derived().to_numpy(dtype=bool), values)
        return pd.Series(values, index=flag.index, name=flag.name)
    return flag.astype("boolean").fillna(derived()).astype(bool)


def _g6(schools, places, profiles, counties):
    below = param(schools, profiles, "guarantee.G6.below").astype(float)
    funded_as = param(schools, profiles, "guarantee.G6.funded_as").astype(float)
    supplement = param(schools, profiles, "guarantee.G6.boarding_supplement_yuan").astype(float)
    sp, sj = schools["students_primary"].fillna(0), schools["students_junior"].fillna(0)
    students = sp + sj
    boarders = column(schools, "boarders").astype(float).fillna(0)
    small = village_schools(schools) & (students < below) & ~is_one_of(schools, "school_type", ("特殊教育学校",))
    boarding = (supplement > 0) & (boarders > 0)
    # each stage's benchmark: the school's own, else the county's; a junior benchmark the data lack is the
    # primary one, as before there was a junior column (docs/method.md §5.1)
    county_p = _by_school(schools, places, counties, "funds_benchmark_yuan")
    county_j = _by_school(schools, places, counties, "funds_benchmark_yuan_junior")
    bp = column(schools, "benchmark_yuan_primary").astype(float).fillna(county_p)
    bj = column(schools, "benchmark_yuan_junior").astype(float).fillna(county_j).fillna(bp)
    # a small school is funded as if it had funded_as students: each stage's share scaled up alike
    scaled = small & (students < funded_as) & (students > 0)
    factor_num = pd.Series(np.where(scaled, funded_as, 1.0), index=schools.index)
    factor_den = pd.Series(np.where(scaled, students, 1.0), index=schools.index)
    need_p, need_j = bp * sp * factor_num / factor_den, bj * sj * factor_num / factor_den
    base = (bp * sp + bj * sj) * factor_num / factor_den
    base = base.where(~(small & (students == 0)), bp * funded_as)
    required = base + supplement * boarders
    fp, fj = (column(schools, "public_funds_yuan_primary").astype(float),
              column(schools, "public_funds_yuan_junior").astype(float))
    by_stage = fp.fillna(0).where(sp > 0, 0) + fj.fillna(0).where(sj > 0, 0)
    stages_given = (fp.notna() | (sp == 0)) & (fj.notna() | (sj == 0)) & (fp.notna() | fj.notna())
    funds = column(schools, "public_funds_yuan").astype(float)
    funds = funds.fillna(by_stage.where(stages_given))
    short_p = fp.notna() & (sp > 0) & ~at_least(fp, need_p)
    short_j = fj.notna() & (sj > 0) & ~at_least(fj, need_j)
    missing = funds.isna() | bp.isna() | (bj.isna() & (sj > 0))
    ok = at_least(funds, required) & ~short_p & ~short_j
    thr = ("不足" + param_text(places, profiles, "guarantee.G6.below", "{:g}".format) + "人的村小、教学点按"
           + param_text(places, profiles, "guarantee.G6.funded_as", "{:g}".format) + "人拨付")

    def stage_text(at, short, label, f, need):
        """"；小学拨付 …，应不低于 …" for each of the schools at positions ``at`` short of a stage's need, "" for
        the others: written for the short ones only (each text is its own row's)."""
        text = filled(len(at), "")
        rows = np.flatnonzero(school_values(short, schools, at).to_numpy(dtype=bool))
        if len(rows):
            j = at[rows]
            need_j = school_values(need, schools, j)
            text[rows] = concat_texts("；" + label + "拨付 ",
                                      fmt_number(school_values(f, schools, j), "元", 0, limit=need_j),
                                      "，应不低于 ", fmt_limit(need_j, "元"))
        return text

    def describe(at, names):
        stage_parts = [stage_text(at, short, label, f, need)
                       for short, label, f, need in ((short_p, "小学", fp, need_p), (short_j, "初中", fj, need_j))]
        least = school_values(required, schools, at)
        return concat_texts(names, "（拨付 ", fmt_number(school_values(funds, schools, at), "元", 0, limit=least),
                            "，应不低于 ", fmt_limit(least, "元"), stage_parts[0], stage_parts[1], "）")
    return school_check(schools, places, small | boarding, ok, missing, describe, GUARANTEE_LABELS["G6"], thr,
                        funds, required, op=">=")


def _by_school(schools: pd.DataFrame, places: pd.DataFrame, counties: pd.DataFrame | None, name: str) -> pd.Series:
    """The county table's figure ``name`` for each school's county-year, as a number (NaN where none).

    Parameters
    ----------
    schools : DataFrame
        The school table (``city``, ``county``, ``year``).
    places : DataFrame
        The county-years assessed (each school's row among them is known: :func:`place_rows`).
    counties : DataFrame or None
        The county table; its first row of a county-year counts (as in :func:`county_values`).
    name : str
        The county-table column (e.g. ``funds_benchmark_yuan``, 元 per student).

    Returns
    -------
    Series of float
        Aligned with ``schools``; NaN where the county table lacks the column, the county-year or the figure.
    """
    if counties is None or counties.empty or name not in counties:
        return pd.Series(np.nan, index=schools.index, dtype=float)
    table, at = _county_rows(schools, places, counties)
    values = np.append(pd.to_numeric(table[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan), np.nan)
    return pd.Series(values[at], index=schools.index, dtype=float)


def _county_rows(schools: pd.DataFrame, places: pd.DataFrame, counties: pd.DataFrame) -> tuple:
    """The county table's first row per county-year and, for each school, its row there (−1: none); once per
    assessment (:func:`~quality_balance.method.items._base.shared_keys`)."""
    def rows():
        table = counties.drop_duplicates(PLACE)
        at = place_rows(schools, places)  # school → county-year → table row, by integer codes
        return table, (rows_in(places, table, PLACE)[at] if (at >= 0).all() else rows_in(schools, table, PLACE))
    return memo("county_rows", (schools, places, counties), rows)


def _g7(schools, places, profiles, c):
    minimum = param(places, profiles, "guarantee.G7.min_funds_per_student_yuan")
    # the special-education schools' keys and figures only (a few hundred rows), not every column of the table
    read = [name for name in PLACE + ["students_primary", "students_junior", "students_senior", "public_funds_yuan"]
            if name in schools]
    special = schools.loc[is_one_of(schools, "school_type", ("特殊教育学校",)).to_numpy(), read]
    keys = pd.MultiIndex.from_frame(places[PLACE])
    has_special = special.groupby(PLACE).size().reindex(keys, fill_value=0).to_numpy() > 0
    students = special[["students_primary", "students_junior"]].fillna(0).sum(axis=1) \
        + column(special, "students_senior").astype(float).fillna(0)
    funds = column(special, "public_funds_yuan").astype(float)
    by_county = pd.DataFrame({"f": funds, "s": students}).assign(**{k: special[k] for k in PLACE}) \
        .groupby(PLACE)[["f", "s"]].sum(min_count=1).reindex(keys)
    from_schools = (by_county["f"] / by_county["s"].where(by_county["s"] > 0)).to_numpy()
    given = pd.to_numeric(column(c, "special_ed_funds_per_student_yuan"), errors="coerce")
    value = given.where(given.notna(), pd.Series(from_schools, index=places.index))
    result = numeric_check(value, minimum, ">=", "特殊教育学校生均公用经费", "元", 0)
    na = ~has_special & given.isna()
    result.loc[na, "status"] = "not_applicable"
    result.loc[na, "text"] = "本县无特殊教育学校，不适用"
    return result


def _g12(schools, places, profiles, c):
    """G12 from the schools' certified and full-time teachers when they give them, else the county's rate."""
    minimum = param(schools, profiles, "guarantee.G12.min_rate").astype(float)
    full, certified = (column(schools, "full_time_teachers").astype(float),
                       column(schools, "certified_teachers").astype(float))
    given = full.notna() & certified.notna()
    rate = certified / full.where(full > 0) * 100
    scope = pd.Series(True, index=schools.index)
    thr = "≥" + fmt_limit(param(places, profiles, "guarantee.G12.min_rate"), "%")

    def describe(at, names):
        def of(series):
            return school_values(series, schools, at)
        return concat_texts(names, " 持证 ", of(certified).map("{:g}".format), "/", of(full).map("{:g}".format),
                            " 人（", fmt_number(of(rate), "%", limit=of(minimum)), "）")
    from_schools = school_check(
        schools, places, scope & ~(given & (full == 0) & (certified == 0)), at_least(rate, minimum), ~given,
        describe, "持证上岗率", thr, rate, minimum, op=">=")
    county_rate = column(c, "certified_teacher_rate")
    from_county = numeric_check(county_rate, param(places, profiles, "guarantee.G12.min_rate"), ">=", "持证上岗率", "%")
    return by_source(places, schools, scope, given, from_schools, from_county, pd.to_numeric(county_rate,
                                                                                             errors="coerce"))


def guarantee_items(places: pd.DataFrame, schools: pd.DataFrame, counties: pd.DataFrame | None,
                    profiles: dict, *, classes: pd.DataFrame | None = None) -> ItemBlock:
    """Items G1–G15 for every county-year of ``places``: items-table rows and failing schools.

    Parameters
    ----------
    places : DataFrame
        The county-years (``city``, ``county``, ``year``).
    schools : DataFrame
        The school table (with the class figures derived from ``classes``:
        :func:`quality_balance.method.classes.with_class_figures`).
    counties : DataFrame or None
        The county table.
    profiles : dict
        (city, county) → the county's :class:`~quality_balance.standards.profile.Profile`.
    classes : DataFrame or None, keyword-only
        The class table; when given, G5 names the oversize classes and lists one failure per class
        (docs/method.md §5.2). The default ``None`` judges G5 from the school columns alone.

    Returns
    -------
    ItemBlock
        Items-table rows, parts and failing schools (one row per oversize class where the class
        table lists the school).
    """
    with shared_keys():  # the schools' county codes computed once for every item (_base.shared_keys)
        return _guarantee_items(places, schools, counties, profiles, classes)


def _guarantee_items(places, schools, counties, profiles, classes):
    c = county_values(places, counties)
    p = lambda dotted: param(places, profiles, dotted)  # noqa: E731
    results = {
        "G1": bool_check(column(c, "layout_reasonable"), "学校规划布局合理"),
        "G2": combine(bool_check(column(c, "unified_construction"), "统一建设标准"),
                      bool_check(column(c, "unified_staffing"), "统一教师编制标准"),
                      bool_check(column(c, "unified_funding"), "统一生均公用经费基准定额"),
                      bool_check(column(c, "unified_equipment"), "统一基本装备配置标准")),
        "G3": _g3(schools, places, profiles),
        "G4": _g4(schools, places, profiles),
        "G5": _g5(schools, places, profiles, class_rows(classes, schools)),
        "G6": _g6(schools, places, profiles, counties),
        "G7": _g7(schools, places, profiles, c),
        "G8": combine(numeric_check(column(c, "teacher_avg_pay_yuan"), column(c, "civil_servant_avg_pay_yuan"),
                                    ">=", "教师平均工资（对比当地公务员）", "元", 0),
                      bool_check(column(c, "performance_pay_approved"), "绩效工资总量足额核定")),
        "G9": numeric_check(column(c, "training_360h_rate"), p("guarantee.G9.min_rate"), ">=",
                            "360学时培训完成率", "%"),
        "G10": bool_check(column(c, "staffing_by_bureau"), "县级教育部门统筹分配编制和岗位"),
        "G11": combine(numeric_check(column(c, "rotation_rate"), p("guarantee.G11.min_rotation_rate"), ">=",
                                     "交流轮岗比例", "%"),
                       numeric_check(column(c, "rotation_backbone_share"), p("guarantee.G11.min_backbone_share"),
                                     ">=", "骨干教师占交流轮岗比例", "%")),
        "G12": _g12(schools, places, profiles, c),
        "G13": combine(numeric_check(column(c, "zoned_admission_primary"), p("guarantee.G13.min_primary"), ">=",
                                     "小学就近划片入学比例", "%"),
                       numeric_check(column(c, "zoned_admission_junior"), p("guarantee.G13.min_junior"), ">=",
                                     "初中就近划片入学比例", "%")),
        "G14": combine(numeric_check(column(c, "quota_share"), p("guarantee.G14.min_share"), ">=",
                                     "优质高中名额分配比例", "%"),
                       bool_check(column(c, "quota_rural_tilt"), "向农村初中倾斜")),
        "G15": numeric_check(column(c, "migrant_public_share"), p("guarantee.G15.min_share"), ">=",
                             "随迁子女公办就读比例", "%"),
    }
    return ItemBlock.build(places, "guarantee", GUARANTEE_LABELS, results)
