"""Config and engagemetrics.toml: round trips, defaults, reading logs, and every error."""

from __future__ import annotations

import datetime as dt
import pickle
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics import (
    PRESETS,
    Dialogue,
    EventLog,
    Goal,
    GoalMap,
    MinInteractions,
    Returned,
    Taxonomy,
    TookAction,
)
from engagemetrics._core.durations import format_duration
from engagemetrics.config import DEFAULT_GOALS, Config, starter_toml
from engagemetrics.config._keys import LAYOUT
from engagemetrics.config._lines import key_line, key_lines
from engagemetrics.exceptions import ConfigError, InvalidParameterError
from engagemetrics.metrics.conversion.funnels import Exclusion, Funnel, Step
from engagemetrics.metrics.engagement.criteria import criterion_from_dict

from ..extras import needs

EVENTS_CSV = (
    "user_id,event,ts,post\n"
    "ana,like,2024-05-01T10:00:00,p1\n"
    "acme,reply,2024-05-01T11:00:00,p1\n"
    "bo,reaction:love,2024-05-02T09:00:00,p2\n"
    "bo,lkie,2024-05-03T09:00:00,p2\n"
)
MAPPING = {"actor": "user_id", "action": "event", "time": "ts", "content": "post"}


# ----------------------------------------------------------------------- defaults --
def test_defaults() -> None:
    config = Config()
    assert dict(config.columns) == {}
    assert dict(config.aliases) == {}
    assert config.shape == "events"
    assert config.platform is None
    assert config.tz == "UTC"
    assert config.time_unit is None
    assert config.on_invalid == "raise"
    assert config.criterion == PRESETS["second_date"]
    assert config.goals == DEFAULT_GOALS
    assert config.goals["conversion"].categories == ("conversion",)
    assert config.goals["conversion"].value is None
    assert config.funnel is None
    assert config.conversion_window == dt.timedelta(days=30)
    assert config.response_window is None
    assert config.return_window is None
    assert (config.period, config.top) == ("week", 10)
    assert config.taxonomy() == Taxonomy.default()


def test_the_starter_file_reads_as_the_defaults() -> None:
    assert Config.from_toml(starter_toml()) == Config()


def test_the_starter_file_examples_are_valid_when_uncommented() -> None:
    # every commented "key = value" line, uncommented, still reads (alone in its section)
    lines = starter_toml().splitlines()
    section = ""
    tried = 0
    for line in lines:
        if line.startswith(("[", "# [")):
            section = line.lstrip("# ").strip()
            continue
        example = re.match(r"# ([a-z_]+) = (.+)", line)
        if example is None:
            continue
        body = f"{example[1]} = {example[2]}"
        if section == "[funnel]":
            body = f"steps = ['view', 'like']\n{body}" if example[1] != "steps" else body
        if section == "[[goals]]":
            given = {"name": "name = 'x'", "actions": "actions = ['like']"}
            given[example[1]] = body
            body = "\n".join(given.values())
        Config.from_toml(f"{section}\n{body}\n")
        tried += 1
    assert tried >= 12


def test_the_starter_file_lists_every_platform_and_preset() -> None:
    text = starter_toml()
    assert all(platform in text for platform in Taxonomy.platforms())
    assert all(name in text for name in PRESETS)


def test_mappings_are_read_only_and_configs_hash() -> None:
    config = Config(columns={"actor": "user"})
    with pytest.raises(TypeError):
        config.columns["actor"] = "x"  # type: ignore[index]
    source = {"actor": "user"}
    copied = Config(columns=source)
    source["actor"] = "changed"
    assert copied.columns["actor"] == "user"
    assert hash(config) == hash(Config(columns={"actor": "user"}))
    assert {config, Config(columns={"actor": "user"})} == {config}


def test_criterion_may_be_given_as_a_preset_name() -> None:
    assert Config(criterion="ga4") == Config(criterion=PRESETS["ga4"])


# -------------------------------------------------------------------- round trips --
def _full() -> Config:
    return Config(
        columns={"actor": "user_id", "action": "event", "time": "ts"},
        platform="instagram",
        aliases={"reaction:love": "like", "Link Tap": "link_click"},
        brand_accounts=["acme", "acme_help"],
        tz="Europe/Berlin",
        time_unit="s",
        on_invalid="drop",
        criterion=Returned(min_days=3) & ~TookAction(categories=["negative"]),
        goals=[
            Goal("newsletter", actions=["subscribe"], value=5.0),
            Goal("sale", categories=["conversion"], channels=["web", 3], stage="loyalty"),
        ],
        funnel=Funnel(
            ["view", ["like", "comment"], Step(actions=["purchase"], window=dt.timedelta(days=1))],
            window=dt.timedelta(hours=6, microseconds=5),
            start="first",
            exclude=[Exclusion(actions=["unfollow"])],
        ),
        conversion_window=None,
        response_window=dt.timedelta(hours=36),
        return_window=dt.timedelta(days=28),
        period="month",
        top=3,
    )


def test_a_full_config_round_trips() -> None:
    config = _full()
    assert Config.from_toml(config.to_toml()) == config
    assert Config.from_dict(config.to_dict()) == config


def test_to_dict_is_the_toml_layout() -> None:
    data = _full().to_dict()
    assert list(data) == [
        "input", "taxonomy", "brand", "engagement", "goals", "funnel", "windows", "report",
    ]  # fmt: skip
    assert data["windows"] == {"conversion": "none", "response": "36h", "return": "28d"}
    assert data["funnel"]["window"] == "21600000005us"
    assert data["funnel"]["steps"][2] == {"actions": ["purchase"], "window": "1d"}
    assert Config().to_dict()["engagement"] == {"criterion": "second_date"}
    assert "platform" not in Config().to_dict()["taxonomy"]


durations = st.one_of(
    st.none(),
    st.integers(1, 10**6).map(lambda s: dt.timedelta(seconds=s)),
    st.integers(1, 10**12).map(lambda us: dt.timedelta(microseconds=us)),
)
names = st.sampled_from(["like", "comment", "share", "view", "purchase", "subscribe"])
criteria = st.one_of(
    st.sampled_from(list(PRESETS.values())),
    st.builds(Returned, min_days=st.integers(1, 5)),
    st.builds(
        MinInteractions, n=st.integers(1, 9), actions=st.none() | st.lists(names, max_size=2)
    ),
    st.builds(Dialogue, min_turns=st.integers(1, 4)),
)
goals = st.lists(
    st.builds(
        Goal,
        name=st.text("abcdefgh", min_size=1, max_size=6),
        actions=st.lists(names, min_size=1, max_size=3),
        value=st.none() | st.floats(0, 1e6, allow_nan=False),
        channels=st.none() | st.lists(st.text(max_size=4) | st.integers(0, 99), max_size=2),
    ),
    max_size=3,
    unique_by=lambda g: g.name,
)
later_steps = st.builds(
    Step,
    actions=st.lists(names, min_size=1, max_size=2),
    window=durations,
    name=st.sampled_from(["", "step"]),
)
steps = st.tuples(st.lists(names, min_size=1, max_size=2), st.lists(later_steps, max_size=3))
funnels = st.none() | st.builds(
    Funnel,
    steps.map(lambda s: [s[0], *s[1]]),
    window=durations,
    mode=st.sampled_from(["default", "strict_order", "strict_increase"]),
    start=st.sampled_from(["each", "first"]),
    unit=st.sampled_from(["actor", "session"]),
    session_gap=durations.filter(lambda d: d is not None),
)
ids = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=8)
configs = st.builds(
    Config,
    columns=st.dictionaries(st.sampled_from(["actor", "action", "time", "value"]), ids),
    platform=st.none() | st.sampled_from(Taxonomy.platforms()),
    aliases=st.dictionaries(st.sampled_from(["wow", "Reaction:Love", "tap tap"]), names),
    brand_accounts=st.lists(ids, max_size=3),
    tz=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
    time_unit=st.none() | st.sampled_from(["s", "ms", "us", "ns"]),
    on_invalid=st.sampled_from(["raise", "drop"]),
    criterion=criteria,
    goals=goals,
    funnel=funnels,
    conversion_window=durations,
    response_window=durations,
    return_window=durations,
    period=st.sampled_from(["day", "week", "month"]),
    top=st.integers(1, 1000),
)


