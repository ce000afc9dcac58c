"""The class table in G5, and school-level G3 (senior classes), G6 (per stage), G12, Q3 and Q6 (issue 13, items 1–2).

Every case is the smallest data by hand, with the arithmetic stated; limits are those of the national
profile (G5: 小学 45, 初中 50; 大班额 from 56; G3: one room per 12 classes; G6: below 100 students funded as 100).
"""
import pandas as pd
import pytest

import quality_balance as qb
from quality_balance.method.items._sources import FROM_COUNTY, FROM_SCHOOLS
from quality_balance.report.ledger import ledger_table
from tests.builders import COUNTY_OK, JUNIOR_OK, PRIMARY_OK, SCHOOL_GQ_OK, dataset, school, survey_rows

NINE_YEAR = dict(PRIMARY_OK, school_type="九年一贯制学校", students_primary=600.0, students_junior=400.0,
                 teachers_above_degree_junior=30.0, backbone_teachers_junior=5.0, pe_art_teachers_junior=4.0)


def _classes(*rows):
    return pd.DataFrame([dict(year=2025, school_id=s, stage=stage, class_name=name, students=float(n))
                         for s, stage, name, n in rows])


def _assess(schools, classes=None, county=None, profile=None):
    d = dataset(schools, [dict(COUNTY_OK, **(county or {}))], survey_rows())
    return qb.assess(d.replace(classes=classes) if classes is not None else d, profile=profile)


def _item(a, item):
    return a.items.set_index("item").loc[item]


def _failures(a, item):
    f = a.school_failures
    return f[f["item"] == item] if len(f) else f


def _profile(tmp_path, body, name="case"):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'name = "{name}"\nparent = "national"\n' + body, encoding="utf-8")
    return path


# --- G5 from the class table -----------------------------------------------------------------------

def _nine_year_school():
    return school(NINE_YEAR, school_id="A", school_name="一贯制学校",
                  **dict(SCHOOL_GQ_OK, classes_primary=14.0, classes_junior=8.0, max_class_size_junior=50.0))


@pytest.mark.parametrize("primary, junior, status, failing", [
    (45, 50, "met", 0),        # each stage at its limit passes (≤)
    (46, 50, "not_met", 1),    # 小学 limit + 1
    (45, 51, "not_met", 1),    # 初中 limit + 1
])
def test_g5_from_classes_at_the_limit_passes_and_one_more_fails_per_stage(primary, junior, status, failing):
    classes = _classes(("A", "小学", "一(1)班", primary), ("A", "小学", "一(2)班", 40),
                       ("A", "初中", "七(1)班", junior), ("A", "初中", "七(2)班", 44))
    a = _assess([_nine_year_school()], classes)
    g5 = _item(a, "G5")
    assert (g5["status"], g5["value"]) == (status, failing)
    # the class table's largest classes replace the school table's (44 primary, 50 junior)
    failures = _failures(a, "G5")
    assert len(failures) == failing
    if failing:
        row = failures.iloc[0]
        over = (primary, 45.0, "primary", "一(1)班") if primary > 45 else (junior, 50.0, "junior", "七(1)班")
        assert (row["value"], row["threshold"], row["stage"]) == over[:3]
        assert over[3] in row["detail"] and over[3] in g5["reason"]


def test_g5_counts_oversize_classes_per_stage_and_caps_the_names():
    # 7 primary classes of 46–52 (all over 45) and 1 junior class of 51 (over 50): 8 oversize classes
    rows = [("A", "小学", f"三({k})班", 45 + k) for k in range(1, 8)] + [("A", "初中", "八(1)班", 51)]
    a = _assess([_nine_year_school()], _classes(*rows))
    reason = _item(a, "G5")["reason"]
    assert "小学 7 个班超过 45 人：三(7)班 52 人、三(6)班 51 人" in reason     # largest first
    assert "等 7 个" in reason and "三(2)班 47 人" not in reason             # 5 named, the rest counted
    assert "初中 1 个班超过 50 人：八(1)班 51 人" in reason
    assert "超过班额上限的班级 小学 7 个、初中 1 个" in reason
    assert len(_failures(a, "G5")) == 8  # one unit to fix per class


def test_the_56_plus_count_is_derived_from_the_classes_with_the_profiles_limit(tmp_path):
    # classes of 55, 56 and 60 students: 2 are 大班额 (≥ 56), whatever the school table said (0)
    classes = _classes(("A", "初中", "七(1)班", 55), ("A", "初中", "七(2)班", 56), ("A", "初中", "七(3)班", 60))
    row = school(JUNIOR_OK, school_id="A", **dict(SCHOOL_GQ_OK, classes_primary=0.0, classes_junior=3.0,
                                                   max_class_size_primary=0.0, max_class_size_junior=44.0,
                                                   classes_56_plus=0.0))
    d = dataset([row], [COUNTY_OK], survey_rows()).replace(classes=classes)
    a = qb.assess(d)
    assert a.dataset.schools.loc[0, "classes_56_plus"] == 2
    assert a.dataset.schools.loc[0, "max_class_size_junior"] == 60
    assert "56 人及以上大班额 2 个" in _item(a, "G5")["reason"]
    assert qb.plan_actuals is not None
    from quality_balance.planning.tracking import measure_values
    assert measure_values(a)["classes_56_plus"].iloc[0] == 2
    # a profile counting from 60: only the class of 60
    sixty = _profile(tmp_path, "[guarantee]\nG5 = { large_class_from = 60 }\n")
    assert qb.assess(d, profile=sixty).dataset.schools.loc[0, "classes_56_plus"] == 1


