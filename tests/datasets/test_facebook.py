"""load_facebook_posts: the bundled UCI file against a plain csv-module reading of it."""

from __future__ import annotations

import collections
import csv
import hashlib
import io
import math
import warnings
from importlib import resources
from typing import Any

import numpy as np
import pytest

from engagemetrics import InvalidParameterError
from engagemetrics.datasets._facebook import (
    CITATION,
    COLUMNS,
    FacebookPosts,
    facebook_posts_path,
    load_facebook_posts,
)
from engagemetrics.exceptions import DataQualityWarning

from ..extras import needs

SHA256 = "b347feb4b8402961d75a4bc2eeaf249a94eadc2ec5b46d6bf7d1dc569bfaf7b3"  # the README's
IMPOSSIBLE = (476, 477, 482, 492)
WARNING = r"reach above impressions on 4 rows \(476, 477, 482, 492; .*Nothing was changed"


def raw_rows() -> tuple[list[str], list[list[str]]]:
    """The bundled file as the csv module reads it, header apart."""
    path = resources.files("engagemetrics.datasets").joinpath("data/facebook_metrics_uci.csv")
    text = path.read_text(encoding="ascii")
    header, *rows = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    return header, rows


def raw_column(name: str) -> list[str]:
    header, rows = raw_rows()
    j = header.index(name)
    return [row[j] for row in rows]


@pytest.fixture(scope="module")
def posts() -> FacebookPosts:
    with pytest.warns(DataQualityWarning, match=WARNING):
        return load_facebook_posts()


