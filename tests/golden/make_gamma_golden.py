"""Write gamma_golden.json: gamma quantiles from SciPy, for engagemetrics.rates._gamma.

The numpy gamma quantiles (used by the Garwood interval when SciPy is not installed) are
checked against these values, so the check runs without SciPy too. Run, from the
repository root::

    uv run python tests/golden/make_gamma_golden.py

The JSON records this command and the versions of SciPy and numpy. The values are
``scipy.special.gammaincinv(a, tail)`` (lower) and ``gammainccinv(a, tail)`` (upper) over
shapes from 0.01 to 1e7 and tails from 0.5 down to 1e-12; beyond a = 1e7, deep lower
tails of SciPy's ``gammainc`` lose digits (see tests/rates/test_gamma.py), so the grid
stops there.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy
from scipy import special

COMMAND = "uv run python tests/golden/make_gamma_golden.py"
OUTPUT = Path(__file__).with_name("gamma_golden.json")
SHAPES = [0.01, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 7.5, 10.0, 19.5, 20.0, 50.0, 100.0, 1000.0,
          4999.0, 5000.0, 12345.0, 1e5, 1e6, 1e7]  # fmt: skip
TAILS = [0.5, 0.25, 0.05, 0.025, 0.005, 0.0005, 1e-6, 1e-9, 1e-12]


def main() -> None:
    rows = []
    for a in SHAPES:
        for tail in TAILS:
            rows.append(
                {
                    "a": a,
                    "tail": tail,
                    "lower": float(special.gammaincinv(a, tail)),
                    "upper": float(special.gammainccinv(a, tail)),
                }
            )
    document = {
        "command": COMMAND,
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "values": rows,
    }
    OUTPUT.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
