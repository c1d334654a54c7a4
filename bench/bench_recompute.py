"""Benchmark of a whole-campaign recompute and the pages that read it (docs/nonfunctional.md §7).

Generates, on PostgreSQL (`DATABASE_URL`, default the `starrating_bench` database on
127.0.0.1), a campaign of 5,000 branches under 50 party committees (and some directly
managed), 150,000 members, every self-evaluation submitted, every survey closed with
150,000 ballots in all, every review submitted, some five-star audits agreed and a few
hundred bonus/penalty events. Then it times `recompute_campaign` (median of the runs,
wall time and query count), its pieces, the campaign results page (first and a middle
page) and the review queue. See bench/README.md.

    .venv/bin/python bench/bench_recompute.py [--branches 5000] [--runs 5] [--keep] [--sqlite]
"""

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import results  # noqa: E402  (bench/results.py: bench/RESULTS.md, one section per item)

RESULTS = ROOT / "bench" / "results-recompute.md"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/starrating_bench"
YEAR = 2026
MEMBERS_PER_BRANCH = 30  # 5,000 branches → 150,000 members, 150,000 ballots
PARENTS = 50
DIRECT_SHARE = 0.05  # directly managed branches (直属)
COMMITTEE_CODE = "BENCH"
LIMITS = {"recompute": 2.0, "page": 0.5}  # seconds, the brief's alarm thresholds
GRADE_FACTORS = {"E": Decimal("1.0"), "G": Decimal("0.8"), "F": Decimal("0.6"), "P": Decimal("0.2")}


# --- database set-up (before Django starts) ----------------------------------------------


def _prepare_environment(args) -> str:
    """Point Django at the bench database; returns a description of it."""
    if args.sqlite:
        path = Path(tempfile.gettempdir()) / f"starrating-bench-{args.branches}.sqlite3"
        if not args.keep and path.exists():
            path.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        described = f"SQLite ({path})"
    else:
        url = os.environ.get("DATABASE_URL", DEFAULT_URL)
        os.environ["DATABASE_URL"] = url
        name = urlparse(url).path.lstrip("/")
        _ensure_postgres_database(url, name, fresh=not args.keep)
        described = f"PostgreSQL ({name})"
    # Production-like: DEBUG off (no query log kept), plain static storage (no manifest).
    os.environ["DJANGO_SETTINGS_MODULE"] = "starrating.settings.base"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    return described


