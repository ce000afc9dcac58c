"""The designed story of the demo, read from ``story.toml`` (:data:`~quality_balance.paths.DEMO_STORY_FILE`).

The story — which counties, how many schools, what falls short until when —
and the plausible world it happens in (school mix and sizes, name parts,
survey groups...) are data, not code: :func:`load_story` reads and checks the
file; :data:`STORY`, :data:`PLACES` and :data:`DESIGN` hold the shipped one.
A key the file does not know, a missing key or a value of the wrong kind raises
:class:`~quality_balance.errors.QualityBalanceError` naming the file and the key.

>>> PLACES[0].county, DESIGN["华龙区"].first_pass, DESIGN["玉泉区"].planned
('华龙区', 2025, 2022)
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import QualityBalanceError
from ..paths import DEMO_STORY_FILE
from ..schema import COUNTIES, INDICATORS, LOCATIONS, SCHOOL_TYPES, STAGES, SURVEY_GROUPS

__all__ = ["Place", "Shortfall", "CountyDesign", "Story", "load_story", "STORY", "PLACES", "DESIGN", "BASE_YEAR",
           "SPECIAL"]

BASE_YEAR = 2021
"""The first year of the story: trajectories start here (earlier years repeat its state)."""
SPECIAL = "特殊教育学校"
"""The one school type every county has exactly one of, out of the resource indicators' scope."""


@dataclass(frozen=True)
class Place:
    """A county of the demo: its city, real administrative code, character and size.

    ``kind`` is ``"urban"`` for a 市辖区 (few, large, mostly 城区 schools) and
    ``"rural"`` for a 县/旗; ``schools`` is the number of schools in 2021,
    one 特殊教育学校 included. ``basic_balance_year`` (the year the county passed
    the basic-balance certification) is illustrative. ``five_four``: the county
    runs 五四学制 (5 primary and 4 junior grades).
    """

    city: str
    county: str
    code: str
    kind: str
    schools: int
    basic_balance_year: int
    five_four: bool = False


@dataclass(frozen=True)
class Shortfall:
    """One designed way a county falls short, active from ``since`` to the year before ``until``.

    ``item`` is an assessment item (``G3``, ``Q1``, ``S1``, ``V2``, a profile's local
    ``L*``...), ``R.school`` (school units failing the school rule) or ``R.cv``
    (one indicator's coefficient of variation over its limit, for ``stage``).

    * school-level items (``R.school``, ``G3``–``G6``, ``Q4``): ``schools`` is the
      number of schools affected in ``since``; it falls linearly and reaches 0 in
      ``until``. ``G5`` may also give ``large_classes``, the county's classes of
      56+ students in ``since`` (濮阳市's plan counts them), falling the same way.
    * county figures: ``start`` is the figure in ``since`` (rates in %, the
      difference rate of Q9 as a fraction, the teachers' pay of G8 in % of the
      civil servants'); it moves linearly toward the threshold and stays on the
      failing side of it until ``until``.
    * ``R.cv``: the CV is ``limit × (1 + excess)`` in the last failing year and
      5% of the limit higher for each year before.
    * yes/no items, ratings and vetoes are simply failing (or present) while active.
    """

    item: str
    until: int
    since: int = BASE_YEAR
    start: float | None = None
    schools: int = 0
    large_classes: int = 0
    stage: str = ""
    indicator: str = ""
    excess: float = 0.04

    def active(self, year: int) -> bool:
        """Whether the shortfall is present in ``year`` (``since`` ≤ year < ``until``)."""
        return self.since <= year < self.until

    def remaining(self, year: int, amount: float) -> int:
        """``amount`` in ``since`` falling linearly to 0 in ``until`` (0 when not active)."""
        if not self.active(year):
            return 0
        return int(math.ceil(amount * (self.until - year) / (self.until - self.since) - 1e-9))

    def progress(self, year: int) -> float:
        """0 in ``since`` → 1 in ``until``."""
        return (year - self.since) / (self.until - self.since)


