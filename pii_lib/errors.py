"""Errors raised for bad input.

Every problem with a user's file becomes an :class:`InputError` whose message names the
file, the row, the column, the bad value and what was expected — the CLI prints that one
line and exits with status 2.
"""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input from a user file or argument (CLI exit code 2).

    Parameters
    ----------
    what
        Short description of the problem (what was expected).
    file
        File the value came from, if any.
    row
        1-based line number in the file (header is line 1), or a key path for YAML.
    column
        Column name or key.
    value
        The offending value.
    """

    def __init__(
        self,
        what: str,
        *,
        file: str | Path | None = None,
        row: int | str | None = None,
        column: str | None = None,
        value: object = None,
        has_value: bool | None = None,
    ) -> None:
        self.what = what
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.value = value
        self.has_value = has_value if has_value is not None else value is not None
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One-line message: ``file: row N, column 'c': value 'v': expected …``."""
        parts = []
        if self.file:
            parts.append(self.file)
        where = []
        if self.row is not None:
            where.append(f"row {self.row}" if isinstance(self.row, int) else f"key {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.has_value:
            shown = repr(self.value) if not isinstance(self.value, str) else f"'{self.value}'"
            if len(shown) > 80:
                shown = shown[:77] + "…'"
            where.append(f"value {shown}")
        if where:
            parts.append(", ".join(where))
        parts.append(self.what)
        return ": ".join(parts).replace("\n", " ")

    def with_file(self, file: str | Path) -> "InputError":
        """Return a copy that names ``file`` when the error did not yet name one."""
        if self.file:
            return self
        return InputError(
            self.what, file=file, row=self.row, column=self.column, value=self.value,
            has_value=self.has_value,
        )
