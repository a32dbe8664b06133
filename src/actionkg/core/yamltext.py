"""YAML texts read by libyaml where PyYAML has it, with PyYAML's own messages for a text it refuses.

libyaml reads the registry and the manifests ten times faster than PyYAML's pure-Python loader, to the
same data and the same line numbers (both use PyYAML's safe constructor), but words its syntax errors
differently: a text libyaml refuses is read again by the pure-Python loader, whose error is raised.
"""

from __future__ import annotations

from typing import Any

import yaml

_FAST: Any = getattr(yaml, "CSafeLoader", None)


def safe_load(text: str) -> Any:
    if _FAST is not None:
        try:
            return yaml.load(text, Loader=_FAST)  # CSafeLoader: the safe constructor, libyaml's parser
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def _read(text: str, loader: Any) -> tuple[yaml.Node | None, Any]:
    reader = loader(text)
    try:
        root = reader.get_single_node()
        return root, (reader.construct_document(root) if root is not None else None)
    finally:
        reader.dispose()


def nodes_and_data(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for the line each item starts on) and the data built from it: the text parsed once."""
    if _FAST is not None:
        try:
            return _read(text, _FAST)
        except yaml.YAMLError:
            pass
    return _read(text, yaml.SafeLoader)


def compose(text: str) -> yaml.Node | None:
    """The node tree, for the line each item starts on."""
    if _FAST is not None:
        try:
            return yaml.compose(text, Loader=_FAST)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)
