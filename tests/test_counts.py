"""counts, counts_file and _Tally against counts_py, the pure-Python rule:
every word, its count, and the order of first appearance."""
import gc
import os
import random
import subprocess
import sys
import tracemalloc
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import word_count
from word_count import _wordcount, counts, counts_file, counts_py
from strategies import BYTES_LIKE, texts
from test_files import through_a_pipe_of_256_mib


def same(result, expected):
    """Equal, and in the same order: Counter equality ignores order."""
    assert type(result) is Counter
    assert list(result.items()) == list(expected.items())


@given(st.sampled_from([1, 2, 4]).flatmap(texts), st.integers(1, 4))
@settings(max_examples=400)
def test_every_str_form_agrees_with_the_reference(text, threads):
    same(counts(text, threads=threads), counts_py(text))


@given(texts(4), st.integers(1, 4), st.integers(1, 12))
@settings(max_examples=400)
def test_chunks_cut_anywhere_agree(text, threads, chunk_bytes):
    """Threads share a text in chunks cut after a separator: tiny chunks put
    every edge (a "\\r\\n" split, a word longer than a chunk) at a cut."""
    for contents in (text, text.encode("utf-8", "surrogatepass")):
        same(_wordcount._counts_chunked(contents, threads=threads, chunk_bytes=chunk_bytes),
             counts_py(contents))


@given(texts(1), st.sampled_from(sorted(BYTES_LIKE)))
@settings(max_examples=200)
def test_every_bytes_like_gives_bytes_keys(text, kind):
    data = text.encode("latin-1")
    same(counts(BYTES_LIKE[kind](data)), counts_py(data))


@given(st.sampled_from([1, 2, 4]).flatmap(texts))
@settings(max_examples=200)
def test_each_count_is_what_search_counts_and_they_sum_to_the_words(text):
    result = counts(text)
    for word, n in result.items():
        assert word_count.search(text, word) == n
    for absent in ("zz", "a a", "\n"):
        assert result[absent] == word_count.search(text, absent) == 0
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    assert sum(result.values()) == sum(len(line.split(" ")) for line in lines)


@pytest.mark.parametrize("text, expected", [
    ("", {}),
    ("\n", {"": 1}),
    ("a", {"a": 1}),
    ("a ", {"a": 1, "": 1}),
    ("a\n", {"a": 1}),
    ("a\r\n", {"a": 1}),
    ("a\r", {"a\r": 1}),
    ("a \r\n", {"a": 1, "": 1}),
    ("b a\n\na  b\r\n", {"b": 2, "a": 2, "": 2}),
    ("x\ty \u2028 x", {"x\ty": 1, "\u2028": 1, "x": 1}),
])
def test_the_rule_on_its_edges(text, expected):
    same(counts(text), Counter(expected))


@pytest.mark.parametrize("form", ["", "\u0100", "\U0001f600"])
def test_wide_units_that_read_as_narrowed_ones_are_other_words(form):
    """A wide str's words of units below 256 are looked up by those units
    narrowed to a byte each; a word of wider units whose bytes read the same
    ("\u6261" holds the bytes of "ab" narrowed) is another word."""
    text = f"ab \u6261 ab\x00\x00 \u6261\x00 \u6261 ab\x00\x00 x{form} abcdefgh abcdefghi"
    same(counts(text), counts_py(text))
    same(counts(text.encode("utf-8")), counts_py(text.encode("utf-8")))


