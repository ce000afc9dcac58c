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



#: A county-year row in which every county-level item is met under the national profile.
COUNTY_OK = dict(
    year=2025, city="测试市", county="甲县", layout_reasonable=True,
    unified_construction=True, unified_staffing=True, unified_funding=True, unified_equipment=True,
    funds_benchmark_yuan=650.0, special_ed_funds_per_student_yuan=6500.0,
    teacher_avg_pay_yuan=98000.0, civil_servant_avg_pay_yuan=96000.0, performance_pay_approved=True,
    training_360h_rate=100.0, staffing_by_bureau=True, rotation_rate=12.0, rotation_backbone_share=22.0,
    certified_teacher_rate=100.0, zoned_admission_primary=100.0, zoned_admission_junior=96.0,
    quota_share=55.0, quota_rural_tilt=True, migrant_public_share=90.0,
    consolidation_rate=97.0, disabled_enrollment_rate=96.0, charter_and_it=True, ict_rating="良好",
    moral_rating="优秀", curriculum_ok=True, no_excess_burden=True, monitoring_level=3, difference_rate=0.12,
    v1_exam_admission=False, v2_school_choice=False, v3_key_schools=False, v4_unfilled_posts=False,
    v5_safety_incident=False, v6_falsified_data=False,
)

#: School-level G/Q inputs that meet G3–G6 and Q4 for a 1000-student, 24-class school.
SCHOOL_GQ_OK = dict(
    classes_primary=24.0, classes_junior=0.0, max_class_size_primary=44.0, max_class_size_junior=0.0,
    music_rooms=2.0, art_rooms=2.0, music_room_min_area_m2=96.0, art_room_min_area_m2=90.0,
    public_funds_yuan=700000.0, training_funds_yuan=35000.0, boarders=0.0,
)


def survey_rows(city="测试市", county="甲县", year=2025, respondents=400, favourable=360):
    """One survey row per group with the same counts."""
    from quality_balance.schema import SURVEY_GROUPS
    return [dict(city=city, county=county, year=year, group=g, respondents=respondents, favourable=favourable)
            for g in SURVEY_GROUPS]


def dataset(schools, counties=(), survey=(), scores=None, **kw):
    """A Dataset from lists of row dicts."""
    from quality_balance.inputs.dataset import Dataset
    return Dataset(schools=pd.DataFrame(list(schools)),
                   counties=pd.DataFrame(list(counties)) if counties else None,
                   survey=pd.DataFrame(list(survey)) if survey else None, scores=scores, **kw)
