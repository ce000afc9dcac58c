"""Mapping files: where each figure of the school table sits in the 基础基 base tables, as data.

A mapping is a TOML file (shipped ones in ``quality_balance/standards/mappings``, one per documented
edition: ``jichuji-2018``, ``jichuji-2021``). It names the tables read, the units and their factors,
the code lists of 111, and one ``[[field]]`` per figure: the table, the row labels (summed), the
column header paths (summed), the unit, the school types it applies to, and whether public sources
confirm it (``confirmed`` with a ``note``). A bureau whose export differs copies a file, edits the
labels and passes the copy; nothing is in code. :func:`load_mapping` validates a file like a profile
(:mod:`quality_balance.standards.profile`): an unknown key, a bad unit, a table a field names but the
file does not list, an unknown column or school type are each an error naming the file, the key, the
value and what is allowed.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ... import paths
from ...errors import QualityBalanceError, suggest
from ...schema import LOCATIONS, SCHOOL_TYPES, SCHOOLS

__all__ = ["MappingError", "Mapping", "Field", "TableSpec", "load_mapping", "available_mappings",
           "MAPPING_DIR", "DEFAULT_MAPPING"]

#: Shipped mapping files (``jichuji-<edition>.toml``).
MAPPING_DIR = paths.MAPPING_DIR
#: The mapping used when none is given: the 2018 edition (国统制[2018]86号), the one a real file confirms.
DEFAULT_MAPPING = "jichuji-2018"

_TOP_KEYS = {"name", "title", "source", "parent", "units", "codes", "tables", "field", "columns"}
_TABLE_KEYS = {"title": str, "confirmed": bool, "note": str, "blocks": list}
_FIELD_KEYS = {"kind": str, "table": str, "target": str, "label": str, "row": str, "pattern": str, "codes": str,
               "rows": list, "cols": list, "block": str, "unit": str, "source_unit": str, "types": list,
               "confirmed": bool, "note": str}
_FIELD_KINDS = ("grid", "form", "title")
_CODE_LISTS = {"school_type": SCHOOL_TYPES, "location": LOCATIONS}
_COLUMN_KEYS = {"zh": str, "unit": str}
#: The units of the school table's columns: a unit's ``to`` must be one of them.
TARGET_UNITS = ("人", "个", "间", "平方米", "元")


class MappingError(QualityBalanceError):
    """A mapping file that cannot be used: every problem (file, key, value, what is allowed) on one line each."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path, self.problems = path, list(problems)
        head = f"映射文件 {path} 有 {len(problems)} 个问题 / mapping file problems:"
        super().__init__("\n".join([head] + [f"  - {p}" for p in problems]))


@dataclass(frozen=True)
class TableSpec:
    """One base table a mapping reads: code (``"512"``), title, stage blocks, whether it is confirmed."""

    code: str
    title: str
    confirmed: bool
    note: str = ""
    blocks: tuple[str, ...] = ()

    @property
    def sheet(self) -> str:
        """The sheet name of the table in an export: ``基础基512``."""
        return f"基础基{self.code}"


@dataclass(frozen=True)
class Field:
    """One figure: where it is read (table, rows × columns, or a form label) and where it goes (target)."""

    number: int                 # 1-based position among the file's [[field]] entries, for messages
    kind: str
    table: str
    targets: tuple[str, ...]
    confirmed: bool
    note: str
    label: str = ""
    row: str = ""
    pattern: str = ""
    codes: str = ""
    rows: tuple[str, ...] = ()
    cols: tuple[tuple[str, ...], ...] = ()
    block: str = ""
    unit: str = ""
    source_unit: str = ""
    types: tuple[str, ...] = SCHOOL_TYPES

    def applies_to(self, school_type: str | None) -> bool:
        """Whether the field is read for a school of this type (identity fields: always)."""
        return self.kind != "grid" or school_type is None or school_type in self.types

    @property
    def where(self) -> str:
        """The field as a mapping file's reader finds it: ``[[field]] 第 12 项（students_primary）``."""
        return f"[[field]] 第 {self.number} 项（{'、'.join(self.targets)}）"


@dataclass(frozen=True)
class Mapping:
    """A validated mapping: tables, fields, units (unit → (target unit, factor)), code lists, extra columns."""

    name: str
    title: str
    path: str
    tables: dict[str, TableSpec]
    fields: tuple[Field, ...]
    units: dict[str, tuple[str, Decimal]]
    codes: dict[str, dict[str, str]]
    columns: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def targets(self) -> list[str]:
        """Every column the mapping fills, in the school table's order, then its own columns."""
        filled = {t for f in self.fields for t in f.targets}
        return [c for c in SCHOOLS.names if c in filled] + [c for c in self.columns if c in filled]


