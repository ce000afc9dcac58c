"""Report helpers: data or the demo, one county's slice, the provenance header."""
import json

import pandas as pd
import pytest

from tests.builders import COUNTY_OK, dataset, school
from quality_balance import SYNTHETIC_LABEL, InputError
from quality_balance.report.notebook import load_dataset_or_demo, or_note, report_header, subset_dataset


def _two_counties(**kw):
    schools = [school(school_id="A", year=2024), school(school_id="A"), school(school_id="B", county="乙县"),
               school(school_id="C", city="另一市", county="丙县")]
    counties = [dict(COUNTY_OK, year=2024), dict(COUNTY_OK), dict(COUNTY_OK, county="乙县")]
    return dataset(schools, counties, **kw)


def test_subset_keeps_one_county_and_the_years_asked_for():
    d = subset_dataset(_two_counties(), county="甲县", first_year=2025)
    assert d.schools[["county", "year"]].values.tolist() == [["甲县", 2025]]
    assert d.counties[["county", "year"]].values.tolist() == [["甲县", 2025]]
    city = subset_dataset(_two_counties(), city="测试市")
    assert sorted(city.schools["county"].unique()) == ["乙县", "甲县"]


def test_subset_names_the_known_counties_when_one_is_unknown():
    with pytest.raises(InputError) as err:
        subset_dataset(_two_counties(), county="不存在县")
    assert "不存在县" in str(err.value) and "丙县、乙县、甲县" in str(err.value)


def test_missing_folder_without_fallback_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as err:
        load_dataset_or_demo(tmp_path / "nothing", fallback=False)
    assert str(tmp_path / "nothing") in str(err.value) and "make demo" in str(err.value)


def test_a_folder_with_only_a_readme_falls_back_to_the_demo(tmp_path):
    # a fresh checkout: data/demo holds its committed README.md until make demo runs
    (tmp_path / "README.md").write_text("# 演示数据", encoding="utf-8")
    d = load_dataset_or_demo(tmp_path)
    assert d.synthetic and len(d.schools) > 1000 and "没有数据文件" in d.notes[-1]
    with pytest.raises(InputError, match="没有数据文件"):
        load_dataset_or_demo(tmp_path, fallback=False)


def test_existing_folder_is_loaded(tmp_path):
    from tests.input_files import write_csv

    write_csv(tmp_path / "schools.csv", [school(school_id="A")])
    (tmp_path / "metadata.json").write_text(json.dumps({"synthetic": True}), encoding="utf-8")
    d = load_dataset_or_demo(tmp_path, fallback=False)
    assert d.synthetic and d.schools["school_id"].tolist() == ["A"]


def test_header_shows_the_synthetic_label_only_for_synthetic_data():
    header = report_header(_two_counties(synthetic=True, source="data/demo"), "国家标准", "测试市甲县")
    assert SYNTHETIC_LABEL in header and "国家标准" in header and "data/demo" in header
    assert "演示数据" not in report_header(_two_counties(source="x"), "国家标准", "测试市甲县")


def test_or_note_turns_an_empty_table_into_a_sentence():
    assert or_note(pd.DataFrame({"a": []}), "没有短板。").data == "*没有短板。*"
    frame = pd.DataFrame({"a": [1]})
    assert or_note(frame, "没有短板。") is frame
    assert or_note(frame, "", caption="共 1 项").caption == "共 1 项"


def test_the_data_source_is_named_without_machine_paths():
    import pandas as pd

    from quality_balance.inputs.dataset import Dataset

    assert Dataset(schools=pd.DataFrame(), source="/srv/bureau/2025年报表").source_label == "数据文件夹“2025年报表”"
    assert Dataset(schools=pd.DataFrame(), source="C:\\data\\学校.xlsx").source_label == "数据文件“学校.xlsx”"
    assert Dataset(schools=pd.DataFrame(), source="/work/main/data/demo", synthetic=True).source_label == "合成演示数据"
