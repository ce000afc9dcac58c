"""Profiles as data: loading, inheritance, validation errors (spec §7)."""
import pytest

import quality_balance as qb
from quality_balance.errors import ProfileError


def _write(tmp_path, name, text):
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_national_profile_holds_the_national_thresholds():
    p = qb.load_profile("national")
    assert p.get("resources.thresholds.primary.R1") == 4.2
    assert p.get("resources.thresholds.junior.R5") == 10.2
    assert p.get("resources.cv_limit") == {"primary": 0.5, "junior": 0.45}
    assert p.get("resources.school_rule") == {"min_met": 6, "min_ratio_of_miss": 0.85}
    assert p.get("resources.stage_weights") == {"primary": 1.0, "junior": 1.1, "senior": 1.32}
    assert p.get("resources.complete_middle_weights") == {"junior": 1.0, "senior": 1.2}


@pytest.mark.parametrize("name, key, value", [
    ("桓台县", "guarantee.G6.funded_as", 200), ("桓台县", "guarantee.G14.min_share", 70.0),
    ("桓台县", "quality.Q2.min_rate", 98.0), ("呼和浩特市", "guarantee.G14.min_share", 60.0),
    ("濮阳市", "guarantee.G14.min_share", 60.0), ("濮阳市", "guarantee.G6.boarding_supplement_yuan", 200.0),
    ("蕉岭县", "quality.Q1.min_rate", 96.0), ("蕉岭县", "guarantee.G15.min_share", 100.0),
])
def test_local_profiles_override_only_what_differs(name, key, value):
    p = qb.load_profile(name)
    assert p.get(key) == value
    assert p.chain[-1] == "national"
    assert p.get("resources.cv_limit.primary") == 0.5  # inherited


def test_place_profiles_are_chosen_by_city_and_county():
    assert qb.profile_for_place("淄博市", "桓台县").name == "桓台县"
    assert qb.profile_for_place("呼和浩特市", "武川县").name == "呼和浩特市"
    assert qb.profile_for_place("濮阳市", "范县").name == "濮阳市"
    assert qb.profile_for_place("淄博市", "张店区").name == "national"


def test_a_user_profile_file_needs_no_code_change(tmp_path):
    path = _write(tmp_path, "某县", 'name = "某县"\nparent = "national"\n[guarantee]\nG15 = { min_share = 90.0 }\n')
    p = qb.load_profile(path)
    assert p.get("guarantee.G15.min_share") == 90.0 and p.get("guarantee.G14.min_share") == 50.0
    child = _write(tmp_path, "某县乙", 'name = "某县乙"\nparent = "某县"\n[quality]\nQ2 = { min_rate = 99.0 }\n')
    p2 = qb.load_profile(child, search_path=[tmp_path])
    assert p2.chain == ("某县乙", "某县", "national") and p2.get("guarantee.G15.min_share") == 90.0


@pytest.mark.parametrize("text, message", [
    ('name = "x"\nparent = "national"\n[guarantee]\nG16 = { min_share = 1.0 }\n', "unknown key 'guarantee.G16'"),
    ('name = "x"\nparent = "national"\n[resources.cv_limit]\nprimary = "half"\n', "must be a number"),
    ('name = "x"\nparent = "national"\n[resources.cv_limit]\nprimary = 50\n', "must be a fraction"),
    ('name = "x"\nparent = "national"\n[resources.stage_weights]\njunior = -1.1\n', "must not be negative"),
    ('name = "x"\nparent = "nowhere"\n', "parent 'nowhere' not found"),
    ('name = "x"\n[guarantee]\nG14 = { min_share = 60.0 }\n', "'parent' is missing"),
    ('name = "x"\nparent = "national"\n[[extra_items]]\nid = "L1"\n', "lacks 'dimension'"),
    ('name = "x"\nparent = "national"\n[quality]\nQ5 = { min_rating = "很好" }\n', "优秀/良好/合格/不合格"),
    ('name = "x"\nparent = "national"\n[quality\n', "not valid TOML"),
])
def test_bad_profiles_are_rejected_with_the_file_and_key(tmp_path, text, message):
    path = _write(tmp_path, "bad", text)
    with pytest.raises(ProfileError, match="bad.toml") as err:
        qb.load_profile(path)
    assert message in str(err.value)


def test_unknown_profile_name_lists_the_known_ones():
    with pytest.raises(ProfileError, match="expected one of .*national"):
        qb.load_profile("火星县")
