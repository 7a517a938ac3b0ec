"""The engine-neutral partition pieces: Routing and Bundle follow the result contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engagemetrics.exceptions import InvalidParameterError
from engagemetrics.metrics.interactions import interaction_counts
from engagemetrics.scale.partition import Bundle, bundle, empty_log, merge_all
from engagemetrics.scale.route import Routing, routing

from ..extras import needs

pytestmark = needs("pandas")

BATCH = pd.DataFrame(
    {
        "actor": ["ana", "brand", "bo", "cy", "brand"],
        "action": ["comment", "brand_reply", "comment", "comment", "brand_reply"],
        "time": [
            "2024-05-01T10:00",
            "2024-05-01T11:00",
            "2024-05-01T12:00",
            "2024-05-02T09:00",
            "2024-05-02T10:00",
        ],
        "thread": ["t1", "t1", "t1", "t2", "t2"],
    }
)


def test_routing_merges_with_plus_and_round_trips_through_a_dict() -> None:
    a, b = routing(BATCH.iloc[:3]), routing(BATCH.iloc[3:])
    whole = routing(BATCH)
    assert (a + b).to_dict() == a.merge(b).to_dict() == whole.to_dict()
    assert (Routing.empty() + whole).to_dict() == whole.to_dict()
    again = Routing.from_dict(whole.to_dict())
    assert again.to_dict() == whole.to_dict()
    assert again.owner.dtype == np.uint64
    assert again.shared.dtype == bool
    assert repr(whole) == "Routing(2 threads, 1 shared)"


def test_routing_to_frame_has_one_row_per_thread() -> None:
    frame = routing(BATCH).to_frame("pandas")
    assert list(frame.columns) == ["thread_a", "thread_b", "time", "owner", "shared"]
    assert frame["shared"].tolist().count(True) == 1


def test_routing_refuses_to_merge_another_kind() -> None:
    with pytest.raises(InvalidParameterError, match=r"Routing\.merge takes a Routing"):
        Routing.empty().merge(Bundle.empty())  # type: ignore[arg-type]


def test_bundle_empty_is_the_identity_and_plus_merges() -> None:
    metric = bundle({"counts": interaction_counts})
    one = metric(empty_log())
    assert (Bundle.empty() + one) is one
    assert (one + Bundle.empty()) is one
    merged = merge_all([one, one], empty=Bundle.empty())
    assert merged.to_dict() == one.merge(one).to_dict()
    assert repr(one) == "Bundle(results=['counts'])"
    with pytest.raises(InvalidParameterError, match=r"bundle\[name\].to_frame"):
        one.to_frame()
