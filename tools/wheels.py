"""Wheels as cibuildwheel makes them, and the suite run against them, for the
nox sessions `wheels` and `tests-<version>`.

    sdist                 python -m build --sdist          -> wheelhouse/
    wheel per Python      pip wheel <sdist>, on that Python (a chroot's for
                          3.13-3.15, tools/interpreters.py), in the
                          environment of [tool.cibuildwheel.environment]
    repaired              auditwheel repair                 -> wheelhouse/
    checked               twine check --strict

The suite then runs from a copy of tests/ (with README.md, LICENSE and
pyproject.toml, which the tests read) in a folder outside the source tree,
against the wheel installed in a new environment with no way to compile
word_count: `pip install <wheel>[test]` installs it as it is.
"""
import glob
import os
import shutil
import subprocess
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interpreters  # noqa: E402

WHEELHOUSE = "wheelhouse"
#: Versions tested in the sid chroot; the others run on this machine.
SID = {"3.13", "3.14", "3.15"}
#: Each version's wheel tag (the ABI part of the file name).
TAGS = {"3.11": "cp311", "3.13": "cp313", "3.13t": "cp313t", "3.14": "cp314", "3.15": "cp315"}
#: Copied beside tests/ for a run outside the source tree.
TEST_FILES = ["tests", "README.md", "LICENSE", "pyproject.toml"]
#: hypothesis's newest releases are sdists with a Rust part for cp313t: take
#: its newest wheel instead, on every version alike; pyarrow and polars from
#: wheels only (a source build of either takes hours).
PIP_TEST_OPTIONS = "--only-binary=hypothesis,pyarrow,polars,polars-runtime-32"


def cibuildwheel_settings():
    """pyproject.toml's [tool.cibuildwheel], which these wheels follow."""
    with open("pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["cibuildwheel"]


def sdist(session):
    """The sdist in wheelhouse/, made first if missing."""
    found = glob.glob(os.path.join(WHEELHOUSE, "word_count-*.tar.gz"))
    if found:
        return found[0]
    session.run("python", "-m", "build", "--sdist", "--outdir", WHEELHOUSE)
    return glob.glob(os.path.join(WHEELHOUSE, "word_count-*.tar.gz"))[0]


def wheel(session, version):
    """The repaired wheel of `version` in wheelhouse/, built from the sdist
    first if missing."""
    pattern = os.path.join(WHEELHOUSE, f"word_count-*-{TAGS[version]}-*manylinux*.whl")
    if glob.glob(pattern):
        return glob.glob(pattern)[0]
    source = os.path.abspath(sdist(session))
    environment = cibuildwheel_settings()["environment"]
    raw = os.path.abspath(f".nox/raw-wheels/{version}")
    shutil.rmtree(raw, ignore_errors=True)
    os.makedirs(raw)
    if version in SID:
        root = interpreters.sid_chroot()
        inside = "/work/wheel-build"
        shutil.rmtree(root + inside, ignore_errors=True)
        os.makedirs(root + inside + "/out")
        shutil.copy(source, root + inside)
        venv = f"/venvs/build-{version}"
        interpreters.run_in_chroot(root, f"""
python{version} -m venv --clear {venv}
{venv}/bin/python -m pip wheel -q --no-deps -w {inside}/out {inside}/{os.path.basename(source)}
""", env=environment)
        for built in glob.glob(root + inside + "/out/*.whl"):
            shutil.copy(built, raw)
    else:
        python = interpreters.free_threaded_313() if version == "3.13t" else "python"
        session.run(python, "-m", "pip", "wheel", "-q", "--no-deps", "-w", raw, source,
                    external=True, env=environment)
    session.run("auditwheel", "repair", "-w", WHEELHOUSE, *glob.glob(os.path.join(raw, "*.whl")))
    return glob.glob(pattern)[0]


def copy_tests(destination):
    """tests/ and the files it reads, with nothing of the package's source."""
    shutil.rmtree(destination, ignore_errors=True)
    os.makedirs(destination)
    for name in TEST_FILES:
        if os.path.isdir(name):
            shutil.copytree(name, os.path.join(destination, name),
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(name, destination)
    return destination


def test_wheel(session, version):
    """The non-slow suite on `version`, against its installed wheel, from
    outside the source tree."""
    built = os.path.abspath(wheel(session, version))
    pytest_args = " ".join(f"'{a}'" for a in session.posargs)
    script = """
python -m venv --clear {venv}
{venv}/bin/python -m pip install -q --no-cache-dir {options} '{wheel}[test]'
cd {tests}
{venv}/bin/pytest -m 'not slow' -p no:cacheprovider {args}
"""
    if version in SID:
        root = interpreters.sid_chroot()
        tests = copy_tests(root + "/work/outside")[len(root):]
        shutil.copy(built, root + "/work/")
        inside = "/work/" + os.path.basename(built)
        run = script.replace("python -m venv", f"python{version} -m venv").format(
            venv=f"/venvs/{version}", options=PIP_TEST_OPTIONS, wheel=inside, tests=tests,
            args=pytest_args)
        try:
            interpreters.run_in_chroot(root, run)
        except subprocess.CalledProcessError as error:
            session.error(f"the tests failed on Python {version} (exit {error.returncode})")
        return
    python = interpreters.free_threaded_313() if version == "3.13t" else sys.executable
    tests = copy_tests(f"/tmp/word_count-outside-{version}")
    run = script.replace("python -m venv", f"{python} -m venv").format(
        venv=os.path.abspath(f".nox/wheel-{version}"), options=PIP_TEST_OPTIONS, wheel=built,
        tests=tests, args=pytest_args)
    session.run("sh", "-ec", run, external=True)
