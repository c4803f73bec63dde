"""Throughput sweeps, side by side with one memchr pass as the roof.

    python benchmarks/sweep.py --json bench-results/sweep.json [--max-size 1G]

Sweeps input size (1 kB to 1 GB), threads (1 to twice the CPUs), needle
length, hit density, str form and backend. Every figure is bytes of text per
second; the memchr pass is `bytes.find` of an absent byte over the same bytes.
Draw the result with benchmarks/plot.py.
"""
import argparse
import json
import os
import pathlib
import sys

sys.path.insert(0, os.path.dirname(__file__))
import word_count  # noqa: E402
from word_count._wordcount import _backends, _count_with  # noqa: E402
from timing import machine, side_by_side, text_of_size  # noqa: E402

try:
    import word_count_pyo3
except ImportError:
    word_count_pyo3 = None

FORMS = {1: "", 2: "\u0101", 4: "\U0001f600"}
#: The pure-Python counters take seconds past this size; they stop there.
PYTHON_MAX_SIZE = 16 * 2**20


def memchr_pass(text):
    """One memchr over the text's bytes, whatever its form."""
    data = text.encode("utf-32-le") if isinstance(text, str) and not text.isascii() else text
    if isinstance(data, str):
        return lambda: data.find("\0")  # str.find of one ASCII char is memchr
    return lambda: data.find(b"\0")


def gbps(nbytes, seconds):
    return nbytes / seconds / 1e9


def sizes(max_size):
    size = 1024
    while size <= max_size:
        yield size
        size *= 4


def one_thread_candidates(text):
    candidates = {
        "memchr pass": memchr_pass(text),
        "search_sequential": lambda: word_count.search_sequential(text, "is"),
        "search_sequential_allow_threads":
            lambda: word_count.search_sequential_allow_threads(text, "is"),
    }
    if len(text) <= PYTHON_MAX_SIZE:
        candidates["search_py"] = lambda: word_count.search_py(text, "is")
        if word_count_pyo3:
            candidates["PyO3 search_sequential"] = \
                lambda: word_count_pyo3.search_sequential(text, "is")
    return candidates


def parallel_candidates(text):
    candidates = {"search": lambda: word_count.search(text, "is")}
    if len(text) <= PYTHON_MAX_SIZE and word_count_pyo3:
        candidates["PyO3 search"] = lambda: word_count_pyo3.search(text, "is")
    return candidates


def sweep_sizes(max_size, make_candidates, warmup=0.0):
    rows = []
    for size in sizes(max_size):
        text = text_of_size(size)
        times = side_by_side(make_candidates(text), repeat=5 if size < 2**26 else 3,
                             warmup=warmup)
        row = {"size": size, **{k: gbps(size, v) for k, v in times.items()}}
        rows.append(row)
        print(f"size {size:>11,}  " + "  ".join(
            f"{k} {v:.2f}" for k, v in row.items() if k != "size"), flush=True)
    return rows


def sweep_threads(counts, text_sizes=(2**20, 2**26), warmup=0.0):
    rows = []
    for size in text_sizes:
        text = text_of_size(size)
        times = side_by_side({t: (lambda t=t: word_count.search(text, "is", threads=t))
                              for t in counts}, warmup=warmup)
        for t in counts:
            rows.append({"size": size, "threads": t, "GB/s": gbps(size, times[t])})
            print(f"threads {t} on {size:,} bytes: {rows[-1]['GB/s']:.1f} GB/s", flush=True)
    return rows


def sweep_needle_lengths(size=2**20):
    rows = []
    for length in (0, 1, 2, 3, 4, 8, 16, 32, 64, 70):
        needle = "is"[:length] if length <= 2 else ("x" * length)
        words = (needle + " ") if needle else " "
        text = (("the zen of python " * 4 + words) * (size // 80 + 1))[:size]
        times = side_by_side({"search_sequential": lambda: word_count.search_sequential(text, needle),
                              "memchr pass": memchr_pass(text)})
        rows.append({"needle length": length,
                     "GB/s": gbps(size, times["search_sequential"]),
                     "memchr pass GB/s": gbps(size, times["memchr pass"])})
        print(f"needle of {length}: {rows[-1]['GB/s']:.1f} GB/s", flush=True)
    return rows


def sweep_hit_density(size=2**20):
    rows = []
    for percent in (0, 1, 10, 50, 100):
        words = ["is" if i * percent // 100 != (i - 1) * percent // 100 else "it"
                 for i in range(1, 101)]
        text = ((" ".join(words) + "\n") * (size // 300 + 1))[:size]
        seconds = side_by_side({"s": lambda: word_count.search_sequential(text, "is")})["s"]
        rows.append({"hit percent": percent, "GB/s": gbps(size, seconds)})
        print(f"{percent}% of words hit: {rows[-1]['GB/s']:.1f} GB/s", flush=True)
    return rows


def sweep_forms_and_backends(sizes=(2**20, 2**27)):
    rows = []
    for size in sizes:
        for form, extra in FORMS.items():
            text = text_of_size(size, extra)
            times = side_by_side({b: (lambda b=b: _count_with(text, "is", b))
                                  for b in _backends()}, repeat=3)
            for backend, seconds in times.items():
                rows.append({"size": size, "form": form, "backend": backend,
                             "G chars/s": size / seconds / 1e9,
                             "GB/s": gbps(size * form, seconds)})
            print(f"form {form}, {size:,} chars: " + ", ".join(
                f"{b} {size / s / 1e9:.1f}" for b, s in times.items()) + " G chars/s",
                flush=True)
    return rows


def parse_size(text):
    units = {"k": 2**10, "m": 2**20, "g": 2**30}
    return int(float(text[:-1]) * units[text[-1].lower()]) if text[-1].isalpha() else int(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=pathlib.Path, required=True)
    parser.add_argument("--max-size", type=parse_size, default=2**30)
    args = parser.parse_args()
    # Every one-thread measurement before any parallel one: on this 2-vCPU
    # machine one-thread code runs a third slower on a CPU that just ran a
    # parallel count (timing.py). Parallel ones are warmed up for 0.5 s.
    result = {"machine": machine()}
    result["forms and backends"] = sweep_forms_and_backends()
    result["needle lengths"] = sweep_needle_lengths()
    result["hit density"] = sweep_hit_density()
    one_thread = sweep_sizes(args.max_size, one_thread_candidates)
    threads = sweep_threads([1])
    parallel = sweep_sizes(args.max_size, parallel_candidates, warmup=0.5)
    threads += sweep_threads(list(range(2, 2 * len(os.sched_getaffinity(0)) + 1)), warmup=0.5)
    result["sizes"] = [{**a, **b} for a, b in zip(one_thread, parallel)]
    for row in threads:
        one = next(r for r in threads if r["size"] == row["size"] and r["threads"] == 1)
        row["speed-up"] = row["GB/s"] / one["GB/s"]
    result["threads"] = threads
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1))
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
