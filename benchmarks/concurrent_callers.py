"""Callers that run at once must not lose to the same calls in series.

    python benchmarks/concurrent_callers.py [--size BYTES ...] [--calls N] [--texts K]

Two Python threads each make N calls of a counter on the same text (with
--texts, each call on the next of K texts of that size); the
ratio is the time of the 2N calls one after the other over the time of the
two threads at once (above 1: running them at once pays). N is by default
what takes one thread a tenth of a second: with 20 calls of the seed's
text (0.5 ms) the threads' start and join weighed as much as the calls. With the GIL
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
from timing import text_of_size, zen_of_python  # noqa: E402


def in_series(func, texts, calls):
    start = time.perf_counter()
    for call in range(2 * calls):
        func(texts[call % len(texts)], "is")
    return time.perf_counter() - start


def at_once(func, texts, calls):
    """The calls of in_series, the even ones on one thread, the odd ones on
    the other."""
    barrier = threading.Barrier(2)

    def run(first):
        barrier.wait()
        for call in range(first, 2 * calls, 2):
            func(texts[call % len(texts)], "is")

    threads = [threading.Thread(target=run, args=(first,)) for first in (0, 1)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def calls_for(text, seconds=0.1):
    start = time.perf_counter()
    word_count.search_sequential(text, "is")
    return max(20, int(seconds / (time.perf_counter() - start)))


def texts_of_size(size, count):
    """`count` different texts of `size` characters: the Zen of Python
    rotated by one more character each (so that no call finds its text in
    a cache that the call before filled)."""
    text = text_of_size(size)
    return [text[k:] + text[:k] for k in range(count)]


def ratios(size, calls=None, repeat=9, count=1):
    texts = texts_of_size(size, count)
    calls = calls or calls_for(texts[0])
    counters = {
        "search": word_count.search,
        "search_sequential_allow_threads": word_count.search_sequential_allow_threads,
        "search_sequential": word_count.search_sequential,
    }
    result = {}
    for name, func in counters.items():
        # By turns, the best of each: the host has slow phases of a second
        # or more, and timed one way after the other, a phase fell on one
        # of them (16 MiB, `search`: 0.81-0.88x so, 0.95-0.99x by turns).
        series = together = float("inf")
        for _ in range(repeat):
            series = min(series, in_series(func, texts, calls))
            together = min(together, at_once(func, texts, calls))
        result[name] = series / together
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, nargs="+",
                        default=[len(zen_of_python()) * 1000, 2**20, 4 * 2**20, 16 * 2**20],
                        help="text sizes (default: the seed's, 1, 4 and 16 MiB)")
    parser.add_argument("--calls", type=int, help="calls per thread")
    parser.add_argument("--texts", type=int, default=1,
                        help="texts of each size, a call on the next (default: 1, the same text)")
    args = parser.parse_args()
    if args.texts < 1:
        parser.error("--texts: must be at least 1")
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    print(f"Python {sys.version.split()[0]}, GIL {'on' if gil else 'off'}, "
          f"{len(os.sched_getaffinity(0))} CPUs; two threads at once, over the calls in series")
    for size in args.size:
        row = ", ".join(f"{name} {r:.2f}x"
                        for name, r in ratios(size, args.calls, count=args.texts).items())
        print(f"{size:>11,} bytes: {row}")


if __name__ == "__main__":
    main()
