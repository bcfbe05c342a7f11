"""What ``pii report`` does: one province, or every province of an edition.

* Options shared by every job (language, formats, renderer, data, output folder) are checked
  first: a problem there is bad input (exit 2) and nothing is written.
* With ``--all``, a province whose own inputs are bad (its params file) fails alone, listed
  with its cause; the others are written, then the national overview and the index (builtin)
  or the Quarto website (quarto). Unchanged provinces are skipped before any heavy import.
* A progress bar on stderr; paths, values and messages are printed as plain text.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, visible
from ..present.wording import say
from .jobs import NATIONAL, Job, JobResult, check_formats, check_job, check_options, up_to_date


def _announce(renderer_asked: str, renderer: str) -> None:
    from ..cli import err

    if renderer_asked == "auto":
        err(say("cli.renderer", renderer=renderer))


def report_one(args, data: tuple[str, ...], formats: tuple[str, ...]) -> int:
    """``pii report PROVINCE``: check, execute and render one report."""
    from ..cli import err, out
    from ..model.params import params_for
    from ..model.provinces import resolve_province
    from .render import resolve_renderer

    check_formats(formats)
    renderer = resolve_renderer(args.renderer)
    pid = resolve_province(args.province, args.edition)
    params = str(args.params) if args.params else params_for(pid, args.edition)
    job = Job(province=pid, edition=args.edition, lang=_lang(args), data=data,
              params_file=params, formats=formats, renderer=renderer, out_root=str(args.out),
              force=args.force)
    check_options(job)  # the output folder too, before looking for earlier outputs there
    skipped = up_to_date(job)
    if skipped is None:
        check_job(job)
        _announce(args.renderer, renderer)
        from .execute import run_job

        result = run_job(job)
    else:
        result = skipped
    if not result.ok:
        err(say("cli.failed", province=job.province, error=result.error))
        return 1
    if result.skipped:
        err(say("cli.skipped", province=job.province))
    for path in result.paths:
        out(path)
    return 0


def _lang(args) -> str:
    from ..present.wording import current_lang

    return args.lang or current_lang()


def wanted_provinces(only: str | None, edition: int) -> list[str]:
    """The provinces of ``--all`` (``--only`` names resolved, duplicates through aliases
    removed, order kept)."""
    from ..model.provinces import province_ids, resolve_province

    if only is None:
        return province_ids(edition)
    names = [p for p in only.split(",") if p.strip()]
    if not names:
        raise InputError("only_empty", column="--only", value=only)
    return list(dict.fromkeys(resolve_province(p.strip(), edition, column="--only")
                              for p in names))


def report_all(args, data: tuple[str, ...], formats: tuple[str, ...]) -> int:
    """``pii report --all``: every province in parallel, then the edition's pages."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, \
        TimeElapsedColumn

    from ..cli import err, out
    from ..model.params import params_for
    from .execute import run_batch
    from .render import resolve_renderer

    if args.params:
        raise InputError("params_with_all", column="--params", value=str(args.params))
    check_formats(formats)
    renderer = resolve_renderer(args.renderer)
    lang = _lang(args)
    base = Job(province="", edition=args.edition, lang=lang, data=data, formats=formats,
               renderer=renderer, out_root=str(args.out), force=args.force)
    check_options(base)
    wanted = wanted_provinces(args.only, args.edition)
    jobs, rejected = [], []
    site = renderer == "quarto"  # Quarto renders every page at the end, in one website render
    for pid in wanted:
        job = Job(province=pid, edition=args.edition, lang=lang, data=data,
                  params_file=params_for(pid, args.edition), formats=() if site else formats,
                  renderer=renderer, out_root=str(args.out), force=args.force)
        jobs.append(job)
    if all(up_to_date(job) is not None for job in jobs) and _pages_current(base, jobs):
        out(say("cli.summary", ok=len(jobs), total=len(jobs), skipped=len(jobs),
                index=str(_index_path(base))))
        return 0
    from ..data.layers import load_dataset

    load_dataset(list(data), args.edition)  # shared data: a problem here is bad input (exit 2)
    _announce(args.renderer, renderer)
    checked = []
    for job in jobs:
        try:
            checked.append(check_job(job))
        except InputError as exc:  # one province's bad params must not stop the others
            rejected.append(JobResult(province=job.province, ok=False, error=exc.message))
    # plain text only: no markup ("[/x]" in a path), no emoji codes (":bomb:"), no highlighting
    console = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)
    with Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=False) as progress:
        task = progress.add_task(say("cli.progress", edition=args.edition), total=len(jobs))

        def tick(result: JobResult) -> None:
            progress.advance(task)
            if not result.ok:
                progress.console.print(visible(say("cli.failed", province=result.province,
                                                   error=result.error), 10_000))

        for res in rejected:
            tick(res)
        results = run_batch(checked, n_jobs=args.jobs, progress=tick,
                            national=_national(base)) + rejected
    national = next((r for r in results if r.province == NATIONAL), None)
    results = [r for r in results if r is not national]
    failed = [r for r in results if not r.ok]
    pages = _edition_pages(base, jobs, results, national)
    failed += [p for p in pages if not p.ok]
    skipped = [r for r in results if r.skipped]
    out(say("cli.summary", ok=len(results) - len([r for r in results if not r.ok]),
            total=len(results), skipped=len(skipped), index=str(_index_path(base))))
    for r in failed:
        err(say("cli.failed", province=r.province, error=r.error))
    return 1 if failed else 0


