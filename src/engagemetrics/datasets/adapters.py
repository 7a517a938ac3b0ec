"""Adapters: public datasets in their own schemas, turned into an :class:`EventLog`.

:func:`from_twcs` reads the Customer Support on Twitter schema (Thought Vector, 2017):
customers write to brand support accounts and the brands reply, one tweet per row, with
each reply pointing at the tweet it answers. The adapter turns the reply pointers into
threads with vectorised pointer jumping and keeps every tweet, including replies whose
parent is not in the data (it counts them).
"""

from __future__ import annotations

import csv
import itertools
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any, Final, TypeAlias, final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.time import parse_time
from .._core.validation import check_option
from ..events.event import OnInvalid
from ..events.log import EventLog
from ..exceptions import ColumnNotFoundError, DataError, SchemaError

__all__ = ["TWCS_COLUMNS", "TWITTER_TIME_FORMAT", "TwcsThreads", "from_twcs"]

TWCS_COLUMNS: Final = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "in_response_to_tweet_id",
)
"""The columns :func:`from_twcs` needs; ``text`` and ``response_tweet_id`` are not read."""

TWITTER_TIME_FORMAT: Final = "%a %b %d %H:%M:%S %z %Y"
"""How Twitter writes ``created_at``, e.g. ``Tue Oct 31 22:10:47 +0000 2017``."""

TwcsSource: TypeAlias = "str | os.PathLike[str] | Mapping[str, Sequence[Any] | NDArray[Any]]"
"""A CSV path, or a mapping of column name to a sequence or a 1-D array."""

_ID_COLUMNS: Final = ("tweet_id", "author_id", "in_response_to_tweet_id")
_FLOAT_ID = re.compile(r"(\d+)\.0*")
_WEEKDAYS: Final = np.array(["Fri", "Mon", "Sat", "Sun", "Thu", "Tue", "Wed"])
_MONTHS: Final = np.array(
    ["Apr", "Aug", "Dec", "Feb", "Jan", "Jul", "Jun", "Mar", "May", "Nov", "Oct", "Sep"]
)
_MONTH_DIGITS: Final = (
    np.array(["04", "08", "12", "02", "01", "07", "06", "03", "05", "11", "10", "09"])
    .view(np.uint32)
    .reshape(12, 2)
)
_TIME_WIDTH: Final = 30  # len("Tue Oct 31 22:10:47 +0000 2017")


@final
@attrs.frozen(eq=False)
class TwcsThreads:
    """A Customer Support on Twitter table as an event log, with what the threads held.

    Attributes
    ----------
    log
        One event per tweet, read through :meth:`EventLog.from_arrays`: actor is the
        ``author_id``, thread and content are the id of the thread's first tweet,
        channel is ``"twitter"``. ``log.load_report`` counts any rows dropped with
        ``on_invalid="drop"`` (under the log's column names: ``actor`` for
        ``author_id``, ``time`` for ``created_at``, ``direction`` for ``inbound``).
    missing_parents
        Replies whose ``in_response_to_tweet_id`` is not in the data. They are kept and
        start their own thread.
    threads
        Number of threads: tweets with no parent plus replies whose parent is missing.
    brands
        Sorted ``author_id`` of the tweets companies wrote (``inbound`` false).

    ``missing_parents``, ``threads`` and ``brands`` count the rows read, before any row
    is dropped for an invalid value.
    """

    log: EventLog
    missing_parents: int
    threads: int
    brands: tuple[str, ...]


