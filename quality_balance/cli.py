"""The ``quality-balance`` command line (县域义务教育优质均衡发展评估).

Sub-commands: ``demo`` (write the synthetic demo data), ``assess`` (assess a data
folder and write the result tables), ``render`` (batch reports with papermill),
and the data tools added by later modules. Every error the library raises on
purpose is printed as a message — never a traceback — and the exit status is
non-zero: 2 for bad input or arguments (an output folder that cannot be written
included), 1 when some reports failed. While a command runs, Ctrl-C (SIGINT) and
SIGTERM stop it cleanly (:func:`quality_balance.interrupt.stop_on_signals`): workers
and kernels are stopped, unfinished files removed, earlier outputs left as they
were, and the exit status is 130 (SIGINT) or 143 (SIGTERM) with a message.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import paths
from .errors import InputError, Problem, QualityBalanceError
from .interrupt import interrupted_message, interrupted_status, stop_on_signals

__all__ = ["main", "command", "build_parser"]

DESCRIPTION = """县域义务教育优质均衡发展评估工具 / county-level high-quality balanced compulsory education assessment.

常用 / common:
  quality-balance demo --out data/demo          生成合成演示数据 / write the synthetic demo data
  quality-balance assess data/demo --out reports/tables   评估并输出结果表 / assess and write result tables
  quality-balance render data/demo --out reports          生成报告 / render the county and city reports
"""


def _cmd_demo(args) -> int:
    from . import demo

    started = time.perf_counter()
    written = demo.generate_to(args.out, seed=args.seed)
    print(f"已生成合成演示数据（synthetic demo data, seed={args.seed}）：{args.out} "
          f"（{len(written)} 个文件，{time.perf_counter() - started:.1f} 秒）")
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
        raise InputError([Problem(file="--years", message="年份格式不正确", value=text,
                                  expected="如 2021-2025 或 2023,2025")]) from None


def _add_include_hidden(parser) -> None:
    parser.add_argument("--include-hidden", action="store_true",
                        help="也读取工作簿中隐藏的工作表（默认跳过并提示）/ read hidden workbook sheets too")


def _load_input(args):
    """The data set of a command that writes: its --out checked against the input first, notes to stderr."""
    from .inputs.loaders import load_dataset

    paths.refuse_output_overlap(args.out, [args.data])
    dataset = load_dataset(args.data, include_hidden=args.include_hidden)
    for note in dataset.notes:
        print(f"提示: {note}", file=sys.stderr)
    return dataset


def _cmd_assess(args) -> int:
    from .method.assessment import assess
    from .report.export import DEFAULT_FORMATS, output_formats, write_results
    from .schema import status_label, veto_label

    started = time.perf_counter()
    formats = output_formats(args.formats or DEFAULT_FORMATS, name="--format")   # before the long work
    years = _parse_years(args.years)
    dataset = _load_input(args)
    result = assess(dataset, profile=args.profile, years=years)
    written = write_results(result, args.out, formats=formats)
    last = result.verdicts["year"].max()
    table = result.verdicts[result.verdicts["year"] == last]
    if dataset.synthetic:
        print(f"【{dataset.provenance}】")
    print(f"{last} 年综合结论 / verdicts:")
    for row in table.itertuples():
        print(f"  {row.city} {row.county}: {status_label(row.overall)}（资源配置 {status_label(row.resources)}，"
              f"政府保障 {status_label(row.guarantee)}，教育质量 {status_label(row.quality)}，"
              f"社会认可 {status_label(row.recognition)}，一票否决 {veto_label(row.veto)}）")
    print(f"结果已写入 / written: {Path(args.out).resolve()}（{len(written)} 个文件，"
          f"{time.perf_counter() - started:.1f} 秒）")
    return 0


def _cmd_check(args) -> int:
    from .inputs.check import check

    report = check(args.files, profile=args.profile, include_hidden=args.include_hidden)
    if args.merge:
        from .inputs.loaders import summarise

        lines = [f"错误 / error: {t}" for t in summarise(report.errors)] + \
                [f"警告 / warning: {t}" for t in summarise(report.warnings)]
    else:
        lines = report.lines()
    for line in lines:
        print(line)
    if report.problems:
        print()
    print(report.summary())
    sys.stdout.flush()
    return report.exit_status


def _add_check(sub) -> None:
    """Register ``quality-balance check`` on the CLI's sub-parsers."""
    parser = sub.add_parser(
        "check", help="检查数据文件，不评估 / validate data files without assessing",
        description="检查数据文件或文件夹：列出每个问题（文件、工作表、行、列、数值、应为、修改建议）、"
                    "可疑数值提示和汇总；有错误时退出码为 2。 / Validate files or folders: every problem, "
                    "suspicious-value warnings and a summary; exit status 2 when there are errors.")
    parser.add_argument("files", nargs="+", help="数据文件或文件夹 / data files or folders")
    parser.add_argument("--profile", default="national",
                        help="可疑数值阈值所用的标准（[check] 表）/ profile of the suspicious-value limits "
                             "(default: national)")
    parser.add_argument("--merge", action="store_true",
                        help="同一列的同类问题合并为一行（列出前几行的行号）/ merge repeated problems of a column")
    _add_include_hidden(parser)
    parser.set_defaults(func=_cmd_check)


