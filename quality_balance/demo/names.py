"""Invented school names (towns and villages are not real), from the name parts of ``story.toml``'s ``[names]``."""
from __future__ import annotations

import numpy as np

from .story import SPECIAL, STORY

__all__ = ["SchoolNames", "numeral"]

_TOWNS = STORY.names["towns"]
_SURNAMES = STORY.names["surnames"]
_VILLAGE_ENDS = STORY.names["village_ends"]
_URBAN_NAMES = STORY.names["urban"]
_DIGITS = "零一二三四五六七八九"


def numeral(i: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (up to 99)."""
    tens, ones = divmod(i, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


class SchoolNames:
    """School names of one county: unique, plausible, invented (towns and villages are not real)."""

    def __init__(self, county: str, rng: np.random.Generator, n_towns: int):
        self.county = county
        self.towns = [t + ("乡" if i % 4 == 3 else "镇") for i, t in
                      enumerate(rng.choice(_TOWNS, size=min(n_towns, len(_TOWNS)), replace=False))]
        villages = [s + e for s in _SURNAMES for e in _VILLAGE_ENDS]
        self.villages = list(rng.permutation(villages))
        self.urban = list(rng.permutation(_URBAN_NAMES))
        self.count: dict[str, int] = {}
        self.used: set[str] = set()

    def _next(self, key: str) -> int:
        self.count[key] = self.count.get(key, 0) + 1
        return self.count[key]

    def _unique(self, name: str) -> str:
        base, i = name, 2
        while name in self.used:
            name, i = f"{base[:-2]}{numeral(i)}{base[-2:]}", i + 1
        self.used.add(name)
        return name

    def name(self, school_type: str, location: str, town: str) -> str:
        c = self.county
        if school_type == SPECIAL:
            return self._unique(f"{c}特殊教育学校")
        if location == "城区":
            if school_type == "小学":
                i = self._next("城区小学")
                return self._unique(f"{c}实验小学" if i == 1 else f"{c}第{numeral(i - 1)}小学")
            if school_type == "初级中学":
                return self._unique(f"{c}第{numeral(self._next('城区初中'))}初级中学")
            if school_type == "完全中学":
                return self._unique(f"{c}第{numeral(self._next('城区完中'))}中学")
            word = self.urban[self._next("城区名") % len(self.urban)]
            return self._unique(f"{c}{word}{'实验学校' if school_type == '十二年一贯制学校' else '学校'}")
        if location == "镇区":
            i = self._next(town + school_type)
            stem = {"小学": ("中心小学", "小学"), "初级中学": ("初级中学", "初级中学"),
                    "九年一贯制学校": ("中心学校", "学校")}[school_type]
            return self._unique(f"{town}{stem[0]}" if i == 1 else f"{town}第{numeral(i)}{stem[1]}")
        village = self.villages.pop()
        word = {"小学": "小学", "初级中学": "初级中学", "九年一贯制学校": "学校", "教学点": "教学点"}[school_type]
        return self._unique(f"{town}{village}{word}")

    def new_urban(self, school_type: str) -> str:
        word = self.urban[self._next("城区名") % len(self.urban)]
        return self._unique(f"{self.county}{word}{'小学' if school_type == '小学' else '初级中学'}")
