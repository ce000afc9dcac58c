"""Unit costs of resource additions: the profile's ``[costs]`` table or a user's cost table.

Method: docs/method.md §14.3.

The gap to pass (:mod:`quality_balance.planning.gap`) prices what a school must add with
one figure per indicator, in 元 per resource unit:

=====  ==============================  ===========  ===========
 id    profile key                     unit         period
=====  ==============================  ===========  ===========
 R1    ``teacher_yuan_per_year``       元/人        每年
 R2    ``backbone_teacher_yuan``       元/人        一次性
 R3    ``teacher_yuan_per_year``       元/人        每年
 R4    ``teaching_room_yuan_per_m2``   元/m²        一次性
 R5    ``sports_area_yuan_per_m2``     元/m²        一次性
 R6    ``equipment_yuan_per_yuan``     元/元        一次性
 R7    ``multimedia_room_yuan``        元/间        一次性
=====  ==============================  ===========  ===========

The national profile carries rough planning defaults, with the basis of each
figure written beside it in ``profiles/national.toml``. Users replace them in a
local profile (``parent = "national"`` and a ``[costs]`` table) or with a cost
table passed as ``costs=``: a DataFrame, a mapping ``{"R4": 3200.0, ...}`` or a
CSV/Excel file with the columns ``indicator`` (指标) and ``unit_cost_yuan``
(单位成本(元)), optionally ``city`` (市) and ``county`` (县区) to price one
county differently. A cost table overrides the profile only for the rows it has.
"""
from __future__ import annotations

from collections.abc import Mapping
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ProfileError
from ..inputs.readers import ENCODINGS, normalise_header
from ..schema import INDICATORS

__all__ = ["COST_KEYS", "COST_PERIODS", "cost_table", "read_costs"]

#: indicator → key of the profile's [costs] table (元 per resource unit)
COST_KEYS = {"R1": "teacher_yuan_per_year", "R2": "backbone_teacher_yuan", "R3": "teacher_yuan_per_year",
             "R4": "teaching_room_yuan_per_m2", "R5": "sports_area_yuan_per_m2",
             "R6": "equipment_yuan_per_yuan", "R7": "multimedia_room_yuan"}
#: indicator → whether its cost recurs every year (teachers' pay) or is paid once
COST_PERIODS = {"R1": "每年", "R2": "一次性", "R3": "每年", "R4": "一次性", "R5": "一次性", "R6": "一次性",
                "R7": "一次性"}
_HEADERS = {"indicator": ("indicator", "指标"), "unit_cost_yuan": ("unit_cost_yuan", "单位成本", "单位成本(元)"),
            "city": ("city", "市"), "county": ("county", "县区")}


def _canonical_headers(frame: pd.DataFrame) -> pd.DataFrame:
    lookup = {normalise_header(alias): name for name, aliases in _HEADERS.items() for alias in aliases}
    return frame.rename(columns={c: lookup.get(normalise_header(c), c) for c in frame.columns})


def read_costs(path: str | Path) -> pd.DataFrame:
    """Read a user's cost table from a CSV (UTF-8 or GBK/GB18030) or Excel file.

    Returns the table with canonical column names (``indicator``, ``unit_cost_yuan``,
    optional ``city``/``county``); values are checked by :func:`cost_table`.
    """
    path = Path(path)
    if not path.exists():
        raise InputError([Problem(str(path), "cost table file does not exist",
                                  fix="pass the path of a .csv or .xlsx file with columns 指标, 单位成本(元)")])
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        frame = pd.read_excel(path, dtype=str)
    else:
        data = path.read_bytes()
        for encoding in ENCODINGS:
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InputError([Problem(str(path), f"cannot be decoded as any of {', '.join(ENCODINGS)}",
                                      fix="save the file as CSV UTF-8 from Excel")])
        frame = pd.read_csv(StringIO(text), dtype=str, skipinitialspace=True)
    frame = _canonical_headers(frame)
    frame.attrs["source"] = str(path)
    return frame


