"""The project's layers, as dbt's guide draws them: staging reads inputs, intermediate reads
staging and intermediate, marts read anything (the alert engine's models are marts: they judge
the contract tables). No intermediate model reads a mart."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MART_REF = re.compile(r"ref\(\s*['\"](modelwatch__\w*)")


def mart_reads() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "models" / "intermediate").rglob("*.sql")):
        refs = MART_REF.findall(path.read_text(encoding="utf-8"))
        if refs:
            found[path.stem] = refs
    return found


def test_no_intermediate_model_reads_a_mart():
    assert mart_reads() == {}


def test_the_scan_finds_a_mart_read(tmp_path, monkeypatch):
    # the check fires: an intermediate model with a mart ref is found
    model = tmp_path / "models" / "intermediate" / "x" / "int_modelwatch__x.sql"
    model.parent.mkdir(parents=True)
    model.write_text("select * from {{ ref('modelwatch__alerts') }}", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert mart_reads() == {"int_modelwatch__x": ["modelwatch__alerts"]}


def test_one_yaml_per_model_folder():
    for folder in sorted(p for p in (ROOT / "models").rglob("*") if p.is_dir()):
        models = list(folder.glob("*.sql")) + list(folder.glob("*.py"))
        yamls = list(folder.glob("*.yml"))
        if models:
            assert [y.name for y in yamls] == [f"_{folder.name}__models.yml"], folder
