"""Stage 1 — inputs: read the files bureaus send, validate them, and build a :class:`Dataset`.

* :mod:`.readers` — CSV (UTF-8/GBK/GB18030), .xlsx and .xls into raw sheets, header matching;
* :mod:`.validate` — every problem with file, sheet, row, column, value, expected and fix;
* :mod:`.loaders` — the canonical tables and :func:`load_dataset`;
* :mod:`.dataset` — the :class:`Dataset` the method stage works on;
* :mod:`.check` — ``quality-balance check``: validation plus suspicious-value warnings;
* :mod:`.templates` — the input templates users fill in.
"""
from .dataset import METADATA_FILE, SYNTHETIC_LABEL, Dataset
from .loaders import load_counties, load_dataset, load_schools, load_scores, load_survey
from .validate import check_files
from .check import CheckReport, check
from .templates import write_template

__all__ = ["Dataset", "SYNTHETIC_LABEL", "METADATA_FILE", "load_schools", "load_counties", "load_survey",
           "load_scores", "load_dataset", "check_files", "CheckReport", "check", "write_template"]
