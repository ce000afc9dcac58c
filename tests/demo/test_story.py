"""The designed story as data: ``quality_balance/demo/story.toml``, its checks, and the output it pins."""
import dataclasses
import hashlib
import json
from pathlib import Path

import pytest

import quality_balance as qb
from quality_balance import demo
from quality_balance.demo import story
from quality_balance.paths import DEMO_STORY_FILE

#: SHA-256 of every file ``quality-balance demo`` writes for the default seed (2021, 2021–2025), recorded
#: before the story moved from Python literals to story.toml. metadata.json is pinned without its "version".
#: A change here is a change of the story or of the generator: make it on purpose, with data/demo regenerated.
DEFAULT_SEED_FILES = {
    "README.md": "bb420581783bf9630e1b0783b4548f3fa7230f0bb0448b70ac4e7ce080134212",
    "classes.csv": "9bc848a075e6ab5743fd8a656efe932bfcc6af1353ef809eb8f15823bc722013",
    "counties.csv": "a5fdc458646cca7629d964f3e36b3e198a44329a289e111e080fd50ece856ac2",
    "excel/demo.xlsx": "492ae021723dc1522cc1ce8f8e25d3588deee9a37fa7cb4a55bb2409604cd017",
    "schools.csv": "93f3b2a50095edf7c202d14f9e9a5ce080b7fef334fa07cc33f74fc465bb78cd",
    "scores.csv": "9ce2e33631f58732a2fd3fd611a5fac1c4738682deda3c6b411b47a09b01aa52",
    "survey.csv": "614a47e3979ce00af7ea0906fd7064cb3a84617dea8a610dbddb55b3c91568c6",
}
DEFAULT_SEED_METADATA = "3e4bebbdb74cd97fcf59f63f139751c3f679408d7d53e809c250481b7aec265b"


