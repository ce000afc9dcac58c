"""Writing result tables: CSV for machines, one .xlsx workbook with Chinese headers for people.

Outputs are written to a temporary folder beside the target and moved into place
only when every file is complete, so a failure never leaves a half-written file.
Text cells that a spreadsheet would run as a formula (beginning with ``=``, ``+``,
``-`` or ``@``) are prefixed with an apostrophe in workbooks. Both are
:mod:`quality_balance.output`; ``atomic_folder``, ``unwritable_output`` and
``neutralise_formulas`` are still importable from here.

A table longer than one Excel sheet holds (:data:`EXCEL_MAX_ROWS`, header
included) is split across sheets ``学校单元``, ``学校单元（2）``, … with the header
repeated on each (:func:`sheet_parts`); the CSV file keeps it whole.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..inputs.dataset import SYNTHETIC_LABEL
from ..output import atomic_folder, neutralise_formulas, unwritable_output  # re-exported (__all__): old import path
from ..schema import DIMENSION_LABELS, RESULT_HEADERS, STAGE_LABELS, status_label

__all__ = ["write_results", "atomic_folder", "unwritable_output", "neutralise_formulas", "for_people", "RESULT_SHEETS",
           "EXCEL_MAX_ROWS", "sheet_parts"]

#: Rows one Excel sheet holds, its header row included (Excel's and openpyxl's limit: 1 048 576).
EXCEL_MAX_ROWS = 1_048_576

#: result table → Chinese sheet name
RESULT_SHEETS = {"verdicts": "综合结论", "items": "评估项目", "parts": "项目分项", "shortfalls": "问题清单",
                 "counties": "资源配置结论",
                 "cv": "差异系数", "units": "学校单元", "recognition": "社会认可度", "excluded": "未纳入学校"}


def for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """Chinese headers and Chinese status words, for sheets meant for people."""
    out = frame.copy()
    for col in ("status", *DIMENSION_LABELS):
        if col in out:
            out[col] = status_label(out[col], dimension=col)
    if "dimension" in out:
        out["dimension"] = out["dimension"].map(lambda v: DIMENSION_LABELS.get(v, v))
    if "stage" in out:
        out["stage"] = out["stage"].replace(STAGE_LABELS)
    return out.rename(columns=RESULT_HEADERS)


def sheet_parts(sheet: str, frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Split ``frame`` into the sheets it needs: ``sheet``, ``sheet（2）``, … each within :data:`EXCEL_MAX_ROWS`.

    Parameters
    ----------
    sheet : str
        The sheet name of the table (``学校单元``).
    frame : DataFrame
        The table; each part keeps its columns, so the header repeats on every sheet.

    Returns
    -------
    list of (str, DataFrame)
        One pair for a table that fits (also an empty one), else one per
        ``EXCEL_MAX_ROWS − 1`` data rows, in order.

    >>> [(name, len(part)) for name, part in sheet_parts("学校单元", pd.DataFrame({"a": range(3)}))]
    [('学校单元', 3)]
    """
    per = EXCEL_MAX_ROWS - 1
    if len(frame) <= per:
        return [(sheet, frame)]
    return [(sheet if k == 0 else f"{sheet}（{k + 1}）", frame.iloc[start:start + per])
            for k, start in enumerate(range(0, len(frame), per))]


def write_results(assessment, folder: str | Path) -> list[Path]:
    """Write every result table of an :class:`~quality_balance.Assessment` into ``folder``.

    Files: ``<table>.csv`` (UTF-8 with BOM, English column names — stable for scripts)
    for verdicts, items, parts, shortfalls, counties, cv, units, recognition, excluded; and
    ``评估结果.xlsx`` with one sheet per table, Chinese headers and status words.
    Synthetic data get a ``data`` column saying so in every table and a note sheet.
    A table longer than one sheet holds is split across sheets (:func:`sheet_parts`),
    and the 说明 sheet says so. Every file appears, or none
    does; any failure of a writer is an :class:`~quality_balance.errors.OutputError`
    (:func:`quality_balance.output.atomic_folder`).

    Parameters
    ----------
    assessment : Assessment
        From :func:`quality_balance.assess`.
    folder : str or Path
        The output folder (created if needed); other files there are kept.

    Returns
    -------
    list of Path
        The paths written: the nine CSV files in the order above, then
        ``评估结果.xlsx``.

    Raises
    ------
    OutputError
        ``folder`` cannot be written (a file, no permission, disk full) or a writer
        failed; nothing half-written is left and earlier files stay as they were.
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
            neutralise_formulas(frame).to_csv(tmp / f"{name}.csv", index=False, encoding="utf-8-sig")
            names.append(f"{name}.csv")
        sheets = {name: sheet_parts(RESULT_SHEETS[name], frame) for name, frame in tables.items()}
        split = [f"{RESULT_SHEETS[name]}共 {sum(len(p) for _, p in parts)} 行，超过 Excel 每张工作表 "
                 f"{EXCEL_MAX_ROWS} 行（含表头）的上限，分在工作表 {'、'.join(s for s, _ in parts)} 中（每张都有表头）"
                 for name, parts in sheets.items() if len(parts) > 1]
        with pd.ExcelWriter(tmp / "评估结果.xlsx", engine="openpyxl") as xl:
            note = pd.DataFrame({"说明": [assessment.label, "状态：达标 / 未达标 / 无数据 / 不适用",
                                          "各表英文版见同目录 CSV 文件", *split]})
            note.to_excel(xl, sheet_name="说明", index=False)
            for name, parts in sheets.items():
                for sheet, part in parts:
                    neutralise_formulas(for_people(part)).to_excel(xl, sheet_name=sheet, index=False)
            if assessment.synthetic:
                xl.book.properties.title = SYNTHETIC_LABEL
                xl.book.properties.description = "synthetic demo data — not real statistics"
        names.append("评估结果.xlsx")
    return [Path(folder) / n for n in names]
