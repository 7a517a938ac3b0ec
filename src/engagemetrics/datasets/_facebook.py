"""Facebook metrics (UCI id 368): 500 real posts from one cosmetics brand's page, 2014.

The CSV ships with the package exactly as it was published (see
``data/facebook_metrics_uci.md`` next to it). It is parsed with the standard library,
so it needs nothing beyond the core dependencies. Blank cells stay NaN, and impossible
values are reported with a :class:`~engagemetrics.DataQualityWarning`, never
changed.
"""

from __future__ import annotations

import csv
import io
import types
import warnings
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal, final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.optional import import_optional
from .._core.validation import invalid, one_of
from ..exceptions import DataError, DataQualityWarning, SchemaError

__all__ = ["FacebookPosts", "facebook_posts_path", "load_facebook_posts"]

_PACKAGE: Final = "engagemetrics.datasets"
_FILE: Final = "data/facebook_metrics_uci.csv"

COLUMNS: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "Page total likes": "page_total_likes",
        "Type": "type",
        "Category": "category",
        "Post Month": "post_month",
        "Post Weekday": "post_weekday",
        "Post Hour": "post_hour",
        "Paid": "paid",
        "Lifetime Post Total Reach": "reach",
        "Lifetime Post Total Impressions": "impressions",
        "Lifetime Engaged Users": "engaged_users",
        "Lifetime Post Consumers": "consumers",
        "Lifetime Post Consumptions": "consumptions",
        "Lifetime Post Impressions by people who have liked your Page": "fan_impressions",
        "Lifetime Post reach by people who like your Page": "fan_reach",
        "Lifetime People who have liked your Page and engaged with your post": (
            "fan_engaged_users"
        ),
        "comment": "comments",
        "like": "likes",
        "share": "shares",
        "Total Interactions": "total_interactions",
    }
)
"""The file's header, in file order, and the name each column gets in :class:`FacebookPosts`."""

CITATION: Final = (
    "Moro, S., Rita, P., & Vala, B. (2016). Predicting social media performance metrics "
    "and evaluation of the impact on brand building: A data mining approach. Journal of "
    "Business Research, 69(9), 3341-3351. https://doi.org/10.1016/j.jbusres.2016.02.010. "
    "Data: UCI Machine Learning Repository, Facebook metrics, "
    "https://doi.org/10.24432/C5QK55."
)

_TEXT_COLUMNS: Final = frozenset({"type"})

FacebookFrameKind = Literal["pandas", "polars"]