def test_without_a_class_table_g5_reads_the_school_columns_as_before():
    row = school(PRIMARY_OK, school_id="A", **dict(SCHOOL_GQ_OK, max_class_size_primary=46.0))
    a = _assess([row])
    g5 = _item(a, "G5")
    assert (g5["status"], g5["value"]) == ("not_met", 1)
    assert g5["reason"] == "班额：1 所学校未达到（学校A（小学最大班额 46））"
    assert "stage" not in a.school_failures


def test_a_school_the_class_table_does_not_list_keeps_its_columns():
    listed = school(PRIMARY_OK, school_id="A", **SCHOOL_GQ_OK)
    unlisted = school(PRIMARY_OK, school_id="B", **dict(SCHOOL_GQ_OK, max_class_size_primary=47.0))
    a = _assess([listed, unlisted], _classes(("A", "小学", "一(1)班", 45)))
    g5 = _item(a, "G5")
    assert g5["value"] == 1 and "学校B（小学最大班额 47）" in g5["reason"]


def test_the_ledger_names_each_oversize_class_as_a_unit_to_fix():
    classes = _classes(("A", "小学", "一(1)班", 48), ("A", "初中", "七(1)班", 53), ("A", "初中", "七(2)班", 40))
    a = _assess([_nine_year_school()], classes)
    rows = ledger_table(a)
    g5 = rows[rows["item"] == "G5"].sort_values("value")
    assert g5["stage"].tolist() == ["小学", "初中"]
    assert g5["value"].tolist() == [48, 53] and g5["threshold"].tolist() == [45, 50] and g5["gap"].tolist() == [3, 3]
    assert g5["reason"].tolist() == ["班额：小学 一(1)班 48 人（限 45 人）", "班额：初中 七(1)班 53 人（限 50 人）"]
    assert g5["action"].iloc[0] == "分流学生或增设班级，使该班降至 45 人以内（现 48 人，需减少 3 人）"


# --- G3: senior classes by profile -----------------------------------------------------------------

def test_g3_counts_senior_classes_only_when_the_profile_says_so(tmp_path):
    # 完全中学: 12 junior + 1 senior classes, 1 music and 1 art room. National: 12 classes → 1 room each, met.
    # Counting senior classes: 13 classes → ceil(13 / 12) = 2 rooms needed, 1 given: not met.
    row = school(JUNIOR_OK, school_id="A", school_type="完全中学", students_senior=50.0,
                 **dict(SCHOOL_GQ_OK, classes_primary=0.0, classes_junior=12.0, max_class_size_primary=0.0,
                        max_class_size_junior=44.0, music_rooms=1.0, art_rooms=1.0, classes_senior=1.0))
    assert _item(_assess([row]), "G3")["status"] == "met"
    counting = _profile(tmp_path, "[guarantee]\nG3 = { count_senior_classes = true }\n")
    g3 = _item(_assess([row], profile=counting), "G3")
    assert (g3["status"], g3["value"]) == ("not_met", 1)
    assert "2 间应配" in g3["reason"] and "含高中班" in g3["threshold"]
    # 11 junior + 1 senior = 12 classes: still 1 room each, met
    row12 = dict(row, classes_junior=11.0)
    assert _item(_assess([row12], profile=counting), "G3")["status"] == "met"


def test_a_profile_flag_of_the_wrong_kind_is_refused(tmp_path):
    bad = _profile(tmp_path, "[guarantee]\nG3 = { count_senior_classes = 1 }\n", "bad")
    with pytest.raises(qb.ProfileError, match="count_senior_classes"):
        qb.load_profile(bad)


# --- G6: per-stage benchmarks and funds ------------------------------------------------------------

def _village(**kw):
    base = dict(NINE_YEAR, location="乡村", students_primary=50.0, students_junior=30.0, is_village_school=True,
                teachers_above_degree_junior=2.0, backbone_teachers_junior=1.0, pe_art_teachers_junior=1.0)
    return school(base, school_id="V", school_name="村校", **dict(SCHOOL_GQ_OK, **kw))


