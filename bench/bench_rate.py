"""Benchmark of the rating calculator, `manage.py rate` (docs/rules.md §4.1).

Generates seeded campaigns of 1,000 / 10,000 / 100,000 branches, runs the command on each
several times as a fresh process, and reports the median wall time and peak RSS. The
target: 100,000 branches in under 5 s and 500 MB on two cores. See bench/README.md.

    .venv/bin/python bench/bench_rate.py [--sizes 1000 10000 100000] [--runs 5]
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results-rate.md"
LIMITS = {100_000: (5.0, 500.0)}  # seconds, MB

# Runs one measurement in a process of its own: RUSAGE_CHILDREN's ru_maxrss is the maximum
# over all children a process ever waited for, so each run needs a fresh parent.
_MEASURE = """
import resource, subprocess, sys, time
with open(sys.argv[2], "wb") as out:
    start = time.perf_counter()
    code = subprocess.call([sys.executable, "manage.py", "rate", sys.argv[1]], stdout=out)
    wall = time.perf_counter() - start
print(code, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def campaign(size: int, seed: int = 2026) -> dict:
    """A realistic campaign: mostly components, some bases, a spread of events."""
    rng = random.Random(seed + size)
    branches = []
    for n in range(size):
        branch: dict = {"id": f"B{n:06d}"}
        if rng.random() < 0.75:
            branch["components"] = {
                "self": _points(rng, 75, 100),
                "survey": _points(rng, 60, 100),
                "review": _points(rng, 55, 100),
            }
        else:
            branch["base"] = _points(rng, 45, 100)
        if rng.random() < 0.9:
            # Mostly satisfied, a tail under 60 % and under 50 %.
            branch["satisfaction"] = (
                rng.choice([rng.randint(6000, 10000)] * 9 + [rng.randint(3000, 6500)]) / 10000
            )
        roll = rng.random()
        if roll < 0.04:
            branch["election"] = "overdue"
        elif roll < 0.06:
            branch["election"] = "overdue_over_1y"
        events = [_event(rng) for _ in range(rng.choice([0, 0, 0, 0, 1, 1, 2, 3]))]
        if events:
            branch["events"] = events
        branches.append(branch)
    return {"kind": "initial", "policy": {"quotas": "enforce"}, "branches": branches}


def _points(rng: random.Random, low: int, high: int) -> float:
    # A float with two decimals prints as its shortest decimal text, e.g. 87.35.
    return rng.randint(low * 100, high * 100) / 100


def _event(rng: random.Random) -> dict:
    kind = rng.choice(
        [
            "commendation",
            "media_article",
            "innovation",
            "criticism",
            "leader_discipline",
            "member_violation",
            "absence",
            "absence",
        ]
    )
    if kind in ("commendation", "media_article", "innovation"):
        return {"type": kind, "level": rng.choice(["city", "city", "province", "national"])}
    event: dict = {"type": kind}
    if kind == "criticism":
        event["by"] = rng.choice(["work_committee", "municipal_committee"])
    elif kind == "leader_discipline":
        event["severity"] = rng.choice(["warning", "removal"])
    if rng.random() < 0.3:
        event["count"] = rng.randint(1, 3)
    return event


def measure(path: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one `manage.py rate` run in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    code, wall, rss_kb = done.stdout.split()
    if code != "0":
        raise SystemExit(f"manage.py rate {path} exited {code}")
    return float(wall), int(rss_kb) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    rows, failed, language = [], False, "English"
    for size in args.sizes:
        path = DATA / f"campaign-{size}.json"
        if not path.exists():
            path.write_text(json.dumps(campaign(size)), encoding="utf-8")
        out = DATA / f"campaign-{size}.out.json"
        runs = [measure(path, out) for _ in range(args.runs)]
        produced = json.loads(out.read_text(encoding="utf-8"))
        assert len(produced["results"]) == size, "the calculator lost branches"
        language = _language(produced)
        walls, rss = [w for w, _ in runs], [r for _, r in runs]
        row = (size, statistics.median(walls), min(walls), max(walls), statistics.median(rss))
        rows.append(row)
        limit = LIMITS.get(size)
        verdict = ""
        if limit:
            ok = row[1] < limit[0] and row[4] < limit[1]
            failed |= not ok
            verdict = "ok" if ok else "OVER"
        print(
            f"{size:>8,} branches  median {row[1]:6.2f} s  (min {row[2]:.2f}, "
            f"max {row[3]:.2f})  peak RSS {row[4]:6.1f} MB  {verdict}",
            flush=True,
        )
    _write_report(rows, args.runs, language)
    return 1 if failed else 0


def _language(produced: dict) -> str:
    """The language the trace came out in: Chinese once the catalogue has the msgids."""
    first = produced["results"][0]["explain"][0] if produced["results"] else ""
    return "Chinese" if any("\u4e00" <= c <= "\u9fff" for c in first) else "English"


def _write_report(rows: list[tuple], runs: int, language: str) -> None:
    lines = [
        "# `manage.py rate` benchmark",
        "",
        f"Written by `bench/bench_rate.py` on {time.strftime('%Y-%m-%d %H:%M')}: "
        f"{runs} runs per size, each a fresh process; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; trace rendered in {language}. "
        "Target for 100,000 branches: under 5 s and 500 MB.",
        "",
        "| branches | median wall (s) | min (s) | max (s) | median peak RSS (MB) |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, median, low, high, rss in rows:
        lines.append(f"| {size:,} | {median:.2f} | {low:.2f} | {high:.2f} | {rss:.0f} |")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
