"""Every hostile input of `cases_*.py` through the CLI: see harness.py for what each must do."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

from actionkg.graph.build import BuildResult

from . import __name__ as PACKAGE
from .harness import Case, run_case


def _cases() -> list[Case]:
    found: list[Case] = []
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("cases_"):
            found.extend(importlib.import_module(f"{PACKAGE}.{info.name}").CASES)
    names = [c.name for c in found]
    assert len(names) == len(set(names)), "case names must be unique"
    return found


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(case: Case, built: BuildResult, tmp_path: Path) -> None:
    run_case(case, tmp_path / "work", built.out)