def from_twcs(source: TwcsSource, /, *, on_invalid: OnInvalid = "raise") -> TwcsThreads:
    """Read the Customer Support on Twitter schema into an :class:`EventLog` of threads.

    Parameters
    ----------
    source
        A CSV file in the corpus's layout (comma separated, one header row, UTF-8, CRLF
        or LF line endings), or a mapping of column name to a sequence or 1-D array for
        columns already in memory. Either way the columns ``tweet_id``, ``author_id``,
        ``inbound``, ``created_at`` and ``in_response_to_tweet_id`` are needed; others
        are ignored.
    on_invalid
        ``"raise"`` (default) raises on the first invalid value; ``"drop"`` keeps the
        valid rows and counts the others in ``log.load_report``.

    Returns
    -------
    TwcsThreads
        The log, the number of threads and of replies whose parent is missing, and the
        brands.

    Raises
    ------
    ColumnNotFoundError
        A required column is absent (the message names it).
    DataError
        A missing or duplicated ``tweet_id``, replies that form a cycle, or a CSV row
        with more or fewer fields than the header: always. With ``on_invalid="raise"``
        also a blank ``author_id``, a ``created_at`` that cannot be parsed or an
        ``inbound`` that is neither ``True`` nor ``False``; the message names the
        column, the value and the row (data rows from 0, header and blank lines not
        counted).
    SchemaError
        A mapping column of a type that cannot hold its values (e.g. fractional ids).
    InvalidParameterError
        ``on_invalid`` is neither ``"raise"`` nor ``"drop"``.

    Notes
    -----
    Each tweet becomes one event:

    - actor: ``author_id`` as a string; ids written as floats (``"3.0"``, as some
      exports of the corpus do) read as integers (``"3"``). The same holds for
      ``tweet_id`` and ``in_response_to_tweet_id``.
    - time: ``created_at`` in Twitter's format ``%a %b %d %H:%M:%S %z %Y`` (English
      names whatever the locale; the offset is applied, so times are UTC). Text in
      another shape goes to the library's ISO 8601 parser.
    - action, from ``inbound`` and whether the tweet answers another one (has an
      ``in_response_to_tweet_id`` at all): a customer's first tweet is ``mention``, a
      customer's reply ``reply``, a company's reply ``brand_reply`` and a company's
      first tweet ``brand_message`` (the default :class:`Taxonomy` names).
    - direction: ``inbound`` if ``inbound`` is true, else ``outbound``.
    - thread and content: the ``tweet_id`` of the thread's root, the tweet reached by
      following ``in_response_to_tweet_id`` until a tweet has no parent or its parent
      is not in the data. A reply whose parent is missing keeps its action (it is still
      a reply) but roots its own thread, and is counted in ``missing_parents``.
    - channel: ``"twitter"``; no values.

    Roots are found by pointer jumping, vectorised: with ``p[i]`` the row of tweet
    ``i``'s parent (``p[i] = i`` for a root), ``p <- p[p]`` doubles the distance each
    step and stops within ``ceil(log2(n)) + 1`` steps. A root that is not a thread
    start means the replies form a cycle, which is an error.

    The CSV reader handles the corpus's quirks: CRLF line endings, line breaks inside
    quoted text, and in a CRLF file a bare carriage return or line feed inside
    unquoted text (which would otherwise split a row in two).

    References
    ----------
    .. [1] Thought Vector (2017), "Customer Support on Twitter", Kaggle.
       https://www.kaggle.com/datasets/thoughtvector/customer-support-on-twitter

    Examples
    --------
    A customer asks, the brand answers, the customer answers back; a fourth tweet
    replies to a tweet that is not in the data:

    >>> threads = from_twcs({
    ...     "tweet_id": [1, 2, 3, 4],
    ...     "author_id": ["115712", "AppleSupport", "115712", 115713.0],
    ...     "inbound": [True, False, True, True],
    ...     "created_at": ["Tue Oct 31 22:10:47 +0000 2017", "Tue Oct 31 22:11:45 +0000 2017",
    ...                    "Tue Oct 31 22:20:00 +0000 2017", "Wed Nov 01 09:00:00 +0100 2017"],
    ...     "in_response_to_tweet_id": [None, 1, 2, 99],
    ... })
    >>> threads.threads, threads.missing_parents, threads.brands
    (2, 1, ('AppleSupport',))
    >>> threads.log.summary().events_by_action
    {'reply': 2, 'mention': 1, 'brand_reply': 1}
    >>> columns = threads.log.to_arrays()
    >>> columns["actor"].tolist(), columns["thread"].tolist()
    (['115712', '115712', '115713', 'AppleSupport'], ['1', '1', '4', '1'])
    >>> str(columns["time"][2])
    '2017-11-01T08:00:00.000000000'
    """
    check_option(on_invalid, ("raise", "drop"), "on_invalid", "from_twcs")
    columns = _from_mapping(source) if isinstance(source, Mapping) else _read_csv(source)
    n = len(columns["tweet_id"])
    if n == 0:
        raise DataError("The input has no rows; from_twcs needs at least one tweet.")
    tweet = _normalise_ids(columns["tweet_id"])
    author = _normalise_ids(columns["author_id"])
    parent_id = _normalise_ids(columns["in_response_to_tweet_id"])
    inbound, bad_inbound = _flags(columns["inbound"])

    parent, is_root, missing_parent = _parents(tweet, parent_id)
    root = _roots(parent, is_root, tweet, parent_id)
    thread = tweet[root]

    time_text = _iso_times(columns["created_at"])
    parsed = parse_time(time_text, column="created_at")
    bad_time = parsed.missing | parsed.unparseable
    if on_invalid == "raise":
        _raise_first(
            ("author_id", author == "", columns["author_id"], "every tweet needs an author."),
            (
                "created_at",
                bad_time,
                columns["created_at"],
                "times look like 'Tue Oct 31 22:10:47 +0000 2017' (format "
                f"{TWITTER_TIME_FORMAT!r}).",
            ),
            ("inbound", bad_inbound, columns["inbound"], "write True or False."),
        )
    time: NDArray[Any] = time_text if bad_time.any() else parsed.ns.view("datetime64[ns]")

    answers = parent_id != ""
    action = np.where(
        inbound,
        np.where(answers, "reply", "mention"),
        np.where(answers, "brand_reply", "brand_message"),
    )
    direction = np.where(inbound, "inbound", "outbound")
    if bad_inbound.any():  # only with on_invalid="drop": let the log count these rows
        shown = np.char.add("inbound=", columns["inbound"][bad_inbound])
        direction = direction.astype(object)
        direction[bad_inbound] = shown
    log = EventLog.from_arrays(
        actor=author,
        action=action,
        time=time,
        content=thread,
        channel=np.full(n, "twitter"),
        thread=thread,
        direction=direction,
        on_invalid=on_invalid,
    )
    brands = np.unique(author[~inbound & ~bad_inbound & (author != "")])
    return TwcsThreads(
        log=log,
        missing_parents=int(missing_parent.sum()),
        threads=int(is_root.sum()),
        brands=tuple(str(b) for b in brands.tolist()),
    )


