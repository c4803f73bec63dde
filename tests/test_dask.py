"""word_count.dask on a LocalCluster of 2 worker processes: the same counts
as one machine, lines cut at block edges included."""
import os
import random
from collections import Counter

import pytest

distributed = pytest.importorskip("distributed")
import dask  # noqa: E402
import dask.bag  # noqa: E402

import word_count  # noqa: E402
from word_count import dask as wc_dask  # noqa: E402

WORDS = ["is", "it", "this", "", "is\r", "isis", "\u00e9is", "is"]
SEPARATORS = [" ", "\n", "\r\n", "  ", "\r", "\n\n"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """40 files of 0 to 20 kB, with lines of every length."""
    root = tmp_path_factory.mktemp("corpus")
    rng = random.Random(2026)
    expected = {}
    for i in range(40):
        pieces = [rng.choice(WORDS) + rng.choice(SEPARATORS) for _ in range(rng.randrange(0, 4000))]
        if i % 7 == 3:
            pieces.append("is " * 2000)  # one line longer than a block
        data = "".join(pieces).encode()
        path = root / f"part-{i:02d}.txt"
        path.write_bytes(data)
        expected[str(path)] = word_count.search_py(data, b"is")
    return root, expected


def test_without_a_client_the_local_scheduler_counts(corpus):
    root, expected = corpus
    with pytest.raises(ValueError):
        distributed.get_client()  # no client yet: this test runs before the others
    assert wc_dask.search(str(root / "*.txt"), "is", blocksize=2000) == sum(expected.values())


@pytest.fixture(scope="module")
def client():
    # Without distributed's profiler, as its own tests run: the profiler's
    # thread walks every thread's frames (sys._current_frames), which on
    # free-threaded 3.13t crashed this process once (in profile.identifier).
    # The environment carries the setting to the workers' processes.
    key = "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED"
    before = os.environ.get(key)
    os.environ[key] = "False"
    try:
        with dask.config.set({"distributed.worker.profile.enabled": False}), \
             distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, \
             distributed.Client(cluster) as c:
            yield c
    finally:
        if before is None:
            del os.environ[key]
        else:
            os.environ[key] = before


@pytest.mark.parametrize("blocksize", [997, 4096, "64MiB"])
def test_search_on_a_cluster_equals_one_machine(client, corpus, blocksize):
    root, expected = corpus
    assert wc_dask.search(str(root / "*.txt"), "is", blocksize=blocksize) == sum(expected.values())
    assert wc_dask.search_per_file(str(root / "*.txt"), b"is", blocksize=blocksize) == expected


def test_lists_of_paths_and_globs(client, corpus):
    root, expected = corpus
    first = sorted(expected)[0]
    result = wc_dask.search_per_file([first, str(root / "part-1*.txt")], "is", blocksize=500)
    assert result == {p: n for p, n in expected.items() if p == first or "part-1" in p}


def test_a_bag_of_lines(client, corpus):
    root, expected = corpus
    # read_text reads with universal newlines: compare with what it yields.
    bag = dask.bag.read_text(str(root / "*.txt"), blocksize=4000)
    lines = "".join(bag.compute())
    assert wc_dask.search(bag, "is") == word_count.search_py(lines, "is")
    per_file = wc_dask.search_per_file(
        dask.bag.read_text(str(root / "*.txt"), include_path=True), "is")
    assert sum(per_file.values()) == word_count.search_py(lines, "is")
    with pytest.raises(ValueError, match="include_path=True"):
        wc_dask.search_per_file(bag, "is")


def per_file_counts(paths, encoding="utf-8"):
    """The single-machine answer: counts_file over each file in turn."""
    total = Counter()
    for path in paths:
        total.update(word_count.counts_file(path, encoding=encoding))
    return total


@pytest.mark.parametrize("blocksize", [997, 4096, "64MiB"])
def test_counts_on_a_cluster_equals_one_machine_order_included(client, corpus, blocksize):
    root, expected = corpus
    paths = sorted(expected)
    result = wc_dask.counts(str(root / "*.txt"), blocksize=blocksize)
    assert list(result.items()) == list(per_file_counts(paths).items())
    as_bytes = wc_dask.counts(paths[:5], blocksize=blocksize, encoding=None)
    assert list(as_bytes.items()) == list(per_file_counts(paths[:5], encoding=None).items())


def test_counts_of_a_bag_of_lines(client, corpus, tmp_path):
    """Files that end in a line end: their lines joined are the files joined."""
    root, _ = corpus
    for path in sorted(root.glob("*.txt"))[:12]:
        (tmp_path / path.name).write_bytes(path.read_bytes() + b"\n")
    bag = dask.bag.read_text(str(tmp_path / "*.txt"), blocksize=4000)
    expected = word_count.counts_py("".join(bag.compute()))
    assert list(wc_dask.counts(bag).items()) == list(expected.items())


def test_counts_names_a_file_it_cannot_decode(client, tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"ok\ncaf\xe9\n")
    with pytest.raises(ValueError, match="bad.txt.*cannot be decoded with 'utf-8'"):
        wc_dask.counts(str(tmp_path / "bad.txt"))
    assert wc_dask.counts(str(tmp_path / "bad.txt"), encoding="latin-1") == Counter(
        {"ok": 1, "caf\xe9": 1})


# ---- the rules: sep=None and the folds ---------------------------------------

RULE_WORDS = ["Is", "IS", "is", "It", "stra\u00dfe", "STRASSE", "\u212ain", "kin", "\u00e9is",
              "\u00c9IS"]
RULE_SEPARATORS = [" ", "\n", "\r\n", "\t", "\u00a0", "\u3000", "  \n", "\u2028"]


@pytest.fixture(scope="module")
def rule_corpus(tmp_path_factory):
    """12 files whose words fold alike and split at Unicode's whitespace,
    each ending in a line end (so that a bag's lines joined are the files
    joined)."""
    root = tmp_path_factory.mktemp("rules")
    rng = random.Random(16)
    for i in range(12):
        text = "".join(rng.choice(RULE_WORDS) + rng.choice(RULE_SEPARATORS)
                       for _ in range(rng.randrange(0, 3000)))
        (root / f"part-{i:02d}.txt").write_bytes(text.encode() + b"\n")
    return root, sorted(str(p) for p in root.glob("*.txt"))


@pytest.mark.parametrize("sep", [" ", None])
@pytest.mark.parametrize("fold", [None, "lower", "casefold"])
def test_the_rules_on_a_cluster_equal_one_machine(client, rule_corpus, sep, fold):
    root, paths = rule_corpus
    for needle in ("is", "Strasse", "KIN"):
        expected = {p: word_count.search_file(p, needle, sep=sep, fold=fold) for p in paths}
        assert wc_dask.search_per_file(paths, needle, blocksize=1500, sep=sep,
                                       fold=fold) == expected
        assert wc_dask.search(str(root / "*.txt"), needle, blocksize=997, sep=sep,
                              fold=fold) == sum(expected.values())
    total = Counter()
    for path in paths:
        total.update(word_count.counts_file(path, sep=sep, fold=fold))
    result = wc_dask.counts(str(root / "*.txt"), blocksize=1500, sep=sep, fold=fold)
    assert list(result.items()) == list(total.items())
    lines = dask.bag.read_text(paths, blocksize=4000)
    text = "".join(lines.compute())
    assert wc_dask.search(lines, "is", sep=sep, fold=fold) == \
        word_count.search_py(text, "is", sep=sep, fold=fold)


def test_the_rules_are_checked_before_any_task(client, rule_corpus):
    root, paths = rule_corpus
    with pytest.raises(ValueError, match="argument 'sep'"):
        wc_dask.search(paths, "is", sep="\t")
    with pytest.raises(ValueError, match="argument 'fold'"):
        wc_dask.counts(paths, fold="upper")
    with pytest.raises(ValueError, match="'shift_jis' cannot be counted exactly with sep=None"):
        wc_dask.counts(paths, encoding="shift_jis", sep=None)
