"""Building blocks of the item assessments: checks, their combination, the items table.

Method: docs/method.md §2.2 (combining checks), §3 (comparisons).

An item is computed for every county-year at once. Each item is made of one or
more *checks*; a check is a frame aligned with the county-years (``places``)
holding ``status`` (``met``/``not_met``/``no_data``/``not_applicable``), ``value``,
``threshold`` and ``text`` (Chinese, what was compared). An item's status:

* ``not_met`` when any check is not met (a known failure is never hidden by
  missing data elsewhere);
* else ``no_data`` when any check has no data;
* else ``not_applicable`` when every check is not applicable;
* else ``met``.

An item's result is an :class:`ItemResult`: the combined check, the part checks behind it
(the parts table) and, for a school-level item, the failing schools — explicit fields,
no ``DataFrame.attrs``. Every comparison is :func:`quality_balance.method.rules.compare`
and every number in a reason text :func:`quality_balance.method.rules.number_text`.
"""
from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from ...inputs.runs import factorize_text
from ...schema import COUNTY_KEY as COUNTY, PLACE_KEY as PLACE
from ...standards.profile import Profile
from ..rules import FAILED_SIGNS, OP_SIGNS, compare, limit_text, numbers_text
from ..texts import filled, join_rows
from ...stats._groups import key_codes, rows_in

ITEM_COLUMNS = PLACE + ["dimension", "item", "label", "status", "value", "threshold", "reason", "counts"]
STATUS_ORDER = ("not_met", "no_data", "not_applicable", "met")


#: Within :func:`shared_keys`: (what, id of each frame) → (the frames, the codes computed for them).
_SHARED: ContextVar["dict | None"] = ContextVar("quality_balance_shared_keys", default=None)


@contextmanager
def shared_keys() -> Iterator[None]:
    """Within this block, the key codes of a frame (:func:`county_codes`, :func:`place_rows`) are computed once.

    The items of one assessment ask for the same codes of the same school table dozens of times (every
    profile setting per school, every school-level item); inside the block the first answer is kept,
    with the frames it was computed for (so that no other frame can take their ``id``), and given again
    for the same frame objects. The frames must not have their key columns changed inside the block.
    A nested block shares the outer one's codes; on leaving the outermost block they are dropped.

    Yields
    ------
    None
    """
    if _SHARED.get() is not None:
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def memo(what: str, frames: tuple, compute: Callable):
    """``compute()``, once per ``what`` and frame objects inside :func:`shared_keys` (every time outside it).

    Parameters
    ----------
    what : str
        What is computed (a name unique to the caller).
    frames : tuple of DataFrame or None
        The frames it is computed from; the answer is given again for the same objects only.
    compute : callable
        Computes the answer; the callers must not change it.

    Returns
    -------
    object
        What ``compute`` returned (the first time inside the block).
    """
    cache = _SHARED.get()
    if cache is None:
        return compute()
    key = (what, *map(id, frames))
    hit = cache.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], frames)):
        return hit[1]
    value = compute()
    cache[key] = (frames, value)
    return value


def remember(what: str, frames: tuple, value) -> None:
    """Inside :func:`shared_keys`, keep ``value`` as what :func:`memo` computes for ``what`` and ``frames``.

    For codes the caller already has (the assessment finds its county-years and each school's among them in
    one pass): the same answer :func:`memo`'s ``compute`` would give, which is then not computed. Outside the
    block nothing is kept.

    Parameters
    ----------
    what : str
        The name :func:`memo` is called with (``"county"``, ``"place"``).
    frames : tuple of DataFrame
        The frames it is for.
    value : object
        The answer; the callers must not change it.
    """
    cache = _SHARED.get()
    if cache is not None:
        cache[(what, *map(id, frames))] = (frames, value)


def county_codes(frame: pd.DataFrame) -> tuple[np.ndarray, list[tuple]]:
    """Each row's (city, county) as a code and the distinct pairs: :func:`~quality_balance.stats._groups.key_codes`.

    Parameters
    ----------
    frame : DataFrame
        Holds ``city`` and ``county``.

    Returns
    -------
    codes : ndarray of int64
        Per row, ``0 … len(pairs) − 1``.
    pairs : list of tuple
        The distinct (city, county) pairs in order of first appearance. Computed once per frame
        inside :func:`shared_keys`; do not change either.
    """
    return memo("county", (frame,), lambda: key_codes(frame, COUNTY))


def place_rows(frame: pd.DataFrame, places: pd.DataFrame) -> np.ndarray:
    """Each row's county-year as a row of ``places``: :func:`~quality_balance.stats._groups.rows_in` on the place key.

    Parameters
    ----------
    frame : DataFrame
        Holds ``city``, ``county`` and ``year``.
    places : DataFrame
        The county-years, unique on them.

    Returns
    -------
    ndarray of int64
        A position in ``places`` per row of ``frame``, −1 where none. Computed once per pair of
        frames inside :func:`shared_keys`; do not change it.
    """
    return memo("place", (frame, places), lambda: rows_in(frame, places, PLACE))


def is_one_of(frame: pd.DataFrame, name: str, values: tuple) -> pd.Series:
    """``frame[name].isin(values)``, from the column's distinct texts coded once per frame inside :func:`shared_keys`.

    The school-level items ask the school type (and location) of every school a dozen times; the column is
    factorised once and each question answered on the few distinct texts, then by code.

    Parameters
    ----------
    frame : DataFrame
        Holds ``name``; the column must not change inside the block.
    name : str
        A text column (``school_type``, ``location``).
    values : tuple of str
        The texts asked for.

    Returns
    -------
    Series of bool
        Aligned with ``frame``; False where the cell is missing.
    """
    codes, distinct = memo("text:" + name, (frame,), lambda: factorize_text(frame[name]))  # (coded by runs)
    wanted = np.append(pd.Index(distinct).isin(values), False)  # (code −1, missing: never one of them)
    return pd.Series(wanted[codes], index=frame.index)


