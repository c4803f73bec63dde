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
space, and a word counts when it equals `needle` exactly.
"""
from collections import Counter as _Counter

from ._files import counts_file, search_file
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


def search_py(contents, needle):
    """Count the words of `contents` equal to `needle`, in pure Python: the
    reference the C counters are tested against. Takes str, or bytes-like
    objects (counted byte by byte).
    """
    contents, needle, newline, space, carriage_return = _operands(contents, needle)
    lines = contents.split(newline)
    unterminated = lines.pop()  # after the last "\n": a line unless empty
    total = 0
    for line in lines:
        total += line.removesuffix(carriage_return).split(space).count(needle)
    if unterminated:
        total += unterminated.split(space).count(needle)
    return total


def counts_py(contents):
    """Every word of `contents` and how often it occurs, in pure Python: the
    reference `counts` is tested against. A Counter fed each line's words,
    so its keys are in order of first appearance.
    """
    if isinstance(contents, str):
        newline, space, carriage_return = "\n", " ", "\r"
    else:
        contents = _as_bytes(contents, "contents", "counts_py")
        newline, space, carriage_return = b"\n", b" ", b"\r"
    lines = contents.split(newline)
    unterminated = lines.pop()  # after the last "\n": a line unless empty
    words = _Counter()
    for line in lines:
        words.update(line.removesuffix(carriage_return).split(space))
    if unterminated:
        words.update(unterminated.split(space))
    return words


def _operands(contents, needle):
    """Both as str, or both as bytes, with the separators of that type."""
    if isinstance(contents, str) and isinstance(needle, str):
        return contents, needle, "\n", " ", "\r"
    if isinstance(contents, str) or isinstance(needle, str):
        raise TypeError(
            "search_py() arguments 'contents' and 'needle' must both be str or "
            f"both bytes-like, not {type(contents).__name__} and {type(needle).__name__}"
        )
    return _as_bytes(contents, "contents"), _as_bytes(needle, "needle"), b"\n", b" ", b"\r"


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