@dataclass(frozen=True)
class CountyDesign:
    """The story of one county: planned certification year, what falls short until when.

    ``planned`` is the certification year its seed plan names (呼和浩特市's schedule,
    桓台县 and 蕉岭县 "by 2025"); ``None`` where the plan names none (濮阳市 only
    says "one third of the counties by 2025"). ``new_schools`` maps a year to the
    urban schools built that year (those of the first year are already in the
    first year's table); ``new_boarding`` to the rural schools that start boarding
    (after the first year, so that the change shows in the data).
    ``scores``: student-level scores are generated (Q9's difference rate is
    then computed from them). ``small_survey``: the year whose survey has a
    tiny sample. ``per_stage_schools``: that many 一贯制 schools report
    per-stage facility figures.
    """

    planned: int | None
    story: str
    shortfalls: tuple[Shortfall, ...] = ()
    new_schools: Mapping[int, int] = field(default_factory=dict)
    new_boarding: Mapping[int, int] = field(default_factory=dict)
    scores: bool = False
    small_survey: int | None = None
    per_stage_schools: int = 0

    @property
    def first_pass(self) -> int:
        """The first year with no active shortfall: the year the county is designed to pass."""
        return max([s.until for s in self.shortfalls] + [BASE_YEAR])

    def active(self, year: int, item: str) -> list[Shortfall]:
        """The shortfalls of ``item`` present in ``year``."""
        return [s for s in self.shortfalls if s.item == item and s.active(year)]

    def of(self, item: str) -> list[Shortfall]:
        """Every shortfall of ``item``, in the file's order."""
        return [s for s in self.shortfalls if s.item == item]


@dataclass(frozen=True)
class Story:
    """The whole story file, checked: the places and their designs, and the world's parameters.

    ``cities`` maps a city to ``funds_benchmark_yuan`` and ``civil_servant_pay_yuan``;
    ``names``, ``schools``, ``resources``, ``county_figures``, ``survey`` and
    ``scores`` are the file's tables of the same names, with ``[low, high]`` pairs
    as tuples (see the file's header for what each means).
    """

    path: Path
    places: tuple[Place, ...]
    design: dict[str, CountyDesign]
    cities: dict[str, dict[str, float]]
    names: dict[str, Any]
    schools: dict[str, Any]
    resources: dict[str, Any]
    county_figures: dict[str, Any]
    survey: dict[str, Any]
    scores: dict[str, Any]


# --- checking: a small schema of the file ------------------------------------------------------------

class _Problems(list):
    """Problems found in the file, each ``"<where>: <what>"``."""

    def add(self, where: str, what: str) -> None:
        self.append(f"{where}: {what}" if where else what)


def _kind_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array",
            dict: "a table"}.get(type(value), type(value).__name__)


def _int(value: Any, where: str, problems: _Problems) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(where, f"expected an integer, got {value!r} ({_kind_name(value)})")
        return None
    return value


def _number(value: Any, where: str, problems: _Problems, to_float: bool = False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(where, f"expected a number, got {value!r} ({_kind_name(value)})")
        return None
    return float(value) if to_float else value


def _str(value: Any, where: str, problems: _Problems) -> str | None:
    if not isinstance(value, str) or not value:
        problems.add(where, f"expected a non-empty string, got {value!r} ({_kind_name(value)})")
        return None
    return value


def _bool(value: Any, where: str, problems: _Problems) -> bool | None:
    if not isinstance(value, bool):
        problems.add(where, f"expected true or false, got {value!r} ({_kind_name(value)})")
        return None
    return value


def _pair(value: Any, where: str, problems: _Problems) -> tuple | None:
    """``[low, high]``, two numbers with low ≤ high (kept as written: integers stay integers)."""
    if (not isinstance(value, list) or len(value) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in value)):
        problems.add(where, f"expected [low, high] (two numbers), got {value!r}")
        return None
    if value[0] > value[1]:
        problems.add(where, f"expected low ≤ high, got {value!r}")
        return None
    return tuple(value)


def _table(value: Any, where: str, problems: _Problems, required: tuple[str, ...] = (),
           optional: tuple[str, ...] = ()) -> dict:
    """A table with exactly the known keys; ``{}`` (and a problem) if it is not a table."""
    if not isinstance(value, dict):
        problems.add(where, f"expected a table, got {value!r} ({_kind_name(value)})")
        return {}
    known = (*required, *optional)
    for key in value:
        if key not in known:
            problems.add(where, f"unknown key {key!r} (known keys: {', '.join(known)})")
    for key in required:
        if key not in value:
            problems.add(where, f"lacks the key {key!r}")
    return value


