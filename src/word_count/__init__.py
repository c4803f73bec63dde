"""Count how often a word occurs in a text.

    >>> import word_count
    >>> word_count.search("foo bar foo\\nfoo", "foo")
    3

`counts` answers the other question, which words and how often each:

    >>> word_count.counts("foo bar foo\nfoo").most_common(1)
    [('foo', 3)]

`search` counts on several threads with the GIL released,
`search_sequential` on the calling thread holding the GIL, and
`search_sequential_allow_threads` on the calling thread with the GIL
released; `search_py` is the pure-Python reference of the same rule:
lines end at "\\n" or "\\r\\n", a line splits into words at every single
space, and a word counts when it equals `needle` exactly. With sep=None the
words are those of str.split() (or bytes.split()), and with fold="lower" or
fold="casefold" words compare as word.lower() or word.casefold():

    >>> word_count.search("The cat\\tand THE hat", "the", sep=None, fold="casefold")
    2
"""
from collections import Counter as _Counter

from ._files import check_fold as _check_fold
from ._files import check_sep as _check_sep
from ._files import counts_file, search_file
from ._tally import Tally
from ._wordcount import (
    counts,
    search,
    search_sequential,
    search_sequential_allow_threads,
    simd,
)

#: PyO3's newer name for the same function.
search_sequential_detached = search_sequential_allow_threads

__all__ = [
    "Tally",
    "counts",
    "counts_file",
    "counts_py",
    "search",
    "search_file",
    "search_py",
    "search_sequential",
    "search_sequential_allow_threads",
    "search_sequential_detached",
    "simd",
]


def search_py(contents, needle, *, sep=" ", fold=None):
    """Count the words of `contents` equal to `needle`, in pure Python: the
    reference the C counters are tested against. Takes str, or bytes-like
    objects (counted byte by byte); `sep` and `fold` as `search` takes them.
    """
    contents, needle = _operands(contents, needle)
    words = _words(contents, _check_sep(sep, "search_py"))
    fold = _folder(_check_fold(fold, "search_py"), contents)
    if fold:
        return [fold(word) for word in words].count(fold(needle))
    return words.count(needle)


def counts_py(contents, *, sep=" ", fold=None):
    """Every word of `contents` and how often it occurs, in pure Python: the
    reference `counts` is tested against. A Counter fed the words in turn,
    so its keys are in order of first appearance; `sep` and `fold` as
    `counts` takes them.
    """
    if not isinstance(contents, str):
        contents = _as_bytes(contents, "contents", "counts_py")
    words = _words(contents, _check_sep(sep, "counts_py"))
    fold = _folder(_check_fold(fold, "counts_py"), contents)
    return _Counter(map(fold, words) if fold else words)


def _words(contents, sep):
    """The words by the rule: contents.split() for sep=None; for sep=" ", each
    line's line.split(" "), lines ending at "\n" or "\r\n"."""
    if sep is None:
        return contents.split()
    newline, space, carriage_return = ("\n", " ", "\r") if isinstance(contents, str) else (
        b"\n", b" ", b"\r")
    lines = contents.split(newline)
    unterminated = lines.pop()  # after the last "\n": a line unless empty
    words = []
    for line in lines:
        words += line.removesuffix(carriage_return).split(space)
    if unterminated:
        words += unterminated.split(space)
    return words


def _folder(fold, contents):
    """The fold of one word: str.lower or str.casefold; bytes.lower for both."""
    if fold is None:
        return None
    if isinstance(contents, str):
        return str.lower if fold == "lower" else str.casefold
    return bytes.lower


def _operands(contents, needle):
    """Both as str, or both as bytes."""
    if isinstance(contents, str) and isinstance(needle, str):
        return contents, needle
    if isinstance(contents, str) or isinstance(needle, str):
        raise TypeError(
            "search_py() arguments 'contents' and 'needle' must both be str or "
            f"both bytes-like, not {type(contents).__name__} and {type(needle).__name__}"
        )
    return _as_bytes(contents, "contents"), _as_bytes(needle, "needle")


def _as_bytes(obj, name, fname="search_py"):
    if isinstance(obj, bytes):
        return obj
    try:
        return memoryview(obj).tobytes()
    except TypeError:
        raise TypeError(
            f"{fname}() argument '{name}' must be str or a bytes-like object, "
            f"not {type(obj).__name__}"
        ) from None