# ------------------------------------------------------------------------- threads --
def _parents(
    tweet: NDArray[np.str_], parent_id: NDArray[np.str_]
) -> tuple[NDArray[np.intp], NDArray[np.bool_], NDArray[np.bool_]]:
    """Row of each tweet's parent (itself for a root), the roots, and missing parents."""
    n = len(tweet)
    rows = np.arange(n)
    blank = tweet == ""
    if blank.any():
        first = int(np.flatnonzero(blank)[0])
        raise DataError(
            f"Column 'tweet_id' has {int(blank.sum())} missing values (first at row "
            f"{first}); every tweet needs an id, or its replies cannot find it."
        )
    order = np.argsort(tweet, kind="stable")
    ids = tweet[order]
    repeated = np.flatnonzero(ids[1:] == ids[:-1])
    if repeated.size:
        k = int(repeated[0])
        same = np.flatnonzero(tweet == ids[k])
        raise DataError(
            f"Column 'tweet_id' has {np.unique(ids[repeated]).size} duplicated ids (first "
            f"{str(ids[k])!r} at rows {', '.join(map(str, same.tolist()))}); each tweet "
            "must appear once."
        )
    at = np.minimum(np.searchsorted(ids, parent_id), n - 1)
    answers = parent_id != ""
    found = answers & (ids[at] == parent_id)
    parent = np.where(found, order[at], rows)
    return parent, ~found, answers & ~found


def _roots(
    parent: NDArray[np.intp],
    is_root: NDArray[np.bool_],
    tweet: NDArray[np.str_],
    parent_id: NDArray[np.str_],
) -> NDArray[np.intp]:
    """Each row's root by pointer jumping: ``p <- p[p]`` until nothing changes."""
    root = parent
    for _ in range(len(parent).bit_length() + 1):
        jumped = root[root]
        if np.array_equal(jumped, root):
            break
        root = jumped
    cyclic = ~is_root[root]  # a chain that never reached a thread start
    if cyclic.any():
        first = int(np.flatnonzero(cyclic)[0])
        raise DataError(
            f"Column 'in_response_to_tweet_id' has {int(cyclic.sum())} rows whose chain of "
            f"replies never reaches a first tweet (first tweet {str(tweet[first])!r} at row "
            f"{first}, which answers {str(parent_id[first])!r}); the replies form a cycle."
        )
    return root


