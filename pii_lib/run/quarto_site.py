"""A batch rendered by Quarto: one website project, one ``quarto render`` for every page.

``pii report --all --renderer quarto`` executes the province notebooks in parallel workers,
then builds a Quarto **website** for reviewers in ``reports/<edition>/site/``:

* a home page: the national overview with a sortable, filterable listing of every province
  (rank, name, region, score, links to its page and its A4 PDF);
* one page per province, with its PDF rendered in the same call (``pii-typst``);
* a sidebar (home page, then the provinces by region) and Quarto's search over every page;
* fully offline: the site's scripts and styles are local files (no CDN); after rendering,
  search and page scripts are made to work from a folder opened in a browser (``file://``):
  the search index is inlined as a script, and Quarto's module scripts are bundled into one
  classic script with the esbuild that ships with Quarto.

The Deno start-up of Quarto is paid once per batch. The site is rebuilt only when a page's
inputs changed, and replaced in one step (a killed run leaves the previous site in place).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import yaml

from ..files import TEMP_PREFIX, write_text_atomic
from ..model.provinces import province_table
from ..present.wording import wording
from .jobs import Job, JobResult, edition_root, outputs
from .kernels import run_dir
from .quarto import FORMAT, install_extension, interface, prepare_notebook, run_quartos
from .render import PageInfo

SITE_STAMP = ".pii-site.json"
_SEARCH_GUARD = 'if (window.location.protocol === "file:" && !shownWarning) {'
_SEARCH_FETCH = '    const response = await fetch(offsetURL("search.json"));'
_SEARCH_TAG = re.compile(r'<script src="([^"]*?)site_libs/quarto-search/quarto-search\.js">'
                         r'</script>')
_MODULE_TAG = re.compile(r'<script src="([^"]*?)site_libs/quarto-html/([\w/.-]+)\.js" '
                         r'type="module"></script>\n?')
BUNDLE = "quarto.bundle.js"


def site_dir(job: Job) -> Path:
    """Folder of an edition's website (``site``; ``site.en`` for the English one)."""
    return edition_root(job) / ("site" if job.lang == "vi" else f"site.{job.lang}")


def site_fingerprint(pages: list[Path], job: Job) -> str:
    """Hash of every page's inputs stamp and the site options."""
    digest = hashlib.sha256(json.dumps([job.lang, list(job.formats), job.kind]).encode())
    for stamp in sorted(pages):
        digest.update(stamp.read_bytes() if stamp.exists() else b"-")
    return digest.hexdigest()[:16]


def _page(job: Job, name: str, pdf: bool) -> dict:
    """Per-page format options: the site shares its libraries; a link to the page's PDF (which
    is rendered beside the site, see :func:`build_site`)."""
    w = wording(job.lang)
    html = {"embed-resources": False, "toc-location": "right", "format-links": False}
    page = {"format": {FORMAT["html"]: html}}
    if pdf:  # Quarto links other formats only where it rendered them in the same call
        page["other-links"] = [{"text": w("report.other_format"),
                                "href": f"{Path(name).stem}.pdf", "icon": "file-pdf"}]
    return page


def _listing(job: Job, rows: list[dict], pdf: bool) -> dict:
    w = wording(job.lang)
    fields = ["rank", "title", "region", "score"] + (["pdf"] if pdf else [])
    return {"listing": {
        "id": "provinces", "contents": "provinces.yml", "type": "table", "fields": fields,
        "field-display-names": {"rank": w("col.rank"), "title": w("col.province"),
                                "region": w("col.region"), "score": w("col.pii"),
                                "pdf": w("col.pdf")},
        "field-types": {"rank": "number"}, "sort": ["rank"],
        "sort-ui": ["rank", "title", "region", "score"], "filter-ui": ["title", "region"],
        "page-size": max(len(rows), 10), "table-striped": True, "table-hover": True}}


