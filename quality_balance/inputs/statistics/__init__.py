"""Bureau statistics exports in: the 基础基 base-table workbooks (one per school) read into the school table.

* :mod:`.mapping` — mapping files (``quality_balance/standards/mappings/jichuji-<edition>.toml``): where each
  figure sits, as data, validated like profiles;
* :mod:`.workbook` — one workbook as label-addressed tables (merged headers, the 甲乙 code row);
* :mod:`.importer` — :func:`import_statistics`: files, folders and zips in; the school table, the
  provenance of every figure and what is still missing out.

Documentation: ``docs/import-stats.md``.
"""
from .importer import StatisticsImport, collect_workbooks, import_statistics
from .mapping import DEFAULT_MAPPING, Mapping, MappingError, available_mappings, load_mapping

__all__ = ["import_statistics", "StatisticsImport", "collect_workbooks", "load_mapping", "available_mappings",
           "Mapping", "MappingError", "DEFAULT_MAPPING"]
