"""Counting files: search_file, counts_file, and the rules of bytes that hold
text in an encoding.

The C side (csrc/file.h) memory-maps a regular file and counts it in place,
and reads anything else (pipes, ttys, /proc and /sys files, files that cannot
be mapped) in blocks, with memory bounded by the block whatever the lines'
lengths. A file that shrinks while it is mapped is an OSError (EIO).

A file is counted as the text it decodes to would be, without decoding it:
its words are split where the encoding writes the separators (sep=" ": space
and "\\n"; sep=None: str.isspace's characters, as single bytes or UTF-8's
sequences), and with a fold the words that may fold to the needle are
decoded and folded one distinct word at a time. Where bytes cannot say it
exactly (a multi-byte encoding whose whitespace may begin inside another
character), that is a ValueError, never a miscount.
"""
import codecs
import functools
import io
import operator
import os

from ._wordcount import _count_bytes, _count_fd, _Tally

#: Encodings whose encoder carries a state from one character to the next:
#: the bytes of a needle depend on what precedes it in the file.
STATEFUL_ENCODINGS = {
    "utf-7", "hz", "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_2004",
    "iso2022_jp_3", "iso2022_jp_ext", "iso2022_kr",
}

#: The encodings whose bytes a folded search filters (csrc/fold.h): UTF-8,
#: and those whose bytes are the code points themselves. Other encodings
#: fold every word of the file.
FILTERED_FOLDS = {"utf-8": True, "iso8859-1": False, "ascii": False}

FOLDS = ("lower", "casefold")


def check_sep(sep, fname):
    """sep=" " or sep=None, as the C counters check it."""
    if sep is None or sep == " ":
        return sep
    if not isinstance(sep, str):
        raise TypeError(f"{fname}() argument 'sep' must be str or None, not {type(sep).__name__}")
    raise ValueError(f"{fname}() argument 'sep' must be ' ' (split at every space) or None "
                     f"(split at runs of whitespace), not {sep!r}")


def check_fold(fold, fname):
    """None, "lower" or "casefold", as the C counters check it."""
    if fold is None or fold in FOLDS:
        return fold
    if not isinstance(fold, str):
        raise TypeError(f"{fname}() argument 'fold' must be str or None, "
                        f"not {type(fold).__name__}")
    raise ValueError(f"{fname}() argument 'fold' must be None, 'lower' or 'casefold', "
                     f"not {fold!r}")


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


def codec_name(encoding):
    return codecs.lookup(encoding).name


@functools.cache
def unicode_spaces():
    """str.isspace's characters (none lies past U+3000: tests/test_rule.py)."""
    return "".join(c for c in map(chr, range(0x3001)) if c.isspace())


#: What str.isspace finds among the ASCII characters.
ASCII_SPACES = bytes([*range(0x09, 0x0E), *range(0x1C, 0x21)])


@functools.cache
def eight_bit_spaces(name):
    """The bytes from 0x80 that the codec `name` decodes to whitespace, if each
    of its bytes is one character (a multi-byte decoder keeps a lead byte
    waiting for the next); else None."""
    decoder = codecs.getincrementaldecoder(name)()
    chars = []
    for byte in range(256):
        try:
            char = decoder.decode(bytes([byte]))
        except UnicodeDecodeError:
            char = ""
            decoder.reset()
        else:
            if char == "" or len(char) > 1:
                return None
        chars.append(char)
    if bytes(b for b in range(0x80) if chars[b].isspace()) != ASCII_SPACES:
        return None
    return bytes(b for b in range(0x80, 256) if chars[b].isspace())


def byte_rule(sep, encoding, fname):
    """How bytes holding text in `encoding` (None: the bytes themselves)
    split into words by `sep`, as the C side takes it (wc_parse_byte_rule):
    None for sep=" ", else (None, spaces)."""
    if sep is not None:
        return None
    if encoding is None:
        return (None, None)  # bytes.split()'s whitespace
    name = codec_name(encoding)
    if name == "utf-8":
        return (None, "utf-8")
    spaces = eight_bit_spaces(name)
    if spaces is None or len(spaces) > 2:
        raise ValueError(
            f"{fname}() argument 'encoding': {encoding!r} cannot be counted exactly with "
            "sep=None: its whitespace is not one byte a character, and its bytes for "
            "U+3000 and the like may also end one character and begin another; use "
            "utf-8 or an 8-bit encoding, or decode the text and count the str")
    return (None, spaces)


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


