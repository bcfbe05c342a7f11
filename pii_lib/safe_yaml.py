"""Reading YAML from users safely: a strict subset of YAML's safe loader.

Params files come from users, so the reader refuses, before any work and with a clear
:class:`~pii_lib.errors.InputError`: Python object tags (safe loading), a key given twice in one
mapping (YAML would silently keep the last value), merge keys (``<<``: they hide which value
wins), more than :data:`MAX_ALIASES` alias uses (an "alias bomb" expands to gigabytes), nesting
deeper than :data:`MAX_DEPTH`, more than :data:`MAX_NODES` values or :data:`MAX_BYTES` bytes
(PyYAML is pure Python: a few megabytes take minutes), and text that is not UTF-8. Budgets are
counted while the file is composed, so a refused file costs milliseconds. Dates stay text
(``2024-02-30`` is then refused by the schema with the key that holds it, not by YAML's date
constructor). Syntax errors are worded from the catalogue (a tab in the indentation, an open
quote, …), naming the line.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from .errors import InputError, errno_name

MAX_ALIASES = 20
MAX_DEPTH = 40
MAX_NODES = 20_000          # the largest real params file (Bắc Giang, 17 targets) has 755
MAX_BYTES = 1024 * 1024     # and 38 kB


class _Refused(yaml.YAMLError):
    def __init__(self, error_key: str, mark, /, **args) -> None:
        super().__init__(error_key)
        self.key, self.mark, self.args_ = error_key, mark, args


class _StrictResolver(Resolver):
    """YAML 1.1 resolution without implicit timestamps (dates stay strings)."""


_StrictResolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()}


class _StrictComposer(Composer):
    def __init__(self) -> None:
        super().__init__()
        self._aliases = 0
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        if self.check_event(AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused("yaml_aliases", self.peek_event().start_mark, n=MAX_ALIASES)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused("yaml_nodes", self.peek_event().start_mark, n=MAX_NODES)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused("yaml_depth", self.peek_event().start_mark, n=MAX_DEPTH)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _StrictConstructor(SafeConstructor):
    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
        seen: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("yaml_merge", key_node.start_mark)
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError(None, None, "unhashable key", key_node.start_mark)
            if key in seen:
                raise _Refused("yaml_duplicate_key", key_node.start_mark, key=str(key),
                               first=seen[key] + 1)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


class _StrictLoader(Reader, Scanner, Parser, _StrictComposer, _StrictConstructor,
                    _StrictResolver):
    def __init__(self, stream) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _StrictComposer.__init__(self)
        _StrictConstructor.__init__(self)
        _StrictResolver.__init__(self)


def read_yaml(path: str | Path) -> object:
    """Parse a user's YAML file with the strict rules above.

    Raises
    ------
    InputError
        Naming the file and line, for unreadable, invalid or refused YAML.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("file_exists", file=path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError("file_too_large", file=path, mb=MAX_BYTES // 2 ** 20)
        blob = path.read_bytes()
    except OSError as exc:
        raise InputError("file_unreadable", file=path, reason=errno_name(exc)) from None
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("yaml_utf8", file=path, row=blob[:exc.start].count(b"\n") + 1) \
            from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - strict safe loader above
    except _Refused as exc:
        raise InputError(exc.key, file=path, row=exc.mark.line + 1, **exc.args_) from None
    except ConstructorError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError("yaml_tag", file=path, row=mark.line + 1 if mark else None) from None
    except ReaderError as exc:  # a character YAML does not allow (NUL, ESC …)
        raise InputError("yaml_character", file=path, row=text[:exc.position].count("\n") + 1,
                         value=chr(exc.character) if isinstance(exc.character, int)
                         else exc.character) from None
    except yaml.YAMLError as exc:
        key = _syntax_key(exc)
        mark = getattr(exc, "context_mark" if key == "yaml_quote" else "problem_mark", None)
        raise InputError(key, file=path, row=mark.line + 1 if mark else None) from None
    except RecursionError:
        raise InputError("yaml_depth", file=path, n=MAX_DEPTH) from None


def _syntax_key(exc: yaml.YAMLError) -> str:
    """The catalogue key of a YAML syntax error (PyYAML's own text is English only)."""
    problem = str(getattr(exc, "problem", "") or "")
    context = str(getattr(exc, "context", "") or "")
    if "'\\t'" in problem:
        return "yaml_tab"
    if "quoted scalar" in context:
        return "yaml_quote"
    if "undefined alias" in problem:
        return "yaml_alias_undefined"
    return "yaml_invalid"