def _cmd_ledger(args) -> int:
    from .method.assessment import assess
    from .report.ledger import write_ledger

    dataset = _load_input(args)
    years = args.years
    if years:
        known = set(dataset.schools["year"].tolist())
        missing = [y for y in years if y not in known]
        if missing:
            raise InputError([Problem("--year", "数据中没有这一年", value=y,
                                      expected="以下之一：" + "、".join(map(str, sorted(known)))) for y in missing])
    assessment = assess(dataset, profile=args.profile, years=years)
    written = write_ledger(assessment, args.out, counties=args.counties, years=years,
                           county_data=dataset.counties)
    if dataset.synthetic:
        print(f"【{dataset.provenance}】")
    print(f"整改台账已写入 / ledgers written: {Path(args.out).resolve()}（{len(written)} 个文件）")
    for path in written:
        print(f"  {path.name}")
    return 0


def _add_ledger(sub) -> None:
    """Register ``quality-balance ledger`` on the CLI's sub-parsers."""
    parser = sub.add_parser(
        "ledger", help="生成整改台账（每县每年一个 xlsx）/ write rectification ledgers",
        description="评估数据并为每个县区、每一年写出整改台账 <市>_<县区>_<年份>_整改台账.xlsx：每个未达标项一行，"
                    "含现状值、标准值、差距、单位、整改措施、责任单位、计划完成年份及其依据和整改进展下拉列表，"
                    "按打印格式排版，另有说明工作表（颜色含义）。 / Assess the data and write one printable "
                    "rectification ledger per county and year, <city>_<county>_<year>_整改台账.xlsx.")
    parser.add_argument("data", help="数据文件夹或文件 / data folder or file(s)")
    parser.add_argument("--out", default=str(paths.DEFAULT_LEDGER_DIR),
                        help=f"输出文件夹 / output folder (default: {paths.DEFAULT_LEDGER_DIR})")
    parser.add_argument("--county", action="append", dest="counties", metavar="县区",
                        help="只生成该县区；可重复 / only this county (repeatable)")
    parser.add_argument("--year", action="append", dest="years", type=int, metavar="年份",
                        help="只生成该年；可重复 / only this year (repeatable)")
    parser.add_argument("--profile", default=None,
                        help="标准：名称或 .toml 路径；默认按各县所在地选择 / profile (default: each county's own)")
    _add_include_hidden(parser)
    parser.set_defaults(func=_cmd_ledger)


def _cmd_template(args) -> int:
    from .inputs.templates import write_template

    written = write_template(args.out)
    print(f"已写入数据模板 / templates written: {Path(args.out).resolve()}")
    for path in written:
        print(f"  {path}")
    return 0


def _add_template(sub) -> None:
    """Register ``quality-balance template`` on the CLI's sub-parsers."""
    parser = sub.add_parser(
        "template", help="生成数据填报模板（xlsx 与 CSV） / write the input templates",
        description="写出数据填报模板：一个 xlsx 工作簿（每张表一个工作表：表头带单位和说明，第2行为示例行，"
                    "导入时忽略；说明页；下拉列表和数值检查）和对应的 CSV 文件。"
                    " / Write the .xlsx input template (one sheet per table with units in the headers, an example "
                    "row skipped on load, a 说明 sheet, drop-down lists and number checks) and matching CSV files.")
    parser.add_argument("--out", default=str(paths.DEFAULT_TEMPLATE_DIR),
                        help=f"输出文件夹 / output folder (default: {paths.DEFAULT_TEMPLATE_DIR})")
    parser.set_defaults(func=_cmd_template)


