"""The rules words are found by, sep=" " and sep=None, and the folds, in every
counter: each agrees with the pure-Python reference on every str form and
every bytes-like, with the threads cutting texts anywhere; sep=None's
whitespace is str.isspace's (bytes.split's for bytes) exactly, and folding is
CPython's own."""
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import word_count
from word_count import _wordcount, counts, counts_py, search_py
from counters import every_counter
from strategies import (BYTES_LIKE, FOLDS, SEPS, any_form_rule_text_and_needle,
                        rule_needles, rule_texts)

BACKENDS = _wordcount._backends()
rules = st.tuples(st.sampled_from(SEPS), st.sampled_from(FOLDS))


def same(result, expected):
    """Equal, and in the same order: Counter equality ignores order."""
    assert type(result) is Counter
    assert list(result.items()) == list(expected.items())


def utf8(text):
    return text.encode("utf-8", "surrogatepass")


@every_counter
@given(any_form_rule_text_and_needle(), rules)
@settings(max_examples=300)
def test_every_counter_every_form_every_rule(count, text_and_needle, rule):
    text, needle = text_and_needle
    sep, fold = rule
    assert count(text, needle, sep=sep, fold=fold) == search_py(text, needle, sep=sep, fold=fold)


@every_counter
@given(rule_texts(4).map(utf8), rule_needles(4).map(utf8),
       st.sampled_from(sorted(BYTES_LIKE)), rules)
@settings(max_examples=200)
def test_every_counter_bytes_like_every_rule(count, text, needle, kind, rule):
    sep, fold = rule
    expected = search_py(text, needle, sep=sep, fold=fold)
    assert count(BYTES_LIKE[kind](text), BYTES_LIKE[kind](needle), sep=sep, fold=fold) == expected


@pytest.mark.parametrize("backend", BACKENDS)
@given(any_form_rule_text_and_needle(), rules, st.integers(1, 4))
@settings(max_examples=150)
def test_every_backend_every_rule_cut_anywhere(backend, text_and_needle, rule, threads):
    """Small texts cut into chunks of a few units, so that whitespace and
    folding units straddle every cut."""
    text, needle = text_and_needle
    sep, fold = rule
    for contents, word in ((text, needle), (utf8(text), utf8(needle))):
        count = _wordcount._count_with(contents, word, backend, threads=threads,
                                       parallel_min_bytes=0, sep=sep, fold=fold)
        assert count == search_py(contents, word, sep=sep, fold=fold)


@given(st.sampled_from([1, 2, 4]).flatmap(rule_texts), rules, st.integers(1, 4),
       st.integers(1, 12))
@settings(max_examples=300)
def test_counts_every_form_every_rule_cut_anywhere(text, rule, threads, chunk_bytes):
    sep, fold = rule
    for contents in (text, utf8(text)):
        expected = counts_py(contents, sep=sep, fold=fold)
        same(counts(contents, threads=threads, sep=sep, fold=fold), expected)
        same(_wordcount._counts_chunked(contents, threads=threads, chunk_bytes=chunk_bytes,
                                        sep=sep, fold=fold), expected)


@given(rule_texts(4).map(utf8), st.sampled_from(sorted(BYTES_LIKE)), rules)
@settings(max_examples=100)
def test_counts_every_bytes_like_every_rule(data, kind, rule):
    sep, fold = rule
    same(counts(BYTES_LIKE[kind](data), sep=sep, fold=fold), counts_py(data, sep=sep, fold=fold))


