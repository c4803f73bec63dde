"""Draws bench-results/sweep.json (from sweep.py) into a PNG.

    python benchmarks/plot.py bench-results/sweep.json docs/benchmark.png

Left: throughput against input size for each counter, the memchr pass as the
roof. Right: speed-up of `search` against threads.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = {
    "memchr pass": dict(color="black", linestyle="--", linewidth=2),
    "search": dict(color="tab:red", marker="o"),
    "search_sequential": dict(color="tab:blue", marker="s"),
    "search_sequential_allow_threads": dict(color="tab:cyan", marker=".", linestyle=":"),
    "search_py": dict(color="tab:green", marker="^"),
    "PyO3 search": dict(color="tab:orange", marker="v"),
    "PyO3 search_sequential": dict(color="tab:brown", marker="<"),
}


def main(source, target):
    data = json.loads(open(source).read())
    m = data["machine"]
    fig, (sizes, threads) = plt.subplots(1, 2, figsize=(13, 5), width_ratios=[3, 2])

    rows = data["sizes"]
    for name, style in STYLE.items():
        points = [(r["size"], r[name]) for r in rows if name in r]
        if points:
            xs, ys = zip(*points)
            sizes.plot(xs, ys, label=name, **style)
    sizes.set_xscale("log", base=2)
    sizes.set_yscale("log")
    sizes.set_xlabel("text size (bytes)")
    sizes.set_ylabel("GB/s (higher is better)")
    sizes.set_title('Throughput, needle "is" in the Zen of Python')
    sizes.grid(True, which="both", alpha=0.3)
    sizes.legend(fontsize=8)

    for size in sorted({r["size"] for r in data["threads"]}):
        points = [(r["threads"], r["speed-up"]) for r in data["threads"] if r["size"] == size]
        xs, ys = zip(*points)
        threads.plot(xs, ys, marker="o", label=f"{size / 2**20:.0f} MiB")
    threads.set_xticks(sorted({r["threads"] for r in data["threads"]}))
    threads.axvline(m["cpus"], color="gray", linestyle=":", label=f"{m['cpus']} CPUs")
    threads.set_xlabel("threads=")
    threads.set_ylabel("speed-up over threads=1")
    threads.set_title("search: speed-up against threads")
    threads.grid(True, alpha=0.3)
    threads.legend(fontsize=8)

    fig.suptitle(f"word_count on {m['cpu']} ({m['cpus']} CPUs), Python {m['python']}, "
                 f"backend {m['backend']}, {m['date']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    print(f"wrote {target}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
