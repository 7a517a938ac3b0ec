"""Distributed execution: Dask on a two-worker LocalCluster gives one machine's numbers.

Every mergeable metric is computed once on one log of all the events (the reference)
and once through :mod:`engagemetrics.scale.dask` (survey, shuffle by actor, one log per
partition, tree of merges) on a ``distributed.LocalCluster`` with two worker processes;
the two ``to_dict()`` must be equal (exactly for counts, to ``rtol=1e-12`` for float
sums whose order of addition differs). Also here: an empty partition, a partition with
one actor, a worker process that dies mid-task, a task that fails once, the partition
API alone (the shape Spark and Ray use), and the documented errors.
"""

from __future__ import annotations

import concurrent.futures
import functools
import importlib
import math
import os
import pickle
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import dask as _dask
import dask.dataframe as _dask_dataframe
import numpy as np
import pandas as pd
import pytest

from engagemetrics.config.config import Config
from engagemetrics.datasets import demo_config, simulate
from engagemetrics.events.load_report import NoValidRowsError
from engagemetrics.events.log import EventLog
from engagemetrics.exceptions import DataQualityWarning, InvalidParameterError
from engagemetrics.metrics.conversion.attribution import attribute
from engagemetrics.metrics.conversion.funnels import funnel
from engagemetrics.metrics.conversion.goal_metrics import conversion_rate
from engagemetrics.metrics.dialogue import response_rate
from engagemetrics.metrics.engagement.criteria import Dialogue, engagement_score
from engagemetrics.metrics.engagement.relationship import (
    lifecycle,
    retention_matrix,
    return_rate,
    stickiness,
)
from engagemetrics.metrics.engagement.rfm import RFMTable, rfm
from engagemetrics.metrics.interactions import (
    InteractionCounts,
    interaction_counts,
    interactions_per_exposure,
)
from engagemetrics.report.report import Report
from engagemetrics.scale import dask as emd
from engagemetrics.scale.partition import (
    Bundle,
    Routing,
    bundle,
    empty_log,
    evaluate_partition,
    merge_all,
    partition_keys,
    routing,
)
from engagemetrics.vocabulary.goals import Goal

from ..extras import needs

pytestmark = needs("dask", "distributed", "pandas")

distributed: Any = importlib.import_module("distributed")  # marked: needs("distributed")
dask: Any = _dask  # dask's own annotations are partial; typed calls would be untyped calls
dd: Any = _dask_dataframe

# ---------------------------------------------------------------------------- data --
LOG = simulate(300, days=28, seed=11)
END = int(LOG.time.max())
END_TIME = np.datetime64(END, "ns")
PURCHASE = Goal("purchase", actions=["purchase"])


def _inbound_counts(log: EventLog, /) -> InteractionCounts:
    """Counts of the audience's events: what the report shows (the brand's are dialogue)."""
    counts = interaction_counts(log, by=("direction", "channel", "category"))
    keep = counts.vocabulary["direction"][counts.codes["direction"]] == "inbound"
    return InteractionCounts(
        by=counts.by,
        vocabulary=counts.vocabulary,
        codes={d: c[keep] for d, c in counts.codes.items()},
        events=counts.events[keep],
        actors=counts.actors[keep],
    )


def _funnel(log: EventLog, /) -> Any:
    return funnel(log, ["view", "like", "website_visit", "purchase"])


def _attribution(model: str, by: str) -> Callable[[EventLog], Any]:
    return functools.partial(_attribute, model=model, by=by)


def _attribute(log: EventLog, /, *, model: Any, by: Any) -> Any:
    return attribute(log, PURCHASE, model=model, unit=by)


def _conversion(log: EventLog, /) -> Any:
    return conversion_rate(log, PURCHASE)


def _rfm(log: EventLog, /) -> RFMTable:
    """A partition without transactions gives the empty table (issue 12)."""
    return rfm(log, end=END_TIME)


