"""The shortcuts that make the items fast give what the long way gave (issue 12, item 2).

The golden tables (test_golden.py) compare whole assessments; these tests pin each shortcut on its own, at
the edges where a shortcut could differ: a value one last-digit unit from its limit, a repeated or unknown
rating, a frame that equals the cached one without being it, a probability of 0 or 1.
"""
import numpy as np
import pandas as pd
import pytest

from quality_balance.method.items._base import (_as_objects, _inferred, _joined_column, _object_column, _per_distinct,
                                               _as_floats, _stacked, bool_check, check, concat_texts, fmt_bool,
                                               fmt_limit, fmt_value,
                                               county_codes, is_one_of, param, param_text, place_rows, shared_keys)
from quality_balance.method.assessment import _assessed_places, _chosen_parts, _part_ops
from quality_balance.method.items.recognition import _low_groups, _normal_quantile, wilson_interval
from quality_balance.method.rules import (FLOAT_TOLERANCE, _as_numbers, _formatted, digits_needed, digits_needed_array,
                                          limit_text, number_text, numbers_text, RATING_LEVELS, rating_level)
from quality_balance.standards.profile import profiles_by_county


def _digits_the_long_way(values, limits, decimals):
    """digits_needed_array before the shortcut: every checked value formatted to see how it reads."""
    v, lim = np.asarray(values, float), np.asarray(limits, float)
    d = np.broadcast_to(np.asarray(decimals, np.int64), v.shape)
    out = d.copy()
    for i in range(v.size):
        if np.isfinite(v[i]) and np.isfinite(lim[i]) and not abs(v[i] - lim[i]) <= FLOAT_TOLERANCE * abs(lim[i]):
            k = max(int(d[i]), 0)
            out[i] = k if np.sign(float(f"{v[i]:.{k}f}") - lim[i]) == np.sign(v[i] - lim[i]) \
                else digits_needed(float(v[i]), float(lim[i]), int(d[i]))
    return out


@pytest.mark.parametrize("value, limit, decimals, expected", [
    (9.99, 10.0, 1, 2),      # 0.01 from the limit: "10.0" would read as equal → 9.99
    (9.9, 10.0, 1, 1),       # exactly one last-digit unit away: formatted, reads "9.9"
    (9.89, 10.0, 1, 1),      # just past one unit: not formatted, "9.9" is right
    (9.96, 10.0, 1, 2),      # "10.0" would read on the wrong side → 9.96
    (5999.99, 6000.0, 0, 2),
    (10.0, 10.0, 1, 1),      # equal to the limit: the usual decimals
])
def test_digits_needed_array_at_one_unit_from_the_limit(value, limit, decimals, expected):
    assert digits_needed_array([value], [limit], [decimals]).tolist() == [expected]


def test_digits_needed_array_gives_what_formatting_every_value_gave():
    rng = np.random.default_rng(7)
    limits = np.repeat([10.0, 85.0, 0.45, 6000.0, 96.0], 400)
    values = limits + rng.choice([-1, 1], limits.size) * 10.0 ** rng.uniform(-6, 1, limits.size)
    values[::50] = limits[::50]                    # some exactly at the limit, some within the tolerance of it
    values[1::50] = limits[1::50] * (1 + FLOAT_TOLERANCE / 2)
    decimals = rng.integers(0, 4, limits.size)
    assert (digits_needed_array(values, limits, decimals) == _digits_the_long_way(values, limits, decimals)).all()


def test_rating_level_reads_each_distinct_rating_once_with_the_same_levels():
    ratings = pd.Series(["良好", "合格", "良好", None, "优秀及以上", "未知", "不合格", "良好"], index=list("abcdefgh"),
                        name="r")
    got = rating_level(ratings)
    assert got.tolist()[:3] == [2.0, 1.0, 2.0] and np.isnan(got["d"]) and np.isnan(got["f"])
    assert got["e"] == 3.0 and got["g"] == 0.0
    assert list(got.index) == list("abcdefgh") and got.name == "r" and got.dtype == float


