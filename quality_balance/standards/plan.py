"""Plan targets as data, and how the data track them (规划目标跟踪).

A *plan* is a TOML file (shipped in ``quality_balance/standards/plans``: 濮阳市, 呼和浩特市,
桓台县, 蕉岭县); a user adds one by writing a file and passing its path. It names
its ``city``, the first year it counts (``start``) and a list of ``[[targets]]``,
each with an ``id``, a Chinese ``label`` and a ``kind``:

``yearly``
    an amount per year (``yearly = { 2021 = 43, ... }``) of a ``measure``;
``total``
    an amount to reach in all by ``year`` (``value``), counted from ``start``;
``level``
    a level of a ``measure`` to reach by ``year`` (``value``; ``direction`` ``">="``,
    or ``"<="`` for "at most", e.g. no large classes left);
``certification``
    a county certified by ``year`` (``county`` + ``year``, or ``by_county = {县 = 年}``;
    ``level = "provincial"`` for a provincial assessment);
``certified_share``
    at least ``share`` (a fraction, ``0.10`` or ``"1/3"``) of the city's counties
    certified by ``year``.

``yearly``, ``total`` and ``level`` targets apply to the whole city unless they
name a ``county`` or give ``by_county = {县 = 数}`` (one target per county; a
``value`` beside it is the city total and must equal their sum). ``actual`` says how
a year's amount is read from the measure: ``"value"`` (the figure itself, default),
``"fall"`` (its fall from the previous year) or ``"rise"``.

Files are found, listed and read by :data:`quality_balance.standards.registry.PLANS`.
How the data track a plan (measures, statuses) is
:mod:`quality_balance.planning.tracking`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Mapping


from .. import paths
from ..errors import ProfileError
from .registry import PLANS
from ..schema import COUNTIES

__all__ = ["Plan", "Target", "load_plan", "available_plans", "load_plans", "PLAN_DIR", "DERIVED_MEASURES", "KINDS",
           "COLUMN_KINDS", "LEVEL_LABELS"]

PLAN_DIR = paths.PLAN_DIR
KINDS = ("yearly", "total", "level", "certification", "certified_share")

#: Measures computed from the assessment: name → (Chinese label, unit).
DERIVED_MEASURES = {
    "large_schools": ("超过规模上限（G4）的学校数", "所"),
    "classes_56_plus": ("56人以上大班额班级数", "个"),
    "boarding_schools": ("寄宿制学校数（有寄宿生）", "所"),
    "rural_boarding_schools": ("农村（镇区、乡村）寄宿制学校数", "所"),
    "schools_built_expanded": ("新建、改扩建学校数（schools_built + schools_expanded）", "所"),
}
_SUMMABLE_KINDS = ("count", "amount")
COLUMN_KINDS = {c.name: c.kind for c in COUNTIES.columns
                 if c.kind in ("count", "amount", "rate", "ratio") and c.name not in ("year",)}
_COMMON = {"id": str, "kind": str, "label": str, "note": str}
_KEYS = {
    "yearly": {"measure": str, "yearly": dict, "actual": str, "unit": str, "county": str},
    "total": {"measure": str, "year": int, "value": (int, float), "by_county": dict, "actual": str, "unit": str,
              "county": str},
    "level": {"measure": str, "year": int, "value": (int, float), "by_county": dict, "direction": str, "unit": str,
              "county": str},
    "certification": {"year": int, "county": str, "by_county": dict, "level": str},
    "certified_share": {"share": (int, float, str), "year": int},
}
_TOP = {"name": str, "title": str, "source": str, "city": str, "start": int, "targets": list, "note": str}
LEVEL_LABELS = {"national": "国家督导评估认定", "provincial": "省级评估"}


@dataclass(frozen=True)
class Target:
    """One target of a plan (see the module docstring for the kinds)."""

    id: str
    kind: str
    label: str
    measure: str | None = None
    actual: str = "value"
    direction: str = ">="
    unit: str = ""
    year: int | None = None
    value: float | None = None
    yearly: Mapping[int, float] = field(default_factory=dict)
    county: str | None = None
    by_county: Mapping[str, float] = field(default_factory=dict)
    share: Fraction | None = None
    level: str = "national"
    note: str = ""

    @property
    def deadline(self) -> int:
        """The year the target is due (the last year of a ``yearly`` target)."""
        return max(self.yearly) if self.kind == "yearly" else int(self.year)


@dataclass(frozen=True)
class Plan:
    """A loaded, validated plan: ``city``, ``start`` year and its ``targets``."""

    name: str
    title: str
    source: str
    city: str
    start: int
    targets: tuple[Target, ...]
    path: str | None = None


def available_plans(search_path: Iterable[str | Path] = ()) -> dict[str, Path]:
    """Plan name → file, for the shipped plans and any ``*.toml`` in ``search_path``.

    Parameters
    ----------
    search_path : iterable of str or Path
        Extra folders (a file there replaces a shipped plan of the same name).

    Returns
    -------
    dict of str to Path
        See :meth:`quality_balance.standards.registry.Registry.available` (listings are cached per folder).
    """
    return PLANS.available(search_path)


def _kind_ok(value, typ) -> bool:
    if isinstance(value, bool):
        return typ is bool
    return isinstance(value, typ)


def _share(value) -> Fraction | None:
    try:
        share = Fraction(value) if not isinstance(value, float) else Fraction(value).limit_denominator(1000)
    except (ValueError, ZeroDivisionError):
        return None
    return share if 0 < share <= 1 else None


def _check_target(t: dict, i: int, start: int, problems: list[str]) -> None:
    where = f"targets #{i}" + (f" ({t['id']!r})" if isinstance(t.get("id"), str) else "")
    for key, typ in _COMMON.items():
        if key != "note" and key not in t:
            problems.append(f"{where}: lacks {key!r}")
        elif key in t and not _kind_ok(t[key], typ):
            problems.append(f"{where}: {key!r} must be text, got {t[key]!r}")
    kind = t.get("kind")
    if kind not in _KEYS:
        problems.append(f"{where}: 'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
        return
    allowed = {**_COMMON, **_KEYS[kind]}
    for key in set(t) - set(allowed):
        problems.append(f"{where}: unknown key {key!r} for kind {kind!r} (known: {', '.join(allowed)})")
    for key, typ in _KEYS[kind].items():
        if key in t and not _kind_ok(t[key], typ):
            problems.append(f"{where}: {key!r} has the wrong kind: {t[key]!r}")
    need = {"yearly": ("measure", "yearly"), "total": ("measure", "year"), "level": ("measure", "year"),
            "certification": (), "certified_share": ("share", "year")}[kind]
    for key in need:
        if key not in t:
            problems.append(f"{where}: lacks {key!r} (required for kind {kind!r})")
    if kind in ("total", "level") and "value" not in t and "by_county" not in t:
        problems.append(f"{where}: give 'value' (the whole city or 'county') or 'by_county'")
    if kind == "certification" and not (("county" in t and "year" in t) or "by_county" in t):
        problems.append(f"{where}: give 'county' and 'year', or 'by_county = {{县 = 年}}'")
    if "county" in t and "by_county" in t:
        problems.append(f"{where}: give either 'county' or 'by_county', not both")
    if isinstance(t.get("year"), int) and not 2000 <= t["year"] <= 2100:
        problems.append(f"{where}: 'year' must be a year such as 2025, got {t['year']!r}")
    if isinstance(t.get("value"), (int, float)) and not isinstance(t["value"], bool) and t["value"] < 0:
        problems.append(f"{where}: 'value' must not be negative, got {t['value']!r}")
    if t.get("actual", "value") not in ("value", "fall", "rise"):
        problems.append(f"{where}: 'actual' must be 'value', 'fall' or 'rise', got {t['actual']!r}")
    if t.get("direction", ">=") not in (">=", "<="):
        problems.append(f"{where}: 'direction' must be '>=' or '<=', got {t['direction']!r}")
    if t.get("level", "national") not in LEVEL_LABELS:
        problems.append(f"{where}: 'level' must be one of {', '.join(LEVEL_LABELS)}, got {t['level']!r}")
    if "share" in t and _share(t["share"]) is None:
        problems.append(f"{where}: 'share' must be a fraction in (0, 1] such as 0.10 or \"1/3\", got {t['share']!r}")
    measure = t.get("measure")
    if isinstance(measure, str) and measure not in DERIVED_MEASURES and measure not in COLUMN_KINDS:
        problems.append(f"{where}: unknown measure {measure!r}; expected one of "
                        f"{', '.join(DERIVED_MEASURES)} or a numeric county-table column "
                        f"(e.g. {', '.join(list(COLUMN_KINDS)[-6:])})")
    elif (isinstance(measure, str) and COLUMN_KINDS.get(measure) not in (None, *_SUMMABLE_KINDS)
          and "county" not in t and "by_county" not in t):
        problems.append(f"{where}: measure {measure!r} is a rate and cannot be summed over the city's counties; "
                        f"give 'county' or 'by_county'")
    if isinstance(t.get("yearly"), dict):
        for year, amount in t["yearly"].items():
            if not str(year).isdigit() or not 2000 <= int(year) <= 2100:
                problems.append(f"{where}: 'yearly' keys must be years such as 2021, got {year!r}")
            elif int(year) < start:
                problems.append(f"{where}: 'yearly' year {year} is before the plan's start {start}")
            if not _kind_ok(amount, (int, float)) or amount < 0:
                problems.append(f"{where}: 'yearly' amount for {year} must be a non-negative number, got {amount!r}")
        if not t["yearly"]:
            problems.append(f"{where}: 'yearly' is empty")
    if isinstance(t.get("by_county"), dict):
        for county, amount in t["by_county"].items():
            if kind == "certification":
                if not _kind_ok(amount, int) or not 2000 <= amount <= 2100:
                    problems.append(f"{where}: 'by_county' gives a year per county; {county!r} has {amount!r}")
            elif not _kind_ok(amount, (int, float)) or amount < 0:
                problems.append(f"{where}: 'by_county' amount for {county!r} must be a non-negative number, "
                                f"got {amount!r}")
        if (kind == "total" and "value" in t and _kind_ok(t["value"], (int, float))
                and all(_kind_ok(v, (int, float)) for v in t["by_county"].values())
                and abs(sum(t["by_county"].values()) - t["value"]) > 1e-9):
            problems.append(f"{where}: 'value' {t['value']:g} differs from the sum of 'by_county' "
                            f"({sum(t['by_county'].values()):g})")
    if kind == "total" and isinstance(t.get("year"), int) and t["year"] < start:
        problems.append(f"{where}: 'year' {t['year']} is before the plan's start {start}")


def _target(t: dict) -> Target:
    kind = t["kind"]
    return Target(
        id=t["id"], kind=kind, label=t["label"], measure=t.get("measure"), actual=t.get("actual", "value"),
        direction=t.get("direction", ">="),
        unit=t.get("unit", DERIVED_MEASURES.get(t.get("measure"), ("", ""))[1] if kind != "certified_share" else "%"),
        year=t.get("year"), value=float(t["value"]) if "value" in t else None,
        yearly={int(k): float(v) for k, v in t.get("yearly", {}).items()}, county=t.get("county"),
        by_county=dict(t.get("by_county", {})), share=_share(t["share"]) if "share" in t else None,
        level=t.get("level", "national"), note=t.get("note", ""))


def load_plan(plan: "str | Path | Plan", *, search_path: Iterable[str | Path] = ()) -> Plan:
    """Load a plan by name (``"濮阳市"``...) or path to a ``.toml`` file, validated.

    Parameters
    ----------
    plan : str, Path or Plan
        The plan's name (a shipped one, named after its city, or a ``*.toml`` in
        ``search_path``) or the path of a ``.toml`` file; a :class:`Plan` is
        returned as it is.
    search_path : iterable of str or Path, keyword-only
        Extra plan folders searched after the shipped one (a file there replaces a
        shipped plan of the same name). The default ``()`` searches only the
        shipped plans.

    Returns
    -------
    Plan
        ``name``, ``title``, ``source`` (the document the targets come from),
        ``city``, ``start`` (the plan's first year), ``targets`` (one
        :class:`Target` each: ``id``, ``kind``, ``measure``, ``direction``,
        ``unit``, the target ``year`` and ``value`` or ``yearly`` values,
        ``by_county``, ``level``…) and ``path``.

    Raises
    ------
    ProfileError
        Naming the file and every problem found (unknown plan name, unknown key,
        wrong kind, unknown measure, a ``value`` that differs from the sum of
        ``by_county``...).

    Examples
    --------
    >>> p = load_plan("濮阳市")
    >>> [t.yearly[2021] for t in p.targets if t.id == "large_classes"]
    [356.0]
    """
    if isinstance(plan, Plan):
        return plan
    path = PLANS.locate(plan, search_path)
    raw = PLANS.read(path)
    problems: list[str] = []
    for key in set(raw) - set(_TOP):
        problems.append(f"unknown key {key!r} (known: {', '.join(_TOP)})")
    for key in ("city", "start", "targets"):
        if key not in raw:
            problems.append(f"lacks {key!r}")
    for key, typ in _TOP.items():
        if key in raw and not _kind_ok(raw[key], typ):
            problems.append(f"{key!r} has the wrong kind: {raw[key]!r}")
    start = raw.get("start") if _kind_ok(raw.get("start"), int) else 0
    targets = raw.get("targets") if isinstance(raw.get("targets"), list) else []
    if "targets" in raw and not targets:
        problems.append("'targets' is empty; add [[targets]] tables")
    ids = [t.get("id") for t in targets if isinstance(t, dict)]
    for dup in sorted({i for i in ids if isinstance(i, str) and ids.count(i) > 1}):
        problems.append(f"target id {dup!r} is used more than once")
    for i, t in enumerate(targets, 1):
        if not isinstance(t, dict):
            problems.append(f"targets #{i} must be a table ([[targets]]), got {t!r}")
        else:
            _check_target(t, i, start, problems)
    if problems:
        raise ProfileError(f"plan file {path} is not valid:\n  - " + "\n  - ".join(problems))
    return Plan(name=raw.get("name", path.stem), title=raw.get("title", path.stem), source=raw.get("source", ""),
                city=raw["city"], start=raw["start"], targets=tuple(_target(t) for t in targets), path=str(path))


def load_plans(plans, cities: Iterable[str] | None = None) -> list[Plan]:
    """The plans asked for; ``None``: the shipped plans of the given cities."""
    if plans is None:
        loaded = [load_plan(p) for p in available_plans().values()]
        return [p for p in loaded if cities is None or p.city in set(cities)]
    if isinstance(plans, (str, Path, Plan)):
        plans = [plans]
    return [load_plan(p) for p in plans]