@pytest.mark.parametrize("form", ["\u0100", "\U0001f600"])
def test_words_of_a_page_are_told_apart_by_page_and_place(form):
    """A wide str's word of up to 8 units, each on page 0 or one other page
    of 256 code points, is looked up by their low bytes, which lie on that
    page, and the page: words of the same low bytes on other pages or in
    other places ("01", "\u0430\u0431", "\u0530\u0531", "0\u0431",
    "\u04300"), of three pages, of 8 and 9 units, and of the pages around
    2**15, where a 4-byte str's units are packed to 16 bits with
    saturation, are each their own word."""
    words = ["01", "\u0430\u0431", "\u0530\u0531", "\u0430\u0531", "0\u0431", "\u04301",
             "\u0430" * 8, "\u0430" * 9, "\u0430" * 7 + "\u0431", "\u0430\u0430\x00",
             "\u0430a" * 4, "a\u0430" * 4, "\u0430\u0142a", "\u0430\u0431,", "\u00ab\u0430\u00bb",
             "za\u0142\u00f3\u0142\u0107", "\u0142\u00f3d\u017a", "\u7f30\u7f31", "\u7f300",
             "\u8030\u8031", "\u80300", "\uff30\uff31", "\u7fff", "\u8fff",
             "\u043f\u0440\u0438\u0432\u0435\u0442", "\u0394\u03b5\u03bd"]
    text = " ".join(words * 3 + words[::-1]) + " x" + form
    for threads in (1, 2):
        same(counts(text, threads=threads), counts_py(text))
    same(counts(text, sep=None), counts_py(text, sep=None))
    same(counts(text.encode("utf-8")), counts_py(text.encode("utf-8")))


def test_most_common_breaks_ties_by_first_appearance():
    text = "c b a b c a d"
    assert counts(text).most_common() == counts_py(text).most_common() == [
        ("c", 2), ("b", 2), ("a", 2), ("d", 1)]


def test_large_texts_in_parallel_agree():
    rng = random.Random(10)
    vocabulary = [f"w{i}" for i in range(60_000)] + ["", "x\r", "long" * 10, "\u0101\u0102"]
    text = "".join(rng.choice(vocabulary) + rng.choice([" ", "\n", "\r\n", "  "])
                   for _ in range(700_000))
    expected = counts_py(text)
    for threads in (1, 2, 3, 8):
        same(counts(text, threads=threads), expected)
    same(counts(text.encode(), threads=2), counts_py(text.encode()))


@pytest.mark.parametrize("call, error, message", [
    (lambda: counts(), TypeError, "missing required argument 'contents'"),
    (lambda: counts(5), TypeError, "counts() argument 'contents' must be str, a bytes-like object or an Arrow"),
    (lambda: counts("a", "b"), TypeError, "counts() takes 1 positional arguments but 2"),
    (lambda: counts("a", threads=0), ValueError, "counts() argument 'threads' must be at least 1"),
    (lambda: counts("a", threads="2"), TypeError, "counts() argument 'threads' must be int"),
    (lambda: counts("a", bad=1), TypeError, "counts() got an unexpected keyword argument 'bad'"),
    (lambda: counts_py(5), TypeError, "counts_py() argument 'contents' must be str or a bytes"),
])
def test_bad_arguments_name_the_parameter(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)


def test_the_text_may_change_after_the_call():
    """Keys are copies: a bytearray counted, then rewritten, keeps its keys."""
    data = bytearray(b"abcdefghijkl mn abcdefghijkl\n")
    result = counts(data)
    data[:] = b"x" * len(data)
    same(result, Counter({b"abcdefghijkl": 2, b"mn": 1}))


# ---- files ---------------------------------------------------------------

@given(texts(4, max_pieces=100), st.integers(1, 24), st.integers(1, 3))
@settings(max_examples=200, deadline=None)
def test_files_agree_mapped_and_through_pipes_in_blocks(tmp_path_factory, text, block, threads):
    data = text.encode("utf-8", "surrogatepass")
    path = tmp_path_factory.mktemp("counts") / "text"
    path.write_bytes(data)
    same(counts_file(path, threads=threads, encoding=None), counts_py(data))
    read_end, write_end = os.pipe()
    os.write(write_end, data)
    os.close(write_end)
    tally = _wordcount._Tally()
    tally.add_fd(read_end, threads=threads, block=block)
    os.close(read_end)
    same(tally.counter(), counts_py(data))


