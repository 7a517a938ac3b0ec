"""The whole report on Dask (:func:`report`), with a pass of its own for the threads
several audience members share.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.validation import check_option
from ...exceptions import DataQualityWarning
from ..route import Routing, batch_rows, hash_column

if TYPE_CHECKING:
    from ...config.config import Config
    from ...events.log import EventLog
    from ...rates import Rates
    from ...report import DialogueSection, Report
from ._computing import evaluate_all
from ._graph import (
    KEY,
    ORDER,
    SPLIT_EVERY,
    Threads,
    broadcast,
    dask_modules,
    shuffle,
)
from ._members import members_by_pair, recipient_column
from ._partitioned import routed_frame, survey_frame

__all__ = [
    "report",
]


@final
@attrs.frozen(eq=False)
class _ReportMetric:
    """``Report.from_log`` with a fixed span: a picklable metric for the workers.

    With ``shared``, the dialogue leaves out the threads it marks shared (measured by
    thread instead, :class:`_SharedMetric`) and counts the actors of ``answered`` (their
    hashes) as in dialogue: they were answered in one of those threads.
    """

    config: Config
    start: Any
    end: Any
    shared: Routing | None = None
    answered: NDArray[np.uint64] | None = None

    def __call__(self, log: EventLog, /) -> Report:
        from ...report.report import Report

        without = also = None
        if self.shared is not None and self.answered is not None and len(log):
            ids = np.asarray(log.threads)
            without = self.shared.is_shared(hash_column(ids, 0), hash_column(ids, 1))
            also = np.isin(hash_column(np.asarray(log.actors)), self.answered)
        return Report._measure(
            log,
            self.config,
            start=self.start,
            end=self.end,
            without_threads=without,
            also_in_dialogue=also,
        )


@final
@attrs.frozen(eq=False)
class _SharedDialogue:
    """The dialogue of the threads several audience members share (mergeable)."""

    dialogue: DialogueSection
    responses: Rates
    answered: NDArray[np.uint64]  # hashes of the actors answered there, sorted, unique

    def merge(self, other: _SharedDialogue, /) -> _SharedDialogue:
        responses = self.responses
        if len(other.responses):
            responses = other.responses if not len(responses) else responses.merge(other.responses)
        return _SharedDialogue(
            self.dialogue.merge(other.dialogue),
            responses,
            np.union1d(self.answered, other.answered),
        )


@final
@attrs.frozen
class _SharedMetric:
    """The dialogue of a log that holds whole shared threads (and nothing else)."""

    config: Config

    def __call__(self, log: EventLog, /) -> _SharedDialogue:
        from ...events.context import LogContext
        from ...metrics.dialogue import AudienceSplit, response_rate
        from ...report import DialogueSection

        context = LogContext.of(log)
        messages = context.messages()
        window = self.config.response_window
        measured = DialogueSection._of(context, window=window)
        # the people are counted with their own partitions
        dialogue = attrs.evolve(measured, split=AudienceSplit.empty())
        responses = response_rate(
            context, window=window, by="period", period="day", tz=self.config.tz
        )
        rows = messages.rows[messages.answered()]
        answered = np.unique(hash_column(np.asarray(log.actors))[log.actor[rows]])
        return _SharedDialogue(dialogue, responses, answered)


def _shared_rows(part: Any, owners: Routing, config: Config | None) -> Any:
    """The rows of shared threads, keyed by their thread for a shuffle."""
    batch = part.drop(columns=[c for c in (KEY, ORDER) if c in part.columns])
    thread = batch_rows(batch, config).thread if len(batch) else None
    if thread is None:
        return part.iloc[:0]
    keep = owners.is_shared(*thread)
    out = part[keep].copy()
    out[KEY] = thread[0][keep]
    return out


def _uses_dialogue(criterion: Any) -> bool:
    """Whether a criterion's definition (a nested dict) contains a dialogue criterion."""
    if isinstance(criterion, dict):
        return criterion.get("kind") == "dialogue" or any(map(_uses_dialogue, criterion.values()))
    if isinstance(criterion, list):
        return any(map(_uses_dialogue, criterion))
    return False