@given(configs)
def test_round_trip_through_toml_and_dicts(config: Config) -> None:
    assert Config.from_toml(config.to_toml()) == config
    assert Config.from_dict(config.to_dict()) == config


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Key paths of a document's values, as the TOML writer lays them out."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))] or [path]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


@given(configs)
def test_every_written_key_is_found_on_its_line(config: Config) -> None:
    text = config.to_toml()
    lines = key_lines(text)
    written = text.split("\n")
    for path in _leaves(config.to_dict()):
        assert path in lines, path
        last = next(p for p in reversed(path) if isinstance(p, str))
        assert (
            last in written[lines[path] - 1]
            or last.replace('"', '\\"') in written[lines[path] - 1]
        ), (path, written[lines[path] - 1])


@given(st.integers(1, 10**15).map(lambda us: dt.timedelta(microseconds=us)))
def test_windows_round_trip_through_the_one_codec(value: dt.timedelta) -> None:
    config = Config(response_window=value)
    assert config.to_dict()["windows"]["response"] == format_duration(value)
    assert Config.from_toml(config.to_toml()) == config


def test_windows_read_every_kind_of_duration() -> None:
    """The one codec (engagemetrics._core.durations): text, timedelta, timedelta64."""
    read = [
        Config.from_toml("[windows]\nconversion = '90s'"),
        Config.from_dict({"windows": {"conversion": dt.timedelta(seconds=90)}}),
        Config.from_dict({"windows": {"conversion": np.timedelta64(90, "s")}}),
        Config(conversion_window="1.5min"),
        Config(conversion_window=np.timedelta64(90_000, "ms")),
    ]
    assert {c.conversion_window for c in read} == {dt.timedelta(seconds=90)}
    assert Config(return_window="2w").return_window == dt.timedelta(days=14)
    assert Config(return_window="1d12h").to_dict()["windows"]["return"] == "36h"
    assert Config(response_window="30m").to_dict()["windows"]["response"] == "30min"
    assert Config(response_window="none").response_window is None
    with pytest.raises(ConfigError, match=r"'windows\.conversion' setting must be a duration"):
        Config(conversion_window="7 days")
    with pytest.raises(ConfigError, match=r"must be a duration.*np\.timedelta64\(5\).*unit"):
        Config(conversion_window=np.timedelta64(5))  # a timedelta64 without a unit
    with pytest.raises(ConfigError, match=r"whole number of microseconds"):
        Config.from_toml("[windows]\nconversion = '5ns'")
    with pytest.raises(ConfigError, match=r"'windows\.return' setting must not be negative"):
        Config(return_window="-1d")


def test_no_window_may_be_written_several_ways() -> None:
    for text in ('"none"', '"None"', '"never"', '"off"', "false"):
        assert Config.from_toml(f"[windows]\nconversion = {text}").conversion_window is None


def test_funnel_windows_as_any_duration() -> None:
    by_value = Config.from_dict(
        {"funnel": {"steps": [{"actions": ["view"]}, {"actions": ["like"],
                    "window": dt.timedelta(seconds=60)}], "window": None,
                    "session_gap": np.timedelta64(10, "m")}}
    )  # fmt: skip
    by_text = Config.from_toml(
        '[funnel]\nsteps = ["view", { actions = ["like"], window = "1min" }]\n'
        'window = "none"\nsession_gap = "10min"\n'
    )
    assert by_value == by_text
    assert by_text.funnel is not None
    assert by_text.funnel.steps[1].window == dt.timedelta(minutes=1)
    assert by_text.to_dict()["funnel"] == by_text.funnel.to_dict()


def test_funnel_steps_and_exclusions_may_name_a_goal() -> None:
    config = Config.from_toml(
        '[[goals]]\nname = "sale"\nactions = ["purchase"]\n\n[funnel]\n'
        'steps = ["view", "like", { goal = "sale" }]\nexclude = [{ goal = "sale", to_step = 1 }]\n'
    )
    assert config.funnel is not None
    assert config.funnel.steps[2].goal == config.goals["sale"]
    assert config.funnel.exclude[0].goal == config.goals["sale"]
    assert Config.from_toml(config.to_toml()) == config


def test_goal_map_dict_form_is_accepted() -> None:
    goals = GoalMap([Goal("visit", actions=["website_visit"])])
    assert Config.from_dict({"goals": goals.to_dict()}).goals == goals


def test_criterion_as_inline_table_or_sub_table() -> None:
    inline = Config.from_toml('[engagement]\ncriterion = { kind = "returned", min_days = 3 }')
    table = Config.from_toml("[engagement.criterion]\nkind = 'returned'\nmin_days = 3")
    assert inline == table == Config(criterion=Returned(min_days=3))


# ------------------------------------------------------------------------ taxonomy --
def test_taxonomy_is_the_platform_extended_with_aliases() -> None:
    config = Config(platform="twitter", aliases={"boost": "share"})
    taxonomy = config.taxonomy()
    assert taxonomy.action("retweet").name == "share"
    assert taxonomy.action("Boost").name == "share"
    assert taxonomy.name == "x"
    assert config.taxonomy() is taxonomy  # built once


def test_goals_may_use_the_aliases() -> None:
    config = Config(aliases={"newsletter_signup": "subscribe"},
                    goals=[Goal("news", actions=["newsletter_signup"])])  # fmt: skip
    assert config.goals["news"].actions == ("newsletter_signup",)


# ------------------------------------------------------------------------- reading --
@pytest.fixture
def events_csv(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS_CSV)
    return path


def _config(**options: Any) -> Config:
    defaults: dict[str, Any] = {
        "columns": MAPPING,
        "aliases": {"reaction:love": "reaction"},
        "brand_accounts": ["acme"],
        "tz": "Europe/Berlin",
        "on_invalid": "drop",
    }
    return Config(**(defaults | options))


def test_read_log_applies_every_option(events_csv: Path) -> None:
    log = _config().read_log(events_csv)
    assert log.load_report.rows_dropped == 1  # "lkie"
    assert log.taxonomy == _config().taxonomy()
    arrays = log.to_arrays()
    assert arrays["actor"].tolist() == ["acme", "ana", "bo"]
    assert arrays["direction"].tolist() == ["outbound", "inbound", "inbound"]
    assert arrays["action"].tolist() == ["reply", "like", "reaction"]
    # 10:00 in Berlin (CEST) is 08:00 UTC
    assert str(arrays["time"][1]) == "2024-05-01T08:00:00.000000000"


@pytest.mark.parametrize(
    ("suffix", "writer"),
    [
        (".tsv", "tsv"),
        (".JSONL", "jsonl"),
        (".ndjson", "jsonl"),
        (".parquet", "parquet"),
        (".pq", "parquet"),
    ],
)
@needs("pandas")
def test_read_log_chooses_the_reader_by_suffix(
    tmp_path: Path, events_csv: Path, suffix: str, writer: str
) -> None:
    import pandas as pd

    frame = pd.read_csv(events_csv, dtype=str)
    path = tmp_path / f"events{suffix}"
    if writer == "tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif writer == "jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path)
    assert _config().read_log(path) == _config().read_log(events_csv)


@needs("pandas", "polars", "pyarrow")
def test_log_from_frame_matches_read_log(events_csv: Path) -> None:
    import polars as pl

    frame = pl.read_csv(events_csv)
    assert _config().log_from_frame(frame) == _config().read_log(events_csv)