def joined_by_code(codes: np.ndarray, texts: np.ndarray, n_groups: int, sep: str, *,
                   first: int | None = None) -> np.ndarray:
    """The texts of each group joined with ``sep`` in row order, "" for a group without rows.

    Parameters
    ----------
    codes : ndarray of int
        Each row's group, ``0 … n_groups − 1``; a negative code belongs to no group.
    texts : ndarray of str
        One text per row.
    n_groups : int
        Number of groups.
    sep : str
        The separator.
    first : int, optional, keyword-only
        Join only the first ``first`` rows of each group (default ``None``: all).

    Returns
    -------
    ndarray of object (str), length ``n_groups``
        What ``groupby(...).head(first)`` then ``agg(sep.join)`` gives, by group code.
    """
    out = filled(n_groups, "")
    codes = np.asarray(codes, dtype=np.int64)
    if not len(codes):
        return out
    order = np.argsort(codes, kind="stable")  # rows by group, in their order within it
    ordered = codes[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(order)]
    if first is not None:
        ends = np.minimum(ends, starts + first)
    keep = ordered[starts] >= 0
    # the texts once as a list in group order, each group a slice of it (no array indexed per group)
    ordered_texts = texts[order].tolist()
    out[ordered[starts[keep]]] = [sep.join(ordered_texts[start:end])
                                  for start, end in zip(starts[keep].tolist(), ends[keep].tolist())]
    return out


def concat_texts(*pieces) -> np.ndarray:
    """The pieces joined row by row, missing where any piece is: what ``+`` on pandas text Series gives, on arrays.

    Parameters
    ----------
    *pieces : str, or Series or ndarray of str (missing: None or NaN)
        Texts, a scalar for every row or one per row (all of one length).

    Returns
    -------
    ndarray of object
        One text per row, NaN where a piece of that row is missing.

    >>> concat_texts(pd.Series(["甲", None]), "（", np.array(["小学", "初中"], dtype=object), "）").tolist()
    ['甲（小学）', nan]
    """
    arrays = [p.to_numpy(dtype=object) if isinstance(p, pd.Series) else p for p in pieces]
    rows = [a for a in arrays if isinstance(a, np.ndarray)]
    missing = np.zeros(len(rows[0]) if rows else 1, dtype=bool)
    for a in rows:
        missing |= pd.isna(a)
    arrays = [np.where(missing, "", a).astype(object) if isinstance(a, np.ndarray) and missing.any() else a
              for a in arrays]
    out = join_rows(*arrays)
    out[missing] = np.nan
    return out


def param(places: pd.DataFrame, profiles: dict[tuple[str, str], Profile], dotted: str) -> pd.Series:
    """A profile setting for each row of ``places`` (each county's own profile)."""
    read: dict[int, object] = {}  # each distinct profile object read once (many counties share one)

    def setting(prof):
        if prof is None:
            return None
        key = id(prof)
        if key not in read:
            read[key] = prof.get(dotted)
        return read[key]
    # each distinct county looked up once (:func:`key_codes`: no tuple per row); the Series is built from
    # the same list of values as before, so its dtype is inferred the same way
    codes, pairs = county_codes(places)
    found = pd.Series([setting(profiles.get(k)) for k in pairs], dtype=None if len(pairs) else object)
    return pd.Series(found.to_numpy()[codes], index=places.index, dtype=found.dtype)


