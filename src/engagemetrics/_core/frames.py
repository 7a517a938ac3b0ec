"""Adapters between EventLog and pandas, polars and pyarrow tables.

Each library is imported only when a frame of its kind is passed or asked for. String
columns are dictionary encoded by the frame library itself (pandas ``factorize`` or
Categorical codes, polars Categorical, Arrow ``dictionary_encode``), so no Python loop
runs over rows.

No column passes through float64 on its way in, because float64 merges integers above
2**53 (tweet and snowflake ids, epoch nanoseconds): integer id columns with missing
values are dictionary encoded with the missing rows as code -1, and other integer
columns with missing values become float64 only when every value is exact there
(otherwise Python ints with ``None``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from ..exceptions import ColumnNotFoundError, InvalidParameterError, SchemaError
from . import encoding as _encode
from .encoding import Encoded, from_categorical
from .optional import import_optional

if TYPE_CHECKING:
    from ..events.log import EventLog

FrameKind = Literal["pandas", "polars", "arrow"]
REQUIRED = ("actor", "action", "time")
OPTIONAL = ("content", "channel", "thread", "value", "direction", "session", "recipient")
_ENCODED = (
    "actor", "action", "content", "channel", "thread", "direction", "session", "recipient"
)  # fmt: skip
_IDS = ("actor", "content", "channel", "thread", "session", "recipient")
_EXACT_FLOAT = 2**53


CONSTANT_COLUMNS = ("action", "channel")
"""The columns that may be given as ``{"constant": value}``: one value on every row."""


def constant_value(spec: Mapping[Any, Any], name: str) -> str | int:
    """The value of ``{"constant": value}`` given for column ``name``, checked."""
    if name not in CONSTANT_COLUMNS:
        raise InvalidParameterError(
            f"Column {name!r} cannot be a constant; only {', '.join(CONSTANT_COLUMNS)} can "
            f"(got {dict(spec)!r})."
        )
    value = spec.get("constant") if set(spec) == {"constant"} else None
    valid = isinstance(value, str) and value != "" and "\x00" not in value
    if name != "action":
        valid |= isinstance(value, int) and not isinstance(value, bool)
    if not valid:
        kind = "a non-empty string" if name == "action" else "a non-empty string or an integer"
        raise InvalidParameterError(
            f"A constant {name!r} is written {{'constant': value}} with {kind} as the value; "
            f"got {dict(spec)!r}."
        )
    assert isinstance(value, (str, int))
    return value


def constant_column(value: str | int, name: str, n: int) -> Encoded:
    """``value`` on each of ``n`` rows, dictionary encoded (one entry, every code 0)."""
    return from_categorical(
        np.zeros(n, dtype=np.int64), np.array([value]), column=name, ids=name in _IDS
    )


def frame_columns(
    frame: Any, mapping: Mapping[str, str | Mapping[str, Any]]
) -> dict[str, NDArray[Any] | Encoded]:
    """Our columns from a frame, as numpy arrays or dictionary encodings.

    A column mapped to ``{"constant": value}`` is that value on every row (see
    :data:`CONSTANT_COLUMNS`), not looked for in the frame.
    """
    unknown = set(mapping) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise InvalidParameterError(
            f"Unknown target column(s) {sorted(unknown)} in 'columns'; targets are "
            f"{', '.join(REQUIRED + OPTIONAL)}."
        )
    library = type(frame).__module__.split(".")[0]
    get: Callable[[Any, str, str], NDArray[Any] | Encoded]
    if library == "pandas":
        get = _pandas_column
    elif library == "polars":
        get = _polars_column
    elif library == "pyarrow":
        get = _arrow_column
    else:
        raise SchemaError(
            f"from_frame takes a pandas or polars DataFrame or a pyarrow Table; got "
            f"{type(frame).__module__}.{type(frame).__name__}."
        )
    available = list(frame.column_names) if library == "pyarrow" else list(frame.columns)
    out: dict[str, NDArray[Any] | Encoded] = {}
    for ours in REQUIRED + OPTIONAL:
        theirs = mapping.get(ours, ours)
        if isinstance(theirs, Mapping):
            out[ours] = constant_column(constant_value(theirs, ours), ours, len(frame))
            continue
        if theirs not in available:
            if ours in REQUIRED or ours in mapping:
                raise ColumnNotFoundError(
                    f"Column {theirs!r} (for {ours!r}) is not in the frame; its columns are "
                    f"{available}. Map yours with columns={{'{ours}': 'your_column'}}."
                )
            continue
        out[ours] = get(frame, theirs, ours)
    return out


def _pandas_column(frame: Any, name: str, ours: str) -> NDArray[Any] | Encoded:
    pd = import_optional("pandas", purpose="Reading a pandas DataFrame")
    series = frame[name]
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return from_categorical(
            series.cat.codes.to_numpy(),
            series.cat.categories.to_numpy(),
            column=ours,
            ids=ours in _IDS,
        )
    if ours == "time" and isinstance(dtype, pd.DatetimeTZDtype):
        utc = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return np.asarray(utc.to_numpy())  # its own unit: the time parser checks the range
    if ours in _ENCODED and (
        pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
    ):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return from_categorical(
            np.asarray(codes), np.asarray(uniques, dtype=object), column=ours, ids=ours in _IDS
        )
    if pd.api.types.is_extension_array_dtype(dtype) and pd.api.types.is_integer_dtype(dtype):
        numpy_dtype = dtype.numpy_dtype
        if not series.isna().any():
            return np.asarray(series.to_numpy(dtype=numpy_dtype))
        if ours in _ENCODED:
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            return from_categorical(
                np.asarray(codes), uniques.to_numpy(dtype=numpy_dtype), column=ours, ids=True
            )
        missing = np.asarray(series.isna().to_numpy(), dtype=bool)
        return _masked_integers(series.to_numpy(dtype=numpy_dtype, na_value=0), missing)
    if ours == "time" and pd.api.types.is_string_dtype(series):
        text = series.fillna("")
        if not text.str.contains("\x00", regex=False).any():
            return _fixed_width(text.to_numpy(dtype=object))
    if pd.api.types.is_extension_array_dtype(dtype):
        if pd.api.types.is_numeric_dtype(dtype):
            return np.asarray(series.to_numpy(dtype=np.float64, na_value=np.nan))
        return np.asarray(series.to_numpy(dtype=object, na_value=None))
    return np.asarray(series.to_numpy())


def _polars_column(frame: Any, name: str, ours: str) -> NDArray[Any] | Encoded:
    pl = import_optional("polars", purpose="Reading a polars DataFrame")
    series = frame.get_column(name)
    dtype = series.dtype
    if dtype == pl.Null:  # no value at all: as a list of None reads
        return np.full(len(series), None, dtype=object)
    if ours in _ENCODED and (
        dtype == pl.String or dtype == pl.Categorical or isinstance(dtype, pl.Enum)
    ):
        return _polars_encoded(pl, series, ours)
    if ours == "time" and isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            series = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return np.asarray(series.to_numpy())  # its own unit: the time parser checks the range
    if (
        ours == "time"
        and dtype == pl.String
        and not series.str.contains("\x00", literal=True).any()
    ):
        return _fixed_width(series.fill_null("").to_numpy())
    if dtype.is_integer() and dtype == getattr(pl, "Int128", None):
        series = _polars_int64(pl, series, ours)  # what polars reads huge JSON integers as
        if series.dtype == pl.Object:
            return np.asarray([*series.to_list(), None], dtype=object)[:-1]
    if dtype.is_integer() and series.null_count():
        missing = series.is_null().to_numpy()
        values = series.fill_null(0).to_numpy()
        if ours in _ENCODED:
            return _encode.from_categorical(*_masked_codes(values, missing), column=ours, ids=True)
        return _masked_integers(values, missing)
    return np.asarray(series.to_numpy())


def _polars_int64(pl: Any, series: Any, ours: str) -> Any:
    """An integer series wider than 64 bits as Int64, refusing values beyond its range."""
    info = np.iinfo(np.int64)
    outside = (series < info.min) | (series > info.max)
    if outside.any():
        row = int(outside.fill_null(False).arg_max() or 0)
        if ours in _ENCODED:
            raise _encode._range_error(ours, int(series[row]), row)
        return pl.Series(series.name, series.to_list(), dtype=pl.Object)  # exact ints
    return series.cast(pl.Int64)


def _polars_encoded(pl: Any, series: Any, ours: str) -> Encoded:
    """Codes through polars' own Categorical, whose physical ids are process-global."""
    if isinstance(series.dtype, pl.Enum):
        physical = series.to_physical().fill_null(-1).to_numpy()
        return from_categorical(
            physical, series.dtype.categories.to_numpy(), column=ours, ids=ours in _IDS
        )
    if series.dtype != pl.Categorical:
        series = series.cast(pl.Categorical)
    physical = series.to_physical()
    pairs = (
        pl.DataFrame({"code": physical, "name": series.cast(pl.String)})
        .drop_nulls()
        .unique("code")
    )
    global_codes = pairs.get_column("code").to_numpy().astype(np.int64)
    local = np.full(int(global_codes.max()) + 2 if len(global_codes) else 1, -1, dtype=np.int64)
    local[global_codes] = np.arange(len(global_codes))
    codes = local[physical.fill_null(-1).to_numpy().astype(np.int64)]  # null reads local[-1] = -1
    return from_categorical(
        codes, pairs.get_column("name").to_numpy(), column=ours, ids=ours in _IDS
    )


