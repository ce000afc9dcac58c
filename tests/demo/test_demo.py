"""The synthetic demo data: reproducible, valid against the schema, labelled synthetic, and telling the designed
story."""
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import quality_balance as qb
from quality_balance import demo
from quality_balance.errors import OutputError
from quality_balance.schema import (CLASSES, COUNTIES, LOCATIONS, SCHOOL_TYPE_STAGES, SCHOOL_TYPES, SCHOOLS, SCORES,
                                    SURVEY, SURVEY_GROUPS)

REPO = Path(__file__).resolve().parents[2]
SMALL_YEARS = (2025,)  # file tests run on one year: the same code path, in less time
VERDICT_COLUMNS = ["resources", "guarantee", "quality", "recognition", "veto", "overall"]


@pytest.fixture(scope="module")
def data():
    return demo.generate()


@pytest.fixture(scope="module")
def result(data):
    return qb.assess(data)


@pytest.fixture(scope="module")
def small():
    return demo.generate(seed=7, years=SMALL_YEARS)


@pytest.fixture(scope="module")
def folder(small, tmp_path_factory):
    out = tmp_path_factory.mktemp("written") / "demo"
    demo.write(small, out)
    return out


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- reproducibility -------------------------------------------------------------------------------

def test_same_seed_gives_identical_tables_and_identical_files(small, folder, tmp_path):
    again = demo.generate(seed=7, years=SMALL_YEARS)
    for name, table in small.tables.items():
        pd.testing.assert_frame_equal(table, again.tables[name])
    assert again.metadata == small.metadata
    demo.write(again, tmp_path / "demo")
    assert _digests(tmp_path / "demo") == _digests(folder)  # CSV, workbook, metadata: byte for byte


def test_a_different_seed_gives_different_data(small):
    other = demo.generate(seed=8, years=SMALL_YEARS)
    assert not small.schools["students_primary"].equals(other.schools["students_primary"])
    assert not small.schools["school_name"].equals(other.schools["school_name"])
    assert other.metadata["seed"] == 8


def test_bad_arguments_are_refused_with_a_message():
    with pytest.raises(qb.QualityBalanceError, match="years"):
        demo.generate(years=[])
    with pytest.raises(qb.QualityBalanceError, match="seed"):
        demo.generate(seed=-1)


# --- coverage and validity -------------------------------------------------------------------------

def test_every_place_and_year_is_present_with_its_real_code(data):
    places = {(p.city, p.county, p.code) for p in demo.PLACES}
    assert len(places) == 17
    for table in (data.schools, data.counties):
        assert set(map(tuple, table[["city", "county", "county_code"]].drop_duplicates().to_numpy())) == places
        assert set(table["year"]) == set(demo.DEFAULT_YEARS)
    assert len(data.counties) == 17 * 5
    groups = data.survey.groupby(["county", "year"])["group"].agg(lambda g: sorted(g) == sorted(SURVEY_GROUPS))
    assert groups.all() and len(groups) == 17 * 5
    assert {p.code for p in demo.PLACES if p.county == "濮阳县"} == {"410928"}
    assert set(data.scores["county"]) == {c for c, d in demo.DESIGN.items() if d.scores} == {"范县", "蕉岭县", "桓台县"}


def test_school_table_values_respect_the_schema(data):
    s = data.schools
    assert list(s.columns) == SCHOOLS.names
    assert not s.duplicated(["school_id", "year"]).any()
    assert s["school_id"].str.fullmatch(r"\d{10}").all()
    assert s["school_type"].isin(SCHOOL_TYPES).all() and s["location"].isin(LOCATIONS).all()
    for col in SCHOOLS.columns:
        values = s[col.name].dropna()
        if col.kind in ("count", "amount"):
            assert (values >= 0).all(), col.name
        if col.kind == "count":
            assert (values % 1 == 0).all(), col.name
        if col.required:
            assert s[col.name].notna().all(), col.name
    for school_type, stages in SCHOOL_TYPE_STAGES.items():  # students only in the stages a type enrols
        rows = s[s["school_type"] == school_type]
        for stage in ("primary", "junior", "senior"):
            if stage not in stages:
                assert (rows[f"students_{stage}"] == 0).all(), (school_type, stage)
    for stage in ("primary", "junior"):  # no teachers or classes without students of the stage
        absent = s[f"students_{stage}"] == 0
        for prefix in ("teachers_above_degree", "backbone_teachers", "pe_art_teachers", "classes", "max_class_size"):
            assert (s.loc[absent, f"{prefix}_{stage}"] == 0).all(), (prefix, stage)