def _quarto_yml(job: Job, names: dict[str, str], regions: dict[str, list[str]],
                national: str) -> dict:
    w = wording(job.lang)
    title = w("national.site_title", edition=job.edition)
    if job.kind == "demo":
        title = w("demo.title_prefix") + title
    sidebar = [{"href": national, "text": w("national.index_national")}] + [
        {"section": region, "contents": [{"href": f"{pid}.ipynb", "text": names[pid]}
                                         for pid in pids]}
        for region, pids in regions.items()]
    return {"project": {"type": "website", "output-dir": "_site",
                        "render": [national] + [f"{p}.ipynb" for p in names]},
            "lang": job.lang, **interface(job.lang),
            "execute": {"enabled": False},
            "website": {"title": title, "page-navigation": False, "reader-mode": False,
                        "search": {"location": "sidebar", "type": "textbox", "limit": 20},
                        "sidebar": {"style": "docked", "search": True, "collapse-level": 1,
                                    "contents": sidebar}}}


def build_site(job: Job, results: list[JobResult], national_nb: Path,
               national_page: PageInfo, pages: dict[str, PageInfo]) -> Path:
    """Render the website of an edition from executed notebooks: one ``quarto render`` of the
    website (HTML) and, at the same time, one of the provinces' PDFs in a plain project beside
    it (Quarto renders on one core; two processes use both). The PDFs are then copied in.

    Parameters
    ----------
    job
        The batch's shared options (edition, language, data, formats).
    results
        The province jobs' results (their executed notebooks are used when ``ok``).
    national_nb, national_page
        The executed national overview notebook and its page furniture (the home page).
    pages
        Page furniture of every province page, by province id.
    """
    from ..data.layers import load_dataset
    from ..method.context import edition_context

    w = wording(job.lang)
    pdf = "pdf" in job.formats
    table = province_table(job.edition).set_index("id")
    done = [r.province for r in results if r.ok and r.province in pages]
    work = run_dir() / f"site-{job.edition}-{job.lang}"
    pdf_work = work.with_name(work.name + "-pdf")
    for folder in (work, pdf_work) if pdf else (work,):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        install_extension(folder)
    ctx = edition_context(load_dataset(list(job.data), job.edition))
    rows, names, regions = [], {}, {}
    for pid in done:
        nb_path = outputs(Job(province=pid, edition=job.edition, lang=job.lang, data=job.data,
                              out_root=job.out_root, formats=()))[0]
        executed = nbformat.read(nb_path, as_version=4)
        nb = prepare_notebook(executed, pages[pid], ["html"], _page(job, f"{pid}.ipynb", pdf))
        nbformat.write(nb, str(work / f"{pid}.ipynb"))
        if pdf:
            nbformat.write(prepare_notebook(executed, pages[pid], ["pdf"]),
                           str(pdf_work / f"{pid}.ipynb"))
        names[pid] = str(table.at[pid, "name_vi"])
        region = str(table.at[pid, "region_name_vi" if job.lang == "vi" else "region_name_en"])
        regions.setdefault(region, []).append(pid)
        rank, score = ctx.get("rank", pid, "PII"), ctx.get("score", pid, "PII")
        rows.append({"title": names[pid], "path": f"{pid}.ipynb",
                     "rank": int(rank) if rank is not None else None, "region": region,
                     "score": w.number(score), **({"pdf": f"[PDF]({pid}.pdf)"} if pdf else {})})
    home = prepare_notebook(nbformat.read(national_nb, as_version=4), national_page, ["html"],
                            {**_listing(job, rows, pdf),
                             "format": {FORMAT["html"]: {"embed-resources": False,
                                                         "toc-location": "right"}}})
    home.cells.insert(1, nbformat.v4.new_markdown_cell(
        f"{w('national.index_lead', n=len(rows))}\n\n::: {{#provinces}}\n:::\n"))
    nbformat.write(home, str(work / "index.ipynb"))
    (work / "provinces.yml").write_text(yaml.safe_dump(rows, allow_unicode=True,
                                                       sort_keys=False), encoding="utf-8")
    (work / "_quarto.yml").write_text(yaml.safe_dump(_quarto_yml(job, names, regions,
                                                                 "index.ipynb"),
                                                     allow_unicode=True, sort_keys=False),
                                      encoding="utf-8")
    calls = [(["render", "--no-execute", "--quiet"], work)]
    if pdf:
        (pdf_work / "_quarto.yml").write_text(yaml.safe_dump(
            {"project": {"type": "default", "render": [f"{p}.ipynb" for p in names]},
             "lang": job.lang, **interface(job.lang), "execute": {"enabled": False}},
            allow_unicode=True, sort_keys=False), encoding="utf-8")
        calls.append((["render", "--no-execute", "--quiet"], pdf_work))
    run_quartos(calls, national_page.created)
    for pid in names if pdf else ():
        shutil.copyfile(pdf_work / f"{pid}.pdf", work / "_site" / f"{pid}.pdf")
    make_offline(work / "_site")
    return replace_dir(work / "_site", site_dir(job))


