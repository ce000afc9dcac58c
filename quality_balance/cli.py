"""The ``quality-balance`` command line (县域义务教育优质均衡发展评估).

Sub-commands: ``demo`` (write the synthetic demo data), ``assess`` (assess a data
folder and write the result tables), ``render`` (batch reports with papermill),
and the data tools added by later modules. Every error the library raises on
purpose is printed as a message — never a traceback — and the exit status is
non-zero: 2 for bad input or arguments, 1 when some reports failed.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import QualityBalanceError

__all__ = ["main", "build_parser"]

DESCRIPTION = """县域义务教育优质均衡发展评估工具 / county-level high-quality balanced compulsory education assessment.

常用 / common:
  quality-balance demo --out data/demo          生成合成演示数据 / write the synthetic demo data
  quality-balance assess data/demo --out reports/tables   评估并输出结果表 / assess and write result tables
  quality-balance render data/demo --out reports          生成报告 / render the county and city reports
"""


def _cmd_demo(args) -> int:
    from . import demo

    started = time.perf_counter()
    paths = demo.generate_to(args.out, seed=args.seed)
    print(f"已生成合成演示数据（synthetic demo data, seed={args.seed}）：{args.out} "
          f"（{len(paths)} 个文件，{time.perf_counter() - started:.1f} 秒）")
    return 0


def _parse_years(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        if "-" in text:
            first, last = (int(t) for t in text.split("-", 1))
            return list(range(first, last + 1))
        return [int(t) for t in text.split(",")]
    except ValueError:
        from .errors import InputError, Problem
        raise InputError([Problem(file="--years", message="年份格式不正确", value=text,
                                  expected="如 2021-2025 或 2023,2025")]) from None


def _cmd_assess(args) -> int:
    from .assessment import assess
    from .export import write_results
    from .loaders import load_dataset

    started = time.perf_counter()
    dataset = load_dataset(args.data)
    for note in dataset.notes:
        print(f"提示: {note}", file=sys.stderr)
    result = assess(dataset, profile=args.profile, years=_parse_years(args.years))
    paths = write_results(result, args.out)
    last = result.verdicts["year"].max()
    table = result.verdicts[result.verdicts["year"] == last]
    if dataset.synthetic:
        print(f"【{dataset.provenance}】")
    print(f"{last} 年综合结论 / verdicts:")
    for row in table.itertuples():
        print(f"  {row.city} {row.county}: {_zh(row.overall)}（资源配置 {_zh(row.resources)}，政府保障 {_zh(row.guarantee)}，"
              f"教育质量 {_zh(row.quality)}，社会认可 {_zh(row.recognition)}，一票否决 {_veto_zh(row.veto)}）")
    print(f"结果已写入 / written: {Path(args.out).resolve()}（{len(paths)} 个文件，"
          f"{time.perf_counter() - started:.1f} 秒）")
    return 0


def _zh(status: str) -> str:
    from .schema import STATUS_LABELS
    return STATUS_LABELS.get(status, status)


def _veto_zh(status: str) -> str:
    from .schema import VETO_LABELS
    return VETO_LABELS.get(status, status)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command (Chinese and English help)."""
    parser = argparse.ArgumentParser(prog="quality-balance", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="<命令 command>", required=True)

    demo = sub.add_parser("demo", help="生成合成演示数据 / write the synthetic demo data (17 places, 2021–2025)",
                          description="生成 17 个县区 2021—2025 年的合成演示数据（CSV 与 xlsx），明确标注为合成数据。"
                                      " / Write the deterministic synthetic demo data set, labelled synthetic.")
    demo.add_argument("--out", default="data/demo", help="输出文件夹 / output folder (default: data/demo)")
    demo.add_argument("--seed", type=int, default=2021, help="随机种子 / random seed (default: 2021)")
    demo.set_defaults(func=_cmd_demo)

    assess = sub.add_parser("assess", help="评估并输出结果表 / assess a data set and write result tables",
                            description="读取数据文件夹（学校表必需，县区表、满意度调查、学业成绩可选），"
                                        "按标准评估，输出 CSV 与一个 xlsx 工作簿。 / Load a data folder, assess every "
                                        "county and year, write CSV files and one .xlsx workbook.")
    assess.add_argument("data", help="数据文件夹或文件 / data folder or file(s)")
    assess.add_argument("--out", default="reports/tables", help="输出文件夹 / output folder (default: reports/tables)")
    assess.add_argument("--profile", default=None,
                        help="标准：名称或 .toml 路径；默认按各县所在地选择 / profile name or path "
                             "(default: each county's place profile)")
    assess.add_argument("--years", default=None, help="年份，如 2021-2025 或 2023,2025 / years to assess")
    assess.set_defaults(func=_cmd_assess)

    from .render import add_render_subcommand
    add_render_subcommand(sub)
    from .check import add_subcommands as add_check
    from .ledger import add_subcommands as add_ledger
    from .templates import add_subcommands as add_template
    for add in (add_template, add_check, add_ledger):  # data tools: template, check, ledger
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``quality-balance``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except QualityBalanceError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
