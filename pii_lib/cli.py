"""Command-line interface ``pii`` (also ``python -m pii_lib``).

Messages are in Vietnamese by default, English with ``--lang en`` or ``PII_LANG=en``. Exit
codes: 0 success, 2 bad input (one line per problem naming file, row, column, value and what
was expected; nothing written), 1 internal error, 130 interrupted (Ctrl-C), 143 terminated.
Nothing read from a file is ever interpreted as terminal markup or escape codes.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sys
from pathlib import Path

from . import __version__
from .errors import InputError, visible
from .present.wording import current_lang, languages, say, set_lang


class Terminated(Exception):
    """SIGTERM received: stop like Ctrl-C (clean up, exit 143)."""


def _on_sigterm(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    raise Terminated()


def out(text: str) -> None:
    """A line for the user on stdout (escape codes from input files made visible)."""
    sys.stdout.write(visible(text, 10_000) + "\n")
    sys.stdout.flush()


def err(text: str) -> None:
    """A line for the user on stderr (escape codes from input files made visible)."""
    sys.stderr.write(visible(text, 10_000) + "\n")
    sys.stderr.flush()


#: characters JSON may carry unescaped that a terminal would act on or that reorder text:
#: C1 controls, line/paragraph separators, bidi controls, lone surrogates, non-characters
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff\ufffe\uffff]")


def json_text(data: object) -> str:
    """Strict JSON (no NaN/Infinity: ``ValueError`` instead) in UTF-8, with every character a
    terminal could act on written as a ``\\uXXXX`` escape (same JSON value, safe to print)."""
    import json

    text = json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
MAX_DRAWS = 100_000  # robustness draws: 100,000 × 75 indicators of 8 bytes is 60 MB


class VisibleFormatter(logging.Formatter):
    """Log lines with escape codes from input made visible (tracebacks keep their lines)."""

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(visible(line, 10_000) for line in super().format(record).split("\n"))


def _data_stack(values: list[str] | None) -> tuple[str, ...]:
    from .data.layers import parse_stack

    return tuple(parse_stack(values or ["published"]))


def _cmd_provinces(args) -> int:
    from .model.provinces import province_table

    out("id,name_vi,region_id")
    for rec in province_table(args.edition).to_dict("records"):
        out(f"{rec['id']},{rec['name_vi']},{rec['region_id']}")
    return 0


def _cmd_score(args) -> int:
    from .data.tables import read_raw_values
    from .files import atomic_path, check_out_file
    from .method.scoring import score_raw
    from .model.framework import load_framework

    check_out_file(args.out)
    framework = load_framework(args.edition)
    raw = read_raw_values(args.raw, args.edition)
    try:
        result = score_raw(raw, framework, outliers=args.outliers)
    except InputError as exc:
        raise exc.with_file(args.raw) from None
    cols = ["province_id", "level", "code", "score", "rank", "n_available", "n_expected"]
    with atomic_path(args.out) as tmp:
        result.scores[cols].to_csv(tmp, index=False, float_format="%.6f", lineterminator="\n")
    for rec in result.bounds[result.bounds["treatment"] != ""].to_dict("records"):
        err(say("cli.outlier", code=rec["code"], treatment=rec["treatment"]))
    for rec in result.bounds[result.bounds["constant"]].to_dict("records"):
        err(say("cli.constant", code=rec["code"]))
    out(str(args.out))
    return 0


def _cmd_validate(args) -> int:
    from .data.validate import validate_path

    summary = validate_path(Path(args.path), edition=args.edition)
    out(say("validate.ok", path=str(args.path), summary=summary))
    return 0


def _cmd_analyze(args) -> int:
    from .data.layers import load_dataset, load_history
    from .method.analysis import analyse_province, analysis_json
    from .model.params import load_params
    from .model.provinces import resolve_province
    from .present.narrative import missing_line, summary_paragraph
    from .present.wording import wording

    province = resolve_province(args.province, args.edition)
    params = load_params(args.params) if args.params else None
    data = list(_data_stack(args.data))
    result = analyse_province(load_dataset(data, args.edition), province, params,
                              load_history(data, args.edition))
    if args.json:
        sys.stdout.write(json_text(analysis_json(result)) + "\n")
        return 0
    w = wording(current_lang())
    out(summary_paragraph(w, result))
    for item in result.missing:
        out(say("cli.missing", line=missing_line(w, item)))
    return 0


def _cmd_import(args) -> int:
    from .data.imported import import_file
    from .files import check_out_dir

    check_out_dir(args.out)
    out(str(import_file(args.file, edition=args.edition, province=args.province,
                        out_dir=args.out)))
    return 0


def _cmd_template(args) -> int:
    from .data.imported import write_template

    out(str(write_template(args.edition, args.out)))
    return 0


def _cmd_report(args) -> int:
    from .files import check_out_dir

    if args.all == bool(args.province):
        raise InputError("province_or_all", column="province", value=args.province or "")
    check_out_dir(args.out)  # before the heavy imports of the renderers

    from .run.batch import report_all, report_one

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    if args.all:
        return report_all(args, _data_stack(args.data), formats)
    return report_one(args, _data_stack(args.data), formats)


def _cmd_export_plan(args) -> int:
    from .files import check_out_file
    from .model.params import load_params
    from .model.provinces import resolve_province
    from .present.export_office import export_docx, export_xlsx

    params = load_params(args.params)
    pid = resolve_province(args.province, params.baseline_edition)
    if params.province != pid:
        raise InputError("params_province", file=args.params, row="province",
                         value=params.province, province=pid)
    suffix = "" if current_lang() == "vi" else f".{current_lang()}"
    target = args.out or Path("reports") / "plans" / f"{pid}_phu-luc{suffix}.{args.format}"
    check_out_file(target)
    out(str((export_xlsx if args.format == "xlsx" else export_docx)(params, target)))
    return 0


def _cmd_robustness(args) -> int:
    import time

    from .data.layers import load_dataset
    from .method.robustness import has_complete_scores, rank_robustness_from_scores
    from .model.provinces import province_name

    if not 1 <= args.draws <= MAX_DRAWS:  # 10⁸ draws asked for 56 GB (MemoryError)
        raise InputError("draws_range", column="--draws", value=args.draws, n=MAX_DRAWS)
    if args.seed < 0:  # numpy's generator takes no negative seed (ValueError)
        raise InputError("seed_range", column="--seed", value=args.seed)
    dataset = load_dataset(list(_data_stack(args.data)), args.edition)
    scores = dataset.wide("score").reindex(columns=dataset.framework.indicators)
    if not (dataset.framework.complete and has_complete_scores(scores, dataset.n_provinces)):
        raise InputError("robustness_data", column="--data", value=",".join(args.data or []))
    start = time.perf_counter()
    result = rank_robustness_from_scores(scores, dataset.framework, draws=args.draws,
                                         seed=args.seed, weight_spread=args.spread)
    seconds = time.perf_counter() - start
    if args.json:
        sys.stdout.write(json_text(result.to_dict()) + "\n")
        return 0
    out(say("cli.robustness_header", edition=args.edition, draws=args.draws, seconds=seconds))
    out(",".join(("province_id", "name", "official_rank", "median_rank", "rank_p05", "rank_p95",
                  "rank_shift_p90")))
    for rec in result.table.to_dict("records"):
        out(",".join([rec["province_id"], province_name(rec["province_id"])] +
                     [str(int(rec[k])) for k in ("official_rank", "median_rank", "rank_p05",
                                                 "rank_p95", "rank_shift_p90")]))
    return 0


class Parser(argparse.ArgumentParser):
    """argparse whose usage errors become our one-line bad-input message (exit 2)."""

    def error(self, message: str):
        raise InputError("argument", detail=message)


def _add(sub, name: str, func, **extra) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=say(f"help.{name}"), description=say(f"help.{name}"), **extra)
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pii`` (help in the current language)."""
    h = lambda key: say(f"help.{key}")  # noqa: E731
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=languages(), default=None, help=h("lang"))
    parser = Parser(prog="pii", description=h("pii"), parents=[common])
    parser.add_argument("--version", action="version", version=f"pii {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help=h("verbose"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    edition = argparse.ArgumentParser(add_help=False, parents=[common])
    edition.add_argument("--edition", type=int, default=2023, help=h("edition"))
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument("--data", action="append", default=None, help=h("data"))

    _add(sub, "provinces", _cmd_provinces, parents=[edition])
    p = _add(sub, "score", _cmd_score, parents=[edition])
    p.add_argument("raw", type=Path, help=h("raw"))
    p.add_argument("--out", type=Path, required=True, help=h("out_file"))
    p.add_argument("--outliers", action="store_true", help=h("outliers"))
    p = _add(sub, "validate", _cmd_validate, parents=[common])
    p.add_argument("path", type=Path)
    p.add_argument("--edition", type=int, default=None, help=h("edition"))
    p = _add(sub, "analyze", _cmd_analyze, parents=[edition, data])
    p.add_argument("province", help=h("province"))
    p.add_argument("--params", type=Path, default=None, help=h("params"))
    p.add_argument("--json", action="store_true", help=h("json"))
    p = _add(sub, "import", _cmd_import, parents=[edition])
    p.add_argument("file", type=Path, help=h("import_file"))
    p.add_argument("--province", default=None, help=h("import_province"))
    p.add_argument("--out", type=Path, required=True, help=h("out_dir"))
    p = _add(sub, "report", _cmd_report, parents=[edition, data])
    p.add_argument("province", nargs="?", default=None, help=h("province"))
    p.add_argument("--all", action="store_true", help=h("all"))
    p.add_argument("--params", type=Path, default=None, help=h("params_report"))
    p.add_argument("--renderer", default="auto", help=h("renderer"))
    p.add_argument("--formats", default="html,pdf", help=h("formats"))
    p.add_argument("--out", type=Path, default=Path("reports"), help=h("out_reports"))
    p.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)),
                   help=h("jobs"))
    p.add_argument("--force", action="store_true", help=h("force"))
    p.add_argument("--only", default=None, help=h("only"))
    p = _add(sub, "export-plan", _cmd_export_plan, parents=[common])
    p.add_argument("province", help=h("province"))
    p.add_argument("--params", type=Path, required=True, help=h("params"))
    p.add_argument("--format", choices=["xlsx", "docx"], default="xlsx", help=h("format"))
    p.add_argument("--out", type=Path, default=None, help=h("out_file"))
    p = _add(sub, "template", _cmd_template, parents=[edition])
    p.add_argument("--out", type=Path, required=True, help=h("out_file"))
    p = _add(sub, "robustness", _cmd_robustness, parents=[edition, data])
    p.add_argument("--draws", type=int, default=1000, help=h("draws"))
    p.add_argument("--seed", type=int, default=20231, help=h("seed"))
    p.add_argument("--spread", type=float, default=0.25, help=h("spread"))
    p.add_argument("--json", action="store_true", help=h("json"))
    return parser


