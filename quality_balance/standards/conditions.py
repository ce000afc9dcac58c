"""Conditional rules of a profile: exceptions keyed on school attributes, decided in one place.

Method: docs/method.md §9.4; the TOML form: docs/profiles.md.

A profile may list ``[[exceptions]]``: each names conditions on attributes of a school
(:data:`ATTRIBUTES`: year planned or built, location, largest class, migrant-children share,
students...) and an effect, either

* ``set``: per-school values of thresholds (:data:`SETTINGS`, e.g. the G3 room minimums or
  the G4 size limits) that replace the profile's own for the schools meeting the conditions; or
* ``variant``: a named way of computing an indicator from a fixed registry (:data:`VARIANTS`,
  e.g. R4 = teaching and auxiliary rooms minus the indoor sports area).

Example (a local profile)::

    [[exceptions]]
    id = "E1"
    label = "2016年及以前规划并建成的学校"
    when = [{ attribute = "year_planned", op = "<=", value = 2016 },
            { attribute = "year_built", op = "<=", value = 2016 }]
    set = { "guarantee.G3.music_room_min_m2" = 73.0, "guarantee.G3.art_room_min_m2" = 67.0 }

Every condition of ``when`` must hold (for "or", write two exceptions; ``when = []`` applies the
exception to every school of the profile's counties). A school whose
attribute is blank does not meet a condition on it: the exception does not apply to it.
When several exceptions set the same threshold for one school, the one listed last wins (a
child profile's exceptions come after its parent's). Conditions are evaluated vectorised over
the whole school table, each county under its own profile; every consumer (the G3/G4 items,
the R3/R4/R5 numerators) asks this module: :func:`school_setting`, :func:`apply_variants`.
The national profile has no exceptions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

__all__ = ["ATTRIBUTES", "OPERATORS", "SETTINGS", "VARIANTS", "Attribute", "Variant", "Condition", "ConditionalRule",
           "check_exceptions", "exceptions_of", "exception_masks", "school_setting", "apply_variants",
           "applied_exceptions"]

_STAGES = ("primary", "junior")


def _column(schools: pd.DataFrame, name: str) -> pd.Series:
    if name in schools:
        return pd.to_numeric(schools[name], errors="coerce").astype(float)
    return pd.Series(np.nan, index=schools.index, dtype=float)


def _students(schools: pd.DataFrame) -> pd.Series:
    """Compulsory-stage students (小学 + 初中); NaN when both are blank."""
    return _column(schools, "students_primary").add(_column(schools, "students_junior"), fill_value=0)


def _largest_class(schools: pd.DataFrame) -> pd.Series:
    return pd.concat([_column(schools, f"max_class_size_{s}") for s in _STAGES], axis=1).max(axis=1)


def _migrant_share(schools: pd.DataFrame) -> pd.Series:
    students = _students(schools)
    return _column(schools, "migrant_students") / students.where(students > 0) * 100


@dataclass(frozen=True)
class Attribute:
    """A school attribute a condition may name.

    Attributes
    ----------
    zh : str
        Its Chinese name, for reasons and errors.
    kind : str
        ``"number"`` (compared with ``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=``) or ``"text"``
        (``==``, ``!=``, ``in``).
    value : callable
        School table → Series of the attribute (NaN / None where unknown).
    columns : tuple of str
        The school-table columns it is computed from.
    unit : str
        Its unit ("人", "%", ...).
    """

    zh: str
    kind: str
    value: Callable[[pd.DataFrame], pd.Series]
    columns: tuple[str, ...]
    unit: str = ""


def _text(name: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda s: s[name].astype(object) if name in s else pd.Series(None, index=s.index, dtype=object)


#: The school attributes conditions may name.
ATTRIBUTES: dict[str, Attribute] = {
    "year_planned": Attribute("规划年份", "number", lambda s: _column(s, "year_planned"), ("year_planned",), "年"),
    "year_built": Attribute("建成年份", "number", lambda s: _column(s, "year_built"), ("year_built",), "年"),
    "location": Attribute("城乡类型", "text", _text("location"), ("location",)),
    "school_type": Attribute("学校类型", "text", _text("school_type"), ("school_type",)),
    "max_class_size": Attribute("最大班额（各学段中最大）", "number", _largest_class,
                                ("max_class_size_primary", "max_class_size_junior"), "人"),
    "migrant_share": Attribute("随迁子女占在校生比例", "number", _migrant_share,
                               ("migrant_students", "students_primary", "students_junior"), "%"),
    "students": Attribute("义务教育阶段在校生数", "number", _students, ("students_primary", "students_junior"), "人"),
}

#: Comparison operators of a condition (``value`` of ``in`` is a list).
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in")
_NUMBER_OPS = ("==", "!=", "<", "<=", ">", ">=")
_TEXT_OPS = ("==", "!=", "in")

#: The thresholds an exception may set per school (each read by its item through :func:`school_setting`).
SETTINGS = ("guarantee.G3.classes_per_room", "guarantee.G3.music_room_min_m2", "guarantee.G3.art_room_min_m2",
            "guarantee.G4.max_students_single_stage", "guarantee.G4.max_students_one_through")


def _add(target: str, source: str) -> Callable[[pd.DataFrame, pd.Series], pd.DataFrame]:
    def apply(schools: pd.DataFrame, rows: pd.Series) -> pd.DataFrame:
        if target not in schools:
            return schools
        extra = _column(schools, source).fillna(0.0)
        schools[target] = schools[target].where(~rows, schools[target] + extra)
        return schools
    return apply


def _r3(schools: pd.DataFrame, rows: pd.Series) -> pd.DataFrame:
    for stage in _STAGES:
        schools = _add(f"pe_art_teachers_{stage}", f"visiting_pe_art_teachers_{stage}")(schools, rows)
    return schools


def _r4(schools: pd.DataFrame, rows: pd.Series) -> pd.DataFrame:
    if "teaching_area_m2" in schools:
        less = (schools["teaching_area_m2"] - _column(schools, "indoor_sports_area_m2").fillna(0.0)).clip(lower=0.0)
        schools["teaching_area_m2"] = schools["teaching_area_m2"].where(~rows, less)
    return schools


@dataclass(frozen=True)
class Variant:
    """A named way of computing an indicator (the ``variant`` of an exception).

    Attributes
    ----------
    indicator : str
        The indicator it changes (``R3``, ``R4``, ``R5``).
    zh : str
        What it does, in Chinese.
    columns : tuple of str
        The optional school-table columns it reads.
    apply : callable
        (school table, rows it applies to) → the table with the indicator's numerator changed
        for those rows (a copy the caller owns).
    """

    indicator: str
    zh: str
    columns: tuple[str, ...]
    apply: Callable[[pd.DataFrame, pd.Series], pd.DataFrame]


#: The fixed registry of computation variants.
VARIANTS: dict[str, Variant] = {
    "R3_visiting_teachers": Variant(
        "R3", "体育、艺术专任教师数计入走教、兼职和交流轮岗的体育艺术教师",
        ("visiting_pe_art_teachers_primary", "visiting_pe_art_teachers_junior"), _r3),
    "R4_minus_indoor_sports": Variant(
        "R4", "教学及辅助用房面积扣除室内体育场馆面积", ("indoor_sports_area_m2",), _r4),
    "R5_leased_venues": Variant(
        "R5", "体育运动场馆面积计入租用的校外体育场馆（步行可达）", ("leased_sports_area_m2",),
        _add("sports_area_m2", "leased_sports_area_m2")),
}


@dataclass(frozen=True)
class Condition:
    """``attribute op value`` for one school."""

    attribute: str
    op: str
    value: Any

    def holds(self, schools: pd.DataFrame) -> pd.Series:
        """Whether each school meets the condition (False where the attribute is blank), vectorised."""
        from ..method.rules import compare, near_equal  # local: rules imports the schema, not the profiles

        attr = ATTRIBUTES[self.attribute]
        values = attr.value(schools)
        known = values.notna()
        if attr.kind == "text":
            wanted = list(self.value) if self.op == "in" else [self.value]
            inside = values.isin(wanted)
            out = inside if self.op in ("==", "in") else ~inside
        elif self.op == "==":
            out = pd.Series(near_equal(values.to_numpy(dtype=float), float(self.value)), index=schools.index)
        elif self.op == "!=":
            out = ~pd.Series(near_equal(values.to_numpy(dtype=float), float(self.value)), index=schools.index)
        else:
            out = pd.Series(np.asarray(compare(values.to_numpy(dtype=float), float(self.value), self.op)),
                            index=schools.index)
        return (out & known).astype(bool)

    def text(self) -> str:
        """The condition in words: ``建成年份 ≤ 2016``."""
        from ..method.rules import OP_SIGNS

        attr = ATTRIBUTES[self.attribute]
        shown = "、".join(map(str, self.value)) if self.op == "in" else f"{self.value:g}" if isinstance(
            self.value, (int, float)) else str(self.value)
        sign = "为" if self.op == "in" else OP_SIGNS.get(self.op, self.op).replace("==", "=").replace("!=", "≠")
        return f"{attr.zh} {sign} {shown}{attr.unit if attr.kind == 'number' and attr.unit != '年' else ''}"


@dataclass(frozen=True)
class ConditionalRule:
    """One exception of a profile (``[[exceptions]]``): conditions and effect.

    Attributes
    ----------
    id, label : str
        Its identifier (``E1``) and what it is, in Chinese.
    when : tuple of Condition
        Every one must hold.
    settings : dict
        Dotted threshold (:data:`SETTINGS`) → value for the schools it applies to.
    variant : str or None
        A name of :data:`VARIANTS`.
    """

    id: str
    label: str
    when: tuple[Condition, ...]
    settings: Mapping[str, float]
    variant: str | None = None

    def holds(self, schools: pd.DataFrame) -> pd.Series:
        """The schools meeting every condition (vectorised)."""
        out = pd.Series(True, index=schools.index)
        for cond in self.when:
            out &= cond.holds(schools)
        return out

    def text(self) -> str:
        """``E1 2016年及以前规划并建成的学校（规划年份 ≤ 2016，建成年份 ≤ 2016）``."""
        return f"{self.id} {self.label}（{'，'.join(c.text() for c in self.when) or '所有学校'}）"


def _flatten(table: Mapping, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            out.update(_flatten(value, dotted))
        else:
            out[dotted] = value
    return out


_EXCEPTION_KEYS = ("id", "label", "when", "set", "variant")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_exceptions(items: Any, problems: list[str]) -> None:
    """Validate a profile file's ``exceptions`` list; append one message per problem to ``problems``.

    Each message names the exception (its number and id), the key, the value received and what is
    allowed: the known attributes, operators, settings or variants.
    """
    if not isinstance(items, list):
        problems.append(f"'exceptions' 应为表的列表（[[exceptions]]），收到 {items!r}")
        return
    for i, item in enumerate(items, 1):
        where = f"exceptions 第 {i} 条"
        if not isinstance(item, dict):
            problems.append(f"{where} 应为表，收到 {item!r}")
            continue
        where += f"（id = {item.get('id')!r}）"
        for key in sorted(set(item) - set(_EXCEPTION_KEYS)):
            problems.append(f"{where}：未知的键 {key!r}（可用：{', '.join(_EXCEPTION_KEYS)}）")
        for key in ("id", "label"):
            if not isinstance(item.get(key), str) or not item.get(key):
                problems.append(f"{where}：{key!r} 应为非空文字，收到 {item.get(key)!r}")
        when = item.get("when")
        if not isinstance(when, list):
            problems.append(f"{where}：'when' 应为条件的列表，如 "
                            f"[{{ attribute = \"location\", op = \"==\", value = \"乡村\" }}]"
                            f"（空列表 [] 表示所有学校），"
                            f"收到 {when!r}")
            when = []
        for j, cond in enumerate(when, 1):
            _check_condition(cond, f"{where} 'when' 第 {j} 个条件", problems)
        settings, variant = item.get("set"), item.get("variant")
        if settings is None and variant is None:
            problems.append(f"{where}：须有 'set'（改变阈值）或 'variant'（改变计算方法）")
        if settings is not None:
            if not isinstance(settings, dict) or not settings:
                problems.append(f"{where}：'set' 应为非空的表，如 {{ \"{SETTINGS[1]}\" = 73.0 }}，"
                                f"收到 {settings!r}")
            else:
                for key, value in _flatten(settings).items():
                    if key not in SETTINGS:
                        problems.append(f"{where}：'set' 中的 {key!r} 不是可按学校改变的阈值"
                                        f"（可用：{', '.join(SETTINGS)}）")
                    elif not _is_number(value) or value < 0:
                        problems.append(f"{where}：'set' 中 {key!r} 应为非负数，收到 {value!r}")
        if variant is not None and variant not in VARIANTS:
            problems.append(f"{where}：'variant' = {variant!r} 不是已知的计算方法（可用：{', '.join(VARIANTS)}）")


def _check_condition(cond: Any, where: str, problems: list[str]) -> None:
    if not isinstance(cond, dict):
        problems.append(f"{where} 应为表 {{ attribute, op, value }}，收到 {cond!r}")
        return
    for key in sorted(set(cond) - {"attribute", "op", "value"}):
        problems.append(f"{where}：未知的键 {key!r}（可用：attribute, op, value）")
    attribute, op, value = cond.get("attribute"), cond.get("op"), cond.get("value")
    if attribute not in ATTRIBUTES:
        problems.append(f"{where}：attribute = {attribute!r} 不是已知的学校属性（可用：{', '.join(ATTRIBUTES)}）")
        return
    kind = ATTRIBUTES[attribute].kind
    allowed = _NUMBER_OPS if kind == "number" else _TEXT_OPS
    if op not in allowed:
        problems.append(f"{where}：op = {op!r} 不能用于{ATTRIBUTES[attribute].zh}"
                        f"（{attribute}；可用：{', '.join(allowed)}）")
        return
    if op == "in":
        good = isinstance(value, list) and value and all(isinstance(v, str) for v in value)
        expected = "文字的列表，如 [\"镇区\", \"乡村\"]"
    elif kind == "number":
        good, expected = _is_number(value), "数"
    else:
        good, expected = isinstance(value, str), "文字"
    if not good:
        problems.append(f"{where}：value 应为{expected}，收到 {value!r}")


def exceptions_of(profile) -> tuple[ConditionalRule, ...]:
    """A (validated) profile's exceptions, in order.

    Parameters
    ----------
    profile : Profile
        A loaded profile (:func:`~quality_balance.standards.profile.load_profile`).

    Returns
    -------
    tuple of ConditionalRule
        Empty for the national profile.
    """
    out = []
    for item in profile.data.get("exceptions", []) or []:
        when = tuple(Condition(c["attribute"], c["op"], c["value"]) for c in item["when"])
        out.append(ConditionalRule(item["id"], item["label"], when, _flatten(item.get("set") or {}),
                                   item.get("variant")))
    return tuple(out)


def _rows_by_profile(schools: pd.DataFrame, profiles: Mapping) -> list[tuple[Any, np.ndarray]]:
    """(profile, boolean row mask) for each distinct profile with exceptions among the schools' counties."""
    by_name: dict[str, tuple[Any, list]] = {}
    for key, prof in profiles.items():
        if prof.data.get("exceptions"):
            by_name.setdefault(prof.name, (prof, []))[1].append(key)
    if not by_name or schools.empty:
        return []
    from ..stats._groups import key_codes

    codes, pairs = key_codes(schools, ["city", "county"])  # each distinct county tested once, then by code
    out = []
    for prof, keys in by_name.values():
        wanted = set(keys)
        out.append((prof, np.array([pair in wanted for pair in pairs], dtype=bool)[codes]))
    return out


