"""The facility split of one-through schools and complete middle schools (spec §2.2)."""
import numpy as np
import pandas as pd
import pytest

from quality_balance.standards.profile import load_profile
from quality_balance.method.resources import county_settings
from quality_balance.method.split import split_units
from tests.builders import frame, school


def _units(*rows, profile="national"):
    df = frame(*rows)
    settings, _ = county_settings({("测试市", "甲县"): load_profile(profile)})
    units, excluded = split_units(df, settings)
    return units.set_index(["school_id", "stage"]), excluded


def test_nine_year_school_split_1_to_1_1():
    units, _ = _units(school(school_id="N", school_type="九年一贯制学校", students_primary=600.0,
                             students_junior=300.0, teaching_area_m2=9300.0))
    # primary 600 / (600 + 1.1·300) = 600/930; junior 330/930
    assert units.loc[("N", "primary"), "res_R4"] == pytest.approx(9300 * 600 / 930)
    assert units.loc[("N", "junior"), "res_R4"] == pytest.approx(9300 * 330 / 930)
    assert units.loc[("N", "primary"), "split"] == "weighted"


def test_twelve_year_school_split_1_to_1_1_to_1_32():
    units, _ = _units(school(school_id="T", school_type="十二年一贯制学校", students_primary=600.0,
                             students_junior=300.0, students_senior=200.0, equipment_value_yuan=1_194_000.0))
    # denominators 600 + 330 + 264 = 1194
    assert units.loc[("T", "primary"), "res_R6"] == pytest.approx(600_000.0)
    assert units.loc[("T", "junior"), "res_R6"] == pytest.approx(330_000.0)
    assert ("T", "senior") not in units.index


def test_complete_middle_school_junior_share_1_to_1_2():
    units, _ = _units(school(school_id="W", school_type="完全中学", students_primary=0.0, students_junior=500.0,
                             students_senior=600.0, sports_area_m2=12200.0, teachers_above_degree_junior=30.0))
    # junior 500 / (500 + 1.2·600) = 500/1220
    assert units.loc[("W", "junior"), "res_R5"] == pytest.approx(5000.0)
    assert units.loc[("W", "junior"), "res_R1"] == 30.0  # teachers are used as reported
    assert ("W", "primary") not in units.index


def test_reported_per_stage_figures_are_not_split():
    units, _ = _units(school(school_id="N", school_type="九年一贯制学校", students_primary=600.0,
                             students_junior=300.0, teaching_area_m2=9000.0,
                             teaching_area_m2_primary=5000.0, teaching_area_m2_junior=4000.0))
    assert units.loc[("N", "primary"), "res_R4"] == 5000.0
    assert units.loc[("N", "junior"), "res_R4"] == 4000.0


def test_special_education_schools_are_out_of_scope():
    units, excluded = _units(school(school_id="A"), school(school_id="SE", school_type="特殊教育学校",
                                                            students_primary=80.0))
    assert "SE" not in units.index.get_level_values(0)
    assert excluded["school_id"].tolist() == ["SE"]
    assert "特殊教育" in excluded["reason"].iloc[0]


def _two_county_units(rows, settings_counties=("甲县", "乙县")):
    import pandas as pd
    from quality_balance.standards.profile import load_profile as _load

    settings, _ = county_settings({("测试市", c): _load("national") for c in settings_counties})
    return split_units(pd.DataFrame(rows), settings)


def test_units_are_ordered_by_place_stage_and_school_id_whatever_the_row_order():
    # rows school-major, school ids out of order within the county-year, a county sorting before another
    rows = [school(school_id=sid, county=county, year=year, school_type="九年一贯制学校", students_primary=100.0,
                   students_junior=50.0) for sid in ("B2", "A1", "C3") for county in ("乙县", "甲县")
            for year in (2025, 2024)]
    units, _ = _two_county_units(rows)
    keys = list(zip(units["county"], units["year"], units["stage"], units["school_id"]))
    expected = [(c, y, st, sid) for c in ("乙县", "甲县") for y in (2024, 2025) for st in ("primary", "junior")
                for sid in ("A1", "B2", "C3")]  # 乙 (U+4E59) sorts before 甲 (U+7532)
    assert keys == expected
    assert units.index.tolist() == list(range(len(expected)))