@pytest.mark.parametrize("cells", [["良好及以上", 3, True, np.nan, "合格", 2.0, pd.NA], [], [None], ["优秀"]])
def test_rating_level_reads_cells_as_a_string_column_holds_them(cells):
    ratings = pd.Series(cells, dtype=object)
    text = ratings.astype("string").str.replace("及以上", "", regex=False)  # the long way: every cell as text
    want = text.map(RATING_LEVELS, na_action="ignore").to_numpy(dtype=float, na_value=np.nan)
    np.testing.assert_array_equal(rating_level(ratings).to_numpy(), want)


def test_normal_quantile_pins_the_975_point_and_the_edges():
    z = _normal_quantile(np.array([0.975, 0.5, 0.0, 1.0, np.nan, 1.2, -0.1]))
    assert z[0] == pytest.approx(1.959963984540054, rel=1e-15)
    assert z[1] == 0.0 and z[2] == -np.inf and z[3] == np.inf
    assert np.isnan(z[4:]).all()
    assert _normal_quantile(np.full((2, 2), 0.95)).shape == (2, 2)
    assert _normal_quantile(0.975).shape == ()


def test_wilson_interval_of_a_scalar_is_a_scalar_array():
    lo, hi = wilson_interval(85, 100)
    assert lo.shape == () and hi.shape == () and float(lo) == pytest.approx(0.7671644, abs=1e-7)


def _places():
    return pd.DataFrame({"city": ["甲市", "甲市", "乙市", "甲市"], "county": ["A县", "A县", "B县", "C县"],
                         "year": [2024, 2025, 2025, 2025]})


def test_shared_keys_gives_the_same_codes_for_the_same_frame_only():
    places = _places()
    outside = county_codes(places)
    assert outside[0].tolist() == [0, 0, 1, 2] and outside[1] == [("甲市", "A县"), ("乙市", "B县"), ("甲市", "C县")]
    assert county_codes(places) is not outside            # outside the block: computed every time
    with shared_keys():
        first = county_codes(places)
        assert county_codes(places) is first              # the same frame: the same answer
        twin = places.copy()
        assert county_codes(twin) is not first            # an equal frame that is another object: its own
        with shared_keys():                               # a nested block shares the outer one's codes
            assert county_codes(places) is first
        rows = place_rows(places.iloc[[3, 0]], places)
        assert rows.tolist() == [3, 0]
    assert county_codes(places) is not first              # dropped on leaving the block


def test_param_text_is_the_map_of_param_over_each_county():
    from quality_balance import demo

    schools = demo.generate(years=[2025]).schools
    profiles = profiles_by_county(schools[["city", "county"]].drop_duplicates())
    for dotted, fn in [("guarantee.G3.music_room_min_m2", limit_text), ("guarantee.G4.max_students_one_through",
                                                                          "{:g}".format)]:
        want = param(schools, profiles, dotted).map(fn)
        got = param_text(schools, profiles, dotted, fn)
        pd.testing.assert_series_equal(got, want)


def _stacked_by_frames(places, blocks):
    """What :func:`_stacked` stands for: one frame per block, concatenated by pandas."""
    frames = []
    for rows, columns in blocks:
        frame = places[["city", "county", "year"]].take(rows).reset_index(drop=True)
        for name, v in columns.items():
            frame[name] = v.to_numpy() if isinstance(v, pd.Series) else v
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("pieces", [
    [pd.Series(["a", "b"]), "c"],                      # texts and a text scalar: one text column
    [pd.Series([1.5, 2.0]), pd.Series([3.0])],         # numbers of one dtype
    [pd.Series([1, 2]), pd.Series([0.5])],             # mixed dtypes: left to pandas
    [True, False],                                     # flags
    [pd.Series(["a", None], dtype=object), "b"],       # object texts: left to pandas
    [pd.Series([np.nan, "x"]), "y"],                   # a text piece starting with a missing text
    [3, pd.Series([1.0])],                             # an integer scalar beside floats
])
def test_stacked_gives_the_frames_pandas_concatenates(pieces):
    places = pd.DataFrame({"city": ["A", "A", "B"], "county": ["a", "b", "c"], "year": [2024, 2024, 2025]})
    rows = [np.array([0, 2]), np.array([1])]
    blocks = [(r, {"v": p}) for r, p in zip(rows, pieces)]
    pd.testing.assert_frame_equal(_stacked(places, blocks), _stacked_by_frames(places, blocks), check_exact=True)