def _cmd_import_stats(args) -> int:
    from .inputs.statistics import import_statistics

    started = time.perf_counter()
    result = import_statistics(args.files, mapping=args.mapping, extra=args.extra, out=args.out)
    for note in result.notes:
        print(f"提示: {note}", file=sys.stderr)
    fields = result.mapping.fields
    confirmed = sum(f.confirmed for f in fields)
    if result.synthetic:
        print("【演示数据（合成，非真实统计）】")
    print(f"已导入 {len(result.schools)} 所学校的基础基报表（映射 {result.mapping.name}：{len(fields)} 项，"
          f"{confirmed} 项有公开来源证实，{len(fields) - confirmed} 项未证实）/ imported "
          f"{len(result.schools)} school workbooks in {time.perf_counter() - started:.1f} s")
    if len(result.missing):
        counts = result.missing["missing"].str.split("、").explode().value_counts()
        shown = "、".join(f"{name} {n} 所" for name, n in counts.head(8).items())
        print(f"基础基报表中没有、仍需填写的项（{len(result.missing)} 所学校）：{shown}；逐校清单见 "
              f"{Path(args.out).resolve() / 'import-log' / 'missing.csv'}（可用 --extra 提供填好的数据模板）")
    print(f"结果已写入 / written: {Path(args.out).resolve()}（{len(result.written)} 个文件）")
    for path in result.written:
        print(f"  {path}")
    return 0


def _add_import_stats(sub) -> None:
    """Register ``quality-balance import-stats`` on the CLI's sub-parsers."""
    parser = sub.add_parser(
        "import-stats", help="导入基础基统计报表（每校一个工作簿）为学校表 / import 基础基 statistics workbooks",
        description="读取各校教育事业统计基层报表（基础基111、112、212、213、312–314、423、424、512、522）的导出工作簿"
                    "（文件、文件夹或 zip 压缩包），按映射文件中的行、列标签取数（不用固定单元格地址），换算单位"
                    "（万元→元），写出 load_dataset 可读的学校表（schools.csv 与 excel/学校.xlsx）、逐项数据来源"
                    "（import-log/provenance.csv：文件、工作表、单元格）和每校仍缺少的项（import-log/missing.csv）。"
                    "报表中没有的项（音乐美术专用教室、最大班额、公用经费、县区表）可由 --extra 提供的数据模板补充。"
                    " / Read the schools' 基础基 base-table workbooks by the labels of a mapping file and write the "
                    "school table, the provenance of every figure and what is still missing.")
    parser.add_argument("files", nargs="+", help="报表工作簿（.xlsx）、文件夹或 .zip / workbooks, folders or zips")
    parser.add_argument("--out", default=str(paths.DEFAULT_IMPORT_DIR),
                        help=f"输出文件夹 / output folder (default: {paths.DEFAULT_IMPORT_DIR})")
    parser.add_argument("--mapping", default=None, metavar="映射",
                        help="映射：内置名称（jichuji-2018、jichuji-2021）或 .toml 文件路径；默认 jichuji-2018 / "
                             "mapping name or .toml path (default: jichuji-2018)")
    parser.add_argument("--extra", action="append", default=None, metavar="模板.xlsx",
                        help="填好的数据模板（quality-balance template），补充报表中没有的列和县区表；可重复 / "
                             "a filled input template for what the base tables lack (repeatable)")
    parser.set_defaults(func=_cmd_import_stats)


def _cmd_demo_workbooks(args) -> int:
    from .demo.statistics_workbooks import write_workbooks
    from .inputs.loaders import load_schools

    started = time.perf_counter()
    paths.refuse_output_overlap(args.out, [args.data])
    schools = load_schools(args.data)
    years = sorted(set(schools["year"].tolist()))
    year = args.year if args.year is not None else years[-1]
    if year not in years:
        raise InputError([Problem("--year", "数据中没有这一年", value=year,
                                  expected="以下之一：" + "、".join(map(str, years)))])
    written = write_workbooks(schools[schools["year"] == year], args.out, edition=args.edition)
    print(f"已把 {year} 年 {len(written)} 所学校写为基础基统计报表工作簿（演示数据，512 表 {args.edition} 版）："
          f"{Path(args.out).resolve()}（{time.perf_counter() - started:.1f} 秒）")
    return 0


