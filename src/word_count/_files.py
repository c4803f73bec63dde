"""Counting files: memory-mapped where the file allows it, else streamed in
chunks cut at line ends (lines are counted independently, so the sum of the
chunks' counts is the whole file's count)."""
import codecs
import io
import mmap
import os
import stat

from ._wordcount import search

#: Encodings whose encoder carries a state from one character to the next:
#: the bytes of a needle depend on what precedes it in the file.
STATEFUL_ENCODINGS = {
    "utf-7", "hz", "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_2004",
    "iso2022_jp_3", "iso2022_jp_ext", "iso2022_kr",
}

#: Bytes read at a time from a file that cannot be mapped (a pipe, a tty).
STREAM_CHUNK = 16 * 2**20


def needle_bytes(needle, encoding, fname="search_file"):
    """The needle as the file holds it: bytes as they are, str encoded."""
    if isinstance(needle, str):
        try:
            codec = codecs.lookup(encoding)
        except (LookupError, TypeError):
            raise ValueError(f"{fname}() argument 'encoding': unknown encoding {encoding!r}") from None
        if codec.name in STATEFUL_ENCODINGS or codec.encode("")[0] != b"" \
                or codec.encode(" \n\r")[0] != b" \n\r":
            raise ValueError(
                f"{fname}() argument 'encoding': {encoding!r} does not write space, "
                "'\\n' and '\\r' as those single bytes in every context; use an "
                "encoding that does (utf-8, latin-1, cp1252, shift_jis, gb18030, ...) "
                "or pass the needle as bytes")
        try:
            return codec.encode(needle)[0]
        except UnicodeEncodeError as error:
            raise ValueError(f"{fname}() argument 'needle' cannot be encoded in "
                             f"{encoding!r}: {error.reason}") from None
    try:
        return bytes(memoryview(needle))
    except TypeError:
        raise TypeError(f"{fname}() argument 'needle' must be str or a bytes-like object, "
                        f"not {type(needle).__name__}") from None


def count_file_object(file, needle, threads=None):
    """Counts an open binary file from its current position to its end."""
    fd = file.fileno()
    info = os.fstat(fd)
    if stat.S_ISREG(info.st_mode):
        offset = file.tell()
        size = info.st_size - offset
        if size <= 0:
            return 0
        # mmap offsets must be page-aligned: map from the page holding `offset`.
        start = offset - offset % mmap.ALLOCATIONGRANULARITY
        with mmap.mmap(fd, info.st_size - start, access=mmap.ACCESS_READ, offset=start) as mapped:
            if hasattr(mapped, "madvise"):
                mapped.madvise(mmap.MADV_SEQUENTIAL)
            with memoryview(mapped) as view:
                with view[offset - start:] as text:
                    return search(text, needle, threads=threads)
    return count_stream(file, needle, threads)


def count_stream(file, needle, threads=None):
    """Counts what `file` yields, one chunk of whole lines at a time."""
    total = 0
    pending = bytearray()
    while True:
        chunk = file.read(STREAM_CHUNK)
        if not chunk:
            return total + search(pending, needle, threads=threads)
        pending += chunk
        cut = pending.rfind(b"\n") + 1  # keep an unfinished line for later
        if cut:
            with memoryview(pending) as view, view[:cut] as lines:
                total += search(lines, needle, threads=threads)
            del pending[:cut]


def search_file(path, needle, *, threads=None, encoding="utf-8"):
    """Count the words of the file at `path` equal to `needle`, by the rule of
    `search`. The file is memory-mapped, never read into a Python object, and
    counted on `threads` threads with the GIL released; files larger than
    memory work. A str needle is encoded with `encoding`, which must write
    space, "\\n" and "\\r" as single bytes; a bytes needle is used as it is.
    """
    if isinstance(path, io.IOBase) or not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError("search_file() argument 'path' must be str, bytes or os.PathLike, "
                        f"not {type(path).__name__}")
    word = needle_bytes(needle, encoding)
    with open(path, "rb", buffering=0) as file:
        return count_file_object(file, word, threads)
