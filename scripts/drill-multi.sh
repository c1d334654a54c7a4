#!/usr/bin/env bash
# The multi-server drill (docs/deploy.md, *The drill*; docs/nonfunctional.md §7, scaling
# out and faults): two gunicorn servers on 127.0.0.1:8118 and :8119 with the production
# settings, one PostgreSQL and a task worker, as on two app servers. It fetches the login,
# notice and ballot pages through both, casts ballots through both, makes an export
# through the worker, and checks that the ballots stored equal the slips spent. Then the
# faults: PostgreSQL restarted in the middle of a ballot burst, and the worker killed
# (SIGKILL) in the middle of an export, a second worker taking the job. Each step prints
# what the user saw.
#
# The database is a private PostgreSQL cluster made for the drill (port 55432, under a
# temporary folder) and removed at the end: the drill restarts it, and the machine's
# shared server must never be restarted. Needs PostgreSQL's server binaries
# (/usr/lib/postgresql/N/bin); as root, the cluster runs as the user postgres.
# Usage: scripts/drill-multi.sh   (from the repository; about 1.5 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."

pg_bin=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -1)/bin
pg_port=55432
work=$(mktemp -d /tmp/starrating-drill.XXXXXX)
chmod 755 "$work"
pgdata=$work/pg
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -f "$pgdata/postmaster.pid" ]; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo; echo "== drill [$((SECONDS))s]: $*"; }

step "a private PostgreSQL cluster on port $pg_port"
mkdir "$pgdata"
[ ${#as_pg[@]} -eq 0 ] || chown postgres "$pgdata"
"${as_pg[@]}" "$pg_bin/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 --no-sync >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -o \
  "-p $pg_port -k $pgdata -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60" \
  start >/dev/null
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres starrating_drill
restart_pg="${as_pg[*]} $pg_bin/pg_ctl -D $pgdata -m fast -w restart >/dev/null"

# The production settings: DEBUG off, a key file, plain HTTP on the loopback (no proxy
# here), the hosts the drill uses, one media folder all processes share.
umask 077
python3 -c "import secrets; print(secrets.token_urlsafe(50))" > "$work/secret-key"
umask 022
export DJANGO_SETTINGS_MODULE=starrating.settings.base
export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/starrating_drill"
export DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECRET_KEY_FILE=$work/secret-key
export DJANGO_MEDIA_ROOT=$work/media DJANGO_STATIC_ROOT=$work/static
# A worker that shows no sign of life for 4 s has died (production: 120 s).
export STARRATING_EXPORT_STALL_SECONDS=4
py=.venv/bin/python
drill() { $py scripts/drill_multi.py --codes "$work/codes" "$@"; }

step "migrate, collectstatic, the demo data, slips for the drill"
$py manage.py collectstatic --noinput -v 0 &
collecting=$!
$py manage.py migrate --noinput -v 0
wait "$collecting"
$py manage.py load_demo >"$work/demo.log"
head -1 "$work/demo.log"
prepared=$(drill prepare --slips 200)
echo "$prepared"
survey=$(echo "$prepared" | $py -c "import json,sys; print(json.load(sys.stdin)['survey'])")
campaign=$(echo "$prepared" | $py -c "import json,sys; print(json.load(sys.stdin)['rated_campaign'])")

step "two gunicorn servers and one task worker"
for port in 8118 8119; do
  # No --access-logfile: gunicorn then keeps no access log (the /v/ paths hold codes).
  .venv/bin/gunicorn starrating.wsgi -b "127.0.0.1:$port" -w 2 --graceful-timeout 5 \
    --error-logfile "$work/gunicorn-$port.log" 2>>"$work/gunicorn-$port.log" &
  pids+=($!)
done
worker_cmd="$py manage.py db_worker --no-reload --no-startup-delay --interval 0.5"
$worker_cmd >"$work/worker-1.log" 2>&1 &
worker=$!
pids+=("$worker")
for port in 8118 8119; do
  for _ in $(seq 100); do
    curl -fso /dev/null "http://127.0.0.1:$port/accounts/login/" && break
    sleep 0.2
  done
done
echo "servers on 8118 (pid ${pids[0]}) and 8119 (pid ${pids[1]}), worker pid $worker"

counts() { drill count --survey "$survey"; }
balanced() {
  local found
  found=$(counts)
  echo "  in the database: $found"
  echo "$found" | $py -c "import json,sys; c=json.load(sys.stdin); sys.exit(c['spent'] != c['ballots'])" \
    || { echo "DRILL FAILED: ballots stored differ from slips spent"; exit 1; }
}

step "the login, notice and ballot pages through both servers"
drill pages

step "ballots through both servers"
drill ballots -n 40
balanced

step "an export through the worker"
drill export --campaign "$campaign"

step "fault: PostgreSQL restarted in the middle of a ballot burst"
drill burst -n 100 --restart-after 30 --restart-cmd "$restart_pg"
balanced
if kill -0 "$worker" 2>/dev/null; then
  echo "  the task worker lived through the restart"
else
  echo "  the task worker exited with the restart (systemd restarts it: Restart=always); started again"
  $worker_cmd >"$work/worker-1b.log" 2>&1 &
  worker=$!
  pids+=("$worker")
fi

step "fault: the task worker killed in the middle of an export"
drill killed-export --campaign "$campaign" --worker-pid "$worker" \
  --worker-cmd "$worker_cmd >$work/worker-2.log 2>&1"

step "what the servers logged (no access log; never a /v/ path)"
grep -hv "^\[" "$work"/gunicorn-*.log | sort | uniq -c || true
if grep -h "/v/" "$work"/gunicorn-*.log "$work"/worker-*.log; then
  echo "DRILL FAILED: a /v/ path reached a log"; exit 1
fi

step "passed"