@st.composite
def large_rule_texts(draw):
    """Over 256 KiB in any form, so that the threads cut it into chunks."""
    form = draw(st.sampled_from([1, 2, 4]))
    block = draw(rule_texts(form, max_pieces=120).filter(bool))
    units = draw(st.integers(300_000, 900_000))
    return (block * (units // len(block) + 1))[:units], draw(rule_needles(form))


@given(large_rule_texts(), rules, st.integers(1, 4))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_large_texts_every_rule_on_threads(text_and_needle, rule, threads):
    text, needle = text_and_needle
    sep, fold = rule
    assert word_count.search(text, needle, threads=threads, sep=sep, fold=fold) == \
        search_py(text, needle, sep=sep, fold=fold)
    same(counts(text, threads=threads, sep=sep, fold=fold), counts_py(text, sep=sep, fold=fold))
    data, word = utf8(text), utf8(needle)
    assert word_count.search(data, word, threads=threads, sep=sep, fold=fold) == \
        search_py(data, word, sep=sep, fold=fold)


# ---- what the issue promises, as users write it ------------------------------

@given(st.sampled_from([1, 2, 4]).flatmap(rule_texts))
@settings(max_examples=300)
def test_the_idioms(text):
    """counts(t, sep=None, fold="lower") is Counter(t.lower().split()), order
    included; with sep=" ", counts of the lowered text; and a casefolded
    search is the list idiom's count."""
    same(counts(text, sep=None, fold="lower"), Counter(text.lower().split()))
    same(counts(text, fold="lower"), counts_py(text.lower()))
    for word in set(text.split()[:5]):
        expected = [x.casefold() for x in text.split()].count(word.casefold())
        assert word_count.search(text, word, sep=None, fold="casefold") == expected


def test_sep_none_is_split():
    text = "a  b\tc\u3000d\xa0e\x1cf\u200bg\r\nh\u2028"
    assert counts(text, sep=None) == Counter(text.split())
    assert list(counts(text, sep=None)) == ["a", "b", "c", "d", "e", "f\u200bg", "h"]
    data = text.encode()
    assert list(counts(data, sep=None)) == data.split()   # bytes: ASCII whitespace only
    assert word_count.search("  ", "", sep=None) == 0     # no empty words
    assert word_count.search(" a ", "a", sep=None) == 1


@pytest.mark.parametrize("text, needle, fold, count", [
    ("Straße STRASSE strasse", "strasse", "casefold", 3),
    ("Straße STRASSE strasse", "strasse", "lower", 2),
    ("\u212a k K", "k", "casefold", 3),                     # the Kelvin sign
    ("\u212a k K", "\u212a", "lower", 3),
    ("\u0130 i\u0307 i", "i\u0307", "lower", 2),            # dotted capital I, two long
    ("\u017ft st", "st", "casefold", 2),                    # long s
    ("\ufb00 ff FF", "ff", "casefold", 3),                  # a ligature, one unit
    ("\u0391\u03a3 \u03b1\u03c2 \u03b1\u03c3", "\u03b1\u03c2", "lower", 2),   # final sigma
    ("\u0391\u03a3 \u03b1\u03c2 \u03b1\u03c3", "\u03b1\u03c3", "casefold", 3),
    ("\u13a0 \uab70", "\uab70", "casefold", 2),             # Cherokee
    ("\U00010400 \U00010428", "\U00010428", "lower", 2),    # Deseret, astral
])
def test_folds_as_cpython_folds(text, needle, fold, count):
    for sep in SEPS:
        assert search_py(text, needle, sep=sep, fold=fold) == count
        for counter in (word_count.search, word_count.search_sequential,
                        word_count.search_sequential_allow_threads):
            assert counter(text, needle, sep=sep, fold=fold) == count
        assert counts(text, sep=sep, fold=fold)[getattr(needle, fold)()] == count


def test_bytes_fold_is_bytes_lower():
    data = "Straße STRASSE \xc9t\xe9 \xe9t\xe9".encode("latin-1")
    for fold in ("lower", "casefold"):
        assert word_count.search(data, b"strasse", sep=None, fold=fold) == 1
        assert word_count.search(data, b"\xc9T\xc9", fold=fold) == 0   # only A-Z fold
        assert word_count.search(data, b"\xe9t\xe9", fold=fold) == 1
        assert counts(data, fold=fold) == Counter(data.lower().split(b" "))


def test_folding_changes_nothing_it_is_given():
    """A folded needle is a new object: CPython shares bytes of one byte, and
    str needles are immutable too."""
    needle, data = b"A", bytearray(b"a A")
    assert word_count.search(data, needle, fold="lower") == 2
    assert needle == b"A" and bytes([65]) == b"A" and data == bytearray(b"a A")
    text_needle = "A"
    assert word_count.search("a \xe9 A", text_needle, fold="casefold") == 2
    assert text_needle == "A"


# ---- the whitespace, every character -----------------------------------------

def every_character_between(left, right):
    """left + c + right + " " for every code point c."""
    return "".join(f"{left}{chr(c)}{right} " for c in range(0x110000))


def test_sep_none_splits_str_at_str_isspace_and_nothing_else():
    text = every_character_between("x", "y")
    expected = Counter(text.split())
    same(counts(text, sep=None), expected)
    spaces = sum(1 for c in range(0x110000) if chr(c).isspace())
    assert word_count.search(text, "x", sep=None) == spaces


def test_sep_none_splits_bytes_at_bytes_split_and_nothing_else():
    data = b"".join(b"x%cy " % c for c in range(256))
    same(counts(data, sep=None), Counter(data.split()))


def test_no_space_past_u3000_and_no_fold_past_plane_1():
    """What csrc/rule.h and csrc/fold.c rely on, checked on this Python:
    str.isspace's last character is U+3000, and no character from U+20000
    on folds (so the fold table spans planes 0 and 1)."""
    assert max(c for c in range(0x110000) if chr(c).isspace()) == 0x3000
    rest = "".join(map(chr, range(0x20000, 0x110000)))
    assert rest.lower() == rest and rest.casefold() == rest


def test_no_character_folds_to_whitespace_or_to_nothing():
    """A folded needle holds whitespace only if the needle does, and no word
    folds to the empty word."""
    for c in map(chr, range(0x20000)):
        for folded in (c.lower(), c.casefold()):
            assert folded and not any(f.isspace() for f in folded) or c.isspace(), hex(ord(c))


# ---- arguments -----------------------------------------------------------------

COUNTERS = {
    "search": lambda **kw: word_count.search("a b", "a", **kw),
    "search_sequential": lambda **kw: word_count.search_sequential("a b", "a", **kw),
    "search_sequential_allow_threads":
        lambda **kw: word_count.search_sequential_allow_threads(b"a b", b"a", **kw),
    "search_py": lambda **kw: search_py("a b", "a", **kw),
    "counts": lambda **kw: counts("a b", **kw),
    "counts_py": lambda **kw: counts_py(b"a b", **kw),
}


@pytest.mark.parametrize("name", list(COUNTERS))
@pytest.mark.parametrize("sep, error, message", [
    ("", ValueError, "must be ' ' \\(split at every space\\) or None .*, not ''"),
    ("ab", ValueError, "must be ' ' .*, not 'ab'"),
    ("\t", ValueError, "must be ' ' .*, not '\\\\t'"),
    (1, TypeError, "must be str or None, not int"),
    (b" ", TypeError, "must be str or None, not bytes"),
])
def test_bad_sep_is_an_error_that_names_it(name, sep, error, message):
    with pytest.raises(error, match=f"^{name}\\(\\) argument 'sep' {message}$"):
        COUNTERS[name](sep=sep)


@pytest.mark.parametrize("name", list(COUNTERS))
@pytest.mark.parametrize("fold, error, message", [
    ("upper", ValueError, "must be None, 'lower' or 'casefold', not 'upper'"),
    ("", ValueError, "must be None, 'lower' or 'casefold', not ''"),
    (True, TypeError, "must be str or None, not bool"),
])
def test_bad_fold_is_an_error_that_names_it(name, fold, error, message):
    with pytest.raises(error, match=f"^{name}\\(\\) argument 'fold' {message}$"):
        COUNTERS[name](fold=fold)


@pytest.mark.parametrize("name", list(COUNTERS))
def test_sep_and_fold_are_keyword_only(name):
    for kw in ({"sep": None}, {"fold": "lower"}, {"sep": " ", "fold": None}):
        COUNTERS[name](**kw)
    with pytest.raises(TypeError):
        word_count.search("a", "a", None, None)