def available_mappings(*, search_path: tuple[str | Path, ...] = ()) -> dict[str, Path]:
    """Mapping name → file, for the shipped mappings and any ``*.toml`` in ``search_path``.

    Parameters
    ----------
    search_path : tuple of str or Path, keyword-only
        Extra folders; a file there replaces a shipped mapping of the same name.

    Returns
    -------
    dict of str to Path
        Sorted by name.
    """
    found = {p.stem: p for p in sorted(MAPPING_DIR.glob("*.toml"))}
    for folder in search_path:
        found.update({p.stem: p for p in sorted(Path(folder).glob("*.toml"))})
    return dict(sorted(found.items()))


def _resolve(mapping: str | Path | None) -> Path:
    if mapping is None:
        mapping = DEFAULT_MAPPING
    text = str(mapping)
    known = available_mappings()
    if text in known:
        return known[text]
    path = Path(text)
    if path.is_file():
        return path
    hint = suggest(text, known)
    raise MappingError(text, [f"找不到映射文件“{text}”（参数 mapping）"
                              + (f"，是否指“{hint}”？" if hint else "")
                              + f"；应为：内置映射 {'、'.join(known)} 之一，或一个 .toml 文件的路径"])


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(str(path), [f"不是有效的 TOML（{exc}）；应为：TOML 格式的映射文件"]) from None
    except OSError as exc:
        raise MappingError(str(path), [f"无法读取（{exc.strerror or exc}）"]) from None


def _merge(parent: dict, child: dict) -> dict:
    """The child's settings over the parent's: tables, units, codes and columns key by key, fields by
    (target, table) — a child field replaces the parent's fields of the same target and table."""
    merged = dict(parent)
    for key in ("units", "tables", "columns"):
        merged[key] = {**parent.get(key, {}), **child.get(key, {})}
    merged["codes"] = {k: {**parent.get("codes", {}).get(k, {}), **child.get("codes", {}).get(k, {})}
                       for k in {*parent.get("codes", {}), *child.get("codes", {})}}
    replaced = {(f.get("target"), f.get("table")) for f in child.get("field", [])}
    merged["field"] = [f for f in parent.get("field", []) if (f.get("target"), f.get("table")) not in replaced] \
        + list(child.get("field", []))
    for key in ("name", "title", "source"):
        if key in child:
            merged[key] = child[key]
    merged.pop("parent", None)
    return merged


def _raw(path: Path, seen: tuple[str, ...] = ()) -> dict:
    data = _read_toml(path)
    parent = data.get("parent")
    if parent is None:
        return data
    if not isinstance(parent, str) or parent in seen:
        raise MappingError(str(path), [f"键 parent 的值 {parent!r} 无效（循环或不是文字）；应为：另一个映射的名称"])
    return _merge(_raw(_resolve(parent), seen + (path.stem,)), data)


def _allowed(keys) -> str:
    return "、".join(sorted(keys))


def _unknown(where: str, key: str, allowed) -> str:
    hint = suggest(key, allowed)
    return (f"{where} 中有未知的键 {key!r}" + (f"（是否指 {hint!r}？）" if hint else "")
            + f"；允许的键：{_allowed(allowed)}")


def _check_keys(where: str, data: dict, spec: dict, problems: list[str]) -> None:
    for key, value in data.items():
        if key not in spec:
            problems.append(_unknown(where, key, spec))
        elif not isinstance(value, spec[key]) or (spec[key] is int and isinstance(value, bool)):
            problems.append(f"{where} 的键 {key} 的值 {value!r} 类型不对；应为：{spec[key].__name__}")