def test_units_in_school_id_order_within_each_place_keep_their_order():
    rows = [school(school_id=sid, year=year) for sid in ("A1", "B2") for year in (2024, 2025)]
    units, _ = _two_county_units(rows)
    assert list(zip(units["year"], units["school_id"])) == [(2024, "A1"), (2024, "B2"), (2025, "A1"), (2025, "B2")]


def test_nullable_number_columns_give_the_same_units_as_numpy_ones():
    import pandas as pd

    rows = [school(school_id="N", school_type="九年一贯制学校", students_primary=600, students_junior=300,
                   teaching_area_m2=9300.0), school(school_id="P", students_primary=400)]
    plain, _ = _two_county_units(rows)
    df = pd.DataFrame(rows)
    df["students_junior"] = df["students_junior"].astype("Int64")
    settings, _ = county_settings({("测试市", "甲县"): load_profile("national")})
    nullable, _ = split_units(df, settings)
    assert nullable["res_R4"].tolist() == pytest.approx([9300 * 600 / 930, plain["res_R4"].iloc[1], 9300 * 330 / 930])
    assert list(zip(nullable["school_id"], nullable["stage"])) == [("N", "primary"), ("P", "primary"),
                                                                   ("N", "junior")]
    pd.testing.assert_frame_equal(nullable.drop(columns=["students"]), plain.drop(columns=["students"]),
                                  check_dtype=False)


def test_a_county_without_settings_has_no_split_weights():
    units, excluded = _two_county_units([school(school_id="N", county="丙县", school_type="九年一贯制学校",
                                                students_primary=600.0, students_junior=300.0)])
    assert units["share"].tolist() == [0.0, 0.0]  # no weights, no share (as a reindex of the settings left it)
    assert excluded.empty


def test_place_sort_codes_order_places_as_the_texts_sort():
    import pandas as pd

    from quality_balance.method.split import place_sort_codes

    df = pd.DataFrame({"city": ["乙市", "甲市", "乙市", "甲市", "乙市"], "county": ["b", "a", "a", "a", "b"],
                       "year": [2025, 2025, 2025, 2024, 2025]})
    codes, first = place_sort_codes(df)
    # sorted places: (乙市, a, 2025), (乙市, b, 2025), (甲市, a, 2024), (甲市, a, 2025)
    assert codes.tolist() == [1, 3, 0, 2, 1]
    assert first.tolist() == [2, 0, 3, 1]


@pytest.mark.parametrize("cells", [
    ["b", "a", None, "c", "a", "é", "Z", "aa", "a ", "甲校", "乙校"],  # Arrow ranks UTF-8 bytes: code point order
    ["3", "10", "2"],  # texts, not numbers
    ["a\ud800", "b"],  # a lone surrogate Arrow cannot hold: ranked by pandas
    [None, None], [],
])
def test_school_ids_are_ranked_as_a_sorted_factorisation_ranks_them(cells):
    from quality_balance.method.split import _sorted_codes

    ids = pd.Series(cells, dtype="str")
    codes, found = pd.factorize(ids, sort=True)
    got, n_found = _sorted_codes(ids)
    assert got.tolist() == np.where(codes < 0, len(found), codes).tolist()  # a missing id after every id
    assert n_found == len(found)


def test_numeric_school_ids_are_ranked_by_pandas():
    from quality_balance.method.split import _sorted_codes

    got, n_found = _sorted_codes(pd.Series([3, 1, None, 2.0]))
    assert got.tolist() == [2, 0, 3, 1] and n_found == 3


@pytest.mark.parametrize("cells, dtype", [
    (["乙市", "乙市", "甲市", "甲市", "乙市", "丙市", "a", "A", "é", "e"], "str"),  # runs, non-ASCII, case
    (["3", "3", "10", "2", "2"], "str"),  # texts, not numbers
    (["甲县", None, None, "乙县"], "str"),  # a missing cell: last
    ([2025, 2025, 2024], "int64"),  # numbers: pandas
    ([], "str"),
])
def test_place_columns_in_runs_are_ranked_as_a_sorted_factorisation_ranks_them(cells, dtype):
    from quality_balance.method.split import _sorted_codes

    column = pd.Series(cells, dtype=dtype)
    got, n_found = _sorted_codes(column)
    codes, found = pd.factorize(column, sort=True)
    assert got.tolist() == np.where(codes < 0, len(found), codes).tolist()
    assert n_found == len(found)
