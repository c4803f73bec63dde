"""A subset of the tests for valgrind's memcheck (nox -s valgrind), as a plain
script: pytest and hypothesis import `random`, whose seeding valgrind flags
inside CPython (os.urandom through getrandom), which would bury our own.

    PYTHONMALLOC=malloc valgrind --error-exitcode=99 python tests/valgrind_check.py
"""
import array
import mmap
import sys
import tempfile

import word_count
from rule_cases import CASES, WIDENERS, needle_of, text_around
from word_count._wordcount import _backends, _count_with

COUNTERS = [
    word_count.search,
    word_count.search_sequential,
    word_count.search_sequential_allow_threads,
    lambda c, n: word_count.search(c, n, threads=3),
]


def check(got, expected, *context):
    if got != expected:
        sys.exit(f"wrong count {got}, expected {expected}: {context!r}")


def rule_cases():
    for contents, needle, expected, why in CASES:
        for text, word in ((contents, needle), (contents.encode(), needle.encode())):
            for count in COUNTERS:
                check(count(text, word), expected, why)
            for backend in _backends():
                check(_count_with(text, word, backend, threads=2, parallel_min_bytes=0),
                      expected, why, backend)


def lengths_and_needles():
    """Every length to 200 around the vector widths, needles of 0 to 70."""
    for form in (1, 2, 4):
        for needle_length in range(71):
            needle = needle_of(needle_length, form)
            for length in range(201):
                text = text_around(needle, length, seed=length)
                if form > 1 and length:
                    text = text[:-1] + WIDENERS[form]
                expected = word_count.search_py(text, needle)
                for backend in _backends():
                    check(_count_with(text, needle, backend), expected, text, needle, backend)
                data = text.encode()
                check(word_count.search(bytearray(data), needle.encode()),
                      word_count.search_py(data, needle.encode()), data)


#: Texts for the rules: every kind of whitespace, and words that fold.
RULE_TEXTS = [
    "The the\tTHE\u3000the\xa0Stra\u00dfe STRASSE \u212ain kin\r\n\u0130 i\u0307",
    "\u0391\u03a3 \u03b1\u03c2\u2028\U00010400 \U00010428 \x1c\x85end",
    "is " * 100 + "\u3000IS\u2029" * 30,
]


def rules():
    """sep=None and the folds: the kernel's folding, the word tables'
    separators on every backend, the fold table and the folded search's
    filter, folded keys, and the files' rules (UTF-8 whitespace)."""
    for text in RULE_TEXTS:
        for contents in (text, text.encode()):
            needle = "the" if isinstance(contents, str) else b"the"
            for sep in (" ", None):
                for fold in (None, "lower", "casefold"):
                    expected = word_count.search_py(contents, needle, sep=sep, fold=fold)
                    for count in COUNTERS[:3]:
                        check(count(contents, needle, sep=sep, fold=fold), expected, sep, fold)
                    for backend in _backends():
                        check(_count_with(contents, needle, backend, threads=2,
                                          parallel_min_bytes=0, sep=sep, fold=fold),
                              expected, sep, fold, backend)
                    words = word_count.counts(contents, sep=sep, fold=fold)
                    check(list(words.items()),
                          list(word_count.counts_py(contents, sep=sep, fold=fold).items()),
                          "counts", sep, fold)
    with tempfile.NamedTemporaryFile() as f:
        f.write(RULE_TEXTS[0].encode())
        f.flush()
        for fold in (None, "casefold"):
            check(word_count.search_file(f.name, "the", sep=None, fold=fold),
                  word_count.search_py(RULE_TEXTS[0], "the", sep=None, fold=fold), "file", fold)
            check(word_count.counts_file(f.name, sep=None, fold=fold),
                  word_count.counts_py(RULE_TEXTS[0], sep=None, fold=fold), "counts_file")


def tallies():
    """Tables of every str form made UTF-8 in place and merged; keys made in
    batches (more than one batch of distinct words)."""
    many = "caf\xe9 " * 3 + " ".join(f"w{i}" for i in range(3000))
    for text in RULE_TEXTS + [many, many + " \u0101"]:
        tally = word_count.Tally()
        expected = word_count.counts_py("")
        for each in (text, text + " \U0001f600"):
            tally.update(each)
            expected.update(word_count.counts_py(each))
        check(list(tally.counter().items()), list(expected.items()), "tally", text[:20])
        check(list(word_count.counts(text).items()), list(word_count.counts_py(text).items()),
              "counts", text[:20])


def buffers_and_errors():
    data = b"is it is\r\nis " * 30000  # past the parallel threshold
    m = mmap.mmap(-1, len(data))
    m.write(data)
    for obj in (data, bytearray(data), memoryview(data), array.array("B", data), m):
        check(word_count.search(obj, b"is", threads=2), 90000, type(obj))
    m.close()
    wide = "\u0101 " + "a" * 400 + " x"  # a widened needle on the heap
    check(word_count.search(wide, "a" * 400), 1, "wide")
    for bad in ((1, "a"), ("a", b"a"), (memoryview(b"abc")[::2], b"a")):
        try:
            word_count.search(*bad)
        except TypeError:
            pass
        else:
            sys.exit(f"no TypeError for {bad!r}")


if __name__ == "__main__":
    rule_cases()
    rules()
    tallies()
    lengths_and_needles()
    buffers_and_errors()
    print(f"valgrind_check: ok, backends {', '.join(_backends())}")
