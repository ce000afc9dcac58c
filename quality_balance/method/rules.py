"""The rules of the method, decided once: comparisons, the school rule, numbers in reason texts.

Method: docs/method.md §3 and §4.4.

Every module that compares a value with a threshold asks this one; none re-derives a verdict.

**Comparisons** (:func:`at_least` ≥, :func:`at_most` ≤, :func:`below` <, :func:`above` >,
:func:`compare` for an operator given as text) work elementwise on scalars, arrays and
Series, with one tolerance policy: a value within a relative :data:`FLOAT_TOLERANCE`
(1e-9) of the limit counts as *equal* to it. So ≥ and ≤ pass at (near-)equality —
21 teachers ÷ 500 students × 100 = 4.2 meets 4.2, and 4.499999999999999 m² meets
4.5 — while the strict < and > fail there: a difference rate of exactly 0.15, computed
as 0.1499999999999995, is not below 0.15. Missing values (NaN) never pass.

**The school rule** (:class:`SchoolRule`, spec §2.2): a school unit passes when it meets
at least ``resources.school_rule.min_met`` of the indicators and each indicator it misses
reaches at least ``resources.school_rule.min_ratio_of_miss`` of its threshold. The
object answers, vectorised and with each county's own profile values: does a unit pass,
its reason text, how far a value is from its threshold for colours (``met`` / ``near``
/ ``far``) and which misses a plan must fix.

**Numbers in reason texts** (:func:`number_text`, :func:`limit_text`): a value is printed
with its usual decimals, and with as many more as needed so that a value that differs from
its threshold never reads as equal to it, nor on the wrong side of it: 9.99% < 10% (not
"10.0% < 10.0%"), 5,999.99元 < 6,000元, 最小 95.9m²（须 ≥ 96m²）. Thresholds are printed in
their shortest exact form (10%, 6,000元, 0.15).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import CalculationError
from ..stats._groups import key_codes
from ..schema import INDICATORS, RATINGS
from .texts import filled

__all__ = ["FLOAT_TOLERANCE", "OPS", "OP_SIGNS", "FAILED_SIGNS", "at_least", "least_meeting", "at_most", "below",
           "above",
           "near_equal", "compare", "SchoolRule", "CLOSENESS", "closeness", "number_text", "numbers_text",
           "limit_text", "digits_needed", "number_texts",
           "digits_needed_array", "RATING_LEVELS", "rating_level", "rating_shortfall"]

#: Relative tolerance of every comparison: a value within ``FLOAT_TOLERANCE × |limit|`` of the
#: limit counts as equal to it (binary rounding never decides a verdict).
FLOAT_TOLERANCE = 1e-9
#: The comparison operators of checks and plans: value *op* limit passes.
OPS = (">=", "<=", "<", ">")
#: Each operator as people read it.
OP_SIGNS = {">=": "≥", "<=": "≤", "<": "<", ">": ">"}
#: The sign that states how a *failing* value relates to its limit (the negation of the operator).
FAILED_SIGNS = {">=": "<", "<=": ">", "<": "≥", ">": "≤"}
#: Most decimals a reason number gets (beyond this a double has no more digits to show).
MAX_DECIMALS = 15


def _slack(limit):
    return FLOAT_TOLERANCE * abs(limit) if np.isscalar(limit) else FLOAT_TOLERANCE * np.abs(limit)


def near_equal(value, limit):
    """``value`` within :data:`FLOAT_TOLERANCE` (relative to ``limit``) of ``limit`` (elementwise).

    >>> bool(near_equal(0.1499999999999995, 0.15)), bool(near_equal(0.149, 0.15))
    (True, False)
    """
    return abs(value - limit) <= _slack(limit) if np.isscalar(value) else np.abs(value - limit) <= _slack(limit)


def at_least(value, threshold):
    """``value ≥ threshold``, a value within the tolerance of ``threshold`` counting as equal (elementwise).

    >>> bool(at_least(4.499999999999999, 4.5)), bool(at_least(4.49, 4.5))
    (True, False)
    """
    return value >= least_meeting(threshold)


def least_meeting(threshold):
    """The lowest value :func:`at_least` passes against ``threshold``: ``threshold − FLOAT_TOLERANCE·|threshold|``.

    For comparing many values with few thresholds: ``value >= least_meeting(threshold)`` is
    ``at_least(value, threshold)``, the bound computed once per threshold.

    >>> least_meeting(4.5) == 4.5 - 4.5e-9
    True
    """
    return threshold - _slack(threshold)


def at_most(value, limit):
    """``value ≤ limit``, a value within the tolerance of ``limit`` counting as equal (elementwise).

    >>> bool(at_most(0.5000000000000001, 0.5)), bool(at_most(0.501, 0.5))
    (True, False)
    """
    return value <= limit + _slack(limit)


def below(value, limit):
    """``value < limit`` strictly: a value within the tolerance of ``limit`` is equal, so not below (elementwise).

    >>> bool(below(0.1499999999999995, 0.15)), bool(below(0.149, 0.15))
    (False, True)
    """
    return value < limit - _slack(limit)


def above(value, limit):
    """``value > limit`` strictly: a value within the tolerance of ``limit`` is equal, so not above (elementwise).

    >>> bool(above(0.5000000000000001, 0.5)), bool(above(0.501, 0.5))
    (False, True)
    """
    return value > limit + _slack(limit)


_COMPARE = {">=": at_least, "<=": at_most, "<": below, ">": above}


def compare(values, limit, op):
    """``values op limit`` elementwise, ``op`` one of :data:`OPS` (or an array of them, one per value).

    Parameters
    ----------
    values, limit : scalar, array or Series
        Numbers (NaN never passes).
    op : str or array of str
        ``">="``, ``"<="``, ``"<"`` or ``">"``; an array gives each element its own operator
        (a missing operator — None or NaN — never passes).

    Returns
    -------
    bool, array or Series
        Whether each value passes; a Series when ``values`` is one and ``op`` a single text.

    >>> compare([0.1499999999999995, 0.149], 0.15, "<").tolist()
    [False, True]
    >>> compare([5.0, 5.0], [5.0, 5.0], np.array([">=", ">"])).tolist()
    [True, False]
    """
    if isinstance(op, str):
        if op not in _COMPARE:
            raise CalculationError(f"compare: op must be one of {', '.join(OPS)}, received {op!r}")
        if isinstance(values, (list, tuple)):
            values = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            return _COMPARE[op](values, limit)
    ops = np.asarray(op, dtype=object)
    known = np.array([o in _COMPARE for o in ops.ravel()], dtype=bool).reshape(ops.shape)
    unknown = sorted({str(o) for o, k in zip(ops.ravel(), known.ravel()) if not k and isinstance(o, str)})
    if unknown:
        raise CalculationError(f"compare: op must be one of {', '.join(OPS)}, received {unknown}")
    v = np.asarray(values, dtype=float)
    t = np.asarray(limit, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.select([ops == o for o in OPS], [_COMPARE[o](v, t) for o in OPS], False)


# --- numbers in reason texts ------------------------------------------------------------------------

def _missing(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, (float, np.floating)) and np.isnan(x))


def digits_needed(value: float, limit: float | None, decimals: int) -> int:
    """The decimals with which ``value`` must be printed so that it reads on the right side of ``limit``.

    At least ``decimals``; more when ``value`` differs from ``limit`` (beyond the tolerance)
    but would round to it or past it. A value equal to its limit within the tolerance keeps
    ``decimals`` (it *is* equal).

    >>> digits_needed(9.99, 10, 1), digits_needed(5999.99, 6000, 0), digits_needed(4.2, 4.2, 2)
    (2, 2, 2)
    """
    if limit is None or _missing(value) or _missing(limit) or not np.isfinite(value) or not np.isfinite(limit):
        return decimals
    value, limit = float(value), float(limit)
    if near_equal(value, limit):
        return decimals
    side = np.sign(value - limit)
    for k in range(max(decimals, 0), MAX_DECIMALS + 1):
        shown = float(f"{value:.{k}f}")
        if np.sign(shown - limit) == side:
            return k
    return MAX_DECIMALS


def number_text(value, limit=None, *, decimals: int = 1, unit: str = "", thousands: bool = True) -> str:
    """A value for a reason text: ``decimals`` places, more when needed against ``limit``; "—" when missing.

    Parameters
    ----------
    value : number or None
        The value compared (a text is returned as it is).
    limit : number, optional
        The threshold it is compared with; the value never reads as equal to it (or on its
        wrong side) unless it is equal within :data:`FLOAT_TOLERANCE`.
    decimals : int
        The usual decimals of the quantity (1 for %, 0 for 元 and m², 3 for a CV...).
    unit : str
        Appended to the number ("%", "元", "m²").
    thousands : bool
        Thousands separators (6,000).

    >>> number_text(9.99, 10, unit="%"), number_text(5999.99, 6000, decimals=0, unit="元")
    ('9.99%', '5,999.99元')
    >>> (number_text(4.2, 4.2), number_text(2000, 2000, decimals=0, unit="元"),
    ...  number_text(0.1499999999999995, 0.15, decimals=3))
    ('4.2', '2,000元', '0.150')
    """
    if _missing(value):
        return "—"
    if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, (bool, np.bool_)):
        return str(value)
    k = digits_needed(float(value), None if _missing(limit) else limit, decimals)
    return f"{float(value):{',' if thousands else ''}.{k}f}{unit}"


def digits_needed_array(values, limits, decimals) -> np.ndarray:
    """:func:`digits_needed` of every element at once: each value is formatted once with its usual
    decimals, and only those that would then read as equal to their limit (or on its wrong side)
    go through :func:`digits_needed`.

    Parameters
    ----------
    values : array-like of float
        The values.
    limits : array-like of float or float, or None
        The threshold each value is compared with (NaN or ``None``: none).
    decimals : int or array-like of int
        The usual decimals, one for all or one per value.

    Returns
    -------
    ndarray of int
        The decimals each value needs.

    >>> digits_needed_array([9.99, 5999.99, 4.2, 12.0], [10, 6000, 4.2, np.nan], [1, 0, 2, 1]).tolist()
    [2, 2, 2, 1]
    """
    return _digits_and_shown(values, limits, decimals)[0]


def _digits_and_shown(values, limits, decimals) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`digits_needed_array`, with the texts it formatted: ``(digits, rows, shown)``, ``shown[i]`` being
    value ``rows[i]`` printed with ``max(decimals, 0)`` places (the rows compared with a limit)."""
    v = np.asarray(values, dtype=float).ravel()
    n = v.size
    if limits is None:
        lim = np.full(n, np.nan)
    else:
        raw = np.asarray(limits)
        if raw.dtype == object:
            raw = pd.to_numeric(pd.Series(raw.ravel()), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        lim = np.broadcast_to(np.asarray(raw, dtype=float).ravel(), (n,))
    d = np.broadcast_to(np.asarray(decimals, dtype=np.int64).ravel(), (n,))
    with np.errstate(invalid="ignore"):
        check = np.isfinite(v) & np.isfinite(lim) & ~(np.abs(v - lim) <= _slack(lim))
    k = d.copy()
    k[check] = np.maximum(d[check], 0)
    # a value further from its limit than one unit of its last shown digit cannot read as equal to the limit
    # or on its other side (rounding moves it by half a unit at most): only the others are formatted to see
    with np.errstate(invalid="ignore", over="ignore"):
        check &= np.abs(v - lim) <= 10.0 ** -k.astype(float)
    rows = np.flatnonzero(check)
    shown = np.zeros(0, dtype=object)
    if rows.size:
        shown = np.array([f"{x:.{kk}f}" for x, kk in zip(v[rows].tolist(), k[rows].tolist())], dtype=object)
        wrong = np.sign(shown.astype(float) - lim[rows]) != np.sign(v[rows] - lim[rows])
        for i in rows[wrong].tolist():
            k[i] = digits_needed(float(v[i]), float(lim[i]), int(d[i]))
    return k, rows, shown


def number_texts(values, limits=None, *, decimals=1, thousands: bool = True) -> np.ndarray:
    """:func:`number_text` of every element of a numeric array at once (the same texts, vectorised).

    Parameters
    ----------
    values : array-like of float
        The values (NaN reads "—").
    limits : array-like of float or float, optional
        The threshold each value is compared with (NaN or ``None``: none); the decimals come
        from :func:`digits_needed_array`.
    decimals : int or array-like of int
        The usual decimals, one for all or one per value.
    thousands : bool
        Thousands separators (6,000).

    Returns
    -------
    ndarray of str (object)
        One text per value, without a unit.

    >>> number_texts([9.99, 12.0, np.nan], 10, decimals=1).tolist()
    ['9.99', '12.0', '—']
    """
    v = np.asarray(values, dtype=float).ravel()
    k, checked, shown = _digits_and_shown(v, limits, decimals)
    out = filled(v.size, "—")
    done = np.zeros(v.size, dtype=bool)
    if checked.size:  # the texts already formatted with the decimals kept are the answer
        kept = np.maximum(np.broadcast_to(np.asarray(decimals, dtype=np.int64).ravel(), v.shape)[checked], 0)
        same = k[checked] == kept
        if thousands:  # below 999.5 no rounding reaches 1,000: the text has no separator to add
            same &= np.abs(v[checked]) < 999.5
        out[checked[same]] = shown[same]
        done[checked[same]] = True
    idx = np.flatnonzero(~np.isnan(v) & ~done)
    out[idx] = _formatted(v[idx], k[idx], "," if thousands else "")
    return out


#: Below this many values :func:`_formatted` formats each one: two factorisations cost about 0.2 ms, the
#: formatting of a value about 1 µs (measured: 85 values 0.1 ms each by each, 0.3 ms by distinct pairs; even
#: at 200). The texts are the same either way (``"%.kf" %`` writes the digits ``f"{x:.kf}"`` writes).
_FORMATTED_EACH = 128


def _formatted(values: np.ndarray, digits: np.ndarray, sep: str) -> np.ndarray:
    """``f"{x:{sep}.{k}f}"`` of each value with its digits, each distinct pair formatted once.

    A table repeats few values (rates with one decimal, limits, counts): the pairs are told apart by the
    value's bits, so that −0.0 ("-0.0") and 0.0 ("0.0") stay apart, and spread back by code. Fewer than
    :data:`_FORMATTED_EACH` values are formatted one by one.

    Parameters
    ----------
    values : ndarray of float
        The values (no NaN).
    digits : ndarray of int
        The decimals of each value (≥ 0).
    sep : str
        ``","`` for thousands separators, else ``""``.

    Returns
    -------
    ndarray of object (str)
        One text per value.
    """
    if values.size < _FORMATTED_EACH or digits.min() < 0:  # few values: formatting each is cheaper than coding them
        return np.array([f"{x:{sep}.{kk}f}" for x, kk in zip(values.tolist(), digits.tolist())], dtype=object)
    bits, _ = pd.factorize(np.ascontiguousarray(values, dtype=np.float64).view(np.int64))
    codes, pairs = pd.factorize(bits.astype(np.int64) * (int(digits.max()) + 1) + digits)
    first = np.zeros(len(pairs), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # the first row of each distinct pair
    shown, places = values[first], digits[first]
    texts = np.empty(len(first), dtype=object)
    for k in np.unique(places).tolist():  # one format per number of decimals (a handful), applied by map
        rows = np.flatnonzero(places == k)
        texts[rows] = list(map(_fixed_format(k, sep), shown[rows].tolist()))
    return texts[codes]


def _fixed_format(decimals: int, sep: str):
    """The function writing a float as ``f"{x:{sep}.{decimals}f}"`` does: ``"%.kf" %`` without a separator (the
    same digits, faster), else ``str.format``.

    >>> _fixed_format(2, "")(1234.567), _fixed_format(0, ",")(1234.567)
    ('1234.57', '1,235')
    """
    return f"%.{decimals}f".__mod__ if not sep else f"{{:{sep}.{decimals}f}}".format


def limit_text(limit, unit: str = "", *, thousands: bool = True) -> str:
    """A threshold in its shortest exact form: 10 → "10", 0.15 → "0.15", 6000 → "6,000"; "—" when missing.

    Binary noise beyond 12 significant digits is dropped (0.85 × 100 → "85").

    >>> limit_text(10, "%"), limit_text(6000.0, "元"), limit_text(0.15), limit_text(0.85 * 100, "%")
    ('10%', '6,000元', '0.15', '85%')
    """
    if _missing(limit):
        return "—"
    if not isinstance(limit, (int, float, np.integer, np.floating)) or isinstance(limit, (bool, np.bool_)):
        return str(limit)
    x = float(f"{float(limit):.12g}")
    plain = np.format_float_positional(x, trim="-")
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    return f"{x:{',' if thousands else ''}.{decimals}f}{unit}"


def _as_numbers(limits) -> np.ndarray | None:
    """Limits as floats when they plainly are numbers: a number scalar, or a Series of a numpy number dtype.

    Parameters
    ----------
    limits : object
        What :func:`numbers_text` was given as ``limits``.

    Returns
    -------
    ndarray of float or None
        The floats (a 0-d array for a scalar); None for anything else (texts, flags, object cells), which is
        then read cell by cell as numbers.
    """
    if isinstance(limits, pd.Series):
        numeric = isinstance(limits.dtype, np.dtype) and limits.dtype.kind in ("i", "u", "f")
        return limits.to_numpy(dtype=float) if numeric else None
    if isinstance(limits, (int, float, np.integer, np.floating)) and not isinstance(limits, (bool, np.bool_)):
        return np.asarray(float(limits))
    return None


def numbers_text(values, limits=None, *, decimals: int | Any = 1, unit: str | Any = "") -> pd.Series:
    """:func:`number_text` for every element of a Series (``limits``, ``decimals``, ``unit``: scalars or aligned).

    >>> numbers_text(pd.Series([9.99, 12.0]), 10, unit="%").tolist()
    ['9.99%', '12.0%']
    """
    values = values if isinstance(values, pd.Series) else pd.Series(values)
    n = len(values)

    def spread(x):
        if isinstance(x, pd.Series):
            return x.to_numpy()
        if isinstance(x, (np.ndarray, list, tuple)):
            return np.asarray(x, dtype=object)
        return [x] * n

    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        # a plain number (or numeric Series) of limits, decimals or unit text is passed on as it is: the
        # same numbers as through an object array per row, without building one
        limit_array = None if limits is None else _as_numbers(limits)
        if limit_array is None and limits is not None:
            limit_array = np.asarray(spread(limits), dtype=object)
        whole = isinstance(decimals, (int, np.integer)) and not isinstance(decimals, (bool, np.bool_))
        places = decimals if whole else np.asarray(spread(decimals), dtype=object).astype(np.int64)
        texts = number_texts(values.to_numpy(dtype=float, na_value=np.nan), limit_array, decimals=places)
        units = unit if isinstance(unit, str) else np.asarray(spread(unit), dtype=object).astype(str).astype(object)
        texts = np.where(texts == "—", texts, texts + units)
        return pd.Series(texts, index=values.index, dtype=object)
    out = [number_text(v, t, decimals=int(d), unit=u)
           for v, t, d, u in zip(values.to_numpy(), spread(limits), spread(decimals), spread(unit))]
    return pd.Series(out, index=values.index, dtype=object)


# --- ratings ---------------------------------------------------------------------------------------

#: Level of each rating, counted from the lowest: 不合格 0, 合格 1, 良好 2, 优秀 3
#: (:data:`quality_balance.schema.RATINGS`).
RATING_LEVELS = {rating: level for level, rating in enumerate(reversed(RATINGS))}


def rating_level(ratings) -> pd.Series:
    """The level of each rating (:data:`RATING_LEVELS`) as a float Series; NaN for no or an unknown rating.

    A threshold written as ``良好及以上`` (the items table's form) reads as ``良好``.

    >>> rating_level(pd.Series(["合格", "良好及以上", None])).tolist()
    [1.0, 2.0, nan]
    """
    ratings = pd.Series(ratings, dtype=object)
    # each distinct rating read once (a school table repeats a handful of ratings), then spread by code
    codes, distinct = pd.factorize(ratings)  # −1: no rating
    # (a handful of distinct cells: read in Python, each as its text, as a string column would hold it)
    levels = np.array([RATING_LEVELS.get(str(cell).replace("及以上", ""), np.nan) for cell in distinct] + [np.nan],
                      dtype=float)
    return pd.Series(levels[codes], index=ratings.index, name=ratings.name, dtype=float)


def rating_shortfall(ratings, minimums) -> tuple[pd.Series, pd.Series]:
    """How far ratings fall short of their minimums: levels missing, and that as a share of the minimum's level.

    Method: docs/method.md §10. The share is measured like a number's relative gap on the
    scale 不合格 0 … 优秀 3: 合格 against 良好 misses 1 of 2 levels (50%), 不合格 against
    良好 2 of 2 (100%). A rating at or above its minimum misses 0.

    >>> gap, share = rating_shortfall(pd.Series(["合格", "不合格", "优秀"]), pd.Series(["良好及以上"] * 3))
    >>> gap.tolist(), share.tolist()
    ([1.0, 2.0, 0.0], [0.5, 1.0, 0.0])
    """
    value, minimum = rating_level(ratings), rating_level(minimums)
    gap = (minimum - value).clip(lower=0)
    return gap, gap / minimum.where(minimum > 0)


# --- the school rule -------------------------------------------------------------------------------

#: How far a value is from its threshold, for colours: ``met`` (at least the threshold), ``near``
#: (a miss the school rule tolerates: at least ``min_ratio_of_miss`` of it), ``far`` (further below).
CLOSENESS = ("met", "near", "far")


def closeness(value, threshold, min_ratio) -> np.ndarray:
    """``met`` / ``near`` / ``far`` for each value against its threshold (``no_data`` where either is missing).

    ``met`` is :func:`at_least` (value, threshold) — the verdict of the assessment itself —,
    ``near`` a miss whose value/threshold reaches ``min_ratio`` (:func:`at_least` again),
    ``far`` the rest.

    >>> closeness([4.499999999999999, 4.0, 3.0, np.nan], 4.5, 0.85).tolist()
    ['met', 'near', 'far', 'no_data']
    """
    v = np.asarray(value, dtype=float)
    t = np.asarray(threshold, dtype=float)
    v, t = np.broadcast_arrays(v, t)
    with np.errstate(invalid="ignore", divide="ignore"):
        met = at_least(v, t)
        ratio = np.where(t != 0, v / np.where(t != 0, t, 1.0), np.nan)
        near = at_least(ratio, np.asarray(min_ratio, dtype=float))
    missing = np.isnan(v) | np.isnan(t)
    return np.select([missing, met, near], ["no_data", "met", "near"], "far").astype(object)


def _rows(x, n: int) -> np.ndarray:
    arr = np.asarray(x)
    return np.broadcast_to(arr, (n,)) if arr.ndim == 0 else arr


@dataclass(frozen=True)
class SchoolRule:
    """The school rule (校际指标要求) of one profile, or of each row's own county.

    Attributes
    ----------
    min_met : int or array of int
        Indicators a unit must meet (``resources.school_rule.min_met``, 6 nationally).
    min_ratio : float or array of float
        The share of its threshold each miss must reach
        (``resources.school_rule.min_ratio_of_miss``, 0.85 nationally).
    n_indicators : int
        Number of indicators (R1–R7: 7, :data:`quality_balance.schema.INDICATORS`).

    Scalars describe one profile; arrays (from :meth:`per_county`) give each row of a
    table its own county's rule, and every method then works row by row.
    """

    min_met: Any
    min_ratio: Any
    n_indicators: int = len(INDICATORS)

    @classmethod
    def from_profile(cls, profile) -> "SchoolRule":
        """The rule of a :class:`~quality_balance.standards.profile.Profile` (``resources.school_rule``).

        >>> from quality_balance.standards.profile import load_profile
        >>> SchoolRule.from_profile(load_profile("national"))
        SchoolRule(min_met=6, min_ratio=0.85, n_indicators=7)
        """
        rule = profile.get("resources.school_rule")
        return cls(min_met=int(rule["min_met"]), min_ratio=float(rule["min_ratio_of_miss"]),
                   n_indicators=len(INDICATORS))

    @classmethod
    def per_county(cls, profiles: Mapping, rows: pd.DataFrame) -> "SchoolRule":
        """One rule per row of ``rows`` (columns ``city``, ``county``), each from its county's profile.

        Parameters
        ----------
        profiles : mapping
            (city, county) → Profile, as :attr:`quality_balance.Assessment.profiles`.
        rows : DataFrame
            Any table with ``city`` and ``county`` columns.

        Returns
        -------
        SchoolRule
            ``min_met`` and ``min_ratio`` arrays aligned with ``rows``.
        """
        rules = {key: cls.from_profile(prof) for key, prof in profiles.items()}
        if len(rows):  # each distinct county looked up once, then spread to its rows
            codes, keys = key_codes(rows, ["city", "county"])  # integer codes, no tuple per row
        else:
            codes, keys = np.zeros(0, dtype=np.intp), []
        unknown = sorted({f"{c}/{k}" for c, k in keys if (c, k) not in rules})
        if unknown:
            raise CalculationError(f"SchoolRule.per_county: no profile for county {unknown}; profiles are known "
                                   f"for {sorted(f'{c}/{k}' for c, k in rules)}")
        return cls(min_met=np.array([rules[k].min_met for k in keys], dtype=int)[codes],
                   min_ratio=np.array([rules[k].min_ratio for k in keys], dtype=float)[codes],
                   n_indicators=len(INDICATORS))

    @property
    def misses_allowed(self):
        """How many indicators a passing unit may miss: ``n_indicators − min_met``."""
        return self.n_indicators - self.min_met

    @property
    def tolerance(self):
        """The relative gap a tolerated miss may have: ``1 − min_ratio`` (0.15 nationally)."""
        return 1.0 - self.min_ratio

    def describe(self) -> str:
        """The rule in words, for a threshold column (one profile's rule).

        >>> SchoolRule(6, 0.85).describe()
        '每个学校单元至少6项达标且未达标项不低于85%'
        """
        return f"每个学校单元至少{self.min_met}项达标且未达标项不低于{limit_text(self.min_ratio * 100, '%')}"

    def passes(self, met_count, worst_ratio) -> np.ndarray:
        """Whether each unit passes: enough indicators met and its worst miss close enough.

        Parameters
        ----------
        met_count : array
            Indicators met per unit.
        worst_ratio : array
            The lowest value/threshold among the unit's misses (NaN when it misses none).

        >>> SchoolRule(6, 0.85).passes([7, 6, 6, 5], [np.nan, 0.85, 0.8499, 0.99]).tolist()
        [True, True, False, False]
        """
        met_count = np.asarray(met_count, dtype=float)
        worst = np.asarray(worst_ratio, dtype=float)
        enough = met_count >= np.asarray(self.min_met)
        with np.errstate(invalid="ignore"):
            close = np.isnan(worst) | at_least(worst, np.asarray(self.min_ratio, dtype=float))
        return enough & close

    def reasons(self, met_count, worst_ratio, miss_text) -> np.ndarray:
        """The reason text of each unit, with its real number of misses and the rule's values.

        Parameters
        ----------
        met_count, worst_ratio : array
            As for :meth:`passes`.
        miss_text : array of str
            What each unit misses ("R4 生均教学及辅助用房面积 3.90 < 4.5（86.7%）；…"), "" when nothing.

        >>> SchoolRule(5, 0.85).reasons([5], [0.95], ["R4 …；R6 …"]).tolist()
        ['达到 5 项；未达到的 2 项不低于达标值的 85%：R4 …；R6 …']
        """
        met_count = np.asarray(met_count, dtype=float)
        n = len(met_count)
        text = np.asarray(miss_text, dtype=object) if isinstance(miss_text, np.ndarray) else None
        if text is None or text.ndim != 1 or pd.api.types.infer_dtype(text, skipna=False) != "string":
            text = pd.Series(miss_text, dtype=object).fillna("").astype(str).to_numpy()  # texts of any kind
        min_met = _rows(self.min_met, n)
        ratios = _rows(self.min_ratio, n)
        codes, distinct = pd.factorize(np.asarray(ratios, dtype=float))  # a handful of rules: format each once
        pct = np.array([limit_text(r * 100, "%") for r in distinct], dtype=object)[codes] if n else ratios
        n_miss = (self.n_indicators - met_count).astype(int)
        met_i = met_count.astype(int)
        ok = self.passes(met_count, worst_ratio)
        enough = met_count >= min_met
        out = filled(n, f"{self.n_indicators} 项指标全部达到")
        # each text built only for the rows of its case (same precedence as before: all met, passing, too few)
        passing = (n_miss != 0) & ok
        too_few = (n_miss != 0) & ~ok & ~enough
        too_far = (n_miss != 0) & ~ok & enough
        # (Python ints from ``tolist``: an f-string formats a NumPy integer 2.5× slower)
        out[passing] = [f"达到 {m} 项；未达到的 {k} 项不低于达标值的 {p}：{t}" for m, k, p, t in
                        zip(met_i[passing].tolist(), n_miss[passing].tolist(), pct[passing], text[passing])]
        out[too_few] = [f"未达到 {k} 项（至少须达到 {mm} 项）：{t}" for k, mm, t in
                        zip(n_miss[too_few].tolist(), np.asarray(min_met)[too_few].tolist(), text[too_few])]
        out[too_far] = [f"未达到的指标低于达标值的 {p}：{t}" for p, t in zip(pct[too_far], text[too_far])]
        return out

    def closeness(self, value, threshold) -> np.ndarray:
        """``met`` / ``near`` / ``far`` (``no_data`` when missing) per value: :func:`closeness` with ``min_ratio``."""
        return closeness(value, threshold, self.min_ratio)

    def fixes(self, units: pd.DataFrame, ratio, effort, passes) -> np.ndarray:
        """Which misses a plan must fix for each failing unit to pass (the cheapest set).

        Every miss below ``min_ratio`` of its threshold must be fixed (a missing ratio counts
        as below); of the others, all but the ``n_indicators − min_met`` dearest are fixed —
        the misses the rule tolerates stay. Units that already pass fix nothing.

        Parameters
        ----------
        units : DataFrame
            One row per miss: the columns identifying its unit (city, county, year, school_id, stage).
        ratio : array
            value/threshold of each miss.
        effort : array
            What fixing each miss costs (higher = dearer; any unit of account common to a unit's misses).
        passes : array of bool
            Whether the miss's unit already passes the rule.

        Returns
        -------
        ndarray of bool
            True for the misses the plan must fix.

        >>> misses = pd.DataFrame({"unit": ["a", "a", "a"]})
        >>> SchoolRule(6, 0.85).fixes(misses, [0.9, 0.95, 0.5], [10.0, 20.0, 5.0], [False] * 3).tolist()
        [True, False, True]
        """
        n = len(units)
        if n == 0:
            return np.zeros(0, dtype=bool)
        ratio = np.asarray(ratio, dtype=float)
        with np.errstate(invalid="ignore"):
            must = ~at_least(np.nan_to_num(ratio, nan=0.0), _rows(np.asarray(self.min_ratio, dtype=float), n))
        key = list(units.columns)
        order = (units.reset_index(drop=True)
                 .assign(_effort=np.where(must, -np.inf, np.asarray(effort, dtype=float)))
                 .sort_values(key + ["_effort"], ascending=[True] * len(key) + [False], kind="stable"))
        rank = order.groupby(key, sort=False).cumcount().sort_index().to_numpy()
        may_stay = _rows(self.misses_allowed, n)
        return ~np.asarray(passes, dtype=bool) & (must | (rank >= may_stay))
