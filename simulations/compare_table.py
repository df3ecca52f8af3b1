#!/usr/bin/env python3
"""Prints the A/B summaries of simulations/compare.sh side by side.

    python3 simulations/compare_table.py <name> "<value A> <value B>" <runs> [KEYS regex]

Facts and counters are printed as they are; histograms (microseconds) as p50 / p99 / p99.9 in ms.
"""
import json
import re
import sys

name, values, runs = sys.argv[1], sys.argv[2].split(), int(sys.argv[3])
keys = re.compile(sys.argv[4] if len(sys.argv) > 4 else ".")
out = "simulations/target/summaries"
rows = {}
columns = []
for value in values:
    for run in range(1, runs + 1):
        col = f"{value} #{run}"
        columns.append(col)
        d = json.load(open(f"{out}/{name}-{value}-{run}.json"))
        for section in ("facts", "counters"):
            for k, v in d.get(section, {}).items():
                if keys.search(k):
                    rows.setdefault(k, {})[col] = str(v)
        for k, h in d.get("histograms", {}).items():
            if keys.search(k) and h.get("unit") == "us":
                rows.setdefault(k + " (ms p50/p99/p99.9)", {})[col] = (
                    f"{h['p50'] / 1000:.1f}/{h['p99'] / 1000:.0f}/{h['p999'] / 1000:.0f}")
width = max([len(k) for k in rows] + [10])
print(" " * width + " | " + " | ".join(f"{c:>18}" for c in columns))
for k in sorted(rows):
    print(f"{k:<{width}} | " + " | ".join(f"{rows[k].get(c, '-'):>18}" for c in columns))
