"""Execute report notebooks with papermill and render them: one province, or a whole batch.

* papermill runs the notebook with its parameters on a pinned, warm kernel
  (:mod:`.kernels`); it saves the output notebook once, at the end, not after every cell.
* ``run_batch`` runs provinces in parallel worker processes, each keeping one warm kernel, so
  imports and the per-edition analysis are paid once per worker. Workers are replaced every
  :data:`WORKER_RECYCLE` reports to bound memory. One failing province never stops the others:
  its result carries the cause. Up-to-date provinces are skipped before any worker starts.
* Every output is written to a temporary name and renamed into place; an interrupted run
  leaves no truncated file, and the next run removes our leftover temporaries.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from ..files import atomic_path, remove_in_flight, remove_stale_temporaries, write_text_atomic
from ..present.wording import wording
from . import kernels
from .jobs import NATIONAL, PROVINCE_NOTEBOOK, Job, JobResult, fingerprint, output_dir, stamp_path, \
    up_to_date
from .render import PageInfo, render

log = logging.getLogger(__name__)

#: workers (and their warm kernels) are replaced after this many reports each, a bound on whatever
#: a long run may accumulate (measured: ~0.4 MB per report in a worker, none in its kernel, once
#: papermill's kernel clients are closed); two workers do the 63 provinces in one pool
WORKER_RECYCLE = 32


def _literal(path: Path) -> str:
    """``path`` for papermill, which fills its paths in with the parameters (``str.format``):
    braces doubled so that a folder named ``r{x}`` stays itself."""
    return str(path).replace("{", "{{").replace("}", "}}")


def execute_notebook(notebook: Path, target: Path, parameters: dict, km=None) -> Path:
    """Execute ``notebook`` with papermill into ``target`` (atomic), on the pinned kernel."""
    import papermill as pm

    own = km is None
    if own:
        km = kernels.new_kernel_manager()
    try:
        with atomic_path(target) as tmp:
            tmp_nb = tmp.with_suffix(".ipynb")
            try:
                pm.execute_notebook(_literal(notebook), _literal(tmp_nb), parameters=parameters,
                                    kernel_name=kernels.KERNEL_NAME, cwd=str(notebook.parent),
                                    progress_bar=False, log_output=False, km=km,
                                    request_save_on_cell_execute=False, autosave_cell_every=0)
                os.replace(tmp_nb, tmp)
            finally:
                kernels.close_clients()
                if tmp_nb.exists():
                    tmp_nb.unlink()
    finally:
        if own:
            kernels.shutdown(km)
    return target


def page_info(job: Job, title: str, created: dt.datetime | None = None) -> PageInfo:
    """Page furniture of a province report in the job's language."""
    from ..model.provinces import province_name

    w = wording(job.lang)
    demo = job.kind == "demo"
    header = w("report.title", province=province_name(job.province), edition=job.edition)
    return PageInfo(title=title, lang=job.lang, kicker=w("report.kicker"), demo=demo,
                    demo_label=w("demo.banner"),
                    running_header=(w("demo.running") + " · " if demo else "") + header,
                    footer=w("demo.running") if demo else w("report.footer"),
                    toc_label=w("report.toc"), created=created)


def run_job(job: Job, km=None) -> JobResult:
    """Execute and render one province report; never raises (errors go into the result)."""
    from ..present.province import report_title

    start = time.perf_counter()
    result = JobResult(province=job.province, ok=False)
    try:
        skipped = up_to_date(job)
        if skipped is not None:
            return skipped
        out = output_dir(job)
        remove_stale_temporaries(out)
        expected = fingerprint(job)
        nb_path = out / f"{job.stem}.ipynb"
        t0 = time.perf_counter()
        execute_notebook(PROVINCE_NOTEBOOK, nb_path, job.parameters(), km)
        t1 = time.perf_counter()
        title = report_title(wording(job.lang), job.province, job.edition, job.kind == "demo")
        paths = render(nb_path, job.stem, page_info(job, title), list(job.formats),
                       job.renderer)
        result.timings = {"execute": t1 - t0, "render": time.perf_counter() - t1}
        write_text_atomic(stamp_path(job), _json(expected))
        result.ok = True
        result.paths = [str(nb_path)] + [str(p) for p in paths]
    except Exception as exc:  # noqa: BLE001 - one failing province must not stop a batch
        result.error = describe_error(exc)
        log.debug("job %s failed", job.province, exc_info=True)
    finally:
        result.seconds = time.perf_counter() - start
    return result


