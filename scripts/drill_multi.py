"""The multi-server drill's Python side (scripts/drill-multi.sh; docs/deploy.md, *The
drill*). Two kinds of sub-command:

- Django side, run with the drill's production settings: `prepare` issues public slips on
  the demo's open survey through the slip service and writes their plain codes to a file
  (mode 0600) that only the drill reads — the codes are stored hashed, so this is the one
  way a script can vote (docs/decisions.md D-5a); `count` prints what the database holds.
- Client side, standard library only (urllib, threads): `pages`, `ballots`, `burst` (a
  ballot burst with a PostgreSQL restart in the middle), `export` and `killed-export` (a
  worker killed with SIGKILL mid-export, a second one started). Each prints what the user
  saw: the HTTP status and the page's Chinese words.

Exit status 1 when an expectation fails, with the reason.
"""

import argparse
import concurrent.futures
import html
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

UNAVAILABLE = "服务暂时不可用，请稍后重试"
THANKS_PATH = "/v/thanks/"


class DrillFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise DrillFailed(message)


# --- Django side --------------------------------------------------------------------------


def _django():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "starrating.settings.base")
    import django

    django.setup()


def prepare(args):
    _django()
    from django.contrib.auth import get_user_model

    from scoring.models import Campaign, Survey, SurveyStatus
    from scoring.services import survey as service

    survey = Survey.objects.filter(status=SurveyStatus.OPEN).order_by("pk").first()
    expect(survey is not None, "the demo has no open survey")
    staff = get_user_model().objects.get(username="staff")
    codes = []
    while len(codes) < args.slips:
        count = min(service.MAX_PUBLIC_SLIPS, args.slips - len(codes))
        issued = service.issue_more_public_slips(survey=survey, actor=staff, count=count)
        codes += [code for _kind, code in issued.codes]
    out = Path(args.codes)
    out.touch(mode=0o600)
    out.write_text("\n".join(codes) + "\n")
    rated = Campaign.objects.order_by("year").first()  # the demo's last year: rated
    print(json.dumps({"survey": survey.pk, "codes": len(codes), "rated_campaign": rated.pk}))


def count(args):
    _django()
    from scoring.models import Ballot, Slip, Survey

    survey = Survey.objects.get(pk=args.survey)
    issued = survey.member_slips_issued + survey.public_slips_issued
    left = Slip.objects.filter(survey=survey).count()
    ballots = Ballot.objects.filter(survey=survey).count()
    print(json.dumps({"issued": issued, "left": left, "spent": issued - left, "ballots": ballots}))


# --- Client side --------------------------------------------------------------------------


class Browser:
    """One visitor: a cookie jar, no redirects followed (the drill looks at each step)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base, jar=None):
        self.base = base
        self.jar = http.cookiejar.CookieJar() if jar is None else jar
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect
        )

    def request(self, path, data=None):
        """(status, location, body) of one request; a refused connection is status 0."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if data is not None:
            req.add_header("Origin", self.base)
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.headers.get("Location", ""), _text(response)
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), _text(error)
        except (urllib.error.URLError, ConnectionError) as error:
            return 0, "", str(error)

    def csrf(self):
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def login(self, username, password="demo12345"):
        status, _, _ = self.request("/accounts/login/")
        expect(status == 200, f"login page: {status}")
        status, location, body = self.request(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()},
        )
        expect(status == 302, f"log-in as {username}: {status} {said(body)}")


def _text(response):
    return response.read().decode("utf-8", "replace")


def said(body):
    """The words a person reads on the page: its heading and its message."""
    found = []
    for pattern in (
        r"<h1[^>]*>(.*?)</h1>",
        r'<div class="alert alert-danger"[^>]*>(.*?)</div>',
        r'<p class="text-body-secondary">(.*?)</p>',
        r'id="export-notice">(.*?)</p>',
        r'id="export-error">(.*?)</p>',
    ):
        match = re.search(pattern, body, re.S)
        if match:
            text = re.sub(r"<[^>]+>", " ", match.group(1))
            text = " ".join(html.unescape(text).split())
            if text:
                found.append(text)
    return " | ".join(found) or body[:120].replace("\n", " ")


def ports(args):
    return [f"http://127.0.0.1:{port}" for port in args.ports.split(",")]


def pages(args):
    for base in ports(args):
        for path, words in (("/accounts/login/", "登录"), ("/notice/", "公示"), ("/v/", "测评")):
            status, _, body = Browser(base).request(path)
            print(f"  {base}{path}: {status} {said(body)[:60]}")
            expect(status == 200 and words in body, f"{base}{path} answered {status}")