def test_stacked_of_empty_blocks_keeps_the_place_dtypes():
    places = pd.DataFrame({"city": ["A"], "county": ["a"], "year": [2024]})
    out = _stacked(places, [(np.zeros(0, dtype=np.int64), {"v": "x"})])
    assert len(out) == 0 and list(out.columns) == ["city", "county", "year", "v"]
    assert out["year"].dtype == np.int64


def _parts_table(rows):
    return pd.DataFrame(rows, columns=["city", "county", "year", "item", "part_no", "op", "value", "threshold",
                                       "status"])


def test_chosen_parts_take_the_first_failing_part_else_the_first_part():
    parts = _parts_table([
        ("A", "a", 2024, "G8", 2, "==", 0.0, 1.0, "not_met"),   # listed before part 1, still after it by part_no
        ("A", "a", 2024, "G8", 1, ">=", 5.0, 4.0, "met"),
        ("A", "a", 2024, "G11", 1, ">=", 1.0, 2.0, "not_met"),
        ("A", "a", 2024, "G11", 2, ">=", 0.5, 2.0, "not_met"),
        ("B", "b", 2024, "G8", 1, ">=", 5.0, 4.0, "met"),
        ("B", "b", 2024, "G8", 2, "==", 1.0, 1.0, "met"),
    ])
    wanted = pd.DataFrame({"city": ["B", "A", "A", "C"], "county": ["b", "a", "a", "c"], "year": [2024] * 4,
                           "item": ["G8", "G11", "G8", "G8"]}, index=[10, 11, 12, 13])
    assert _chosen_parts(parts, wanted).tolist() == [4, 2, 0, -1]
    ops = _part_ops(parts, wanted)
    assert ops.index.tolist() == [10, 11, 12, 13]
    assert ops["op"].tolist()[:3] == [">=", ">=", "=="] and pd.isna(ops["op"].iat[3])
    assert ops["part_value"].tolist()[:3] == [5.0, 1.0, 0.0] and np.isnan(ops["part_threshold"].iat[3])


def test_part_ops_without_parts_are_missing():
    wanted = pd.DataFrame({"city": ["A"], "county": ["a"], "year": [2024], "item": ["G8"]})
    for parts in (None, _parts_table([])):
        ops = _part_ops(parts, wanted)
        assert list(ops.columns) == ["op", "part_value", "part_threshold"] and ops.isna().all().all()
    assert _chosen_parts(_parts_table([("A", "a", 2024, "G9", 1, ">=", 1.0, 2.0, "met")]), wanted).tolist() == [-1]


@pytest.mark.parametrize("names", [["甲", "乙", "丙"], ["甲", None, "丙"], [None, None, None], [np.nan, "乙", "丙"]])
def test_concat_texts_is_what_adding_text_series_gives(names):
    name = pd.Series(names, dtype="str")
    stage = pd.Series(["小学", "初中", None], dtype=object).fillna("高中")
    numbers = np.array(["1.5", "—", "2"], dtype=object)
    expected = name + "（" + stage + "）" + numbers
    got = pd.Series(concat_texts(name, "（", stage, "）", numbers), dtype="str")
    pd.testing.assert_series_equal(got, expected, check_exact=True)


def test_concat_texts_of_no_rows_and_of_scalars():
    assert concat_texts(np.array([], dtype=object), "x").tolist() == []
    assert concat_texts("a", "b").tolist() == ["ab"]


@pytest.mark.parametrize("sep", ["", ","])
def test_formatted_writes_what_the_f_string_writes(sep):
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.normal(0, 1e4, 500), [0.0, -0.0, 0.125, 2.5, -2.5, 1e16, -1e-9, np.inf, -np.inf],
                             np.repeat([1.5, 2.25], 3)])
    digits = rng.integers(0, 5, len(values))
    expected = [f"{x:{sep}.{k}f}" for x, k in zip(values.tolist(), digits.tolist())]
    assert _formatted(values, digits, sep).tolist() == expected
    assert _formatted(values[:1], digits[:1], sep).tolist() == expected[:1]


