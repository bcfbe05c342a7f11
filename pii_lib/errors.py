"""Errors raised for bad input, worded in the user's language.

Every problem with a user's file or argument becomes an :class:`InputError`: a catalogue key
(``error.<key>`` in :mod:`pii_lib.present.wording`) with its arguments, and where it happened
(file, row or YAML key, column, value). The CLI prints its one-line message in the language of
:func:`~pii_lib.present.wording.current_lang` and exits with status 2. Several problems of one
file travel together as :class:`InputErrors` (one line each, at most :data:`MAX_LINES`).
"""

from __future__ import annotations

import re
from pathlib import Path

MAX_LINES = 50
_NO_VALUE = object()
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: object, limit: int = 80) -> str:
    """Text safe to echo on a terminal: control characters (ANSI escapes too) shown as ``\\xNN``,
    line breaks as spaces, cut at ``limit`` characters."""
    shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
    shown = shown.replace("\n", " ").replace("\r", " ")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class InputError(ValueError):
    """Bad input from a user file or argument (CLI exit code 2).

    Parameters
    ----------
    key
        What was expected, as a key under ``error.`` of the wording catalogue.
    file
        File the value came from, if any.
    row
        1-based line number in the file (header is line 1), or a key path for YAML.
    column
        Column name or key.
    value
        The offending value (omit when there is none).
    hint
        An extra catalogue key under ``error.hint.`` and its arguments, e.g.
        ``("did_you_mean", {"name": "Bắc Giang"})``.
    **args
        Arguments of the ``error.<key>`` template.
    """

    def __init__(self, key: str, /, *, file: str | Path | None = None,
                 row: int | str | None = None,
                 column: str | None = None, value: object = _NO_VALUE,
                 hint: tuple[str, dict] | None = None, **args: object) -> None:
        self.key = key
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.value = value
        self.hint = hint
        self.params = args
        super().__init__(key)

    @property
    def has_value(self) -> bool:
        """True when the error names an offending value."""
        return self.value is not _NO_VALUE

    def render(self, lang: str | None = None) -> str:
        """One-line message: ``file: row N, column 'c', value 'v': what was expected``."""
        from .present.wording import current_lang, wording

        w = wording(lang or current_lang())
        where = []
        if self.row is not None:
            where.append(w("error.where.row", row=self.row) if isinstance(self.row, int)
                         else w("error.where.key", key=visible(self.row)))
        if self.column is not None:
            where.append(w("error.where.column", column=visible(self.column)))
        if self.has_value:
            where.append(w("error.where.value", value=visible(self.value)))
        what = w(f"error.{self.key}", **{k: visible(v, 200) if isinstance(v, str) else v
                                         for k, v in self.params.items()})
        if self.hint:
            what += " " + w(f"error.hint.{self.hint[0]}", **self.hint[1])
        parts = [visible(self.file, 200)] if self.file else []
        if where:
            parts.append(", ".join(where))
        parts.append(what)
        return ": ".join(parts)

    @property
    def message(self) -> str:
        """The message in the current language."""
        return self.render()

    def __str__(self) -> str:
        return self.message

    def lines(self) -> list[str]:
        """The message as the lines the CLI prints (one for a single problem)."""
        return [self.message]

    def located(self, *, file: str | Path | None = None, row: int | str | None = None,
                column: str | None = None) -> "InputError":
        """This error with ``file``/``row``/``column`` filled in where it had none."""
        copy = InputError(self.key, file=self.file or file,
                          row=self.row if self.row is not None else row,
                          column=self.column if self.column is not None else column,
                          value=self.value, hint=self.hint, **self.params)
        return copy

    def with_file(self, file: str | Path) -> "InputError":
        """A copy that names ``file`` when the error did not yet name one."""
        return self.located(file=file)


class InputErrors(InputError):
    """Several problems of one input, reported together (each one line).

    Raised by readers that check a whole file before giving up, so that a user fixing a
    52-row sheet sees every problem at once.
    """

    def __init__(self, problems: list[InputError]) -> None:
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(first.key, file=first.file, row=first.row, column=first.column,
                         value=first.value, hint=first.hint, **first.params)

    def render(self, lang: str | None = None) -> str:
        """All problems, one per line (at most :data:`MAX_LINES`)."""
        return "\n".join(self.rendered_lines(lang))

    def rendered_lines(self, lang: str | None = None) -> list[str]:
        """One line per problem, and a last line counting those not shown."""
        from .present.wording import current_lang, wording

        shown = [p.render(lang) for p in self.problems[:MAX_LINES]]
        rest = len(self.problems) - MAX_LINES
        if rest > 0:
            shown.append(wording(lang or current_lang())("error.more_problems", n=rest))
        return shown

    def lines(self) -> list[str]:
        return self.rendered_lines()


class ProblemList:
    """Collects the problems of one input; ``raise_if_any()`` raises them together."""

    def __init__(self) -> None:
        self.problems: list[InputError] = []

    def add(self, error: InputError) -> None:
        """Record a problem (the problems of an :class:`InputErrors` are added one by one)."""
        self.problems.extend(error.problems if isinstance(error, InputErrors) else [error])

    def __len__(self) -> int:
        return len(self.problems)

    def raise_if_any(self) -> None:
        """Raise the single problem as is, several as :class:`InputErrors`."""
        if len(self.problems) == 1:
            raise self.problems[0]
        if self.problems:
            raise InputErrors(self.problems)
