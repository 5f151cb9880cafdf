"""Every engine-specific macro (`duckdb__x`, `postgres__x`, `spark__x`, `default__x`) is reached
through adapter.dispatch: a parent macro `x` calls `adapter.dispatch('x', 'modelwatch')`, so a
user's project can override it and another engine falls back to `default__x`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MACRO = re.compile(r"\{%-?\s*macro\s+(\w+)\s*\((.*?)\{%-?\s*endmacro\s*-?%\}", re.S)
DISPATCH = re.compile(r"adapter\.dispatch\(\s*['\"](\w+)['\"]\s*,\s*['\"]modelwatch['\"]\s*\)")
ENGINES = ("default", "duckdb", "postgres", "spark")
ENGINE_PREFIX = re.compile(rf"^(?:{'|'.join(ENGINES)})__(\w+)$")


def macros() -> dict[str, str]:
    """Macro name -> body, over the project's macros (the dbt package's, not integration_tests)."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "macros").rglob("*.sql")):
        for name, body in MACRO.findall(path.read_text(encoding="utf-8")):
            assert name not in found, f"macro {name} is defined twice"
            found[name] = body
    return found


MACROS = macros()
SPECIFIC = sorted(name for name in MACROS if ENGINE_PREFIX.match(name))


def test_the_scan_finds_engine_specific_macros():
    # the regexes work: the project has dozens, on several engines
    assert len(SPECIFIC) > 30
    assert {name.split("__")[0] for name in SPECIFIC} >= {"default", "duckdb", "postgres"}


@pytest.mark.parametrize("name", SPECIFIC)
def test_every_engine_specific_macro_has_a_dispatching_parent(name):
    parent = ENGINE_PREFIX.match(name).group(1)
    assert parent in MACROS, f"{name}: no macro {parent} dispatches to it"
    assert parent in DISPATCH.findall(MACROS[parent]), (
        f"{name}: macro {parent} does not call adapter.dispatch('{parent}', 'modelwatch')"
    )
