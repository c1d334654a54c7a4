#!/usr/bin/env bash
# Serve 星级评定 on this machine: the development server plus the background-task worker,
# both with the same settings; Ctrl-C stops both. `make run` calls it after the set-up.
#
# Safe defaults for a first run: DEBUG off (our own error pages, never Django's technical
# ones), the random key in DJANGO_SECRET_KEY_FILE, plain HTTP (DJANGO_HTTPS=0: no redirect
# to HTTPS, no secure-only cookies, no HSTS), and this machine's own names as the allowed
# hosts. DJANGO_DEBUG=1 (`make run DEBUG=1`) turns on Django's debug pages.
set -euo pipefail
host=${1:-127.0.0.1}; port=${2:-8000}

# The names a browser may use to reach this server (the Host header Django accepts).
allowed_hosts() {
  local names="localhost,127.0.0.1,[::1]" address
  if [ "$1" = 0.0.0.0 ]; then
    names="$names,$(hostname)"
    names="$names,$(hostname -f 2>/dev/null || hostname)"
    for address in $(hostname -I 2>/dev/null || true); do
      case $address in *:*) ;; *) names="$names,$address" ;; esac  # IPv4: 0.0.0.0 only
    done
  else
    names="$names,$1"
  fi
  echo "$names"
}

export DJANGO_DEBUG=${DJANGO_DEBUG:-0}
export DJANGO_HTTPS=${DJANGO_HTTPS:-0}
export DJANGO_SECRET_KEY_FILE=${DJANGO_SECRET_KEY_FILE:-$PWD/.secret-key}
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-$(allowed_hosts "$host")}

.venv/bin/python manage.py db_worker --no-reload --interval 1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
if [ "$host" = 0.0.0.0 ]; then shown=127.0.0.1; else shown=$host; fi
echo "星级评定 is at http://$shown:$port/  (Ctrl-C to stop)"
case ${DJANGO_DEBUG,,} in
  1|true|yes|on) echo "DEBUG is on: error pages show code and settings to every visitor." ;;
esac
.venv/bin/python manage.py runserver "$host:$port"
