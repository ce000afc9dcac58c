"""county_report / city_report: what a report shows, computed once, equals the separate qb.* calls."""
import pandas as pd
import pytest

import quality_balance as qb
from quality_balance.report.notebook import (city_report, county_report, earliest_application_year, headline_results,
                                             planned_certification_years, save_data_slice, subset_dataset)
from quality_balance.report.render import place_slices


@pytest.fixture(scope="module")
def slices(demo_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("slices")
    parts = place_slices(demo_data, [("濮阳市", "台前县"), ("濮阳市", None)])
    return {key: save_data_slice(part, folder / f"{i}.qb-slice.pickle") for i, (key, part) in enumerate(parts.items())}


def test_county_report_equals_the_separate_calls(slices, demo_data):
    report = county_report(None, slices[("濮阳市", "台前县")], city="濮阳市", county="台前县", fallback=False)
    data = subset_dataset(demo_data, city="濮阳市", county="台前县")
    result = qb.assess(data)
    last = int(result.verdicts["year"].max())
    assert (report.city, report.county, report.last) == ("濮阳市", "台前县", 2025) and last == 2025
    pd.testing.assert_frame_equal(report.result.verdicts, result.verdicts)
    assert report.profile.name == result.profile_of("台前县").name == "濮阳市"
    pd.testing.assert_frame_equal(report.gap.counties, qb.gap_to_pass(result, "台前县", last).counties)
    pd.testing.assert_frame_equal(report.progress, qb.progress(result))
    pd.testing.assert_frame_equal(report.projection.summary, qb.project(result).summary)
    pd.testing.assert_frame_equal(report.projected, qb.projected_pass_year(result))
    pd.testing.assert_frame_equal(report.plan_status, qb.plan_status(result))
    pd.testing.assert_frame_equal(report.plan_actuals, qb.plan_actuals(result))
    assert len(report.plan_status) and len(report.plan_actuals)  # 濮阳市's plan: the comparisons hold rows
    assert report.planned == planned_certification_years(result.verdicts, "濮阳市")
    assert report.earliest == earliest_application_year(data, "台前县", report.profile, "濮阳市")
    # the headline made from the report's projection is the one made afresh
    assert headline_results(report.result, county="台前县", city="濮阳市", projected=report.projected) == \
        headline_results(result, county="台前县", city="濮阳市")


def test_city_report_equals_the_separate_calls(slices, demo_data):
    report = city_report(None, slices[("濮阳市", None)], city="濮阳市", first_year=2023, fallback=False)
    result = qb.assess(subset_dataset(demo_data, city="濮阳市", first_year=2023))
    assert report.last == 2025 and sorted(report.result.verdicts["year"].unique()) == [2023, 2024, 2025]
    pd.testing.assert_frame_equal(report.result.verdicts, result.verdicts)
    pd.testing.assert_frame_equal(report.projected, qb.projected_pass_year(result))
    pd.testing.assert_frame_equal(report.projection.paths, qb.project(result).paths)
    pd.testing.assert_frame_equal(report.plan_status, qb.plan_status(result))
    pd.testing.assert_frame_equal(report.plan_actuals, qb.plan_actuals(result))


def test_an_unknown_place_is_named(slices):
    with pytest.raises(qb.UnknownNameError, match="台前"):
        county_report(None, slices[("濮阳市", "台前县")], city="濮阳市", county="台前", fallback=False)
