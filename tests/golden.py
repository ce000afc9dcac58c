"""Golden result tables: every table of ``assess`` saved once (from main's code) and compared exactly.

``scripts/make_golden.py`` writes ``tests/data/golden/<set>/<table>.parquet`` and ``dtypes.json`` for two
data sets — the demo (``demo``) and a scaled set from the national benchmark's builder (``scaled``) —
and ``tests/method/test_golden.py`` compares today's results with them: same columns, same rows in the
same order, same dtypes, text and flags equal, numbers equal to 1e-12 relative.

Columns of mixed Python objects (``items.value`` holds numbers, flags and texts) cannot be Parquet
columns as they are: each cell is stored as a tagged text (``f:0.1``, ``i:3``, ``b:True``, ``s:…``,
``n:`` for None, ``x:`` for NaN; floats by ``repr``, which reads back exactly).
"""
from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden"
#: Rows of the scaled set (two copies of the demo, +40 % schools, jittered).
SCALED_ROWS = 12_000
RTOL = 1e-12


def result_tables(result) -> dict[str, pd.DataFrame]:
    """Every result table of an :class:`~quality_balance.Assessment` that the golden files hold."""
    ra = result.resources
    return {"verdicts": result.verdicts, "items": result.items, "parts": result.parts,
            "shortfalls": result.shortfalls, "counties": ra.counties, "cv": ra.cv, "units": ra.units,
            "recognition": result.recognition, "excluded": ra.excluded, "values": ra.values,
            "school_failures": result.school_failures}


def scaled_dataset():
    """The scaled data set of :data:`SCALED_ROWS` rows, from ``benchmarks/bench_national.py``'s builder."""
    spec = importlib.util.spec_from_file_location("bench_national", ROOT / "benchmarks" / "bench_national.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build(SCALED_ROWS)


def _tag(v) -> str:
    if v is None:
        return "n:"
    if v is pd.NA:
        return "a:"
    if isinstance(v, (bool, np.bool_)):
        return f"b:{bool(v)}"
    if isinstance(v, (int, np.integer)):
        return f"i:{int(v)}"
    if isinstance(v, (float, np.floating)):
        return "x:" if math.isnan(v) else f"f:{float(v)!r}"
    if isinstance(v, str):
        return f"s:{v}"
    raise TypeError(f"golden: cannot store a {type(v).__name__} ({v!r})")


def _untag(t: str):
    kind, text = t[0], t[2:]
    return {"n": lambda: None, "a": lambda: pd.NA, "b": lambda: text == "True", "i": lambda: int(text),
            "x": lambda: float("nan"), "f": lambda: float(text), "s": lambda: text}[kind]()


def encode(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = [_tag(v) for v in out[col]]
    return out.reset_index(drop=True)


def save(tables: dict[str, pd.DataFrame], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    dtypes = {}
    for name, frame in tables.items():
        dtypes[name] = {c: str(t) for c, t in frame.dtypes.items()}
        encode(frame).to_parquet(folder / f"{name}.parquet", index=False, compression="zstd")
    (folder / "dtypes.json").write_text(json.dumps(dtypes, ensure_ascii=False, indent=1), encoding="utf-8")


def load(folder: Path) -> tuple[dict[str, pd.DataFrame], dict]:
    dtypes = json.loads((folder / "dtypes.json").read_text(encoding="utf-8"))
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in dtypes}, dtypes


def _same_cell(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=RTOL, abs_tol=0.0) or a == b
    return type(a) is type(b) and a == b if not (a is None or a is pd.NA) else a is b


def differences(name: str, actual: pd.DataFrame, golden: pd.DataFrame, dtypes: dict[str, str]) -> list[str]:
    """What differs between a result table and its golden copy (empty when identical)."""
    found = []
    if list(actual.columns) != list(golden.columns):
        return [f"{name}: columns {list(actual.columns)} != golden {list(golden.columns)}"]
    if len(actual) != len(golden):
        return [f"{name}: {len(actual)} rows != golden {len(golden)}"]
    got = {c: str(t) for c, t in actual.dtypes.items()}
    if got != dtypes:
        found.append(f"{name}: dtypes {got} != golden {dtypes}")
    actual = actual.reset_index(drop=True)
    for col in actual.columns:
        a, g = actual[col], golden[col]
        if a.dtype == object:
            cells = [(i, x, _untag(y)) for i, (x, y) in enumerate(zip(a, g))]
            bad = [(i, x, y) for i, x, y in cells if not _same_cell(_py(x), y)]
        elif pd.api.types.is_float_dtype(a.dtype):
            x, y = a.to_numpy(float), g.to_numpy(float)
            ok = (np.isnan(x) & np.isnan(y)) | np.isclose(x, y, rtol=RTOL, atol=0.0) | (x == y)
            bad = [(i, x[i], y[i]) for i in np.flatnonzero(~ok)]
        else:
            na_a, na_g = a.isna().to_numpy(), g.isna().to_numpy()
            eq = (a.astype(object).to_numpy() == g.astype(object).to_numpy())
            ok = (na_a & na_g) | (~na_a & ~na_g & np.asarray([bool(e) if e is not pd.NA else False for e in eq]))
            bad = [(i, a.iloc[i], g.iloc[i]) for i in np.flatnonzero(~ok)]
        if bad:
            found.append(f"{name}.{col}: {len(bad)} cells differ, first rows {bad[:3]}")
    return found


def _py(v):
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    return v
