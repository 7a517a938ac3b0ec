"""The journeys' sufficient statistics of the data-driven attribution models.

:class:`Transitions` (the Markov model's transition counts) and :class:`TouchSets`
(Shapley's converting journeys grouped by the set of keys they touched) are counts: the
statistics of two actor-disjoint chunks merge into those of the whole, and the credits
recomputed from them equal the whole's. :func:`markov_effects` and
:func:`shapley_credit` turn them into credits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.validation import check_keys
from ..._kernels.attribution import (
    absorbing_chain,
    count_pairs,
    masks_of_sets,
    shapley_values,
    subset_sums,
)
from ...exceptions import InvalidParameterError

__all__ = [
    "MARKOV_MAX_KEYS",
    "SHAPLEY_MAX_KEYS",
    "TouchSets",
    "Transitions",
    "distinct_sets",
    "markov_effects",
    "shapley_credit",
]

SHAPLEY_MAX_KEYS: Final = 20
"""Most keys (contents or channels) Shapley attribution enumerates: ``2^20`` subsets."""
MARKOV_MAX_KEYS: Final = 2_000
"""Most keys in the Markov chain: one dense ``(K + 1)``-square matrix is inverted."""


def _int_array(value: Any) -> NDArray[np.int64]:
    return np.asarray(value, dtype=np.int64)


def _float_array(value: Any) -> NDArray[np.float64]:
    return np.asarray(value, dtype=np.float64)


@final
@attrs.frozen(eq=False)
class Transitions:
    """Counts of transitions between journey states: the Markov model's statistics.

    A first-order Markov chain is fully described by these counts, so the counts of two
    actor-disjoint chunks add up to the counts of the whole, and the removal effects
    computed from the sum are the whole's.

    Attributes
    ----------
    source, target
        State of each distinct transition: an index into the result's ``keys``, or
        ``-1`` (start), ``-2`` (conversion) or ``-3`` (null: the journey ended without
        one).
    count
        How many journeys made each transition.
    """

    source: NDArray[np.int64] = attrs.field(converter=_int_array)
    target: NDArray[np.int64] = attrs.field(converter=_int_array)
    count: NDArray[np.int64] = attrs.field(converter=_int_array)

    @classmethod
    def empty(cls) -> Transitions:
        """No transitions: the identity of :meth:`merge`."""
        return cls(np.zeros(0), np.zeros(0), np.zeros(0))

    def remap(self, table: NDArray[np.int64]) -> Transitions:
        """The same counts with key index ``i`` renamed ``table[i]``."""
        return Transitions(_remap(self.source, table), _remap(self.target, table), self.count)

    def merge(self, other: Transitions, /) -> Transitions:
        """The counts of both (their state codes must refer to the same keys)."""
        source, target, count = count_pairs(
            np.concatenate([self.source, other.source]),
            np.concatenate([self.target, other.target]),
            np.concatenate([self.count, other.count]),
        )
        return Transitions(source, target, count)

    def to_dict(self) -> dict[str, Any]:
        """The counts as lists (``from_dict`` reads them back)."""
        return {
            "source": self.source.tolist(),
            "target": self.target.tolist(),
            "count": self.count.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Transitions:
        """The transitions :meth:`to_dict` wrote."""
        check_keys(data, ("source", "target", "count"), "Transitions.from_dict")
        return cls(data["source"], data["target"], data["count"])

    def equals(self, other: object, /) -> bool:
        """Same transitions and counts."""
        return isinstance(other, Transitions) and self.to_dict() == other.to_dict()


@final
@attrs.frozen(eq=False)
class TouchSets:
    """Converting journeys grouped by the set of keys they touched: Shapley's statistics.

    Set ``i`` holds the key indices ``members[offsets[i]:offsets[i + 1]]`` (increasing),
    the number of attributed conversions whose touches covered exactly that set, and
    their value. Sets are distinct and ordered by bitmask over the sets' keys.
    """

    offsets: NDArray[np.int64] = attrs.field(converter=_int_array)
    members: NDArray[np.int64] = attrs.field(converter=_int_array)
    conversions: NDArray[np.int64] = attrs.field(converter=_int_array)
    value: NDArray[np.float64] = attrs.field(converter=_float_array)

    @classmethod
    def empty(cls) -> TouchSets:
        """No sets: the identity of :meth:`merge`."""
        return cls(np.zeros(1), np.zeros(0), np.zeros(0), np.zeros(0))

    def __len__(self) -> int:
        return len(self.conversions)

    def remap(self, table: NDArray[np.int64]) -> TouchSets:
        """The same sets with key index ``i`` renamed ``table[i]`` (``table`` increasing)."""
        return TouchSets(self.offsets, table[self.members], self.conversions, self.value)

    def merge(self, other: TouchSets, /) -> TouchSets:
        """The sets of both, equal sets combined (members must refer to the same keys)."""
        offsets = np.concatenate([self.offsets[:-1], other.offsets + self.offsets[-1]])
        return distinct_sets(
            offsets,
            np.concatenate([self.members, other.members]),
            np.concatenate([self.conversions, other.conversions]),
            np.concatenate([self.value, other.value]),
        )

    def to_dict(self) -> dict[str, Any]:
        """The sets as lists (``from_dict`` reads them back)."""
        return {
            "offsets": self.offsets.tolist(),
            "members": self.members.tolist(),
            "conversions": self.conversions.tolist(),
            "value": self.value.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> TouchSets:
        """The sets :meth:`to_dict` wrote."""
        check_keys(data, ("offsets", "members", "conversions", "value"), "TouchSets.from_dict")
        return cls(data["offsets"], data["members"], data["conversions"], data["value"])

    def equals(self, other: object, /) -> bool:
        """Same sets, counts and values."""
        return isinstance(other, TouchSets) and self.to_dict() == other.to_dict()

    def players(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The distinct keys in any set, and each set's bitmask over them.

        Raises
        ------
        InvalidParameterError
            With more than :data:`SHAPLEY_MAX_KEYS` keys.
        """
        players, member_bit = np.unique(self.members, return_inverse=True)
        _check_players(len(players))
        return players, masks_of_sets(member_bit.reshape(-1), self.offsets)


