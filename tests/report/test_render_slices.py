"""One assessment behind every report: render loads the data once and hands each notebook its place's slice."""
import pickle

import nbformat
import pandas as pd
import pytest

from quality_balance.errors import InputError
from quality_balance.inputs.dataset import Dataset
from quality_balance.output import scratch_folder
from quality_balance.report.notebook import SLICE_SUFFIX, load_report_data, subset_dataset
from quality_balance.report.render import (COUNTY_NOTEBOOK, FORGOTTEN_SLICE, NOTEBOOK_DIR, execute_jobs,
                                           forget_data_slice, place_slices, plan_jobs, stage_data_slices)


def _assert_same_dataset(got: Dataset, expected: Dataset) -> None:
    assert got.tables.keys() == expected.tables.keys()
    for name, frame in expected.tables.items():
        pd.testing.assert_frame_equal(got.tables[name], frame, check_exact=True)
        assert got.tables[name].attrs == frame.attrs, name
    assert (got.source, got.synthetic, got.notes) == (expected.source, expected.synthetic, expected.notes)


def test_place_slices_equal_subset_dataset_for_every_county_and_city(demo_data):
    places = demo_data.schools[["city", "county"]].drop_duplicates()
    keys = list(places.itertuples(index=False, name=None)) + [(c, None) for c in places["city"].unique()]
    slices = place_slices(demo_data, keys)
    assert len(slices) == 17 + places["city"].nunique()
    for (city, county), part in slices.items():
        _assert_same_dataset(part, subset_dataset(demo_data, city=city, county=county))
    # a city's slice holds every county of the city: the overview compares them all
    city = places["city"].iloc[0]
    assert set(slices[(city, None)].schools["county"]) == set(places.loc[places["city"] == city, "county"])


def test_a_county_assessed_from_its_slice_gives_the_verdicts_of_the_whole_data_set(demo_data, demo_assessment):
    import quality_balance as qb

    county = ("濮阳市", "台前县")
    alone = qb.assess(place_slices(demo_data, [county])[county])
    whole = demo_assessment.verdicts
    whole = whole[(whole["city"] == county[0]) & (whole["county"] == county[1])].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone.verdicts.reset_index(drop=True), whole)


def test_staged_jobs_name_one_slice_per_place_inside_the_stage(demo_data, tmp_path):
    places = demo_data.schools[["city", "county"]].drop_duplicates().head(2)
    jobs = plan_jobs(places, tmp_path / "data")
    with scratch_folder(tmp_path / "out") as stage:
        assert stage.parent == tmp_path / "out" and stage.name.startswith(".qb-tmp-")
        staged = stage_data_slices(demo_data, jobs, stage)
        files = sorted(p.name for p in stage.iterdir())
        assert len(staged) == len(jobs) == 3 and len(files) == 3                # 2 counties, their city
        assert all(f.endswith(SLICE_SUFFIX) for f in files)
        for job, before in zip(staged, jobs):
            assert {k: v for k, v in job.parameters.items() if k != "data_slice"} == before.parameters
        first = load_report_data(None, staged[0].parameters["data_slice"], fallback=False)
        _assert_same_dataset(first, subset_dataset(demo_data, *places.iloc[0]))
    assert list((tmp_path / "out").iterdir()) == []                            # the stage is gone


