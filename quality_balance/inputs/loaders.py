"""Loaders: the user's files in, validated canonical DataFrames (or a Dataset) out.

Every loader accepts a file, a folder or a list of files (one file per year is
fine: files and sheets of the same table are concatenated). It reads with
:mod:`quality_balance.inputs.readers`, checks with :mod:`quality_balance.inputs.validate`, and
raises one :class:`~quality_balance.errors.InputError` listing *every* error
found. Warnings (suspicious but legal values, ignored columns) never stop a
loader: :func:`load_dataset` puts them in ``Dataset.notes``, and
:func:`~quality_balance.inputs.validate.check_files` returns them. Loaders never
write anything, and never modify the input files.

>>> load_schools("no/such/file.csv")
Traceback (most recent call last):
...
quality_balance.errors.InputError: 输入数据有 1 个问题 / 1 problem(s) in the input:
  - no/such/file.csv: 找不到文件；应为: 存在的 .csv、.xlsx 或 .xls 文件；修改建议: 检查路径和文件名
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from .dataset import METADATA_FILE, Dataset
from ..errors import InputError, Problem, ProfileError
from ..schema import CLASSES, COUNTIES, SCHOOLS, SCORES, SURVEY, SURVEY_ANSWERS, TABLES, Table
from .validate import Validation, validate_files
from .._memory import reusing_freed_memory

__all__ = [
    "load_schools",
    "load_counties",
    "load_survey",
    "load_scores",
    "load_classes",
    "load_dataset",
    "aggregate_answers",
    "summarise",
]

#: What the assessment lacks when an optional table is missing (for Dataset.notes).
_MISSING_EFFECT = {
    "counties": "政府保障、教育质量和一票否决中的县级项目将为“无数据”",
    "scores": "校际差异率（Q9）只能取自县区表",
}


def _validated(source, tables: list[Table]) -> Validation:
    """Read and validate; raise with every error, or complain that no table was found."""
    result = validate_files(source, tables)
    errors = result.errors
    if not errors and not any(len(f) for f in result.frames.values()):
        errors = [_no_rows(source, tables[0]) if result.frames else _not_found(source, tables)]
    if errors:
        raise InputError(errors)
    return result


def _not_found(source, tables: list[Table]) -> Problem:
    names = " 或 ".join(f"{t.name}.csv / {t.zh}.xlsx" for t in tables)
    return Problem(_describe(source), f"没有找到「{tables[0].zh}」表",
                   expected=f"文件名如 {names}，或工作簿中以表名命名的工作表", fix="检查文件名、工作表名和表头")


def _no_rows(source, table: Table) -> Problem:
    return Problem(_describe(source), f"「{table.zh}」表没有数据行", expected="表头下至少一行数据",
                   fix="检查是否选错了文件或工作表")


def _describe(source) -> str:
    if isinstance(source, (str, Path)):
        return str(source)
    return "、".join(map(str, source))


def _load_one(source, table: Table) -> pd.DataFrame:
    return _validated(source, [table]).frames[table.name]


def load_schools(source: str | Path | Sequence[str | Path]) -> pd.DataFrame:
    """The school-year table (spec §10): one row per school per year, canonical columns.

    Stage counts written as "—", "-", "/" or blank are 0 where the school has no
    such stage.

    Parameters
    ----------
    source : str, Path or sequence of them
        A ``.csv`` (UTF-8, UTF-8 BOM, GBK or GB18030), ``.xlsx`` or ``.xls`` file,
        a folder of them, or a list of them (e.g. one per year); files and sheets of
        the same table are concatenated.

    Returns
    -------
    DataFrame
        One row per school and year, with exactly the columns of
        :data:`quality_balance.schema.SCHOOLS` in its order (``SCHOOLS.names``:
        ``year``, ``city``, ``county``, ``county_code``, ``school_id``,
        ``school_name``, ``school_type``, ``location``, students per stage,
        teachers, areas in m², equipment value in 元, rooms, classes, funds in 元 …);
        an optional column the file lacks is blank.

    Raises
    ------
    InputError
        With every problem found (file, row as seen in Excel, column, value,
        expected, fix), or because no such table was found or it has no rows.
    """
    return _load_one(source, SCHOOLS)


def load_counties(source: str | Path | Sequence[str | Path]) -> pd.DataFrame:
    """The county-year table: county-level items, veto items, local indicators (rates in %).

    Parameters
    ----------
    source : str, Path or sequence of them
        A ``.csv`` (UTF-8, UTF-8 BOM, GBK or GB18030), ``.xlsx`` or ``.xls`` file,
        a folder of them, or a list of them (e.g. one per year); files and sheets of
        the same table are concatenated.

    Returns
    -------
    DataFrame
        One row per county and year, with exactly the columns of
        :data:`quality_balance.schema.COUNTIES` in its order (``COUNTIES.names``:
        ``year``, ``city``, ``county``, ``county_code``, the government-guarantee,
        quality and veto columns — rates in %, money in 元, yes/no as booleans,
        ratings as words — and the local indicators); an optional column the file
        lacks is blank.

    Raises
    ------
    InputError
        With every problem found (file, row as seen in Excel, column, value,
        expected, fix), or because no such table was found or it has no rows.
    """
    return _load_one(source, COUNTIES)


def load_scores(source: str | Path | Sequence[str | Path]) -> pd.DataFrame:
    """Student-level scores (one row per county, year, subject and student) for Q9.

    Parameters
    ----------
    source : str, Path or sequence of them
        A ``.csv`` (UTF-8, UTF-8 BOM, GBK or GB18030), ``.xlsx`` or ``.xls`` file,
        a folder of them, or a list of them (e.g. one per year); files and sheets of
        the same table are concatenated.

    Returns
    -------
    DataFrame
        One row per student score, with the columns of
        :data:`quality_balance.schema.SCORES`: ``year``, ``city``, ``county``,
        ``school_id``, ``subject``, ``student_id``, ``score`` (any scale; see
        :func:`~quality_balance.difference_rate`).

    Raises
    ------
    InputError
        With every problem found (file, row as seen in Excel, column, value,
        expected, fix), or because no such table was found or it has no rows.
    """
    return _load_one(source, SCORES)


def load_classes(source: str | Path | Sequence[str | Path]) -> pd.DataFrame:
    """The optional class table (班级表): one row per school, year, stage and class, for G5.

    Checked alone (a class's students must be a whole number ≥ 0, a stage one of 小学/初中/高中, a
    class named once per school, year and stage); checked against the school table by
    :func:`load_dataset` (a class of an unknown school or of a stage its school type lacks is an error).

    Parameters
    ----------
    source : str, Path or sequence of them
        A ``.csv`` (UTF-8, UTF-8 BOM, GBK or GB18030), ``.xlsx``, ``.xls`` or ``.parquet`` file,
        a folder of them, or a list of them; files and sheets of the table are concatenated.

    Returns
    -------
    DataFrame
        The columns of :data:`quality_balance.schema.CLASSES`: ``year``, ``school_id``, ``stage``
        (小学/初中/高中, as written), ``class_name`` and ``students`` (人).

    Raises
    ------
    InputError
        With every problem found (file, row as seen in Excel, column, value, expected, fix), or
        because no class table was found or it has no rows.
    """
    return _load_one(source, CLASSES)


def _favourable_answers(favourable: Iterable[str] | None) -> tuple[str, ...]:
    """The answers that count as favourable; default: the national profile's list."""
    if favourable is None:
        from ..standards.profile import load_profile  # on first use: loading data needs no profile

        favourable = load_profile("national").get("recognition.favourable_answers")
    chosen = tuple(favourable)
    allowed = SURVEY_ANSWERS.column("answer").choices
    unknown = [a for a in chosen if a not in allowed]
    if unknown or not chosen:
        raise ProfileError(f"favourable answers {list(chosen)!r}: each must be one of {list(allowed)!r} "
                           f"(recognition.favourable_answers); got unknown {unknown!r}")
    return chosen


