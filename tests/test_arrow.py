"""Arrow columns (pyarrow, polars, pandas, duckdb; the test extras): every
string and binary type, with nulls, slices, chunks and record batches, counts
and searches as its values given one by one; no Python object per row; the
errors."""
import array
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import word_count
from word_count import Tally, counts, counts_py, search_py
from corpora import expected_counts, many_documents, rules
from strategies import FOLDS, SEPS, rule_texts

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


TEXTS = ["the cat", None, "The end", ""]
WANT = counts_py("the cat") + counts_py("The end")


def test_polars_series():
    pl = pytest.importorskip("polars")
    assert counts(pl.Series(TEXTS)) == WANT
    assert counts(pl.Series([b"a b", None], dtype=pl.Binary)) == Counter({b"a": 1, b"b": 1})
    assert word_count.search(pl.Series(TEXTS), "THE", fold="casefold") == 2


def test_pandas_arrow_backed_strings():
    pd = pytest.importorskip("pandas")
    assert counts(pd.Series(TEXTS, dtype="string[pyarrow]")) == WANT


def test_duckdb_results():
    duckdb = pytest.importorskip("duckdb")
    relation = duckdb.sql("select * from (values ('the cat'), (null), ('The end')) t(text)")
    assert counts(relation) == WANT


@pytest.mark.parametrize("type_name", ["string", "large_string", "binary", "large_binary"])
def test_a_null_over_bytes_has_none_of_their_words(type_name):
    """Arrow lets a null's slot hold bytes: rows 1 and 4 are nulls over "x y"
    and "z", among rows counted as runs of neighbours; then the same rows,
    none null, as the child of a struct whose nulls are rows 1 and 4."""
    type_ = ARROW_TYPES[type_name]
    data = b"a bx ya  bz" + b" b" * 300
    offsets = [0, 3, 6, 8, 9, 10, 11] + [11 + 2 * k for k in range(1, 301)]
    rows = len(offsets) - 1
    validity = bytearray((rows + 7) // 8)
    for row in range(rows):
        if row not in (1, 4):
            validity[row // 8] |= 1 << row % 8
    buffers = [pa.py_buffer(array.array("q" if type_name.startswith("large") else "i",
                                        offsets).tobytes()), pa.py_buffer(data)]
    column = pa.Array.from_buffers(type_, rows, [pa.py_buffer(bytes(validity))] + buffers)
    column.validate(full=True)
    struct = pa.StructArray.from_arrays(
        [pa.Array.from_buffers(type_, rows, [None] + buffers)], names=["text"],
        mask=pa.array([r in (1, 4) for r in range(rows)]))
    texts = [data[offsets[r]:offsets[r + 1]] for r in range(rows) if r not in (1, 4)]
    if "string" in type_name:
        texts = [t.decode() for t in texts]
    for sep in (" ", None):
        want = list(expected_counts(texts, sep, None).items())
        assert list(counts(column, sep=sep).items()) == want
        assert list(counts(struct, sep=sep).items()) == want


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


@pytest.mark.parametrize("sep", SEPS)
@pytest.mark.parametrize("fold", FOLDS)
def test_many_documents_in_a_column_equal_counts_in_turn(sep, fold):
    texts = many_documents(seed=len(str(sep)) * 3 + FOLDS.index(fold))
    expected = expected_counts(texts, sep, fold)
    for type_ in (pa.string(), pa.large_string(), pa.string_view()):
        column = pa.array(texts, type=type_)
        assert list(counts(column, sep=sep, fold=fold).items()) == list(expected.items())
        tally = Tally(sep=sep, fold=fold)
        tally.update(column)
        assert list(tally.items()) == list(expected.items())