def _json(data: dict) -> str:
    import json

    return json.dumps(data, sort_keys=True)


def describe_error(exc: BaseException) -> str:
    """One line saying why a job failed (the input error's message, or the notebook error)."""
    if hasattr(exc, "ename"):  # papermill's PapermillExecutionError
        return f"{exc.ename}: {exc.evalue}".splitlines()[0]
    message = getattr(exc, "message", None) or f"{exc.__class__.__name__}: {exc}"
    return message.splitlines()[0] if message else exc.__class__.__name__


# --- parallel batch with one warm kernel per worker ------------------------------------------
_KM = None


def _stop_worker(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    """SIGTERM (the main process stops, or died): stop the kernel, remove our temporaries."""
    try:
        remove_in_flight()
        kernels.kill_now(_KM)
    finally:
        kernels.remove_run_dir()
        os._exit(143)


def _worker_init(lang: str) -> None:
    global _KM
    import atexit

    os.environ["PII_LANG"] = lang
    kernels.exit_with_parent()
    signal.signal(signal.SIGTERM, _stop_worker)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    _KM = kernels.new_kernel_manager()
    atexit.register(lambda: kernels.shutdown(_KM))


def _worker_run(job: Job) -> JobResult:
    if job.province == NATIONAL:
        from .site import national_overview

        return national_overview(job, km=_KM)
    result = run_job(job, km=_KM)
    if not result.ok and _KM is not None and not _KM.has_kernel:
        result = run_job(job, km=_KM)  # the kernel died: one retry with a fresh kernel
    return result


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Terminate a pool's workers (each stops its kernel and removes its temporaries)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=10)


def run_batch(jobs: list[Job], n_jobs: int = 2, progress=None,
              national: Job | None = None) -> list[JobResult]:
    """Run jobs in ``n_jobs`` worker processes; ``progress(result)`` is called per job.

    The ``national`` overview's job, when given, runs first in the same pool, on a warm kernel
    while the other workers start on the provinces; its result (province ``national``) is then
    among those returned. It is not run when no province needs to be (the caller runs it).
    """
    import multiprocessing as mp

    results: list[JobResult] = []
    pending = []
    for job in jobs:  # unchanged provinces are skipped here, without starting any worker
        done = up_to_date(job)
        if done is None:
            pending.append(job)
        else:
            results.append(done)
            if progress:
                progress(done)
    if pending:
        kernels.ensure_kernel()
        lang = os.environ.get("PII_LANG", "vi")
        ctx = mp.get_context("spawn")
        n_jobs = max(1, min(n_jobs, len(pending)))
        chunk = n_jobs * WORKER_RECYCLE  # a fresh pool (fresh workers and kernels) per chunk
        if national is not None:
            pending.insert(0, national)
        for start in range(0, len(pending), chunk):
            pool = ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx,
                                       initializer=_worker_init, initargs=(lang,))
            try:
                part = pending[start:start + chunk]
                futures = {pool.submit(_worker_run, job): job for job in part}
                for fut in as_completed(futures):
                    try:
                        res = fut.result()
                    except Exception as exc:  # noqa: BLE001 - a crashed worker fails its job
                        res = JobResult(province=futures[fut].province, ok=False,
                                        error=describe_error(exc))
                    results.append(res)
                    if progress and res.province != NATIONAL:
                        progress(res)
            except BaseException:  # Ctrl-C or SIGTERM: stop the workers (and their kernels) now
                stop_pool(pool)
                raise
            pool.shutdown(wait=True)
    order = {job.province: i for i, job in enumerate(jobs)}
    return sorted(results, key=lambda r: order.get(r.province, 0))
