"""The one array helper the result types share: freezing what they hold."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


def read_only(value: ArrayLike) -> NDArray[Any]:
    """``value`` as an array nobody can write to (an array is frozen in place, not copied).

    Results hand their arrays out; freezing them keeps a result's sums from changing
    under it after the caller edits what it was given.
    """
    array = np.asarray(value)
    array.flags.writeable = False
    return array