def test_str_keys_are_decoded(tmp_path):
    path = tmp_path / "t"
    text = "caf\u00e9 na\u00efve caf\u00e9\r\n\u00fcber"
    for encoding in ("utf-8", "latin-1", "cp1252"):
        path.write_bytes(text.encode(encoding))
        same(counts_file(path, encoding=encoding), counts_py(text))
    japanese = "\u65e5\u672c \u8a9e \u65e5\u672c\n"
    path.write_bytes(japanese.encode("shift_jis"))
    same(counts_file(str(path), encoding="shift_jis"), counts_py(japanese))


def test_undecodable_bytes_name_the_file_and_offset(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"good words here\nsome caf\xe9 bytes\n")
    with pytest.raises(ValueError) as raised:
        counts_file(path)
    message = str(raised.value)
    assert repr(path) in message and "'utf-8'" in message
    assert "byte offset 24" in message  # b"good words here\nsome caf" is 24 bytes
    assert isinstance(raised.value.__cause__, UnicodeDecodeError)
    same(counts_file(path, encoding="latin-1"), counts_py(path.read_bytes().decode("latin-1")))


def test_a_key_that_fails_late_frees_every_key_made(tmp_path):
    """Keys are made in batches: a failure thousands of words in, with some of
    its batch made and earlier batches in the Counter, leaves nothing held."""
    path = tmp_path / "late.txt"
    good = " ".join(f"w{i}" for i in range(3000))
    path.write_bytes(good.encode() + b" caf\xe9 tail\n")
    offset = len(good) + 4

    def fail():
        with pytest.raises(ValueError, match=f"byte offset {offset}"):
            counts_file(path)

    fail()
    gc.collect()
    tracemalloc.start()
    try:
        first = tracemalloc.get_traced_memory()[0]
        for _ in range(20):
            fail()
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - first
    finally:
        tracemalloc.stop()
    assert growth < 10_000


@pytest.mark.parametrize("kwargs, error, message", [
    ({"encoding": "utf-16"}, ValueError, "does not write space"),
    ({"encoding": "hex"}, ValueError, "argument 'encoding'"),
    ({"encoding": 8}, TypeError, "counts_file() argument 'encoding' must be str"),
    ({"threads": 0}, ValueError, "counts_file() argument 'threads' must be at least 1"),
])
def test_bad_file_arguments(tmp_path, kwargs, error, message):
    path = tmp_path / "t"
    path.write_bytes(b"a b")
    with pytest.raises(error, match=None) as raised:
        counts_file(path, **kwargs)
    assert message in str(raised.value)
    with pytest.raises(TypeError, match="counts_file\\(\\) argument 'path'"):
        counts_file(3)
    with pytest.raises(FileNotFoundError) as missing:
        counts_file(tmp_path / "nothing")
    assert missing.value.filename == str(tmp_path / "nothing")


@pytest.mark.parametrize("path", ["/proc/version", "/sys/kernel/mm/transparent_hugepage/enabled"])
def test_proc_and_sys_files(path):
    """/proc files say they are empty, /sys files refuse mmap: both are read."""
    if not os.path.exists(path):
        pytest.skip(f"no {path}")
    with open(path, "rb") as f:
        same(counts_file(path, encoding=None), counts_py(f.read()))


def test_a_tally_is_used_once_and_not_shared():
    tally = _wordcount._Tally()
    tally.counter()
    with pytest.raises(RuntimeError, match="used this tally up"):
        tally.counter()
    with pytest.raises(TypeError):
        _wordcount._Tally(1)


def test_most_common_of_a_tally_matches_counter(tmp_path):
    rng = random.Random(5)
    data = " ".join(rng.choice(["a", "b", "c", "", "d\t", "ee"]) for _ in range(5000)).encode()
    path = tmp_path / "t"
    path.write_bytes(data)
    expected = counts_py(data)
    for n in (0, 1, 3, 6, 100):
        tally = _wordcount._Tally()
        with open(path, "rb") as f:
            tally.add_fd(f.fileno())
        assert tally.most_common(n) == expected.most_common(n or None)