def test_scratch_folder_is_removed_when_the_block_fails(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with scratch_folder(tmp_path) as stage:
            (stage / "x.pickle").write_bytes(b"1")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_load_report_data_reads_the_folder_without_a_slice_or_when_it_is_gone(demo_folder, tmp_path):
    from quality_balance.inputs.loaders import load_dataset

    expected = load_dataset(demo_folder)
    for missing in (None, tmp_path / f"gone{SLICE_SUFFIX}"):
        got = load_report_data(demo_folder, missing, fallback=False)
        assert len(got.schools) == len(expected.schools) == 4239


def test_a_file_that_is_not_a_slice_is_an_input_error_naming_the_parameter(tmp_path):
    path = tmp_path / f"x{SLICE_SUFFIX}"
    path.write_bytes(pickle.dumps({"schools": 1}))
    with pytest.raises(InputError) as err:
        load_report_data(tmp_path, path, fallback=False)
    assert "data_slice" in str(err.value) and "dict" in str(err.value)
    path.write_bytes(b"not a pickle")
    with pytest.raises(InputError, match="data_slice"):
        load_report_data(tmp_path, path, fallback=False)


def test_forget_data_slice_changes_only_the_injected_line():
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('data_slice = None')
    params.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell('# Parameters\ncounty = "台前县"\ndata_slice = "/o/.qb-tmp-1-a/00001.p"\n')
    injected.metadata["tags"] = ["injected-parameters"]
    other = nbformat.v4.new_code_cell('data_slice = "kept"')
    nb.cells = [params, injected, other]
    assert forget_data_slice(nb)
    assert injected.source == f'# Parameters\ncounty = "台前县"\n{FORGOTTEN_SLICE}\n'
    assert params.source == "data_slice = None" and other.source == 'data_slice = "kept"'
    assert not forget_data_slice(nbformat.v4.new_notebook())


def test_a_report_runs_from_its_slice_alone_and_its_saved_notebook_reads_the_folder_again(demo_data, tmp_path):
    """The data folder of the job does not exist: the report can only have read its staged slice."""
    places = pd.DataFrame({"city": ["濮阳市"], "county": ["台前县"]})
    jobs = [j for j in plan_jobs(places, tmp_path / "no-such-folder") if j.notebook.name == COUNTY_NOTEBOOK]
    out = tmp_path / "reports"
    with scratch_folder(out) as stage:
        results = execute_jobs(stage_data_slices(demo_data, jobs, stage), out, 1, progress=False)
    assert [r.error for r in results] == [None]
    nb = nbformat.read(results[0].ipynb, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])][0].source
    assert FORGOTTEN_SLICE in injected and str(tmp_path / "no-such-folder") in injected
    assert ".qb-tmp-" not in injected and NOTEBOOK_DIR.is_dir()
    assert sorted(p.name for p in out.rglob(".*")) == []


# --- the batch's assessment handed to the kernels --------------------------------------------------

def _places(data):
    places = data.schools[["city", "county"]].drop_duplicates()
    return list(places.itertuples(index=False, name=None)) + [(c, None) for c in places["city"].unique()]


def test_the_assessment_cut_per_place_equals_assessing_each_place_alone(demo_data, demo_assessment):
    import quality_balance as qb
    from quality_balance.report.render import place_assessments

    keys = _places(demo_data)
    cut = place_assessments(demo_assessment, keys)
    slices = place_slices(demo_data, keys)
    assert set(cut) == set(keys) and len(keys) == 21
    for key in keys:
        alone, got = qb.assess(slices[key]), cut[key]
        for name in ("verdicts", "units", "cv", "resources.counties", "resources.values", "resources.excluded",
                     "recognition", "items", "shortfalls"):
            owner = (alone.resources, got.resources) if name.startswith("resources.") else (alone, got)
            attr = name.split(".")[-1]
            # exact but for Q9's score-difference rate, summed in another order over the whole score table (1e-16)
            pd.testing.assert_frame_equal(getattr(got, attr) if not name.startswith("resources.") else
                                          getattr(owner[1], attr),
                                          getattr(alone, attr) if not name.startswith("resources.") else
                                          getattr(owner[0], attr), check_exact=False, rtol=1e-12, obj=f"{key} {name}")
        assert got.profiles == alone.profiles and got.resources.profiles == alone.resources.profiles
        assert got.notes == alone.notes and got.synthetic == alone.synthetic
        # the assessed data (class figures filled in from the class table): the same values; a class-count
        # column is float where another county has a school without classes
        assert got.dataset.tables.keys() == alone.dataset.tables.keys()
        for name, frame in alone.dataset.tables.items():
            pd.testing.assert_frame_equal(got.dataset.tables[name], frame, check_dtype=False, obj=f"{key} {name}")
        # parts: the place's own rows, plus (when another county has score levels) Q9's level part, not applicable
        part_key = ["city", "county", "year", "item", "part_no", "part"]
        merged = got.parts.merge(alone.parts[part_key], how="left", on=part_key, indicator=True)
        extra = (merged["_merge"] == "left_only").to_numpy()
        assert set(got.parts.loc[extra, "item"]) <= {"Q9"}, key
        assert set(got.parts.loc[extra, "status"]) <= {"not_applicable"}, key
        pd.testing.assert_frame_equal(got.parts[~extra].reset_index(drop=True), alone.parts, check_exact=False,
                                      rtol=1e-12, obj=f"{key} parts")
        # school failures: the same rows and values (a number column is float where another county's is);
        # a stage column another county's classes brought is empty here
        if alone.school_failures.empty:
            assert got.school_failures.empty, key
            continue
        common = list(alone.school_failures.columns)
        extra_columns = [c for c in got.school_failures.columns if c not in common]
        assert got.school_failures[extra_columns].isna().all().all(), key
        pd.testing.assert_frame_equal(got.school_failures.reindex(columns=common), alone.school_failures,
                                      check_dtype=False, obj=f"{key} school_failures")


