"""Items judged from the schools when they give the figures, from the county table otherwise (G12, Q3, Q6).

Method: docs/method.md §5.3.

For each county-year the school-level check is used when at least one school in the item's scope
gives the figures and either every such school gives them or the county table has no figure;
otherwise the county table's figure is used. The reason says which: "（按学校数据）" when the schools
were used, "（按县级汇总）" when the county figure was used although some schools gave theirs; a
reason without either phrase comes from the county table, the only source there was.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import PLACE, ItemResult, place_rows

__all__ = ["by_source", "FROM_SCHOOLS", "FROM_COUNTY"]

FROM_SCHOOLS = "（按学校数据）"
FROM_COUNTY = "（按县级汇总）"


def by_source(places: pd.DataFrame, schools: pd.DataFrame, scope: pd.Series, given: pd.Series,
              from_schools: ItemResult, from_county: pd.DataFrame, county_value: pd.Series) -> ItemResult:
    """Choose, per county-year, the school-level or the county-level result of an item.

    Parameters
    ----------
    places : DataFrame
        The county-years (``city``, ``county``, ``year``).
    schools : DataFrame
        The school table.
    scope, given : Series of bool
        Over ``schools``: the schools the item covers, and those that give its figures.
    from_schools : ItemResult
        The item judged school by school (:func:`~quality_balance.method.items._base.school_check`).
    from_county : DataFrame
        The item's check frame from the county table, aligned with ``places``.
    county_value : Series
        The county table's figure, aligned with ``places`` (missing: the county gives none).

    Returns
    -------
    ItemResult
        Row by row the chosen check, its text ending with the source phrase (module docstring);
        the failing schools of the county-years judged by school only.
    """
    # per county-year (integer codes: a school's row of ``places``), the schools in scope giving / lacking the figures
    at = place_rows(schools, places)
    inside = _flags(scope, schools, False) & (at >= 0)
    has = _flags(given, schools, False)
    n_given = np.bincount(at[inside & has], minlength=len(places))
    n_lacking = np.bincount(at[inside & ~has], minlength=len(places))
    no_county = county_value.isna().to_numpy()
    use = (n_given > 0) & ((n_lacking == 0) | no_county)
    partial = (n_given > 0) & ~use
    s, c = from_schools.check, from_county
    chosen = pd.DataFrame({col: np.where(use, s[col].astype(object).to_numpy(), c[col].astype(object).to_numpy())
                           for col in c.columns}, index=c.index)
    chosen["text"] = chosen["text"] + np.select([use, partial], [FROM_SCHOOLS, FROM_COUNTY], "")
    if not use.any():  # no county-year judged by school: the county result as it was (dtypes kept)
        c = c.copy()
        c["text"] = chosen["text"]
        return ItemResult(c, (c,))
    failures = from_schools.failures
    if failures is not None and len(failures):
        judged = pd.MultiIndex.from_frame(places.loc[use, PLACE])
        failures = failures[pd.MultiIndex.from_frame(failures[PLACE]).isin(judged)].reset_index(drop=True)
    return ItemResult(chosen, (chosen,), failures)


def _flags(series: pd.Series, schools: pd.DataFrame, fill: bool) -> np.ndarray:
    """A boolean Series over ``schools`` as an array in the schools' row order, missing read as ``fill``."""
    aligned = series if series.index.equals(schools.index) else series.reindex(schools.index)
    return aligned.fillna(fill).astype(bool).to_numpy()
