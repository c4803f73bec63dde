"""Hypothesis strategies for texts that make the rule's edge cases common."""
import array
import mmap

from hypothesis import strategies as st

SEPARATORS = [" ", "  ", "\n", "\r", "\r\n", "\n\n", " \r\n"]

#: Word pieces by the PEP 393 form they force: 1 byte (ASCII, Latin-1),
#: 2 bytes (BMP, U+2028, a lone surrogate), 4 bytes (astral). Among them the
#: units that the vector backends narrow to the same byte, 0 or 0xFF.
PIECES = {
    1: ["a", "b", "ab", "is", "\t", "\xe9", "\x85", "\x0b", "\x00", "\xff"],
    2: ["\u0101", "\u2028", "\ud800", "\udfff", "a\u0101", "\u0100", "\u8000", "\uffff"],
    4: ["\U0001f600", "a\U0001f600", "\U0010ffff", "\U00010000"],
}


def pieces_of_form(form: int) -> list[str]:
    return [p for f in (1, 2, 4) if f <= form for p in PIECES[f]]


def texts(form: int, max_pieces: int = 80):
    """Texts of at most `form` bytes a character, separators common."""
    return st.lists(
        st.sampled_from(pieces_of_form(form) + SEPARATORS), max_size=max_pieces
    ).map("".join)


def needles(form: int):
    """Mostly words the texts hold; sometimes "\\r", a space or "\\n" inside."""
    word_pieces = pieces_of_form(form)
    return st.one_of(
        st.lists(st.sampled_from(word_pieces), max_size=3).map("".join),
        st.lists(st.sampled_from(word_pieces + ["\r", " ", "\n"]), max_size=4).map("".join),
    )


def any_form_text_and_needle():
    return st.tuples(st.sampled_from([1, 2, 4]), st.sampled_from([1, 2, 4])).flatmap(
        lambda forms: st.tuples(texts(forms[0]), needles(forms[1]))
    )


def _as_mmap(data: bytes):
    if not data:
        return b""  # mmap cannot map zero bytes
    m = mmap.mmap(-1, len(data))
    m.write(data)
    return m


#: bytes-like wrappers the C counters must read as bytes.
BYTES_LIKE = {
    "bytes": bytes,
    "bytearray": bytearray,
    "memoryview": memoryview,
    "array": lambda data: array.array("B", data),
    "mmap": _as_mmap,
}
