"""Benchmark of the slip sheet (issue #20 item 6, docs/survey.md §2.1.2, D-7sa/D-7sb).

Times, for sheets of 100, 500 and 1,000 slips (two a page, the default rubric of ten
criteria):

- `render_slip_sheet`, the PDF alone (the codes made beforehand);
- the background job's whole run (`scoring.services.exports.run_job` of a job opening a
  branch of that many members: the codes, the PDF, the one transaction that opens the
  survey, creates the slips and stores the sheet), the survey deleted again after each.

Each size runs in a fresh process (so its peak RSS, `ru_maxrss`, is its own) on a
temporary SQLite database and media folder; medians of `--runs` runs, wall and CPU
(user + system of the process and its QR pool's processes). The rows go to
bench/RESULTS.md section 6
(`bench/results.py`); the last line printed is `slip sheet 1000: <s> s` (the PDF's
median wall time), and the script exits 1 when it is over 10 s.

    .venv/bin/python bench/bench_slips.py [--runs 5] [--sizes 100 500 1000]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SIZES = (100, 500, 1000)
TARGET = 10.0  # s for 1,000 slips (issue #20 item 6)
LINK = "https://dj.example.org/v/"
HEADER = (
    "| Slips | Pages | PDF wall s | PDF CPU s | Job wall s | Job CPU s | Peak RSS MB | When |\n"
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
)
NOTES = (
    "`bench/bench_slips.py`: medians of 5 runs, each size in a fresh process on a temporary "
    "SQLite database; PDF = `render_slip_sheet` alone, job = the whole background run "
    "(codes, PDF, the issuing transaction, the stored sheet). Target: 1,000 slips in at "
    "most 10 s (D-7sa). Before D-7sa the PDF of 1,000 slips took 193 s wall, 112 s CPU here."
)


def _environment(folder: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DJANGO_MEDIA_ROOT"] = str(folder / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "starrating.settings.base"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"


def _cpu() -> float:
    """CPU of this process and of its ended children (the QR pool's, D-7sd)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def _timed(call):
    wall, cpu = time.perf_counter(), _cpu()
    call()
    return time.perf_counter() - wall, _cpu() - cpu


def child(size: int, runs: int) -> dict:
    """Measure one size in this process; returns the medians."""
    import django

    django.setup()
    from django.utils import translation

    from branches.models import Member
    from scoring.models import ExportJob, ExportStatus, Survey
    from scoring.services import exports
    from scoring.services.survey import sheet_jobs, slips
    from scoring.services.survey.codes import new_code
    from tests import factories

    translation.activate("zh-hans")
    tree = factories.Tree()
    campaign = factories.campaign(tree.committee)
    Member.objects.bulk_create(
        Member(branch=tree.branch_a, name=f"党员{n}", code=f"M{n:05d}", active=True)
        for n in range(size)
    )
    assessment = factories.assessment(campaign, tree.branch_a)
    survey = Survey(assessment=assessment)
    pdf, job = [], []
    for _run in range(runs):
        codes = [("member", new_code()) for _ in range(size)]
        pdf.append(_timed(lambda codes=codes: slips.render_slip_sheet(survey, codes, LINK)))
        # The job's QR codes carry the same absolute link as the PDF's (as the views give).
        started = sheet_jobs._start(
            assessment, tree.secretary, sheet_jobs.OPEN, size, public=0, link_base=LINK
        )
        job.append(_timed(lambda pk=started.pk: exports.run_job(pk)))
        done = ExportJob.objects.get(pk=started.pk)
        if done.status != ExportStatus.DONE:
            raise SystemExit(f"the job failed: {done.error}")
        Survey.objects.filter(assessment=assessment).delete()
        ExportJob.objects.all().delete()
    return {
        "size": size,
        "pages": (size + 1) // 2,
        "pdf_wall": statistics.median(w for w, _c in pdf),
        "pdf_cpu": statistics.median(c for _w, c in pdf),
        "job_wall": statistics.median(w for w, _c in job),
        "job_cpu": statistics.median(c for _w, c in job),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.runs)))
        return 0

    import results

    with tempfile.TemporaryDirectory(prefix="bench-slips-") as folder:
        _environment(Path(folder))
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], check=True, cwd=ROOT
        )
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "createcachetable", "-v", "0"],
            check=True,
            cwd=ROOT,
        )
        measured = {}
        for size in args.sizes:
            # Each size on a fresh copy of the migrated database, in a process of its own.
            database = Path(folder) / "bench.sqlite3"
            copy = Path(folder) / f"bench-{size}.sqlite3"
            copy.write_bytes(database.read_bytes())
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{copy}"}
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(size), "--runs", str(args.runs)],
                capture_output=True,
                text=True,
                env=env,
                cwd=ROOT,
            )
            if done.returncode:
                print(done.stderr, file=sys.stderr)
                return 2
            out = done.stdout
            row = json.loads(out.strip().splitlines()[-1])
            measured[size] = row
            print(
                f"{size:>5} slips, {row['pages']} pages: PDF {row['pdf_wall']:.2f} s wall "
                f"{row['pdf_cpu']:.2f} s CPU; job {row['job_wall']:.2f} s wall "
                f"{row['job_cpu']:.2f} s CPU; peak RSS {row['rss_mb']:.0f} MB"
            )
            results.update_row(
                "6",
                key=f"| {size:,} |",
                row=(
                    f"| {size:,} | {row['pages']} | {row['pdf_wall']:.2f} | {row['pdf_cpu']:.2f} "
                    f"| {row['job_wall']:.2f} | {row['job_cpu']:.2f} | {row['rss_mb']:.0f} | "
                    f"{results.stamp()}, {args.runs} runs, load "
                    f"{os.getloadavg()[0]:.1f} |"
                ),
                header=HEADER,
                notes=NOTES,
            )
    if 1000 in measured:
        wall = measured[1000]["pdf_wall"]
        print(f"slip sheet 1000: {wall:.2f} s")
        return 1 if wall > TARGET else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
