"""``pii validate``: check any file the tool reads and say what it is.

Recognised: framework CSVs (have a ``parent`` column), raw indicator values
(``province_id, code, value``), tidy score tables (``year, province_id, level, code, …``),
params YAML files and import files (CSV/XLSX profiles).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..model.framework import edition_info, read_framework
from ..model.params import load_params
from ..present.wording import say
from .imported import read_profile
from .tables import read_raw_values, read_text_table, validate_tidy


def validate_path(path: Path, *, edition: int | None = None) -> str:
    """Validate ``path``; return a one-line summary or raise ``InputError``."""
    if not path.exists():
        raise InputError("file_exists", file=path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        params = load_params(path)
        return say("validate.params", province=params.province, targets=len(params.targets),
                   owners=len(params.responsibilities))
    if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".numbers"):
        tidy, _ = read_profile(path, edition=edition or 2023, province=None)
        return say("validate.profile", n=len(tidy))
    table = read_text_table(path)
    cols = set(table.columns)
    if "parent" in cols:
        if edition is not None:  # check against that edition's expected counts
            info = edition_info(edition)
            fw = read_framework(path, edition, complete=bool(info.get("complete", True)),
                                expected=info.get("expected_counts", {}), table=table)
        else:
            fw = read_framework(path, 0, complete=False, table=table)
        return say("validate.framework", n=len(fw.indicators))
    if {"year", "level"} <= cols:
        return say("validate.tidy", n=len(validate_tidy(table, path)))
    if {"province_id", "code", "value"} <= cols:
        year = edition or 2023
        raw = read_raw_values(path, year)
        return say("validate.raw", edition=year, provinces=raw["province_id"].nunique(),
                   indicators=raw["code"].nunique())
    raise InputError("file_kind", file=path, row=1, column=", ".join(table.columns[:4]))
