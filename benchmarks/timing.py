"""Timing side by side: every candidate timed in turn within one run, so that
ratios between them survive a noisy, shared machine."""
import contextlib
import io
import os
import platform
import sys
import time
import timeit

#: Calls per timed batch are raised until a batch takes this long.
MIN_BATCH_SECONDS = 0.02


def status(field: str) -> int:
    """A field of /proc/self/status, in kB (VmRSS:, VmHWM:)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field))


def zen_of_python() -> str:
    """The text `import this` prints, without printing it."""
    with contextlib.redirect_stdout(io.StringIO()):
        import this
    return "".join(this.d.get(c, c) for c in this.s)


def seed_search_py(contents: str, needle: str) -> int:
    """The seed's pure-Python version, as PyO3's example has it."""
    total = 0
    for line in contents.splitlines():
        for word in line.split(" "):
            if word == needle:
                total += 1
    return total


def calls_per_batch(func) -> int:
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            func()
        if time.perf_counter() - start >= MIN_BATCH_SECONDS or number >= 1 << 20:
            return number
        number *= 2


def side_by_side(candidates: dict, repeat: int = 7, warmup: float = 0.0) -> dict:
    """Seconds per call of each candidate (the best of `repeat` batches), the
    batches of all candidates interleaved; before each batch the candidate
    runs alone for `warmup` seconds, so that it is timed in its own steady
    state.

    Parallel counters need the warm-up to reach their steady state. And on
    this 2-vCPU virtual machine, after `search` ran, one-thread code on the
    same CPU runs a third slower (22 us before, 32.7 us after on CPU 0, 22.1
    us once moved to CPU 1 and 22.2 us back on CPU 0), with no thread of ours
    running: a state of the host, not of the process. goals.py therefore
    times one-thread counters before any parallel one.
    """
    numbers = {name: calls_per_batch(func) for name, func in candidates.items()}
    best = {name: float("inf") for name in candidates}
    for _ in range(repeat):
        for name, func in candidates.items():
            end = time.perf_counter() + warmup
            while time.perf_counter() < end:
                func()
            seconds = timeit.timeit(func, number=numbers[name]) / numbers[name]
            best[name] = min(best[name], seconds)
    return best


def text_of_size(size: int, extra: str = "") -> str:
    """`size` characters of the Zen of Python, ending in `extra` (which sets
    the str's form: "\\u0101" for 2 bytes, "\\U0001f600" for 4)."""
    zen = zen_of_python()
    text = (zen * (size // len(zen) + 1))[: size - len(extra)]
    return text + extra


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import word_count
    return {
        "date": time.strftime("%Y-%m-%d"),
        "cpu": cpu,
        "cpus": len(os.sched_getaffinity(0)),
        "python": sys.version.split()[0],
        "backend": word_count.simd,
    }
