"""The resource indicators R1–R7 of every school: teachers and facilities whose CVs tell the designed story.

Each county, year, stage and indicator gets a designed coefficient of variation
(its ``[resources] cv_base`` range of ``story.toml``, improving each year, or just
over the profile's limit while an ``R.cv`` shortfall is active). Each school sits
at a persistent latent position; values are placed so that the student-weighted
CV hits the target, then teachers and facilities are rounded and split as the
assessment does, and the targets are calibrated until the realized CVs match.
Schools under an ``R.school`` shortfall fail the school rule in one of the
story's ``fail_patterns``.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from scipy.special import gammaincinv

from ..schema import INDICATORS, STAGES
from ..standards.profile import Profile
from ._common import ceil_to, floor_to
from .story import BASE_YEAR, PLACES, SPECIAL, STORY, CountyDesign

__all__ = ["cv_targets", "unit_draws", "resource_settings", "calibrated_resources"]

_CV_BASE = STORY.resources["cv_base"]  # a county's CV in 2021, if not designed: [low, high] per indicator
_TILT = STORY.resources["tilt"]  # where each resource tends to be richer
_FAIL_PATTERNS = STORY.resources["fail_patterns"]  # how a school unit fails the school rule: indicator → ratio range
_FLOOR = 1.03  # a unit meeting an indicator is at least this multiple of the threshold
_FLOOR_CAP = 1.5  # ... and, as its county improves, the weakest unit rises to at most this multiple
_CV_IMPROVEMENT = 0.03  # CVs fall by this share a year
_CV_EXCESS_STEP = 0.05  # a designed CV failure is this share of the limit higher for each year before its last
_CV_AFTER_FIX = 0.78  # ... and once fixed, at most this share of the limit
_SHAPE_REGULAR, _SHAPE_WIDE = 2.5, 0.9  # gamma shape of the latent positions: a wide CV needs a skewed spread
_CALIBRATION_ROUNDS, _CALIBRATION_TOLERANCE = 5, 0.01  # realized CV within 1% of the designed one
_TEACHERS = {"R1": "teachers_above_degree", "R2": "backbone_teachers", "R3": "pe_art_teachers"}  # per stage
_FACILITIES = {"R4": ("teaching_area_m2", 0.1, 1), "R5": ("sports_area_m2", 0.1, 1),  # column, rounding step,
               "R6": ("equipment_value_yuan", 1.0, 1), "R7": ("multimedia_rooms", 1.0, 100)}  # per-100 scale


def cv_targets(county: str, design: CountyDesign, profile: Profile, years: list[int],
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


def unit_draws(panel: pd.DataFrame, design: CountyDesign, rng: np.random.Generator) -> None:
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


def resource_settings(profiles: Mapping[str, Profile]) -> pd.DataFrame:
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
    in_scope = panel["school_type"] != SPECIAL
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
            count = np.where(r >= 1, ceil_to(need), floor_to(need)).astype(int)
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
        panel.loc[need.index, col] = np.where(missed.to_numpy(), floor_to(amount, step), ceil_to(amount, step))
        reports = panel.loc[rows, "per_stage"].to_numpy()
        for st in STAGES:  # a few schools report per-stage figures: then nothing is split
            panel[f"{col}_{st}"] = np.nan
            sel = (stage == st) & reports
            panel.loc[rows[sel], f"{col}_{st}"] = ceil_to(per_student[sel] * n_unit[sel], step)
        reported = (panel["per_stage"] & panel[f"{col}_primary"].notna()).to_numpy()
        senior = panel["students_senior"].to_numpy() * w_row["senior"] * need.reindex(panel.index).to_numpy()
        whole = panel[f"{col}_primary"].fillna(0) + panel[f"{col}_junior"].fillna(0) + np.nan_to_num(senior)
        panel.loc[reported, col] = ceil_to(whole[reported], step)
    _special_school_resources(panel)


def _special_school_resources(panel: pd.DataFrame) -> None:
    """The special-education school (out of R's scope): small classes, generous staffing."""
    sp = panel["school_type"] == SPECIAL
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


def calibrated_resources(panel: pd.DataFrame, targets: pd.DataFrame, settings: pd.DataFrame) -> None:
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
