# Over 300 lines on purpose: one concern (scipy's p-values from summary statistics); the KS
# half mirrors scipy's branch logic and private helpers, which test_stats probes by name here.
"""P-values for the drift statistics that the warehouse computes but cannot turn into p-values.

SQL computes the two-sample Kolmogorov-Smirnov statistic D (with the sample sizes) and the
chi-square statistic (with its degrees of freedom) exactly. The functions here map those summary
numbers to the p-values scipy would report on the raw data:

* ``ks_p_value(d, n1, n2) == scipy.stats.ks_2samp(x, y).pvalue`` (two-sided, method 'auto'),
* ``chi2_p_value(stat, dof) == scipy.stats.chi2_contingency(table, correction=False).pvalue``.

The KS p-value mirrors scipy's own branch logic (exact below ``MAX_AUTO_N``, asymptotic above, the
exact attempt falling back to asymptotic) rather than approximating it, so alerts keyed on a
p-value threshold agree with an analyst re-running scipy on the raw rows.
"""

from __future__ import annotations

import functools
import math
import operator
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import special

from modelwatch.kolmogorov import kstwo_sf

__all__ = [
    "MAX_AUTO_N",
    "chi2_from_counts",
    "chi2_p_value",
    "chi2_p_values",
    "ks_p_value",
    "ks_p_values",
    "mcnemar_p_value",
    "mcnemar_p_values",
]

#: scipy's ks_2samp(method='auto') computes the exact p-value while max(n1, n2) <= this.
MAX_AUTO_N = 10000

# Small cases whose exact two-sided p-values are known in closed form, used to check that
# scipy's private helpers still mean what we think before trusting them: (n1, n2, d, p).
_EXACT_PROBES: tuple[tuple[int, int, float, float], ...] = (
    (3, 2, 1.0, 0.2),  # 2 of the C(5, 2) = 10 paths reach D = 1
    (2, 2, 1.0, 1.0 / 3.0),  # 2 of C(4, 2) = 6
    (2, 2, 0.5, 1.0),
    (1, 1, 1.0, 1.0),
    (4, 3, 0.0, 1.0),
)

_ExactResult = tuple[bool, float, float]


# --------------------------------------------------------------------------------------------
# Kolmogorov-Smirnov
# --------------------------------------------------------------------------------------------


