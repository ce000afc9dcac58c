"""Writing result tables: CSV for machines, one .xlsx workbook with Chinese headers for people.

Outputs are written to a temporary folder beside the target and moved into place
only when every file is complete, so a failure never leaves a half-written file.
Text cells that a spreadsheet would run as a formula (beginning with ``=``, ``+``,
``-`` or ``@``) are prefixed with an apostrophe in workbooks.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from ..inputs.dataset import SYNTHETIC_LABEL
from ..errors import InputError, Problem
from ..schema import DIMENSION_LABELS, RESULT_HEADERS, STATUS_LABELS, VETO_LABELS

__all__ = ["write_results", "atomic_folder", "unwritable_output", "neutralise_formulas", "for_people", "RESULT_SHEETS"]

#: result table → Chinese sheet name
RESULT_SHEETS = {"verdicts": "综合结论", "items": "评估项目", "parts": "项目分项", "shortfalls": "问题清单",
                 "counties": "资源配置结论",
                 "cv": "差异系数", "units": "学校单元", "recognition": "社会认可度", "excluded": "未纳入学校"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells beginning with = + - @ (or tab/CR) with an apostrophe.

    >>> neutralise_formulas(pd.DataFrame({"a": ["=1+1", "ok", -3]}))["a"].tolist()
    ["'=1+1", 'ok', -3]
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
    return out


def for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """Chinese headers and Chinese status words, for sheets meant for people."""
    out = frame.copy()
    for col in ("status", *DIMENSION_LABELS):
        if col in out:
            words = VETO_LABELS if col == "veto" else STATUS_LABELS
            out[col] = out[col].map(lambda v: words.get(v, v))
    if "dimension" in out:
        out["dimension"] = out["dimension"].map(lambda v: DIMENSION_LABELS.get(v, v))
    if "stage" in out:
        out["stage"] = out["stage"].map(lambda v: {"primary": "小学", "junior": "初中"}.get(v, v))
    return out.rename(columns=RESULT_HEADERS)


def unwritable_output(target: Path, exc: OSError) -> InputError:
    """The error for an output folder that cannot be written (a file, no permission, disk full)."""
    return InputError([Problem(str(target), f"无法写入输出文件夹（{exc.strerror or exc}）",
                               expected="可写入的文件夹路径", fix="换一个输出文件夹（--out）")])


@contextmanager
def atomic_folder(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder; on success move its files into ``target`` (created if needed).

    Any :class:`OSError` on the way (``target`` is a file, no permission, disk full)
    becomes an :class:`~quality_balance.errors.InputError` naming the folder, and the
    temporary folder is removed, so nothing half-written is left behind.
    """
    target = Path(target)
    try:
        target.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".qb-tmp-", dir=target))
    except OSError as exc:
        raise unwritable_output(target, exc) from None
    try:
        yield tmp
        for item in tmp.iterdir():
            os.replace(item, target / item.name)
    except OSError as exc:
        raise unwritable_output(target, exc) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_results(assessment, folder: str | Path) -> list[Path]:
    """Write every result table of an :class:`~quality_balance.Assessment` into ``folder``.

    Files: ``<table>.csv`` (UTF-8 with BOM, English column names — stable for scripts)
    for verdicts, items, parts, shortfalls, counties, cv, units, recognition, excluded; and
    ``评估结果.xlsx`` with one sheet per table, Chinese headers and status words.
    Synthetic data get a ``data`` column saying so in every table and a note sheet.
    Returns the paths written.
    """
    ra = assessment.resources
    tables = {"verdicts": assessment.verdicts, "items": assessment.items, "parts": assessment.parts,
              "shortfalls": assessment.shortfalls,
              "counties": ra.counties, "cv": ra.cv, "units": ra.units, "recognition": assessment.recognition,
              "excluded": ra.excluded}
    if assessment.synthetic:
        tables = {k: v.assign(data=SYNTHETIC_LABEL) if "data" not in v else v for k, v in tables.items()}
    names = []
    with atomic_folder(folder) as tmp:
        for name, frame in tables.items():
            frame.to_csv(tmp / f"{name}.csv", index=False, encoding="utf-8-sig")
            names.append(f"{name}.csv")
        with pd.ExcelWriter(tmp / "评估结果.xlsx", engine="openpyxl") as xl:
            note = pd.DataFrame({"说明": [assessment.label, "状态：达标 / 未达标 / 无数据 / 不适用",
                                          "各表英文版见同目录 CSV 文件"]})
            note.to_excel(xl, sheet_name="说明", index=False)
            for name, frame in tables.items():
                neutralise_formulas(for_people(frame)).to_excel(xl, sheet_name=RESULT_SHEETS[name], index=False)
            if assessment.synthetic:
                xl.book.properties.title = SYNTHETIC_LABEL
                xl.book.properties.description = "synthetic demo data — not real statistics"
        names.append("评估结果.xlsx")
    return [Path(folder) / n for n in names]
