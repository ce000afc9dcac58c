"""Stage 3 — planning: progress over the years, projections, plan tracking, the gap to pass.

Method: docs/method.md §11–§14.

* :mod:`.progress` — every measure per year against its threshold;
* :mod:`.projection` — trends with prediction intervals, the projected pass year;
* :mod:`.tracking` — plan targets against the data;
* :mod:`.gap` — what it takes to pass (teachers, m², 元, rooms) and :mod:`.costs`;
* :mod:`.whatif` — apply additions to a data set and re-assess.

The names below are imported on first use (:mod:`quality_balance._lazy`); ``progress`` is the
function even once the submodule of that name is imported.
"""
from .._lazy import lazy_package as _lazy_package

_lazy_package(__name__, {
    "progress": ".progress",
    **dict.fromkeys(("Projection", "project", "projected_pass_year"), ".projection"),
    **dict.fromkeys(("plan_actuals", "plan_status", "planned_certification_year"), ".tracking"),
    **dict.fromkeys(("GapResult", "gap_table", "gap_to_pass"), ".gap"),
    "apply_additions": ".whatif",
})

__all__ = ["progress", "Projection", "project", "projected_pass_year", "plan_status", "plan_actuals",
           "planned_certification_year", "GapResult", "gap_to_pass", "gap_table", "apply_additions"]