def _py_prob_outside_square(n: int, h: int) -> float:
    """P(D_{n,n} >= h/n) for equal sample sizes (pure-Python twin of scipy's helper).

    Sum of alternating binomial ratios, evaluated Horner-style from the innermost term so that
    no large binomial is formed and there is no subtractive cancellation; the operation order
    matches scipy's so the result is bit-for-bit the same.
    """
    total = 0.0
    for k in range(n // h, -1, -1):
        ratio = 1.0  # C(2n, n - (k + 1) h) / C(2n, n - k h), built factor by factor
        for j in range(h):
            ratio = (n - k * h - j) * ratio / (n + k * h + j + 1)
        total = ratio * (1.0 - total)
    return 2 * total


def _py_outer_prob_inside(m: int, n: int, g: int, h: int) -> float:
    """Share of lattice paths (0,0)->(m,n) that leave the band |x/m - y/n| < h/lcm(m, n).

    Pure-Python fallback for scipy's compiled ``_compute_outer_prob_inside_method``: Hodges'
    "inside" recursion rewritten for the leaving share B (Viehmann 2021, arXiv:2102.08037),
    B(x, y) = (x B(x-1, y) + y B(x, y-1)) / (x + y), with B = 1 outside the band. Working on B
    rather than 1 - B keeps small p-values accurate. Only one column is kept, updated in place.
    Slow (O(m * band width) Python steps); it only runs if scipy's helper is gone.
    """
    if m < n:
        m, n = n, m
    mg, ng = m // g, n // g
    # In column x the band holds the rows y with ng*x - h < mg*y < ng*x + h.
    col = [1.0] * (n + 1)
    lo, hi = 0, min(-(-h // mg), n + 1)  # rows [lo, hi) lie inside the band
    for y in range(lo, hi):
        col[y] = 0.0  # no path to a point on the x = 0 edge has left the band yet
    for x in range(1, m + 1):
        prev_lo = lo
        lo = min(max((ng * x - h) // mg + 1, 0), n)
        hi = min(-(-(ng * x + h) // mg), n + 1)
        if hi <= lo:
            return 1.0  # the band closes: every path leaves it
        for y in range(prev_lo, lo):
            col[y] = 1.0  # these rows fell below the band
        below = col[lo - 1] if lo > 0 else 0.0  # B(x, lo - 1); irrelevant when lo == 0
        for y in range(lo, hi):
            below = (col[y] * x + below * y) / (x + y)
            col[y] = below
    return col[n]


def _own_attempt_exact(
    n1: int, n2: int, g: int, d: float, outer: Callable[[int, int, int, int], float]
) -> _ExactResult:
    """Two-sided part of scipy's ``_attempt_exact_2kssamp``, used when that helper is unusable.

    D is snapped to the lattice h / lcm(n1, n2) first, as scipy does, so a D computed in SQL
    with a different rounding still lands on the same path count.
    """
    lcm = (n1 // g) * n2
    h = int(np.round(d * lcm))
    d = h * 1.0 / lcm
    if h == 0:
        return True, d, 1.0
    try:
        with np.errstate(invalid="raise", over="raise"):
            prob = _py_prob_outside_square(n1, h) if n1 == n2 else float(outer(n1, n2, g, h))
    except (FloatingPointError, OverflowError):
        return False, d, math.nan
    if not 0 <= prob <= 1:
        return False, d, prob
    return True, d, prob


def _probe_ok(attempt: Callable[[int, int, int, float], _ExactResult]) -> bool:
    """Whether ``attempt(n1, n2, g, d)`` reproduces the known small exact p-values."""
    try:
        for n1, n2, d, expected in _EXACT_PROBES:
            success, _, prob = attempt(n1, n2, math.gcd(n1, n2), d)
            if not success or not math.isclose(float(prob), expected, rel_tol=1e-12):
                return False
    except Exception:  # any refactor of a private helper just disqualifies it
        return False
    return True


@functools.cache
def _exact_attempt() -> Callable[[int, int, int, float], _ExactResult]:
    """Pick the exact-p-value routine once: scipy's private helper if it still behaves, else ours.

    scipy's ``_attempt_exact_2kssamp`` is private, so it is probed on known values before use.
    Without it we run our port of its two-sided logic, with scipy's compiled path-counting kernel
    if that still behaves, else the (slow but exact) pure-Python kernel, and warn once.
    """
    try:
        from scipy.stats import _stats_py
    except ImportError:  # pragma: no cover - depends on the scipy layout
        _stats_py = None  # type: ignore[assignment]

    helper = getattr(_stats_py, "_attempt_exact_2kssamp", None)
    if helper is not None:

        def scipy_attempt(n1: int, n2: int, g: int, d: float) -> _ExactResult:
            success, d_out, prob = helper(n1, n2, g, d, "two-sided")
            return bool(success), float(d_out), float(prob)

        if _probe_ok(scipy_attempt):
            return scipy_attempt

    outer: Callable[[int, int, int, int], float] = _py_outer_prob_inside
    kernel = getattr(_stats_py, "_compute_outer_prob_inside_method", None)
    if kernel is not None and _kernel_matches(kernel):
        outer = kernel
    warnings.warn(
        "scipy.stats._stats_py._attempt_exact_2kssamp is missing or changed; modelwatch uses its "
        "own port of scipy's exact KS p-value"
        + ("" if outer is kernel else " with a pure-Python kernel (exact, but slow for large n)"),
        RuntimeWarning,
        stacklevel=3,
    )
    return functools.partial(_own_attempt_exact, outer=outer)


def _kernel_matches(kernel: Callable[[int, int, int, int], float]) -> bool:
    """Whether scipy's compiled path-counting kernel agrees with the pure-Python one."""
    try:
        for m, n in ((7, 5), (12, 8), (30, 45)):
            g = math.gcd(m, n)
            for h in range(1, (m // g) * n + 1, 3):
                ours = _py_outer_prob_inside(m, n, g, h)
                if not math.isclose(float(kernel(m, n, g, h)), ours, rel_tol=1e-12, abs_tol=0):
                    return False
    except Exception:  # a changed signature disqualifies the kernel
        return False
    return True


def _as_count(value: Any, name: str) -> int:
    """A sample size / degrees of freedom as int; integral floats (from SQL or pandas) accepted."""
    try:
        return operator.index(value)
    except TypeError:
        pass
    as_float = float(value)
    if not as_float.is_integer():
        raise ValueError(f"{name} must be an integer, got {value!r}")
    return int(as_float)


def _ks_p_value(d: float, n1: int, n2: int) -> float:
    """Core of ks_p_value on validated inputs: scipy's ks_2samp branch logic, two-sided."""
    if max(n1, n2) <= MAX_AUTO_N:
        success, d, prob = _exact_attempt()(n1, n2, math.gcd(n1, n2), d)
        if success:
            return float(np.clip(prob, 0, 1))
        # scipy continues asymptotically with the lattice-rounded d, and says so.
        warnings.warn(
            f"ks_p_value: exact calculation unsuccessful for n1={n1}, n2={n2}; "
            "switching to the asymptotic distribution, as scipy does.",
            RuntimeWarning,
            stacklevel=3,
        )
    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = m * n / (m + n)
    return float(np.clip(kstwo_sf(d, float(np.round(en))), 0, 1))


def ks_p_value(d: float, n1: int, n2: int) -> float:
    """Two-sided p-value of the two-sample KS statistic ``d`` for sample sizes ``n1``, ``n2``.

    Equals ``scipy.stats.ks_2samp(x, y).pvalue`` when ``d = ks_2samp(x, y).statistic``,
    ``n1 = len(x)``, ``n2 = len(y)`` (symmetric in ``n1``/``n2``). A NaN ``d`` gives NaN; sizes
    below 1 or ``d`` outside [0, 1] raise ``ValueError`` (scipy rejects empty samples too).
    """
    n1 = _as_count(n1, "n1")
    n2 = _as_count(n2, "n2")
    if min(n1, n2) < 1:
        raise ValueError(f"sample sizes must be >= 1, got n1={n1}, n2={n2}")
    d = float(d)
    if math.isnan(d):
        return math.nan
    if not 0.0 <= d <= 1.0:
        raise ValueError(f"KS statistic must lie in [0, 1], got {d!r}")
    return _ks_p_value(d, n1, n2)


# --------------------------------------------------------------------------------------------
# Chi-square
# --------------------------------------------------------------------------------------------


def chi2_p_value(statistic: float, dof: int) -> float:
    """Upper-tail chi-square p-value, as ``chi2_contingency(table, correction=False)`` reports it.

    ``dof == 0`` (a single non-empty bin) gives 1.0 whatever the statistic, as scipy does. A NaN
    statistic gives NaN; a negative statistic or dof raises ``ValueError``.
    """
    dof = _as_count(dof, "dof")
    statistic = float(statistic)
    if math.isnan(statistic):
        return math.nan
    if dof < 0:
        raise ValueError(f"dof must be >= 0, got {dof}")
    if statistic < 0:
        raise ValueError(f"chi-square statistic must be >= 0, got {statistic!r}")
    if dof == 0:
        return 1.0
    # scipy's power_divergence evaluates the chi2 survival function as chdtrc(df, stat).
    return float(special.chdtrc(float(dof), statistic))


def chi2_from_counts(
    reference_counts: Sequence[float], current_counts: Sequence[float]
) -> tuple[float, int]:
    """Pearson chi-square statistic and dof of the 2 x k table of per-bin counts.

    Same definition as the warehouse SQL: only bins non-empty on either side enter (scipy's
    ``chi2_contingency`` rejects all-empty bins), dof = non-empty bins - 1. Kept as the reference
    the SQL is tested against. If one side has no observations at all the statistic is NaN
    (expected counts are zero; scipy raises there).
    """
    ref = np.asarray(reference_counts, dtype=np.float64)
    cur = np.asarray(current_counts, dtype=np.float64)
    if ref.ndim != 1 or ref.shape != cur.shape:
        raise ValueError("reference_counts and current_counts must be 1-D and of equal length")
    if not (np.all(np.isfinite(ref)) and np.all(np.isfinite(cur))):
        raise ValueError("counts must be finite")
    if np.any(ref < 0) or np.any(cur < 0):
        raise ValueError("counts must be non-negative")
    keep = (ref + cur) > 0
    if not np.any(keep):
        raise ValueError("no observations in any bin")
    observed = np.stack([ref[keep], cur[keep]])
    dof = int(observed.shape[1]) - 1
    row_totals = observed.sum(axis=1, keepdims=True)
    if np.any(row_totals == 0):
        return math.nan, dof
    # Same arithmetic as scipy.stats.contingency.expected_freq: row * column / grand total.
    expected = row_totals * observed.sum(axis=0, keepdims=True) / observed.sum()
    return float(np.sum((observed - expected) ** 2 / expected)), dof


def ks_p_value_or_none(d: float, n1: int, n2: int) -> float | None:
    """:func:`ks_p_value` for one SQL row (registered as a DuckDB function by the p-value model):
    None, i.e. NULL, where a sample is empty and SQL has no statistic."""
    if n1 < 1 or n2 < 1:
        return None
    p = ks_p_value(d, n1, n2)
    return None if math.isnan(p) else p


def chi2_p_value_or_none(statistic: float, dof: int) -> float | None:
    """:func:`chi2_p_value` for one SQL row: None, i.e. NULL, where it is undefined."""
    p = chi2_p_value(statistic, dof)
    return None if math.isnan(p) else p


# --------------------------------------------------------------------------------------------
# Vectorised forms, for whole result tables (pandas columns with NULLs from SQL)
# --------------------------------------------------------------------------------------------


def _to_float_array(values: Any) -> np.ndarray:
    """Float array with None / NaN / pandas.NA as NaN, for SQL columns holding NULLs."""
    to_numpy = getattr(values, "to_numpy", None)
    if to_numpy is not None:  # pandas Series / extension arrays, incl. nullable Int64
        return np.asarray(to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    try:
        return np.asarray(values, dtype=np.float64)  # None becomes NaN here
    except TypeError:  # e.g. a list holding pandas.NA
        import pandas as pd

        obj = pd.Series(np.asarray(values, dtype=object).ravel())
        return obj.to_numpy(dtype=np.float64, na_value=np.nan).reshape(np.shape(values))


def _check_integral(values: np.ndarray, name: str) -> None:
    """Reject non-integral or negative sizes: they mean a bug upstream, not missing data."""
    present = values[~np.isnan(values)]
    if not np.all(np.isfinite(present)) or np.any(present < 0) or np.any(present % 1 != 0):
        raise ValueError(f"{name} must hold non-negative integers (or nulls)")


def ks_p_values(d: Sequence[float], n1: Sequence[int], n2: Sequence[int]) -> np.ndarray:
    """Element-wise :func:`ks_p_value` over columns (broadcast together).

    Missing inputs (None / NaN / pandas.NA) and empty samples (``n1`` or ``n2`` == 0, where SQL
    has no statistic) give NaN instead of raising, so one empty window does not fail the batch.
    Values that cannot come from valid data (d outside [0, 1], negative or fractional sizes)
    still raise ``ValueError``.
    """
    d_arr, n1_arr, n2_arr = np.broadcast_arrays(
        _to_float_array(d), _to_float_array(n1), _to_float_array(n2)
    )
    _check_integral(n1_arr, "n1")
    _check_integral(n2_arr, "n2")
    out = np.full(d_arr.shape, np.nan, dtype=np.float64)
    usable = ~(np.isnan(d_arr) | np.isnan(n1_arr) | np.isnan(n2_arr)) & (n1_arr > 0) & (n2_arr > 0)
    if np.any((d_arr[usable] < 0) | (d_arr[usable] > 1)):
        raise ValueError("KS statistics must lie in [0, 1]")
    for idx in map(tuple, np.argwhere(usable)):
        out[idx] = _ks_p_value(float(d_arr[idx]), int(n1_arr[idx]), int(n2_arr[idx]))
    return out


def chi2_p_values(statistic: Sequence[float], dof: Sequence[int]) -> np.ndarray:
    """Element-wise :func:`chi2_p_value` over columns (broadcast together).

    Missing inputs (None / NaN / pandas.NA) give NaN; so does a negative dof paired with a
    missing statistic, which is what SQL yields for a feature with no non-empty bin. Otherwise
    invalid values raise ``ValueError``.
    """
    stat_arr, dof_arr = np.broadcast_arrays(_to_float_array(statistic), _to_float_array(dof))
    out = np.full(stat_arr.shape, np.nan, dtype=np.float64)
    usable = ~(np.isnan(stat_arr) | np.isnan(dof_arr))
    _check_integral(dof_arr[usable], "dof")
    if np.any(stat_arr[usable] < 0):
        raise ValueError("chi-square statistics must be >= 0")
    dof_zero = usable & (dof_arr == 0)
    positive = usable & (dof_arr > 0)
    out[dof_zero] = 1.0
    out[positive] = special.chdtrc(dof_arr[positive], stat_arr[positive])
    return out


#: McNemar's test is exact (binomial) below this many discordant pairs, else chi-square.
MCNEMAR_EXACT_BELOW = 25


def mcnemar_p_value(b: float, c: float) -> float:
    """Two-sided McNemar p-value from the discordant counts b and c: the exact binomial test
    (scipy.stats.binomtest(min(b, c), b + c, 0.5)) when b + c < MCNEMAR_EXACT_BELOW, else the
    chi-square statistic (|b - c| - 1)^2 / (b + c) with continuity correction, 1 dof. NaN when
    there are no discordant pairs to test."""
    from scipy.stats import binom, chi2

    b, c = int(b), int(c)
    n = b + c
    if n == 0:
        return math.nan
    if n < MCNEMAR_EXACT_BELOW:
        return float(min(1.0, 2.0 * binom.cdf(min(b, c), n, 0.5)))
    return float(chi2.sf((abs(b - c) - 1) ** 2 / n, 1))


def mcnemar_p_values(b: Sequence[float], c: Sequence[float]) -> np.ndarray:
    """Vectorised mcnemar_p_value; NaN where a count is missing."""
    return np.array(
        [
            math.nan
            if (x is None or y is None or np.isnan(x) or np.isnan(y))
            else mcnemar_p_value(x, y)
            for x, y in zip(np.asarray(b, dtype=float), np.asarray(c, dtype=float), strict=True)
        ]
    )
