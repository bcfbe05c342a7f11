"""Command-line interface ``pii`` (also ``python -m pii_lib``).

Exit codes: 0 success, 2 bad input (one line naming file, row, column, value and what was
expected), 1 internal error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from rich.console import Console

from . import __version__
from .errors import InputError

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
out_console = Console(highlight=False, soft_wrap=True)


def _cmd_provinces(args: argparse.Namespace) -> int:
    from .model.provinces import province_table

    table = province_table(args.edition)
    sys.stdout.write("id,name_vi,region_id\n")
    for rec in table.to_dict("records"):
        sys.stdout.write(f"{rec['id']},{rec['name_vi']},{rec['region_id']}\n")
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    from .data.tables import read_raw_values
    from .files import atomic_path
    from .model.framework import load_framework
    from .method.scoring import score_raw

    framework = load_framework(args.edition)
    raw = read_raw_values(args.raw, args.edition)
    try:
        result = score_raw(raw, framework, outliers=args.outliers)
    except InputError as exc:
        raise exc.with_file(args.raw) from None
    cols = ["province_id", "level", "code", "score", "rank", "n_available", "n_expected"]
    with atomic_path(args.out) as tmp:
        result.scores[cols].to_csv(tmp, index=False, float_format="%.6f", lineterminator="\n")
    treated = result.bounds[result.bounds["treatment"] != ""]
    constant = result.bounds[result.bounds["constant"]]
    for rec in treated.to_dict("records"):
        err_console.print(f"outlier treatment: {rec['code']} {rec['treatment']}")
    for rec in constant.to_dict("records"):
        err_console.print(f"note: indicator {rec['code']} is constant (min = max); scored missing")
    out_console.print(str(args.out))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .data.validate import validate_path

    summary = validate_path(Path(args.path), edition=args.edition)
    out_console.print(f"OK: {args.path}: {summary}")
    return 0


def _load_params_arg(path: Path | None):
    from .model.params import load_params

    return load_params(path) if path else None


def _cmd_analyze(args: argparse.Namespace) -> int:
    import json

    from .method.analysis import analyse_province, analysis_json
    from .data.tables import load_dataset
    from .model.provinces import resolve_province

    province = resolve_province(args.province, args.edition)
    params = _load_params_arg(args.params)
    dataset = load_dataset(args.data, args.edition)
    result = analyse_province(dataset, province, params)
    if args.json:
        sys.stdout.write(json.dumps(analysis_json(result), ensure_ascii=False, indent=1) + "\n")
        return 0
    from .present.narrative import summary_paragraph

    out_console.print(summary_paragraph(result, lang=args.lang), markup=False)
    for item in result.missing:
        out_console.print(f"- missing: {item['item']}: {item['reason']}", markup=False)
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from .data.imported import import_file

    target = import_file(args.file, edition=args.edition, province=args.province,
                         out_dir=args.out)
    out_console.print(str(target))
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    from .data.imported import write_template

    out_console.print(str(write_template(args.edition, args.out)))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, \
        TimeElapsedColumn

    from .run.batch import (Job, check_job, default_params, national_overview,
                        run_batch, run_job, write_index)

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    if args.all == bool(args.province):
        raise InputError("expected either a PROVINCE or --all", column="province",
                         value=args.province or "")
    if not args.all:
        from .model.provinces import resolve_province

        pid = resolve_province(args.province, args.edition)
        params = str(args.params) if args.params else default_params(pid, args.edition)
        job = check_job(Job(province=pid, edition=args.edition, lang=args.lang, data=args.data,
                            params_file=params, formats=formats, renderer=args.renderer,
                            out_root=str(args.out), force=args.force))
        result = run_job(job)
        if not result.ok:
            err_console.print(f"error: {job.province}: {result.error}", markup=False)
            return 1
        if result.skipped:
            err_console.print(f"{job.province}: unchanged inputs, skipped (use --force)")
        for path in result.paths:
            out_console.print(path)
        return 0
    jobs, rejected = [], []
    from .model.provinces import province_ids

    wanted = province_ids(args.edition)
    if args.only:
        from .model.provinces import resolve_province

        wanted = [resolve_province(p, args.edition) for p in args.only.split(",") if p.strip()]
    from .run.batch import JobResult

    # inputs shared by every province (data, language, formats): bad → exit 2, nothing written
    check_job(Job(province=wanted[0], edition=args.edition, lang=args.lang, data=args.data,
                  formats=formats, renderer=args.renderer, out_root=str(args.out)))
    for pid in wanted:
        try:
            jobs.append(check_job(Job(province=pid, edition=args.edition, lang=args.lang,
                                      data=args.data,
                                      params_file=default_params(pid, args.edition),
                                      formats=formats, renderer=args.renderer,
                                      out_root=str(args.out), force=args.force)))
        except InputError as exc:  # one province's bad params must not stop the others
            rejected.append(JobResult(province=pid, ok=False, error=exc.message))
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console, transient=False) as progress:
        task = progress.add_task(f"PII {args.edition}", total=len(jobs))

        def tick(result):
            progress.advance(task)
            if not result.ok:
                progress.console.print(f"[red]failed[/red] {result.province}: {result.error}",
                                       markup=True, highlight=False)

        for res in rejected:
            tick(res)
        results = run_batch(jobs, n_jobs=args.jobs, progress=tick) + rejected
    failed = [r for r in results if not r.ok]
    skipped = [r for r in results if r.skipped]
    try:
        national_overview(args.edition, args.data, args.lang, str(args.out), formats,
                          args.renderer, force=args.force)
    except Exception as exc:  # noqa: BLE001 - report it, keep the province reports
        failed.append(type("R", (), {"province": "national", "error": str(exc)})())
    index = write_index(args.edition, args.data, args.lang, str(args.out), results)
    out_console.print(f"{len(results) - len(failed)} of {len(results)} reports ok "
                      f"({len(skipped)} unchanged, skipped); index: {index}")
    for r in failed:
        err_console.print(f"FAILED {r.province}: {r.error}", markup=False)
    return 1 if failed else 0


def _cmd_export_plan(args: argparse.Namespace) -> int:
    from .present.export import export_docx, export_xlsx
    from .model.params import load_params
    from .model.provinces import resolve_province

    params = load_params(args.params)
    pid = resolve_province(args.province, params.baseline_edition)
    if params.province != pid:
        raise InputError(f"expected params for {pid}", file=args.params, row="province",
                         value=params.province)
    out = args.out or Path("reports") / "plans" / f"{pid}_phu-luc.{args.format}"
    path = (export_xlsx if args.format == "xlsx" else export_docx)(params, out)
    out_console.print(str(path))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pii``."""
    parser = argparse.ArgumentParser(
        prog="pii", description="Provincial Innovation Index (PII) analysis and reports.")
    parser.add_argument("--version", action="version", version=f"pii {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("provinces", help="list the provinces of an edition (id,name_vi,region_id)")
    p.add_argument("--edition", type=int, default=2023)
    p.set_defaults(func=_cmd_provinces)

    p = sub.add_parser("score", help="score raw indicator values (CSV province_id,code,value)")
    p.add_argument("raw", type=Path, help="CSV with columns province_id, code, value")
    p.add_argument("--edition", type=int, default=2023)
    p.add_argument("--out", type=Path, required=True, help="output CSV of scores and ranks")
    p.add_argument("--outliers", action="store_true",
                   help="apply the GII outlier treatment (off by default)")
    p.set_defaults(func=_cmd_score)

    p = sub.add_parser("validate", help="check a data, framework or params file")
    p.add_argument("path", type=Path)
    p.add_argument("--edition", type=int, default=None,
                   help="edition for files without a year column (raw values)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("analyze", help="analyse one province (JSON with --json)")
    p.add_argument("province", help="province id or name")
    p.add_argument("--edition", type=int, default=2023)
    p.add_argument("--data", default="published",
                   help="published (default), demo, or a directory written by `pii import`")
    p.add_argument("--params", type=Path, default=None, help="params YAML (goal, targets)")
    p.add_argument("--json", action="store_true", help="print the analysis as JSON")
    p.add_argument("--lang", choices=["vi", "en"], default="vi")
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("import", help="import a province profile or national table (CSV/XLSX)")
    p.add_argument("file", type=Path)
    p.add_argument("--edition", type=int, default=2023)
    p.add_argument("--province", default=None,
                   help="province of a single-province profile (omit for a national table)")
    p.add_argument("--out", type=Path, required=True, help="directory for the tidy CSV")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("report", help="render report(s): HTML and PDF")
    p.add_argument("province", nargs="?", default=None, help="province id or name")
    p.add_argument("--all", action="store_true", help="every province of the edition")
    p.add_argument("--edition", type=int, default=2023)
    p.add_argument("--lang", default="vi", help="vi (default) or en")
    p.add_argument("--data", default="published", help="published, demo or an import directory")
    p.add_argument("--params", type=Path, default=None,
                   help="params YAML (default: params/<province>.yaml when it exists)")
    p.add_argument("--renderer", default="auto", help="auto, quarto or builtin")
    p.add_argument("--formats", default="html,pdf")
    p.add_argument("--out", type=Path, default=Path("reports"))
    p.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    p.add_argument("--force", action="store_true", help="re-render even if inputs are unchanged")
    p.add_argument("--only", default="", help="with --all: a comma-separated subset of provinces")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("export-plan", help="plan appendix (targets and owners) as XLSX or DOCX")
    p.add_argument("province")
    p.add_argument("--params", type=Path, required=True)
    p.add_argument("--format", choices=["xlsx", "docx"], default="xlsx")
    p.add_argument("--out", type=Path, default=None)
    p.set_defaults(func=_cmd_export_plan)

    p = sub.add_parser("template", help="write a fill-in XLSX template for `pii import`")
    p.add_argument("--edition", type=int, default=2023)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=_cmd_template)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse errors are bad input too
        return 2 if exc.code not in (0, None) else 0
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("traitlets").setLevel(logging.ERROR)  # kernel-client teardown noise
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        err_console.print(f"error: {exc.message}", markup=False)
        return 2
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - last-resort guard, exit 1 with the cause
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        err_console.print(f"internal error: {exc.__class__.__name__}: {exc}", markup=False)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
