"""Conditional rules in profiles (issue 13 item 4): validation, and each exception changing a result.

Every test of an exception pins a school at the edge of its condition (the exception applies) and just
outside it (it does not), under the shipped example profile 示例_地方例外规则.
"""
import pandas as pd
import pytest

import quality_balance as qb
from quality_balance.errors import ProfileError
from quality_balance.standards.conditions import (ATTRIBUTES, OPERATORS, SETTINGS, VARIANTS, applied_exceptions,
                                                   exception_masks, school_setting)
from tests.builders import COUNTY_OK, PRIMARY_OK, SCHOOL_GQ_OK, dataset, school

EXAMPLE = "示例_地方例外规则"


def _write(tmp_path, name, text):
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _item(result, item, school_id=None):
    return result.items.set_index("item").loc[item, "status"]


def _assess(profile, **overrides):
    row = school(dict(PRIMARY_OK, **SCHOOL_GQ_OK), **overrides)
    return qb.assess(dataset([row], [COUNTY_OK]), profile=profile)


def test_the_national_profile_has_no_exceptions_and_the_example_says_it_is_one():
    assert qb.load_profile("national").exceptions == ()
    example = qb.load_profile(EXAMPLE)
    assert "示例" in example.title and example.places == []
    ids = [e.id for e in example.exceptions]
    assert ids == ["E1", "E2", "E3", "E4", "E5", "E6", "E7"]
    # every kind of effect: thresholds of G3 and G4, and every variant
    settings = {k for e in example.exceptions for k in e.settings}
    assert settings == set(SETTINGS) - {"guarantee.G3.classes_per_room"}
    assert {e.variant for e in example.exceptions if e.variant} == set(VARIANTS)
    assert {c.attribute for e in example.exceptions for c in e.when} == set(ATTRIBUTES)


_BAD = 'name = "x"\nparent = "national"\n[[exceptions]]\nid = "E1"\nlabel = "例外"\n'


@pytest.mark.parametrize("body, fragments", [
    ('when = [{ attribute = "built", op = "<=", value = 2016 }]\nvariant = "R5_leased_venues"\n',
     ["attribute = 'built'", "year_built", "migrant_share"]),
    ('when = [{ attribute = "year_built", op = "~", value = 2016 }]\nvariant = "R5_leased_venues"\n',
     ["op = '~'", "<="]),
    ('when = [{ attribute = "location", op = "<", value = "乡村" }]\nvariant = "R5_leased_venues"\n',
     ["op = '<'", "城乡类型", "==, !=, in"]),
    ('when = [{ attribute = "year_built", op = "<=", value = "2016年" }]\nvariant = "R5_leased_venues"\n',
     ["value 应为数", "'2016年'"]),
    ('when = []\nvariant = "R4_minus_sports"\n', ["variant' = 'R4_minus_sports'", "R4_minus_indoor_sports"]),
    ('when = []\nset = { "guarantee.G5.max_class_primary" = 50 }\n',
     ["'guarantee.G5.max_class_primary'", "guarantee.G3.music_room_min_m2"]),
    ('when = []\nset = { "guarantee.G3.music_room_min_m2" = "73" }\n', ["应为非负数", "'73'"]),
    ('when = []\n', ["须有 'set'"]),
    ('when = "乡村"\nvariant = "R5_leased_venues"\n', ["'when' 应为条件的列表", "'乡村'"]),
    ('when = []\nvariant = "R5_leased_venues"\nunless = 1\n', ["未知的键 'unless'"]),
])
def test_a_bad_exception_is_refused_naming_file_key_value_and_what_is_allowed(tmp_path, body, fragments):
    path = _write(tmp_path, "x", _BAD + body)
    with pytest.raises(ProfileError) as err:
        qb.load_profile(path)
    message = str(err.value)
    assert str(path) in message and "exceptions 第 1 条（id = 'E1'）" in message
    for fragment in fragments:
        assert fragment in message


def test_operators_and_attributes_are_the_documented_ones():
    assert OPERATORS == ("==", "!=", "<", "<=", ">", ">=", "in")
    assert set(ATTRIBUTES) == {"year_planned", "year_built", "location", "school_type", "max_class_size",
                               "migrant_share", "students"}