def _map(value: Any, where: str, problems: _Problems, keys: tuple[str, ...], exact: bool = True) -> dict:
    """A table whose keys come from ``keys`` (all of them when ``exact``), file order kept."""
    if not isinstance(value, dict):
        problems.add(where, f"expected a table, got {value!r} ({_kind_name(value)})")
        return {}
    for key in value:
        if key not in keys:
            problems.add(where, f"unknown key {key!r} (expected one of: {', '.join(keys)})")
    missing = [k for k in keys if k not in value]
    if exact and missing:
        problems.add(where, f"lacks {', '.join(map(repr, missing))}")
    return {k: v for k, v in value.items() if k in keys}


def _years(value: Any, where: str, problems: _Problems) -> dict[int, int]:
    """``{ 2022 = 3, ... }`` → ``{2022: 3}``: year keys, non-negative whole counts."""
    out: dict[int, int] = {}
    if not isinstance(value, dict):
        problems.add(where, f"expected a table of year = count, got {value!r} ({_kind_name(value)})")
        return out
    for key, count in value.items():
        if not key.isdigit() or len(key) != 4:
            problems.add(f"{where}.{key}", "expected a year (four digits) as the key")
            continue
        n = _int(count, f"{where}.{key}", problems)
        if n is not None and n < 0:
            problems.add(f"{where}.{key}", f"expected a count ≥ 0, got {n}")
        elif n is not None:
            out[int(key)] = n
    return out


_SHORTFALL_KEYS = ("item", "until", "since", "start", "schools", "large_classes", "stage", "indicator", "excess")
_COUNTY_REQUIRED = ("city", "county", "code", "kind", "schools", "basic_balance_year", "story")
_COUNTY_OPTIONAL = ("planned", "new_schools", "new_boarding", "scores", "small_survey", "five_four",
                    "per_stage_schools", "shortfalls")
KINDS = ("urban", "rural")


def _shortfall(raw: Any, where: str, problems: _Problems) -> Shortfall | None:
    before = len(problems)
    t = _table(raw, where, problems, required=("item", "until"), optional=_SHORTFALL_KEYS[2:])
    if not t:
        return None
    values: dict[str, Any] = {}
    for key in ("until", "since", "schools", "large_classes"):
        if key in t:
            values[key] = _int(t[key], f"{where}.{key}", problems)
    for key in ("start", "excess"):
        if key in t:
            values[key] = _number(t[key], f"{where}.{key}", problems, to_float=True)
    for key in ("item", "stage", "indicator"):
        if key in t:
            values[key] = _str(t[key], f"{where}.{key}", problems)
    if len(problems) > before:
        return None
    s = Shortfall(**values)
    if s.until <= s.since:
        problems.add(f"{where}.until", f"must be after since ({s.since}), got {s.until}")
    if s.schools < 0 or s.large_classes < 0:
        problems.add(where, "schools and large_classes must be ≥ 0")
    if s.item == "R.cv":
        if s.stage not in STAGES:
            problems.add(f"{where}.stage", f"expected one of {', '.join(STAGES)} for R.cv, got {s.stage!r}")
        if s.indicator not in INDICATORS:
            problems.add(f"{where}.indicator", f"expected one of {', '.join(INDICATORS)} for R.cv, "
                                               f"got {s.indicator!r}")
    elif s.stage or s.indicator:
        problems.add(where, f"stage and indicator are for item 'R.cv' only, not {s.item!r}")
    return s


