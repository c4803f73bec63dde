"""word_count.Tally: fed texts in any way, it equals counts of each text in
turn added in order, read as a Counter reads; pickling, copying, the thread
refusal and every error path. Arrow columns: tests/test_arrow.py."""
import copy
import pickle
import threading
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from word_count import Tally, counts
from corpora import expected_counts, many_documents, rules
from strategies import FOLDS, SEPS, rule_texts


def reads_as(tally, expected):
    """Every way a Tally is read, against the Counter it must equal."""
    assert list(tally.counter().items()) == list(expected.items())
    assert list(tally.items()) == list(expected.items())
    assert list(tally) == list(expected)
    assert len(tally) == len(expected)
    assert tally.total() == expected.total()
    assert tally.most_common() == expected.most_common()
    for n in (0, 1, 3, -1):
        assert tally.most_common(n) == expected.most_common(n)
    for word in list(expected)[:5]:
        assert tally[word] == expected[word] and word in tally
    absent = "\u2603absent" if not expected or isinstance(next(iter(expected)), str) else b"\xffno"
    assert tally[absent] == 0 and absent not in tally


@st.composite
def fed_tallies(draw, texts_strategy):
    """Texts, and a plan of how to feed them: each run of texts by update,
    update_all, update_file or a merged Tally."""
    texts = draw(st.lists(texts_strategy, max_size=12))
    cuts = sorted(draw(st.lists(st.integers(0, len(texts)), max_size=4)))
    runs = [texts[a:b] for a, b in zip([0, *cuts], [*cuts, len(texts)])]
    ways = draw(st.lists(st.sampled_from(["update", "update_all", "update_file", "merge"]),
                         min_size=len(runs), max_size=len(runs)))
    return texts, list(zip(ways, runs))


def feed(tally, plan, tmp_path_factory, sep, fold, encoding):
    for way, run in plan:
        if way == "update":
            for text in run:
                tally.update(text)
        elif way == "update_all":
            tally.update_all(run)
        elif way == "merge":
            other = Tally(sep=sep, fold=fold)
            other.update_all(run)
            tally.merge(other)
        else:
            for text in run:
                path = tmp_path_factory.mktemp("t") / "text"
                path.write_bytes(text.encode() if isinstance(text, str) else text)
                tally.update_file(path, encoding=encoding)


@given(st.sampled_from([1, 2, 4]).flatmap(
    lambda form: fed_tallies(rule_texts(form).filter(lambda t: "\ud800" not in t))), rules)
@settings(max_examples=150, deadline=None)
def test_a_tally_of_str_fed_any_way_equals_counts_in_turn(tmp_path_factory, fed, rule):
    texts, plan = fed
    sep, fold = rule
    tally = Tally(sep=sep, fold=fold)
    feed(tally, plan, tmp_path_factory, sep, fold, "utf-8")
    reads_as(tally, expected_counts(texts, sep, fold))


@given(fed_tallies(rule_texts(4).map(lambda t: t.encode("utf-8", "surrogatepass"))), rules)
@settings(max_examples=150, deadline=None)
def test_a_tally_of_bytes_fed_any_way_equals_counts_in_turn(tmp_path_factory, fed, rule):
    texts, plan = fed
    sep, fold = rule
    tally = Tally(sep=sep, fold=fold)
    feed(tally, plan, tmp_path_factory, sep, fold, None)
    reads_as(tally, expected_counts(texts, sep, fold))


def test_each_text_is_a_document_of_its_own():
    tally = Tally()
    tally.update("a")
    tally.update("b")
    tally.update_all(["c", "d\n", "", "e "])
    assert tally.counter() == Counter({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "": 1})


def test_every_str_form_makes_the_same_words():
    tally = Tally()
    tally.update("caf\xe9 \u0101")          # 2-byte form
    tally.update("caf\xe9")                 # 1-byte
    tally.update("caf\xe9 \U0001f600")      # 4-byte
    tally.update_all(["\u0101", "\ud800"])  # a lone surrogate is a word too
    assert list(tally.items()) == [("caf\xe9", 3), ("\u0101", 2), ("\U0001f600", 1),
                                   ("\ud800", 1)]


@pytest.mark.parametrize("extra", ["", "\xe9", "\u0101", "\U0001f600"])
def test_thousands_of_words_made_utf8_are_found_again(extra):
    """A str's words become UTF-8 in their table and are placed in its slots
    again: a later text, in another form, finds every one of them."""
    words = [format(i * 2654435761 % 2**32, "x") + extra * (i % 3) for i in range(20_000)]
    first = " ".join(words)
    second = " ".join(reversed(words[::2])) + " \u0101 \U0001f600"
    tally = Tally()
    tally.update(first)
    tally.update(second)
    expected = Counter(first.split(" "))
    expected.update(second.split(" "))
    reads_as(tally, expected)
    assert all(tally[word] == expected[word] for word in words)