def vote(base, code):
    """One voter's whole visit: the QR link, the ballot page, the cast. The outcome and
    what the voter read at the step where it ended."""
    visitor = Browser(base)
    status, location, body = visitor.request(f"/v/{code}/")
    if status != 302:
        return status, f"(the QR link) {said(body)}"
    status, _, body = visitor.request("/v/")
    if status != 200 or 'name="step" value="ballot"' not in body:
        return status, f"(the ballot page) {said(body)}"
    data = {"step": "ballot", "csrfmiddlewaretoken": visitor.csrf()}
    for name, value in re.findall(r'name="(criterion_\d+|verdict)" value="([^"]+)"', body):
        data.setdefault(name, value)
    status, location, body = visitor.request("/v/", data)
    if status == 302 and location.endswith(THANKS_PATH):
        return "cast", "谢谢"
    return status, f"(the cast) {said(body)}"


def cast_all(codes, bases, threads):
    """Vote every code, alternating the servers; {code: (outcome, words)}."""
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        futures = {
            pool.submit(vote, bases[i % len(bases)], code): code for i, code in enumerate(codes)
        }
        return {futures[f]: f.result() for f in concurrent.futures.as_completed(futures)}


def take_codes(args, n):
    """The next `n` unused codes of the drill's file (each drill step uses its own)."""
    path = Path(args.codes)
    codes = path.read_text().split()
    expect(len(codes) >= n, f"only {len(codes)} codes left")
    path.write_text("\n".join(codes[n:]) + "\n")
    return codes[:n]


def tally(outcomes):
    seen = {}
    for outcome, words in outcomes.values():
        key = (outcome, words if outcome != "cast" else "")
        seen[key] = seen.get(key, 0) + 1
    for (outcome, words), n in sorted(seen.items(), key=lambda item: -item[1]):
        print(f"    {n:4d} × {outcome} {words}")
    return sum(1 for outcome, _ in outcomes.values() if outcome == "cast")


def ballots(args):
    codes = take_codes(args, args.n)
    started = time.monotonic()
    outcomes = cast_all(codes, ports(args), args.threads)
    print(f"  {len(codes)} voters through {args.ports} in {time.monotonic() - started:.1f} s:")
    cast = tally(outcomes)
    expect(cast == len(codes), f"{len(codes) - cast} voters could not vote")
    print(json.dumps({"cast": cast}))


def wait_serving(bases, seconds=60):
    """Seconds until every server answers the ballot page again (no restart of its own)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if all(Browser(b).request("/v/")[0] == 200 for b in bases):
            return time.monotonic() - started
        time.sleep(0.2)
    raise DrillFailed(f"the servers did not serve again within {seconds} s")


def burst(args):
    """Voters keep coming while PostgreSQL restarts; then those who were turned away come
    back, as people do after our "try again" page."""
    codes = take_codes(args, args.n)
    bases = ports(args)
    restarted = threading.Event()
    done = []
    lock = threading.Lock()

    def voter(i, code):
        result = vote(bases[i % len(bases)], code)
        with lock:
            done.append(result)
            if len(done) == args.restart_after and not restarted.is_set():
                restarted.set()
                print(f"  after {len(done)} voters: {args.restart_cmd}")
                threading.Thread(
                    target=subprocess.run, args=(args.restart_cmd,), kwargs={"shell": True}
                ).start()
        return result

    with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
        futures = {pool.submit(voter, i, code): code for i, code in enumerate(codes)}
        outcomes = {futures[f]: f.result() for f in concurrent.futures.as_completed(futures)}
    print(f"  the burst, {len(codes)} voters alternating {args.ports}:")
    first = tally(outcomes)
    turned_away = [code for code, (outcome, _) in outcomes.items() if outcome != "cast"]
    unavailable = [w for outcome, w in outcomes.values() if outcome == 503]
    expect(turned_away, "the restart turned nobody away: no fault was drilled")
    expect(
        all(UNAVAILABLE in words for words in unavailable)
        and all(outcome in ("cast", 503) for outcome, _ in outcomes.values()),
        "someone saw something other than a ballot cast or our 503 page",
    )
    print(f"  serving again after {wait_serving(bases):.1f} s, gunicorn not restarted")
    again = cast_all(turned_away, bases, args.threads)
    print(f"  the {len(turned_away)} turned away come back:")
    second = tally(again)
    print(json.dumps({"cast": first + second, "turned_away": len(turned_away)}))


def poll_job(browser, job, until, seconds=300):
    """Poll the job's status as its page does; the state once `until(state)` holds."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        status, _, body = browser.request(f"/exports/{job}/status/")
        if status == 200:
            state = json.loads(body)
            if until(state):
                return state
        time.sleep(0.2)
    raise DrillFailed(f"job {job}: no change within {seconds} s")


