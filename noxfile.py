"""nox -s tests: build and test; nox -s bench: the seed's benchmark table."""
import nox

nox.options.sessions = ["tests"]
nox.options.default_venv_backend = "venv"


@nox.session
def tests(session):
    """Build with -Werror, then run every test but the slow ones."""
    session.install(".[test]", env={"WORD_COUNT_WERROR": "1"})
    session.run("pytest", "-m", "not slow", *session.posargs)


@nox.session
def slow(session):
    """Texts past 2**31 units and counts past 2**32 (about 10 GiB of memory)."""
    session.install(".[test]", env={"WORD_COUNT_WERROR": "1"})
    session.run("pytest", "-m", "slow", *session.posargs)


@nox.session
def bench(session):
    """The seed's four benchmarks, timed and printed as a table."""
    session.install(".[bench]")
    session.run(
        "pytest", "tests/test_benchmark.py", "--benchmark-enable",
        "--benchmark-columns=min,max,mean,stddev,median,iqr,outliers,ops,rounds,iterations",
        "--benchmark-sort=mean", *session.posargs,
    )
