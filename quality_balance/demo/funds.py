"""Rooms, boarders and money of every school: G3 music and art rooms, G6/G7 public funds, Q4 training funds.

The funds benchmark per student is the city's (``story.toml``'s ``[city."…"]``),
rising each year; the room norms, the small-school funding rule and the
boarding supplement come from the county's profile.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..standards.profile import Profile
from ._common import ceil_to, failing_value, floor_to
from .story import BASE_YEAR, SPECIAL, STORY, CountyDesign

__all__ = ["rooms_funds_boarders", "benchmark", "special_funds"]

_FUNDS_BENCHMARK = {city: figures["funds_benchmark_yuan"] for city, figures in STORY.cities.items()}  # 元/生, 2021
_FUNDS_RISE = STORY.county_figures["funds_rise_yuan"]  # 元 a year
_FUNDS_STAGE_EXTRA = STORY.county_figures["funds_stage_extra_yuan"]  # added to the primary benchmark


def rooms_funds_boarders(panel: pd.DataFrame, design: CountyDesign, profile: Profile, city: str,
                         g7_value: pd.Series) -> None:
    """G3 rooms, boarders, public funds (G6, G7) and training funds (Q4)."""
    per_room = float(profile.get("guarantee.G3.classes_per_room"))
    music_min = float(profile.get("guarantee.G3.music_room_min_m2"))
    art_min = float(profile.get("guarantee.G3.art_room_min_m2"))
    need = np.maximum(1, np.ceil((panel["classes_primary"] + panel["classes_junior"]) / per_room))
    panel["music_rooms"] = (need + panel["extra_music_rooms"]).astype(int)
    panel["art_rooms"] = (need + panel["extra_art_rooms"]).astype(int)
    panel["music_room_min_area_m2"] = ceil_to(music_min * panel["music_area"], 0.1)
    panel["art_room_min_area_m2"] = ceil_to(art_min * panel["art_area"], 0.1)
    g3 = design.of("G3")
    if g3:
        ok = ~panel["school_type"].isin(("教学点", SPECIAL))
        rank = pd.Series(np.where(ok, panel["order_g3"], np.inf)).groupby(panel["year"]).rank(method="first")
        quota = panel["year"].map(lambda y: g3[0].remaining(y, g3[0].schools))
        bad = (rank <= quota) & ok
        short_room = bad & (rank % 2 == 0) & (need >= 2)
        panel.loc[short_room, "art_rooms"] = need[short_room] - 1
        small = bad & ~short_room
        shrunk = music_min * (0.72 + 0.2 * (panel.loc[small, "music_area"] - 1))
        panel.loc[small, "music_room_min_area_m2"] = floor_to(shrunk, 0.1)
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
    bench = panel["year"].map(lambda y: benchmark(city, y)).to_numpy()
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
    sp = (panel["school_type"] == SPECIAL).to_numpy()
    funds = np.where(sp, panel["year"].map(g7_value).to_numpy() * compulsory, funds)
    panel["public_funds_yuan"] = ceil_to(funds, 100.0)
    share = panel["training_share"].to_numpy()
    q4 = design.of("Q4")
    if q4:
        quota = panel["year"].map(lambda y: q4[0].remaining(y, q4[0].schools))
        rank = pd.Series(np.where(~sp, panel["order_q4"], np.inf)).groupby(panel["year"]).rank(method="first")
        share = np.where((rank <= quota).to_numpy() & ~sp, share / 2, share)  # 2.8–4.5%: under the 5%
    panel["training_funds_yuan"] = floor_to(panel["public_funds_yuan"] * share / 100, 10.0)


def benchmark(city: str, year: int) -> float:
    """The county's per-student public-funds benchmark for primary schools (元)."""
    return _FUNDS_BENCHMARK[city] + _FUNDS_RISE * max(0, year - BASE_YEAR)



def special_funds(design: CountyDesign, profile: Profile, years: list[int], rng: np.random.Generator
                   ) -> dict[int, float]:
    """G7: public funds per student of the special-education school, per year (元)."""
    minimum = float(profile.get("guarantee.G7.min_funds_per_student_yuan"))
    level = rng.uniform(1.05, 1.4)
    out = {}
    for year in years:
        active = design.active(year, "G7")
        out[year] = (failing_value(active[0], year, minimum, ">=", minimum * 0.85) if active
                     else float(floor_to(minimum * level * (1.03 ** max(0, year - BASE_YEAR)), 10.0)))
    return out
