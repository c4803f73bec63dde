"""Callers that run at once must not lose to the same calls in series.

    python benchmarks/concurrent_callers.py [--size BYTES] [--calls N]

Two Python threads each make N calls of a counter on the same text; the
ratio is the time of the 2N calls one after the other over the time of the
two threads at once (above 1: running them at once pays). With the GIL
released (or no GIL, on a free-threaded build) two one-thread counters
should approach 2x on two CPUs; `search` already uses every CPU in each
call, so at once it should be no worse than in series (1x).
"""
import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
import word_count  # noqa: E402
from timing import text_of_size  # noqa: E402


def in_series(func, text, calls):
    start = time.perf_counter()
    for _ in range(2 * calls):
        func(text, "is")
    return time.perf_counter() - start


def at_once(func, text, calls):
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        for _ in range(calls):
            func(text, "is")

    threads = [threading.Thread(target=run) for _ in range(2)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def ratios(size, calls, repeat=5):
    text = text_of_size(size)
    counters = {
        "search": word_count.search,
        "search_sequential_allow_threads": word_count.search_sequential_allow_threads,
        "search_sequential": word_count.search_sequential,
    }
    result = {}
    for name, func in counters.items():
        series = min(in_series(func, text, calls) for _ in range(repeat))
        together = min(at_once(func, text, calls) for _ in range(repeat))
        result[name] = series / together
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=16 * 2**20)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    print(f"Python {sys.version.split()[0]}, GIL {'on' if gil else 'off'}, "
          f"{len(os.sched_getaffinity(0))} CPUs, {args.size:,} bytes, 2 x {args.calls} calls")
    for name, r in ratios(args.size, args.calls).items():
        print(f"{name:<34} two threads at once: {r:.2f}x the calls in series")


if __name__ == "__main__":
    main()
