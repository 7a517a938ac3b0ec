"""The simulator's audience: its segments, their shares and behaviour, and the people.

Part of :func:`~engagemetrics.datasets.simulate` (the model is in its Notes and in
``docs/simulator.md``): each person belongs to a segment and has a personal activity; a
segment sets how far posts reach its people and what they do after a view.
"""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from typing import Final, Literal, TypeAlias, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from ..exceptions import InvalidParameterError

__all__ = [
    "DEFAULT_SEGMENTS",
    "DOES_MORE",
    "P_CLICK",
    "P_COMMENT",
    "P_LIKE",
    "P_SHARE",
    "SEGMENTS",
    "Audience",
    "Segment",
    "draw_audience",
    "segment_shares",
]

Segment: TypeAlias = Literal["lurker", "liker", "conversationalist", "loyal", "converter"]
"""The audience segments of the model, in the order of :data:`DEFAULT_SEGMENTS`."""

SEGMENTS: Final[tuple[Segment, ...]] = get_args(Segment)
_SEGMENT_CODE: Final[Mapping[str, int]] = {name: i for i, name in enumerate(SEGMENTS)}

DEFAULT_SEGMENTS: Final[Mapping[Segment, float]] = types.MappingProxyType(
    {"lurker": 0.55, "liker": 0.25, "conversationalist": 0.07, "loyal": 0.08, "converter": 0.05}
)
"""Default share of the audience in each segment (they sum to 1)."""

# the model's constants are documented in simulate's Notes and docs/simulator.md
_ACTIVITY_SIGMA: Final = 1.5
"""Actor activity ~ LogNormal(-sigma^2/2, sigma): mean 1, heavy right tail."""

# per segment, in SEGMENTS order: lurker, liker, conversationalist, loyal, converter
_REACH: Final = np.array([1.2, 1.2, 1.4, 5.0, 1.2])
P_LIKE: Final = np.array([0.0, 0.6, 0.3, 0.7, 0.1])
P_COMMENT: Final = np.array([0.0, 0.0, 0.4, 0.1, 0.0])
P_SHARE: Final = np.array([0.0, 0.02, 0.02, 0.06, 0.0])
P_CLICK: Final = np.array([0.0, 0.0, 0.0, 0.03, 0.35])
DOES_MORE: Final = (P_LIKE + P_COMMENT + P_SHARE + P_CLICK) > 0


def segment_shares(segments: Mapping[str, float] | None) -> NDArray[np.float64]:
    """The checked ``segments`` parameter of simulate: a share per segment, in order."""
    if segments is None:
        return np.array([DEFAULT_SEGMENTS[s] for s in SEGMENTS])
    if not isinstance(segments, Mapping):
        raise InvalidParameterError(
            f"The 'segments' parameter of simulate must be a mapping of segment to share; "
            f"got {type(segments).__name__}."
        )
    unknown = [k for k in segments if k not in SEGMENTS]
    if unknown:
        raise InvalidParameterError(
            f"Unknown segment {unknown[0]!r} in the 'segments' parameter of simulate; "
            f"segments: {', '.join(SEGMENTS)}."
        )
    shares = np.zeros(len(SEGMENTS))
    for name, share in segments.items():
        if (
            not isinstance(share, (int, float))
            or isinstance(share, bool)
            or not math.isfinite(share)
            or share < 0
        ):
            raise InvalidParameterError(
                f"The 'segments' parameter of simulate must map each segment to a finite "
                f"share >= 0; got {name}={share!r}."
            )
        shares[_SEGMENT_CODE[name]] = float(share)
    if abs(shares.sum() - 1.0) > 1e-9:
        listed = ", ".join(f"{k}={v}" for k, v in segments.items())
        raise InvalidParameterError(
            f"The shares in the 'segments' parameter of simulate must sum to 1 (segments "
            f"left out count 0); got {shares.sum():.6g} ({listed})."
        )
    return shares


@attrs.frozen(eq=False)
class Audience:
    """The people: each one's segment and propensity to see a post."""

    segment: NDArray[np.int8]
    propensity: NDArray[np.float64]  # reach of the segment times personal activity


def draw_audience(
    rng: np.random.Generator, n_actors: int, shares: NDArray[np.float64]
) -> Audience:
    """``n_actors`` people: segments drawn with the shares, activities LogNormal."""
    segment = rng.choice(len(SEGMENTS), size=n_actors, p=shares).astype(np.int8)
    activity = rng.lognormal(-(_ACTIVITY_SIGMA**2) / 2, _ACTIVITY_SIGMA, n_actors)
    return Audience(segment, _REACH[segment] * activity)
