"""YAML texts read by libyaml where PyYAML has it, with PyYAML's own messages for a text it refuses.

libyaml reads the registry and the manifests ten times faster than PyYAML's pure-Python loader, to the
same data and the same line numbers (both use PyYAML's safe constructor), but words its syntax errors
differently: a text libyaml refuses is read again by the pure-Python loader, whose error is raised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import yaml

_FAST: Any = getattr(yaml, "CSafeLoader", None)
T = TypeVar("T")


def _either(read: Callable[[Any], T]) -> T:
    """`read(loader)` with libyaml's safe loader; where libyaml refuses the text, with PyYAML's own (its error)."""
    if _FAST is not None:
        try:
            return read(_FAST)  # CSafeLoader: the safe constructor, libyaml's parser
        except yaml.YAMLError:
            pass
    return read(yaml.SafeLoader)


def safe_load(text: str) -> Any:
    return _either(lambda loader: yaml.load(text, Loader=loader))  # safe loaders only: _FAST or SafeLoader


def _read(text: str, loader: Any) -> tuple[yaml.Node | None, Any]:
    reader = loader(text)
    try:
        root = reader.get_single_node()
        return root, (reader.construct_document(root) if root is not None else None)
    finally:
        reader.dispose()


def nodes_and_data(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for the line each item starts on) and the data built from it: the text parsed once."""
    return _either(lambda loader: _read(text, loader))


def compose(text: str) -> yaml.Node | None:
    """The node tree, for the line each item starts on."""
    return _either(lambda loader: yaml.compose(text, Loader=loader))