def test_g6_a_small_one_through_school_is_funded_with_each_stages_benchmark():
    # 50 primary × 650 + 30 junior × 850 = 58 000 元 for 80 students, funded as 100: × 100 / 80 = 72 500 元
    county = dict(funds_benchmark_yuan_junior=850.0)
    met = _assess([_village(public_funds_yuan=72500.0)], county=county)
    assert _item(met, "G6")["status"] == "met"
    short = _assess([_village(public_funds_yuan=72499.0)], county=county)
    assert _item(short, "G6")["status"] == "not_met"
    assert short.school_failures.set_index("item").loc["G6", "threshold"] == 72500.0
    # without a junior benchmark the primary one applies to every student, as before: 650 × 100 = 65 000
    assert _item(_assess([_village(public_funds_yuan=65000.0)]), "G6")["status"] == "met"
    # the school's own benchmark wins over the county's: junior 900 → (32 500 + 27 000) × 100 / 80 = 74 375
    own = _assess([_village(public_funds_yuan=74374.0, benchmark_yuan_junior=900.0)], county=county)
    assert own.school_failures.set_index("item").loc["G6", "threshold"] == 74375.0


def test_g6_checks_each_stages_funds_when_given():
    # total 72 500 met, but the junior share must be 30 × 850 × 100 / 80 = 31 875: 31 874 fails, named
    county = dict(funds_benchmark_yuan_junior=850.0)
    ok = _village(public_funds_yuan=None, public_funds_yuan_primary=40625.0, public_funds_yuan_junior=31875.0)
    assert _item(_assess([ok], county=county), "G6")["status"] == "met"     # total from the stages: 72 500
    short = _village(public_funds_yuan=72500.0, public_funds_yuan_primary=40626.0, public_funds_yuan_junior=31874.0)
    g6 = _item(_assess([short], county=county), "G6")
    assert g6["status"] == "not_met" and "初中拨付 31,874元，应不低于 31,875元" in g6["reason"]


# --- G12, Q3, Q6: from the schools when they give them, else the county ----------------------------

def _two(a_kw, b_kw):
    return [school(PRIMARY_OK, school_id="A", school_name="甲校", **SCHOOL_GQ_OK, **a_kw),
            school(PRIMARY_OK, school_id="B", school_name="乙校", **SCHOOL_GQ_OK, **b_kw)]


def test_g12_from_the_schools_names_the_school_below_100_percent():
    ok = dict(full_time_teachers=50.0, certified_teachers=50.0)
    a = _assess(_two(ok, dict(full_time_teachers=50.0, certified_teachers=49.0)))   # 49 / 50 = 98% < 100%
    g12 = _item(a, "G12")
    assert (g12["status"], g12["value"]) == ("not_met", 1)
    assert g12["reason"] == "持证上岗率：1 所学校未达到（乙校 持证 49/50 人（98.0%））" + FROM_SCHOOLS
    assert _item(_assess(_two(ok, ok)), "G12")["status"] == "met"                     # 100% each: met


def test_g12_uses_the_county_rate_when_schools_give_none_or_only_some():
    assert _item(_assess(_two({}, {}), county=dict(certified_teacher_rate=99.0)), "G12")["reason"] \
        == "持证上岗率 99.0% < 100%"                                                # county only: no phrase
    partial = _assess(_two(dict(full_time_teachers=50.0, certified_teachers=49.0), {}),
                      county=dict(certified_teacher_rate=100.0))
    g12 = _item(partial, "G12")
    assert g12["status"] == "met" and g12["reason"].endswith(FROM_COUNTY)
    # some schools, no county figure: judged by the schools, the one lacking data makes no_data unless one fails
    none = _assess(_two(dict(full_time_teachers=50.0, certified_teachers=50.0), {}),
                   county=dict(certified_teacher_rate=None))
    assert _item(none, "G12")["status"] == "no_data"


def test_q3_from_the_schools_names_what_a_school_lacks():
    ok = dict(has_charter=True, it_management=True)
    a = _assess(_two(ok, dict(has_charter=False, it_management=True)), county=dict(charter_and_it=True))
    q3 = _item(a, "Q3")
    assert q3["status"] == "not_met" and "乙校（未制定章程）" in q3["reason"] and q3["reason"].endswith(FROM_SCHOOLS)
    assert _item(_assess(_two(ok, ok), county=dict(charter_and_it=False)), "Q3")["status"] == "met"
    assert _item(_assess(_two({}, {}), county=dict(charter_and_it=False)), "Q3")["status"] == "not_met"


@pytest.mark.parametrize("rating, status", [("良好", "met"), ("合格", "not_met"), ("优秀", "met")])
def test_q6_from_the_schools_every_school_at_least_good(rating, status):
    a = _assess(_two(dict(school_moral_rating="优秀"), dict(school_moral_rating=rating)),
                county=dict(moral_rating="不合格"))
    q6 = _item(a, "Q6")
    assert q6["status"] == status
    if status == "not_met":
        assert "乙校 合格（须良好及以上）" in q6["reason"]


def test_q6_reads_the_county_rating_without_school_ratings():
    q6 = _item(_assess(_two({}, {}), county=dict(moral_rating="合格")), "Q6")
    assert (q6["status"], q6["reason"]) == ("not_met", "德育与校园文化：合格，低于良好")
