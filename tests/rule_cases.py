"""The counting rule's cases and texts built around a needle, shared by the
tests and by the valgrind run (which imports nothing else: see valgrind_check.py)."""
import itertools

CASES = [
    # (contents, needle, count, why)
    ("", "", 0, "the empty text has no lines"),
    ("", "a", 0, "nothing to find"),
    ("a", "a", 1, "one line, one word"),
    ("foo bar foo", "foo", 2, "words split at spaces"),
    ("Foo foo FOO", "foo", 1, "case-sensitive"),
    ("foobar barfoo foo", "foo", 1, "whole words only"),
    ("a  a", "", 1, "two spaces make an empty word"),
    ("a  a", "a", 2, "the empty word does not hide its neighbours"),
    (" ", "", 2, "a lone space: two empty words"),
    ("a\tb a", "a", 1, "a tab belongs to its word"),
    ("a\tb", "a\tb", 1, "so a needle may hold one"),
    ("a\nb\na", "a", 2, "\\n ends a line"),
    ("a\r\nb\r\na\r\n", "a", 2, "\\r\\n ends a line"),
    ("a\rb a", "a", 1, "a lone \\r belongs to its word"),
    ("a\r", "a", 0, "at the very end of the text too"),
    ("a\r", "a\r", 1, "so the needle with the \\r counts"),
    ("a\r\n", "a\r", 0, "but not when the \\r is the line ending's"),
    ("a\r\r\n", "a\r", 1, "only the last \\r before \\n is"),
    ("a\r \r", "\r", 1, "a \\r between spaces is a word"),
    ("\n", "", 1, "one empty line is one empty word"),
    ("\n\n", "", 2, "two empty lines"),
    ("a\n", "", 0, "no line after a final \\n"),
    ("a \n", "", 1, "a line ending in a space ends in an empty word"),
    ("a ", "", 1, "at the end of the text too"),
    ("a \r\n", "", 1, "and before \\r\\n"),
    ("\r\n", "", 1, "\\r\\n alone is one empty line"),
    ("\r", "", 0, "a lone \\r is a line holding one word, \\r"),
    ("\r", "\r", 1, "which the needle \\r counts"),
    ("a b", "a b", 0, "a needle holding a space never matches"),
    ("a\nb", "a\nb", 0, "nor one holding \\n"),
    ("a\x0bb a\x0cb a\x1cb a\x85b a\u2028b", "a", 0, "no other line breaks (str.splitlines has more)"),
    ("a\u2028b a", "a\u2028b", 1, "a U+2028 belongs to its word"),
    ("is this is", "is", 2, "the seed's needle"),
]


#: One character per PEP 393 form, to widen a text into that form.
WIDENERS = {1: "", 2: "\u0101", 4: "\U0001f600"}
SEPARATORS = [" ", "\n", "\r\n", "  ", "\r", " \r\n", "\n\n"]


def needle_of(length: int, form: int) -> str:
    """A needle of `length` units whose first and last units recur inside it."""
    units = "ab" + WIDENERS[form] + "c"
    return "".join(units[i % len(units)] for i in range(length))


def text_around(needle: str, length: int, seed: int) -> str:
    """`length` units of needles, near-misses and separators of every kind, so
    that matches fall on every lane and at the very end of the text."""
    near_misses = [needle[:-1], needle + "x", "x" + needle, needle.upper()]
    words = itertools.cycle([needle, needle, *near_misses[seed % 4:], needle + "\r"])
    separators = itertools.cycle(SEPARATORS[seed % len(SEPARATORS):] + SEPARATORS)
    pieces, size = [], 0
    while size < length:
        piece = next(words) + next(separators)
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces)[:length]