def exception_masks(schools: pd.DataFrame, profiles: Mapping) -> list[tuple[ConditionalRule, pd.Series]]:
    """Every exception of the schools' profiles with the rows it applies to, in order.

    Parameters
    ----------
    schools : DataFrame
        A school table with ``city`` and ``county`` and the attribute columns (blank where unknown).
    profiles : mapping
        (city, county) → Profile each county is assessed under.

    Returns
    -------
    list of (ConditionalRule, Series of bool)
        The rows (aligned with ``schools``) of counties under the exception's profile that meet
        every condition. Empty when no profile has exceptions (the national profile).
    """
    out = []
    for prof, rows in _rows_by_profile(schools, profiles):
        for exc in exceptions_of(prof):
            out.append((exc, exc.holds(schools) & rows))
    return out


def school_setting(schools: pd.DataFrame, profiles: Mapping, dotted: str) -> pd.Series:
    """A threshold for each school: its county profile's value, changed by the exceptions that apply.

    Parameters
    ----------
    schools : DataFrame
        School table with ``city`` and ``county``.
    profiles : mapping
        (city, county) → Profile.
    dotted : str
        A setting of :data:`SETTINGS` (``"guarantee.G3.music_room_min_m2"``).

    Returns
    -------
    Series of float
        Aligned with ``schools``; the last exception listed that sets ``dotted`` and applies wins.
    """
    from ..method.items._base import county_codes  # local: the items import this module

    # each distinct county once (integer codes, no tuple per row; shared within an assessment), each
    # distinct profile read once
    codes, pairs = county_codes(schools)
    read: dict[int, float] = {}
    base = np.array([_setting_of(profiles.get(k), dotted, read) for k in pairs], dtype=float)
    value = pd.Series(base[codes] if len(codes) else np.zeros(0), index=schools.index, dtype=float)
    if not any(prof.data.get("exceptions") for prof in _distinct(profiles)):
        return value  # no profile in use has conditional rules (the national profile): nothing to change
    for exc, rows in exception_masks(schools, profiles):
        if dotted in exc.settings:
            value = value.where(~rows, float(exc.settings[dotted]))
    return value


