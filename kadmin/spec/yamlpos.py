"""YAML text → plain Python data, with the line and column of every key and value.

Owns reading YAML and nothing after it. pyyaml composes nodes (with LibYAML's C parser
when it is installed); this module walks them once and builds dicts, lists and scalars
plus a `Positions` map from each path to where it was written. Along the way it reports
what pyyaml would let slip by silently:

- a key given twice in one mapping (pyyaml keeps the last one without a word);
- merge keys (``<<``), non-text keys, explicit tags (``!!int "3"``), recursive aliases;
- a document that expands to more than `MAX_VALUES` values, as an alias bomb ("billion
  laughs": each alias repeating the one before) does from a few lines, or that nests
  deeper than the parser can follow; both stop the walk instead of exhausting memory.

Keys are always read as the text written (``2024:`` is the topic "2024", ``on:`` is
"on"); scalar values follow YAML 1.1 as pyyaml's safe loader does, except that
timestamps and base-60 numbers (``1:30``) stay text. `${VAR}` in a value is expanded
(see `interpolate`); an unquoted value is typed after expansion, so ``partitions:
${N:-12}`` is the integer 12 while ``"${N:-12}"`` stays the text "12".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
import yaml.reader
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from kadmin.core.errors import KadminError, Location
from kadmin.spec.interpolate import InterpolationError, expand

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - LibYAML is optional; the pure-Python loader is only slower
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]

_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = _T + "str", _T + "int", _T + "float", _T + "bool", _T + "null"
_TIMESTAMP, _MERGE, _MAP, _SEQ = _T + "timestamp", _T + "merge", _T + "map", _T + "seq"


def _resolve_tag(text: str) -> str:
    """The tag YAML 1.1 gives an unquoted scalar with this text (int, bool, float, ...)."""
    tag: str = _RESOLVER.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag


_RESOLVER = Resolver()


def format_path(path: Path) -> str:
    """``("topics", "orders", "configs")`` → ``topics.orders.configs``; list items as ``[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out = f"{out}.{part}" if out else part
    return out


class Positions:
    """Where each path of one document was written: its value, and its key if it has one."""

    __slots__ = ("_keys", "_values", "file")

    def __init__(self, file: str) -> None:
        self.file = file
        self._values: dict[Path, tuple[int, int]] = {}
        self._keys: dict[Path, tuple[int, int]] = {}

    def value(self, path: Path) -> Location:
        """The value at `path`, or the nearest enclosing one that was written down."""
        probe = path
        while probe not in self._values and probe:
            probe = probe[:-1]
        line, column = self._values.get(probe, (1, 1))
        return Location(self.file, line, column, format_path(path))

    def key(self, path: Path) -> Location:
        """The key that introduces `path` (falls back to its value)."""
        spot = self._keys.get(path)
        if spot is None:
            return self.value(path)
        return Location(self.file, spot[0], spot[1], format_path(path))


@dataclass(slots=True)
class Document:
    """One YAML document of a spec file, as data with positions.

    `reported` holds paths already reported as broken while reading (a missing
    variable, a duplicate key), so that later checks do not report them twice.
    """

    file: str
    data: Any
    positions: Positions
    reported: set[Path] = field(default_factory=set)
    _covered: tuple[int, frozenset[Path]] = (0, frozenset())

    def broken(self, path: Path) -> bool:
        """A problem was reported at `path` or at a value enclosing it."""
        return bool(self.reported) and any(path[:n] in self.reported for n in range(len(path) + 1))

    def sound(self, path: Path) -> bool:
        """Nothing was reported at `path`, inside it, or at a value enclosing it."""
        if not self.reported:
            return True
        if self._covered[0] != len(self.reported):
            # Every prefix of a reported path: `path` in it means a problem at or below `path`.
            self._covered = (
                len(self.reported),
                frozenset(p[:n] for p in self.reported for n in range(len(p) + 1)),
            )
        if path in self._covered[1]:
            return False
        return not any(path[:n] in self.reported for n in range(len(path)))


MAX_VALUES = 1_000_000
"""Values (scalars, lists, mappings) one document may hold; 10,000 topics with a few configs each
are about 100,000."""
MAX_ALIAS_USES = 10_000
"""Times one document may repeat a list or mapping through an alias (``*name``); an alias bomb of
nine lines, each alias repeating the one before ten times, asks for 10**9."""

# A node whose text starts with a tag (after an optional anchor) was tagged by its author.
_EXPLICIT_TAG = re.compile(r"(?:&\S+\s+)?!")


class _TooLarge(Exception):
    """The walk of a document passed `MAX_VALUES` or `MAX_ALIAS_USES`; the message says which."""


def read_yaml(
    file: str, text: str, env: Mapping[str, str], unused: Callable[[Path], bool] = lambda _: False
) -> tuple[list[Document], list[KadminError]]:
    """Every document in `text` (a file named `file`), and the problems met reading it.

    A variable that is not set is no problem at a path `unused` accepts (another
    environment's block): the value is left unexpanded and marked reported, so that no
    later check reads it.
    """
    documents: list[Document] = []
    problems: list[KadminError] = []
    lines = text.splitlines()
    try:
        for root in yaml.compose_all(text, Loader=_Loader):
            if root is None:
                continue
            walker = _Walker(file, env, problems, lines, unused)
            try:
                data = walker.walk(root, ())
            except _TooLarge as err:
                problems.append(
                    KadminError(
                        str(err),
                        where=Location(file, root.start_mark.line + 1, root.start_mark.column + 1),
                        hint="share settings with profiles: and defaults:, or split the spec into files",
                    )
                )
                continue
            documents.append(Document(file, data, walker.positions, walker.reported))
    except RecursionError:
        problems.append(
            KadminError(
                "nests lists or mappings too deeply to be a spec",
                where=Location(file, 1, 1),
                hint="a spec nests a few levels deep; check the file is the one you meant",
            )
        )
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        hint = "check the indentation and quoting on this line and the one before"
        near = text.splitlines()[max(0, line - 2) : line]
        if any("${" in row for row in near):
            # In flow style ({a: b}, [a, b]) a plain value ends at '{' or '}', so ${VAR} needs block style.
            hint = (
                "inside {...} or [...], a ${VAR} value must be quoted (which makes it text); use block style"
            )
        problems.append(
            KadminError(
                f"is not valid YAML: {err.problem or err.context}",
                where=Location(file, line, column),
                hint=hint,
            )
        )
    except yaml.reader.ReaderError as err:
        # A control character such as NUL, which YAML forbids; the reader gives a position, not a line.
        line = text.count("\n", 0, err.position) + 1
        column = err.position - (text.rfind("\n", 0, err.position) + 1) + 1
        code = err.character if isinstance(err.character, int) else ord(err.character)
        problems.append(
            KadminError(
                f"is not valid YAML: holds the control character U+{code:04X} ({err.reason})",
                where=Location(file, line, column),
                hint="remove it; a spec is plain UTF-8 text",
            )
        )
    except yaml.YAMLError as err:  # pragma: no cover - other errors carry a mark
        problems.append(
            KadminError(f"is not valid YAML: {err}", where=Location(file, 1, 1), hint="save it as UTF-8")
        )
    return documents, problems


def _is_password(path: Path) -> bool:
    """``users.NAME.password`` and ``environments.ENV.overrides.users.NAME.password``: kept as
    written (``${VAR}``), so the spec holds no password."""
    if len(path) == 6 and path[0] == "environments" and path[2] == "overrides":
        path = path[3:]
    return len(path) == 3 and path[0] == "users" and path[2] == "password"


class _Walker:
    """Builds data from nodes, recording positions and problems as it goes."""

    _constructor = SafeConstructor()

    def __init__(
        self,
        file: str,
        env: Mapping[str, str],
        problems: list[KadminError],
        lines: list[str],
        unused: Callable[[Path], bool],
    ) -> None:
        self.positions = Positions(file)
        self.reported: set[Path] = set()
        self._env = env
        self._unused = unused
        self._problems = problems
        self._active: set[int] = set()
        self._lines = lines
        self._count = 0
        self._walked: set[int] = set()
        self._alias_uses = 0

    def walk(self, node: Node, path: Path) -> Any:
        self._count += 1
        if self._count > MAX_VALUES:
            raise _TooLarge(f"holds more than {MAX_VALUES:,} values")
        if not isinstance(node, ScalarNode):
            if id(node) in self._walked:
                self._alias_uses += 1
                if self._alias_uses > MAX_ALIAS_USES:
                    raise _TooLarge(
                        f"repeats lists or mappings through YAML aliases more than {MAX_ALIAS_USES:,} times "
                        "(aliases that repeat each other expand exponentially)"
                    )
            self._walked.add(id(node))
        self.positions._values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if self._tagged(node):
            hint = 'remove the tag: specs use plain YAML values (write 3, not !!int "3")'
            self._report(path, f"has an explicit YAML tag ({node.tag.replace(_T, '!!')})", hint)
            return None
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in self._active:
            self._report(path, "is a recursive alias", "expand the alias by hand")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                self._check_tag(node, _MAP, path)
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                self._check_tag(node, _SEQ, path)
                return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self._active.discard(id(node))
        return None  # pragma: no cover - pyyaml has no other node kinds

    def _mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first: dict[str, ScalarNode] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                message, hint = "has a key that is a list or a mapping", "keys must be plain text"
                self._report_at(key_node, path, message, hint, settles=(*path, "?"))
                continue
            key = key_node.value
            child = (*path, key)
            if key_node.tag == _MERGE:
                hint = "share settings with defaults: or profiles: instead"
                self._report_at(key_node, path, "uses a YAML merge key (<<)", hint, settles=child)
                continue
            if key in first:
                earlier = first[key].start_mark
                self._report_at(
                    key_node,
                    child,
                    f"is a duplicate key (first at line {earlier.line + 1}, column {earlier.column + 1})",
                    "remove one of them: YAML parsers silently keep only the last",
                    settles=None,  # the first one stays in the data and is checked as usual
                )
                continue
            first[key] = key_node
            self.positions._keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.walk(value_node, child)
        return result

    def _scalar(self, node: ScalarNode, path: Path) -> Any:
        tag, text = node.tag, node.value
        if tag == _STR and _is_password(path):
            # A password is named, never expanded into the spec: the variable is read when needed.
            return text
        if tag == _STR and "${" in text:
            try:
                text = expand(text, self._env)
            except InterpolationError as err:
                if err.unset and self._unused(path):
                    self.reported.add(path)
                else:
                    self._report(path, err.message, err.hint)
                return text
            if node.style:  # quoted: stays text whatever it expands to
                return text
            tag = _resolve_tag(text)
        if tag in (_STR, _TIMESTAMP, _MERGE):
            return text
        if tag in (_INT, _FLOAT) and ":" in text:
            return text  # YAML 1.1 base-60 (1:30 == 90): never what a spec means
        typed = ScalarNode(tag, text)
        if tag == _INT:
            return self._constructor.construct_yaml_int(typed)
        if tag == _FLOAT:
            return self._constructor.construct_yaml_float(typed)
        if tag == _BOOL:
            return self._constructor.construct_yaml_bool(typed)
        if tag == _NULL:
            return None
        self._report(
            path, f"has an unsupported YAML tag {tag}", "remove the tag; specs use plain YAML values"
        )
        return text

    def _tagged(self, node: Node) -> bool:
        mark = node.start_mark
        line = self._lines[mark.line] if mark.line < len(self._lines) else ""
        return bool(_EXPLICIT_TAG.match(line, mark.column))

    def _check_tag(self, node: Node, expected: str, path: Path) -> None:
        if node.tag != expected:
            self._report(
                path, f"has an unsupported YAML tag {node.tag}", "remove the tag; specs use plain YAML values"
            )

    def _report(self, path: Path, message: str, hint: str) -> None:
        self.reported.add(path)
        self._problems.append(KadminError(message, where=self.positions.value(path), hint=hint))

    def _report_at(self, node: Node, path: Path, message: str, hint: str, *, settles: Path | None) -> None:
        """Report at `node`, about `path`; `settles` is marked reported, so later checks skip it.

        Settling a path below the mapping (not the mapping itself) keeps the mapping's other
        keys checked while telling `Document.sound` that the mapping is not whole.
        """
        if settles is not None:
            self.reported.add(settles)
        where = Location(
            self.positions.file, node.start_mark.line + 1, node.start_mark.column + 1, format_path(path)
        )
        self._problems.append(KadminError(message, where=where, hint=hint))
