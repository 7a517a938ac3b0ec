"""The members section of the Dask report, measured with each pair of members whole.

The report's partitions are by actor, which splits the two directions of a pair of
members (a message goes with its sender). :func:`members_by_pair` selects the rows with
a recipient from those partitions, shuffles them by their unordered pair
(:func:`~engagemetrics.scale.partition_keys` with ``pairs=True``) and measures the
member metrics there; the report keeps its own split of the messages (counted row by
row, exact in any partition) and takes the rest from this pass.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, final

import attrs
import numpy as np

from ...vocabulary.actions import Direction
from ..route import partition_keys
from ._computing import evaluate_all
from ._graph import KEY, ORDER, shuffle

if TYPE_CHECKING:
    from ...config.config import Config
    from ...events.log import EventLog
    from ...metrics.community import DialogueSplit
    from ...report.sections.members import MembersSection

__all__ = ["members_by_pair", "recipient_column"]


def recipient_column(config: Config | None) -> str:
    """The frame's column that holds the recipients."""
    mapping = {} if config is None else dict(config.columns)
    named = mapping.get("recipient", "recipient")
    return named if isinstance(named, str) else "recipient"


def _pair_rows(part: Any, config: Config | None) -> Any:
    """The rows with a recipient, keyed by their unordered pair for a shuffle."""
    batch = part.drop(columns=[c for c in (KEY, ORDER) if c in part.columns])
    column = recipient_column(config)
    if not len(batch) or column not in batch.columns:
        return part.iloc[:0]
    keep = np.asarray(batch[column].notna(), dtype=bool)
    keys = partition_keys(batch, config=config, pairs=True)
    out = part[keep].copy()
    out[KEY] = keys[keep]
    return out


@final
@attrs.frozen
class _Accounts:
    """Actor ids with an outbound event (merged by union)."""

    ids: frozenset[Any] = frozenset()

    @classmethod
    def empty(cls) -> _Accounts:
        return cls()

    def merge(self, other: _Accounts, /) -> _Accounts:
        return _Accounts(self.ids | other.ids)


def _outbound_accounts(log: EventLog, /) -> _Accounts:
    """The actors of ``log`` with an outbound event: one machine's default brand."""
    rows = np.unique(log.actor[log.direction == Direction.OUTBOUND.code])
    return _Accounts(frozenset(log.actors[rows].tolist()))


@final
@attrs.frozen
class _PairMetric:
    """The members section of a log holding whole pairs of members (split left out)."""

    config: Config
    brand: tuple[Any, ...]

    def __call__(self, log: EventLog, /) -> MembersSection:
        from ...metrics.community import (
            DialogueSplit,
            member_conversations,
            member_partners,
            member_response_rate,
            member_response_times,
            reciprocity,
        )
        from ...report.sections.members import MembersSection

        brand = self.brand
        window = self.config.response_window
        return MembersSection(
            DialogueSplit.empty(),  # the report's partitions count it, row by row
            reciprocity(log, brand=brand),
            member_partners(log, brand=brand),
            member_conversations(log, brand=brand),
            member_response_rate(log, window=window, brand=brand),
            member_response_times(log, brand=brand),
        )


def members_by_pair(
    dask: Any,
    routed: Any,
    config: Config,
    split: DialogueSplit,
    client: Any,
    retries: int,
    split_every: int,
) -> MembersSection:
    """The member metrics of all the data, each pair of members whole in one partition.

    ``split`` is the split the report's partitions counted; it is kept when the
    configuration names the brand's accounts, and counted again with the accounts found
    in all the data when it does not."""
    from ...metrics.community import dialogue_split

    brand: tuple[Any, ...] = tuple(config.brand_accounts)
    if not brand:  # one machine's default: the actors with an outbound event, anywhere
        accounts: _Accounts = evaluate_all(
            dask, routed, _outbound_accounts, config, client, retries, split_every
        )
        brand = tuple(sorted(accounts.ids, key=str))
        split = evaluate_all(
            dask, routed, functools.partial(dialogue_split, brand=brand), config, client,
            retries, split_every,
        )  # fmt: skip
    rows = routed.map_partitions(_pair_rows, config, meta=routed._meta, align_dataframes=False)
    by_pair = shuffle(rows, routed.npartitions, None, client)
    section: MembersSection = evaluate_all(
        dask, by_pair, _PairMetric(config, brand), config, client, retries, split_every
    )
    return attrs.evolve(section, split=split)
