"""The dbt unit tests (`unit_tests:` in the models' YAML) run and pass under `dbt test` on DuckDB.

They carry their own config (overrides: vars), so any built warehouse serves: dbt reads the
column types of the mocked inputs from the built relations. The CLI's runs leave them out.
"""

from __future__ import annotations

import copy

from test_config_errors import BASE, _tables

UNIT_TESTS = {
    "predictions_quarantine_rules",
    "labels_validated_quarantine_rules",
    "labels_validated_corrections",
}


def test_unit_tests_pass(builder):
    built = builder(_tables(), copy.deepcopy(BASE), "unit_tests")
    assert built.outcome.build_ok, built.outcome.build_errors
    result = built.project.invoke(["test", "--select", "test_type:unit"])
    ran = {r.node.name: r.status for r in result.result.results}
    assert set(ran) >= UNIT_TESTS, ran
    assert all(status == "pass" for status in ran.values()), ran
    assert result.success
