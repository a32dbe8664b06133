"""Package data located with importlib.resources, so an installed wheel works from anywhere."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def ontology_file(name: str) -> Traversable:
    return files("actionkg.ontology") / name


def data_file(*parts: str) -> Traversable:
    node = files("actionkg.data")
    for part in parts:
        node = node / part
    return node


def queries_dir() -> Traversable:
    return files("actionkg.queries")
