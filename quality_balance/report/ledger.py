"""The rectification ledger (整改台账): one printable .xlsx per county and year, one row per shortfall.

Each row is a shortfall of :attr:`Assessment.shortfalls <quality_balance.Assessment>` (ranked:
veto items first, then by relative gap): the school and stage where it is a
school's, the indicator or item, its value, threshold, gap and relative gap,
and

* **整改措施** — what to add. An oversize class named by the class table (G5) is a row of its
  own (school, stage, class and students in 问题说明): bring it within its stage's limit. For a
  school missing an R indicator, the
  addition that :func:`quality_balance.planning.gap.gap_to_pass` computes in whole
  resource units (teachers, m², 元, rooms); for a CV over its limit, the
  smallest additions that bring it within the limit (gap_to_pass's water
  filling); for other items, a text built from the value, threshold and gap.
* **责任单位** — from the county's profile table ``[responsible]``, by item id
  (``G5``), then by the longest id prefix (``R``); blank where the profile names none.
* **计划完成年份** — the county's planned certification year
  (:func:`quality_balance.planning.tracking.planned_certification_year`), blank without a plan.

Sheets are laid out for printing (title rows with county, year, profile and
the 演示数据 label for synthetic data, frozen and repeated header, column
widths, wrapped text, landscape A4 fitted to the page width) and coloured by
conditional formats: veto items red, shortfalls whose relative gap exceeds
what the standard tolerates for one missed indicator (``1 −
resources.school_rule.min_ratio_of_miss`` of the county's profile, 15 % in
the national profile) light red, the others light yellow.

Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) is
neutralised (:func:`quality_balance.output.neutralise_formulas`); file names
are sanitised so that a county name such as ``../x`` never leaves the output
folder (:func:`ledger_filename`); files are written under a temporary name and
moved into place only when all are complete (:func:`quality_balance.output.atomic_folder`).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ProfileError
from ..method.rules import SchoolRule, digits_needed, limit_text, number_text
from ..output import MAX_NAME_CHARS, atomic_folder, neutralise_formulas, path_inside, safe_name
from ..schema import DIMENSION_LABELS, INDICATOR_UNITS, STAGE_LABELS, PLACE_KEY as PLACE, status_label

__all__ = ["LEDGER_HEADERS", "ledger_table", "ledger_filename", "write_ledger", "responsible_unit",
           "MAX_NAME_CHARS", "EXCEL_CELL_LIMIT", "PROGRESS_CHOICES", "LEGEND_SHEET", "row_heights",
           "planned_years"]

#: Ledger columns (English, as :func:`ledger_table` returns them) → Chinese headers, in sheet order.
LEDGER_HEADERS = {
    "rank": "序号", "dimension": "维度", "item": "项目", "label": "指标或项目", "school_id": "学校标识码",
    "school_name": "学校", "stage": "学段", "value": "现状值", "threshold": "标准值", "gap": "差距",
    "unit": "单位", "relative_gap": "相对差距", "action": "整改措施（需增加）", "responsible": "责任单位",
    "planned_year": "计划完成年份", "planned_source": "年份依据", "reason": "问题说明",
    "progress": "整改进展（选择）",
}
#: The choices of the 整改进展 drop-down (a data-validation list on that column).
PROGRESS_CHOICES = ("未启动", "进行中", "已完成", "不适用")
#: Name of the sheet explaining colours, columns and choices.
LEGEND_SHEET = "说明"
_WIDTHS = {"rank": 6, "dimension": 10, "item": 7, "label": 22, "school_id": 13, "school_name": 18, "stage": 6,
           "value": 10, "threshold": 10, "gap": 10, "unit": 9, "relative_gap": 9, "action": 36, "responsible": 18,
           "planned_year": 9, "planned_source": 16, "reason": 36, "progress": 12}
_LINE_HEIGHT = 15      # points per printed line of 10-pt text
#: Excel refuses longer text in one cell; longer cells are cut with a note.
EXCEL_CELL_LIMIT = 32_767
_DECIMALS = {"R6": 0}
_TITLE_ROWS = 3
_FILLS = {"veto": "F4B6B6", "large": "FCE4D6", "small": "FFF2CC"}


# --- file names ------------------------------------------------------------------------------------

def ledger_filename(county: str, year: int, city: str | None = None) -> str:
    """``<县区>_<年份>_整改台账.xlsx`` (``<市>_<县区>_…`` when a city is given), safe as one file name.

    Path separators, ``..``, characters Windows forbids and control characters
    are replaced, leading and trailing dots and spaces removed, and names longer
    than :data:`MAX_NAME_CHARS` cut and completed with a hash of the full name.

    >>> ledger_filename("清丰县", 2025)
    '清丰县_2025_整改台账.xlsx'
    >>> ledger_filename("../../etc/passwd", 2025)
    '_.._etc_passwd_2025_整改台账.xlsx'
    >>> ledger_filename("..", 2025)
    '未命名_2025_整改台账.xlsx'
    """
    parts = ([safe_name(city)] if city is not None else []) + [safe_name(county), str(int(year)), "整改台账"]
    return "_".join(parts) + ".xlsx"


def _file_names(places: pd.DataFrame) -> list[str]:
    """One distinct file name per (city, county, year): ``<市>_<县区>_<年份>_整改台账.xlsx``, always with the
    city, so that two 新城区 of two cities never collide and a file names its place on its own."""
    names = [ledger_filename(k, y, c) for c, k, y in zip(places["city"], places["county"], places["year"])]
    if len(set(names)) < len(names):  # different names that sanitise alike ("a/b" and "a_b")
        names = [n.removesuffix(".xlsx") + "_" + hashlib.sha1(f"{c}\0{k}".encode()).hexdigest()[:8] + ".xlsx"
                 for n, c, k in zip(names, places["city"], places["county"])]
    return names


# --- the table -------------------------------------------------------------------------------------

def _as_list(value) -> list | None:
    if value is None:
        return None
    return [value] if isinstance(value, (str, int, np.integer)) else list(value)


def _select(assessment, counties, years) -> pd.DataFrame:
    """The (city, county, year) places to write, checking that every requested one exists."""
    places = assessment.verdicts[PLACE].drop_duplicates().sort_values(PLACE).reset_index(drop=True)
    problems = []
    counties, years = _as_list(counties), _as_list(years)
    if counties is not None:
        known = places["county"].unique().tolist()
        problems += [Problem("county", "评估结果中没有这个县区", value=c, expected="以下之一：" + "、".join(known),
                             fix="检查县区名称（与数据中的“县区”列一致）") for c in counties if c not in known]
        places = places[places["county"].isin(counties)]
    if years is not None:
        years = [int(y) for y in years]
        known = sorted(places["year"].unique().tolist())
        problems += [Problem("year", "评估结果中没有这一年", value=y,
                             expected="以下之一：" + "、".join(map(str, known)),
                             fix="检查年份") for y in years if y not in known]
        places = places[places["year"].isin(years)]
    if problems:
        raise InputError(problems)
    return places.reset_index(drop=True)


def _number(x: float, decimals: int, limit: float | None = None) -> str:
    """``1234.5`` → ``'1,234.5'``; trailing zeros removed; more decimals when needed against ``limit``.

    >>> _number(1234.5, 2), _number(9.99, 1, 10.0), _number(0.004, 2, 0.0)
    ('1,234.5', '9.99', '0.004')
    """
    text = number_text(x, limit, decimals=decimals)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _decimals(items: pd.Series) -> np.ndarray:
    base = items.str.replace("-CV", "", regex=False)
    return np.where(items.str.endswith("-CV"), 3, base.map(_DECIMALS).fillna(2)).astype(int)


def _shown(values: pd.Series, decimals: np.ndarray, veto: np.ndarray, limits: pd.Series | None = None) -> pd.Series:
    """Values for people: numbers rounded (kept numeric), yes/no as 是/否, a present veto as 存在.

    With ``limits`` (each value's threshold) a value keeps the decimals it needs not to read as its
    threshold (:func:`quality_balance.method.rules.digits_needed`).
    """
    is_bool = values.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy()
    numeric = pd.to_numeric(values.where(~is_bool), errors="coerce").to_numpy(dtype=float)
    if limits is not None:
        limit = pd.to_numeric(limits, errors="coerce").to_numpy(dtype=float)
        decimals = np.array([digits_needed(x, t, int(d)) for x, t, d in zip(numeric, limit, decimals)], dtype=int)
    rounded = [round(x, d) if d else round(x) for x, d in zip(np.nan_to_num(numeric), decimals)]
    out = values.astype(object).where(values.notna(), None).to_numpy()
    out = np.where(np.isfinite(numeric), np.array(rounded, dtype=object), out)
    truthy = values.map(lambda v: bool(v) if isinstance(v, (bool, np.bool_)) else False).to_numpy()
    out = np.where(is_bool, np.where(veto, np.where(truthy, "存在", "无"), np.where(truthy, "是", "否")), out)
    return pd.Series(out, index=values.index, dtype=object)


def _generic_action(s: pd.DataFrame, decimals: np.ndarray) -> pd.Series:
    """整改措施 for items other than R: from the value, threshold, gap and the comparison ``op``.

    ``op`` (the shortfall list's) says which way to move: ``<=``/``<`` lower the value to
    (below) the threshold, ``>=``/``>`` raise it. Numbers keep the digits they need not to read
    as the threshold (and a gap not to read as 0).
    """
    value = pd.to_numeric(s["value"].where(~s["value"].map(lambda v: isinstance(v, (bool, np.bool_)))),
                          errors="coerce")
    threshold = pd.to_numeric(s["threshold"], errors="coerce")
    numeric = value.notna() & threshold.notna()
    op = s["op"].fillna("").astype(str) if "op" in s else pd.Series("", index=s.index)

    def text(column: pd.Series, limit: pd.Series | None = None) -> pd.Series:
        limits = limit if limit is not None else pd.Series(np.nan, index=s.index)
        return pd.Series([_number(x, d, None if t != t else t) if x == x else ""
                          for x, d, t in zip(column, decimals, limits)], index=s.index)

    v = text(value, threshold)
    t = pd.Series([limit_text(x) if x == x else "" for x in threshold], index=s.index)
    g = text(pd.to_numeric(s["gap"], errors="coerce"), pd.Series(0.0, index=s.index))
    label = s["label"].astype(str)
    lower = "降至 " + t + " 以内（现 " + v + "，需减少 " + g + "）"
    strictly_lower = "降至 " + t + " 以下（现 " + v + "）"
    raise_ = "提高至 " + t + "（现 " + v + "，差 " + g + "）"
    strictly_raise = "提高至 " + t + " 以上（现 " + v + "）"
    shown = s["value"].map(lambda x: ("是" if x else "否") if isinstance(x, (bool, np.bool_)) else str(x))
    reach = "达到“" + s["threshold"].astype(str) + "”（现为“" + shown + "”）：" + label
    veto = "消除“" + label + "”情形（一票否决项，认定前必须整改到位）"
    unknown = s["value"].isna() | s["threshold"].isna()
    # G3's value is a share achieved (rooms and areas), not a quantity to add: say what to do instead
    rooms = ("配齐或改扩建音乐、美术专用教室（现达到要求的 " + (value * 100).round().map("{:.0f}%".format)
             + "，见问题说明）")
    # G5 from the class table: one row per oversize class, to be brought within its stage's limit
    stage = s["stage"] if "stage" in s else pd.Series(None, index=s.index, dtype=object)
    one_class = s["item"].eq("G5") & stage.notna() & numeric
    a_class = "分流学生或增设班级，使该班降至 " + t + " 人以内（现 " + v + " 人，需减少 " + g + " 人）"
    conditions = [s["dimension"].eq("veto"), unknown, s["item"].eq("G3"), one_class, numeric & op.eq("<="),
                  numeric & op.eq("<"), numeric & op.eq(">"), numeric & op.eq(">=")]
    choices = [veto, "按标准整改：" + s["reason"].astype(str), rooms, a_class, lower, strictly_lower, strictly_raise,
               raise_]
    return pd.Series(np.select([c.to_numpy() for c in conditions], choices, reach), index=s.index)


def _r_actions(assessment, s: pd.DataFrame) -> pd.Series:
    """整改措施 for the R rows, from :func:`quality_balance.planning.gap.gap_to_pass` (NaN where it has none)."""
    from ..planning.gap import gap_to_pass

    places = s[["county", "year"]].drop_duplicates()
    gap = gap_to_pass(assessment, county=sorted(places["county"].unique()), year=sorted(places["year"].unique()))
    units = gap.units.rename(columns={"indicator": "item", "description": "_action"})
    unit_key = PLACE + ["school_id", "stage", "item"]
    units = units[unit_key + ["_action"]].drop_duplicates(unit_key)
    cv = gap.cv_summary.assign(item=gap.cv_summary["indicator"] + "-CV").rename(columns={"description": "_action"})
    cv = cv[PLACE + ["stage", "item", "_action"]].drop_duplicates(PLACE + ["stage", "item"])
    keyed = s[PLACE + ["school_id", "stage", "item"]].reset_index()
    keyed["school_id"] = keyed["school_id"].fillna("").astype(str)  # CV rows have no school
    units["school_id"] = units["school_id"].astype(str)
    by_unit = keyed.merge(units, on=unit_key, how="left").set_index("index")["_action"]
    by_cv = (keyed.drop(columns="school_id").merge(cv, on=PLACE + ["stage", "item"], how="left")
             .set_index("index")["_action"])
    return by_unit.fillna(by_cv).reindex(s.index)


def responsible_unit(profile, item: str) -> str:
    """The responsible unit a profile's ``[responsible]`` table names for an item; ``""`` if none.

    The item id itself wins (``G5``), else the longest listed prefix (``G``);
    a CV item ``R5-CV`` is looked up as ``R5``.

    >>> from quality_balance.standards.profile import load_profile
    >>> responsible_unit(load_profile("national"), "R5-CV")
    '县教育局（计财股、人事股）'
    >>> responsible_unit(load_profile("national"), "L1")
    ''
    """
    try:
        table = profile.get("responsible")
    except ProfileError:
        return ""
    base = item.removesuffix("-CV")
    keys = [k for k in table if base.startswith(k)]
    return table[max(keys, key=len)] if keys else ""


def _responsible(assessment, s: pd.DataFrame) -> pd.Series:
    """责任单位 of every row, looked up once per distinct (city, county, item)."""
    pairs = s[["city", "county", "item"]].drop_duplicates().itertuples(index=False, name=None)
    found = {(c, k, i): responsible_unit(assessment.profiles[(c, k)], i) for c, k, i in pairs}
    return pd.Series([found[key] for key in zip(s["city"], s["county"], s["item"])], index=s.index, dtype=object)


def planned_years(assessment, places: pd.DataFrame,
                  county_data: pd.DataFrame | None = None) -> dict[tuple[str, str, int], tuple[int | None, str]]:
    """The planned certification year of each (city, county, year) and where it comes from.

    The county's plan (:func:`quality_balance.planning.tracking.planned_certification_year`) wins;
    without one, the earliest year the county's profile allows: its basic-balance certification year
    (``basic_balance_year`` of ``county_data``, the dataset's county table) plus
    ``certification.min_years_after_basic``, and not before the ledger's own year; else none.

    Parameters
    ----------
    assessment : Assessment
        Its ``profiles`` give ``certification.min_years_after_basic`` per county.
    places : DataFrame
        ``city``, ``county``, ``year`` of the ledgers.
    county_data : DataFrame, optional
        The county table (``city``, ``county``, ``year``, ``basic_balance_year``).

    Returns
    -------
    dict
        (city, county, year) → (year or None, the source in words: 规划…, 按评估标准推算…, or 无).
    """
    from ..planning.tracking import planned_certification_year

    basic: dict[tuple[str, str], int] = {}
    if county_data is not None and {"city", "county", "basic_balance_year"} <= set(county_data.columns):
        known = county_data.dropna(subset=["basic_balance_year"])
        basic = {k: int(v) for k, v in known.groupby(["city", "county"])["basic_balance_year"].min().items()}
    out = {}
    plan_years = {(c, k): planned_certification_year(c, k)
                  for c, k in places[["city", "county"]].drop_duplicates().itertuples(index=False, name=None)}
    for c, k, y in places[PLACE].itertuples(index=False, name=None):
        plan = plan_years[(c, k)]
        if plan is not None:
            out[(c, k, y)] = (int(plan), "规划目标年份")
            continue
        if (c, k) in basic:
            wait = int(assessment.profiles[(c, k)].get("certification.min_years_after_basic"))
            earliest = basic[(c, k)] + wait
            out[(c, k, y)] = (max(earliest, int(y)),
                              f"按评估标准推算：基本均衡认定 {basic[(c, k)]} 年 + 至少 {wait} 年"
                              + ("" if earliest >= y else f"（{earliest} 年已过，取本年）"))
            continue
        out[(c, k, y)] = (None, "无：规划未定年份，数据中也没有基本均衡认定年份")
    return out


def _units(assessment, s: pd.DataFrame) -> pd.Series:
    """单位 of each row: R indicators from :data:`quality_balance.schema.INDICATOR_UNITS`, a CV has none,
    other items the unit of the part that failed (the assessment's ``parts`` table); blank where unknown."""
    base = s["item"].str.removesuffix("-CV")
    units = base.map(INDICATOR_UNITS).where(~s["item"].str.endswith("-CV"), "（系数，无单位）")
    parts = getattr(assessment, "parts", None)
    if parts is not None and len(parts) and "unit" in parts:
        failing = parts[parts["status"].eq("not_met")]
        failing = failing.drop_duplicates(PLACE + ["item"])[PLACE + ["item", "unit"]]
        school_items = set(assessment.school_failures["item"]) if len(assessment.school_failures) else set()
        failing = failing[~failing["item"].isin(school_items)]   # a county count, not the school's figure
        found = s[PLACE + ["item"]].merge(failing, on=PLACE + ["item"], how="left")["unit"].to_numpy()
        units = units.where(units.notna(), pd.Series(found, index=s.index))
    return units.fillna("").astype(object)


def row_heights(texts: pd.DataFrame, widths: dict[str, float], *, line: float = _LINE_HEIGHT) -> pd.Series:
    """Row heights (points) at which wrapped text prints whole: the most lines any cell of a row needs.

    A cell needs ``ceil(display width / (column width − 1))`` lines per paragraph (a CJK character is
    2 wide, :func:`quality_balance.report.export.display_width`); openpyxl does not autofit rows.

    Parameters
    ----------
    texts : DataFrame
        The cells as written (English column names of :data:`LEDGER_HEADERS`).
    widths : dict
        Column → width in Excel character units.
    line : float, keyword-only
        Points per line (default 15, 10-pt text).

    Returns
    -------
    Series of float
        One height per row, at least one line.

    >>> row_heights(pd.DataFrame({"a": ["短", "很" * 20]}), {"a": 11})
    0    15.0
    1    60.0
    dtype: float64
    """
    from .export import display_width

    lines = pd.Series(1, index=texts.index, dtype=float)
    for col in texts.columns:
        width = max(float(widths.get(col, 10)) - 1, 1.0)
        column = texts[col].astype(object)
        cells = column.where(column.notna(), "").astype(str)
        paragraphs = cells.str.split("\n")
        need = paragraphs.map(lambda ps: sum(max(1, int(np.ceil(int(display_width(pd.Series([p])).iloc[0])
                                                               / width))) for p in ps))
        lines = np.maximum(lines, need.astype(float))
    return pd.Series(lines * line, index=texts.index, dtype=float)


def ledger_table(assessment, counties: str | Iterable[str] | None = None,
                 years: int | Iterable[int] | None = None, *, county_data: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ledger rows: one per shortfall of the selected counties and years (default: all).

    Returns ``city``, ``county``, ``year`` and the columns of
    :data:`LEDGER_HEADERS` (English names): values and gaps rounded for people
    (元 whole, CVs 3 decimals, others 2), yes/no values as 是/否 (a veto item
    present as 存在), ``relative_gap`` a fraction, ``planned_year`` nullable
    integer with ``planned_source`` saying where it comes from (:func:`planned_years`; pass
    ``county_data``, keyword-only, the dataset's county table, for the profile's earliest year),
    ``unit`` the unit of value, threshold and gap, ``progress`` blank for the county to choose
    (:data:`PROGRESS_CHOICES`). Raises
    :class:`~quality_balance.errors.InputError` for a county or year that is not
    in the assessment.
    """
    places = _select(assessment, counties, years)
    s = assessment.shortfalls.merge(places, on=PLACE, how="inner")
    s = s.sort_values(PLACE + ["rank"], kind="stable").reset_index(drop=True)
    columns = PLACE + list(LEDGER_HEADERS)
    if s.empty:
        return pd.DataFrame(columns=columns)
    decimals = _decimals(s["item"])
    veto = s["dimension"].eq("veto").to_numpy()
    action = _generic_action(s, decimals)
    resources = s["dimension"].eq("resources")
    if resources.any():
        action = _r_actions(assessment, s[resources]).reindex(s.index).fillna(action)
    planned = planned_years(assessment, places, county_data)
    out = s[PLACE + ["rank", "item", "label", "school_id", "school_name", "reason"]].copy()
    out["dimension"] = s["dimension"].map(DIMENSION_LABELS)
    out["stage"] = s["stage"].map(STAGE_LABELS)
    out["value"] = _shown(s["value"], decimals, veto, s["threshold"])
    out["threshold"] = _shown(s["threshold"], decimals, veto)
    gap = pd.to_numeric(s["gap"], errors="coerce")
    gap_decimals = [digits_needed(x, 0.0, int(d)) for x, d in zip(gap.fillna(0), decimals)]  # never a 0 gap
    out["gap"] = [round(x, d) if d else round(x) for x, d in zip(gap.fillna(0), gap_decimals)]
    out["gap"] = out["gap"].where(gap.notna())
    out["unit"] = _units(assessment, s)
    out["relative_gap"] = pd.to_numeric(s["relative_gap"], errors="coerce")
    out["action"] = action
    out["responsible"] = _responsible(assessment, s)
    chosen = [planned[(c, k, y)] for c, k, y in zip(s["city"], s["county"], s["year"])]
    out["planned_year"] = pd.array([p[0] for p in chosen], dtype="Int64")
    out["planned_source"] = [p[1] for p in chosen]
    out["progress"] = ""
    return out[columns]


# --- the workbook ----------------------------------------------------------------------------------

def _cell_value(value):
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
        note = "…（已截断）"
        return value[:EXCEL_CELL_LIMIT - len(note)] + note
    if isinstance(value, np.generic):
        return value.item()
    return value


def _neutral(text: str) -> str:
    """One title text with formula-like starts neutralised."""
    return neutralise_formulas(pd.DataFrame({"t": [text]}))["t"].iloc[0]


def _title_lines(assessment, city: str, county: str, year: int, n_rows: int) -> list[str]:
    profile = assessment.profiles[(city, county)]
    verdict = assessment.verdicts[(assessment.verdicts["city"] == city) & (assessment.verdicts["county"] == county)
                                  & (assessment.verdicts["year"] == year)].iloc[0]
    synthetic = "【演示数据 — 合成，非真实统计】" if assessment.synthetic else ""
    first = f"{synthetic}{city}{county} {year}年 县域义务教育优质均衡发展整改台账"
    second = (f"评估标准：{profile.title}；{assessment.label}；生成日期：{_dt.date.today().isoformat()}")
    status = "；".join(f"{DIMENSION_LABELS[d]} {status_label(verdict[d])}"
                       for d in ("resources", "guarantee", "quality", "recognition"))
    third = (f"综合结论：{status_label(verdict['overall'])}（{status}）；"
             f"需整改 {n_rows} 项" if n_rows else
             f"综合结论：{status_label(verdict['overall'])}（{status}）；本年度没有未达标项目")
    return [first, second, third]


def _tolerance(assessment, city: str, county: str) -> float:
    """The relative gap the standard tolerates for one missed R indicator: the county's
    :attr:`SchoolRule.tolerance <quality_balance.method.rules.SchoolRule.tolerance>` (1 − min_ratio_of_miss)."""
    return SchoolRule.from_profile(assessment.profiles[(city, county)]).tolerance


def _write_sheet(path: Path, rows: pd.DataFrame, titles: list[str], tolerance: float, synthetic: bool) -> None:
    import openpyxl
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    names = list(LEDGER_HEADERS)
    people = neutralise_formulas(rows[names].astype(object)).rename(columns=LEDGER_HEADERS)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "整改台账"
    last = get_column_letter(len(names))
    for i, text in enumerate(titles, start=1):
        ws.cell(i, 1, _cell_value(_neutral(text))).font = Font(bold=(i == 1), size=14 if i == 1 else 10,
                                                                color="C00000" if synthetic and i == 1 else None)
        ws.merge_cells(f"A{i}:{last}{i}")
    header_row = _TITLE_ROWS + 1
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for j, header in enumerate(people.columns, start=1):
        cell = ws.cell(header_row, j, header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = border
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, record in enumerate(people.itertuples(index=False, name=None), start=header_row + 1):
        for j, value in enumerate(record, start=1):
            cell = ws.cell(i, j, _cell_value(value))
            cell.alignment = wrap
            cell.border = border
    first, end = header_row + 1, header_row + max(len(people), 1)
    gap_col = get_column_letter(names.index("relative_gap") + 1)
    dim_col = get_column_letter(names.index("dimension") + 1)
    for r in range(first, end + 1):
        ws[f"{gap_col}{r}"].number_format = "0.0%"
    area = f"A{first}:{last}{end}"
    veto = DIMENSION_LABELS["veto"]
    ws.conditional_formatting.add(area, FormulaRule(formula=[f'${dim_col}{first}="{veto}"'], stopIfTrue=True,
                                                    fill=PatternFill("solid", bgColor=_FILLS["veto"]),
                                                    font=Font(bold=True, color="9C0006")))
    ws.conditional_formatting.add(area, FormulaRule(
        formula=[f'AND(ISNUMBER(${gap_col}{first}),${gap_col}{first}>={tolerance:.6g})'], stopIfTrue=True,
        fill=PatternFill("solid", bgColor=_FILLS["large"])))
    ws.conditional_formatting.add(area, FormulaRule(formula=[f'ISNUMBER(${gap_col}{first})'],
                                                    fill=PatternFill("solid", bgColor=_FILLS["small"])))
    for j, name in enumerate(names, start=1):
        ws.column_dimensions[get_column_letter(j)].width = _WIDTHS[name]
    # openpyxl does not autofit: heights from the wrapped text so that every cell prints whole
    heights = row_heights(rows[names].reset_index(drop=True), _WIDTHS)
    for i, height in enumerate(heights, start=header_row + 1):
        ws.row_dimensions[i].height = float(height)
    ws.row_dimensions[header_row].height = 2 * _LINE_HEIGHT
    progress_col = get_column_letter(names.index("progress") + 1)
    choices = DataValidation(type="list", formula1='"' + ",".join(PROGRESS_CHOICES) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle=LEDGER_HEADERS["progress"],
                             error="请从下拉列表中选择：" + "、".join(PROGRESS_CHOICES))
    choices.add(f"{progress_col}{first}:{progress_col}{end}")
    ws.add_data_validation(choices)
    ws.freeze_panes = ws.cell(first, 1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    _write_legend(book, tolerance, rows)
    book.properties.title = _cell_value(_neutral(titles[0]))
    if synthetic:
        book.properties.description = "synthetic demo data — not real statistics"
    book.save(path)


def legend_rows(tolerance: float, rows: pd.DataFrame) -> list[tuple[str, str]]:
    """The 说明 sheet's rows: (what, meaning) for the three colours, the columns and the drop-down.

    The colour thresholds are those of the conditional formats (``tolerance``, the county's
    :attr:`SchoolRule.tolerance <quality_balance.method.rules.SchoolRule.tolerance>`).

    >>> legend_rows(0.15, pd.DataFrame({"planned_source": []}))[1]
    ('浅红色', '相对差距不小于 15%（超过标准对一项未达标指标所容许的差距）')
    """
    sources = sorted(set(rows["planned_source"].dropna())) if "planned_source" in rows else []
    return [
        ("红色", "一票否决项：认定前必须整改到位"),
        ("浅红色", f"相对差距不小于 {tolerance:.0%}（超过标准对一项未达标指标所容许的差距）"),
        ("浅黄色", f"相对差距小于 {tolerance:.0%}"),
        ("单位", "现状值、标准值与差距的单位；差异系数没有单位"),
        ("相对差距", "差距 ÷ 标准值"),
        ("计划完成年份", "县区的规划目标年份；规划未定时，按评估标准推算最早可申请认定的年份（基本均衡认定年份 + "
                   "规定的最少年数）；“年份依据”列写明来源"),
        *[("年份依据", text) for text in sources],
        ("整改进展（选择）", "从下拉列表中选择：" + "、".join(PROGRESS_CHOICES)
         + "（未启动：尚未开始；进行中：已开始未完成；已完成：已整改到位；不适用：该项无需整改）"),
    ]


def _write_legend(book, tolerance: float, rows: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = book.create_sheet(LEGEND_SHEET)
    ws.append(["项目", "说明"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    fills = {"红色": _FILLS["veto"], "浅红色": _FILLS["large"], "浅黄色": _FILLS["small"]}
    for what, meaning in legend_rows(tolerance, rows):
        ws.append([what, _neutral(meaning)])
        if what in fills:
            ws.cell(ws.max_row, 1).fill = PatternFill("solid", fgColor=fills[what])
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 80
    for i, height in enumerate(row_heights(pd.DataFrame({"b": [c.value for c in ws["B"]]}), {"b": 80}), start=1):
        ws.row_dimensions[i].height = float(height)


def write_ledger(assessment, folder: str | Path, *, counties: str | Iterable[str] | None = None,
                 years: int | Iterable[int] | None = None, county_data: pd.DataFrame | None = None) -> list[Path]:
    """Write one rectification ledger per selected county and year into ``folder``; return the paths.

    A county-year without shortfalls gets a ledger saying so. Files appear only
    when every ledger is complete (temporary folder, then rename).

    Parameters
    ----------
    assessment : Assessment
        From :func:`quality_balance.assess`.
    folder : str or Path
        The output folder (created if needed). Only files named by
        :func:`ledger_filename` are written, all inside it; other files there are kept.
    counties : str or iterable of str, optional, keyword-only
        Restrict to these counties (default ``None``: every one assessed). Keyword-only
        although it is a selection: a second positional string beside ``folder`` is
        too easily swapped with it.
    years : int or iterable of int, optional, keyword-only
        Restrict to these years (default ``None``: every one assessed).
    county_data : DataFrame, optional, keyword-only
        The dataset's county table (``Dataset.counties``): its ``basic_balance_year`` gives the
        planned year where no plan sets one (:func:`planned_years`). Default ``None``: plans only.

    Returns
    -------
    list of Path
        ``folder / <ledger_filename>`` for each county and year written, ordered by
        city, county and year: ``<市>_<县区>_<年份>_整改台账.xlsx`` (always with the city).

    Raises
    ------
    InputError
        For a county or year not assessed, a file name that would fall outside
        ``folder``, or a folder that cannot be written.
    """
    rows = ledger_table(assessment, counties, years, county_data=county_data)
    places = _select(assessment, counties, years)
    names = _file_names(places)
    by_place = dict(iter(rows.groupby(PLACE, sort=False)))
    folder = Path(folder)
    for name in names:
        path_inside(folder, name)  # the final place, links followed: refused before anything is written
    with atomic_folder(folder) as tmp:
        for (city, county, year), name in zip(places.itertuples(index=False, name=None), names):
            path = path_inside(tmp, name)
            own = by_place.get((city, county, year), rows.iloc[:0])
            _write_sheet(path, own, _title_lines(assessment, city, county, year, len(own)),
                         _tolerance(assessment, city, county), assessment.synthetic)
    return [folder / name for name in names]
