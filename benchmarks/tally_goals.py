"""The goals of corpora of many texts, each a ratio timed side by side in one
run (goals.py calls run() with its report function).

The texts are the lines of the King James Bible ten times over (see
counts_goals.py), the empty ones left out: 714,000 short texts. (An empty
line is a word "" to `str.split(" ")` and to polars and Arrow, while an
empty text has no words: without them, every counter's answer is the same.)

    Tally().update_all(lines)    for line in lines: counter.update(line.split(" "))
    counts(polars.Series(lines)) series.str.split(" ").explode().value_counts()
    counts(pyarrow.array(lines)) pyarrow.compute: split_pattern, list_flatten,
                                 value_counts

Polars and Arrow are timed in a process of their own for each size of their
thread pools (polars reads POLARS_MAX_THREADS once, at import): one thread
against `threads=1`, then every thread against the default.
"""
import json
import os
import subprocess
import sys
from collections import Counter

import word_count
from counts_goals import king_james_bible
from timing import side_by_side

HERE = os.path.dirname(os.path.abspath(__file__))


def kjv_lines(kjv):
    return [line for line in (kjv * 10).split("\n") if line]


def update_all_goal(report, lines):
    def idiom():
        counter = Counter()
        for line in lines:
            counter.update(line.split(" "))
        return counter

    def tally():
        t = word_count.Tally(threads=1)
        t.update_all(lines)
        return t

    if tally().counter() != idiom():
        report("KJV x10 lines: Tally().update_all vs a Counter loop", "-", ">= 10x", False,
               "the answers DIFFER")
        return
    t = side_by_side({"tally": tally, "idiom": idiom}, repeat=3)
    r = t["idiom"] / t["tally"]
    report("KJV x10 lines: Tally().update_all vs a Counter loop", f"{r:.1f}x", ">= 10x",
           r >= 10, f"{t['tally'] * 1e3:.0f} ms vs {t['idiom'] * 1e3:.0f} ms, "
           f"{len(lines) // 1000} K lines, one thread")


#: Run with the thread pools' size as argv[1] ("1" or "all"); prints the
#: seconds of each candidate, or {"differ": name}.
COLUMN_PROBE = """
import json, sys
sys.path.insert(0, {here!r})
import polars as pl, pyarrow as pa, pyarrow.compute as pc
import word_count
from counts_goals import king_james_bible
from tally_goals import kjv_lines
from timing import side_by_side

one = sys.argv[1] == "1"
if one:
    pa.set_cpu_count(1)
threads = 1 if one else None
lines = kjv_lines(king_james_bible())
series, array = pl.Series(lines), pa.array(lines)

def polars_idiom():
    return series.str.split(" ").explode().value_counts()

def arrow_idiom():
    return pc.value_counts(pc.list_flatten(pc.split_pattern(array, " ")))

ours = dict(word_count.counts(series, threads=threads))
if dict(word_count.counts(array, threads=threads)) != ours:
    print(json.dumps({{"differ": "counts(array)"}})); sys.exit()
frame = polars_idiom()
if dict(zip(*(frame.get_column(c).to_list() for c in frame.columns))) != ours:
    print(json.dumps({{"differ": "polars"}})); sys.exit()
pairs = arrow_idiom()
if dict(zip(pairs.field(0).to_pylist(), pairs.field(1).to_pylist())) != ours:
    print(json.dumps({{"differ": "pyarrow.compute"}})); sys.exit()
print(json.dumps(side_by_side({{
    "series": lambda: word_count.counts(series, threads=threads),
    "polars": polars_idiom,
    "array": lambda: word_count.counts(array, threads=threads),
    "pyarrow": arrow_idiom,
}}, repeat=5)))
"""


def column_goals(report):
    code = COLUMN_PROBE.format(here=HERE)
    for pools in ("1", "all"):
        env = dict(os.environ)
        if pools == "1":
            env["POLARS_MAX_THREADS"] = "1"
        else:
            env.pop("POLARS_MAX_THREADS", None)
        out = subprocess.run([sys.executable, "-c", code, pools], capture_output=True,
                             text=True, check=True, env=env).stdout
        t = json.loads(out)
        where = "one thread" if pools == "1" else "all threads"
        goal = ">= 5x" if pools == "1" else "(report)"
        for ours, theirs, idiom in (("series", "polars", "str.split.explode.value_counts"),
                                    ("array", "pyarrow", "pyarrow.compute")):
            name = f"KJV x10 lines: counts({'polars' if ours == 'series' else 'pyarrow'} "
            name += f"{ours}) vs {theirs}, {where}"
            if "differ" in t:
                report(name, "-", goal, False, f"the answers DIFFER: {t['differ']}")
                continue
            r = t[theirs] / t[ours]
            passed = r >= 5 if pools == "1" else None
            report(name, f"{r:.1f}x", goal, passed,
                   f"{t[ours] * 1e3:.0f} ms vs {t[theirs] * 1e3:.0f} ms: {idiom}")


#: The peak a count adds to the process, each in a process of its own:
#: "column" counts a pyarrow array of the lines, "text" the same lines joined
#: as one str (the same words, so the same tables and result). A first count
#: of a few rows comes before: VmRSS counts the pages of code that the first
#: export of a column maps in (2.4 MB of libarrow), which are not the count's.
#: Prints the growth in KiB, and for the column the bytes that a str per row
#: would take (what a count through Python objects holds at once).
PEAK_PROBE = """
import gc, sys
sys.path.insert(0, {here!r})
import pyarrow as pa
import word_count
from counts_goals import king_james_bible
from tally_goals import kjv_lines
from timing import status

lines = kjv_lines(king_james_bible())
what = sys.argv[1]
objects = sum(map(sys.getsizeof, lines))
data = pa.array(lines) if what == "column" else "\\n".join(lines)
del lines
word_count.counts(data[:1000])
gc.collect()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # the peak (VmHWM) starts again from here
before = status("VmRSS:")
words = word_count.counts(data, threads=1)
assert words["the"] > 600_000
print(status("VmHWM:") - before, objects)
"""


def peak_memory_goal(report):
    """Nothing per row: the peak is the tables and the result (those of one
    text of the same words, give or take the allocator's state), a small
    part of what a str per row would hold."""
    code = PEAK_PROBE.format(here=HERE)
    grown = {}
    for what in ("column", "text"):
        out = subprocess.run([sys.executable, "-c", code, what], capture_output=True,
                             text=True, check=True).stdout.split()
        grown[what] = int(out[0]) * 1024 / 1e6
        objects = int(out[1]) / 1e6
    r = grown["column"] / objects
    report("KJV x10 lines: peak memory of counts(column) vs a str per row", f"{r:.3f}x",
           "<= 0.1x", r <= 0.1, f"+{grown['column']:.1f} MB vs {objects:.0f} MB; the same "
           f"words as one text: +{grown['text']:.1f} MB")


def run(report):
    kjv = king_james_bible()
    if kjv is None:
        report("KJV x10 lines: Tally and columns", "-", "see tally_goals.py", None,
               "bible not found: apt-get install bible-kjv")
        return
    update_all_goal(report, kjv_lines(kjv))
    try:
        import polars  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        report("KJV x10 lines: counts(column)", "-", ">= 5x", None,
               "polars or pyarrow not installed (the bench extras)")
        return
    column_goals(report)
    peak_memory_goal(report)
