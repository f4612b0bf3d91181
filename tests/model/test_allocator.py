"""The caching-allocator model against the rules of c10/cuda/CUDACachingAllocator.cpp."""

from __future__ import annotations

from bnbdoctor.model.allocator import MIB, CachingAllocator, round_size


def test_sizes_round_up_to_512_bytes():
    assert [round_size(n) for n in (1, 512, 513, 4096)] == [512, 512, 1024, 4096]


def test_small_allocations_count_their_rounded_size():
    a = CachingAllocator()
    a.malloc(100)
    a.malloc(1000)
    assert a.allocated == 512 + 1024


def test_large_allocation_keeps_slack_of_at_most_1_mib():
    # 525,336,576 bytes (Llama-3.2-1B's bf16 embedding) rounds to a 526,385,152 segment: 1 MiB left, not split
    a = CachingAllocator()
    a.malloc(525_336_576)
    assert a.allocated == 526_385_152


def test_large_allocation_splits_when_more_than_1_mib_is_left():
    a = CachingAllocator()
    a.malloc(33_554_944)  # the cuBLAS workspace: 32 MiB + 512 in a 34 MiB segment, 2 MiB - 512 left
    assert a.allocated == 33_554_944


def test_freed_blocks_are_reused_best_fit_and_merged():
    a = CachingAllocator()
    first = a.malloc(30 * MIB)
    second = a.malloc(30 * MIB)
    a.free(first)
    a.free(second)
    assert a.allocated == 0 and a.peak == 60 * MIB
    a.malloc(12 * MIB)  # taken from a cached 30 MiB block, split (18 MiB left)
    assert a.allocated == 12 * MIB
    a.malloc(29 * MIB + 512 * 1024)  # fits the other 30 MiB block with 0.5 MiB left: not split, counted whole
    assert a.allocated == 12 * MIB + 30 * MIB


def test_mid_size_allocations_share_20_mib_segments():
    a = CachingAllocator()
    for _ in range(5):
        a.malloc(4 * MIB)  # five 4 MiB blocks fill one 20 MiB segment exactly
    assert a.allocated == 20 * MIB
    assert a._segments == 1