# ----------------------------------------------------------------------- values --
def _normalise_ids(values: NDArray[np.str_]) -> NDArray[np.str_]:
    """Ids as text, surrounding space removed, ``"3.0"`` read as ``"3"``."""
    ids = np.char.strip(values)
    dotted = np.flatnonzero(np.char.find(ids, ".") >= 0)
    if dotted.size:
        ids = ids.astype(object)
        for i in dotted.tolist():
            match = _FLOAT_ID.fullmatch(ids[i])
            if match:
                ids[i] = match.group(1)
        ids = ids.astype(str)
    return ids


def _flags(values: NDArray[np.str_]) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """``True``/``False`` text (any case) as booleans, and the rows holding neither."""
    folded = np.char.lower(np.char.strip(values))
    true = folded == "true"
    return true, ~true & (folded != "false")


def _iso_times(text: NDArray[np.str_]) -> NDArray[np.str_]:
    """``Tue Oct 31 22:10:47 +0000 2017`` as ``2017-10-31T22:10:47+0000``, vectorised.

    Rows of another shape are returned as they are, for the ISO 8601 parser to read
    or flag.
    """
    n = len(text)
    chars = text.astype(f"U{_TIME_WIDTH}", copy=False).view(np.uint32).reshape(n, _TIME_WIDTH)
    ok = np.char.str_len(text) == _TIME_WIDTH
    for position in (3, 7, 10, 19, 25):
        ok &= chars[:, position] == ord(" ")
    ok &= (chars[:, 13] == ord(":")) & (chars[:, 16] == ord(":"))
    ok &= (chars[:, 20] == ord("+")) | (chars[:, 20] == ord("-"))
    digits = chars[:, [8, 9, 11, 12, 14, 15, 17, 18, 21, 22, 23, 24, 26, 27, 28, 29]]
    ok &= (digits - np.uint32(ord("0"))).max(axis=1) <= 9  # below '0' wraps around
    weekday = np.ascontiguousarray(chars[:, 0:3]).view("U3").reshape(n)
    month_name = np.ascontiguousarray(chars[:, 4:7]).view("U3").reshape(n)
    month = np.minimum(np.searchsorted(_MONTHS, month_name), len(_MONTHS) - 1)
    ok &= np.isin(weekday, _WEEKDAYS) & (_MONTHS[month] == month_name)

    iso = np.empty((n, 24), dtype=np.uint32)  # 2017-10-31T22:10:47+0000
    iso[:, 0:4] = chars[:, 26:30]
    iso[:, 5:7] = _MONTH_DIGITS[month]
    iso[:, 8:10] = chars[:, 8:10]
    iso[:, 11:19] = chars[:, 11:19]
    iso[:, 19:24] = chars[:, 20:25]
    iso[:, [4, 7]] = ord("-")
    iso[:, 10] = ord("T")
    out: NDArray[np.str_] = np.where(ok, iso.view("U24").reshape(n), text)
    return out


def _raise_first(*checks: tuple[str, NDArray[np.bool_], NDArray[np.str_], str]) -> None:
    for column, bad, values, advice in checks:
        if bad.any():
            rows = np.flatnonzero(bad)
            first = int(rows[0])
            plural = "s" if rows.size != 1 else ""
            raise DataError(
                f"Column {column!r} has {rows.size} invalid value{plural} (first "
                f"{str(values[first])!r} at row {first}); {advice} Or load with "
                "on_invalid='drop' to keep the valid rows and count the rest in "
                "log.load_report."
            )


# ------------------------------------------------------------------------- input --
def _read_csv(source: str | os.PathLike[str]) -> dict[str, NDArray[np.str_]]:
    path = Path(source)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        records = csv.reader(_logical_lines(handle))
        header = next(records, None)
        if header is None:
            raise DataError(f"{path} is empty; from_twcs needs a header row and tweets.")
        position = {name: i for i, name in reversed(list(enumerate(header)))}
        _require(position, f"the header of {path}", header)
        width = len(header)
        pick = itemgetter(*(position[name] for name in TWCS_COLUMNS))
        picked: list[tuple[str, ...]] = []
        for record in records:
            if len(record) != width:
                if not record:
                    continue  # a blank line is no record
                raise DataError(
                    f"Row {len(picked)} of {path} has {len(record)} fields; the header has "
                    f"{width}. Quote fields that hold commas or line breaks."
                )
            picked.append(pick(record))
    if not picked:
        return {name: np.empty(0, dtype=str) for name in TWCS_COLUMNS}
    return {
        name: np.array(values, dtype=str)
        for name, values in zip(TWCS_COLUMNS, zip(*picked, strict=True), strict=True)
    }


