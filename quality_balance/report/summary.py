"""The 摘要 that opens every report: the verdict and its reasons first, in words, on one screen.

A county report's summary (:func:`county_summary`, shown by :func:`summary_html`) says

* the latest year's overall verdict and the trend over the years (which years pass, how the
  number of items not met changed);
* the dimensions and items not met in the latest year, by name;
* the largest shortfalls in words: school, indicator, value, threshold, gap
  (:func:`shortfall_text`, from the assessment's ranked ``shortfalls``, method §10);
* the projected pass year (a 预测) beside the planned certification year and the earliest
  year the county may apply;
* the estimated cost (估算) of closing the resource gap (:func:`quality_balance.gap_to_pass`).

A city overview's summary (:func:`city_summary`) gives the counties passing in each year and
the city's certification goals with their status (:func:`quality_balance.plan_status`).

Nothing here decides anything: every status, figure and year is the assessment's, the
projection's, the plan tracking's or the gap's own. The HTML is built from escaped text only
and sits in ``<section id="qb-summary">``, which the real-browser tests look for on the first
screen. Layout of the report pages: docs/reports.md.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

from ..method.rules import OP_SIGNS, limit_text, number_text
from ..schema import DIMENSION_LABELS, INDICATOR_LABELS, INDICATOR_UNITS, STAGE_LABELS, status_label

__all__ = ["CountySummary", "CitySummary", "county_summary", "city_summary", "shortfall_text", "summary_html",
           "SUMMARY_ID", "TOP_SHORTFALLS"]

#: ``id`` of the summary's ``<section>`` (the browser tests find it there).
SUMMARY_ID = "qb-summary"
#: Shortfalls the summary spells out.
TOP_SHORTFALLS = 3
_DIMENSIONS = ("resources", "guarantee", "quality", "recognition")


@dataclass(frozen=True)
class CountySummary:
    """What a county report's 摘要 says, as plain values (see :func:`county_summary`)."""

    place: str
    year: int
    overall: str
    years: tuple[tuple[int, str], ...]
    trend: str
    failing_dimensions: tuple[str, ...]
    failing_items: tuple[str, ...]
    missing_items: tuple[str, ...]
    veto_items: tuple[str, ...]
    shortfalls: tuple[str, ...]
    n_shortfalls: int
    pass_year: str
    cost: str
    synthetic: bool = False


@dataclass(frozen=True)
class CitySummary:
    """What a city overview's 摘要 says (see :func:`city_summary`)."""

    city: str
    year: int
    passing: tuple[tuple[int, int, int], ...]
    latest_passing: tuple[str, ...]
    goals: tuple[tuple[str, str, str], ...] = field(default=())
    synthetic: bool = False


def _unit_of(row: pd.Series, parts: pd.DataFrame | None) -> str:
    item = str(row["item"])
    if item in INDICATOR_UNITS and pd.notna(row.get("school_id")):
        return INDICATOR_UNITS[item]
    if parts is None or parts.empty or item.endswith("-CV"):
        return ""
    own = parts[(parts["county"] == row["county"]) & (parts["year"] == row["year"]) & (parts["item"] == item)]
    failing = own[own["status"] == "not_met"]
    units = (failing if len(failing) else own)["unit"].dropna()
    unit = str(units.iloc[0]) if len(units) else ""
    return "" if "（" in unit else unit  # "所（未达标学校数）" counts schools: the row's reason says it in words


