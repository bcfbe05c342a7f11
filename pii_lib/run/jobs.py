"""Report jobs: what to produce, where it goes, and whether it is already up to date.

* Outputs go to ``reports/<edition>/<province>/<province>.{ipynb,html,pdf}`` — English ones to
  ``<province>.en.*`` beside them, so the two languages never overwrite each other; demo data
  under ``reports/demo/…``, data stacks with imported files under ``reports/imported/…``.
* A job's **fingerprint** hashes everything its outputs depend on (data files, imported files,
  params, notebook, library source and wording, job options). Outputs whose stamp holds the same
  fingerprint are skipped; checking this needs no heavy import, so an unchanged rerun is fast.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import DATA_DIR, NOTEBOOK_DIR, __version__
from ..errors import InputError
from ..files import check_out_dir

PROVINCE_NOTEBOOK = NOTEBOOK_DIR / "province_report.ipynb"
NATIONAL_NOTEBOOK = NOTEBOOK_DIR / "national_overview.ipynb"
#: the pseudo-province of an edition's national overview (its folder, its batch results)
NATIONAL = "national"
LIB_DIR = Path(__file__).resolve().parent.parent
FORMATS = ("html", "pdf")
RENDERERS = ("auto", "builtin", "quarto")
LANGS = ("vi", "en")


@dataclass
class Job:
    """One report to produce."""

    province: str
    edition: int = 2023
    lang: str = "vi"
    data: tuple[str, ...] = ("published",)
    params_file: str = ""
    formats: tuple[str, ...] = FORMATS
    renderer: str = "builtin"
    out_root: str = "reports"
    force: bool = False

    @property
    def kind(self) -> str:
        """``published``, ``demo`` or ``imported`` (a stack with an imported layer)."""
        if list(self.data) == ["demo"]:
            return "demo"
        return "published" if all(d == "published" for d in self.data) else "imported"

    @property
    def stem(self) -> str:
        """File name stem of the outputs (``bac-giang``, ``bac-giang.en``)."""
        return self.province if self.lang == "vi" else f"{self.province}.{self.lang}"

    def parameters(self) -> dict:
        """The notebook's papermill parameters (absolute paths: the kernel runs elsewhere)."""
        return {"province": self.province, "edition": int(self.edition), "lang": self.lang,
                "data": ",".join(str(Path(d).resolve()) if d not in ("published", "demo")
                                 else d for d in self.data),
                "params_file": str(Path(self.params_file).resolve()) if self.params_file
                else ""}


@dataclass
class JobResult:
    """Outcome of one job."""

    province: str
    ok: bool
    paths: list[str] = field(default_factory=list)
    error: str = ""
    skipped: bool = False
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)


def edition_root(job: Job) -> Path:
    """Folder of an edition's outputs (demo and imported-data outputs kept apart)."""
    root = Path(job.out_root)
    if job.kind != "published":
        root = root / job.kind
    return root / str(job.edition)


def output_dir(job: Job) -> Path:
    """Folder of a job's outputs."""
    return edition_root(job) / job.province


def outputs(job: Job) -> list[Path]:
    """The files a job writes (notebook first)."""
    out = output_dir(job)
    return [out / f"{job.stem}.ipynb"] + [out / f"{job.stem}.{fmt}" for fmt in job.formats]


def stamp_path(job: Job) -> Path:
    """Where a job records the fingerprint of the inputs its outputs were made from."""
    return output_dir(job) / f".{job.stem}.inputs.json"


def _hash_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode("utf-8", "surrogateescape"))  # non-UTF-8 names too
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=16)
def _shared_hashes(data: tuple[str, ...], notebook: Path) -> tuple[str, str, str]:
    data_files = [p for p in DATA_DIR.rglob("*") if p.is_file() and p.suffix in (".csv", ".yaml")]
    for name in data:
        if name not in ("published", "demo") and Path(name).is_dir():
            data_files += list(Path(name).glob("*.csv"))
    lib = [p for p in LIB_DIR.rglob("*") if p.is_file()
           and p.suffix in (".py", ".typ", ".j2", ".yaml", ".css", ".js", ".lua")]
    return _hash_files(data_files), _hash_files(lib), _hash_files([notebook])


def fingerprint(job: Job, notebook: Path = PROVINCE_NOTEBOOK) -> dict:
    """Everything a report depends on, hashed (for incremental reruns)."""
    data_hash, lib_hash, nb_hash = _shared_hashes(tuple(job.data), notebook)
    options = {k: v for k, v in asdict(job).items() if k not in ("force", "out_root")}
    stamp = {"version": __version__, "data": data_hash, "lib": lib_hash, "notebook": nb_hash,
             "params": _hash_files([Path(job.params_file)]) if job.params_file else "",
             "job": options}
    return json.loads(json.dumps(stamp, sort_keys=True))  # as it reads back from disk


def is_current(stamp: Path, wanted: list[Path], expected: dict) -> bool:
    """True when every output exists and was made from inputs with this fingerprint."""
    if not (stamp.exists() and all(p.exists() for p in wanted)):
        return False
    try:
        return json.loads(stamp.read_text(encoding="utf-8")) == expected
    except (OSError, ValueError):
        return False


def up_to_date(job: Job) -> JobResult | None:
    """A skipped result when the job's outputs exist and its inputs are unchanged, else None."""
    wanted = outputs(job)
    if job.force or not is_current(stamp_path(job), wanted, fingerprint(job)):
        return None
    return JobResult(province=job.province, ok=True, skipped=True,
                     paths=[str(p) for p in wanted])


def check_formats(formats: tuple[str, ...]) -> None:
    """Check the ``--formats`` the user asked for (bad → ``InputError``)."""
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InputError("formats", column="--formats", value=",".join(bad or formats))


def check_options(job: Job) -> None:
    """Check the options every job of a run shares (bad → ``InputError``, nothing written)."""
    if job.lang not in LANGS:
        raise InputError("lang", column="--lang", value=job.lang)
    if job.renderer not in RENDERERS:
        raise InputError("renderer", column="--renderer", value=job.renderer)
    check_out_dir(job.out_root)


def check_job(job: Job) -> Job:
    """Validate a job's inputs before any work (bad input → ``InputError``, nothing written)."""
    from ..data.layers import load_dataset
    from ..model.params import load_params
    from ..model.provinces import resolve_province

    check_options(job)
    job.province = resolve_province(job.province, job.edition)
    load_dataset(list(job.data), job.edition)
    if job.params_file:
        params = load_params(job.params_file)
        if params.province != job.province:
            raise InputError("params_province", file=job.params_file, row="province",
                             value=params.province, province=job.province)
    return job
