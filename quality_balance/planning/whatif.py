"""What-if: add teachers, floor area, equipment or rooms to schools, then assess again.

Method: docs/method.md §14.4.

:func:`apply_additions` takes a table of additions — one row per school, year,
indicator and stage, ``amount`` in the resource's own unit (teachers, m², 元,
rooms) — and returns a *new* :class:`~quality_balance.inputs.dataset.Dataset` whose
school table carries the increased numerators. Pass it to
:func:`quality_balance.assess` to see the result.

Which column of the school table an addition changes (docs/method.md §4.2; columns in ``schema.py``):

* R1–R3 teachers are per stage: ``teachers_above_degree_<stage>``,
  ``backbone_teachers_<stage>``, ``pe_art_teachers_<stage>``;
* R4–R7 facilities go to the per-stage column (``teaching_area_m2_junior``...)
  when the school reports that stage's figure, else to the whole-school column
  (``teaching_area_m2``...). A whole-school addition is shared by the school's
  stages in proportion to weighted students, exactly like the existing figure,
  so its amount is the *whole-school* amount (what the school builds or buys).

The addition tables of :func:`quality_balance.gap_to_pass` are accepted as they
are (``GapResult.units``, ``GapResult.cv``, ``GapResult.additions``, or the
``GapResult`` itself, which means its combined ``.additions`` plan).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.dataset import Dataset
from ..errors import CalculationError
from ..schema import COUNTY_KEY, INDICATORS, STAGES
from ..method.split import FACILITIES, TEACHER_COLUMNS

__all__ = ["apply_additions", "addition_targets"]

#: columns an additions table must have (``stage`` may be blank for whole-school facility rows)
REQUIRED = ("school_id", "year", "indicator", "amount")


def _key_text(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Row keys as text, so that 2025 and "2025" or 2141000123 and "2141000123" match."""
    parts = [frame[c].astype(str).str.strip() for c in columns]
    key = parts[0]
    for part in parts[1:]:
        key = key + "\x1f" + part
    return key


def _as_table(additions) -> pd.DataFrame:
    if hasattr(additions, "additions") and not isinstance(additions, pd.DataFrame):
        additions = additions.additions  # a GapResult: its combined plan
    if not isinstance(additions, pd.DataFrame):
        raise CalculationError(f"additions: expected a DataFrame with columns {list(REQUIRED)} + stage "
                               f"(or a GapResult), received {type(additions).__name__}")
    missing = [c for c in REQUIRED if c not in additions.columns]
    if missing:
        raise CalculationError(f"additions: expected the columns {list(REQUIRED)} and stage, missing {missing}; "
                               f"received {list(additions.columns)}")
    table = additions.reset_index(drop=True).copy()
    if "stage" not in table:
        table["stage"] = None
    unknown = ~table["indicator"].isin(INDICATORS)
    if unknown.any():
        raise CalculationError(f"additions: 'indicator' must be one of {', '.join(INDICATORS)}, received "
                               f"{table.loc[unknown, 'indicator'].unique()[:5].tolist()} (rows {_rows(unknown)})")
    amount = pd.to_numeric(table["amount"], errors="coerce")
    bad = amount.isna() | ~np.isfinite(amount.fillna(0))
    if bad.any():
        raise CalculationError(f"additions: 'amount' must be a number (teachers, m², 元 or rooms), received "
                               f"{table.loc[bad, 'amount'].tolist()[:5]} (rows {_rows(bad)})")
    table["amount"] = amount.astype(float)
    return table


def _rows(mask: pd.Series) -> str:
    rows = np.flatnonzero(mask.to_numpy())[:5] + 1
    return ", ".join(map(str, rows)) + ("…" if mask.sum() > 5 else "")


