"""Hypothesis strategies for texts that make the rule's edge cases common."""
import array
import mmap

from hypothesis import strategies as st

SEPARATORS = [" ", "  ", "\n", "\r", "\r\n", "\n\n", " \r\n"]

#: Word pieces by the PEP 393 form they force: 1 byte (ASCII, Latin-1),
#: 2 bytes (BMP, U+2028, a lone surrogate), 4 bytes (astral). Among them the
#: units that the vector backends narrow to the same byte, 0 or 0xFF, one
#: whose bytes read as narrowed units ("\u6261": "ab"), and units of one low
#: byte on several pages of 256 (the word tables key a word of one page by
#: its low bytes: "0", "\u0430", "\u0530", and "\u7f30" by the page that a
#: 4-byte str's keys leave out).
PIECES = {
    1: ["a", "b", "ab", "is", "\t", "\xe9", "\x85", "\x0b", "\x00", "\xff", "0"],
    2: ["\u0101", "\u2028", "\ud800", "\udfff", "a\u0101", "\u0100", "\u8000", "\uffff", "\u6261",
        "\u0430", "\u0530", "\u0430\u0431", "\u7f30"],
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


# ---- the rules: sep=None's whitespace and the folds ----------------------

#: str.isspace's characters and their neighbours, by the PEP 393 form they
#: force: the ones bytes.split() knows too, the ones it does not, and some
#: that look like whitespace but are not (U+200B, U+180E, U+FEFF, U+1FFF).
SPACES = {
    1: [" ", "\t", "\n", "\x0b", "\x0c", "\r", "\r\n", "\x1c", "\x1f", "\x85", "\xa0", "  \t",
        "\x1b", "\x84", "\xa1"],
    2: ["\u1680", "\u2000", "\u2005", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f",
        "\u3000", "\u200b", "\u180e", "\ufeff", "\u1fff", "\u3001", "\u167f"],
    4: ["\U00010000", "\U0001f600"],
}

#: Words whose fold is not simply themselves in lower case: capitals,
#: characters that fold to ASCII (the Kelvin sign, the long s, the ligatures,
#: the dotted capital I), that change length (sharp s, ligatures), sigma in
#: every position, Cherokee (casefold maps its small letters to capitals) and
#: Deseret (astral).
FOLDING = {
    1: ["a", "A", "is", "IS", "Is", "the", "THE", "k", "s", "ss", "SS", "st", "ff", "fi",
        "\xdf", "\xb5", "\xe9", "\xc9", "\xff", "i", "I"],
    2: ["\u212a", "\u212b", "\u017f", "\u1e9e", "\u0130", "\u0131", "\ufb00", "\ufb01",
        "\ufb05", "\u0149", "\u0390", "\u03a3", "\u03c3", "\u03c2", "\u0391\u03a3",
        "\u0391\u03a3\u0391", "\u13a0", "\uab70", "\u01c5", "\u1fb3", "\u03bc", "\u0399",
        "\ud800"],
    4: ["\U00010400", "\U00010428", "\U0001e900", "\U0001e922"],
}


def rule_pieces(form: int) -> list[str]:
    return [p for f in (1, 2, 4) if f <= form for p in SPACES[f] + FOLDING[f]]


def rule_texts(form: int, max_pieces: int = 60):
    """Texts of at most `form` bytes a character, where every rule and every
    fold has something to decide."""
    return st.lists(st.sampled_from(rule_pieces(form)), max_size=max_pieces).map("".join)


def rule_needles(form: int):
    """Mostly one to three folding pieces; sometimes whitespace inside."""
    words = [p for f in (1, 2, 4) if f <= form for p in FOLDING[f]]
    return st.one_of(
        st.lists(st.sampled_from(words), min_size=1, max_size=3).map("".join),
        st.lists(st.sampled_from(words + [" ", "\t", "\u3000"]), max_size=3).map("".join),
    )


def any_form_rule_text_and_needle():
    return st.tuples(st.sampled_from([1, 2, 4]), st.sampled_from([1, 2, 4])).flatmap(
        lambda forms: st.tuples(rule_texts(forms[0]), rule_needles(forms[1])))


#: Every rule and fold a counter takes.
SEPS = [" ", None]
FOLDS = [None, "lower", "casefold"]
