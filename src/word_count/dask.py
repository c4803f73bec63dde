"""Counting corpora past one machine, with Dask (the extra `word_count[dask]`).

    >>> from word_count import dask as wc_dask
    >>> wc_dask.search("logs/*.txt", "ERROR")              # doctest: +SKIP
    >>> wc_dask.search_per_file(["a.txt", "b/*.txt"], "is")  # doctest: +SKIP
    >>> wc_dask.counts("books/*.txt").most_common(10)        # doctest: +SKIP

Files are cut into blocks of `blocksize` bytes at line ends (dask.bytes
.read_bytes with the delimiter "\\n"), and each block is counted by the C
kernel in one Dask task. Lines are counted independently, so the blocks'
counts add up to exactly the single-machine count. The tasks run on the Dask
client in use (any cluster: `dask scheduler` / `dask worker`, Kubernetes,
...), or on Dask's local scheduler when there is none. Paths may be local or
any fsspec URL the workers can read (s3://, hdfs://, ...).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import dask
import dask.bag
from dask.bytes import read_bytes

from . import _wordcount
from ._files import EncodedCounts, EncodedSearch, check_fold, check_sep
from ._tally import Tally

__all__ = ["counts", "search", "search_per_file"]

#: How many partial tallies one task merges.
MERGE_FAN_IN = 8


def count_block(block, searching):
    """One task: a block of whole lines, searched as the file's text (an
    EncodedSearch). One thread each: Dask already runs as many tasks at once
    as its workers have threads."""
    return searching.count_bytes(block, threads=1)


def count_lines(lines, needle, sep, fold):
    """One partition of a bag of lines (or of (line, path) pairs)."""
    lines = [line[0] if isinstance(line, tuple) else line for line in lines]
    if not lines:
        return 0
    empty = "" if isinstance(lines[0], str) else b""
    return _wordcount.search(empty.join(lines), needle, threads=1, sep=sep, fold=fold)


def read_blocks(corpus, blocksize):
    """{path: [delayed block, ...]} for a path, a glob or a list of them."""
    if isinstance(corpus, (str, bytes)) or not isinstance(corpus, Iterable):
        corpus = [corpus]
    paths = [p.decode() if isinstance(p, bytes) else str(p) for p in corpus]
    _, blocks, files = read_bytes(paths, delimiter=b"\n", blocksize=blocksize,
                                  sample=False, include_path=True)
    return dict(zip(files, blocks))


def blocks_per_file(corpus, needle, blocksize, encoding, sep, fold, fname):
    searching = EncodedSearch(needle, encoding=encoding, sep=sep, fold=fold, fname=fname)
    count = dask.delayed(count_block, pure=True)
    return {path: [count(block, searching) for block in file_blocks]
            for path, file_blocks in read_blocks(corpus, blocksize).items()}


def block_words(block, counting, path):
    """One task of `counts`: the words of a block of whole lines, its keys
    decoded as the EncodedCounts `counting` says, in a Tally (merged in C and
    read once at the end: faster than Counters, docs/performance.md)."""
    words = counting.tally()
    words.add(block, threads=1)
    tally = Tally(sep=counting.sep, fold=counting.fold, threads=1)
    try:
        tally._absorb(words, counting.codec, name=path)
    except ValueError as error:  # bytes that do not decode, at an offset in the block
        raise ValueError(f"counts(): a block of {path!r} cannot be decoded with "
                         f"{counting.codec!r}: {error}") from error
    return tally


def lines_words(lines, sep, fold):
    """One partition of a bag of lines, as one text."""
    tally = Tally(sep=sep, fold=fold, threads=1)
    if lines:
        tally.update(("" if isinstance(lines[0], str) else b"").join(lines))
    return tally


def merge_in_order(*parts):
    """The words of `parts` in order: the first part's order, then each next
    part's new words in its own order (Tally.merge)."""
    total = parts[0]
    for part in parts[1:]:
        total.merge(part)
    return total