def _distinct(profiles: Mapping) -> list:
    """The distinct Profile objects of ``profiles`` (by identity: a profile is shared by many counties)."""
    return list({id(prof): prof for prof in profiles.values()}.values())


def _setting_of(prof, dotted: str, read: dict) -> float:
    """``float(prof.get(dotted))``, NaN without a profile; ``read`` caches it per profile object."""
    if prof is None:
        return np.nan
    key = id(prof)
    if key not in read:
        read[key] = float(prof.get(dotted))
    return read[key]


def apply_variants(schools: pd.DataFrame, profiles: Mapping) -> pd.DataFrame:
    """The school table with the numerators of the computation variants that apply changed.

    Parameters
    ----------
    schools : DataFrame
        Canonical school table (not changed).
    profiles : mapping
        (city, county) → Profile.

    Returns
    -------
    DataFrame
        ``schools`` itself when no exception has a variant; else a copy in which, for the
        schools each variant applies to, R3's PE/art teachers, R4's teaching area or R5's sports
        area are computed the variant's way (:data:`VARIANTS`).
    """
    masks = [(exc, rows) for exc, rows in exception_masks(schools, profiles) if exc.variant and rows.any()]
    if not masks:
        return schools
    out = schools.copy()
    for exc, rows in masks:
        out = VARIANTS[exc.variant].apply(out, rows)
    return out


def applied_exceptions(schools: pd.DataFrame, profiles: Mapping) -> pd.DataFrame:
    """Which exceptions apply to which school: one row per school-year and exception.

    Returns
    -------
    DataFrame
        ``city``, ``county``, ``year``, ``school_id``, ``school_name``, ``exception`` (id),
        ``label``, ``effect`` (Chinese: the thresholds set or the variant) and ``conditions``.
    """
    cols = ["city", "county", "year", "school_id", "school_name", "exception", "label", "effect", "conditions"]
    blocks = []
    for exc, rows in exception_masks(schools, profiles):
        if not rows.any():
            continue
        b = schools.loc[rows, [c for c in cols[:5] if c in schools]].copy()
        effect = "；".join([f"{k} = {v:g}" for k, v in exc.settings.items()]
                          + ([VARIANTS[exc.variant].indicator + " " + VARIANTS[exc.variant].zh] if exc.variant else []))
        b["exception"], b["label"], b["effect"] = exc.id, exc.label, effect
        b["conditions"] = "，".join(c.text() for c in exc.when)
        blocks.append(b)
    return pd.concat(blocks, ignore_index=True).reindex(columns=cols) if blocks else pd.DataFrame(columns=cols)