# --- G3: room minimums -------------------------------------------------------------------------

@pytest.mark.parametrize("planned, built, music, expected", [
    (2015, 2016, 73.0, "met"),        # E1: planned and built by 2016, 73 m² is enough
    (2015, 2016, 72.9, "not_met"),    # just under the exception's minimum
    (2015, 2017, 73.0, "not_met"),    # built 2017: outside the condition, the national 96 m² applies
    (None, 2016, 73.0, "not_met"),    # year planned unknown: the exception does not apply
])
def test_e1_rooms_of_schools_planned_and_built_by_2016(planned, built, music, expected):
    result = _assess(EXAMPLE, year_planned=planned, year_built=built, music_room_min_area_m2=music,
                     art_room_min_area_m2=67.0)
    assert _item(result, "G3") == expected
    assert _item(_assess("national", year_planned=planned, year_built=built, music_room_min_area_m2=music,
                         art_room_min_area_m2=67.0), "G3") == "not_met"


@pytest.mark.parametrize("location, largest, expected", [
    ("乡村", 29.0, "met"), ("乡村", 30.0, "not_met"), ("镇区", 29.0, "not_met")])
def test_e2_rooms_of_small_rural_schools(location, largest, expected):
    result = _assess(EXAMPLE, location=location, max_class_size_primary=largest, music_room_min_area_m2=54.0,
                     art_room_min_area_m2=61.0)
    assert _item(result, "G3") == expected
    if expected == "not_met":  # the reason names the school's own minimum: the national one here
        assert "须 ≥ 96m²" in result.items.set_index("item").loc["G3", "reason"]


def test_the_reason_names_the_minimum_an_exception_set():
    result = _assess(EXAMPLE, year_planned=2010, year_built=2012, music_room_min_area_m2=70.0,
                     art_room_min_area_m2=67.0)
    assert "最小 70m²（须 ≥ 73m²）" in result.items.set_index("item").loc["G3", "reason"]


# --- G4: size limits ----------------------------------------------------------------------------

@pytest.mark.parametrize("built, students, expected", [
    (2010, 2400.0, "met"), (2010, 2401.0, "not_met"), (2011, 2400.0, "not_met"), (None, 2400.0, "not_met")])
def test_e3_size_limit_of_schools_built_by_2010(built, students, expected):
    assert _item(_assess(EXAMPLE, year_built=built, students_primary=students), "G4") == expected


@pytest.mark.parametrize("migrants, expected", [(1201.0, "met"), (1200.0, "not_met")])  # 50.04% > 50; 50% is not
def test_e4_size_limit_of_schools_with_mostly_migrant_children(migrants, expected):
    assert _item(_assess(EXAMPLE, students_primary=2400.0, migrant_students=migrants), "G4") == expected
    assert _item(_assess("national", students_primary=2400.0, migrant_students=migrants), "G4") == "not_met"


def test_e4_one_through_limit():
    row = dict(school_type="九年一贯制学校", students_primary=2000.0, students_junior=1000.0, migrant_students=1600.0)
    assert _item(_assess(EXAMPLE, **row), "G4") == "met"                        # 3000 ≤ 3000
    assert _item(_assess(EXAMPLE, **dict(row, students_junior=1001.0)), "G4") == "not_met"


# --- R3, R4, R5: computation variants -------------------------------------------------------------

def _units(profile, **overrides):
    return qb.assess_resources(pd.DataFrame([school(**overrides)]), profile=profile).units.iloc[0]


@pytest.mark.parametrize("students, r3", [(99.0, 100 / 99), (50.0, 2.0), (100.0, 0.0), (49.0, 0.0)])
def test_e5_rural_schools_of_50_to_99_students_count_visiting_teachers(students, r3):
    row = dict(location="乡村", students_primary=students, pe_art_teachers_primary=0.0,
               visiting_pe_art_teachers_primary=1.0)
    assert _units(EXAMPLE, **row)["R3"] == pytest.approx(r3, rel=1e-12)
    assert _units("national", **row)["R3"] == 0.0
    assert _units(EXAMPLE, **dict(row, location="镇区"))["R3"] == 0.0