# Every mergeable result the library has, with the options a partition cannot pick for
# itself ("now", the observation end) fixed for all of them.
METRICS: Mapping[str, Callable[[EventLog], Any]] = {
    "interaction_counts inbound": _inbound_counts,
    "interactions_per_exposure": interactions_per_exposure,
    "interactions_per_exposure by content": functools.partial(
        interactions_per_exposure, by="content"
    ),
    "return_rate": functools.partial(return_rate, end=END),
    "retention_matrix": functools.partial(retention_matrix, end=END),
    "retention_matrix rolling by day": functools.partial(
        retention_matrix, period="day", mode="rolling", end=END
    ),
    "stickiness": functools.partial(stickiness, end=END),
    "lifecycle": functools.partial(lifecycle, end=END),
    "funnel": _funnel,
    "attribution last_touch": _attribution("last_touch", "content"),
    "attribution linear by channel": _attribution("linear", "channel"),
    "attribution time_decay": _attribution("time_decay", "content"),
    "attribution markov": _attribution("markov", "content"),
    "attribution shapley by channel": _attribution("shapley", "channel"),
    "conversion_rate": _conversion,
    "rfm": _rfm,
    "engagement_score": functools.partial(engagement_score, end=END_TIME),
    "engagement_score by content": functools.partial(engagement_score, by="content", end=END_TIME),
    "response_rate": response_rate,
    "response_rate by channel": functools.partial(response_rate, by="channel"),
    "response_rate by day": functools.partial(response_rate, by="period"),
}