def test_low_groups_join_the_failing_groups_of_each_county_year_in_table_order():
    table = pd.DataFrame({"city": "c", "county": ["k", "k", "k", "k", "j"], "year": 2025,
                          "group": ["全体", "家长", "教师", "学生", "家长"],
                          "passes": [False, False, True, False, False]})
    places = pd.DataFrame({"city": "c", "county": ["j", "k", "m"], "year": 2025})
    assert _low_groups(table, places).tolist() == ["家长", "家长、学生", ""]  # (全体 is not a group)


def test_low_groups_of_no_rows_and_of_every_group_passing():
    places = pd.DataFrame({"city": ["c"], "county": ["k"], "year": [2025]})
    empty = pd.DataFrame({"city": [], "county": [], "year": [], "group": [], "passes": []})
    assert _low_groups(empty, places).tolist() == [""]
    passing = pd.DataFrame({"city": "c", "county": "k", "year": 2025, "group": ["家长"], "passes": [True]})
    assert _low_groups(passing, places).tolist() == [""]


def test_is_one_of_is_isin_with_missing_cells_never_one():
    frame = pd.DataFrame({"school_type": pd.Series(["小学", None, "教学点", "小学", "初级中学"], dtype="str")},
                         index=[4, 3, 2, 1, 0])
    with shared_keys():
        for values in (("小学",), ("教学点", "特殊教育学校"), ("高中",)):
            got = is_one_of(frame, "school_type", values)
            pd.testing.assert_series_equal(got, frame["school_type"].isin(values), check_names=False)
    assert is_one_of(frame.iloc[:0], "school_type", ("小学",)).tolist() == []
    assert is_one_of(pd.DataFrame({"location": [np.nan]}), "location", ("乡村",)).tolist() == [False]


def test_as_numbers_takes_number_scalars_and_numeric_series_only():
    assert _as_numbers(10).tolist() == 10.0 and _as_numbers(np.float64(0.15)).tolist() == 0.15
    assert _as_numbers(pd.Series([1, 2])).tolist() == [1.0, 2.0]
    assert np.isnan(_as_numbers(pd.Series([np.nan]))).all()
    for other in (True, None, "10", pd.Series(["10"]), pd.Series([True]), pd.Series([1.0], dtype=object),
                  pd.Series([1], dtype="Int64")):
        assert _as_numbers(other) is None


@pytest.mark.parametrize("limits", [10, 10.0, np.float64(10.0), pd.Series([10.0, 6000.0, np.nan, 10.0]),
                                    pd.Series([10, 6000, 4, 0]), None, pd.Series([10.0, None, "x", 1], dtype=object)])
@pytest.mark.parametrize("decimals", [0, 1, np.int64(2), pd.Series([1, 0, 2, 1])])
def test_numbers_text_is_number_text_of_each_element(limits, decimals):
    values = pd.Series([9.99, 5999.99, np.nan, -0.0])
    got = numbers_text(values, limits, decimals=decimals, unit="%")
    def spread(x, i):  # row i of a per-row argument
        return x.iloc[i] if isinstance(x, pd.Series) else x
    want = [number_text(v, spread(limits, i), decimals=int(spread(decimals, i)), unit="%")
            for i, v in enumerate(values.tolist())]
    assert got.tolist() == want and got.dtype == object


def test_numbers_text_of_no_rows_with_a_scalar_limit():
    assert numbers_text(pd.Series([], dtype=float), 10.0, decimals=1, unit="元").tolist() == []


@pytest.mark.parametrize("keys", [
    {"city": ["乙市", "甲市", "乙市", "甲市"], "county": ["b", "a", "b", "c"], "year": [2025, 2024, 2024, 2025]},
    {"city": ["甲市"], "county": ["a"], "year": [2024]},                     # one school
    {"city": [], "county": [], "year": []},                                  # no school
])
def test_assessed_places_give_each_school_the_county_codes_county_codes_gives(keys):
    schools = pd.DataFrame(keys).astype({"city": "str", "county": "str", "year": "int64"})
    places, rows, (codes, pairs), _ = _assessed_places(schools)
    want_codes, want_pairs = county_codes(schools)  # computed from the school table itself
    assert codes.tolist() == want_codes.tolist() and pairs == want_pairs
    assert rows.tolist() == [places.index[(places["city"] == c) & (places["county"] == k) & (places["year"] == y)][0]
                             for c, k, y in zip(keys["city"], keys["county"], keys["year"])]