def _arrow_column(table: Any, name: str, ours: str) -> NDArray[Any] | Encoded:
    pa = import_optional("pyarrow", purpose="Reading a pyarrow Table")
    pc = import_optional("pyarrow.compute", purpose="Reading a pyarrow Table")
    column = table.column(name)
    dtype = column.type
    if ours in _ENCODED and (pa.types.is_string(dtype) or pa.types.is_large_string(dtype)):
        # encoded chunk by chunk, the chunks share one dictionary: combining them then
        # joins small indices, not the strings
        column = pc.dictionary_encode(column)
        dtype = column.type
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_null(dtype):  # no value at all: as a list of None reads
        return np.full(len(column), None, dtype=object)
    if ours in _ENCODED and pa.types.is_integer(dtype) and column.null_count:
        column = pc.dictionary_encode(column)  # nulls become null indices: no float64
        dtype = column.type
    if pa.types.is_dictionary(dtype):
        indices = column.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        return from_categorical(
            indices,
            column.dictionary.to_numpy(zero_copy_only=False),
            column=ours,
            ids=ours in _IDS,
        )
    if ours == "time" and pa.types.is_timestamp(dtype):
        # in its own unit (a cast to ns can overflow): the time parser checks the range
        ticks = column.cast(pa.int64()).fill_null(np.iinfo(np.int64).min).to_numpy()
        return np.asarray(ticks).view(f"datetime64[{dtype.unit}]")
    if (
        ours == "time"
        and (pa.types.is_string(dtype) or pa.types.is_large_string(dtype))
        and not pc.any(pc.match_substring(column, "\x00")).as_py()
    ):
        return _fixed_width(column.fill_null("").to_numpy(zero_copy_only=False))
    if pa.types.is_integer(dtype) and column.null_count:
        missing = np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        values = column.fill_null(0).to_numpy(zero_copy_only=False)
        return _masked_integers(np.asarray(values), missing)
    return np.asarray(column.to_numpy(zero_copy_only=False))


