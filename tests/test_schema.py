"""The shared vocabulary of schema.py: key lists and the Chinese words of statuses, defined once."""
import importlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

import quality_balance
from quality_balance import schema
from quality_balance.method import assessment, resources
from quality_balance.method.items import _base
from quality_balance.planning import gap, tracking
from quality_balance.report import ledger
from quality_balance.schema import CV_GROUP_KEY, COUNTY_KEY, PLACE_KEY, status_label, veto_label

PACKAGE = Path(quality_balance.__file__).parent
progress = importlib.import_module("quality_balance.planning.progress")  # the package exports a function of that name


def _source_lines():
    for path in PACKAGE.rglob("*.py"):
        if path.name != "schema.py":
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                yield f"{path.relative_to(PACKAGE)}:{n}", line


def test_key_lists():
    assert COUNTY_KEY == ["city", "county"]
    assert PLACE_KEY == ["city", "county", "year"]
    assert CV_GROUP_KEY == ["city", "county", "year", "stage", "indicator"]


def test_modules_use_the_shared_key_lists():
    assert resources.COUNTY is COUNTY_KEY and _base.COUNTY is COUNTY_KEY
    assert resources.GROUP is CV_GROUP_KEY and gap.GROUP is CV_GROUP_KEY
    for module in (_base, assessment, gap, progress, tracking, ledger):
        assert module.PLACE is PLACE_KEY, module.__name__
    defined = re.compile(r'^(COUNTY|PLACE|GROUP)\w* = \[?"city"')
    assert [where for where, line in _source_lines() if defined.match(line)] == []


def test_status_words_one_value_at_a_time():
    assert [status_label(s) for s in ("met", "not_met", "no_data", "not_applicable")] == \
        ["达标", "未达标", "无数据", "不适用"]
    assert [veto_label(s) for s in ("met", "not_met", "no_data")] == ["无", "存在（否决）", "无数据"]
    assert status_label("not_met", dimension="veto") == "存在（否决）"
    assert status_label("not_met", dimension="quality") == "未达标"
    assert status_label("undefined") == "undefined"          # no Chinese word: left as it is
    assert status_label(None) is None and np.isnan(status_label(np.nan))


def test_status_words_of_a_whole_table():
    frame = pd.DataFrame({"resources": ["met", "not_met"], "veto": ["met", None]})
    words = status_label(frame)
    assert words["resources"].tolist() == ["达标", "未达标"]
    assert words["veto"].iloc[0] == "达标" and pd.isna(words["veto"].iloc[1])
    assert veto_label(frame["veto"]).iloc[0] == "无"
    assert status_label(frame["veto"], dimension="veto").iloc[0] == "无"
    assert frame["resources"].tolist() == ["met", "not_met"]  # a copy


def test_no_module_looks_status_words_up_itself():
    own = re.compile(r"\b(STATUS|VETO)_LABELS(\.get\(|\.replace)|\.(map|replace)\((STATUS|VETO)_LABELS\)"
                     r"|VETO_LABELS if|\b_(veto_)?zh\(")
    assert [where for where, line in _source_lines() if own.search(line)] == []
    assert schema.STATUS_LABELS["met"] == "达标"  # the data stay public
