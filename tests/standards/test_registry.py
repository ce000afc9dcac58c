"""The one registry of standards files: profiles and plans found, listed, read and cached the same way."""
import os
import pathlib
import time

import pandas as pd
import pytest

import quality_balance as qb
from quality_balance import paths
from quality_balance.errors import ProfileError
from quality_balance.standards import plan, profile, registry
from quality_balance.standards.registry import PLANS, PROFILES, Registry

SHIPPED_PROFILES = ["national", "呼和浩特市", "桓台县", "濮阳市", "蕉岭县", "示例_地方例外规则"]
SHIPPED_PLANS = ["呼和浩特市", "桓台县", "濮阳市", "蕉岭县"]


def _settle(path):
    """Date a file or folder back past the registry's settling time, as for files written long ago."""
    old = time.time_ns() - 10 * registry.SETTLE_NS
    os.utime(path, ns=(old, old))


@pytest.fixture
def globs(monkeypatch):
    calls = []
    original = pathlib.Path.glob

    def counting(self, *args, **kwargs):
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "glob", counting)
    return calls


def test_profiles_and_plans_come_from_the_shipped_folders():
    assert PROFILES.folder == paths.PROFILE_DIR and PLANS.folder == paths.PLAN_DIR
    assert sorted(PROFILES.available()) == sorted(SHIPPED_PROFILES)
    assert sorted(PLANS.available()) == sorted(SHIPPED_PLANS)
    # the public listings are the registry's
    assert qb.available_profiles() == PROFILES.available()
    assert plan.available_plans() == PLANS.available()
    assert PROFILES.locate("national") == paths.PROFILE_DIR / "national.toml"


def test_a_search_path_adds_and_overrides_names(tmp_path):
    (tmp_path / "某县.toml").write_text('name = "某县"\nparent = "national"\n', encoding="utf-8")
    (tmp_path / "濮阳市.toml").write_text('name = "濮阳市"\nparent = "national"\n', encoding="utf-8")
    found = PROFILES.available([tmp_path])
    assert list(found)[:len(SHIPPED_PROFILES)] == sorted(SHIPPED_PROFILES)
    assert found["某县"] == tmp_path / "某县.toml" and found["濮阳市"] == tmp_path / "濮阳市.toml"
    assert PROFILES.available([tmp_path / "没有这个文件夹"]) == PROFILES.available()


def test_unknown_names_and_missing_files_name_what_was_asked(tmp_path):
    with pytest.raises(ProfileError, match="unknown profile '火星县'; expected one of .*national"):
        PROFILES.locate("火星县")
    with pytest.raises(ProfileError, match="unknown plan '火星市'; expected one of .*濮阳市"):
        PLANS.locate("火星市")
    missing = tmp_path / "无.toml"
    with pytest.raises(ProfileError, match=f"plan file {missing} does not exist"):
        plan.load_plan(missing)
    with pytest.raises(ProfileError, match=f"profile file {missing} does not exist"):
        qb.load_profile(missing)


def test_a_syntax_error_names_the_file_and_the_line(tmp_path):
    bad = tmp_path / "坏.toml"
    bad.write_text('name = "坏"\nparent = "national"\n[quality\n', encoding="utf-8")
    for reg in (PROFILES, PLANS):
        with pytest.raises(ProfileError) as err:
            reg.read(bad)
        assert f"{reg.kind} file {bad}: not valid TOML" in str(err.value) and "line 3" in str(err.value)


def test_read_returns_a_fresh_copy_each_time():
    first = PROFILES.read(paths.PROFILE_DIR / "national.toml")
    first["resources"]["cv_limit"]["primary"] = 99
    assert PROFILES.read(paths.PROFILE_DIR / "national.toml")["resources"]["cv_limit"]["primary"] == 0.5


def test_each_folder_is_globbed_once_until_it_changes(tmp_path, globs):
    reg = Registry("profile", tmp_path)
    (tmp_path / "a.toml").write_text("x = 1\n", encoding="utf-8")
    _settle(tmp_path)
    assert list(reg.available()) == ["a"]
    assert list(reg.available()) == ["a"] and list(reg.available()) == ["a"]
    assert globs.count(tmp_path) == 1
    (tmp_path / "b.toml").write_text("x = 2\n", encoding="utf-8")  # the folder changes: listed afresh
    assert list(reg.available()) == ["a", "b"]


def test_a_file_changed_just_now_is_read_afresh(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("x = 1\n", encoding="utf-8")
    assert PLANS.read(path) == {"x": 1}
    path.write_text("x = 2\n", encoding="utf-8")
    assert PLANS.read(path) == {"x": 2}


def test_place_profiles_resolve_each_distinct_profile_once(globs, monkeypatch):
    # 2 000 counties of three cities: one glob-free listing and three profiles, not 2 000 look-ups
    PROFILES.available()  # the shipped folder is listed (once per process)
    loads = []
    original = profile.load_profile
    monkeypatch.setattr(profile, "load_profile", lambda *a, **k: loads.append(a[0]) or original(*a, **k))
    places = pd.DataFrame({"city": ["濮阳市", "淄博市", "梅州市", "淄博市"] * 500,
                           "county": [f"县{i}" for i in range(1999)] + ["桓台县"]})
    chosen = profile.profiles_by_county(places)
    assert len(chosen) == 2000 and globs.count(paths.PROFILE_DIR) == 0
    assert chosen[("濮阳市", "县0")].name == "濮阳市" and chosen[("淄博市", "县1")].name == "national"
    assert chosen[("淄博市", "桓台县")].name == "桓台县"
    assert sorted(set(loads) - set(SHIPPED_PROFILES)) == [] and len(loads) <= len(SHIPPED_PROFILES) + 3