def _fixed_width(text: NDArray[Any]) -> NDArray[np.str_]:
    """Text times (missing as ``""``) as one numpy string array: the time parser reads
    those vectorised, where Python strings would cost a Python step per row. Callers
    keep text with NUL as objects (a fixed-width array would strip trailing NULs)."""
    return np.asarray(text.astype(str))


def _masked_codes(
    values: NDArray[Any], missing: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[Any]]:
    """Integer ids with missing rows as (codes, distinct values); no float on the way."""
    uniques, inverse = np.unique(values, return_inverse=True)
    codes = np.where(missing, -1, inverse.reshape(-1)).astype(np.int64)
    return codes, uniques


def _masked_integers(values: NDArray[Any], missing: NDArray[np.bool_]) -> NDArray[Any]:
    """Integers with missing rows: float64 (NaN) when exact there, else Python ints/None."""
    present = values[~missing]
    if not present.size or int(np.abs(present.astype(np.float64)).max()) < _EXACT_FLOAT:
        out = values.astype(np.float64)
        out[missing] = np.nan
        return out
    objects = values.astype(object)
    objects[missing] = None
    return objects


# ---------------------------------------------------------------------- export --
def log_to_frame(log: EventLog, kind: FrameKind) -> Any:
    if kind == "pandas":
        return _to_pandas(log)
    if kind == "polars":
        return _to_polars(log)
    if kind == "arrow":
        return _to_arrow(log)
    raise InvalidParameterError(
        f"The 'kind' parameter must be 'pandas', 'polars' or 'arrow'; got {kind!r}."
    )