def aggregate_answers(answers: pd.DataFrame, favourable: Iterable[str] | None = None) -> pd.DataFrame:
    """Raw survey answers (one per respondent) → counts per county, year and group.

    Parameters
    ----------
    answers : DataFrame
        Canonical ``survey_answers`` table (``year``, ``city``, ``county``,
        ``group``, ``answer``...).
    favourable : answers counted as favourable. Default ``None``: the national
        profile's ``recognition.favourable_answers`` (满意、比较满意).

    Returns
    -------
    DataFrame shaped like the ``survey`` table: ``respondents`` (answers) and
    ``favourable`` (favourable answers) per (year, city, county, group).

    >>> raw = pd.DataFrame({"year": [2025] * 3, "city": ["濮阳市"] * 3, "county": ["范县"] * 3,
    ...                     "group": ["家长"] * 3, "answer": ["满意", "一般", "比较满意"]})
    >>> aggregate_answers(raw)[["group", "respondents", "favourable"]].values.tolist()
    [['家长', 3.0, 2.0]]
    """
    chosen = _favourable_answers(favourable)
    keys = ["year", "city", "county", "group"]
    counts = (answers.assign(_favourable=answers["answer"].isin(chosen))
              .groupby(keys, sort=True, dropna=False)
              .agg(respondents=("answer", "size"), favourable=("_favourable", "sum"))
              .reset_index())
    counts["year"] = counts["year"].astype("int64")
    counts[["respondents", "favourable"]] = counts[["respondents", "favourable"]].astype("float64")
    return counts[SURVEY.names]


