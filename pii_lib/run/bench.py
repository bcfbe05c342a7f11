"""Benchmark of the report pipeline (``make bench``; not a test).

Measures, on this machine (the 1-minute load average is printed at start and end: the machines
are shared, so compare ratios measured in the same run): per-stage median times of one demo
report on a warm kernel (analysis, notebook execution, HTML, PDF, end to end); wall time and
peak memory (sum of RSS over the process tree) of ``pii report --all --data demo`` for the 63
provinces of 2023 (HTML + PDF + national overview + index, builtin renderer); an unchanged
rerun; a naive baseline — a sequential loop calling the ``papermill`` CLI, then ``jupyter
nbconvert``, then pandoc + typst per province — on a sample, extrapolated to 63, and the
speed-up; and, where ``quarto`` is on PATH, one Quarto report and a batch of 10 provinces as a
Quarto website against the builtin renderer on the same provinces. ``--profile`` prints the
top of a cProfile of one report's computation. Results are printed and saved as CSV under
``reports/bench/``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .jobs import PROVINCE_NOTEBOOK
from .kernels import ensure_kernel

console = Console()


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def run_measured(cmd: list[str]) -> tuple[float, int, int]:
    """Run a command; return (wall seconds, peak tree RSS bytes, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    code = proc.wait()
    done.set()
    thread.join()
    return time.perf_counter() - start, peak, code


def stage_times(repeats: int, out: Path) -> dict[str, float]:
    """Median seconds per stage of one demo report on a warm kernel (as in a batch)."""
    import nbformat

    from ..data.demo import demo_dataset
    from ..method.analysis import analyse_province
    from ..method.context import clear_contexts
    from ..model.provinces import province_ids
    from ..present.province import report_title
    from ..present.wording import wording
    from . import kernels
    from .execute import execute_notebook, page_info
    from .jobs import Job
    from .render import render_html, render_pdf

    times: dict[str, list[float]] = {"analysis (in process)": [], "execute (warm kernel)": [],
                                     "html": [], "pdf": [], "end to end (warm)": []}
    km = kernels.new_kernel_manager()
    try:
        provinces = province_ids(2023)
        execute_notebook(PROVINCE_NOTEBOOK, out / "warm.ipynb",
                         Job(province=provinces[-1], data=("demo",)).parameters(), km)
        for i in range(repeats):
            pid = provinces[i]
            job = Job(province=pid, data=("demo",))
            page = page_info(job, report_title(wording("vi"), pid, 2023, True))
            demo_dataset.cache_clear()
            clear_contexts()
            t0 = time.perf_counter()
            analyse_province(demo_dataset(2023), pid)
            t1 = time.perf_counter()
            nb_path = out / f"stage-{i}.ipynb"
            execute_notebook(PROVINCE_NOTEBOOK, nb_path, job.parameters(), km)
            t2 = time.perf_counter()
            nb = nbformat.read(nb_path, as_version=4)
            render_html(nb, nb_path.with_suffix(".html"), page)
            t3 = time.perf_counter()
            render_pdf(nb, nb_path.with_suffix(".pdf"), page)
            t4 = time.perf_counter()
            for key, value in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t1)):
                times[key].append(value)
    finally:
        kernels.shutdown(km)
    return {k: statistics.median(v) for k, v in times.items()}


