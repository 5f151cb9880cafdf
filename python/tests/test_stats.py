"""modelwatch.stats against scipy on raw data.

Tolerance: p-values and statistics are compared with a *relative* tolerance of 1e-12 and no
absolute slack (``_close``), because the module follows scipy's own computation and tiny p-values
matter for thresholds (in practice the results are bit-identical). Looser, stated tolerances are
used only where the *input* differs from scipy's by rounding: a chi-square statistic recomputed by
``chi2_from_counts`` (p-value 1e-10 relative) and a count/n-style D above MAX_AUTO_N, where scipy
does no lattice snapping (1e-9 relative).
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from modelwatch import kolmogorov, stats

RTOL = 1e-12


def _close(actual: float, expected: float, rtol: float = RTOL) -> bool:
    return math.isclose(actual, expected, rel_tol=rtol, abs_tol=0.0)


def _sql_style_d(x: np.ndarray, y: np.ndarray) -> float:
    """D the way the warehouse forms it: ECDFs as count / n at every distinct value."""
    grid = np.union1d(x, y)
    cdf_x = np.searchsorted(np.sort(x), grid, side="right") / x.size
    cdf_y = np.searchsorted(np.sort(y), grid, side="right") / y.size
    return float(np.max(np.abs(cdf_x - cdf_y)))


def _assert_ks_matches(x: np.ndarray, y: np.ndarray) -> float:
    res = sps.ks_2samp(x, y)
    ours = stats.ks_p_value(res.statistic, x.size, y.size)
    assert _close(ours, float(res.pvalue)), (x.size, y.size, res.statistic, ours, res.pvalue)
    # Argument order does not matter (two-sided), as for scipy.
    assert _close(stats.ks_p_value(res.statistic, y.size, x.size), float(res.pvalue))
    return float(res.pvalue)


# --- KS: exact branch ------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 5, 17, 60, 333, 2000])
@pytest.mark.parametrize("shift", [0.0, 0.3, 1.5])
def test_ks_exact_equal_sizes(n: int, shift: float) -> None:
    rng = np.random.default_rng(n)
    _assert_ks_matches(rng.normal(size=n), rng.normal(shift, size=n))


@pytest.mark.parametrize(
    ("n1", "n2"), [(2, 3), (7, 5), (40, 13), (100, 99), (250, 1000), (1200, 2000)]
)
@pytest.mark.parametrize("shift", [0.0, 0.4, 1.2])
def test_ks_exact_unequal_sizes(n1: int, n2: int, shift: float) -> None:
    rng = np.random.default_rng(n1 * 7919 + n2)
    _assert_ks_matches(rng.normal(size=n1), rng.normal(shift, size=n2))


def test_ks_exact_at_max_auto_n_boundary() -> None:
    # max(n1, n2) == 10000 is still exact in scipy; the small shift keeps the path count cheap.
    rng = np.random.default_rng(1)
    _assert_ks_matches(rng.normal(size=10000), rng.normal(0.02, size=10000))
    _assert_ks_matches(rng.normal(size=10000), rng.normal(0.02, size=3001))


@pytest.mark.parametrize(("n1", "n2"), [(30, 30), (50, 80), (400, 250)])
@pytest.mark.parametrize("levels", [2, 4, 12])
def test_ks_heavy_ties(n1: int, n2: int, levels: int) -> None:
    rng = np.random.default_rng(levels * 1000 + n1)
    x = rng.integers(0, levels, size=n1).astype(float)
    y = rng.integers(0, levels, size=n2).astype(float)
    y[: n2 // 3] += 1  # some drift so not every p-value is ~1
    _assert_ks_matches(x, y)


def test_ks_d_from_sql_lattice_rounding() -> None:
    # D formed as count/n differences (and nudged by an ulp) is snapped to h / lcm like scipy.
    rng = np.random.default_rng(7)
    for n1, n2 in [(13, 29), (300, 301), (90, 90)]:
        x, y = rng.normal(size=n1), rng.normal(0.5, size=n2)
        expected = float(sps.ks_2samp(x, y).pvalue)
        d = _sql_style_d(x, y)
        for nudged in (d, np.nextafter(d, 0.0), np.nextafter(d, 1.0)):
            assert _close(stats.ks_p_value(nudged, n1, n2), expected)


def test_ks_tiny_p_values_are_relative_exact() -> None:
    rng = np.random.default_rng(3)
    p = _assert_ks_matches(rng.normal(size=800), rng.normal(1.5, size=700))
    assert 0 < p < 1e-100


# --- KS: asymptotic branch -------------------------------------------------------------------


@pytest.mark.parametrize(("n1", "n2"), [(12000, 15000), (10001, 40), (20000, 20000)])
@pytest.mark.parametrize("shift", [0.0, 0.03])
def test_ks_asymptotic_large_samples(n1: int, n2: int, shift: float) -> None:
    rng = np.random.default_rng(n1 + n2)
    _assert_ks_matches(rng.normal(size=n1), rng.normal(shift, size=n2))


def test_ks_asymptotic_sql_style_d() -> None:
    # Above MAX_AUTO_N there is no lattice snapping, so an ulp in D may move the p-value by
    # ~N * D * eps; the count/n form happens to reproduce scipy's D exactly here.
    rng = np.random.default_rng(11)
    x, y = rng.integers(0, 50, size=15000), rng.integers(0, 52, size=11000)
    res = sps.ks_2samp(x, y)
    d = _sql_style_d(x, y)
    assert _close(d, float(res.statistic))
    assert _close(stats.ks_p_value(d, x.size, y.size), float(res.pvalue), rtol=1e-9)


@pytest.mark.parametrize(("n1", "n2", "shift"), [(300000, 250000, 0.001), (400000, 600000, 0.0)])
def test_ks_asymptotic_pelz_good_branch(n1: int, n2: int, shift: float) -> None:
    # en > 100000 and small n * D^2: scipy's Pelz-Good branch, which modelwatch.kolmogorov ports
    rng = np.random.default_rng(n1)
    _assert_ks_matches(rng.normal(size=n1), rng.normal(shift, size=n2))


def _kstwo_grid() -> list[tuple[float, float]]:
    points = []
    for n in (141.0, 150.0, 1000.0, 100001.0, 250000.0, 5e6):
        zs = np.linspace(0.05, 2.5, 25)  # n * x^2 from 0.0025 to 6.25: Pelz-Good and smirnov
        xs = [*(zs / np.sqrt(n)), 0.4 / n, 0.5 / n, 0.75 / n, 1 / n, 1 - 1 / n, 1 - 0.5 / n, 0.5]
        xs += [0.6, 0.99, 1.0, 0.0, np.sqrt(400 / n)]  # exact smirnov; ends; n x^2 >= 370
        points += [(float(x), n) for x in xs if 0 <= x <= 1]
    return points


def test_kstwo_sf_port_matches_scipy() -> None:
    # every branch of scipy's _kolmogn(cdf=False) above n = 140, and the small-n fallback
    for x, n in [*_kstwo_grid(), (0.05, 100.0), (0.3, 20.0), (0.004, 99999.0)]:
        ours = kolmogorov.kstwo_sf(x, n)
        theirs = float(np.clip(sps.kstwo.sf(x, n), 0, 1))
        assert _close(ours, theirs, rtol=1e-13), (x, n, ours, theirs)


def test_p_values_do_not_import_scipy_stats() -> None:
    # scipy.stats costs ~0.5 s to import; the drift p-value model must not pay it for large n
    code = (
        "import sys; from modelwatch import stats; "
        "stats.ks_p_value(0.001, 1000000, 1000000); stats.ks_p_value(0.2, 300000, 200000); "
        "stats.chi2_p_value(12.5, 9); "
        "assert 'scipy.stats' not in sys.modules, 'scipy.stats was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- KS: one-element samples -----------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 5, 6, 10000, 12000])
def test_ks_one_element_samples(n: int) -> None:
    # One observation against n (both argument orders, via _assert_ks_matches); n = 12000 is
    # asymptotic, the rest exact.
    y = np.random.default_rng(n).normal(size=n)
    for x0 in (-10.0, float(np.median(y)), 10.0):
        _assert_ks_matches(np.array([x0]), y)


def test_ks_one_element_identical() -> None:
    assert stats.ks_p_value(0.0, 1, 1) == float(sps.ks_2samp([1.0], [1.0]).pvalue) == 1.0
    assert stats.ks_p_value(1.0, 1, 1) == float(sps.ks_2samp([1.0], [2.0]).pvalue)


# --- KS: fallbacks when scipy's private helpers change -----------------------------------------


def _clear_helper_cache() -> None:
    stats._exact_attempt.cache_clear()


@pytest.mark.parametrize("drop_kernel", [False, True])
def test_ks_fallback_port_matches_scipy(monkeypatch: pytest.MonkeyPatch, drop_kernel: bool) -> None:
    """A scipy without _attempt_exact_2kssamp (and maybe without the compiled kernel)."""
    from scipy.stats import _stats_py

    rng = np.random.default_rng(5)
    expected = []
    for n1, n2 in [(1, 1), (7, 5), (40, 40), (150, 97), (600, 450)]:
        res = sps.ks_2samp(rng.normal(size=n1), rng.normal(0.6, size=n2))
        expected.append((float(res.statistic), n1, n2, float(res.pvalue)))
    # Remove the helpers only now: ks_2samp itself looks them up in its module.
    monkeypatch.delattr(_stats_py, "_attempt_exact_2kssamp")
    if drop_kernel:
        monkeypatch.delattr(_stats_py, "_compute_outer_prob_inside_method")
    _clear_helper_cache()
    try:
        with pytest.warns(RuntimeWarning, match="own port") as record:
            stats.ks_p_value(0.5, 3, 4)
        assert ("pure-Python" in str(record[0].message)) is drop_kernel
        for d, n1, n2, p in expected:
            assert _close(stats.ks_p_value(d, n1, n2), p)
    finally:
        _clear_helper_cache()


def test_ks_pure_python_kernel_bit_identical_to_scipy() -> None:
    from scipy.stats import _stats_py

    for m, n in [(7, 5), (13, 21), (60, 45), (97, 100)]:
        g = math.gcd(m, n)
        for h in range(1, (m // g) * n + 1, max(1, m * n // 60)):
            assert stats._py_outer_prob_inside(
                m, n, g, h
            ) == _stats_py._compute_outer_prob_inside_method(m, n, g, h)
    for n in (1, 9, 50):
        for h in range(1, n + 1):
            assert stats._py_prob_outside_square(n, h) == _stats_py._compute_prob_outside_square(
                n, h
            )


def test_ks_changed_helper_is_not_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    from scipy.stats import _stats_py

    # Same name, different meaning (e.g. returns the one-sided value): probes reject it.
    monkeypatch.setattr(_stats_py, "_attempt_exact_2kssamp", lambda *a: (True, a[3], 0.5))
    _clear_helper_cache()
    try:
        with pytest.warns(RuntimeWarning, match="own port"):
            assert stats.ks_p_value(1.0, 3, 2) == pytest.approx(0.2, rel=RTOL)
    finally:
        _clear_helper_cache()


def test_ks_exact_failure_falls_back_to_asymptotic(monkeypatch: pytest.MonkeyPatch) -> None:
    # scipy continues with the lattice-rounded d when the exact attempt fails; so do we.
    n1, n2, d = 300, 200, 0.1 + 1e-13
    d_rounded = round(d * 600) / 600
    monkeypatch.setattr(stats, "_exact_attempt", lambda: lambda *a: (False, d_rounded, math.nan))
    with pytest.warns(RuntimeWarning, match="exact calculation unsuccessful"):
        p = stats.ks_p_value(d, n1, n2)
    assert p == float(sps.kstwo.sf(d_rounded, np.round(n1 * n2 / (n1 + n2))))


# --- KS: validation and the vectorised form --------------------------------------------------


def test_ks_scalar_validation() -> None:
    assert math.isnan(stats.ks_p_value(float("nan"), 5, 5))
    assert stats.ks_p_value(0.5, 4.0, np.int64(6)) == stats.ks_p_value(0.5, 4, 6)
    for bad in [(0.5, 0, 3), (0.5, 3, -1), (1.5, 3, 3), (-0.1, 3, 3)]:
        with pytest.raises(ValueError):
            stats.ks_p_value(*bad)
    with pytest.raises(ValueError):
        stats.ks_p_value(0.5, 3.5, 3)


def test_ks_p_values_vectorised_with_nulls() -> None:
    rng = np.random.default_rng(9)
    x, y, z = rng.normal(size=50), rng.normal(0.3, size=70), rng.normal(size=11000)
    r1, r2 = sps.ks_2samp(x, y), sps.ks_2samp(z, y)
    d = [r1.statistic, None, float("nan"), 0.4, 0.4, r2.statistic, 0.3]
    n1 = [50, 10, 10, None, 0, 11000, 5]
    n2 = [70, 10, 10, 10, 10, 70, 0]
    out = stats.ks_p_values(d, n1, n2)
    assert out.shape == (7,) and out.dtype == np.float64
    assert _close(out[0], float(r1.pvalue)) and _close(out[5], float(r2.pvalue))
    assert np.isnan(out[1:5]).all() and np.isnan(out[6])


def test_ks_p_values_pandas_nullable_columns() -> None:
    frame = pd.DataFrame(
        {
            "d": pd.array([0.5, None, 0.25, 0.1], dtype="Float64"),
            "n1": pd.array([10, 10, None, 20], dtype="Int64"),
            "n2": pd.array([8, 8, 8, 0], dtype="Int64"),
        }
    )
    out = stats.ks_p_values(frame["d"], frame["n1"], frame["n2"])
    assert _close(out[0], stats.ks_p_value(0.5, 10, 8))
    assert np.isnan(out[1:]).all()
    listed = stats.ks_p_values([0.5, pd.NA], [10, 10], [8, 8])
    assert _close(listed[0], out[0]) and np.isnan(listed[1])
    assert stats.ks_p_values([], [], []).shape == (0,)


def test_ks_p_values_rejects_impossible_values() -> None:
    with pytest.raises(ValueError):
        stats.ks_p_values([1.2], [5], [5])
    with pytest.raises(ValueError):
        stats.ks_p_values([0.2], [5.5], [5])
    with pytest.raises(ValueError):
        stats.ks_p_values([0.2], [-5], [5])


# --- Chi-square ------------------------------------------------------------------------------


def _random_counts(rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    ref = rng.poisson(rng.uniform(0, 60, size=k))
    cur = rng.poisson(rng.uniform(0, 60, size=k))
    # Force bins empty on one side and bins empty on both sides.
    cur[rng.random(k) < 0.2] = 0
    ref[rng.random(k) < 0.2] = 0
    return ref, cur


def test_chi2_p_value_from_scipy_statistic() -> None:
    rng = np.random.default_rng(21)
    checked = 0
    for _ in range(100):
        ref, cur = _random_counts(rng, int(rng.integers(1, 15)))
        table = np.stack([ref, cur])[:, (ref + cur) > 0]
        if table.shape[1] == 0 or np.any(table.sum(axis=1) == 0):
            continue
        res = sps.chi2_contingency(table, correction=False)
        assert res.dof == table.shape[1] - 1
        assert _close(stats.chi2_p_value(res.statistic, res.dof), float(res.pvalue))
        checked += 1
    assert checked > 70


def test_chi2_from_counts_matches_scipy() -> None:
    # Statistic: relative 1e-12 (absolute 1e-12 near zero); same formula, maybe another sum order.
    # p-value from our statistic: relative 1e-10, since d log p / d log stat ~ stat / 2 amplifies
    # the statistic's last-ulp difference.
    rng = np.random.default_rng(22)
    for _ in range(100):
        ref, cur = _random_counts(rng, int(rng.integers(2, 15)))
        keep = (ref + cur) > 0
        if not keep.any() or ref.sum() == 0 or cur.sum() == 0:
            continue
        stat, dof = stats.chi2_from_counts(ref, cur)
        res = sps.chi2_contingency(np.stack([ref[keep], cur[keep]]), correction=False)
        assert dof == res.dof
        assert math.isclose(stat, float(res.statistic), rel_tol=RTOL, abs_tol=1e-12)
        assert _close(stats.chi2_p_value(stat, dof), float(res.pvalue), rtol=1e-10)


def test_chi2_single_nonempty_bin_dof_zero() -> None:
    stat, dof = stats.chi2_from_counts([0, 7, 0], [0, 3, 0])
    res = sps.chi2_contingency(np.array([[7], [3]]), correction=False)
    assert (dof, res.dof) == (0, 0)
    assert stat == 0.0 and res.statistic == 0.0
    assert stats.chi2_p_value(stat, dof) == float(res.pvalue) == 1.0
    assert stats.chi2_p_value(1e-15, 0) == 1.0  # SQL rounding noise with dof 0 is still 1


def test_chi2_bins_empty_on_one_side() -> None:
    ref, cur = np.array([10, 0, 5, 0, 3]), np.array([0, 4, 5, 0, 9])
    stat, dof = stats.chi2_from_counts(ref, cur)
    res = sps.chi2_contingency(np.array([[10, 0, 5, 3], [0, 4, 5, 9]]), correction=False)
    assert dof == res.dof == 3
    assert _close(stat, float(res.statistic))
    assert _close(stats.chi2_p_value(res.statistic, res.dof), float(res.pvalue))


def test_chi2_from_counts_degenerate_and_invalid() -> None:
    stat, dof = stats.chi2_from_counts([0, 0, 0], [1, 2, 0])  # empty side: scipy raises
    assert math.isnan(stat) and dof == 1
    with pytest.raises(ValueError):
        sps.chi2_contingency(np.array([[0, 0], [1, 2]]))
    with pytest.raises(ValueError):
        stats.chi2_from_counts([0, 0], [0, 0])
    with pytest.raises(ValueError):
        stats.chi2_from_counts([1, 2], [1])
    with pytest.raises(ValueError):
        stats.chi2_from_counts([1, -2], [1, 1])


def test_chi2_scalar_validation() -> None:
    assert math.isnan(stats.chi2_p_value(float("nan"), 3))
    assert stats.chi2_p_value(0.0, 3) == 1.0
    assert stats.chi2_p_value(math.inf, 3) == 0.0
    assert stats.chi2_p_value(4.2, 3.0) == stats.chi2_p_value(4.2, 3)
    for bad in [(1.0, -1), (-1.0, 2), (1.0, 2.5)]:
        with pytest.raises(ValueError):
            stats.chi2_p_value(*bad)


def test_chi2_p_values_vectorised_with_nulls() -> None:
    stat = pd.Series([3.2, None, 5.0, 0.4, float("nan"), 12.0, None], dtype="Float64")
    dof = pd.Series([2, 2, None, 0, 1, 4, -1], dtype="Int64")  # -1: SQL with no non-empty bin
    out = stats.chi2_p_values(stat, dof)
    assert _close(out[0], stats.chi2_p_value(3.2, 2))
    assert out[3] == 1.0
    assert _close(out[5], float(sps.chi2.sf(12.0, 4)))
    assert np.isnan(out[[1, 2, 4, 6]]).all()
    assert _close(stats.chi2_p_values([3.2, None], [2, 2])[0], out[0])
    with pytest.raises(ValueError):
        stats.chi2_p_values([1.0], [-1])
    with pytest.raises(ValueError):
        stats.chi2_p_values([-1.0], [2])


def test_no_warnings_on_the_normal_path() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats.ks_p_value(0.3, 40, 50)
        stats.ks_p_values([0.3, None], [40, 0], [50, 5])
        stats.chi2_p_values([1.0, None], [1, None])
