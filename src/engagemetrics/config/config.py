"""The project configuration: ``engagemetrics.toml``, and the same as a :class:`Config` value.

A configuration says what the input looks like (column names, shape, time zone, epoch
unit, what to do with invalid rows), which vocabulary its actions use (a platform, bundled
vocabularies such as ``ecommerce`` and ``email``, actions of its own and extra aliases),
which actors are the brand's own accounts, what engaged
means, which goals and funnel to measure, the windows of conversion, response and
return, and how reports group time. It is a frozen value that round-trips through dicts
and TOML, like every other definition in the library::

    Config.from_toml(c.to_toml()) == c
    Config.from_dict(c.to_dict()) == c

It is composed from the definitions it holds: the criterion, goals, funnel and a
taxonomy of one's own are read by their own ``from_dict`` and written by their own
``to_dict``, so a definition's ``to_toml`` is a piece of the file; durations are read
and written by the one codec (``"7d"``).

Every problem raises :class:`~engagemetrics.exceptions.ConfigError`, whose message names
the key in dotted form (``funnel.window``, ``goals[0].actions``) and, when the
configuration was read from TOML, the line of that key (``engagemetrics.toml, line 12:
...``). :func:`~engagemetrics.config.starter_toml` is the commented file ``engagemetrics
init`` writes. The reference page is ``docs/configuration.md``.

Examples
--------
>>> config = Config.from_toml('''
... [input]
... columns = { actor = "user_id", action = "event", time = "ts" }
... tz = "Europe/Berlin"
... [windows]
... conversion = "7d"
... ''')
>>> config.columns["actor"], config.conversion_window
('user_id', datetime.timedelta(days=7))
>>> Config.from_toml(config.to_toml()) == config
True
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, final

import attrs

from .._core import toml as _toml
from .._core.durations import format_duration
from .._core.instants import TimeUnit
from ..events.log import EventLog
from ..events.readers import ColumnSpec, Engine
from ..exceptions import ConfigError, InvalidParameterError
from ..metrics.conversion import Funnel
from ..metrics.engagement import PRESETS, Criterion
from ..metrics.posts import PostMetrics
from ..vocabulary.actions import Action, Taxonomy
from ..vocabulary.goals import GoalMap
from ._definitions import read_funnel, read_goals, to_criterion, to_goals
from ._files import EVENT_READERS, dataset_or_reader, read_frame, reader_for
from ._keys import (
    DEFAULT_CONVERSION_WINDOW,
    DEFAULT_GOALS,
    LAYOUT,
    SECTIONS,
    InputShape,
    Key,
    ReportPeriod,
    as_table,
    check_keys,
)
from ._lines import key_line, load_document
from ._sections import (
    action_to_dict,
    build_taxonomy,
    check_actions,
    check_settings,
    fold_aliases,
    mapping_repr,
    read_actions,
    read_field,
    to_accounts,
    to_actions,
    to_aliases,
    to_column_names,
    to_columns,
    to_conversion_window,
    to_names,
    to_response_window,
    to_return_window,
)

__all__ = ["DEFAULT_GOALS", "Config", "ConfigError", "InputShape", "ReportPeriod"]


# -------------------------------------------------------------------------- Config --
@final
@attrs.frozen
class Config:
    """What the input looks like and what to measure: ``engagemetrics.toml`` as a value.

    Parameters
    ----------
    columns
        ``{our column: the file's column}`` for the columns whose names differ. For
        ``shape="events"`` ours are ``actor``, ``action``, ``time``, ``content``,
        ``channel``, ``thread``, ``value``, ``direction`` and ``session`` (the
        export's own session id, such as GA4's ``ga_session_id``: sessions, funnels by
        session and the report then follow it) and ``recipient`` (the member a
        message was sent to: dialogue between members); for ``shape="posts"``
        they are ``key``, ``posted_at``, ``channel`` and the measures of
        :data:`engagemetrics.metrics.posts.MEASURES`. Held as a read-only mapping.
    shape
        ``"events"``: an event log, one row per interaction; ``"posts"``: a per-post
        table such as a Facebook Insights export (read with :meth:`read_posts`).
    platform
        A bundled platform vocabulary (:meth:`Taxonomy.platforms`); ``None`` for
        :meth:`Taxonomy.default`.
    aliases
        Extra vocabulary, ``{the platform's word: canonical action}``; the action may be
        one of :attr:`actions`.
    brand_accounts
        Actor ids of the brand's own accounts: their events are outbound (see
        ``brand_accounts`` of :meth:`EventLog.from_arrays`).
    tz
        IANA time zone in which naive times, days and weeks are read.
    time_unit
        What epoch-number times count: ``"s"``, ``"ms"``, ``"us"`` or ``"ns"``.
    on_invalid
        ``"raise"`` on the first invalid row, or ``"drop"`` invalid rows and count them.
    delimiter
        The field separator of CSV and text files (see ``delimiter`` of
        :func:`~engagemetrics.read_csv`: one character, a longer string,
        ``"whitespace"`` or ``"auto"``); ``None``: a tab for ``.tsv``, ``"auto"`` for
        ``.txt``, else a comma.
    criterion
        What engaged means: a :class:`Criterion` or the name of one of
        :data:`~engagemetrics.PRESETS` (default ``second_date``); ``[engagement]
        criterion`` in the file.
    goals
        The outcomes to measure; by default :data:`DEFAULT_GOALS`. Validated against
        :meth:`taxonomy`. A list of :class:`Goal` is accepted.
    funnel
        An optional :class:`Funnel`; its step actions are validated against
        :meth:`taxonomy`.
    conversion_window, response_window, return_window
        How long after an interaction a conversion counts (default 30 days), a brand
        reply counts as a response, and a return counts (``None``: no limit). Any
        duration: a :class:`datetime.timedelta`, a :class:`numpy.timedelta64` with a
        unit, or text such as ``"7d"`` or ``"30min"``; held as a ``timedelta``.
    period
        ``"day"``, ``"week"`` or ``"month"``: retention cohorts and trend grouping.
    top
        Rows in the reports' "top content" tables (a whole number >= 1).
    paths_start
        The audience action the report's top paths start from (``[report]
        paths_start``; an alias is read as its action); ``None``: each person's first
        event (see :func:`~engagemetrics.top_paths`).
    vocabularies
        More bundled vocabularies (:meth:`Taxonomy.vocabularies`), such as
        ``("ecommerce", "email")``, combined after :attr:`platform` by
        :meth:`Taxonomy.for_vocabularies`.
    actions
        Canonical actions of your own (:class:`Action`), added after the vocabularies.
        A name the vocabulary already has is an error unless the category, direction
        and weight are the same (then it changes nothing).
    time_format
        ``strptime`` codes of the time column (such as ``"%d/%m/%Y %H:%M"``) for times
        in no ISO form; ``None``: ISO 8601 text, or epoch numbers with :attr:`time_unit`.
        A column may be a constant instead of a file's column: ``columns = { action =
        { constant = "direct_message" } }`` gives every event that action.
    names
        The column names of a CSV or text file without a header row (its first line
        is data); ``None``: the first line names the columns.
    encoding
        The text encoding of CSV and JSON Lines files (``"utf-8"``, ``"utf-16"``,
        ``"latin-1"``, ``"cp1252"``...).
    engine
        The reader engine: ``"auto"`` (the fastest installed), ``"pyarrow"``,
        ``"polars"``, ``"pandas"`` or ``"python"``; the log is the same whatever it is.
    taxonomy_name
        The name of a complete taxonomy of your own: :attr:`actions` are then its whole
        vocabulary (no platform, vocabularies or default actions), :attr:`aliases` its
        aliases. ``[taxonomy] name`` in the file, so that a :meth:`Taxonomy.to_toml`
        written under ``[taxonomy]`` is read as that taxonomy; from Python,
        ``Config(taxonomy_name=t.name, actions=t.actions, aliases=t.aliases)``.

    Raises
    ------
    ConfigError
        Naming the TOML key of the offending setting (e.g. ``windows.conversion``) for
        any value outside its rule, a goal or funnel step naming an action the taxonomy
        does not know, an unknown platform, vocabulary or time zone, an alias to an
        unknown action, or a declared action whose name the vocabulary already uses.

    Examples
    --------
    >>> config = Config(platform="instagram", aliases={"reaction:love": "like"},
    ...                 brand_accounts=["acme"], period="month")
    >>> config.taxonomy().action("reaction:love").name
    'like'
    >>> Config.from_dict(config.to_dict()) == config
    True
    >>> Config(top=0)
    Traceback (most recent call last):
    ...
    engagemetrics.exceptions.ConfigError: The 'report.top' setting must be a whole number \