@needs("pandas")
def test_read_posts(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text("id,reach,likes,when\np1,40,4,2024-05-01T10:00\np2,400,8,2024-05-02T10:00\n")
    config = Config(shape="posts", columns={"key": "id", "applause": "likes", "posted_at": "when"})
    posts = config.read_posts(path)
    assert posts.keys.tolist() == ["p1", "p2"]
    assert posts.measure("reach").tolist() == [40.0, 400.0]


def test_reading_errors(tmp_path: Path, events_csv: Path) -> None:
    with pytest.raises(InvalidParameterError, match=r"suffix '\.xlsx'; suffixes are \.csv"):
        Config().read_log(tmp_path / "events.xlsx")
    with pytest.raises(FileNotFoundError, match="No such file"):
        Config().read_log(tmp_path / "missing.csv")
    with pytest.raises(InvalidParameterError, match=r"shape is 'posts'; use Config\.read_posts"):
        Config(shape="posts").read_log(events_csv)
    with pytest.raises(InvalidParameterError, match=r"shape is 'events'; use Config\.read_log"):
        Config().read_posts(events_csv)
    with pytest.raises(InvalidParameterError, match=r"use Config\.posts_from_frame"):
        Config(shape="posts").log_from_frame(None)
    with pytest.raises(InvalidParameterError, match=r"use Config\.log_from_frame"):
        Config().posts_from_frame(None)
    with pytest.raises(FileNotFoundError, match="No such file"):
        Config(shape="posts").read_posts(tmp_path / "missing.csv")


# --------------------------------------------------------------------------- files --
def test_read_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "engagemetrics.toml"
    path.write_text("[report]\nperiod = 'week'\n\n[windows]\nreturn = '2 weeks'\n")
    with pytest.raises(ConfigError, match=r"engagemetrics\.toml, line 5: The 'windows\.return'"):
        Config.read(path)
    with pytest.raises(ConfigError, match=r"engagemetrics\.toml, line 5: ") as caught:
        Config.from_toml(path)
    assert caught.value.key == ("windows", "return")
    assert caught.value.line == 5
    assert caught.value.file == str(path)
    assert caught.value.dotted_key == "windows.return"
    with pytest.raises(FileNotFoundError, match="No such configuration file"):
        Config.read(tmp_path / "nope.toml")
    path.write_text(_full().to_toml())
    assert Config.read(str(path)) == _full()


def test_invalid_toml_keeps_the_parsers_position(tmp_path: Path) -> None:
    path = tmp_path / "engagemetrics.toml"
    path.write_text("[input]\ntz = = 'UTC'\n")
    with pytest.raises(ConfigError, match=r"engagemetrics\.toml, line 2: Invalid TOML: .*line 2"):
        Config.read(path)


def test_a_file_name_given_as_text_gets_a_hint() -> None:
    with pytest.raises(ConfigError, match=r"Invalid TOML: .*pass a pathlib\.Path or use Config"):
        Config.from_toml("engagemetrics.toml")


def test_errors_pickle() -> None:
    error = ConfigError("bad", key=("goals", 0), file="f.toml", line=3)
    again = pickle.loads(pickle.dumps(error))
    assert (str(again), again.key, again.line) == (str(error), ("goals", 0), 3)


# ---------------------------------------------------------------- line numbers --
def test_key_lines_follow_tables_arrays_and_inline_tables() -> None:
    text = (
        "# comment\n"  # 1
        "[input]\n"  # 2
        'columns = { actor = "u", "action" = "e" }\n'  # 3
        'tz = """\n'  # 4
        'not = "a key"\n'  # 5
        '"""\n'  # 6
        "[[goals]]\n"  # 7
        "name = 'a'\n"  # 8
        "actions = [\n"  # 9
        "  'x = 1',\n"  # 10
        "]\n"  # 11
        "[[goals]]\n"  # 12
        "name = 'b'\n"  # 13
        "[funnel]\n"  # 14
        "[[funnel.steps]]\n"  # 15
        "actions = ['view']\n"  # 16
        "[[funnel.steps]]\n"  # 17
        "window = '1d'\n"  # 18
        "[goals.extra]\n"  # 19
        "x.y = 1\n"  # 20
    )
    lines = key_lines(text)
    assert lines[("input", "columns", "actor")] == 3
    assert lines[("input", "columns", "action")] == 3
    assert ("input", "not") not in lines
    assert ("goals", 0, "x") not in lines
    assert lines[("goals", 0, "actions")] == 9
    assert lines[("goals", 1, "name")] == 13
    assert lines[("funnel", "steps", 1, "window")] == 18
    assert lines[("goals", 1, "extra", "x", "y")] == 20
    assert key_line(text, ("funnel", "steps", 1, "actions")) == 17
    assert key_line(text, ("nothing",)) is None
    assert key_line(text, ()) is None


# ------------------------------------------------------------------------- errors --
ERRORS = [
    ("[inptu]\nx = 1", ("inptu",), r"line 1: Unknown section 'inptu'; .* Did you mean 'input'\?"),
    ("[input]\ntzz = 'UTC'", ("input", "tzz"), r"line 2: Unknown key 'input\.tzz'.*'tz'\?"),
    ("[input]\nshape = 'event'", ("input", "shape"), r"must be one of 'events', 'posts'"),
    ("[input]\ntz = 'Mars/Base'", ("input", "tz"), r"IANA time zone"),
    ("[input]\ntz = 3", ("input", "tz"), r"'input\.tz' setting must be a string; got 3"),
    ("[input]\ntime_unit = 'sec'", ("input", "time_unit"), r"one of 's', 'ms', 'us', 'ns'"),
    ("[input]\non_invalid = 'skip'", ("input", "on_invalid"), r"one of 'raise', 'drop'"),
    ("[input]\ncolumns = 3", ("input", "columns"), r"'input\.columns' setting must be a table"),
    (
        "[input]\ncolumns = { acton = 'e' }",
        ("input", "columns", "acton"),
        r"Unknown column 'acton' .* shape 'events'.*Did you mean 'action'",
    ),
    (
        "[input]\nshape = 'posts'\ncolumns = { actor = 'e' }",
        ("input", "columns", "actor"),
        r"line 3: Unknown column 'actor' .* shape 'posts'; columns are key, posted_at",
    ),
    ("[input]\ncolumns = { actor = 1 }", ("input", "columns", "actor"), r"name of a column"),
    ("[taxonomy]\nplatform = 'instagrm'", ("taxonomy", "platform"), r"Did you mean 'instagram'"),
    ("[taxonomy]\nplatform = ''", ("taxonomy", "platform"), r"must be a platform name"),
    (
        "[taxonomy]\naliases = { 'reaction:love' = 'lik' }",
        ("taxonomy", "aliases", "reaction:love"),
        r"alias 'taxonomy\.aliases\.\"reaction:love\"' points to 'lik'.*'like'",
    ),
    ("[taxonomy]\naliases = { x = 1 }", ("taxonomy", "aliases", "x"), r"canonical action name"),
    (
        "[taxonomy]\naliases = { like = 'share' }",
        ("taxonomy", "aliases"),
        r"In 'taxonomy\.aliases': Alias 'like' .* shadows",
    ),
    ("[brand]\naccounts = 'acme'", ("brand", "accounts"), r"must be a list of actor ids"),
    ("[brand]\naccounts = ['a', 1.5]", ("brand", "accounts", 1), r"'brand\.accounts\[1\]'"),
    (
        "[engagement]\ncriterion = 'second-date'",
        ("engagement", "criterion"),
        r"names no preset 'second-date'.*Did you mean 'second_date'",
    ),
    (
        "[engagement.criterion]\nkind = 'returnd'",
        ("engagement", "criterion", "kind"),
        r"line 2: The 'engagement\.criterion\.kind' setting must be a criterion kind.*'returned'",
    ),
    (
        "[engagement.criterion]\nkind = 'all'\n[[engagement.criterion.of]]\nkind = 'returned'\n"
        "min_dayz = 2",
        ("engagement", "criterion", "of", 0, "min_dayz"),
        r"line 5: Unknown key 'engagement\.criterion\.of\[0\]\.min_dayz'.*'min_days'",
    ),
    (
        "[engagement.criterion]\nkind = 'returned'\nmin_days = 0",
        ("engagement", "criterion"),
        r"line 1: In 'engagement\.criterion': The 'min_days' of Returned",
    ),
    ("goals = 3", ("goals",), r"must be an array of tables \(\[\[goals\]\]\)"),
    ("[[goals]]\nactions = ['like']", ("goals", 0), r"line 1: The goal 'goals\[0\]' needs a"),
    (
        "[[goals]]\nname = 'a'\nactoins = ['like']",
        ("goals", 0, "actoins"),
        r"line 3: Unknown key 'goals\[0\]\.actoins'.*'actions'",
    ),
    (
        "[[goals]]\nname = 'a'\nactions = 'like'",
        ("goals", 0, "actions"),
        r"'goals\[0\]\.actions' setting must be a list",
    ),
    (
        "[[goals]]\nname = 'a'\nactions = ['like']\n\n[[goals]]\nname = 'b'\nactions = ['lkie']",
        ("goals", 1, "actions"),
        r"line 7: The 'goals\[1\]\.actions' setting names unknown action\(s\) \['lkie'\]",
    ),
    (
        "[[goals]]\nname = 'a'\nactions = ['like']\n[[goals]]\nname = 'a'\nactions = ['like']",
        ("goals", 1, "name"),
        r"line 5: In 'goals\[1\]\.name': Goal 'a' appears twice",
    ),
    (
        "[[goals]]\nname = 'a'\nstage = 'later'\nactions = ['like']",
        ("goals", 0, "stage"),
        r"line 3: In 'goals\[0\]\.stage': The 'stage' parameter of Goal 'a'",
    ),
    ("[funnel]\nwindow = '1d'", ("funnel",), r"In 'funnel': .*needs 'steps'"),
    (
        "[funnel]\nstep = []",
        ("funnel", "step"),
        r"Unknown key 'funnel\.step'.*'steps'",
    ),
    ("[funnel]\nsteps = []", ("funnel", "steps"), r"must be a non-empty list of steps"),
    (
        "[funnel]\nsteps = ['view']\nwindow = '-1d'",
        ("funnel", "window"),
        r"line 3: The 'funnel\.window' setting must be a non-negative duration.*got '-1d'",
    ),
    (
        "[funnel]\nsteps = ['view']\nsession_gap = 'none'",
        ("funnel", "session_gap"),
        r"'funnel\.session_gap' setting must be a positive duration",
    ),
    (
        "[funnel]\nsteps = ['view']\nwindow_seconds = 5",
        ("funnel", "window_seconds"),
        r"line 3: Unknown key 'funnel\.window_seconds'; valid: .*Did you mean 'window'",
    ),
    ("[funnel]\nsteps = ['view']\nmode = 'strict'", ("funnel", "mode"), r"'strict_order'"),
    ("[funnel]\nsteps = ['view']\nunit = 'user'", ("funnel", "unit"), r"'actor', 'session'"),
    ("[funnel]\nsteps = ['view', 'lik']", ("funnel", "steps", 1, "actions"), r"\['lik'\]"),
    (
        "[funnel]\nsteps = ['view', { actions = ['like'], windw = '1d' }]",
        ("funnel", "steps", 1, "windw"),
        r"Unknown key 'funnel\.steps\[1\]\.windw'.*'window'",
    ),
    (
        "[funnel]\nsteps = ['view', { actions = ['like'], window = 'soon' }]",
        ("funnel", "steps", 1, "window"),
        r"'funnel\.steps\[1\]\.window' setting must be a non-negative duration.*'soon'",
    ),
    ("[funnel]\nsteps = ['view']\nexclude = 3", ("funnel", "exclude"), r"list of tables"),
    (
        "[funnel]\nsteps = ['view', { goal = 'sael' }]",
        ("funnel", "steps", 1, "goal"),
        r"'funnel\.steps\[1\]\.goal' setting names no goal 'sael'; goals are conversion\.",
    ),
    (
        "[[goals]]\nname = 'sale'\nactions = ['purchase']\n[funnel]\nsteps = ['view', 'like']\n"
        "exclude = [{ goal = 'sael' }]",
        ("funnel", "exclude", 0, "goal"),
        r"line 6: .*names no goal 'sael'; goals are sale\. Did you mean 'sale'\?",
    ),
    (
        "[funnel]\nsteps = [{ actions = ['view'], window = '1d' }, 'like']",
        ("funnel",),
        r"In 'funnel': The first step \('view'\) starts the window",
    ),
    (
        "[funnel]\nsteps = ['view', 'like']\nexclude = [{ actions = ['unfolow'] }]",
        ("funnel", "exclude", 0, "actions"),
        r"'funnel\.exclude\[0\]\.actions' setting names unknown action\(s\) \['unfolow'\]",
    ),
    (
        "[windows]\nconversion = '7 days'",
        ("windows", "conversion"),
        r"must be a duration: a number and a unit .*'7d'",
    ),
    ("[windows]\nconversion = '0s'", ("windows", "conversion"), r"must be a positive duration"),
    ("[windows]\nresponse = 3", ("windows", "response"), r"must be a duration: .* or \"none\""),
    ("[windows]\nconversoin = '7d'", ("windows", "conversoin"), r"Did you mean 'conversion'"),
    ("[report]\nperiod = 'weekly'", ("report", "period"), r"one of 'day', 'week', 'month'"),
    ("[report]\ntop = 0", ("report", "top"), r"whole number >= 1; got 0"),
    ("[report]\ntop = true", ("report", "top"), r"whole number >= 1; got True"),
    ("report = 3", ("report",), r"'report' setting must be a table; got 3"),
]


@pytest.mark.parametrize(("text", "key", "message"), ERRORS)
def test_each_error_names_its_key_and_line(text: str, key: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        Config.from_toml(text)
    assert caught.value.key == key
    assert caught.value.line is not None
    assert str(caught.value).startswith(f"line {caught.value.line}: ")


def test_constructor_errors_name_the_toml_key() -> None:
    with pytest.raises(ConfigError, match=r"'windows\.conversion' setting must be a positive"):
        Config(conversion_window=dt.timedelta(0))
    with pytest.raises(ConfigError, match=r"'windows\.return' setting must be a positive"):
        Config(return_window=3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"'engagement\.criterion' setting must be a Criterion"):
        Config(criterion=3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"'funnel' setting must be a Funnel or None"):
        Config(funnel="view")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"'goals' setting must be a GoalMap or a list"):
        Config(goals="conversion")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"In 'goals': A GoalMap holds Goals"):
        Config(goals=["conversion"])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match=r"'taxonomy\.aliases' setting must be a table"):
        Config(aliases=["x"])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"'goals\[0\]\.actions' setting names unknown"):
        Config(goals=[Goal("x", actions=["nope"])])
    with pytest.raises(ConfigError, match=r"'funnel\.steps\[1\]\.goal\.actions' setting"):
        Config(funnel=Funnel(["view", Goal("x", actions=["nope"])]))
    with pytest.raises(ConfigError, match=r"'input\.shape' setting must be one of"):
        Config(shape="rows")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"names no preset 'second-date'"):
        Config(criterion="second-date")