def profile_report(top: int = 15) -> str:
    """cProfile of one report's computation in process (analysis, sections, charts)."""
    import cProfile
    import io
    import pstats

    from ..present.province import ProvinceReport

    sections = ("header", "key_figures", "position", "strengths", "leverage", "targets",
                "projection", "goal", "peers", "trend", "responsibilities", "sources",
                "supply", "stamp")
    ProvinceReport.build("an-giang", 2023, "vi", "demo", "")  # warm caches, as a kernel is
    profiler = cProfile.Profile()
    profiler.enable()
    report = ProvinceReport.build("bac-giang", 2023, "vi", "demo", "")
    for name in sections:
        for block in getattr(report, name)():
            block._repr_mimebundle_()
    profiler.disable()
    buf = io.StringIO()
    pstats.Stats(profiler, stream=buf).sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def naive_baseline(provinces: list[str], out: Path) -> float:
    """Seconds per province of the naive pipeline (CLI tools, one fresh process each)."""
    import pypandoc

    bindir = Path(sys.executable).parent
    pandoc = pypandoc.get_pandoc_path()
    start = time.perf_counter()
    for pid in provinces:
        nb = out / f"naive-{pid}.ipynb"
        subprocess.run([str(bindir / "papermill"), str(PROVINCE_NOTEBOOK), str(nb), "-k",
                        "pii-reports", "-p", "province", pid, "-p", "data", "demo",
                        "--cwd", str(PROVINCE_NOTEBOOK.parent)], check=True,
                       capture_output=True)
        subprocess.run([str(bindir / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                        str(nb)], check=True, capture_output=True)
        md = nb.with_suffix(".md")
        subprocess.run([str(bindir / "jupyter"), "nbconvert", "--to", "markdown", "--no-input",
                        str(nb)], check=True, capture_output=True)
        typ = nb.with_suffix(".typ")
        subprocess.run([pandoc, str(md), "-s", "-t", "typst", "-o", str(typ)], check=True,
                       capture_output=True, cwd=out)
        subprocess.run([sys.executable, "-c", f"import typst; typst.compile({str(typ)!r}, "
                        f"output={str(typ.with_suffix('.pdf'))!r})"], check=True,
                       capture_output=True, cwd=out)
    return (time.perf_counter() - start) / len(provinces)


def _report_cmd(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pii_lib", "report", "--edition", "2023", "--data", "demo",
            "--out", str(out), *extra]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-sample", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quarto-sample", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="print a profile of one report")
    args = parser.parse_args(argv)
    ensure_kernel()
    bench_dir = Path("reports") / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str]] = [("load average at start (1 min)",
                                         f"{os.getloadavg()[0]:.2f}", "")]
    from ..model.provinces import province_ids

    provinces = province_ids(2023)
    with tempfile.TemporaryDirectory(prefix="pii-bench-") as tmp:
        work = Path(tmp)
        if args.profile:
            console.print(profile_report(), markup=False, highlight=False)
        console.print("stage times …")
        for stage, sec in stage_times(args.repeats, work).items():
            rows.append((f"one report: {stage} (median of {args.repeats})", f"{sec:.2f}", "s"))
        batch = _report_cmd(work / "batch", "--all", "--jobs", str(args.jobs), "--renderer",
                            "builtin")
        console.print("63-province batch …")
        wall, peak, code = run_measured(batch + ["--force"])
        rows.append(("batch 63 provinces (HTML+PDF+national+index), wall", f"{wall:.1f}", "s"))
        rows.append(("batch peak memory (process tree)", f"{peak / 2**20:.0f}", "MiB"))
        rows.append(("batch exit code", str(code), ""))
        console.print("unchanged rerun …")
        rerun, _, _ = run_measured(batch)
        rows.append(("unchanged rerun, wall", f"{rerun:.2f}", "s"))
        console.print(f"naive baseline on {args.baseline_sample} provinces …")
        sample = provinces[: args.baseline_sample]
        per = naive_baseline(sample, work)
        rows.append((f"naive baseline per province (sample of {len(sample)})", f"{per:.1f}", "s"))
        rows.append(("naive baseline extrapolated to 63", f"{per * 63:.0f}", "s"))
        rows.append(("speed-up (naive / batch)", f"{per * 63 / wall:.1f}", "×"))
        if shutil.which("quarto"):
            rows += quarto_rows(work, provinces[: args.quarto_sample], args.jobs)
        else:
            rows.append(("Quarto", "not on PATH: skipped", ""))
    rows.append(("load average at end (1 min)", f"{os.getloadavg()[0]:.2f}", ""))
    table = Table(title=f"PII Reports benchmark — {os.cpu_count()} cores")
    for col in ("measure", "value", "unit"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = bench_dir / f"bench-{stamp}.csv"
    with open(target, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["measure", "value", "unit"])
        writer.writerows(rows)
    console.print(f"saved {target}")
    return 0


def quarto_rows(work: Path, sample: list[str], jobs: int) -> list[tuple[str, str, str]]:
    """Quarto: one report, and a batch of ``sample`` provinces against the builtin renderer."""
    console.print("Quarto: one report …")
    one, _, code = run_measured(_report_cmd(work / "q1", "bac-giang", "--renderer", "quarto"))
    rows = [("Quarto: one report (HTML+PDF), wall", f"{one:.1f}", "s"),
            ("Quarto: one report exit code", str(code), "")]
    only = ",".join(sample)
    console.print(f"batch of {len(sample)}: builtin, then Quarto website …")
    builtin, _, _ = run_measured(_report_cmd(work / "qb", "--all", "--only", only, "--jobs",
                                             str(jobs), "--renderer", "builtin"))
    site, peak, code = run_measured(_report_cmd(work / "qs", "--all", "--only", only, "--jobs",
                                                str(jobs), "--renderer", "quarto"))
    rows += [(f"builtin batch of {len(sample)} (HTML+PDF+national+index), wall",
              f"{builtin:.1f}", "s"),
             (f"Quarto batch of {len(sample)} (website: HTML+PDF, search, listing), wall",
              f"{site:.1f}", "s"),
             ("Quarto batch exit code", str(code), ""),
             ("Quarto batch / builtin batch", f"{site / builtin:.2f}", "×")]
    return rows


if __name__ == "__main__":
    sys.exit(main())