def report(
    data: Any,
    config: Config,
    /,
    *,
    client: Any = None,
    npartitions: int | None = None,
    threads: Threads = "follow",
    start: Any = None,
    end: Any = None,
    retries: int = 0,
    split_every: int = SPLIT_EVERY,
) -> Report:
    """The whole :class:`~engagemetrics.Report` of a Dask DataFrame or Parquet dataset.

    Parameters
    ----------
    data
        As for :func:`compute`.
    config
        The report's definitions and the column mapping.
    client
        A ``distributed.Client``, a Dask scheduler name, or None for Dask's default
        scheduler (a Client that is running is the default).
    npartitions, threads, retries, split_every
        As for :func:`compute` (``threads`` ``"follow"`` or ``"actor"``: a report is
        partitioned by actor).
    start, end
        The report's span (as :meth:`Report.from_log`); by default the first and last
        events of all the data, found in the first pass, so that every partition's
        report shares them (reports merge only then).

    Returns
    -------
    Report
        That of ``Report.from_log`` on one log of all the events, threads with several
        audience members included: by :meth:`Report.to_dict`, every count is equal and
        every float sum (goal values) equal up to rounding (``rel_tol=1e-12``).

    Warns
    -----
    DataQualityWarning
        If some threads have messages from several audience members (the first pass
        counts them: :attr:`~engagemetrics.scale.partition.Routing.shared_threads`) and the
        engagement criterion contains a :class:`~engagemetrics.Dialogue`: a
        criterion is judged per partition by actor, where a member other than a shared
        thread's first does not see the brand's replies in it.

    Raises
    ------
    InvalidParameterError
        As :func:`compute`.
    FileNotFoundError
        ``data`` names a path where there is nothing.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> from engagemetrics.datasets import demo_config, simulate
    >>> from engagemetrics.report.report import Report
    >>> log = simulate(50, days=14, seed=2)
    >>> frame = dd.from_pandas(log.to_frame(), npartitions=2)
    >>> config = demo_config()
    >>> got = report(frame, config, client="sync", npartitions=3)
    >>> whole = Report.from_log(log, config)
    >>> got.to_dict()["dialogue"] == whole.to_dict()["dialogue"]  # counts: equal
    True
    >>> import math
    >>> math.isclose(got.goals[0].value, whole.goals[0].value, rel_tol=1e-12)  # a float sum
    True
    """
    dask, _ = dask_modules()
    check_option(threads, ("follow", "actor"), "threads", "report")  # a report is by actor
    routed, survey = routed_frame(
        data,
        config,
        npartitions=npartitions,
        threads=threads,
        scheduler=client,
        split_every=split_every,
        where="report",
    )
    if survey is None:  # routed already: the thread owners are still to be surveyed
        survey = survey_frame(routed, config, threads, client, split_every)
    given_start, given_end = start is not None, end is not None
    start = start if given_start else survey.first
    end = end if given_end else survey.last
    owners = survey.routing
    shared = None
    if owners.shared_threads:
        shared = _shared_dialogue(dask, routed, owners, config, client, retries, split_every)
        if _uses_dialogue(config.criterion.to_dict()):
            warnings.warn(
                f"{owners.shared_threads:,} of {len(owners):,} threads have messages from "
                "more than one audience member, and the engagement criterion reads "
                "dialogue: on Dask a member other than a thread's first is judged without "
                "the brand's replies in it (see 'Running at scale'). The dialogue section "
                "itself is exact.",
                DataQualityWarning,
                stacklevel=2,
            )

    def measure(start: Any, end: Any) -> Report:
        if shared is None:
            metric = _ReportMetric(config, start, end)
        else:
            metric = _ReportMetric(config, start, end, owners.only_shared(), shared.answered)
        result: Report = evaluate_all(dask, routed, metric, config, client, retries, split_every)
        if shared is None:
            return result
        responses = result.responses
        if len(shared.responses):
            responses = responses.merge(shared.responses) if len(responses) else shared.responses
        trends: Any = result.section("trends")  # an attrs section holding ``responses``
        trends = attrs.evolve(trends, responses=responses)
        return result.with_sections(result.dialogue.merge(shared.dialogue), trends)

    result = measure(start, end)
    if result.events:
        span = (start if given_start else result.first, end if given_end else result.last)
    else:  # no event kept: one machine's defaults for a log of no events
        span = (start if given_start else None, end if given_end else None)
    if span != (start, end):
        # the first or last parseable time was on a row the log dropped (on_invalid=
        # "drop"): one machine's report spans the kept events, so measure again with them
        result = measure(*span)
    names = {section.name for section in result.sections}
    if "members" in names and recipient_column(config) in routed.columns:
        # the partitions by actor split pairs of members: measure them by pair
        own: Any = result.section("members")  # its split, counted row by row
        result = result.with_sections(
            members_by_pair(dask, routed, config, own.split, client, retries, split_every)
        )
    return result


def _shared_dialogue(
    dask: Any,
    routed: Any,
    owners: Routing,
    config: Config,
    client: Any,
    retries: int,
    split_every: int,
) -> _SharedDialogue:
    """The dialogue of the shared threads, measured with each thread whole in one place.

    Their rows (few, as a rule) are selected from the partitions by actor and shuffled by
    thread: every message of such a thread, whoever sent it, and the brand's replies.
    """
    shipped = broadcast(owners, client)
    rows = routed.map_partitions(
        _shared_rows, shipped, config, meta=routed._meta, align_dataframes=False
    )
    by_thread = shuffle(rows, routed.npartitions, None, client)
    shared: _SharedDialogue = evaluate_all(
        dask, by_thread, _SharedMetric(config), config, client, retries, split_every
    )
    return shared
