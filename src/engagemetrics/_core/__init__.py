"""The shared toolkit every layer uses: argument checks in one message shape (validation),
the one duration codec (durations), instants as int64 nanoseconds (instants), time zones
(zones), time parsing (time, time_text, time_format), calendar periods, frames, encoding,
arrays, optional imports, TOML and the result contract (results). Private: its names are
public to the package, not to users.
"""

from __future__ import annotations
