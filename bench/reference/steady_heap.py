"""Keeps glibc's heap for PyTorch's CPU tensors, so the reference is timed at its steady state.

PyTorch's CPU allocator takes each large tensor from glibc's malloc, which serves blocks above its mmap threshold
with a fresh mmap and returns them to the OS on free: every step then page-faults its activations and gradients in
again. On the virtual machines these benchmarks run on a page fault is slow, and measured on one (2-core AMD EPYC,
one thread, the MLP critic at batch 64) a clipped critic step took 28-35 ms that way against 9-11 ms with the heap
kept; how many steps it takes glibc's adaptive threshold to settle varied from a few dozen to never in 200 steps.
A tuned deployment (jemalloc, tcmalloc, or these settings) does not pay it, so neither does the reference: the
comparison is against PyTorch at its best. Numbers are unchanged: only where memory comes from.
"""
import ctypes
import ctypes.util

# mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3


def keep_heap():
    """Serve blocks up to 32 MiB (glibc's maximum threshold) from the heap and never trim it; True if glibc took it."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    return all(libc.mallopt(p, v) == 1 for p, v in (
        (_M_MMAP_THRESHOLD, 32 << 20), (_M_TRIM_THRESHOLD, 1 << 30), (_M_TOP_PAD, 64 << 20)))
