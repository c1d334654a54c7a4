"""Benchmark of the pages that list a whole campaign (docs/nonfunctional.md §7, issue #20 item 3).

Reuses the generator of bench/bench_recompute.py, one PostgreSQL database per size
(`DATABASE_URL`, default `sr_bench_pages` for 5,000 branches and `sr_bench_pages_<n>` for
other sizes), recomputes the campaign once, then requests each page through the test
client (middleware included, DEBUG off), alternating the pages, `--runs` times each, and
reports per page the medians of:

- the server time (wall, and CPU time of the process) of the whole request;
- the SQL time of the statements the request ran (an `execute_wrapper` around every
  statement: wall time from sending it to having its rows), their count;
- the response size.

Targets: server time at most 4× its SQL time and at most 100 ms (median), at 5,000 and at
20,000 branches; query count and size that do not grow with the branches. Each size runs
in a fresh process (`--child`); the parent writes section 3, "Pages", of bench/RESULTS.md
through bench/results.py (one row per size and page, replaced when measured again).

    .venv/bin/python bench/bench_pages.py [--branches 5000 20000] [--runs 5] [--keep]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_recompute as generator  # noqa: E402
import results  # noqa: E402  (bench/results.py: bench/RESULTS.md, one section per item)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sr_bench_pages"
TARGET_RATIO = 4.0
TARGET_SECONDS = 0.100


def database_url(branches: int) -> str:
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if branches == 5000:
        return url
    parsed = urlparse(url)
    return parsed._replace(path=f"{parsed.path}_{branches}").geturl()


# --- the child: one size ------------------------------------------------------------------


class SqlTimer:
    """An execute_wrapper: the wall time and count of every statement run through it."""

    def __init__(self):
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


def pages(campaign):
    """(label, user name, address) of every measured page."""
    from django.urls import reverse

    from scoring.models import Assessment

    query = f"?campaign={campaign.pk}"
    # The dashboard's four tabs (D-7qs): progress at its own address, then the others.
    board, stars, ranking, gaps = (
        reverse("scoring:dashboard", args=[tab] if tab else []) + query
        for tab in (None, "stars", "ranking", "gaps")
    )

    def chart(name, size):
        url = reverse("scoring:dashboard_chart", args=[name, size])
        return f"{url}?campaign={campaign.pk}"

    results = reverse("scoring:campaign_results", args=[campaign.pk])
    assessment = (
        Assessment.objects.filter(campaign=campaign, branch__parent__code="BENCH-P00")
        .order_by("branch__code")
        .values_list("pk", flat=True)
        .first()
    )
    return [
        ("results page, page 1", "bench-staff", results),
        ("results page, page 40", "bench-staff", f"{results}?page=40"),
        ("dashboard progress, staff", "bench-staff", board),
        ("dashboard progress, reviewer", "bench-reviewer", board),
        ("dashboard stars, staff", "bench-staff", stars),
        ("dashboard stars, reviewer", "bench-reviewer", stars),
        ("dashboard ranking, staff", "bench-staff", ranking),
        ("dashboard ranking, reviewer", "bench-reviewer", ranking),
        ("dashboard ranking, four stars, page 2", "bench-staff", f"{ranking}&star=4&page=2"),
        ('dashboard ranking, search "Branch 01"', "bench-staff", f"{ranking}&q=Branch+01"),
        ("dashboard ranking, incomplete", "bench-staff", f"{ranking}&status=incomplete"),
        ("dashboard gaps, staff", "bench-staff", gaps),
        ("dashboard gaps, staff, page 20", "bench-staff", f"{gaps}&page=20"),
        ("dashboard gaps, reviewer", "bench-reviewer", gaps),
        # The dashboard's charts, each its own SVG response (D-7pa).
        (
            "dashboard chart: distribution, wide, staff",
            "bench-staff",
            chart("distribution", "wide"),
        ),
        ("dashboard chart: trend, wide, staff", "bench-staff", chart("trend", "wide")),
        ("dashboard chart: comparison, wide, staff", "bench-staff", chart("comparison", "wide")),
        (
            "dashboard chart: comparison, narrow, reviewer",
            "bench-reviewer",
            chart("comparison", "narrow"),
        ),
        ("review queue, reviewer", "bench-reviewer", reverse("scoring:review_queue")),
        ("review queue, staff", "bench-staff", reverse("scoring:review_queue")),
        (
            "review queue, staff, page 20",
            "bench-staff",
            reverse("scoring:review_queue") + "?page=20",
        ),
        ("audit queue, staff", "bench-staff", reverse("scoring:audit_queue")),
        (
            "branch page (assessment), staff",
            "bench-staff",
            reverse("scoring:assessment", args=[assessment]),
        ),
        (
            "branch page (assessment), reviewer",
            "bench-reviewer",
            reverse("scoring:assessment", args=[assessment]),
        ),
    ]


def child(branches: int, runs: int, keep: bool) -> dict:
    os.environ["DATABASE_URL"] = database_url(branches)
    name = urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")
    generator._ensure_postgres_database(os.environ["DATABASE_URL"], name, fresh=not keep)
    os.environ["DJANGO_SETTINGS_MODULE"] = "starrating.settings.base"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.chdir(ROOT)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    override_settings(
        STATIC_ROOT=tempfile.mkdtemp(prefix="starrating-bench-static-"),
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()
    call_command("migrate", verbosity=0, interactive=False)
    campaign = generator.existing_campaign(branches) if keep else None
    generated = None
    if campaign is None:
        print(f"[{branches}] generating on {name} …", file=sys.stderr, flush=True)
        start = time.perf_counter()
        campaign, _timings = generator.generate(branches)
        generated = time.perf_counter() - start
    from scoring.models import Rating
    from scoring.services import recompute

    User = get_user_model()
    staff = User.objects.get(username="bench-staff")
    if (
        campaign.recomputed_at is None
        or not Rating.objects.filter(assessment__campaign=campaign).exists()
    ):
        recompute.recompute_campaign(campaign=campaign, actor=staff)
    clients = {}
    for username in ("bench-staff", "bench-reviewer"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[username] = client
    measured = pages(campaign)
    samples = {label: [] for label, _u, _a in measured}
    for label, username, address in measured:  # one warm-up round
        assert clients[username].get(address).status_code == 200, (label, address)
    for _ in range(runs):
        for label, username, address in measured:  # alternating the pages
            timer = SqlTimer()
            with connection.execute_wrapper(timer):
                cpu, wall = time.process_time(), time.perf_counter()
                response = clients[username].get(address)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            assert response.status_code == 200, (label, response.status_code)
            samples[label].append((wall, cpu, timer.seconds, timer.count, len(response.content)))
    rows = []
    for label, _u, _a in measured:
        got = samples[label]
        rows.append(
            {
                "page": label,
                "server": statistics.median(s[0] for s in got),
                "cpu": statistics.median(s[1] for s in got),
                "sql": statistics.median(s[2] for s in got),
                "ratio": statistics.median(s[0] / s[2] if s[2] else float("inf") for s in got),
                "queries": got[-1][3],
                "bytes": got[-1][4],
            }
        )
    rated = Rating.objects.filter(assessment__campaign=campaign).count()
    return {"branches": branches, "rated": rated, "generated": generated, "rows": rows}


# --- the parent: every size, then RESULTS.md ---------------------------------------------


def format_rows(result: dict) -> list[str]:
    lines = [
        f"{result['branches']:,} branches ({result['rated']:,} rated):",
        "",
        "| page | server (s) | CPU (s) | SQL (s) | server / SQL | queries | KB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['page']} | {row['server']:.3f} | {row['cpu']:.3f} | {row['sql']:.4f} | "
            f"{row['ratio']:.1f} | {row['queries']} | {row['bytes'] / 1024:.0f} |"
        )
    return lines + [""]


HEADER = (
    "| branches | page | server (s) | CPU (s) | SQL (s) | server / SQL | queries | KB | run |\n"
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
)
NOTES = (
    "`bench/bench_pages.py [--branches N …] [--keep]`: PostgreSQL, one database per size; "
    "DEBUG off; the test client with a logged-in user; medians of the runs, pages "
    "alternating. SQL = the statements of the request, timed by an `execute_wrapper`; CPU "
    "= the process's (the server's time shows in the wall and the SQL only). Targets: "
    "server ≤ 4 × SQL and ≤ 0.100 s; queries and size flat in the branches. Run: when, the "
    "runs, the load average at the end (the machine is shared: judge by CPU and the ratio)."
)


def write_results(result_list: list[dict], runs: int) -> None:
    run = f"{results.stamp()}, {runs} runs, load {os.getloadavg()[0]:.1f}"
    for result in result_list:
        for row in result["rows"]:
            key = f"| {result['branches']:,} | {row['page']} |"
            results.update_row(
                "3",
                key=key,
                row=(
                    f"{key} {row['server']:.3f} | {row['cpu']:.3f} | {row['sql']:.4f} | "
                    f"{row['ratio']:.1f} | {row['queries']} | {row['bytes'] / 1024:.0f} | {run} |"
                ),
                header=HEADER,
                notes=NOTES,
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the generated data if present")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.runs, args.keep)))
        return 0
    results = []
    for branches in args.branches:
        command = [sys.executable, __file__, "--child", str(branches), "--runs", str(args.runs)]
        if args.keep:
            command.append("--keep")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            sys.stderr.write(done.stderr)
            return done.returncode
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        print("\n".join(format_rows(result)), flush=True)
    write_results(results, args.runs)
    missed = [
        f"{result['branches']}: {row['page']}"
        for result in results
        for row in result["rows"]
        if row["ratio"] > TARGET_RATIO or row["server"] > TARGET_SECONDS
    ]
    if missed:
        print("MISSED: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
