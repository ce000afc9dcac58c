"""The county table: county items, local items, vetoes and the plan-tracking figures, year by year.

A figure under an active shortfall moves from its ``start`` toward the
profile's threshold and stays on the failing side; any other figure sits on the
passing side with a gentle trend. Which column belongs to which item and
profile setting is fixed here (it is the schema, not the story).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import RATINGS
from ..standards.profile import Profile
from ._common import failing_value, floor_to
from .funds import benchmark
from .story import BASE_YEAR, STORY, CountyDesign, Place

__all__ = ["county_rows", "SCHOOL_ITEMS", "COUNTY_ITEMS"]

_CIVIL_PAY = {city: figures["civil_servant_pay_yuan"] for city, figures in STORY.cities.items()}  # 元/年, 2021
_PAY_RISE = STORY.county_figures["pay_rise"]
_OTHER_RATES = STORY.county_figures["other_rates"]  # county figures that are not items of the profile: ranges
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
               "Q3": "charter_and_it", "Q7": "curriculum_ok", "Q8": "no_excess_burden"}  # yes/no: 否 while failing
_ALWAYS_YES = ("layout_reasonable", "unified_construction", "unified_staffing", "unified_funding",
               "unified_equipment", "performance_pay_approved", "staffing_by_bureau", "quota_rural_tilt",
               "charter_and_it", "curriculum_ok", "no_excess_burden")
_RATING_ITEMS = {"Q5": ("ict_rating", "quality.Q5.min_rating"), "Q6": ("moral_rating", "quality.Q6.min_rating")}
_VETO_COLUMNS = {"V1": "v1_exam_admission", "V2": "v2_school_choice", "V3": "v3_key_schools",
                 "V4": "v4_unfilled_posts", "V5": "v5_safety_incident", "V6": "v6_falsified_data"}
#: The items a shortfall of ``story.toml`` may name, besides a profile's local ``L*`` items.
SCHOOL_ITEMS = ("R.school", "R.cv", "G3", "G4", "G5", "G6", "Q4")
COUNTY_ITEMS = ("G7", "G8", "S1", *(v[0] for v in _RATE_ITEMS.values() if v[0]), *_FLAG_ITEMS, *_RATING_ITEMS,
                *_VETO_COLUMNS)



class _Steady:
    """A county figure on the passing side of its threshold: a level drawn once, a gentle trend, small noise."""

    def __init__(self, rng: np.random.Generator, threshold: float, op: str, cap: float = 100.0):
        self.rng, self.threshold, self.op, self.cap = rng, threshold, op, cap
        self.level = rng.uniform(0.8, 5.0) if op == ">=" else threshold * rng.uniform(0.45, 0.8)

    def __call__(self, year: int) -> float:
        t = max(0, year - BASE_YEAR)
        if self.op == "<":  # e.g. the difference rate: falls a little each year
            return float(floor_to(self.level * (1 - 0.02 * t) + self.rng.uniform(-0.004, 0.004), 0.001))
        if self.threshold >= self.cap:
            return self.cap
        value = self.threshold + self.level + 0.15 * t + self.rng.uniform(-0.3, 0.3)
        return float(min(self.cap, floor_to(max(value, self.threshold + 0.3), 0.1)))


def _steady_range(rng: np.random.Generator, low: float, high: float, years: list[int]) -> dict[int, float]:
    """A plausible figure without a threshold: a level in [low, high], small yearly noise."""
    level = rng.uniform(low, high)
    return {y: float(floor_to(np.clip(level + rng.uniform(-0.6, 0.6), low, high), 0.1)) for y in years}


def county_rows(place: Place, design: CountyDesign, profile: Profile, panel: pd.DataFrame, years: list[int],
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
        row["funds_benchmark_yuan"] = benchmark(place.city, year)
        row["special_ed_funds_per_student_yuan"] = g7_value[year]
        civil = _CIVIL_PAY[place.city] * civil_factor * (1 + _PAY_RISE) ** max(0, year - BASE_YEAR)
        row["civil_servant_avg_pay_yuan"] = float(floor_to(civil, 10.0))
        g8 = design.active(year, "G8")
        pay_share = failing_value(g8[0], year, 100.0, ">=", 96.0) if g8 else pay_margin + rng.uniform(-0.4, 0.4)
        row["teacher_avg_pay_yuan"] = float(floor_to(civil * pay_share / 100, 10.0))
        for col, (item, threshold, op) in thresholds.items():
            active = design.active(year, item) if item else []
            if col == "difference_rate" and design.scores:
                row[col] = np.nan  # computed from the student scores
            elif active:
                default = threshold - 5 if op == ">=" else threshold + 0.04
                row[col] = failing_value(active[0], year, threshold, op, default)
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
            row[col] = (failing_value(active[0], year, threshold, op, threshold - 3) if active
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
