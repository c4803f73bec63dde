"""Every counter, as its users call it, for tests to parametrise over."""
import functools

import pytest

import word_count

#: Every public counter; `search` also on 1 and 2 threads explicitly.
COUNTERS = {
    "search": word_count.search,
    "search_threads_1": functools.partial(word_count.search, threads=1),
    "search_threads_2": functools.partial(word_count.search, threads=2),
    "search_sequential": word_count.search_sequential,
    "search_sequential_allow_threads": word_count.search_sequential_allow_threads,
    "search_py": word_count.search_py,
}

#: The C counters alone: they share the argument handling.
C_COUNTERS = {
    "search": word_count.search,
    "search_sequential": word_count.search_sequential,
    "search_sequential_allow_threads": word_count.search_sequential_allow_threads,
}


#: Parametrises a test over every counter (a decorator, for hypothesis tests,
#: which cannot take function-scoped fixtures).
every_counter = pytest.mark.parametrize("count", list(COUNTERS.values()), ids=list(COUNTERS))
