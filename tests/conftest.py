"""Fixtures shared by the tests: every counter, run as its users run it."""
import contextlib
import io

import pytest
from hypothesis import settings

from counters import C_COUNTERS, COUNTERS

# Examples are checked for their counts, never timed: under the sanitizers or
# on a loaded machine an example may take longer than hypothesis's default
# deadline of 200 ms without anything being wrong.
settings.register_profile("word_count", deadline=None, print_blob=True)
settings.load_profile("word_count")


def zen_of_python() -> str:
    """The text `import this` prints, without printing it."""
    with contextlib.redirect_stdout(io.StringIO()):
        import this
    return "".join(this.d.get(c, c) for c in this.s)


@pytest.fixture(params=list(COUNTERS), ids=list(COUNTERS))
def count(request):
    return COUNTERS[request.param]


@pytest.fixture(params=list(C_COUNTERS), ids=list(C_COUNTERS))
def c_count(request):
    return C_COUNTERS[request.param]


@pytest.fixture(scope="session")
def zen() -> str:
    return zen_of_python()