def param_text(places: pd.DataFrame, profiles: dict[tuple[str, str], Profile], dotted: str,
               fn: Callable) -> pd.Series:
    """``param(places, profiles, dotted).map(fn)`` with ``fn`` called once per distinct county.

    Parameters
    ----------
    places : DataFrame
        Rows with ``city`` and ``county``.
    profiles : dict
        (city, county) → Profile.
    dotted : str
        The profile setting (:meth:`Profile.get`).
    fn : callable
        Writes one setting value as text (``limit_text``, ``"{:g}".format``).

    Returns
    -------
    Series of str
        Aligned with ``places``.
    """
    values = param(places, profiles, dotted)
    codes, pairs = county_codes(places)
    if not len(codes):
        return values.map(fn)
    first = np.zeros(len(pairs), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # each county's first row
    written: dict = {}  # each distinct value written once (keyed with its type: 1 and 1.0 may read apart)
    texts = np.array([written[(type(v), v)] if (type(v), v) in written else written.setdefault((type(v), v), fn(v))
                      for v in values.to_numpy()[first].tolist()], dtype=object)
    return pd.Series(texts[codes], index=values.index)


def county_values(places: pd.DataFrame, counties: pd.DataFrame | None) -> pd.DataFrame:
    """The county table aligned row by row with ``places`` (all-missing when absent)."""
    if counties is None or counties.empty:
        return places[PLACE].copy()

    def merged() -> pd.DataFrame:
        out = places[PLACE].merge(counties.drop_duplicates(PLACE), on=PLACE, how="left")
        out.index = places.index
        return out
    # merged once per assessment (:func:`shared_keys`); each caller gets its own copy
    return memo("county_values", (places, counties), merged).copy()


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """``frame[name]``, or an all-missing Series when the column is absent."""
    return frame[name] if name in frame else pd.Series(np.nan, index=frame.index, dtype=object)


def fmt_number(series: pd.Series, unit: str = "", decimals: int = 1, *, limit=None) -> pd.Series:
    """Numbers for reason texts, "—" where missing.

    ``decimals`` places; with ``limit`` (a scalar or a Series aligned with ``series``: the
    threshold each value is compared with) as many more as a value needs never to read as
    equal to a threshold it differs from (:func:`quality_balance.method.rules.number_text`).

    >>> fmt_number(pd.Series([9.99, 12.0]), "%", limit=10.0).tolist()
    ['9.99%', '12.0%']
    """
    return numbers_text(series, limit, decimals=decimals, unit=unit)


def fmt_limit(series: pd.Series, unit: str = "") -> pd.Series:
    """Thresholds for reason texts in their shortest exact form (10%, 6,000元, 0.15); "—" where missing.

    >>> fmt_limit(pd.Series([10.0, 6000.0]), "元").tolist()
    ['10元', '6,000元']
    """
    return _per_distinct(series, lambda t: limit_text(t, unit))


def fmt_bool(series: pd.Series) -> pd.Series:
    return _per_distinct(series, lambda v: "—" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                         else ("是" if bool(v) else "否"))


#: "Every school": the number of failing schools a school-level item allows (G3–G6, Q4).
NO_FAILING_SCHOOLS = 0.0


def check(status, value, threshold, text, index, op: str = "", part: str = "", limit=None,
          unit: str = "") -> pd.DataFrame:
    """A check frame; every argument is a scalar or a Series aligned with ``index``.

    ``op`` (``>=``, ``<=``, ``<``, ``==`` for yes/no, ``rating``) and ``part`` (what
    was compared) describe the check for the parts table; ``limit`` is its numeric
    threshold when ``threshold`` is a text for people (defaults to ``threshold``); ``unit``
    is the unit of value and limit.
    """
    return pd.DataFrame({"status": status, "value": value, "threshold": threshold, "text": text, "op": op,
                         "part": part, "limit": threshold if limit is None else limit, "unit": unit}, index=index)


def numeric_check(values: pd.Series, threshold: pd.Series, op: str, label: str, unit: str = "",
                  decimals: int = 1) -> pd.DataFrame:
    """``value op threshold`` with op one of ``>=``, ``<=``, ``<``, ``>``; missing value → ``no_data``.

    The comparison is :func:`quality_balance.method.rules.compare` (a value within the
    tolerance of the threshold is equal to it: ≥/≤ pass, </> fail). The text states how the
    value relates to the threshold ("交流轮岗比例 9.99% < 10%"), the value with the digits it
    needs not to read as the threshold.
    """
    v, t = _as_floats(values), _as_floats(threshold)
    t = t if t.index.equals(v.index) else t.reindex(v.index)
    # the verdict and the text on the arrays (aligned row by row: no index is matched at each step)
    value, limit = v.to_numpy(), t.to_numpy()
    ok = compare(value, limit, op)
    missing = np.isnan(value)
    status = np.select([missing, ok], ["no_data", "met"], "not_met")
    numbers = fmt_number(v, unit, decimals, limit=t).to_numpy()
    compared = " " + np.where(ok, OP_SIGNS[op], FAILED_SIGNS[op]).astype(object) + " " + fmt_limit(t, unit).to_numpy()
    text = (label + " ") + numbers + np.where(missing, "（无数据）", compared)
    return check(status, v, t, pd.Series(text, index=values.index, dtype=object), values.index, op=op, part=label,
                 unit=unit)


def _as_floats(x) -> pd.Series:
    """``pd.to_numeric(x, errors="coerce").astype(float)``: a float64 Series is that already (the same values,
    index and name) and is taken as it is."""
    if isinstance(x, pd.Series) and x.dtype == np.float64:
        return x
    return pd.to_numeric(x, errors="coerce").astype(float)


def bool_check(values: pd.Series, label: str, want: bool = True) -> pd.DataFrame:
    """A yes/no input that must be ``want``; missing → ``no_data``.

    The flags are read on the arrays for pandas' nullable ``boolean`` dtype (what the readers give a yes/no
    column): a missing flag read as ``not want``, as ``fillna(not want).astype(bool)`` reads it; any other
    dtype the Series way.
    """
    if isinstance(values.dtype, pd.BooleanDtype):
        missing = values.isna().to_numpy()
        ok = values.to_numpy(dtype=bool, na_value=not want) == want
    else:
        missing = values.isna()
        ok = values.fillna(not want).astype(bool) == want
    status = np.select([missing, ok], ["no_data", "met"], "not_met")
    # ``label + "：" + texts`` joined row by row on the arrays: the same object texts
    text = pd.Series(join_rows(label + "：", fmt_bool(values).to_numpy()), index=values.index, dtype=object)
    return check(status, values.astype(object), "是" if want else "否", text, values.index, op="==", part=label)


@dataclass(frozen=True)
class ItemResult:
    """The result of one item over every county-year.

    Attributes
    ----------
    check : DataFrame
        The item's check frame (``status``, ``value``, ``threshold``, ``text``, ``op``,
        ``part``, ``limit``, ``unit``), aligned with the county-years.
    parts : tuple of DataFrame
        The part checks it combines, in order (the parts table); empty when the item is
        its own single part.
    failures : DataFrame or None
        For a school-level item (:func:`school_check`), the failing schools: ``city``,
        ``county``, ``year``, ``school_id``, ``school_name``, ``detail``, ``value``,
        ``threshold`` and ``op`` (how each school's value is compared with its threshold).
    """

    check: pd.DataFrame
    parts: tuple = field(default=())
    failures: pd.DataFrame | None = None

    @property
    def index(self) -> pd.Index:
        return self.check.index

    @property
    def part_checks(self) -> tuple:
        """The checks of the parts table: :attr:`parts`, or the item's own check."""
        return self.parts or (self.check,)


def as_result(result: "pd.DataFrame | ItemResult") -> ItemResult:
    """An :class:`ItemResult` for a plain check frame (an item of one part), or the result itself."""
    return result if isinstance(result, ItemResult) else ItemResult(result)


def combine(*checks: pd.DataFrame) -> ItemResult:
    """Combine checks of one item (module docstring); ``text`` keeps the failing parts first.

    Returns the combined check with the part checks (:attr:`ItemResult.parts`).
    """
    first = checks[0]
    if len(checks) == 1:
        return ItemResult(first, (first,))
    # the parts' statuses side by side (the checks are aligned with the same county-years)
    statuses = np.column_stack([c["status"].to_numpy(dtype=object) for c in checks])
    not_met, no_data, na = (statuses == s for s in ("not_met", "no_data", "not_applicable"))
    any_fail = not_met.any(axis=1)
    status = np.select([any_fail, no_data.any(axis=1), na.all(axis=1)], ["not_met", "no_data", "not_applicable"],
                       "met")
    bad = not_met | no_data
    # a part that does not apply to a county-year (Q9's level-Ⅲ rate without per-subject levels) is left out
    # of its texts, unless no part applies
    counted = ~na | na.all(axis=1, keepdims=True)
    show = (bad | ~bad.any(axis=1, keepdims=True)) & counted  # the failing parts, or every part when none fails
    text = pd.Series(_join_flagged([c["text"] for c in checks], show, "；").tolist(), index=first.index)
    # value/threshold: those of the first failing part (what the gap is measured on), else all parts
    failing_part = np.argmax(not_met, axis=1)
    values = np.column_stack([_as_objects(c["value"]) for c in checks])
    thresholds = np.column_stack([_as_objects(c["threshold"]) for c in checks])
    ops = np.column_stack([_as_objects(c["op"]) for c in checks])
    rows = np.arange(len(first))
    joined_v = _join_flagged([fmt_value(c["value"]) for c in checks], counted, "；")
    joined_t = _join_flagged([fmt_value(c["threshold"]) for c in checks], counted, "；")
    value = np.where(any_fail, values[rows, failing_part], joined_v)
    threshold = np.where(any_fail, thresholds[rows, failing_part], joined_t)
    op = np.where(any_fail, ops[rows, failing_part], "")
    return ItemResult(check(status, value, threshold, text, first.index, op=op), tuple(checks))


def _as_objects(column: pd.Series) -> np.ndarray:
    """``column.astype(object).to_numpy()``, without the intermediate Series for a numpy or text column.

    For those dtypes both give the same cells: a numpy column's values as Python objects (``ndarray.astype``),
    texts with NaN where missing (the text dtype's missing value). Other dtypes go the long way.
    """
    if isinstance(column.dtype, np.dtype) or column.dtype == _TEXT:
        return column.to_numpy(dtype=object)
    return column.astype(object).to_numpy()


def _join_flagged(columns: list, flags: np.ndarray, sep: str) -> np.ndarray:
    """Row by row, the texts of the columns whose flag is set, joined with ``sep`` (vectorised).

    Parameters
    ----------
    columns : list of Series or array of str
        Equal-length text columns, in order.
    flags : ndarray of bool, shape (rows, len(columns))
        Which column's text each row keeps.
    sep : str
        The separator.

    Returns
    -------
    ndarray of object (str)
        What ``sep.join`` of each row's kept texts gives ("" when none is kept).
    """
    out = filled(flags.shape[0], "")
    started = np.zeros(flags.shape[0], dtype=bool)
    for j, col in enumerate(columns):
        col = np.asarray(col, dtype=object)
        keep = flags[:, j]
        out = np.where(keep, np.where(started, out + sep + col, col), out)
        started |= keep
    return out


def fmt_value(series: pd.Series) -> pd.Series:
    return _per_distinct(series, lambda v: "—" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                         else ("是" if v is True else "否" if v is False else
                               (f"{v:g}" if isinstance(v, (float, np.floating)) else str(v))))


def _per_distinct(series: pd.Series, fn: Callable) -> pd.Series:
    """``series.map(fn)`` as object texts; a float or integer column calls ``fn`` once per distinct value.

    A column of any other dtype (object columns may mix ``True`` and ``1.0``, equal as keys but not as
    texts) is mapped element by element, as before.
    """
    if series.dtype.kind not in "fiu" and len(series):
        # texts, flags (yes/no columns, their object copies): each distinct cell written once when the cells
        # are of one kind, whose equal values read alike (True and 1.0 are never mixed in one pass)
        cells = series.to_numpy(dtype=object)
        distinct = _distinct_cells(cells)
        if distinct is None:
            return series.map(fn).astype(object)
        codes, representatives = distinct
        texts = np.array([fn(u) for u in representatives], dtype=object)
        return pd.Series(texts[codes], index=series.index, dtype=object)
    if not len(series) or (series.dtype.kind == "f" and np.signbit(series.to_numpy()[series.to_numpy() == 0]).any()):
        return series.map(fn).astype(object)  # (−0.0 equals 0.0 as a key but reads "-0")
    if isinstance(series.dtype, np.dtype):
        # the numpy values factorised as the Series would be (the same hash table), each distinct value given to
        # ``fn`` as the Python number that iterating the Series' uniques (an Index) gives: ``tolist``'s
        codes, uniques = pd.factorize(series.to_numpy(), use_na_sentinel=False)
        texts = np.array([fn(u) for u in uniques.tolist()], dtype=object)
    else:  # (a nullable number dtype: its own factorisation)
        codes, uniques = pd.factorize(series, use_na_sentinel=False)
        texts = np.array([fn(u) for u in uniques], dtype=object)
    return pd.Series(texts[codes], index=series.index, dtype=object)


#: The kinds of cell :func:`_distinct_cells` groups by value, and the missing cells it allows beside them.
_GROUPED_KINDS = (bool, str)
_MISSING_KINDS = (type(None), type(pd.NA), float)


def _distinct_cells(cells: np.ndarray) -> "tuple[np.ndarray, list] | None":
    """Each cell's code and one cell per code, when the cells are all ``bool`` or all ``str`` (with missing cells
    of one kind: None, NA or NaN); ``None`` for any other mix, which is then read cell by cell.

    Parameters
    ----------
    cells : ndarray of object
        The cells, as ``Series.map`` would pass them.

    Returns
    -------
    tuple of (ndarray of int64, list) or None
        ``codes`` (a position in the list per cell) and the list of representative cells, the missing one last.
    """
    kinds = set(map(type, cells))
    missing_kinds = kinds.intersection(_MISSING_KINDS)
    present = kinds - missing_kinds
    if len(missing_kinds) > 1 or len(present) != 1 or present.pop() not in _GROUPED_KINDS:
        return None
    codes, uniques = pd.factorize(cells)  # −1: None, NA or NaN
    representatives = list(uniques)
    if float in missing_kinds:
        floats = np.fromiter((type(c) is float for c in cells), dtype=bool, count=len(cells))
        if not pd.isna(cells[floats]).all():  # a number among the texts or flags: not one kind
            return None
    if missing_kinds:
        codes = np.where(codes < 0, len(representatives), codes)
        representatives.append(cells[np.argmax(pd.isna(cells))])
    return codes.astype(np.int64), representatives


#: At most this many failing schools are named in a school-level item's reason ("…等").
SCHOOLS_NAMED = 8


def school_check(schools: pd.DataFrame, places: pd.DataFrame, in_scope: pd.Series, ok: pd.Series,
                 missing: pd.Series, describe: Callable[[np.ndarray, np.ndarray], object], label: str,
                 threshold_text: str | pd.Series, value: pd.Series | None = None,
                 limit: pd.Series | None = None, *, op: str = "") -> ItemResult:
    """Aggregate a per-school check to county-years.

    ``in_scope``, ``ok`` and ``missing`` are boolean Series over ``schools`` (whose index must be
    unique); ``describe(at, names)`` gives each failing school's text ("XX小学 2150 人"): ``at`` are the
    failing schools' positions in ``schools`` (read a Series over the schools there with
    :func:`school_values`), ``names`` their names as an object array (missing: NaN); it returns one text
    per failing school (an array or Series of str, NaN where missing).
    The result's ``value`` is the number of failing schools; :attr:`ItemResult.failures`
    lists the failing schools (``school_id``, ``school_name``, ``detail`` and, when
    given, the school's ``value`` and ``threshold`` from ``value``/``limit``, and ``op``:
    how a school's value is compared with its threshold, ``>=`` or ``<=``).
    """
    def flags(series: pd.Series, fill: bool) -> np.ndarray:
        aligned = series if series.index.equals(schools.index) else series.loc[schools.index]
        return (aligned.fillna(fill) if fill is not None else aligned).astype(bool).to_numpy()

    # the county-year of each school as a row of ``places`` (integer codes: no groupby on the text keys)
    at = place_rows(schools, places)
    scope = flags(in_scope, False)
    miss = scope & flags(missing, None)
    fail = scope & ~flags(ok, False) & ~miss
    n_places = len(places)
    known = at >= 0
    counted = (scope, fail, miss)
    if not known.all():  # a school of no county-year is counted nowhere (usually every school has one)
        counted = tuple(m & known for m in counted)
    n_scope, n_fail, n_miss = (np.bincount(at[m], minlength=n_places) for m in counted)
    # the failing schools by position: ``schools.loc[fail, columns]`` with a boolean array takes exactly these
    # rows in this order; their key and name columns are taken as arrays (the same dtypes), without building
    # the intermediate frames (the selection, its copy with the name as object, the failures' copy of it)
    rows = np.flatnonzero(fail)
    failures = pd.DataFrame({name: schools[name].array.take(rows) for name in PLACE + ["school_id", "school_name"]})
    # ``describe`` joins its pieces on the name as object text (joining object arrays is twice as fast as
    # pandas' string dtype); the texts are given the string dtype once, at the end
    names = failures["school_name"].to_numpy(dtype=object)
    detail = (pd.Series(np.asarray(describe(rows, names), dtype=object)).astype("str") if len(rows)
              else pd.Series(dtype=str))
    named = (joined_by_code(at[rows], detail.to_numpy(dtype=object), n_places, "、", first=SCHOOLS_NAMED)
             if len(rows) else filled(n_places, ""))
    status = np.select([n_fail > 0, n_miss > 0, n_scope == 0], ["not_met", "no_data", "not_applicable"], "met")
    text = _school_counts_text(label, status, n_scope, n_fail, n_miss, named)
    result = check(status, n_fail, threshold_text, text, places.index, op="<=", part=label,
                   limit=NO_FAILING_SCHOOLS, unit="所（未达标学校数）")
    failures["detail"] = detail
    failures["value"] = _at_failing(value, schools, rows)
    failures["threshold"] = _at_failing(limit, schools, rows)
    failures["op"] = op
    return ItemResult(result, (result,), failures)


def _school_counts_text(label: str, status: np.ndarray, n_scope: np.ndarray, n_fail: np.ndarray,
                        n_miss: np.ndarray, names: np.ndarray) -> np.ndarray:
    """The reason of a school-level item per county-year, each row written for its own status only.

    Parameters
    ----------
    label : str
        What is checked ("音乐、美术专用教室配备").
    status : ndarray of str
        Per county-year ``not_met``, ``no_data``, ``not_applicable`` or ``met``.
    n_scope, n_fail, n_miss : ndarray of int
        Per county-year the schools in scope, those failing and those lacking data.
    names : ndarray of object (str)
        Per county-year the first :data:`SCHOOLS_NAMED` failing schools' texts joined with "、".

    Returns
    -------
    ndarray of object (str)
        "label：3 所学校未达到（…等）", "label：2 所学校缺少数据", "label：无适用学校" or "label：全部 5 所学校达到".
    """
    text = filled(len(status), label + "：无适用学校")
    rows = np.flatnonzero(status == "not_met")
    text[rows] = [f"{label}：{n} 所学校未达到（{named}{'等' if n > SCHOOLS_NAMED else ''}）"
                  for n, named in zip(n_fail[rows].tolist(), names[rows].tolist())]
    rows = np.flatnonzero(status == "no_data")
    text[rows] = [f"{label}：{n} 所学校缺少数据" for n in n_miss[rows].tolist()]
    rows = np.flatnonzero(status == "met")
    text[rows] = [f"{label}：全部 {n} 所学校达到" for n in n_scope[rows].tolist()]
    return text


def _at_failing(series: pd.Series | None, schools: pd.DataFrame, rows: np.ndarray):
    """``series.loc[schools.index[rows]]`` as an array (NaN without a series): the failures' column.

    By position when ``series`` is aligned with ``schools`` (their index unique: the label of each
    position is found at that position only), else by label.
    """
    if series is None:
        return np.nan
    return school_values(series, schools, rows).array


def school_values(series: pd.Series, schools: pd.DataFrame, at: np.ndarray) -> pd.Series:
    """The values of ``series`` at the schools in positions ``at`` of ``schools``, indexed 0 … len(at) − 1.

    What ``series.loc[schools.index[at]]`` holds (values, dtype, order). A Series aligned with the schools
    (the same index; :func:`school_check` requires it unique, so each label is at its own position only) is
    read by position; any other by label.

    Parameters
    ----------
    series : Series
        Over the schools (typically computed from ``schools``' columns: the same index).
    schools : DataFrame
        The school table.
    at : ndarray of int
        Positions in ``schools``.

    Returns
    -------
    Series
        ``len(at)`` values, with a default index and the name of ``series``.

    >>> schools = pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=[30, 10, 20])
    >>> school_values(schools["x"] * 2, schools, np.array([2, 0])).tolist()
    [6.0, 2.0]
    >>> school_values(pd.Series([5.0, 7.0], index=[20, 30]), schools, np.array([2, 0])).tolist()
    [5.0, 7.0]
    """
    if series.index.equals(schools.index):
        return pd.Series(series.array.take(at), name=series.name)
    return pd.Series(series.loc[schools.index[at]].array, name=series.name)


def item_rows(places: pd.DataFrame, dimension: str, item: str, label: str | pd.Series,
              result: "pd.DataFrame | ItemResult", counts: bool = True) -> pd.DataFrame:
    """An items-table block for one item over every county-year."""
    result = as_result(result).check
    out = places[PLACE].copy()
    out["dimension"], out["item"], out["label"] = dimension, item, label
    out["status"] = result["status"].to_numpy()
    out["value"] = result["value"].to_numpy()
    out["threshold"] = result["threshold"].to_numpy()
    out["reason"] = result["text"].to_numpy()
    out["counts"] = counts
    return out


def part_rows(places: pd.DataFrame, dimension: str, item: str, result: "pd.DataFrame | ItemResult") -> pd.DataFrame:
    """The parts-table block of one item: one row per county-year and compared quantity.

    Columns: city, county, year, dimension, item, part_no, part, op, value, threshold, unit, status.
    ``value`` and ``threshold`` are numbers for the ``>=``/``<=``/``<`` parts.
    """
    blocks = []
    for number, part in enumerate(as_result(result).part_checks, 1):
        out = places[PLACE].copy()
        out["dimension"], out["item"], out["part_no"] = dimension, item, number
        out["part"] = part["part"].to_numpy()
        out["op"] = part["op"].to_numpy()
        out["value"] = part["value"].to_numpy()
        out["threshold"] = part["limit"].to_numpy()
        out["unit"] = part["unit"].to_numpy()
        out["status"] = part["status"].to_numpy()
        blocks.append(out)
    return pd.concat(blocks, ignore_index=True)


def _positions(places: pd.DataFrame, index: pd.Index) -> np.ndarray:
    """The positions in ``places`` of the rows labelled ``index`` (what ``places.loc[index]`` takes)."""
    if index.equals(places.index):
        return np.arange(len(places))
    return places.index.get_indexer_for(index)


def _stacked(places: pd.DataFrame, blocks: list) -> pd.DataFrame:
    """The blocks one below the other: each is (positions in ``places``, column → scalar or Series over them).

    The place columns are taken from ``places``; every other column is the concatenation of the blocks'
    pieces (a scalar repeated over its block, :func:`_joined_column`), so each column has the dtype that
    concatenating one frame per block would give. The columns are joined as arrays: no index is aligned.
    """
    at = np.concatenate([b[0] for b in blocks])
    data = {c: places[c].array.take(at) for c in PLACE}
    for name in blocks[0][1]:
        data[name] = _joined_column([(len(rows), columns[name]) for rows, columns in blocks])
    return pd.DataFrame(data)


#: The dtype pandas gives a column of texts.
_TEXT = pd.Series(["a"]).dtype


def _joined_column(pieces: list):
    """One column of :func:`_stacked`: its pieces, each ``(rows, scalar or Series)``, one after the other.

    The column is what concatenating the pieces as Series gives (each Series' values taken as a new Series,
    a scalar repeated over its rows), which pandas does at a fixed cost of about a millisecond; here the
    common cases are joined as arrays, with the dtype and cells pandas would give:

    * texts of the column dtype (:data:`_TEXT`) and text scalars: one text array (:func:`_is_text_piece`);
    * numbers or flags of one numpy dtype: one numpy array (:func:`_number_piece`);
    * a mix that pandas makes an object column (:func:`_object_column`: the ``value`` and ``threshold``
      columns of items mixing numbers, flags and texts).

    Anything else (numbers of mixed dtypes, an empty piece, cells pandas would read as dates) is left to
    pandas.

    Parameters
    ----------
    pieces : list of tuple (int, object)
        Per block, its number of rows and its value of the column: a Series over the block's rows or a scalar.

    Returns
    -------
    ExtensionArray or ndarray
        The column's values, ``sum(rows)`` long.
    """
    if all(_is_text_piece(v, n) for n, v in pieces):
        return _joined_texts(pieces)
    numbers = [_number_piece(v, n) for n, v in pieces]
    if all(x is not None for x in numbers) and len({x.dtype for x in numbers}) == 1:
        return np.concatenate(numbers)
    mixed = _object_column(pieces)
    if mixed is not None:
        return mixed
    series = [pd.Series(v.to_numpy()) if isinstance(v, pd.Series) else pd.Series(v, index=pd.RangeIndex(n))
              for n, v in pieces]  # (a Series as an array: inferred as a frame column assigned from it would be)
    return pd.concat(series, ignore_index=True).array


def _joined_texts(pieces: list):
    """Text pieces (:func:`_is_text_piece`) one after the other as one text array, the Series' arrays as they are.

    The distinct text scalars are converted to the text dtype in one call and put beside the Series' arrays;
    one ``take`` then lays every row out in order (instead of one converted array per scalar piece). The cells
    are those of the pieces: the Series' texts (NaN where missing) and each scalar over its rows.
    """
    scalars = list(dict.fromkeys(v for _, v in pieces if isinstance(v, str)))
    arrays = [v.array for _, v in pieces if isinstance(v, pd.Series)]
    if scalars:
        arrays.append(pd.array(scalars, dtype=_TEXT))
    column = type(arrays[0])._concat_same_type(arrays)
    where = {text: i for i, text in enumerate(scalars, len(column) - len(scalars))}
    rows, start = [], 0
    for n, v in pieces:
        if isinstance(v, str):
            rows.append(np.full(n, where[v], dtype=np.intp))
        else:
            rows.append(np.arange(start, start + n, dtype=np.intp))
            start += n
    return column.take(np.concatenate(rows))


def _is_text_piece(v, n: int) -> bool:
    """Whether a block's piece of a column is plainly texts of :data:`_TEXT`.

    A Series of that dtype whose first text is present (texts all missing, or none, would be inferred as
    object: a cheap test that keeps every all-missing piece out), or a text scalar repeated over ``n > 0`` rows.
    """
    if isinstance(v, pd.Series):
        return v.dtype == _TEXT and len(v) > 0 and isinstance(v.iat[0], str)
    return isinstance(v, str) and n > 0


def _number_piece(v, n: int) -> np.ndarray | None:
    """A block's piece of a number or flag column as a numpy array (a Series' values, a bool or int scalar
    repeated over ``n`` rows), or None for any other piece."""
    if isinstance(v, pd.Series):
        return v.to_numpy() if isinstance(v.dtype, np.dtype) and v.dtype.kind in "biuf" else None
    if isinstance(v, (bool, np.bool_)):
        return np.full(n, bool(v))
    if isinstance(v, (int, np.integer)):
        return np.full(n, v, dtype=np.int64)
    return None


#: The dtype pandas gives a Python scalar repeated over a block's rows (``pd.Series(v, index=...)``).
_SCALAR_DTYPES = {bool: np.dtype(bool), int: np.dtype(np.int64), float: np.dtype(np.float64), str: _TEXT}

#: The types of object cells pandas leaves as objects when it infers a Series' dtype: without a text there is
#: nothing to read as text, without a date or period nothing to read as one (numbers in object arrays are
#: not converted).
_PLAIN_OBJECT_CELLS = frozenset({float, int, bool, type(None)})


#: The missing cells pandas reads as missing texts among texts (NaN when it is a float).
_MISSING_TEXT_CELLS = frozenset({type(None), float})


def _inferred(values: np.ndarray) -> tuple:
    """The dtype ``pd.Series(values)`` infers and its cells as objects: ``(dtype, ndarray of object)``.

    Cells all of :data:`_PLAIN_OBJECT_CELLS` stay objects as they are; texts with None or NaN beside them
    (:data:`_MISSING_TEXT_CELLS`, no other float) are texts, each missing one NaN. Any other array is
    given to pandas to infer.

    Parameters
    ----------
    values : ndarray
        A Series' values (``Series.to_numpy()``).

    Returns
    -------
    tuple of (dtype, ndarray of object)
    """
    if values.dtype == object:
        kinds = Counter(map(type, values.tolist()))
        if kinds.keys() <= _PLAIN_OBJECT_CELLS:
            return values.dtype, values
        if str in kinds and kinds.keys() - {str} <= _MISSING_TEXT_CELLS:
            missing = pd.isna(values)  # (never a text)
            if missing.sum() == len(values) - kinds[str]:  # every other cell missing: no number among the texts
                out = values.copy()
                out[missing] = np.nan
                return _TEXT, out
    inferred = pd.Series(values)  # anything else as the long way infers it
    return inferred.dtype, inferred.to_numpy(dtype=object)


def _object_column(pieces: list):
    """The pieces of a column concatenated as pandas does when the result is an object (or text) column, else None.

    Each piece's dtype is the one pandas gives it: a numpy number or flag Series keeps its own, a Python
    scalar that of :data:`_SCALAR_DTYPES`, an object or text Series what ``pd.Series`` infers from its values
    (:func:`_inferred`). pandas
    concatenates dtypes without a common one (an object piece, texts beside anything else, flags beside
    numbers) as objects, each piece's values converted to objects as they are: Python floats, ints and bools,
    texts with NaN for a missing text (a ``None`` among texts has become NaN by the inference), other
    objects unchanged; pieces that are all texts after inference make a text column. Any other mix (numbers
    of two dtypes: a numeric common dtype; dates), or an empty piece, gives None.

    Parameters
    ----------
    pieces : list of tuple (int, object)
        As :func:`_joined_column` is given them.

    Returns
    -------
    NumpyExtensionArray of object, text array (:data:`_TEXT`) or None
        The column (an object array as ``pd.concat(...).array`` gives it, so that the frame keeps it as objects).
    """
    dtypes, cells = [], []
    for n, v in pieces:
        if not n:
            return None
        if isinstance(v, pd.Series):
            if isinstance(v.dtype, np.dtype) and v.dtype.kind in "biuf":
                dtypes.append(v.dtype)
                cells.append(v.to_numpy().astype(object))
                continue
            dtype, values = _inferred(v.to_numpy())
            if not (dtype == np.dtype(object) or dtype == _TEXT):
                return None
            dtypes.append(dtype)
            cells.append(values)
        elif type(v) in _SCALAR_DTYPES:
            dtypes.append(_SCALAR_DTYPES[type(v)])
            cells.append(filled(n, v))
        else:
            return None
    kinds = set(dtypes)
    if kinds == {_TEXT}:  # object texts inferred as texts, beside texts: one text column
        return pd.array(np.concatenate(cells), dtype=_TEXT)
    flags_and_numbers = np.dtype(bool) in kinds and len(kinds) > 1
    if not (np.dtype(object) in kinds or (_TEXT in kinds and len(kinds) > 1) or flags_and_numbers):
        return None
    return pd.array(np.concatenate(cells), dtype=object)


@dataclass(frozen=True)
class ItemBlock:
    """The items of one dimension: items-table ``rows``, their ``parts`` and the ``school_failures``.

    ``row_places`` (when known) gives the index label, in the county-years the block was built for, of each
    row of ``rows``: with the assessment's places indexed 0 … n − 1 these are their positions, so that the
    caller need not look the text keys up again.
    """

    rows: pd.DataFrame
    parts: pd.DataFrame
    school_failures: pd.DataFrame
    row_places: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def build(cls, places: pd.DataFrame, dimension: str, labels: dict, results: dict,
              counts: bool | dict = True) -> "ItemBlock":
        """Rows for ``results`` (item id → :class:`ItemResult` or check frame) with ``labels`` (item id → label)."""
        results = {k: as_result(r) for k, r in results.items()}
        counted = counts if isinstance(counts, dict) else dict.fromkeys(results, counts)
        # the same rows as :func:`item_rows` and :func:`part_rows` item by item, concatenated, built column by
        # column once (each column the concatenation of the items' pieces: the same dtypes)
        rows, parts = [], []
        for k, r in results.items():
            at = _positions(places, r.index)
            label = labels[k]
            label = label.reindex(r.index) if isinstance(label, pd.Series) else label
            c = r.check
            rows.append((at, {"dimension": dimension, "item": k, "label": label, "status": c["status"],
                              "value": c["value"], "threshold": c["threshold"], "reason": c["text"],
                              "counts": counted[k]}))
            for number, part in enumerate(r.part_checks, 1):
                parts.append((_positions(places, part.index), {
                    "dimension": dimension, "item": k, "part_no": number, "part": part["part"], "op": part["op"],
                    "value": part["value"], "threshold": part["limit"], "unit": part["unit"],
                    "status": part["status"]}))
        failures = [r.failures.assign(dimension=dimension, item=k, label=labels[k])
                    for k, r in results.items() if r.failures is not None and len(r.failures)]
        labels_of = places.index.to_numpy()

        def place_labels(blocks: list) -> np.ndarray:  # each stacked row's county-year, by its label in places
            return labels_of[np.concatenate([b[0] for b in blocks])] if blocks else np.zeros(0, dtype=np.int64)
        return cls(_stacked(places, rows) if rows else pd.DataFrame(columns=ITEM_COLUMNS),
                   _stacked(places, parts) if parts else pd.DataFrame(),
                   pd.concat(failures, ignore_index=True) if failures else pd.DataFrame(),
                   place_labels(rows))

    @staticmethod
    def concat(blocks: "list[ItemBlock]") -> "ItemBlock":
        def cat(frames):
            frames = [f for f in frames if len(f)]
            return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

        def labels(pairs):  # the place labels of the frames kept by ``cat``; None when one block lacks them
            kept = [at for frame, at in pairs if len(frame)]
            return None if any(at is None for at in kept) else (
                np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64))
        return ItemBlock(cat(b.rows for b in blocks), cat(b.parts for b in blocks),
                         cat(b.school_failures for b in blocks), labels((b.rows, b.row_places) for b in blocks))


def dimension_status(items: pd.DataFrame) -> pd.Series:
    """Roll counting items up to one status per county-year (module docstring rule)."""
    counted = items[items["counts"]]
    flags = pd.DataFrame({s: counted["status"].eq(s) for s in STATUS_ORDER})
    any_ = flags.groupby([counted[c] for c in PLACE]).any()
    all_na = counted["status"].eq("not_applicable").groupby([counted[c] for c in PLACE]).all()
    return pd.Series(np.select([any_["not_met"], any_["no_data"], all_na], ["not_met", "no_data", "not_applicable"],
                               "met"), index=any_.index)
