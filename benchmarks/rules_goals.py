"""The goals of the rules, sep=None and the folds, each a ratio timed side by
side in one run (goals.py calls run() with its report function).

Against the default rule on the same text (what a rule costs), and against
the Python a user writes for the same answer:

    text.split().count(word)                              sep=None
    [x.casefold() for x in text.split()].count(w.casefold())   and a fold
    Counter(text.lower().split())                         counts, the same
    for line in sys.stdin: c.update(line.lower().split())   the count-words
                                                          benchmark's reference
"""
import glob
import gzip
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter

import word_count
from counts_goals import king_james_bible
from timing import side_by_side, text_of_size, zen_of_python

#: The count-words benchmark's Python: every word of stdin, most common first.
COUNT_WORDS = """\
import sys
from collections import Counter
counts = Counter()
for line in sys.stdin:
    counts.update(line.lower().split())
for word, count in counts.most_common():
    print(word, count)
"""


def russian_man_pages():
    """Debian's manpages-ru, section 1: Cyrillic text in a 2-byte str."""
    pages = sorted(glob.glob("/usr/share/man/ru/man1/*.1.gz"))
    return "\n".join(gzip.decompress(pathlib.Path(p).read_bytes()).decode("utf-8", "replace")
                     for p in pages)


def search_goals(report):
    """One thread, before any parallel call (see goals.seed_goals)."""
    seed = zen_of_python() * 1000
    t = side_by_side({
        "default": lambda: word_count.search_sequential(seed, "is"),
        "sep=None": lambda: word_count.search_sequential(seed, "is", sep=None),
        "casefold": lambda: word_count.search_sequential(seed, "is", fold="casefold"),
        "split().count": lambda: seed.split().count("is"),
    })
    r = t["default"] / t["sep=None"]
    report("seed: search_sequential sep=None vs the default rule", f"{r:.2f}x", ">= 0.8x",
           r >= 0.8, f"{t['sep=None'] * 1e6:.1f} us vs {t['default'] * 1e6:.1f} us")
    r = t["default"] / t["casefold"]
    report("seed (ASCII): fold='casefold' vs the exact search", f"{r:.2f}x", ">= 0.7x",
           r >= 0.7, f"{t['casefold'] * 1e6:.1f} us vs {t['default'] * 1e6:.1f} us")
    r = t["split().count"] / t["sep=None"]
    report("seed: sep=None vs text.split().count(word)", f"{r:.0f}x", "(report)", None,
           f"{t['sep=None'] * 1e6:.1f} us vs {t['split().count'] * 1e3:.2f} ms")

    for kind, text in (("str", text_of_size(200_000_000)),
                       ("bytes", text_of_size(200_000_000).encode())):
        needle = "is" if kind == "str" else b"is"
        t = side_by_side({
            "default": lambda: word_count.search_sequential(text, needle),
            "sep=None": lambda: word_count.search_sequential(text, needle, sep=None),
        }, repeat=3)
        r = t["default"] / t["sep=None"]
        report(f"200 MB {kind}: search_sequential sep=None vs the default rule", f"{r:.2f}x",
               ">= 0.8x", r >= 0.8,
               f"{t['sep=None'] * 1e3:.1f} ms vs {t['default'] * 1e3:.1f} ms")
        del text

    russian = russian_man_pages()
    if len(russian) < 100_000:
        report("Russian man pages: casefolded search vs the Python idiom", "-", ">= 10x", None,
               "manpages-ru not installed")
        return
    # Every letter of a Cyrillic needle narrows to one byte, 0xFF, in the
    # kernels' tests (a needle VERIFIED whole at each candidate): its search
    # against a Latin one of as many letters in the same text.
    t = side_by_side({
        "cyrillic": lambda: word_count.search_sequential(russian, "для"),
        "latin": lambda: word_count.search_sequential(russian, "and"),
    })
    r = t["latin"] / t["cyrillic"]
    report("Russian man pages (2-byte str): search of 'для' vs of 'and'", f"{r:.2f}x",
           "(report)", None, f"{t['cyrillic'] * 1e3:.3f} ms vs {t['latin'] * 1e3:.3f} ms")
    needle = "ФАЙЛА"
    word_count.search(russian, needle, fold="casefold")   # the fold table, made once
    t = side_by_side({
        "search": lambda: word_count.search_sequential(russian, needle, sep=None, fold="casefold"),
        "idiom": lambda: [x.casefold() for x in russian.split()].count(needle.casefold()),
    })
    r = t["idiom"] / t["search"]
    report("Russian man pages (2-byte str): casefolded search vs the idiom", f"{r:.1f}x",
           ">= 10x", r >= 10, f"{t['search'] * 1e3:.2f} ms vs {t['idiom'] * 1e3:.2f} ms, "
           f"{len(russian) // 1000} K chars")