def start_export(args, browser, kind, options=None):
    data = {"csrfmiddlewaretoken": browser.csrf(), **(options or {})}
    status, location, body = browser.request(f"/campaigns/{args.campaign}/exports/{kind}/", data)
    match = re.search(r"/exports/(\d+)/$", location)
    expect(status == 302 and match, f"export start: {status} {location} {said(body)}")
    return int(match.group(1))


def show_job(browser, job):
    status, _, body = browser.request(f"/exports/{job}/")
    badge = re.search(r'id="export-status">(.*?)</span>\s*<span', body, re.S)
    label = " ".join(re.sub(r"<[^>]+>", " ", badge.group(1)).split()) if badge else "?"
    print(f"    the job page: {status}, status {label}; {said(body)}")
    return body


def export(args):
    """Staff start the annual workbook on one server; the worker makes it; they follow
    and download it on the other."""
    a, b = ports(args)[:2]
    on_a = Browser(a)
    on_a.login("staff")
    on_b = Browser(b, jar=on_a.jar)  # the same person: the session is in the database
    job = start_export(args, on_a, "annual-xlsx")
    state = poll_job(on_b, job, lambda s: s["status"] in ("done", "failed"))
    expect(state["status"] == "done", f"the export failed: {state['error']}")
    status, _, body = on_b.request(state["download"])
    print(f"  job {job} started on {a}, made by the worker, downloaded on {b}: {status}")
    expect(status == 200, f"download: {status}")


def killed_export(args):
    """The annual PDF with the traces; the worker is killed with SIGKILL mid-way; the user
    sees the job queued again; a second worker takes it and makes the file."""
    a, b = ports(args)[:2]
    browser = Browser(a)
    browser.login("staff")
    job = start_export(args, browser, "annual-pdf", {"appendix": "1"})
    state = poll_job(browser, job, lambda s: s["status"] == "running" and s["progress"] >= 10)
    os.kill(args.worker_pid, signal.SIGKILL)
    killed_at = time.monotonic()
    print(f"  worker {args.worker_pid} killed (SIGKILL) at {state['progress']} %")
    show_job(browser, job)
    state = poll_job(browser, job, lambda s: bool(s["notice"]), seconds=120)
    print(f"  after {time.monotonic() - killed_at:.1f} s without a heartbeat:")
    show_job(browser, job)
    expect(state["status"] == "queued", f"not queued again: {state}")
    second = subprocess.Popen(args.worker_cmd, shell=True, start_new_session=True)
    print(f"  a second worker started (pid {second.pid})")
    try:
        state = poll_job(Browser(b, jar=browser.jar), job, lambda s: s["status"] == "done")
        print(f"  done on attempt 2 ({state['label']}):")
        show_job(browser, job)
        status, _, body = browser.request(state["download"])
        expect(status == 200 and body.startswith("%PDF"), f"download: {status}")
        print(f"  followed through {b}, downloaded through {a}: {status}, a PDF")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", default="")
    parser.add_argument("--ports", default="8118,8119")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--slips", type=int, default=400)
    sub.add_parser("count").add_argument("--survey", type=int, required=True)
    sub.add_parser("pages")
    for name in ("ballots", "burst"):
        p = sub.add_parser(name)
        p.add_argument("-n", type=int, default=60)
        p.add_argument("--threads", type=int, default=8)
    p.add_argument("--restart-after", type=int, default=30)
    p.add_argument("--restart-cmd", required=True)
    sub.add_parser("export").add_argument("--campaign", type=int, required=True)
    p = sub.add_parser("killed-export")
    p.add_argument("--campaign", type=int, required=True)
    p.add_argument("--worker-pid", type=int, required=True)
    p.add_argument("--worker-cmd", required=True)
    args = parser.parse_args()
    command = {
        "prepare": prepare,
        "count": count,
        "pages": pages,
        "ballots": ballots,
        "burst": burst,
        "export": export,
        "killed-export": killed_export,
    }[args.command]
    try:
        command(args)
    except DrillFailed as error:
        print(f"DRILL FAILED: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
