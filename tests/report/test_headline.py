"""Headline results: each report notebook records what it concludes, and the demo's design is the answer key.

The county report and the city overview end with a ``record_headline`` cell; the
renderer moves its output into ``metadata["quality_balance"]["headline"]``. These
tests render the real notebooks on the demo data for a county that passes (清丰县,
2025 only) and one that never does (范县), and compare the recorded verdicts with
:func:`quality_balance.demo.designed_verdicts`, so a notebook that runs but reports
the wrong county, year or verdict fails here (nbval only proves that the cells ran).
"""
import json

import nbformat
import pytest

import quality_balance as qb
from quality_balance import InputError, demo
from quality_balance.report.notebook import HEADLINE_MIME, HEADLINE_VERDICTS, headline_results
from quality_balance.report.render import CITY_REPORT_NAME, move_headline, render_reports

PASSING, FAILING, CITY = "清丰县", "范县", "濮阳市"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, demo_data):
    root = tmp_path_factory.mktemp("headline")
    demo.write(demo_data, root / "data")
    summary = render_reports(root / "data", root / "reports", counties=[PASSING, FAILING], jobs=2,
                             progress=False)
    assert summary.ok, str(summary)
    return root / "reports"


def _headline(path):
    return nbformat.read(path, as_version=4).metadata["quality_balance"]["headline"]


def _designed(county):
    want = demo.designed_verdicts()
    return want[want["county"] == county].sort_values("year")


@pytest.mark.parametrize("county", [PASSING, FAILING])
def test_county_headline_matches_the_designed_verdicts(rendered, county):
    got = _headline(rendered / CITY / f"{county}.ipynb")
    want = _designed(county)
    assert (got["kind"], got["city"], got["county"], got["synthetic"]) == ("county", CITY, county, True)
    assert got["profile"] == CITY                                   # 濮阳市's counties use its local profile
    assert got["years"] == [2021, 2022, 2023, 2024, 2025] == want["year"].tolist()
    assert [{k: v for k, v in row.items() if k != "year"} for row in got["verdicts"]] == \
        want[list(HEADLINE_VERDICTS)].to_dict("records")
    assert [row["year"] for row in got["verdicts"]] == got["years"]


def test_the_passing_county_passes_in_2025_only_and_is_projected_as_passed(rendered):
    got = _headline(rendered / CITY / f"{PASSING}.ipynb")
    assert [row["overall"] for row in got["verdicts"]] == ["not_met"] * 4 + ["met"]
    assert got["projected_pass"] == {"status": "met", "year": 2025, "label": "已达标"}


def test_the_failing_county_is_not_projected_to_pass(rendered):
    got = _headline(rendered / CITY / f"{FAILING}.ipynb")
    assert {row["overall"] for row in got["verdicts"]} == {"not_met"}
    assert got["projected_pass"]["status"] != "met"
    assert got["projected_pass"]["year"] is None or got["projected_pass"]["year"] > 2025


def test_city_headline_lists_the_designed_passing_counties_per_year(rendered):
    got = _headline(rendered / CITY / f"{CITY_REPORT_NAME}.ipynb")
    want = demo.designed_verdicts()
    want = want[want["city"] == CITY]
    assert (got["kind"], got["city"]) == ("city", CITY)
    assert got["counties"] == sorted(want["county"].unique())        # the overview covers the whole city
    expected = [{"year": year, "counties": sorted(g.loc[g["overall"] == "met", "county"]),
                 "n_passing": int((g["overall"] == "met").sum()), "n_counties": len(g)}
                for year, g in want.groupby("year")]
    assert got["passing"] == expected
    assert got["passing"][-1]["counties"] == ["华龙区", "清丰县"] and got["passing"][0]["n_passing"] == 0


def test_the_headline_is_in_the_metadata_only(rendered):
    for name in (PASSING, FAILING, CITY_REPORT_NAME):
        nb = nbformat.read(rendered / CITY / f"{name}.ipynb", as_version=4)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if HEADLINE_MIME in o.get("data", {})], name
        page = (rendered / CITY / f"{name}.html").read_text(encoding="utf-8")
        assert HEADLINE_MIME not in page and "报告要点已记录" not in page and '"n_passing"' not in page, name


def test_move_headline_takes_the_last_headline_and_keeps_other_outputs():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={HEADLINE_MIME: {"n": 1}, "text/plain": "a"}),
                    nbformat.v4.new_output("stream", name="stdout", text="kept\n"),
                    nbformat.v4.new_output("display_data", data={HEADLINE_MIME: {"n": 2}})]
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), cell]
    assert move_headline(nb) == {"n": 2}
    assert nb.metadata["quality_balance"]["headline"] == {"n": 2}
    assert [o.output_type for o in nb.cells[1].outputs] == ["stream"]
    plain = nbformat.v4.new_notebook()
    assert move_headline(plain) is None and "quality_balance" not in plain.metadata


def test_headline_is_json_and_names_unknown_places(demo_assessment):
    got = headline_results(demo_assessment, county=PASSING, city=CITY)
    assert json.loads(json.dumps(got)) == got
    with pytest.raises(qb.UnknownNameError, match="清丰具.*清丰县"):
        headline_results(demo_assessment, county="清丰具")
    with pytest.raises(qb.UnknownNameError, match="不存在市"):
        headline_results(demo_assessment, city="不存在市")
    with pytest.raises(qb.UnknownNameError, match="（梅州市）中没有县区“清丰县”"):
        headline_results(demo_assessment, county=PASSING, city="梅州市")
    with pytest.raises(InputError, match="county= 或 city="):
        headline_results(demo_assessment)