def reduce_in_order(parts):
    """A tree of merges, MERGE_FAN_IN parts at a time, that keeps their order;
    the Counter of the whole."""
    merge = dask.delayed(merge_in_order, pure=True)
    while len(parts) > 1:
        parts = [merge(*parts[i:i + MERGE_FAN_IN]) for i in range(0, len(parts), MERGE_FAN_IN)]
    if not parts:
        return Counter()
    return parts[0].compute().counter()


def counts(corpus, *, blocksize: int | str = "64MiB", encoding: str | None = "utf-8",
           sep: str | None = " ", fold: str | None = None) -> Counter:
    """Every word of `corpus` and how often it occurs, by the rule of
    word_count.counts (`sep`, `fold`): a Counter equal to counts_file over
    each file in turn (files in the order read_bytes lists them, keys in
    order of first appearance). `corpus` is a path, a glob, a list of them,
    or a dask.bag of lines. Keys are decoded with `encoding` (None: bytes
    keys); a bag's lines are counted as they are.
    """
    if isinstance(corpus, dask.bag.Bag):
        sep, fold = check_sep(sep, "counts"), check_fold(fold, "counts")
        parts = corpus.map_partitions(lambda part: [lines_words(list(part), sep, fold)])
        return reduce_in_order([dask.delayed(lambda p: p[0])(part)
                                for part in parts.to_delayed()])
    counting = EncodedCounts(encoding=encoding, sep=sep, fold=fold, fname="counts")
    words = dask.delayed(block_words, pure=True)
    parts = [words(block, counting, path)
             for path, file_blocks in read_blocks(corpus, blocksize).items()
             for block in file_blocks]
    return reduce_in_order(parts)


def search(corpus, needle: str | bytes, *, blocksize: int | str = "64MiB",
           encoding: str | None = "utf-8", sep: str | None = " ",
           fold: str | None = None) -> int:
    """Count the words equal to `needle` in `corpus` by the rule of
    word_count.search (`sep`, `fold`): a path, a glob, a list of them, or a
    dask.bag of lines (from dask.bag.read_text; note that it reads with
    universal newlines, so a lone "\\r" ends a line there). For files, a str
    needle counts the text they hold in `encoding`, a bytes one their bytes,
    as search_file does; a bag's lines are counted as they are (str lines
    take a str needle).
    """
    if isinstance(corpus, dask.bag.Bag):
        sep, fold = check_sep(sep, "search"), check_fold(fold, "search")
        counts = corpus.map_partitions(lambda part: [count_lines(part, needle, sep, fold)])
        return int(counts.sum().compute())
    tasks = [t for blocks in blocks_per_file(corpus, needle, blocksize, encoding, sep, fold,
                                             "search").values()
             for t in blocks]
    return int(sum(dask.compute(*tasks)))


def search_per_file(corpus, needle: str | bytes, *, blocksize: int | str = "64MiB",
                    encoding: str | None = "utf-8", sep: str | None = " ",
                    fold: str | None = None) -> dict[str, int]:
    """Like `search`, but a dict from each file's path to its count. A bag must
    hold (line, path) pairs: dask.bag.read_text(..., include_path=True).
    """
    if isinstance(corpus, dask.bag.Bag):
        sep, fold = check_sep(sep, "search_per_file"), check_fold(fold, "search_per_file")
        def per_path(part):
            counts = {}
            for item in part:
                if not (isinstance(item, tuple) and len(item) == 2):
                    raise ValueError("search_per_file() argument 'corpus': a bag needs "
                                     "(line, path) pairs: read_text(..., include_path=True)")
                line, path = item
                counts.setdefault(path, []).append(line)
            return [{path: count_lines(lines, needle, sep, fold)
                     for path, lines in counts.items()}]

        result = {}
        for partial in corpus.map_partitions(per_path).compute():
            for path, count in partial.items():
                result[path] = result.get(path, 0) + count
        return result
    per_file = blocks_per_file(corpus, needle, blocksize, encoding, sep, fold, "search_per_file")
    sums = [dask.delayed(sum)(blocks) for blocks in per_file.values()]
    return {path: int(n) for path, n in zip(per_file, dask.compute(*sums))}