@final
@attrs.frozen(eq=False, repr=False)
class FacebookPosts:
    """The Facebook metrics posts as columns, with their blanks and impossible rows.

    Attributes
    ----------
    columns
        One read-only numpy array per column, in file order. ``type`` is a string array
        (``Photo``, ``Status``, ``Link``, ``Video``); every other column is float64, with
        NaN where the file's cell is blank. Names and meanings:

        ======================== =======================================================
        ``page_total_likes``     people who had liked the page when the post went out
        ``type``                 Photo, Status, Link or Video
        ``category``             1 action (offers, contests), 2 product, 3 inspiration
        ``post_month``           1-12
        ``post_weekday``         1-7 (which day is 1 is not documented)
        ``post_hour``            1-23
        ``paid``                 1 if the post was boosted with paid promotion, else 0
        ``reach``                unique users who saw the post
        ``impressions``          times the post was shown
        ``engaged_users``        unique users who clicked, liked, commented or shared
        ``consumers``            unique users who clicked anywhere in the post
        ``consumptions``         clicks anywhere in the post
        ``fan_impressions``      impressions among people who like the page
        ``fan_reach``            reach among people who like the page
        ``fan_engaged_users``    people who like the page and engaged with the post
        ``comments``             comments
        ``likes``                likes
        ``shares``               shares
        ``total_interactions``   comments + likes + shares
        ======================== =======================================================

    blanks
        Per column that has any, the rows (data rows from 0, header not counted) whose
        cell is blank.
    impossible_rows
        Rows where ``reach`` exceeds ``impressions``, which cannot both be true (each
        user who saw the post adds at least one impression).
    citation
        The reference to cite when using the data.

    Examples
    --------
    >>> posts = load_facebook_posts(warn=False)
    >>> posts
    FacebookPosts(500 posts, 19 columns, impossible_rows=(476, 477, 482, 492))
    >>> posts.columns["type"][:3].tolist(), posts.columns["reach"][:3].tolist()
    (['Photo', 'Status', 'Photo'], [2752.0, 10460.0, 2413.0])
    """

    columns: Mapping[str, NDArray[Any]]
    blanks: Mapping[str, tuple[int, ...]]
    impossible_rows: tuple[int, ...]
    citation: str = CITATION

    @property
    def n_posts(self) -> int:
        """Number of posts (rows)."""
        return len(next(iter(self.columns.values())))

    def __repr__(self) -> str:
        return (
            f"FacebookPosts({self.n_posts} posts, {len(self.columns)} columns, "
            f"impossible_rows={self.impossible_rows})"
        )

    def to_frame(self, kind: FacebookFrameKind = "pandas") -> Any:
        """The posts as a pandas or polars DataFrame, columns as in :attr:`columns`.

        Blank cells are missing values: NaN in pandas, null in polars (not NaN, which
        polars keeps apart from null).

        Raises
        ------
        InvalidParameterError
            If ``kind`` is neither ``"pandas"`` nor ``"polars"``.
        MissingDependencyError
            If the library for ``kind`` is not installed (the message names the extra).

        Examples
        --------
        >>> frame = load_facebook_posts(warn=False).to_frame("pandas")
        >>> frame.shape, int(frame["shares"].isna().sum())
        ((500, 19), 4)
        """
        if kind == "pandas":
            pd = import_optional("pandas", purpose="FacebookPosts.to_frame('pandas')")
            return pd.DataFrame({name: np.array(column) for name, column in self.columns.items()})
        if kind == "polars":
            pl = import_optional("polars", purpose="FacebookPosts.to_frame('polars')")
            return pl.DataFrame(
                [
                    pl.Series(name, column, nan_to_null=column.dtype.kind == "f")
                    for name, column in self.columns.items()
                ]
            )
        raise invalid("kind", "FacebookPosts.to_frame", one_of(("pandas", "polars")), kind)


def facebook_posts_path() -> Path:
    """Path of the bundled Facebook metrics CSV (``;``-separated, as published).

    Examples
    --------
    >>> facebook_posts_path().name
    'facebook_metrics_uci.csv'
    """
    with resources.as_file(resources.files(_PACKAGE).joinpath(_FILE)) as path:
        return Path(path)