def _joined_the_long_way(pieces):
    """What :func:`_joined_column` stands for: each piece as a Series (a Series' values re-inferred), concatenated."""
    series = [pd.Series(v.to_numpy()) if isinstance(v, pd.Series) else pd.Series(v, index=pd.RangeIndex(n))
              for n, v in pieces]
    return pd.concat(series, ignore_index=True).array


def _cells(array):
    """Each cell with its type, NaN and None told apart (``assert_frame_equal`` takes them as equal)."""
    return [("NaN",) if isinstance(c, float) and np.isnan(c) else (type(c), c) for c in np.asarray(array, dtype=object)]


def _assert_same_column(got, want):
    assert type(got) is type(want) or (isinstance(got, np.ndarray) and isinstance(want, np.ndarray))
    assert got.dtype == want.dtype
    assert _cells(got) == _cells(want)


_OBJ = dict(dtype=object)


@pytest.mark.parametrize("pieces", [
    # numbers and an object text
    [(2, pd.Series([1.5, np.nan])), (1, pd.Series(["是"], **_OBJ)), (2, pd.Series([3, 4]))],
    [(2, pd.Series([1.5, 2.0])), (2, "—")],                                      # numbers beside a text scalar
    [(2, pd.Series(["a", None], **_OBJ)), (1, pd.Series(["b"]))],                 # object texts with None: texts, NaN
    [(2, pd.Series(["a", None], **_OBJ)), (1, pd.Series([2.0]))],                 # ... beside numbers: objects, NaN
    [(2, pd.Series([None, None], **_OBJ)), (1, pd.Series(["b"]))],                # all None stays object, None kept
    [(2, pd.Series([True, None], **_OBJ)), (2, pd.Series([1.0, 2.0]))],           # flags as objects beside numbers
    [(1, pd.Series([True])), (1, pd.Series([1.0]))],                              # flags beside numbers: objects
    [(1, True), (2, pd.Series([7]))],                                             # a flag scalar beside integers
    [(2, pd.Series(["a", 1.0], **_OBJ)), (1, "b")],                               # a number among texts: objects
    [(2, pd.Series(["a", pd.NA], **_OBJ)), (1, 3.5)],                             # NA among texts: asked of pandas
    [(2, pd.Series([np.nan, "x"])), (1, "y")],                                    # a text Series starting missing
    [(1, pd.Series([pd.Timestamp("2025-01-01").to_pydatetime()], **_OBJ)), (1, 1.0)],  # a date: left to pandas
    [(2, pd.Series([1, 2])), (1, pd.Series([0.5]))],                              # int and float: left to pandas
    [(0, pd.Series([], dtype=float)), (1, pd.Series(["a"], **_OBJ))],             # an empty piece: left to pandas
    [(2, pd.Series(["a", "b"])), (1, "c"), (2, pd.Series(["d", None]))],          # texts: one conversion
])
def test_joined_column_gives_what_pandas_concatenates(pieces):
    _assert_same_column(_joined_column(pieces), _joined_the_long_way(pieces))


@pytest.mark.parametrize("values", [
    np.array(["a", None, np.nan], **_OBJ), np.array([None, np.nan], **_OBJ), np.array([1.0, True, None], **_OBJ),
    np.array(["a", 2.0], **_OBJ), np.array(["a", pd.NA], **_OBJ), np.array([np.float64(1.0), "a"], **_OBJ),
    np.array([1.0, 2.0]), np.array(["a", "b"], **_OBJ),
])
def test_inferred_is_what_a_series_infers(values):
    dtype, cells = _inferred(values)
    want = pd.Series(values)
    assert dtype == want.dtype
    assert _cells(cells) == _cells(want.to_numpy(dtype=object))