class EncodedSearch:
    """A search of bytes that hold text in an encoding, or bytes themselves:
    the needle as the bytes hold it, and how they split and fold. Counts an
    open file (count_fd) or a buffer (count_bytes, for Dask's blocks)."""

    def __init__(self, needle, *, encoding, sep, fold, fname):
        sep, fold = check_sep(sep, fname), check_fold(fold, fname)
        if isinstance(needle, str):
            if encoding is None:
                raise TypeError(f"{fname}() argument 'encoding' must be str when 'needle' "
                                "is str, not NoneType")
            self.codec = check_encoding(encoding, fname)
        else:
            if encoding is not None and not isinstance(encoding, str):
                raise TypeError(f"{fname}() argument 'encoding' must be str or None, "
                                f"not {type(encoding).__name__}")
            try:
                needle = bytes(memoryview(needle))
            except TypeError:
                raise TypeError(f"{fname}() argument 'needle' must be str or a bytes-like "
                                f"object, not {type(needle).__name__}") from None
            self.codec = None  # a bytes needle: the bytes rule
        self.rule = byte_rule(sep, self.codec, fname)
        self.fold = fold
        # Folding a str needle folds decoded words; a bytes one, bytes.lower().
        self.folded = getattr(needle, fold)() if fold and self.codec else None
        if self.folded == "":
            self.folded = None  # only the empty word folds to "": no fold needed
            needle = ""
        if self.codec and self.folded is None:
            needle = encode_needle(needle, self.codec, fname)
        elif fold and not self.codec:
            needle = needle.lower()
        self.needle = needle

    def _kernel(self):
        return {"rule": self.rule, "fold_ascii": bool(self.fold) and self.codec is None}

    def _candidates(self, add):
        """The folded search: the words that may fold to the needle, each
        distinct one decoded (undecodable bytes kept as they are, which no
        str needle matches) and folded."""
        filtered = FILTERED_FOLDS.get(self.codec)
        only = None if filtered is None else (self.folded, self.fold, filtered)
        tally = _Tally(rule=self.rule)
        add(tally, only)
        words = tally.counter(self.codec, fold=self.fold, errors="surrogateescape")
        return words[self.folded]

    def count_fd(self, fd, threads=None, name=None):
        if self.folded is not None:
            return self._candidates(
                lambda tally, only: tally.add_fd(fd, threads=threads, name=name, only=only))
        return _count_fd(fd, self.needle, threads=threads, name=name, **self._kernel())

    def count_bytes(self, data, threads=None):
        if self.folded is not None:
            return self._candidates(
                lambda tally, only: tally.add(data, threads=threads, only=only))
        return _count_bytes(data, self.needle, threads=threads, **self._kernel())


def encode_needle(needle, codec, fname):
    try:
        return needle.encode(codec)
    except UnicodeEncodeError as error:
        raise ValueError(f"{fname}() argument 'needle' cannot be encoded in "
                         f"{codec!r}: {error.reason}") from None


class EncodedCounts:
    """Word frequencies of bytes that hold text in an encoding (None: bytes
    keys): a _Tally to add files or buffers to, and its Counter."""

    def __init__(self, *, encoding, sep, fold, fname):
        self.fold = check_fold(fold, fname)
        self.sep = sep = check_sep(sep, fname)
        self.codec = None
        if encoding is not None:
            self.codec = check_encoding(encoding, fname, "pass encoding=None for bytes keys")
        self.rule = byte_rule(sep, self.codec, fname)

    def tally(self):
        return _Tally(rule=self.rule)

    def counter(self, tally, name=None, errors=None):
        return tally.counter(self.codec, name=name, fold=self.fold, errors=errors)


def search_file(path, needle, *, threads=None, encoding="utf-8", sep=" ", fold=None):
    """Count the words of the file at `path` equal to `needle`, by the rule of
    `search` (`sep`, `fold`), on `threads` threads with the GIL released. A
    regular file is memory-mapped, never read into a Python object (files
    larger than memory work); anything else is read in blocks. A str needle
    counts what the file's text in `encoding` holds (which must write space,
    "\\n" and "\\r" as single bytes; with sep=None, its whitespace too: UTF-8
    and 8-bit encodings); a bytes needle counts the bytes as they are, by the
    rule of bytes (encoding is then not used). A file that shrinks while it
    is counted raises OSError (EIO).
    """
    check_path(path, "search_file")
    threads = check_threads(threads, "search_file")
    searching = EncodedSearch(needle, encoding=encoding, sep=sep, fold=fold, fname="search_file")
    with open(path, "rb", buffering=0) as file:
        return searching.count_fd(file.fileno(), threads=threads, name=path)


def counts_file(path, *, threads=None, encoding="utf-8", sep=" ", fold=None):
    """Every word of the file at `path` and how often it occurs, by the rule
    of `counts` (`sep`, `fold`): a Counter in order of first appearance,
    counted like `search_file` (mapped, or read in blocks; GIL released).
    Keys are decoded with `encoding`, which must write space, "\\n" and "\\r"
    as single bytes (with sep=None, its whitespace too: UTF-8 and 8-bit
    encodings); `encoding=None` gives bytes keys, by the rule of bytes.
    Bytes that do not decode are a ValueError naming the file and their
    offset.
    """
    check_path(path, "counts_file")
    threads = check_threads(threads, "counts_file")
    counting = EncodedCounts(encoding=encoding, sep=sep, fold=fold, fname="counts_file")
    tally = counting.tally()
    with open(path, "rb", buffering=0) as file:
        tally.add_fd(file.fileno(), threads=threads, name=path)
    return counting.counter(tally, name=path)
