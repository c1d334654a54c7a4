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
sys.path.insert(0, str(ROOT / "bench"))
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
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(code, wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
"""

# The floor (issue #20, item 4), in a fresh process like the command's: bench/bare_json.py;
# its reading of the output document is subtracted from the wall and CPU time.
_FLOOR = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(
    [sys.executable, "bench/bare_json.py", *sys.argv[1:4]], capture_output=True, text=True
)
wall = time.perf_counter() - start
prepared, prepared_cpu = map(float, done.stdout.split())
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime - prepared_cpu
print(done.returncode, wall - prepared, usage.ru_maxrss, cpu)
"""
RATIO_LIMITS = (2.0, 1.3)  # issue #20, item 4: time and memory against the floor


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


def measure(path: Path, out: Path, script: str = _MEASURE, extra=()) -> tuple:
    """(wall seconds, peak RSS in MB, CPU seconds) of one run in a fresh process: the
    command (`_MEASURE`) or its floor (`_FLOOR`)."""
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), str(out), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    code, wall, rss_kb, cpu = done.stdout.split()
    if code != "0":
        raise SystemExit(f"{path} exited {code}")
    return float(wall), int(rss_kb) / 1024, float(cpu)


def against_floor(path: Path, out: Path, runs: int) -> dict:
    """The command and its floor alternating, `runs` times each; medians and ratios."""
    floor_out = out.with_suffix(".floor.json")
    command, floor = [], []
    for _ in range(runs):
        command.append(measure(path, out))
        floor.append(measure(path, floor_out, _FLOOR, [str(out)]))
    median = {
        name: [statistics.median(r[i] for r in rows) for i in range(3)]
        for name, rows in (("command", command), ("floor", floor))
    }
    (cw, cm, cc), (fw, fm, fc) = median["command"], median["floor"]
    return {
        "command": (cw, cm, cc),
        "floor": (fw, fm, fc),
        "time": cw / fw,
        "cpu": cc / fc,
        "memory": cm / fm,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--ratio-only",
        action="store_true",
        help="only the largest size against its floor (bare json load and dump)",
    )
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    rows, failed, language = [], False, "English"
    for size in [] if args.ratio_only else args.sizes:
        path = DATA / f"campaign-{size}.json"
        if not path.exists():
            path.write_text(json.dumps(campaign(size)), encoding="utf-8")
        out = DATA / f"campaign-{size}.out.json"
        runs = [measure(path, out)[:2] for _ in range(args.runs)]
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
    if rows:
        _write_report(rows, args.runs, language)
    size = max(args.sizes)
    path = DATA / f"campaign-{size}.json"
    if not path.exists():
        path.write_text(json.dumps(campaign(size)), encoding="utf-8")
    ratio = against_floor(path, DATA / f"campaign-{size}.out.json", args.runs)
    failed |= ratio["time"] > RATIO_LIMITS[0] or ratio["memory"] > RATIO_LIMITS[1]
    _write_ratio(size, args.runs, ratio)
    return 1 if failed else 0


def _write_ratio(size: int, runs: int, ratio: dict) -> None:
    """Print the command against its floor and keep it in bench/RESULTS.md (item 4)."""
    import results  # bench/results.py

    (cw, cm, cc), (fw, fm, fc) = ratio["command"], ratio["floor"]
    print(
        f"{size:,} branches: rate {cw:.2f} s wall ({cc:.2f} s CPU, {cm:.0f} MB), bare load + "
        f"dump {fw:.2f} s wall ({fc:.2f} s CPU, {fm:.0f} MB): ratio {ratio['time']:.2f} "
        f"(CPU {ratio['cpu']:.2f}), memory {ratio['memory']:.2f}",
        flush=True,
    )
    results.update_row(
        "4",
        key=f"| {size:,} |",
        row=(
            f"| {size:,} | {cw:.2f} | {cc:.2f} | {cm:.0f} | {fw:.2f} | {fc:.2f} | {fm:.0f} | "
            f"**{ratio['time']:.2f}** | {ratio['cpu']:.2f} | **{ratio['memory']:.2f}** | "
            f"{results.stamp()}, {runs} runs, load {os.getloadavg()[0]:.1f} |"
        ),
        notes=(
            "`bench/bench_rate.py --ratio-only --sizes 100000`. The floor (D-7w): a fresh "
            "process with a bare `json.load` of the same input and `json.dump` of the same "
            "output (`bench/bare_json.py`). Target: at most 2× the time, 1.3× the memory."
        ),
        header=(
            "| branches | rate wall (s) | rate CPU (s) | rate peak (MB) | floor wall (s) | "
            "floor CPU (s) | floor peak (MB) | time ratio | CPU ratio | memory ratio | run |\n"
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
        ),
    )


def _language(produced: dict) -> str:
    """The language the trace came out in: Chinese once the catalogue has the msgids."""
    first = produced["results"][0]["explain"][0] if produced["results"] else ""
    return "Chinese" if any("\u4e00" <= c <= "\u9fff" for c in first) else "English"


def _write_report(rows: list[tuple], runs: int, language: str) -> None:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        "# `manage.py rate` benchmark",
        "",
        f"Written by `bench/bench_rate.py` on {when}: "
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
