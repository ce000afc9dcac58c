"""``import quality_balance`` stays light: no demo generator, no scipy, no plotting or notebook stack.

The import is checked in a fresh interpreter (this test process has long since
imported everything). Of the two quantiles that used to come from scipy.stats, the
projection's Student t comes from scipy.special (loaded on first use) and the recognition
items' normal quantile from the standard library; they are pinned against closed forms here.
"""
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import quality_balance as qb
from quality_balance.planning.projection import PROJECTED, project

#: Modules that ``import quality_balance`` must not load: the demo generator (imported on first use of
#: ``qb.demo``); scipy (scipy.stats took ~0.5 s for two quantiles; scipy.special, which gives the Student t
#: quantile now, is imported by the projection when it needs it); and the plotting, workbook and notebook
#: stacks, which only the functions that draw, write workbooks or render import.
HEAVY = ("quality_balance.demo", "quality_balance.demo.generator", "quality_balance.demo.story", "scipy",
         "scipy.stats", "scipy.special", "matplotlib", "seaborn", "openpyxl", "papermill", "nbconvert", "nbformat",
         "IPython", "statsmodels")


def _fresh(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_import_quality_balance_loads_no_heavy_module():
    # the names are imported on first use: use the main ones, then look
    loaded = set(_fresh("import quality_balance as qb, sys; qb.assess, qb.progress, qb.project, qb.gap_to_pass, "
                        "qb.load_dataset; print(' '.join(sorted(sys.modules)))").split())
    assert "quality_balance" in loaded and "quality_balance.method.assessment" in loaded  # the check is real
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert not {m for m in loaded if m.startswith(("scipy.", "matplotlib.", "quality_balance.demo."))}


def test_qb_demo_is_imported_on_first_attribute_access():
    out = _fresh("import sys, quality_balance as qb\n"
                 "before = 'quality_balance.demo' in sys.modules\n"
                 "data = qb.demo.generate(years=[2025])\n"
                 "print(before, 'quality_balance.demo' in sys.modules, data.synthetic,"
                 " data.counties['county'].nunique())")
    assert out.split() == ["False", "True", "True", "17"]
    with pytest.raises(AttributeError, match="no attribute 'dem'"):
        qb.dem  # noqa: B018 — only ``demo`` is lazy; other names are still errors


# --- the quantiles that replaced scipy.stats -------------------------------------------------------

#: The 97.5% normal quantile to 16 digits (any table: 1.959963984540054...).
Z_975 = 1.959963984540054


@pytest.mark.parametrize("favourable, respondents", [(85, 100), (7, 9), (0, 12), (400, 400)])
def test_wilson_interval_uses_the_normal_quantile_exactly(favourable, respondents):
    k, n, z = favourable, respondents, Z_975
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = qb.wilson_interval(k, n, confidence=0.95)
    assert float(lo) == pytest.approx(centre - half, rel=1e-12, abs=1e-15)
    assert float(hi) == pytest.approx(centre + half, rel=1e-12, abs=1e-15)


def test_wilson_interval_at_other_levels_and_for_arrays():
    lo, hi = qb.wilson_interval(np.array([85, 40]), np.array([100, 50]), confidence=np.array([0.90, 0.99]))
    for i, (k, n, z) in enumerate([(85, 100, 1.6448536269514722), (40, 50, 2.5758293035489004)]):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        assert (lo[i], hi[i]) == pytest.approx((centre - half, centre + half), rel=1e-12)


def _series(values):
    years = list(range(2021, 2021 + len(values)))
    return pd.DataFrame({
        "city": "测试市", "county": "甲县", "year": years, "measure": "Q1", "label": "Q1 测试",
        "dimension": "quality", "source": "item", "stage": None, "indicator": None, "value": values,
        "threshold": 99.0, "direction": ">=", "unit": "%", "status": "not_met",
        "met": pd.array([False] * len(values), dtype="boolean"), "counts": True, "numeric": True})


@pytest.mark.parametrize("values, t", [
    # 3 points, 1 degree of freedom: t = tan(π(p − ½)) with p = 0.95 (a 90% two-sided interval)
    ([90.0, 92.0, 91.0], math.tan(math.pi * 0.45)),
    # 4 points, 2 degrees of freedom: t = (2p − 1) / √(2p(1 − p))
    ([90.0, 92.0, 91.0, 93.0], 0.9 / math.sqrt(2 * 0.95 * 0.05)),
])
def test_projection_interval_uses_students_t_exactly(values, t):
    n = len(values)
    x = np.arange(n, dtype=float)
    y = np.array(values)
    slope = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()
    resid = y - (y.mean() + slope * (x - x.mean()))
    s = math.sqrt((resid ** 2).sum() / (n - 2))
    year = 2021 + n  # the first projected year
    dx = year - 2021 - x.mean()
    half = t * s * math.sqrt(1 + 1 / n + dx ** 2 / ((x - x.mean()) ** 2).sum())
    # no unit: an unbounded measure, so the interval (92 + 14.1) is not clipped at 100 % as a share's would be
    row = project(_series(values).assign(unit=""), level=0.9).paths.set_index(["kind", "year"]).loc[(PROJECTED, year)]
    assert row["high"] - row["projected"] == pytest.approx(half, rel=1e-12)
    assert row["projected"] - row["low"] == pytest.approx(half, rel=1e-12)


# --- every public name, imported on first use ---------------------------------------------------------

def test_import_quality_balance_loads_only_the_error_classes_and_sets_python_text():
    out = _fresh("import sys, pandas as pd, quality_balance as qb\n"
                 "print(sorted(m for m in sys.modules if m.startswith('quality_balance')))\n"
                 "print(pd.get_option('mode.string_storage'))")
    modules, storage = out.splitlines()
    assert modules == "['quality_balance', 'quality_balance._lazy', 'quality_balance.errors']"
    assert storage == "python"  # text stays Python objects, as when the readers set it


def test_every_name_in_all_resolves_and_star_import_gives_them_all():
    code = ("import quality_balance as qb\n"
            "names = {}\nexec('from quality_balance import *', names)\n"
            "missing = [n for n in qb.__all__ if n not in names]\n"
            "kinds = {n: type(getattr(qb, n)).__name__ for n in qb.__all__}\n"
            "print(missing, len(qb.__all__), kinds['assess'], kinds['demo'], kinds['Assessment'], "
            "set(qb.__all__) <= set(dir(qb)))")
    assert _fresh(code).split() == ["[]", str(len(qb.__all__)), "function", "module", "type", "True"]
    for name in qb.__all__:  # and in this process
        assert getattr(qb, name) is not None, name


def test_a_lazy_name_is_the_object_of_its_module():
    from quality_balance.method.assessment import assess
    from quality_balance.planning.gap import gap_to_pass

    assert qb.assess is assess and qb.gap_to_pass is gap_to_pass
    assert qb.Dataset.__module__ == "quality_balance.inputs.dataset"


def test_names_shadowing_their_submodule_stay_the_functions():
    """``inputs.check`` and ``planning.progress`` are functions in modules of the same name: importing the
    module by its path (which binds it onto the package) leaves the package's name the function."""
    out = _fresh("import quality_balance.inputs.check, quality_balance.planning.progress\n"
                 "from quality_balance.inputs import check\nfrom quality_balance.planning import progress\n"
                 "import quality_balance.planning as planning\n"
                 "print(type(check).__name__, type(progress).__name__, type(planning.progress).__name__)")
    assert out.split() == ["function", "function", "function"]


def test_unknown_names_of_lazy_packages_are_attribute_errors():
    import quality_balance.inputs as inputs
    import quality_balance.planning as planning

    for package, name in ((qb, "asses"), (inputs, "load_dataset_"), (planning, "projected_pass_years")):
        with pytest.raises(AttributeError, match=f"module '{package.__name__}' has no attribute '{name}'"):
            getattr(package, name)