def assert_same(got: Any, want: Any, path: str = "") -> None:
    """Equal plain data: exact but for floats, which may differ by rtol 1e-12."""
    if isinstance(want, Mapping):
        assert isinstance(got, Mapping), path
        assert sorted(got) == sorted(want), path
        for key in want:
            assert_same(got[key], want[key], f"{path}/{key}")
    elif isinstance(want, (list, tuple)):
        assert isinstance(got, (list, tuple)), path
        assert len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{path}[{i}]")
    elif isinstance(want, float) and not isinstance(got, bool):
        assert isinstance(got, (int, float)), path
        if math.isnan(want):
            assert math.isnan(got), path
        else:
            assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12), (path, got, want)
    else:
        assert got == want, (path, got, want)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """Two worker processes, one thread each: real pickling, real process failure."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never a clash with another cluster
            memory_limit="1GiB",
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    out: pd.DataFrame = LOG.to_frame()
    return out


@pytest.fixture(scope="module")
def routed(client: Any, frame: pd.DataFrame) -> Any:
    return emd.from_dask(dd.from_pandas(frame, npartitions=4), npartitions=6, scheduler=client)


@pytest.fixture(scope="module")
def distributed_results(client: Any, routed: Any) -> Bundle:
    """Every metric of :data:`METRICS` in one pass over the cluster."""
    result = emd.compute(routed, bundle(METRICS), scheduler=client)
    assert isinstance(result, Bundle)
    return result


# ------------------------------------------------------------------ equality --
@pytest.mark.parametrize("name", list(METRICS))
def test_cluster_equals_one_machine(name: str, distributed_results: Bundle) -> None:
    assert_same(distributed_results[name].to_dict(), METRICS[name](LOG).to_dict())


def test_the_data_exercises_every_path(routed: Any, client: Any) -> None:
    """Threads with brand replies and several partitions, so the equalities mean something."""
    sizes = client.compute(routed.map_partitions(len)).result().tolist()
    assert len(sizes) == 6
    assert sum(sizes) == len(LOG)
    assert min(sizes) > 0
    assert response_rate(LOG).successes > 50
    assert _conversion(LOG).successes > 5


def test_every_actor_is_in_one_partition(routed: Any, client: Any) -> None:
    parts = dask.compute(*routed.to_delayed(), scheduler=client)
    actors = [set(p["actor"].astype(str)) for p in parts]
    brand = {"brand"}
    audience = [a - brand for a in actors]
    assert sum(len(a) for a in audience) == len(set().union(*audience))
    assert sum(len(a) for a in audience) == LOG.n_actors - 1


def test_brand_replies_follow_the_thread_owner(routed: Any, client: Any) -> None:
    for part in dask.compute(*routed.to_delayed(), scheduler=client):
        inbound = part[(part["direction"] == "inbound") & part["thread"].notna()]
        replies = part[(part["direction"] == "outbound") & part["thread"].notna()]
        assert set(replies["thread"].astype(str)) <= set(inbound["thread"].astype(str))


def test_outbound_actor_counts_merge_exactly(
    client: Any, routed: Any, frame: pd.DataFrame
) -> None:
    """Issue 12: with threads="follow" the brand is in many partitions; its distinct-actor
    count merges by id, so it is counted once (it was once per partition)."""
    metric = functools.partial(interaction_counts, by=("direction", "category"))
    want = metric(LOG).to_dict()
    followed = emd.compute(routed, metric, scheduler=client).to_dict()
    assert followed == want
    by_actor = emd.compute(
        dd.from_pandas(frame, npartitions=3),
        metric,
        threads="actor",
        npartitions=4,
        scheduler=client,
    )
    assert by_actor.to_dict() == want


def test_dialogue_needs_threads_follow(client: Any, frame: pd.DataFrame) -> None:
    """Without following threads, brand replies sit with the brand: answers are lost."""
    got = emd.compute(
        dd.from_pandas(frame, npartitions=2),
        response_rate,
        threads="actor",
        npartitions=4,
        scheduler=client,
    )
    assert got.trials == response_rate(LOG).trials
    assert got.successes < response_rate(LOG).successes


# ---------------------------------------------------------------------- report --
CONFIG = demo_config()


def with_shared_threads(frame: pd.DataFrame, seed: int = 5) -> pd.DataFrame:
    """``frame`` with other audience members joining half of its threads: each writes a
    reply 30 minutes after a message there, and some of those replies are answered."""
    rng = np.random.default_rng(seed)
    data = frame.astype(
        dict.fromkeys(("actor", "content", "channel", "thread", "action", "direction"), object)
    )
    opened = data[data["action"] == "comment"].drop_duplicates("thread")
    joined = opened.sample(frac=0.5, random_state=seed)
    others = data.loc[data["direction"] == "inbound", "actor"].unique()
    extra = joined.copy()
    extra["actor"] = [rng.choice(others[others != a]) for a in joined["actor"]]
    extra["action"] = "reply"
    extra["time"] = joined["time"] + pd.Timedelta(minutes=30)
    answers = extra.sample(frac=0.5, random_state=seed).copy()
    answers["actor"] = "brand"
    answers["action"] = "brand_reply"
    answers["direction"] = "outbound"
    answers["time"] = answers["time"] + pd.Timedelta(minutes=45)
    out: pd.DataFrame = pd.concat([data, extra, answers], ignore_index=True)
    ordered: pd.DataFrame = out.sort_values("time", kind="stable", ignore_index=True)
    return ordered


@pytest.fixture(scope="module")
def shared_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return with_shared_threads(frame)


@pytest.fixture(scope="module")
def reports(client: Any, shared_frame: pd.DataFrame) -> tuple[dict[str, Any], dict[str, Any]]:
    """The whole report on the cluster, and on one machine, as plain data, of events
    where many threads have several audience members."""
    whole = Report.from_log(CONFIG.log_from_frame(shared_frame), CONFIG).to_dict()
    data = dd.from_pandas(shared_frame, npartitions=4)
    got = emd.report(data, CONFIG, client=client, npartitions=6).to_dict()
    return got, whole


def test_report_has_every_section(
    reports: tuple[dict[str, Any], dict[str, Any]], shared_frame: pd.DataFrame
) -> None:
    got, whole = reports
    assert sorted(got) == sorted(whole)
    assert whole["dialogue"]["answered"]["successes"] > 50  # threads with replies exist
    assert routing(shared_frame).shared_threads >= 30  # and many are shared


@pytest.mark.parametrize("section", sorted(Report.from_log(LOG, CONFIG).to_dict()))
def test_report_on_cluster_equals_one_machine(
    section: str, reports: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    got, whole = reports
    assert_same(got[section], whole[section], section)


def test_report_of_a_parquet_path_with_dropped_last_row(
    frame: pd.DataFrame, tmp_path: Path
) -> None:
    """The latest time is on a row the log drops: the report's end is the last kept
    event, as on one machine (the first pass saw the dropped row, so it measures again)."""
    late = frame.iloc[[0]].copy()
    late["action"] = late["action"].cat.add_categories(["lkie"])
    late.loc[:, "action"] = "lkie"
    late.loc[:, "time"] = frame["time"].max() + pd.Timedelta(days=3)
    data = pd.concat([frame, late], ignore_index=True)
    data["action"] = data["action"].astype(str)
    data.to_parquet(tmp_path / "events.parquet")
    config = attrs.evolve(CONFIG, on_invalid="drop")
    whole = Report.from_log(config.log_from_frame(data), config)
    got = emd.report(tmp_path / "events.parquet", config, client="sync", npartitions=3)
    assert got.end == whole.end == int(LOG.time.max())
    assert_same(got.to_dict(), whole.to_dict())


def test_report_with_a_given_span(frame: pd.DataFrame) -> None:
    start, end = "2024-01-08T00:00:00", "2024-02-10T00:00:00"
    whole = Report.from_log(CONFIG.log_from_frame(frame), CONFIG, start=start, end=end)
    data = dd.from_pandas(frame, npartitions=2)
    got = emd.report(data, CONFIG, client="sync", npartitions=3, start=start, end=end)
    assert_same(got.to_dict(), whole.to_dict())


def test_every_row_dropped_gives_one_machines_span() -> None:
    """Issue 12 (repro 15): every row dropped under on_invalid="drop": the span of the
    Dask report is one machine's (1970-01-01 for no events), not the dropped rows' time."""
    data = pd.DataFrame({"actor": ["u0"], "action": ["lkie"], "time": ["2024-03-29T20:00:00"]})
    config = Config(on_invalid="drop")
    with pytest.raises(NoValidRowsError) as raised:  # loaded whole, no valid row is an error
        config.log_from_frame(data)
    whole = Report.from_log(raised.value.log, config)  # a partition's view: no events
    got = emd.report(dd.from_pandas(data, npartitions=1), config, client="sync")
    assert (got.start, got.end, got.events) == (whole.start, whole.end, 0) == (0, 0, 0)
    assert_same(got.to_dict(), whole.to_dict())


@pytest.mark.parametrize(
    ("actors", "brand", "thread"),
    [([1, 0], -1, "t1"), ([0, -5], -1, "t1"), (["b", "a"], "brand", "t1"), (["ana"], "brand", 0)],
)
def test_integer_ids_zero_and_negative_on_dask(actors: list[Any], brand: Any, thread: Any) -> None:
    """Issue 12 (repro 16): an actor or thread id 0 hashed to the "no id" sentinel, so a
    shared thread was not seen as shared and a brand reply lost its message."""
    rows = [(a, "comment", f"2024-03-29T2{i}:00:00", thread) for i, a in enumerate(actors)]
    rows.append((brand, "brand_reply", "2024-03-29T23:00:00", thread))
    data = pd.DataFrame(rows, columns=["actor", "action", "time", "thread"])
    config = Config(brand_accounts=[str(brand)])
    whole = Report.from_log(config.log_from_frame(data), config).to_dict()
    answered = whole["dialogue"]["answered"]
    assert (answered["successes"], answered["trials"]) == (len(actors), len(actors))
    for k in (2, 3, 5):
        got = emd.report(dd.from_pandas(data, npartitions=1), config, client="sync", npartitions=k)
        assert_same(got.to_dict()["dialogue"], whole["dialogue"], f"k={k}")


# ------------------------------------------------------------------- partitions --
def _as_routed(parts: list[pd.DataFrame]) -> Any:
    """A frame already partitioned as given (KEY marks it so compute keeps it as it is)."""
    frames = []
    for number, part in enumerate(parts):
        part = part.copy()
        part[emd.KEY] = np.zeros(len(part), dtype=np.uint64)
        part[emd.ORDER] = (number << 40) + np.arange(len(part), dtype=np.int64)
        frames.append(dd.from_pandas(part, npartitions=1))
    return dd.concat(frames)


def test_an_empty_and_a_one_actor_partition(client: Any, frame: pd.DataFrame) -> None:
    keys = partition_keys(frame, routing=routing(frame))
    loyal = frame["actor"].astype(str) == "loyal-014"
    assert loyal.any()
    own = keys == keys[np.flatnonzero(loyal.to_numpy())[0]]  # with the brand's replies
    parts = [frame[own], frame.iloc[:0], frame[~own]]
    assert parts[0]["actor"].astype(str).nunique() <= 2  # the actor, maybe the brand
    data = _as_routed(parts)
    assert [len(p) for p in parts][1] == 0
    for name in ("funnel", "retention_matrix", "response_rate", "rfm", "attribution markov"):
        got = emd.compute(data, METRICS[name], scheduler=client)
        assert_same(got.to_dict(), METRICS[name](LOG).to_dict(), name)


def test_more_partitions_than_actors(client: Any) -> None:
    small = simulate(4, days=7, seed=2)
    data = dd.from_pandas(small.to_frame(), npartitions=2)
    routed = emd.from_dask(data, npartitions=12, scheduler=client)
    sizes = client.compute(routed.map_partitions(len)).result().tolist()
    assert 0 in sizes  # empty partitions
    got = emd.compute(routed, METRICS["retention_matrix"], scheduler=client)
    assert got.to_dict() == retention_matrix(small, end=END).to_dict()


def test_all_partitions_empty_gives_the_empty_result(client: Any, frame: pd.DataFrame) -> None:
    data = _as_routed([frame.iloc[:0], frame.iloc[:0]])
    got = emd.compute(data, interaction_counts, scheduler=client)
    assert got.to_dict() == interaction_counts(empty_log()).to_dict()
    assert got.events.tolist() == []


@pytest.mark.parametrize("name", list(METRICS))
def test_an_empty_batch_is_the_identity(name: str, frame: pd.DataFrame) -> None:
    metric = METRICS[name]
    empty = evaluate_partition(frame.iloc[:0], metric)
    whole = metric(LOG)
    assert_same(empty.merge(whole).to_dict(), whole.to_dict())
    assert_same(whole.merge(empty).to_dict(), whole.to_dict())


# -------------------------------------------------------------------- failures --
@attrs.frozen
class _FailOnce:
    """A metric whose first call fails: by raising, or by killing its worker process."""

    marker: str
    how: str

    def __call__(self, log: EventLog, /) -> Any:
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return return_rate(log, end=END)
        os.close(fd)
        if self.how == "exit":
            os._exit(1)  # the worker process dies; its nanny starts a new one
        raise RuntimeError("transient failure")


def test_a_worker_that_dies_mid_task(client: Any, routed: Any, tmp_path: Path) -> None:
    got = emd.compute(routed, _FailOnce(str(tmp_path / "died"), "exit"), scheduler=client)
    assert (tmp_path / "died").exists()
    assert got.to_dict() == return_rate(LOG, end=END).to_dict()
    client.wait_for_workers(2, timeout=30)


def test_a_routed_frame_survives_losing_every_worker(
    client: Any, routed: Any, tmp_path: Path
) -> None:
    """The routing of a frame was scattered data: the scheduler kept one replica, and
    once its worker died every later computation on the frame failed on "lost data"
    (seen in CI after test_a_worker_that_dies_mid_task). It is a graph node now."""
    metric = _FailOnce(str(tmp_path / "done"), "raise")
    (tmp_path / "done").touch()  # no failure: the metric is return_rate
    before = emd.compute(routed, metric, scheduler=client)
    client.restart()  # every worker's memory is gone
    client.wait_for_workers(2, timeout=30)
    assert emd.compute(routed, metric, scheduler=client).to_dict() == before.to_dict()


def test_a_task_that_fails_once_is_retried(client: Any, routed: Any, tmp_path: Path) -> None:
    got = emd.compute(
        routed, _FailOnce(str(tmp_path / "once"), "raise"), scheduler=client, retries=1
    )
    assert got.to_dict() == return_rate(LOG, end=END).to_dict()


def test_without_retries_the_failure_surfaces(client: Any, routed: Any, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="transient failure"):
        emd.compute(routed, _FailOnce(str(tmp_path / "fail"), "raise"), scheduler=client)


@attrs.frozen
class _Fails:
    """A metric that always fails."""

    def __call__(self, log: EventLog, /) -> Any:
        raise RuntimeError("this metric always fails")


def test_two_computations_at_once_on_one_client(client: Any, routed: Any) -> None:
    """Issue 12 (bug_dask_concurrent): task keys were fixed, so two computations running
    at once on one client shared their merge tasks and swapped results."""
    metrics: dict[str, Callable[[EventLog], Any]] = {
        "category": interaction_counts,
        "channel": functools.partial(interaction_counts, by=("channel",)),
        "stickiness": METRICS["stickiness"],
    }
    for _ in range(2):
        with concurrent.futures.ThreadPoolExecutor(len(metrics)) as pool:
            running = {
                name: pool.submit(emd.compute, routed, metric, scheduler=client)
                for name, metric in metrics.items()
            }
            got = {name: future.result(timeout=120) for name, future in running.items()}
        for name, metric in metrics.items():
            assert_same(got[name].to_dict(), metric(LOG).to_dict(), name)


def test_a_computation_after_a_failed_one(client: Any, routed: Any, tmp_path: Path) -> None:
    """Issue 12 (bug_dask_keys, bug_dask_seq): after a failed computation, the next one
    (another metric, or the same one that now succeeds) never gets the old error, even
    while the caller still holds the failure's traceback."""
    failures = []
    with pytest.raises(RuntimeError, match="always fails") as failed:
        emd.compute(routed, _Fails(), scheduler=client)
    failures.append(failed.value)  # the traceback holds the failed call's frames
    got = emd.compute(routed, METRICS["stickiness"], scheduler=client)
    assert_same(got.to_dict(), METRICS["stickiness"](LOG).to_dict())
    once = _FailOnce(str(tmp_path / "once"), "raise")
    with pytest.raises(RuntimeError, match="transient failure") as failed_once:
        emd.compute(routed, once, scheduler=client)
    failures.append(failed_once.value)
    again = emd.compute(routed, once, scheduler=client)  # the very same metric, now fine
    assert again.to_dict() == return_rate(LOG, end=END).to_dict()
    assert len(failures) == 2