def load_facebook_posts(*, warn: bool = True) -> FacebookPosts:
    """The Facebook metrics dataset: 500 posts of one cosmetics brand's page in 2014.

    Real per-post Facebook Insights data published by Moro, Rita & Vala (2016) at the
    UCI Machine Learning Repository (dataset 368), bundled byte for byte. Nothing is
    changed on load: blank cells are NaN and impossible values stay as they are.

    Parameters
    ----------
    warn
        Emit the :class:`~engagemetrics.DataQualityWarning` about the rows
        whose reach exceeds their impressions (default). Pass ``False`` once you have
        taken :attr:`FacebookPosts.impossible_rows` into account.

    Returns
    -------
    FacebookPosts
        The columns under snake_case names (see :class:`FacebookPosts`), the blank cells
        and the impossible rows.

    Warns
    -----
    DataQualityWarning
        Always (unless ``warn=False``): rows 476, 477, 482 and 492 have ``reach`` above
        ``impressions``. The warning names them and says nothing was changed.

    Raises
    ------
    SchemaError, DataError
        Only if the bundled file has been altered (header or cells not as published).

    Notes
    -----
    Quirks of the published file, all kept as they are:

    - The UCI description says there are no missing values, but six cells are blank:
      ``paid`` at row 499, ``likes`` at row 111, ``shares`` at rows 111, 120, 124 and
      164 (rows count data rows from 0). They read as NaN, never 0.
    - ``total_interactions = comments + likes + shares`` on the 496 rows without a
      blank; on the other four it equals that sum with the blanks read as 0.
    - ``reach > impressions`` on rows 476, 477, 482 and 492 (e.g. 37088 > 10966). On
      the same four rows ``fan_impressions`` also exceeds ``impressions``, which
      suggests that ``impressions`` is the wrong value.
    - Checks that hold on every row: ``consumers <= consumptions``,
      ``consumers <= engaged_users``, ``fan_reach <= reach``.
    - Rows run in roughly reverse time order, December first; the paper modelled 790
      posts, of which these 500 are the public part.

    References
    ----------
    .. [1] S. Moro, P. Rita and B. Vala, "Predicting social media performance metrics
       and evaluation of the impact on brand building: A data mining approach",
       Journal of Business Research 69(9), 3341-3351, 2016.
       https://doi.org/10.1016/j.jbusres.2016.02.010
    .. [2] UCI Machine Learning Repository, "Facebook metrics".
       https://doi.org/10.24432/C5QK55

    Examples
    --------
    >>> posts = load_facebook_posts(warn=False)
    >>> posts.n_posts, posts.impossible_rows
    (500, (476, 477, 482, 492))
    >>> dict(posts.blanks)
    {'paid': (499,), 'likes': (111,), 'shares': (111, 120, 124, 164)}
    >>> int(np.isnan(posts.columns["paid"]).sum()), int(np.nansum(posts.columns["paid"]))
    (1, 139)

    By default the impossible rows are reported as a warning:

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     posts = load_facebook_posts()
    >>> caught[0].category.__name__
    'DataQualityWarning'
    """
    text = resources.files(_PACKAGE).joinpath(_FILE).read_text(encoding="ascii")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader, [])
    if tuple(header) != tuple(COLUMNS):
        raise SchemaError(
            f"The bundled file {_FILE} has header {header}; expected the published one, "
            f"{list(COLUMNS)}. Reinstall engagemetrics."
        )
    cells: list[list[str]] = []
    for row_number, row in enumerate(reader):
        if len(row) != len(header):
            raise DataError(
                f"Row {row_number} of {_FILE} has {len(row)} fields; the header has {len(header)}."
            )
        cells.append(row)

    columns: dict[str, NDArray[Any]] = {}
    blanks: dict[str, tuple[int, ...]] = {}
    for j, (source, name) in enumerate(COLUMNS.items()):
        raw = [row[j].strip() for row in cells]
        blank_rows = tuple(i for i, cell in enumerate(raw) if cell == "")
        if blank_rows:
            blanks[name] = blank_rows
        array: NDArray[Any]
        if name in _TEXT_COLUMNS:
            array = np.array(raw, dtype=str)
        else:
            array = np.array([_number(cell, source, i) for i, cell in enumerate(raw)])
        array.setflags(write=False)
        columns[name] = array

    impossible = tuple(int(i) for i in np.flatnonzero(columns["reach"] > columns["impressions"]))
    if warn and impossible:
        rows = ", ".join(map(str, impossible))
        warnings.warn(
            f"The Facebook metrics data has reach above impressions on {len(impossible)} "
            f"rows ({rows}; data rows from 0), which cannot both be true. Nothing was "
            "changed; the rows are listed in FacebookPosts.impossible_rows. Pass "
            "warn=False to silence this warning.",
            DataQualityWarning,
            stacklevel=2,
        )
    return FacebookPosts(
        columns=types.MappingProxyType(columns),
        blanks=types.MappingProxyType(blanks),
        impossible_rows=impossible,
    )


def _number(cell: str, column: str, row: int) -> float:
    if cell == "":
        return float("nan")
    try:
        return float(cell)
    except ValueError:
        raise DataError(
            f"Column {column!r} of {_FILE} has a value that is not a number: {cell!r} at "
            f"row {row}."
        ) from None
