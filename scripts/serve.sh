#!/usr/bin/env bash
# Development server plus the background-task worker; Ctrl-C stops both.
set -euo pipefail
host=${1:-127.0.0.1}; port=${2:-8000}
.venv/bin/python manage.py db_worker --no-reload --interval 1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "星级评定 is at http://$host:$port/  (Ctrl-C to stop)"
.venv/bin/python manage.py runserver "$host:$port"
