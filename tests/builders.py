"""Test helpers: build canonical school rows by hand (import from tests: `from builders import school`)."""
from __future__ import annotations

import pandas as pd

#: A primary school of 1000 students meeting every national primary threshold with room to spare.
PRIMARY_OK = dict(
    year=2025, city="测试市", county="甲县", school_type="小学", location="城区",
    students_primary=1000.0, students_junior=0.0, students_senior=0.0,
    teachers_above_degree_primary=50.0, teachers_above_degree_junior=0.0,
    backbone_teachers_primary=12.0, backbone_teachers_junior=0.0,
    pe_art_teachers_primary=10.0, pe_art_teachers_junior=0.0,
    teaching_area_m2=5000.0, sports_area_m2=8000.0, equipment_value_yuan=2_200_000.0, multimedia_rooms=25.0,
)

#: A junior school of 1000 students meeting every national junior threshold.
JUNIOR_OK = dict(
    PRIMARY_OK, school_type="初级中学", students_primary=0.0, students_junior=1000.0,
    teachers_above_degree_primary=0.0, teachers_above_degree_junior=60.0,
    backbone_teachers_primary=0.0, backbone_teachers_junior=12.0,
    pe_art_teachers_primary=0.0, pe_art_teachers_junior=10.0,
    teaching_area_m2=6000.0, sports_area_m2=11000.0, equipment_value_yuan=2_700_000.0, multimedia_rooms=26.0,
)


def school(base: dict = PRIMARY_OK, **overrides) -> dict:
    row = dict(base, **overrides)
    row.setdefault("school_id", "S0")
    row.setdefault("school_name", f"学校{row['school_id']}")
    return row


def frame(*rows: dict) -> pd.DataFrame:
    """A canonical school table from rows built with :func:`school`."""
    return pd.DataFrame(list(rows))

