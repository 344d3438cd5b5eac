"""Measure the peak memory of a block: Python's allocations and the whole process's.

``tracemalloc`` sees only Python's allocator; libxml2 (lxml) and zlib allocate with ``malloc``. So the
process's resident-set high-water mark is measured too: Linux resets it on demand
(``/proc/self/clear_refs``), and its growth during the block is what the block cost, C included.
Where that is not available, ``process_bytes`` stays ``None`` and only Python's peak is known.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import re
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
MB = 1_000_000


@dataclass
class MemoryPeak:
    python_bytes: int = 0
    process_bytes: int | None = None

    def __str__(self) -> str:
        process = "n/a" if self.process_bytes is None else f"{self.process_bytes / MB:.1f} MB"
        return f"python peak {self.python_bytes / MB:.1f} MB, process growth {process}"


@contextmanager
def measure_peak(*, trace_python: bool = True) -> Iterator[MemoryPeak]:
    """Measure the block; ``trace_python=False`` spares tracemalloc's slowdown on long blocks."""
    peak = MemoryPeak()
    gc.collect()
    baseline = _reset_high_water_mark()
    if trace_python:
        tracemalloc.start()
    try:
        yield peak
    finally:
        if trace_python:
            peak.python_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        if baseline is not None:
            peak.process_bytes = max(0, _status_bytes("VmHWM") - baseline)


def _reset_high_water_mark() -> int | None:
    """The resident set now, after resetting its high-water mark to it; ``None`` if unsupported."""
    _release_free_heap()
    try:
        _CLEAR_REFS.write_text("5")
        return _status_bytes("VmRSS")
    except OSError:
        return None


def _release_free_heap() -> None:
    """Give freed heap pages back to the system: reused, they would hide the block's allocations."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    malloc_trim = getattr(ctypes.CDLL(libc_name), "malloc_trim", None)
    if malloc_trim is not None:
        malloc_trim(0)


def _status_bytes(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    if match is None:
        raise OSError(f"{field} not in {_STATUS}")
    return int(match.group(1)) * 1024