def load_mapping(mapping: str | Path | None = None) -> Mapping:
    """Read and validate a mapping file (name of a shipped one, or a path); ``None`` is :data:`DEFAULT_MAPPING`.

    Parameters
    ----------
    mapping : str, Path or None
        ``"jichuji-2018"``, ``"jichuji-2021"`` or the path of a ``.toml`` file (a copy of one, edited).

    Returns
    -------
    Mapping
        With its parent (``parent = "jichuji-2018"``) merged in.

    Raises
    ------
    MappingError
        Listing every problem: unknown keys (with the closest allowed), values of the wrong type, a unit
        not in ``[units]`` or a ``to`` unit the school table does not use, a field's table missing from
        ``[tables]``, an unknown target column, school type, code list, block or field kind, a pattern
        that is not a regular expression.
    """
    path = _resolve(mapping)
    data = _raw(path)
    where = str(path)
    problems: list[str] = []
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(_unknown("文件顶层", key, _TOP_KEYS))
    units: dict[str, tuple[str, Decimal]] = {}
    for unit, spec in (data.get("units") or {}).items():
        if not isinstance(spec, dict) or set(spec) != {"to", "factor"}:
            problems.append(f"[units] 的 {unit!r} = {spec!r} 不对；应为：{{ to = \"元\", factor = 10000 }}")
            continue
        if spec["to"] not in TARGET_UNITS:
            problems.append(f"[units] 的 {unit!r} 换算到的单位 {spec['to']!r} 不是学校表的单位；"
                            f"应为：{_allowed(TARGET_UNITS)} 之一")
        factor = spec["factor"]
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor <= 0:
            problems.append(f"[units] 的 {unit!r} 的 factor {factor!r} 不对；应为：正数")
            continue
        units[unit] = (spec["to"], Decimal(str(factor)))
    codes: dict[str, dict[str, str]] = {}
    for name, table in (data.get("codes") or {}).items():
        if name not in _CODE_LISTS:
            problems.append(_unknown("[codes]", name, _CODE_LISTS))
            continue
        for code, value in table.items():
            if value not in _CODE_LISTS[name]:
                problems.append(f"[codes.{name}] 的 {code!r} = {value!r} 不是允许的值；"
                                f"应为：{_allowed(_CODE_LISTS[name])} 之一")
        codes[name] = {_norm_code(k): v for k, v in table.items()}
    tables: dict[str, TableSpec] = {}
    for code, spec in (data.get("tables") or {}).items():
        at = f"[tables.{code}]"
        if not re.fullmatch(r"\d{3,4}", code):
            problems.append(f"{at} 的表号 {code!r} 不对；应为：3–4 位数字，如 512（工作表 基础基512）")
        if not isinstance(spec, dict):
            problems.append(f"{at} 应为一个表")
            continue
        _check_keys(at, spec, _TABLE_KEYS, problems)
        for key in ("title", "confirmed"):
            if key not in spec:
                problems.append(f"{at} 缺少键 {key}")
        tables[code] = TableSpec(code, str(spec.get("title", "")), bool(spec.get("confirmed", False)),
                                 str(spec.get("note", "")), tuple(map(str, spec.get("blocks", ()))))
    columns: dict[str, dict[str, str]] = {}
    for name, spec in (data.get("columns") or {}).items():
        at = f"[columns.{name}]"
        if name in SCHOOLS.names:
            problems.append(f"{at} 与学校表的列同名；应为：学校表没有的列名")
        if not isinstance(spec, dict) or "zh" not in spec:
            problems.append(f"{at} 应有 zh（中文表头）")
            continue
        _check_keys(at, spec, _COLUMN_KEYS, problems)
        columns[name] = {"zh": str(spec["zh"]), "unit": str(spec.get("unit", ""))}
    known_targets = set(SCHOOLS.names) | set(columns)
    fields = []
    for number, spec in enumerate(data.get("field") or [], 1):
        at = f"[[field]] 第 {number} 项"
        if not isinstance(spec, dict):
            problems.append(f"{at} 应为一个表")
            continue
        _check_keys(at, spec, _FIELD_KEYS, problems)
        fields.append(_field(at, number, spec, tables, units, codes, known_targets, problems))
    if not fields and not problems:
        problems.append("没有任何 [[field]]；应为：至少一项")
    if problems:
        raise MappingError(where, problems)
    return Mapping(str(data.get("name", path.stem)), str(data.get("title", "")), where, tables,
                   tuple(fields), units, codes, columns)


def _norm_code(code: object) -> str:
    return str(code).strip()