# ----------------------------------------------------------- paths and schedulers --
def test_parquet_dataset_and_local_scheduler(frame: pd.DataFrame, tmp_path: Path) -> None:
    target = tmp_path / "events"
    target.mkdir()
    for i, part in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[part].to_parquet(target / f"part-{i}.parquet")
    metric = METRICS["funnel"]
    routed = emd.read_parquet(target, npartitions=3, scheduler="sync")
    with dask.config.set(scheduler="sync"):
        got = emd.compute(routed, metric)
    assert_same(got.to_dict(), metric(LOG).to_dict())
    again = emd.compute(target, metric, scheduler="threads")  # a path: routed on the way
    assert_same(again.to_dict(), metric(LOG).to_dict())


def test_a_config_maps_columns(frame: pd.DataFrame) -> None:

    renamed = frame.rename(columns={"actor": "user", "time": "at"})
    config = Config(columns={"actor": "user", "time": "at"}, brand_accounts=["brand"])
    data = dd.from_pandas(renamed, npartitions=2)
    got = emd.compute(data, response_rate, config=config, npartitions=3, scheduler="sync")
    assert got.to_dict() == response_rate(config.log_from_frame(renamed)).to_dict()


def test_ties_in_time_keep_the_input_order() -> None:
    """Two events of one actor at one instant: canonical order is input order, as on one
    machine, however the shuffle interleaves partitions."""
    data = pd.DataFrame(
        {
            "actor": ["ana", "ana", "bo", "ana"],
            "action": ["view", "like", "view", "purchase"],
            "time": pd.to_datetime(["2024-05-01"] * 4),
        }
    )

    def ordered(log: EventLog, /) -> Any:  # view then like at one instant: order matters
        return funnel(log, ["view", "like"])

    got = emd.compute(
        dd.from_pandas(data, npartitions=2), ordered, npartitions=2, scheduler="sync"
    )
    assert got.to_dict() == ordered(EventLog.from_frame(data)).to_dict()


