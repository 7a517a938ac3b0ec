"""Write funnel_events.csv and funnel_golden.json: funnels computed by DuckDB SQL.

The SQL is written from ClickHouse's documented ``windowFunnel`` semantics, restated per
chain in ``docs/funnels.md``, and does not use engagemetrics: every chain of every unit is
built by one self-join per required step (``c1`` joins the starts to the step-1 events,
``c2`` joins ``c1`` to the step-2 events, ...), each join keeping only the events at or
after the previous step (strictly after for ``strict_increase``), within the step's
window of the start (and, with ``window_events``, with at most that many of the unit's
events after the start up to it: a ``count(*)``), with no blocking event strictly between
(``NOT EXISTS``). A step may repeat another: its join then also asks for an event not yet
in the chain (by event id). The level of a unit is its longest chain; the winning chain
is the first by (end time, start time descending, then the step times from the step
before the last back to the second). A disqualifying exclusion's event strictly between
two consecutive reached required steps of the winning chain drops the unit. Optional
steps are the earliest of their events between the winning chain's neighbouring steps;
any-order funnels count distinct steps in a window that starts at each step event. Run,
from the repository root::

    uv run python tests/golden/make_funnel_golden.py

The JSON records this command, the DuckDB version, each case's SQL and its results.
"""

from __future__ import annotations

import csv
import itertools
import json
import random
from pathlib import Path
from typing import Any

import duckdb

COMMAND = "uv run python tests/golden/make_funnel_golden.py"
HERE = Path(__file__).parent
EVENTS = HERE / "funnel_events.csv"
OUTPUT = HERE / "funnel_golden.json"
BASE = 1_700_000_000  # epoch seconds
STEP_ACTIONS = ["view", "like", "click", "purchase"]
MIX = {
    "view": 0.30,
    "like": 0.22,
    "click": 0.15,
    "purchase": 0.08,
    "comment": 0.12,
    "share": 0.07,
    "unfollow": 0.06,
}


def make_events(seed: int = 20261123) -> list[tuple[str, str, int]]:
    """About 40 actors with 3 to 16 events each over an hour, on a 20 s grid (many ties)."""
    rng = random.Random(seed)
    rows = []
    for i in range(40):
        actor = f"u{i:02d}"
        for _ in range(rng.randint(3, 16)):
            action = rng.choices(list(MIX), weights=list(MIX.values()))[0]
            rows.append((actor, action, BASE + 20 * rng.randint(0, 180)))
    rng.shuffle(rows)
    return rows


def actions_of(step: Any) -> list[str]:
    return [step] if isinstance(step, str) else list(step["actions"])


def unit_sql(by: str, gap: int, steps: list[Any] | None = None) -> str:
    """The events with their unit, and ``step``: the first step whose actions hold the
    event's action (-1: none)."""
    first: dict[str, int] = {}
    for k, step in enumerate(steps if steps is not None else STEP_ACTIONS):
        for action in actions_of(step):
            first.setdefault(action, k)
    step = " ".join(f"WHEN '{a}' THEN {k}" for a, k in first.items())
    base = f"""
    SELECT id, actor, action, time AS t,
           CASE action {step} ELSE -1 END AS step
    FROM events"""
    if by == "actor":
        return f"SELECT id, actor, NULL::BIGINT AS session_start, action, t, step FROM ({base})"
    return f"""
    SELECT id, actor, min(t) OVER (PARTITION BY actor, session) AS session_start, action, t,
           step
    FROM (
        SELECT *, sum(new) OVER (PARTITION BY actor ORDER BY t, action
                                 ROWS UNBOUNDED PRECEDING) AS session
        FROM (
            SELECT *, CASE WHEN lag(t) OVER (PARTITION BY actor ORDER BY t, action) IS NULL
                            OR t - lag(t) OVER (PARTITION BY actor ORDER BY t, action) > {gap}
                      THEN 1 ELSE 0 END AS new
            FROM ({base})
        )
    )"""


def names(actions: list[str]) -> str:
    return ", ".join(f"'{a}'" for a in actions)


def counted_sql(alias: str, start: str) -> str:
    """How many of the unit's events lie after ``start`` up to the event ``alias``."""
    return f"""(SELECT count(*) FROM ev n WHERE n.actor = {alias}.actor
                AND n.session_start IS NOT DISTINCT FROM {alias}.session_start
                AND n.t > {start} AND n.t <= {alias}.t)"""


