"""Where does `search` on 2 threads start to beat 1 thread?

    python benchmarks/parallel_threshold.py

Times the counter on 1 and 2 threads, side by side, on Zen-of-Python text
of growing size, twice: "warm", calls back to back (the workers are still
polling for work, as in a loop over many texts), and "cold", each call after
a 1 ms pause (the workers have gone to sleep and must be woken). The
threshold WC_PARALLEL_MIN_BYTES (csrc/kernel.h) is set from these columns;
parallel_min_bytes=0 lets the script see below the current one.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import word_count  # noqa: E402
from word_count._wordcount import _count_with, _parallel_min_bytes  # noqa: E402
from timing import side_by_side, text_of_size  # noqa: E402


def cold_seconds(func, calls=100):
    best = float("inf")
    for _ in range(calls):
        time.sleep(0.001)
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    backend = word_count.simd
    print(f"backend {backend}; threshold now {_parallel_min_bytes} bytes")
    print(f"{'bytes':>10} {'warm 1 us':>10} {'warm 2 us':>10} {'speed-up':>9}"
          f" {'cold 1 us':>10} {'cold 2 us':>10} {'speed-up':>9}")
    size = 16 * 1024
    while size <= 8 * 1024 * 1024:
        text = text_of_size(size)
        calls = {t: (lambda t=t: _count_with(text, "is", backend, threads=t, parallel_min_bytes=0))
                 for t in (1, 2)}
        warm = side_by_side(calls)
        cold = {t: cold_seconds(f) for t, f in calls.items()}
        print(f"{size:>10} {warm[1] * 1e6:>10.1f} {warm[2] * 1e6:>10.1f} {warm[1] / warm[2]:>9.2f}"
              f" {cold[1] * 1e6:>10.1f} {cold[2] * 1e6:>10.1f} {cold[1] / cold[2]:>9.2f}")
        size *= 2


if __name__ == "__main__":
    main()
