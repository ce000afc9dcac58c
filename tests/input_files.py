"""Test helpers: write real input files (CSV in any encoding, .xlsx, .xls) as a county bureau would.

Rows are canonical dicts (see ``builders.py``); the files get the Chinese headers
of :mod:`quality_balance.schema`, optionally a title row above the header and a
units row below it, exactly as people type them in Excel.
"""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from tests.builders import JUNIOR_OK, PRIMARY_OK, school
from quality_balance.schema import SCHOOLS, Table

__all__ = ["JUNIOR_OK", "PRIMARY_OK", "school", "grid", "write_csv", "write_xlsx", "write_xls"]


def grid(rows: list[dict], table: Table = SCHOOLS, title: str | None = None, units: bool = False,
         headers: dict[str, str] | None = None) -> list[list[object]]:
    """The cells of a sheet: optional title row, header row (Chinese), optional units row, data rows.

    Columns are those of the first row, in its order; ``headers`` overrides a header's text.
    """
    names = list(rows[0])
    known = {c.name: c for c in table.columns}
    header = [(headers or {}).get(n) or (known[n].zh if n in known else n) for n in names]
    cells: list[list[object]] = []
    if title:
        cells.append([title] + [""] * (len(names) - 1))
    cells.append(header)
    if units:
        cells.append([known[n].unit if n in known else "" for n in names])
    cells.extend([[row.get(n, "") for n in names] for row in rows])
    return cells


def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8", **kwargs) -> Path:
    """A CSV file written with the csv module (as Excel would), in ``encoding``."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(grid(rows, **kwargs))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """An .xlsx workbook with one sheet per entry (cells from :func:`grid`)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, cells in sheets.items():
        ws = book.create_sheet(name)
        for row in cells:
            ws.append([None if v == "" else v for v in row])
    book.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A legacy .xls workbook (Excel 97–2003), written with xlwt."""
    import xlwt

    book = xlwt.Workbook()
    for name, cells in sheets.items():
        ws = book.add_sheet(name)
        for i, row in enumerate(cells):
            for j, value in enumerate(row):
                ws.write(i, j, value)
    book.save(str(path))
    return path