def test_a_long_word_through_a_pipe_is_read_in_memory_bounded_by_the_words():
    """256 MiB of two words through a pipe: memory grows by about a block,
    never by the text."""
    words, grown_mib = through_a_pipe_of_256_mib(
        'b"is it " * 2**15',
        "tally = word_count._wordcount._Tally()\n"
        "tally.add_fd(read_end)\n"
        "result = dict(tally.most_common(0))")
    pieces = 2**28 // (6 * 2**15)
    # The text ends in a space: the last line's last word is empty.
    assert words == repr({b"is": pieces * 2**15, b"it": pieces * 2**15, b"": 1})
    assert grown_mib < 48


# ---- collisions ----------------------------------------------------------

MASK = 2**64 - 1
K = 0x9E3779B97F4A7C15
K_INVERSE = pow(K, -1, 2**64)


def unhash(h, seed):
    """The head of a short word whose csrc/tally.c short_hash() under
    `seed` is h."""
    return (h * K_INVERSE) & MASK ^ seed


def colliding_words(n, seed=0):
    """n distinct 8-byte words whose hashes under `seed` share their top 16
    bits, and so a slot in every table of up to 2**16 slots (20,000 words
    take 2**16): built by inverting the hash."""
    rng = random.Random(1)
    words = set()
    while len(words) < n:
        head = unhash((0x5EED << 48) | rng.getrandbits(48), seed)
        word = head.to_bytes(8, "little")
        if b" " not in word and b"\n" not in word:
            words.add(word)
    return sorted(words)


COLLISION_TIMING = """
import os, random, sys, time, word_count
from word_count import _wordcount
words = [bytes.fromhex(w) for w in sys.stdin.read().split()]
rng = random.Random(2)
random_words = [bytes(rng.choice(b"abcdefghijklmnop") for _ in range(8)) for _ in words]
def best(text):
    times = []
    for _ in range(5):
        start = time.perf_counter()
        word_count.counts(text, threads=1)
        times.append(time.perf_counter() - start)
    return min(times)
print(best(b" ".join(words)) / best(b" ".join(random_words)))
"""


def collision_ratio(words, seed):
    env = dict(os.environ)
    env.pop("WORD_COUNT_HASH_SEED", None)
    if seed is not None:
        env["WORD_COUNT_HASH_SEED"] = str(seed)
    out = subprocess.run([sys.executable, "-c", COLLISION_TIMING], capture_output=True,
                         input=" ".join(w.hex() for w in words), text=True, env=env, check=True)
    return float(out.stdout)


def test_words_alike_but_for_two_bytes_take_slots_apart_whatever_the_seed():
    """A word's slot is its hash's top bits (csrc/tally.c, bucket_of), which
    every bit of its 8 bytes moves: words that differ in two bytes alone,
    wherever those lie, spread over the slots at least as random words
    would (8,836 words in 2**16 slots: about 8,250 taken). A slot that
    ignored some bytes would put each family in one slot, for every seed."""
    seeds = (0, 1, 0xDEADBEEFCAFEBABE, random.getrandbits(64))
    letters = [bytes([c]) for c in range(33, 127)]
    for shape in (b"abcdef%b%b", b"%b%bcdefgh", b"abc%b%bfgh"):
        words = [shape % (a, b) for a in letters for b in letters]
        for seed in seeds:
            slots = {_wordcount._word_hash(w, seed) >> 48 for w in words}
            assert len(slots) > 0.9 * len(words), (shape, seed, len(slots))


def test_words_built_to_collide_cost_no_more_than_random_ones():
    """Words that share a slot under a known hash seed make every lookup
    probe all the others (quadratic). The process's own seed is random, so
    the same words cost what random words of their length cost (the issue's
    bound: within 3x)."""
    words = colliding_words(20_000)
    assert all(_wordcount._word_hash(w, 0) >> 48 == 0x5EED for w in words[:100])
    assert collision_ratio(words, seed=0) > 20      # the attack works on a known seed
    assert collision_ratio(words, seed=None) < 3    # and not on the process's