>= 1; got 0.
    """

    columns: Mapping[str, ColumnSpec] = attrs.field(
        factory=dict, converter=to_columns, repr=mapping_repr
    )
    shape: InputShape = "events"
    platform: str | None = None
    aliases: Mapping[str, str] = attrs.field(factory=dict, converter=to_aliases, repr=mapping_repr)
    brand_accounts: tuple[str, ...] = attrs.field(default=(), converter=to_accounts)
    tz: str = "UTC"
    time_unit: TimeUnit | None = None
    on_invalid: Literal["raise", "drop"] = "raise"
    delimiter: str | None = None
    criterion: Criterion = attrs.field(default=PRESETS["second_date"], converter=to_criterion)
    goals: GoalMap = attrs.field(default=DEFAULT_GOALS, converter=to_goals)
    funnel: Funnel | None = None
    conversion_window: dt.timedelta | None = attrs.field(
        default=DEFAULT_CONVERSION_WINDOW, converter=to_conversion_window
    )
    response_window: dt.timedelta | None = attrs.field(default=None, converter=to_response_window)
    return_window: dt.timedelta | None = attrs.field(default=None, converter=to_return_window)
    period: ReportPeriod = "week"
    top: int = 10
    paths_start: str | None = None
    vocabularies: tuple[str, ...] = attrs.field(default=(), converter=to_names)
    actions: tuple[Action, ...] = attrs.field(default=(), converter=to_actions)
    time_format: str | None = None
    names: tuple[str, ...] | None = attrs.field(default=None, converter=to_column_names)
    encoding: str = "utf-8"
    engine: Engine = "auto"
    taxonomy_name: str | None = None
    _taxonomy: Taxonomy = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        check_settings(self)
        object.__setattr__(self, "_taxonomy", build_taxonomy(self))
        check_actions(self)

    def __hash__(self) -> int:
        return hash(
            tuple(
                tuple(sorted(v.items())) if isinstance(v, Mapping) else v
                for v in attrs.astuple(self, recurse=False)[:-1]
            )
        )

    # -- what it gives -------------------------------------------------------------------
    def taxonomy(self) -> Taxonomy:
        """The platform's taxonomy (or the default one) extended with :attr:`aliases`.

        Examples
        --------
        >>> Config(platform="x").taxonomy().action("retweet").name
        'share'
        """
        return self._taxonomy

    def read_log(self, path: str | os.PathLike[str], /) -> EventLog:
        """Read an event file, choosing the reader by its suffix.

        ``.csv``, ``.tsv``, ``.tab`` and ``.txt`` are read by
        :func:`~engagemetrics.read_csv` (with :attr:`delimiter`; unset, a tab for
        ``.tsv`` and ``.tab``, the header line's separator for ``.txt``, else a comma),
        ``.jsonl`` and ``.ndjson`` by :func:`~engagemetrics.read_jsonl`, ``.parquet``
        and ``.pq`` (or a folder or glob pattern of them) by
        :func:`~engagemetrics.read_parquet`; suffixes in any case, and CSV and JSON
        Lines files may end in a compression suffix (``events.csv.gz``; see
        :data:`~engagemetrics.events.readers.COMPRESSIONS`). Each applies :attr:`columns`,
        :meth:`taxonomy`, :attr:`tz`, :attr:`time_unit`, :attr:`time_format`,
        :attr:`on_invalid`, :attr:`brand_accounts` and :attr:`engine`; the text readers
        also :attr:`encoding`, and CSV :attr:`names`.

        Raises
        ------
        InvalidParameterError
            If the suffix is none of the above, or the configuration's shape is
            ``"posts"`` (use :meth:`read_posts`).
        FileNotFoundError
            If ``path`` does not exist.

        Other errors are those of the readers (:class:`DataError`,
        :class:`ColumnNotFoundError`, ...).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
        >>> _ = path.write_text("user,event,at\\nana,like,2024-05-01T10:00:00\\n"
        ...                     "acme,reply,2024-05-01T11:00:00\\n")
        >>> config = Config(columns={"actor": "user", "action": "event", "time": "at"},
        ...                 brand_accounts=["acme"], tz="Europe/Berlin")
        >>> log = config.read_log(path)
        >>> log.summary().events_by_direction
        {'inbound': 1, 'outbound': 1}
        """
        from ..events import readers as io

        self._need_shape("events", "read_log", "read_posts")
        resolved = Path(path)
        reader = dataset_or_reader(path, EVENT_READERS)
        options: dict[str, Any] = {
            "columns": self._columns(),
            "taxonomy": self._taxonomy,
            "tz": self.tz,
            "time_unit": self.time_unit,
            "on_invalid": self.on_invalid,
            "brand_accounts": self.brand_accounts,
            "engine": self.engine,
        }
        if self.time_format is not None:
            options["time_format"] = self.time_format
        if reader == "parquet":
            return io.read_parquet(path, **options)
        if reader in ("csv", "tsv", "txt"):
            return io.read_csv(
                resolved, delimiter=self.delimiter, names=self.names, encoding=self.encoding,
                **options,
            )  # fmt: skip
        return io.read_jsonl(resolved, encoding=self.encoding, **options)

    def _columns(self) -> dict[str, Any]:
        """:attr:`columns` as plain dicts, as the readers and ``from_frame`` take them."""
        return {k: dict(v) if isinstance(v, Mapping) else v for k, v in self.columns.items()}

    def log_from_frame(self, frame: Any, /) -> EventLog:
        """An event log from a pandas or polars DataFrame or a pyarrow Table.

        The same options as :meth:`read_log` apply; this is the path for the partitions
        of a Dask frame.

        Examples
        --------
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"who": ["ana", "acme"], "action": ["comment", "reply"],
        ...                       "time": ["2024-05-01", "2024-05-02"]})
        >>> log = Config(columns={"actor": "who"}, brand_accounts=["acme"]).log_from_frame(frame)
        >>> log.to_arrays()["direction"].tolist()
        ['outbound', 'inbound']
        """
        self._need_shape("events", "log_from_frame", "posts_from_frame")
        options: dict[str, Any] = {}
        if self.time_format is not None:
            options["time_format"] = self.time_format
        return EventLog.from_frame(
            frame,
            columns=self._columns(),
            taxonomy=self._taxonomy,
            tz=self.tz,
            time_unit=self.time_unit,
            on_invalid=self.on_invalid,
            brand_accounts=self.brand_accounts,
            **options,
        )

    def read_posts(self, path: str | os.PathLike[str], /) -> PostMetrics:
        """Read a per-post table (``shape = "posts"``), choosing the reader by suffix.

        Suffixes are those of :meth:`read_log`; the file is read with pyarrow, polars or
        pandas (whichever is installed first) and handed to :meth:`posts_from_frame`.

        Raises
        ------
        InvalidParameterError
            If the suffix is unknown or the configuration's shape is ``"events"``.
        MissingDependencyError
            If none of pyarrow, polars and pandas is installed.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "posts.csv"
        >>> _ = path.write_text("id,reach,likes\\np1,40,4\\np2,400,8\\n")
        >>> config = Config(shape="posts", columns={"key": "id", "applause": "likes"})
        >>> config.read_posts(path).measure("applause").tolist()
        [4.0, 8.0]
        """
        self._need_shape("posts", "read_posts", "read_log")
        resolved = Path(path)
        if not resolved.is_file():
            raise FileNotFoundError(f"No such file: {str(resolved)!r}.")
        reader = reader_for(resolved, EVENT_READERS)
        return self.posts_from_frame(read_frame(resolved, reader, self._delimiter(reader)))

    def _delimiter(self, reader: str) -> str:
        """The CSV separator: :attr:`delimiter`, else a tab for ``.tsv`` and a comma."""
        if self.delimiter is not None:
            return self.delimiter
        return "\t" if reader == "tsv" else ","

    def posts_from_frame(self, frame: Any, /) -> PostMetrics:
        """Per-post measures from a frame; :attr:`columns`, :attr:`tz`, :attr:`time_unit` apply."""
        self._need_shape("posts", "posts_from_frame", "log_from_frame")
        return PostMetrics.from_frame(
            frame, columns=self._columns(), tz=self.tz, time_unit=self.time_unit
        )

    def _need_shape(self, shape: str, method: str, other: str) -> None:
        if self.shape != shape:
            raise InvalidParameterError(
                f"Config.{method} reads shape {shape!r} but input.shape is {self.shape!r}; "
                f"use Config.{other}."
            )

    # -- dicts and TOML ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The configuration as a dict of builtins, laid out like ``engagemetrics.toml``.

        Each definition is written by its own ``to_dict``: the criterion as its preset
        name when it equals one, else :meth:`Criterion.to_dict`; the goals as
        :meth:`GoalMap.to_dict`'s list; the funnel as :meth:`Funnel.to_dict`; each declared
        action as :meth:`Action.to_dict`, a ``[[taxonomy.actions]]`` table with the
        aliases that point to it. Durations are written the one way
        (:func:`~engagemetrics._core.durations.format_duration`: ``"30d"``, ``"none"`` for
        no limit). Unset options (``platform``, ``vocabularies``,
        ``actions``, ``time_unit``, ``funnel``) are left out.
        """
        input_: dict[str, Any] = {"columns": self._columns(), "shape": self.shape,
                                  "tz": self.tz}  # fmt: skip
        if self.time_unit is not None:
            input_["time_unit"] = self.time_unit
        if self.time_format is not None:
            input_["time_format"] = self.time_format
        input_["on_invalid"] = self.on_invalid
        if self.delimiter is not None:
            input_["delimiter"] = self.delimiter
        if self.names is not None:
            input_["names"] = list(self.names)
        if self.encoding != "utf-8":
            input_["encoding"] = self.encoding
        if self.engine != "auto":
            input_["engine"] = self.engine
        taxonomy: dict[str, Any] = {}
        if self.taxonomy_name is not None:
            taxonomy["name"] = self.taxonomy_name
        if self.platform is not None:
            taxonomy["platform"] = self.platform
        if self.vocabularies:
            taxonomy["vocabularies"] = list(self.vocabularies)
        # an alias of a declared action is written with it, as [[taxonomy.actions]] aliases
        declared = {a.name for a in self.actions}
        taxonomy["aliases"] = {k: v for k, v in self.aliases.items() if v not in declared}
        if self.actions:
            taxonomy["actions"] = [action_to_dict(a, self.aliases) for a in self.actions]
        preset = next((n for n, c in PRESETS.items() if c == self.criterion), None)
        out: dict[str, Any] = {
            "input": input_,
            "taxonomy": taxonomy,
            "brand": {"accounts": list(self.brand_accounts)},
            "engagement": {"criterion": preset or self.criterion.to_dict()},
            "goals": self.goals.to_dict()["goals"],
        }
        if self.funnel is not None:
            out["funnel"] = self.funnel.to_dict()
        out["windows"] = {
            "conversion": format_duration(self.conversion_window),
            "response": format_duration(self.response_window),
            "return": format_duration(self.return_window),
        }
        out["report"] = {"period": self.period, "top": self.top}
        if self.paths_start is not None:
            out["report"]["paths_start"] = self.paths_start
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Config:
        """Build a configuration from a dict laid out like ``engagemetrics.toml``.

        Every section and key is optional; what is absent takes its default.

        Raises
        ------
        ConfigError
            An unknown section or key (with the closest valid ones), or a value outside
            its rule, naming its dotted key.

        Examples
        --------
        >>> Config.from_dict({"report": {"period": "month"}}).period
        'month'
        >>> Config.from_dict({"windows": {"conversoin": "7d"}})
        Traceback (most recent call last):
        ...
        engagemetrics.exceptions.ConfigError: Unknown key 'windows.conversoin'; valid: \
conversion, response, return. Did you mean 'conversion'?
        """
        data = as_table(data, ())
        check_keys(data, SECTIONS, (), "section")
        fields: dict[str, Any] = {}
        origins: dict[str, Key] = {}  # alias -> the [[taxonomy.actions]] entry that gave it
        for section, keys in LAYOUT.items():
            if section not in data:
                continue
            table = as_table(data[section], (section,))
            check_keys(table, keys, (section,), "key")
            for name, value in table.items():
                if keys[name] == "actions":
                    fields["actions"], origins = read_actions(value, (section, name))
                else:
                    fields[keys[name]] = read_field(keys[name], value, (section, name))
        if "goals" in data:
            fields["goals"] = read_goals(data["goals"])
        if "funnel" in data:
            fields["funnel"] = read_funnel(data["funnel"], fields.get("goals", DEFAULT_GOALS))
        try:
            if origins:
                # the configuration without the aliases listed with actions says which
                # words are canonical: an action's alias must be none of them
                # (goals and funnel may name those aliases: they are checked after)
                probe = {k: v for k, v in fields.items() if k not in ("goals", "funnel")}
                names = cls(**probe).taxonomy().names
                fields["aliases"] = fold_aliases(
                    fields.get("aliases", {}), origins, fields["actions"], names
                )
            return cls(**fields)
        except ConfigError:
            raise
        except (InvalidParameterError, TypeError) as exc:  # pragma: no cover - defensive
            raise ConfigError(str(exc)) from None

    def to_toml(self) -> str:
        """The configuration as ``engagemetrics.toml`` text (without comments).

        See :func:`starter_toml` for a commented file.
        """
        return _toml.dumps(self.to_dict())

    @classmethod
    def from_toml(cls, source: str | Path, /) -> Config:
        """Read a configuration from TOML text, or from a file given as a :class:`Path`.

        A ``str`` is TOML text (as for the other ``from_toml`` methods); use
        :meth:`read` for a file name given as a string.

        Raises
        ------
        ConfigError
            The TOML is invalid (the message keeps the parser's line and column), or
            :meth:`from_dict` rejects it; the message starts with the file (for a path)
            and the line of the offending key, when it can be found.

        Examples
        --------
        >>> Config.from_toml('[report]\\ntop = 5').top
        5
        >>> Config.from_toml('[input]\\nshape = "events"\\ntz = "Mars/Olympus"')
        Traceback (most recent call last):
        ...
        engagemetrics.exceptions.ConfigError: line 3: The 'input.tz' setting must be an IANA \
time zone name such as 'Europe/Paris'; got 'Mars/Olympus'.
        """
        if isinstance(source, Path):
            return cls.read(source)
        return cls._from_text(source, None)

    @classmethod
    def read(cls, path: str | os.PathLike[str], /) -> Config:
        """Read ``engagemetrics.toml`` (or any configuration file); errors name the file.

        Raises
        ------
        FileNotFoundError
            If ``path`` does not exist.
        ConfigError
            As for :meth:`from_toml`, prefixed with the file name; also if the file is
            not UTF-8 text (a byte order mark at the start is allowed).
        """
        resolved = Path(path)
        if not resolved.is_file():
            raise FileNotFoundError(f"No such configuration file: {str(resolved)!r}.")
        data = resolved.read_bytes()
        try:
            # "utf-8-sig": editors that save "UTF-8 with BOM" put one at the start
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"The file is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as "
                "UTF-8.",
                file=str(resolved),
                line=data.count(b"\n", 0, exc.start) + 1,
            ) from None
        # newlines as Path.read_text gives them (universal newlines)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return cls._from_text(text, str(resolved))

    @classmethod
    def _from_text(cls, text: str, file: str | None) -> Config:
        """The configuration of TOML ``text``; an error names ``file`` and its key's line."""
        document = load_document(text, file)
        try:
            return cls.from_dict(document)
        except ConfigError as exc:
            raise exc.located(file=file, line=key_line(text, exc.key)) from None