def _id_columns(log: EventLog) -> list[tuple[str, NDArray[Any], NDArray[Any]]]:
    columns = [("actor", np.asarray(log.actor), log.actors)]
    for name in ("content", "channel", "thread", "session", "recipient"):
        if name in log.columns_present:
            columns.append((name, np.asarray(log.codes(name)), log.dictionary(name)))
    return columns


def _to_pandas(log: EventLog) -> Any:
    pd = import_optional("pandas", purpose="EventLog.to_frame('pandas')")
    data: dict[str, Any] = {}
    for name, codes, dictionary in _id_columns(log):
        data[name] = _pandas_ids(pd, codes, dictionary)
    data["action"] = pd.Categorical.from_codes(log.action, categories=list(log.taxonomy.names))
    data["time"] = pd.Series(log.time.view("datetime64[ns]")).dt.tz_localize("UTC")
    if "value" in log.columns_present:
        data["value"] = np.asarray(log.value)
    data["direction"] = pd.Categorical.from_codes(
        log.direction, categories=["inbound", "outbound"]
    )
    return pd.DataFrame(data)


def _pandas_ids(pd: Any, codes: NDArray[Any], dictionary: NDArray[Any]) -> Any:
    if dictionary.dtype.kind in "iu":
        values = pd.array(dictionary[np.maximum(codes, 0)], dtype="Int64")
        values[codes < 0] = pd.NA
        return values
    return pd.Categorical.from_codes(codes, categories=pd.Index(dictionary, dtype=object))


def _to_polars(log: EventLog) -> Any:
    pl = import_optional("polars", purpose="EventLog.to_frame('polars')")
    data: dict[str, Any] = {}
    for name, codes, dictionary in _id_columns(log):
        index = pl.Series(codes.astype(np.int64)).replace(-1, None)
        values = pl.Series(name, dictionary.tolist() if len(dictionary) else [], strict=False)
        column = values.gather(index) if len(values) else pl.Series(name, [None] * len(codes))
        if dictionary.dtype.kind in "US" or dictionary.dtype.kind == "O":
            column = column.cast(pl.Categorical)
        data[name] = column.alias(name)
    names = pl.Series(list(log.taxonomy.names))
    data["action"] = names.gather(pl.Series(log.action.astype(np.int64))).cast(pl.Categorical)
    data["time"] = pl.Series(log.time.view("datetime64[ns]")).dt.replace_time_zone("UTC")
    if "value" in log.columns_present:
        data["value"] = pl.Series(np.asarray(log.value))
    directions = pl.Series(["inbound", "outbound"])
    data["direction"] = directions.gather(pl.Series(log.direction.astype(np.int64))).cast(
        pl.Categorical
    )
    return pl.DataFrame(data)


def _to_arrow(log: EventLog) -> Any:
    pa = import_optional("pyarrow", purpose="EventLog.to_frame('arrow')")
    arrays: dict[str, Any] = {}
    for name, codes, dictionary in _id_columns(log):
        missing = codes < 0
        if dictionary.dtype.kind in "iu":
            arrays[name] = pa.array(dictionary[np.maximum(codes, 0)], mask=missing)
        else:
            arrays[name] = pa.DictionaryArray.from_arrays(
                pa.array(codes.astype(np.int32), mask=missing),
                pa.array(dictionary.tolist(), pa.string()),
            )
    arrays["action"] = pa.DictionaryArray.from_arrays(
        pa.array(log.action.astype(np.int32)), pa.array(list(log.taxonomy.names), pa.string())
    )
    arrays["time"] = pa.array(np.asarray(log.time), type=pa.int64()).cast(
        pa.timestamp("ns", tz="UTC")
    )
    if "value" in log.columns_present:
        arrays["value"] = pa.array(np.asarray(log.value))
    arrays["direction"] = pa.DictionaryArray.from_arrays(
        pa.array(log.direction.astype(np.int32)), pa.array(["inbound", "outbound"], pa.string())
    )
    return pa.table(arrays)