def _index_path(base: Job) -> Path:
    from .jobs import edition_root
    from .quarto_site import site_dir

    if base.renderer == "quarto":
        return site_dir(base) / "index.html"
    name = "index.html" if base.lang == "vi" else f"index.{base.lang}.html"
    return edition_root(base) / name


def _national(base: Job):
    from .site import national_job

    return national_job(base.edition, base.data, base.lang, base.out_root,
                        () if base.renderer == "quarto" else base.formats, base.renderer,
                        base.force)


def _pages_current(base: Job, jobs: list[Job]) -> bool:
    """True when the national overview and the index (or the site) are up to date."""
    from .jobs import stamp_path
    from .quarto_site import site_current
    from .site import national_outputs_current, national_stamp

    national = _national(base)
    if not national_outputs_current(national):
        return False
    if base.renderer == "quarto":
        return site_current(base, [stamp_path(j) for j in jobs] + [national_stamp(national)])
    return _index_path(base).exists()


def _edition_pages(base: Job, jobs: list[Job], results: list[JobResult],
                   national: JobResult | None = None) -> list[JobResult]:
    """The national overview (unless the batch made it) and the index (builtin), or the
    Quarto website."""
    from .site import national_overview, write_index

    national_job = _national(base)
    if national is None:
        national = national_overview(national_job)
    if base.renderer != "quarto":
        write_index(base, results)
        return [national]
    if national.ok:
        try:
            _build_site(base, jobs, results, national_job)
        except Exception as exc:  # noqa: BLE001 - reported with the batch's failures
            from .execute import describe_error

            return [national, JobResult(province="site", ok=False, error=describe_error(exc))]
    return [national]


def _build_site(base: Job, jobs: list[Job], results: list[JobResult], national_job) -> None:
    from ..present.province import report_title
    from ..present.wording import wording
    from .execute import page_info
    from .jobs import stamp_path
    from .quarto_site import build_site, site_current, stamp_site
    from .site import national_page, national_stamp

    stamps = [stamp_path(j) for j in jobs] + [national_stamp(national_job)]
    if not base.force and site_current(base, stamps):
        return
    w = wording(base.lang)
    pages = {j.province: page_info(j, report_title(w, j.province, j.edition, j.kind == "demo"))
             for j in jobs}
    national_nb = national_stamp(national_job).with_name(f"{national_job.stem}.ipynb")
    build_site(base, results, national_nb, national_page(national_job), pages)
    stamp_site(base, stamps)