def test_object_column_leaves_other_mixes_to_pandas():
    assert _object_column([(1, pd.Series([1])), (1, pd.Series([0.5]))]) is None     # a numeric common dtype
    assert _object_column([(0, "a"), (1, 1.0)]) is None                              # an empty piece
    assert _object_column([(1, np.float32(1.0)), (1, "a")]) is None                  # a numpy scalar
    assert _object_column([(2, pd.Series([1.5, 2.0])), (2, "—")]) is not None      # (the shortcut itself)
    assert _object_column([(2, pd.Series(["a", None], **_OBJ)), (1, "b")]) is not None


@pytest.mark.parametrize("series", [
    pd.Series([10.0, np.nan, 0.15, 10.0, 6000.0]), pd.Series([3, 1, 3]), pd.Series([0.5, 1.25], dtype="float32"),
    pd.Series([1.0, None], dtype="Float64"),                      # a nullable dtype: its own factorisation
    pd.Series([0.0, -0.0]),                                       # −0.0: element by element
])
def test_number_texts_per_distinct_value_are_those_of_map(series):
    for fmt in (fmt_value, fmt_limit):
        got, want = fmt(series), series.map(lambda v: fmt(pd.Series([v], dtype=object)).iat[0]).astype(object)
        assert got.dtype == object and got.tolist() == want.tolist()
    def fn(v):  # the number each distinct value is given as
        return f"{type(v).__name__}:{v}"
    if not (series == 0).any():                                   # (as the Series' own factorisation gave it)
        codes, uniques = pd.factorize(series, use_na_sentinel=False)
        assert _per_distinct(series, fn).tolist() == np.array([fn(u) for u in uniques], dtype=object)[codes].tolist()


@pytest.mark.parametrize("n", [1, 2, 127, 128, 300])
def test_formatted_few_or_many_values_read_alike(n):
    rng = np.random.default_rng(n)
    values = np.round(rng.uniform(-2000, 2000, n), 2)
    values[::7] = -0.0
    digits = rng.integers(0, 4, n)
    for sep in ("", ","):
        want = [f"{x:{sep}.{k}f}" for x, k in zip(values.tolist(), digits.tolist())]
        assert _formatted(values, digits, sep).tolist() == want


@pytest.mark.parametrize("column", [
    pd.Series([1.5, np.nan]), pd.Series([1, 2]), pd.Series([True, False]), pd.Series(["a", None]),
    pd.Series(["a", None, 2.0], dtype=object), pd.Series([1, None], dtype="Int64"),
])
def test_as_objects_gives_the_cells_of_astype_object(column):
    assert _cells(_as_objects(column)) == _cells(column.astype(object).to_numpy())


def _bool_check_the_long_way(values, label, want=True):
    missing = values.isna()
    ok = values.fillna(not want).astype(bool) == want
    status = np.select([missing, ok], ["no_data", "met"], "not_met")
    text = label + "：" + fmt_bool(values)
    return check(status, values.astype(object), "是" if want else "否", text, values.index, op="==", part=label)


@pytest.mark.parametrize("values", [
    pd.Series([True, None, False], dtype="boolean", index=[3, 1, 2]),   # the readers' flags: on the arrays
    pd.Series([True, False], dtype="boolean"),
    pd.Series([], dtype="boolean"),
    pd.Series([True, None, 0.0], dtype=object),                        # any other dtype: the Series way
])
@pytest.mark.parametrize("want", [True, False])
def test_bool_check_gives_what_the_series_way_gave(values, want):
    got, expected = bool_check(values, "有", want), _bool_check_the_long_way(values, "有", want)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    for name in got:
        assert _cells(got[name]) == _cells(expected[name])


@pytest.mark.parametrize("values", [pd.Series([1.5, np.nan], index=[4, 2]), pd.Series([1, None], dtype="Int64"),
                                    pd.Series(["2", "x"], dtype=object)])
def test_numeric_check_takes_float_columns_as_they_are(values):
    assert _as_floats(values).equals(pd.to_numeric(values, errors="coerce").astype(float))
    assert _as_floats(values).index.equals(values.index)


def test_joined_texts_lay_scalars_and_series_out_in_order():
    pieces = [(2, "甲"), (2, pd.Series(["a", np.nan])), (1, "乙"), (3, "甲"), (1, pd.Series(["b"]))]
    _assert_same_column(_joined_column(pieces), _joined_the_long_way(pieces))
    assert _cells(_joined_column(pieces)) == _cells(["甲", "甲", "a", np.nan, "乙", "甲", "甲", "甲", "b"])


