"""Synthetic demo data for the 17 seed places, 2021–2025 — 合成演示数据，非真实统计.

No real school-level data set is public (spec §9), so the project ships a
generated one. It covers the places of the four seed plans — 濮阳市 (华龙区、濮阳县、
清丰县、南乐县、范县、台前县), 呼和浩特市 (新城区、回民区、玉泉区、赛罕区、土默特左旗、托克托县、
和林格尔县、清水河县、武川县), 梅州市蕉岭县 and 淄博市桓台县 — with their real
6-digit administrative codes, and invented schools, names and figures.

Every table is generated from one integer seed with numpy's PCG64 generator
(one independent stream per county and purpose), so the same seed always gives
the same frames and the same files, byte for byte. The data are labelled
synthetic in :attr:`Dataset.synthetic`, in ``metadata.json``, in the workbook's
properties and in the folder's README.

The data tell a story, written down in :data:`DESIGN`: each county falls short
of the standard in designed ways (a few schools under the school rule, one
indicator's coefficient of variation just over its limit, a county figure under
its threshold, a veto item) until the year each shortfall is fixed. A county is
designed to reach the standard in the first year in which none of its
shortfalls is active; the Hohhot districts follow the seed's schedule, and the
thresholds every figure is placed against are read from each county's own
profile, never written here. Figures such as school sizes, class sizes and
funding benchmarks are plausible inventions, not statistics.

Public API: :func:`generate` (a :class:`~quality_balance.inputs.dataset.Dataset`),
:func:`write` and :func:`generate_to` (CSV, ``excel/demo.xlsx``, ``metadata.json``,
``README.md``), the design tables :data:`PLACES` and :data:`DESIGN`, and
:func:`designed_verdicts` (what the design says the assessment must find).

>>> data = generate(years=[2025])
>>> data.synthetic, data.counties["county"].nunique(), sorted(set(data.scores["county"]))
(True, 17, ['桓台县', '范县', '蕉岭县'])
"""
from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy.special import gammaincinv

from ..inputs.dataset import METADATA_FILE, SYNTHETIC_LABEL, Dataset
from ..errors import QualityBalanceError
from ..output import replace_folder
from ..standards.profile import Profile, profile_for_place
from ..schema import (COUNTIES, INDICATORS, RATINGS, SCHOOLS, SCORES, STAGE_LABELS, STAGES, SURVEY, SURVEY_GROUPS,
                     Table)

__all__ = ["generate", "write", "generate_to", "designed_verdicts", "readme_text", "PLACES", "DESIGN", "Place",
           "CountyDesign", "Shortfall", "DEFAULT_SEED", "DEFAULT_YEARS", "WORKBOOK_FILE"]

DEFAULT_SEED = 2021
DEFAULT_YEARS = range(2021, 2026)
BASE_YEAR = 2021
"""The first year of the story: trajectories start here (earlier years repeat its state)."""
#: The workbook copy of the tables, in a sub-folder so that loading the folder reads the CSVs only
#: (a workbook beside them would hold every table a second time).
WORKBOOK_DIR = "excel"
WORKBOOK_FILE = f"{WORKBOOK_DIR}/demo.xlsx"
README_FILE = "README.md"
_TABLES = ("schools", "counties", "survey", "scores")
_FIXED_TIME = (2021, 1, 1, 0, 0, 0)  # zip entry times and workbook dates: files must not depend on the clock


