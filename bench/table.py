#!/usr/bin/env python3
"""table.py RESULTS...: the benchmark's table (markdown) from sandbox.sh's lines
"METHOD N PHASE SECONDS PEAK_RSS_KIB CHECK [BRIDGES]": medians over rounds, ratios, peak RSS;
and, when there are edit-up phases, a second table of them."""
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)  # (method, (n, bridges), phase) -> [(secs, rss_kib)]
bad = []
async_down = []
for path in sys.argv[1:]:
    for line in open(path):
        f = line.split()
        if len(f) not in (6, 7):
            continue
        method, n, phase, secs, rss, check = f[0], int(f[1]), f[2], float(f[3]), int(f[4]), f[5]
        lab = (n, int(f[6]) if len(f) == 7 else 1)
        if method == "batch" and phase == "down" and check.startswith("left:"):
            async_down.append(check)  # iproute2's down returns before the kernel freed the lab
        elif check not in ("ok", "clean"):
            bad.append(line.strip())
        runs[(method, lab, phase)].append((secs, rss))

labs = sorted({lab for (_, lab, _) in runs})


def med(method, lab, phase):
    v = runs.get((method, lab, phase))
    return statistics.median(s for s, _ in v) if v else None


def label(lab):
    n, bridges = lab
    return str(n) if bridges == 1 else f"{n} ({bridges} bridges)"


# The seeds' way beyond what was measured: per-namespace cost of the largest N measured.
seed_labs = [lab for lab in labs if med("seed", lab, "up") is not None]
estimated = set()


def seed_up(lab):
    v = med("seed", lab, "up")
    if v is not None or not seed_labs:
        return v
    m = max(seed_labs)
    estimated.add(lab)
    return med("seed", m, "up") / m[0] * lab[0]


def fmt(v, est=False):
    if v is None:
        return "–"
    return ("~" if est else "") + (f"{v:.2f} s" if v >= 0.1 else f"{v * 1000:.0f} ms")


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "–"


def peak(lab, phases):
    rss = max((r for ph in phases for _, r in runs.get(("netlab", lab, ph), [])), default=None)
    return f"{rss / 1024:.1f} MB" if rss else "–"


def print_table(head, rows):
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---:" for _ in head) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


rows = []
for lab in labs:
    nl, ba, fl = med("netlab", lab, "up"), med("batch", lab, "up"), med("floor", lab, "up")
    sd = seed_up(lab)
    rows.append([
        label(lab), fmt(nl), fmt(ba), fmt(sd, lab in estimated), fmt(fl),
        ratio(ba, nl), ratio(nl, fl),
        fmt(med("netlab", lab, "plan")), fmt(med("netlab", lab, "plan-now")),
        fmt(med("netlab", lab, "down")), fmt(med("batch", lab, "down")),
        fmt(med("floor", lab, "down")),
        peak(lab, ("up", "plan-now", "plan", "down")), str(len(runs.get(("netlab", lab, "up"), [])))])

print_table(["N", "netlab up", "ip -batch up", "seed way up", "floor up", "batch/netlab",
             "netlab/floor", "netlab plan (no-op)", "plan right after up", "netlab down", "ip down",
             "floor down", "netlab peak RSS", "rounds"], rows)
if estimated:
    m = max(seed_labs)
    print(f"\n~ extrapolated from the seeds' way measured at N={m[0]} "
          f"({med('seed', m, 'up') / m[0] * 1000:.0f} ms a namespace), not measured.")
if async_down:
    print(f"\nip down is asynchronous: {len(async_down)} of its runs returned with links still "
          f"there (e.g. {async_down[0]}); netlab and floor downs return when all is gone.")

edits = [lab for lab in labs if med("netlab", lab, "edit-up") is not None]
if edits:
    print("\nOne namespace's address edited in the live lab (`netlab up` of the edited file; "
          "iproute2 has no equivalent):\n")
    print_table(["N", "netlab up, one address edited", "netlab up (whole lab)", "peak RSS", "rounds"],
                [[label(lab), fmt(med("netlab", lab, "edit-up")), fmt(med("netlab", lab, "up")),
                  peak(lab, ("edit-up",)), str(len(runs[("netlab", lab, "edit-up")]))]
                 for lab in edits])
if bad:
    print("\nFAILED CHECKS (lab incomplete after up, something left after down, or an edit "
          "not done):")
    for b in bad:
        print("  " + b)
    sys.exit(1)