def test_school_values_read_a_series_over_the_schools_by_position_or_by_label():
    from quality_balance.method.items._base import school_values
    schools = pd.DataFrame({"x": [1.0, np.nan, 3.0, 4.0]}, index=[40, 10, 30, 20])
    aligned = schools["x"] * 2
    at = np.array([2, 0, 1])
    got = school_values(aligned, schools, at)
    pd.testing.assert_series_equal(got, aligned.loc[schools.index[at]].reset_index(drop=True))
    other = pd.Series(pd.array([True, None, False, True], dtype="boolean"), index=[10, 20, 30, 40])
    got = school_values(other, schools, at)  # not aligned: by label, the dtype kept
    pd.testing.assert_series_equal(got, other.loc[schools.index[at]].reset_index(drop=True))
    assert got.dtype == "boolean"


@pytest.fixture(scope="module")
def school_items_inputs(demo_data):
    from quality_balance.method.assessment import _with_classes
    data = _with_classes(demo_data, None)
    schools = data.schools.reset_index(drop=True)
    places = _assessed_places(schools)[0]
    return data, schools, places, profiles_by_county(places, None)


@pytest.mark.parametrize("relabel", [
    lambda n: np.arange(n) * 7 + 3,                    # unique, not 0 … n − 1
    lambda n: pd.Index([f"s{i}" for i in range(n)]),   # text labels
])
def test_school_items_do_not_depend_on_the_school_index(school_items_inputs, relabel):
    """The school-level items read the failing schools by position: any unique index gives the same tables."""
    from quality_balance.method.items.guarantee import guarantee_items
    from quality_balance.method.items.quality import quality_items
    data, schools, places, profiles = school_items_inputs
    relabelled = schools.set_axis(relabel(len(schools)))

    def blocks(s):
        return (guarantee_items(places, s, data.counties, profiles, classes=data.classes),
                quality_items(places, s, data.counties, data.scores, profiles))
    for want, got in zip(blocks(schools), blocks(relabelled)):
        pd.testing.assert_frame_equal(got.rows, want.rows, check_exact=True)
        pd.testing.assert_frame_equal(got.school_failures, want.school_failures, check_exact=True)
        assert len(want.school_failures)  # (the demo has failing schools: the texts were written)


def test_assessing_some_years_gives_what_their_schools_alone_give(demo_data):
    """``assess(years=…)`` passes the items a filtered school table (its index not 0 … n − 1)."""
    years = sorted(set(demo_data.schools["year"]))[-2:]
    filtered = demo_data.replace(
        schools=demo_data.schools[demo_data.schools["year"].isin(years)].reset_index(drop=True),
        counties=demo_data.counties[demo_data.counties["year"].isin(years)].reset_index(drop=True))
    import quality_balance as qb
    want, got = qb.assess(filtered), qb.assess(demo_data, years=years)
    pd.testing.assert_frame_equal(got.items, want.items, check_exact=True)
    pd.testing.assert_frame_equal(got.school_failures, want.school_failures, check_exact=True)


@pytest.mark.parametrize("flag", [
    pd.array([None, None, False, True, None, True], dtype="boolean"),   # some blank: derived there
    pd.array([True, False, False, True, False, True], dtype="boolean"),  # none blank: school type not read
    pd.array([None] * 6, dtype="boolean"),                               # all blank: derived
    np.array([True, None, False, 1.0, np.nan, "x"], dtype=object),       # not a flag column: the long way
    None,                                                                # no column
])
def test_village_schools_gives_what_filling_the_flag_with_the_derived_one_gave(flag):
    from quality_balance.method.items.guarantee import village_schools
    schools = pd.DataFrame({"school_type": ["教学点", "小学", "小学", "初级中学", "小学", None],
                            "location": ["城区", "乡村", "乡村", "乡村", "城区", "乡村"]},
                           index=[9, 4, 7, 1, 3, 2]).astype("str")
    if flag is not None:
        schools["is_village_school"] = flag
    derived = schools["school_type"].isin(["教学点"]) | (schools["school_type"].isin(["小学"])
                                                       & schools["location"].isin(["乡村"]))
    column = schools.get("is_village_school")
    try:
        want = (column.astype("boolean").fillna(derived).astype(bool) if column is not None and column.notna().any()
                else derived)
    except (TypeError, ValueError) as error:  # the long way refused the column: so must the short one
        with pytest.raises(type(error)):
            village_schools(schools)
        return
    pd.testing.assert_series_equal(village_schools(schools), want, check_names=False)
    assert village_schools(schools).name == want.name


