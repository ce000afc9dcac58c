"""quality_balance — 县域义务教育优质均衡发展评估.

Assess a Chinese county, year by year, against the national standard of
county-level high-quality balanced compulsory education (教督〔2017〕6号) and
its local variants, and say what it would take to pass.

>>> import quality_balance as qb
>>> round(qb.weighted_cv([1.0, 3.0], [1, 1]), 3)
0.5

Every public name is imported on first use (PEP 562, :mod:`quality_balance._lazy`): ``import
quality_balance`` loads only the error classes, so a report kernel or a script pays only for the
stages it calls; ``qb.demo`` builds no demo data until used. ``__all__`` lists every name.
"""
import pandas as _pd

from ._lazy import lazy_package as _lazy_package
from .errors import (CalculationError, InputError, Problem, ProfileError, QualityBalanceError,
                     RenderError, UnknownNameError)

# With pyarrow installed, pandas 3 backs text columns with Arrow, whose text arithmetic the package does not
# support yet: text stays Python objects (set here, before any module of the package builds a table).
_pd.set_option("mode.string_storage", "python")

__version__ = "0.1.0"

#: Public name → the module defining it (imported on first use).
_NAMES = {
    **dict.fromkeys(("Dataset", "SYNTHETIC_LABEL"), ".inputs.dataset"),
    **dict.fromkeys(("Profile", "load_profile", "available_profiles", "profile_for_place"), ".standards.profile"),
    **dict.fromkeys(("weighted_cv", "unweighted_cv", "gini", "theil", "theil_decomposition", "cv_influence"),
                    ".stats"),
    **dict.fromkeys(("ResourceAssessment", "assess_resources"), ".method.resources"),
    **dict.fromkeys(("Assessment", "assess"), ".method.assessment"),
    **dict.fromkeys(("wilson_interval", "difference_rate"), ".method.items"),
    **dict.fromkeys(("load_schools", "load_counties", "load_survey", "load_scores", "load_classes",
                     "load_dataset"), ".inputs.loaders"),
    "check_files": ".inputs.validate",
    "progress": ".planning.progress",
    **dict.fromkeys(("Projection", "project", "projected_pass_year"), ".planning.projection"),
    **dict.fromkeys(("Plan", "load_plan"), ".standards.plan"),
    **dict.fromkeys(("plan_status", "plan_actuals", "planned_certification_year"), ".planning.tracking"),
    **dict.fromkeys(("GapResult", "gap_to_pass", "gap_table"), ".planning.gap"),
    "apply_additions": ".planning.whatif",
    "write_template": ".inputs.templates",
    **dict.fromkeys(("CheckReport", "check"), ".inputs.check"),
    "write_ledger": ".report.ledger",
    "load_dataset_or_demo": ".report.notebook",
    **dict.fromkeys(("StatisticsImport", "import_statistics"), ".inputs.statistics"),
    "demo": ".demo",
}
_lazy_package(__name__, _NAMES, modules=("demo",))

__all__ = [
    "QualityBalanceError", "InputError", "ProfileError", "CalculationError", "RenderError", "Problem",
    "UnknownNameError",
    "Dataset", "SYNTHETIC_LABEL",
    "Profile", "load_profile", "available_profiles", "profile_for_place",
    "weighted_cv", "unweighted_cv", "gini", "theil", "theil_decomposition", "cv_influence",
    "ResourceAssessment", "assess_resources", "Assessment", "assess", "wilson_interval", "difference_rate",
    "load_schools", "load_counties", "load_survey", "load_scores", "load_classes", "load_dataset", "check_files",
    "progress", "Projection", "project", "projected_pass_year",
    "Plan", "load_plan", "plan_status", "plan_actuals", "planned_certification_year",
    "GapResult", "gap_to_pass", "gap_table", "apply_additions",
    "write_template", "CheckReport", "check", "write_ledger", "load_dataset_or_demo", "demo",
    "import_statistics", "StatisticsImport",
]
