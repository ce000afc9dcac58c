"""Q9 per subject (issue 13 item 3): difference rate and level-Ⅲ share per tested subject, from student scores."""
import math

import pandas as pd
import pytest

import quality_balance as qb
from quality_balance.method.items.quality import subject_figures
from tests.builders import COUNTY_OK, PRIMARY_OK, SCHOOL_GQ_OK, dataset, school, survey_rows


def _scores(subjects: dict[str, dict[str, list[float]]], levels: dict[str, dict[str, list[int]]] | None = None):
    """Rows for subject → school → scores (and optionally the students' levels, in the same order)."""
    rows = []
    for subject, by_school in subjects.items():
        for sid, values in by_school.items():
            for i, value in enumerate(values):
                row = dict(city="测试市", county="甲县", year=2025, subject=subject, school_id=sid,
                           student_id=f"{subject}{sid}{i}", score=value)
                if levels is not None:
                    row["level"] = levels[subject][sid][i]
                rows.append(row)
    return pd.DataFrame(rows)


def _q9(scores, county=None, profile=None):
    counties = [dict(COUNTY_OK, difference_rate=float("nan"), **(county or {}))]
    schools = [school(PRIMARY_OK, school_id=s, **SCHOOL_GQ_OK) for s in "ab"]
    result = qb.assess(dataset(schools, counties, survey_rows(), scores=scores), profile=profile)
    row = result.items.set_index("item").loc["Q9"]
    parts = result.parts[result.parts["item"] == "Q9"].set_index("part_no")
    return row, parts


#: 数学: schools 1,3 and 5,7: between 4, total 5 → 0.8; 语文: both schools 1,3 → 0.
TWO_SUBJECTS = {"数学": {"a": [1.0, 3.0], "b": [5.0, 7.0]}, "语文": {"a": [1.0, 3.0], "b": [1.0, 3.0]}}


def test_the_reason_names_each_subject_failing_first():
    row, parts = _q9(_scores(TWO_SUBJECTS))
    assert row["status"] == "not_met"
    assert row["reason"] == "校际差异率（由学生成绩计算，按学科）：数学 0.800 ≥ 0.15、语文 0.000 < 0.15"
    assert row["value"] == pytest.approx(0.8) and row["threshold"] == 0.15
    assert list(parts.index) == [1, 2]          # no levels in the scores: no level-Ⅲ part


def _edge(e2: float) -> dict:
    """Two schools of two students: school means ±3 around 0, students ±√e2 around their mean.

    Between-school variance 9, total 9 + e2: the difference rate is 9 / (9 + e2).
    """
    e = math.sqrt(e2)
    return {"科学": {"a": [-3 - e, -3 + e], "b": [3 - e, 3 + e]}, "语文": TWO_SUBJECTS["语文"]}


def test_a_subject_at_015_fails_and_just_below_passes():
    at, _ = _q9(_scores(_edge(51.0)))            # 9 / 60 = 0.15: not below 0.15
    assert at["status"] == "not_met" and "科学 0.150 ≥ 0.15" in at["reason"]
    below, _ = _q9(_scores(_edge(51.1)))         # 9 / 60.1 = 0.14975
    assert below["status"] == "met" and "科学 0.1498 < 0.15" in below["reason"]


def _levelled(math_levels, chinese_levels):
    n_m, n_c = len(math_levels), len(chinese_levels)
    subjects = {"数学": {"a": [1.0] * (n_m // 2), "b": [1.0] * (n_m - n_m // 2)},
                "语文": {"a": [1.0] * (n_c // 2), "b": [1.0] * (n_c - n_c // 2)}}
    for by_school in subjects.values():       # the same scores in both schools: difference rate 0
        by_school["a"][0] = by_school["b"][0] = 1.5
    levels = {"数学": {"a": math_levels[:n_m // 2], "b": math_levels[n_m // 2:]},
              "语文": {"a": chinese_levels[:n_c // 2], "b": chinese_levels[n_c // 2:]}}
    return _scores(subjects, levels)


def test_subject_figures_count_the_share_at_level_iii_or_above():
    figures = subject_figures(_levelled([2, 3, 3, 4], [2, 2, 3, 3]), 3).set_index("subject")
    assert figures.loc["数学", "level_rate"] == 75.0 and figures.loc["语文", "level_rate"] == 50.0
    assert figures.loc["数学", "n_levelled"] == 4


def test_every_subject_must_reach_the_profiles_level_iii_share():
    # 语文 3 of 6 at Ⅲ+ = 50% meets 50%; 99 of 200 = 49.5% does not
    met, parts = _q9(_levelled([2, 3, 3, 4], [2, 2, 2, 3, 3, 3]), county={"monitoring_level": float("nan")})
    assert met["status"] == "met"
    assert list(parts.index) == [1, 2, 3] and parts.loc[3, "threshold"] == 50.0 and parts.loc[3, "value"] == 50.0
    assert parts.loc[1, "status"] == "not_applicable"   # the subjects' shares stand for the county's level
    assert "达到Ⅲ级及以上学生比例（按学科）：数学 75.0% ≥ 50%、语文 50.0% ≥ 50%" in met["reason"]
    failed, parts = _q9(_levelled([3] * 4, [2] * 101 + [3] * 99))
    assert failed["status"] == "not_met" and parts.loc[3, "status"] == "not_met"
    assert "语文 49.5% < 50%、数学 100.0% ≥ 50%" in failed["reason"]
    assert failed["value"] == pytest.approx(49.5) and failed["threshold"] == 50.0


def test_the_share_threshold_and_the_level_counted_come_from_the_profile(tmp_path):
    path = tmp_path / "某县.toml"
    path.write_text('name = "某县"\nparent = "national"\n[quality]\nQ9 = { min_level = 4, min_level_rate = 20.0 }\n',
                    encoding="utf-8")
    row, parts = _q9(_levelled([2, 3, 3, 4], [2, 2, 3, 3]), profile=path)   # Ⅳ: 数学 25%, 语文 0%
    assert row["status"] == "not_met" and parts.loc[3, "threshold"] == 20.0
    assert "达到Ⅳ级及以上学生比例（按学科）：语文 0.0% < 20%、数学 25.0% ≥ 20%" in row["reason"]
    assert parts.loc[3, "part"] == "达到Ⅳ级及以上学生比例（最低学科）"


def test_without_scores_the_single_county_figures_still_work():
    counties = [dict(COUNTY_OK, difference_rate=0.16)]
    result = qb.assess(dataset([school(PRIMARY_OK, **SCHOOL_GQ_OK)], counties, survey_rows()))
    row = result.items.set_index("item").loc["Q9"]
    assert row["status"] == "not_met" and row["reason"] == "校际差异率 0.160 ≥ 0.15"
    assert len(result.parts[result.parts["item"] == "Q9"]) == 2
