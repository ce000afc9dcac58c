"""The one exception family of quality_balance.

Every error the library raises on purpose is a :class:`QualityBalanceError`.
Messages name the parameter, file or column, what was expected and what was
received, so that a county analyst can fix the input without reading code.

Input problems are *collected* before failing: :class:`InputError` carries a
list of :class:`Problem` records (file, sheet, row as the user sees it,
column, value, what is expected, how to fix it) and prints one line each.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "QualityBalanceError",
    "InputError",
    "ProfileError",
    "CalculationError",
    "RenderError",
    "Problem",
    "ProblemList",
]


class QualityBalanceError(Exception):
    """Base class of every error raised by quality_balance on purpose."""


class ProfileError(QualityBalanceError):
    """A standards profile is missing, has an unknown key, a bad value or a missing parent."""


class CalculationError(QualityBalanceError):
    """A calculation got arguments it cannot work with (wrong length, negative weights...)."""


class RenderError(QualityBalanceError):
    """One or more reports failed to render."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    ``row`` is the row number as the user sees it in Excel (header row = 1
    for a plain table), or ``None`` when the problem concerns the whole file
    or a whole column.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    expected: str | None = None
    fix: str | None = None
    sheet: str | None = None
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f" [工作表 {self.sheet}]"
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" 列「{self.column}」"
        text = f"{where}: {self.message}"
        if self.value is not None and self.value == self.value:  # skip NaN
            text += f"（收到: {self.value!r}）"
        if self.expected:
            text += f"；应为: {self.expected}"
        if self.fix:
            text += f"；修改建议: {self.fix}"
        return text


class ProblemList:
    """Mixin for results holding ``problems``: splits them into errors and warnings."""

    problems: "list[Problem] | tuple[Problem, ...]"

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


@dataclass
class InputError(QualityBalanceError):
    """Input files with one or more problems; ``problems`` lists every one found."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"输入数据有 {len(errors)} 个问题 / {len(errors)} problem(s) in the input:"
        lines = [head] + [f"  - {p}" for p in errors[:200]]
        if len(errors) > 200:
            lines.append(f"  ... 另有 {len(errors) - 200} 个问题未列出")
        return "\n".join(lines)