def col(posts: FacebookPosts, name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.asarray(posts.columns[name], dtype=np.float64)


# ------------------------------------------------------------------ file and shape --
def test_bundled_file_is_the_published_copy() -> None:
    data = facebook_posts_path().read_bytes()
    assert hashlib.sha256(data).hexdigest() == SHA256
    assert b"\r" not in data
    assert (
        resources.files("engagemetrics.datasets")
        .joinpath("data/facebook_metrics_uci.md")
        .is_file()
    )


def test_shape_and_names(posts: FacebookPosts) -> None:
    header, rows = raw_rows()
    assert (len(rows), len(header)) == (500, 19)
    assert posts.n_posts == 500
    assert list(posts.columns) == list(COLUMNS.values())
    assert list(COLUMNS) == header
    assert len(posts.columns) == 19
    assert all(len(v) == 500 for v in posts.columns.values())
    assert posts.columns["type"].dtype.kind == "U"
    assert all(v.dtype == np.float64 for k, v in posts.columns.items() if k != "type")


def test_every_cell_equals_the_file(posts: FacebookPosts) -> None:
    header, rows = raw_rows()
    for j, (source, name) in enumerate(COLUMNS.items()):
        assert header[j] == source
        got = posts.columns[name].tolist()
        for i, row in enumerate(rows):
            cell = row[j]
            if name == "type":
                assert got[i] == cell
            elif cell == "":
                assert math.isnan(got[i]), (name, i)  # a blank stays missing, never 0
            else:
                assert got[i] == int(cell), (name, i)


# ------------------------------------------------------------ documented counts --
def test_type_paid_and_category_counts(posts: FacebookPosts) -> None:
    assert collections.Counter(raw_column("Type")) == {
        "Photo": 426, "Status": 45, "Link": 22, "Video": 7
    }  # fmt: skip
    assert collections.Counter(posts.columns["type"].tolist()) == collections.Counter(
        raw_column("Type")
    )
    paid = col(posts, "paid")
    assert (int((paid == 1).sum()), int((paid == 0).sum()), int(np.isnan(paid).sum())) == (
        139,
        360,
        1,
    )
    assert collections.Counter(col(posts, "category").tolist()) == {1.0: 215, 2.0: 130, 3.0: 155}


def test_blanks_are_exactly_the_documented_ones(posts: FacebookPosts) -> None:
    header, rows = raw_rows()
    expected = {
        COLUMNS[name]: tuple(i for i, row in enumerate(rows) if row[j] == "")
        for j, name in enumerate(header)
        if any(row[j] == "" for row in rows)
    }
    assert expected == {"paid": (499,), "likes": (111,), "shares": (111, 120, 124, 164)}
    assert dict(posts.blanks) == expected
    for name, blank_rows in posts.blanks.items():
        assert np.flatnonzero(np.isnan(col(posts, name))).tolist() == list(blank_rows)


def test_total_interactions_is_the_sum(posts: FacebookPosts) -> None:
    comment, like, share, total = (
        raw_column(c) for c in ("comment", "like", "share", "Total Interactions")
    )
    complete = [i for i in range(500) if comment[i] and like[i] and share[i]]
    assert len(complete) == 496
    for i in range(500):
        parts = sum(int(x) if x else 0 for x in (comment[i], like[i], share[i]))
        assert int(total[i]) == parts
    # the loader's arrays say the same: exact on complete rows, blanks as 0 on the rest
    parts = col(posts, "comments") + col(posts, "likes") + col(posts, "shares")
    ok = ~np.isnan(parts)
    assert int(ok.sum()) == 496
    assert np.array_equal(col(posts, "total_interactions")[ok], parts[ok])
    zero_filled = sum(np.nan_to_num(col(posts, c)) for c in ("comments", "likes", "shares"))
    assert np.array_equal(col(posts, "total_interactions"), zero_filled)
    assert np.flatnonzero(~ok).tolist() == [111, 120, 124, 164]


def test_impossible_rows(posts: FacebookPosts) -> None:
    reach = [int(x) for x in raw_column("Lifetime Post Total Reach")]
    impressions = [int(x) for x in raw_column("Lifetime Post Total Impressions")]
    independent = tuple(i for i in range(500) if reach[i] > impressions[i])
    assert independent == IMPOSSIBLE
    assert posts.impossible_rows == IMPOSSIBLE
    assert (reach[476], impressions[476]) == (37088, 10966)
    # a quirk the README does not list: on the same rows, fan impressions exceed all
    # impressions too
    fans = col(posts, "fan_impressions") > col(posts, "impressions")
    assert tuple(np.flatnonzero(fans).tolist()) == IMPOSSIBLE


@pytest.mark.parametrize(
    ("small", "large"),
    [("consumers", "consumptions"), ("consumers", "engaged_users"), ("fan_reach", "reach")],
)
def test_checks_that_hold_on_every_row(posts: FacebookPosts, small: str, large: str) -> None:
    assert bool(np.all(col(posts, small) <= col(posts, large)))


# ------------------------------------------------------------------- the warning --
def test_one_warning_naming_the_rows() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_facebook_posts()
    assert len(caught) == 1
    assert caught[0].category is DataQualityWarning
    assert issubclass(DataQualityWarning, UserWarning)
    message = str(caught[0].message)
    assert "476, 477, 482, 492" in message
    assert "Nothing was changed" in message
    assert caught[0].filename == __file__  # points at the caller


def test_warn_false_is_silent_and_changes_nothing(posts: FacebookPosts) -> None:
    quiet = load_facebook_posts(warn=False)  # filterwarnings=error would fail on a warning
    assert quiet.impossible_rows == posts.impossible_rows
    for name, values in posts.columns.items():
        np.testing.assert_array_equal(quiet.columns[name], values)


# ------------------------------------------------------------------ the object --
def test_read_only(posts: FacebookPosts) -> None:
    with pytest.raises(ValueError, match="read-only"):
        posts.columns["reach"][0] = 0.0
    with pytest.raises(TypeError):
        posts.columns["reach"] = np.zeros(500)  # type: ignore[index]
    assert (
        repr(posts)
        == "FacebookPosts(500 posts, 19 columns, impossible_rows=" + str(IMPOSSIBLE) + ")"
    )


def test_citation(posts: FacebookPosts) -> None:
    assert posts.citation == CITATION
    assert "Moro, S., Rita, P., & Vala, B. (2016)" in CITATION
    assert "10.1016/j.jbusres.2016.02.010" in CITATION
    assert "10.24432/C5QK55" in CITATION


@needs("pandas")
def test_to_frame_pandas(posts: FacebookPosts) -> None:
    frame = posts.to_frame("pandas")
    assert frame.shape == (500, 19)
    assert list(frame.columns) == list(COLUMNS.values())
    assert {k: int(v) for k, v in frame.isna().sum().items() if v} == {
        "paid": 1, "likes": 1, "shares": 4
    }  # fmt: skip
    assert frame["type"].value_counts().to_dict() == {
        "Photo": 426, "Status": 45, "Link": 22, "Video": 7
    }  # fmt: skip


@needs("polars")
def test_to_frame_polars(posts: FacebookPosts) -> None:
    frame = posts.to_frame("polars")
    assert frame.shape == (500, 19)
    nulls = frame.null_count().row(0, named=True)
    assert {k: v for k, v in nulls.items() if v} == {"paid": 1, "likes": 1, "shares": 4}
    assert frame["shares"].is_nan().sum() == 0  # blanks are null in polars, not NaN


def test_to_frame_rejects_unknown_kind(posts: FacebookPosts) -> None:
    with pytest.raises(InvalidParameterError, match="one of 'pandas', 'polars'; got 'arrow'"):
        posts.to_frame("arrow")  # type: ignore[arg-type]