def test_schools_are_stable_across_years_and_cover_the_realistic_range(data):
    s = data.schools
    identity = s.groupby("school_id")[["school_name", "school_type", "county"]].nunique()
    assert (identity == 1).all().all()
    assert s.groupby("county")["school_id"].nunique().between(20, 130).all()
    per_county = s[s["school_type"] == "特殊教育学校"].groupby(["county", "year"]).size()
    assert len(per_county) == 17 * 5 and (per_county == 1).all()
    points = s[s["school_type"] == "教学点"]["students_primary"]
    assert points.min() >= 5 and points.max() <= 60
    compulsory = s["students_primary"] + s["students_junior"]
    assert compulsory.max() > 2000 and set(s["school_type"]) == set(SCHOOL_TYPES)
    # a few schools report per-stage facilities, the rest leave them to the weighted split
    reported = s["teaching_area_m2_primary"].notna()
    assert 0 < s.loc[reported, "school_id"].nunique() <= 6


def test_written_files_pass_the_loaders_validation(folder):
    loaded = qb.load_dataset(folder)
    assert loaded.synthetic
    # the only note: the workbook duplicates the CSV files, so it is not read twice
    assert list(loaded.notes) == []  # the workbook copy sits in excel/, so nothing is skipped or noted


# --- files -----------------------------------------------------------------------------------------

def test_csv_has_bom_and_chinese_headers_and_round_trips(small, folder):
    raw = (folder / "schools.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    for name, table in (("schools", SCHOOLS), ("counties", COUNTIES), ("survey", SURVEY), ("scores", SCORES),
                        ("classes", CLASSES)):
        back = pd.read_csv(folder / f"{name}.csv", encoding="utf-8-sig", dtype={c.zh: str for c in table.columns
                                                                                if c.kind == "text"})
        assert list(back.columns) == [c.zh for c in table.columns]
        back.columns = table.names
        for col in table.columns:
            if col.kind == "bool":
                back[col.name] = back[col.name].map({"是": True, "否": False}).astype(
                    getattr(small, name)[col.name].dtype)   # a column blank outside one city stays nullable
        pd.testing.assert_frame_equal(back, getattr(small, name), check_dtype=False)


def test_metadata_and_dataset_say_synthetic(data, folder):
    assert data.synthetic and "合成演示数据" in data.source and "seed=2021" in data.source
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True
    assert meta["seed"] == 7 and meta["years"] == list(SMALL_YEARS)
    assert meta["generator"] == "quality_balance.demo" and "synthetic" in meta["description"]
    assert meta["version"] == qb.__version__ and meta["created_by"]


def test_workbook_has_one_sheet_per_table_and_synthetic_properties(small, folder):
    book = openpyxl.load_workbook(folder / demo.WORKBOOK_FILE, read_only=True)
    assert book.sheetnames == [SCHOOLS.zh, COUNTIES.zh, SURVEY.zh, SCORES.zh, CLASSES.zh]
    props = book.properties
    for text in (props.title, props.subject, props.description, props.keywords):
        assert "合成" in text
    assert "synthetic" in props.subject and "synthetic" in props.keywords
    rows = list(book[SCHOOLS.zh].iter_rows(values_only=True))
    assert list(rows[0]) == [c.zh for c in SCHOOLS.columns]
    assert len(rows) == len(small.schools) + 1
    first = small.schools.iloc[0]
    assert rows[1][SCHOOLS.names.index("school_name")] == first["school_name"]
    assert rows[1][SCHOOLS.names.index("students_primary")] == first["students_primary"]


def test_committed_readme_is_what_the_generator_writes(folder):
    committed = (REPO / "data" / "demo" / "README.md").read_text(encoding="utf-8")
    assert committed == demo.readme_text() == (folder / "README.md").read_text(encoding="utf-8")
    assert "合成" in committed and "非真实统计" in committed


def test_rewriting_replaces_a_previous_demo_but_never_foreign_files(small, folder, tmp_path):
    target = tmp_path / "demo"
    shutil.copytree(folder, target)
    (target / "schools.csv").write_text("stale", encoding="utf-8")
    (target / "scores.csv").unlink()
    demo.write(small, target)  # a previous demo folder is replaced whole
    assert _digests(target) == _digests(folder)
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    before = _digests(target)
    with pytest.raises(qb.QualityBalanceError, match="notes.txt"):
        demo.write(small, target)
    assert _digests(target) == before


