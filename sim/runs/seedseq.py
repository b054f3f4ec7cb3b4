"""NumPy's ``SeedSequence`` for many spawn keys at once, bit for bit (issue 25).

A world draws each sampled parameter from its own stream, ``SeedSequence(seed, spawn_key=
(WORLD_STREAM, crc32(key)))`` (:mod:`sim.runs.worlds`): some 240 sequences a world, each built,
hashed and asked for one 64-bit word in NumPy's Python-level class, about a tenth of a sampled
run's set-up. The sequences of one seed differ only in their last entropy word (the key's CRC),
so the pool hashed from everything before it is the same for all of them: it is computed once
here, in Python integers, and the last word is mixed in for every key at once in NumPy's
unsigned arithmetic.

The algorithm is NumPy's (``numpy/random/bit_generator.pyx``, after Melissa O'Neill's
``seed_seq`` proposal for C++, pcg-random.org): entropy words hashed into a pool of four 32-bit
words, then hashed out. ``tests/test_fast_paths.py`` compares it with ``np.random.SeedSequence``
over seeds of every size NumPy accepts and random keys.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

POOL_SIZE = 4
INIT_A = 0x43B0D7E5
MULT_A = 0x931E8875
INIT_B = 0x8B51F9DD
MULT_B = 0x58F38DED
MIX_MULT_L = 0xCA01F9DD
MIX_MULT_R = 0x4973F715
XSHIFT = 16
MASK32 = 0xFFFFFFFF


def uint32_words(n: int) -> list[int]:
    """A non-negative integer as NumPy splits it into entropy: 32-bit words, least significant
    first (``[0]`` for 0)."""
    if n < 0:
        raise ValueError("a seed is a non-negative integer")
    if n == 0:
        return [0]
    words = []
    while n > 0:
        words.append(n & MASK32)
        n >>= 32
    return words


class _Hash:
    """The running hash constant of the entropy's mixing (``hashmix``), advanced per call."""

    def __init__(self, init: int) -> None:
        self.const = init

    def next(self) -> int:
        """This call's multiplier (the constant, advanced first), after xor with the old one."""
        old = self.const
        self.const = (self.const * MULT_A) & MASK32
        return old

    def mix(self, value: int) -> int:
        value ^= self.next()
        value = (value * self.const) & MASK32
        return value ^ (value >> XSHIFT)


def _mix(x: int, y: int) -> int:
    result = (MIX_MULT_L * x - MIX_MULT_R * y) & MASK32
    return result ^ (result >> XSHIFT)


def _prefix_pool(words: Sequence[int]) -> tuple[list[int], _Hash]:
    """The pool after every entropy word in ``words`` (at least the pool's size), and the hash
    constant reached."""
    h = _Hash(INIT_A)
    pool = [h.mix(words[i]) for i in range(POOL_SIZE)]
    for src in range(POOL_SIZE):
        for dst in range(POOL_SIZE):
            if src != dst:
                pool[dst] = _mix(pool[dst], h.mix(pool[src]))
    for word in words[POOL_SIZE:]:
        for dst in range(POOL_SIZE):
            pool[dst] = _mix(pool[dst], h.mix(word))
    return pool, h


def first_uint64(entropy: int, spawn_prefix: Sequence[int], last: np.ndarray) -> np.ndarray:
    """``SeedSequence(entropy, spawn_key=(*spawn_prefix, last[i])).generate_state(1,
    np.uint64)[0]`` for every ``last[i]`` (each below 2**32), as a uint64 array."""
    run = uint32_words(int(entropy))
    run += [0] * (POOL_SIZE - len(run))  # NumPy pads the run's entropy when there is a spawn key
    spawn: list[int] = []
    for part in spawn_prefix:
        spawn += uint32_words(int(part))
    pool0, h = _prefix_pool([*run, *spawn])
    last = np.asarray(last, dtype=np.uint64)
    if np.any(last > MASK32):
        raise ValueError("each last spawn word must be below 2**32")
    mask = np.uint64(MASK32)
    pool = []
    for dst in range(POOL_SIZE):
        old = h.next()
        value = ((last ^ np.uint64(old)) * np.uint64(h.const)) & mask
        value ^= value >> np.uint64(XSHIFT)
        mixed = (np.uint64(MIX_MULT_L * pool0[dst] & MASK32) - np.uint64(MIX_MULT_R) * value) & mask
        pool.append(mixed ^ (mixed >> np.uint64(XSHIFT)))
    out = []
    const = INIT_B
    for word in pool[:2]:  # two 32-bit words, least significant first, make the uint64
        value = word ^ np.uint64(const)
        const = (const * MULT_B) & MASK32
        value = (value * np.uint64(const)) & mask
        out.append(value ^ (value >> np.uint64(XSHIFT)))
    return out[0] | (out[1] << np.uint64(32))
