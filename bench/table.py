#!/usr/bin/env python3
"""table.py RESULTS: the benchmark's table (markdown) from sandbox.sh's lines
"METHOD N PHASE SECONDS PEAK_RSS_KIB CHECK": medians over rounds, ratios, peak RSS."""
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)  # (method, n, phase) -> [(secs, rss_kib)]
bad = []
async_down = []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) != 6:
        continue
    method, n, phase, secs, rss, check = f[0], int(f[1]), f[2], float(f[3]), int(f[4]), f[5]
    if method == "batch" and phase == "down" and check.startswith("left:"):
        async_down.append(check)  # iproute2's down returns before the kernel freed the lab
    elif check not in ("ok", "clean"):
        bad.append(line.strip())
    runs[(method, n, phase)].append((secs, rss))

sizes = sorted({n for (_, n, _) in runs})


def med(method, n, phase):
    v = runs.get((method, n, phase))
    return statistics.median(s for s, _ in v) if v else None


# The seeds' way beyond what was measured: per-namespace cost of the largest N measured.
seed_sizes = [n for n in sizes if med("seed", n, "up") is not None]
estimated = set()


def seed_up(n):
    v = med("seed", n, "up")
    if v is not None or not seed_sizes:
        return v
    m = max(seed_sizes)
    estimated.add(n)
    return med("seed", m, "up") / m * n


def fmt(v, est=False):
    if v is None:
        return "–"
    return ("~" if est else "") + (f"{v:.2f} s" if v >= 0.1 else f"{v * 1000:.0f} ms")


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "–"


rows = []
for n in sizes:
    nl, ba, fl = med("netlab", n, "up"), med("batch", n, "up"), med("floor", n, "up")
    sd = seed_up(n)
    rss = max((r for ph in ("up", "plan-now", "plan", "down") for _, r in runs.get(("netlab", n, ph), [])),
              default=None)
    rounds = len(runs.get(("netlab", n, "up"), []))
    rows.append([
        str(n), fmt(nl), fmt(ba), fmt(sd, n in estimated), fmt(fl),
        ratio(ba, nl), ratio(nl, fl),
        fmt(med("netlab", n, "plan")), fmt(med("netlab", n, "plan-now")), fmt(med("netlab", n, "down")), fmt(med("batch", n, "down")),
        fmt(med("floor", n, "down")),
        f"{rss / 1024:.1f} MB" if rss else "–", str(rounds)])

head = ["N", "netlab up", "ip -batch up", "seed way up", "floor up", "batch/netlab",
        "netlab/floor", "netlab plan (no-op)", "plan right after up", "netlab down", "ip down", "floor down",
        "netlab peak RSS", "rounds"]
print("| " + " | ".join(head) + " |")
print("|" + "|".join("---:" for _ in head) + "|")
for r in rows:
    print("| " + " | ".join(r) + " |")
if estimated:
    m = max(seed_sizes)
    print(f"\n~ extrapolated from the seeds' way measured at N={m} "
          f"({med('seed', m, 'up') / m * 1000:.0f} ms a namespace), not measured.")
if async_down:
    print(f"\nip down is asynchronous: {len(async_down)} of its runs returned with links still "
          f"there (e.g. {async_down[0]}); netlab and floor downs return when all is gone.")
if bad:
    print("\nFAILED CHECKS (lab incomplete after up, or something left after down):")
    for b in bad:
        print("  " + b)
    sys.exit(1)
