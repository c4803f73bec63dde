"""The corpora the tests of Tally and of Arrow columns share, and the answer
they must give: counts_py of each text in turn, added in order."""
import random
from collections import Counter

from hypothesis import strategies as st

from word_count import counts_py
from strategies import FOLDS, SEPS

rules = st.tuples(st.sampled_from(SEPS), st.sampled_from(FOLDS))


def expected_counts(texts, sep, fold):
    """counts_py of each text in turn, added in order (Counter.update keeps
    the order of first appearance)."""
    total = Counter()
    for text in texts:
        total.update(counts_py(text, sep=sep, fold=fold))
    return total


def many_documents(seed, n=10_000):
    """Texts mostly short, some longer than 64 KiB, of every str form, in a
    random order: the runs they are gathered into are cut by count, by
    size, by form and by texts too long to copy."""
    rng = random.Random(seed)
    words = ["a", "The", "the", "\xe9t\xe9", "\u0101b", "\U0001f600", "", "x\r"]
    texts = []
    for _ in range(n):
        size = rng.choice([0, 1, 3, 8, 30]) if rng.random() < 0.999 else 30_000
        texts.append("".join(rng.choice(words) + rng.choice([" ", " ", "\n", "\u3000"])
                             for _ in range(size)) + rng.choice(["", "end", " ", "\n"]))
    return texts