def _field(at: str, number: int, spec: dict, tables: dict, units: dict, codes: dict, known: set,
           problems: list[str]) -> Field:
    kind = spec.get("kind", "grid")
    if kind not in _FIELD_KINDS:
        problems.append(f"{at} 的 kind {kind!r} 不对；应为：{_allowed(_FIELD_KINDS)} 之一")
    table = str(spec.get("table", ""))
    if table not in tables:
        problems.append(f"{at} 的 table {table!r} 不在 [tables] 中；"
                        f"应为：{_allowed(tables) or '先在 [tables] 中列出该表'}")
    for key in ("confirmed", "note"):
        if key not in spec:
            problems.append(f"{at} 缺少键 {key}（是否有公开来源证实，及来源说明）")
    targets: tuple[str, ...] = ()
    pattern = str(spec.get("pattern", ""))
    if pattern:
        try:
            groups = tuple(re.compile(pattern).groupindex)
        except re.error as exc:
            problems.append(f"{at} 的 pattern {pattern!r} 不是有效的正则表达式（{exc}）")
            groups = ()
        if groups and "target" in spec:
            problems.append(f"{at} 同时有 target 与带命名组的 pattern；应为：二者之一")
        targets = groups
    if "target" in spec:
        targets = (str(spec["target"]),)
    if not targets:
        problems.append(f"{at} 没有目标列；应为：target = \"列名\"，或 pattern 中的命名组 (?P<列名>…)")
    for target in targets:
        if target not in known:
            hint = suggest(target, known)
            problems.append(f"{at} 的目标列 {target!r} 不是学校表的列" + (f"（是否指 {hint!r}？）" if hint else "")
                            + "；应为：schema.SCHOOLS 的列名，或 [columns] 中声明的列")
    if kind == "grid":
        rows, cols = spec.get("rows"), spec.get("cols")
        if not rows or not all(isinstance(r, str) and r for r in rows):
            problems.append(f"{at} 的 rows {rows!r} 不对；应为：行标签的列表，如 [\"总计\"]（或编号 \"#26\"）")
            rows = []
        if not cols or not all(isinstance(c, list) and c and all(isinstance(x, str) for x in c) for c in cols):
            problems.append(f"{at} 的 cols {cols!r} 不对；应为：表头路径的列表，如 [[\"在校学生数\", \"合计\"]]")
            cols = []
        for key in ("unit", "source_unit"):
            if key in spec and spec[key] not in units:
                problems.append(f"{at} 的 {key} {spec[key]!r} 不在 [units] 中；应为：{_allowed(units)} 之一")
        if "unit" not in spec:
            problems.append(f"{at} 缺少 unit；应为：{_allowed(units)} 之一")
        elif spec["unit"] in units and units[spec["unit"]][1] != 1:
            problems.append(f"{at} 的 unit {spec['unit']!r} 是换算单位；应为学校表的单位：{_allowed(TARGET_UNITS)}")
        for target in targets:
            column_unit = SCHOOLS.column(target).unit if target in SCHOOLS.names else None
            if column_unit and spec.get("unit") and units.get(spec["unit"], ("",))[0] != column_unit:
                problems.append(f"{at} 的 unit {spec['unit']!r} 与列 {target} 的单位 {column_unit!r} 不一致")
        types = spec.get("types", list(SCHOOL_TYPES))
        for t in types:
            if t not in SCHOOL_TYPES:
                problems.append(f"{at} 的 types 中 {t!r} 不是学校类型；应为：{_allowed(SCHOOL_TYPES)} 之一")
        block = str(spec.get("block", ""))
        if block and table in tables and block not in tables[table].blocks:
            problems.append(f"{at} 的 block {block!r} 不在 [tables.{table}] 的 blocks 中；"
                            f"应为：{_allowed(tables[table].blocks) or '先在 blocks 中列出'}")
    else:
        rows, cols, types, block = [], [], list(SCHOOL_TYPES), ""
        if kind == "form" and not spec.get("label"):
            problems.append(f"{at} 是表单项（kind = \"form\"），缺少 label（表头文字）")
        if kind == "title" and not pattern:
            problems.append(f"{at} 是标题项（kind = \"title\"），缺少 pattern")
    code_list = str(spec.get("codes", ""))
    if code_list and code_list not in codes:
        problems.append(f"{at} 的 codes {code_list!r} 不在 [codes] 中；应为：{_allowed(codes) or '先写 [codes.…]'}")
    return Field(number, kind, table, targets, bool(spec.get("confirmed", False)), str(spec.get("note", "")),
                 label=str(spec.get("label", "")), row=str(spec.get("row", "")), pattern=pattern, codes=code_list,
                 rows=tuple(rows), cols=tuple(tuple(c) for c in cols), block=block,
                 unit=str(spec.get("unit", "")), source_unit=str(spec.get("source_unit", "")),
                 types=tuple(types))


def describe(mapping: Mapping) -> list[dict[str, Any]]:
    """One row per field, for docs and summaries: target, table, rows, columns, confirmed, note."""
    return [{"target": "、".join(f.targets), "table": mapping.tables[f.table].sheet, "kind": f.kind,
             "rows": " + ".join(f.rows) or f.label, "cols": " + ".join("/".join(c) for c in f.cols) or f.row,
             "confirmed": f.confirmed, "note": f.note} for f in mapping.fields]
