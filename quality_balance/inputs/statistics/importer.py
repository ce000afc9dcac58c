"""The 基础基 importer: schools' statistics workbooks in, the canonical school table out.

:func:`import_statistics` reads one workbook per school (files, folders, ``.zip`` bundles), takes each
figure where its mapping (:mod:`.mapping`) says, converts units, and returns the school table that
:func:`quality_balance.load_dataset` reads, a provenance table (file, sheet, cells and raw texts of
every figure) and, per school, what is still missing. Figures the base tables lack (music and art
rooms, largest class, funds) and the county table come from the project's input template when it is
given (``extra``). With ``out`` every table is written atomically into that folder, which may not be,
lie inside or contain an input. Problems are collected over all files and raised together as one
:class:`~quality_balance.errors.InputError` (file, sheet, cell, label, what was expected, the closest
labels present).
"""
from __future__ import annotations

import difflib
import re
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from ...errors import InputError, Problem
from ..dataset import METADATA_FILE, SYNTHETIC_LABEL
from ...schema import COUNTIES, EXAMPLE_MARKER, SCHOOL_TYPE_STAGES, SCHOOLS
from .mapping import Field, Mapping, load_mapping
from .workbook import Grid, Sheet, cell_name, normalise_label, read_workbook, split_unit

__all__ = ["StatisticsImport", "import_statistics", "collect_workbooks", "MISSING_CHECKED", "NOT_APPLICABLE",
           "SCHOOLS_FILE", "WORKBOOK_FILE", "PROVENANCE_FILE", "MISSING_FILE", "COUNTIES_FILE"]

#: Texts of a cell that does not apply: a figure whose cells all read so is left blank (a blank cell is 0).
NOT_APPLICABLE = ("*", "＊")
#: Columns the summary lists per school when still blank: what the assessment uses beyond the required
#: columns (the per-stage facility columns are optional: without them the shared figures are split).
MISSING_CHECKED = tuple(c.name for c in SCHOOLS.columns
                        if c.required or c.name in ("classes_primary", "classes_junior", "max_class_size_primary",
                                                    "max_class_size_junior", "classes_56_plus", "music_rooms",
                                                    "art_rooms", "music_room_min_area_m2", "art_room_min_area_m2",
                                                    "public_funds_yuan", "training_funds_yuan"))
#: Files written into ``out``: the school table (read by load_dataset), its workbook copy and the logs
#: (in sub-folders, so that loading the folder reads the school table once).
SCHOOLS_FILE = "schools.csv"
COUNTIES_FILE = "counties.csv"
WORKBOOK_FILE = "excel/学校.xlsx"
PROVENANCE_FILE = "import-log/provenance.csv"
MISSING_FILE = "import-log/missing.csv"
#: How many closest labels a "label not found" problem names.
CLOSEST = 3
_PROVENANCE_HEADERS = {"file": "文件", "school_id": "学校标识码", "school_name": "学校名称", "column": "列",
                       "header": "列名", "value": "导入值", "sheet": "工作表", "cells": "单元格",
                       "raw": "原始文字", "unit": "原单位", "factor": "换算系数", "confirmed": "映射已证实",
                       "source": "依据"}
_MISSING_HEADERS = {"file": "文件", "school_id": "学校标识码", "school_name": "学校名称", "school_type": "学校类型",
                    "missing": "仍缺少的列", "n_missing": "缺少列数"}


@dataclass
class StatisticsImport:
    """What :func:`import_statistics` made.

    Attributes
    ----------
    schools : DataFrame
        One row per school workbook: the school table's columns (canonical English names) as text,
        blank where nothing was read, then the mapping's own columns (``gym_area_m2``).
    provenance : DataFrame
        One row per figure: file, school_id, school_name, column, header, value, sheet, cells (``D11+D12``),
        raw (the texts read), unit, factor, confirmed (the mapping entry), source (mapping entry or template).
    missing : DataFrame
        One row per school with columns of :data:`MISSING_CHECKED` still blank: file, school_id,
        school_name, school_type, missing (Chinese headers, ``、``-separated), n_missing.
    counties : DataFrame or None
        The template's county sheet, when ``extra`` holds one (Chinese headers).
    mapping : Mapping
        The mapping used.
    written : list of Path
        The files written (empty without ``out``).
    notes : list of Problem
        Warnings (a template row for a school not imported, a value of the template not used).
    synthetic : bool
        Every workbook's cover carries :data:`~quality_balance.SYNTHETIC_LABEL` (the demo's workbooks):
        ``metadata.json`` then marks the output synthetic, so that reports built on it say so.
    """

    schools: pd.DataFrame
    provenance: pd.DataFrame
    missing: pd.DataFrame
    counties: pd.DataFrame | None
    mapping: Mapping
    written: list[Path] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    synthetic: bool = False


