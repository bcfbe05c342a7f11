"""``pii validate``: check any file the tool reads and say what it is.

Recognised: framework CSVs (have a ``parent`` column), raw indicator values
(``province_id, code, value``), tidy score tables (``year, province_id, level, code, …``),
params YAML files and import files (CSV/XLSX profiles).
"""

from __future__ import annotations

from pathlib import Path

from ..data.tables import read_raw_values, read_text_table, validate_tidy
from ..errors import InputError
from ..model.framework import read_framework


def validate_path(path: Path, *, edition: int | None = None) -> str:
    """Validate ``path``; return a one-line summary or raise ``InputError``."""
    if not path.exists():
        raise InputError("expected an existing file", file=path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        from ..model.params import load_params

        params = load_params(path)
        return (f"params for {params.province}: {len(params.targets)} target(s), "
                f"{len(params.responsibilities)} responsibility row(s)")
    if suffix == ".xlsx":
        from ..data.imported import read_profile

        table = read_profile(path, edition=edition or 2023, province=None)
        return f"import file with {len(table)} item(s)"
    table = read_text_table(path)
    cols = set(table.columns)
    if "parent" in cols:
        if edition is not None:  # check against that edition's expected counts
            from ..model.framework import edition_info

            info = edition_info(edition)
            fw = read_framework(path, edition, complete=bool(info.get("complete", True)),
                                expected=info.get("expected_counts", {}))
        else:
            fw = read_framework(path, 0, complete=False)
        return f"framework with {len(fw.indicators)} indicators"
    if {"year", "level"} <= cols:
        tidy = validate_tidy(table, path)
        return f"tidy scores, {len(tidy)} row(s)"
    if {"province_id", "code", "value"} <= cols:
        raw = read_raw_values(path, edition or 2023)
        return (f"raw indicator values for PII {edition or 2023}: {raw['province_id'].nunique()} "
                f"province(s), {raw['code'].nunique()} indicator(s)")
    raise InputError("expected a framework, raw-values (province_id, code, value), tidy scores "
                     "(year, province_id, level, code, …) or params file", file=path, row=1,
                     column=", ".join(table.columns[:4]), has_value=False)