def test_from_dict_errors() -> None:
    with pytest.raises(ConfigError, match=r"The document setting must be a table|must be a table"):
        Config.from_dict([])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"^Unknown section 'inputs'"):
        Config.from_dict({"inputs": {}})


def test_config_error_is_an_invalid_parameter_error() -> None:
    assert issubclass(ConfigError, InvalidParameterError)
    assert issubclass(ConfigError, ValueError)


def test_brand_accounts_accept_integers_as_strings() -> None:
    assert Config(brand_accounts=[7, "x"]).brand_accounts == ("7", "x")
    log = EventLog.from_arrays(actor=[7, 8], action=["comment", "comment"],
                               time=["2024-01-01"] * 2, brand_accounts=Config(
                                   brand_accounts=[7]).brand_accounts)  # fmt: skip
    assert log.to_arrays()["direction"].tolist() == ["outbound", "inbound"]


@needs("pandas")
def test_delimiter_reads_a_semicolon_export() -> None:
    """The UCI Facebook file as published: ';'-separated, Insights column names."""
    from engagemetrics.datasets import facebook_posts_path, load_facebook_posts

    config = Config(
        shape="posts",
        delimiter=";",
        columns={"reach": "Lifetime Post Total Reach", "applause": "like"},
    )
    posts = config.read_posts(facebook_posts_path())
    expected = load_facebook_posts(warn=False).columns
    assert len(posts) == 500
    np.testing.assert_array_equal(posts.measure("reach"), expected["reach"])
    np.testing.assert_array_equal(posts.measure("applause"), expected["likes"])
    assert Config.from_toml(config.to_toml()) == config


