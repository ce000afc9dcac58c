"""Write the golden result tables of tests/method/test_golden.py (run once, from the code the results must match).

Run: .venv/bin/python scripts/make_golden.py

Assesses the demo data (``quality_balance.demo.generate()``) and the scaled set of
``tests.golden.scaled_dataset`` (two copies of the demo from ``benchmarks/bench_national.py``'s
builder, +40 % schools, jittered) and writes every result table to ``tests/data/golden/<set>/``
(see :mod:`tests.golden`). The files in the repository were written from main's code before the
assessment was made faster (issue 12): the test proves the faster code gives the same results.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import quality_balance as qb  # noqa: E402
from tests.golden import GOLDEN, result_tables, save, scaled_dataset  # noqa: E402


def main() -> None:
    for name, data in (("demo", qb.demo.generate()), ("scaled", scaled_dataset())):
        tables = result_tables(qb.assess(data))
        save(tables, GOLDEN / name)
        print(name, {k: len(v) for k, v in tables.items()}, "from", qb.__file__)


if __name__ == "__main__":
    main()