def shortfall_text(row: pd.Series, parts: pd.DataFrame | None = None, *, with_share: bool = True) -> str:
    """One shortfall of the assessment's ``shortfalls`` in words: where, what, value, threshold, gap.

    ``parts`` (the assessment's ``parts``) gives the unit of a county item; ``with_share`` adds
    the relative gap in brackets (a table with its own 差距占标准 column leaves it out).

    >>> r = pd.Series({"item": "R6", "school_id": "1", "school_name": "一小", "stage": "primary", "county": "甲县",
    ...                "year": 2025, "label": "生均教学仪器设备值", "value": 1400.958, "threshold": 2000.0,
    ...                "op": ">=", "gap": 599.042, "relative_gap": 0.2995, "reason": ""})
    >>> shortfall_text(r)
    '一小（小学）生均教学仪器设备值 1,401元/生，标准 ≥ 2,000元/生，差 599元/生（30%）'
    """
    item, op = str(row["item"]), str(row.get("op", ""))
    where = ""
    if isinstance(row.get("school_name"), str) and row["school_name"]:
        stage = STAGE_LABELS.get(row.get("stage"), "")
        where = row["school_name"] + (f"（{stage}）" if stage else "")
    if op == "rating":
        gap = row.get("gap")
        levels = f"，差 {int(gap)} 个等级" if pd.notna(gap) else ""
        return f"{row['label']}：{row['value']}，要求{row['threshold']}{levels}"
    if op == "==" or pd.isna(row.get("relative_gap")):
        return f"{where}{row['label']}：未做到" if where else f"{row['label']}：未做到"
    if item.endswith("-CV"):
        name = INDICATOR_LABELS.get(item[:-3], item[:-3])
        stage = STAGE_LABELS.get(row.get("stage"), "")
        return (f"{stage}“{name}”的校际差异系数 {number_text(row['value'], row['threshold'], decimals=3)}，"
                f"限值 ≤ {limit_text(row['threshold'])}")
    value, threshold = pd.to_numeric(row["value"], errors="coerce"), pd.to_numeric(row["threshold"], errors="coerce")
    share = f"（{row['relative_gap'] * 100:.0f}%）" if with_share else ""
    if pd.isna(value) or pd.isna(threshold) or (where and item.startswith(("G", "Q"))):
        reason = str(row.get("reason") or row["label"])
        return reason + share
    unit = _unit_of(row, parts)
    decimals = 0 if abs(threshold) >= 100 else 2 if abs(threshold) < 10 else 1
    sign = OP_SIGNS.get(op, "")
    return (f"{where}{row['label']} {number_text(value, threshold, decimals=decimals, unit=unit)}，"
            f"标准 {sign} {limit_text(threshold, unit)}，"
            f"差 {number_text(abs(row['gap']), decimals=decimals, unit=unit)}{share}")


def _trend(years: list[tuple[int, str]], counts: dict[int, int]) -> str:
    met = [y for y, s in years if s == "met"]
    first, last = years[0][0], years[-1][0]
    span = f"{first}—{last}年" if first != last else f"{last}年"
    if not met:
        text = f"{span}各年均未达标" if len(years) > 1 else f"{last}年未达标"
    elif len(met) == len(years):
        text = f"{span}各年均达标"
    else:
        run = 0
        for _, status in reversed(years):
            if status != "met":
                break
            run += 1
        if run:
            text = f"{years[-run][0]}年起达标（{span}中 {len(met)} 年达标）"
        else:
            text = f"{span}中 {len(met)} 年达标（{'、'.join(f'{y}年' for y in met)}），最近一年未达标"
    if len(counts) > 1:
        a, b = counts[first], counts[last]
        change = "持平" if a == b else ("减至" if b < a else "增至")
        text += (f"；未达标项目 {first}年 {a} 项，{last}年{change} {b} 项" if a != b
                 else f"；未达标项目 {first}年与{last}年均为 {b} 项")
    return text


