#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing (Debian packages, npm packages),
# starts a throwaway PostgreSQL, builds once and runs every test project.
# Safe to run again and again; works as root on a clean Debian 12 clone.
#
# Results: artifacts/test-results/*.trx, screenshots in artifacts/screenshots/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
START_SECONDS=$SECONDS

ARTIFACTS="$ROOT/artifacts"
RESULTS="$ARTIFACTS/test-results"
mkdir -p "$RESULTS" "$ARTIFACTS/screenshots"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
# Test hosts would each take inotify instances (128 per user on Linux); polling watchers take none.
export DOTNET_USE_POLLING_FILE_WATCHER=true
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The test processes start hundreds of short-lived portals: dynamic PGO's instrumented code and the
# background GC thread cost more CPU there than they save. A subset of 77 integration tests took
# 201-235 s (351-410 s of CPU) with the defaults and 160-189 s (266-318 s of CPU) with these off,
# measured back to back on 2 cores. Test runs only; the portal itself keeps the runtime's defaults.
export DOTNET_TieredPGO=0
export DOTNET_gcConcurrent=0
# Playwright must never try to download browsers (closed network); tests use Debian's chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PORTAL_CHROMIUM=/usr/bin/chromium
export PORTAL_ARTIFACTS_DIR="$ARTIFACTS"

log() { printf '\n==> %s\n' "$*"; }

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi

# ---------- Debian packages ----------
missing=()
dpkg -s chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s python3-aiosmtpd >/dev/null 2>&1 || missing+=(python3-aiosmtpd)
dpkg -s postgresql >/dev/null 2>&1 || missing+=(postgresql)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  log "Installing Debian packages: ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  log "Debian packages present: chromium, python3-aiosmtpd, postgresql, npm"
fi
command -v dotnet >/dev/null 2>&1 || { echo "dotnet (the .NET 10 SDK) is not on PATH" >&2; exit 1; }

# ---------- npm packages ----------
npm_ci() {
  local dir="$1"
  # npm ci wipes node_modules; skip it when the installed tree already matches the lock file.
  if [ -f "$dir/node_modules/.package-lock.json" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    echo "npm packages in $dir are up to date"
  else
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
}
log "npm packages"
npm_ci "$ROOT/wwwroot-src"
npm_ci "$ROOT/tests/PrivacyPortal.BrowserTests"
npm_ci "$ROOT/tests/oidc-client"

# ---------- temporary PostgreSQL ----------
# A private server on loopback for tests that run against PostgreSQL, exported as
# PORTAL_TEST_POSTGRES (an Npgsql connection string to the 'postgres' database; tests create
# their own databases in it). It lives in a temp folder and is stopped and deleted on exit.
PG_DIR=""
PG_BIN=""
stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
start_postgres() {
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
    echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2
    return 1
  fi
  PG_DIR="$(mktemp -d /tmp/portal-pg.XXXXXX)"
  # postgres refuses to run as root, so as root the data folder belongs to the postgres user.
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PG_DIR"; fi
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  # Durability is pointless for a throwaway test server; turning it off makes tests faster.
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
  "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAtc 'select 1' >/dev/null \
    || { echo "PostgreSQL started but does not answer on 127.0.0.1:$port" >&2; return 1; }
  export PORTAL_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $PG_DIR)"
}
trap stop_postgres EXIT
log "Starting a temporary PostgreSQL"
start_postgres

# ---------- build ----------
log "dotnet build PrivacyPortal.sln -c Release"
dotnet build PrivacyPortal.sln -c Release -nologo -clp:NoSummary

# ---------- tests ----------
# The PostgreSQL tests must never pass by not running: with this set, a missing
# PORTAL_TEST_POSTGRES fails them instead of starting a private server.
export PORTAL_REQUIRE_POSTGRES=1

