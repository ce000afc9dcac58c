"""Stage 1 — inputs: read the files bureaus send, validate them, and build a :class:`Dataset`.

* :mod:`.readers` — CSV (UTF-8/GBK/GB18030), .xlsx and .xls into raw sheets, header matching;
* :mod:`.validate` — every problem with file, sheet, row, column, value, expected and fix;
* :mod:`.loaders` — the canonical tables and :func:`load_dataset`;
* :mod:`.dataset` — the :class:`Dataset` the method stage works on;
* :mod:`.check` — ``quality-balance check``: validation plus suspicious-value warnings;
* :mod:`.templates` — the input templates users fill in.

The names below are imported on first use (:mod:`quality_balance._lazy`): a kernel that unpickles
a :class:`Dataset` does not load the readers and validation.
"""
from .._lazy import lazy_package as _lazy_package

_lazy_package(__name__, {
    **dict.fromkeys(("Dataset", "SYNTHETIC_LABEL", "METADATA_FILE"), ".dataset"),
    **dict.fromkeys(("load_schools", "load_counties", "load_survey", "load_scores", "load_dataset"), ".loaders"),
    "check_files": ".validate",
    **dict.fromkeys(("CheckReport", "check"), ".check"),
    "write_template": ".templates",
})

__all__ = ["Dataset", "SYNTHETIC_LABEL", "METADATA_FILE", "load_schools", "load_counties", "load_survey",
           "load_scores", "load_dataset", "check_files", "CheckReport", "check", "write_template"]