# --- the places ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """A county of the demo: its city, real administrative code, character and size.

    ``kind`` is ``"urban"`` for a 市辖区 (few, large, mostly 城区 schools) and
    ``"rural"`` for a 县/旗; ``schools`` is the number of schools in 2021,
    one 特殊教育学校 included. ``basic_balance_year`` (the year the county passed
    the basic-balance certification) is illustrative.
    """

    city: str
    county: str
    code: str
    kind: str
    schools: int
    basic_balance_year: int


PLACES: tuple[Place, ...] = (
    Place("濮阳市", "华龙区", "410902", "urban", 60, 2014),
    Place("濮阳市", "濮阳县", "410928", "rural", 100, 2016),
    Place("濮阳市", "清丰县", "410922", "rural", 72, 2015),
    Place("濮阳市", "南乐县", "410923", "rural", 66, 2016),
    Place("濮阳市", "范县", "410926", "rural", 58, 2017),
    Place("濮阳市", "台前县", "410927", "rural", 46, 2017),
    Place("呼和浩特市", "新城区", "150102", "urban", 42, 2014),
    Place("呼和浩特市", "回民区", "150103", "urban", 32, 2014),
    Place("呼和浩特市", "玉泉区", "150104", "urban", 32, 2014),
    Place("呼和浩特市", "赛罕区", "150105", "urban", 52, 2015),
    Place("呼和浩特市", "土默特左旗", "150121", "rural", 56, 2016),
    Place("呼和浩特市", "托克托县", "150122", "rural", 34, 2016),
    Place("呼和浩特市", "和林格尔县", "150123", "rural", 38, 2017),
    Place("呼和浩特市", "清水河县", "150124", "rural", 24, 2017),
    Place("呼和浩特市", "武川县", "150125", "rural", 26, 2017),
    Place("梅州市", "蕉岭县", "441427", "rural", 36, 2015),
    Place("淄博市", "桓台县", "370321", "rural", 48, 2014),
)


# --- the readiness design -----------------------------------------------------------------------

@dataclass(frozen=True)
class Shortfall:
    """One designed way a county falls short, active from ``since`` to the year before ``until``.

    ``item`` is an assessment item (``G3``, ``Q1``, ``S1``, ``V2``, a profile's local
    ``L*``...), ``R.school`` (school units failing the school rule) or ``R.cv``
    (one indicator's coefficient of variation over its limit, for ``stage``).

    * school-level items (``R.school``, ``G3``–``G6``, ``Q4``): ``schools`` is the
      number of schools affected in ``since``; it falls linearly and reaches 0 in
      ``until``. ``G5`` may also give ``large_classes``, the county's classes of
      56+ students in ``since`` (濮阳市's plan counts them), falling the same way.
    * county figures: ``start`` is the figure in ``since`` (rates in %, the
      difference rate of Q9 as a fraction, the teachers' pay of G8 in % of the
      civil servants'); it moves linearly toward the threshold and stays on the
      failing side of it until ``until``.
    * ``R.cv``: the CV is ``limit × (1 + excess)`` in the last failing year and
      5% of the limit higher for each year before.
    * yes/no items, ratings and vetoes are simply failing (or present) while active.
    """

    item: str
    until: int
    since: int = BASE_YEAR
    start: float | None = None
    schools: int = 0
    large_classes: int = 0
    stage: str = ""
    indicator: str = ""
    excess: float = 0.04

    def active(self, year: int) -> bool:
        return self.since <= year < self.until

    def remaining(self, year: int, amount: float) -> int:
        """``amount`` in ``since`` falling linearly to 0 in ``until`` (0 when not active)."""
        if not self.active(year):
            return 0
        return int(math.ceil(amount * (self.until - year) / (self.until - self.since) - 1e-9))

    def progress(self, year: int) -> float:
        """0 in ``since`` → 1 in ``until``."""
        return (year - self.since) / (self.until - self.since)


@dataclass(frozen=True)
class CountyDesign:
    """The story of one county: planned certification year, what falls short until when.

    ``planned`` is the certification year its seed plan names (呼和浩特市's schedule,
    桓台县 and 蕉岭县 "by 2025"); ``None`` where the plan names none (濮阳市 only
    says "one third of the counties by 2025"). ``new_schools`` maps a year to the
    urban schools built that year (those of the first year are already in the
    first year's table); ``new_boarding`` to the rural schools that start boarding
    (after the first year, so that the change shows in the data).
    ``scores``: student-level scores are generated (Q9's difference rate is
    then computed from them). ``small_survey``: the year whose survey has a
    tiny sample.
    """

    planned: int | None
    story: str
    shortfalls: tuple[Shortfall, ...] = ()
    new_schools: Mapping[int, int] = field(default_factory=dict)
    new_boarding: Mapping[int, int] = field(default_factory=dict)
    scores: bool = False
    small_survey: int | None = None

    @property
    def first_pass(self) -> int:
        """The first year with no active shortfall: the year the county is designed to pass."""
        return max([s.until for s in self.shortfalls] + [BASE_YEAR])

    def active(self, year: int, item: str) -> list[Shortfall]:
        return [s for s in self.shortfalls if s.item == item and s.active(year)]

    def of(self, item: str) -> list[Shortfall]:
        return [s for s in self.shortfalls if s.item == item]


def _rule(schools: int, until: int) -> Shortfall:
    return Shortfall("R.school", until, schools=schools)


def _cv(stage: str, indicator: str, until: int, excess: float = 0.04) -> Shortfall:
    return Shortfall("R.cv", until, stage=stage, indicator=indicator, excess=excess)


def _item(item: str, until: int, start: float | None = None, schools: int = 0, large_classes: int = 0,
          since: int = BASE_YEAR) -> Shortfall:
    return Shortfall(item, until, since=since, start=start, schools=schools, large_classes=large_classes)


def _veto(item: str, year: int) -> Shortfall:
    return Shortfall(item, year + 1, since=year)


#: County → its designed story. Read it as: "until" = the first year the item is met again.
DESIGN: dict[str, CountyDesign] = {
    # 濮阳市: one third of its six counties certified by 2025 → 华龙区 and 清丰县.
    "华龙区": CountyDesign(None, "城区大校额、56人以上大班额到 2024 年消除；2024 年四个维度全部达标，却因违规择校（V2）"
                              "被一票否决；2025 年达标",
                         (_item("G4", 2024, schools=10), _item("G5", 2024, large_classes=330),
                          _cv("primary", "R5", 2023), _item("S1", 2023, start=82.5), _veto("V2", 2024)),
                         new_schools={2021: 8, 2022: 6, 2023: 5, 2024: 3}),
    "清丰县": CountyDesign(None, "薄弱学校、大班额、巩固率（濮阳市要求 100%）和体质健康逐年补齐，2025 年达标",
                         (_rule(8, 2025), _item("G5", 2025, large_classes=110), _item("G4", 2023, schools=3),
                          _item("Q1", 2024, start=98.6), _item("L2", 2023, start=55.0), _item("G6", 2024, schools=3)),
                         new_schools={2021: 3, 2022: 2, 2023: 2, 2024: 1}, new_boarding={2022: 1, 2024: 1}),
    "南乐县": CountyDesign(None, "接近达标：2025 年只差资源配置（2 所学校未达校际规则）",
                         (_rule(9, 2026), _item("G5", 2025, large_classes=80), _item("G4", 2023, schools=2),
                          _item("Q1", 2025, start=98.0), _item("L3", 2024, start=98.5)),
                         new_schools={2021: 3, 2022: 2, 2023: 1, 2025: 1},
                         new_boarding={2022: 4, 2023: 4, 2024: 3, 2025: 3}),  # the plan's 14
    "濮阳县": CountyDesign(None, "逐年改善但 2025 年仍未达标：薄弱学校、初中体育场馆差异系数、大校额大班额、巩固率",
                         (_rule(14, 2027), _cv("junior", "R5", 2027), _item("G4", 2027, schools=4),
                          _item("G5", 2027, large_classes=260), _item("Q1", 2026, start=97.5),
                          _item("L2", 2024, start=54.0), _item("G6", 2024, schools=4), _item("G13", 2024, start=92.0)),
                         new_schools={2021: 5, 2022: 3, 2023: 3, 2024: 2, 2025: 2},
                         new_boarding={2022: 3, 2023: 2, 2024: 2, 2025: 1}),  # 8 of the plan's 11
    "范县": CountyDesign(None, "差距较大：骨干教师差异系数、交流轮岗、质量监测校际差异率（由学生成绩计算）、满意度；"
                            "2023 年查出重点班（V3）",
                       (_rule(10, 2027), _cv("primary", "R2", 2027, excess=0.08), _item("G11", 2026, start=7.0),
                        _item("G8", 2025, start=96.0), _item("Q9", 2027, start=0.24), _item("S1", 2026, start=80.0),
                        _veto("V3", 2023), _item("G5", 2027, large_classes=50)),
                       new_schools={2021: 2, 2022: 2, 2023: 1, 2024: 1}, new_boarding={2022: 2, 2023: 1, 2024: 1},
                       scores=True),
    "台前县": CountyDesign(None, "差距最大：多所薄弱学校、两项差异系数超限、音美教室、经费、培训、持证、巩固率、"
                              "残疾儿童入学、信息化与满意度都未达标",
                         (_rule(15, 2029), _cv("primary", "R5", 2029), _cv("junior", "R2", 2028, excess=0.08),
                          _item("G3", 2028, schools=6), _item("G6", 2027, schools=5), _item("G7", 2026, start=5200.0),
                          _item("G9", 2027, start=88.0), _item("G12", 2026, start=97.0),
                          _item("Q1", 2028, start=96.0), _item("Q2", 2027, start=90.0), _item("Q5", 2027),
                          _item("S1", 2028, start=78.0), _item("G5", 2028, large_classes=40)),
                         new_schools={2021: 2, 2022: 1, 2023: 1, 2025: 1}, new_boarding={2023: 1, 2025: 1}),
    # 呼和浩特市: the seed's schedule by district.
    "新城区": CountyDesign(2024, "计划 2024 年：薄弱学校、班额和交流轮岗 2023 年前后补齐；2022 年存在违规择校（V2）",
                         (_rule(5, 2024), _item("G5", 2023, schools=3), _item("G11", 2023, start=8.0),
                          _veto("V2", 2022))),
    "回民区": CountyDesign(2025, "计划 2025 年：大校额 1 所、优质高中名额分配（2024 年 57.7%：达到国家标准 50%，"
                              "未达呼和浩特市要求的 60%）到 2025 年解决；课业负担和满意度 2024 年解决",
                         (_item("G4", 2025, schools=1), _item("G14", 2025, start=51.0), _item("Q8", 2024),
                          _item("S1", 2024, start=83.5)),
                         new_schools={2024: 1}),
    "玉泉区": CountyDesign(2022, "计划 2022 年：2021 年 3 所学校未达校际规则、2 所学校班额超标、满意度 83%，"
                              "2022 年全部达标并保持",
                         (_rule(3, 2022), _item("G5", 2022, schools=2), _item("S1", 2022, start=83.0))),
    "赛罕区": CountyDesign(2024, "计划 2024 年：城区大校额、小学体育场馆差异系数、名额分配（低于呼和浩特市的 60%）",
                         (_item("G4", 2024, schools=2), _cv("primary", "R5", 2024), _item("G14", 2023, start=52.0),
                          _item("Q6", 2022)),
                         new_schools={2023: 2}),
    "土默特左旗": CountyDesign(2025, "计划 2025 年：薄弱学校 2025 年补齐；初中学历差异系数、交流轮岗、巩固率、"
                                "四统一和满意度更早解决",
                             (_rule(6, 2025), _cv("junior", "R1", 2024), _item("G11", 2024, start=8.5),
                              _item("Q1", 2023, start=94.0), _item("S1", 2023, start=82.0), _item("G2", 2022))),
    "托克托县": CountyDesign(2026, "计划 2026 年，2025 年接近达标：初中设备值差异系数略超 0.45、满意度 84% 左右",
                           (_cv("junior", "R6", 2026), _item("S1", 2026, start=80.5), _item("G15", 2025, start=80.0),
                            _item("G3", 2024, schools=2))),
    "和林格尔县": CountyDesign(2026, "计划 2026 年，2025 年接近达标：2 所学校未达校际规则、小学体育场馆差异系数略超 0.50",
                             (_rule(6, 2026), _cv("primary", "R5", 2026), _item("G9", 2025, start=92.0),
                              _item("Q1", 2024, start=93.5))),
    "清水河县": CountyDesign(2023, "计划 2023 年：薄弱学校、音美教室 2023 年补齐；2023 年满意度样本很小，"
                              "达标但区间下限低于 85%",
                           (_rule(4, 2023), _item("G3", 2023, schools=3), _item("Q9", 2022, start=0.17)),
                           small_survey=2023),
    "武川县": CountyDesign(2022, "计划 2022 年：2021 年初中骨干教师差异系数超限、残疾儿童入学率和培训经费不足",
                         (_cv("junior", "R2", 2022, excess=0.14), _item("Q2", 2022, start=93.5),
                          _item("Q4", 2022, schools=2))),
    # 梅州市蕉岭县 and 淄博市桓台县: certification by 2025; their local profiles decide 2024.
    "蕉岭县": CountyDesign(2025, "2025 年达标；2024 年只差九年义务教育巩固率 95.7%（达到国家标准 95%，"
                              "未达蕉岭县要求的 96%）",
                         (_rule(3, 2024), _item("G15", 2024, start=92.0), _item("Q1", 2025, start=95.1),
                          _item("L1", 2023, start=99.5)),
                         scores=True),
    "桓台县": CountyDesign(2025, "2025 年达标；2024 年按国家标准已达标，但按桓台县方案未达标：名额分配 66.5% < 70%，"
                              "仍有 1 所不足 200 人的农村小学未按 200 人拨付公用经费（2021 年 3 所）",
                         (_item("G14", 2025, start=56.0), _item("G6", 2025, schools=3), _cv("junior", "R4", 2023),
                          _item("L1", 2023, start=42.0), _item("Q9", 2022, start=0.21)),
                         scores=True),
}

_DIMENSION_OF = {"R": "resources", "G": "guarantee", "Q": "quality", "S": "recognition", "V": "veto"}


def designed_verdicts(years: Iterable[int] = DEFAULT_YEARS) -> pd.DataFrame:
    """What :data:`DESIGN` says the assessment must find: one row per county and year.

    Columns ``city, county, year, resources, guarantee, quality, recognition, veto,
    overall``, each ``met`` or ``not_met`` (a dimension is ``not_met`` while one of
    its shortfalls is active; a profile's local ``L*`` items belong to the dimension
    the profile gives them). Tests compare it with :func:`quality_balance.assess`.
    """
    rows = []
    for place in PLACES:
        design = DESIGN[place.county]
        local = {i["id"]: i["dimension"] for i in profile_for_place(place.city, place.county).extra_items}
        for year in years:
            failing = {local.get(s.item) or _DIMENSION_OF[s.item[0]] for s in design.shortfalls if s.active(year)}
            row = {"city": place.city, "county": place.county, "year": year}
            row.update({dim: "not_met" if dim in failing else "met" for dim in _DIMENSION_OF.values()})
            row["overall"] = "not_met" if failing else "met"
            rows.append(row)
    return pd.DataFrame(rows)


# --- generation parameters (plausible inventions, not statistics) ---------------------------------

_SCHOOL_TYPES = ("小学", "初级中学", "九年一贯制学校", "十二年一贯制学校", "完全中学", "教学点")
_SPECIAL = "特殊教育学校"
_TYPE_MIX = {  # share of a county's ordinary schools by type
    "urban": (0.56, 0.20, 0.12, 0.04, 0.05, 0.03),
    "rural": (0.52, 0.13, 0.10, 0.02, 0.03, 0.20),
}
_LOCATION_MIX = {  # share of 城区, 镇区, 乡村 by county kind and school type
    "urban": {"小学": (0.78, 0.12, 0.10), "初级中学": (0.85, 0.15, 0.0), "九年一贯制学校": (0.6, 0.2, 0.2),
              "十二年一贯制学校": (1, 0, 0), "完全中学": (1, 0, 0), "教学点": (0, 0, 1)},
    "rural": {"小学": (0.15, 0.30, 0.55), "初级中学": (0.25, 0.55, 0.20), "九年一贯制学校": (0.1, 0.4, 0.5),
              "十二年一贯制学校": (1, 0, 0), "完全中学": (1, 0, 0), "教学点": (0, 0, 1)},
}
_SIZES = {  # students in 2021 by (type, location): ranges for primary, junior, senior (log-uniform)
    ("小学", "城区"): ((900, 1850), None, None),
    ("小学", "镇区"): ((350, 1100), None, None),
    ("小学", "乡村"): ((60, 420), None, None),
    ("教学点", "乡村"): ((8, 60), None, None),
    ("初级中学", "城区"): (None, (900, 1850), None),
    ("初级中学", "镇区"): (None, (450, 1300), None),
    ("初级中学", "乡村"): (None, (150, 500), None),
    ("九年一贯制学校", "城区"): ((600, 1300), (400, 900), None),
    ("九年一贯制学校", "镇区"): ((300, 800), (200, 600), None),
    ("九年一贯制学校", "乡村"): ((100, 380), (60, 260), None),
    ("十二年一贯制学校", "城区"): ((500, 1000), (400, 800), (600, 1200)),
    ("完全中学", "城区"): (None, (500, 1200), (800, 1600)),
    (_SPECIAL, "城区"): ((40, 120), (15, 50), None),
}
_TREND = {"城区": 0.015, "镇区": 0.0, "乡村": -0.04}  # yearly change of enrolment
_CLASS_SIZE = {"城区": (38, 44), "镇区": (34, 42), "乡村": (22, 36)}  # average class size targets
_GRADES = {"primary": 6, "junior": 3}
_FIVE_FOUR = ("桓台县",)  # 五四学制: 5 primary grades, 4 junior grades
_RESERVE = 0.97  # ordinary schools stay under this share of the G4 size limit
_LARGE_CLASS = 56  # "大班额" as the plans count them (56 students or more)
_FLOOR = 1.03  # a unit meeting an indicator is at least this multiple of the threshold
_FLOOR_CAP = 1.5  # ... and, as its county improves, the weakest unit rises to at most this multiple
_CV_BASE = {"R1": (0.12, 0.22), "R2": (0.20, 0.30), "R3": (0.18, 0.28), "R4": (0.15, 0.27),
            "R5": (0.20, 0.31), "R6": (0.15, 0.28), "R7": (0.12, 0.24)}  # a county's CV in 2021, if not designed
_CV_IMPROVEMENT = 0.03  # CVs fall by this share a year
_CV_EXCESS_STEP = 0.05  # a designed CV failure is this share of the limit higher for each year before its last
_CV_AFTER_FIX = 0.78  # ... and once fixed, at most this share of the limit
_SHAPE_REGULAR, _SHAPE_WIDE = 2.5, 0.9  # gamma shape of the latent positions: a wide CV needs a skewed spread
_CALIBRATION_ROUNDS, _CALIBRATION_TOLERANCE = 5, 0.01  # realized CV within 1% of the designed one
_TEACHERS = {"R1": "teachers_above_degree", "R2": "backbone_teachers", "R3": "pe_art_teachers"}  # per stage
_FACILITIES = {"R4": ("teaching_area_m2", 0.1, 1), "R5": ("sports_area_m2", 0.1, 1),  # column, rounding step,
               "R6": ("equipment_value_yuan", 1.0, 1), "R7": ("multimedia_rooms", 1.0, 100)}  # per-100 scale
_TILT = {"R2": {"城区": 1.5, "镇区": 1.0, "乡村": 0.7}, "R4": {"城区": 0.8, "镇区": 1.0, "乡村": 1.3},
         "R5": {"城区": 0.6, "镇区": 1.0, "乡村": 1.8}}  # where each resource tends to be richer
_FAIL_PATTERNS = (  # how a school unit fails the school rule: indicator → ratio range
    {"R4": (0.90, 0.97), "R5": (0.88, 0.97)},
    {"R2": (0.35, 0.75)},
    {"R6": (0.60, 0.82)},
    {"R3": (0.40, 0.80), "R7": (0.86, 0.95)},
)
_FUNDS_BENCHMARK = {"濮阳市": 650.0, "呼和浩特市": 700.0, "梅州市": 850.0, "淄博市": 800.0}  # 元/生, primary, 2021
_FUNDS_RISE = 20.0  # 元 a year
_FUNDS_STAGE_EXTRA = {"junior": 200.0, "senior": 400.0}  # added to the primary benchmark
_CIVIL_PAY = {"濮阳市": 78000.0, "呼和浩特市": 92000.0, "梅州市": 86000.0, "淄博市": 98000.0}  # 元/年, 2021
_PAY_RISE = 0.04
_GROUP_SIZE = {"学生": (300, 600), "家长": (300, 600), "教师": (150, 400), "校长": None,
               "人大代表": (60, 150), "政协委员": (60, 150), "其他群众": (100, 300)}
_GROUP_OFFSET = {"学生": 0.0, "家长": -0.02, "教师": 0.01, "校长": 0.04, "人大代表": 0.02, "政协委员": 0.02,
                 "其他群众": -0.03}
_SUBJECTS = ("数学", "科学")
_SCORE_MEAN, _SCORE_SD = 500.0, 80.0
_OTHER_RATES = {  # county figures that are not items of the county's profile: plausible ranges
    "net_enrollment_rate": (99.6, 100.0), "fitness_good_rate": (52.0, 70.0), "fitness_pass_rate": (95.0, 99.6),
    "labour_practice_share": (30.0, 60.0),
}
_RATE_ITEMS = {  # county-table rate columns: item, profile setting of the threshold, comparison
    "training_360h_rate": ("G9", "guarantee.G9.min_rate", ">="),
    "rotation_rate": ("G11", "guarantee.G11.min_rotation_rate", ">="),
    "rotation_backbone_share": (None, "guarantee.G11.min_backbone_share", ">="),
    "certified_teacher_rate": ("G12", "guarantee.G12.min_rate", ">="),
    "zoned_admission_primary": (None, "guarantee.G13.min_primary", ">="),
    "zoned_admission_junior": ("G13", "guarantee.G13.min_junior", ">="),
    "quota_share": ("G14", "guarantee.G14.min_share", ">="),
    "migrant_public_share": ("G15", "guarantee.G15.min_share", ">="),
    "consolidation_rate": ("Q1", "quality.Q1.min_rate", ">="),
    "disabled_enrollment_rate": ("Q2", "quality.Q2.min_rate", ">="),
    "difference_rate": ("Q9", "quality.Q9.max_difference_rate", "<"),
}
_FLAG_ITEMS = {"G1": "layout_reasonable", "G2": "unified_funding", "G10": "staffing_by_bureau",
               "Q3": "charter_and_it", "Q7": "curriculum_ok", "Q8": "no_excess_burden"}  # yes/no items: 否 while failing
_ALWAYS_YES = ("layout_reasonable", "unified_construction", "unified_staffing", "unified_funding",
               "unified_equipment", "performance_pay_approved", "staffing_by_bureau", "quota_rural_tilt",
               "charter_and_it", "curriculum_ok", "no_excess_burden")
_RATING_ITEMS = {"Q5": ("ict_rating", "quality.Q5.min_rating"), "Q6": ("moral_rating", "quality.Q6.min_rating")}
_VETO_COLUMNS = {"V1": "v1_exam_admission", "V2": "v2_school_choice", "V3": "v3_key_schools",
                 "V4": "v4_unfilled_posts", "V5": "v5_safety_incident", "V6": "v6_falsified_data"}
_SCHOOL_ITEMS = ("R.school", "R.cv", "G3", "G4", "G5", "G6", "Q4")
_COUNTY_ITEMS = ("G7", "G8", "S1", *(v[0] for v in _RATE_ITEMS.values() if v[0]), *_FLAG_ITEMS, *_RATING_ITEMS,
                 *_VETO_COLUMNS)

# names: invented, generic place-name parts
_TOWNS = ("东风", "红旗", "新集", "古城", "双庙", "白马", "石桥", "清河", "金堤", "长青", "青山", "南湖", "北关", "龙泉",
          "兴隆", "富源", "永安", "太平", "三合", "五里", "八里", "柳林", "杏园", "桃园", "梨园", "高堤", "沙窝",
          "大营", "小店", "前进", "胜利", "红星", "河西", "河东", "白庙", "新华", "和平", "杨柳", "松林", "丰收")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_VILLAGE_ENDS = "庄寨楼集屯村营店堡湾岗洼桥园坡"
_URBAN_NAMES = ("育才", "新华", "启明", "文昌", "朝阳", "胜利", "人民路", "建设路", "光明", "和平", "长安", "阳光",
                "明德", "求实", "博雅", "英才", "开元", "中原", "南关", "北城", "东城", "西城", "振兴", "解放路",
                "龙城", "滨河", "锦华", "翰林", "春晖", "青年路")
_DIGITS = "零一二三四五六七八九"


def _numeral(i: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (up to 99)."""
    tens, ones = divmod(i, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def _rng(seed: int, *keys: int) -> np.random.Generator:
    """An independent PCG64 stream for (seed, keys): no state shared between counties or purposes."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *keys])))


def _allocate(shares: Iterable[float], n: int) -> np.ndarray:
    """Split n into whole counts in proportion to ``shares`` (largest remainder, ties to the first)."""
    shares = np.asarray(list(shares), float)
    exact = shares / shares.sum() * n
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


def _log_uniform(rng: np.random.Generator, low: float, high: float, size=None) -> np.ndarray:
    return np.exp(rng.uniform(np.log(low), np.log(high), size))


def _decimals(step: float) -> int:
    return max(0, -int(math.floor(math.log10(step))))


def _ceil(x, step: float = 1.0):
    """Round up to a multiple of ``step`` (0.1 m², 1 元...), as the nearest float to that decimal."""
    return np.round(np.ceil(np.asarray(x, float) / step - 1e-9) * step, _decimals(step))


def _floor(x, step: float = 1.0):
    return np.round(np.floor(np.asarray(x, float) / step + 1e-9) * step, _decimals(step))


# --- the schools --------------------------------------------------------------------------------

class _Names:
    """School names of one county: unique, plausible, invented (towns and villages are not real)."""

    def __init__(self, county: str, rng: np.random.Generator, n_towns: int):
        self.county = county
        self.towns = [t + ("乡" if i % 4 == 3 else "镇") for i, t in
                      enumerate(rng.choice(_TOWNS, size=min(n_towns, len(_TOWNS)), replace=False))]
        villages = [s + e for s in _SURNAMES for e in _VILLAGE_ENDS]
        self.villages = list(rng.permutation(villages))
        self.urban = list(rng.permutation(_URBAN_NAMES))
        self.count: dict[str, int] = {}
        self.used: set[str] = set()

    def _next(self, key: str) -> int:
        self.count[key] = self.count.get(key, 0) + 1
        return self.count[key]

    def _unique(self, name: str) -> str:
        base, i = name, 2
        while name in self.used:
            name, i = f"{base[:-2]}{_numeral(i)}{base[-2:]}", i + 1
        self.used.add(name)
        return name

    def name(self, school_type: str, location: str, town: str) -> str:
        c = self.county
        if school_type == _SPECIAL:
            return self._unique(f"{c}特殊教育学校")
        if location == "城区":
            if school_type == "小学":
                i = self._next("城区小学")
                return self._unique(f"{c}实验小学" if i == 1 else f"{c}第{_numeral(i - 1)}小学")
            if school_type == "初级中学":
                return self._unique(f"{c}第{_numeral(self._next('城区初中'))}初级中学")
            if school_type == "完全中学":
                return self._unique(f"{c}第{_numeral(self._next('城区完中'))}中学")
            word = self.urban[self._next("城区名") % len(self.urban)]
            return self._unique(f"{c}{word}{'实验学校' if school_type == '十二年一贯制学校' else '学校'}")
        if location == "镇区":
            i = self._next(town + school_type)
            stem = {"小学": ("中心小学", "小学"), "初级中学": ("初级中学", "初级中学"),
                    "九年一贯制学校": ("中心学校", "学校")}[school_type]
            return self._unique(f"{town}{stem[0]}" if i == 1 else f"{town}第{_numeral(i)}{stem[1]}")
        village = self.villages.pop()
        word = {"小学": "小学", "初级中学": "初级中学", "九年一贯制学校": "学校", "教学点": "教学点"}[school_type]
        return self._unique(f"{town}{village}{word}")

    def new_urban(self, school_type: str) -> str:
        word = self.urban[self._next("城区名") % len(self.urban)]
        return self._unique(f"{self.county}{word}{'小学' if school_type == '小学' else '初级中学'}")


def _school_sizes(rng: np.random.Generator, school_type: str, location: str) -> list[float]:
    ranges = _SIZES[(school_type, location)]
    return [float(_log_uniform(rng, *r)) if r else 0.0 for r in ranges]


def _roster(place: Place, design: CountyDesign, profile: Profile, rng: np.random.Generator,
            years: list[int]) -> pd.DataFrame:
    """One row per school of the county (static attributes and latent draws), new schools included."""
    types_n = _allocate(_TYPE_MIX[place.kind], place.schools - 1)
    rows: list[dict] = []
    for school_type, n_type in zip(_SCHOOL_TYPES, types_n):
        for location, n_loc in zip(("城区", "镇区", "乡村"), _allocate(_LOCATION_MIX[place.kind][school_type], n_type)):
            rows += [{"school_type": school_type, "location": location, "open_year": min(years), "new": False}
                     for _ in range(n_loc)]
    rows.append({"school_type": _SPECIAL, "location": "城区", "open_year": min(years), "new": False})
    for year, n_new in sorted(design.new_schools.items()):
        if year > min(years) and year in years:
            rows += [{"school_type": "初级中学" if k % 3 == 2 else "小学", "location": "城区", "open_year": year,
                      "new": True} for k in range(n_new)]
    roster = pd.DataFrame(rows)
    n = len(roster)
    names = _Names(place.county, rng, max(3, round(place.schools / 7)))
    towns = np.array(names.towns)[rng.permutation(n) % len(names.towns)]
    sizes = np.array([_school_sizes(rng, t, loc if (t, loc) in _SIZES else "城区")
                      for t, loc in zip(roster["school_type"], roster["location"])])
    for k, stage in enumerate(("primary", "junior", "senior")):
        roster[f"n0_{stage}"] = sizes[:, k]
    new = roster["new"].to_numpy()
    opening = rng.uniform(300, 700, n)
    roster.loc[new, "n0_primary"] = np.where(roster.loc[new, "school_type"] == "小学", opening[new], 0.0)
    roster.loc[new, "n0_junior"] = np.where(roster.loc[new, "school_type"] == "初级中学", opening[new], 0.0)
    roster["school_name"] = [names.new_urban(t) if is_new else names.name(t, loc, town)
                             for t, loc, town, is_new in zip(roster["school_type"], roster["location"], towns, new)]
    roster["school_id"] = [f"2{place.code}{i:03d}" for i in range(1, n + 1)]
    roster["trend"] = roster["location"].map(_TREND).where(roster["school_type"] != "教学点", -0.05)
    roster.loc[roster["school_type"] == _SPECIAL, "trend"] = 0.0
    low, high = zip(*roster["location"].map(_CLASS_SIZE))
    roster["avg_class"] = rng.uniform(low, high)
    # latent position of each school in each indicator's distribution: persistent over the years and
    # shared by its stages (a well-equipped school is well equipped for both)
    for ind in INDICATORS:
        roster[f"u_{ind}"] = rng.uniform(0.001, 0.999, n)
    for purpose in ("fail", "g3", "g5", "q4", "crowd", "boarding"):
        roster[f"order_{purpose}"] = rng.permutation(n)
    roster["board_share"] = rng.uniform(0.3, 0.65, n)
    roster["extra_music_rooms"] = rng.integers(0, 2, n)
    roster["extra_art_rooms"] = rng.integers(0, 2, n)
    roster["music_area"] = rng.uniform(1.0, 1.35, n)
    roster["art_area"] = rng.uniform(1.0, 1.35, n)
    roster["funds_margin"] = rng.uniform(1.02, 1.15, n)
    roster["training_share"] = rng.uniform(5.6, 9.0, n)
    roster["over_by"] = rng.uniform(80, 600, n)
    roster["under_by"] = rng.uniform(0.86, 0.95, n)
    roster["is_village_school"] = ((roster["school_type"] == "教学点")
                                   | ((roster["school_type"] == "小学") & (roster["location"] == "乡村")))
    _mark_large_schools(roster, design, profile)
    _mark_boarding(roster, design, years)
    _make_g6_candidates(roster, design, profile, rng)
    special = (roster["school_type"] == _SPECIAL).to_numpy()
    one_through = roster["school_type"].isin(("九年一贯制学校", "十二年一贯制学校")).to_numpy()
    roster["per_stage"] = False
    if place.county in ("新城区", "蕉岭县", "桓台县"):  # a few schools report per-stage facility figures
        roster.loc[roster.index[one_through][:2], "per_stage"] = True
    roster.loc[special, "board_share"] = 0.3
    return roster


def _mark_large_schools(roster: pd.DataFrame, design: CountyDesign, profile: Profile) -> None:
    """G4: the biggest urban 小学/初级中学 are over the size limit until their turn to be brought down."""
    roster["large_rank"] = -1
    wanted = max([s.schools for s in design.of("G4")] + [0])
    if not wanted:
        return
    pool = roster[roster["location"].eq("城区") & roster["school_type"].isin(("小学", "初级中学")) & ~roster["new"]]
    size = pool[["n0_primary", "n0_junior"]].max(axis=1).sort_values(ascending=False, kind="stable")
    roster.loc[size.index[:wanted], "large_rank"] = np.arange(min(wanted, len(size)))


def _mark_boarding(roster: pd.DataFrame, design: CountyDesign, years: list[int]) -> None:
    """Rural and town schools with a junior stage board from the start; more start boarding per the plan."""
    first = min(years)
    junior_rural = (roster["n0_junior"] > 0) & roster["location"].isin(("镇区", "乡村"))
    base = junior_rural & (roster["order_boarding"] % 4 != 0)
    roster["boarding_from"] = np.where(base | (roster["school_type"] == _SPECIAL), first, 9999)
    candidates = roster[(roster["school_type"] == "小学") & roster["location"].isin(("镇区", "乡村"))
                        & (roster["n0_primary"] >= 150)].sort_values("order_boarding").index
    k = 0
    for year, n_new in sorted(design.new_boarding.items()):
        chosen = candidates[k:k + n_new]
        roster.loc[chosen, "boarding_from"] = year
        roster.loc[chosen, "board_share"] = roster.loc[chosen, "board_share"] / 2
        k += n_new


def _make_g6_candidates(roster: pd.DataFrame, design: CountyDesign, profile: Profile,
                        rng: np.random.Generator) -> None:
    """G6: make sure the county has small village schools that can be underfunded.

    Under a profile that funds schools under 200 as 200 (桓台县) the candidates
    have 110–170 students: underfunded locally, yet fine under the national 100.
    """
    roster["g6_rank"] = -1
    wanted = max([s.schools for s in design.of("G6")] + [0])
    if not wanted:
        return
    below = float(profile.get("guarantee.G6.below"))
    village = roster[roster["is_village_school"] & (roster["school_type"] == "小学")]
    village = village.sort_values("order_fail", ascending=False)
    chosen = village.index[:wanted]
    roster.loc[chosen, "n0_primary"] = below * rng.uniform(0.55, 0.85, len(chosen))
    roster.loc[chosen, "trend"] = 0.0
    roster.loc[chosen, "g6_rank"] = np.arange(len(chosen))


def _panel(roster: pd.DataFrame, design: CountyDesign, profile: Profile, years: list[int],
           rng: np.random.Generator) -> pd.DataFrame:
    """School × year rows with enrolment: trends, new schools growing, large schools brought down."""
    panel = roster.merge(pd.DataFrame({"year": years}), how="cross")
    panel = panel[panel["open_year"] <= panel["year"]].reset_index(drop=True)
    age = (panel["year"] - np.maximum(panel["open_year"], BASE_YEAR)).clip(lower=0).to_numpy()
    factor = (1 + panel["trend"].to_numpy()) ** age * rng.normal(1.0, 0.02, len(panel))
    factor = np.where(panel["new"], np.minimum(1.25 ** age, 2.6), factor)
    single = float(profile.get("guarantee.G4.max_students_single_stage"))
    through = float(profile.get("guarantee.G4.max_students_one_through"))
    for stage in ("primary", "junior", "senior"):
        panel[f"students_{stage}"] = np.round(panel[f"n0_{stage}"] * factor)
    tp = panel["school_type"] == "教学点"
    panel.loc[tp, "students_primary"] = panel.loc[tp, "students_primary"].clip(lower=5)
    compulsory = panel["students_primary"] + panel["students_junior"]
    one_through = panel["school_type"].isin(("九年一贯制学校", "十二年一贯制学校"))
    cap = np.where(one_through, through, single) * _RESERVE
    scale = np.minimum(1.0, cap / compulsory.where(compulsory > 0, 1))
    g4 = design.of("G4")
    if g4:
        over = panel["large_rank"].to_numpy() < np.array([g4[0].remaining(y, g4[0].schools) for y in panel["year"]])
        large = panel["large_rank"].to_numpy() >= 0
        target = np.where(over, single + panel["over_by"], single * panel["under_by"])
        scale = np.where(large, target / compulsory.where(compulsory > 0, 1), scale)
    for stage in ("primary", "junior"):
        panel[f"students_{stage}"] = np.round(panel[f"students_{stage}"] * scale)
    return panel


def _classes(panel: pd.DataFrame, design: CountyDesign, profile: Profile, county: str,
             rng: np.random.Generator) -> None:
    """Classes per stage, the largest class, 56+ classes (G5 and 濮阳市's large-class plan)."""
    limits = {"primary": float(profile.get("guarantee.G5.max_class_primary")),
              "junior": float(profile.get("guarantee.G5.max_class_junior"))}
    grades = {"primary": 5, "junior": 4} if county in _FIVE_FOUR else _GRADES
    main = np.where(panel["students_junior"] > panel["students_primary"], "junior", "primary")
    n_main = np.maximum(panel["students_primary"], panel["students_junior"]).to_numpy()
    # 56+ classes: the county total of the year, filled into the most crowded urban and town schools
    large = np.zeros(len(panel))
    g5 = design.of("G5")
    if g5 and g5[0].large_classes:
        eligible = (panel["location"].isin(("城区", "镇区")) & ~panel["school_type"].isin(("教学点", _SPECIAL))).to_numpy()
        capacity = np.where(eligible, np.floor(0.8 * n_main / 60), 0)
        priority = np.where(panel["large_rank"] >= 0, panel["large_rank"], 100 + panel["order_crowd"])
        order = pd.DataFrame({"year": panel["year"], "p": priority, "cap": capacity}).sort_values(["year", "p"])
        total = order["year"].map(lambda y: g5[0].remaining(y, g5[0].large_classes))
        before = order.groupby("year")["cap"].cumsum() - order["cap"]
        large[order.index] = np.clip(total - before, 0, order["cap"])
    # mild oversize classes (over the G5 limit, under 56)
    oversize = np.zeros(len(panel), bool)
    if g5 and g5[0].schools:
        ok = (~panel["school_type"].isin(("教学点", _SPECIAL)) & (n_main >= 300) & (large == 0)).to_numpy()
        rank = pd.Series(np.where(ok, panel["order_g5"], np.inf)).groupby(panel["year"]).rank(method="first")
        quota = panel["year"].map(lambda y: g5[0].remaining(y, g5[0].schools))
        oversize = (rank <= quota).to_numpy() & ok
    panel["classes_56_plus"] = large.astype(int)
    for stage in ("primary", "junior"):
        n = panel[f"students_{stage}"].to_numpy()
        k = np.where(main == stage, large, 0)
        regular = np.maximum(0, n - 60 * k)
        classes = np.where(n > 0, np.maximum(np.minimum(grades[stage], np.ceil(n / 12)),
                                             k + np.ceil(regular / panel["avg_class"])), 0)
        classes = np.where((panel["school_type"] == "教学点") & (n > 0), np.minimum(3, np.maximum(1, np.ceil(n / 20))),
                           classes)
        classes = np.where(panel["school_type"] == _SPECIAL, np.ceil(n / 10), classes)
        typical = np.ceil(regular / np.maximum(classes - k, 1))
        biggest = np.minimum(limits[stage], typical + rng.integers(0, 4, len(panel)))
        biggest = np.where(k > 0, _LARGE_CLASS + rng.integers(1, 12, len(panel)), biggest)
        biggest = np.where(oversize & (main == stage), np.minimum(_LARGE_CLASS - 1,
                                                                 limits[stage] + rng.integers(1, 8, len(panel))),
                           biggest)
        panel[f"classes_{stage}"] = classes.astype(int)
        panel[f"max_class_size_{stage}"] = np.where(n > 0, biggest, 0).astype(int)


# --- resource indicators -----------------------------------------------------------------------

def _cv_targets(county: str, design: CountyDesign, profile: Profile, years: list[int],
                rng: np.random.Generator) -> pd.DataFrame:
    """The designed CV of every (year, stage, indicator) of a county and the skew of its latent draws."""
    rows = []
    base = {(st, ind): rng.uniform(*_CV_BASE[ind]) for st in STAGES for ind in INDICATORS}
    for year in years:
        for stage in STAGES:
            limit = float(profile.get(f"resources.cv_limit.{stage}"))
            for ind in INDICATORS:
                c = base[(stage, ind)] * (1 - _CV_IMPROVEMENT * max(0, year - BASE_YEAR))
                shape = _SHAPE_REGULAR
                for s in design.of("R.cv"):
                    if s.stage == stage and s.indicator == ind:
                        shape = _SHAPE_WIDE
                        if s.active(year):
                            c = limit * (1 + s.excess + _CV_EXCESS_STEP * (s.until - 1 - year))
                        else:  # fixed: comfortably within, and improving
                            c = min(c, _CV_AFTER_FIX * limit * (1 - _CV_IMPROVEMENT * (year - s.until)))
                rows.append((county, year, stage, ind, c, shape))
    return pd.DataFrame(rows, columns=["county", "year", "stage", "indicator", "c", "shape"])


def _unit_draws(panel: pd.DataFrame, design: CountyDesign, rng: np.random.Generator) -> None:
    """Everything random that the resource indicators need, drawn once per county into the panel.

    Calibration then reruns the deterministic rest with identical draws, and
    each county keeps its own random stream.
    """
    n = len(panel)
    for ind in INDICATORS:
        panel[f"noise_{ind}"] = rng.lognormal(0, 0.06, n)  # yearly wobble of a school's position
        panel[f"fail_{ind}"] = rng.uniform(0, 1, n)  # where in its range a failing value falls
    panel["mild_key"] = rng.uniform(0, 1, n)
    panel["mild_indicator"] = rng.choice(["R4", "R5", "R6"], n)
    panel["mild_ratio"] = rng.uniform(0.87, 0.98, n)
    years = sorted(panel["year"].unique())
    panel["mild_quota"] = panel["year"].map(dict(zip(years, rng.integers(0, 3, len(years)))))
    rule = design.of("R.school")
    panel["fail_quota"] = panel["year"].map(lambda y: rule[0].remaining(y, rule[0].schools)) if rule else 0


def _resource_settings(profiles: Mapping[str, Profile]) -> pd.DataFrame:
    """Per county: R thresholds, split weights and the teaching-point cut, from each county's profile."""
    city = {p.county: p.city for p in PLACES}
    rows = []
    for county, prof in profiles.items():
        res = prof.get("resources")
        rows.append({"county": county, "city": city[county],
                     **{f"w_{st}": float(res["stage_weights"][st]) for st in ("primary", "junior", "senior")},
                     **{f"cm_{st}": float(res["complete_middle_weights"][st]) for st in ("junior", "senior")},
                     "exclude_tp_below": res["exclude_teaching_points_below"],
                     **{f"T_{st}_{ind}": float(res["thresholds"][st][ind]) for st in STAGES for ind in INDICATORS}})
    return pd.DataFrame(rows).set_index("county")


def _ratios(panel: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Per school unit and indicator, the value as a multiple of its threshold.

    Units meeting an indicator get ``lift · (f + s·g)``: g the school's latent
    gamma position (persistent, tilted by location), f and s solved per county,
    year, stage and indicator so that the student-weighted CV equals the target
    (:func:`_floor_and_scale`); ``lift`` comes from calibration. Failing units
    (``R.school``) and a few allowed single misses override it (:func:`_fail_units`).
    """
    in_scope = panel["school_type"] != _SPECIAL
    group = ["county", "year", "stage", "indicator"]
    parts = []
    for stage in STAGES:
        part = panel.loc[in_scope & (panel[f"students_{stage}"] > 0)]
        for ind in INDICATORS:
            parts.append(pd.DataFrame({
                "row": part.index, "county": part["county"].to_numpy(), "year": part["year"].to_numpy(),
                "stage": stage, "indicator": ind, "n": part[f"students_{stage}"].to_numpy(),
                "location": part["location"].to_numpy(), "u": part[f"u_{ind}"].to_numpy(),
                "noise": part[f"noise_{ind}"].to_numpy()}))
    long = pd.concat(parts, ignore_index=True).merge(targets, on=group, how="left")
    tilt = np.ones(len(long))
    for ind, by_location in _TILT.items():
        hit = (long["indicator"] == ind).to_numpy()
        tilt[hit] = long.loc[hit, "location"].map(by_location).to_numpy()
    g = gammaincinv(long["shape"].to_numpy(), long["u"].to_numpy()) * tilt * long["noise"].to_numpy()
    # where a stage is designed to be wide, multi-stage schools sit at the median: the spread lives in
    # single-stage schools and does not spill into the other stage through shared facilities
    shared = long["indicator"].isin(list(_FACILITIES)).to_numpy() & (long.groupby(["row", "indicator"])["n"]
                                                                      .transform("size").to_numpy() > 1)
    median = long[group].assign(g=g).groupby(group, sort=False)["g"].transform("median").to_numpy()
    g = np.where(shared & (long["shape"] == _SHAPE_WIDE).to_numpy(), median, g)
    w, c = long["n"].to_numpy(), long["c"].to_numpy()
    grouped = long.groupby(group, sort=False)
    several = grouped["n"].transform("size").to_numpy() > 1

    def weighted(values):  # student-weighted mean and SD within each group
        sums = long[group].assign(w=w, wg=w * values, wg2=w * values ** 2).groupby(group, sort=False).transform("sum")
        mean = (sums["wg"] / sums["w"]).to_numpy()
        return mean, np.sqrt(np.maximum(0.0, (sums["wg2"] / sums["w"]).to_numpy() - mean ** 2))

    for _ in range(6):  # widen the latent spread where it is too narrow for the target CV
        mean, sd = weighted(g)
        narrow = (sd < c * mean / 0.75) & several
        if not narrow.any():
            break
        g = np.where(narrow, g ** 1.5, g)
    g = g - long[group].assign(g=g).groupby(group, sort=False)["g"].transform("min").to_numpy()  # weakest at floor
    mean, sd = weighted(g)
    floor, scale = _floor_and_scale(long[group].assign(c=c, mean=mean, sd=sd))
    long["ratio"] = (floor + scale * g) * long["lift"].to_numpy()
    ratio = long.set_index(["row", "stage", "indicator"])["ratio"].unstack("indicator").reset_index()
    ratio.columns.name = None
    _fail_units(ratio, panel)
    return ratio


def _floor_and_scale(stats: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row, ``f`` and ``s`` of ``ratio = f + s·g`` giving each group's CV ``c``.

    With latent weighted mean m and SD d, CV = s·d / (f + s·m). The first year
    sets ``s`` with ``f = _FLOOR`` (the weakest unit just above the threshold);
    a later, lower CV is reached half by raising the floor (poorer schools are
    brought up) and half by compressing the spread (s ∝ √c), so facilities grow
    rather than shrink as a county improves. The floor rises to at most
    ``_FLOOR_CAP``; beyond that the spread alone is compressed.
    """
    key = ["county", "stage", "indicator"]
    room = (stats["sd"] - stats["c"] * stats["mean"]).to_numpy()
    valid = room > 1e-9
    s_floor = np.where(valid, stats["c"] * _FLOOR / np.where(valid, room, 1.0), 0.5)
    first_year = stats.groupby(key, sort=False)["year"].transform("min").to_numpy()
    first = stats.assign(s0=s_floor, c0=stats["c"])[stats["year"].to_numpy() == first_year]
    first = first.drop_duplicates(key).set_index(key)[["s0", "c0"]]
    start = first.reindex(pd.MultiIndex.from_frame(stats[key]))
    scale = start["s0"].to_numpy() * np.sqrt(stats["c"].to_numpy() / start["c0"].to_numpy())
    scale = np.where(np.isnan(scale), s_floor, scale)
    floor = np.where(valid, scale * room / stats["c"].to_numpy(), _FLOOR)
    floor = np.clip(floor, _FLOOR, _FLOOR_CAP)
    scale = np.where(valid, stats["c"].to_numpy() * floor / np.where(valid, room, 1.0), 0.5)
    return floor, scale


def _fail_units(ratio: pd.DataFrame, panel: pd.DataFrame) -> None:
    """Override ratios: units failing the school rule (``fail_quota`` per county-year), and allowed mild misses.

    Failing units are single-stage 小学/初级中学 of 150+ students in towns and
    villages, taken in a fixed order, so the set shrinks year by year; each fails
    in one of :data:`_FAIL_PATTERNS`. ``mild_quota`` other units miss one
    facility indicator by a little (87–98% of it): allowed by the school rule.
    """
    info = panel.loc[ratio["row"]].reset_index(drop=True)
    n = (info["students_primary"] + info["students_junior"]).to_numpy()
    single = info["school_type"].isin(("小学", "初级中学")).to_numpy()
    by = [info["county"], info["year"]]
    eligible = single & (n >= 150) & (info["open_year"] == BASE_YEAR).to_numpy()
    eligible &= info["location"].isin(("镇区", "乡村")).to_numpy()
    rank = pd.Series(np.where(eligible, info["order_fail"], np.inf)).groupby(by).rank(method="first").to_numpy()
    fails = eligible & (rank <= info["fail_quota"].to_numpy())
    pattern = (np.where(fails, rank, 1).astype(int) - 1) % len(_FAIL_PATTERNS)
    for p, spec in enumerate(_FAIL_PATTERNS):
        hit = fails & (pattern == p)
        for ind, (low, high) in spec.items():
            ratio.loc[hit, ind] = low + (high - low) * info.loc[hit, f"fail_{ind}"].to_numpy()
    ratio["fails"] = fails
    mild_ok = single & (n >= 100) & ~fails
    rank = pd.Series(np.where(mild_ok, info["mild_key"], np.inf)).groupby(by).rank(method="first").to_numpy()
    mild = mild_ok & (rank <= info["mild_quota"].to_numpy())
    for ind in ("R4", "R5", "R6"):
        hit = mild & (info["mild_indicator"] == ind).to_numpy()
        ratio.loc[hit, ind] = info.loc[hit, "mild_ratio"].to_numpy()


def _resources(panel: pd.DataFrame, ratio: pd.DataFrame, settings: pd.DataFrame) -> None:
    """Teacher counts per stage and whole-school facilities from the ratios (split-aware).

    A unit meeting an indicator gets its numerator rounded up (it stays at or
    above the threshold), a missing one rounded down. The shared facilities of a
    multi-stage school are sized by its primary stage; the junior stage's weighted
    share follows and is only held at or above ``_FLOOR`` (one facility cannot be
    designed twice).
    """
    row_settings = settings.reindex(panel["county"]).reset_index(drop=True)
    rows = ratio["row"].to_numpy()
    unit = settings.reindex(panel.loc[rows, "county"]).reset_index(drop=True)
    stage = ratio["stage"].to_numpy()
    complete = (panel["school_type"] == "完全中学").to_numpy()
    w_row = {"primary": row_settings["w_primary"].to_numpy(),
             "junior": np.where(complete, row_settings["cm_junior"], row_settings["w_junior"]),
             "senior": np.where(complete, row_settings["cm_senior"], row_settings["w_senior"])}
    weighted_total = sum(panel[f"students_{st}"].to_numpy() * w_row[st] for st in ("primary", "junior", "senior"))
    n_unit = np.where(stage == "primary", panel.loc[rows, "students_primary"], panel.loc[rows, "students_junior"])
    w_unit = np.where(stage == "primary", w_row["primary"][rows], w_row["junior"][rows])
    several = pd.Series(rows).groupby(rows).transform("size").to_numpy() > 1
    for ind in INDICATORS:
        threshold = np.where(stage == "primary", unit[f"T_primary_{ind}"], unit[f"T_junior_{ind}"])
        r = ratio[ind].to_numpy()
        if ind in _TEACHERS:
            col = _TEACHERS[ind]
            need = r * threshold * n_unit / 100
            count = np.where(r >= 1, _ceil(need), _floor(need)).astype(int)
            for st in STAGES:
                panel[f"{col}_{st}"] = 0
                sel = stage == st
                panel.loc[rows[sel], f"{col}_{st}"] = count[sel]
            continue
        col, step, scale = _FACILITIES[ind]
        per_student = r * threshold / scale
        asks = np.where(several & (stage == "junior"), _FLOOR * threshold / scale, per_student)
        need = pd.Series(asks / w_unit).groupby(rows).max()
        missed = pd.Series(r < 1).groupby(rows).any()
        amount = need.to_numpy() * weighted_total[need.index]
        panel[col] = 0.0
        panel.loc[need.index, col] = np.where(missed.to_numpy(), _floor(amount, step), _ceil(amount, step))
        reports = panel.loc[rows, "per_stage"].to_numpy()
        for st in STAGES:  # a few schools report per-stage figures: then nothing is split
            panel[f"{col}_{st}"] = np.nan
            sel = (stage == st) & reports
            panel.loc[rows[sel], f"{col}_{st}"] = _ceil(per_student[sel] * n_unit[sel], step)
        reported = (panel["per_stage"] & panel[f"{col}_primary"].notna()).to_numpy()
        senior = panel["students_senior"].to_numpy() * w_row["senior"] * need.reindex(panel.index).to_numpy()
        whole = panel[f"{col}_primary"].fillna(0) + panel[f"{col}_junior"].fillna(0) + np.nan_to_num(senior)
        panel.loc[reported, col] = _ceil(whole[reported], step)
    _special_school_resources(panel)


def _special_school_resources(panel: pd.DataFrame) -> None:
    """The special-education school (out of R's scope): small classes, generous staffing."""
    sp = panel["school_type"] == _SPECIAL
    for st in STAGES:
        n = panel.loc[sp, f"students_{st}"]
        panel.loc[sp, f"teachers_above_degree_{st}"] = np.ceil(n / 4).astype(int)
        panel.loc[sp, f"backbone_teachers_{st}"] = np.ceil(n / 40).astype(int)
        panel.loc[sp, f"pe_art_teachers_{st}"] = np.ceil(n / 30).astype(int)
    n = panel.loc[sp, ["students_primary", "students_junior"]].sum(axis=1)
    panel.loc[sp, "teaching_area_m2"] = (n * 14.0).round(1)
    panel.loc[sp, "sports_area_m2"] = (n * 20.0 + 1500).round(1)
    panel.loc[sp, "equipment_value_yuan"] = (n * 7000.0).round()
    panel.loc[sp, "multimedia_rooms"] = np.ceil(n / 12)


def _realized_cv(panel: pd.DataFrame, settings: pd.DataFrame) -> pd.Series:
    """The student-weighted CV of every (county, year, stage, indicator) as the assessment computes it.

    Uses the package's own facility split and weighted CV (:mod:`quality_balance.method.split`,
    :mod:`quality_balance.stats`) on the generated numerators, after rounding;
    the generator calibrates its targets against it.
    """
    from ..method.split import split_units
    from ..stats import grouped_weighted_cv

    units, _ = split_units(panel, settings.reset_index().set_index(["city", "county"]))
    long = units.melt(id_vars=["county", "year", "stage", "students"], value_vars=[f"res_{i}" for i in INDICATORS],
                      var_name="indicator", value_name="resource")
    long["indicator"] = long["indicator"].str[4:]
    long["value"] = long["resource"] / long["students"]
    return grouped_weighted_cv(long, ["county", "year", "stage", "indicator"])["cv"]


def _calibrated_resources(panel: pd.DataFrame, targets: pd.DataFrame, settings: pd.DataFrame) -> None:
    """Teachers and facilities of every county whose realized CVs match the designed ones.

    Rounding to whole teachers and rooms, the split of shared facilities and the
    failing units move the realized CV away from the latent design. Each round
    compares realized with designed per group: too narrow → widen the spread; too
    wide → narrow it, and for teachers also lift the whole distribution, which
    shrinks the tail of tiny schools (one teacher for ten pupils) relative to the
    county mean. A group whose CV cannot get as low as designed (the junior share
    of shared facilities follows the primary stage) stays a little above it.
    """
    key = ["county", "year", "stage", "indicator"]
    state = targets.set_index(key).assign(lift=1.0)
    designed = state["c"].copy()
    for _ in range(_CALIBRATION_ROUNDS):
        _resources(panel, _ratios(panel, state.reset_index()), settings)
        realized = _realized_cv(panel, settings).reindex(designed.index)
        correction = (designed / realized).replace([np.inf, -np.inf], np.nan).fillna(1.0).clip(0.25, 4.0)
        if (correction - 1).abs().max() < _CALIBRATION_TOLERANCE:
            break
        teachers = state.index.get_level_values("indicator").isin(list(_TEACHERS))
        state["c"] *= np.where(correction > 1, correction, np.where(teachers, np.sqrt(correction), correction))
        lifted = state["lift"] / np.sqrt(correction.where(correction < 1, 1.0))
        state["lift"] = np.where(teachers, lifted.clip(upper=3.0), 1.0)



# --- rooms, funds, boarders ----------------------------------------------------------------------

def _rooms_funds_boarders(panel: pd.DataFrame, design: CountyDesign, profile: Profile, city: str,
                          g7_value: pd.Series) -> None:
    """G3 rooms, boarders, public funds (G6, G7) and training funds (Q4)."""
    per_room = float(profile.get("guarantee.G3.classes_per_room"))
    music_min = float(profile.get("guarantee.G3.music_room_min_m2"))
    art_min = float(profile.get("guarantee.G3.art_room_min_m2"))
    need = np.maximum(1, np.ceil((panel["classes_primary"] + panel["classes_junior"]) / per_room))
    panel["music_rooms"] = (need + panel["extra_music_rooms"]).astype(int)
    panel["art_rooms"] = (need + panel["extra_art_rooms"]).astype(int)
    panel["music_room_min_area_m2"] = _ceil(music_min * panel["music_area"], 0.1)
    panel["art_room_min_area_m2"] = _ceil(art_min * panel["art_area"], 0.1)
    g3 = design.of("G3")
    if g3:
        ok = ~panel["school_type"].isin(("教学点", _SPECIAL))
        rank = pd.Series(np.where(ok, panel["order_g3"], np.inf)).groupby(panel["year"]).rank(method="first")
        quota = panel["year"].map(lambda y: g3[0].remaining(y, g3[0].schools))
        bad = (rank <= quota) & ok
        short_room = bad & (rank % 2 == 0) & (need >= 2)
        panel.loc[short_room, "art_rooms"] = need[short_room] - 1
        small = bad & ~short_room
        panel.loc[small, "music_room_min_area_m2"] = _floor(music_min * (0.72 + 0.2 * (panel.loc[small, "music_area"]
                                                                                       - 1)), 0.1)
    tp = panel["school_type"] == "教学点"  # teaching points share their central school's rooms
    panel.loc[tp, ["music_rooms", "art_rooms"]] = 0
    panel.loc[tp, ["music_room_min_area_m2", "art_room_min_area_m2"]] = np.nan
    # boarders
    boarding = (panel["year"] >= panel["boarding_from"]) & ~tp
    compulsory = panel["students_primary"] + panel["students_junior"]
    panel["boarders"] = np.where(boarding, np.round(compulsory * panel["board_share"]), 0).astype(int)
    # public funds: the benchmark per student (village schools under the G6 cut funded as `funded_as`)
    # plus the boarding supplement, with a margin
    below = float(profile.get("guarantee.G6.below"))
    funded_as = float(profile.get("guarantee.G6.funded_as"))
    supplement = float(profile.get("guarantee.G6.boarding_supplement_yuan"))
    bench = panel["year"].map(lambda y: _benchmark(city, y)).to_numpy()
    small = panel["is_village_school"] & (compulsory < below)
    primary_funded = np.where(small, np.maximum(panel["students_primary"], funded_as), panel["students_primary"])
    base = (bench * primary_funded + (bench + _FUNDS_STAGE_EXTRA["junior"]) * panel["students_junior"]
            + (bench + _FUNDS_STAGE_EXTRA["senior"]) * panel["students_senior"] + supplement * panel["boarders"])
    funds = base * panel["funds_margin"]
    g6 = design.of("G6")
    if g6:
        quota = panel["year"].map(lambda y: g6[0].remaining(y, g6[0].schools))
        bad = (panel["g6_rank"] >= 0) & (panel["g6_rank"] < quota)
        funds = np.where(bad, (bench * panel["students_primary"] + supplement * panel["boarders"])
                         * (1 + 0.03 * panel["music_area"] - 0.03), funds)
    sp = (panel["school_type"] == _SPECIAL).to_numpy()
    funds = np.where(sp, panel["year"].map(g7_value).to_numpy() * compulsory, funds)
    panel["public_funds_yuan"] = _ceil(funds, 100.0)
    share = panel["training_share"].to_numpy()
    q4 = design.of("Q4")
    if q4:
        quota = panel["year"].map(lambda y: q4[0].remaining(y, q4[0].schools))
        rank = pd.Series(np.where(~sp, panel["order_q4"], np.inf)).groupby(panel["year"]).rank(method="first")
        share = np.where((rank <= quota).to_numpy() & ~sp, share / 2, share)  # 2.8–4.5%: under the 5%
    panel["training_funds_yuan"] = _floor(panel["public_funds_yuan"] * share / 100, 10.0)


def _benchmark(city: str, year: int) -> float:
    """The county's per-student public-funds benchmark for primary schools (元)."""
    return _FUNDS_BENCHMARK[city] + _FUNDS_RISE * max(0, year - BASE_YEAR)


# --- county figures ------------------------------------------------------------------------------

def _failing_value(s: Shortfall, year: int, threshold: float, op: str, default_start: float) -> float:
    """A county figure on the failing side of ``threshold``, moving toward it."""
    start = default_start if s.start is None else s.start
    value = start + (threshold - start) * s.progress(year)
    if op == ">=":
        value = float(_floor(value, 0.1))
        return min(value, threshold - 0.1)
    value = float(_ceil(value, 0.001))
    return max(value, threshold + 0.005)


class _Steady:
    """A county figure on the passing side of its threshold: a level drawn once, a gentle trend, small noise."""

    def __init__(self, rng: np.random.Generator, threshold: float, op: str, cap: float = 100.0):
        self.rng, self.threshold, self.op, self.cap = rng, threshold, op, cap
        self.level = rng.uniform(0.8, 5.0) if op == ">=" else threshold * rng.uniform(0.45, 0.8)

    def __call__(self, year: int) -> float:
        t = max(0, year - BASE_YEAR)
        if self.op == "<":  # e.g. the difference rate: falls a little each year
            return float(_floor(self.level * (1 - 0.02 * t) + self.rng.uniform(-0.004, 0.004), 0.001))
        if self.threshold >= self.cap:
            return self.cap
        value = self.threshold + self.level + 0.15 * t + self.rng.uniform(-0.3, 0.3)
        return float(min(self.cap, _floor(max(value, self.threshold + 0.3), 0.1)))


def _steady_range(rng: np.random.Generator, low: float, high: float, years: list[int]) -> dict[int, float]:
    """A plausible figure without a threshold: a level in [low, high], small yearly noise."""
    level = rng.uniform(low, high)
    return {y: float(_floor(np.clip(level + rng.uniform(-0.6, 0.6), low, high), 0.1)) for y in years}


def _county_rows(place: Place, design: CountyDesign, profile: Profile, panel: pd.DataFrame, years: list[int],
                 rng: np.random.Generator, g7_value: dict[int, float]) -> pd.DataFrame:
    """The county-year table: county items, local items, vetoes and plan-tracking figures."""
    thresholds = {col: (item, float(profile.get(path)), op) for col, (item, path, op) in _RATE_ITEMS.items()}
    local = {item["id"]: (item["column"], float(item["threshold"]), item["op"]) for item in profile.extra_items}
    steady = {col: _Steady(rng, threshold, op) for col, (_, threshold, op) in thresholds.items()}
    steady.update({item_id: _Steady(rng, threshold, op) for item_id, (_, threshold, op) in local.items()})
    other = {col: _steady_range(rng, low, high, years) for col, (low, high) in _OTHER_RATES.items()}
    share_provincial = rng.uniform(0.3, 0.42)
    civil_factor = rng.uniform(0.95, 1.05)
    pay_margin = rng.uniform(100.5, 105.0)
    ratings = list(RATINGS)
    rated = {item: ratings[int(rng.integers(0, ratings.index(profile.get(path)) + 1))]
             for item, (_, path) in _RATING_ITEMS.items()}
    level = int(rng.integers(3, 5))
    rows = []
    for year in years:
        row: dict = {"year": year, "city": place.city, "county": place.county, "county_code": place.code,
                     "basic_balance_year": place.basic_balance_year}
        row.update({col: True for col in _ALWAYS_YES})
        for item, col in _FLAG_ITEMS.items():
            if design.active(year, item):
                row[col] = False
        row["funds_benchmark_yuan"] = _benchmark(place.city, year)
        row["special_ed_funds_per_student_yuan"] = g7_value[year]
        civil = _CIVIL_PAY[place.city] * civil_factor * (1 + _PAY_RISE) ** max(0, year - BASE_YEAR)
        row["civil_servant_avg_pay_yuan"] = float(_floor(civil, 10.0))
        g8 = design.active(year, "G8")
        pay_share = _failing_value(g8[0], year, 100.0, ">=", 96.0) if g8 else pay_margin + rng.uniform(-0.4, 0.4)
        row["teacher_avg_pay_yuan"] = float(_floor(civil * pay_share / 100, 10.0))
        for col, (item, threshold, op) in thresholds.items():
            active = design.active(year, item) if item else []
            if col == "difference_rate" and design.scores:
                row[col] = np.nan  # computed from the student scores
            elif active:
                default = threshold - 5 if op == ">=" else threshold + 0.04
                row[col] = _failing_value(active[0], year, threshold, op, default)
            else:
                row[col] = steady[col](year)
        for item, (col, path) in _RATING_ITEMS.items():
            below = ratings[ratings.index(profile.get(path)) + 1]
            row[col] = below if design.active(year, item) else rated[item]
        row["monitoring_level"] = level
        for col, values in other.items():
            row[col] = values[year]
        for item_id, (col, threshold, op) in local.items():
            active = design.active(year, item_id)
            row[col] = (_failing_value(active[0], year, threshold, op, threshold - 3) if active
                        else steady[item_id](year))
        for item, col in _VETO_COLUMNS.items():
            row[col] = bool(design.active(year, item))
        rows.append(row)
    counties = pd.DataFrame(rows)
    _plan_figures(counties, design, panel, rng, share_provincial)
    return counties


def _plan_figures(counties: pd.DataFrame, design: CountyDesign, panel: pd.DataFrame, rng: np.random.Generator,
                  share_provincial: float) -> None:
    """Plan-tracking figures: schools built and expanded, new places, recruits, backbone teachers.

    Consistent with the school table: ``schools_built`` equals the schools
    opening that year (after the first year), and the two backbone counts add
    up to the school table's county-level-or-higher backbone teachers.
    """
    years = counties["year"]
    built = years.map(lambda y: design.new_schools.get(y, 0)).astype(int)
    counties["schools_built"] = built
    counties["schools_expanded"] = rng.integers(0, 4, len(counties))
    compulsory = panel["students_primary"] + panel["students_junior"]
    capacity = (compulsory.groupby(panel["school_id"]).max() * 1.15).round(-2)
    opened = panel.drop_duplicates("school_id")[["school_id", "open_year"]]
    opened = opened.assign(capacity=opened["school_id"].map(capacity))
    by_year = opened.groupby("open_year")["capacity"].sum()
    new_capacity = years.map(by_year).fillna(0).to_numpy()
    new_capacity = np.where(years == years.min(), built * rng.uniform(1200, 1800, len(counties)), new_capacity)
    places_added = new_capacity + counties["schools_expanded"] * rng.uniform(300, 900, len(counties))
    counties["new_places"] = np.round(places_added, -1).astype(int)
    students = compulsory.groupby(panel["year"]).sum()
    counties["teachers_recruited"] = np.round(years.map(students).to_numpy() / 1000
                                              * rng.uniform(3.0, 4.2, len(counties))).astype(int)
    backbone = (panel["backbone_teachers_primary"] + panel["backbone_teachers_junior"]).groupby(panel["year"]).sum()
    total = years.map(backbone).astype(int).to_numpy()
    counties["backbone_provincial_city"] = np.round(total * share_provincial).astype(int)
    counties["backbone_county_level"] = total - counties["backbone_provincial_city"]


def _special_funds(design: CountyDesign, profile: Profile, years: list[int], rng: np.random.Generator
                   ) -> dict[int, float]:
    """G7: public funds per student of the special-education school, per year (元)."""
    minimum = float(profile.get("guarantee.G7.min_funds_per_student_yuan"))
    level = rng.uniform(1.05, 1.4)
    out = {}
    for year in years:
        active = design.active(year, "G7")
        out[year] = (_failing_value(active[0], year, minimum, ">=", minimum * 0.85) if active
                     else float(_floor(minimum * level * (1.03 ** max(0, year - BASE_YEAR)), 10.0)))
    return out


# --- survey and scores ---------------------------------------------------------------------------

def _survey(place: Place, design: CountyDesign, profile: Profile, panel: pd.DataFrame, years: list[int],
            rng: np.random.Generator) -> pd.DataFrame:
    """Aggregated survey counts per group; the overall rate is placed on the designed side of the threshold."""
    threshold = float(profile.get("recognition.min_rate"))
    rows = []
    for year in years:
        active = design.active(year, "S1")
        tiny = design.small_survey == year
        if active:
            rate = _failing_value(active[0], year, threshold, ">=", threshold - 4) - 0.2
        else:
            rate = threshold + rng.uniform(2.5, 8.5) if not tiny else threshold + rng.uniform(2.5, 4.0)
        n_schools = int((panel["year"] == year).sum())
        sizes = {g: (int(rng.integers(6, 12)) if tiny else
                     (max(20, n_schools) if r is None else int(rng.integers(r[0], r[1] + 1))))
                 for g, r in _GROUP_SIZE.items()}
        total = sum(sizes.values())
        target = math.floor(total * rate / 100)
        if not active and target * 100 < threshold * total:
            target = math.ceil(total * threshold / 100)
        favourable = {g: int(np.clip(round(n * (rate / 100 + _GROUP_OFFSET[g] + rng.normal(0, 0.01))), 0, n))
                      for g, n in sizes.items()}
        adjust = target - sum(favourable.values())
        for g in sorted(sizes, key=lambda k: (-sizes[k], SURVEY_GROUPS.index(k))):  # largest groups absorb it
            step = min(adjust, sizes[g] - favourable[g]) if adjust > 0 else max(adjust, -favourable[g])
            favourable[g] += step
            adjust -= step
        rows += [{"year": year, "city": place.city, "county": place.county, "group": g,
                  "respondents": sizes[g], "favourable": favourable[g]} for g in SURVEY_GROUPS]
    return pd.DataFrame(rows)


def _scores(place: Place, design: CountyDesign, profile: Profile, panel: pd.DataFrame, years: list[int],
            rng: np.random.Generator) -> pd.DataFrame:
    """Student scores with a designed between-school share of variance (Q9's difference rate)."""
    limit = float(profile.get("quality.Q9.max_difference_rate"))
    frames = []
    for year in years:
        schools = panel[(panel["year"] == year) & (panel["school_type"] != _SPECIAL)]
        size = np.minimum(schools[["students_primary", "students_junior"]].sum(axis=1).to_numpy(),
                          rng.integers(20, 33, len(schools))).astype(int)
        school_id = np.repeat(schools["school_id"].to_numpy(), size)
        seq = np.concatenate([np.arange(1, k + 1) for k in size])
        for k, subject in enumerate(_SUBJECTS):
            active = design.active(year, "Q9")
            if active and k == 0:
                share = _failing_value(active[0], year, limit, "<", limit + 0.05)
            else:
                share = rng.uniform(0.05, 0.10)
            effect = np.repeat(rng.normal(0, 1, len(schools)), size)
            effect -= effect.mean()
            noise = rng.normal(0, 1, len(school_id))
            noise -= pd.Series(noise).groupby(school_id).transform("mean").to_numpy()
            total = len(school_id) * _SCORE_SD ** 2
            a = math.sqrt(share * total / np.sum(effect ** 2))
            b = math.sqrt((1 - share) * total / np.sum(noise ** 2))
            frames.append(pd.DataFrame({
                "year": year, "city": place.city, "county": place.county, "school_id": school_id,
                "subject": subject, "student_id": [f"{sid}-{i:02d}" for sid, i in zip(school_id, seq)],
                "score": np.round(_SCORE_MEAN + a * effect + b * noise, 1)}))
    return pd.concat(frames, ignore_index=True)


# --- the whole data set --------------------------------------------------------------------------

def _check_design() -> None:
    known_local = {item["id"] for p in PLACES for item in profile_for_place(p.city, p.county).extra_items}
    for county, design in DESIGN.items():
        for s in design.shortfalls:
            if s.item not in (*_SCHOOL_ITEMS, *_COUNTY_ITEMS) and s.item not in known_local:
                raise QualityBalanceError(f"demo design of {county}: unknown item {s.item!r}")
            if s.until <= s.since:
                raise QualityBalanceError(f"demo design of {county}: {s.item} must end after it starts")


def _tables(seed: int, years: list[int]) -> dict[str, pd.DataFrame]:
    """Every table of every county (canonical names, before typing).

    Per county (own random streams): roster, enrolment, classes and the random
    draws of the resource indicators. Then the resource indicators of all
    counties at once, calibrated. Then per county again: rooms and funds, the
    county table, the survey and the scores.
    """
    profiles = {p.county: profile_for_place(p.city, p.county) for p in PLACES}
    panels, targets = [], []
    for index, place in enumerate(PLACES):
        design, profile = DESIGN[place.county], profiles[place.county]
        roster = _roster(place, design, profile, _rng(seed, index, 1), years)
        panel = _panel(roster, design, profile, years, _rng(seed, index, 2))
        _classes(panel, design, profile, place.county, _rng(seed, index, 3))
        panel["city"], panel["county"], panel["county_code"] = place.city, place.county, place.code
        _unit_draws(panel, design, _rng(seed, index, 4))
        panels.append(panel)
        targets.append(_cv_targets(place.county, design, profile, years, _rng(seed, index, 9)))
    panel = pd.concat(panels, ignore_index=True)
    _calibrated_resources(panel, pd.concat(targets, ignore_index=True), _resource_settings(profiles))
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in _TABLES}
    for index, place in enumerate(PLACES):
        design, profile = DESIGN[place.county], profiles[place.county]
        schools = panel[panel["county"] == place.county].reset_index(drop=True)
        g7 = _special_funds(design, profile, years, _rng(seed, index, 5))
        _rooms_funds_boarders(schools, design, profile, place.city, pd.Series(g7))
        parts["schools"].append(schools)
        parts["counties"].append(_county_rows(place, design, profile, schools, years, _rng(seed, index, 6), g7))
        parts["survey"].append(_survey(place, design, profile, schools, years, _rng(seed, index, 7)))
        if design.scores:
            parts["scores"].append(_scores(place, design, profile, schools, years, _rng(seed, index, 8)))
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}


def _typed(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The schema's columns in the schema's order, with one dtype per kind."""
    out = pd.DataFrame(index=frame.index)
    for col in table.columns:
        values = frame[col.name] if col.name in frame else pd.Series(np.nan, index=frame.index)
        if col.kind in ("int", "count") and values.notna().all():
            out[col.name] = values.astype("int64")
        elif col.kind in ("int", "count", "amount", "rate", "ratio"):
            out[col.name] = values.astype("float64")
        elif col.kind == "bool":
            out[col.name] = values.astype(bool) if values.notna().all() else values.astype("boolean")
        else:
            out[col.name] = values.astype(str) if values.notna().all() else values
    return out.reset_index(drop=True)


def generate(seed: int = DEFAULT_SEED, years: Iterable[int] = DEFAULT_YEARS) -> Dataset:
    """Generate the synthetic demo data set (合成演示数据) for the 17 seed places.

    Parameters
    ----------
    seed : int
        The only source of randomness: the same seed gives identical tables.
    years : iterable of int
        School years to generate (default 2021–2025). The story of
        :data:`DESIGN` is told for these years; earlier years repeat 2021's state.

    Returns
    -------
    Dataset
        ``schools`` (one row per school and year, every column of
        :data:`~quality_balance.schema.SCHOOLS`), ``counties`` (every column of
        :data:`~quality_balance.schema.COUNTIES`), ``survey`` (counts per group),
        ``scores`` (students of 范县, 蕉岭县 and 桓台县), ``synthetic=True`` and
        ``metadata`` describing the generator.
    """
    from .. import __version__

    years = sorted({int(y) for y in years})
    if not years:
        raise QualityBalanceError("demo.generate: 'years' is empty; give at least one year, e.g. range(2021, 2026)")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise QualityBalanceError(f"demo.generate: 'seed' must be a non-negative integer, got {seed!r}")
    _check_design()
    schema = {"schools": SCHOOLS, "counties": COUNTIES, "survey": SURVEY, "scores": SCORES}
    tables = {name: _typed(frame, schema[name]) for name, frame in _tables(int(seed), years).items()}
    metadata = {
        "synthetic": True,
        "label": SYNTHETIC_LABEL,
        "description": "synthetic, not real statistics — 合成演示数据，学校、名称和数字均为虚构，非真实统计",
        "generator": "quality_balance.demo",
        "version": __version__,
        "seed": int(seed),
        "years": years,
        "created_by": "quality_balance.demo.generate",
        "places": [{"city": p.city, "county": p.county, "county_code": p.code} for p in PLACES],
        "design": {p.county: {"planned_year": DESIGN[p.county].planned,
                              "designed_first_pass": DESIGN[p.county].first_pass,
                              "story": DESIGN[p.county].story} for p in PLACES},
    }
    return Dataset(schools=tables["schools"], counties=tables["counties"], survey=tables["survey"],
                   scores=tables["scores"], source=f"合成演示数据（quality_balance.demo, seed={int(seed)}）",
                   synthetic=True, metadata=metadata)


# --- writing -------------------------------------------------------------------------------------

def _for_people(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Chinese headers, 是/否 for yes/no columns."""
    out = frame.copy()
    for col in table.columns:
        if col.kind == "bool" and col.name in out:
            out[col.name] = out[col.name].map({True: "是", False: "否"}).astype(object)
    return out.rename(columns={c.name: c.zh for c in table.columns})


def _write_workbook(frames: dict[str, tuple[pd.DataFrame, Table]], path: Path, seed: int) -> None:
    """One sheet per table; properties say synthetic; fixed dates so the bytes depend on the data only."""
    import datetime

    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook(write_only=True)
    for frame, table in frames.values():
        sheet = book.create_sheet(title=table.zh)
        sheet.freeze_panes = "A2"
        sheet.append(list(frame.columns))
        values = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
        for row in values:
            sheet.append([v.item() if isinstance(v, np.generic) else v for v in row])
    props = book.properties
    props.title = "县域义务教育优质均衡发展 合成演示数据 (synthetic demo data)"
    props.subject = "合成演示数据，非真实统计 — synthetic, not real statistics"
    props.description = f"{SYNTHETIC_LABEL}。由 quality_balance.demo 生成（seed={seed}）；学校、名称和数字均为虚构。"
    props.keywords = "合成演示数据, synthetic, demo, 演示数据"
    props.creator = props.lastModifiedBy = "quality_balance.demo"
    props.created = props.modified = datetime.datetime(*_FIXED_TIME)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # compressed once, below
        ExcelWriter(book, archive).write_data()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))


def readme_text() -> str:
    """The folder's README (Chinese and English), built from :data:`DESIGN`: what the data are and their story."""
    lines = [
        "# 演示数据（合成）/ Demo data (synthetic)",
        "",
        f"**{SYNTHETIC_LABEL}。** 本文件夹的数据由 `quality_balance.demo` 按随机种子生成，学校、名称和数字均为虚构，"
        "不是真实统计，不能用于评价任何真实县区。县区名称和 6 位行政区划代码是真实的，学校、乡镇、村名是虚构的。",
        "",
        "**Synthetic data, not real statistics.** Generated by `quality_balance.demo` from a seed (recorded in "
        "`metadata.json`); the counties and their codes are real, every school, town, name and figure is invented.",
        "",
        "重新生成 / regenerate: `quality-balance demo --out data/demo`（或 `make demo`）。"
        "同一种子生成的文件逐字节相同 / the same seed gives byte-identical files.",
        "",
        "## 文件 / Files",
        "",
        "| 文件 | 内容 |",
        "|---|---|",
        "| `schools.csv` | 学校表：一校一年一行（学生、教师、场地、设备、班额、音美教室、经费、寄宿生） |",
        "| `counties.csv` | 县区表：县级指标、一票否决项、地方指标、计划跟踪数字（新建学校、新增学位、招聘教师、骨干教师） |",
        "| `survey.csv` | 满意度调查：每县每年每类调查对象的样本数和认可人数 |",
        "| `scores.csv` | 学业成绩：范县、蕉岭县、桓台县的学生成绩（这三个县的校际差异率由成绩计算，县区表留空） |",
        f"| `{WORKBOOK_FILE}` | 同样四张表的工作簿（工作表：学校、县区、满意度调查、学业成绩） |",
        "| `metadata.json` | `\"synthetic\": true`、生成器、版本、种子、年份、设计 |",
        "",
        "CSV 为 UTF-8（带 BOM，中文 Excel 可直接打开），表头为中文（见 `quality_balance/schema.py`）。"
        "一贯制学校和完全中学的场地、设备、多媒体教室按全校填写、按学段分列栏留空（按加权学生数分摊）；"
        "新城区、蕉岭县、桓台县各有 2 所一贯制学校填写了分学段数字（不再分摊）。",
        "",
        "## 设计 / The designed story",
        "",
        "每个县的数据按下表设计（`quality_balance/demo.py` 的 `DESIGN`）：列出的问题在“解决”年份之前存在，"
        "数字向阈值逐年靠近，之后达标；没有问题的第一年即设计的达标年份。所有阈值取自各县适用的标准文件"
        "（濮阳市、呼和浩特市、蕉岭县、桓台县有地方标准），不在代码中硬写。"
        "`quality_balance.demo.designed_verdicts()` 给出每县每年按设计应得的结论，测试用它核对评估结果。",
        "",
        "| 市 | 县区 | 代码 | 计划认定年份 | 设计达标年份 | 说明 | 设计的问题 |",
        "|---|---|---|---|---|---|---|",
    ]
    for place in PLACES:
        d = DESIGN[place.county]
        labels = _item_labels(profile_for_place(place.city, place.county))
        problems = "；".join(_describe_shortfall(s, labels) for s in d.shortfalls) or "无"
        first = d.first_pass if d.first_pass <= max(DEFAULT_YEARS) else f"{d.first_pass}（2025 年仍未达标）"
        lines.append(f"| {place.city} | {place.county} | {place.code} | {d.planned or '—'} | {first} | {d.story} "
                     f"| {problems} |")
    lines += [
        "",
        "濮阳市的计划只规定“到 2025 年三分之一的县区通过认定”，设计为华龙区、清丰县 2025 年达标。"
        "濮阳市各县的 56 人以上大班额、超规模学校逐年减少，新建学校和新增寄宿制学校按年出现，"
        "可以与《濮阳市推进义务教育优质均衡发展行动方案》的年度目标对照；本数据只包含六个县区的部分学校，"
        "规模远小于全市，全市总量目标（如骨干教师 3 万名）只作示意。",
        "",
        "呼和浩特市按《督导评估规划实施方案》的认定时间表：各旗县区在计划年份前后达标并保持；"
        "和林格尔县、托克托县计划 2026 年，2025 年接近达标。",
    ]
    return "\n".join(lines) + "\n"


def _item_labels(profile: Profile) -> dict[str, str]:
    """Item id → short Chinese label, for the README (the assessment's own labels)."""
    from ..method.items.guarantee import GUARANTEE_LABELS
    from ..method.items.quality import QUALITY_LABELS
    from ..method.items.veto import VETO_ITEMS

    return {**GUARANTEE_LABELS, **QUALITY_LABELS, **{k: v[1] for k, v in VETO_ITEMS.items()}, "S1": "社会认可度",
            **{i["id"]: i["label"] for i in profile.extra_items}}


def _describe_shortfall(s: Shortfall, labels: Mapping[str, str]) -> str:
    """One shortfall in words, e.g. "G14 优质高中招生名额分配（2021 年 56%，2025 年解决）"."""
    if s.item == "R.school":
        return f"{s.schools} 所学校未达校际规则（{s.since} 年，逐年减少，{s.until} 年解决）"
    if s.item == "R.cv":
        return f"{STAGE_LABELS[s.stage]} {s.indicator} 差异系数超限（{s.until} 年解决）"
    what = f"{s.item} {labels.get(s.item, '')}"
    if s.item.startswith("V"):
        return f"{what}（{s.since} 年存在）"
    if s.large_classes:
        detail = f"{s.since} 年 56 人以上大班额 {s.large_classes} 个"
    elif s.schools:
        detail = f"{s.since} 年 {s.schools} 所学校"
    elif s.start is not None:
        unit = {"Q9": "", "G7": " 元/生", "G8": "%（教师工资占公务员工资）"}.get(s.item, "%")
        detail = f"{s.since} 年 {s.start:g}{unit}"
    else:
        detail = "未达到"
    return f"{what}（{detail}，{s.until} 年解决）"


def write(dataset: Dataset, folder: str | Path) -> list[Path]:
    """Write ``dataset`` to ``folder``: one CSV per table, ``excel/demo.xlsx``, ``metadata.json``, ``README.md``.

    CSV files are UTF-8 with BOM and Chinese headers (:attr:`Column.zh`); the
    workbook has one sheet per table, named by :attr:`Table.zh`, and its
    properties say 合成演示数据 / synthetic. Everything is written to a temporary
    folder next to ``folder`` and moved into place at the end, so a failure never
    leaves a half-written folder. An existing ``folder`` is replaced only when it
    holds nothing but files this function writes; otherwise nothing is written and
    :class:`~quality_balance.errors.QualityBalanceError` names the foreign files.

    Returns the paths written, inside ``folder``.
    """
    folder = Path(folder)
    schema = {"schools": SCHOOLS, "counties": COUNTIES, "survey": SURVEY, "scores": SCORES}
    frames = {name: (_for_people(table, schema[name]), schema[name])
              for name, table in dataset.tables.items() if name in schema}
    names = [f"{name}.csv" for name in frames] + [WORKBOOK_FILE, METADATA_FILE, README_FILE]
    ours = {*(f"{n}.csv" for n in _TABLES), WORKBOOK_DIR, METADATA_FILE, README_FILE}
    if folder.exists():
        if not folder.is_dir():
            raise QualityBalanceError(f"demo output {folder} is a file, not a folder; choose a folder path")
        foreign = sorted(p.name for p in folder.iterdir() if p.name not in ours)
        if foreign:
            raise QualityBalanceError(
                f"demo output folder {folder} holds files the demo does not write ({', '.join(foreign[:5])}); "
                "choose an empty or new folder so that nothing of yours is replaced")
    with replace_folder(folder) as staging:
        metadata = {"synthetic": bool(dataset.synthetic), **dataset.metadata,
                    "tables": {name: f"{name}.csv" for name in frames}, "workbook": WORKBOOK_FILE}
        (staging / METADATA_FILE).write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")
        (staging / README_FILE).write_text(readme_text(), encoding="utf-8")
        for name, (frame, _) in frames.items():
            frame.to_csv(staging / f"{name}.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
        (staging / WORKBOOK_DIR).mkdir()
        _write_workbook(frames, staging / WORKBOOK_FILE, dataset.metadata.get("seed", ""))
    return [folder / n for n in names]


def generate_to(folder: str | Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Generate the demo data with ``seed`` and write it to ``folder`` (see :func:`write`)."""
    return write(generate(seed), folder)
