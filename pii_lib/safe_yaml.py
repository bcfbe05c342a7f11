"""Reading YAML from users safely: a strict subset of YAML's safe loader.

Params files come from users, so the reader refuses, before any work and with a clear
:class:`~pii_lib.errors.InputError`: Python object tags (safe loading), a key given twice in one
mapping (YAML would silently keep the last value), more than :data:`MAX_ALIASES` alias uses (an
"alias bomb" expands to gigabytes), nesting deeper than :data:`MAX_DEPTH`, and text that is not
UTF-8. Dates stay text (``2024-02-30`` is then refused by the schema with the key that holds it,
not by YAML's date constructor).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from .errors import InputError

MAX_ALIASES = 20
MAX_DEPTH = 40


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

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        if self.check_event(AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused("yaml_aliases", self.peek_event().start_mark, n=MAX_ALIASES)
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
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("yaml_utf8", file=path) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - strict safe loader above
    except _Refused as exc:
        raise InputError(exc.key, file=path, row=exc.mark.line + 1, **exc.args_) from None
    except ConstructorError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError("yaml_tag", file=path, row=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError("yaml_invalid", file=path, row=mark.line + 1 if mark else None,
                         problem=problem) from None
    except RecursionError:
        raise InputError("yaml_depth", file=path, n=MAX_DEPTH) from None
