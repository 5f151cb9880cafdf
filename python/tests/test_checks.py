"""The check catalog (macros/checks/catalog.sql) is the one place a check is defined: the README's
checks table and the alert tests are generated from it, and every entry is complete.

No dbt build: the catalog is read as the macros read it (the same YAML text).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from modelwatch import checks

ROOT = Path(__file__).resolve().parents[2]
NOISE_STATISTICS = {
    "psi", "psi_per_segment", "js_distance", "ks_statistic", "proportion_difference",
    "normal", "gamma",
}  # fmt: skip
SIGNALS = {"drift", "performance", "calibration", "bug"}


def test_readme_checks_table_is_generated_from_the_catalog():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert checks.readme_table_in(text) == checks.readme_table(ROOT), (
        "README's checks table differs from macros/checks/catalog.sql: "
        "run `python -m modelwatch.checks`"
    )


def test_alert_tests_are_generated_from_the_catalog():
    models = yaml.safe_load(
        (ROOT / "models/marts/alerts/_alerts__models.yml").read_text(encoding="utf-8")
    )["models"]
    got = [
        test["threshold"]
        for model in models
        for test in model.get("data_tests", [])
        if "threshold" in test
    ]
    assert got == checks.alert_tests(ROOT), (
        "the alert tests in _alerts__models.yml differ from the catalog: paste the output of "
        "`python -m modelwatch.checks`"
    )


def test_every_entry_is_complete_and_consistent():
    catalog = checks.load_catalog(ROOT)
    kinds = set(catalog["defaults"]["kinds"])
    for name in checks.check_names(ROOT):
        c = checks.check(name, ROOT)
        assert c["table"] in catalog["tables"], name
        for key in ("value", "scope", "subject", "sample_size", "evidence", "what", "doc", "job"):
            assert c.get(key), (name, key)
        assert "warn" in c and "error" in c, name
        assert c["direction"] in ("above", "below"), name
        assert c["kind"] in c["kinds"] and set(c["kinds"]) <= kinds, name
        assert c.get("noise_floor") in NOISE_STATISTICS | {None}, name
        assert c.get("recommendation") in SIGNALS | {None}, name
        if c.get("noise_floor") in ("normal", "gamma"):
            assert c.get("noise_mean") and c.get("noise_sd"), name
        # warn comes before error on the bad side (the config validation's rule)
        if c["warn"] is not None and c["error"] is not None:
            sign = 1 if c["direction"] == "above" else -1
            assert sign * c["warn"] <= sign * c["error"], name


def test_the_macro_and_python_read_the_same_text():
    """The Jinja macro returns the text between the markers; nothing else may sit there."""
    text = (ROOT / checks.CATALOG_MACRO).read_text(encoding="utf-8")
    block = text[text.index("# BEGIN check catalog") : text.index("# END check catalog")]
    assert "{{" not in block and "{%" not in block and "{#" not in block
    assert yaml.safe_load(block) == checks.load_catalog(ROOT)


def test_quarantine_seed_is_generated_from_the_one_list():
    seed = (ROOT / checks.QUARANTINE_SEED).read_text(encoding="utf-8")
    assert seed == checks.quarantine_seed_csv(ROOT), (
        "seeds/modelwatch__quarantine_reasons.csv differs from "
        "macros/quality/quarantine_reasons.sql: run `python -m modelwatch.checks`"
    )
    reasons = checks.quarantine_reasons(root=ROOT)
    assert len({(r["input_name"], r["reason"]) for r in reasons}) == len(reasons)
    assert {t for r in reasons for t in r["tasks"]} <= {"binary", "regression", "multiclass"}


def test_input_quality_documents_a_column_per_reason():
    models = yaml.safe_load(
        (ROOT / "models/marts/quality/_quality__models.yml").read_text(encoding="utf-8")
    )["models"]
    (input_quality,) = [m for m in models if m["name"] == "modelwatch__input_quality"]
    documented = {
        c["name"]
        for c in input_quality["columns"]
        if c["name"].startswith(("predictions_", "labels_"))
    }
    expected = {f"{r['input_name']}_{r['reason']}" for r in checks.quarantine_reasons(root=ROOT)}
    assert documented == expected


def test_recommendation_defaults_in_the_config_schema_follow_the_catalog():
    """The config schema states the recommendations' default signal lists for the README; the
    catalog says which signal each check feeds (and dbt derives the defaults from it)."""
    from modelwatch import config_schema

    keys = config_schema.load_schema()["keys"]["recommendations"]["keys"]
    for signal in sorted(SIGNALS):
        feeding = [
            n
            for n in checks.check_names(ROOT)
            if checks.check(n, ROOT).get("recommendation") == signal
        ]
        assert sorted(keys[f"{signal}_checks"]["default"]) == sorted(feeding), signal
