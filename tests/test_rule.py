"""The counting rule, case by case, for every counter on str and bytes."""
import pytest

from rule_cases import CASES

def encode(text: str) -> bytes:
    return text.encode("utf-8")


@pytest.mark.parametrize("contents, needle, expected, why", CASES, ids=[c[3] for c in CASES])
def test_str(count, contents, needle, expected, why):
    assert count(contents, needle) == expected, why


@pytest.mark.parametrize("contents, needle, expected, why", CASES, ids=[c[3] for c in CASES])
def test_bytes(count, contents, needle, expected, why):
    assert count(encode(contents), encode(needle)) == expected, why


def test_zen_of_python_has_ten_is(count, zen):
    assert count(zen, "is") == 10
    assert count(zen * 1000, "is") == 10_000
