"""The one exception family of quality_balance.

Every error the library raises on purpose is a :class:`QualityBalanceError`.
Messages name the parameter, file or column, what was expected and what was
received, so that a county analyst can fix the input without reading code.

Input problems are *collected* before failing: :class:`InputError` carries a
list of :class:`Problem` records (file, sheet, row as the user sees it,
column, value, what is expected, how to fix it) and prints one line each.

Arguments are checked at the edge of the public API, in one place:
:func:`require_known` (one value against the ones a table holds) and
:func:`require_place` (a city / county / year selection against a result
table) raise an :class:`UnknownNameError` that names the parameter and the
value, lists the known ones and suggests the closest.
"""
from __future__ import annotations

import difflib
import numbers
from dataclasses import dataclass, field
from typing import Any, Iterable

__all__ = [
    "QualityBalanceError",
    "InputError",
    "OutputError",
    "ProfileError",
    "CalculationError",
    "RenderError",
    "UnknownNameError",
    "UnknownInputNameError",
    "UnknownSettingError",
    "Problem",
    "ProblemList",
    "require_known",
    "require_place",
    "suggest",
]


class QualityBalanceError(Exception):
    """Base class of every error raised by quality_balance on purpose."""


class ProfileError(QualityBalanceError):
    """A standards profile is missing, has an unknown key, a bad value or a missing parent."""


class CalculationError(QualityBalanceError):
    """A calculation got arguments it cannot work with (wrong length, negative weights...)."""


class RenderError(QualityBalanceError):
    """One or more reports failed to render."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    ``row`` is the row number as the user sees it in Excel (header row = 1
    for a plain table), or ``None`` when the problem concerns the whole file
    or a whole column.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    expected: str | None = None
    fix: str | None = None
    sheet: str | None = None
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f" [工作表 {self.sheet}]"
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" 列「{self.column}」"
        text = f"{where}: {self.message}"
        if self.value is not None and self.value == self.value:  # skip NaN
            text += f"（收到: {self.value!r}）"
        if self.expected:
            text += f"；应为: {self.expected}"
        if self.fix:
            text += f"；修改建议: {self.fix}"
        return text


class ProblemList:
    """Mixin for results holding ``problems``: splits them into errors and warnings."""

    problems: "list[Problem] | tuple[Problem, ...]"

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


@dataclass
class InputError(QualityBalanceError):
    """Input files with one or more problems; ``problems`` lists every one found."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"输入数据有 {len(errors)} 个问题 / {len(errors)} problem(s) in the input:"
        lines = [head] + [f"  - {p}" for p in errors[:200]]
        if len(errors) > 200:
            lines.append(f"  ... 另有 {len(errors) - 200} 个问题未列出")
        return "\n".join(lines)


# --- arguments checked at the edges ----------------------------------------------------------------

#: How many known values an :class:`UnknownNameError` lists before it says "… 等（共 N 个）".
MAX_LISTED = 20
#: Smallest :class:`difflib.SequenceMatcher` ratio for a name to be suggested (清丰具 → 清丰县 is 0.67).
SUGGEST_CUTOFF = 0.5


class UnknownNameError(CalculationError, KeyError):
    """A county, city, year, school, code or setting that the data or the result do not hold.

    Raised by :func:`require_known` / :func:`require_place` at the top of the public
    functions. It is a :class:`CalculationError` (an argument the function cannot work
    with) and a :class:`KeyError` (so ``except KeyError`` written for earlier versions,
    where e.g. ``Assessment.profile_of`` raised a bare ``KeyError``, still catches it);
    ``str()`` is the message itself, not ``KeyError``'s quoted repr.

    Attributes
    ----------
    parameter : str
        The parameter given the value (``county``, ``city``, ``year``, ``school_id``...).
    value : object
        The value received.
    known : tuple
        The values that would have been accepted, sorted.
    suggestion : object or None
        The closest known value (:func:`suggest`), if any is close.
    """

    def __init__(self, message: str, *, parameter: str, value: object, known: Iterable = (),
                 suggestion: object = None) -> None:
        Exception.__init__(self, message)  # not super(): subclasses mix in dataclass errors (InputError)
        self.parameter, self.value, self.known, self.suggestion = parameter, value, tuple(known), suggestion

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __reduce__(self):
        return (_rebuild, (type(self), str(self), self.parameter, self.value, self.known, self.suggestion))


