#!/usr/bin/env bash
# A new user's first hour, scripted: what the README and the tutorial say, verbatim, on this
# machine's system Python. .ci/run calls it with a clean HOME (no caches, no hatch, no pip
# configuration); run by hand it needs root (apt) and a free port 8000.
#   1. the README's demo command: start it, fetch a tenant's page, Ctrl-C, exit status 0;
#   2. the README's install from a clone: the wheels into a fresh virtualenv made by the
#      system's python3, with the extras the tutorial names;
#   3. Debian's own PostgreSQL (apt), as the tutorial's "get PostgreSQL" says;
#   4. the tutorial (docs/tutorial.md), every block of it, in that virtualenv: one's own
#      project with two tenants, migrate, runserver, runschema and the pytest example.
# The README's test command runs in .ci/run's own step (the same clean HOME).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
work="$(mktemp -d /tmp/tenantry-newcomer.XXXXXX)"
system_python="${TENANTRY_NEWCOMER_PYTHON:-/usr/bin/python3}"
say() { printf '\n-- newcomer: %s\n' "$1"; }
fail() { printf '\nnewcomer check FAILED: %s\n' "$1" >&2; exit 1; }

say "the system Python is $("$system_python" --version) ($system_python)"
"$system_python" -c 'import sys; assert sys.version_info >= (3, 11), sys.version'

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "$@" >/dev/null \
        || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

say "the README's demo command: ./dev run demo:run"
setsid ./dev run demo:run >"$work/demo.log" 2>&1 &
demo=$!
for _ in $(seq 600); do
    grep -q "Ctrl-C stops it" "$work/demo.log" && break
    kill -0 "$demo" 2>/dev/null || { cat "$work/demo.log"; fail "the demo exited before serving"; }
    sleep 1
done
grep -q "Ctrl-C stops it" "$work/demo.log" || { cat "$work/demo.log"; fail "the demo never served"; }
page="$(curl -fsS -H "Host: tenant1.localhost" http://127.0.0.1:8000/)" \
    || { cat "$work/demo.log"; fail "tenant1.localhost did not answer"; }
grep -q "Tenant One" <<<"$page" || fail "tenant1.localhost did not show Tenant One: $page"
# Ctrl-C in a terminal signals the whole foreground process group: hatch and the demo.
kill -INT -- "-$demo"
status=0
wait "$demo" || status=$?
cat "$work/demo.log"
[ "$status" -eq 0 ] || fail "the demo exited with status $status after Ctrl-C (expected 0)"
if grep -q "Traceback" "$work/demo.log"; then fail "the demo printed a traceback"; fi

say "the README's install from a clone: ./dev run dist:build, pip into a fresh virtualenv"
./dev run dist:build
apt_install python3-venv curl  # Debian's python3 has no venv without python3-venv
"$system_python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --find-links "$root/dist" "tenantry[all]"
"$work/venv/bin/python" -c 'import tenantry, tenantry_django, tenantry_cli, tenantry_cache, tenantry_channels, psycopg'
"$work/venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null \
    | grep -Ei '^(tenantry|django|psycopg)'

say "PostgreSQL from Debian (apt), a role for $(id -un) that may create databases"
apt_install postgresql
read -r version cluster _ < <(pg_lsclusters --no-header | head -1)
pg_ctlcluster "$version" "$cluster" start 2>/dev/null || true  # no systemd in containers
pg_lsclusters
user="$(id -un)"
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_roles WHERE rolname = '$user'\"" | grep -q 1 \
    || su postgres -c "createuser --createdb '$user'"
su postgres -c "dropdb --if-exists mysite"
# The tutorial's "export nothing" case: a local server and a role named after the user.
export PGHOST=/var/run/postgresql
unset PGPORT PGUSER PGPASSWORD PGDATABASE

say "the tutorial, every block, with the system's python3 making its virtualenv"
"$system_python" scripts/tutorial.py --workdir "$work/tutorial" --wheels "$root/dist" \
    --python "$system_python"

say "passed (work left in $work)"
