"""How well the ECE noise floor's approximation (macros/performance/noise.sql) matches ECE's
sampling distribution under perfect calibration: simulated windows of n rows (scores from three
distributions, labels ~ Bernoulli(score)), the formula's mean and sd next to the simulated ones,
and how often a calibrated window exceeds the floor at alpha 0.001 and 0.01.

    .venv/bin/python benchmarks/ece_noise_simulation.py
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

BINS = 10


def formula(scores: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """E[ECE], sd[ECE] and the gamma (Wilson-Hilferty) 1 - alpha quantile, as the SQL does."""
    index = np.minimum((scores * BINS).astype(int), BINS - 1)
    first = second = 0.0
    for b in np.unique(index):
        s = scores[index == b]
        v = float(np.mean(s * (1 - s)))
        first += np.sqrt(2 * len(s) * v / np.pi)
        second += len(s) * v
    n = len(scores)
    mean, sd = first / n, np.sqrt((1 - 2 / np.pi) * second) / n
    z = NormalDist().inv_cdf(1 - alpha)
    k = mean**2 / sd**2
    return mean, sd, mean * (1 - 1 / (9 * k) + z / (3 * np.sqrt(k))) ** 3


def ece(scores: np.ndarray, labels: np.ndarray) -> float:
    index = np.minimum((scores * BINS).astype(int), BINS - 1)
    total = 0.0
    for b in np.unique(index):
        mask = index == b
        total += mask.sum() * abs(scores[mask].mean() - labels[mask].mean())
    return total / len(scores)


def main() -> None:
    rng = np.random.default_rng(1)
    draws = {
        "beta(1.3, 4)": lambda n: rng.beta(1.3, 4, n),
        "uniform": lambda n: rng.uniform(0, 1, n),
        "beta(8, 8)": lambda n: rng.beta(8, 8, n),
    }
    print("| scores | n | simulated mean / sd | formula mean / sd | > floor at 0.001 | at 0.01 |")
    print("|---|---:|---|---|---:|---:|")
    for name, draw in draws.items():
        for n in (30, 100, 300, 2000):
            sims = 20_000 if n <= 300 else 5_000
            values, means, sds = [], [], []
            exceed = {0.001: 0, 0.01: 0}
            for _ in range(sims):
                scores = draw(n)
                value = ece(scores, rng.random(n) < scores)
                values.append(value)
                for alpha in exceed:
                    mean, sd, floor = formula(scores, alpha)
                    exceed[alpha] += value > floor
                means.append(mean)
                sds.append(sd)
            print(
                f"| {name} | {n} | {np.mean(values):.4f} / {np.std(values):.4f} | "
                f"{np.mean(means):.4f} / {np.mean(sds):.4f} | {exceed[0.001] / sims:.3%} | "
                f"{exceed[0.01] / sims:.2%} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
