"""Benchmark of the campaign reports on a 5,000-branch campaign (docs/reports.md §6).

Reuses the generator of bench/bench_recompute.py (its own PostgreSQL database, default
`sr_jobs_bench`, or `--sqlite`), recomputes the campaign once so that its ratings are
stored, then times, each in a fresh process so that its peak RSS is its own:

- the annual workbook (`annual-xlsx`), target ≤ 10 s and ≤ 250 MB `ru_maxrss`;
- the annual PDF without the appendix (`annual-pdf --no-appendix`), target ≤ 60 s;
- the five-star certificates of 500 officially five-star branches (`certificates`, one
  file), target ≤ 60 s — the approval and re-reviews they need are written in the run's
  transaction and rolled back after it;
- the annual PDF with every branch's trace, run as a background job through
  `scoring.services.exports` (request, then the task's `run_job`), while a thread reads
  the job's row every 0.2 s as the page's poll would: the progress values it saw, the
  largest step between two readings and the longest wait for a change.

Medians of `--runs` runs (the job: `--job-runs`); the figures go to
`bench/results-reports.md`.

    .venv/bin/python bench/bench_reports.py [--branches 5000] [--runs 3] [--job-runs 1] [--keep]
        [--part xlsx|pdf|job|certificates ...]
"""

import argparse
import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_recompute as generator  # noqa: E402

RESULTS = ROOT / "bench" / "results-reports.md"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sr_jobs_bench"
PARTS = ("xlsx", "pdf", "job", "certificates")
#: How many officially five-star branches the certificates' part prints.
CERTIFICATES = 500
LABELS = {
    "xlsx": "annual-xlsx",
    "pdf": "annual-pdf --no-appendix",
    "certificates": f"certificates ({CERTIFICATES})",
}
TARGETS = {
    "annual-xlsx": (10.0, 250),
    "annual-pdf --no-appendix": (60.0, None),
    f"certificates ({CERTIFICATES})": (60.0, None),
}


def _setup():
    import django

    django.setup()
    from django.test.utils import override_settings

    override_settings(
        STATIC_ROOT=tempfile.mkdtemp(prefix="starrating-bench-static-"),
        MEDIA_ROOT=tempfile.mkdtemp(prefix="starrating-bench-media-"),
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        # The job is run by this process (`run_job`), not by a worker.
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
    ).enable()


# --- the child: one measured report --------------------------------------------------------