def _county(raw: Any, where: str, problems: _Problems) -> tuple[Place, CountyDesign] | None:
    before = len(problems)
    t = _table(raw, where, problems, required=_COUNTY_REQUIRED, optional=_COUNTY_OPTIONAL)
    if not t:
        return None
    for key in ("city", "county", "code", "kind", "story"):
        if key in t:
            _str(t[key], f"{where}.{key}", problems)
    for key in ("schools", "basic_balance_year", "planned", "small_survey", "per_stage_schools"):
        if key in t:
            _int(t[key], f"{where}.{key}", problems)
    for key in ("scores", "five_four"):
        if key in t:
            _bool(t[key], f"{where}.{key}", problems)
    if isinstance(t.get("kind"), str) and t["kind"] not in KINDS:
        problems.add(f"{where}.kind", f"expected {' or '.join(map(repr, KINDS))}, got {t['kind']!r}")
    if isinstance(t.get("code"), str) and not (t["code"].isdigit() and len(t["code"]) == 6):
        problems.add(f"{where}.code", f"expected the 6-digit administrative code, got {t['code']!r}")
    if isinstance(t.get("schools"), int) and not isinstance(t["schools"], bool) and t["schools"] < 2:
        problems.add(f"{where}.schools", f"expected at least 2 schools (one is the 特殊教育学校), got {t['schools']}")
    new_schools = _years(t.get("new_schools", {}), f"{where}.new_schools", problems)
    new_boarding = _years(t.get("new_boarding", {}), f"{where}.new_boarding", problems)
    shortfalls = t.get("shortfalls", [])
    if not isinstance(shortfalls, list):
        problems.add(f"{where}.shortfalls", f"expected an array of tables, got {_kind_name(shortfalls)}")
        shortfalls = []
    parsed = [_shortfall(s, f"{where}.shortfalls #{i}", problems) for i, s in enumerate(shortfalls, 1)]
    if len(problems) > before:
        return None
    place = Place(t["city"], t["county"], t["code"], t["kind"], t["schools"], t["basic_balance_year"],
                  five_four=t.get("five_four", False))
    design = CountyDesign(t.get("planned"), t["story"], tuple(parsed), new_schools=new_schools,
                          new_boarding=new_boarding, scores=t.get("scores", False),
                          small_survey=t.get("small_survey"), per_stage_schools=t.get("per_stage_schools", 0))
    return place, design


def _pairs(value: Any, where: str, problems: _Problems, keys: tuple[str, ...], exact: bool = True) -> dict:
    return {k: _pair(v, f"{where}.{k}", problems) for k, v in _map(value, where, problems, keys, exact).items()}


def _numbers(value: Any, where: str, problems: _Problems, keys: tuple[str, ...], exact: bool = True) -> dict:
    return {k: _number(v, f"{where}.{k}", problems) for k, v in _map(value, where, problems, keys, exact).items()}


def _strings(value: Any, where: str, problems: _Problems) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        problems.add(where, f"expected a non-empty array of strings, got {value!r}")
        return []
    if len(set(value)) != len(value):
        problems.add(where, "has the same entry twice")
    return list(value)


def _schools(raw: Any, problems: _Problems) -> dict[str, Any]:
    t = _table(raw, "schools", problems, required=("trend", "class_size", "type_mix", "location_mix", "sizes"))
    ordinary = tuple(s for s in SCHOOL_TYPES if s != SPECIAL)
    out: dict[str, Any] = {
        "trend": _numbers(t.get("trend", {}), "schools.trend", problems, LOCATIONS),
        "class_size": _pairs(t.get("class_size", {}), "schools.class_size", problems, LOCATIONS),
        "type_mix": {kind: _numbers(mix, f"schools.type_mix.{kind}", problems, ordinary, exact=False)
                     for kind, mix in _map(t.get("type_mix", {}), "schools.type_mix", problems, KINDS).items()},
        "location_mix": {}, "sizes": {},
    }
    for kind, mix in _map(t.get("location_mix", {}), "schools.location_mix", problems, KINDS).items():
        where = f"schools.location_mix.{kind}"
        types = tuple(out["type_mix"].get(kind, {}))
        shares = _map(mix, where, problems, types)
        for school_type, value in shares.items():
            if (not isinstance(value, list) or len(value) != len(LOCATIONS)
                    or any(isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 for v in value)
                    or sum(value) <= 0):
                problems.add(f"{where}.{school_type}", f"expected {len(LOCATIONS)} shares ≥ 0 "
                                                       f"({', '.join(LOCATIONS)}), got {value!r}")
        out["location_mix"][kind] = shares
    sizes = t.get("sizes", [])
    if not isinstance(sizes, list) or not sizes:
        problems.add("schools.sizes", "expected [[schools.sizes]] tables")
        sizes = []
    for i, entry in enumerate(sizes, 1):
        where = f"schools.sizes #{i}"
        e = _table(entry, where, problems, required=("type", "location"), optional=("primary", "junior", "senior"))
        if e.get("type") not in SCHOOL_TYPES:
            problems.add(f"{where}.type", f"expected one of {', '.join(SCHOOL_TYPES)}, got {e.get('type')!r}")
        if e.get("location") not in LOCATIONS:
            problems.add(f"{where}.location", f"expected one of {', '.join(LOCATIONS)}, got {e.get('location')!r}")
        key = (e.get("type"), e.get("location"))
        if key in out["sizes"]:
            problems.add(where, f"{key[0]} {key[1]} is listed twice")
        out["sizes"][key] = tuple(_pair(e[st], f"{where}.{st}", problems) if st in e else None
                                  for st in ("primary", "junior", "senior"))
    needed = {(SPECIAL, "城区"), ("小学", "城区"), ("初级中学", "城区")}  # the special school and new urban schools
    for kind, mix in out["location_mix"].items():
        for school_type, shares in mix.items():
            if isinstance(shares, list) and len(shares) == len(LOCATIONS):
                needed |= {(school_type, loc) for loc, share in zip(LOCATIONS, shares) if share > 0}
    for school_type, location in sorted(needed, key=str):
        if (school_type, location) not in out["sizes"] and (school_type, "城区") not in out["sizes"]:
            problems.add("schools.sizes", f"lacks the sizes of {school_type} in {location} (or in 城区)")
    return out


