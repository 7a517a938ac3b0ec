"""Write rfm_golden.json: reference RFM summaries for engagemetrics' rfm, from lifetimes.

lifetimes is not a dependency of engagemetrics; run this script, from the repository
root, with::

    uv run --with lifetimes python tests/golden/make_rfm_golden.py

The values in the JSON were made with lifetimes 0.11.3 on pandas 3.1.1 and numpy 2.4.6
(the JSON records the versions and this command). What is called in lifetimes:
``lifetimes.utils.summary_data_from_transaction_data(transactions, "customer", "time",
monetary_value_col="value", observation_period_end=..., freq=...,
include_first_transaction=...)`` for each case below.

The transactions are seeded: 300 customers, a third with one transaction, repeat
purchases minutes to weeks apart (several in one day, some at the very same instant),
values rounded to cents (a few zero), some transactions after the observation end (a
few of them later on the same day, which lifetimes keeps because it floors the end to its
period), and customers whose every transaction is after the end. Times are UTC; for the
cases in another time zone lifetimes is given the local wall-clock times (naive), which
is what local calendar periods mean.
"""

from __future__ import annotations

import importlib
import json
import platform
from pathlib import Path
from typing import Any

import numpy as np

COMMAND = "uv run --with lifetimes python tests/golden/make_rfm_golden.py"
OUTPUT = Path(__file__).with_name("rfm_golden.json")
SEED = 20240930
N_CUSTOMERS = 300
START = np.datetime64("2024-01-01T00:00:00", "s")
END = "2024-09-30T14:00:00"

# name, freq, tz, observation_end (naive, read in tz; None: lifetimes' default),
# include_first_transaction
CASES: list[tuple[str, str, str, str | None, bool]] = [
    ("day", "D", "UTC", END, False),
    ("day_first_included", "D", "UTC", END, True),
    ("week", "W", "UTC", END, False),
    ("week_first_included", "W", "UTC", END, True),
    ("hour", "h", "UTC", END, False),
    ("day_default_end", "D", "UTC", None, False),
    ("day_new_york", "D", "America/New_York", END, False),
    ("day_new_york_first_included", "D", "America/New_York", END, True),
    ("week_new_york", "W", "America/New_York", END, False),
]


def make_transactions() -> tuple[list[str], list[str], list[float]]:
    """Seeded transactions: customer ids, UTC ISO times (``...Z``), values."""
    rng = np.random.default_rng(SEED)
    customers: list[str] = []
    seconds: list[int] = []
    values: list[float] = []
    year = 366 * 86_400
    for c in range(N_CUSTOMERS):
        name = f"c{c:03d}"
        count = 1 if c % 3 == 0 else int(rng.geometric(0.25)) + 1
        t = int(rng.integers(0, 300 * 86_400)) if c % 25 else int(rng.integers(275, 300) * 86_400)
        for _ in range(count):
            if t >= year:
                break
            customers.append(name)
            seconds.append(t)
            values.append(0.0 if rng.random() < 0.03 else round(float(rng.lognormal(3, 1)), 2))
            draw = rng.random()
            if draw < 0.08:
                gap = 0  # the very same instant
            elif draw < 0.25:
                gap = int(rng.integers(60, 6 * 3600))  # later the same day, or the next
            else:
                gap = int(rng.exponential(20 * 86_400))
            t += gap
    # at the observation end's day: later that day (kept at freq D, dropped at freq h), and
    # a customer whose only transaction is then
    end = int((np.datetime64(END, "s") - START).astype(np.int64))
    for name, t, v in [("c300", end - 20 * 86_400, 12.5), ("c300", end + 4 * 3600, 30.0)]:
        customers.append(name)
        seconds.append(t)
        values.append(v)
    customers.append("c301")
    seconds.append(end + 6 * 3600)
    values.append(99.99)
    order = rng.permutation(len(customers))  # input order must not matter
    times = (START + np.array(seconds, dtype=np.int64).astype("timedelta64[s]")).astype(str)
    return (
        [customers[i] for i in order],
        [f"{times[i]}Z" for i in order],
        [values[i] for i in order],
    )


def main() -> None:
    import pandas as pd

    lifetimes = importlib.import_module("lifetimes")
    summary_data_from_transaction_data = importlib.import_module(
        "lifetimes.utils"
    ).summary_data_from_transaction_data

    customer, time, value = make_transactions()
    utc = pd.to_datetime(pd.Series(time), utc=True)
    cases: list[dict[str, Any]] = []
    for name, freq, tz, end, include_first in CASES:
        local = utc.dt.tz_convert(tz).dt.tz_localize(None)
        frame = pd.DataFrame({"customer": customer, "time": local, "value": value})
        summary = summary_data_from_transaction_data(
            frame,
            "customer",
            "time",
            monetary_value_col="value",
            observation_period_end=None if end is None else pd.Timestamp(end),
            freq=freq,
            include_first_transaction=include_first,
        ).sort_index()
        cases.append(
            {
                "name": name,
                "freq": freq,
                "tz": tz,
                "observation_end": end,
                "include_first_transaction": include_first,
                "customer": [str(c) for c in summary.index],
                **{
                    column: [float(x) for x in summary[column]]
                    for column in ("frequency", "recency", "T", "monetary_value")
                },
            }
        )
    out = {
        "command": COMMAND,
        "tool": "lifetimes.utils.summary_data_from_transaction_data",
        "lifetimes_version": lifetimes.__version__,
        "pandas_version": pd.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "transaction_columns": ["customer", "time", "value"],
        "transactions": [list(row) for row in zip(customer, time, value, strict=True)],
        "cases": cases,
    }
    OUTPUT.write_text(_dumps(out))
    rows = len(customer)
    print(f"wrote {OUTPUT} ({rows} transactions, {len(cases)} cases)")


def _dumps(data: dict[str, Any]) -> str:
    """JSON with one line per transaction and per output column (short, diffable)."""
    lines = ["{"]
    items = list(data.items())
    for i, (key, item) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if key == "transactions":
            body = ",\n".join(f"  {json.dumps(row)}" for row in item)
            lines.append(f'"transactions": [\n{body}\n]{comma}')
        elif key == "cases":
            cases = []
            for case in item:
                fields = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in case.items())
                cases.append(f" {{\n{fields}\n }}")
            body = ",\n".join(cases)
            lines.append(f'"cases": [\n{body}\n]{comma}')
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(item)}{comma}")
    return "\n".join(lines) + "\n}\n"


if __name__ == "__main__":
    main()