# --- inputs ---------------------------------------------------------------------------------------

def collect_workbooks(sources: str | Path | Iterable[str | Path]) -> list[Path]:
    """The ``.xlsx`` files of the given files and folders (folders searched recursively, sorted; hidden
    files and Excel's ``~$`` lock files skipped); ``.zip`` files are returned as they are.

    Parameters
    ----------
    sources : str, Path or iterable of them
        Workbooks, folders and zip files.

    Returns
    -------
    list of Path
        In the order given, a folder's files sorted.
    """
    if isinstance(sources, (str, Path)):
        sources = [sources]
    found: list[Path] = []
    for item in map(Path, sources):
        if item.is_dir():
            found.extend(sorted(p for p in item.rglob("*") if p.is_file()
                                and p.suffix.lower() in (".xlsx", ".xlsm", ".zip")
                                and not p.name.startswith((".", "~$"))
                                and not any(part.startswith(".") for part in p.relative_to(item).parts)))
        else:
            found.append(item)
    return found


def _expand(files: list[Path], stack: ExitStack, problems: list[Problem]) -> list[tuple[Path, str, bytes | None]]:
    """(path, name for messages, bytes or None) of every workbook; zip members are read into memory
    (bounded by :data:`~quality_balance.inputs.readers.MAX_WORKBOOK_BYTES` each), never extracted."""
    from ..readers import MAX_WORKBOOK_BYTES

    out: list[tuple[Path, str, bytes | None]] = []
    for path in files:
        if not path.exists():
            problems.append(Problem(str(path), "找不到文件", expected="存在的 .xlsx 文件、文件夹或 .zip 文件",
                                    fix="检查路径和文件名"))
        elif path.suffix.lower() == ".zip":
            try:
                archive = stack.enter_context(zipfile.ZipFile(path))
            except zipfile.BadZipFile:
                problems.append(Problem(str(path), "不是有效的 zip 文件", expected="zip 压缩包（内含 .xlsx 文件）"))
                continue
            members = sorted((i for i in archive.infolist() if not i.is_dir()
                              and i.filename.lower().endswith((".xlsx", ".xlsm"))
                              and not Path(i.filename).name.startswith((".", "~$"))), key=lambda i: i.filename)
            for info in members:
                name = f"{path}/{info.filename}"
                with archive.open(info) as src:
                    data = src.read(MAX_WORKBOOK_BYTES + 1)
                if len(data) > MAX_WORKBOOK_BYTES:
                    problems.append(Problem(name, "压缩包中的文件解压后过大，未读取",
                                            expected=f"每个文件解压后不超过 {MAX_WORKBOOK_BYTES // 2**20} MB"))
                    continue
                out.append((path, name, data))
        elif path.suffix.lower() not in (".xlsx", ".xlsm"):
            problems.append(Problem(str(path), "不是 .xlsx 工作簿", value=path.suffix,
                                    expected="基础基统计报表导出的 .xlsx 文件、文件夹或 .zip 文件",
                                    fix=".xls 文件请先在 Excel 或 WPS 中另存为 .xlsx"))
        else:
            out.append((path, str(path), None))
    return out


# --- reading one field -------------------------------------------------------------------------------

def _alternatives(label: str) -> list[str]:
    return [normalise_label(a) for a in label.split("|") if normalise_label(a)]


def _closest(wanted: str, present: Iterable[str]) -> str:
    present = [p for p in dict.fromkeys(present) if p]
    close = difflib.get_close_matches(wanted, present, n=CLOSEST, cutoff=0.3)
    return "、".join(close) if close else "、".join(present[:CLOSEST])


@dataclass
class _Read:
    """One figure read: its value (Decimal or text, None when blank), cells, raw texts, unit, factor."""

    value: object
    cells: list[str]
    raw: list[str]
    unit: str = ""
    factor: Decimal = Decimal(1)