def _resources(raw: Any, problems: _Problems) -> dict[str, Any]:
    t = _table(raw, "resources", problems, required=("cv_base", "tilt", "fail_patterns"))
    tilt = {ind: _numbers(by_location, f"resources.tilt.{ind}", problems, LOCATIONS)
            for ind, by_location in _map(t.get("tilt", {}), "resources.tilt", problems, INDICATORS, False).items()}
    patterns = t.get("fail_patterns", [])
    if not isinstance(patterns, list) or not patterns:
        problems.add("resources.fail_patterns", "expected a non-empty array of tables")
        patterns = []
    return {"cv_base": _pairs(t.get("cv_base", {}), "resources.cv_base", problems, INDICATORS),
            "tilt": tilt,
            "fail_patterns": tuple(_pairs(p, f"resources.fail_patterns #{i}", problems, INDICATORS, exact=False)
                                   for i, p in enumerate(patterns, 1))}


def _county_figures(raw: Any, problems: _Problems) -> dict[str, Any]:
    where = "county_figures"
    t = _table(raw, where, problems, required=("funds_rise_yuan", "funds_stage_extra_yuan", "pay_rise",
                                               "other_rates"))
    columns = tuple(c.name for c in COUNTIES.columns if c.kind == "rate")
    return {"funds_rise_yuan": _number(t.get("funds_rise_yuan"), f"{where}.funds_rise_yuan", problems),
            "funds_stage_extra_yuan": _numbers(t.get("funds_stage_extra_yuan", {}), f"{where}.funds_stage_extra_yuan",
                                               problems, ("junior", "senior")),
            "pay_rise": _number(t.get("pay_rise"), f"{where}.pay_rise", problems),
            "other_rates": _pairs(t.get("other_rates", {}), f"{where}.other_rates", problems, columns, exact=False)}


def _survey(raw: Any, problems: _Problems) -> dict[str, Any]:
    t = _table(raw, "survey", problems, required=("groups",))
    groups = {}
    for group, spec in _map(t.get("groups", {}), "survey.groups", problems, SURVEY_GROUPS).items():
        where = f"survey.groups.{group}"
        g = _table(spec, where, problems, required=("respondents", "offset"))
        respondents = g.get("respondents")
        groups[group] = {"respondents": None if respondents == "schools"
                         else _pair(respondents, f"{where}.respondents", problems),
                         "offset": _number(g.get("offset"), f"{where}.offset", problems)}
    return {"groups": groups}


def _scores(raw: Any, problems: _Problems) -> dict[str, Any]:
    t = _table(raw, "scores", problems, required=("subjects", "mean", "sd"), optional=("level_cuts",))
    sd = _number(t.get("sd"), "scores.sd", problems)
    if isinstance(sd, (int, float)) and sd <= 0:
        problems.add("scores.sd", f"expected a standard deviation > 0, got {sd}")
    cuts = t.get("level_cuts", [])
    if not (isinstance(cuts, list) and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in cuts)
            and cuts == sorted(cuts) and len(cuts) <= 3):
        problems.add("scores.level_cuts", f"expected up to 3 increasing scores (levels Ⅱ, Ⅲ, Ⅳ start there), "
                                          f"got {cuts!r}")
        cuts = []
    return {"subjects": tuple(_strings(t.get("subjects"), "scores.subjects", problems)),
            "mean": _number(t.get("mean"), "scores.mean", problems), "sd": sd,
            "level_cuts": tuple(float(c) for c in cuts)}


