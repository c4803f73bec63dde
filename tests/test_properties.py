"""Property tests: every counter agrees with the pure-Python reference."""
import array

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import word_count
from counters import every_counter
from strategies import BYTES_LIKE, any_form_text_and_needle, needles, texts

BACKENDS = word_count._wordcount._backends()


@every_counter
@given(any_form_text_and_needle())
@settings(max_examples=400)
def test_str_every_form(count, text_and_needle):
    text, needle = text_and_needle
    assert count(text, needle) == word_count.search_py(text, needle)


@every_counter
@given(texts(4).map(lambda t: t.encode("utf-8", "surrogatepass")),
       needles(4).map(lambda t: t.encode("utf-8", "surrogatepass")),
       st.sampled_from(sorted(BYTES_LIKE)), st.sampled_from(sorted(BYTES_LIKE)))
@settings(max_examples=300)
def test_bytes_like(count, text, needle, text_type, needle_type):
    expected = word_count.search_py(text, needle)
    assert count(BYTES_LIKE[text_type](text), BYTES_LIKE[needle_type](needle)) == expected


def test_wider_buffer_items_count_as_bytes(c_count):
    text = array.array("H", [0x6120, 0x2061])  # b" aa " on little-endian
    assert c_count(text, b"aa") == word_count.search_py(text.tobytes(), b"aa")


@st.composite
def large_texts(draw):
    """Hundreds of kB, so that `search` cuts it into chunks for threads."""
    form = draw(st.sampled_from([1, 2, 4]))
    block = draw(texts(form, max_pieces=200).filter(bool))
    units = draw(st.integers(300_000, 1_200_000))  # over 256 KiB in any form
    text = (block * (units // len(block) + 1))[:units]
    return text, draw(needles(form))


@given(large_texts(), st.integers(1, 8))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_large_inputs_on_every_thread_count(text_and_needle, threads):
    text, needle = text_and_needle
    expected = word_count.search_py(text, needle)
    assert word_count.search(text, needle, threads=threads) == expected
    data, bneedle = text.encode("utf-8", "surrogatepass"), needle.encode("utf-8", "surrogatepass")
    assert word_count.search(data, bneedle, threads=threads) == word_count.search_py(data, bneedle)


@pytest.mark.parametrize("backend", BACKENDS)
@given(any_form_text_and_needle(), st.integers(1, 8))
@settings(max_examples=300)
def test_every_backend_cut_anywhere(backend, text_and_needle, threads):
    """Small texts cut into chunks of a few units, so words straddle every cut."""
    text, needle = text_and_needle
    expected = word_count.search_py(text, needle)
    count = word_count._wordcount._count_with(text, needle, backend, threads=threads,
                                              parallel_min_bytes=0)
    assert count == expected
