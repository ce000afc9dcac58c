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

The data tell a story, written down as data in ``story.toml`` (read by
:mod:`.story` into :data:`DESIGN`): each county falls short of the standard in
designed ways (a few schools under the school rule, one indicator's coefficient
of variation just over its limit, a county figure under its threshold, a veto
item) until the year each shortfall is fixed. A county is designed to reach the
standard in the first year in which none of its shortfalls is active; the
Hohhot districts follow the seed's schedule, and the thresholds every figure is
placed against are read from each county's own profile, never written here.
Figures such as school sizes, class sizes and funding benchmarks are plausible
inventions, not statistics.

This module puts the parts together — :mod:`.schools` (roster, enrolment,
classes), :mod:`.resources` (R1–R7 with calibrated CVs), :mod:`.funds` (rooms,
boarders, funds), :mod:`.county` (the county table), :mod:`.survey` (survey
and scores) — and :mod:`.files` writes the result.

>>> data = generate(years=[2025])
>>> data.synthetic, data.counties["county"].nunique(), sorted(set(data.scores["county"]))
(True, 17, ['桓台县', '范县', '蕉岭县'])
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import QualityBalanceError
from ..inputs.dataset import SYNTHETIC_LABEL, Dataset
from ..schema import CLASSES, COUNTIES, SCHOOLS, SCORES, SURVEY, Table
from ..standards.profile import profile_for_place
from ._common import stream
from .county import COUNTY_ITEMS, SCHOOL_ITEMS, county_rows
from .funds import rooms_funds_boarders, special_funds
from .resources import calibrated_resources, cv_targets, resource_settings, unit_draws
from .schools import add_classes, enrolment_panel, make_roster
from .story import DESIGN, PLACES, STORY
from .survey import student_scores, survey_rows

__all__ = ["generate", "designed_verdicts", "DEFAULT_SEED", "DEFAULT_YEARS", "TABLES"]

DEFAULT_SEED = 2021
DEFAULT_YEARS = range(2021, 2026)
TABLES = ("schools", "counties", "survey", "scores")
"""The tables of the demo data set, in the order they are written."""
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


def _check_design() -> None:
    """Every shortfall names an item the generator can place, or a local item of the county's own profile."""
    for place in PLACES:
        local = [item["id"] for item in profile_for_place(place.city, place.county).extra_items]
        for i, s in enumerate(DESIGN[place.county].shortfalls, 1):
            if s.item not in (*SCHOOL_ITEMS, *COUNTY_ITEMS, *local):
                raise QualityBalanceError(
                    f"demo story file {STORY.path}: {place.county}'s shortfalls #{i}: unknown item {s.item!r}; "
                    f"expected one of {', '.join((*SCHOOL_ITEMS, *COUNTY_ITEMS))}"
                    + (f" or a local item of its profile ({', '.join(local)})" if local else ""))


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
        roster = make_roster(place, design, profile, stream(seed, index, 1), years)
        panel = enrolment_panel(roster, design, profile, years, stream(seed, index, 2))
        add_classes(panel, design, profile, place, stream(seed, index, 3))
        panel["city"], panel["county"], panel["county_code"] = place.city, place.county, place.code
        unit_draws(panel, design, stream(seed, index, 4))
        panels.append(panel)
        targets.append(cv_targets(place.county, design, profile, years, stream(seed, index, 9)))
    panel = pd.concat(panels, ignore_index=True)
    calibrated_resources(panel, pd.concat(targets, ignore_index=True), resource_settings(profiles))
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for index, place in enumerate(PLACES):
        design, profile = DESIGN[place.county], profiles[place.county]
        schools = panel[panel["county"] == place.county].reset_index(drop=True)
        g7 = special_funds(design, profile, years, stream(seed, index, 5))
        rooms_funds_boarders(schools, design, profile, place.city, pd.Series(g7))
        parts["schools"].append(schools)
        parts["counties"].append(county_rows(place, design, profile, schools, years, stream(seed, index, 6), g7))
        parts["survey"].append(survey_rows(place, design, profile, schools, years, stream(seed, index, 7)))
        if design.scores:
            parts["scores"].append(student_scores(place, design, profile, schools, years, stream(seed, index, 8)))
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
        ``scores`` (students of the counties with ``scores = true`` in the story: 范县,
        蕉岭县 and 桓台县), ``synthetic=True`` and
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
    schools, classes = _school_detail(tables["schools"], tables["counties"], int(seed))
    return Dataset(schools=schools, counties=tables["counties"], survey=tables["survey"],
                   scores=tables["scores"], source=f"合成演示数据（quality_balance.demo, seed={int(seed)}）",
                   synthetic=True, metadata=metadata, classes=_typed(classes, CLASSES))


def _school_detail(schools: pd.DataFrame, counties: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The class table and school columns of :data:`quality_balance.demo.classes.DETAIL_CITY`'s counties."""
    from .classes import add_school_detail

    profiles = {(c, k): profile_for_place(c, k) for c, k in schools[["city", "county"]].drop_duplicates()
                .itertuples(index=False, name=None)}
    pairs = list(zip(schools["city"], schools["county"]))
    limits = {stage: pd.Series([float(profiles[p].get(f"guarantee.G5.max_class_{stage}")) for p in pairs],
                               index=schools.index) for stage in ("primary", "junior")}
    return add_school_detail(schools, counties, seed, limits)