def ordered_sql(case: dict[str, Any]) -> str:
    """All chains over the required steps, one CTE per step, and the levels."""
    f = case["funnel"]
    steps = f["steps"]
    required = [k for k, s in enumerate(steps) if not s.get("optional")]
    window = f["window_seconds"]
    mode = f["mode"]
    exclusions = [e for e in f.get("exclude", []) if not e.get("disqualify")]
    counted = f.get("window_events")
    # a step that repeats another: the chain keeps its events' ids, to take each once
    repeated = len({tuple(actions_of(s)) for s in steps}) < len(steps)
    same_unit = "x.actor = c.actor AND x.session_start IS NOT DISTINCT FROM c.session_start"
    ctes = [f"ev AS ({unit_sql(f['by'], int(f['session_gap_seconds']), steps)})"]
    first_step = names(actions_of(steps[0]))
    first = ""
    if f["start"] == "first":
        first = f"""AND t = (SELECT min(x.t) FROM ev x WHERE x.action IN ({first_step})
                        AND x.actor = ev.actor
                        AND x.session_start IS NOT DISTINCT FROM ev.session_start)"""
    ids = ", id AS id0" if repeated else ""
    ctes.append(
        f"c0 AS (SELECT DISTINCT actor, session_start, t AS t0{ids} FROM ev "
        f"WHERE action IN ({first_step}) {first})"
    )
    for i in range(1, len(required)):
        p, q = required[i - 1], required[i]
        own = steps[q].get("window_seconds", window) if isinstance(steps[q], dict) else window
        limit = "" if own == float("inf") else f"AND e.t - c.t0 <= {own}"
        if counted is not None:
            limit += f" AND {counted_sql('e', 'c.t0')} <= {counted}"
        order = ">" if mode == "strict_increase" else ">="
        blocking = []
        if mode == "strict_order":
            blocking.append(f"x.step < 0 OR x.step > {q}")
        if mode == "allow_reentry":
            blocking.append("x.step < 0")
        if mode == "strict_deduplication":
            repeats = sorted({a for r in required if 1 <= r <= q for a in actions_of(steps[r])})
            blocking.append(f"x.action IN ({names(repeats)})")
        for exclusion in exclusions:
            last = len(steps) - 1 if "to_step" not in exclusion else exclusion["to_step"]
            if exclusion.get("from_step", 0) <= p and q <= last:
                blocking.append(f"x.action IN ({names(exclusion['actions'])})")
        no_block = ""
        if blocking:
            condition = " OR ".join(f"({b})" for b in blocking)
            no_block = f"""AND NOT EXISTS (
                SELECT 1 FROM ev x WHERE {same_unit}
                AND x.t > c.t{p} AND x.t < e.t AND ({condition}))"""
        previous = ", ".join(f"c.t{r}" for r in required[:i])
        distinct = ""
        if repeated:
            taken = ", ".join(f"c.id{r}" for r in required[:i])
            previous += ", " + taken
            distinct = f"AND e.id NOT IN ({taken})"
            ids = f", e.id AS id{q}"
        ctes.append(
            f"""c{i} AS (
            SELECT DISTINCT c.actor, c.session_start, {previous}, e.t AS t{q}{ids}
            FROM c{i - 1} c JOIN ev e
              ON e.actor = c.actor AND e.session_start IS NOT DISTINCT FROM c.session_start
             AND e.action IN ({names(actions_of(steps[q]))}) AND e.t {order} c.t{p} {limit}
             {distinct} {no_block})"""
        )
    return "WITH " + ",\n".join(ctes) + "\n"


