"""The satisfaction survey (S1) and the student scores (Q9's difference rate), per county and year."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..schema import SURVEY_GROUPS
from ..standards.profile import Profile
from ._common import failing_value
from .story import SPECIAL, STORY, CountyDesign, Place

__all__ = ["survey_rows", "student_scores"]

_GROUP_SIZE = {g: spec["respondents"] for g, spec in STORY.survey["groups"].items()}  # None: one per school
_GROUP_OFFSET = {g: spec["offset"] for g, spec in STORY.survey["groups"].items()}
_SUBJECTS = STORY.scores["subjects"]
_SCORE_MEAN, _SCORE_SD = STORY.scores["mean"], STORY.scores["sd"]
_LEVEL_CUTS = STORY.scores.get("level_cuts", ())


def survey_rows(place: Place, design: CountyDesign, profile: Profile, panel: pd.DataFrame, years: list[int],
                rng: np.random.Generator) -> pd.DataFrame:
    """Aggregated survey counts per group; the overall rate is placed on the designed side of the threshold."""
    threshold = float(profile.get("recognition.min_rate"))
    rows = []
    for year in years:
        active = design.active(year, "S1")
        tiny = design.small_survey == year
        if active:
            rate = failing_value(active[0], year, threshold, ">=", threshold - 4) - 0.2
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


def student_scores(place: Place, design: CountyDesign, profile: Profile, panel: pd.DataFrame, years: list[int],
                   rng: np.random.Generator) -> pd.DataFrame:
    """Student scores with a designed between-school share of variance (Q9's difference rate)."""
    limit = float(profile.get("quality.Q9.max_difference_rate"))
    frames = []
    for year in years:
        schools = panel[(panel["year"] == year) & (panel["school_type"] != SPECIAL)]
        size = np.minimum(schools[["students_primary", "students_junior"]].sum(axis=1).to_numpy(),
                          rng.integers(20, 33, len(schools))).astype(int)
        school_id = np.repeat(schools["school_id"].to_numpy(), size)
        seq = np.concatenate([np.arange(1, k + 1) for k in size])
        for k, subject in enumerate(_SUBJECTS):
            active = design.active(year, "Q9")
            if active and k == 0:
                share = failing_value(active[0], year, limit, "<", limit + 0.05)
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
    out = pd.concat(frames, ignore_index=True)
    if _LEVEL_CUTS:  # each student's level from their score (no random draw: the scores stay as they were)
        out["level"] = 1 + np.searchsorted(np.asarray(_LEVEL_CUTS), out["score"].to_numpy(), side="right")
    return out
