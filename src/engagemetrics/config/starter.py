"""The starter ``engagemetrics.toml``: the commented file ``engagemetrics init`` writes."""

from __future__ import annotations

from typing import Final

__all__ = ["starter_toml"]

_STARTER: Final = """\
# engagemetrics.toml: what your data looks like and what to measure.
# `engagemetrics report` reads it; every setting is optional and shows its default.
# Reference: docs/configuration.md. Durations are a number and a unit:
# "90s", "30min", "12h", "7d", "2w", "1d12h" ("none" for no limit).

[input]
# Our column = your file's column, for the names that differ. Ours are actor, action,
# time, content, channel, thread, value, direction, session (for shape = "posts": key,
# posted_at, channel and the measures reach, impressions, followers, applause,
# conversation, amplification, clicks, engaged_users, consumers, value).
columns = {}
# columns = { actor = "user_id", action = "event", time = "ts", content = "post_id" }
# A log with no action column (every row one message): a constant action
# columns = { actor = "src", time = "ts", action = { constant = "direct_message" } }
# The export's own session id (sessions then follow it, not 30 minutes of inactivity)
# columns = { actor = "user_pseudo_id", action = "event_name", session = "ga_session_id" }
shape = "events"         # "events": one row per interaction; "posts": one row per post
tz = "UTC"               # IANA zone of naive times, days and weeks, e.g. "Europe/Berlin"
# time_unit = "s"        # for epoch-number times: "s", "ms", "us" or "ns"
# time_format = "%d/%m/%Y %H:%M"  # strptime codes, for times in no ISO 8601 form
on_invalid = "raise"     # "raise" on the first invalid row, or "drop" and count them
# delimiter = ";"        # CSV field separator (default "," for .csv, a tab for .tsv, the
#                        # header's for .txt); also "||", "whitespace" or "auto"
# names = ["actor", "action", "time"]  # the columns of a file without a header row
# encoding = "cp1252"    # of CSV and JSON Lines files (default "utf-8"); "utf-16", "latin-1"
# engine = "auto"        # reader: "pyarrow", "polars", "pandas" or "python" (same result)

[taxonomy]
# platform = "instagram" # facebook, instagram, linkedin, tiktok, x, youtube
# vocabularies = ["ecommerce", "email"]  # domain vocabularies, on top of the platform's
aliases = {}             # your words for canonical actions
# aliases = { "reaction:love" = "like", "link_tap" = "link_click" }
# Actions of your own: one [[taxonomy.actions]] table each (name, category, direction,
# weight, aliases, description; see docs/configuration.md), or in one line:
# actions = [{ name = "gift_card", category = "conversion", weight = 6.0, aliases = ["giftcard"] }]
# A whole taxonomy of your own instead (what Taxonomy.to_toml() writes, under [taxonomy]):
# give it a name and list every action; then no platform, vocabularies or default actions.

[brand]
accounts = []            # actor ids of the brand's own accounts: their events are outbound
# accounts = ["acme", "acme_help"]

[engagement]
# A preset (second_date, ga4, dialogue, committed) or a criterion table, e.g.
# criterion = { kind = "returned", min_days = 3, categories = ["conversation"] }
criterion = "second_date"

# Goals: one [[goals]] table each. Give actions and/or categories; value is the worth
# of one completion (leave it out to take each event's own value).
[[goals]]
name = "conversion"
stage = "conversion"     # awareness, consideration, conversion, loyalty, advocacy
categories = ["conversion"]

# [[goals]]
# name = "newsletter"
# actions = ["signup"]
# value = 5.0

# A funnel: ordered steps within a window from the first step.
# [funnel]
# steps = ["view", "link_click", { actions = ["purchase"], window = "1d" }]
# window = "7d"          # or "none"
# mode = "default"       # default, strict_order, strict_deduplication, strict_increase,
#                        # any_order
# start = "each"         # "each" step-1 event may start a chain, or only the "first"
# unit = "actor"         # or "session"
# session_gap = "30min"

[windows]
conversion = "30d"       # a conversion counts this long after an interaction
response = "none"        # a brand reply counts as a response within this time
return = "none"          # a return counts within this time of the first interaction

[report]
period = "week"          # "day", "week" or "month": retention cohorts and trends
top = 10                 # rows in "top content" tables
# paths_start = "comment"  # the report's top paths from this action (default: first event)
"""


def starter_toml() -> str:
    """The commented ``engagemetrics.toml`` that ``engagemetrics init`` writes.

    Every section is there with its default value, and commented examples show the
    other settings; it reads back as the default :class:`Config`.

    Examples
    --------
    >>> from engagemetrics.config import Config
    >>> Config.from_toml(starter_toml()) == Config()
    True
    """
    return _STARTER