def county_summary(result, county: str, *, city: str | None = None, gap=None, projected: pd.DataFrame | None = None,
                   planned_year: int | None = None, earliest_year: int | None = None) -> CountySummary:
    """The 摘要 of one county's report, from its assessment.

    Parameters
    ----------
    result : Assessment
        :func:`quality_balance.assess` output holding the county.
    county : str
        The county.
    city : str, keyword-only
        Its city (needed when two cities have a county of that name).
    gap : GapResult, keyword-only
        :func:`quality_balance.gap_to_pass` for the county's latest year; without it the cost is not given.
    projected : DataFrame, keyword-only
        :func:`quality_balance.projected_pass_year` output; without it the projection is not given.
    planned_year, earliest_year : int, keyword-only
        The planned certification year (plan data) and the earliest year the county may apply
        (basic-balance year + the profile's ``certification.min_years_after_basic``).

    Returns
    -------
    CountySummary
    """
    from ..errors import require_place

    require_place(result.verdicts, city=city, county=county)
    v = result.verdicts[(result.verdicts["county"] == county)
                        & ((result.verdicts["city"] == city) if city else True)].sort_values("year")
    last = v.iloc[-1]
    year = int(last["year"])
    items = result.items[(result.items["county"] == county) & ((result.items["city"] == city) if city else True)]
    counted = items[items["counts"].astype(bool)] if "counts" in items else items
    failing = counted[counted["status"] == "not_met"]
    counts = failing.groupby("year").size().reindex(v["year"], fill_value=0).to_dict()
    now = counted[counted["year"] == year]
    order = {d: i for i, d in enumerate(("resources", "guarantee", "quality", "recognition", "veto"))}
    now = now.assign(_d=now["dimension"].map(order)).sort_values(["_d"], kind="stable")

    def named(rows):
        return tuple(f"{r['label']}（{r['item']}）" for _, r in rows.iterrows())

    veto = now[(now["dimension"] == "veto") & (now["status"] == "not_met")]
    short = result.shortfalls[(result.shortfalls["county"] == county) & (result.shortfalls["year"] == year)
                              & ((result.shortfalls["city"] == city) if city else True)].sort_values("rank")
    parts = getattr(result, "parts", None)
    texts = tuple(shortfall_text(r, parts) for _, r in short.head(TOP_SHORTFALLS).iterrows())
    pass_year = _pass_year(projected, county, city, planned_year, earliest_year)
    return CountySummary(
        place=f"{last['city']}{county}", year=year, overall=str(last["overall"]),
        years=tuple((int(r["year"]), str(r["overall"])) for _, r in v.iterrows()),
        trend=_trend([(int(r["year"]), str(r["overall"])) for _, r in v.iterrows()], counts),
        failing_dimensions=tuple(DIMENSION_LABELS[d] for d in _DIMENSIONS if last.get(d) == "not_met"),
        failing_items=named(now[(now["status"] == "not_met") & (now["dimension"] != "veto")]),
        missing_items=named(now[now["status"] == "no_data"]), veto_items=named(veto),
        shortfalls=texts, n_shortfalls=len(short), pass_year=pass_year,
        cost=_cost(gap, county, year), synthetic=bool(result.synthetic))


def _pass_year(projected, county, city, planned_year, earliest_year) -> str:
    parts = []
    if projected is not None:
        own = projected[(projected["county"] == county) & ((projected["city"] == city) if city else True)]
        if len(own):
            p = own.iloc[0]
            if p["status"] == "met":
                parts.append(f"自{int(p['year'])}年起达标（实际）")
            elif p["status"] == "projected":
                parts.append(f"预测 {int(p['year'])}年达标（预测，按当前趋势）")
            else:
                parts.append(str(p["note"]))
    parts.append(f"计划认定 {planned_year}年" if planned_year else "规划未设认定年份")
    if earliest_year:
        parts.append(f"最早可申报 {earliest_year}年")
    return "；".join(parts)


def _cost(gap, county: str, year: int) -> str:
    from .notebook import _wan  # 元 as 万元, as the gap section words it

    if gap is None:
        return ""
    row = gap.counties[(gap.counties["county"] == county) & (gap.counties["year"] == year)]
    if row.empty:
        return ""
    r = row.iloc[0]
    if int(r["n_failing"]) == 0 and int(r["n_cv_failing"]) == 0:
        return "资源配置无需补充"
    text = f"补足资源配置差距（校际指标要求与差异系数）估算一次性投入约 {_wan(r['plan_cost_one_off_yuan'])}"
    if r["plan_cost_per_year_yuan"] > 0:
        text += f"，另每年新增教师费用约 {_wan(r['plan_cost_per_year_yuan'])}"
    return text + "（估算，见第十一节）"