def _rebuild(cls, message, parameter, value, known, suggestion):
    return cls(message, parameter=parameter, value=value, known=known, suggestion=suggestion)


class UnknownInputNameError(UnknownNameError, InputError):
    """An unknown city or county asked of a *data set* (not of a result): also an :class:`InputError`
    holding one :class:`Problem`, so callers catching input errors (the report notebooks' data step)
    keep working."""

    def __init__(self, message: str, *, parameter: str, value: object, known: Iterable = (),
                 suggestion: object = None, file: str = "数据") -> None:
        UnknownNameError.__init__(self, message, parameter=parameter, value=value, known=known,
                                  suggestion=suggestion)
        head = message.split("\n")[0].split("已有的")[0].rstrip("。")  # the known ones go to ``expected``
        self.problems = [Problem(file=file, column=parameter, value=value, message=head,
                                 expected=_listing(self.known) or None,
                                 fix=f"改为“{_show(suggestion)}”" if suggestion is not None else None)]

    __str__ = UnknownNameError.__str__


class UnknownSettingError(UnknownNameError, ProfileError):
    """A dotted setting a profile does not have (``Profile.get``): an :class:`UnknownNameError` that is
    also a :class:`ProfileError`, so code handling a profile without a table (``except ProfileError``)
    keeps working."""


def _present(value: object) -> bool:
    """False for None, NaN and pd.NA: no name."""
    if value is None:
        return False
    try:
        return bool(value == value)
    except TypeError:  # pd.NA == pd.NA is NA, whose truth is ambiguous
        return False


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _show(value: object) -> str:
    """A value as the user typed it: 2025 (not 2025.0) for a whole float, names as they are."""
    if _is_number(value) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _sorted(values: Iterable) -> list:
    values = list(dict.fromkeys(values))
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=_show)


def _listing(known: Iterable) -> str:
    known = list(known)
    shown = "、".join(_show(k) for k in known[:MAX_LISTED])
    return shown + (f" 等（共 {len(known)} 个）" if len(known) > MAX_LISTED else "")


def suggest(value: object, known: Iterable) -> object | None:
    """The known value closest to ``value``, or None when none is close.

    The same text first (``"2025"`` for the year 2025, a name with stray spaces);
    for a number among numbers the nearest (2031 → 2025); otherwise the most
    similar name by :func:`difflib.get_close_matches` with cutoff
    :data:`SUGGEST_CUTOFF`.

    >>> suggest("清丰具", ["南乐县", "清丰县", "范县"])
    '清丰县'
    >>> suggest(2031, [2021, 2022, 2025]), suggest("2025", [2024, 2025]), suggest("上海", ["清丰县"])
    (2025, 2025, None)
    """
    known = _sorted(known)
    if not known:
        return None
    by_text = {_show(k): k for k in known}
    text = _show(value).strip()
    if text in by_text:
        return by_text[text]
    if _is_number(value) and all(_is_number(k) for k in known):
        return min(known, key=lambda k: abs(k - value))
    match = difflib.get_close_matches(text, list(by_text), n=1, cutoff=SUGGEST_CUTOFF)
    return by_text[match[0]] if match else None