def addition_targets(schools: pd.DataFrame, additions: pd.DataFrame) -> pd.DataFrame:
    """Locate each addition in the school table: its row position and the column it changes.

    Parameters
    ----------
    schools : DataFrame
        Canonical school-year table.
    additions : DataFrame
        ``school_id``, ``year``, ``indicator`` (``R1``…``R7``), ``stage``
        (``primary``/``junior``; may be blank for a whole-school facility), and
        ``city``/``county`` when present (used to match schools that share an id
        across counties).

    Returns
    -------
    DataFrame
        ``additions`` with ``row`` (position in ``schools``) and ``column`` (the
        school-table column: per-stage teacher column, per-stage facility column
        where the school reports it, else the whole-school facility column).

    Raises
    ------
    CalculationError
        When a (school, year) is not in the school table, or a teacher row lacks
        a stage.
    """
    on = [c for c in COUNTY_KEY if c in additions.columns and c in schools.columns] + ["school_id", "year"]
    position = pd.Series(np.arange(len(schools)), index=_key_text(schools, on).to_numpy())
    position = position[~position.index.duplicated()]
    # the keys as text once per distinct school-year (a gap's 7 indicators × stages share one), not per row
    key_code = additions.groupby(on, sort=False, dropna=False).ngroup().to_numpy()
    distinct, first = np.unique(key_code, return_index=True)
    row = position.reindex(_key_text(additions.iloc[first], on).to_numpy()).to_numpy()
    row = row[np.searchsorted(distinct, key_code)] if len(key_code) else row
    unmatched = np.isnan(row)
    if unmatched.any():
        shown = additions.loc[unmatched, on].drop_duplicates().head(5).to_dict("records")
        raise CalculationError(f"additions: {int(unmatched.sum())} rows name a school and year not in the "
                               f"school table (expected a school_id/year of dataset.schools), e.g. {shown}")
    out = additions.copy()
    out["row"] = row.astype(int)
    stage = out["stage"].where(out["stage"].isin(STAGES))
    teacher = out["indicator"].isin(list(TEACHER_COLUMNS))
    no_stage = teacher & stage.isna()
    if no_stage.any():
        received = out.loc[no_stage, "stage"].unique()[:5].tolist()
        raise CalculationError(f"additions: teacher indicators (R1–R3) are per stage; 'stage' must be "
                               f"{' or '.join(STAGES)}, received {received} (rows {_rows(no_stage)})")
    # one column name per distinct (indicator, stage): every row of a pair shares the same string object
    column = np.full(len(out), None, dtype=object)
    pair = out.groupby([out["indicator"], stage], sort=False, dropna=False).ngroup().to_numpy()
    is_teacher = teacher.to_numpy()
    rows_of = out["row"].to_numpy()
    for code in np.unique(pair):
        hit = np.flatnonzero(pair == code)
        indicator, at_stage = out["indicator"].iat[hit[0]], stage.iat[hit[0]]
        if is_teacher[hit[0]]:
            column[hit] = TEACHER_COLUMNS[indicator] + "_" + at_stage
            continue
        whole = FACILITIES.get(indicator, np.nan)
        if not isinstance(whole, str):  # not an indicator: no column (as the mapping gave before)
            column[hit] = np.nan
            continue
        per_stage = whole + "_" + (at_stage if isinstance(at_stage, str) else "")
        if per_stage in schools.columns:
            reported = schools[per_stage].notna().to_numpy()[rows_of[hit]]
            column[hit] = np.where(reported, per_stage, whole)
        else:
            column[hit] = whole
    out["column"] = column
    return out


def apply_additions(dataset: Dataset, additions) -> Dataset:
    """A new dataset whose schools have the given additions; the input is not changed.

    Parameters
    ----------
    dataset : Dataset
        The data that was assessed.
    additions : DataFrame or GapResult
        One row per addition: ``school_id``, ``year``, ``indicator`` (``R1``…``R7``),
        ``stage`` (``primary``/``junior``), ``amount`` in the resource's unit — teachers
        (人) for R1–R3, m² for R4/R5, 元 for R6, rooms (间) for R7. For a facility the
        school reports for the whole school, ``amount`` is the whole-school amount
        (what the school adds; its stages share it as they share the rest).
        ``city``/``county`` columns, when present, are used in matching. Rows that
        change the same column of the same school-year are **added up**; a
        ``GapResult`` passed as is means its ``.additions`` plan, in which a shared
        facility that two stages need appears once. Negative amounts (a what-if of
        losing resources) are allowed as long as no figure falls below 0.

    Returns
    -------
    Dataset
        A copy with ``schools`` changed and a note saying how many additions were
        applied; ``assess`` it again to see the effect.

    Examples
    --------
    >>> import quality_balance as qb
    >>> data = qb.demo.generate(years=[2025])
    >>> gap = qb.gap_to_pass(qb.assess(data), county="台前县", year=2025)
    >>> after = qb.apply_additions(data, gap)
    >>> len(after.schools) == len(data.schools) and not after.schools.equals(data.schools)
    True
    """
    table = _as_table(additions)
    schools = dataset.schools
    located = addition_targets(schools, table)
    sums = located.groupby(["column", "row"], sort=True)["amount"].sum()
    new = schools.copy()
    negative = []
    for column, block in sums.groupby(level="column", sort=True):
        rows = block.index.get_level_values("row").to_numpy()
        base = (new[column].astype(float) if column in new.columns
                else pd.Series(np.nan, index=new.index, dtype=float)).to_numpy(copy=True)
        base[rows] = np.nan_to_num(base[rows]) + block.to_numpy()
        if (base[rows] < 0).any():
            negative.append(column)
        new[column] = base
    if negative:
        raise CalculationError(f"additions: the amounts would make {negative} negative for some schools; "
                               f"a what-if may remove resources only down to 0")
    new.attrs = dict(schools.attrs)
    note = (f"假设情景：已在 {located['row'].nunique()} 所学校（学年）上增加资源 {len(located)} 项"
            f"（apply_additions），结果不是实际统计")
    return dataset.replace(schools=new, notes=tuple(dataset.notes) + (note,))