@pytest.mark.parametrize("sep", SEPS)
@pytest.mark.parametrize("fold", FOLDS)
def test_many_documents_equal_counts_in_turn(sep, fold):
    texts = many_documents(seed=len(str(sep)) * 3 + FOLDS.index(fold))
    assert max(map(len, texts)) > 65_536
    expected = expected_counts(texts, sep, fold)
    tally = Tally(sep=sep, fold=fold)
    tally.update_all(texts)
    assert list(tally.items()) == list(expected.items())
    tally = Tally(sep=sep, fold=fold)
    tally.update_all(text.encode() for text in texts)
    assert list(tally.items()) == list(expected_counts([t.encode() for t in texts], sep,
                                                       fold).items())



@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_and_copy_round_trip_exactly(protocol):
    for sep, fold, texts in ((" ", None, ["a b a", "\u0101 c", "\ud800 a"]),
                             (None, "casefold", ["Stra\xdfe STRASSE", "\u212a k"]),
                             (" ", "lower", [b"A b", b"B \xff"])):
        tally = Tally(sep=sep, fold=fold, threads=2)
        tally.update_all(texts)
        for twin in (pickle.loads(pickle.dumps(tally, protocol)), copy.copy(tally),
                     copy.deepcopy(tally)):
            assert type(twin) is Tally
            assert (twin.sep, twin.fold, twin.threads) == (sep, fold, 2)
            assert list(twin.items()) == list(tally.items())
            twin.update_all(texts)  # and goes on counting alike
            assert twin.total() == 2 * tally.total()
    assert pickle.loads(pickle.dumps(Tally(), protocol)).counter() == Counter()


def test_merge_keeps_first_appearances_in_call_order():
    first, second = Tally(), Tally()
    first.update("b a")
    second.update("c a d")
    first.merge(second)
    assert list(first.items()) == [("b", 1), ("a", 2), ("c", 1), ("d", 1)]
    first.merge(first)
    assert list(first.items()) == [("b", 2), ("a", 4), ("c", 2), ("d", 2)]
    assert list(second.items()) == [("c", 1), ("a", 1), ("d", 1)]


def test_errors():
    tally = Tally()
    tally.update("a")
    with pytest.raises(TypeError, match="holds str keys, and a Tally holds str keys or bytes "
                       "keys, never both: a bytes text cannot be added"):
        tally.update(b"a")
    with pytest.raises(TypeError, match="update_all\\(\\) item 1 must be str"):
        Tally().update_all(["abc", 3])   # the item's index, not its offset in units
    with pytest.raises(TypeError, match="an iterable of texts is counted by "
                       "Tally\\(\\).update_all\\(\\)"):
        tally.update(["a", "b"])
    with pytest.raises(TypeError, match="an iterable of texts is counted by "
                       "Tally\\(\\).update_all\\(\\)"):
        counts(["a", "b"])
    with pytest.raises(TypeError, match="merge\\(\\) argument must be a Tally, not Counter"):
        tally.merge(Counter())
    with pytest.raises(ValueError, match="a Tally of another rule"):
        tally.merge(Tally(sep=None))
    other = Tally()
    other.update(b"x")
    with pytest.raises(TypeError, match="never both"):
        tally.merge(other)
    with pytest.raises(ValueError, match="^Tally\\(\\) argument 'sep' must be ' '"):
        Tally(sep="\t")
    with pytest.raises(ValueError, match="^Tally\\(\\) argument 'fold' must be None"):
        Tally(fold="upper")
    with pytest.raises(ValueError, match="^Tally\\(\\) argument 'threads' must be at least 1"):
        Tally(threads=0)
    with pytest.raises(TypeError):
        Tally(" ")  # keyword-only
    assert list(tally.items()) == [("a", 1)]  # nothing half-added


def test_a_tally_in_use_refuses_a_second_thread():
    tally = Tally(threads=1)
    inside, release = threading.Event(), threading.Event()

    def texts():  # keeps the first thread inside update_all until released
        yield "is it "
        inside.set()
        release.wait()
        yield "is"

    worker = threading.Thread(target=tally.update_all, args=(texts(),))
    worker.start()
    inside.wait()
    try:
        with pytest.raises(RuntimeError, match="^Tally is in use by another thread$"):
            tally.update("x")
    finally:
        release.set()
        worker.join()
    assert tally["is"] == 2 and "x" not in tally


def test_a_last_empty_word_comes_before_the_next_texts_words():
    """By sep=" " a text ending in a space ends in an empty word, met where
    the next text begins: texts of two widths (two tables, merged on where
    each word is first met) keep the order of the texts."""
    texts = ["\u1680 ", "\t", "a ", "\U0001f600 ", "b"]
    expected = Counter()
    for text in texts:
        expected.update(text.split(" "))
    tally = Tally()
    tally.update_all(texts)
    assert list(tally.counter().items()) == list(expected.items())
