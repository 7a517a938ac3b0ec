"""The shared toolkit every layer uses: validation, durations, time, periods, frames,
encoding, arrays, optional imports and TOML. Private: its names are public to the
package, not to users.
"""

from __future__ import annotations