def counts_goals(report, kjv):
    text = kjv * 10
    t = side_by_side({
        "default": lambda: word_count.counts(text, threads=1),
        "rule": lambda: word_count.counts(text, threads=1, sep=None, fold="lower"),
        "idiom": lambda: Counter(text.lower().split()),
    }, repeat=3)
    r = t["default"] / t["rule"]
    report("KJV x10: counts sep=None fold='lower' vs the default rule", f"{r:.2f}x", ">= 0.8x",
           r >= 0.8, f"{t['rule'] * 1e3:.0f} ms vs {t['default'] * 1e3:.0f} ms, one thread")
    r = t["idiom"] / t["rule"]
    report("KJV x10: counts sep=None fold='lower' vs Counter(text.lower().split())",
           f"{r:.1f}x", ">= 12x", r >= 12,
           f"{t['rule'] * 1e3:.0f} ms vs {t['idiom'] * 1e3:.0f} ms, one thread")


def parallel_goal(report, kjv):
    text = kjv * 10
    t = side_by_side({
        1: lambda: word_count.counts(text, threads=1, sep=None, fold="lower"),
        2: lambda: word_count.counts(text, threads=2, sep=None, fold="lower"),
    }, repeat=3, warmup=0.5)
    r = t[1] / t[2]
    report("KJV x10: counts sep=None fold='lower', two threads vs one", f"{r:.2f}x",
           ">= 1.5x", r >= 1.5, f"{t[2] * 1e3:.0f} ms vs {t[1] * 1e3:.0f} ms")


def best_run(command, stdin_path, runs=3):
    """The best wall time of `command` reading the file on stdin, and its
    output (the same on every run, or the goal fails)."""
    best, outputs = float("inf"), set()
    for _ in range(runs):
        with open(stdin_path, "rb") as stdin:
            start = time.perf_counter()
            out = subprocess.run(command, stdin=stdin, capture_output=True, check=True).stdout
            best = min(best, time.perf_counter() - start)
        outputs.add(out)
    assert len(outputs) == 1, f"{command[0]} printed different things"
    return best, outputs.pop()


def count_words_goal(report, kjv):
    """The whole `word-count -W -i --top 0` process against the count-words
    benchmark's Python, on KJV x10 through stdin: their words and counts must
    agree (the KJV is ASCII: lower and casefold fold it alike)."""
    command = shutil.which("word-count", path=os.path.dirname(sys.executable))
    command = [command] if command else [sys.executable, "-m", "word_count"]
    with tempfile.NamedTemporaryFile(suffix=".txt") as f:
        f.write((kjv * 10).encode())
        f.flush()
        ours, our_output = best_run([*command, "-W", "-i", "--top", "0"], f.name)
        python, reference = best_run([sys.executable, "-c", COUNT_WORDS], f.name)
    ours_pairs = [tuple(line.split(b"\t")[::-1]) for line in our_output.splitlines()]
    reference_pairs = [tuple(line.split(b" ")) for line in reference.splitlines()]
    agree = ours_pairs == reference_pairs
    r = python / ours
    report("KJV x10: word-count -W -i --top 0 vs the count-words Python", f"{r:.1f}x",
           ">= 10x", r >= 10 and agree,
           f"{ours * 1e3:.0f} ms vs {python * 1e3:.0f} ms, whole processes; "
           f"{len(ours_pairs)} words, output {'the same' if agree else 'DIFFERENT'}")


def run(report, parallel=True):
    """The one-thread goals; with `parallel`, the two-thread goal after."""
    search_goals(report)
    kjv = king_james_bible()
    if kjv is None:
        report("KJV x10: the rules", "-", "see rules_goals.py", None,
               "bible not found: apt-get install bible-kjv")
        return
    counts_goals(report, kjv)
    count_words_goal(report, kjv)
    if parallel:
        parallel_goal(report, kjv)
