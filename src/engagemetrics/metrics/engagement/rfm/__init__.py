"""RFM: recency, frequency and monetary value of each actor's transactions.

Two conventions share the name RFM and are confused constantly:

* ``"lifetimes"``: the inputs of the BG/NBD and Pareto/NBD models, exactly as the
  ``lifetimes`` package's ``summary_data_from_transaction_data`` defines them. The first
  purchase period is not counted: *frequency* is the number of **repeat** periods,
  *recency* the age of the actor at the **last** purchase (last period minus first),
  *monetary_value* the mean over the **repeat** periods only.
* ``"segmentation"``: the marketing RFM of scores and segments. Every purchase period
  counts: *frequency* is the number of periods with a purchase, *recency* the time
  **since** the last purchase (observation end minus last period), *monetary_value* the
  mean over **all** those periods.

Both are computed in one pass over the log's canonical order (rows grouped by actor,
sorted by time), without sorting the log again, and stored as sums so that tables of
actor-disjoint chunks merge.
"""

from __future__ import annotations

from .compute import rfm
from .table import Convention, RFMPeriod, RFMScores, RFMTable, TransactionRule

__all__ = ["Convention", "RFMPeriod", "RFMScores", "RFMTable", "TransactionRule", "rfm"]
