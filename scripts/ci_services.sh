#!/usr/bin/env bash
# Services for the scale-out and browser tests, on loopback only (as root, Debian):
#   * Debian's PostgreSQL: a cluster started with pg_ctlcluster, role "ideapump", a fresh
#     database "ideapump_ci";
#   * a Chroma server: `chroma run --path <tmp> --host 127.0.0.1 --port <free port>`;
#   * Debian's chromium (headless browser for tests/api/test_chat_page_browser.py).
#
# Usage (from the repository root, after the venv is installed):
#   eval "$(scripts/ci_services.sh)"
# stdout carries only `export` lines (also written to $CI_SERVICES_ENV, default
# /tmp/ideapump-ci-services.env, for `source`); progress goes to stderr.
# Exports: CI_POSTGRES_URL, CI_CHROMA_HOST, CI_CHROMA_PORT, CI_CHROMA_PID.
# Stop Chroma afterwards with: kill "$CI_CHROMA_PID".
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "ci_services: $*" >&2; }
ENV_FILE="${CI_SERVICES_ENV:-/tmp/ideapump-ci-services.env}"
CHROMA="${CHROMA_BIN:-.venv/bin/chroma}"
[ -x "$CHROMA" ] || CHROMA="$(command -v chroma || true)"
[ -n "$CHROMA" ] || { log "no chroma CLI (pip install chromadb)"; exit 1; }

# -- packages ---------------------------------------------------------------------------
need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ "${#need[@]}" -gt 0 ]; then
    log "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${need[@]}" >&2
fi

# -- PostgreSQL ---------------------------------------------------------------------------
version="$(pg_lsclusters -h | awk 'NR==1 {print $1}')"
if [ -z "$version" ]; then
    version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
    log "creating cluster $version/main"
    pg_createcluster "$version" main >&2
fi
cluster="$(pg_lsclusters -h | awk -v v="$version" '$1==v {print $2; exit}')"
port="$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $3}')"
# loopback only, whatever the cluster's config says
pg_conftool "$version" "$cluster" set listen_addresses 'localhost' >&2 || true
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}' | grep -q online; then
    log "starting PostgreSQL $version/$cluster on port $port"
    pg_ctlcluster "$version" "$cluster" start >&2
fi
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 1
done
pg_isready -h 127.0.0.1 -p "$port" >&2

psql_admin() { runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -p "$port" "$@" >&2; }
psql_admin -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ideapump') THEN
    CREATE ROLE ideapump LOGIN PASSWORD 'ideapump';
  END IF;
END \$\$;"
psql_admin -c "DROP DATABASE IF EXISTS ideapump_ci WITH (FORCE);"
psql_admin -c "CREATE DATABASE ideapump_ci OWNER ideapump;"
PG_URL="postgresql+psycopg://ideapump:ideapump@127.0.0.1:${port}/ideapump_ci"

# -- Chroma server ------------------------------------------------------------------------
chroma_dir="$(mktemp -d /tmp/ideapump-chroma-XXXXXX)"
chroma_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log "starting chroma on 127.0.0.1:$chroma_port ($chroma_dir)"
nohup "$CHROMA" run --path "$chroma_dir" --host 127.0.0.1 --port "$chroma_port" \
    >"$chroma_dir.log" 2>&1 </dev/null &
chroma_pid=$!
for _ in $(seq 1 60); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$chroma_port/api/v2/heartbeat', timeout=2)" 2>/dev/null; then
        break
    fi
    kill -0 "$chroma_pid" 2>/dev/null || { log "chroma exited:"; tail -20 "$chroma_dir.log" >&2; exit 1; }
    sleep 1
done

cat >"$ENV_FILE" <<EOF
export CI_POSTGRES_URL='$PG_URL'
export CI_CHROMA_HOST='127.0.0.1'
export CI_CHROMA_PORT='$chroma_port'
export CI_CHROMA_PID='$chroma_pid'
EOF
log "ready (env also in $ENV_FILE)"
cat "$ENV_FILE"
