"""The schools of a county: roster, enrolment year by year, classes.

Who the schools are (types, locations, sizes, names) follows the school mix of
``story.toml``'s ``[schools]`` and the county's design (new schools, schools
over the size limit, schools that start boarding, small village schools for G6);
the size and class limits come from the county's profile.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import INDICATORS, LOCATIONS
from ..standards.profile import Profile
from ._common import allocate, log_uniform
from .names import SchoolNames
from .story import BASE_YEAR, SPECIAL, STORY, CountyDesign, Place

__all__ = ["make_roster", "enrolment_panel", "add_classes"]

_TYPE_MIX = STORY.schools["type_mix"]  # kind → {type: share}, in row order
_LOCATION_MIX = STORY.schools["location_mix"]  # kind → type → shares of 城区, 镇区, 乡村
_SIZES = STORY.schools["sizes"]  # (type, location) → ranges for primary, junior, senior (log-uniform)
_TREND = STORY.schools["trend"]  # yearly change of enrolment
_CLASS_SIZE = STORY.schools["class_size"]  # average class size targets
_GRADES = {"primary": 6, "junior": 3}
_GRADES_FIVE_FOUR = {"primary": 5, "junior": 4}  # 五四学制
_RESERVE = 0.97  # ordinary schools stay under this share of the G4 size limit
_LARGE_CLASS = 56  # "大班额" as the plans count them (56 students or more)


def _school_sizes(rng: np.random.Generator, school_type: str, location: str) -> list[float]:
    ranges = _SIZES[(school_type, location)]
    return [float(log_uniform(rng, *r)) if r else 0.0 for r in ranges]


def make_roster(place: Place, design: CountyDesign, profile: Profile, rng: np.random.Generator,
                years: list[int]) -> pd.DataFrame:
    """One row per school of the county (static attributes and latent draws), new schools included."""
    mix = _TYPE_MIX[place.kind]
    types_n = allocate(mix.values(), place.schools - 1)
    rows: list[dict] = []
    for school_type, n_type in zip(mix, types_n):
        for location, n_loc in zip(LOCATIONS, allocate(_LOCATION_MIX[place.kind][school_type], n_type)):
            rows += [{"school_type": school_type, "location": location, "open_year": min(years), "new": False}
                     for _ in range(n_loc)]
    rows.append({"school_type": SPECIAL, "location": "城区", "open_year": min(years), "new": False})
    for year, n_new in sorted(design.new_schools.items()):
        if year > min(years) and year in years:
            rows += [{"school_type": "初级中学" if k % 3 == 2 else "小学", "location": "城区", "open_year": year,
                      "new": True} for k in range(n_new)]
    roster = pd.DataFrame(rows)
    n = len(roster)
    names = SchoolNames(place.county, rng, max(3, round(place.schools / 7)))
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
    roster.loc[roster["school_type"] == SPECIAL, "trend"] = 0.0
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
    special = (roster["school_type"] == SPECIAL).to_numpy()
    one_through = roster["school_type"].isin(("九年一贯制学校", "十二年一贯制学校")).to_numpy()
    roster["per_stage"] = False
    if design.per_stage_schools:  # a few schools report per-stage facility figures
        roster.loc[roster.index[one_through][:design.per_stage_schools], "per_stage"] = True
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
    roster["boarding_from"] = np.where(base | (roster["school_type"] == SPECIAL), first, 9999)
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


def enrolment_panel(roster: pd.DataFrame, design: CountyDesign, profile: Profile, years: list[int],
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


def add_classes(panel: pd.DataFrame, design: CountyDesign, profile: Profile, place: Place,
                rng: np.random.Generator) -> None:
    """Classes per stage, the largest class, 56+ classes (G5 and 濮阳市's large-class plan)."""
    limits = {"primary": float(profile.get("guarantee.G5.max_class_primary")),
              "junior": float(profile.get("guarantee.G5.max_class_junior"))}
    grades = _GRADES_FIVE_FOUR if place.five_four else _GRADES
    main = np.where(panel["students_junior"] > panel["students_primary"], "junior", "primary")
    n_main = np.maximum(panel["students_primary"], panel["students_junior"]).to_numpy()
    # 56+ classes: the county total of the year, filled into the most crowded urban and town schools
    large = np.zeros(len(panel))
    g5 = design.of("G5")
    if g5 and g5[0].large_classes:
        eligible = (panel["location"].isin(("城区", "镇区"))
                    & ~panel["school_type"].isin(("教学点", SPECIAL))).to_numpy()
        capacity = np.where(eligible, np.floor(0.8 * n_main / 60), 0)
        priority = np.where(panel["large_rank"] >= 0, panel["large_rank"], 100 + panel["order_crowd"])
        order = pd.DataFrame({"year": panel["year"], "p": priority, "cap": capacity}).sort_values(["year", "p"])
        total = order["year"].map(lambda y: g5[0].remaining(y, g5[0].large_classes))
        before = order.groupby("year")["cap"].cumsum() - order["cap"]
        large[order.index] = np.clip(total - before, 0, order["cap"])
    # mild oversize classes (over the G5 limit, under 56)
    oversize = np.zeros(len(panel), bool)
    if g5 and g5[0].schools:
        ok = (~panel["school_type"].isin(("教学点", SPECIAL)) & (n_main >= 300) & (large == 0)).to_numpy()
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
        classes = np.where(panel["school_type"] == SPECIAL, np.ceil(n / 10), classes)
        typical = np.ceil(regular / np.maximum(classes - k, 1))
        biggest = np.minimum(limits[stage], typical + rng.integers(0, 4, len(panel)))
        biggest = np.where(k > 0, _LARGE_CLASS + rng.integers(1, 12, len(panel)), biggest)
        biggest = np.where(oversize & (main == stage), np.minimum(_LARGE_CLASS - 1,
                                                                 limits[stage] + rng.integers(1, 8, len(panel))),
                           biggest)
        panel[f"classes_{stage}"] = classes.astype(int)
        biggest = np.minimum(biggest, n)  # a class never holds more pupils than its stage (a check rule)
        panel[f"max_class_size_{stage}"] = np.where(n > 0, biggest, 0).astype(int)
