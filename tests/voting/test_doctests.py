"""Every module of dualpower.voting runs its doctests (each public function shows how)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import dualpower.voting

MODULES = [
    "dualpower.voting",
    *sorted(
        f"dualpower.voting.{m.name}"
        for m in pkgutil.iter_modules(dualpower.voting.__path__)
        if m.name != "__main__"  # running it would start the command
    ),
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests_pass(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"


def test_every_public_function_has_a_doctest_and_a_complexity_line() -> None:
    finder = doctest.DocTestFinder()
    for name in dualpower.voting.__all__:
        obj = getattr(dualpower.voting, name)
        if not callable(obj) or isinstance(obj, type):
            continue
        doc = obj.__doc__ or ""
        assert "Complexity:" in doc, f"{name} has no Complexity: line"
        assert any(t.examples for t in finder.find(obj, name)), f"{name} has no doctest"
