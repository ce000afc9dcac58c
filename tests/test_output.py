"""quality_balance.output: the one way the package writes (atomic files and folders, formula neutralising)."""
import re
from pathlib import Path

import pandas as pd
import pytest

import quality_balance
from quality_balance import output
from quality_balance.errors import InputError, OutputError
from quality_balance.report import export


class Boom(Exception):
    pass


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_atomic_file_replaces_only_on_success(tmp_path):
    path = tmp_path / "a.html"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(Boom):
        with output.atomic_file(path) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise Boom
    assert path.read_text(encoding="utf-8") == "old" and _leftovers(tmp_path) == []
    with output.atomic_file(path, suffix=".partial.ipynb") as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".a.html.") and tmp.name.endswith(".partial.ipynb")
        tmp.write_text("new", encoding="utf-8")
    assert path.read_text(encoding="utf-8") == "new" and _leftovers(tmp_path) == []


def test_write_text_is_utf8(tmp_path):
    path = output.write_text(tmp_path / "索引.html", "达标")
    assert path.read_bytes() == "达标".encode("utf-8")


def test_atomic_folder_moves_files_in_at_the_end_and_keeps_others(tmp_path):
    (tmp_path / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(OutputError) as err:               # a writer's own failure, as an OutputError
        with output.atomic_folder(tmp_path) as tmp:
            (tmp / "a.csv").write_text("1", encoding="utf-8")
            raise Boom
    assert isinstance(err.value.__cause__, Boom) and "Boom" in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]
    with output.atomic_folder(tmp_path / "new") as tmp:
        (tmp / "a.csv").write_text("1", encoding="utf-8")
        assert not (tmp_path / "new" / "a.csv").exists()
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["a.csv"]


def test_unwritable_folder_is_an_input_error_naming_it(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(InputError) as err:
        with output.atomic_folder(blocker):
            pass
    problem = err.value.problems[0]
    assert problem.file == str(blocker) and "无法写入输出文件夹" in problem.message and "--out" in problem.fix


def test_replace_folder_swaps_whole_folders_or_leaves_the_old_one(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "old.csv").write_text("old", encoding="utf-8")
    with pytest.raises(OutputError) as err:
        with output.replace_folder(folder) as staging:
            (staging / "new.csv").write_text("new", encoding="utf-8")
            raise Boom
    assert isinstance(err.value.__cause__, Boom)
    assert sorted(p.name for p in folder.iterdir()) == ["old.csv"] and _leftovers(tmp_path) == []
    with output.replace_folder(folder) as staging:
        (staging / "new.csv").write_text("new", encoding="utf-8")
    assert sorted(p.name for p in folder.iterdir()) == ["new.csv"] and _leftovers(tmp_path) == []


def test_formulas_are_neutralised_and_nothing_else():
    frame = pd.DataFrame({"t": ["=1+1", "+86", "-5%", "@sum", "\tx", "a=b", "台前县", None], "n": range(8)})
    out = output.neutralise_formulas(frame)
    assert out["t"].tolist()[:7] == ["'=1+1", "'+86", "'-5%", "'@sum", "'\tx", "a=b", "台前县"]
    assert pd.isna(out["t"].iloc[7])
    assert out["n"].tolist() == list(range(8))
    assert frame["t"].iloc[0] == "=1+1"  # a copy


def test_old_import_path_still_works():
    assert export.atomic_folder is output.atomic_folder
    assert export.neutralise_formulas is output.neutralise_formulas
    assert export.unwritable_output is output.unwritable_output


def test_no_module_but_output_moves_files_into_place():
    """Every writer goes through quality_balance.output: no other module renames or stages files itself."""
    package = Path(quality_balance.__file__).parent
    pattern = re.compile(r"\bos\.(replace|rename)\(|\btempfile\.|\bshutil\.rmtree\(")
    offenders = [f"{path.relative_to(package)}:{n}" for path in package.rglob("*.py") if path.name != "output.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []
