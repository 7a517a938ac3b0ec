"""One event as a value (:class:`Event`), and what a column of events may be.

:meth:`EventLog.from_records` takes :class:`Event` values; :meth:`EventLog.from_arrays`
takes columns (:data:`ColumnLike`), or a :class:`Constant` for a column the data lacks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal, TypeAlias, TypedDict, final

import attrs
from numpy.typing import ArrayLike

from ..vocabulary.categories import Direction, to_direction

__all__ = ["ColumnLike", "Constant", "Event", "OnInvalid"]

OnInvalid = Literal["raise", "drop"]
ColumnLike: TypeAlias = "ArrayLike | Sequence[Any]"
"""A column: a numpy array, or any sequence (``None`` marks a missing entry)."""


class Constant(TypedDict):
    """One value on every row, for a column the data does not have.

    ``{"constant": "direct_message"}`` as the ``action`` of a message log where each row
    is one message, or ``{"constant": "instagram"}`` as the ``channel`` of a file that
    holds one platform. Only ``action`` and ``channel`` take a constant.
    """

    constant: str | int


def _optional_direction(value: Direction | str | None) -> Direction | None:
    return None if value is None else to_direction(value)


@final
@attrs.frozen
class Event:
    """One interaction: one actor, one action, one occasion.

    Parameters
    ----------
    actor
        Who acted (a user id or handle).
    action
        What they did, as a canonical name or any alias the taxonomy knows.
    time
        When: an aware or naive :class:`~datetime.datetime`, or an ISO 8601 string.
    content, channel, thread
        Optional: which post, on which channel, in which conversation.
    value
        Optional money or points the event carries (finite, not negative).
    direction
        Optional override of the action's direction, e.g. ``"outbound"`` for a message
        the brand wrote.
    session
        Optional: the export's own session id (GA4's ``ga_session_id``), which
        :func:`~engagemetrics.sessions` then follows.
    recipient
        Optional: the member a message was sent to (an actor id), for dialogue between
        members (:mod:`engagemetrics.metrics.community`).

    Examples
    --------
    >>> Event("ana", "comment", "2024-05-01T10:00:00Z", content="post-1").action
    'comment'
    """

    actor: str | int
    action: str
    time: dt.datetime | str
    content: str | int | None = None
    channel: str | int | None = None
    thread: str | int | None = None
    value: float | None = None
    direction: Direction | None = attrs.field(default=None, converter=_optional_direction)
    session: str | int | None = None
    recipient: str | int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The event as a mapping of column name to value."""
        out = attrs.asdict(self)
        out["direction"] = None if self.direction is None else self.direction.value
        return out
