"""Write the bundled sample of events, ``src/engagemetrics/datasets/data/sample_events.csv``.

A small, seeded, synthetic week-by-week log of one brand on two channels: most people
only view or like, some comment and get a brand reply in the same thread, a few come
back on later days, and a few visit the website or buy. It exists so the demo and the
docs have data that installs with the package; the simulator of the report issue
replaces it as the main synthetic source. Run: ``uv run python scripts/make_sample_events.py``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).parents[1] / "src/engagemetrics/datasets/data/sample_events.csv"
START = np.datetime64("2024-03-04T00:00:00", "s")


def main() -> None:
    rng = np.random.default_rng(20240304)
    posts = [
        (
            f"post-{i:02d}",
            "instagram" if i % 3 else "facebook",
            START + np.timedelta64(int(i * 2.5 * 86400 + rng.integers(8, 20) * 3600), "s"),
        )
        for i in range(12)
    ]
    rows: list[tuple[str, str, str, str, str, str, str]] = []
    thread_id = 0
    for person in range(160):
        actor = f"user-{person:03d}"
        kind = rng.choice(
            ["lurker", "liker", "talker", "fan", "buyer"], p=[0.4, 0.3, 0.12, 0.12, 0.06]
        )
        n_posts = {"lurker": 2, "liker": 2, "talker": 2, "fan": 5, "buyer": 3}[str(kind)]
        for p in rng.choice(len(posts), size=n_posts, replace=False):
            content, channel, posted = posts[int(p)]
            t = posted + np.timedelta64(int(rng.exponential(6 * 3600)), "s")
            rows.append((actor, "view", _iso(t), content, channel, "", ""))
            if kind == "lurker":
                continue
            t += np.timedelta64(int(rng.integers(5, 120)), "s")
            rows.append((actor, "like", _iso(t), content, channel, "", ""))
            if kind in ("talker", "fan") and rng.random() < 0.7:
                thread_id += 1
                thread = f"thread-{thread_id:03d}"
                t += np.timedelta64(int(rng.integers(30, 600)), "s")
                rows.append((actor, "comment", _iso(t), content, channel, thread, ""))
                if rng.random() < 0.6:
                    reply = t + np.timedelta64(int(rng.exponential(3 * 3600)), "s")
                    rows.append(
                        ("brand", "brand_reply", _iso(reply), content, channel, thread, "")
                    )
                    if rng.random() < 0.5:
                        again = reply + np.timedelta64(int(rng.exponential(2 * 3600)), "s")
                        rows.append((actor, "reply", _iso(again), content, channel, thread, ""))
            if kind in ("fan", "buyer") and rng.random() < 0.5:
                rows.append(
                    (actor, "share", _iso(t + np.timedelta64(90, "s")), content, channel, "", "")
                )
            if kind == "buyer":
                visit = t + np.timedelta64(int(rng.integers(60, 3 * 86400)), "s")
                rows.append((actor, "website_visit", _iso(visit), content, channel, "", ""))
                if rng.random() < 0.5:
                    buy = visit + np.timedelta64(int(rng.integers(60, 3600)), "s")
                    rows.append(
                        (
                            actor,
                            "purchase",
                            _iso(buy),
                            content,
                            channel,
                            "",
                            f"{rng.integers(15, 120)}.00",
                        )
                    )
    order = rng.permutation(len(rows))  # exports are not sorted by actor
    with OUT.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["actor", "action", "time", "content", "channel", "thread", "value"])
        for i in order:
            writer.writerow(rows[i])


def _iso(t: np.datetime64) -> str:
    return f"{t}Z"


if __name__ == "__main__":
    main()
