"""A hardened YAML loader: PyYAML's SafeLoader, narrowed to YAML 1.2 core rules through its own hooks.

What it changes, and why (each was a way to make the planner misread or exhaust itself on a file):

- **YAML 1.2 core scalars.** Only `true`/`false` (any case style) are booleans and only `~`/`null`
  is null; `yes`, `no`, `on`, `off`, `y`, `n` stay text, so `green_share_min_new: yes` is an error
  at its line instead of 1.0. No sexagesimal numbers (`1:30`), no `_` digit groups, no timestamps;
  `010` is ten and `0o10` eight.
- **Duplicate keys** in a mapping are an error (PyYAML silently keeps the last one).
- **Anchors, aliases and merge keys** (`&a`, `*a`, `<<:`) are refused: a 1 KB file of nested aliases
  ("billion laughs") expands to gigabytes, and none of the planner's files needs them.
- **Nesting** deeper than `MAX_DEPTH` levels is refused before PyYAML's recursive composer runs
  out of stack.

Every refusal is a `yaml.MarkedYAMLError` carrying the line, so callers report `file:line`.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

MAX_DEPTH = 20
"""Deepest nesting of mappings and lists accepted (the planner's own files use at most 5)."""

_CORE_RESOLVERS = (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
)


class HardenedLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core resolution, no aliases/anchors/merge keys, no duplicate keys, bounded depth."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class-level registry, rebuilt below

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        """Refuse aliases and anchors, and nesting deeper than MAX_DEPTH, before composing."""
        event = self.peek_event()  # type: ignore[no-untyped-call]  # unannotated in types-PyYAML
        if isinstance(event, yaml.AliasEvent):
            raise ComposerError(
                None,
                None,
                f"aliases (*{event.anchor}) are not allowed; write the value out",
                event.start_mark,  # type: ignore[arg-type]  # types-PyYAML: events may carry the C Mark, errors the Python one
            )
        if getattr(event, "anchor", None) is not None:
            raise ComposerError(
                None, None, f"anchors (&{event.anchor}) are not allowed; write the value out", event.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
            return super().compose_node(parent, index)  # type: ignore[arg-type]  # PyYAML passes a key node, the stubs say int
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping whose keys are unique and hashable, with no `<<` merge key."""
        if not isinstance(node, yaml.MappingNode):
            raise ConstructorError(None, None, f"expected a mapping, found {node.id}", node.start_mark)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or (
                isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<" and key_node.style is None
            ):
                raise ConstructorError(
                    None, None, "merge keys (<<) are not allowed; write the settings out", key_node.start_mark
                )
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                raise ConstructorError(
                    None, None, "a key must be a single value, not a list or mapping", key_node.start_mark
                ) from None
            if duplicate:
                raise ConstructorError(
                    None, None, f"duplicate key '{key}'; each key may appear once in a mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        """YAML 1.2 integers: decimal (leading zeros are decimal), 0o octal, 0x hexadecimal."""
        value = str(self.construct_scalar(node))
        try:
            if value.startswith("0o"):
                return int(value[2:], 8)
            if value.startswith("0x"):
                return int(value[2:], 16)
            return int(value)
        except ValueError as error:
            raise ConstructorError(None, None, f"cannot read the integer: {error}", node.start_mark) from None


for _tag, _pattern, _first in _CORE_RESOLVERS:
    HardenedLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
HardenedLoader.add_constructor("tag:yaml.org,2002:int", HardenedLoader.construct_yaml_int)


def load(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML document under the hardened rules; returns the data and its node tree (for lines)."""
    loader = HardenedLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def key_of(node: yaml.Node) -> Any:  # noqa: ANN401 - any YAML scalar
    """The value of a mapping key node under the same rules (years as int, names as str)."""
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        return node.value
    loader = HardenedLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
