"""The data contract: every input table's columns, their Chinese headers, kinds and units.

This module is data, not logic. Loaders, validation, the demo generator and the
input templates all read it, so a column is described once.

Column kinds
------------
``int``       integer (years)
``count``     non-negative number of people, rooms or classes
``amount``    non-negative quantity with a unit (m², 元)
``rate``      percentage, 0–100 (a trailing "%" is accepted on input)
``ratio``     a plain fraction, 0–1
``bool``      是/否 (also yes/no, true/false, 1/0, Y/N, √/×)
``text``      free text / identifiers
``category``  one of ``choices``
``level``     an ordinal grade: one of ``choices``, best first

``stage`` marks a count column that belongs to one school stage: in such a
column the not-applicable marks "—", "-", "/" or a blank mean 0 only where the
school has no students of that stage.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Column",
    "Table",
    "SCHOOLS",
    "COUNTIES",
    "SURVEY",
    "SURVEY_ANSWERS",
    "SCORES",
    "CLASSES",
    "CLASS_STAGES",
    "TABLES",
    "SCHOOL_TYPES",
    "MAX_MAGNITUDE",
    "LOCATIONS",
    "SCHOOL_TYPE_STAGES",
    "STAGES",
    "STAGE_LABELS",
    "INDICATORS",
    "INDICATOR_LABELS",
    "INDICATOR_UNITS",
    "INDICATOR_SCALE",
    "RATINGS",
    "SURVEY_GROUPS",
    "STATUS_LABELS",
    "VETO_LABELS",
    "status_label",
    "indicator_names",
    "veto_label",
    "COUNTY_KEY",
    "PLACE_KEY",
    "CV_GROUP_KEY",
    "DIMENSION_LABELS",
    "RESULT_HEADERS",
    "PERCENT_KINDS",
    "EXAMPLE_MARKER",
]


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    zh: str
    kind: str
    required: bool = False
    description: str = ""
    unit: str = ""
    example: object = None
    choices: tuple[str, ...] = ()
    stage: str | None = None
    aliases: tuple[str, ...] = ()
    #: a count that must be a whole number: a fraction is an error, not a warning (a class's students)
    whole: bool = False

    @property
    def header_unit(self) -> str:
        """The unit a template's header shows: ``%`` for every percent column (kinds :data:`PERCENT_KINDS`,
        so a ``ratio`` is typed as a percentage there too), else :attr:`unit` (``""`` for none).

        >>> SCHOOLS.column("equipment_value_yuan").header_unit, COUNTIES.column("difference_rate").header_unit
        ('元', '%')
        """
        return "%" if self.kind in PERCENT_KINDS else self.unit

    @property
    def header(self) -> str:
        """The header text with its unit, as the input template writes it: ``教学仪器设备值(元)``.

        The readers accept it as well as the bare :attr:`zh` (a unit suffix is matched and dropped).

        >>> SCHOOLS.column("equipment_value_yuan").header, SCHOOLS.column("school_name").header
        ('教学仪器设备值(元)', '学校名称')
        """
        return f"{self.zh}({self.header_unit})" if self.header_unit else self.zh


@dataclass(frozen=True)
class Table:
    """An input table: its name, Chinese sheet title, key columns and columns."""

    name: str
    zh: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str = ""

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


# --- input template ------------------------------------------------------------
#: Column kinds typed as percentages (0–100, "%" allowed) in the input template: ``rate`` always; a
#: ``ratio`` (0–1) whose header carries the unit "(%)", as the template writes it, is read as a
#: percentage and divided by 100 (:mod:`quality_balance.inputs.validate`).
PERCENT_KINDS = ("rate", "ratio")
#: The first cell (年份) of the template's example row: a row whose first column reads this is
#: skipped on load with a note. Remove the marker and the row counts as data.
EXAMPLE_MARKER = "示例（导入时忽略）"

# --- vocabularies -------------------------------------------------------------

SCHOOL_TYPES = ("小学", "初级中学", "九年一贯制学校", "十二年一贯制学校", "完全中学", "教学点", "特殊教育学校")
LOCATIONS = ("城区", "镇区", "乡村")
#: The stages whose students each school type may enrol ("primary", "junior", "senior").
#: 特殊教育学校 enrols children of every age and may report any stage.
#: The largest count or amount any column may hold: no school has 10^12 students, m² or 元. A value beyond
#: it is refused on input (it would overflow the county sums and turn means into infinity).
MAX_MAGNITUDE = 1e12

SCHOOL_TYPE_STAGES = {
    "小学": ("primary",),
    "初级中学": ("junior",),
    "九年一贯制学校": ("primary", "junior"),
    "十二年一贯制学校": ("primary", "junior", "senior"),
    "完全中学": ("junior", "senior"),
    "教学点": ("primary",),
    "特殊教育学校": ("primary", "junior", "senior"),
}
STAGES = ("primary", "junior")
STAGE_LABELS = {"primary": "小学", "junior": "初中", "senior": "高中"}
RATINGS = ("优秀", "良好", "合格", "不合格")
SURVEY_GROUPS = ("学生", "家长", "教师", "校长", "人大代表", "政协委员", "其他群众")

INDICATORS = ("R1", "R2", "R3", "R4", "R5", "R6", "R7")
INDICATOR_LABELS = {
    "R1": "每百名学生拥有高于规定学历教师数",
    "R2": "每百名学生拥有县级以上骨干教师数",
    "R3": "每百名学生拥有体育、艺术专任教师数",
    "R4": "生均教学及辅助用房面积",
    "R5": "生均体育运动场馆面积",
    "R6": "生均教学仪器设备值",
    "R7": "每百名学生拥有网络多媒体教室数",
}
#: the indicator definition's scale: "per 100 students" indicators are multiplied by 100
INDICATOR_SCALE = {"R1": 100, "R2": 100, "R3": 100, "R4": 1, "R5": 1, "R6": 1, "R7": 100}
INDICATOR_UNITS = {"R1": "人/百生", "R2": "人/百生", "R3": "人/百生", "R4": "m²/生",
                   "R5": "m²/生", "R6": "元/生", "R7": "间/百生"}

STATUS_LABELS = {"met": "达标", "not_met": "未达标", "no_data": "无数据", "not_applicable": "不适用",
                 "present": "存在", "absent": "无"}
#: The veto column says whether a veto item is present, so its words differ from a dimension's.
VETO_LABELS = {"met": "无", "not_met": "存在（否决）", "no_data": "无数据", "not_applicable": "不适用"}
DIMENSION_LABELS = {"resources": "资源配置", "guarantee": "政府保障程度", "quality": "教育质量",
                    "recognition": "社会认可度", "veto": "一票否决", "overall": "综合结论"}


def indicator_names(codes):
    """Indicator codes as the reader names them: ``"R4,R5"`` → ``"R4 生均教学及辅助用房面积、R5 生均体育运动场馆面积"``.

    Works on one text or a Series (each distinct text converted once); other text and missing
    values are kept.

    >>> indicator_names("R6")
    'R6 生均教学仪器设备值'
    """
    def name(text):
        if not isinstance(text, str) or not text:
            return text
        return "、".join(f"{c} {INDICATOR_LABELS[c]}" if c in INDICATOR_LABELS else c
                        for c in (p.strip() for p in text.split(",")))

    if isinstance(codes, str) or codes is None:
        return name(codes)
    import numpy as np
    import pandas as pd

    found, uniques = pd.factorize(codes, use_na_sentinel=True)
    named = np.array([name(u) for u in uniques] + [None], dtype=object)
    return pd.Series(named[found], index=codes.index, dtype=object)


def status_label(status, *, dimension: str | None = None):
    """The Chinese word of an assessment status (``met`` → 达标), for one value or a whole table.

    Parameters
    ----------
    status : str, Series or DataFrame
        Status words (``met``, ``not_met``, ``no_data``, ``not_applicable``...).
    dimension : str, optional, keyword-only
        ``"veto"`` reads the veto column's words (:func:`veto_label`: 无 / 存在（否决）);
        any other dimension, or none, the words of :data:`STATUS_LABELS`.

    Returns
    -------
    str, Series or DataFrame
        The same shape; a value without a Chinese word (a missing value, an unknown
        word) is returned as it is.

    Examples
    --------
    >>> status_label("not_met"), status_label("not_met", dimension="veto"), status_label("其他")
    ('未达标', '存在（否决）', '其他')
    """
    labels = VETO_LABELS if dimension == "veto" else STATUS_LABELS
    if isinstance(status, str):
        return labels.get(status, status)
    if hasattr(status, "replace"):  # a Series or DataFrame: every cell at once
        return status.replace(labels)
    return status  # a missing value


def veto_label(status):
    """The Chinese word of a veto status: ``met`` → 无, ``not_met`` → 存在（否决）(:func:`status_label`).

    Parameters
    ----------
    status : str, Series or DataFrame
        Status words of the veto dimension.

    Returns
    -------
    str, Series or DataFrame
        As :func:`status_label` with ``dimension="veto"``.

    >>> veto_label("met")
    '无'
    """
    return status_label(status, dimension="veto")


# --- keys of the result tables ----------------------------------------------------
#: A county: its city and its name (a county's name alone is not unique across cities).
COUNTY_KEY = ["city", "county"]
#: A county-year: one row of the verdicts.
PLACE_KEY = COUNTY_KEY + ["year"]
#: One student-weighted CV: a county-year's stage and indicator.
CV_GROUP_KEY = PLACE_KEY + ["stage", "indicator"]

# --- the school-year table ------------------------------------------------------

_ID = (
    Column("year", "年份", "int", True, "学年（2021 表示 2021—2022 学年，按 2021 年秋季统计）", example=2025),
    Column("city", "市", "text", True, "地级市名称", example="濮阳市", aliases=("地市", "所属市")),
    Column("county", "县区", "text", True, "县（市、区、旗）名称，与报告中一致", example="清丰县",
           aliases=("县(市、区)", "县市区", "区县", "县")),
    Column("county_code", "县区代码", "text", False, "6 位行政区划代码", example="410922",
           aliases=("行政区划代码",)),
)

SCHOOLS = Table(
    "schools", "学校", ("school_id", "year"),
    _ID + (
        Column("school_id", "学校标识码", "text", True, "全国 10 位学校标识码，或任何稳定的编号",
               example="2141000123", aliases=("学校代码", "学校编号")),
        Column("school_name", "学校名称", "text", True, example="城关镇第一小学"),
        Column("school_type", "学校类型", "category", True, "办学类型", choices=SCHOOL_TYPES,
               example="小学", aliases=("办学类型",)),
        Column("location", "城乡类型", "category", True, "城乡分类", choices=LOCATIONS, example="镇区",
               aliases=("城乡分类",)),
        Column("students_primary", "小学在校生数", "count", True, "小学阶段在校生", "人", 820,
               stage="primary", aliases=("小学学生数",)),
        Column("students_junior", "初中在校生数", "count", True, "初中阶段在校生", "人", 0,
               stage="junior", aliases=("初中学生数",)),
        Column("students_senior", "高中在校生数", "count", False, "高中阶段在校生（十二年一贯制、完全中学）",
               "人", 0, stage="senior", aliases=("高中学生数",)),
        Column("teachers_above_degree_primary", "高于规定学历教师数(小学)", "count", True,
               "小学：专科及以上学历专任教师", "人", 45, stage="primary"),
        Column("teachers_above_degree_junior", "高于规定学历教师数(初中)", "count", True,
               "初中：本科及以上学历专任教师", "人", 0, stage="junior"),
        Column("backbone_teachers_primary", "县级以上骨干教师数(小学)", "count", True, "", "人", 10,
               stage="primary"),
        Column("backbone_teachers_junior", "县级以上骨干教师数(初中)", "count", True, "", "人", 0,
               stage="junior"),
        Column("pe_art_teachers_primary", "体育艺术专任教师数(小学)", "count", True,
               "体育、音乐、美术专任教师", "人", 9, stage="primary"),
        Column("pe_art_teachers_junior", "体育艺术专任教师数(初中)", "count", True,
               "体育、音乐、美术专任教师", "人", 0, stage="junior"),
        Column("teaching_area_m2", "教学及辅助用房面积", "amount", True, "全校合计", "平方米", 4100.0),
        Column("sports_area_m2", "体育运动场馆面积", "amount", True, "全校合计", "平方米", 7000.0),
        Column("equipment_value_yuan", "教学仪器设备值", "amount", True, "全校合计", "元", 1800000.0),
        Column("multimedia_rooms", "网络多媒体教室数", "count", True, "全校合计", "间", 22),
        # per-stage facility figures: when given they are used instead of the weighted split
        Column("teaching_area_m2_primary", "教学及辅助用房面积(小学)", "amount", False,
               "小学部分（填写后不再按权重分摊）", "平方米", stage="primary"),
        Column("teaching_area_m2_junior", "教学及辅助用房面积(初中)", "amount", False, "", "平方米",
               stage="junior"),
        Column("sports_area_m2_primary", "体育运动场馆面积(小学)", "amount", False, "", "平方米",
               stage="primary"),
        Column("sports_area_m2_junior", "体育运动场馆面积(初中)", "amount", False, "", "平方米",
               stage="junior"),
        Column("equipment_value_yuan_primary", "教学仪器设备值(小学)", "amount", False, "", "元",
               stage="primary"),
        Column("equipment_value_yuan_junior", "教学仪器设备值(初中)", "amount", False, "", "元",
               stage="junior"),
        Column("multimedia_rooms_primary", "网络多媒体教室数(小学)", "count", False, "", "间",
               stage="primary"),
        Column("multimedia_rooms_junior", "网络多媒体教室数(初中)", "count", False, "", "间",
               stage="junior"),
        # --- government guarantee and quality at school level (issue 3) ---
        Column("classes_primary", "小学班级数", "count", False, "小学阶段的教学班个数", "个", 19, stage="primary"),
        Column("classes_junior", "初中班级数", "count", False, "初中阶段的教学班个数", "个", 0, stage="junior"),
        Column("max_class_size_primary", "小学最大班额", "count", False, "小学人数最多的一个班的学生人数",
               "人", 44, stage="primary"),
        Column("max_class_size_junior", "初中最大班额", "count", False, "初中人数最多的一个班的学生人数",
               "人", 0, stage="junior"),
        Column("classes_56_plus", "56人以上大班额班级数", "count", False, "全校 56 人及以上的班级数", "个", 0),
        Column("music_rooms", "音乐专用教室数", "count", False, "音乐专用教室的间数", "间", 2),
        Column("art_rooms", "美术专用教室数", "count", False, "美术专用教室的间数", "间", 2),
        Column("music_room_min_area_m2", "音乐教室最小面积", "amount", False, "音乐专用教室中面积最小的一间的使用面积",
               "平方米", 96.0),
        Column("art_room_min_area_m2", "美术教室最小面积", "amount", False, "美术专用教室中面积最小的一间的使用面积",
               "平方米", 90.0),
        Column("public_funds_yuan", "年度公用经费", "amount", False, "当年公用经费预算或拨付总额",
               "元", 600000.0),
        Column("training_funds_yuan", "教师培训经费", "amount", False, "当年公用经费中用于教师培训的金额",
               "元", 36000.0),
        Column("is_village_school", "是否村小或教学点", "bool", False,
               "村小、教学点填“是”；空白时按学校类型与城乡类型推定", example="否"),
        Column("boarders", "寄宿生数", "count", False, "", "人", 0),
        # --- school by school for G3, G6, G12, Q3, Q6 (issue 13, items 1–2) ---
        Column("classes_senior", "高中班级数", "count", False,
               "高中阶段的教学班个数（完全中学、十二年一贯制；评估标准规定计入时与义务教育班级一并计算专用教室）",
               "个", 0, stage="senior"),
        Column("public_funds_yuan_primary", "年度公用经费(小学)", "amount", False,
               "小学部分的公用经费（小规模学校按学段核对；年度公用经费空白时以各学段之和计）", "元", stage="primary"),
        Column("public_funds_yuan_junior", "年度公用经费(初中)", "amount", False, "初中部分的公用经费", "元",
               stage="junior"),
        Column("benchmark_yuan_primary", "本校生均公用经费基准定额(小学)", "amount", False,
               "本校小学适用的生均公用经费基准定额；空白时取县区表", "元/生", stage="primary"),
        Column("benchmark_yuan_junior", "本校生均公用经费基准定额(初中)", "amount", False,
               "本校初中适用的生均公用经费基准定额；空白时取县区表", "元/生", stage="junior"),
        Column("full_time_teachers", "专任教师数", "count", False, "全校专任教师人数", "人", 60),
        Column("certified_teachers", "持证专任教师数", "count", False, "持有教师资格证的专任教师人数", "人", 60),
        Column("has_charter", "已制定学校章程", "bool", False, "学校是否制定了章程", example="是"),
        Column("it_management", "实现管理与教学信息化", "bool", False, "学校是否实现了管理与教学信息化",
               example="是"),
        Column("school_moral_rating", "本校德育与校园文化评价", "level", False,
               "本校德育工作和校园文化建设的评价等级", choices=RATINGS, example="良好"),
        # --- school attributes of a profile's conditional rules (issue 13; standards/conditions.py) ---
        Column("year_planned", "规划年份", "int", False, "学校（现校舍）规划的年份，地方例外规则按此判断",
               "", 2012),
        Column("year_built", "建成年份", "int", False, "学校（现校舍）建成投入使用的年份，地方例外规则按此判断",
               "", 2014),
        Column("full_time_teachers_primary", "专任教师数(小学)", "count", False,
               "小学阶段专任教师总数；按学历、岗位统计的教师数不应超过它（数据检查）", "人", 60, stage="primary"),
        Column("full_time_teachers_junior", "专任教师数(初中)", "count", False,
               "初中阶段专任教师总数；按学历、岗位统计的教师数不应超过它（数据检查）", "人", 0, stage="junior"),
        Column("migrant_students", "随迁子女数", "count", False, "义务教育阶段在校生中的进城务工人员随迁子女",
               "人", 120),
        Column("visiting_pe_art_teachers_primary", "走教兼职体育艺术教师数(小学)", "count", False,
               "走教、兼职、交流轮岗到本校的体育、音乐、美术教师（不含本校专任）；地方规则可计入体育艺术教师", "人", 0,
               stage="primary"),
        Column("visiting_pe_art_teachers_junior", "走教兼职体育艺术教师数(初中)", "count", False,
               "走教、兼职、交流轮岗到本校的体育、音乐、美术教师（不含本校专任）；地方规则可计入体育艺术教师", "人", 0,
               stage="junior"),
        Column("indoor_sports_area_m2", "室内体育场馆面积", "amount", False,
               "计入教学及辅助用房面积的室内体育场馆面积；地方规则可从教学及辅助用房面积中扣除", "平方米", 0.0),
        Column("leased_sports_area_m2", "租用校外体育场馆面积", "amount", False,
               "租用的校外体育场馆（步行可达、交通安全）；地方规则可计入体育运动场馆面积", "平方米", 0.0),
    ),
    "一所学校一年一行。一贯制学校的教师数按学段分列，场地、设备、教室按全校填写。",
)

# --- the county-year table ------------------------------------------------------

COUNTIES = Table(
    "counties", "县区", ("county", "year"),
    _ID + (
        Column("basic_balance_year", "基本均衡认定年份", "int", False, "通过义务教育基本均衡国家认定的年份",
               example=2015),
        Column("layout_reasonable", "学校规划布局合理", "bool", False, "全县学校规划布局是否合理，符合国家规定要求",
               example="是"),
        Column("unified_construction", "城乡统一建设标准", "bool", False,
               "城乡学校是否执行统一的学校建设标准（“四统一”之一）", example="是"),
        Column("unified_staffing", "城乡统一教师编制标准", "bool", False,
               "城乡学校是否执行统一的教师编制标准（“四统一”之一）", example="是"),
        Column("unified_funding", "城乡统一生均公用经费基准定额", "bool", False,
               "城乡学校是否执行统一的生均公用经费基准定额（“四统一”之一）", example="是"),
        Column("unified_equipment", "城乡统一基本装备配置标准", "bool", False,
               "城乡学校是否执行统一的基本装备配置标准（“四统一”之一）", example="是"),
        Column("funds_benchmark_yuan", "生均公用经费基准定额(小学)", "amount", False,
               "本县执行的小学生均公用经费基准定额", "元/生", 650.0),
        Column("funds_benchmark_yuan_junior", "生均公用经费基准定额(初中)", "amount", False,
               "本县执行的初中生均公用经费基准定额（初中、一贯制小规模学校按学段核对）", "元/生", 850.0),
        Column("special_ed_funds_per_student_yuan", "特殊教育学校生均公用经费", "amount", False,
               "特殊教育学校按在校生计算的生均公用经费", "元/生", 6500.0),
        Column("teacher_avg_pay_yuan", "教师平均工资收入", "amount", False, "义务教育学校教师年平均工资收入",
               "元/年", 98000.0),
        Column("civil_servant_avg_pay_yuan", "当地公务员平均工资收入", "amount", False, "当地公务员年平均工资收入",
               "元/年", 96000.0),
        Column("performance_pay_approved", "绩效工资总量足额核定", "bool", False, "教师绩效工资总量是否足额核定",
               example="是"),
        Column("training_360h_rate", "教师5年360学时培训完成率", "rate", False,
               "完成 5 年 360 学时培训的教师占教师总数", "%", 100.0),
        Column("staffing_by_bureau", "县级教育部门统筹分配编制和岗位", "bool", False,
               "教师编制和岗位是否由县级教育部门统筹分配", example="是"),
        Column("rotation_rate", "教师交流轮岗比例", "rate", False, "交流轮岗教师占符合交流条件教师的比例", "%", 12.0),
        Column("rotation_backbone_share", "交流轮岗中骨干教师比例", "rate", False, "交流轮岗教师中骨干教师所占比例",
               "%", 22.0),
        Column("certified_teacher_rate", "专任教师持证上岗率", "rate", False, "持有教师资格证的专任教师占专任教师总数",
               "%", 100.0),
        Column("zoned_admission_primary", "小学就近划片入学比例", "rate", False, "小学新生中就近划片入学的比例",
               "%", 100.0),
        Column("zoned_admission_junior", "初中就近划片入学比例", "rate", False, "初中新生中就近划片入学的比例",
               "%", 96.0),
        Column("quota_share", "优质高中招生名额分配比例", "rate", False, "优质普通高中招生名额分配到区域内初中的比例",
               "%", 55.0),
        Column("quota_rural_tilt", "名额分配向农村初中倾斜", "bool", False, "分配名额是否向农村初中倾斜", example="是"),
        Column("migrant_public_share", "随迁子女在公办学校和政府购买学位就读比例", "rate", False,
               "符合条件的随迁子女在公办学校和政府购买学位就读的比例", "%", 90.0),
        Column("consolidation_rate", "初中巩固率", "rate", False, "初中三年巩固率（五四制为四年巩固率）", "%", 97.0),
        Column("disabled_enrollment_rate", "残疾儿童少年入学率", "rate", False, "适龄残疾儿童少年的入学率", "%", 96.0),
        Column("charter_and_it", "学校章程与信息化管理全覆盖", "bool", False,
               "所有学校是否都制定章程并实现学校管理信息化", example="是"),
        Column("ict_rating", "信息技术应用水平", "level", False, "全县学校信息技术应用水平的评价等级",
               choices=RATINGS, example="良好"),
        Column("moral_rating", "德育与校园文化评价", "level", False, "德育工作和校园文化建设评价：所有学校中最低的等级",
               choices=RATINGS, example="良好"),
        Column("curriculum_ok", "课程开齐开足、教学秩序规范", "bool", False, "是否按国家要求开齐开足课程、教学秩序规范",
               example="是"),
        Column("no_excess_burden", "无过重课业负担", "bool", False, "学生是否没有过重的课业负担", example="是"),
        Column("monitoring_level", "质量监测学业水平最低等级", "int", False,
               "国家义务教育质量监测各学科中最低的学业水平等级（1–4，Ⅲ级填3）", "级", 3),
        Column("difference_rate", "质量监测校际差异率", "ratio", False, "国家义务教育质量监测各学科中最大的校际差异率",
               "", 0.12),
        Column("net_enrollment_rate", "小学净入学率", "rate", False, "地方指标", "%", 100.0),
        Column("fitness_good_rate", "学生体质健康优良率", "rate", False, "地方指标", "%", 62.0),
        Column("fitness_pass_rate", "学生体质健康合格率", "rate", False, "地方指标", "%", 100.0),
        Column("labour_practice_share", "劳动实践占综合实践课时比例", "rate", False, "地方指标", "%", 50.0),
        Column("v1_exam_admission", "考试招生", "bool", False, "是否存在以考试方式招生（一票否决项：存在填“是”）",
               example="否"),
        Column("v2_school_choice", "违规择校行为突出", "bool", False,
               "是否存在违规择校行为突出（一票否决项：存在填“是”）", example="否"),
        Column("v3_key_schools", "设重点校或重点班", "bool", False, "是否设置重点校或重点班（一票否决项：存在填“是”）",
               example="否"),
        Column("v4_unfilled_posts", "有编不补或长期聘用编外教师", "bool", False,
               "是否存在有编不补或长期聘用编外教师（一票否决项：存在填“是”）", example="否"),
        Column("v5_safety_incident", "重大安全责任事故或严重违纪违规", "bool", False,
               "是否发生重大安全责任事故或严重违纪违规事件（一票否决项：存在填“是”）", example="否"),
        Column("v6_falsified_data", "弄虚作假", "bool", False, "评估中是否存在弄虚作假（一票否决项：存在填“是”）",
               example="否"),
        # --- plan tracking (issue 5): yearly figures the school table cannot give ---
        Column("schools_built", "新建学校数", "count", False, "当年新建并投入使用的学校数（计划跟踪）", "所", 2),
        Column("schools_expanded", "改扩建学校数", "count", False, "当年完成改扩建的学校数（计划跟踪）", "所", 1),
        Column("new_places", "新增学位数", "count", False, "当年新增的义务教育学位数（计划跟踪）", "个", 2400),
        Column("teachers_recruited", "招聘教师数", "count", False, "当年公开招聘（含特岗）入职的教师数（计划跟踪）",
               "人", 150),
        Column("backbone_provincial_city", "省市级骨干教师数", "count", False,
               "年末在岗的省级、市级骨干教师数（计划跟踪）", "人", 200),
        Column("backbone_county_level", "县级骨干教师数", "count", False, "年末在岗的县级骨干教师数（计划跟踪）",
               "人", 300),
    ),
    "一个县（市、区）一年一行：县级指标、一票否决项与地方指标。",
)

# --- social recognition ---------------------------------------------------------

SURVEY = Table(
    "survey", "满意度调查", ("county", "year", "group"),
    _ID[:3] + (
        Column("group", "调查对象", "category", True, "", choices=SURVEY_GROUPS, example="家长"),
        Column("respondents", "有效样本数", "count", True, "", "人", 400),
        Column("favourable", "认可人数", "count", True, "回答“满意”或“比较满意”的人数", "人", 352),
    ),
    "每县每年每类调查对象一行（汇总形式）。",
)

SURVEY_ANSWERS = Table(
    "survey_answers", "调查答卷", ("county", "year", "respondent_id"),
    _ID[:3] + (
        Column("respondent_id", "答卷编号", "text", True, example="A0001"),
        Column("group", "调查对象", "category", True, "", choices=SURVEY_GROUPS, example="学生"),
        Column("answer", "总体评价", "category", True, "", choices=("满意", "比较满意", "一般", "不满意"),
               example="满意"),
    ),
    "原始答卷，一人一行；与汇总表二选一。",
)

SCORES = Table(
    "scores", "学业成绩", ("county", "year", "subject", "student_id"),
    _ID[:3] + (
        Column("school_id", "学校标识码", "text", True, example="2141000123"),
        Column("subject", "学科", "text", True, example="数学"),
        Column("student_id", "学生编号", "text", True, example="S000001"),
        Column("score", "成绩", "amount", True, "监测量表分", "分", 512.0),
        Column("level", "学业水平等级", "int", False,
               "该生该学科的学业水平等级（1–4，Ⅲ级填3）；填写后按学科计算达到Ⅲ级及以上的学生比例", "级", 3),
    ),
    "可选：学生成绩，用于计算校际差异率（Q9）。",
)

#: The stages of the class table, as written in it (学段).
CLASS_STAGES = ("小学", "初中", "高中")

CLASSES = Table(
    "classes", "班级", ("school_id", "year", "stage", "class_name"),
    (
        _ID[0],
        Column("school_id", "学校标识码", "text", True, "与学校表一致的学校标识码", example="2141000123",
               aliases=("学校代码", "学校编号")),
        Column("stage", "学段", "category", True, "班级所在学段", choices=CLASS_STAGES, example="小学"),
        Column("class_name", "班级", "text", True, "班级名称或编号，一校一学段内不重复", example="三年级(2)班",
               aliases=("班级名称", "班号", "班级编号")),
        Column("students", "学生数", "count", True, "本班在校学生人数（班额）", "人", 44,
               aliases=("班额", "班级人数", "本班人数"), whole=True),
    ),
    "可选：一个班一行（学校、年份、学段、班级、学生数）。提供后逐班核对班额，并由此计算 56 人以上大班额班级数。",
)

TABLES = {t.name: t for t in (SCHOOLS, COUNTIES, SURVEY, SURVEY_ANSWERS, SCORES, CLASSES)}


# --- result tables: Chinese headers for sheets meant for people -----------------------

RESULT_HEADERS = {
    "city": "市", "county": "县区", "year": "年份", "profile": "标准", "school_id": "学校标识码",
    "school_name": "学校名称", "school_type": "学校类型", "location": "城乡类型", "stage": "学段",
    "students": "在校生数", "share": "设施分摊比例", "split": "分摊方式",
    **{k: f"{k} {v}" for k, v in INDICATOR_LABELS.items()},
    "met_count": "达标项数", "passes_school_rule": "校际指标达标", "misses": "未达标指标",
    "worst_ratio": "最低达成比例", "reason": "说明", "indicator": "指标", "cv": "差异系数",
    "limit": "限值", "passes": "是否达标", "status": "状态", "mean": "县域均值", "n_units": "学校单元数",
    "cv_unweighted": "未加权差异系数", "gini": "基尼系数", "theil": "泰尔指数", "theil_between": "泰尔指数(城乡间)",
    "theil_within": "泰尔指数(城乡内)", "n_failing": "未达标学校单元数", "n_cv": "差异系数项数",
    "n_cv_failing": "超限差异系数项数", "worst_cv_stage": "最高差异系数学段", "worst_cv_indicator": "最高差异系数指标",
    "worst_cv_limit": "最高差异系数限值", "worst_cv": "最高差异系数", "dimension": "维度", "item": "项目",
    "label": "项目名称", "value": "实际值", "threshold": "标准", "counts": "计入结论",
    "resources": "资源配置", "guarantee": "政府保障程度", "quality": "教育质量", "recognition": "社会认可度",
    "veto": "一票否决", "overall": "综合结论", "data": "数据", "rank": "排序", "gap": "差距",
    "relative_gap": "相对差距", "group": "调查对象", "respondents": "样本数", "favourable": "认可人数",
    "rate": "认可度(%)", "ci_low": "区间下限(%)", "ci_high": "区间上限(%)", "confidence": "置信水平",
    "fragile": "样本偏小",
    "class_name": "班级", "oversize": "超过班额上限",
    "detail": "详情", "part_no": "分项序号", "part": "分项", "op": "比较方式", "unit": "单位",
}