# ------------------------------------------------------------------- partition API --
def test_spark_shape_by_hand(frame: pd.DataFrame) -> None:
    """Route, evaluate, reduce with plain pandas: what mapInPandas/applyInPandas run."""
    table = pd.concat([frame.iloc[::2], frame.iloc[1::2]])  # any input order of rows
    owners = merge_all([routing(table.iloc[:5000]), routing(table.iloc[5000:])])
    assert len(owners) == len(routing(table))
    keys = partition_keys(table, routing=owners) % np.uint64(5)
    parts = [table[keys == i].sort_index(kind="stable") for i in range(5)]
    metric = METRICS["response_rate by day"]
    got = merge_all([evaluate_partition(p, metric) for p in parts])
    assert_same(got.to_dict(), metric(LOG).to_dict())


@needs("pyarrow")
def test_arrow_batches(frame: pd.DataFrame) -> None:
    import pyarrow as pa

    keys = partition_keys(frame) % np.uint64(3)
    batches = [pa.Table.from_pandas(frame[keys == i], preserve_index=False) for i in range(3)]
    metric = METRICS["stickiness"]
    got = merge_all([evaluate_partition(b, metric) for b in batches])
    assert_same(got.to_dict(), metric(LOG).to_dict())


def test_routing_merge_is_associative_and_has_an_identity(frame: pd.DataFrame) -> None:
    a, b, c = (routing(frame.iloc[i::3]) for i in range(3))
    left, right = a.merge(b).merge(c), a.merge(b.merge(c))
    for field in ("thread_a", "thread_b", "time", "owner", "shared"):
        assert getattr(left, field).tolist() == getattr(right, field).tolist()
        assert getattr(left, field).tolist() == getattr(routing(frame), field).tolist()
    assert Routing.empty().merge(a) is a
    assert a.merge(Routing.empty()) is a


