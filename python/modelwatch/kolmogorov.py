"""Survival function of the two-sided one-sample Kolmogorov-Smirnov distribution, kstwo.sf(x, n).

``scipy.stats.kstwo.sf`` is what ``ks_2samp`` uses for its asymptotic p-value, but importing
``scipy.stats`` costs about half a second, paid by every drift run in its p-value model. This
module ports the branches of scipy's ``scipy/stats/_ksstats.py::_kolmogn(n, x, cdf=False)`` that
need only numpy and ``scipy.special`` (copyright the SciPy developers, BSD-3-Clause; scipy 1.17),
which cover every sample size above 140 outside the Durbin-matrix region (n <= 100000 and
n * x**1.5 <= 1.4). The remaining cases, small samples, call scipy itself (imported lazily).
python/tests/test_stats.py checks the port against ``scipy.stats.kstwo.sf`` on a grid.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

_MIN_LOG = -708
_LOG_2PI = np.log(2 * np.pi)
_SQRT2PI = np.sqrt(2 * np.pi)
_SQRT3 = np.sqrt(3)
_PI_SQUARED = np.pi**2
_PI_FOUR = np.pi**4
_PI_SIX = np.pi**6
# Stirling coefficients B_{2j}/(2j)/(2j-1) for j = 8..1 (scipy's _STIRLING_COEFFS)
_STIRLING_COEFFS = [
    -2.955065359477124183e-2,
    6.4102564102564102564e-3,
    -1.9175269175269175269e-3,
    8.4175084175084175084e-4,
    -5.952380952380952381e-4,
    7.9365079365079365079e-4,
    -2.7777777777777777778e-3,
    8.3333333333333333333e-2,
]


def _clip(p: float) -> float:
    return float(np.clip(p, 0.0, 1.0))


def _log_nfactorial_div_n_pow_n(n: float) -> float:
    """log(n! / n**n) by Stirling, with n*log(n) removed up front (scipy's helper)."""
    rn = 1.0 / n
    return np.log(n) / 2 - n + _LOG_2PI / 2 + rn * np.polyval(_STIRLING_COEFFS, rn / n)


def _pelz_good_cdf(n: float, x: float) -> float:
    """Pelz-Good approximation of Prob(D_n <= x), scipy's _kolmogn_PelzGood(cdf=True)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    z = np.sqrt(n) * x
    zsquared, zthree, zfour, zsix = z**2, z**3, z**4, z**6
    qlog = -_PI_SQUARED / 8 / zsquared
    if qlog < _MIN_LOG:
        return 0.0
    q = np.exp(qlog)
    k1a = -zsquared
    k1b = _PI_SQUARED / 4
    k2a = 6 * zsix + 2 * zfour
    k2b = (2 * zfour - 5 * zsquared) * _PI_SQUARED / 4
    k2c = _PI_FOUR * (1 - 2 * zsquared) / 16
    k3d = _PI_SIX * (5 - 30 * zsquared) / 64
    k3c = _PI_FOUR * (-60 * zsquared + 212 * zfour) / 16
    k3b = _PI_SQUARED * (135 * zfour - 96 * zsix) / 4
    k3a = -30 * zsix - 90 * z**8
    k0to3 = np.zeros(4)
    # Horner scheme for sum c_i q^(i^2) over odd integers
    maxk = int(np.ceil(16 * z / np.pi))
    for k in range(maxk, 0, -1):
        m = 2 * k - 1
        msquared, mfour, msix = m**2, m**4, m**6
        qpower = np.power(q, 8 * k)
        coeffs = np.array(
            [
                1.0,
                k1a + k1b * msquared,
                k2a + k2b * msquared + k2c * mfour,
                k3a + k3b * msquared + k3c * mfour + k3d * msix,
            ]
        )
        k0to3 *= qpower
        k0to3 += coeffs
    k0to3 *= q
    k0to3 *= _SQRT2PI
    k0to3 /= np.array([z, 6 * zfour, 72 * z**7, 6480 * z**10])
    # the other sum, over all integers k
    q = np.exp(-_PI_SQUARED / 2 / zsquared)
    ks = np.arange(maxk, 0, -1)
    ksquared = ks**2
    sqrt3z = _SQRT3 * z
    kspi = np.pi * ks
    qpwers = q**ksquared
    k2extra = np.sum(ksquared * qpwers)
    k2extra *= _PI_SQUARED * _SQRT2PI / (-36 * zthree)
    k0to3[2] += k2extra
    k3extra = np.sum((sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpwers)
    k3extra *= _PI_SQUARED * _SQRT2PI / (216 * zsix)
    k0to3[3] += k3extra
    powers_of_n = np.power(n * 1.0, np.arange(len(k0to3)) / 2.0)
    k0to3 /= powers_of_n
    return sum(k0to3)


def kstwo_sf(x: float, n: float) -> float:
    """``scipy.stats.kstwo.sf(x, n)`` for 0 <= x <= 1 and a whole number n >= 1."""
    if math.isnan(x) or math.isnan(n):
        return math.nan
    if x >= 1.0:
        return 0.0
    t = n * x
    if t <= 0.5:  # below the support (0.5 / n, 1)
        return 1.0
    if t <= 1.0:  # Ruben-Gambino: 1/2n <= x <= 1/n
        if n <= 140:
            prob = np.prod(np.arange(1, n + 1) * (1.0 / n) * (2 * t - 1))
        else:
            prob = np.exp(_log_nfactorial_div_n_pow_n(n) + n * np.log(2 * t - 1))
        return _clip(1.0 - prob)
    if t >= n - 1:  # Ruben-Gambino
        return _clip(2 * (1.0 - x) ** n)
    if x >= 0.5:  # exact: 2 * smirnov
        return _clip(2 * special.smirnov(n, x))
    nxsquared = t * x
    if n > 140:
        if nxsquared >= 370.0:
            return 0.0
        if nxsquared >= 2.2:
            return _clip(2 * special.smirnov(n, x))
        if not (n <= 100000 and n * x**1.5 <= 1.4):
            return _clip(1.0 - _clip(_pelz_good_cdf(n, x)))
    # Durbin matrix / Pomeranz recursion (small samples): scipy itself
    from scipy.stats import kstwo

    return float(kstwo.sf(x, n))