def _add_demo_workbooks(sub) -> None:
    """Register ``quality-balance demo-workbooks`` on the CLI's sub-parsers."""
    from .demo.statistics_workbooks import EDITIONS

    parser = sub.add_parser(
        "demo-workbooks", help="把演示数据的学校写成基础基统计报表工作簿 / the demo's schools as 基础基 workbooks",
        description="读取数据文件夹的学校表，把某一年的每所学校写成一个基础基统计报表工作簿（按公开资料所述的"
                    "表式：隐藏的第1行和A列、标题行、表号单位行、合并表头、甲乙代码行、文本数值），供 import-stats"
                    "试用和测试。 / Write one year of a school table as one 基础基 workbook per school.")
    parser.add_argument("data", help="数据文件夹或文件（如 data/demo）/ data folder or file(s)")
    parser.add_argument("--out", default=str(paths.DEFAULT_DEMO_STATS_DIR),
                        help=f"输出文件夹 / output folder (default: {paths.DEFAULT_DEMO_STATS_DIR})")
    parser.add_argument("--year", type=int, default=None, help="年份（默认数据中最晚一年）/ year (default: the last)")
    parser.add_argument("--edition", choices=EDITIONS, default=EDITIONS[0],
                        help="基础基512 的版本（行目）/ edition of 基础基512 (default: 2018)")
    parser.set_defaults(func=_cmd_demo_workbooks)


def _add_render(subparsers) -> None:
    """Register ``quality-balance render``."""
    parser = subparsers.add_parser(
        "render", help="批量生成各县报告与城市概览（papermill → ipynb + HTML）",
        description="执行 notebooks/county_report.ipynb（每县一份）和 city_overview.ipynb（每市一份），"
                    "输出 <输出目录>/<市>/<县区>.ipynb 与 .html（加 --pdf 时还有 .pdf），以及 index.html。")
    parser.add_argument("data_dir", help="输入数据文件夹（同 assess）")
    parser.add_argument("--out", default=str(paths.DEFAULT_REPORTS_DIR),
                        help=f"输出目录 / output folder (default: {paths.DEFAULT_REPORTS_DIR})")
    parser.add_argument("--city", action="append", dest="cities", metavar="市",
                        help="只生成该市的报告；可重复")
    parser.add_argument("--county", action="append", dest="counties", metavar="县区",
                        help="只生成该县区的报告；可重复")
    parser.add_argument("--jobs", "-j", type=int, default=None,
                        help=f"同时执行的笔记本数（默认为 CPU 核数，本机 {os.cpu_count()}）")
    parser.add_argument("--profile", default=None,
                        help="标准配置名称或 .toml 路径（默认按各县所在地自动选择）")
    parser.add_argument("--first-year", type=int, default=None, help="报告起始年份（默认数据中最早年份）")
    parser.add_argument("--last-year", type=int, default=None, help="报告截止年份（默认数据中最晚年份）")
    parser.add_argument("--notebooks", default=str(paths.NOTEBOOK_DIR), metavar="目录",
                        help="报告笔记本模板所在目录（默认为包内的 report/notebooks/）")
    parser.add_argument("--pdf", action="store_true",
                        help="同时用无界面 Chromium 把每份报告打印为 A4 PDF（需安装 chromium；"
                             "或用环境变量 QB_CHROMIUM 指定浏览器）")
    dask = parser.add_mutually_exclusive_group()
    dask.add_argument("--scheduler", default=None, metavar="地址",
                      help="在 Dask 集群上生成报告：dask scheduler 的地址（如 tcp://10.0.0.5:8786）；数据与输出文件夹"
                           "须在每台机器上以相同路径共享（需 pip install \"quality-balance[dask]\"）")
    dask.add_argument("--dask-local", type=int, default=None, metavar="N",
                      help="在本机启动 N 个 Dask 工作进程生成报告（同上，需安装 dask）")
    parser.add_argument("--no-progress", action="store_false", dest="progress", help="不显示进度条")
    parser.set_defaults(func=_cmd_render)


