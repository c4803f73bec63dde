"""nox -s tests: build and test; nox -s bench: the seed's benchmark table."""
import shutil

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
    """The seed's four benchmarks as a table, then the goals and the sweeps.

    Writes bench-results/goals.json, bench-results/sweep.json and
    docs/benchmark.png. PyO3's example joins as the baseline where cargo is
    installed (built offline from Debian's crates); `nox -s bench -- quick`
    stops the size sweep at 64 MiB.
    """
    session.install(".[bench]")
    if shutil.which("cargo"):
        session.run("bash", "benchmarks/pyo3_baseline/build.sh", "python", external=True)
    else:
        session.log("cargo not found: PyO3's example is left out of the comparison")
    session.run(
        "pytest", "tests/test_benchmark.py", "--benchmark-enable",
        "--benchmark-columns=min,max,mean,stddev,median,iqr,outliers,ops,rounds,iterations",
        "--benchmark-sort=mean",
    )
    session.run("python", "benchmarks/goals.py", "--json", "bench-results/goals.json")
    max_size = "64M" if "quick" in session.posargs else "1G"
    session.run("python", "benchmarks/sweep.py", "--json", "bench-results/sweep.json",
                "--max-size", max_size)
    session.run("python", "benchmarks/plot.py", "bench-results/sweep.json", "docs/benchmark.png")