def test_a_thread_with_two_audience_members_is_not_exact() -> None:
    """The documented limit: the brand's replies go with the thread's first audience
    member, so a second member's message answered in the same thread looks unanswered."""
    data = pd.DataFrame(
        {
            "actor": ["ana", "bo", "brand"],
            "action": ["comment", "comment", "brand_reply"],
            "time": pd.to_datetime(["2024-05-01 10:00", "2024-05-01 11:00", "2024-05-01 12:00"]),
            "thread": ["t1", "t1", "t1"],
        }
    )
    keys = partition_keys(data, routing=routing(data))
    assert keys[2] == keys[0] != keys[1]
    parts = [data.iloc[[0, 2]], data.iloc[[1]]]
    got = merge_all([evaluate_partition(p, response_rate) for p in parts])
    whole = response_rate(EventLog.from_frame(data))
    assert (whole.successes, whole.trials) == (2, 2)
    assert (got.successes, got.trials) == (1, 2)


def test_shared_threads_are_found_and_measured_whole() -> None:
    data = pd.DataFrame(
        {
            "actor": ["ana", "bo", "brand", "cy", "brand", "ana"],
            "action": ["comment", "comment", "brand_reply", "comment", "brand_reply", "reply"],
            "time": pd.to_datetime([f"2024-05-01 1{h}:00" for h in range(6)]),
            "thread": ["t1", "t1", "t1", "t2", "t2", "t2"],
        }
    )
    owners = routing(data)
    assert owners.shared.tolist() == [True, True]  # t1: ana and bo; t2: cy and ana
    assert owners.shared_threads == 2
    # seen apart, each batch has one member per thread: the merge still finds them shared
    apart = routing(data.iloc[[0, 3]]).merge(routing(data.iloc[[1, 2, 4, 5]]))
    assert apart.shared.tolist() == [True, True]
    alone = routing(data.iloc[[0, 2, 3, 4]])
    assert (alone.shared.tolist(), alone.shared_threads) == ([False, False], 0)
    assert Routing.empty().shared_threads == 0
    mixed = routing(data.iloc[[0, 1, 2, 3, 4]])  # t1 shared, t2 (cy alone) not
    assert sorted(mixed.shared.tolist()) == [False, True]  # rows in hash order
    assert mixed.only_shared().owner.tolist() == mixed.owner[mixed.shared].tolist()
    assert mixed.is_shared(mixed.thread_a, mixed.thread_b).tolist() == mixed.shared.tolist()
    assert not mixed.is_shared(np.array([7], np.uint64), np.array([7], np.uint64))[0]
    frame = dd.from_pandas(data, npartitions=2)
    got = emd.report(frame, Config(), client="sync", npartitions=2)
    want = Report.from_log(EventLog.from_frame(data), Config())
    assert_same(got.to_dict(), want.to_dict())
    assert want.dialogue.in_dialogue == 3  # bo and cy were answered in threads they joined
    # a criterion that reads dialogue is judged per partition: the report says so
    talk = Config(criterion=Dialogue())
    with pytest.warns(DataQualityWarning, match="2 of 2 threads .* criterion reads dialogue"):
        emd.report(frame, talk, client="sync", npartitions=2)


