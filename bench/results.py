"""bench/RESULTS.md: the figures of issue #20 (performance), one section per item.

Each benchmark keeps its own rows in its own section (`update_row`): a row is replaced
when a run of the same kind (its `key`, the row's first cells) is measured again, other
sections are left as they are. The file's head says when and on what machine it was
last written.
"""

import os
import platform
import re
import time
from pathlib import Path

PATH = Path(__file__).resolve().parent / "RESULTS.md"
NOT_YET = "Not measured yet."

SECTIONS = {
    "2": "2. Recompute against its floor",
    "3": "3. Pages",
    "4": "4. `manage.py rate` against a bare JSON load and dump",
    "5": "5. Ballots under a burst",
    "6": "6. Slip sheets",
    "7": "7. Exports and the simulator",
}

INTRO = """# Performance figures (issue #20)

Ratios measured in one process, the measured thing and its floor alternating, medians
of 5, wall and CPU time (the machine is shared: wall times are inflated and noisy, the
ratios and CPU times say more). Each section is rewritten only by its own benchmark
(bench/README.md says which).
"""


def stamp() -> str:
    """When a run was, in UTC: Django's TIME_ZONE sets the process's TZ, so local time
    would depend on whether the script had set Django up."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                "",
            )
    except OSError:
        pass
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs {model}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; {speed()}"
    )


def speed() -> str:
    """How fast this machine runs Python, to compare figures across machines: two machines
    of the same description differed by 1.8× in every page's CPU time (2026-12-01)."""
    start, total = time.process_time(), 0
    for i in range(10_000_000):
        total += i
    return f"a loop of 10⁷ additions takes {time.process_time() - start:.2f} s of CPU"


def _parse(text: str) -> dict[str, list[str]]:
    """{item: lines of its section body}."""
    bodies: dict[str, list[str]] = {item: [] for item in SECTIONS}
    current = None
    for line in text.splitlines():
        heading = re.match(r"## (\d)\. ", line)
        if heading:
            current = heading.group(1) if heading.group(1) in SECTIONS else None
            continue
        if current:
            bodies[current].append(line)
    return bodies


def update_row(item: str, *, key: str, row: str, header: str, notes: str = "") -> None:
    """Put `row` in section `item`'s table (replacing the row that starts with `key`)."""
    bodies = _parse(PATH.read_text(encoding="utf-8")) if PATH.exists() else _parse("")
    body = [line for line in bodies[item] if line.strip()]
    rows = [line for line in body if line.startswith("| ") and not line.startswith("| ---")]
    header_lines = header.splitlines()
    rows = [r for r in rows if r not in header_lines and not r.startswith(key)]
    # A row of another layout (its table's columns changed since) is dropped.
    rows = [r for r in rows if r.count("|") == header_lines[0].count("|")]
    prose = [line for line in body if not line.startswith("|") and line != NOT_YET]
    if notes:
        prose = [notes]
    bodies[item] = [*prose, "", *header_lines, *sorted(rows + [row])]
    out = [INTRO, f"Last written {stamp()} on {machine()}.", ""]
    for number, title in SECTIONS.items():
        out += [f"## {title}", ""]
        lines = bodies[number]
        while lines and not lines[0].strip():
            lines = lines[1:]
        while lines and not lines[-1].strip():
            lines = lines[:-1]
        out += [*(lines or [NOT_YET]), ""]
    PATH.write_text("\n".join(out), encoding="utf-8")