def test_g3_on_arrays_judges_each_school_as_the_series_did():
    """G3's verdict on float arrays: the same failing and lacking schools as the Series chain gave."""
    from quality_balance.method.items._base import column, is_one_of, shared_keys
    from quality_balance.method.items.guarantee import ROOM_EXEMPT_TYPES, _g3
    from quality_balance.method.rules import at_least
    from quality_balance.standards.conditions import school_setting
    nan = np.nan
    figures = {  # missing classes, rooms, areas; areas one tolerance unit from the minimum; senior classes
        "classes_primary": [12, nan, 30, 6, 18, 24, nan, 12], "classes_junior": [0, nan, 6, nan, 6, 0, 9, 0],
        "classes_senior": [nan, 3, 12, nan, 0, 6, 3, nan],
        "music_rooms": [1, 1, 2, 0, nan, 1, 1, 2], "art_rooms": [1, 1, 1, 1, 1, 0, 1, 2],
        "music_room_min_area_m2": [96, 95.99999999, nan, nan, 96, 90, 96, 96],
        "art_room_min_area_m2": [96, 96, 96, 96, 96, nan, 96, 95.5]}
    schools = pd.DataFrame({"city": "甲市", "county": ["甲县"] * 4 + ["乙县"] * 4, "year": 2025,
                            "school_id": [f"s{i}" for i in range(8)], "school_name": [f"学校{i}" for i in range(8)],
                            "school_type": ["小学", "完全中学", "九年一贯制学校", "教学点", "小学", "初级中学",
                                            "十二年一贯制学校", "小学"], **figures},
                           index=[70, 60, 50, 40, 30, 20, 10, 0]).astype({"city": "str", "county": "str",
                                                                        "school_id": "str", "school_name": "str",
                                                                        "school_type": "str"})
    places = _assessed_places(schools)[0]
    profiles = profiles_by_county(places, None)
    with shared_keys():
        got = _g3(schools, places, profiles)
        # the Series chain G3 used before
        g3 = "guarantee.G3."
        per = school_setting(schools, profiles, g3 + "classes_per_room")
        music_min = school_setting(schools, profiles, g3 + "music_room_min_m2")
        art_min = school_setting(schools, profiles, g3 + "art_room_min_m2")
        senior = param(schools, profiles, g3 + "count_senior_classes").fillna(False).astype(bool)
        classes = (column(schools, "classes_primary").astype(float).fillna(0)
                   + column(schools, "classes_junior").astype(float).fillna(0)
                   + column(schools, "classes_senior").astype(float).fillna(0).where(senior, 0.0))
        need = np.maximum(1, np.ceil(classes / per))
        music, art = schools["music_rooms"].astype(float), schools["art_rooms"].astype(float)
        m_area, a_area = schools["music_room_min_area_m2"], schools["art_room_min_area_m2"]
        missing = (schools["classes_primary"].isna() & schools["classes_junior"].isna()) | music.isna() \
            | art.isna() | (m_area.isna() & (music > 0)) | (a_area.isna() & (art > 0))
        ok = at_least(music, need) & at_least(art, need) & ((music == 0) | at_least(m_area, music_min)) \
            & ((art == 0) | at_least(a_area, art_min))
        scope = ~is_one_of(schools, "school_type", ROOM_EXEMPT_TYPES)
    failing = schools.loc[scope & ~ok & ~missing, "school_id"].tolist()
    assert got.failures["school_id"].tolist() == failing and 0 < len(failing) < 7
    assert got.check["value"].sum() == len(failing)
    assert (got.check["status"] == "no_data").sum() + (got.check["status"] == "not_met").sum() == len(places)
    assert got.failures["detail"].str.contains("间应配").all()