def _psql(url: str, sql: str) -> str:
    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    done = subprocess.run(
        ["psql", admin, "-v", "ON_ERROR_STOP=1", "-tAc", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _ensure_postgres_database(url: str, name: str, *, fresh: bool) -> None:
    """Create the database if missing; without --keep start from an empty one.

    Only a database whose name contains "bench" is ever dropped."""
    exists = _psql(url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists and fresh:
        if "bench" not in name:
            raise SystemExit(f"refusing to drop {name!r}: use --keep or a *bench* database")
        _psql(url, f'DROP DATABASE "{name}" WITH (FORCE)')
        exists = False
    if not exists:
        _psql(url, f'CREATE DATABASE "{name}"')


# --- data generation ---------------------------------------------------------------------


def existing_campaign(branches: int):
    from scoring.models import Campaign

    campaign = Campaign.objects.filter(committee__code=COMMITTEE_CODE, year=YEAR).first()
    if campaign is not None and campaign.assessments.count() == branches:
        return campaign
    return None


def generate(branches: int, seed: int = 2026):
    """The whole campaign, written with bulk_create; returns (campaign, timings)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from branches.models import Member, Organisation, OrgKind, Role, RoleAssignment
    from scoring.models import (
        Assessment,
        AuditStatus,
        Ballot,
        Campaign,
        CampaignKind,
        CampaignStatus,
        Criterion,
        EventType,
        Review,
        ReviewScore,
        ReviewStatus,
        ScoreEvent,
        SelfEvaluation,
        SelfEvaluationStatus,
        SelfScore,
        Slip,
        SlipKind,
        Survey,
        SurveyStatus,
        Verdict,
    )
    from scoring.rubric import default_rubric

    rng = random.Random(seed + branches)
    timings: dict[str, float] = {}
    batch = 5000
    User = get_user_model()
    now = timezone.now()
    today = datetime_date(YEAR, 6, 1)

    def step(name, started):
        timings[name] = time.perf_counter() - started

    with transaction.atomic():
        t = time.perf_counter()
        password = make_password("bench-Pass-123")
        staff = User.objects.create(username="bench-staff", password=password)
        reviewer = User.objects.create(username="bench-reviewer", password=password)
        committee = Organisation.objects.create(
            name="Bench work committee", code=COMMITTEE_CODE, kind=OrgKind.COMMITTEE
        )
        RoleAssignment.objects.create(user=staff, organisation=committee, role=Role.STAFF)
        parents = Organisation.objects.bulk_create(
            Organisation(
                name=f"Party committee {p:02d}",
                code=f"{COMMITTEE_CODE}-P{p:02d}",
                kind=OrgKind.PARTY_COMMITTEE,
                parent=committee,
            )
            for p in range(PARENTS)
        )
        RoleAssignment.objects.create(user=reviewer, organisation=parents[0], role=Role.REVIEWER)
        other_reviewers = User.objects.bulk_create(
            User(username=f"bench-reviewer-{p:02d}", password=password) for p in range(1, PARENTS)
        )
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=u, organisation=parents[p], role=Role.REVIEWER)
            for p, u in enumerate(other_reviewers, start=1)
        )
        direct = int(branches * DIRECT_SHARE)
        orgs = []
        for n in range(branches):
            parent = committee if n < direct else parents[n % PARENTS]
            term_end = datetime_date(YEAR + rng.choice([1, 1, 2, 0]), rng.randint(1, 12), 1)
            if rng.random() < 0.06:  # overdue elections
                term_end = datetime_date(YEAR - rng.choice([1, 2]), rng.randint(1, 12), 1)
            orgs.append(
                Organisation(
                    name=f"Branch {n:05d}",
                    code=f"{COMMITTEE_CODE}-B{n:05d}",
                    kind=OrgKind.BRANCH,
                    parent=parent,
                    term_start=datetime_date(term_end.year - 3, term_end.month, 1),
                    term_end=term_end,
                )
            )
        orgs = Organisation.objects.bulk_create(orgs, batch_size=batch)
        step("organisations", t)

        t = time.perf_counter()
        Member.objects.bulk_create(
            (
                Member(code=f"M{n:05d}-{m:02d}", name=f"Member {n}-{m}", branch=org)
                for n, org in enumerate(orgs)
                for m in range(MEMBERS_PER_BRANCH)
            ),
            batch_size=batch,
        )
        step("members", t)

        t = time.perf_counter()
        campaign = Campaign.objects.create(
            year=YEAR,
            kind=CampaignKind.INITIAL,
            title=f"Bench {YEAR} ({branches} branches)",
            committee=committee,
            status=CampaignStatus.OPEN,
            self_deadline=datetime_date(YEAR, 6, 5),
            opened_at=now,
            created_by=staff,
        )
        criteria = Criterion.objects.bulk_create(
            Criterion(campaign=campaign, position=i, title=title, max_points=points)
            for i, (title, _description, points) in enumerate(default_rubric(), start=1)
        )
        maxima = [c.max_points for c in criteria]
        assessments = bulk_create_with_history(
            [Assessment(campaign=campaign, branch=org) for org in orgs],
            Assessment,
            batch_size=batch,
            default_user=staff,
        )
        assessments = list(
            Assessment.objects.filter(campaign=campaign)
            .select_related("branch")
            .order_by("branch__code")
        )
        step("campaign and assessments", t)

        t = time.perf_counter()
        sheets, self_scores = [], []
        for a in assessments:
            scores = [Decimal(rng.randint(int(m * 70), int(m * 100))) / 100 for m in maxima]
            sheets.append(
                SelfEvaluation(
                    assessment=a,
                    status=SelfEvaluationStatus.SUBMITTED,
                    self_star=rng.randint(3, 5),
                    total=sum(scores, Decimal(0)),
                    submitted_at=now,
                )
            )
            self_scores.append(scores)
        bulk_create_with_history(sheets, SelfEvaluation, batch_size=batch, default_user=staff)
        sheet_ids = dict(
            SelfEvaluation.objects.filter(assessment__campaign=campaign).values_list(
                "assessment_id", "pk"
            )
        )
        SelfScore.objects.bulk_create(
            (
                SelfScore(self_evaluation_id=sheet_ids[a.pk], criterion=c, score=s)
                for a, scores in zip(assessments, self_scores, strict=True)
                for c, s in zip(criteria, scores, strict=True)
            ),
            batch_size=batch,
        )
        step("self-evaluations", t)

        t = time.perf_counter()
        plans = []  # members who voted, per branch (24 to 30 of 30: 80 % and more)
        for _a in assessments:
            members_voted = rng.randint(24, MEMBERS_PER_BRANCH)
            plans.append(members_voted)
        # Public ballots make up the rest, so ballots total branches × MEMBERS_PER_BRANCH.
        surveys = [
            Survey(
                assessment=a,
                status=SurveyStatus.CLOSED,
                opened_on=datetime_date(YEAR, 5, 1),
                closed_on=today,
                electorate=MEMBERS_PER_BRANCH,
                member_slips_issued=MEMBERS_PER_BRANCH,
                public_slips_issued=(MEMBERS_PER_BRANCH - voted) + 2,
            )
            for a, voted in zip(assessments, plans, strict=True)
        ]
        bulk_create_with_history(surveys, Survey, batch_size=batch, default_user=staff)
        survey_ids = dict(
            Survey.objects.filter(assessment__campaign=campaign).values_list("assessment_id", "pk")
        )
        step("surveys", t)

        t = time.perf_counter()
        verdicts = [Verdict.SATISFIED] * 7 + [Verdict.BASICALLY_SATISFIED] * 2
        verdicts.append(Verdict.DISSATISFIED)
        letters = "EEEGGGFFP"

        def ballots():
            for a, voted in zip(assessments, plans, strict=True):
                survey_id = survey_ids[a.pk]
                public = MEMBERS_PER_BRANCH - voted
                for i in range(voted + public):
                    grades = "".join(rng.choice(letters) for _ in maxima)
                    yield Ballot(
                        id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        survey_id=survey_id,
                        kind=SlipKind.MEMBER if i < voted else SlipKind.PUBLIC,
                        cast_on=today,
                        grades=grades,
                        verdict=rng.choice(verdicts),
                        points=sum(
                            (m * GRADE_FACTORS[g] for m, g in zip(maxima, grades, strict=True)),
                            Decimal(0),
                        ),
                    )

        Ballot.objects.bulk_create(ballots(), batch_size=batch)
        step("ballots", t)

        t = time.perf_counter()

        def slips():  # the unspent ones: members who did not vote, two public slips
            for a, voted in zip(assessments, plans, strict=True):
                survey_id = survey_ids[a.pk]
                for kind, count in ((SlipKind.MEMBER, MEMBERS_PER_BRANCH - voted), ("public", 2)):
                    for _ in range(count):
                        yield Slip(survey_id=survey_id, kind=kind, code_hash=uuid.uuid4().hex * 2)

        Slip.objects.bulk_create(slips(), batch_size=batch)
        step("unspent slips", t)

        t = time.perf_counter()
        reviews, review_scores = [], []
        for a in assessments:
            quality = rng.uniform(0.55, 1.0)  # one branch is good or weak all over
            scores = [
                Decimal(
                    rng.randint(
                        int(int(m) * quality * 90), int(int(m) * min(1, quality + 0.1) * 100)
                    )
                )
                / 100
                for m in maxima
            ]
            total = sum(scores, Decimal(0))
            five = total >= 92
            audit = AuditStatus.NOT_NEEDED
            if five:
                audit = AuditStatus.AGREED if rng.random() < 0.8 else AuditStatus.PENDING
            reviews.append(
                Review(
                    assessment=a,
                    reviewer=staff if a.branch.parent_id == committee.pk else reviewer,
                    status=ReviewStatus.SUBMITTED,
                    total=total,
                    proposed_star=5 if five else 4,
                    submitted_at=now,
                    audit_status=audit,
                    audited_by=staff if audit == AuditStatus.AGREED else None,
                    audited_at=now if audit == AuditStatus.AGREED else None,
                )
            )
            review_scores.append(scores)
        bulk_create_with_history(reviews, Review, batch_size=batch, default_user=staff)
        review_ids = dict(
            Review.objects.filter(assessment__campaign=campaign).values_list("assessment_id", "pk")
        )
        ReviewScore.objects.bulk_create(
            (
                ReviewScore(review_id=review_ids[a.pk], criterion=c, score=s)
                for a, scores in zip(assessments, review_scores, strict=True)
                for c, s in zip(criteria, scores, strict=True)
            ),
            batch_size=batch,
        )
        step("reviews", t)

        t = time.perf_counter()
        kinds = [
            (EventType.COMMENDATION, {"level": "city"}),
            (EventType.MEDIA_ARTICLE, {"level": "province"}),
            (EventType.INNOVATION, {"level": "national"}),
            (EventType.CRITICISM, {"issuer": "work_committee"}),
            (EventType.LEADER_DISCIPLINE, {"severity": "warning"}),
            (EventType.MEMBER_VIOLATION, {}),
            (EventType.ABSENCE, {}),
            (EventType.ABSENCE, {"count": 2}),
        ]
        events = []
        for _ in range(max(3, branches * 6 // 100)):  # 300 for 5,000 branches
            kind, extra = rng.choice(kinds)
            events.append(
                ScoreEvent(
                    branch=rng.choice(orgs),
                    type=kind,
                    date=datetime_date(YEAR, rng.randint(1, 12), rng.randint(1, 28)),
                    recorded_by=staff,
                    **extra,
                )
            )
        # Last year's events: the query must skip them.
        for event in events[: len(events) // 3]:
            events.append(
                ScoreEvent(
                    branch=event.branch,
                    type=event.type,
                    date=datetime_date(YEAR - 1, 3, 3),
                    recorded_by=staff,
                    level=event.level,
                    issuer=event.issuer,
                    severity=event.severity,
                    count=event.count,
                )
            )
        bulk_create_with_history(events, ScoreEvent, default_user=staff)
        step("events", t)
    t = time.perf_counter()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    step("analyze", t)
    return campaign, timings


def datetime_date(year, month, day):
    import datetime

    return datetime.date(year, month, day)


# --- the recompute against its floor (issue #20, item 1) ----------------------------------


def floor(campaign, rows_text: list[tuple]) -> int:
    """What no recompute can beat: the three aggregates it needs, grouped to one row per
    branch in the database and fetched as tuples, plus one COPY (one INSERT … VALUES batch
    on SQLite) of the result rows into a temporary table, in a rolled-back transaction.

    `rows_text` are the stored ratings' rows, JSON already text: the write alone, with no
    Python work per value. Returns the number of aggregate rows read.
    """
    from django.db import connection, transaction
    from django.db.models import Count, Q, Sum

    from scoring.models import Assessment, Ballot, Slip, SlipKind, Verdict

    scope = {"survey__assessment__campaign": campaign}
    ballots = list(
        Ballot.objects.filter(**scope)
        .values("survey_id")
        .annotate(
            n=Count("id"),
            member=Count("id", filter=Q(kind=SlipKind.MEMBER)),
            total=Sum("points"),
            satisfied=Count("id", filter=Q(verdict=Verdict.SATISFIED)),
            basically=Count("id", filter=Q(verdict=Verdict.BASICALLY_SATISFIED)),
        )
        .order_by()
        .values_list("survey_id", "n", "member", "total", "satisfied", "basically")
    )
    assessments = list(
        Assessment.objects.filter(campaign=campaign).values_list(
            "pk",
            "branch__code",
            "branch__term_end",
            "self_evaluation__status",
            "self_evaluation__total",
            "survey__status",
            "survey__electorate",
            "review__status",
            "review__total",
            "review__audit_status",
        )
    )
    slips = list(
        Slip.objects.filter(**scope)
        .values("survey_id")
        .annotate(member=Count("id", filter=Q(kind=SlipKind.MEMBER)), n=Count("id"))
        .order_by()
        .values_list("survey_id", "member", "n")
    )
    from scoring.services.recompute import RATING_COLUMNS

    columns = ", ".join(RATING_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS floor_rating")
        cursor.execute(
            f"CREATE TEMP TABLE floor_rating AS SELECT {columns} FROM scoring_rating WHERE 1 = 0"
        )
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY floor_rating ({columns}) FROM STDIN") as copy:
                for row in rows_text:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(RATING_COLUMNS))
            cursor.executemany(f"INSERT INTO floor_rating ({columns}) VALUES ({marks})", rows_text)
        cursor.execute("DROP TABLE floor_rating")
        transaction.set_rollback(True)
    return len(ballots) + len(assessments) + len(slips)


def _stored_rows_as_text(campaign) -> list[tuple]:
    """The stored ratings as COPY-ready rows (JSON as text), read once before timing."""
    import json

    from django.db import connection

    from scoring.models import Rating
    from scoring.services.recompute import RATING_COLUMNS

    rows = Rating.objects.filter(assessment__campaign=campaign).values_list(*RATING_COLUMNS)
    limits, explain = RATING_COLUMNS.index("limits"), RATING_COLUMNS.index("explain")
    text = []
    for row in rows:
        row = list(row)
        row[limits], row[explain] = json.dumps(row[limits]), json.dumps(row[explain])
        if connection.vendor != "postgresql":
            row = [str(v) if v is not None and not isinstance(v, int | str) else v for v in row]
        text.append(tuple(row))
    return text


def _rss_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _memory_probe(campaign) -> None:
    """In a fresh process (`--memory-probe`): print the MB of peak RSS a recompute takes
    above the process's RSS once Django is set up and the campaign read."""
    from django.contrib.auth import get_user_model

    from scoring.services import recompute as service

    staff = get_user_model().objects.get(username="bench-staff")
    start = _rss_kb("VmRSS")
    service.recompute_campaign(campaign=campaign, actor=staff)
    print(f"memory-probe {(_rss_kb('VmHWM') - start) / 1024:.1f}")


def _peak_above_start(args) -> float:
    """Run `_memory_probe` in a child process on the same database; its figure."""
    command = [sys.executable, __file__, "--keep", "--memory-probe"]
    command += ["--branches", str(args.branches)] + (["--sqlite"] if args.sqlite else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1].split()[-1])


def _rating_writes(campaign) -> int | None:
    """Rows inserted, updated or deleted in the ratings' table so far (PostgreSQL), or None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables "
            "WHERE relname = 'scoring_rating'"
        )
        return cursor.fetchone()[0]


def ratio_benchmark(campaign, runs: int, args) -> dict:
    """The whole recompute and its floor, alternating in this process, `runs` times each:
    medians of wall and CPU time, the ratio of the medians, the peak memory above the
    start of one recompute, and the rating rows written by a recompute that changes
    nothing (the data are the same from run to run)."""
    from django.contrib.auth import get_user_model

    from scoring.services import recompute as service

    staff = get_user_model().objects.get(username="bench-staff")

    def recompute():
        service.recompute_campaign(campaign=campaign, actor=staff)

    first = time.perf_counter()
    recompute()  # the first one after the data were generated writes every rating
    first = time.perf_counter() - first
    rows_text = _stored_rows_as_text(campaign)
    times = {"recompute": [], "floor": []}
    cpu = {"recompute": [], "floor": []}
    written = []
    for _ in range(runs):
        for name, fn in (("recompute", recompute), ("floor", lambda: floor(campaign, rows_text))):
            writes = _rating_writes(campaign) if name == "recompute" else None
            c, w = time.process_time(), time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)
            if writes is not None:
                written.append(_rating_writes(campaign) - writes)
    memory = _peak_above_start(args)
    result = {
        name: {"wall": statistics.median(times[name]), "cpu": statistics.median(cpu[name])}
        for name in times
    }
    result["ratio"] = result["recompute"]["wall"] / result["floor"]["wall"]
    result["cpu_ratio"] = result["recompute"]["cpu"] / result["floor"]["cpu"]
    result["memory_mb"] = memory
    result["first"] = first
    result["written"] = written
    return result


# --- measuring ---------------------------------------------------------------------------


def measure(fn, runs: int) -> dict:
    """Median / min / max wall time and the (last) query count of `fn` over `runs` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    walls, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            fn()
            walls.append(time.perf_counter() - start)
        queries = len(captured.captured_queries)
    return {
        "median": statistics.median(walls),
        "min": min(walls),
        "max": max(walls),
        "queries": queries,
    }


def run_benchmarks(campaign, runs: int) -> list[tuple[str, dict, str]]:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from scoring.models import Rating
    from scoring.rules import rate
    from scoring.services import events as events_service
    from scoring.services import recompute as service
    from scoring.services import reviews as reviews_service
    from scoring.services import survey as survey_service
    from scoring.services.results import PER_PAGE as RESULTS_PER_PAGE

    User = get_user_model()
    staff = User.objects.get(username="bench-staff")
    reviewer = User.objects.get(username="bench-reviewer")
    rows = []

    def add(name, fn, kind="", n=runs):
        result = measure(fn, n)
        rows.append((name, result, kind))
        print(
            f"  {name:<58} median {result['median']:7.3f} s  (min {result['min']:.3f}, "
            f"max {result['max']:.3f})  {result['queries']:>3} queries",
            flush=True,
        )
        return result

    add(
        "recompute_campaign (whole)",
        lambda: service.recompute_campaign(campaign=campaign, actor=staff),
        "recompute",
    )
    campaign.refresh_from_db()  # recomputed_at and the quota report, as a page reads them
    rated_count = Rating.objects.filter(assessment__campaign=campaign).count()
    add("  gather (all figures, as rows)", lambda: service.gather(campaign, as_rows=True))
    add("    survey_figures", lambda: survey_service.survey_figures(campaign))
    add("    events_for_campaign", lambda: events_service.events_for_campaign(campaign))
    figures = [f for f in service.gather(campaign, as_rows=True) if f.rated]
    inputs = [service.to_branch_input(f) for f in figures]
    policy = service.policy_of(campaign)
    add("  engine (rules.rate, in memory)", lambda: rate(inputs, policy, campaign.kind))
    outcome = rate(inputs, policy, campaign.kind)
    now = timezone.now()
    rating_rows = service._rating_rows(figures, outcome.results, now)

    def write_all():  # every rating new: what the first recompute writes, rolled back
        with transaction.atomic():
            Rating.objects.filter(assessment__campaign=campaign).delete()
            service._store_ratings(campaign, rating_rows)
            transaction.set_rollback(True)

    add("  write, every rating new (delete + COPY + insert, rolled back)", write_all)
    add(
        "  write, nothing changed (COPY + compare)",
        lambda: service._store_ratings(campaign, rating_rows),
    )
    add(
        "  inputs_changed_since_recompute",
        lambda: service.inputs_changed_since_recompute(campaign),
    )

    client = Client()
    client.force_login(staff)
    from django.urls import reverse

    url = reverse("scoring:campaign_results", args=[campaign.pk])
    middle = max(1, (rated_count // RESULTS_PER_PAGE + 1) // 2)

    def get(c, address):
        def fn():
            response = c.get(address)
            assert response.status_code == 200, (address, response.status_code)

        return fn

    add("results page, page 1 (staff)", get(client, url), "page")
    add(f"results page, page {middle} (staff)", get(client, f"{url}?page={middle}"), "page")
    queue = reverse("scoring:review_queue")
    reviewer_client = Client()
    reviewer_client.force_login(reviewer)
    n = len(reviews_service.review_queue(reviewer))
    add(f"review queue, reviewer ({n} branches)", get(reviewer_client, queue), "page")
    n = len(reviews_service.review_queue(staff))
    add(f"review queue, staff ({n} branches)", get(client, queue), "page")
    n = reviews_service.audit_queue().count()
    add(f"audit queue, staff ({n} pending)", get(client, reverse("scoring:audit_queue")), "page")
    board = f"{reverse('scoring:dashboard')}?campaign={campaign.pk}"
    add("dashboard, staff", get(client, board), "page")
    add("dashboard, reviewer", get(reviewer_client, board), "page")
    add("dashboard, staff, rated four stars, page 2", get(client, f"{board}&star=4&page=2"), "page")
    from scoring.exporters.ranking import RankingWorkbook

    def ranking_workbook():
        # What its background job does (docs/decisions.md D-6z): every branch, for staff.
        with tempfile.TemporaryFile() as fp:
            RankingWorkbook(campaign, actor=staff).render(fp)

    add("dashboard ranking workbook job, staff (every branch)", ranking_workbook)
    return rows, rated_count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=None, help="default 5000 (500 SQLite)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the generated data if present")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead")
    parser.add_argument(
        "--ratio-only",
        action="store_true",
        help="only the recompute against its floor (no pieces, no pages)",
    )
    parser.add_argument("--memory-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.branches is None:
        args.branches = 500 if args.sqlite else 5000
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    database = _prepare_environment(args)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings

    override = override_settings(
        STATIC_ROOT=tempfile.mkdtemp(prefix="starrating-bench-static-"),
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )
    override.enable()
    call_command("migrate", verbosity=0, interactive=False)
    campaign = existing_campaign(args.branches) if args.keep else None
    timings: dict[str, float] = {}
    if campaign is None:
        print(f"Generating {args.branches:,} branches on {database} …", flush=True)
        start = time.perf_counter()
        campaign, timings = generate(args.branches)
        timings["total"] = time.perf_counter() - start
        print(
            "  " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()),
            flush=True,
        )
    else:
        print(f"Reusing the generated campaign on {database}", flush=True)
    counts = _counts(campaign)
    print("  " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), flush=True)
    if args.memory_probe:
        _memory_probe(campaign)
        return 0
    ratio = ratio_benchmark(campaign, args.runs, args)
    over = []
    if not args.ratio_only:
        rows, rated = run_benchmarks(campaign, args.runs)
        _write_report(args, database, counts, timings, rows, rated)
        over = [name for name, result, kind in rows if kind and result["median"] > LIMITS[kind]]
    _write_ratio(args, database, counts, ratio)
    if ratio["ratio"] > RATIO_LIMIT or ratio["memory_mb"] > MEMORY_LIMIT_MB:
        over.append("recompute against its floor")
    if over:
        print("OVER the alarm threshold: " + ", ".join(over))
    size = f"{args.branches // 1000}k" if args.branches >= 1000 else str(args.branches)
    print(
        f"recompute {size}: {ratio['recompute']['wall']:.3f} s, "
        f"floor {ratio['floor']['wall']:.3f} s, ratio {ratio['ratio']:.2f}"
    )
    return 1 if over else 0


def _write_ratio(args, database, counts, ratio) -> None:
    """Print the recompute against its floor and keep it in bench/RESULTS.md (item 2)."""
    rec, flo = ratio["recompute"], ratio["floor"]
    written = ", ".join(str(n) for n in ratio["written"]) if ratio["written"] else "not counted"
    print(
        f"  recompute {rec['wall']:.3f} s wall ({rec['cpu']:.3f} s CPU), "
        f"floor {flo['wall']:.3f} s wall ({flo['cpu']:.3f} s CPU): ratio {ratio['ratio']:.2f} "
        f"(CPU {ratio['cpu_ratio']:.2f}); peak {ratio['memory_mb']:.0f} MB above the start; "
        f"rows written by each unchanged recompute: {written}; first recompute "
        f"{ratio['first']:.3f} s",
        flush=True,
    )
    engine = "SQLite" if args.sqlite else "PostgreSQL"
    row = (
        f"| {engine} | {counts['branches']:,} | {rec['wall']:.3f} | {rec['cpu']:.3f} | "
        f"{flo['wall']:.3f} | {flo['cpu']:.3f} | **{ratio['ratio']:.2f}** | "
        f"{ratio['cpu_ratio']:.2f} | {ratio['memory_mb']:.0f} | {written} | "
        f"{results.stamp()}, load {os.getloadavg()[0]:.1f} |"
    )
    results.update_row(
        "2",
        key=f"| {engine} | {counts['branches']:,} |",
        row=row,
        header=RATIO_HEADER,
        notes=RATIO_NOTES,
    )


RATIO_NOTES = (
    "`bench/bench_recompute.py --ratio-only [--branches N] [--sqlite]`, one database per "
    "size. The floor (D-7v): the three aggregates grouped to one row per branch and one "
    "COPY of the result rows. CPU is the benchmark process's own (the database server's "
    "time shows in the wall only). Target: at most 2.5× and 120 MB above a fresh "
    "process's start; an unchanged recompute writes no rating row (D-7u)."
)
RATIO_LIMIT = 2.5  # issue #20, item 2: at most 2.5× the floor
MEMORY_LIMIT_MB = 120
RATIO_HEADER = (
    "| database | branches | recompute wall (s) | recompute CPU (s) | floor wall (s) | "
    "floor CPU (s) | ratio (wall) | ratio (CPU) | peak above start (MB) | "
    "rating rows written per unchanged recompute | run |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
)


def _counts(campaign) -> dict[str, int]:
    from branches.models import Member
    from scoring.models import Ballot, Review, ScoreEvent, Slip

    return {
        "branches": campaign.assessments.count(),
        "members": Member.objects.filter(branch__assessments__campaign=campaign).count(),
        "ballots": Ballot.objects.filter(survey__assessment__campaign=campaign).count(),
        "unspent slips": Slip.objects.filter(survey__assessment__campaign=campaign).count(),
        "five-star audits": Review.objects.filter(
            assessment__campaign=campaign, proposed_star=5
        ).count(),
        "events": ScoreEvent.objects.count(),
    }


def _write_report(args, database, counts, timings, rows, rated) -> None:
    lines = [
        "# Whole-campaign recompute benchmark",
        "",
        f"Written by `bench/bench_recompute.py` on {results.stamp()}: "
        f"{database}; Python {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"DEBUG off; median of {args.runs} runs; queries counted with "
        "`CaptureQueriesContext` (the ratings' COPY is one of them).",
        "",
        "Data: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + f"; {rated:,} rated.",
    ]
    if timings:
        lines.append("Generation: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()) + ".")
    else:
        lines.append("Generation: reused (`--keep`).")
    lines += [
        "",
        "| what | median (s) | min (s) | max (s) | queries |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, result, _kind in rows:
        label = name.strip()
        indent = (len(name) - len(label)) // 2
        label = "&nbsp;&nbsp;" * indent + ("↳ " if indent else "") + label
        lines.append(
            f"| {label} | {result['median']:.3f} | {result['min']:.3f} | "
            f"{result['max']:.3f} | {result['queries']} |"
        )
    target = ROOT / "bench" / "data" / "results-recompute-sqlite.md" if args.sqlite else RESULTS
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
