"""The 64-bit hash of an id that is the same in every process and partition.

:func:`hash_ids` is what routing keys partitions by (:mod:`engagemetrics.scale.route`)
and what breaks a tie between two actors for a thread's first message (the thread's
owner, in routing and in :func:`engagemetrics.sequence_matches` alike), so both pick
the same owner. Text ids hash through pandas' SipHash when pandas is installed, and
through :func:`siphash`, the same function written out, when it is not (a few ids).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from ..exceptions import MissingDependencyError
from .optional import import_optional

__all__ = ["hash_ids", "mix", "siphash"]

_SEEDS: Final = ("0123456789123456", "engagemetrics-rt")  # 16-byte keys of pandas' siphash
# keys of the integer hash: two odd 64-bit constants (the golden ratio's and pi's bits)
_INT_KEYS: Final = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0x243F6A8885A308D3))
_M64: Final = (1 << 64) - 1


def hash_ids(values: NDArray[Any], /, *, seed: int = 0) -> NDArray[np.uint64]:
    """A 64-bit hash of each id that is the same in every process and partition.

    Integers hash as integers (``42`` and ``"42"`` differ), everything else as its text.
    ``seed`` 0 and 1 are two independent hashes: text through pandas' SipHash with two
    keys, integers through a 64-bit mixer (splitmix64's finaliser) of the integer plus a
    key of each seed. No id hashes to 0, the "no id" of routing: the one value that would
    is moved to 1 (a collision as likely as any other, 2**-64 per pair).

    Examples
    --------
    >>> h = hash_ids(np.array(["ana", "bo", "ana"], dtype=object))
    >>> bool(h[0] == h[2]), bool(h[0] == h[1])
    (True, False)
    >>> bool(hash_ids(np.array([0]))[0] != 0)
    True
    """
    if values.dtype.kind in "iub":
        out = mix(values.astype(np.int64).view(np.uint64), seed)
    else:
        text = np.asarray([str(v) for v in values.tolist()], dtype=object)
        try:
            pandas = import_optional("pandas", purpose="Hashing text ids")
        except MissingDependencyError:  # the same hash, one id at a time
            key = _SEEDS[seed].encode()
            sip = [siphash(key, v.encode("utf-8")) for v in text.tolist()]
            out = mix(np.array(sip, dtype=np.uint64), -1)
        else:
            out = np.asarray(
                pandas.util.hash_array(text, hash_key=_SEEDS[seed], categorize=True),
                dtype=np.uint64,
            )
    out[out == 0] = 1
    return out


def mix(x: NDArray[np.uint64], seed: int) -> NDArray[np.uint64]:
    """splitmix64's finaliser of ``x + key``: a bijection of uint64 that spreads each bit
    (pandas' integer hash has no key, so both seeds gave one hash, and 0 hashed to 0);
    ``seed`` -1: of ``x`` itself (the last step of pandas' hash of text)."""
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64 is the point
        z = x + _INT_KEYS[seed] if seed >= 0 else x.copy()
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return np.asarray(z ^ (z >> np.uint64(31)), dtype=np.uint64)


def _rotate(x: int, bits: int) -> int:
    return ((x << bits) | (x >> (64 - bits))) & _M64


def siphash(key: bytes, data: bytes) -> int:
    """SipHash-2-4 of ``data`` with a 16-byte ``key`` (Aumasson and Bernstein, 2012), the
    hash pandas gives text before its final mixing; in Python, for a few ids only.

    Examples
    --------
    >>> hex(siphash(bytes(range(16)), bytes(range(15))))  # the paper's test vector
    '0xa129ca6149be45e5'
    """
    k0, k1 = int.from_bytes(key[:8], "little"), int.from_bytes(key[8:16], "little")
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]  # fmt: skip

    def rounds(count: int) -> None:
        for _ in range(count):
            v[0] = (v[0] + v[1]) & _M64
            v[1] = _rotate(v[1], 13) ^ v[0]
            v[0] = _rotate(v[0], 32)
            v[2] = (v[2] + v[3]) & _M64
            v[3] = _rotate(v[3], 16) ^ v[2]
            v[0] = (v[0] + v[3]) & _M64
            v[3] = _rotate(v[3], 21) ^ v[0]
            v[2] = (v[2] + v[1]) & _M64
            v[1] = _rotate(v[1], 17) ^ v[2]
            v[2] = _rotate(v[2], 32)

    n = len(data)
    whole = n - n % 8
    words = [int.from_bytes(data[i : i + 8], "little") for i in range(0, whole, 8)]
    words.append(((n & 0xFF) << 56) | int.from_bytes(data[whole:], "little"))
    for word in words:
        v[3] ^= word
        rounds(2)
        v[0] ^= word
    v[2] ^= 0xFF
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]