@pytest.mark.parametrize("bad", ["", "\n", '"', r"\s+", 3])
def test_delimiter_must_be_literal_text(bad: object) -> None:
    # issue 13: longer delimiters (",,", "||") and "whitespace" are valid for event files
    with pytest.raises(ConfigError, match=r"'input\.delimiter' setting must be literal text"):
        Config(delimiter=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"'input\.delimiter' setting"):
        Config(shape="posts", delimiter=",,")


# ------------------------------------------------- overflow, non-finite, deep nesting --
def _deep_nots(depth: int) -> str:
    return (
        "[engagement]\ncriterion = "
        + '{ kind = "not", of = ' * depth
        + '"second_date"'
        + " }" * depth
    )


def _deep_not_tables(depth: int) -> str:
    headers = (f"[engagement.criterion{'.of' * i}]\nkind = 'not'" for i in range(depth))
    return "\n".join(headers) + f"\n[engagement.criterion{'.of' * depth}]\nkind = 'returned'"


def _deep_not_dict(depth: int) -> dict[str, Any]:
    criterion: dict[str, Any] = {"kind": "returned"}
    for _ in range(depth):
        criterion = {"kind": "not", "of": criterion}
    return criterion


_FUNNEL = "[funnel]\nsteps = ['like', 'comment']\n"
_INT64_DAYS = r"at most 106751 days"
_INT64 = r"longer than int64 nanoseconds hold"  # a definition's own message (a funnel's)
LIMIT_ERRORS = [
    # durations past what a timedelta (999,999,999 days) or int64 nanoseconds hold
    ("[windows]\nconversion = '999999999999999999d'", ("windows", "conversion"), _INT64_DAYS),
    ("[windows]\nreturn = '200000d'", ("windows", "return"), _INT64_DAYS),
    ("[windows]\nresponse = '106752d'", ("windows", "response"), _INT64_DAYS),
    (f"[windows]\nresponse = '{'9' * 400}us'", ("windows", "response"), _INT64_DAYS),
    (_FUNNEL + "window = '200000d'", ("funnel", "window"), _INT64),
    (_FUNNEL + "session_gap = '999999999999999999w'", ("funnel", "session_gap"), _INT64),
    (
        "[funnel]\nsteps = ['like', { actions = ['comment'], window = '200000d' }]",
        ("funnel", "steps", 1, "window"),
        _INT64,
    ),
    # not durations: numbers, booleans, NaN (a duration has a unit)
    (_FUNNEL + "window = 1e308", ("funnel", "window"), r"must be a non-negative duration"),
    (_FUNNEL + "window = nan", ("funnel", "window"), r"got nan"),
    (_FUNNEL + "window = true", ("funnel", "window"), r"got True"),
    (_FUNNEL + "session_gap = '0s'", ("funnel", "session_gap"), r"positive"),
    ("[windows]\nreturn = 86400", ("windows", "return"), r"must be a duration"),
    # goal values and names
    (
        "[[goals]]\nname = 'sale'\nactions = ['purchase']\nvalue = inf",
        ("goals", 0, "value"),
        r"line 4: In 'goals\[0\]\.value': The 'value' parameter of Goal 'sale' must be a number",
    ),
    (
        "[[goals]]\nname = 'sale'\nactions = ['purchase']\nvalue = nan",
        ("goals", 0, "value"),
        r"finite and >= 0.*got nan",
    ),
    (
        "[[goals]]\nname = 'sale'\nactions = [1, 2]",
        ("goals", 0, "actions"),
        r"line 3: .*The 'actions' parameter of Goal 'sale' must be action names",
    ),
    (
        "[funnel]\nsteps = ['like', { goal = [1, 2] }]",
        ("funnel", "steps", 1, "goal"),
        r"must be the name of one of the \[\[goals\]\] or a goal table",
    ),
    (
        "[engagement.criterion]\nkind = []",
        ("engagement", "criterion", "kind"),
        r"must be a criterion kind, one of .*; got \[\]",
    ),
    # nesting: the parser's recursion, a walk of the document, the criteria
    ("x = " + "[" * 5000 + "]" * 5000, ("x",), r"line 1: The 'x' setting nests .* 100 levels"),
    (
        "[report]\ntop = 3\nx = " + "[" * 150 + "]" * 150,
        ("report", "x"),
        r"line 3: The 'report\.x' setting nests tables and arrays deeper than 100 levels",
    ),
    (_deep_nots(3000), ("engagement", "criterion"), r"line 2: .* nests .* 100 levels"),
    (_deep_not_tables(150), ("engagement", "criterion"), r"line 1: .* nests .* 100 levels"),
    (
        _deep_nots(40),
        ("engagement", "criterion"),
        r"line 2: The 'engagement\.criterion' setting nests criteria deeper than 32 levels",
    ),
]


@pytest.mark.parametrize(("text", "key", "message"), LIMIT_ERRORS)
def test_limits_are_config_errors_naming_key_and_line(
    text: str, key: tuple[Any, ...], message: str
) -> None:
    """Overflow, non-finite numbers and deep nesting: a ConfigError, never OverflowError
    or RecursionError (issue 12, §5)."""
    with pytest.raises(ConfigError, match=message) as caught:
        Config.from_toml(text)
    assert caught.value.key == key
    assert caught.value.line is not None
    assert str(caught.value).startswith(f"line {caught.value.line}: ")


def test_the_longest_durations_that_fit_are_read() -> None:
    config = Config.from_toml(
        "[windows]\nconversion = '106751d'\n[funnel]\nsteps = ['like', 'comment']\n"
        "window = '9200000000s'\nsession_gap = '106751d'"
    )
    assert config.conversion_window == dt.timedelta(days=106751)
    assert config.funnel is not None
    assert config.funnel.window == dt.timedelta(seconds=9.2e9)
    assert Config.from_toml("[funnel]\nsteps = ['like']\nwindow = 'none'").funnel == (
        Funnel(["like"], window=None)
    )


def test_constructor_windows_must_fit_int64_nanoseconds() -> None:
    with pytest.raises(ConfigError, match=r"'windows\.return' setting must be at most 106751"):
        Config(return_window=dt.timedelta(days=106752))
    with pytest.raises(ConfigError, match=r"'windows\.return' setting must be at most 106751"):
        Config(return_window="999999999999999999d")


def test_deep_criteria_from_a_dict_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"nests criteria deeper than 32 levels") as caught:
        Config.from_dict({"engagement": {"criterion": _deep_not_dict(3000)}})
    assert caught.value.key == ("engagement", "criterion")
    deep_enough = Config.from_dict({"engagement": {"criterion": _deep_not_dict(31)}})
    assert Config.from_toml(deep_enough.to_toml()) == deep_enough
    # the library's own door for dicts holds the same limit
    with pytest.raises(InvalidParameterError, match=r"nest criteria at most 32 deep"):
        criterion_from_dict(_deep_not_dict(3000))
    with pytest.raises(InvalidParameterError, match=r"Unknown criterion kind \[\]"):
        criterion_from_dict({"kind": []})
    assert criterion_from_dict(_deep_not_dict(31)) == deep_enough.criterion


