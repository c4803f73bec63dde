"""Builds the C extension word_count._wordcount; metadata is in pyproject.toml.

WORD_COUNT_WERROR=1 turns warnings into errors (the test session sets it);
an -O level in CFLAGS replaces -O3 (the sanitizer sessions build at -O1);
WORD_COUNT_EXTRA_CFLAGS is added after every other flag.
"""
import os
from concurrent.futures import ThreadPoolExecutor

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCES = [
    "wordcount.c",
    "csrc/kernel.c",
    "csrc/kernel_scalar.c",
    "csrc/kernel_sse2.c",
    "csrc/kernel_ssse3.c",
    "csrc/kernel_avx2.c",
    "csrc/kernel_avx512.c",
    "csrc/kernel_avx512vbmi.c",
    "csrc/kernel_neon.c",
    "csrc/pool.c",
    "csrc/fault.c",
    "csrc/file.c",
    "csrc/fold.c",
    "csrc/pyfront.c",
    "csrc/tally.c",
    "csrc/tally_file.c",
    "csrc/counts.c",
    "csrc/tally_type.c",
    "csrc/arrow.c",
]

# -falign-loops=32: where the vector loops start moved their speed by 20% on
# AMD Zen 5 when the kernel's loops shared one function (aligned to 32, bytes
# won and the 4-byte form lost 25%). Each hot loop now has a function of its
# own (csrc/kernel_simd.h, "The block scans"), and on Zen 1 aligning to 32
# loses no form (benchmarks/kernel_timing.c, G chars/s, bytes / 2-byte /
# 4-byte str, two runs: aligned to 32, 13.3 / 11.1 / 9.0 and 11.3 / 9.4 / 7.3;
# to 64, 13.3 / 11.1 / 8.7 and 11.1 / 9.4 / 7.3; the default, 13.3 / 11.1 /
# 7.5 and 11.3 / 9.4 / 7.3).
# -falign-functions=64: where a function lies moved its loops' speed on Zen 3,
# their code the same, so each function starts a 64-byte line and its loops
# lie where its own code puts them. With GCC's 16 bytes, a change to one scan
# moved the others (benchmarks/kernel_timing.c by turns, 1 M characters of
# the Zen of Python, a 1-byte str: "nested" 21.3 -> 19.5 G chars/s,
# "Explicit" 17.6 -> 16.4, "a" folded 24.9 -> 21.1); at 32, a change to the
# 1-byte scans alone moved the 2-byte form's loops by 32 bytes ("a" in a
# 2-byte str 25.4 -> 20.1); at 64 both builds ran it at 25.3. Against the
# build at 32 (every rule and needle of kernel_timing.c by turns, Zen 3):
# avx2 0.97-1.03x; the other backends' loops moved once, ssse3 0.90-1.24x,
# sse2 0.96-1.23x. Loops at 64 as well lost (avx2 bytes' sep=None "is"
# 0.63x).
# -O3 unless CFLAGS names a level of its own (the sanitizer sessions' -O1):
# setuptools puts these arguments after CFLAGS, where -O3 would override it.
names_a_level = any(flag.startswith("-O") for flag in os.environ.get("CFLAGS", "").split())
compile_args = ["-std=c11", *([] if names_a_level else ["-O3"]), "-falign-loops=32",
                "-falign-functions=64", "-Wall", "-Wextra", "-fvisibility=hidden"]
if os.environ.get("WORD_COUNT_WERROR") == "1":
    compile_args.append("-Werror")
compile_args += os.environ.get("WORD_COUNT_EXTRA_CFLAGS", "").split()



def usable_cpus():
    """The CPUs this process may run on (where the OS says so: Linux)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class ParallelBuildExt(build_ext):
    """Compiles the sources at once, one per CPU: each backend's kernel takes
    14-19 s at -O3, a build 60 s on one CPU (setuptools' own `parallel` runs
    extensions at once, and this is one extension)."""

    def build_extension(self, ext):
        compile_one = self.compiler.compile

        def compile_all(sources, *args, **kwargs):
            with ThreadPoolExecutor(usable_cpus()) as pool:
                objects = pool.map(lambda source: compile_one([source], *args, **kwargs),
                                   sources)
                return [obj for one in objects for obj in one]

        self.compiler.compile = compile_all
        try:
            super().build_extension(ext)
        finally:
            self.compiler.compile = compile_one


setup(
    cmdclass={"build_ext": ParallelBuildExt},
    ext_modules=[
        Extension(
            "word_count._wordcount",
            sources=SOURCES,
            depends=[
                "csrc/fault.h",
                "csrc/file.h",
                "csrc/fold.h",
                "csrc/kernel.h",
                "csrc/kernel_simd.h",
                "csrc/kernel_avx512_window.h",
                "csrc/pool.h",
                "csrc/pyfront.h",
                "csrc/rule.h",
                "csrc/tally.h",
                "csrc/tally_file.h",
                "csrc/counts.h",
                "csrc/arrow.h",
            ],
            extra_compile_args=compile_args,
            extra_link_args=["-pthread"],
        )
    ],
)