def test_e6_teaching_rooms_exclude_the_indoor_sports_area():
    row = dict(teaching_area_m2=5000.0, indoor_sports_area_m2=600.0)  # 1000 students
    assert _units(EXAMPLE, **row)["R4"] == pytest.approx(4.4)
    assert _units("national", **row)["R4"] == pytest.approx(5.0)


def test_e6_turns_a_pass_into_a_miss_at_the_threshold():
    # 4 500 m² of rooms for 1000 pupils meets 4.5 exactly; 1 m² of indoor sports area makes it a miss
    assert _units(EXAMPLE, teaching_area_m2=4500.0, indoor_sports_area_m2=0.0)["met_count"] == 7
    unit = _units(EXAMPLE, teaching_area_m2=4500.0, indoor_sports_area_m2=1.0)
    assert unit["met_count"] == 6 and unit["misses"] == "R4"


def test_e7_leased_venues_count_toward_the_sports_area():
    row = dict(sports_area_m2=7000.0, leased_sports_area_m2=500.0)  # 1000 students
    assert _units(EXAMPLE, **row)["R5"] == pytest.approx(7.5)
    assert _units("national", **row)["R5"] == pytest.approx(7.0)


# --- per county, inheritance, listing ----------------------------------------------------------------

def test_exceptions_apply_only_to_the_counties_of_their_profile_and_children_replace_them(tmp_path):
    _write(tmp_path, "某县", 'name = "某县"\nparent = "示例_地方例外规则"\nplaces = ["测试市/甲县"]\n'
                            '[[exceptions]]\nid = "E7"\nlabel = "只计本校场馆"\n'
                            'when = [{ attribute = "location", op = "==", value = "乡村" }]\n'
                            'variant = "R5_leased_venues"\n')
    child = qb.load_profile("某县", search_path=[tmp_path])
    assert [e.id for e in child.exceptions] == ["E1", "E2", "E3", "E4", "E5", "E6", "E7"]
    assert child.exceptions[-1].label == "只计本校场馆"
    rows = pd.DataFrame([school(school_id=str(i), county=county, location=loc, sports_area_m2=7000.0,
                                leased_sports_area_m2=500.0, year_built=2008.0, students_primary=2400.0)
                         for i, (county, loc) in enumerate([("甲县", "乡村"), ("甲县", "城区"), ("乙县", "乡村")])])
    profiles = {("测试市", "甲县"): child, ("测试市", "乙县"): qb.load_profile("national")}
    limits = school_setting(rows, profiles, "guarantee.G4.max_students_single_stage")
    assert limits.tolist() == [2400.0, 2400.0, 2000.0]
    e7 = dict((e.id, m) for e, m in exception_masks(rows, profiles))["E7"]
    assert e7.tolist() == [True, False, False]
    listed = applied_exceptions(rows, profiles)
    assert set(listed.query("school_id == '0'")["exception"]) == {"E3", "E6", "E7"}
    assert "建成年份 ≤ 2010" in listed.query("exception == 'E3'")["conditions"].iloc[0]


def test_on_the_demo_the_example_changes_g3_of_small_rural_schools_only(demo_data):
    """E2 needs no extra input: 清水河县 2021's 胜利镇于湾小学 (乡村, largest class under 30, music room 70 m²)."""
    example = qb.assess(demo_data, profile=EXAMPLE)
    national = qb.assess(demo_data, profile="national")
    key = ["city", "county", "year", "item"]
    both = national.items.merge(example.items, on=key, suffixes=("_n", "_x"))
    changed = both[(both["status_n"] != both["status_x"]) | (both["reason_n"] != both["reason_x"])]
    assert set(changed["item"]) == {"G3"}
    row = changed.query("county == '清水河县' and year == 2021").iloc[0]
    assert row["value_n"] == 3 and row["value_x"] == 2
    assert "胜利镇于湾小学" in row["reason_n"] and "胜利镇于湾小学" not in row["reason_x"]
