"""word_count.dask.counts (each block's words in a Tally, merged in C, read
once) against the same blocks each made a Counter and merged by
Counter.update, on KJV x10 (43 MB) at three block sizes, on Dask's local
scheduler and on a LocalCluster of two one-thread worker processes (the
tallies then travel pickled).

    python benchmarks/dask_merge.py
"""
import os
import sys
import tempfile
import time
from collections import Counter

import dask
from distributed import Client, LocalCluster

from word_count import dask as wc_dask
from word_count._files import EncodedCounts
from counts_goals import king_james_bible

SEP, FOLD = None, "lower"
MERGE_FAN_IN = wc_dask.MERGE_FAN_IN


def block_counter(block, counting):
    words = counting.tally()
    words.add(block, threads=1)
    return counting.counter(words)


def merge_counters(*parts):
    total = Counter()
    for part in parts:
        total.update(part)
    return total


def through_counters(path, blocksize):
    """The baseline: a Counter per block, merged in Python."""
    counting = EncodedCounts(encoding="utf-8", sep=SEP, fold=FOLD, fname="counts")
    words = dask.delayed(block_counter, pure=True)
    parts = [words(block, counting) for blocks in wc_dask.read_blocks(path, blocksize).values()
             for block in blocks]
    merge = dask.delayed(merge_counters, pure=True)
    while len(parts) > 1:
        parts = [merge(*parts[i:i + MERGE_FAN_IN]) for i in range(0, len(parts), MERGE_FAN_IN)]
    return parts[0].compute()


def through_tallies(path, blocksize):
    return wc_dask.counts(path, blocksize=blocksize, sep=SEP, fold=FOLD)


def best_of(f, path, blocksize, repeat=3):
    """The best of `repeat` runs, each on a new name of the file: Dask names
    a task by its inputs, and a cluster may still hold the results of the
    last run's tasks of the same names."""
    best = float("inf")
    for _ in range(repeat):
        fresh = f"{path}.{time.monotonic_ns()}"
        os.link(path, fresh)
        start = time.perf_counter()
        f(fresh, blocksize)
        best = min(best, time.perf_counter() - start)
        os.unlink(fresh)
    return best


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "kjv10.txt")
        with open(path, "w") as f:
            f.write(king_james_bible() * 10)
        for where in ("local scheduler", "LocalCluster, 2 processes"):
            client = None
            if where.startswith("LocalCluster"):
                client = Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=True))
            for blocksize in ("1MiB", "4MiB", "16MiB"):
                ours, theirs = through_tallies(path, blocksize), through_counters(path, blocksize)
                assert list(ours.items()) == list(theirs.items()), "the answers differ"
                t = {"tallies": best_of(through_tallies, path, blocksize),
                     "counters": best_of(through_counters, path, blocksize)}
                print(f"{where}, blocks of {blocksize}: tallies {t['tallies'] * 1e3:.0f} ms, "
                      f"Counters {t['counters'] * 1e3:.0f} ms, "
                      f"{t['counters'] / t['tallies']:.2f}x")
            if client:
                client.close()


if __name__ == "__main__":
    sys.exit(main())
