"""A model of PyTorch's CUDA caching allocator, precise enough to predict `memory_allocated()` after a load.

`memory_allocated()` sums the allocator's blocks, not the tensors: sizes round up to 512 bytes, and a block cut
from a cached segment keeps its slack when the rest would be 1 MiB or less. Which segment a block comes from
depends on what was freed before it (the bfloat16 copy of each weight that bitsandbytes quantizes), so the load
is replayed allocation by allocation. Constants and rules from c10/cuda/CUDACachingAllocator.cpp:
kMinBlockSize 512, kSmallSize 1 MiB, kSmallBuffer 2 MiB, kLargeBuffer 20 MiB, kMinLargeAlloc 10 MiB,
kRoundLarge 2 MiB; best fit by (size, address); a large-pool block splits only when more than kSmallSize remains.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

MIB = 1024**2
MIN_BLOCK = 512
SMALL_SIZE = 1 * MIB
SMALL_BUFFER = 2 * MIB
LARGE_BUFFER = 20 * MIB
MIN_LARGE_ALLOC = 10 * MIB
ROUND_LARGE = 2 * MIB


def round_size(nbytes: int) -> int:
    return MIN_BLOCK if nbytes < MIN_BLOCK else -(-nbytes // MIN_BLOCK) * MIN_BLOCK


@dataclass
class _Block:
    segment: int
    offset: int
    size: int
    free: bool = True
    small: bool = False


@dataclass
class CachingAllocator:
    """Replays malloc/free and tracks allocated bytes and their peak. Handles are the blocks themselves."""

    allocated: int = 0
    peak: int = 0
    _free: dict[bool, list[tuple[int, int, int]]] = field(default_factory=lambda: {True: [], False: []})
    _blocks: dict[tuple[int, int], _Block] = field(default_factory=dict)  # (segment, offset) -> block
    _ends: dict[tuple[int, int], _Block] = field(default_factory=dict)  # (segment, offset + size) -> block
    _segments: int = 0

    def malloc(self, nbytes: int) -> _Block | None:
        if nbytes <= 0:
            return None
        size = round_size(nbytes)
        small = size <= SMALL_SIZE
        pool = self._free[small]
        # best fit: the smallest cached block that is large enough, lowest address first
        index = bisect.bisect_left(pool, (size, -1, -1))
        if index < len(pool):
            _, segment, offset = pool.pop(index)
            block = self._blocks[(segment, offset)]
        else:
            if small:
                segment_size = SMALL_BUFFER
            elif size < MIN_LARGE_ALLOC:
                segment_size = LARGE_BUFFER
            else:
                segment_size = -(-size // ROUND_LARGE) * ROUND_LARGE
            block = _Block(self._segments, 0, segment_size, small=small)
            self._segments += 1
            self._index(block)
        remaining = block.size - size
        if (small and remaining >= MIN_BLOCK) or (not small and remaining > SMALL_SIZE):
            del self._ends[(block.segment, block.offset + block.size)]
            block.size = size
            rest = _Block(block.segment, block.offset + size, remaining, small=small)
            self._index(block)
            self._index(rest)
            bisect.insort(pool, (rest.size, rest.segment, rest.offset))
        block.free = False
        self.allocated += block.size
        self.peak = max(self.peak, self.allocated)
        return block

    def free(self, block: _Block | None) -> None:
        if block is None:
            return
        self.allocated -= block.size
        block.free = True
        pool = self._free[block.small]
        # merge with the free neighbours in the same segment
        following = self._blocks.get((block.segment, block.offset + block.size))
        if following is not None and following.free:
            pool.remove((following.size, following.segment, following.offset))
            self._forget(following)
            self._forget(block)
            block.size += following.size
            self._index(block)
        previous = self._ends.get((block.segment, block.offset))
        if previous is not None and previous.free:
            pool.remove((previous.size, previous.segment, previous.offset))
            self._forget(previous)
            self._forget(block)
            previous.size += block.size
            block = previous
            self._index(block)
        bisect.insort(pool, (block.size, block.segment, block.offset))

    def _index(self, block: _Block) -> None:
        self._blocks[(block.segment, block.offset)] = block
        self._ends[(block.segment, block.offset + block.size)] = block

    def _forget(self, block: _Block) -> None:
        self._blocks.pop((block.segment, block.offset), None)
        self._ends.pop((block.segment, block.offset + block.size), None)
