#!/usr/bin/env python
"""变异测试 / mutation testing: plant small plausible bugs in the method code, one at a time, and count how
many the tests catch.

Each *mutant* is one small change to one expression of the method code (the modules of :data:`TARGETS`):

==============  ===========================================================================================
operator        change
==============  ===========================================================================================
``cmp``         ``>=`` ↔ ``>``, ``<=`` ↔ ``<``, ``==`` ↔ ``!=``
``minmax``      ``min`` ↔ ``max`` (builtin, ``np.minimum``/``np.maximum``, ``.min()``/``.max()``,
                the aggregation names ``"min"``/``"max"``; ``idxmin``/``idxmax``, ``argmin``/``argmax``)
``anyall``      ``any`` ↔ ``all`` (builtin, ``.any()``/``.all()``, ``np.any``/``np.all``, ``"any"``/``"all"``)
``bitop``       ``&`` ↔ ``|``; ``and`` ↔ ``or``
``arith``       ``+`` ↔ ``-`` (not on text: an addition with a string in it is left alone)
``number``      a numeric constant off by one: 0 → 1, 1 → 0, n → n + 1
``bool``        ``True`` ↔ ``False`` as a positional argument (``fillna(True)`` ↔ ``fillna(False)``) or
                ``fill_value=``
``invert``      dropping a ``~`` or a ``not``
==============  ===========================================================================================

Nothing is planted in docstrings, f-strings, annotations or ``raise`` statements. A mutant is named by its file,
enclosing function, operator and the source text it changes (plus a counter when the same text occurs twice in
one function), so the set and the sample do not move when code elsewhere is edited; it is shown as
``file:line``.

The working tree is never edited: the repository's package, tests and configuration are copied to a temporary
folder once, each mutant is written into that copy, and ``pytest`` runs there with ``PYTHONPATH`` pointing at the
copy (the script checks that the copy is what gets imported). The test selection is :data:`TEST_PATHS`, with
the tests of the mutated module's stage first and the mutated module's own doctests, run with ``-x -q -p
no:cacheprovider`` and a per-mutant timeout.

A mutant is *killed* when the tests fail, *error* when they cannot even be collected (the module no longer
imports: caught as well), *timeout* when they run past the limit (caught as well), *survived* when they pass.
Mutants known to be equivalent (they cannot change any result) are listed in :data:`EQUIVALENT` with the reason
and left out of the rate. Kill rate = (killed + error + timeout) / (mutants run − equivalent).

Usage::

    python scripts/mutation.py                 # 45 mutants sampled with seed 9
    python scripts/mutation.py --all           # every mutant (hours)
    python scripts/mutation.py --limit 100 --seed 1 --files planning/tracking.py
    python scripts/mutation.py --list          # show the sample, run nothing
    python scripts/mutation.py --only 3fa2c1d0 --only 77b0e912   # these mutants (ids from a report)
    python scripts/mutation.py --rev 61e0a98 --limit 20            # the code and tests of a commit ("before")
    python scripts/mutation.py --only 3fa2c1d0 --tests tests/method/test_cases.py   # do new tests kill a survivor?
    make mutation ARGS="--limit 20"

A survivor of a full run survives every test that existed then; rerunning it with ``--tests`` naming only the
tests added since tells whether they kill it (adding tests never revives a killed mutant).
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "quality_balance"
#: The method code mutants are planted in (globs relative to the repository root).
TARGETS = ("quality_balance/method/**/*.py", "quality_balance/stats/*.py",
           "quality_balance/planning/progress.py", "quality_balance/planning/projection.py",
           "quality_balance/planning/tracking.py", "quality_balance/planning/gap.py")
#: The tests run against each mutant.
TEST_PATHS = ("tests/method", "tests/stats", "tests/planning", "tests/report/test_ledger.py")
#: Which tests to run first for a mutated module (by path prefix): they kill most mutants fastest.
FIRST = {"quality_balance/method/items": ("tests/method/test_items.py", "tests/method/test_cases.py"),
         "quality_balance/method/assessment.py": ("tests/method/test_cases.py", "tests/method/test_items.py"),
         "quality_balance/method/resources.py": ("tests/method/test_resources.py", "tests/method/test_cases.py"),
         "quality_balance/method/split.py": ("tests/method/test_split.py",),
         "quality_balance/stats": ("tests/stats",),
         "quality_balance/planning/gap.py": ("tests/planning/test_gap_cases.py", "tests/planning/test_gap.py"),
         "quality_balance/planning/progress.py": ("tests/planning/test_progress.py",),
         "quality_balance/planning/projection.py": ("tests/planning/test_projection_cases.py",
                                                    "tests/planning/test_projection.py"),
         "quality_balance/planning/tracking.py": ("tests/planning/test_plan_deadlines.py",
                                                  "tests/planning/test_tracking.py")}
DEFAULT_LIMIT = 45
DEFAULT_SEED = 9
#: Copied into the temporary checkout (everything the tests need; no .venv, .git, data or reports).
COPY = ("quality_balance", "tests", "pyproject.toml", "conftest.py", "setup.cfg", "pytest.ini")

#: Mutants that cannot change any result, by (file, function, operator, before → after): the reason.
EQUIVALENT: dict[tuple[str, str, str, str], str] = {
    ("quality_balance/stats/theil.py", "_xlogx", "cmp", "r > 0 → r >= 0"):
        "at r = 0 both branches give 0 (r · ln 1 = 0)",
    ("quality_balance/planning/projection.py", "_projection_grid", "arith",
     "int(fit[\"last_year\"].min()) + 1 → int(fit['last_year'].min()) - 1"):
        "two more grid years before the last observed year, masked by `future` everywhere they are used",
    ("quality_balance/planning/progress.py", "_history", "number",
     "1 → 0"):
        "shift(0) instead of shift(1) inside `seen_before & failed`: a failed year adds nothing to the running max",
    ("quality_balance/method/resources.py", "at_least", "cmp",
     "value >= threshold * (1 - FLOAT_TOLERANCE) → value > threshold * (1 - FLOAT_TOLERANCE)"):
        "differs only for a value exactly at threshold·(1 − 1e-9), the tolerance's own edge, never an input",
    ("quality_balance/method/resources.py", "at_most", "cmp",
     "value <= limit * (1 + FLOAT_TOLERANCE) → value < limit * (1 + FLOAT_TOLERANCE)"):
        "differs only for a value exactly at limit·(1 + 1e-9), the tolerance's own edge, never an input",
}

SWAP_CMP = {ast.GtE: ast.Gt, ast.Gt: ast.GtE, ast.LtE: ast.Lt, ast.Lt: ast.LtE, ast.Eq: ast.NotEq,
            ast.NotEq: ast.Eq}
SWAP_NAMES = {"min": ("minmax", "max"), "max": ("minmax", "min"), "minimum": ("minmax", "maximum"),
              "maximum": ("minmax", "minimum"), "idxmin": ("minmax", "idxmax"), "idxmax": ("minmax", "idxmin"),
              "argmin": ("minmax", "argmax"), "argmax": ("minmax", "argmin"), "nanmin": ("minmax", "nanmax"),
              "nanmax": ("minmax", "nanmin"), "any": ("anyall", "all"), "all": ("anyall", "any")}
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
SWAP_STRINGS = {"min": "max", "max": "min", "any": "all", "all": "any"}


@dataclass(frozen=True)
class Mutant:
    """One planted change: where it is, what it replaces, and the source text it replaces it with."""

    file: str          # relative to the repository root
    function: str      # qualified name of the enclosing function or class ("<module>" at top level)
    operator: str
    line: int
    start: tuple[int, int]   # (line, col) of the replaced span, 1-based line, 0-based col (utf-8 bytes)
    end: tuple[int, int]
    before: str
    after: str
    occurrence: int

    @property
    def key(self) -> str:
        return f"{self.file}::{self.function}::{self.operator}::{self.before} → {self.after}::{self.occurrence}"

    @property
    def id(self) -> str:
        return hashlib.sha1(self.key.encode()).hexdigest()[:8]

    def rank(self, seed: int) -> str:
        return hashlib.sha1(f"{seed}:{self.key}".encode()).hexdigest()

    @property
    def equivalent(self) -> str | None:
        return EQUIVALENT.get((self.file, self.function, self.operator, f"{self.before} → {self.after}"))


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class _Collector(ast.NodeVisitor):
    """Walk one module and record every mutant (see the module docstring for the operators)."""

    def __init__(self, file: str, source: str):
        self.file, self.source = file, source
        self.scope: list[str] = []
        self.found: list[tuple[str, ast.AST, ast.AST, str]] = []   # (operator, node, replacement, function)
        self.skip: set[int] = set()
        self.text: set[int] = set()        # + / - nodes that build text
        self.subscripts: set[int] = set()  # string constants used as keys: frame["min"] is a column

    # -- scopes and places nothing is planted --------------------------------------------------------
    def _scoped(self, node):
        self.scope.append(node.name)
        self._skip_docstring(node)
        for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs,
                    *filter(None, (node.args.vararg, node.args.kwarg))):
            self._skip_tree(arg.annotation)
        self._skip_tree(node.returns)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _scoped

    def visit_ClassDef(self, node):
        self.scope.append(node.name)
        self._skip_docstring(node)
        self.generic_visit(node)
        self.scope.pop()

    def visit_Module(self, node):
        self._skip_docstring(node)
        self.generic_visit(node)

    def _skip_docstring(self, node):
        body = getattr(node, "body", [])
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            self._skip_tree(body[0])

    def _skip_tree(self, node):
        if node is not None:
            self.skip.update(id(n) for n in ast.walk(node))

    def visit_Raise(self, node):
        self._skip_tree(node)

    def visit_JoinedStr(self, node):
        self._skip_tree(node)

    def visit_AnnAssign(self, node):
        self._skip_tree(node.annotation)
        self.generic_visit(node)

    def visit_Assign(self, node):
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            self._skip_tree(node)
        self.generic_visit(node)

    def add(self, operator, node, replacement):
        if id(node) not in self.skip:
            self.found.append((operator, node, replacement, ".".join(self.scope) or "<module>"))

    # -- the operators -------------------------------------------------------------------------------
    def visit_Compare(self, node):
        for i, op in enumerate(node.ops):
            if type(op) in SWAP_CMP:
                ops = list(node.ops)
                ops[i] = SWAP_CMP[type(op)]()
                self.add("cmp", node, ast.Compare(left=node.left, ops=ops, comparators=node.comparators))
        self.generic_visit(node)

    def visit_BinOp(self, node):
        swap = {ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd, ast.Add: ast.Sub, ast.Sub: ast.Add}
        if isinstance(node.op, (ast.Add, ast.Sub)) and id(node) not in self.text:
            chain = self._chain(node)
            if any(self._texty(leaf) for leaf in chain[1]):
                self.text.update(id(n) for n in chain[0])
        if type(node.op) in swap and id(node) not in self.text:
            operator = "bitop" if isinstance(node.op, (ast.BitAnd, ast.BitOr)) else "arith"
            self.add(operator, node, ast.BinOp(left=node.left, op=swap[type(node.op)](), right=node.right))
        self.generic_visit(node)

    @staticmethod
    def _chain(node) -> tuple[list, list]:
        """The ``+``/``-`` nodes of the chain ``node`` heads, and its operands."""
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            left, right = _Collector._chain(node.left), _Collector._chain(node.right)
            return [node, *left[0], *right[0]], left[1] + right[1]
        return [], [node]

    @staticmethod
    def _texty(node) -> bool:
        """An operand that is not a number: a string, a list, an f-string, text built with ``astype(str)``..."""
        if isinstance(node, (ast.List, ast.Tuple, ast.ListComp, ast.JoinedStr)) or (
                isinstance(node, ast.Constant) and isinstance(node.value, str)):
            return True
        for n in ast.walk(node):
            if isinstance(n, ast.JoinedStr) or (isinstance(n, ast.Name) and n.id == "str"):
                return True
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and not IDENTIFIER.match(n.value):
                return True
            if isinstance(n, ast.Attribute) and n.attr in ("format", "join", "cat", "str"):
                return True
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and (
                    "fmt" in n.func.id or "text" in n.func.id or "format" in n.func.id):
                return True
        return False

    def visit_BoolOp(self, node):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        self.add("bitop", node, ast.BoolOp(op=other, values=node.values))
        self.generic_visit(node)

    def visit_UnaryOp(self, node):
        if isinstance(node.op, (ast.Invert, ast.Not)):
            self.add("invert", node, node.operand)
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in ("min", "max", "any", "all") and isinstance(node.ctx, ast.Load):
            operator, new = SWAP_NAMES[node.id]
            self.add(operator, node, ast.Name(id=new, ctx=ast.Load()))

    def visit_Attribute(self, node):
        if node.attr in SWAP_NAMES:
            operator, new = SWAP_NAMES[node.attr]
            self.add(operator, node, ast.Attribute(value=node.value, attr=new, ctx=node.ctx))
        self.generic_visit(node)

    def visit_Call(self, node):
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, bool):
                self.add("bool", arg, ast.Constant(value=not arg.value))
        for kw in node.keywords:
            if kw.arg == "fill_value" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, bool):
                self.add("bool", kw.value, ast.Constant(value=not kw.value.value))
            elif kw.arg is not None and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, bool):
                self._skip_tree(kw.value)   # sort=False, ignore_index=True...: options, not method
        self.generic_visit(node)

    def visit_Constant(self, node):
        v = node.value
        if isinstance(v, bool):
            return   # handled in visit_Call
        if isinstance(v, (int, float)) and not isinstance(v, complex):
            new = 1 if v == 0 else 0 if v == 1 else v + 1
            new = type(v)(new)
            self.add("number", node, ast.Constant(value=new))
        elif isinstance(v, str) and v in SWAP_STRINGS and id(node) not in self.subscripts:
            operator = "minmax" if v in ("min", "max") else "anyall"
            self.add(operator, node, ast.Constant(value=SWAP_STRINGS[v]))


def _offsets(source: str) -> list[int]:
    """Byte offset of each line start (ast columns are utf-8 byte offsets)."""
    out, pos = [0], 0
    for line in source.encode().splitlines(keepends=True):
        pos += len(line)
        out.append(pos)
    return out


def collect(files: list[Path], root: Path = ROOT) -> list[Mutant]:
    """Every mutant of ``files`` (paths relative to ``root``), in file and position order."""
    mutants = []
    for path in files:
        rel = path.as_posix()
        source = (root / path).read_text(encoding="utf-8")
        tree = ast.parse(source)
        c = _Collector(rel, source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript):
                c.subscripts.update(id(n) for n in ast.walk(node.slice))
        c.visit(tree)
        seen: dict[tuple, int] = {}
        for operator, node, replacement, function in c.found:
            before = ast.get_source_segment(source, node) or ast.unparse(node)
            after = ast.unparse(replacement)
            k = (function, operator, before, after)
            seen[k] = seen.get(k, 0) + 1
            mutants.append(Mutant(rel, function, operator, node.lineno, (node.lineno, node.col_offset),
                                  (node.end_lineno, node.end_col_offset), before, after, seen[k]))
    return mutants


def apply(mutant: Mutant, source: str) -> str:
    """``source`` with the mutant's span replaced by its text (in parentheses); checked to compile."""
    data = source.encode()
    starts = _offsets(source)
    a = starts[mutant.start[0] - 1] + mutant.start[1]
    b = starts[mutant.end[0] - 1] + mutant.end[1]
    new = (data[:a] + f"({mutant.after})".encode() + data[b:]).decode()
    compile(new, mutant.file, "exec")
    return new


