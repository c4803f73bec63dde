"""word_count.Tally and Arrow columns: a Tally fed texts in any way equals
counts of each text in turn added in order, read as a Counter reads; Arrow
columns of every string and binary type equal their values given one by
one; pickling, copying, the thread refusal and every error path."""
import copy
import pickle
import threading
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import word_count
from word_count import Tally, counts, counts_py, search_py
from strategies import FOLDS, SEPS, rule_texts

rules = st.tuples(st.sampled_from(SEPS), st.sampled_from(FOLDS))


def expected_counts(texts, sep, fold):
    """counts_py of each text in turn, added in order (Counter.update keeps
    the order of first appearance)."""
    total = Counter()
    for text in texts:
        total.update(counts_py(text, sep=sep, fold=fold))
    return total


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
        Tally().update_all(["a", 3])
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
    text = "is it " * 4_000_000  # long enough to be counted with the GIL released
    errors, started = [], threading.Event()

    def count():
        started.set()
        tally.update(text)

    worker = threading.Thread(target=count)
    worker.start()
    started.wait()
    for _ in range(10_000):
        try:
            tally.update("x")
        except RuntimeError as error:
            errors.append(str(error))
            break
    worker.join()
    assert errors == ["Tally is in use by another thread"]
    assert tally["is"] == 4_000_000


# ---- Arrow columns -------------------------------------------------------------

pa = pytest.importorskip("pyarrow")

ARROW_TYPES = {
    "string": pa.string(), "large_string": pa.large_string(), "string_view": pa.string_view(),
    "binary": pa.binary(), "large_binary": pa.large_binary(), "binary_view": pa.binary_view(),
}
values = st.lists(st.one_of(st.none(), rule_texts(4, max_pieces=12).filter(
    lambda t: "\ud800" not in t)), max_size=30)


def as_values(texts, type_name):
    binary = "binary" in type_name
    return [t if t is None else t.encode() if binary else t for t in texts]


@pytest.mark.parametrize("type_name", list(ARROW_TYPES))
@given(texts=values, rule=rules, cut=st.integers(0, 8))
@settings(max_examples=60, deadline=None)
def test_arrow_columns_equal_their_values_one_by_one(type_name, texts, rule, cut):
    sep, fold = rule
    texts = as_values(texts, type_name)
    array = pa.array(texts, type=ARROW_TYPES[type_name])
    present = [t for t in texts if t is not None]
    expected = expected_counts(present, sep, fold)
    sliced = texts[cut:]
    columns = {
        "array": (array, expected),
        "slice": (array.slice(cut), expected_counts([t for t in sliced if t is not None],
                                                     sep, fold)),
        "chunked": (pa.chunked_array([array.slice(0, cut), array.slice(cut)],
                                     type=ARROW_TYPES[type_name]), expected),
        "batches": (pa.RecordBatchReader.from_batches(
            pa.schema([("text", ARROW_TYPES[type_name])]),
            [pa.record_batch([array], names=["text"])]), expected),
        "empty": (pa.array([], type=ARROW_TYPES[type_name]), Counter()),
    }
    needle = present[0].split()[0] if present and present[0].split() else (
        b"x" if "binary" in type_name else "x")
    for name, (column, want) in columns.items():
        assert list(counts(column, sep=sep, fold=fold).items()) == list(want.items()), name
        if name == "batches":  # a reader is read once
            continue
        tally = Tally(sep=sep, fold=fold)
        tally.update(column)
        assert list(tally.items()) == list(want.items()), name
        kept = [t for t in (sliced if name == "slice" else texts if name != "empty" else [])
                if t is not None]
        assert word_count.search(column, needle, sep=sep, fold=fold) == sum(
            search_py(t, needle, sep=sep, fold=fold) for t in kept), name


def test_polars_pandas_and_duckdb_columns():
    pl = pytest.importorskip("polars")
    texts = ["the cat", None, "The end", ""]
    want = counts_py("the cat") + counts_py("The end")
    assert counts(pl.Series(texts)) == want
    assert counts(pl.Series([b"a b", None], dtype=pl.Binary)) == Counter({b"a": 1, b"b": 1})
    assert word_count.search(pl.Series(texts), "THE", fold="casefold") == 2
    pd = pytest.importorskip("pandas")
    assert counts(pd.Series(texts, dtype="string[pyarrow]")) == want
    duckdb = pytest.importorskip("duckdb")
    relation = duckdb.sql("select * from (values ('the cat'), (null), ('The end')) t(text)")
    assert counts(relation) == want


def test_arrow_errors():
    with pytest.raises(TypeError, match="an Arrow column of int64 \\(format 'l'\\) is not "
                       "strings or binaries"):
        counts(pa.array([1, 2]))
    with pytest.raises(TypeError, match="dictionary-encoded"):
        counts(pa.array(["a", "b"]).dictionary_encode())
    with pytest.raises(TypeError, match="an Arrow column of struct"):
        Tally().update(pa.table({"a": ["x"], "b": ["y"]}))
    with pytest.raises(TypeError, match="must be str for an Arrow column of strings"):
        word_count.search(pa.array(["a"]), b"a")
    with pytest.raises(TypeError, match="must be a bytes-like object for an Arrow column of "
                       "binaries"):
        word_count.search(pa.array([b"a"]), "a")
    tally = Tally()
    tally.update(pa.array(["a"]))
    with pytest.raises(TypeError, match="never both"):
        tally.update(pa.array([b"a"]))

    class Released:
        """Exports capsules that pyarrow has consumed already."""
        def __init__(self):
            self.capsules = pa.array(["a"]).__arrow_c_array__()
            pa.Array._import_from_c_capsule(*self.capsules)

        def __arrow_c_array__(self, requested_schema=None):
            return self.capsules

    with pytest.raises(ValueError, match="its Arrow capsule was released already"):
        counts(Released())


def test_a_column_is_counted_without_an_object_per_row():
    """1 M rows: the process grows by the tables and the result, not by the
    rows (a str per row would be over 50 MB)."""
    from child import run_python
    code = """
import pyarrow as pa, resource, word_count
column = pa.array(["the cat sat on the mat %d" % (i % 100) for i in range(1_000_000)])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
words = word_count.counts(column)
tally = word_count.Tally()
tally.update(column)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
assert words["the"] == 2_000_000 and tally["cat"] == 1_000_000
print(grown // 1024)
"""
    assert int(run_python(code)) < 20