def _cmd_render(args) -> int:
    """Handler of ``quality-balance render``: render, print the summary, return 0 or 1 (failures)."""
    if args.jobs is not None and args.jobs < 1:
        raise InputError([Problem(file="--jobs", message="同时执行的笔记本数必须是正整数", value=args.jobs,
                                  expected="1 或更大的整数")])
    if args.dask_local is not None and args.dask_local < 1:
        raise InputError([Problem(file="--dask-local", message="本机 Dask 工作进程数必须是正整数",
                                  value=args.dask_local, expected="1 或更大的整数")])
    if args.jobs is not None and (args.scheduler is not None or args.dask_local is not None):
        raise InputError([Problem(file="--jobs", message="--jobs 与 --scheduler/--dask-local 不能同时使用",
                                  value=args.jobs, expected="只用其中一种：--jobs N（本机进程池）或 Dask",
                                  fix="去掉 --jobs；Dask 集群上每个工作线程同时执行一份报告")])
    from .report.render import render_reports

    paths.refuse_output_overlap(args.out, [args.data_dir, args.notebooks])
    summary = render_reports(args.data_dir, args.out, cities=args.cities, counties=args.counties,
                             jobs=args.jobs, profile=args.profile, progress=args.progress,
                             first_year=args.first_year, last_year=args.last_year,
                             notebook_dir=args.notebooks, pdf=args.pdf, scheduler=args.scheduler,
                             dask_local=args.dask_local)
    print(summary)
    return 0 if summary.ok else 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command (Chinese and English help)."""
    parser = argparse.ArgumentParser(prog="quality-balance", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="<命令 command>", required=True)

    demo = sub.add_parser("demo", help="生成合成演示数据 / write the synthetic demo data (17 places, 2021–2025)",
                          description="生成 17 个县区 2021—2025 年的合成演示数据（CSV 与 xlsx），明确标注为合成数据。"
                                      " / Write the deterministic synthetic demo data set, labelled synthetic.")
    demo.add_argument("--out", default=str(paths.DEFAULT_DEMO_DIR),
                      help=f"输出文件夹 / output folder (default: {paths.DEFAULT_DEMO_DIR})")
    demo.add_argument("--seed", type=int, default=2021, help="随机种子 / random seed (default: 2021)")
    demo.set_defaults(func=_cmd_demo)

    assess = sub.add_parser("assess", help="评估并输出结果表 / assess a data set and write result tables",
                            description="读取数据文件夹（学校表必需，县区表、满意度调查、学业成绩可选），"
                                        "按标准评估，输出 CSV 与一个 xlsx 工作簿（--format 可选 Parquet）。 "
                                        "/ Load a data folder, assess every county and year, write CSV files "
                                        "and one .xlsx workbook (--format: Parquet too).")
    assess.add_argument("data", help="数据文件夹或文件 / data folder or file(s)")
    assess.add_argument("--out", default=str(paths.DEFAULT_TABLES_DIR),
                        help=f"输出文件夹 / output folder (default: {paths.DEFAULT_TABLES_DIR})")
    assess.add_argument("--profile", default=None,
                        help="标准：名称或 .toml 路径；默认按各县所在地选择 / profile name or path "
                             "(default: each county's place profile)")
    assess.add_argument("--years", default=None, help="年份，如 2021-2025 或 2023,2025 / years to assess")
    assess.add_argument("--format", action="append", dest="formats", metavar="格式",
                        help="输出格式：csv、parquet、xlsx 或 all，可用逗号分隔或重复；默认 csv,xlsx / output formats "
                             "(csv, parquet, xlsx, all; comma-separated or repeated; default: csv,xlsx)")
    _add_include_hidden(assess)
    assess.set_defaults(func=_cmd_assess)

    _add_render(sub)
    for add in (_add_template, _add_check, _add_ledger,  # data tools: template, check, ledger
                _add_import_stats, _add_demo_workbooks):  # statistics workbooks in (issue 14)
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``quality-balance``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with stop_on_signals():  # SIGTERM too becomes an exception: the writers' clean-up runs
            return int(args.func(args) or 0)
    except QualityBalanceError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM (interrupt.Interrupted)
        print(interrupted_message(exc), file=sys.stderr)
        return interrupted_status(exc)


def command() -> None:
    """The ``quality-balance`` command: its process keeps freed memory for reuse (:mod:`quality_balance._memory`),
    then :func:`main` runs and its status is the exit status."""
    from ._memory import keep_freed_memory

    keep_freed_memory()
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    command()
