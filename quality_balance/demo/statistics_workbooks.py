"""The demo's schools as 基础基 statistics workbooks, in the documented layout (合成演示数据).

:func:`school_workbook` writes one school-year of the school table as the workbook a county bureau
exports from the 教育事业统计 system — one sheet per base table, laid out as
``../shared/reference/jichuji-tables.md`` §0 and §4.3 describe: a hidden row 1 holding the column
letters, a hidden column A holding a running row number, a title row, the code-and-unit row
(``基础基312 ␣␣␣ 单位：人``), two or three merged header levels, the ``甲 | 乙 | 1 | 2 …`` code row,
then the data from ``总  计``; every value stored as text, ``*`` in cells that do not apply, padded
labels and ``_x000D_`` in headers. The labels that the reference marks unconfirmed are this module's
(and the shipped mapping's) guesses. ``edition`` chooses the rows of 基础基512 (``"2018"``: 体育馆;
``"2021"``: 专用教室 / 公共教学用房 / 室内体育用房).

The tests and ``make demo`` share it: :func:`write_workbooks` writes a whole school table, one file per
school; importing them back (:func:`quality_balance.inputs.statistics.import_statistics`) gives the
same figures. Files are built as SpreadsheetML directly (a few kB each, deterministic bytes) because
≈850 workbooks must be quick to write; openpyxl reads them like any export.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Mapping
from xml.sax.saxutils import escape

import pandas as pd

from ..inputs.dataset import SYNTHETIC_LABEL
from ..output import atomic_folder, safe_name

__all__ = ["EDITIONS", "school_workbook", "write_workbooks", "workbook_name", "PROVINCES"]

#: The documented editions of 基础基512.
EDITIONS = ("2018", "2021")
#: Province of a county code's first two digits, for the 属地管理教育行政部门 name (the demo's places).
PROVINCES = {"41": "河南省", "15": "内蒙古自治区", "44": "广东省", "37": "山东省"}
_TYPE_NAMES = {"小学": ("小学", "211"), "教学点": ("小学教学点", "218"), "初级中学": ("初级中学", "311"),
               "九年一贯制学校": ("九年一贯制学校", "312"), "十二年一贯制学校": ("十二年一贯制学校", "345"),
               "完全中学": ("完全中学", "341"), "特殊教育学校": ("其他特教学校", "514")}
_LOCATION_CODES = {"城区": ("主城区", "111"), "镇区": ("镇中心区", "121"), "乡村": ("村庄", "220")}
_FIXED_TIME = (2021, 1, 1, 0, 0, 0)
_BANDS = ("25人及以下", "26-30人", "31-35人", "36-40人", "41-45人", "46-50人", "51-55人", "56-65人", "66人及以上")
_PRIMARY_SUBJECTS = ("道德与法治", "语文", "数学", "外语", "科学", "体育与健康", "音乐", "美术", "艺术", "信息技术",
                     "其他")
_JUNIOR_SUBJECTS = ("道德与法治", "语文", "数学", "外语", "物理", "化学", "生物", "历史", "地理", "体育与健康",
                    "音乐", "美术", "艺术", "信息技术", "其他")
_DEGREES = ("研究生毕业", "本科毕业", "专科毕业", "高中阶段毕业", "高中阶段以下毕业")


# --- numbers as the export writes them -----------------------------------------------------------------

def _text(value) -> str:
    """A figure as text: ``'87'``, ``'1124.5'`` (the shortest exact decimal of the float)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    d = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(int(value))
    return f"{d.normalize():f}" if d != d.to_integral() else str(int(d))


def _wan(value) -> str:
    """元 → 万元, exactly: 3010845 → ``'301.0845'``."""
    return f"{(Decimal(repr(float(value))) / 10000).normalize():f}"


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(int(total), parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


# --- a sheet as cells and merges -----------------------------------------------------------------------

@dataclass
class _Sheet:
    name: str
    cells: dict[tuple[int, int], str]     # 1-based (row, col) → text
    merges: list[tuple[int, int, int, int]]

    def put(self, row: int, col: int, text: str) -> None:
        if text != "":
            self.cells[(row, col)] = text

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))