def test_a_users_own_tables_are_never_replaced_by_the_demo(small, tmp_path, capsys):
    """A folder of the user's with schools.csv (a name the demo writes) but no demo marker is refused."""
    from quality_balance.cli import main

    target = tmp_path / "my-county"
    target.mkdir()
    (target / "schools.csv").write_text("学校标识码,学校名称\n4109220001,城关一小\n", encoding="utf-8")
    before = _digests(target)
    with pytest.raises(qb.QualityBalanceError, match="schools.csv"):
        demo.write(small, target)
    assert main(["demo", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "schools.csv" in err and "未写入任何内容" in err and "Traceback" not in err
    assert _digests(target) == before and sorted(p.name for p in tmp_path.iterdir()) == ["my-county"]


def test_a_fresh_checkouts_demo_folder_and_empty_folders_are_written(small, tmp_path):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "README.md").write_text(demo.readme_text(), encoding="utf-8")   # data/demo as committed
    empty = tmp_path / "empty"
    empty.mkdir()
    for target in (fresh, empty):
        demo.write(small, target)
        assert (target / demo.files.MARKER_FILE).is_file() and (target / "schools.csv").is_file()
    edited = tmp_path / "edited"
    edited.mkdir()
    (edited / "README.md").write_text("我的说明", encoding="utf-8")           # not the demo's README
    with pytest.raises(qb.QualityBalanceError, match="README.md"):
        demo.write(small, edited)
    assert (edited / "README.md").read_text(encoding="utf-8") == "我的说明"


def test_a_failure_while_writing_leaves_the_previous_folder_untouched(small, folder, tmp_path):
    target = tmp_path / "demo"
    shutil.copytree(folder, target)
    (target / "schools.csv").write_text("previous", encoding="utf-8")
    before = _digests(target)
    broken = small.replace(metadata={**small.metadata, "unserialisable": object()})
    with pytest.raises(OutputError) as err:                    # a writer's failure is an OutputError (issue 10)
        demo.write(broken, target)
    assert isinstance(err.value.__cause__, TypeError)
    assert _digests(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]  # no half-written staging folder left


# --- the designed story ----------------------------------------------------------------------------

def test_every_county_year_gets_the_designed_verdict(data, result):
    want = demo.designed_verdicts()
    got = result.verdicts.merge(want, on=["city", "county", "year"], suffixes=("", "_designed"))
    assert len(got) == 17 * 5
    for col in VERDICT_COLUMNS:
        wrong = got.loc[got[col] != got[f"{col}_designed"], ["county", "year", col]]
        assert wrong.empty, f"{col}: {wrong.to_dict('records')}"
    # every dimension both passes and fails somewhere
    for col in VERDICT_COLUMNS:
        assert set(got[col]) == {"met", "not_met"}, col


def test_hohhot_districts_follow_the_seed_schedule(result):
    overall = result.verdicts.set_index(["county", "year"])["overall"]
    assert [overall[("玉泉区", y)] for y in demo.DEFAULT_YEARS] == ["not_met"] + ["met"] * 4
    for county, planned in {"武川县": 2022, "清水河县": 2023, "赛罕区": 2024, "新城区": 2024, "土默特左旗": 2025,
                            "回民区": 2025}.items():
        assert demo.DESIGN[county].planned == planned
        assert [overall[(county, y)] == "met" for y in demo.DEFAULT_YEARS] == [y >= planned for y in demo.DEFAULT_YEARS]
    assert overall[("和林格尔县", 2025)] == "not_met" and overall[("托克托县", 2025)] == "not_met"


def test_near_misses_fail_by_a_little(result):
    cv = result.cv.set_index(["county", "year", "stage", "indicator"])
    row = cv.loc[("和林格尔县", 2025, "primary", "R5")]
    assert row["limit"] < row["cv"] < row["limit"] * 1.08  # just over 0.50
    units = result.units.query("county == '和林格尔县' and year == 2025")
    assert (~units["passes_school_rule"].astype(bool)).sum() == 2  # and two schools under the school rule
    s1 = result.items.set_index(["county", "year", "item"]).loc[("托克托县", 2025, "S1")]
    assert 83.0 < s1["value"] < 85.0


def test_a_veto_alone_fails_a_county_that_meets_all_four_dimensions(result):
    v = result.verdicts.set_index(["county", "year"]).loc[("华龙区", 2024)]
    assert (v[["resources", "guarantee", "quality", "recognition"]] == "met").all()
    assert v["veto"] == "not_met" and v["overall"] == "not_met"
    vetoes = result.items.query("county == '华龙区' and year == 2024 and dimension == 'veto' and status == 'not_met'")
    assert list(vetoes["item"]) == ["V2"]


def test_passing_counties_pass_comfortably_within_the_cv_limits(result):
    designed = demo.designed_verdicts()
    met = designed.loc[designed["resources"] == "met", ["county", "year"]]
    cv = result.cv.merge(met, on=["county", "year"])
    assert (cv["cv"] / cv["limit"]).max() < 0.8


def test_local_profiles_change_the_2024_outcome_of_huantai_and_jiaoling(data, result):
    national = qb.assess(data.replace(schools=data.schools[data.schools["year"] == 2024],
                                      counties=data.counties[data.counties["year"] == 2024]), profile="national")
    local = result.verdicts.set_index(["county", "year"])["overall"]
    nat = national.verdicts.set_index(["county", "year"])["overall"]
    for county in ("桓台县", "蕉岭县"):
        assert local[(county, 2024)] == "not_met" and nat[(county, 2024)] == "met"
    failing = result.items.query("county == '桓台县' and year == 2024 and status == 'not_met'")
    assert set(failing["item"]) == {"G6", "G14"}
    assert failing.set_index("item").loc["G14", "value"] == pytest.approx(66.5)


def test_a_tiny_survey_that_passes_by_chance_is_flagged(data, result):
    tiny = data.survey.query("county == '清水河县' and year == 2023")
    assert tiny["respondents"].sum() < 100
    overall = result.recognition.query("group == '全体' and fragile")
    assert list(zip(overall["county"], overall["year"])) == [("清水河县", 2023)]


def test_q9_difference_rate_comes_from_scores_where_the_county_table_is_blank(data, result):
    with_scores = data.counties[data.counties["county"].isin(["范县", "蕉岭县", "桓台县"])]
    assert with_scores["difference_rate"].isna().all()
    assert data.counties.loc[~data.counties.index.isin(with_scores.index), "difference_rate"].notna().all()
    q9 = result.items.query("item == 'Q9' and county in ['范县', '蕉岭县', '桓台县']").set_index(["county", "year"])
    assert q9["reason"].str.contains("由学生成绩计算").all()
    assert (q9.xs("范县")["status"] == "not_met").all() and (q9.xs("蕉岭县")["status"] == "met").all()
    per_school = data.scores.groupby(["county", "year", "subject", "school_id"]).size()
    assert per_school.between(5, 32).all() and per_school.median() >= 20


# --- plan tracking inputs --------------------------------------------------------------------------

def test_puyang_large_classes_and_large_schools_fall_as_planned(data):
    py = data.schools[data.schools["city"] == "濮阳市"]
    classes = py.groupby("year")["classes_56_plus"].sum()
    assert classes.is_monotonic_decreasing and classes[2021] > 800 and 0 < classes[2025] < 200
    by_county = py.groupby(["county", "year"])["classes_56_plus"].sum()
    assert by_county[("华龙区", 2024)] == 0 and by_county[("清丰县", 2025)] == 0 and by_county[("濮阳县", 2025)] > 0
    has = py["classes_56_plus"] > 0
    assert (py.loc[has, ["max_class_size_primary", "max_class_size_junior"]].max(axis=1) >= 56).all()
    size = py["students_primary"] + py["students_junior"]
    single = py["school_type"].isin(["小学", "初级中学"])
    large = py[single & (size > 2000)].groupby("year").size().reindex(demo.DEFAULT_YEARS, fill_value=0)
    assert large.is_monotonic_decreasing and large[2021] >= 15 and large[2025] <= 2


def test_plan_figures_agree_with_the_school_table(data):
    s, c = data.schools, data.counties.set_index(["county", "year"])
    opened = s.groupby("school_id").agg(first=("year", "min"), county=("county", "first"))
    new = opened[opened["first"] > 2021].groupby(["county", "first"]).size()
    built = c["schools_built"]
    assert new.sum() > 30
    for (county, year), n in new.items():
        assert built[(county, year)] == n
    assert built[("华龙区", 2022)] == demo.DESIGN["华龙区"].new_schools[2022]
    backbone = (s.groupby(["county", "year"])[["backbone_teachers_primary", "backbone_teachers_junior"]]
                .sum().sum(axis=1))
    assert (c["backbone_provincial_city"] + c["backbone_county_level"]).sort_index().equals(backbone.sort_index())
    boarding = s[s["boarders"] > 0].groupby(["county", "year"]).size()
    added = boarding[("南乐县", 2025)] - boarding[("南乐县", 2021)]
    assert added == sum(n for y, n in demo.DESIGN["南乐县"].new_boarding.items() if y > 2021)
    assert (c[["teachers_recruited", "new_places"]] >= 0).all().all() and c["teachers_recruited"].gt(0).all()


def test_design_table_is_consistent():
    assert set(demo.DESIGN) == {p.county for p in demo.PLACES}
    first = {county: d.first_pass for county, d in demo.DESIGN.items()}
    assert first["华龙区"] == first["清丰县"] == 2025  # one third of 濮阳市's six counties by 2025
    assert sum(first[p.county] <= 2025 for p in demo.PLACES if p.city == "濮阳市") == 2
    assert first["和林格尔县"] == first["托克托县"] == 2026
    frame = demo.designed_verdicts()
    assert len(frame) == 17 * 5 and set(frame["overall"]) == {"met", "not_met"}
    assert np.array_equal(frame.query("county == '玉泉区'")["overall"].to_numpy(),
                          np.array(["not_met", "met", "met", "met", "met"]))
