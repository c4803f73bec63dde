"""Where does `search` on 2 threads start to beat 1 thread?

    python benchmarks/parallel_threshold.py

Times word_count.search(text, "is", threads=t) for t = 1 and t = 2 on
Zen-of-Python text of growing size, side by side, and prints the ratio; the
threshold WC_PARALLEL_MIN_BYTES (csrc/kernel.h) is set from where the
ratio clearly passes 1 (the smaller texts are counted on one thread anyway,
so the script calls _count_with with parallel_min_bytes=0 to see past it).
"""
import sys
import timeit

import word_count
from word_count import _wordcount

sys.path.insert(0, "tests")
from conftest import zen_of_python  # noqa: E402


def best_time(func, *args, **kwargs):
    number = 1
    while timeit.timeit(lambda: func(*args, **kwargs), number=number) < 0.05:
        number *= 2
    return min(timeit.repeat(lambda: func(*args, **kwargs), number=number, repeat=7)) / number


def main():
    zen = zen_of_python()
    backend = word_count.simd
    print(f"backend {backend}; threshold now {_wordcount._parallel_min_bytes} bytes")
    print(f"{'bytes':>10} {'1 thread us':>12} {'2 threads us':>13} {'speed-up':>9}")
    size = 16 * 1024
    while size <= 8 * 1024 * 1024:
        text = (zen * (size // len(zen) + 1))[:size]
        one = best_time(_wordcount._count_with, text, "is", backend, threads=1)
        two = best_time(_wordcount._count_with, text, "is", backend, threads=2,
                        parallel_min_bytes=0)
        print(f"{size:>10} {one * 1e6:>12.1f} {two * 1e6:>13.1f} {one / two:>9.2f}")
        size *= 2


if __name__ == "__main__":
    main()