def test_a_config_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b"# caf\xe9\n[report]\ntop = 3\n")
    with pytest.raises(ConfigError, match=r"latin1\.toml, line 1: The file is not UTF-8 text"):
        Config.read(path)
    path.write_bytes(b"[report]\r\ntop = 3\r\n\xff")
    with pytest.raises(ConfigError, match=r"latin1\.toml, line 3: The file is not UTF-8 text"):
        Config.read(path)
    # "UTF-8 with BOM", as Windows editors save it, and CRLF line ends are UTF-8 text
    path.write_bytes("\ufeff[report]\r\ntop = 3\r\n".encode())
    assert Config.read(path).top == 3


_HOSTILE = st.one_of(
    st.sampled_from([float("inf"), float("-inf"), float("nan"), 1e308, -1, 0, True, "",
                     2**63, 10**30, "999999999999999999d", "200000d", "-1s", "none"]),
    st.floats(),
    st.integers(),
    st.text(max_size=6),
    st.lists(st.integers() | st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)  # fmt: skip
_FUNNEL_KEYS = ("steps", "window", "window_seconds", "mode", "start", "unit", "by",
                "session_gap", "session_gap_seconds", "exclude")  # fmt: skip
_CRITERION_KEYS = ("kind", "min_days", "within", "within_days", "categories", "of", "n", "x",
                   "days", "half_life", "min_duration", "gap", "min_seconds", "gap_minutes",
                   "min_turns", "goal", "actions")  # fmt: skip


@st.composite
def _hostile_documents(draw: st.DrawFn) -> dict[str, Any]:
    section = draw(st.sampled_from([*LAYOUT, "goals", "funnel", "criterion"]))
    value = draw(_HOSTILE)
    if section == "goals":
        goal = {"name": "g", "actions": ["like"]}
        goal[draw(st.sampled_from(["name", "actions", "categories", "stage", "value"]))] = value
        return {"goals": [goal]}
    if section == "funnel":
        funnel: dict[str, Any] = {"steps": ["like", {"actions": ["comment"]}]}
        if draw(st.booleans()):
            funnel["steps"][1][draw(st.sampled_from(["window", "window_seconds", "goal"]))] = value
        else:
            funnel[draw(st.sampled_from(_FUNNEL_KEYS))] = value
        return {"funnel": funnel}
    if section == "criterion":
        kind = draw(st.sampled_from([*sorted(PRESETS), "returned", "not", "all", "min_score"]))
        return {
            "engagement": {
                "criterion": {"kind": kind, draw(st.sampled_from(_CRITERION_KEYS)): value}
            }
        }
    return {section: {draw(st.sampled_from(sorted(LAYOUT[section]))): value}}


@given(_hostile_documents())
def test_hostile_values_are_config_errors_or_a_config(document: dict[str, Any]) -> None:
    """The mechanism for the class: whatever value sits at whatever key, reading a
    configuration gives a Config or a ConfigError, never another exception."""
    try:
        config = Config.from_dict(document)
    except ConfigError:
        return
    assert Config.from_dict(config.to_dict()) == config


# ------------------------------------------------ declared actions and vocabularies --
from engagemetrics import Action, ActionCategory  # noqa: E402
from engagemetrics.cli import main as cli_main  # noqa: E402

SHOP_TOML = """\
[input]
columns = { actor = "user_id", action = "event_type", time = "event_time", value = "price" }

[taxonomy]
vocabularies = ["ecommerce"]
aliases = { basket = "add_to_cart" }

[[taxonomy.actions]]
name = "gift_card"
category = "conversion"
weight = 6.0
aliases = ["giftcard", "Gift Card Bought"]
description = "A gift card bought."

[[taxonomy.actions]]
name = "store_visit"
category = "conversion"
direction = "inbound"
weight = 4

[[goals]]
name = "gifts"
actions = ["giftcard"]
"""
# REES46-style rows ("cart" is its add-to-cart), a basket, and two declared actions
SHOP_CSV = """\
event_time,event_type,user_id,price
2019-10-01 00:00:00,view,1,0
2019-10-01 00:01:00,cart,1,0
2019-10-01 00:02:00,basket,2,0
2019-10-01 00:03:00,purchase,1,30.5
2019-10-01 00:04:00,Gift Card Bought,2,25
2019-10-02 09:00:00,store_visit,2,0
"""


def test_declared_actions_and_vocabularies_load_a_shop_export(tmp_path: Path) -> None:
    """End to end: engagemetrics.toml declares actions, a CSV loads through it."""
    (tmp_path / "engagemetrics.toml").write_text(SHOP_TOML)
    (tmp_path / "events.csv").write_text(SHOP_CSV)
    config = Config.read(tmp_path / "engagemetrics.toml")
    taxonomy = config.taxonomy()
    assert taxonomy.name == "ecommerce"
    assert taxonomy.action("Gift Card Bought") == Action(
        "gift_card", "conversion", weight=6.0, description="A gift card bought."
    )
    assert taxonomy.action("store visit").weight == 4.0
    assert taxonomy.action("giftcard").name == "gift_card"
    log = config.read_log(tmp_path / "events.csv")
    arrays = log.to_arrays()
    assert log.load_report.rows_kept == 6
    assert arrays["action"].tolist() == [
        "view", "add_to_cart", "purchase", "add_to_cart", "gift_card", "store_visit"
    ]  # fmt: skip
    # the CLI reads the same configuration and finds no problem in the file
    code = cli_main(["validate", str(tmp_path / "events.csv"), "--config",
                     str(tmp_path / "engagemetrics.toml")])  # fmt: skip
    assert code == 0


def test_declared_actions_round_trip_and_keep_their_aliases() -> None:
    config = Config.from_toml(SHOP_TOML)
    assert Config.from_toml(config.to_toml()) == config
    assert Config.from_dict(config.to_dict()) == config
    written = config.to_dict()["taxonomy"]
    assert written["vocabularies"] == ["ecommerce"]
    assert written["aliases"] == {"basket": "add_to_cart"}
    assert written["actions"][0] == {
        "name": "gift_card", "category": "conversion", "direction": "inbound", "weight": 6.0,
        "description": "A gift card bought.", "aliases": ["gift_card_bought", "giftcard"],
    }  # fmt: skip
    assert "[[taxonomy.actions]]" in config.to_toml()


def test_the_python_api_is_the_same_configuration() -> None:
    config = Config(
        columns={"actor": "user_id", "action": "event_type", "time": "event_time",
                 "value": "price"},
        vocabularies=["ecommerce"],
        actions=[Action("gift_card", "conversion", weight=6.0,
                        description="A gift card bought."),
                 Action("store_visit", "conversion", weight=4)],
        aliases={"basket": "add_to_cart", "giftcard": "gift_card",
                 "Gift Card Bought": "gift_card"},
        goals=[Goal("gifts", actions=["giftcard"])],
    )  # fmt: skip
    assert config == Config.from_toml(SHOP_TOML)
    assert hash(config) == hash(Config.from_toml(SHOP_TOML))
    assert config.taxonomy() == Config.from_toml(SHOP_TOML).taxonomy()


def test_an_action_may_be_declared_again_only_as_it_is() -> None:
    same = Config(actions=[Action("purchase", "conversion", weight=8.0)])
    assert same.taxonomy() == Taxonomy.default()
    assert Config.from_dict(same.to_dict()) == same
    with pytest.raises(ConfigError, match=r"declares action 'purchase' as \(conversion, inbound, "
                       r"weight 3\), but taxonomy 'default' already defines it as "
                       r"\(conversion, inbound, weight 8\)"):  # fmt: skip
        Config(actions=[Action("purchase", "conversion", weight=3.0)])


def test_vocabularies_combine_with_the_platform() -> None:
    config = Config(platform="twitter", vocabularies=["email", "ecommerce"])
    assert config.taxonomy().name == "x+email+ecommerce"
    assert config.taxonomy() == Taxonomy.for_vocabularies("x", "email", "ecommerce")
    assert config.taxonomy().action("retweet").name == "share"
    assert config.taxonomy().action("Opened Email").name == "open"
    assert Config.from_toml(config.to_toml()) == config
    assert "vocabularies" not in Config().to_dict()["taxonomy"]
    assert "actions" not in Config().to_dict()["taxonomy"]


def test_goals_may_name_a_vocabularys_actions() -> None:
    text = '[taxonomy]\nvocabularies = ["ecommerce"]\n[[goals]]\nname = "cart"\nactions = ["cart"]'
    assert Config.from_toml(text).goals["cart"].actions == ("cart",)
    with pytest.raises(ConfigError, match=r"'cart': The bundled vocabulary 'ecommerce' knows it"):
        Config.from_toml('[[goals]]\nname = "cart"\nactions = ["cart"]')


_ACTION = "[[taxonomy.actions]]\nname = 'gift_card'\ncategory = 'conversion'\nweight = 6\n"
ACTION_ERRORS = [
    (
        "[[taxonomy.actions]]\nname = 'x'\ncategory = 'chat'\nweight = 1",
        ("taxonomy", "actions", 0, "category"),
        r"line 3: The 'taxonomy\.actions\[0\]\.category' setting must be an action category, one "
        r"of exposure, applause, conversation, amplification, intent, conversion, negative; "
        r"got 'chat'\.",
    ),
    (
        "[[taxonomy.actions]]\nname = 'x'\ncategory = 'intnet'\nweight = 1",
        ("taxonomy", "actions", 0, "category"),
        r"Did you mean 'intent'\?",
    ),
    (
        "[[taxonomy.actions]]\nname = 'x'\ncategory = 'intent'",
        ("taxonomy", "actions", 0),
        r"line 1: The action 'taxonomy\.actions\[0\]' needs a 'weight' \(the default taxonomy "
        r"weighs exposure 0",
    ),
    (
        "[[taxonomy.actions]]\ncategory = 'intent'\nweight = 1",
        ("taxonomy", "actions", 0),
        r"needs a 'name'",
    ),
    (_ACTION.replace("6", "inf"), ("taxonomy", "actions", 0, "weight"), r"finite number; got inf"),
    (_ACTION.replace("6", "nan"), ("taxonomy", "actions", 0, "weight"), r"finite number; got nan"),
    (_ACTION.replace("6", "'6'"), ("taxonomy", "actions", 0, "weight"), r"finite number; got '6'"),
    (_ACTION.replace("6", "true"), ("taxonomy", "actions", 0, "weight"), r"got True"),
    (_ACTION.replace("6", "1" * 400), ("taxonomy", "actions", 0, "weight"), r"finite number"),
    (
        _ACTION + "direction = 'in'",
        ("taxonomy", "actions", 0, "direction"),
        r"must be one of 'inbound', 'outbound'; got 'in'",
    ),
    (_ACTION + "colour = 'red'", ("taxonomy", "actions", 0, "colour"), r"Unknown key .*valid: "),
    (_ACTION + "aliases = 'gift'", ("taxonomy", "actions", 0, "aliases"), r"list of words"),
    (_ACTION + "aliases = ['']", ("taxonomy", "actions", 0, "aliases", 0), r"non-empty word"),
    (_ACTION + "description = 3", ("taxonomy", "actions", 0, "description"), r"a string"),
    (
        "[[taxonomy.actions]]\nname = ' '\ncategory = 'intent'\nweight = 1",
        ("taxonomy", "actions", 0, "name"),
        r"non-empty action name",
    ),
    (
        "[[taxonomy.actions]]\nname = 'heart'\ncategory = 'applause'\nweight = 1",
        ("taxonomy", "actions", 0, "name"),
        r"declares action 'heart', which is already an alias of 'like' in taxonomy 'default'",
    ),
    (
        "[[taxonomy.actions]]\nname = 'comment'\ncategory = 'applause'\nweight = 3",
        ("taxonomy", "actions", 0, "name"),
        r"already defines it as \(conversation, inbound, weight 3\)",
    ),
    (
        "[taxonomy]\nvocabularies = ['ecommerce']\n"
        "[[taxonomy.actions]]\nname = 'cart'\ncategory = 'intent'\nweight = 1",
        ("taxonomy", "actions", 0, "name"),
        r"line 4: .*'cart', which is already an alias of 'add_to_cart' in taxonomy 'ecommerce'",
    ),
    (
        _ACTION + _ACTION,
        ("taxonomy", "actions", 1, "name"),
        r"line 6: .*declares action 'gift_card' a second time \(first in "
        r"'taxonomy\.actions\[0\]'\)",
    ),
    (
        _ACTION + "aliases = ['like']",
        ("taxonomy", "actions", 0, "aliases"),
        r"line 5: .*lists 'like', which is a canonical action",
    ),
    (
        _ACTION + "aliases = ['gift']\n" + _ACTION.replace("gift_card", "voucher") + "aliases = "
        "['Gift']",
        ("taxonomy", "actions", 1, "aliases"),
        r"lists 'Gift', which 'taxonomy\.actions\[0\]\.aliases' lists too",
    ),
    (
        "[taxonomy]\naliases = { gift = 'purchase' }\n" + _ACTION + "aliases = ['gift']",
        ("taxonomy", "actions", 0, "aliases"),
        r"makes 'gift' an alias of 'gift_card', but 'taxonomy\.aliases' maps it to 'purchase'",
    ),
    ("[taxonomy]\nactions = 3", ("taxonomy", "actions"), r"array of tables"),
    ("[taxonomy]\nactions = [3]", ("taxonomy", "actions", 0), r"must be a table; got 3"),
    (
        "[taxonomy]\nvocabularies = ['shop']",
        ("taxonomy", "vocabularies", 0),
        r"No vocabulary is bundled or registered for 'shop'; known vocabularies: appointments, "
        r"contact_centre, ecommerce, email",
    ),
    (
        "[taxonomy]\nvocabularies = ['emial']",
        ("taxonomy", "vocabularies", 0),
        r"Did you mean 'email'\?",
    ),
    ("[taxonomy]\nvocabularies = 'email'", ("taxonomy", "vocabularies"), r"must be a list"),
    ("[taxonomy]\nvocabularies = [3]", ("taxonomy", "vocabularies", 0), r"vocabulary name"),
    (
        "[taxonomy]\nplatform = 'x'\nvocabularies = ['twitter']",
        ("taxonomy", "vocabularies"),
        r"The vocabulary 'x' is named twice",
    ),
    (
        "[taxonomy]\nplatform = 'ecommerce'",
        ("taxonomy", "platform"),
        r"'ecommerce' is not a platform but a domain vocabulary; "
        r".*vocabularies = \[\"ecommerce\"\]",
    ),
]


@pytest.mark.parametrize(("text", "key", "message"), ACTION_ERRORS)
def test_declared_action_errors_name_their_key_and_line(
    text: str, key: tuple[Any, ...], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        Config.from_toml(text)
    assert caught.value.key == key
    assert caught.value.line is not None
    assert str(caught.value).startswith(f"line {caught.value.line}: ")


def test_declared_action_constructor_errors() -> None:
    with pytest.raises(ConfigError, match=r"'taxonomy\.actions\[0\]' setting must be an Action"):
        Config(actions=[{"name": "x"}])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match=r"'taxonomy\.actions' setting must be a list"):
        Config(actions="x")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"'taxonomy\.vocabularies' setting must be a list"):
        Config(vocabularies="email")  # a string is not a list of names
    with pytest.raises(ConfigError, match=r"alias 'taxonomy\.aliases\.tap' points to 'tip'"):
        Config(actions=[Action("tap", "intent")], aliases={"tap": "tip"})