def target_files(patterns: list[str] | None, root: Path = ROOT) -> list[Path]:
    files = sorted({p.relative_to(root) for g in TARGETS for p in root.glob(g) if p.name != "__init__.py"})
    if patterns:
        files = [f for f in files if any(pat in f.as_posix() for pat in patterns)]
    return files


def sample(mutants: list[Mutant], seed: int, limit: int | None) -> list[Mutant]:
    """The ``limit`` mutants whose seeded hash is smallest (stable when other code changes), in file order."""
    chosen = sorted(mutants, key=lambda m: m.rank(seed))[:limit] if limit else list(mutants)
    return sorted(chosen, key=lambda m: (m.file, m.start))


def _copy_repo(dest: Path, rev: str | None = None) -> None:
    if rev:   # the tree of a commit, e.g. the code and tests before a change, to measure "before"
        names = [n for n in COPY if subprocess.run(["git", "cat-file", "-e", f"{rev}:{n}"], cwd=ROOT,
                                                  capture_output=True).returncode == 0]
        archive = subprocess.run(["git", "archive", "--format=tar", rev, *names], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        return
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for name in COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, dest / name)


def _env(copy: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _check_copy_is_imported(copy: Path) -> None:
    code = ("import quality_balance, tests.builders, sys; "
            "print(quality_balance.__file__); print(tests.builders.__file__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=copy, env=_env(copy), capture_output=True, text=True,
                         check=True).stdout.split()
    for f in out:
        if not Path(f).resolve().is_relative_to(copy.resolve()):
            sys.exit(f"mutation: the tests would import {f}, not the temporary copy {copy}; stopping")


def _tests_for(mutant: Mutant, copy: Path) -> list[str]:
    first = next((v for k, v in FIRST.items() if mutant.file.startswith(k)), ())
    files = []
    for p in (*first, *TEST_PATHS):
        path = copy / p
        found = sorted(path.rglob("test_*.py")) if path.is_dir() else [path] if path.exists() else []
        files += [f.relative_to(copy).as_posix() for f in found]
    files = list(dict.fromkeys(files))
    return files + [mutant.file]   # its own doctests


def run_pytest(copy: Path, tests: list[str], timeout: float) -> tuple[str, float, str]:
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header", "-rN",
           "--nbval-lax", *tests]
    t0 = time.monotonic()
    try:
        r = subprocess.run(cmd, cwd=copy, env=_env(copy), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - t0, ""
    elapsed = time.monotonic() - t0
    status = {0: "survived", 1: "killed"}.get(r.returncode, "error")
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith(("FAILED", "ERROR"))]
    return status, elapsed, (lines[0] if lines else r.stdout.strip().splitlines()[-1] if r.stdout.strip() else "")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--all", action="store_true", help="run every mutant instead of a sample")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"sampling seed (default {DEFAULT_SEED})")
    ap.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help=f"mutants to sample (default {DEFAULT_LIMIT})")
    ap.add_argument("--files", nargs="+", metavar="PART", help="only files whose path contains one of these")
    ap.add_argument("--only", action="append", metavar="ID", help="only the mutant with this id (repeatable)")
    ap.add_argument("--list", action="store_true", help="print the selected mutants and exit")
    ap.add_argument("--rev", metavar="COMMIT", help="mutate and test the tree of this commit instead of the "
                    "working tree (e.g. the code and tests before a change)")
    ap.add_argument("--tests", nargs="+", metavar="PATH", help="run these tests instead of the default selection "
                    "(e.g. only new tests, against the survivors of an earlier run)")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds per mutant (default: 3 × the unmutated run + 30)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="qb-mutation-") as tmp:
        copy = Path(tmp)
        _copy_repo(copy, args.rev)
        files = target_files(args.files, copy)
        mutants = collect(files, copy)
        if args.only:
            chosen = [m for m in mutants if m.id in set(args.only)]
        else:
            chosen = sample(mutants, args.seed, None if args.all else args.limit)
        print(f"{len(mutants)} mutants in {len(files)} files"
              + (f" of {args.rev}" if args.rev else "") + f"; running {len(chosen)}"
              + ("" if args.all or args.only else f" (seed {args.seed}, limit {args.limit})"), flush=True)
        if args.list:
            for m in chosen:
                print(f"{m.id}  {m.file}:{m.line}  [{m.operator}] {_short(m.before)}  →  {_short(m.after)}"
                      + (f"  (equivalent: {m.equivalent})" if m.equivalent else ""))
            return 0
        _check_copy_is_imported(copy)
        selection = list(args.tests) if args.tests else None
        base_tests = selection or [*TEST_PATHS, *(f.as_posix() for f in files)]
        base_status, base_time, last = run_pytest(copy, base_tests, timeout=3600)
        if base_status != "survived":
            print(f"the tests fail without any mutant ({last}); fix them first", file=sys.stderr)
            return 2
        timeout = args.timeout or 3 * base_time + 30
        print(f"unmutated run: passed in {base_time:.0f}s; timeout per mutant {timeout:.0f}s", flush=True)
        counts: dict[str, int] = {}
        survivors = []
        for n, m in enumerate(chosen, 1):
            head = f"[{n:>3}/{len(chosen)}] {m.id} {m.file}:{m.line} [{m.operator}] " \
                   f"{_short(m.before, 50)} → {_short(m.after, 50)}"
            if m.equivalent:
                counts["equivalent"] = counts.get("equivalent", 0) + 1
                print(f"{head}  equivalent ({m.equivalent})", flush=True)
                continue
            target = copy / m.file
            original = target.read_text(encoding="utf-8")
            try:
                target.write_text(apply(m, original), encoding="utf-8")
                tests = (selection + [m.file]) if selection else _tests_for(m, copy)
                status, elapsed, detail = run_pytest(copy, tests, timeout)
            finally:
                target.write_text(original, encoding="utf-8")
            counts[status] = counts.get(status, 0) + 1
            if status == "survived":
                survivors.append(m)
            print(f"{head}  {status.upper()} ({elapsed:.0f}s)" + (f"  {_short(detail, 90)}" if status != "survived"
                                                                   and detail else ""), flush=True)
    caught = counts.get("killed", 0) + counts.get("error", 0) + counts.get("timeout", 0)
    judged = len(chosen) - counts.get("equivalent", 0)
    print("\n" + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"kill rate: {caught}/{judged} = {caught / judged:.0%}" if judged else "kill rate: no mutant run")
    if survivors:
        print("survivors:")
        for m in survivors:
            print(f"  {m.id}  {m.file}:{m.line}  ({m.function})  [{m.operator}] {_short(m.before)}  →  "
                  f"{_short(m.after)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
