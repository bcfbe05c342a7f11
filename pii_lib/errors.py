"""Errors raised for bad input, worded in the user's language.

Every problem with a user's file or argument becomes an :class:`InputError`: a catalogue key
(``error.<key>`` in :mod:`pii_lib.present.wording`) with its arguments, and where it happened
(file, row or YAML key, column, value). The CLI prints its one-line message in the language of
:func:`~pii_lib.present.wording.current_lang` and exits with status 2. Several problems of one
file travel together as :class:`InputErrors` (one line each, at most :data:`MAX_LINES`, then a
line counting the others).

Everything echoed from input goes through :func:`visible` first, so that a file name, a value or
a message can never move the cursor, recolour the terminal, reorder text or fake a line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

MAX_LINES = 50
Hint = tuple[str, dict] | Callable[[], tuple[str, dict] | None] | None
_NO_VALUE = object()
#: C0 and C1 control characters (ANSI escapes start with one), except tab and line feed
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: the same, carriage return allowed (line ends inside quoted CSV fields)
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: characters that reorder or hide the text around them (bidirectional embeddings, overrides
#: and isolates), lone surrogates (undecodable bytes of a file name) and non-characters
_UNSAFE = re.compile("[\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def _shown(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a non-UTF-8 file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object, limit: int = 80) -> str:
    """Text safe to echo on a terminal: control characters (ANSI escapes too) shown as ``\\xNN``,
    bidirectional controls as ``\\uNNNN``, undecodable bytes of file names as ``\\xNN``, line
    breaks as spaces, cut at ``limit`` characters.

    Examples
    --------
    >>> print(visible("red\\x1b[31m!\\nnext"))
    red\\x1b[31m! next
    """
    shown = str(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    shown = _UNSAFE.sub(lambda m: _shown(m.group()), shown)
    shown = _CONTROL.sub(lambda m: _shown(m.group()), shown)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def has_unsafe_characters(text: str) -> bool:
    """True when ``text`` holds a control character other than tab and line breaks, a
    bidirectional control, a lone surrogate or a non-character (what :func:`visible` shows
    escaped; such text is refused in params and imported files: it cannot be stored in XLSX or
    DOCX and could reorder or recolour what a reader sees)."""
    return bool(_CONTROL_IN_TEXT.search(text) or _UNSAFE.search(text))


def errno_name(exc: OSError) -> str:
    """A language-free name of an operating-system error (``EACCES``, ``ENAMETOOLONG`` …):
    the system's own message is in English whatever the user's language."""
    import errno

    return errno.errorcode.get(exc.errno or 0, exc.__class__.__name__)


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
        ``("did_you_mean", {"name": "Bắc Giang"})``, or a function returning one (or None),
        called only when the message is shown: a file with thousands of bad rows pays for the
        suggestions of the lines printed, not of every row.
    **args
        Arguments of the ``error.<key>`` template.
    """

    def __init__(self, key: str, /, *, file: str | Path | None = None,
                 row: int | str | None = None,
                 column: str | None = None, value: object = _NO_VALUE,
                 hint: Hint = None, **args: object) -> None:
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
        hint = self.hint() if callable(self.hint) else self.hint
        if hint:
            what += " " + w(f"error.hint.{hint[0]}", **{k: visible(v, 200) if isinstance(v, str)
                                                         else v for k, v in hint[1].items()})
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

    def __reduce__(self):
        """Pickle support (errors cross process boundaries in batches): a lazy hint is
        resolved first, as functions defined inside others cannot be pickled."""
        state = dict(self.__dict__)
        if callable(state.get("hint")):
            state["hint"] = state["hint"]()
        return _rebuild, (type(self), self.args, state)


def _rebuild(cls: type, args: tuple, state: dict) -> InputError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class InputErrors(InputError):
    """Several problems of one input, reported together (each one line).

    Raised by readers that check a whole file before giving up, so that a user fixing a
    52-row sheet sees every problem at once. At most :data:`MAX_LINES` problems are kept; the
    others are counted (``more``) and announced on a last line ("… and N more problems").
    """

    def __init__(self, problems: list[InputError], more: int = 0) -> None:
        self.problems = list(problems[:MAX_LINES])
        self.more = more + max(0, len(problems) - MAX_LINES)
        first = self.problems[0]
        super().__init__(first.key, file=first.file, row=first.row, column=first.column,
                         value=first.value, hint=first.hint, **first.params)

    def __len__(self) -> int:
        return len(self.problems) + self.more

    def render(self, lang: str | None = None) -> str:
        """All problems, one per line (at most :data:`MAX_LINES`, then a count of the rest)."""
        return "\n".join(self.rendered_lines(lang))

    def rendered_lines(self, lang: str | None = None) -> list[str]:
        """One line per problem, and a last line counting those not shown."""
        from .present.wording import current_lang, wording

        shown = [p.render(lang) for p in self.problems]
        if self.more > 0:
            shown.append(wording(lang or current_lang())("error.more_problems", n=self.more))
        return shown

    def lines(self) -> list[str]:
        return self.rendered_lines()


class ProblemList:
    """Collects the problems of one input; ``raise_if_any()`` raises them together.

    Only the first :data:`MAX_LINES` are kept; later ones are only counted, so that checking a
    100,000-row file full of mistakes stays fast and small.
    """

    def __init__(self) -> None:
        self.problems: list[InputError] = []
        self.more = 0

    def add(self, error: InputError) -> None:
        """Record a problem (the problems of an :class:`InputErrors` are added one by one)."""
        if isinstance(error, InputErrors):
            items, self.more = error.problems, self.more + error.more
        else:
            items = [error]
        for item in items:
            if len(self.problems) < MAX_LINES:
                self.problems.append(item)
            else:
                self.more += 1

    def __len__(self) -> int:
        return len(self.problems) + self.more

    def raise_if_any(self) -> None:
        """Raise the single problem as is, several as :class:`InputErrors`."""
        if len(self) == 1:
            raise self.problems[0]
        if self.problems:
            raise InputErrors(self.problems, more=self.more)
