"""Write retention_golden.json: retention matrices of the bundled sample, from DuckDB SQL.

The SQL below shares nothing with engagemetrics: it reads the sample CSV itself, finds
the local calendar periods with DuckDB's time-zone conversion and ``date_trunc``, pairs
every start event with every later returning event of the same actor (a join), and
counts distinct anchors per cohort and column. Run it from the repository root with::

    uv run python tests/golden/make_retention_golden.py

The JSON records the DuckDB version and this command. Start and returning events are
the audience's (inbound) events: every action of the sample except ``brand_reply``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

COMMAND = "uv run python tests/golden/make_retention_golden.py"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "src" / "engagemetrics" / "datasets" / "data" / "sample_events.csv"
OUTPUT = Path(__file__).with_name("retention_golden.json")

CASES: list[dict[str, Any]] = [
    {"period": "week", "cohort": "first_time", "mode": "calendar", "tz": "UTC"},
    {"period": "day", "cohort": "recurring", "mode": "calendar", "tz": "Europe/Paris",
     "n_periods": 8},
    {"period": "week", "cohort": "first_time", "mode": "rolling", "tz": "America/New_York"},
    {"period": "day", "cohort": "first_time", "mode": "calendar", "tz": "UTC",
     "brackets": [[1, 3], [4, 7], [8, 14]]},
    {"period": "month", "cohort": "recurring", "mode": "rolling", "tz": "Asia/Kolkata"},
]  # fmt: skip
UNIT_DAYS = {"day": 1, "week": 7, "month": 30}


def case_sql(case: dict[str, Any]) -> str:
    period, tz = case["period"], case["tz"]
    partition = "actor" if case["cohort"] == "first_time" else "actor, p"
    unit_ns = UNIT_DAYS[period] * 86_400 * 10**9
    if period == "month":
        number = "(year(local) * 12 + month(local))"
    else:
        number = f"(date_diff('day', DATE '1970-01-05', date_trunc('{period}', local)::DATE)"
        number += " // 7)" if period == "week" else ")"
    if case["mode"] == "calendar":
        offset, closed = "r.p - a.p", "e.p - a.p"
    else:
        offset = f"(r.ns - a.ns) // {unit_ns}"
        closed = f"(e.ns - a.ns) // {unit_ns}"
    return f"""
    WITH raw AS (
        SELECT row_number() OVER () AS rn, actor, action, time::TIMESTAMPTZ AS t
        FROM read_csv('{SAMPLE}', header = true, all_varchar = true)
    ),
    events AS (
        SELECT rn, actor, epoch_ns(t) AS ns, timezone('{tz}', t) AS local
        FROM raw WHERE action <> 'brand_reply'
    ),
    numbered AS (
        SELECT *, {number} AS p,
               date_trunc('{period}', local)::DATE AS label
        FROM events
    ),
    anchors AS (
        SELECT * FROM (
            SELECT *, row_number() OVER (PARTITION BY {partition} ORDER BY ns, rn) AS nth
            FROM numbered
        ) WHERE nth = 1
    ),
    ends AS (
        SELECT max(ns) AS ns, max_by(p, ns) AS p
        FROM (SELECT epoch_ns(t) AS ns, {number.replace("local", f"timezone('{tz}', t)")} AS p
              FROM raw)
    ),
    pairs AS (
        SELECT a.label, a.rn AS anchor, {offset} AS k
        FROM anchors a JOIN numbered r ON r.actor = a.actor AND r.ns >= a.ns
    ),
    closing AS (SELECT a.label, a.rn AS anchor, {closed} AS closed FROM anchors a, ends e)
    SELECT
        (SELECT list(label ORDER BY label) FROM (SELECT DISTINCT label FROM anchors)) AS cohorts,
        (SELECT max(closed) FROM closing) AS max_closed,
        (SELECT list(struct_pack(label := label, anchor := anchor, k := k)) FROM pairs) AS pairs,
        (SELECT list(struct_pack(label := label, n := n) ORDER BY label)
         FROM (SELECT label, count(*) AS n FROM anchors GROUP BY label)) AS sizes
    """


def compute(connection: duckdb.DuckDBPyConnection, case: dict[str, Any]) -> dict[str, Any]:
    cohorts, max_closed, pairs, sizes = connection.execute(case_sql(case)).fetchone()  # type: ignore[misc]
    if "brackets" in case:
        columns = [tuple(b) for b in case["brackets"]]
    else:
        columns = [(k, k) for k in range(case.get("n_periods") or max_closed + 1)]
    retained = []
    after = []
    for label in cohorts:
        mine = [p for p in pairs if p["label"] == label]
        retained.append(
            [len({p["anchor"] for p in mine if lo <= p["k"] <= hi}) for lo, hi in columns]
        )
        after.append([len({p["anchor"] for p in mine if p["k"] >= lo}) for lo, _ in columns])
    options = dict(case.items())
    return {
        "options": options,
        "cohorts": [str(c) for c in cohorts],
        "sizes": [s["n"] for s in sizes],
        "retained": retained,
        "retained_on_or_after": after,
    }


def main() -> None:
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    golden = {
        "command": COMMAND,
        "tool": f"duckdb {duckdb.__version__}",
        "source": "src/engagemetrics/datasets/data/sample_events.csv",
        "cases": [compute(connection, case) for case in CASES],
    }
    cases = ",\n  ".join(json.dumps(case) for case in golden.pop("cases"))
    head = json.dumps(golden, indent=1)[:-2]
    OUTPUT.write_text(f'{head},\n "cases": [\n  {cases}\n ]\n}}\n')
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
