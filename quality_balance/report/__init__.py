"""Stage 4 — presentation: tables, charts, report notebooks, batch rendering, exports, ledgers.

* :mod:`.tables` and :mod:`.charts` / :mod:`.progress_charts` — what a report shows;
* :mod:`.notebook` — what a report notebook needs besides them (data, header, notes);
* :mod:`.render` — papermill batch rendering of the notebooks in ``notebooks/``;
* :mod:`.export` — the result tables as CSV and xlsx; :mod:`.ledger` — rectification ledgers;
* :mod:`.style` — colours and the CJK font.

Submodules are imported on demand (``from quality_balance.report import tables``),
so that ``import quality_balance`` does not load matplotlib.
"""
__all__ = ["tables", "charts", "progress_charts", "notebook", "render", "export", "ledger", "style"]
