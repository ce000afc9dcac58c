"""quality_balance — 县域义务教育优质均衡发展评估.

Assess a Chinese county, year by year, against the national standard of
county-level high-quality balanced compulsory education (教督〔2017〕6号) and
its local variants, and say what it would take to pass.

>>> import quality_balance as qb
>>> round(qb.weighted_cv([1.0, 3.0], [1, 1]), 3)
0.5
"""
from .errors import (CalculationError, InputError, Problem, ProfileError, QualityBalanceError,
                     RenderError, UnknownNameError)
from .inputs.dataset import Dataset, SYNTHETIC_LABEL
from .standards.profile import Profile, load_profile, available_profiles, profile_for_place
from .stats import weighted_cv, unweighted_cv, gini, theil, theil_decomposition, cv_influence
from .method.resources import ResourceAssessment, assess_resources
from .method.assessment import Assessment, assess
from .method.items import wilson_interval, difference_rate
from .inputs.loaders import load_schools, load_counties, load_survey, load_scores, load_classes, load_dataset
from .inputs.validate import check_files
from .planning.progress import progress
from .planning.projection import Projection, project, projected_pass_year
from .standards.plan import Plan, load_plan
from .planning.tracking import plan_status, plan_actuals, planned_certification_year
from .planning.gap import GapResult, gap_to_pass, gap_table
from .planning.whatif import apply_additions
from .inputs.templates import write_template
from .inputs.check import CheckReport, check
from .report.ledger import write_ledger
from .report.notebook import load_dataset_or_demo
from .inputs.statistics import StatisticsImport, import_statistics

__version__ = "0.1.0"


def __getattr__(name: str):
    """``qb.demo`` is imported on first use: ``import quality_balance`` does not build demo data."""
    if name == "demo":
        import importlib

        return importlib.import_module(".demo", __name__)
    raise AttributeError(f"module 'quality_balance' has no attribute {name!r}")

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