def run_ordered(con: duckdb.DuckDBPyConnection, case: dict[str, Any]) -> dict[str, Any]:
    f = case["funnel"]
    steps = f["steps"]
    required = [k for k, s in enumerate(steps) if not s.get("optional")]
    head = ordered_sql(case)
    winners: dict[tuple[str, Any], list[Any]] = {}
    sqls = []
    for i in range(len(required)):  # longer chains overwrite shorter ones
        columns = [f"t{r}" for r in required[: i + 1]]
        later = ", ".join(f"t{r}" for r in reversed(required[1:i]))
        ordering = f"t{required[i]}, t0 DESC" + (f", {later}" if later else "")
        sql = (
            head
            + f"SELECT actor, session_start, {', '.join(columns)} FROM c{i} "
            + "QUALIFY row_number() OVER "
            + f"(PARTITION BY actor, session_start ORDER BY {ordering}) = 1"
        )
        sqls.append(sql)
        for actor, start, *times in con.execute(sql).fetchall():
            chain: list[Any] = [None] * len(steps)
            for r, t in zip(required[: i + 1], times, strict=True):
                chain[r] = t
            winners[(actor, start)] = chain
    # a disqualifying exclusion between two consecutive reached required steps drops the unit
    disqualified = 0
    for exclusion in f.get("exclude", []):
        if not exclusion.get("disqualify"):
            continue
        last = len(steps) - 1 if "to_step" not in exclusion else exclusion["to_step"]
        pairs = [(p, q) for p, q in itertools.pairwise(required)
                 if exclusion.get("from_step", 0) <= p and q <= last]  # fmt: skip
        legs = [(a, s, c[p], c[q]) for (a, s), c in winners.items() for p, q in pairs]
        con.execute("CREATE OR REPLACE TEMP TABLE legs (actor VARCHAR, session_start BIGINT, "
                    "tp BIGINT, tq BIGINT)")  # fmt: skip
        if legs:
            con.executemany("INSERT INTO legs VALUES (?, ?, ?, ?)", legs)
        sql = (
            f"WITH ev AS ({unit_sql(f['by'], int(f['session_gap_seconds']), steps)})\n"
            f"SELECT DISTINCT l.actor, l.session_start FROM legs l JOIN ev x "
            f"ON x.actor = l.actor AND x.session_start IS NOT DISTINCT FROM l.session_start "
            f"AND l.tp IS NOT NULL AND l.tq IS NOT NULL AND x.t > l.tp AND x.t < l.tq "
            f"AND x.action IN ({names(exclusion['actions'])})"
        )
        sqls.append(sql)
        for actor, start in con.execute(sql).fetchall():
            if (actor, start) in winners:
                del winners[(actor, start)]
                disqualified += 1
    # optional steps: the earliest event between the neighbouring steps of the winning chain
    strict = f["mode"] == "strict_increase"
    for k, step in enumerate(steps):
        if not step.get("optional"):
            continue
        p = max(r for r in required if r < k)
        q = min(r for r in required if r > k)
        own = step.get("window_seconds", f["window_seconds"])
        rows = [(a, s, c[p], c[q], c[0]) for (a, s), c in winners.items()]
        con.execute("CREATE OR REPLACE TEMP TABLE chains (actor VARCHAR, session_start BIGINT, "
                    "tp BIGINT, tq BIGINT, t0 BIGINT)")  # fmt: skip
        con.executemany("INSERT INTO chains VALUES (?, ?, ?, ?, ?)", rows)
        low, high = (">", "<") if strict else (">=", "<=")
        limit = "" if own == float("inf") else f"AND e.t - c.t0 <= {own}"
        if f.get("window_events") is not None:
            limit += f" AND {counted_sql('e', 'c.t0')} <= {f['window_events']}"
        sql = (
            f"WITH ev AS ({unit_sql(f['by'], int(f['session_gap_seconds']), steps)})\n"
            f"SELECT c.actor, c.session_start, min(e.t) FROM chains c JOIN ev e "
            f"ON e.actor = c.actor AND e.session_start IS NOT DISTINCT FROM c.session_start "
            f"AND e.step = {k} AND c.tp IS NOT NULL AND e.t {low} c.tp "
            f"AND (c.tq IS NULL OR e.t {high} c.tq) {limit} GROUP BY c.actor, c.session_start"
        )
        sqls.append(sql)
        for actor, start, t in con.execute(sql).fetchall():
            winners[(actor, start)][k] = t
    out = {"sql": sqls, **summarise(winners, len(steps))}
    if any(e.get("disqualify") for e in f.get("exclude", [])):
        out["disqualified"] = disqualified
    return out