def _names(raw: Any, problems: _Problems) -> dict[str, Any]:
    t = _table(raw, "names", problems, required=("towns", "surnames", "village_ends", "urban"))
    return {"towns": tuple(_strings(t.get("towns"), "names.towns", problems)),
            "surnames": _str(t.get("surnames"), "names.surnames", problems),
            "village_ends": _str(t.get("village_ends"), "names.village_ends", problems),
            "urban": tuple(_strings(t.get("urban"), "names.urban", problems))}


def load_story(path: str | Path = DEMO_STORY_FILE) -> Story:
    """Read and check a story file (default: the shipped ``quality_balance/demo/story.toml``).

    Parameters
    ----------
    path : str or Path
        The TOML file; its header comment says what each table means.

    Returns
    -------
    Story
        The places in file order (the order numbers the random streams), their
        designs, and the world's parameters.

    Raises
    ------
    QualityBalanceError
        The file is missing or not TOML, or has an unknown key, a missing key or a
        value of the wrong kind; the message names the file and lists each key
        (``county #3 (南乐县).shortfalls #2.untill: unknown key ...``).
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise QualityBalanceError(f"demo story file {path}: not valid TOML ({exc}); fix the line it names") from None
    except OSError as exc:
        raise QualityBalanceError(f"demo story file {path}: cannot be read ({exc.strerror or exc})") from None
    problems = _Problems()
    top = _table(raw, "", problems, required=("county", "city", "names", "schools", "resources", "county_figures",
                                              "survey", "scores"))
    counties = top.get("county", [])
    if not isinstance(counties, list) or not counties:
        problems.add("county", "expected [[county]] tables, one per county")
        counties = []
    places, design = [], {}
    for i, raw_county in enumerate(counties, 1):
        name = raw_county.get("county") if isinstance(raw_county, dict) else None
        where = f"county #{i}" + (f" ({name})" if isinstance(name, str) else "")
        parsed = _county(raw_county, where, problems)
        if parsed is None:
            continue
        place, county_design = parsed
        if place.county in design:
            problems.add(f"{where}.county", f"{place.county!r} is listed twice")
        if any(p.code == place.code for p in places):
            problems.add(f"{where}.code", f"{place.code!r} is used by another county")
        places.append(place)
        design[place.county] = county_design
    cities: dict[str, dict[str, float]] = {}
    raw_cities = top.get("city", {})
    if not isinstance(raw_cities, dict):
        problems.add("city", f"expected [city.\"…\"] tables, got {_kind_name(raw_cities)}")
        raw_cities = {}
    for city, figures in raw_cities.items():
        where = f"city.{city}"
        f = _table(figures, where, problems, required=("funds_benchmark_yuan", "civil_servant_pay_yuan"))
        cities[city] = {k: _number(f.get(k), f"{where}.{k}", problems) for k in f}
    for place in places:
        if place.city not in raw_cities:
            problems.add("city", f"lacks the table [city.\"{place.city}\"] of {place.county}'s city")
    readers = {"names": _names, "schools": _schools, "resources": _resources, "county_figures": _county_figures,
               "survey": _survey, "scores": _scores}
    world = {name: read(top[name], problems) if name in top else {} for name, read in readers.items()}
    story = Story(path=path, places=tuple(places), design=design, cities=cities, **world)
    if problems:
        raise QualityBalanceError(f"demo story file {path} is not valid:\n  - " + "\n  - ".join(problems))
    return story


STORY: Story = load_story()
"""The shipped story (``quality_balance/demo/story.toml``)."""
PLACES: tuple[Place, ...] = STORY.places
"""The demo's counties, in the order of their random streams."""
DESIGN: dict[str, CountyDesign] = STORY.design
"""County → its designed story. Read it as: "until" = the first year the item is met again."""