def _logical_lines(handle: Iterator[str]) -> Iterator[str]:
    """Lines for :func:`csv.reader`, with stray line breaks joined in a CRLF file.

    The file is opened with ``newline=""``, so lines end in ``\\r\\n``, ``\\r`` or
    ``\\n`` as written. When the header ends in ``\\r\\n`` every record does, and a line
    that ends otherwise was broken inside a field: its break becomes a space and it is
    joined to the next line. When the header ends in ``\\n``, a bare ``\\r`` is no line
    end either: outside quotes it becomes a space, inside quotes it stays (the csv
    module keeps a quoted CR). Other files pass through unchanged.
    """
    first = next(handle, "")
    if not first:
        return
    if first.endswith("\n") and not first.endswith("\r\n"):
        yield from _lf_lines(itertools.chain([first], handle))
        return
    if not first.endswith("\r\n"):
        yield first
        yield from handle
        return
    pending: list[str] = []
    for line in itertools.chain([first], handle):
        if line.endswith("\r\n") or not line.endswith(("\r", "\n")):
            pending.append(line)
            yield "".join(pending)
            pending.clear()
        else:
            pending.append(line[:-1] + " ")
    if pending:
        yield "".join(pending)


def _lf_lines(lines: Iterator[str]) -> Iterator[str]:
    """:func:`_logical_lines` for an LF file: join the pieces a bare CR split off."""
    pending: list[str] = []
    inside = False  # within a quoted field, counting quotes since the start of the file
    for line in lines:
        inside ^= line.count('"') % 2 == 1
        if line.endswith("\n") or not line.endswith("\r"):
            pending.append(line)
            yield "".join(pending)
            pending.clear()
        else:
            pending.append(line if inside else line[:-1] + " ")
    if pending:
        yield "".join(pending)


def _from_mapping(
    source: Mapping[str, Sequence[Any] | NDArray[Any]],
) -> dict[str, NDArray[np.str_]]:
    _require(source, "the mapping", list(source))
    out = {name: _text_column(source[name], name) for name in TWCS_COLUMNS}
    lengths = {name: len(values) for name, values in out.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{k}={v}" for k, v in lengths.items())
        raise DataError(f"Columns must have equal lengths; got {listed}.")
    return out


def _require(present: Mapping[str, Any], where: str, names: Sequence[str]) -> None:
    for name in TWCS_COLUMNS:
        if name not in present:
            raise ColumnNotFoundError(
                f"Column {name!r} is not in {where}; its columns are {list(names)}. "
                f"from_twcs needs {', '.join(TWCS_COLUMNS)}."
            )


def _text_column(values: Sequence[Any] | NDArray[Any], column: str) -> NDArray[np.str_]:
    array = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if array.ndim != 1:
        raise SchemaError(f"Column {column!r} must be one-dimensional; got shape {array.shape}.")
    kind = array.dtype.kind
    if kind in "US" or (kind in "iu" and column in _ID_COLUMNS):
        return array.astype(str)
    if kind == "b" and column == "inbound":
        return np.where(array, "True", "False")
    return np.array([_cell(v, column, i) for i, v in enumerate(array.tolist())], dtype=str)


def _cell(value: object, column: str, row: int) -> str:
    """One mapping cell as the text the CSV would hold; ``None`` and NaN are blank."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        if column == "inbound":
            return "True" if value else "False"
    elif isinstance(value, (float, np.floating)):
        if value != value:
            return ""
        if column in _ID_COLUMNS and float(value).is_integer():
            return str(int(value))
    elif isinstance(value, (int, np.integer)) and column in _ID_COLUMNS:
        return str(int(value))
    raise SchemaError(
        f"Column {column!r} holds {value!r} ({type(value).__name__}) at row {row}; "
        + (
            "ids must be strings or whole numbers."
            if column in _ID_COLUMNS
            else "inbound must be True or False."
            if column == "inbound"
            else "created_at must be text such as 'Tue Oct 31 22:10:47 +0000 2017'."
        )
    )