def _col(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _helpers(sheet: _Sheet) -> None:
    """The hidden helper row 1 (column letters) and column A (running row numbers)."""
    last_row = max(r for r, _ in sheet.cells)
    last_col = max(c for _, c in sheet.cells)
    for c in range(1, last_col + 1):
        sheet.cells[(1, c)] = _col(c)
    for r in range(2, last_row + 1):
        sheet.cells[(r, 1)] = str(r - 1)


def _grid_sheet(code: str, title: str, unit: str, headers: list[tuple[str, ...]], rows: list[tuple[str, str]],
                values: Mapping[tuple[int, int], str], *, label_span: int = 1, levels: int | None = None) -> _Sheet:
    """A grid table: ``headers`` one path per data column, ``rows`` (label, 编号), ``values`` (row, column) → text.

    Labels: a label given as ``"其中|危房"`` is written over two label cells (B ``其中``, C ``危房``).
    """
    sheet = _Sheet(f"基础基{code}", {}, [])
    levels = levels or max(len(h) for h in headers)
    label, number = 2, 2 + label_span
    first = number + 1
    last = first + len(headers) - 1
    sheet.put(2, 2, title)
    sheet.merge(2, 2, 2, last)
    sheet.put(3, 2, f"基础基{code}" + " " * 40 + (f"单位：{unit}" if unit else "单位:"))
    sheet.merge(3, 2, 3, last)
    top, bottom = 4, 4 + levels - 1
    sheet.merge(top, label, bottom, number - 1)
    sheet.put(top, number, "编号")
    sheet.merge(top, number, bottom, number)
    for level in range(levels):
        c = 0
        while c < len(headers):
            path = headers[c]
            if len(path) <= level:
                c += 1
                continue
            end = c
            while end + 1 < len(headers) and headers[end + 1][:level + 1] == path[:level + 1]:
                end += 1
            sheet.put(top + level, first + c, path[level])
            last_level = level == len(path) - 1
            sheet.merge(top + level, first + c, bottom if last_level else top + level, first + end)
            c = end + 1
    code_row = bottom + 1
    sheet.put(code_row, label, "甲")
    sheet.merge(code_row, label, code_row, number - 1)
    sheet.put(code_row, number, "乙")
    for i in range(len(headers)):
        sheet.put(code_row, first + i, str(i + 1))
    for i, (text, no) in enumerate(rows):
        r = code_row + 1 + i
        if "|" in text and label_span == 2:
            head, tail = text.split("|")
            sheet.put(r, label, head)
            sheet.put(r, label + 1, tail)
        else:
            sheet.put(r, label, text.replace("|", ""))
            sheet.merge(r, label, r, number - 1)
        sheet.put(r, number, no)
        for j in range(len(headers)):
            sheet.put(r, first + j, values.get((i, j), ""))
    _helpers(sheet)
    return sheet


def _padded(label: str) -> str:
    """``总计`` as the export writes it (``总  计``)."""
    return "总  计" if label == "总计" else label


# --- the tables --------------------------------------------------------------------------------------

def _t111(s: Mapping, year: int) -> _Sheet:
    sheet = _Sheet("基础基111", {}, [])
    type_name, type_code = _TYPE_NAMES[s["school_type"]]
    loc_name, loc_code = _LOCATION_CODES[s["location"]]
    code = str(s["county_code"])
    authority = f"{PROVINCES.get(code[:2], '')}{s['city']}{s['county']}教育局"
    put = sheet.put
    put(2, 2, "基础教育学校（机构）统计调查表")
    sheet.merge(2, 2, 2, 11)
    put(3, 2, f"（{year} /{year + 1} 学年初）")
    sheet.merge(3, 2, 3, 11)
    put(5, 2, "基础基111")
    put(6, 2, "学校标识码")
    sheet.merge(6, 2, 6, 3)
    put(6, 4, "学校（机构）名称（章）")
    sheet.merge(6, 4, 6, 7)
    put(6, 8, "学校（机构）英文名称")
    put(7, 2, str(s["school_id"]))
    sheet.merge(7, 2, 7, 3)
    put(7, 4, str(s["school_name"]))
    sheet.merge(7, 4, 7, 7)
    put(9, 4, "学校（机构）地址")
    put(9, 7, "学校（机构）所在地城乡类型")
    put(9, 8, "学校（机构）属地管理\n教育行政部门")
    put(10, 2, "名    称")
    put(10, 4, f"{PROVINCES.get(code[:2], '')}{s['city']}{s['county']}")
    put(10, 7, loc_name)
    put(10, 8, authority)
    put(11, 2, "代    码")
    put(11, 4, f"{code}100201")
    put(11, 7, loc_code)
    put(11, 8, f"{code}000000")
    put(13, 4, "学校（机构）办学类型")
    put(13, 5, "学校（机构）举办者")
    put(13, 7, "学校（机构）性质类别")
    put(14, 2, "名    称")
    put(14, 4, type_name)
    put(14, 5, "地方教育部门")
    put(15, 2, "代    码")
    put(15, 4, type_code)
    put(15, 5, "821")
    for block, r in enumerate(range(5, 16, 5), 1):   # the hidden last column: 10, 20, 30 per block of fields
        put(r, 12, str(block * 10))
    _helpers(sheet)
    return sheet


def _t112(s: Mapping) -> _Sheet:
    sheet = _Sheet("基础基112", {}, [])
    sheet.put(2, 2, "学校（机构）基本情况续表")
    sheet.merge(2, 2, 2, 6)
    sheet.put(3, 2, "基础基112" + " " * 40 + "单位:")
    sheet.merge(3, 2, 3, 6)
    for c, text in enumerate(("项  目", "编号", "内容", "单位", "备注"), 2):
        sheet.put(4, c, text)
    items = [("体育运动场（馆）面积是否达标", "5", "是", "", "中、小学"),
             ("音乐器材配备是否达标", "7", "是", "", "中、小学"),
             ("美术器材配备是否达标", "8", "是", "", "中、小学"),
             ("接入互联网出口带宽", "14", "1000", "Mbps", "中、小学"),
             ("县级及以上骨干教师（小学）", "26", _text(s["backbone_teachers_primary"]), "人", "小学"),
             ("县级及以上骨干教师（初中）", "27", _text(s["backbone_teachers_junior"]), "人", "初中"),
             ("县级及以上骨干教师（高中）", "28", "*", "人", "高中"),
             ("心理健康教育教师", "30", "1", "人", "")]
    for i, item in enumerate(items):
        for c, text in enumerate(item, 2):
            sheet.put(5 + i, c, text)
    _helpers(sheet)
    return sheet


def _classes(code: str, title: str, grades: tuple[str, ...], classes: int, students: int, big: int) -> _Sheet:
    headers = [("合计",)] + [(g,) for g in grades]
    rows = [("总  计", "1")] + [(b, str(i + 2)) for i, b in enumerate(_BANDS)]
    values: dict[tuple[int, int], str] = {(0, 0): _text(classes)}
    if classes:
        big = min(big, classes)
        rest = classes - big
        mean = students / classes if classes else 0
        band = next(i for i, upper in enumerate((25, 30, 35, 40, 45, 50, 55, 65, 10**9)) if mean <= upper)
        band = min(band, 6)   # the bands of 56 and more hold exactly the demo's large classes
        counts = [0] * len(_BANDS)
        counts[band] += rest
        counts[7] += big
        for i, n in enumerate(counts):
            values[(i + 1, 0)] = _text(n) if n else ""
        for j, n in enumerate(_split(classes, len(grades)), 1):
            values[(0, j)] = _text(n)
    return _grid_sheet(code, title, "个", headers, rows, values)


def _students(code: str, title: str, grades: tuple[str, ...], students: int) -> _Sheet:
    headers = [("毕业生数",), ("招生数",), ("在校_x000D_\n学生数", "合计"), ("在校_x000D_\n学生数", "其中：女")] + \
        [("在校_x000D_\n学生数", g) for g in grades]
    rows = [("总  计", "1"), ("其中：女", "2"), ("少数民族", "3")]
    values: dict[tuple[int, int], str] = {}
    if students:
        per_grade = _split(students, len(grades))
        girls = students * 48 // 100
        values.update({(0, 0): _text(per_grade[-1]), (0, 1): _text(per_grade[0]), (0, 2): _text(students),
                       (0, 3): _text(girls)})
        values.update({(0, 4 + i): _text(n) for i, n in enumerate(per_grade)})
        values.update({(1, 2): _text(girls), (1, 3): "*", (2, 2): "0", (2, 3): "0"})
    return _grid_sheet(code, title, "人", headers, rows, values)


def _degrees(above: int, *, junior: bool) -> list[int]:
    """Teachers by degree row: the R1 numerator (专科 and above for primary, 本科 and above for junior) exactly."""
    postgrad = above // 10
    if junior:
        return [postgrad, above - postgrad, 2 if above else 0, 0, 0]
    bachelor = (above - postgrad) * 6 // 10
    return [postgrad, bachelor, above - postgrad - bachelor, 1 if above else 0, 0]


def _subjects(pe_art: int, total: int, subjects: tuple[str, ...]) -> list[int]:
    pe = (pe_art * 4 + 9) // 10
    music = (pe_art - pe) // 2
    art_extra = 1 if pe_art - pe - music > 1 else 0
    fine = pe_art - pe - music - art_extra
    counts = dict.fromkeys(subjects, 0)
    counts.update({"体育与健康": pe, "音乐": music, "美术": fine, "艺术": art_extra})
    others = [s for s in subjects if s not in ("体育与健康", "音乐", "美术", "艺术")]
    for s, n in zip(others, _split(total - pe_art, len(others))):
        counts[s] = n
    return [counts[s] for s in subjects]


def _teacher_block(above: int, pe_art: int, junior: bool, subjects) -> tuple[list[int], list[list[int]]]:
    degrees = _degrees(above, junior=junior)
    total = max(sum(degrees), pe_art)
    degrees[4] += total - sum(degrees)
    return degrees, [[total] + _subjects(pe_art, total, subjects)]


def _t423(s: Mapping) -> _Sheet:
    headers = [("合计",)] + [("分课程", x) for x in _PRIMARY_SUBJECTS]
    rows = [("总  计", "1"), ("其中：女", "2")] + [(d, str(i + 3)) for i, d in enumerate(_DEGREES)]
    values: dict[tuple[int, int], str] = {}
    if s["students_primary"] or s["teachers_above_degree_primary"]:
        degrees, (line,) = _teacher_block(int(s["teachers_above_degree_primary"]), int(s["pe_art_teachers_primary"]),
                                          False, _PRIMARY_SUBJECTS)
        values.update({(0, j): _text(n) for j, n in enumerate(line)})
        values.update({(1, 0): _text(line[0] * 7 // 10)})
        values.update({(2 + i, 0): _text(n) for i, n in enumerate(degrees)})
    return _grid_sheet("423", "小学专任教师分课程、分学历", "人", headers, rows, values)


def _t424(s: Mapping) -> _Sheet:
    headers = [("合计",)] + [("分课程", x) for x in _JUNIOR_SUBJECTS]
    rows = [("总  计", "1")]
    values: dict[tuple[int, int], str] = {}
    totals = [0] * (len(_JUNIOR_SUBJECTS) + 1)
    for stage, above, pe_art in (("初中", s["teachers_above_degree_junior"], s["pe_art_teachers_junior"]),
                                 ("高中", 0 if not s.get("students_senior") else s["students_senior"] // 14,
                                  0 if not s.get("students_senior") else s["students_senior"] // 90)):
        start = len(rows)
        rows += [(stage, str(start + 1)), ("其中：女", str(start + 2))] + \
            [(d, str(start + 3 + i)) for i, d in enumerate(_DEGREES)]
        if above or pe_art:
            degrees, (line,) = _teacher_block(int(above), int(pe_art), True, _JUNIOR_SUBJECTS)
            values.update({(start, j): _text(n) for j, n in enumerate(line)})
            values[(start + 1, 0)] = _text(line[0] * 6 // 10)
            values.update({(start + 2 + i, 0): _text(n) for i, n in enumerate(degrees)})
            totals = [a + b for a, b in zip(totals, line)]
    if any(totals):
        values.update({(0, j): _text(n) for j, n in enumerate(totals)})
    return _grid_sheet("424", "中学专任教师分课程、分学历", "人", headers, rows, values)


def _t512(s: Mapping, edition: str) -> _Sheet:
    headers = [("校舍建筑面积", x) for x in ("合计", "框架结构", "砖混结构", "砖木结构", "土木结构")] + \
        [("校舍建筑面积中：租借面积", x) for x in ("计", "租借公办的基础教育学校的校舍建筑面积")]
    teaching = Decimal(_text(s["teaching_area_m2"]))
    gym = (teaching * Decimal("0.12")).quantize(Decimal("0.1"))
    office = (teaching * Decimal("0.18")).quantize(Decimal("0.1"))
    living = (teaching * Decimal("0.25")).quantize(Decimal("0.1"))
    if edition == "2018":
        rooms = [("教室", "05", teaching - gym - (teaching * Decimal("0.2")).quantize(Decimal("0.1"))),
                 ("实验室", "06", (teaching * Decimal("0.1")).quantize(Decimal("0.1"))),
                 ("图书室", "07", (teaching * Decimal("0.05")).quantize(Decimal("0.1"))),
                 ("微机室", "08", (teaching * Decimal("0.03")).quantize(Decimal("0.1"))),
                 ("语音室", "09", None), ("体育馆", "10", gym)]
    elif edition == "2021":
        special = (teaching * Decimal("0.15")).quantize(Decimal("0.1"))
        public = gym + (teaching * Decimal("0.08")).quantize(Decimal("0.1"))
        rooms = [("教室", "05", teaching - special - public), ("专用教室", "06", special),
                 ("其中|理化生实验室", "07", (special * Decimal("0.6")).quantize(Decimal("0.1"))), ("其他", "08", None),
                 ("公共教学用房", "09", public), ("其中|图书阅览室", "10", public - gym), ("室内体育用房", "11", gym),
                 ("心理辅导室", "12", None), ("其他", "13", None)]
    else:
        raise ValueError(f"edition must be one of {EDITIONS}, got {edition!r}")
    n = len(rooms) + 5
    rows = [("总计", "01", teaching + office + living), ("其中|危房", "02", Decimal(0)),
            ("其中|当年新增校舍", "03", None), ("一、教学及辅助用房", "04", teaching)] + rooms + \
        [("二、行政办公用房", f"{n:02d}", office), ("其中：教师办公室", f"{n + 1:02d}", None),
         ("三、生活用房", f"{n + 2:02d}", living), ("四、其他用房", f"{n + 3:02d}", Decimal(0))]
    values = {}
    for i, (_, _, v) in enumerate(rows):
        if v is not None:
            values[(i, 0)] = f"{v.normalize():f}" if v != v.to_integral() else str(int(v))
            values[(i, 1)] = values[(i, 0)]
        values[(i, 5)] = "0" if i < 4 else ""
    return _grid_sheet("512", "中小学校舍情况", "平方米", headers, [(_padded(t), no) for t, no, _ in rows],
                       values, label_span=2)


def _t522(s: Mapping) -> _Sheet:
    headers = [("占地面积（平方米）", "计"), ("占地面积（平方米）", "其中", "绿化用地面积"),
               ("占地面积（平方米）", "其中", "运动场地面积"), ("图书（册）",),
               ("计算机数（台）", "合计"), ("计算机数（台）", "其中：教学用计算机"),
               ("教室（间）", "计"), ("教室（间）", "其中：网络多媒体教室"),
               ("固定资产总值（万元）", "计"), ("固定资产总值（万元）", "其中：教学仪器设备资产值")]
    sports = Decimal(_text(s["sports_area_m2"]))
    rooms = int(s["multimedia_rooms"])
    equipment = Decimal(_wan(s["equipment_value_yuan"]))
    values = {(0, 0): f"{(sports * 3).normalize():f}", (0, 1): f"{(sports / 4).normalize():f}",
              (0, 2): _text(s["sports_area_m2"]), (0, 3): str(int(s["students_primary"] + s["students_junior"]) * 30),
              (0, 4): str(rooms + 40), (0, 5): str(rooms + 30), (0, 6): str(rooms + 2), (0, 7): str(rooms),
              (0, 8): f"{(equipment * 4).normalize():f}", (0, 9): _wan(s["equipment_value_yuan"])}
    return _grid_sheet("522", "中小学占地面积及其他办学条件", "", headers, [("总  计", "1")], values, levels=3)


def _cover(year: int, synthetic: bool) -> _Sheet:
    sheet = _Sheet("封面", {}, [])
    sheet.put(3, 3, "基础教育基层统计调查表")
    sheet.put(4, 3, f"（{year} /{year + 1} 学年初）")
    sheet.put(6, 3, "制表机关：教育部")
    sheet.put(7, 3, "批准机关：国家统计局")
    sheet.put(8, 3, "批准文号：国统制[2018]86号")
    if synthetic:
        sheet.put(10, 3, SYNTHETIC_LABEL)
    return sheet


def _sheets(s: Mapping, edition: str, synthetic: bool) -> list[_Sheet]:
    year = int(s["year"])
    primary, junior = int(s["students_primary"]), int(s["students_junior"])
    senior = int(s.get("students_senior") or 0)
    return [_cover(year, synthetic), _t111(s, year), _t112(s),
            _classes("212", "小学教学班数、班额情况", ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级"),
                     int(s["classes_primary"]), primary, int(s["classes_56_plus"])),
            _classes("213", "中学教学班数、班额情况", ("七年级", "八年级", "九年级"), int(s["classes_junior"]), junior,
                     int(s["classes_56_plus"]) - min(int(s["classes_56_plus"]), int(s["classes_primary"]))),
            _students("312", "小学学生数", ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级"), primary),
            _students("313", "初中学生数", ("七年级", "八年级", "九年级"), junior),
            _students("314", "普通高中学生数", ("高一", "高二", "高三"), senior),
            _t423(s), _t424(s), _t512(s, edition), _t522(s)]


# --- SpreadsheetML --------------------------------------------------------------------------------------

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _sheet_xml(sheet: _Sheet, strings: dict[str, int]) -> str:
    """A worksheet part; every text goes to the shared-string table ``strings`` (as real exports store them)."""
    rows: dict[int, list[tuple[int, str]]] = {}
    for (r, c), text in sheet.cells.items():
        rows.setdefault(r, []).append((c, text))
    last_row = max(rows) if rows else 1
    last_col = max((c for (_, c) in sheet.cells), default=1)
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'
             f'<dimension ref="A1:{_col(last_col)}{last_row}"/>']
    if sheet.name != "封面":
        parts.append('<cols><col min="1" max="1" width="4" hidden="1" customWidth="1"/></cols>')
    parts.append("<sheetData>")
    for r in sorted(rows):
        hidden = ' hidden="1"' if r == 1 and sheet.name != "封面" else ""
        cells = "".join(f'<c r="{_col(c)}{r}" t="s"><v>{strings.setdefault(t, len(strings))}</v></c>'
                        for c, t in sorted(rows[r]))
        parts.append(f'<row r="{r}"{hidden}>{cells}</row>')
    parts.append("</sheetData>")
    if sheet.merges:
        refs = "".join(f'<mergeCell ref="{_col(c1)}{r1}:{_col(c2)}{r2}"/>' for r1, c1, r2, c2 in sheet.merges)
        parts.append(f'<mergeCells count="{len(sheet.merges)}">{refs}</mergeCells>')
    parts.append("</worksheet>")
    return "".join(parts)


def _shared_strings(strings: dict[str, int]) -> str:
    items = "".join(f'<si><t xml:space="preserve">{escape(t)}</t></si>' for t in strings)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {_NS} count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{items}</sst>')


def _write_xlsx(sheets: list[_Sheet], path: Path) -> None:
    n = len(sheets)
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.'
        f'openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} '
        f'xmlns:r="{_REL_NS}"><sheets>'
        + "".join(f'<sheet name="{escape(s.name)}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, 1))
        + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                  for i in range(1, n + 1))
        + f'<Relationship Id="rId{n + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{_REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {_NS}>'
        '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts><fills count="1"><fill><patternFill '
        'patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1">'
        '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
    }
    strings: dict[str, int] = {}
    files.update({f"xl/worksheets/sheet{i}.xml": _sheet_xml(s, strings) for i, s in enumerate(sheets, 1)})
    files["xl/sharedStrings.xml"] = _shared_strings(strings)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=_FIXED_TIME), text.encode("utf-8"),
                             compress_type=zipfile.ZIP_DEFLATED)


# --- public ---------------------------------------------------------------------------------------------------

def workbook_name(school: Mapping) -> str:
    """The file name of a school's workbook: ``<学校标识码>_<学校名称>.xlsx`` (made safe)."""
    return safe_name(f"{school['school_id']}_{school['school_name']}") + ".xlsx"


def school_workbook(school: Mapping, path: str | Path, *, edition: str = "2018", synthetic: bool = True) -> Path:
    """Write one school-year (a row of the school table) as its 基础基 workbook.

    Parameters
    ----------
    school : mapping
        A row of the school table (canonical column names): identity, students, teachers, facilities,
        classes (``classes_56_plus`` goes into the 56–65 band of 212, what exceeds the primary classes into 213).
    path : str or Path
        The ``.xlsx`` file to write (its folder must exist).
    edition : {"2018", "2021"}, keyword-only
        The rows of 基础基512 (see the module docstring).
    synthetic : bool, keyword-only
        Write :data:`~quality_balance.SYNTHETIC_LABEL` on the cover (default True: the demo's data).

    Returns
    -------
    Path
        ``path``.
    """
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, got {edition!r}")
    _write_xlsx(_sheets(school, edition, synthetic), Path(path))
    return Path(path)


def write_workbooks(schools: pd.DataFrame, folder: str | Path, *, edition: str = "2018",
                    synthetic: bool = True, types: Iterable[str] | None = None) -> list[Path]:
    """Write every row of a school table as its workbook, one per school, into ``folder`` (atomically).

    Parameters
    ----------
    schools : DataFrame
        The school table (``qb.demo.generate().schools``), canonical column names.
    folder : str or Path
        Created if needed; files of the same names are replaced, others kept.
    edition : {"2018", "2021"}, keyword-only
        The rows of 基础基512.
    synthetic : bool, keyword-only
        Mark the covers synthetic.
    types : iterable of str, optional, keyword-only
        Only schools of these types (default: all).

    Returns
    -------
    list of Path
        The files written, in the table's order.
    """
    rows = schools if types is None else schools[schools["school_type"].isin(list(types))]
    folder = Path(folder)
    names = []
    with atomic_folder(folder) as tmp:
        for record in rows.to_dict("records"):
            name = workbook_name(record)
            school_workbook(record, tmp / name, edition=edition, synthetic=synthetic)
            names.append(name)
    return [folder / n for n in names]
