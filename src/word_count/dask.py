"""Counting corpora past one machine, with Dask (the extra `word_count[dask]`).

    >>> from word_count import dask as wc_dask
    >>> wc_dask.search("logs/*.txt", "ERROR")              # doctest: +SKIP
    >>> wc_dask.search_per_file(["a.txt", "b/*.txt"], "is")  # doctest: +SKIP

Files are cut into blocks of `blocksize` bytes at line ends (dask.bytes
.read_bytes with the delimiter "\\n"), and each block is counted by the C
kernel in one Dask task. Lines are counted independently, so the blocks'
counts add up to exactly the single-machine count. The tasks run on the Dask
client in use (any cluster: `dask scheduler` / `dask worker`, Kubernetes,
...), or on Dask's local scheduler when there is none. Paths may be local or
any fsspec URL the workers can read (s3://, hdfs://, ...).
"""
from __future__ import annotations

from collections.abc import Iterable

import dask
import dask.bag
from dask.bytes import read_bytes

from . import _wordcount
from ._files import needle_bytes

__all__ = ["search", "search_per_file"]


def count_block(block, needle):
    """One task: a block of whole lines. One thread each: Dask already runs
    as many tasks at once as its workers have threads."""
    return _wordcount.search(block, needle, threads=1)


def count_lines(lines, needle):
    """One partition of a bag of lines (or of (line, path) pairs)."""
    lines = [line[0] if isinstance(line, tuple) else line for line in lines]
    if not lines:
        return 0
    empty = "" if isinstance(lines[0], str) else b""
    return _wordcount.search(empty.join(lines), needle, threads=1)


def blocks_per_file(corpus, needle, blocksize, encoding):
    if isinstance(corpus, (str, bytes)) or not isinstance(corpus, Iterable):
        corpus = [corpus]
    paths = [p.decode() if isinstance(p, bytes) else str(p) for p in corpus]
    word = needle_bytes(needle, encoding, fname="search")
    _, blocks, files = read_bytes(paths, delimiter=b"\n", blocksize=blocksize,
                                  sample=False, include_path=True)
    count = dask.delayed(count_block, pure=True)
    return {path: [count(block, word) for block in file_blocks]
            for path, file_blocks in zip(files, blocks)}


def search(corpus, needle: str | bytes, *, blocksize: int | str = "64MiB",
           encoding: str = "utf-8") -> int:
    """Count the words equal to `needle` in `corpus`: a path, a glob, a list of
    them, or a dask.bag of lines (from dask.bag.read_text; note that it reads
    with universal newlines, so a lone "\\r" ends a line there). A str needle
    is encoded with `encoding` for files; a bag's lines are counted as they
    are (str lines take a str needle).
    """
    if isinstance(corpus, dask.bag.Bag):
        counts = corpus.map_partitions(lambda part: [count_lines(part, needle)])
        return int(counts.sum().compute())
    tasks = [t for blocks in blocks_per_file(corpus, needle, blocksize, encoding).values()
             for t in blocks]
    return int(sum(dask.compute(*tasks)))


def search_per_file(corpus, needle: str | bytes, *, blocksize: int | str = "64MiB",
                    encoding: str = "utf-8") -> dict[str, int]:
    """Like `search`, but a dict from each file's path to its count. A bag must
    hold (line, path) pairs: dask.bag.read_text(..., include_path=True).
    """
    if isinstance(corpus, dask.bag.Bag):
        def per_path(part):
            counts = {}
            for item in part:
                if not (isinstance(item, tuple) and len(item) == 2):
                    raise ValueError("search_per_file() argument 'corpus': a bag needs "
                                     "(line, path) pairs: read_text(..., include_path=True)")
                line, path = item
                counts.setdefault(path, []).append(line)
            return [{path: count_lines(lines, needle) for path, lines in counts.items()}]

        result = {}
        for partial in corpus.map_partitions(per_path).compute():
            for path, count in partial.items():
                result[path] = result.get(path, 0) + count
        return result
    per_file = blocks_per_file(corpus, needle, blocksize, encoding)
    sums = [dask.delayed(sum)(blocks) for blocks in per_file.values()]
    return {path: int(n) for path, n in zip(per_file, dask.compute(*sums))}