_NEW_NAMES = ("gift_card", "store_visit", "webinar", "quiz_answer")
declared = st.lists(
    st.builds(
        Action,
        st.sampled_from(_NEW_NAMES),
        st.sampled_from([c.value for c in ActionCategory]),
        direction=st.sampled_from(["inbound", "outbound"]),
        weight=st.floats(-10, 10, allow_nan=False) | st.integers(-5, 5),
        description=st.sampled_from(["", "one line", 'with "quotes"']),
    ),
    max_size=3,
    unique_by=lambda a: a.name,
)


@st.composite
def _configs_with_actions(draw: st.DrawFn) -> Config:
    actions = draw(declared)
    targets = [a.name for a in actions] or ["like"]
    words = st.sampled_from(["tap", "Gift Card Bought", "quiz", "giftcard"])
    aliases = draw(st.dictionaries(words, st.sampled_from(targets), max_size=3))
    return Config(
        platform=draw(st.none() | st.sampled_from(Taxonomy.platforms())),
        vocabularies=draw(st.lists(st.sampled_from(["ecommerce", "email"]), unique=True)),
        actions=actions,
        aliases=aliases,
    )


@given(_configs_with_actions())
def test_declared_actions_round_trip_and_are_found_on_their_lines(config: Config) -> None:
    assert Config.from_toml(config.to_toml()) == config
    assert Config.from_dict(config.to_dict()) == config
    text = config.to_toml()
    lines = key_lines(text)
    for path in _leaves(config.to_dict()):
        assert path in lines, path


