"""Parquet input (issue 12): accepted wherever CSV and xlsx are, with the same validation and messages."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.builders import COUNTY_OK
from tests.input_files import JUNIOR_OK, school, write_csv
from quality_balance.cli import main
from quality_balance.errors import InputError
from quality_balance.inputs.loaders import load_counties, load_dataset, load_schools
from quality_balance.inputs.readers import SUPPORTED_SUFFIXES, collect_files


def rows():
    return [school(school_id="4109220001"), school(JUNIOR_OK, school_id="4109220002", location="乡村")]


def write_parquet(path, frame: pd.DataFrame):
    frame.to_parquet(path, index=False)
    return path


def test_a_parquet_school_table_loads_as_the_same_csv_does(tmp_path):
    csv_path = write_csv(tmp_path / "学校.csv", rows())
    from_csv = load_schools(csv_path)
    # the same table typed as a program writes it: numbers as numbers, English names
    frame = pd.DataFrame(rows())
    frame["year"] = frame["year"].astype(int)
    parquet = write_parquet(tmp_path / "schools.parquet", frame)
    from_parquet = load_schools(parquet)
    pd.testing.assert_frame_equal(from_parquet, from_csv)
    assert ".parquet" in SUPPORTED_SUFFIXES and sorted(collect_files(tmp_path)) == sorted([csv_path, parquet])


def test_floats_integral_and_not_and_missing_values_read_as_written(tmp_path):
    frame = pd.DataFrame(rows())
    frame["teaching_area_m2"] = [4500.0, 1234.5]
    frame["multimedia_rooms_primary"] = pd.array([12, None], dtype="Int64")
    got = load_schools(write_parquet(tmp_path / "schools.parquet", frame))
    assert got["teaching_area_m2"].tolist() == [4500.0, 1234.5]
    assert got["multimedia_rooms_primary"].isna().tolist() == [False, True]
    assert got["multimedia_rooms_primary"].iloc[0] == 12


def test_a_county_table_in_parquet_with_a_boolean_veto_column(tmp_path):
    frame = pd.DataFrame([COUNTY_OK])
    got = load_counties(write_parquet(tmp_path / "counties.parquet", frame))
    assert len(got) == 1 and got["county"].tolist() == [COUNTY_OK["county"]]


def test_a_wrong_column_type_is_reported_with_its_row_as_in_a_csv_file(tmp_path):
    frame = pd.DataFrame(rows())
    frame["students_primary"] = frame["students_primary"].astype(object)
    frame.loc[1, "students_primary"] = "很多"
    frame["students_primary"] = frame["students_primary"].astype(str)
    path = write_parquet(tmp_path / "schools.parquet", frame)
    with pytest.raises(InputError) as info:
        load_schools(path)
    bad = [p for p in info.value.problems if p.severity == "error"]
    assert [(p.file, p.row, p.column, p.value) for p in bad][:1] == [(str(path), 3, "students_primary", "很多")]


def test_a_missing_required_column_is_named(tmp_path):
    frame = pd.DataFrame(rows()).drop(columns=["students_primary"])
    with pytest.raises(InputError) as info:
        load_schools(write_parquet(tmp_path / "schools.parquet", frame))
    assert any("小学在校生数" in str(p) for p in info.value.problems)


def test_a_folder_of_parquet_files_is_a_data_set(tmp_path):
    write_parquet(tmp_path / "schools.parquet", pd.DataFrame(rows()))
    write_parquet(tmp_path / "counties.parquet", pd.DataFrame([COUNTY_OK]))
    data = load_dataset(tmp_path)
    assert len(data.schools) == 2 and len(data.counties) == 1


@pytest.mark.parametrize("content", [b"PAR1 not really", b"", np.random.default_rng(0).bytes(300)])
def test_a_corrupt_parquet_file_is_a_clear_error_exit_2_without_traceback(tmp_path, capsys, content):
    data = tmp_path / "data"
    data.mkdir()
    (data / "schools.parquet").write_bytes(content)
    with pytest.raises(InputError) as info:
        load_schools(data / "schools.parquet")
    assert str(data / "schools.parquet") in str(info.value)
    out = tmp_path / "out"
    assert main(["assess", str(data), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "schools.parquet" in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())
