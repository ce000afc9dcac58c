"""Standards profiles: the national thresholds and the local variants, as data.

A profile is a TOML file. ``national.toml`` (shipped in ``quality_balance/standards/profiles``)
holds every threshold, weight and limit of the national method; it is also the
*schema*: a local profile names a ``parent`` and may override only keys that the
national profile has, with values of the same kind. ``extra_items`` (local items
such as 濮阳市's 体质健康优良率 ≥ 60%) and ``exceptions`` (conditional rules keyed on school
attributes, :mod:`quality_balance.standards.conditions`) are the lists a profile may add to.

Users add a profile by writing a file, with no code change: pass its path to
:func:`load_profile`, or put it in a folder passed as ``search_path``. Files are
found, listed and read by :data:`quality_balance.standards.registry.PROFILES`.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .. import paths
from ..errors import ProfileError
from .registry import PROFILES

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Profile", "load_profile", "available_profiles", "profile_for_place", "profiles_by_county",
           "PROFILE_DIR"]

PROFILE_DIR = paths.PROFILE_DIR
ROOT = "national"
_META_KEYS = {"name", "title", "source", "parent", "places", "extra_items", "exceptions"}
_EXTRA_ITEM_KEYS = {"id": str, "dimension": str, "label": str, "column": str, "op": str,
                    "threshold": (int, float), "counts": bool}
#: Optional keys of an extra item: ``unit`` of its value and threshold ("%", "人"...), shown in reasons.
_EXTRA_ITEM_OPTIONAL = {"unit": str}
_EXTRA_ITEM_DIMENSIONS = ("guarantee", "quality")


@dataclass(frozen=True)
class Profile:
    """A resolved profile: the parent chain merged, validated, read-only by convention.

    ``data`` is the merged nested mapping; use :meth:`get` with a dotted path,
    e.g. ``profile.get("resources.cv_limit.primary")`` → ``0.5``.
    """

    name: str
    title: str
    data: Mapping[str, Any] = field(repr=False)
    chain: tuple[str, ...] = ()
    path: str | None = None

    def get(self, dotted: str) -> Any:
        """The value of a dotted setting, e.g. ``"resources.cv_limit.primary"``.

        Parameters
        ----------
        dotted : str
            The setting's path, keys joined by dots (``"guarantee.G6.funded_as"``);
            the profile's units apply (rates in %, areas m², money 元, CV a plain
            fraction).

        Returns
        -------
        object
            The setting as the merged profile holds it: a number, string, bool or
            list, or a mapping for a table (e.g. ``"resources.cv_limit"`` →
            ``{"primary": 0.5, "junior": 0.45}``). A mapping is the profile's own;
            do not change it.

        Raises
        ------
        UnknownSettingError
            (a :class:`ProfileError`) for a setting the profile does not have,
            listing the settings at that level and the closest.

        Examples
        --------
        >>> load_profile("national").get("resources.cv_limit.primary")
        0.5
        """
        node: Any = self.data
        parts = dotted.split(".")
        for i, part in enumerate(parts):
            if not isinstance(node, Mapping) or part not in node:
                from ..errors import UnknownSettingError, require_known

                prefix = ".".join(parts[:i])
                known = ([f"{prefix}.{k}" if prefix else str(k) for k in node] if isinstance(node, Mapping)
                         else [prefix])
                require_known(dotted, known, parameter="dotted", what="配置项", where=f"评估标准“{self.name}”",
                              error=UnknownSettingError)
            node = node[part]
        return node

    @property
    def places(self) -> list[str]:
        return list(self.data.get("places", []))

    @property
    def extra_items(self) -> list[dict]:
        return list(self.data.get("extra_items", []))

    @property
    def exceptions(self) -> tuple:
        """The profile's conditional rules (:class:`~quality_balance.standards.conditions.ConditionalRule`), in order.

        Empty for the national profile.
        """
        from .conditions import exceptions_of

        return exceptions_of(self)


def available_profiles(*, search_path: Iterable[str | Path] = ()) -> dict[str, Path]:
    """Profile name → file, for the shipped profiles and any ``*.toml`` in ``search_path``.

    Parameters
    ----------
    search_path : iterable of str or Path, keyword-only
        Extra folders (a file there replaces a shipped profile of the same name).
        The default ``()`` lists the shipped profiles only.

    Returns
    -------
    dict of str to Path
        See :meth:`quality_balance.standards.registry.Registry.available` (listings are cached per folder).
    """
    return PROFILES.available(search_path)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "table"
    return type(value).__name__


def _check_against(schema: Mapping, data: Mapping, where: str, path: Path, problems: list[str]) -> None:
    """Every key of ``data`` must exist in ``schema`` with a value of the same kind."""
    for key, value in data.items():
        dotted = f"{where}.{key}" if where else key
        if not where and key in _META_KEYS:
            continue
        if key not in schema:
            near = ", ".join(sorted(map(str, schema))[:12])
            problems.append(f"unknown key {dotted!r} (known here: {near})")
            continue
        expected, got = _kind(schema[key]), _kind(value)
        if expected != got:
            problems.append(f"{dotted!r} must be a {expected}, got {got} {value!r}")
        elif got == "table":
            _check_against(schema[key], value, dotted, path, problems)
        elif got == "number" and value < 0:
            problems.append(f"{dotted!r} must not be negative, got {value!r}")


def _check_values(data: Mapping, problems: list[str]) -> None:
    """Range checks that the key/kind check cannot express."""
    res = data.get("resources", {})
    for stage, limit in res.get("cv_limit", {}).items():
        if not 0 < limit <= 5:
            problems.append(f"'resources.cv_limit.{stage}' must be a fraction such as 0.50, got {limit!r}")
    for stage, w in {**res.get("stage_weights", {}), **res.get("complete_middle_weights", {})}.items():
        if w <= 0:
            problems.append(f"split weight for {stage!r} must be positive, got {w!r}")
    rule = res.get("school_rule", {})
    if "min_ratio_of_miss" in rule and not 0 < rule["min_ratio_of_miss"] <= 1:
        problems.append("'resources.school_rule.min_ratio_of_miss' must be in (0, 1], "
                        f"got {rule['min_ratio_of_miss']!r}")
    if "min_met" in rule and not (isinstance(rule["min_met"], int) and 0 <= rule["min_met"] <= 7):
        problems.append(f"'resources.school_rule.min_met' must be a whole number 0–7, got {rule['min_met']!r}")
    rec = data.get("recognition", {})
    if "confidence" in rec and not 0 < rec["confidence"] < 1:
        problems.append(f"'recognition.confidence' must be between 0 and 1, got {rec['confidence']!r}")
    for key in ("min_rating",):
        for dim in ("quality",):
            for item, spec in data.get(dim, {}).items():
                if isinstance(spec, dict) and key in spec and spec[key] not in ("优秀", "良好", "合格", "不合格"):
                    problems.append(f"'{dim}.{item}.{key}' must be one of 优秀/良好/合格/不合格, got {spec[key]!r}")


def _check_extra_items(items: Any, problems: list[str]) -> None:
    from ..schema import COUNTIES  # local: schema is data, profile must not depend on it at import

    if not isinstance(items, list):
        problems.append(f"'extra_items' must be a list of tables ([[extra_items]]), got {items!r}")
        return
    for i, item in enumerate(items, 1):
        label = f"extra_items #{i}"
        if not isinstance(item, dict):
            problems.append(f"{label} must be a table, got {item!r}")
            continue
        for key, typ in _EXTRA_ITEM_KEYS.items():
            if key not in item:
                problems.append(f"{label} lacks {key!r}")
            elif not isinstance(item[key], typ) or (typ is not bool and isinstance(item[key], bool)):
                problems.append(f"{label}: {key!r} has the wrong kind: {item[key]!r}")
        for key, typ in _EXTRA_ITEM_OPTIONAL.items():
            if key in item and not isinstance(item[key], typ):
                problems.append(f"{label}: {key!r} must be a text such as \"%\", got {item[key]!r}")
        known = {**_EXTRA_ITEM_KEYS, **_EXTRA_ITEM_OPTIONAL}
        for key in sorted(set(item) - set(known)):
            problems.append(f"{label}: unknown key {key!r} (known: {', '.join(known)})")
        if item.get("dimension") not in _EXTRA_ITEM_DIMENSIONS:
            problems.append(f"{label}: 'dimension' must be one of {_EXTRA_ITEM_DIMENSIONS}, "
                            f"got {item.get('dimension')!r}")
        if item.get("op") not in (">=", "<="):
            problems.append(f"{label}: 'op' must be '>=' or '<=', got {item.get('op')!r}")
        if isinstance(item.get("column"), str) and item["column"] not in COUNTIES.names:
            problems.append(f"{label}: 'column' {item['column']!r} is not a column of the county table")


def _merge(base: dict, over: Mapping) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@lru_cache(maxsize=64)
def _load_cached(path: str, search: tuple[str, ...]) -> Profile:
    chain: list[str] = []
    layers: list[tuple[Path, dict]] = []
    current: Path | None = Path(path)
    while current is not None:
        raw = PROFILES.read(current)
        name = raw.get("name") or current.stem
        if name in chain:
            raise ProfileError(f"profile {name!r}: parent chain loops ({' → '.join(chain + [name])})")
        chain.append(name)
        layers.append((current, raw))
        parent = raw.get("parent", "")
        if name == ROOT or not parent:
            if name != ROOT:
                raise ProfileError(f"profile file {current}: 'parent' is missing; a local profile must "
                                   f"name its parent (usually parent = \"national\")")
            current = None
        else:
            try:
                current = PROFILES.locate(parent, search)
            except ProfileError as exc:
                raise ProfileError(f"profile file {current}: parent {parent!r} not found ({exc})") from None
    _, merged = layers[-1]
    for file, raw in reversed(layers[:-1]):
        problems: list[str] = []
        _check_against(merged, raw, "", file, problems)
        if "extra_items" in raw:
            _check_extra_items(raw["extra_items"], problems)
        if "exceptions" in raw:
            from .conditions import check_exceptions

            check_exceptions(raw["exceptions"], problems)
        if not problems:  # range checks assume the kinds are right
            _check_values(raw, problems)
        if problems:
            raise ProfileError(f"profile file {file} is not valid:\n  - " + "\n  - ".join(problems))
        extra = merged.get("extra_items", []) + raw.get("extra_items", [])
        # a child's exception of the same id replaces its parent's in place; new ones come after
        rules = merged.get("exceptions", []) + raw.get("exceptions", [])
        merged = _merge(merged, {k: v for k, v in raw.items() if k not in ("extra_items", "exceptions")})
        merged["extra_items"] = list({i["id"]: i for i in extra}.values())
        merged["exceptions"] = list({i["id"]: i for i in rules}.values())
    return Profile(name=chain[0], title=merged.get("title", chain[0]), data=merged,
                   chain=tuple(chain), path=str(path))


def load_profile(profile: "str | Path | Profile" = "national", *,
                 search_path: Iterable[str | Path] = ()) -> Profile:
    """Load a profile by name (``"national"``, ``"桓台县"``...) or by path to a ``.toml`` file.

    The parent chain is followed up to ``national`` and merged; each layer is
    validated against what its parent defines.

    Parameters
    ----------
    profile : str, Path or Profile
        The profile's name (a shipped one, or a ``*.toml`` in ``search_path``), or
        the path of a ``.toml`` file; a :class:`Profile` is returned as it is.
        Positional: it is the selection, the one thing a call names. The default
        ``"national"`` is the national standard (教督〔2017〕6号).
    search_path : iterable of str or Path, keyword-only
        Extra profile folders searched after the shipped one (a file there
        replaces a shipped profile of the same name). The default ``()`` searches
        only the shipped profiles.

    Returns
    -------
    Profile
        The merged, validated profile: ``name``, ``title``, ``data`` (the nested
        settings, read with :meth:`Profile.get`), ``chain`` (the profile and its
        parents up to ``national``) and ``path``. Loaded files are cached until
        they change.

    Raises
    ------
    ProfileError
        Naming the file and key for an unknown profile name, an unknown key, a
        value of the wrong kind or range, a missing parent or a loop.

    Examples
    --------
    >>> p = load_profile("national")
    >>> p.get("resources.cv_limit.junior")
    0.45
    >>> load_profile("桓台县").get("guarantee.G6.funded_as")
    200
    """
    if isinstance(profile, Profile):
        return profile
    search = tuple(str(Path(s)) for s in search_path)
    return _load_cached(str(PROFILES.locate(profile, search).resolve()), search)


def _place_index(search: tuple[str, ...]) -> dict[str, str]:
    """Place (``"市/县区"`` or ``"市"``) → the name of the first available profile that names it."""
    return _place_index_of(tuple(PROFILES.available(search).items()), search)


@lru_cache(maxsize=16)
def _place_index_of(files: tuple[tuple[str, Path], ...], search: tuple[str, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, _ in files:
        for place in load_profile(name, search_path=search).places:
            index.setdefault(place, name)
    return index


def _place_profile_name(index: Mapping[str, str], city: str, county: str) -> str:
    return index.get(f"{city}/{county}") or index.get(city) or ROOT


def profile_for_place(city: str, county: str, *, search_path: Iterable[str | Path] = ()) -> Profile:
    """The default profile of a county: one naming "市/县区" wins over one naming "市", else national.

    Parameters
    ----------
    city, county : str
        The county's city and name.
    search_path : iterable of str or Path, keyword-only
        Extra profile folders, searched after the shipped ones. The default ``()``
        looks at the shipped profiles only.

    Returns
    -------
    Profile
        The first available profile (shipped ones first, by name) whose ``places``
        list ``"city/county"``; else the first listing ``city``; else ``national``.

    Raises
    ------
    ProfileError
        A profile found on the way is invalid (see :func:`load_profile`).
    """
    search = tuple(str(Path(s)) for s in search_path)
    return load_profile(_place_profile_name(_place_index(search), city, county), search_path=search)


def profiles_by_county(places: "pd.DataFrame", profile: "str | Path | Profile | None" = None,
                       search_path: Iterable[str | Path] = ()) -> dict[tuple[str, str], Profile]:
    """The profile each (city, county) of ``places`` is assessed under.

    ``profile=None`` picks each county's place profile (:func:`profile_for_place`);
    anything else is loaded once and used for every county. Either way each
    distinct profile is resolved once and the profile folders are listed once.
    """
    pairs = places[["city", "county"]].drop_duplicates().itertuples(index=False, name=None)
    if profile is None:  # each distinct profile is resolved once, however many counties it covers
        search = tuple(str(Path(s)) for s in search_path)
        index = _place_index(search)
        names = {pair: _place_profile_name(index, *pair) for pair in pairs}
        resolved = {name: load_profile(name, search_path=search) for name in set(names.values())}
        return {pair: resolved[name] for pair, name in names.items()}
    chosen = load_profile(profile, search_path=search_path)
    return {(c, k): chosen for c, k in pairs}
