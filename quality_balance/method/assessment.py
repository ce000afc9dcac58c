"""The whole assessment: four dimensions, veto items, the county verdict and the shortfalls.

Method: docs/method.md §2 (verdicts), §10 (shortfalls).

A county is 达标 for a year only when resource allocation, government
guarantee, education quality and social recognition are all ``met`` and no veto
item is present. A dimension is ``not_met`` when any of its counting
items is not met, else ``no_data`` when any has no data, else ``met`` (or
``not_applicable`` when none applies). ``overall`` is ``met`` only when all four
dimensions are met and the veto column is ``met`` (no veto present, none unknown);
``not_met`` when any dimension is not met or a veto is present; else ``no_data``.

The shortfall list ranks, per county and year, what fails: veto items first,
then by relative gap (how far below the threshold, as a share of it); yes/no
items that fail count as a relative gap of 1.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import require_known
from ..inputs.dataset import SYNTHETIC_LABEL, Dataset
from .items import (ItemBlock, guarantee_items, local_items, quality_items,
                    recognition_items, veto_items)
from .items._base import concat_texts, county_codes, joined_by_code, remember, shared_keys
from ..stats._groups import key_codes, rows_in
from ..standards.profile import Profile, profiles_by_county
from .resources import ResourceAssessment, _assess_resources, _mapped, format_values
from .rules import SchoolRule, limit_text, rating_shortfall
from .split import place_sort_codes
from .texts import join_nonempty
from ..schema import COUNTY_KEY as COUNTY, DIMENSION_LABELS, INDICATOR_LABELS, STAGE_LABELS, PLACE_KEY as PLACE
from .._memory import reusing_freed_memory

__all__ = ["Assessment", "assess", "DIMENSIONS"]

DIMENSIONS = ("resources", "guarantee", "quality", "recognition")


@dataclass(frozen=True)
class Assessment:
    """Everything :func:`assess` computed, as DataFrames (spec §10 names).

    Attributes
    ----------
    items : DataFrame
        One row per county, year and item (``R``, ``G1``…``G15``, ``Q1``…``Q9``, ``S1``,
        ``V1``…``V6``, local ``L*``): ``dimension``, ``item``, ``label``, ``status``,
        ``value``, ``threshold``, ``reason``, ``counts``.
    verdicts : DataFrame
        One row per county and year: ``resources, guarantee, quality, recognition, veto,
        overall`` (statuses), ``profile`` and a Chinese ``reason``.
    shortfalls : DataFrame
        Ranked per county and year: ``rank``, ``dimension``, ``item``, ``label``,
        ``school_id``/``school_name``/``stage`` where it is a school's, ``value``,
        ``threshold``, ``op`` (how value is compared with threshold: ``>=``, ``<=``, ``<``;
        ``==`` for yes/no and veto items; ``rating``), ``gap`` (how much is missing, in the
        item's unit), ``relative_gap``, ``reason``.
    resources : ResourceAssessment
        The resource-allocation detail (``.units``, ``.cv``, ``.counties``...).
    recognition : DataFrame
        Recognition rates per county, year and group with Wilson intervals.
    school_failures : DataFrame
        The schools behind failing school-level items (G3–G6, Q4).
    parts : DataFrame
        What each item compared, one row per county, year, item and part: ``part`` (label),
        ``op`` (``>=``, ``<=``, ``<``; ``==`` for yes/no; ``rating``), ``value``, ``threshold``,
        ``status``. Multi-part items (G2, G8, G11, G13, G14, Q9) have one row per part;
        school-level items compare the number of failing schools with 0.
    profiles : dict
        (city, county) → Profile used.
    dataset : Dataset
        The input.
    notes : tuple of str
        What a reader of the results must know about the input: the data set's notes, and rows
        of the county, survey and score tables that the school table does not back up and that
        were therefore left out (no verdict for a county-year without schools; scores of an
        unknown school are not in Q9; a survey of a county-year without schools is not in S1).
    """

    items: pd.DataFrame
    verdicts: pd.DataFrame
    shortfalls: pd.DataFrame
    resources: ResourceAssessment = field(repr=False)
    recognition: pd.DataFrame = field(repr=False)
    school_failures: pd.DataFrame = field(repr=False)
    profiles: dict = field(repr=False)
    dataset: Dataset = field(repr=False)
    parts: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    notes: tuple = field(repr=False, default=())

    @property
    def synthetic(self) -> bool:
        """True when the input was the synthetic demo data."""
        return self.dataset.synthetic

    @property
    def label(self) -> str:
        """The provenance line every report shows (with the 演示数据 label when synthetic)."""
        return self.dataset.provenance

    @property
    def units(self) -> pd.DataFrame:
        return self.resources.units

    @property
    def cv(self) -> pd.DataFrame:
        return self.resources.cv

    def profile_of(self, county: str, *, city: str | None = None) -> Profile:
        """The profile a county was assessed under.

        Parameters
        ----------
        county : str
            A county of the assessment.
        city : str, optional, keyword-only
            Its city, where two cities have a county of the same name (default ``None``:
            the first one).

        Returns
        -------
        Profile
            The profile its verdicts were computed under (from :attr:`profiles`): the
            place's own profile, or the one given to :func:`assess`.

        Raises
        ------
        UnknownNameError
            For a city or county not assessed (also a ``KeyError``, as before), naming
            the known ones and the closest.
        """
        if city is not None:
            require_known(city, {c for c, _ in self.profiles}, parameter="city", what="市")
        require_known(county, {name for c, name in self.profiles if city is None or c == city},
                      parameter="county", what="县区")
        for (place_city, name), prof in self.profiles.items():
            if name == county and (city is None or place_city == city):
                return prof
        raise AssertionError("unreachable: require_known checked the county")


def _resource_item(ra: ResourceAssessment, places: pd.DataFrame) -> pd.DataFrame:
    rc = ra.counties
    # the resource assessment's county-years are these places, in this order (one pass found both): then they
    # are taken as they are; otherwise a left merge on the keys
    aligned = len(rc) == len(places) and all(np.array_equal(rc[c].to_numpy(), places[c].to_numpy()) for c in PLACE)
    rc = rc.reset_index(drop=True) if aligned else places.merge(rc, on=PLACE, how="left")
    out = places[PLACE].copy()
    out["dimension"], out["item"], out["label"] = "resources", "R", DIMENSION_LABELS["resources"]
    out["status"] = rc["status"].fillna("no_data").to_numpy()
    out["value"] = rc["worst_cv"].to_numpy()
    thr = _threshold_text(ra)
    out["threshold"] = _per_county(out, lambda pair: thr.get(pair, ""))
    out["reason"] = rc["reason"].fillna("无学校数据").to_numpy()
    out["counts"] = True
    return out


def _threshold_text(ra: ResourceAssessment) -> dict[tuple[str, str], str]:
    """The resource item's threshold in words, from each county's own profile (its :class:`SchoolRule`), by
    (city, county): a dict, looked up once per county (a Series on a MultiIndex cost 0.1 ms a look-up)."""
    texts: dict[int, str] = {}  # written once per distinct profile object (many counties share one)

    def text(p: Profile) -> str:
        if id(p) not in texts:
            texts[id(p)] = (f"{SchoolRule.from_profile(p).describe()}；差异系数小学≤"
                            f"{limit_text(p.get('resources.cv_limit.primary'))}、"
                            f"初中≤{limit_text(p.get('resources.cv_limit.junior'))}")
        return texts[id(p)]
    return {k: text(p) for k, p in ra.profiles.items()}


def _per_county(frame: pd.DataFrame, fn) -> list:
    """``[fn((city, county)) for each row of frame]`` with ``fn`` called once per distinct county (integer codes)."""
    codes, pairs = county_codes(frame)
    found = [fn(pair) for pair in pairs]
    return [found[i] for i in codes.tolist()]


def _verdicts(items: pd.DataFrame, places: pd.DataFrame, profiles: dict, at: np.ndarray | None = None) -> pd.DataFrame:
    out = places[PLACE].reset_index(drop=True)
    # each item row's county-year as a row of ``out`` (integer codes: ``at`` when the caller knows it); every
    # dimension's status is the rule of :func:`~quality_balance.method.items.dimension_status` over its
    # counting items, summed by code
    if at is None:
        at = rows_in(items, out, PLACE)
    n = len(out)
    status = items["status"].to_numpy(dtype=object)
    counted = items["counts"].to_numpy(dtype=bool) & (at >= 0)
    dimension = items["dimension"].to_numpy(dtype=object)
    for dim in (*DIMENSIONS, "veto"):
        rows = counted & (dimension == dim)
        code, st = at[rows], status[rows]
        n_rows = np.bincount(code, minlength=n)
        flag = {s: np.bincount(code, weights=st == s, minlength=n) for s in ("not_met", "no_data", "not_applicable")}
        out[dim] = np.where(n_rows == 0, "no_data", np.select(
            [flag["not_met"] > 0, flag["no_data"] > 0, flag["not_applicable"] == n_rows],
            ["not_met", "no_data", "not_applicable"], "met"))
    dims = out[list(DIMENSIONS)]
    all_met = (dims == "met").all(axis=1) & (out["veto"] == "met")
    any_fail = (dims == "not_met").any(axis=1) | (out["veto"] == "not_met")
    out["overall"] = np.select([all_met, any_fail], ["met", "not_met"], "no_data")
    out["profile"] = _per_county(out, lambda pair: profiles[pair].name)
    item_ids = items["item"].to_numpy(dtype=object)

    def ids(wanted: str) -> np.ndarray:  # the failing items of each county-year, in item order
        rows = counted & (status == wanted)
        return joined_by_code(at[rows], item_ids[rows], n, "、")

    fail_txt, nodata_txt = ids("not_met"), ids("no_data")
    dims_failing = join_nonempty([np.where(out[d].eq("not_met").to_numpy(), DIMENSION_LABELS[d], "")
                                  for d in DIMENSIONS], "、")
    veto_txt = np.where(out["veto"] == "not_met", "存在一票否决项", "")
    reason = join_nonempty([np.where(dims_failing != "", "未达标维度：" + dims_failing, ""), veto_txt,
                            np.where(fail_txt != "", "未达标项目：" + fail_txt, ""),
                            np.where(nodata_txt != "", "缺少数据：" + nodata_txt, "")], "；")
    out["reason"] = np.where(out["overall"] == "met", "四个维度全部达标，无一票否决项", reason)
    return out


def _part_ops(parts: pd.DataFrame, wanted: pd.DataFrame) -> pd.DataFrame:
    """Per row of ``wanted``, the part its value and threshold come from: its comparison, value and threshold.

    The first part not met (what :func:`~quality_balance.method.items._base.combine` reports), else the first part.

    Parameters
    ----------
    parts : DataFrame or None
        The parts table (city, county, year, item, part_no, op, value, threshold, status).
    wanted : DataFrame
        Rows unique on city, county, year and item.

    Returns
    -------
    DataFrame
        ``op``, ``part_value`` and ``part_threshold`` aligned row by row with ``wanted`` (its index), missing
        where an item has no part: what a left merge of the chosen parts on the keys gives.
    """
    columns = {"op": "op", "value": "part_value", "threshold": "part_threshold"}
    if parts is None or parts.empty:
        return pd.DataFrame({name: np.nan for name in columns.values()}, index=wanted.index, dtype=object)
    chosen = _chosen_parts(parts, wanted)
    return pd.DataFrame({name: parts[col].array.take(chosen, allow_fill=True) for col, name in columns.items()},
                        index=wanted.index)


def _chosen_parts(parts: pd.DataFrame, wanted: pd.DataFrame) -> np.ndarray:
    """For each row of ``wanted`` (unique on city, county, year, item), the row of ``parts`` of its first part
    not met, else of its first part (lowest ``part_no``, then first in the table); −1 where it has none.

    Parameters
    ----------
    parts : DataFrame
        The parts table.
    wanted : DataFrame
        The rows asked for.

    Returns
    -------
    ndarray of int64
        A position in ``parts`` per row of ``wanted``.
    """
    # the items asked for only (a set look-up first, then integer codes on the keys): few rows remain
    rows = np.flatnonzero(parts["item"].isin(wanted["item"].unique()).to_numpy())
    at = rows_in(parts[PLACE + ["item"]].take(rows), wanted, PLACE + ["item"])
    rows, at = rows[at >= 0], at[at >= 0]
    passed = parts["status"].to_numpy(dtype=object)[rows] != "not_met"
    order = np.lexsort((rows, parts["part_no"].to_numpy()[rows], passed, at))  # by wanted row, failing parts first
    first = np.r_[True, at[order][1:] != at[order][:-1]] if len(order) else np.zeros(0, dtype=bool)
    chosen = np.full(len(wanted), -1, dtype=np.int64)
    chosen[at[order][first]] = rows[order][first]
    return chosen


def _shortfalls(items: pd.DataFrame, ra: ResourceAssessment, school_failures: pd.DataFrame,
                parts: pd.DataFrame | None = None, places: pd.DataFrame | None = None) -> pd.DataFrame:
    cols = PLACE + ["dimension", "item", "label", "school_id", "school_name", "stage", "value", "threshold", "op",
                    "gap", "relative_gap", "reason"]
    blocks = []
    # 1. school units missing an R indicator, for units that fail the school rule
    # (only the failing units' rows of the long table are made: a few thousand of 7.7 M nationally)
    failing = np.flatnonzero(~ra.units["passes_school_rule"].to_numpy(dtype=bool))
    read = PLACE + ["school_id", "school_name", "stage", "indicator", "value", "threshold"]
    v = ra.values_of(failing, columns=read + ["met"])
    v = v[~v["met"].to_numpy(dtype=bool)]
    if len(v):
        b = v[read].copy()
        b["dimension"], b["item"] = "resources", b.pop("indicator")
        b["label"] = b["item"].map(INDICATOR_LABELS)
        b["op"] = ">="
        b["gap"] = b["threshold"] - b["value"]
        b["relative_gap"] = b["gap"] / b["threshold"]
        # (joined as arrays, as pandas joins text Series: a missing school name leaves the reason missing)
        b["reason"] = pd.Series(concat_texts(
            b["school_name"], "（", b["stage"].map(STAGE_LABELS), "）", b["item"], " ",
            format_values(b["item"], b["value"], b["threshold"]),
            "，达标值 ", _mapped(b["threshold"], lambda t: limit_text(t, thousands=False)), "，差 ",
            format_values(b["item"], b["gap"], np.zeros(len(b)))), index=b.index, dtype="str")
        blocks.append(b)
    # 2. CVs over the limit (or undefined)
    cv = ra.cv[ra.cv["status"].isin(["not_met", "undefined"])]
    if len(cv):
        b = cv[PLACE + ["stage", "indicator", "cv", "limit", "reason"]].rename(
            columns={"cv": "value", "limit": "threshold", "indicator": "item"})
        b["dimension"] = "resources"
        b["item"] = b["item"] + "-CV"
        b["label"] = b["stage"].map(STAGE_LABELS) + "差异系数"
        b["op"] = "<="
        b["gap"] = b["value"] - b["threshold"]
        b["relative_gap"] = (b["gap"] / b["threshold"]).fillna(1.0)
        blocks.append(b)
    # 3. failing schools of school-level items
    if len(school_failures):
        b = school_failures.copy()
        num_v, num_t = pd.to_numeric(b["value"], errors="coerce"), pd.to_numeric(b["threshold"], errors="coerce")
        lower_is_better = b["op"].isin(["<=", "<"])  # the school's own comparison (G4/G5 sizes: ≤ a limit)
        b["gap"] = np.where(lower_is_better, num_v - num_t, num_t - num_v)
        b["relative_gap"] = (b["gap"] / num_t).fillna(1.0).where(b["op"].ne("=="))
        b["reason"] = b["label"] + "：" + b["detail"]
        # an oversize class (G5) names its stage; other failures have none
        b["stage"] = b["stage"].astype(object).where(b["stage"].notna(), None) if "stage" in b else None
        blocks.append(b.drop(columns=["detail"]))
    # 4. county-level items not met (school-level items are listed school by school above)
    # (the distinct ids read once, not a Python string per failing school)
    school_items = set(school_failures["item"].unique()) if len(school_failures) else set()
    county_fail = items[items["status"].isin(["not_met"]) & ~items["item"].isin(["R", *school_items])]
    if len(county_fail):
        b = county_fail[PLACE + ["dimension", "item", "label", "value", "threshold", "reason"]].copy()
        b = b.join(_part_ops(parts, b))
        # the failing part's own figures: an item of several parts ("13.1；24.2") is measured by the part it fails
        num_v = pd.to_numeric(b["part_value"], errors="coerce").fillna(pd.to_numeric(b["value"], errors="coerce"))
        num_t = pd.to_numeric(b["part_threshold"], errors="coerce").fillna(
            pd.to_numeric(b["threshold"], errors="coerce"))
        rating = b["op"].eq("rating")
        levels, share = rating_shortfall(b["value"].where(rating), b["threshold"].where(rating))
        numeric_gap = (num_t - num_v).abs()
        b["gap"] = np.where(rating, levels, numeric_gap)
        # a yes/no item has no size: its relative gap is left empty and it is ranked after the measured ones
        b["relative_gap"] = np.select([rating, b["op"].eq("=="), num_t > 0], [share, np.nan, numeric_gap / num_t],
                                      1.0)
        blocks.append(b.drop(columns=["part_value", "part_threshold"]))
    if not blocks:
        return pd.DataFrame(columns=["rank"] + cols)
    out = pd.concat([b.reindex(columns=cols) for b in blocks], ignore_index=True)
    # Method: docs/method.md §10 — veto items first, then the measured shortfalls by relative gap
    # (ratings by the share of levels missing), then the yes/no items, which have no size
    group = np.select([out["dimension"].isin(["veto"]).to_numpy(), out["relative_gap"].notna().to_numpy()], [0, 1], 2)
    return _ranked(out, group, places)


def _ranked(out: pd.DataFrame, group: np.ndarray, places: pd.DataFrame | None) -> pd.DataFrame:
    """The shortfalls sorted by city, county, year, ``group``, then relative gap (largest first, missing last),
    ties in table order, with their ``rank`` within the county-year (1 = first).

    ``places`` (the assessment's county-years, sorted and unique) turns the three text keys into one integer per
    row (:func:`~quality_balance.stats._groups.rows_in`), so that one ``np.lexsort`` gives the order that a stable
    ``sort_values`` on the keys gives; a row outside them (or without ``places``) is sorted on the keys themselves.
    """
    at = rows_in(out, places, PLACE) if places is not None and len(out) else None
    if at is None or (at < 0).any():
        out = out.assign(_group=group).sort_values(PLACE + ["_group", "relative_gap"],
                                                   ascending=[True, True, True, True, False],
                                                   kind="stable", na_position="last").drop(columns="_group")
        out.insert(0, "rank", out.groupby(PLACE).cumcount() + 1)
        return out.reset_index(drop=True)
    gap = out["relative_gap"].to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(gap)
    # lexsort: the last key first; the gap descending (negated), a missing gap after every present one
    order = np.lexsort((np.where(missing, 0.0, -gap), missing, group, at))
    out = out.take(order)
    at = at[order]
    starts = np.flatnonzero(np.r_[True, at[1:] != at[:-1]])
    rank = np.arange(len(at)) - np.repeat(starts, np.diff(np.r_[starts, len(at)])) + 1
    out.insert(0, "rank", rank)
    return out.reset_index(drop=True)


def assess(dataset: Dataset, *, profile: "str | Profile | None" = None, years=None) -> Assessment:
    """Assess every county and year of ``dataset`` on all four dimensions and the veto items.

    Parameters
    ----------
    dataset : Dataset
        From :func:`quality_balance.load_dataset` or :func:`quality_balance.demo.generate`.
        Only ``schools`` is required; items whose inputs are absent are ``no_data``.
    profile : str, path, Profile or None, keyword-only
        ``None`` (default) assesses each county under its place's profile (濮阳市, 呼和浩特市,
        桓台县, 蕉岭县, else national); a name or path applies that profile to every county.
        Every threshold of the assessment comes from the profile.
    years : iterable of int, optional, keyword-only
        Restrict to these years; years the data lack are skipped, but when none of them
        is in the data that is an :class:`~quality_balance.errors.UnknownNameError`.
        The default ``None`` assesses every year of the data.

    Returns
    -------
    Assessment
        ``verdicts`` (one row per city, county and year: the statuses ``resources``,
        ``guarantee``, ``quality``, ``recognition``, ``veto``, ``overall``, the
        ``profile`` and a Chinese ``reason``; ``data`` for synthetic data), ``items``
        (one row per county, year and item: ``dimension``, ``item``, ``label``,
        ``status``, ``value``, ``threshold``, ``reason``, ``counts``), ``parts``,
        ``shortfalls``, ``resources``, ``recognition``, ``school_failures``,
        ``profiles`` and ``notes`` (see :class:`Assessment`). Statuses are ``met``,
        ``not_met``, ``no_data`` or ``not_applicable``.

    Raises
    ------
    UnknownNameError
        None of ``years`` is in the data.
    ProfileError
        ``profile`` names no known profile, or a profile file is invalid.
    CalculationError
        ``dataset.schools`` lacks the canonical columns (see :func:`assess_resources`).
    """
    with reusing_freed_memory():  # freed memory reused during the call (quality_balance/_memory.py)
        return _assess(dataset, profile=profile, years=years)


def _assess(dataset: Dataset, *, profile, years):
    """:func:`assess` (its docstring), the allocator set by the caller."""
    if dataset.classes is not None and len(dataset.classes):  # class figures from the class table (§5.2)
        dataset = _with_classes(dataset, profile)
    schools = dataset.schools
    counties = dataset.counties
    if years is not None:
        years = list(years)
        known = set(schools["year"]) | (set(counties["year"]) if counties is not None else set())
        if years and not known & set(years):  # a range wider than the data is fine; one outside it is not
            require_known(years[0], known, parameter="years", what="年份", where="数据")
        schools = schools[schools["year"].isin(years)]
        counties = counties[counties["year"].isin(years)] if counties is not None else None
    # Verdicts are given for the county-years that have schools; rows of the other tables that the school
    # table does not back up (a county row for a year without schools, scores of an unknown school, a
    # survey of a county without schools) are left out and said so in ``notes`` (docs/method.md §2.3).
    places, school_rows, school_counties, place_codes = _assessed_places(schools)
    profiles = profiles_by_county(places, profile)
    notes = _consistency_notes(dataset, schools, school_rows)
    scores = dataset.scores
    if scores is not None and len(scores):
        known = pd.MultiIndex.from_frame(schools[PLACE + ["school_id"]].astype(str))
        scores = scores[pd.MultiIndex.from_frame(scores[PLACE + ["school_id"]].astype(str)).isin(known)]

    ra = _assess_resources(schools, profile=profile, synthetic=dataset.synthetic, place_codes=place_codes,
                           profiles=profiles)
    r_item = _resource_item(ra, places)
    with shared_keys():  # the school table's key codes computed once for all items (items._base.shared_keys)
        remember("place", (schools, places), school_rows)  # (found with the places: not looked up again)
        if school_counties is not None:
            remember("county", (schools,), school_counties)
        s_block, recognition = recognition_items(places, dataset.survey, profiles)
        blocks = ItemBlock.concat([guarantee_items(places, schools, counties, profiles, classes=dataset.classes),
                                   quality_items(places, schools, counties, scores, profiles),
                                   s_block, veto_items(places, counties), local_items(places, counties, profiles)])
    items = pd.concat([r_item, blocks.rows], ignore_index=True)
    # each item row's county-year as a row of ``places`` (indexed 0 … n − 1), as the blocks were built: the
    # text keys are not looked up again (None: looked up)
    at = None if blocks.row_places is None or len(blocks.row_places) != len(blocks.rows) \
        else np.concatenate([np.arange(len(places)), blocks.row_places]).astype(np.int64)
    order = {d: i for i, d in enumerate((*DIMENSIONS, "veto"))}
    item_codes, item_names = pd.factorize(items["item"], use_na_sentinel=False)  # each item's number read once
    numbers = pd.Series(np.asarray(item_names, dtype=object)).str.extract(r"(\d+)$")[0].astype(float).to_numpy()
    items, at = _in_item_order(items, places, item_codes, item_names, numbers, order, at)
    school_failures = blocks.school_failures
    verdicts = _verdicts(items, places, profiles, at)
    if dataset.synthetic:
        verdicts["data"] = SYNTHETIC_LABEL
    shortfalls = _shortfalls(items, ra, school_failures, blocks.parts, places)
    return Assessment(items=items, verdicts=verdicts, shortfalls=shortfalls, resources=ra,
                      recognition=recognition, school_failures=school_failures, profiles=profiles, dataset=dataset,
                      parts=blocks.parts, notes=notes)


def _assessed_places(schools: pd.DataFrame) -> tuple:
    """The county-years of the school table, sorted, with each school's among them (:func:`.split.place_sort_codes`).

    Parameters
    ----------
    schools : DataFrame
        The school table (``city``, ``county``, ``year``).

    Returns
    -------
    places : DataFrame
        ``schools[PLACE].drop_duplicates().sort_values(PLACE)``, indexed 0 … n − 1, ``year`` as int.
    school_rows : ndarray of int64
        Each school's row of ``places``; −1 where a key cell is missing (what
        :func:`~quality_balance.stats._groups.rows_in` gives).
    school_counties : tuple or None
        What :func:`~quality_balance.method.items._base.county_codes` gives for ``schools`` (codes and
        pairs in order of first appearance); None when a key cell is missing (then computed when asked).
    place_codes : tuple of ndarray
        :func:`.split.place_sort_codes` of ``schools`` (the codes, each place's first row), for the resource
        assessment.
    """
    codes, first = place_codes = place_sort_codes(schools)  # as the resource assessment finds them
    places = schools[PLACE].take(first).reset_index(drop=True)
    places["year"] = places["year"].astype(int)
    missing = schools[PLACE].isna().any(axis=1).to_numpy()
    if missing.any():
        school_rows = codes.copy()
        school_rows[missing] = -1
        return places, school_rows, None, place_codes
    # the counties in order of first appearance are those of the county-years in theirs
    appearance = np.argsort(first, kind="stable")
    # (by integer codes, :func:`~quality_balance.stats._groups.key_codes`: no tuple per county-year)
    county_codes_seen, pairs = key_codes(places.take(appearance), COUNTY)
    county_of_place = np.empty(len(places), dtype=np.int64)
    county_of_place[appearance] = county_codes_seen
    return places, codes, (county_of_place[codes], pairs), place_codes


def _in_item_order(items: pd.DataFrame, places: pd.DataFrame, item_codes: np.ndarray, item_names,
                   numbers: np.ndarray, order: dict, at: np.ndarray | None = None) -> tuple:
    """The items sorted by city, county, year, dimension (``order``), item number, item id (stable; missing last).

    ``places`` (sorted on city, county, year, unique) gives each row's place rank by integer codes (``at``, each
    row's position in ``places``, when the caller knows it), the item ids are ranked once each, and one
    ``np.lexsort`` orders the rows: the order ``sort_values`` on the six keys gives.

    Returns the sorted items and each sorted row's position in ``places`` (None when a row is outside them).
    """
    if at is None:
        at = rows_in(items, places, PLACE)
    if not len(items) or (at < 0).any():  # a row outside the places: sorted on the keys themselves
        keyed = items.assign(_d=items["dimension"].map(order), _n=numbers[item_codes] if len(items) else np.nan)
        return (keyed.sort_values(PLACE + ["_d", "_n", "item"], kind="stable")
                .drop(columns=["_d", "_n"]).reset_index(drop=True)), None
    names = list(item_names)
    known = [i for i, name in enumerate(names) if isinstance(name, str)]
    rank = np.full(len(names), len(names), dtype=np.int64)  # a missing id after every id
    rank[[known[i] for i in np.argsort(np.array([names[i] for i in known], dtype=object), kind="stable")]] = \
        np.arange(len(known))
    dim_codes, dim_names = pd.factorize(items["dimension"])  # each dimension looked up once (−1: missing)
    dimension = np.append(pd.Series(np.asarray(dim_names, dtype=object)).map(order).to_numpy(
        dtype=float, na_value=np.nan), np.nan)[dim_codes]
    number = numbers[item_codes]
    keys = [rank[item_codes], np.where(np.isnan(number), np.inf, number),
            np.where(np.isnan(dimension), np.inf, dimension), at]
    sorted_rows = np.lexsort(keys)
    return items.take(sorted_rows).reset_index(drop=True), at[sorted_rows]


def _with_classes(dataset: Dataset, profile) -> Dataset:
    """The data set with each listed school-year's class figures derived from the class table
    (:func:`quality_balance.method.classes.with_class_figures`; the 56+ limit from each county's profile)."""
    from .classes import with_class_figures
    from .items._base import param

    schools = dataset.schools
    counties = schools[["city", "county"]].drop_duplicates()
    profiles = profiles_by_county(counties, profile)
    large_from = param(schools, profiles, "guarantee.G5.large_class_from").astype(float)
    return dataset.replace(schools=with_class_figures(schools, dataset.classes, large_from))


def _consistency_notes(dataset: Dataset, schools: pd.DataFrame, school_rows: np.ndarray) -> tuple[str, ...]:
    """The data set's notes, plus what the cross-table check says of the tables assessed (once each).

    ``school_rows`` is each school's county-year (:func:`_assessed_places`, −1 where a key cell is missing).
    Without scores the check reads only the school table's county-years, so it is handed the first school of
    each (what its ``drop_duplicates`` keeps, in the same order) rather than every school.
    """
    from ..inputs.consistency import cross_table_problems

    scores = dataset.scores
    if (scores is None or not len(scores)) and len(school_rows) and (school_rows >= 0).all():
        schools = schools[PLACE].iloc[np.flatnonzero(~pd.Series(school_rows).duplicated().to_numpy())]
    frames = {"schools": schools, "counties": dataset.counties, "survey": dataset.survey, "scores": scores}
    found = [f"{p.file}：{p.message}" for p in cross_table_problems({k: v for k, v in frames.items() if v is not None})]
    notes = list(dataset.notes)
    return tuple(notes + [n for n in found if not any(n.split("：", 1)[1] in old for old in notes)])