_ACTION_HOSTILE_KEYS = ("name", "category", "direction", "weight", "description", "aliases")


@given(st.sampled_from(_ACTION_HOSTILE_KEYS), _HOSTILE)
def test_hostile_action_values_are_config_errors_or_a_config(key: str, value: Any) -> None:
    action: dict[str, Any] = {"name": "gift_card", "category": "conversion", "weight": 6.0}
    action[key] = value
    try:
        config = Config.from_dict({"taxonomy": {"actions": [action]}})
    except ConfigError:
        return
    assert Config.from_dict(config.to_dict()) == config


# ------------------------------------------ [input]: real exports as they come (issue 13) --
@pytest.mark.parametrize(
    "name", ["events.csv.gz", "events.CSV.BZ2", "events.tsv.xz", "events.tab", "events.txt",
             "events.txt.zst", "events.jsonl.gz", "events.ndjson.bz2"],
)  # fmt: skip
@needs("pandas")
def test_read_log_reads_compressed_and_text_files_by_suffix(
    tmp_path: Path, events_csv: Path, name: str
) -> None:
    import bz2
    import gzip
    import lzma

    import pandas as pd
    import pyarrow as pa

    frame = pd.read_csv(events_csv, dtype=str)
    inner = name.casefold().split(".")[1]
    if inner == "csv":
        data = frame.to_csv(index=False).encode()
    elif inner in ("tsv", "tab"):
        data = frame.to_csv(index=False, sep="\t").encode()
    elif inner == "txt":  # a text table: the header line's separator (";") is the one
        data = frame.to_csv(index=False, sep=";").encode()
    else:
        data = frame.to_json(orient="records", lines=True).encode()
    suffix = name.casefold().rsplit(".", 1)[-1]
    if suffix == "gz":
        data = gzip.compress(data)
    elif suffix == "bz2":
        data = bz2.compress(data)
    elif suffix == "xz":
        data = lzma.compress(data)
    elif suffix == "zst":  # a framed zstd stream, as the zstd tool writes it
        sink = pa.BufferOutputStream()
        with pa.CompressedOutputStream(sink, "zstd") as stream:
            stream.write(data)
        data = sink.getvalue().to_pybytes()
    path = tmp_path / name
    path.write_bytes(data)
    assert _config().read_log(path) == _config().read_log(events_csv)


@needs("pandas", "polars", "pyarrow")
def test_read_log_reads_a_parquet_folder_and_glob(tmp_path: Path, events_csv: Path) -> None:
    import pandas as pd

    frame = pd.read_csv(events_csv, dtype=str)
    (tmp_path / "dataset").mkdir()
    frame.iloc[:2].to_parquet(tmp_path / "dataset" / "part-0.parquet")
    frame.iloc[2:].to_parquet(tmp_path / "dataset" / "part-1.parquet")
    expected = _config().read_log(events_csv)
    assert _config().read_log(tmp_path / "dataset") == expected
    assert _config().read_log(str(tmp_path / "dataset" / "*.parquet")) == expected


INPUT_TOML = """
[input]
columns = { actor = "src", time = "ts", action = { constant = "direct_message" } }
time_format = "%d/%m/%Y %H:%M"
delimiter = "whitespace"
names = ["src", "ts_day", "ts_time"]
encoding = "cp1252"
engine = "python"
"""


def test_input_reading_settings_round_trip() -> None:
    config = Config.from_toml(INPUT_TOML)
    assert config.columns["action"] == {"constant": "direct_message"}
    assert (config.time_format, config.delimiter) == ("%d/%m/%Y %H:%M", "whitespace")
    assert config.names == ("src", "ts_day", "ts_time")
    assert (config.encoding, config.engine) == ("cp1252", "python")
    assert Config.from_toml(config.to_toml()) == config
    assert Config.from_dict(config.to_dict()) == config
    assert "encoding" not in Config().to_dict()["input"]  # defaults are left out


@pytest.mark.parametrize("engine", ["python", "pyarrow", "polars", "pandas"])
@needs("pandas", "polars", "pyarrow")
def test_read_log_a_headerless_cp1252_message_log(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "messages.txt"
    path.write_bytes("Zoë;2024-05-01T10:00:00\nJosé;2024-05-02T11:00:00\n".encode("cp1252"))
    config = Config(
        columns={"actor": "src", "time": "ts", "action": {"constant": "direct_message"}},
        names=["src", "ts"], encoding="cp1252", engine=engine,  # type: ignore[arg-type]
    )  # fmt: skip
    log = config.read_log(path)
    assert log.actors.tolist() == ["José", "Zoë"]
    assert set(log.to_arrays()["action"].tolist()) == {"direct_message"}


def test_read_log_passes_time_format_on(tmp_path: Path) -> None:
    path = tmp_path / "events.csv.gz"
    import gzip

    path.write_bytes(gzip.compress(b"actor,action,time\nana,like,01/05/2024 10:00\n"))
    log = Config(time_format="%d/%m/%Y %H:%M").read_log(path)
    assert str(log.to_arrays()["time"][0]) == "2024-05-01T10:00:00.000000000"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"encoding": "klingon"}, r"'input\.encoding' setting must be a text encoding"),
        ({"encoding": "rot13"}, r"'input\.encoding' setting must be a text encoding"),
        ({"engine": "dask"}, r"'input\.engine' setting must be one of 'auto', 'pyarrow'"),
        ({"names": ["a", "a"]}, r"'input\.names' setting must be a list of distinct"),
        ({"names": []}, r"'input\.names' setting must be a list of distinct"),
        ({"time_format": "dd/mm/yyyy"}, r"'input\.time_format' setting must be strptime"),
        ({"columns": {"action": {"value": "x"}}}, r"'input\.columns\.action' setting must be"),
        ({"columns": {"action": {"constant": 3}}}, r"'input\.columns\.action\.constant'"),
        ({"columns": {"actor": {"constant": "x"}}}, r"'input\.columns\.actor' setting must be"),
        ({"shape": "posts", "names": ["a"]}, r"'input\.names' setting applies to event files"),
    ],
)
def test_reading_settings_errors_name_their_key(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config(**settings)


def test_reading_settings_errors_in_toml_name_their_line() -> None:
    with pytest.raises(ConfigError, match=r"line 3: The 'input\.encoding' setting"):
        Config.from_toml('[input]\ntz = "UTC"\nencoding = "klingon"\n')
    with pytest.raises(ConfigError, match=r"'input\.names' setting must be a list"):
        Config.from_toml('[input]\nnames = "actor"\n')