def replace_dir(built: Path, target: Path) -> Path:
    """Move a built folder into place in one rename (the old one removed after)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.parent / f"{TEMP_PREFIX}{target.name}.new"
    old = target.parent / f"{TEMP_PREFIX}{target.name}.old"
    for leftover in (staged, old):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(built, staged)
    if target.exists():
        os.replace(target, old)
    os.replace(staged, target)
    shutil.rmtree(old, ignore_errors=True)
    return target / "index.html"


def esbuild() -> str:
    """The esbuild that ships with Quarto (or one on PATH)."""
    quarto = shutil.which("quarto")
    roots = [Path(os.path.realpath(quarto)).parent] if quarto else []
    for cand in [os.environ.get("QUARTO_ESBUILD")] + [
            str(r / "tools" / sub / "esbuild") for r in roots for sub in ("x86_64", "aarch64",
                                                                         "")] + \
            [shutil.which("esbuild")]:
        if cand and Path(cand).is_file():
            return cand
    raise RuntimeError("esbuild (shipped with Quarto) not found")


def make_offline(site: Path) -> None:
    """Make search and page scripts work from ``file://`` (see the module docstring)."""
    lib = site / "site_libs" / "quarto-search"
    if (site / "search.json").exists() and lib.exists():
        index = json.loads((site / "search.json").read_text(encoding="utf-8"))
        payload = json.dumps(index, ensure_ascii=False).replace("<", "\\u003c")
        (lib / "search-index.js").write_text(f"window.quartoSearchData = {payload};\n",
                                             encoding="utf-8")
        js_path = lib / "quarto-search.js"
        js = js_path.read_text(encoding="utf-8")
        if "window.quartoSearchData" not in js:
            if _SEARCH_GUARD not in js or _SEARCH_FETCH not in js:
                raise RuntimeError("quarto-search.js is not the version this tool patches")
            js = js.replace(_SEARCH_GUARD, _SEARCH_GUARD.replace(
                "&& !shownWarning", "&& !window.quartoSearchData && !shownWarning"), 1)
            js = js.replace(_SEARCH_FETCH, (
                "    if (window.quartoSearchData) { /* pii: inlined index, works from file:// */"
                "\n      window.quartoSearchData.forEach(function (d) { fuse.add(d); });"
                "\n      fuseIndex = fuse;\n      return fuseIndex;\n    }\n" + _SEARCH_FETCH), 1)
            js_path.write_text(js, encoding="utf-8")
    entry = site / "site_libs" / "quarto-html" / "quarto.js"
    if entry.exists():
        subprocess.run([esbuild(), str(entry), "--bundle", "--format=iife",
                        "--log-level=warning", "--external:https://*",
                        f"--outfile={entry.with_name(BUNDLE)}"], check=True)
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        new = _SEARCH_TAG.sub(lambda m: f'<script src="{m.group(1)}site_libs/quarto-search/'
                              f'search-index.js"></script>\n{m.group(0)}', html, count=1) \
            if "search-index.js" not in html and (lib / "search-index.js").exists() else html
        modules = _MODULE_TAG.findall(new)
        if modules:
            new = _MODULE_TAG.sub("", new).replace(
                "</head>", f'<script defer src="{modules[0][0]}site_libs/quarto-html/{BUNDLE}">'
                           f'</script>\n</head>', 1)
        if new != html:
            page.write_text(new, encoding="utf-8")


def site_current(job: Job, stamps: list[Path]) -> bool:
    """True when the site exists and was built from these pages' inputs."""
    stamp = site_dir(job) / SITE_STAMP
    try:
        return (site_dir(job) / "index.html").exists() and \
            json.loads(stamp.read_text(encoding="utf-8"))["inputs"] == \
            site_fingerprint(stamps, job)
    except (OSError, ValueError, KeyError):
        return False


def stamp_site(job: Job, stamps: list[Path]) -> None:
    """Record the inputs the site was built from."""
    write_text_atomic(site_dir(job) / SITE_STAMP,
                      json.dumps({"inputs": site_fingerprint(stamps, job)}))