def _check_players(k: int) -> None:
    if k > SHAPLEY_MAX_KEYS:
        raise InvalidParameterError(
            f"Shapley attribution enumerates all 2^K subsets of the K keys found in "
            f"converting journeys and supports at most K = {SHAPLEY_MAX_KEYS}; these "
            f"journeys touch {k}. Use unit='channel', group contents into fewer keys, "
            "or use model='markov'."
        )


def _remap(codes: NDArray[np.int64], table: NDArray[np.int64]) -> NDArray[np.int64]:
    return np.where(codes >= 0, table[np.maximum(codes, 0)], codes) if len(table) else codes


def distinct_sets(
    offsets: NDArray[np.int64],
    members: NDArray[np.int64],
    conversions: NDArray[np.int64],
    value: NDArray[np.float64],
) -> TouchSets:
    """Sets with equal members combined (counts and values added), ordered by bitmask."""
    if len(conversions) == 0:
        return TouchSets.empty()
    players, member_bit = np.unique(members, return_inverse=True)
    _check_players(len(players))
    masks = masks_of_sets(member_bit.reshape(-1), offsets)
    unique, inverse = np.unique(masks, return_inverse=True)
    inverse = inverse.reshape(-1)
    count = np.bincount(inverse, conversions.astype(np.float64), len(unique))
    total = np.bincount(inverse, value, len(unique))
    bits = (unique[:, None] >> np.arange(len(players), dtype=np.int64)) & 1
    sizes = bits.sum(axis=1)
    new_members = np.broadcast_to(players, bits.shape)[bits.astype(bool)]
    return TouchSets(
        np.concatenate(([0], np.cumsum(sizes))),
        new_members,
        np.rint(count).astype(np.int64),
        total,
    )


def markov_effects(transitions: Transitions, n_keys: int) -> tuple[float, NDArray[np.float64]]:
    """Conversion probability and the removal effect of each key (0 outside the chain).

    Raises
    ------
    InvalidParameterError
        With more than :data:`MARKOV_MAX_KEYS` keys in the journeys.
    """
    codes = np.concatenate([transitions.source, transitions.target])
    states = np.unique(codes[codes >= 0])
    if len(states) > MARKOV_MAX_KEYS:
        raise InvalidParameterError(
            f"Markov attribution inverts one dense matrix over the keys in the journeys "
            f"and supports at most {MARKOV_MAX_KEYS}; these journeys visit {len(states)}. "
            "Use unit='channel' or group contents into fewer keys."
        )
    table = np.full(max(n_keys, 1), -1, dtype=np.int64)
    table[states] = np.arange(len(states))
    compact = transitions.remap(table)
    p, effect = absorbing_chain(compact.source, compact.target, compact.count, len(states))
    full = np.zeros(n_keys, dtype=np.float64)
    full[states] = effect
    return p, full


def shapley_credit(sets: TouchSets, n_keys: int, weight: NDArray[Any]) -> NDArray[np.float64]:
    """Each key's Shapley value, the worth of a coalition being the ``weight`` (per set:
    conversions or value) of the sets it covers."""
    credit = np.zeros(n_keys, dtype=np.float64)
    players, masks = sets.players()
    k = len(players)
    by_mask = np.bincount(masks, np.asarray(weight, dtype=np.float64), 1 << k)
    v = subset_sums(np.asarray(by_mask, dtype=np.float64), k)
    credit[players] = shapley_values(v, k)
    return credit