def _lang_from_argv(argv: list[str]) -> None:
    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else \
            argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None
        if value in languages():
            set_lang(value)


def _argparse_wording(text: str) -> str:
    """argparse's own phrases in the current language (unknown phrases stay as they are)."""
    key = ARGPARSE_KEYS.get(text)
    return say(f"argparse.{key}") if key else text


ARGPARSE_KEYS = {"usage: ": "usage", "positional arguments": "positional",
                 "options": "options", "show this help message and exit": "help",
                 "the following arguments are required: %s": "required",
                 "unrecognized arguments: %s": "unrecognized",
                 "invalid choice: %(value)r (choose from %(choices)s)": "invalid_choice",
                 "invalid %(type)s value: %(value)r": "invalid_value",
                 "argument %(argument_name)s: %(message)s": "argument",
                 "expected one argument": "one_argument",
                 "show program's version number and exit": "version",
                 "%(prog)s: error: %(message)s\n": "prog_error"}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _lang_from_argv(argv)
    if current_lang() != "en":
        argparse._ = _argparse_wording  # argparse's own phrases (usage errors, help headings)
    parser = build_parser()
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        args = parser.parse_args(argv)
        logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                            format=LOG_FORMAT)
        for handler in logging.getLogger().handlers:
            handler.setFormatter(VisibleFormatter(LOG_FORMAT))
        logging.getLogger("traitlets").setLevel(logging.ERROR)  # kernel-client teardown noise
        return int(args.func(args) or 0)
    except InputError as exc:
        for line in exc.lines():
            err(say("cli.error", message=line))
        return 2
    except KeyboardInterrupt:
        err(say("cli.interrupted"))
        return 130
    except Terminated:
        err(say("cli.terminated"))
        return 143
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0)
    except Exception as exc:  # noqa: BLE001 - last-resort guard, exit 1 with the cause
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        err(say("cli.internal", message=f"{exc.__class__.__name__}: {exc}"))
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