def run_any_order(con: duckdb.DuckDBPyConnection, case: dict[str, Any]) -> dict[str, Any]:
    f = case["funnel"]
    n = len(f["steps"])
    window = f["window_seconds"]
    limit = "" if window == float("inf") else f"AND e.t - en.t0 <= {window}"
    first = ""
    if f["start"] == "first":
        first = """AND t = (SELECT min(x.t) FROM ev x WHERE x.step >= 0 AND x.actor = ev.actor
                   AND x.session_start IS NOT DISTINCT FROM ev.session_start)"""
    sql = f"""
    WITH ev AS ({unit_sql(f["by"], int(f["session_gap_seconds"]))}),
    entries AS (SELECT DISTINCT actor, session_start, t AS t0 FROM ev
                WHERE step BETWEEN 0 AND {n - 1} {first}),
    found AS (
        SELECT en.actor, en.session_start, en.t0, e.step, min(e.t) AS t
        FROM entries en JOIN ev e
          ON e.actor = en.actor AND e.session_start IS NOT DISTINCT FROM en.session_start
         AND e.step BETWEEN 0 AND {n - 1} AND e.t >= en.t0 {limit}
        GROUP BY ALL),
    best AS (
        SELECT actor, session_start, t0 FROM found GROUP BY actor, session_start, t0
        QUALIFY row_number() OVER (PARTITION BY actor, session_start
                                   ORDER BY count(*) DESC, t0) = 1)
    SELECT f.actor, f.session_start, f.step, f.t
    FROM best b JOIN found f
      ON f.actor = b.actor AND f.session_start IS NOT DISTINCT FROM b.session_start
     AND f.t0 = b.t0
    ORDER BY f.actor, f.session_start, f.t, f.step"""
    winners: dict[tuple[str, Any], list[Any]] = {}
    for actor, start, _, t in con.execute(sql).fetchall():
        chain = winners.setdefault((actor, start), [])
        chain.append(t)
    padded = {key: chain + [None] * (n - len(chain)) for key, chain in winners.items()}
    return {"sql": [sql], **summarise(padded, n)}


def summarise(winners: dict[tuple[str, Any], list[Any]], n: int) -> dict[str, Any]:
    counts = [sum(1 for chain in winners.values() if chain[k] is not None) for k in range(n)]
    rows = [[actor, start, chain] for (actor, start), chain in sorted(
        winners.items(), key=lambda item: (item[0][0], item[0][1] or 0))]  # fmt: skip
    return {"counts": counts, "rows": rows}


def funnel(steps: list[Any], **options: Any) -> dict[str, Any]:
    """A funnel in engagemetrics' Funnel.to_dict form (written out by hand)."""
    out = {
        "steps": [s if isinstance(s, dict) else {"actions": [s]} for s in steps],
        "window_seconds": 600.0,
        "mode": "default",
        "start": "each",
        "by": "actor",
        "session_gap_seconds": 300.0,
    }
    out.update(options)
    return out


