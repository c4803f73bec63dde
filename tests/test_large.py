"""Sizes past 2**31 units and counts past 2**32: size_t end to end."""
import pytest

import word_count

pytestmark = pytest.mark.slow


def test_bytes_count_past_2_to_the_32():
    spaces = b" " * (2**32 + 1)  # 2**32 + 1 spaces: 2**32 + 2 empty words
    assert word_count.search(spaces, b"") == 2**32 + 2
    assert word_count.search_sequential_allow_threads(memoryview(spaces), b"") == 2**32 + 2
    assert word_count.search(spaces, b" ") == 0


def test_str_past_2_to_the_31_units():
    text = "a " * (2**30 + 5) + "\u0101"  # 2**31 + 11 units, 2-byte form: 4 GiB
    assert len(text) > 2**31
    assert word_count.search(text, "a") == 2**30 + 5
    assert word_count.search_sequential_allow_threads(text, "\u0101") == 1


def test_str_count_past_2_to_the_31():
    spaces = " " * (2**31 + 1)  # 2**31 + 2 empty words, 1-byte form: 2 GiB
    assert word_count.search(spaces, "") == 2**31 + 2
    assert word_count.search_sequential(spaces, "") == 2**31 + 2