# The integration suite runs twice: on SQLite (with the PostgreSQL-only tests: schema, scale-out),
# then once more on PostgreSQL (PORTAL_TEST_DATABASE=Postgres makes every app factory and email test
# host use a fresh PostgreSQL database). The second pass leaves out what does not touch a database
# or already ran on PostgreSQL: policy and localization unit tests, the test helpers' own tests,
# the schema tests and the scale-out tests, and the HTTP-level tests of headers and client
# addresses (security headers, forwarded headers, client networks), which no database touches.
POSTGRES_PASS_FILTER='FullyQualifiedName!~PrivacyPortal.Tests.Features.Policy.&FullyQualifiedName!~PrivacyPortal.Tests.Localization.&FullyQualifiedName!~PrivacyPortal.Tests.Testing.&FullyQualifiedName!~PrivacyPortal.Tests.Data.&FullyQualifiedName!~PrivacyPortal.Tests.ScaleOut.&FullyQualifiedName!~PrivacyPortal.Tests.Infrastructure.SecurityHeadersTests&FullyQualifiedName!~PrivacyPortal.Tests.Infrastructure.ForwardedHeadersTests&FullyQualifiedName!~PrivacyPortal.Tests.Infrastructure.ClientNetworkTests'
runs=(
  "PrivacyPortal.Tests|tests/PrivacyPortal.Tests|Sqlite|"
  "PrivacyPortal.Tests.Postgres|tests/PrivacyPortal.Tests|Postgres|$POSTGRES_PASS_FILTER"
  "PrivacyPortal.BrowserTests|tests/PrivacyPortal.BrowserTests|Sqlite|"
)
declare -A outcome=()
declare -A seconds=()
failed=0
for run in "${runs[@]}"; do
  IFS='|' read -r name project database filter <<<"$run"
  log "dotnet test $name (database: $database)"
  rm -f "$RESULTS/$name.trx"
  started=$SECONDS
  rc=0
  filter_args=()
  if [ -n "$filter" ]; then filter_args=(--filter "$filter"); fi
  PORTAL_TEST_DATABASE="$database" dotnet test "$project" -c Release --no-build -nologo \
    "${filter_args[@]}" \
    --results-directory "$RESULTS" \
    --logger "trx;LogFileName=$name.trx" \
    --logger "console;verbosity=normal" \
    --blame-hang-timeout 10m --blame-hang-dump-type none \
    || rc=$?
  seconds[$name]=$((SECONDS - started))
  if [ "$rc" -eq 0 ]; then outcome[$name]="passed"; else outcome[$name]="FAILED (exit $rc)"; failed=1; fi
done

# ---------- summary ----------
counters() {
  # Reads total/passed/failed from the trx file's <Counters> element.
  local trx="$1" attr
  [ -f "$trx" ] || { echo "no results"; return; }
  local line
  line="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  for attr in total passed failed notExecuted; do
    printf '%s=%s ' "$attr" "$(sed -n "s/.* $attr=\"\([0-9]*\)\".*/\1/p" <<<"$line")"
  done
}
# Names the failed tests and the start of their messages, so the end of a CI log says what broke.
failures() {
  local trx="$1"
  [ -f "$trx" ] || return 0
  python3 - "$trx" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for result in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
    message = result.findtext(".//t:ErrorInfo/t:Message", default="", namespaces=ns).strip()
    print("    FAILED " + result.get("testName", "?"))
    for line in message.splitlines()[:6]:
        print("      " + line[:300])
PY
}
log "Summary"
for run in "${runs[@]}"; do
  name="${run%%|*}"
  printf '  %-30s %-18s %4ss   %s\n' "$name" "${outcome[$name]}" "${seconds[$name]}" "$(counters "$RESULTS/$name.trx")"
  failures "$RESULTS/$name.trx"
done
echo "  results: $RESULTS   screenshots: $ARTIFACTS/screenshots"
echo "  wall time: $((SECONDS - START_SECONDS))s"
if [ "$failed" -ne 0 ]; then
  echo "TESTS FAILED" >&2
  exit 1
fi
echo "ALL TESTS PASSED"