class _NotFound(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _problem(file: str, grid: Grid | None, message: str, **kw) -> _NotFound:
    return _NotFound(Problem(file, message, sheet=grid.sheet if grid else None, **kw))


def _find_rows(file: str, grid: Grid, f: Field, mapping: Mapping) -> list[int]:
    rows = grid.rows
    if f.block:
        blocks = {normalise_label(b) for b in mapping.tables[f.table].blocks}
        start = next((i for i, (_, label, _) in enumerate(rows) if label == normalise_label(f.block)), None)
        if start is None:
            raise _problem(file, grid, f"找不到学段块“{f.block}”", column=f.where,
                           expected=f"甲栏中有“{f.block}”一行",
                           fix=f"表中现有的行：{_closest(normalise_label(f.block), [r[1] for r in rows])}；"
                               "或修改映射文件的 block")
        end = next((i for i in range(start + 1, len(rows)) if rows[i][1] in blocks), len(rows))
        rows = rows[start:end]
    found = []
    for wanted in f.rows:
        match = None
        for alt in _alternatives(wanted):
            if alt.startswith("#"):
                number = alt[1:].lstrip("0")
                match = next((r for r, _, n in rows if n.lstrip("0") == number and number), None)
            else:
                match = next((r for r, label, _ in rows if label == alt), None)
            if match is not None:
                break
        if match is None:
            first = next((a for a in _alternatives(wanted) if not a.startswith("#")), wanted)
            scope = f"（学段块“{f.block}”中）" if f.block else ""
            raise _problem(file, grid, f"找不到行“{wanted}”{scope}", column=f.where,
                           expected=f"甲栏（行标签）为“{wanted}”的行",
                           fix=f"最接近的行：{_closest(first, [r[1] for r in rows])}；若本地报表的行名不同，"
                               "复制映射文件、修改 rows 后用 --mapping 指定")
        found.append(match)
    return found


def _matches(path: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    """Whether ``wanted`` (labels with alternatives) appear in ``path`` in order (a unit suffix ignored)."""
    i = 0
    for level in path:
        bare = split_unit(level)[0]
        if i < len(wanted) and (level in wanted[i] or bare in wanted[i]):
            i += 1
    return i == len(wanted)


def _find_cols(file: str, grid: Grid, f: Field) -> list[tuple[int, str]]:
    """(column, unit written in its header) of each of the field's column paths."""
    found = []
    for spec in f.cols:
        wanted = tuple(tuple(_alternatives(level)) for level in spec)
        col = next((c for c, path in grid.columns.items() if _matches(path, wanted)), None)
        if col is None:
            shown = "/".join(spec)
            present = ["/".join(p) for p in grid.columns.values()]
            raise _problem(file, grid, f"找不到列“{shown}”", column=f.where,
                           expected=f"表头（自上而下）含“{shown}”的数据列",
                           fix=f"最接近的列：{_closest('/'.join(w[0] for w in wanted), present)}；若本地报表的"
                               "表头不同，复制映射文件、修改 cols 后用 --mapping 指定")
        unit = next((u for u in (split_unit(level)[1] for level in reversed(grid.columns[col])) if u), "")
        found.append((col, unit))
    return found


def _number(file: str, grid: Grid, row: int, col: int, f: Field) -> Decimal | None:
    text = grid.text(row, col).strip()
    if text in NOT_APPLICABLE:
        return None
    if text == "":   # blank = none (jichuji-tables.md §2.4)
        return Decimal(0)
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise _problem(file, grid, "不是数字", row=row + 1, column=f"{cell_name(row, col)}（{f.where}）",
                       value=text, expected="数字、空白或 *（不适用）") from None
    if not value.is_finite() or value < 0:
        raise _problem(file, grid, "不是非负数", row=row + 1, column=f"{cell_name(row, col)}（{f.where}）",
                       value=text, expected="不小于 0 的数字")
    return value


def _read_grid(file: str, grid: Grid, f: Field, mapping: Mapping) -> _Read:
    if grid.code_row is None:
        raise _problem(file, grid, "找不到代码行（甲 | 乙 | 1 | 2 …）或“项目 | 编号”表头", column=f.where,
                       expected="基础基报表的标准表式（表头之下有 甲、乙、1、2… 一行）")
    rows = _find_rows(file, grid, f, mapping)
    cols = _find_cols(file, grid, f)
    units = {u or grid.unit or f.source_unit or f.unit for _, u in cols}
    if len(units) > 1:
        raise _problem(file, grid, f"所加各列的单位不同（{'、'.join(sorted(units))}）", column=f.where,
                       expected="同一单位的列")
    unit = units.pop()
    if unit not in mapping.units:
        raise _problem(file, grid, f"单位“{unit}”不在映射文件的 [units] 中", column=f.where, value=unit,
                       expected="、".join(mapping.units), fix="在映射文件的 [units] 中加入该单位及换算系数")
    to, factor = mapping.units[unit]
    if to != mapping.units[f.unit][0]:
        raise _problem(file, grid, f"单位“{unit}”不能换算为“{f.unit}”", column=f.where, value=unit,
                       expected=f"换算为 {f.unit} 的单位")
    total, cells, raw = None, [], []
    for r in rows:
        for c, _ in cols:
            value = _number(file, grid, r, c, f)
            cells.append(cell_name(r, c))
            raw.append(grid.text(r, c))
            if value is not None:
                total = value if total is None else total + value
    return _Read(None if total is None else total * factor, cells, raw, unit, factor)


def _read_form(file: str, grid: Grid, f: Field) -> _Read:
    labels = _alternatives(f.label)
    at = next(((r, c) for r, line in enumerate(grid.cells) for c, t in enumerate(line)
               if t and normalise_label(t) in labels), None)
    if at is None:
        present = [normalise_label(t) for line in grid.cells for t in line if t]
        raise _problem(file, grid, f"找不到表头“{f.label}”", column=f.where, expected=f"有“{f.label}”的单元格",
                       fix=f"最接近的：{_closest(labels[0], present)}")
    r0, c = at
    rows = range(r0 + 1, len(grid.cells))
    if f.row:
        wanted = normalise_label(f.row)
        r = next((r for r in rows if wanted in [normalise_label(t) for t in grid.cells[r][:c] if t]), None)
    else:
        r = next((r for r in rows if c < len(grid.cells[r]) and grid.cells[r][c].strip()
                  and normalise_label(grid.cells[r][c]) not in labels), None)
    text = grid.cells[r][c].strip() if r is not None and c < len(grid.cells[r]) else ""
    if r is None or not text or text in NOT_APPLICABLE:
        raise _problem(file, grid, f"“{f.label}”{('的' + f.row) if f.row else ''}为空", column=f.where,
                       row=(r + 1) if r is not None else None, expected="有值")
    return _Read(text, [cell_name(r, c)], [text])


def _read_title(file: str, grid: Grid, cover: list[str], f: Field) -> _Read:
    pattern = re.compile(f.pattern)
    for r, line in enumerate(grid.cells[:8]):
        for c, text in enumerate(line):
            if text and pattern.search(text):
                return _Read(text, [cell_name(r, c)], [text])
    for text in cover:
        if pattern.search(text):
            return _Read(text, ["封面"], [text])
    raise _problem(file, grid, "标题中找不到学年（如“（2025 /2026 学年初）”）", column=f.where,
                   expected=f"前几行中有与 {f.pattern} 相符的文字")


# --- one workbook -> one row ------------------------------------------------------------------------------

def _text(value: object) -> str:
    """A figure as the school table's text: ``3010845`` for 301.0845 万元, no trailing zeros."""
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return str(value)


def _import_one(file: str, book: Sheet, mapping: Mapping) -> tuple[dict, list[dict], list[Problem]]:
    row: dict[str, object] = {}
    trail: list[dict] = []
    problems: list[Problem] = []
    fields = sorted(mapping.fields, key=lambda f: f.kind == "grid")   # identity (school type) first

    def record(target, value, f: Field, got: _Read):
        trail.append({"file": file, "column": target, "value": value, "sheet": book.tables[f.table].sheet,
                      "cells": "+".join(got.cells), "raw": "+".join(got.raw), "unit": got.unit,
                      "factor": _text(got.factor) if got.unit else "", "confirmed": f.confirmed,
                      "source": f"{Path(mapping.path).name} {f.where}"})

    for code, sheets in book.duplicates.items():
        problems.append(Problem(file, f"基础基{code} 出现在多个工作表中（{'、'.join(sheets)}），只读取了第一个",
                                expected="每张报表一个工作表", severity="warning"))
    for f in fields:
        if not f.applies_to(row.get("school_type")):
            continue
        grid = book.tables.get(f.table)
        if grid is None:
            problems.append(Problem(file, f"缺少报表 基础基{f.table}（{mapping.tables[f.table].title}）",
                                    column=f.where,
                                    expected=f"工作表“基础基{f.table}”，或前几行有“基础基{f.table}”的工作表",
                                    fix="导出该校的全部基层表；本校不填此表时可在映射文件中修改该项的 types"))
            continue
        try:
            if f.kind == "grid":
                got = _read_grid(file, grid, f, mapping)
            elif f.kind == "form":
                got = _read_form(file, grid, f)
            else:
                got = _read_title(file, grid, book.cover, f)
        except _NotFound as missing:
            problems.append(missing.problem)
            continue
        if f.pattern:
            hit = re.search(f.pattern, str(got.value))
            if hit is None:
                problems.append(Problem(file, "取值与映射中的 pattern 不符", sheet=grid.sheet, column=f.where,
                                        value=got.value, expected=f.pattern))
                continue
            values = hit.groupdict()
        else:
            values = {f.targets[0]: got.value}
        for target, value in values.items():
            if f.codes:
                codes = mapping.codes[f.codes]
                key = str(value).strip()
                if key not in codes:
                    problems.append(Problem(file, f"代码或名称“{key}”不在映射文件的 [codes.{f.codes}] 中",
                                            sheet=grid.sheet, column=f.where, value=key,
                                            expected="、".join(codes), fix="在映射文件的 [codes] 中加入它"))
                    continue
                value = codes[key]
            if value is None:
                continue
            if target in row and f.kind == "grid":   # several entries for one column are added
                value = Decimal(row[target]) + value
            row[target] = _text(value) if isinstance(value, Decimal) else value
            record(target, row[target], f, got)
    school_type = row.get("school_type")
    stages = SCHOOL_TYPE_STAGES.get(school_type, ())
    for col in SCHOOLS.columns:   # a stage the school does not have: 0, as the school table wants
        if col.stage and col.stage not in stages and col.name not in row and col.kind == "count":
            if any(f.targets == (col.name,) for f in mapping.fields):
                row[col.name] = "0"
    if "year" in row:
        row["year"] = str(int(row["year"]))
    return row, trail, problems


# --- the template's extra figures -----------------------------------------------------------------------

def _extra(sources: Sequence[str | Path], schools: pd.DataFrame, trail: list[dict],
           problems: list[Problem]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Fill blank columns of ``schools`` from the template's 学校 sheet; return it and the 县区 sheet."""
    from ..readers import read_file

    counties = []
    index = {(r.school_id, r.year): i for i, r in schools[["school_id", "year"]].iterrows()}
    by_id = {r.school_id: i for i, r in schools[["school_id", "year"]].iterrows()}
    for source in sources:
        result = read_file(source, [SCHOOLS, COUNTIES])
        problems.extend(result.problems)
        for sheet in result.sheets:
            frame = sheet.frame
            keep = ~frame.iloc[:, 0].astype(str).str.strip().eq(EXAMPLE_MARKER) if len(frame.columns) else []
            if sheet.table is COUNTIES:
                counties.append(frame[keep].rename(columns={c.name: c.zh for c in COUNTIES.columns}))
                continue
            for k, (_, rec) in enumerate(frame[keep].iterrows()):
                row_no = int(sheet.rows[frame.index.get_loc(rec.name)])
                sid = str(rec.get("school_id", "")).strip()
                year = str(rec.get("year", "")).strip()
                i = index.get((sid, year)) if year else by_id.get(sid)
                if i is None:
                    problems.append(Problem(sheet.file, "模板中的这所学校不在导入的报表中，未使用", sheet=sheet.sheet,
                                            row=row_no, column=SCHOOLS.column("school_id").zh, value=sid,
                                            severity="warning"))
                    continue
                for name in SCHOOLS.names:
                    text = str(rec.get(name, "")).strip() if name in frame.columns else ""
                    if not text or name in ("school_id", "year"):
                        continue
                    current = schools.at[i, name]
                    if current == "" or current is None:
                        schools.at[i, name] = text
                        trail.append({"file": schools.at[i, "_file"], "column": name, "value": text,
                                      "sheet": sheet.sheet, "cells": f"第{row_no}行", "raw": text, "unit": "",
                                      "factor": "", "confirmed": True, "source": f"模板 {sheet.file}"})
    counties = [c for c in counties if len(c)]
    return schools, (pd.concat(counties, ignore_index=True) if counties else None)


# --- the public function -------------------------------------------------------------------------------

def import_statistics(sources: str | Path | Iterable[str | Path], *, mapping: str | Path | None = None,
                      extra: str | Path | Sequence[str | Path] | None = None,
                      out: str | Path | None = None) -> StatisticsImport:
    """Import schools' 基础基 statistics workbooks into the school table (issue 14).

    Parameters
    ----------
    sources : str, Path or iterable of them
        Workbooks (one per school, ``.xlsx``), folders of them (searched recursively) and ``.zip``
        bundles of them.
    mapping : str or Path, optional, keyword-only
        A shipped mapping (``"jichuji-2018"``, the default; ``"jichuji-2021"`` for the later rows of
        基础基512) or the path of an edited copy (:func:`~quality_balance.inputs.statistics.mapping.load_mapping`).
    extra : str, Path or sequence of them, optional, keyword-only
        The project's input template (``quality-balance template``) filled in: its 学校 sheet gives the
        figures the base tables lack (music/art rooms and areas, largest class, funds), matched by
        学校标识码 (and 年份 when given) and used only where the import left a column blank; its 县区
        sheet is written out as the county table.
    out : str or Path, optional, keyword-only
        Folder to write into (created; it may not be, lie inside or contain an input): ``schools.csv``
        (Chinese headers, UTF-8 with BOM, read by :func:`~quality_balance.load_dataset`), ``counties.csv``
        (from ``extra``), ``excel/学校.xlsx`` (sheets 学校, 数据来源, 缺失项) and ``import-log/provenance.csv``,
        ``import-log/missing.csv``; all files appear together or none does. ``None`` writes nothing.

    Returns
    -------
    StatisticsImport
        The school table, the provenance of every figure, what is still missing per school, the county
        table (from ``extra``) and the files written.

    Raises
    ------
    InputError
        Listing every problem found: a file that is not a workbook, a table missing (基础基NNN), a row or
        column label not found (with the closest labels present), a cell that is not a number, a code
        not in the mapping's lists, a school in two files, workbooks of different years.
    MappingError
        The mapping file is not valid (file, key, value and what is allowed).
    """
    from ... import paths

    spec = load_mapping(mapping)
    given = [sources] if isinstance(sources, (str, Path)) else list(sources)
    files = collect_workbooks(given)
    extras = [] if extra is None else [extra] if isinstance(extra, (str, Path)) else list(extra)
    if out is not None:
        paths.refuse_output_overlap(out, [*map(Path, given), *files, *map(Path, extras)])
    problems: list[Problem] = []
    rows, trail = [], []
    synthetic = True
    with ExitStack() as stack:
        books = _expand(files, stack, problems)
        if not books and not problems:
            problems.append(Problem("、".join(map(str, given)), "没有找到 .xlsx 工作簿",
                                    expected="每校一个基础基报表工作簿（.xlsx）"))
        for path, name, data in books:
            try:
                book = read_workbook(path, name=name, tables=spec.tables, data=data)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            synthetic = synthetic and SYNTHETIC_LABEL in book.cover
            row, got, found = _import_one(name, book, spec)
            problems.extend(found)
            row["_file"] = name
            rows.append(row)
            trail.extend(got)
    columns = SCHOOLS.names + [c for c in spec.columns]
    schools = pd.DataFrame(rows, columns=columns + ["_file"], dtype=object).fillna("")
    _duplicates_and_years(schools, problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    counties = None
    if extras:
        schools, counties = _extra(extras, schools, trail, problems)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise InputError(errors)
    names = dict(zip(schools["_file"], zip(schools["school_id"], schools["school_name"])))
    provenance = pd.DataFrame(trail, columns=[k for k in _PROVENANCE_HEADERS
                                              if k not in ("school_id", "school_name", "header")])
    provenance.insert(1, "school_id", provenance["file"].map(lambda f: names.get(f, ("", ""))[0]))
    provenance.insert(2, "school_name", provenance["file"].map(lambda f: names.get(f, ("", ""))[1]))
    provenance.insert(4, "header", provenance["column"].map(_header_of(spec)))
    missing = _missing(schools)
    result = StatisticsImport(schools.drop(columns="_file").reset_index(drop=True), provenance, missing, counties,
                              spec, notes=[p for p in problems if p.severity != "error"],
                              synthetic=synthetic and bool(rows))
    if out is not None:
        result.written = _write(result, Path(out))
    return result


def _header_of(spec: Mapping):
    headers = {c.name: c.header for c in SCHOOLS.columns}
    headers.update({name: f"{c['zh']}({c['unit']})" if c["unit"] else c["zh"] for name, c in spec.columns.items()})
    return lambda name: headers.get(name, name)


def _duplicates_and_years(schools: pd.DataFrame, problems: list[Problem]) -> None:
    ok = schools[schools["school_id"] != ""]
    for sid, group in ok.groupby("school_id", sort=True):
        if len(group) > 1:
            problems.append(Problem(group["_file"].iloc[1], f"学校标识码 {sid} 已在另一个文件中出现"
                                    f"（{'、'.join(group['_file'].iloc[:1])}）", column=SCHOOLS.column("school_id").zh,
                                    value=sid, expected="每校一个报表文件", fix="删除重复的文件"))
    years = ok[ok["year"] != ""].groupby("year")["_file"].agg(list)
    if len(years) > 1:
        shown = "；".join(f"{y} 年：{'、'.join(fs[:3])}" + (f" 等 {len(fs)} 个" if len(fs) > 3 else "")
                         for y, fs in years.items())
        problems.append(Problem("输入文件", f"报表属于不同学年（{shown}）", column=SCHOOLS.column("year").zh,
                                expected="同一学年的报表（每次导入一年）",
                                fix="按学年分开，分别导入到不同的输出文件夹"))


#: A column not missing when another reads 0: no music room, no smallest music room.
_NEEDS = {"music_room_min_area_m2": "music_rooms", "art_room_min_area_m2": "art_rooms"}


def _missing(schools: pd.DataFrame) -> pd.DataFrame:
    out = []
    for _, r in schools.iterrows():
        stages = SCHOOL_TYPE_STAGES.get(r["school_type"], ())
        gone = [SCHOOLS.column(c).zh for c in MISSING_CHECKED
                if str(r[c]).strip() == "" and (SCHOOLS.column(c).stage is None or SCHOOLS.column(c).stage in stages)
                and not (c in _NEEDS and str(r[_NEEDS[c]]).strip() in ("0", "0.0"))]
        if gone:
            out.append({"file": r["_file"], "school_id": r["school_id"], "school_name": r["school_name"],
                        "school_type": r["school_type"], "missing": "、".join(gone), "n_missing": len(gone)})
    return pd.DataFrame(out, columns=list(_MISSING_HEADERS))


def _write(result: StatisticsImport, out: Path) -> list[Path]:
    from ...output import atomic_folder, neutralise_formulas

    headers = _header_of(result.mapping)
    schools = neutralise_formulas(result.schools.rename(columns=headers))
    provenance = neutralise_formulas(result.provenance.rename(columns=_PROVENANCE_HEADERS))
    missing = neutralise_formulas(result.missing.rename(columns=_MISSING_HEADERS))
    import json

    names = [SCHOOLS_FILE, WORKBOOK_FILE, PROVENANCE_FILE, MISSING_FILE, METADATA_FILE]
    metadata = {"synthetic": result.synthetic, "source": "quality-balance import-stats（基础基统计报表导入）",
                "mapping": result.mapping.name, "schools": len(result.schools)}
    if result.synthetic:
        metadata["description"] = SYNTHETIC_LABEL
    with atomic_folder(out) as tmp:
        (tmp / METADATA_FILE).write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        for sub in ("excel", "import-log"):
            (tmp / sub).mkdir()
        schools.to_csv(tmp / SCHOOLS_FILE, index=False, encoding="utf-8-sig", lineterminator="\n")
        provenance.to_csv(tmp / PROVENANCE_FILE, index=False, encoding="utf-8-sig", lineterminator="\n")
        missing.to_csv(tmp / MISSING_FILE, index=False, encoding="utf-8-sig", lineterminator="\n")
        if result.counties is not None:
            neutralise_formulas(result.counties).to_csv(tmp / COUNTIES_FILE, index=False, encoding="utf-8-sig",
                                                        lineterminator="\n")
            names.append(COUNTIES_FILE)
        _workbook(tmp / WORKBOOK_FILE, {SCHOOLS.zh: schools, "数据来源": provenance, "缺失项": missing})
    return [out / n for n in names]


def _workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """The tables as sheets of one workbook (openpyxl's write-only mode: the provenance has a row per figure)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, frame in sheets.items():
        sheet = book.create_sheet(title=title)
        sheet.freeze_panes = "A2"
        sheet.append([str(c) for c in frame.columns])
        for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
            sheet.append(list(row))
    book.save(path)