def _metadata_digest(path: Path) -> str:
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.pop("version")
    return hashlib.sha256(json.dumps(meta, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def test_the_default_seed_writes_the_pinned_files(demo_data, tmp_path):
    demo.write(demo_data, tmp_path / "demo")
    written = {str(p.relative_to(tmp_path / "demo")): p for p in sorted((tmp_path / "demo").rglob("*")) if p.is_file()}
    assert sorted(written) == sorted([*DEFAULT_SEED_FILES, "metadata.json", demo.files.MARKER_FILE])
    got = {name: hashlib.sha256(written[name].read_bytes()).hexdigest() for name in DEFAULT_SEED_FILES}
    assert got == DEFAULT_SEED_FILES
    assert _metadata_digest(written["metadata.json"]) == DEFAULT_SEED_METADATA


# --- the shipped story ---------------------------------------------------------------------------

def test_the_package_reads_the_shipped_story_file():
    assert story.STORY.path == DEMO_STORY_FILE and DEMO_STORY_FILE.is_file()
    assert demo.PLACES is story.PLACES and demo.DESIGN is story.DESIGN
    assert len(demo.PLACES) == 17 and [p.county for p in demo.PLACES][:3] == ["华龙区", "濮阳县", "清丰县"]
    header = DEMO_STORY_FILE.read_text(encoding="utf-8").split("\n[[county]]")[0]
    assert "SYNTHETIC" in header and "虚构" in header and "How to change the story" in header
    hl = demo.DESIGN["华龙区"]
    assert hl.planned is None and hl.new_schools == {2021: 8, 2022: 6, 2023: 5, 2024: 3}
    assert hl.shortfalls[-1] == demo.Shortfall("V2", 2025, since=2024)  # the veto of 2024 only
    assert hl.shortfalls[2] == demo.Shortfall("R.cv", 2023, stage="primary", indicator="R5", excess=0.04)
    assert demo.DESIGN["范县"].of("Q9")[0].start == 0.24 and demo.DESIGN["清水河县"].small_survey == 2023
    assert [p.county for p in demo.PLACES if p.five_four] == ["桓台县"]
    assert {c for c, d in demo.DESIGN.items() if d.per_stage_schools == 2} == {"新城区", "蕉岭县", "桓台县"}
    assert story.STORY.survey["groups"]["校长"]["respondents"] is None  # one per school


# --- a wrong key or value names the file and the key -----------------------------------------------

def _edited(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = DEMO_STORY_FILE.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path = tmp_path / "story.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def test_an_unedited_copy_loads_as_the_shipped_story(tmp_path):
    copy = story.load_story(_edited(tmp_path, "", "", 0))
    assert copy.places == story.STORY.places and copy.design == story.STORY.design
    assert copy.schools == story.STORY.schools and copy.survey == story.STORY.survey


@pytest.mark.parametrize("old, new, key, expected", [
    ('{ item = "G4", until = 2024, schools = 10 }', '{ item = "G4", untill = 2024, schools = 10 }',
     "county #1 (华龙区).shortfalls #1", "unknown key 'untill'"),
    ("schools = 60\n", 'schools = "60"\n', "county #1 (华龙区).schools", "expected an integer, got '60'"),
    ('kind = "urban"', 'kind = "city"', "county #1 (华龙区).kind", "expected 'urban' or 'rural', got 'city'"),
    ("planned = 2024\n", "planned = 2024\nplaned = 2024\n", "county #7 (新城区)", "unknown key 'planed'"),
    ('{ item = "V2", since = 2024, until = 2025 }', '{ item = "V2", since = 2024, until = 2024 }',
     "county #1 (华龙区).shortfalls #5.until", "must be after since (2024), got 2024"),
    ('{ item = "R.cv", until = 2023, stage = "primary", indicator = "R5" }',
     '{ item = "R.cv", until = 2023, stage = "primary", indicator = "R8" }',
     "county #1 (华龙区).shortfalls #3.indicator", "expected one of R1, R2"),
    ('start = 82.5', 'start = "82.5%"', "county #1 (华龙区).shortfalls #4.start", "expected a number"),
    ('new_schools = { 2021 = 8,', 'new_schools = { y2021 = 8,', "county #1 (华龙区).new_schools.y2021",
     "expected a year"),
    ('"校长" = { respondents = "schools", offset = 0.04 }\n', "", "survey.groups", "lacks '校长'"),
    ("\n[scores]\n", "\n[score]\n", "", "unknown key 'score' (known keys: county, city"),
    ('funds_benchmark_yuan = 800.0', 'funds_benchmark_yuan = true', "city.淄博市.funds_benchmark_yuan",
     "expected a number, got True"),
    ('R1 = [0.12, 0.22]', 'R1 = [0.22, 0.12]', "resources.cv_base.R1", "expected low ≤ high"),
])
def test_a_wrong_key_or_kind_names_the_file_and_the_key(tmp_path, old, new, key, expected):
    path = _edited(tmp_path, old, new)
    with pytest.raises(qb.QualityBalanceError) as err:
        story.load_story(path)
    message = str(err.value)
    assert str(path) in message
    assert f"{key}: {expected}" in message if key else expected in message, message


def test_broken_toml_and_a_missing_file_are_refused_with_the_path(tmp_path):
    path = _edited(tmp_path, 'code = "410902"', 'code = 410902"')
    with pytest.raises(qb.QualityBalanceError, match="not valid TOML"):
        story.load_story(path)
    with pytest.raises(qb.QualityBalanceError, match="cannot be read"):
        story.load_story(tmp_path / "absent.toml")


def test_a_city_without_its_money_table_is_refused(tmp_path):
    path = _edited(tmp_path, '[city."梅州市"]\nfunds_benchmark_yuan = 850.0\ncivil_servant_pay_yuan = 86000.0\n', "")
    with pytest.raises(qb.QualityBalanceError, match=r"lacks the table \[city.\"梅州市\"\] of 蕉岭县's city"):
        story.load_story(path)


def test_an_item_the_generator_cannot_place_is_refused_before_generating(monkeypatch):
    design = demo.DESIGN["华龙区"]
    monkeypatch.setitem(demo.DESIGN, "华龙区",
                        dataclasses.replace(design, shortfalls=(*design.shortfalls, demo.Shortfall("G99", 2024))))
    with pytest.raises(qb.QualityBalanceError, match=r"story.toml: 华龙区's shortfalls #6: unknown item 'G99'"):
        demo.generate(years=[2025])
    # a local item of another county's profile (濮阳市's L1) is not one of 新城区's: its profile has none
    monkeypatch.setitem(demo.DESIGN, "华龙区", design)
    monkeypatch.setitem(demo.DESIGN, "新城区", dataclasses.replace(demo.DESIGN["新城区"],
                                                                 shortfalls=(demo.Shortfall("L1", 2024),)))
    with pytest.raises(qb.QualityBalanceError, match="新城区's shortfalls #1: unknown item 'L1'; expected one of R"):
        demo.generate(years=[2025])
