"""Counting files: search_file, and the needle as a file holds it.

The C side (csrc/file.h) memory-maps a regular file and counts it in place,
and reads anything else (pipes, ttys, /proc and /sys files, files that cannot
be mapped) in blocks, with memory bounded by the block whatever the lines'
lengths. A file that shrinks while it is mapped is an OSError (EIO).
"""
import codecs
import io
import operator
import os

from ._wordcount import _count_fd, _Tally

#: Encodings whose encoder carries a state from one character to the next:
#: the bytes of a needle depend on what precedes it in the file.
STATEFUL_ENCODINGS = {
    "utf-7", "hz", "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_2004",
    "iso2022_jp_3", "iso2022_jp_ext", "iso2022_kr",
}


def needle_bytes(needle, encoding, fname="search_file"):
    """The needle as the file holds it: bytes as they are, str encoded."""
    if not isinstance(encoding, str):
        raise TypeError(f"{fname}() argument 'encoding' must be str, "
                        f"not {type(encoding).__name__}")
    if isinstance(needle, str):
        return encode_needle(needle, encoding, fname)
    try:
        return bytes(memoryview(needle))
    except TypeError:
        raise TypeError(f"{fname}() argument 'needle' must be str or a bytes-like object, "
                        f"not {type(needle).__name__}") from None


def check_encoding(encoding, fname, bytes_instead="pass the needle as bytes"):
    """The codec's canonical name, if it writes space, "\\n" and "\\r" as those
    single bytes in every context (so that the file's words are its bytes
    split there); else a ValueError."""
    if not isinstance(encoding, str):
        raise TypeError(f"{fname}() argument 'encoding' must be str, "
                        f"not {type(encoding).__name__}")
    # str.encode, unlike codecs.lookup(...).encode, refuses the codecs that
    # are not text encodings (hex, base64, zlib, rot13, ...) with a LookupError.
    try:
        separators = " \n\r".encode(encoding)
    except LookupError as error:
        raise ValueError(f"{fname}() argument 'encoding': {error}") from None
    name = codec_name(encoding)
    if separators != b" \n\r" or "".encode(encoding) != b"" or name in STATEFUL_ENCODINGS:
        raise ValueError(
            f"{fname}() argument 'encoding': {encoding!r} does not write space, "
            "'\\n' and '\\r' as those single bytes in every context; use an "
            "encoding that does (utf-8, latin-1, cp1252, shift_jis, gb18030, ...) "
            f"or {bytes_instead}")
    return name


def encode_needle(needle, encoding, fname):
    check_encoding(encoding, fname)
    try:
        return needle.encode(encoding)
    except UnicodeEncodeError as error:
        raise ValueError(f"{fname}() argument 'needle' cannot be encoded in "
                         f"{encoding!r}: {error.reason}") from None


def codec_name(encoding):
    return codecs.lookup(encoding).name


def check_threads(threads, fname):
    """None, or an int of at least 1 (as the C counters check it)."""
    if threads is None:
        return None
    if isinstance(threads, bool):
        raise TypeError(f"{fname}() argument 'threads' must be int or None, not bool")
    try:
        value = operator.index(threads)
    except TypeError:
        raise TypeError(f"{fname}() argument 'threads' must be int or None, "
                        f"not {type(threads).__name__}") from None
    if value < 1:
        raise ValueError(f"{fname}() argument 'threads' must be at least 1, not {value}")
    return value


def check_path(path, fname):
    if isinstance(path, io.IOBase) or not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"{fname}() argument 'path' must be str, bytes or os.PathLike, "
                        f"not {type(path).__name__}")


def search_file(path, needle, *, threads=None, encoding="utf-8"):
    """Count the words of the file at `path` equal to `needle`, by the rule of
    `search`, on `threads` threads with the GIL released. A regular file is
    memory-mapped, never read into a Python object (files larger than memory
    work); anything else is read in blocks. A str needle is encoded with
    `encoding`, which must write space, "\\n" and "\\r" as single bytes; a
    bytes needle is used as it is. A file that shrinks while it is counted
    raises OSError (EIO).
    """
    check_path(path, "search_file")
    threads = check_threads(threads, "search_file")
    word = needle_bytes(needle, encoding)
    with open(path, "rb", buffering=0) as file:
        return _count_fd(file.fileno(), word, threads=threads, name=path)


def counts_file(path, *, threads=None, encoding="utf-8"):
    """Every word of the file at `path` and how often it occurs, by the rule
    of `counts`: a Counter in order of first appearance, counted like
    `search_file` (mapped, or read in blocks; GIL released). Keys are
    decoded with `encoding`, which must write space, "\\n" and "\\r" as
    single bytes; `encoding=None` gives bytes keys. Bytes that do not decode
    are a ValueError naming the file and their offset.
    """
    check_path(path, "counts_file")
    threads = check_threads(threads, "counts_file")
    codec = None
    if encoding is not None:
        codec = check_encoding(encoding, "counts_file", "pass encoding=None for bytes keys")
    tally = _Tally()
    with open(path, "rb", buffering=0) as file:
        tally.add_fd(file.fileno(), threads=threads, name=path)
    return tally.counter(codec, name=path)
