"""Property-based: whatever check accepts, assess and the writers handle (issue 10, item 5).

hypothesis generates small school, county, survey and score tables — zero
students, counties of only special-education schools or teaching points, huge
magnitudes (up to 1e308), scores and surveys naming unknown schools and
counties, county rows for years without schools — writes them as real CSV
files, and runs check, then load + assess + the result tables + the ledgers.
Nothing may raise anything but a QualityBalanceError, and no reason text may
carry an inf or NaN.
"""
from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import quality_balance as qb
from quality_balance.errors import QualityBalanceError
from quality_balance.schema import (MAX_MAGNITUDE, COUNTIES, SCHOOL_TYPE_STAGES, SCHOOL_TYPES, SCORES, SURVEY,
                                    SURVEY_GROUPS)
from tests.builders import COUNTY_OK
from tests.input_files import write_csv

#: Examples per run (each is a full check + assess + write; about a second each).
EXAMPLES = 25
COUNTIES_ = ("甲县", "乙县")
YEARS = (2024, 2025)

#: Amounts: zero, ordinary, tiny, and the largest accepted (schema.MAX_MAGNITUDE; beyond it check refuses the
#: value, a hostile case shows that for 1e308).
magnitude = st.one_of(st.just(0.0), st.floats(0, 5_000_000, allow_nan=False), st.just(1e-300), st.just(MAX_MAGNITUDE))
students = st.one_of(st.just(0), st.integers(1, 4_000), st.just(10**9))


@st.composite
def school_rows(draw):
    rows = []
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(SCHOOL_TYPES))
        stages = SCHOOL_TYPE_STAGES[kind]
        row = dict(year=draw(st.sampled_from(YEARS)), city="测试市", county=draw(st.sampled_from(COUNTIES_)),
                   school_id=f"41{i:08d}", school_name=f"学校{i}", school_type=kind,
                   location=draw(st.sampled_from(("城区", "镇区", "乡村"))))
        for stage in ("primary", "junior", "senior"):
            row[f"students_{stage}"] = draw(students) if stage in stages else 0
        for col in ("teachers_above_degree", "backbone_teachers", "pe_art_teachers"):
            for stage in ("primary", "junior"):
                row[f"{col}_{stage}"] = draw(st.integers(0, 300)) if row.get(f"students_{stage}") else 0
        for col in ("teaching_area_m2", "sports_area_m2", "equipment_value_yuan"):
            row[col] = draw(magnitude)
        row["multimedia_rooms"] = draw(st.integers(0, 200))
        if draw(st.booleans()):
            row.update(public_funds_yuan=draw(magnitude), training_funds_yuan=draw(magnitude),
                       classes_primary=draw(st.integers(0, 60)) if "primary" in stages else 0,
                       classes_junior=draw(st.integers(0, 60)) if "junior" in stages else 0)
        rows.append(row)
    return rows


@st.composite
def data_sets(draw):
    schools = draw(school_rows())
    places = sorted({(r["county"], r["year"]) for r in schools})
    counties = [dict(COUNTY_OK, county=c, year=y) for c, y in places if draw(st.booleans())]
    if draw(st.booleans()):
        counties.append(dict(COUNTY_OK, county="丙县", year=2025))          # a county without schools
    survey = [dict(city="测试市", county=c, year=y, group=g, respondents=(n := draw(st.integers(0, 50))),
                   favourable=draw(st.integers(0, n)))
              for c, y in places + [("丙县", 2025)] if draw(st.booleans()) for g in SURVEY_GROUPS]
    ids = [r["school_id"] for r in schools] + ["9999999999"]
    scores = [dict(city="测试市", county=c, year=y, school_id=draw(st.sampled_from(ids)), subject="数学",
                   student_id=f"S{k}", score=draw(st.floats(0, 1000, allow_nan=False)))
              for k, (c, y) in enumerate(draw(st.lists(st.sampled_from(places), max_size=12)))]
    return schools, counties, survey, scores


def _write(folder: Path, schools, counties, survey, scores) -> None:
    write_csv(folder / "学校.csv", schools)
    if counties:
        write_csv(folder / "县区.csv", counties, table=COUNTIES)
    if survey:
        write_csv(folder / "满意度调查.csv", survey, table=SURVEY)
    if scores:
        write_csv(folder / "学业成绩.csv", scores, table=SCORES)


_BAD_NUMBER = re.compile(r"\b(?:inf|nan)\b|∞", re.IGNORECASE)


def _reasons(result) -> list[str]:
    texts = []
    for frame in (result.items, result.verdicts, result.units, result.cv, result.resources.counties):
        for col in [c for c in frame.columns if "reason" in c]:
            texts += [t for t in frame[col].dropna().astype(str)]
    return texts


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=data_sets())
def test_check_assess_and_writers_raise_only_our_errors(data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        _write(folder, *data)
        report = qb.check(folder)                            # never raises for bad input
        event("check found errors" if report.errors else "checked clean: assessed and written")
        if report.errors:
            return
        try:
            dataset = qb.load_dataset(folder)
            result = qb.assess(dataset)
            from quality_balance.report.export import write_results

            write_results(result, Path(tmp) / "tables")
            qb.write_ledger(result, Path(tmp) / "ledgers")
        except QualityBalanceError:
            event("assess or a writer refused with a QualityBalanceError")
            return
        bad = [t for t in _reasons(result) if _BAD_NUMBER.search(t)]
        assert not bad, bad[:3]
        for frame in (result.units, result.cv):
            numbers = frame.select_dtypes("number")
            assert not numbers.isin([math.inf, -math.inf]).any().any()