def city_summary(result, city: str, *, plan_status: pd.DataFrame | None = None) -> CitySummary:
    """The 摘要 of a city overview: counties passing per year, and the city's certification goals.

    Parameters
    ----------
    result : Assessment
        Holding the city's counties.
    city : str
        The city.
    plan_status : DataFrame, keyword-only
        :func:`quality_balance.plan_status` output; its city-wide (全市) certification targets are listed.

    Returns
    -------
    CitySummary
    """
    from ..errors import require_place
    from ..planning.tracking import CITY_SCOPE

    require_place(result.verdicts, city=city)
    v = result.verdicts[result.verdicts["city"] == city]
    passing = tuple((int(y), int((g["overall"] == "met").sum()), int(g["county"].nunique()))
                    for y, g in v.groupby("year"))
    year = int(v["year"].max())
    latest = tuple(sorted(v.loc[(v["year"] == year) & (v["overall"] == "met"), "county"]))
    goals: tuple = ()
    if plan_status is not None and len(plan_status):
        own = plan_status[(plan_status["city"] == city) & (plan_status["scope"] == CITY_SCOPE)
                          & plan_status["kind"].isin(["certification", "certified_share"])]
        goals = tuple((str(r["label"]), str(r["status_label"]), str(r["reason"])) for _, r in own.iterrows())
    return CitySummary(city=city, year=year, passing=passing, latest_passing=latest, goals=goals,
                       synthetic=bool(result.synthetic))


def _e(text: object) -> str:
    return html.escape(str(text))


def _badge(year: int, status: str) -> str:
    return f'<span class="qb-badge qb-{_e(status)}">{year} {_e(status_label(status))}</span>'


def summary_html(summary: CountySummary | CitySummary) -> str:
    """The summary as an HTML ``<section id="qb-summary">`` (every text escaped).

    >>> s = CitySummary(city="甲市", year=2025, passing=((2025, 1, 2),), latest_passing=("<b>A县",))
    >>> "&lt;b&gt;A县" in summary_html(s) and 'id="qb-summary"' in summary_html(s)
    True
    """
    rows: list[str] = []
    if isinstance(summary, CountySummary):
        verdict = status_label(summary.overall)
        head = (f'<p class="qb-verdict qb-{_e(summary.overall)}">{summary.year}年综合结论：'
                f"<strong>{_e(verdict)}</strong></p>")
        rows.append(f"<li><b>历年结论</b>：{' '.join(_badge(y, s) for y, s in summary.years)}"
                    f"<br>{_e(summary.trend)}</li>")
        if summary.veto_items:
            rows.append(f"<li><b>一票否决</b>：{_e('；'.join(summary.veto_items))}</li>")
        if summary.failing_dimensions:
            rows.append(f"<li><b>未达标维度</b>：{_e('、'.join(summary.failing_dimensions))}</li>")
        if summary.failing_items:
            rows.append(f"<li><b>未达标项目（{len(summary.failing_items)} 项）</b>："
                        f"{_e('；'.join(summary.failing_items))}</li>")
        if summary.missing_items:
            rows.append(f"<li><b>缺少数据</b>：{_e('；'.join(summary.missing_items))}</li>")
        if summary.shortfalls:
            listed = "".join(f"<li>{_e(t)}</li>" for t in summary.shortfalls)
            rows.append(f"<li><b>主要短板</b>（共 {summary.n_shortfalls} 项，差距最大的 {len(summary.shortfalls)} 项，"
                        f"完整清单见第七节和整改台账）：<ol>{listed}</ol></li>")
        rows.append(f"<li><b>达标年份</b>：{_e(summary.pass_year)}</li>")
        if summary.cost:
            rows.append(f"<li><b>补足差距</b>：{_e(summary.cost)}</li>")
    else:
        y, n, total = summary.passing[-1]
        head = (f'<p class="qb-verdict">{summary.year}年：{total} 个县区中 <strong>{n} 个达标</strong>'
                f"{'（' + _e('、'.join(summary.latest_passing)) + '）' if summary.latest_passing else ''}</p>")
        per_year = "；".join(f"{yy}年 {nn}/{tt}" for yy, nn, tt in summary.passing)
        rows.append(f"<li><b>各年度达标县区数</b>：{_e(per_year)}</li>")
        for label, status, reason in summary.goals:
            rows.append(f"<li><b>全市目标“{_e(label)}”</b>：{_e(status)}。{_e(reason)}</li>")
        if not summary.goals:
            rows.append("<li><b>全市目标</b>：规划未设全市认定目标</li>")
    return (f'<section id="{SUMMARY_ID}" class="qb-summary"><h2 id="摘要">摘要</h2>{head}'
            f"<ul>{''.join(rows)}</ul></section>")