CASES: list[dict[str, Any]] = [
    {"name": "default_each", "funnel": funnel(STEP_ACTIONS)},
    {"name": "default_first", "funnel": funnel(STEP_ACTIONS, start="first")},
    {"name": "no_window", "funnel": funnel(STEP_ACTIONS, window_seconds=float("inf"))},
    {"name": "strict_order_each", "funnel": funnel(STEP_ACTIONS, mode="strict_order")},
    {"name": "strict_order_first",
     "funnel": funnel(STEP_ACTIONS, mode="strict_order", start="first")},
    {"name": "strict_deduplication_each",
     "funnel": funnel(STEP_ACTIONS, mode="strict_deduplication")},
    {"name": "strict_deduplication_first", "funnel": funnel(
        STEP_ACTIONS, mode="strict_deduplication", start="first", window_seconds=1800.0)},
    {"name": "strict_increase_each", "funnel": funnel(STEP_ACTIONS, mode="strict_increase")},
    {"name": "optional_and_step_window", "funnel": funnel(
        ["view", {"actions": ["like"], "optional": True}, "click",
         {"actions": ["purchase"], "window_seconds": 1200.0}])},
    {"name": "optional_strict_increase", "funnel": funnel(
        ["view", {"actions": ["like"], "optional": True}, "click", "purchase"],
        mode="strict_increase")},
    {"name": "exclusions", "funnel": funnel(STEP_ACTIONS, exclude=[
        {"actions": ["unfollow"], "from_step": 1, "to_step": 3},
        {"actions": ["share"], "to_step": 1}])},
    {"name": "sessions", "funnel": funnel(STEP_ACTIONS, by="session")},
    {"name": "sessions_strict_order_first",
     "funnel": funnel(STEP_ACTIONS, by="session", mode="strict_order", start="first")},
    {"name": "any_order_each", "funnel": funnel(STEP_ACTIONS, mode="any_order",
                                                window_seconds=300.0)},
    {"name": "any_order_first", "funnel": funnel(STEP_ACTIONS, mode="any_order",
                                                 start="first", window_seconds=300.0)},
    {"name": "any_order_sessions", "funnel": funnel(STEP_ACTIONS, mode="any_order",
                                                    by="session")},
    # issue 15: repeated steps, allow_reentry, windows in events, disqualifying exclusions
    {"name": "repeated_view", "funnel": funnel(["view", "view", "like", "click"])},
    {"name": "repeated_not_consecutive", "funnel": funnel(
        ["view", "like", "view", "purchase"], window_seconds=1200.0)},
    {"name": "repeated_strict_increase", "funnel": funnel(
        ["view", "view", "like"], mode="strict_increase")},
    {"name": "repeated_strict_order_first", "funnel": funnel(
        ["view", "like", "like"], mode="strict_order", start="first",
        window_seconds=float("inf"))},
    {"name": "repeated_strict_deduplication", "funnel": funnel(
        ["view", "like", "view"], mode="strict_deduplication", window_seconds=1800.0)},
    {"name": "allow_reentry_each", "funnel": funnel(STEP_ACTIONS, mode="allow_reentry",
                                                    window_seconds=1800.0)},
    {"name": "allow_reentry_sessions", "funnel": funnel(STEP_ACTIONS[:3], mode="allow_reentry",
                                                        by="session")},
    {"name": "window_events", "funnel": funnel(STEP_ACTIONS, window_events=4,
                                               window_seconds=float("inf"))},
    {"name": "window_events_strict_order_optional", "funnel": funnel(
        ["view", {"actions": ["like"], "optional": True}, "click", "purchase"],
        mode="strict_order", window_events=6, window_seconds=1800.0)},
    {"name": "window_events_repeated_sessions", "funnel": funnel(
        ["view", "view", "like"], window_events=3, by="session")},
    {"name": "disqualify_whole_funnel", "funnel": funnel(STEP_ACTIONS, exclude=[
        {"actions": ["unfollow"], "disqualify": True}])},
    {"name": "disqualify_and_void", "funnel": funnel(STEP_ACTIONS, window_seconds=1800.0,
        exclude=[{"actions": ["share"], "to_step": 2, "disqualify": True},
                 {"actions": ["unfollow"], "from_step": 2}])},
]  # fmt: skip


def main() -> None:
    rows = make_events()
    with EVENTS.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["actor", "action", "time"])
        writer.writerows(rows)
    con = duckdb.connect()
    con.execute("CREATE TABLE events (id BIGINT, actor VARCHAR, action VARCHAR, time BIGINT)")
    con.executemany(
        "INSERT INTO events VALUES (?, ?, ?, ?)", [(i, *row) for i, row in enumerate(rows)]
    )
    cases = []
    for case in CASES:
        run = run_any_order if case["funnel"]["mode"] == "any_order" else run_ordered
        cases.append({**case, **run(con, case)})
    document = {
        "command": COMMAND,
        "duckdb_version": duckdb.__version__,
        "events": EVENTS.name,
        "note": "times are epoch seconds; rows are [actor, session start or null, times "
        "per step (null: not reached)]",
        "cases": cases,
    }
    # one line per unit row, so the file stays readable
    compact: dict[str, str] = {}
    for case in cases:
        for i, row in enumerate(case["rows"]):
            key = f"@row{len(compact)}@"
            compact[key] = json.dumps(row)
            case["rows"][i] = key
    text = json.dumps(document, indent=1)
    for key, row in compact.items():
        text = text.replace(f'"{key}"', row, 1)
    OUTPUT.write_text(text + "\n")


if __name__ == "__main__":
    main()