def _override_table(costs, source: str) -> pd.DataFrame:
    if isinstance(costs, Mapping):
        costs = pd.DataFrame({"indicator": list(costs), "unit_cost_yuan": list(costs.values())})
    elif isinstance(costs, (str, Path)):
        costs = read_costs(costs)
        source = costs.attrs["source"]
    elif not isinstance(costs, pd.DataFrame):
        raise InputError([Problem("costs", f"expected a DataFrame, a mapping or a file path, received "
                                           f"{type(costs).__name__}")])
    table = _canonical_headers(costs).copy()
    problems = [Problem(source, f"missing column {name!r} ({aliases[1]})", column=name)
                for name, aliases in _HEADERS.items() if name in ("indicator", "unit_cost_yuan")
                and name not in table.columns]
    if problems:
        raise InputError(problems)
    table["indicator"] = table["indicator"].astype(str).str.strip().str.upper()
    amount = pd.to_numeric(table["unit_cost_yuan"], errors="coerce")
    for i in np.flatnonzero(~table["indicator"].isin(INDICATORS).to_numpy()):
        problems.append(Problem(source, "unknown indicator", row=i + 2, column="indicator",
                                value=table["indicator"].iloc[i], expected=", ".join(INDICATORS)))
    for i in np.flatnonzero((amount.isna() | (amount < 0)).to_numpy()):
        problems.append(Problem(source, "unit cost must be a non-negative number of 元", row=i + 2,
                                column="unit_cost_yuan", value=table["unit_cost_yuan"].iloc[i]))
    if problems:
        raise InputError(problems)
    table["unit_cost_yuan"] = amount.astype(float)
    for col in ("city", "county"):
        if col not in table:
            table[col] = None
    return table[["city", "county", "indicator", "unit_cost_yuan"]]


def cost_table(profiles: Mapping, costs=None) -> pd.DataFrame:
    """Unit costs per county and indicator.

    Parameters
    ----------
    profiles : mapping
        (city, county) → :class:`~quality_balance.standards.profile.Profile`, as in
        ``Assessment.profiles``.
    costs : DataFrame, mapping, path or None
        A user cost table overriding the profiles (see the module docstring).

    Returns
    -------
    DataFrame
        One row per city, county and indicator: ``unit_cost_yuan`` (元 per
        resource unit; NaN when neither the profile nor the table has a figure),
        ``cost_period`` (每年/一次性) and ``cost_source`` (the profile's name, or
        the cost table).
    """
    rows = []
    for (city, county), prof in profiles.items():
        try:
            table = prof.get("costs")
        except ProfileError:
            table = {}
        for ind in INDICATORS:
            value = table.get(COST_KEYS[ind])
            rows.append((city, county, ind, float(value) if value is not None else np.nan,
                         f"标准文件 {prof.name}" if value is not None else ""))
    out = pd.DataFrame(rows, columns=["city", "county", "indicator", "unit_cost_yuan", "cost_source"])
    if costs is not None:
        over = _override_table(costs, "costs")
        source = "成本表" + (f" {costs}" if isinstance(costs, (str, Path)) else "")
        general = over[over["county"].isna()].drop_duplicates("indicator", keep="last").set_index("indicator")
        specific = over[over["county"].notna()]
        hit = out["indicator"].isin(general.index)
        out.loc[hit, "unit_cost_yuan"] = out.loc[hit, "indicator"].map(general["unit_cost_yuan"])
        out.loc[hit, "cost_source"] = source
        if len(specific):
            match = out.reset_index().merge(specific, on=["county", "indicator"], suffixes=("", "_new"))
            match = match[match["city_new"].isna() | (match["city_new"] == match["city"])]
            out.loc[match["index"], "unit_cost_yuan"] = match["unit_cost_yuan_new"].to_numpy()
            out.loc[match["index"], "cost_source"] = source
    out["cost_period"] = out["indicator"].map(COST_PERIODS)
    return out
