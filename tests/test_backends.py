"""Every backend the CPU runs, forced in turn, against the reference on every
length around the vector widths and every needle length from 0 to 70; and
the word tables' separators of each, forced in a child interpreter."""
import random
import textwrap

import pytest

import word_count
from word_count._wordcount import _backends, _count_with
from child import run_python
from rule_cases import SEPARATORS, WIDENERS, needle_of, text_around

BACKENDS = _backends()

@pytest.mark.parametrize("kind", ["str1", "str2", "str4", "bytes"])
@pytest.mark.parametrize("needle_length", range(71))
@pytest.mark.parametrize("ends_in_cr", [False, True], ids=["plain", "ends_in_cr"])
def test_every_length_and_needle(kind, needle_length, ends_in_cr):
    """Every backend agrees with the scalar one and with search_py; bytes are
    the UTF-8 of 2-byte-form texts, so multi-byte sequences cross every lane."""
    form = 2 if kind == "bytes" else int(kind[-1])
    needle = needle_of(needle_length, form)
    if ends_in_cr and needle:
        needle = needle[:-1] + "\r"  # may not end right before "\n"
    for length in range(301):
        text = text_around(needle, length, seed=length)
        if form > 1 and length:
            text = text[:-1] + WIDENERS[form]  # the whole text in that form
        if kind == "bytes":
            text, needle_of_kind = text.encode()[:length], needle.encode()
        else:
            needle_of_kind = needle
        expected = word_count.search_py(text, needle_of_kind)
        assert _count_with(text, needle_of_kind, "scalar") == expected, (text, needle)
        for backend in BACKENDS:
            count = _count_with(text, needle_of_kind, backend)
            assert count == expected, (backend, text, needle_of_kind)


@pytest.mark.parametrize("offset", range(64))
def test_bytes_at_every_alignment(offset):
    needle = b"is"
    padded = b"x" * offset + (b"is it is\r\nis  this is\n" * 20)
    for length in range(0, 260, 7):
        view = memoryview(padded)[offset:offset + length]
        expected = word_count.search_py(view, needle)
        for backend in BACKENDS:
            assert _count_with(view, needle, backend) == expected, (backend, offset, length)


#: Units the vector backends narrow to one byte (0 or 0xFF), beside the
#: units they could be taken for, by form.
COLLIDERS = {2: "a\x00\xff\u0100\u017f\u7fff\u8000\uffff",
             4: "a\x00\xff\u0100\u8000\uffff\U00010000\U0001f600\U0010ffff"}


@pytest.mark.parametrize("form", [2, 4])
@pytest.mark.parametrize("needle_length", [1, 2, 3, 5])
def test_units_the_narrowing_maps_alike(form, needle_length):
    """Needles of colliding units among words of other colliding units, long
    enough for the block scan, on every backend."""
    rng = random.Random(form * 10 + needle_length)
    for _ in range(20):
        word = lambda: "".join(rng.choice(COLLIDERS[form]) for _ in range(needle_length))
        needle = word()
        words = [needle, *(word() for _ in range(6))]
        text = "".join(rng.choice(words) + rng.choice(SEPARATORS) for _ in range(300))
        text += WIDENERS[form]
        expected = word_count.search_py(text, needle)
        for backend in BACKENDS:
            assert _count_with(text, needle, backend) == expected, (backend, text, needle)


@pytest.mark.parametrize("form", [1, 2, 4])
def test_texts_read_from_memory(form):
    """Over 8 MiB in every form: the loops that fetch ahead (kernel_simd.h),
    against the scalar backend, itself checked against search_py once."""
    needles = ["", "a", "ab", "abc", "a\r"] + ([WIDENERS[form] + "b"] if form > 1 else [])
    block = text_around("abc", 4000, seed=form) + WIDENERS[form]
    text = block * ((9 << 20) // (len(block) * form) + 1)
    assert _count_with(text, "ab", "scalar") == word_count.search_py(text, "ab")
    for needle in needles:
        expected = _count_with(text, needle, "scalar")
        for backend in BACKENDS:
            assert _count_with(text, needle, backend) == expected, (backend, needle)
            assert _count_with(text, needle, backend, threads=2) == expected, (backend, needle)


#: Counts texts whose "\r\n", lone "\r", "\n" and spaces fall on every unit
#: around the 64-unit blocks of the word tables (a "\r" ending one block and
#: its "\n" starting the next), in every form and by both rules, and prints
#: each text the counts get wrong.
COUNTS_AT_EVERY_EDGE = textwrap.dedent("""
    import random, word_count
    rng = random.Random(7)
    for widener in %r:
        for offset in range(130):
            pieces = ["ab", "c", "", "\\r", "d\\r", widener, "x" * 9]
            text = "w" * offset + "".join(rng.choice(pieces) + rng.choice(%r)
                                          for _ in range(60)) + widener
            for contents in (text, text.encode()):
                for sep in (" ", None):
                    for cut in (len(contents), len(contents) - 1):
                        c = contents[:cut]
                        if word_count.counts(c, sep=sep, threads=1) != word_count.counts_py(c, sep=sep):
                            print(repr((c, sep)))
    print("done")
""") % (list(WIDENERS.values()), SEPARATORS + ["\r\r\n"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_word_tables_every_backend(backend):
    out = run_python(COUNTS_AT_EVERY_EDGE, WORD_COUNT_BACKEND=backend)
    assert out == "done\n", (backend, out[:2000])
