"""The ways a Python user counts in parallel, side by side, against one thread.

    python benchmarks/parallel_ways.py [--size BYTES] [--calls N]

Each way makes the same N calls on the same text (of the Zen of Python, needle
"is") on two workers, as a user would write it: executors and pools are made
once, before timing; texts go to other interpreters and processes the way
those pass arguments (pickled). The speed-up is one thread's time over the
way's (2 CPUs: 2x at best). The README's parallelism table is this script
run under each interpreter.
"""
import argparse
import multiprocessing
import os
import sys
import sysconfig
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(__file__))
import word_count  # noqa: E402
from timing import text_of_size  # noqa: E402


def best_time(func, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def ways(text, calls):
    """(name, function making the calls, what to close afterwards)."""
    texts, needles = [text] * calls, ["is"] * calls
    threads = ThreadPoolExecutor(max_workers=2)
    yield "one thread (search_sequential)", \
        lambda: [word_count.search_sequential(text, "is") for _ in range(calls)], None
    yield "search, threads=2 (the pool)", \
        lambda: [word_count.search(text, "is", threads=2) for _ in range(calls)], None
    yield "2 threads, search_sequential_allow_threads", lambda: list(
        threads.map(word_count.search_sequential_allow_threads, texts, needles)), None
    yield "2 threads, search_sequential", lambda: list(
        threads.map(word_count.search_sequential, texts, needles)), threads
    if sys.version_info >= (3, 14):
        from concurrent.futures import InterpreterPoolExecutor
        interpreters = InterpreterPoolExecutor(max_workers=2)
        yield "InterpreterPoolExecutor, 2 interpreters", lambda: list(
            interpreters.map(word_count.search_sequential, texts, needles)), interpreters
    processes = multiprocessing.get_context("fork").Pool(2)
    yield "multiprocessing, 2 processes (fork)", lambda: processes.starmap(
        word_count.search_sequential, zip(texts, needles)), processes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=16 * 2**20)
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    text = text_of_size(args.size)
    build = "free-threaded" if sysconfig.get_config_var("Py_GIL_DISABLED") else "with a GIL"
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    print(f"Python {sys.version.split()[0]} ({build}, GIL {'on' if gil else 'off'}), "
          f"{len(os.sched_getaffinity(0))} CPUs, {args.calls} calls on {args.size:,} bytes, "
          f"{time.strftime('%Y-%m-%d')}")
    baseline = None
    for name, func, closing in ways(text, args.calls):
        func()  # warm: workers started, pools filled
        seconds = best_time(func)
        baseline = baseline or seconds
        print(f"  {name:<44} {seconds * 1e3:8.1f} ms  {baseline / seconds:5.2f}x")
        if closing is not None:
            closing.shutdown() if hasattr(closing, "shutdown") else closing.close()


if __name__ == "__main__":
    main()