def _survey(frames: dict[str, pd.DataFrame], favourable) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The survey counts: given, aggregated from raw answers, or both when they do not overlap."""
    counts = frames.get("survey")
    answers = frames.get("survey_answers")
    if answers is None:
        return counts, []
    aggregated = aggregate_answers(answers, favourable)
    if counts is None:
        return aggregated, []
    key = list(SURVEY.key)
    both = aggregated.merge(counts[key], on=key)
    problems = [Problem(f"{SURVEY.zh} / {SURVEY_ANSWERS.zh}", "同一县、年份和调查对象既有汇总人数又有原始答卷",
                        column="调查对象",
                        value=f"{r.county} {r.year} {r.group}", expected="二者选一",
                        fix="删除其中一种") for r in both.itertuples()]
    merged = pd.concat([counts[SURVEY.names], aggregated], ignore_index=True)
    return merged, problems


def load_survey(source: str | Path | Sequence[str | Path], *,
                favourable: Iterable[str] | None = None) -> pd.DataFrame:
    """Social-recognition survey counts per county, year and respondent group.

    Accepts the aggregated table (有效样本数, 认可人数 per group) or raw answers
    (one row per respondent, table ``survey_answers``), which are counted with
    the ``favourable`` answers. More favourable answers than respondents is an error.

    Parameters
    ----------
    source : str, Path or sequence of them
        A ``.csv`` (UTF-8, UTF-8 BOM, GBK or GB18030), ``.xlsx`` or ``.xls`` file,
        a folder of them, or a list of them (e.g. one per year); files and sheets of
        the same table are concatenated.
    favourable : iterable of str or None, keyword-only
        The answers of raw ``survey_answers`` that count as favourable, each one
        of the table's answer words. The default ``None`` uses the national
        profile's ``recognition.favourable_answers`` (满意、比较满意). Ignored for the
        aggregated table.

    Returns
    -------
    DataFrame
        One row per (year, city, county, group), with the columns of
        :data:`quality_balance.schema.SURVEY`: ``year``, ``city``, ``county``,
        ``group``, ``respondents`` and ``favourable`` (counts of people). Aggregated
        rows and counted raw answers are concatenated.

    Raises
    ------
    InputError
        With every problem found in the files, or a county, year and group given
        both as counts and as raw answers.
    ProfileError
        ``favourable`` is empty or names an answer the survey does not have.
    """
    result = _validated(source, [SURVEY, SURVEY_ANSWERS])
    survey, problems = _survey(result.frames, favourable)
    if problems:
        raise InputError(problems)
    return survey


def summarise(problems: list[Problem], rows_shown: int = 5) -> list[str]:
    """One line per kind of problem: the same message in the same column of the same sheet is
    merged, naming its first rows and how many there are (for ``Dataset.notes``).

    >>> p = [Problem("a.csv", "偏大", row=r, column="班级数") for r in (3, 4, 9)]
    >>> summarise(p, rows_shown=2)
    ['a.csv 列「班级数」: 偏大（共 3 行：第3、4…行）']
    """
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.file, p.sheet, p.column, p.message, p.severity), []).append(p)
    lines = []
    for (file, sheet, column, message, _), found in groups.items():
        if len(found) == 1:
            lines.append(str(found[0]))
            continue
        rows = [str(p.row) for p in found if p.row is not None]
        shown = "、".join(rows[:rows_shown]) + ("…" if len(rows) > rows_shown else "")
        where = file + (f" [工作表 {sheet}]" if sheet else "") + (f" 列「{column}」" if column else "")
        lines.append(f"{where}: {message}（共 {len(found)} 行：第{shown}行）")
    return lines


def _split_metadata(source) -> tuple[list[Path], Path | None]:
    """Data sources, and the metadata.json of a folder source (or one named in a list)."""
    items = [Path(source)] if isinstance(source, (str, Path)) else [Path(s) for s in source]
    data = [p for p in items if p.suffix.lower() != ".json"]
    named = [p for p in items if p.suffix.lower() == ".json"]
    folders = [p / METADATA_FILE for p in items if p.is_dir() and (p / METADATA_FILE).is_file()]
    candidates = named + folders
    return data, candidates[0] if candidates else None


def _read_metadata(path: Path | None) -> tuple[dict, list[Problem]]:
    if path is None:
        return {}, []
    fix = '写成 JSON 对象，例如 {"synthetic": false, "description": "..."}'
    try:
        metadata = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, [Problem(str(path), f"无法读取元数据（{exc}）", expected="UTF-8 编码的 JSON 对象", fix=fix)]
    if not isinstance(metadata, dict):
        return {}, [Problem(str(path), "元数据不是 JSON 对象", value=type(metadata).__name__,
                            expected="JSON 对象", fix=fix)]
    if not isinstance(metadata.get("synthetic", False), bool):
        return {}, [Problem(str(path), "“synthetic” 应为 true 或 false", column="synthetic",
                            value=metadata["synthetic"], expected="true 或 false", fix=fix)]
    return metadata, []


def load_dataset(source: str | Path | Sequence[str | Path], *,
                 favourable: Iterable[str] | None = None, include_hidden: bool = False) -> Dataset:
    """Every input table found in a folder, a workbook or a list of files, as a :class:`Dataset`.

    Tables are recognised by file name (``schools.csv``, ``学校.xlsx``,
    ``学校2023.csv``...), by sheet name in a workbook (``学校``, ``县区``...), or
    else by their headers. ``schools`` is required; ``counties``, ``survey``
    (or raw ``survey_answers``, counted with ``favourable`` answers, default
    the national profile's list), ``scores`` and ``classes`` (班级, checked
    against the schools: :mod:`quality_balance.inputs.classes`) are optional. A folder's
    ``metadata.json`` (or one given in a list) is read; ``"synthetic": true``
    marks the data as synthetic demo data.

    ``Dataset.notes`` says which optional tables are missing, which columns
    were ignored, and every warning (hidden workbook sheets are skipped and
    named there, unless ``include_hidden`` is true).

    Parameters
    ----------
    source : str, Path or sequence of them
        A folder, a workbook, a ``.csv`` / ``.xlsx`` / ``.xls`` file or a list of
        them; a ``metadata.json`` in the list or in a folder is read as the data
        set's metadata.
    favourable : iterable of str or None, keyword-only
        The answers of raw ``survey_answers`` that count as favourable. The default
        ``None`` uses the national profile's ``recognition.favourable_answers``
        (满意、比较满意).
    include_hidden : bool, keyword-only
        Read hidden workbook sheets too. The default ``False`` skips them and names
        them in ``Dataset.notes``.

    Returns
    -------
    Dataset
        ``schools``, ``counties``, ``survey``, ``survey_answers``, ``scores`` and ``classes``
        (canonical frames as :func:`load_schools` and the other loaders return;
        ``None`` for an optional table not found), ``source`` (the source as
        text), ``synthetic`` and ``metadata`` (from ``metadata.json``) and
        ``notes`` (missing tables, ignored columns, warnings).

    Raises
    ------
    InputError
        With every error found, or because no ``schools`` table was found or it
        has no rows.
    ProfileError
        ``favourable`` is empty or names an answer the survey does not have.
    """
    with reusing_freed_memory():  # freed memory reused during the call (quality_balance/_memory.py)
        return _load_dataset(source, favourable=favourable, include_hidden=include_hidden)


def _load_dataset(source, *, favourable, include_hidden):
    """:func:`load_dataset` (its docstring), the allocator set by the caller."""
    files, metadata_path = _split_metadata(source)
    result = validate_files(files, include_hidden=include_hidden)
    metadata, problems = _read_metadata(metadata_path)
    problems = result.problems + problems
    frames = result.frames
    if not any(p.severity == "error" for p in problems):
        if "schools" not in frames:
            problems.append(_not_found(source, [SCHOOLS]))
        elif frames["schools"].empty:
            problems.append(_no_rows(source, SCHOOLS))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    survey, survey_problems = _survey(frames, favourable)
    if survey_problems:
        raise InputError(survey_problems)
    notes = summarise(problems)
    notes += [f"未提供可选表「{TABLES[name].zh}」（{name}）：{effect}"
              for name, effect in _MISSING_EFFECT.items() if name not in frames]
    if survey is None:
        notes.append(f"未提供可选表「{SURVEY.zh}」或「{SURVEY_ANSWERS.zh}」：社会认可度将为“无数据”")
    if "survey_answers" in frames:
        notes.append(f"「{SURVEY_ANSWERS.zh}」已按认可答案（{'、'.join(_favourable_answers(favourable))}）"
                     f"汇总为「{SURVEY.zh}」")
    return Dataset(schools=frames["schools"], counties=frames.get("counties"), survey=survey,
                   survey_answers=frames.get("survey_answers"), scores=frames.get("scores"),
                   source=_describe(source), synthetic=bool(metadata.get("synthetic", False)),
                   metadata=metadata, notes=tuple(notes), classes=frames.get("classes"))