def require_known(value: Any, known: Iterable, *, parameter: str, what: str, where: str = "评估结果",
                  error: type[UnknownNameError] = UnknownNameError, **extra) -> Any:
    """``value`` if it is one of ``known``, else raise ``error`` naming it, the known ones and the closest.

    Parameters
    ----------
    value : object
        What the caller passed.
    known : iterable
        The accepted values (a table's column, a dict's keys...).
    parameter : str
        The parameter's name as the caller wrote it (``county``, ``year``...).
    what : str
        What a value is, in Chinese (``县区``, ``市``, ``年份``, ``学校标识码``...).
    where : str
        Where the known values come from, in Chinese (``评估结果``, ``数据``, ``资源配置明细``...).
    error : type
        :class:`UnknownNameError` or a subclass; ``extra`` keywords are passed on to it.

    Returns
    -------
    object
        ``value`` unchanged.

    Raises
    ------
    UnknownNameError
        Message: Chinese first (where, what, the value, the suggestion, the known
        values — all when at most :data:`MAX_LISTED`, else the first ones and the
        count), then the English gist.

    >>> require_known("清丰县", ["清丰县"], parameter="county", what="县区")
    '清丰县'
    >>> require_known("清丰具", ["南乐县", "清丰县"], parameter="county", what="县区")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    quality_balance.errors.UnknownNameError: 评估结果中没有县区“清丰具”（参数 county），是否指“清丰县”？...
    unknown county '清丰具'; did you mean '清丰县'?
    """
    known = _sorted(k.item() if hasattr(k, "item") else k  # numpy scalars as Python values, for the message
                    for k in known if _present(k))
    try:
        found = value in set(known)
    except TypeError:  # an unhashable value (a list given for one name)
        found = False
    if found:
        return value
    hint = suggest(value, known) if _is_number(value) or isinstance(value, str) else None
    shown = f"“{value}”" if isinstance(value, str) else f" {_show(value)} "
    zh = f"{where}中没有{what}{shown}（参数 {parameter}）"
    zh += f"，是否指“{_show(hint)}”？" if hint is not None else "。"
    zh += f"已有的{what}（共 {len(known)} 个）：{_listing(known)}" if known else f"{where}中没有任何{what}"
    en = f"unknown {parameter} {value!r}" + (f"; did you mean {hint!r}?" if hint is not None else "")
    raise error(f"{zh}\n{en}", parameter=parameter, value=value, known=known, suggestion=hint, **extra)


#: The selection parameters :func:`require_place` checks, in order: column, Chinese noun.
PLACE_PARAMETERS = (("city", "市"), ("county", "县区"), ("year", "年份"))


def require_place(table: Any, *, city: Any = None, county: Any = None, year: Any = None,
                  where: str = "评估结果", error: type[UnknownNameError] = UnknownNameError, **extra) -> None:
    """Check a (city, county, year) selection against the rows of a result table, in one call.

    ``None`` is "no filter" and is not checked. ``city`` is checked against the
    table's cities; ``county`` against the counties of that city (all, without
    one); ``year`` against the years of that county (or city, or table). A
    column the table lacks is not checked. Use it on a table that has a row for
    every place of the result (``verdicts``, ``items``, ``cv``...), not on one
    that lists only some (``shortfalls``: a county without a shortfall has none).

    Parameters
    ----------
    table : DataFrame or Assessment
        With ``city``, ``county`` and/or ``year`` columns; an object with a ``verdicts``
        table (an :class:`~quality_balance.method.assessment.Assessment`) is checked
        against its verdicts, one row per county and year assessed.
    city, county, year : optional
        The selection, as the public function received it.
    where : str
        Where the places come from, in Chinese, for the message.
    error : type
        :class:`UnknownNameError` or a subclass; ``extra`` keywords are passed on to it.

    Raises
    ------
    UnknownNameError
        For the first value the table does not hold (see :func:`require_known`).
    """
    rows = getattr(table, "verdicts", table)
    scope = ""
    for column, what in PLACE_PARAMETERS:
        wanted = {"city": city, "county": county, "year": year}[column]
        if wanted is None or column not in rows.columns:
            continue
        require_known(wanted, rows[column].dropna().unique(), parameter=column, what=what,
                      where=f"{where}{scope}", error=error, **extra)
        rows = rows[rows[column] == wanted]
        scope = f"（{_show(wanted)}）" if not scope else f"{scope[:-1]} {_show(wanted)}）"


class OutputError(InputError):
    """An output folder or file that could not be written (no permission, disk full, a writer failed).

    An :class:`InputError` (``problems`` name the folder, the reason and what to do;
    the command line exits with status 2), headed as a problem of the output, not of
    the input. Raised by :mod:`quality_balance.output`, after the half-written files
    have been removed.
    """

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        return "\n".join(["无法写出结果 / the output could not be written:"] + [f"  - {p}" for p in errors])