# ---------------------------------------------------------------------- errors --
def test_errors() -> None:
    with pytest.raises(
        InvalidParameterError,
        match="'ddf' parameter of from_dask must be a dask DataFrame; got 'pandas",
    ):
        emd.from_dask(pd.DataFrame({"a": [1]}))
    data = dd.from_pandas(LOG.to_frame(), npartitions=1)
    with pytest.raises(
        InvalidParameterError,
        match="'threads' parameter of from_dask must be one of 'follow', 'actor', 'pairs'; "
        "got 'thread'",
    ):
        emd.from_dask(data, threads="thread")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidParameterError,
        match="'split_every' parameter of compute must be an integer >= 2; got 1",
    ):
        emd.compute(data, interaction_counts, split_every=1)
    with pytest.raises(FileNotFoundError, match="No Parquet dataset at"):
        emd.read_parquet("/nonexistent/events")
    with pytest.raises(FileNotFoundError, match="No Parquet dataset at"):
        emd.compute("/nonexistent/events", interaction_counts)
    with pytest.raises(InvalidParameterError, match="'data' parameter of report must be a dask"):
        emd.report(pd.DataFrame({"a": [1]}), Config())
    with pytest.raises(InvalidParameterError, match="'split_every' parameter of report"):
        emd.report(data, Config(), split_every=0)
    with pytest.raises(
        InvalidParameterError,
        match=r"'results' parameter of merge_all must be at least one result; got \[\] \(pass",
    ):
        merge_all([])
    with pytest.raises(InvalidParameterError, match="'split_every' parameter of merge_all"):
        merge_all([Routing.empty()], split_every=1)
    with pytest.raises(InvalidParameterError, match="'metrics' parameter of bundle must be"):
        bundle({})
    one = bundle({"a": interaction_counts})(LOG)
    two = bundle({"b": interaction_counts})(LOG)
    with pytest.raises(InvalidParameterError, match="Cannot merge bundles of different"):
        one.merge(two)


@pytest.mark.parametrize("name", list(METRICS))
def test_every_result_survives_pickling(name: str) -> None:
    """Partial results travel between worker processes as pickles."""
    result = METRICS[name](LOG)
    assert_same(pickle.loads(pickle.dumps(result)).to_dict(), result.to_dict())