def child(kind: str, campaign_id: int, appendix: bool, as_job: bool) -> dict:
    _setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from scoring import exporters
    from scoring.models import Campaign

    campaign = Campaign.objects.get(pk=campaign_id)
    options = {} if appendix or kind != "annual-pdf" else {"appendix": False}
    result: dict = {}
    # The job runs in autocommit (its progress is read from another connection); the
    # certificates' part in a transaction rolled back at its end.
    atomic = transaction.atomic() if kind == "certificates" else contextlib.nullcontext()
    with translation.override("zh-hans"), atomic:
        if kind == "certificates":
            _certify(campaign, CERTIFICATES)  # rolled back below: the data stay as generated
        if as_job:
            result.update(_as_job(kind, campaign, options))
        else:
            exporter = exporters.get(kind)(campaign, **options)
            with tempfile.TemporaryFile() as fp, CaptureQueriesContext(connection) as queries:
                start, cpu = time.perf_counter(), time.process_time()
                exporter.render(fp)
                result["wall"] = time.perf_counter() - start
                result["cpu"] = time.process_time() - cpu
                result["bytes"] = fp.tell()
            result["queries"] = len(queries.captured_queries)
        if kind == "certificates":
            transaction.set_rollback(True)
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _certify(campaign, count: int) -> None:
    """Make `count` branches officially five-star (bench only, in the caller's transaction):
    an approval whose frozen list gives them five stars, and their confirming re-reviews
    (docs/process.md §2.4), written directly as the generator writes its rows."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from branches.models import Role, RoleAssignment
    from scoring.models import Approval, Assessment, ReReview
    from scoring.services import publicity

    staff = get_user_model().objects.get(
        pk=RoleAssignment.objects.filter(role=Role.STAFF).values("user_id")[:1]
    )
    chosen = list(
        Assessment.objects.filter(campaign=campaign)
        .select_related("branch__parent")
        .order_by("branch__code")[:count]
    )
    rows = [
        {
            "code": a.branch.code,
            "branch": a.branch.name,
            "parent": a.branch.parent.name if a.branch.parent else "",
            "score": "95.00",
            "star": 5,
        }
        for a in chosen
    ]
    now = timezone.now()
    text = publicity.canonical(campaign, rows, meeting_date=now.date(), reference="bench")
    Approval.objects.create(
        campaign=campaign,
        meeting_date=now.date(),
        reference="bench",
        recorded_by=staff,
        recorded_at=now,
        snapshot=text,
        digest=publicity.digest_of(text),
    )
    ReReview.objects.bulk_create(
        ReReview(assessment=a, confirmed=True, by=staff, at=now) for a in chosen
    )


def _as_job(kind, campaign, options) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connections

    from branches.models import Role, RoleAssignment
    from scoring.models import ExportJob
    from scoring.services import exports

    staff = get_user_model().objects.get(
        pk=RoleAssignment.objects.filter(role=Role.STAFF).values("user_id")[:1]
    )
    job = exports.request_export(kind=kind, campaign=campaign, options=options, actor=staff)
    seen: list[tuple[float, int]] = []
    stop = threading.Event()

    def watch():
        # What the page's poll sees: the row, read on a connection of its own.
        try:
            while not stop.is_set():
                progress = ExportJob.objects.filter(pk=job.pk).values_list("progress", flat=True)
                seen.append((time.perf_counter(), progress.first() or 0))
                time.sleep(0.2)
        finally:
            connections.close_all()

    watcher = threading.Thread(target=watch)
    start, cpu = time.perf_counter(), time.process_time()
    watcher.start()
    exports.run_job(job.pk)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu  # the watcher's reads included (a few ms a second)
    stop.set()
    watcher.join()
    job.refresh_from_db()
    values = [value for _at, value in seen]
    changes = [
        (at, value) for i, (at, value) in enumerate(seen) if i == 0 or value != values[i - 1]
    ]
    waits = [b[0] - a[0] for a, b in zip(changes, changes[1:], strict=False)]
    # Where the longest wait began (the progress shown while waiting), and its share of the
    # run: on a loaded machine the seconds stretch with the wall time, the share does not.
    last_wait = wall - (changes[-1][0] - start if changes else 0)
    waited = max(zip(waits, [value for _at, value in changes], strict=False), default=(0, 0))
    if last_wait > waited[0]:
        waited = (last_wait, changes[-1][1] if changes else 0)
    steps = [b - a for a, b in zip(values, values[1:], strict=False)]
    size = job.file.size if job.file else 0
    return {
        "wall": wall,
        "cpu": cpu,
        "status": job.status,
        "error": job.error,
        "bytes": size,
        "progress_values": sorted(set(values) | {job.progress}),
        "max_step": max(steps + [job.progress - (values[-1] if values else 0)]),
        "longest_wait": max(waits + [wall - (changes[-1][0] - start if changes else 0)]),
        "readings": len(seen),
        "longest_wait_at": waited[1],
        "longest_wait_share": waited[0] / wall if wall else 0,
    }


# --- the parent ----------------------------------------------------------------------------


def _run_child(kind, campaign_id, *, appendix=True, as_job=False) -> dict:
    args = [sys.executable, __file__, "--child", kind, "--campaign", str(campaign_id)]
    if not appendix:
        args.append("--no-appendix")
    if as_job:
        args.append("--as-job")
    done = subprocess.run(args, capture_output=True, text=True, env=os.environ.copy())
    if done.returncode:
        raise SystemExit(f"{kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=None, help="default 5000 (500 SQLite)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pdf-runs", type=int, default=None, help="default --runs")
    parser.add_argument("--job-runs", type=int, default=1)
    parser.add_argument(
        "--part",
        choices=PARTS,
        action="append",
        help="measure only this part (repeatable; parts measured earlier are kept in "
        "bench/data/ and reported too, so parts may run in parallel processes)",
    )
    parser.add_argument("--keep", action="store_true", help="reuse the generated data if present")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--campaign", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-appendix", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--as-job", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.child:
        print(json.dumps(child(args.child, args.campaign, not args.no_appendix, args.as_job)))
        return 0
    if args.branches is None:
        args.branches = 500 if args.sqlite else 5000
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    database = generator._prepare_environment(args)
    _setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    campaign = generator.existing_campaign(args.branches) if args.keep else None
    if campaign is None:
        print(f"Generating {args.branches:,} branches on {database} …", flush=True)
        campaign, _timings = generator.generate(args.branches)
    campaign = _rated(campaign)
    counts = generator._counts(campaign)
    print("  " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), flush=True)

    plan = {
        "xlsx": ("annual-xlsx", {}, args.runs),
        "pdf": ("annual-pdf", {"appendix": False}, args.pdf_runs or args.runs),
        "job": ("annual-pdf", {"as_job": True}, args.job_runs),
        "certificates": ("certificates", {}, args.pdf_runs or args.runs),
    }
    for part in args.part or PARTS:
        kind, options, count = plan[part]
        load = os.getloadavg()[0]
        runs = [_run_child(kind, campaign.pk, **options) for _ in range(count)]
        measured = {"runs": runs, "load": [load, os.getloadavg()[0]], "at": time.time()}
        _part_file(args, part).parent.mkdir(parents=True, exist_ok=True)
        _part_file(args, part).write_text(json.dumps(measured), encoding="utf-8")
        print(
            f"  {part}: " + ", ".join(f"{r['wall']:.1f} s ({r['cpu']:.1f} s CPU)" for r in runs),
            flush=True,
        )
    parts = {}
    for part in PARTS:
        if _part_file(args, part).exists():
            parts[part] = json.loads(_part_file(args, part).read_text(encoding="utf-8"))
    rows = [(label, parts[part]["runs"]) for part, label in LABELS.items() if part in parts]
    _write_report(args, database, counts, rows, parts)
    over = [
        label
        for label, runs in rows
        if label in TARGETS
        and (
            statistics.median(r["cpu"] for r in runs) > TARGETS[label][0]
            or (
                TARGETS[label][1]
                and statistics.median(r["maxrss_mb"] for r in runs) > TARGETS[label][1]
            )
        )
    ]
    if over:
        print("OVER target: " + ", ".join(over))
    return 1 if over else 0


def _part_file(args, part) -> Path:
    suffix = "-sqlite" if args.sqlite else ""
    return ROOT / "bench" / "data" / f"reports-{part}{suffix}.json"


def _rated(campaign):
    """The campaign with its ratings stored (one recompute when there are none)."""
    from django.contrib.auth import get_user_model

    from branches.models import Role, RoleAssignment
    from scoring.models import Campaign, Rating
    from scoring.services.recompute import recompute_campaign

    if not Rating.objects.filter(assessment__campaign=campaign).exists():
        actor = get_user_model().objects.get(
            pk=RoleAssignment.objects.filter(role=Role.STAFF).values("user_id")[:1]
        )
        recompute_campaign(campaign=campaign, actor=actor)
    return Campaign.objects.get(pk=campaign.pk)


def _write_report(args, database, counts, rows, parts) -> None:
    def median(runs, key):
        return statistics.median(r[key] for r in runs)

    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        "# Campaign reports benchmark",
        "",
        f"Written by `bench/bench_reports.py` on {when}: "
        f"{database}; Python {platform.python_version()}, {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()}), shared with other work "
        "(the load average at the start and end of each part below: wall times are "
        "inflated by the other processes; the CPU time is the report's own, user + "
        "system); DEBUG off; each run a fresh process (its own peak RSS); Chinese.",
        "",
        "Data: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ".",
        "",
        "| report | runs | wall median (s) | min (s) | max (s) | CPU median (s) "
        "| peak RSS (MB, median) | queries | file (KB) | load | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for label, runs in rows:
        target = TARGETS.get(label)
        wanted = f"≤ {target[0]:.0f} s" + (f", ≤ {target[1]} MB" if target and target[1] else "")
        lines.append(
            f"| `{label}` | {len(runs)} | {median(runs, 'wall'):.2f} | "
            f"{min(r['wall'] for r in runs):.2f} | {max(r['wall'] for r in runs):.2f} | "
            f"{median(runs, 'cpu'):.2f} | {median(runs, 'maxrss_mb'):.0f} | "
            f"{runs[-1]['queries']} | "
            f"{runs[-1]['bytes'] // 1024:,} | {_load(parts, label)} | {wanted} |"
        )
    lines += [
        "",
        "The annual PDF with the appendix (every branch's trace), as a background job "
        "(`request_export` → `run_job`), its row read every 0.2 s as the job page polls it:",
        "",
    ]
    if "job" not in parts:
        lines.append("Not measured yet (`--part job`).")
    else:
        jobs = parts["job"]["runs"]
        lines += [
            "| runs | wall median (s) | CPU median (s) | peak RSS (MB) | file (KB) "
            "| distinct progress values | largest step seen (%) "
            "| longest wait for a change (s) | its share of the run | at (%) | load | status |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
            f"| {len(jobs)} | {median(jobs, 'wall'):.1f} | {median(jobs, 'cpu'):.1f} | "
            f"{median(jobs, 'maxrss_mb'):.0f} | "
            f"{jobs[-1]['bytes'] // 1024:,} | {len(jobs[-1]['progress_values'])} | "
            f"{max(j['max_step'] for j in jobs)} | "
            f"{max(j['longest_wait'] for j in jobs):.1f} | "
            f"{max(j.get('longest_wait_share', 0) for j in jobs):.1%} | "
            f"{jobs[-1].get('longest_wait_at', '—')} | {_load(parts, 'job')} | "
            f"{jobs[-1]['status']} |",
            "",
            "Progress values seen (last run): "
            + ", ".join(str(v) for v in jobs[-1]["progress_values"])
            + ".",
        ]
    target = ROOT / "bench" / "data" / "results-reports-sqlite.md" if args.sqlite else RESULTS
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _load(parts, label) -> str:
    part = next((p for p, name in LABELS.items() if name == label), label)
    start, end = parts[part]["load"]
    return f"{start:.1f} → {end:.1f}"


if __name__ == "__main__":
    sys.exit(main())