def test_a_staged_assessment_is_shown_instead_of_assessing_again(demo_data, demo_assessment, tmp_path, monkeypatch):
    import quality_balance.method.assessment as assessment_module
    from quality_balance.report.notebook import city_report, county_report, load_staged_slice
    from quality_balance.report.render import place_assessments

    county, city = ("濮阳市", "台前县"), ("濮阳市", None)
    jobs = plan_jobs(pd.DataFrame({"city": [county[0]], "county": [county[1]]}), tmp_path / "no-such-folder")
    staged = stage_data_slices(demo_data, jobs, tmp_path, assessment=demo_assessment)
    paths = {(j.parameters["city"], j.parameters.get("county")): j.parameters["data_slice"] for j in staged}
    expected = place_assessments(demo_assessment, [county, city])
    assert load_staged_slice(None, paths[county]).place == county

    def no_assess(*args, **kwargs):
        raise AssertionError("assessed again")

    monkeypatch.setattr(assessment_module, "assess", no_assess)
    report = county_report(None, paths[county], city=county[0], county=county[1], fallback=False)
    pd.testing.assert_frame_equal(report.result.verdicts, expected[county].verdicts)
    pd.testing.assert_frame_equal(report.result.units, expected[county].units)
    overview = city_report(None, paths[city], city=city[0], fallback=False)
    pd.testing.assert_frame_equal(overview.result.items, expected[city].items)
    # years kept, another profile, another place: the staged assessment does not apply and the kernel assesses
    for kwargs in ({"first_year": 2023}, {"last_year": 2024}, {"profile": "national"}):
        with pytest.raises(AssertionError, match="assessed again"):
            county_report(None, paths[county], city=county[0], county=county[1], fallback=False, **kwargs)
    with pytest.raises(AssertionError, match="assessed again"):
        load_staged_slice(None, paths[city]).result_for(demo_data, city="濮阳市", county="台前县", first_year=None,
                                                         last_year=None, profile=None)


def test_jobs_with_limited_years_or_another_profile_get_the_data_only(demo_data, demo_assessment, tmp_path):
    from quality_balance.report.notebook import load_staged_slice

    places = pd.DataFrame({"city": ["濮阳市"], "county": ["台前县"]})
    for options, with_result in (({}, True), ({"first_year": 2022}, False), ({"last_year": 2025}, False),
                                 ({"profile": "national"}, False)):
        jobs = plan_jobs(places, tmp_path / "data", **options)
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        folder.mkdir()
        staged = stage_data_slices(demo_data, jobs, folder, assessment=demo_assessment)
        for job in staged:
            got = load_staged_slice(None, job.parameters["data_slice"])
            assert (got.assessment is not None) is with_result, options
    # without an assessment (the default), a slice holds the data only
    staged = stage_data_slices(demo_data, plan_jobs(places, tmp_path / "data"), folder)
    assert load_staged_slice(None, staged[0].parameters["data_slice"]).assessment is None


def test_a_staged_assessment_needs_its_place(demo_data, demo_assessment, tmp_path):
    from quality_balance.report.notebook import save_data_slice

    with pytest.raises(InputError, match="place"):
        save_data_slice(demo_data, tmp_path / f"x{SLICE_SUFFIX}", assessment=demo_assessment)
