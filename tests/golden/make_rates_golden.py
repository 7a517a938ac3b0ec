"""Write rates_golden.json: reference values for engagemetrics.rates.rate, from statsmodels.

statsmodels is not a dependency of engagemetrics; run this script, from the repository
root, with::

    uv run --with statsmodels python tests/golden/make_rates_golden.py

The values in the JSON were made with statsmodels 0.15.0 (the JSON records the versions of
statsmodels, scipy and numpy, and this command). What is called in statsmodels:

* ``proportion_confint`` with methods wilson, agresti_coull, normal, jeffreys and beta
  (Clopper-Pearson) over a grid of (count, nobs, alpha), with 0, nobs, small and large n;
* ``confint_proportions_2indep(method="newcomb", compare="diff")`` and
  ``proportions_ztest`` for the comparison of two proportions;
* ``statsmodels.stats.rates.confint_poisson`` with methods exact-c (Garwood), score and
  wald for count rates;
* ``confint_poisson_2indep(compare="diff", method="mover", method_mover="score")`` and
  ``test_poisson_2indep(compare="diff", method="score")`` for two count rates.

Each confidence level ``c`` is passed to statsmodels as ``alpha = 1 - c``.
"""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path
from typing import Any

COMMAND = "uv run --with statsmodels python tests/golden/make_rates_golden.py"
OUTPUT = Path(__file__).with_name("rates_golden.json")

CONFIDENCES = [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]
PROPORTIONS = [
    (0, 1),
    (1, 1),
    (0, 2),
    (1, 2),
    (0, 10),
    (1, 10),
    (5, 10),
    (9, 10),
    (10, 10),
    (3, 17),
    (0, 1000),
    (1, 1000),
    (42, 1000),
    (999, 1000),
    (1000, 1000),
    (7, 100_000),
    (123_456, 1_000_000),
    (2.5, 7.5),
]
PROPORTION_METHODS = {
    "wilson": "wilson",
    "agresti_coull": "agresti_coull",
    "normal": "normal",
    "jeffreys": "jeffreys",
    "clopper_pearson": "beta",
}
COUNTS = [
    (0, 1),
    (0, 100),
    (1, 1),
    (1, 0.5),
    (5, 2.5),
    (12, 400),
    (100, 1000),
    (1000, 10),
    (3.5, 2),
    (250_000, 1_000_000),
]
COUNT_METHODS = {"garwood": "exact-c", "score": "score", "normal": "wald"}
PROPORTION_PAIRS = [
    (60, 1000, 40, 1000),
    (0, 10, 3, 10),
    (10, 10, 0, 10),
    (5, 20, 5, 20),
    (1, 1, 0, 1),
    (123, 4567, 89, 3210),
    (0, 100, 1, 100_000),
    (50, 50, 49, 50),
]
COUNT_PAIRS = [
    (12, 400, 5, 380),
    (0, 100, 3, 50),
    (1, 1, 0, 1),
    (40, 2.5, 55, 3.0),
    (1000, 1e6, 1100, 1e6),
]
COMPARISON_CONFIDENCES = [0.9, 0.95, 0.99]


def _float(value: Any) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"statsmodels gave {number}; the golden grid must avoid it")
    return number


def main() -> None:
    statsmodels = importlib.import_module("statsmodels")
    proportion = importlib.import_module("statsmodels.stats.proportion")
    rates = importlib.import_module("statsmodels.stats.rates")
    scipy = importlib.import_module("scipy")
    numpy = importlib.import_module("numpy")

    proportion_rows = []
    for successes, trials in PROPORTIONS:
        for confidence in CONFIDENCES:
            for ours, theirs in PROPORTION_METHODS.items():
                low, high = proportion.proportion_confint(
                    successes, trials, alpha=1 - confidence, method=theirs
                )
                proportion_rows.append(
                    {
                        "successes": successes,
                        "trials": trials,
                        "confidence": confidence,
                        "method": ours,
                        "low": _float(low),
                        "high": _float(high),
                    }
                )

    count_rows = []
    for counts, exposure in COUNTS:
        for confidence in CONFIDENCES:
            for ours, theirs in COUNT_METHODS.items():
                low, high = rates.confint_poisson(
                    counts, exposure, method=theirs, alpha=1 - confidence
                )
                count_rows.append(
                    {
                        "counts": counts,
                        "exposure": exposure,
                        "confidence": confidence,
                        "method": ours,
                        "low": _float(low),
                        "high": _float(high),
                    }
                )

    proportion_comparisons = []
    for x1, n1, x2, n2 in PROPORTION_PAIRS:
        statistic, p_value = proportion.proportions_ztest([x1, x2], [n1, n2])
        for confidence in COMPARISON_CONFIDENCES:
            low, high = proportion.confint_proportions_2indep(
                x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - confidence
            )
            proportion_comparisons.append(
                {
                    "a": [x1, n1],
                    "b": [x2, n2],
                    "confidence": confidence,
                    "difference": x1 / n1 - x2 / n2,
                    "low": _float(low),
                    "high": _float(high),
                    "statistic": _float(statistic),
                    "p_value": _float(p_value),
                }
            )

    count_comparisons = []
    for x1, e1, x2, e2 in COUNT_PAIRS:
        test = rates.test_poisson_2indep(x1, e1, x2, e2, method="score", compare="diff")
        for confidence in COMPARISON_CONFIDENCES:
            low, high = rates.confint_poisson_2indep(
                x1,
                e1,
                x2,
                e2,
                method="mover",
                compare="diff",
                method_mover="score",
                alpha=1 - confidence,
            )
            count_comparisons.append(
                {
                    "a": [x1, e1],
                    "b": [x2, e2],
                    "confidence": confidence,
                    "difference": x1 / e1 - x2 / e2,
                    "low": _float(low),
                    "high": _float(high),
                    "statistic": _float(test.statistic),
                    "p_value": _float(test.pvalue),
                }
            )

    golden = {
        "command": COMMAND,
        "statsmodels_version": statsmodels.__version__,
        "scipy_version": scipy.__version__,
        "numpy_version": numpy.__version__,
        "proportion_interval": proportion_rows,
        "count_interval": count_rows,
        "compare_proportions": proportion_comparisons,
        "compare_counts": count_comparisons,
    }
    OUTPUT.write_text(json.dumps(golden, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    print(
        f"wrote {OUTPUT} with statsmodels {statsmodels.__version__}: "
        f"{len(proportion_rows)} proportion intervals, {len(count_rows)} count intervals, "
        f"{len(proportion_comparisons) + len(count_comparisons)} comparisons"
    )


if __name__ == "__main__":
    main()
