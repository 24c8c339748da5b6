#!/usr/bin/env bash
# my-data on PostgreSQL and on SQLite side by side, in one run (issue 17). Figures go to
# docs/benchmarks.md, "PostgreSQL per request"; the chart to docs/mydata-curve.svg.
#
# For each database in turn (SQLite, then a throwaway PostgreSQL 15 with pg_stat_statements), the
# portal published in Release runs as in production (as bench/scale/run.sh) and:
#  1. the database grows through DB_SIZES records (people with 10 records each, inserted by the
#     database itself); at each size one person's my-data (10 records) is loaded with wrk;
#  2. on PostgreSQL only, at the largest size, right after the portal's own connection string: the
#     same point with the options PG_TUNED added, then (PG_RESET=1) with Npgsql's reset on return
#     put back ("No Reset On Close=false", what the portal's default leaves out), then statements
#     per page from pg_stat_statements;
#  3. at the largest size, people with PERSON_SIZES records are added and their my-data is loaded;
#  4. on PostgreSQL only: the retention sweep over the whole database.
# After each load of rows the database is settled before anything is measured: VACUUM ANALYZE and
# a CHECKPOINT on PostgreSQL, with no autovacuum worker left running; ANALYZE and a WAL checkpoint
# on SQLite. Every point: wrk with CONNECTIONS connections, WARMUP then DURATION, one signed-in person;
# the first point after each start of the portal gets START_WARMUP more warm-up, so that no point is
# measured while the runtime is still compiling the portal's code and the pool is still opening
# connections (a point measured right after a restart came out at half the requests/s).
#
# Usage: bench/scale/compare.sh   (DB_SIZES, PERSON_SIZES, CONNECTIONS, WARMUP, START_WARMUP, DURATION, PG_TUNED,
#        PG_RESET=0 to skip the reset point, SWEEP=0 to skip the sweep, KEEP=1 keeps the work folder,
#        CHART=path for the chart (default docs/mydata-curve.svg); run under flock /tmp/bench.lock)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/scale"
DB_SIZES="${DB_SIZES:-10000 100000 1000000}"
PERSON_SIZES="${PERSON_SIZES:-10 1000 10000 100000}"
CONNECTIONS="${CONNECTIONS:-50}"
WARMUP="${WARMUP:-10s}"
DURATION="${DURATION:-10s}"
START_WARMUP="${START_WARMUP:-30s}"
PG_TUNED="${PG_TUNED:-Max Auto Prepare=20;Auto Prepare Min Usages=2}"
PG_RESET="${PG_RESET:-1}"
SWEEP="${SWEEP:-1}"
CHART="${CHART:-$ROOT/docs/mydata-curve.svg}"
WORK="$(mktemp -d /tmp/portal-compare-bench.XXXXXX)"
chmod 755 "$WORK"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
APP_PID=""
FRESH=1
cleanup() {
  [ -n "$APP_PID" ] && { kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; }
  [ -d "$WORK/pg/data" ] && as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
for tool in wrk psql sqlite3 python3 bc; do command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }; done
load() { uptime | sed 's/.*load average: *//'; }
log() { printf '\n==> %s   [load average: %s]\n' "$*" "$(load)"; }
RESULTS="$WORK/results.tsv"
printf 'database\tcurve\trecords\trps\tp50_ms\tp99_ms\terrors\tload\n' > "$RESULTS"

. "$ROOT/bench/key-ring-certificate.sh"
. "$HERE/sweep.sh"
key_ring_certificate "$WORK"
log "Publishing in Release"
dotnet publish "$ROOT/src/PrivacyPortal" -c Release -o "$WORK/app" -nologo -v quiet >/dev/null

PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
# start_portal PROVIDER CONNECTION_STRING
start_portal() {
  rm -rf "$WORK/mail"
  (
    cd "$WORK/app"
    exec env ASPNETCORE_ENVIRONMENT=Production "${KEY_RING_SETTINGS[@]}" ASPNETCORE_URLS="$BASE" \
      Database__Provider="$1" ConnectionStrings__Portal="$2" \
      Portal__PublicBaseUrl="$BASE" Portal__SeedDemoData=false \
      Email__Transport=Pickup Email__PickupDirectory="$WORK/mail" Email__Dispatcher__PollInterval=00:00:00.200 \
      Auth__MaxLinksPerIpPer10Minutes=10000 Auth__MaxLinksPerAddressPerHour=100 \
      Jobs__Enabled="${JOBS:-false}" Jobs__DailyAtUtc=00:00:00 Jobs__LeaseDuration=02:00:00 \
      Proxy__KnownProxies__0=127.0.0.1 \
      Logging__LogLevel__Default=Warning Logging__LogLevel__PrivacyPortal=Information \
      dotnet PrivacyPortal.dll >>"$WORK/portal-$1.log" 2>&1
  ) &
  APP_PID=$!
  FRESH=1
  for _ in $(seq 1 600); do curl -fs "$BASE/health/ready" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "the portal did not start:" >&2; tail -n 30 "$WORK/portal-$1.log" >&2; exit 1
}
stop_portal() { kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; APP_PID=""; }

# The same people and records on both databases: person i is bench{i}@example.test with a Guid
# made from i; records are dated 2017-2026 over both companies and six categories.
people_sql() { # FIRST LAST PER_PERSON (PostgreSQL)
  cat <<SQL
\\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE bench_now AS SELECT (extract(epoch FROM now()) * 10000000)::bigint + 621355968000000000 AS ticks;
INSERT INTO "AspNetUsers" ("Id", "Kind", "DisplayName", "PreferredCulture", "CreatedAt", "UserName", "NormalizedUserName",
  "Email", "NormalizedEmail", "EmailConfirmed", "SecurityStamp", "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
SELECT (lpad(to_hex(i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 0, 'Bench Person ' || i, 'en', n.ticks,
  'bench' || i || '@example.test', upper('bench' || i || '@example.test'), 'bench' || i || '@example.test', upper('bench' || i || '@example.test'),
  true, md5('stamp' || i), md5('concurrency' || i), false, false, true, 0
FROM generate_series($1, $2) AS i, bench_now AS n;
$(records_sql "$1" "$2" "$3")
COMMIT;
SQL
}
records_sql() { # FIRST_PERSON LAST_PERSON PER_PERSON (PostgreSQL; inside a transaction with bench_now)
  cat <<SQL
INSERT INTO "HeldRecords" ("SubjectId", "ControllerId", "CategoryId", "Summary", "Content", "RetentionFrom", "RelationshipActive", "CreatedAt", "UpdatedAt")
SELECT (lpad(to_hex(p), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(p), 12, '0'))::uuid,
  CASE WHEN k % 3 = 0 THEN 'innore-ee' ELSE 'innore-no' END,
  (ARRAY['orders', 'payment', 'technical', 'inquiries', 'marketing', 'customer-account'])[1 + k % 6],
  'Bench record ' || k,
  json_build_object('orderNumber', 'B-' || k, 'product', 'Skyvedør ' || (k % 97), 'total', k % 20000, 'currency', 'NOK')::text,
  date '2017-01-01' + (((p::bigint * 31 + k) * 7919) % 3600)::int, false, n.ticks, n.ticks
FROM generate_series($1, $2) AS p, generate_series(1, $3) AS k, bench_now AS n;
SQL
}
sqlite_people_sql() { # FIRST LAST PER_PERSON
  cat <<SQL
.timeout 60000
BEGIN;
WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
INSERT INTO AspNetUsers (Id, Kind, DisplayName, PreferredCulture, CreatedAt, UserName, NormalizedUserName, Email, NormalizedEmail,
  EmailConfirmed, SecurityStamp, ConcurrencyStamp, PhoneNumberConfirmed, TwoFactorEnabled, LockoutEnabled, AccessFailedCount)
SELECT printf('%08X-0000-4000-8000-%012X', i, i), 0, 'Bench Person ' || i, 'en', (unixepoch() * 10000000) + 621355968000000000,
  'bench' || i || '@example.test', upper('bench' || i || '@example.test'), 'bench' || i || '@example.test', upper('bench' || i || '@example.test'),
  1, hex(randomblob(16)), hex(randomblob(16)), 0, 0, 1, 0
FROM n;
$(sqlite_records_sql "$1" "$2" "$3")
COMMIT;
SQL
}
sqlite_records_sql() { # FIRST_PERSON LAST_PERSON PER_PERSON
  cat <<SQL
WITH RECURSIVE p(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM p WHERE i < $2),
     k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < $3)
INSERT INTO HeldRecords (SubjectId, ControllerId, CategoryId, Summary, Content, RetentionFrom, RelationshipActive, CreatedAt, UpdatedAt)
SELECT printf('%08X-0000-4000-8000-%012X', p.i, p.i),
  CASE WHEN j % 3 = 0 THEN 'innore-ee' ELSE 'innore-no' END,
  CASE j % 6 WHEN 0 THEN 'orders' WHEN 1 THEN 'payment' WHEN 2 THEN 'technical' WHEN 3 THEN 'inquiries' WHEN 4 THEN 'marketing' ELSE 'customer-account' END,
  'Bench record ' || j,
  json_object('orderNumber', 'B-' || j, 'product', 'Skyvedør ' || (j % 97), 'total', j % 20000, 'currency', 'NOK'),
  date('2017-01-01', '+' || (((p.i * 31 + j) * 7919) % 3600) || ' days'), 0, 0, 0
FROM p, k;
SQL
}

# grow KIND FROM_PERSON TO_PERSON PER_PERSON; add_person_records KIND PERSON COUNT
grow() {
  if [ "$1" = postgres ]; then people_sql "$2" "$3" "$4" | "${PSQL[@]}" >/dev/null
  else sqlite_people_sql "$2" "$3" "$4" | sqlite3 "$SQLITE_DB" >/dev/null; fi
}
add_person_records() {
  if [ "$1" = postgres ]; then
    { echo 'BEGIN; CREATE TEMP TABLE bench_now AS SELECT 0::bigint AS ticks;'; records_sql "$2" "$2" "$3"; echo 'COMMIT;'; } | "${PSQL[@]}" >/dev/null
  else
    { echo '.timeout 60000'; echo 'BEGIN;'; sqlite_records_sql "$2" "$2" "$3"; echo 'COMMIT;'; } | sqlite3 "$SQLITE_DB" >/dev/null
  fi
}
# settle KIND: after bulk loading, the planner's statistics, the visibility map and a checkpoint
# done now rather than by autovacuum and the checkpointer during the next measurement.
settle() {
  if [ "$1" = postgres ]; then
    "${PSQL[@]}" -c 'VACUUM (ANALYZE)' -c 'CHECKPOINT'
    for _ in $(seq 1 600); do
      [ "$("${PSQL[@]}" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" = 0 ] && break
      sleep 1
    done
  else
    sqlite3 "$SQLITE_DB" '.timeout 60000' 'ANALYZE' 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
  fi
}
record_count() {
  if [ "$1" = postgres ]; then "${PSQL[@]}" -c 'SELECT count(*) FROM "HeldRecords"'
  else sqlite3 "$SQLITE_DB" 'SELECT count(*) FROM HeldRecords'; fi
}

# measure KIND CURVE X PERSON: one person's my-data under wrk
measure() {
  local kind="$1" curve="$2" x="$3" person="$4" result
  grep -m1 "^$person " "$WORK/sessions.txt" | cut -d' ' -f2- > "$WORK/cookie.txt"
  page="$(curl -s -H "X-Forwarded-Proto: https" -H "Cookie: $(cat "$WORK/cookie.txt")" "$BASE/en/my-data")"
  grep -q "Bench record" <<<"$page" || { echo "my-data does not show person $person's records" >&2; tail -n 20 "$WORK/portal-"*.log >&2; exit 1; }
  if [ "$FRESH" = 1 ]; then
    # Two connections, then a pause: under the full load the runtime's background compilation of
    # the portal's hot code competes with the requests for the 2 cores and is not done in time.
    COOKIES="$WORK/cookie.txt" wrk --timeout 30s -t1 -c2 -d"$START_WARMUP" -s "$HERE/mydata.lua" "$BASE" >/dev/null
    sleep 5
    FRESH=0
  fi
  COOKIES="$WORK/cookie.txt" wrk --timeout 30s -t2 -c"$CONNECTIONS" -d"$WARMUP" -s "$HERE/mydata.lua" "$BASE" >/dev/null
  result="$(COOKIES="$WORK/cookie.txt" wrk --timeout 30s -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$HERE/mydata.lua" "$BASE" | grep '^RESULT')"
  python3 - "$kind" "$curve" "$x" "$result" "$(load)" >> "$RESULTS" <<'PY'
import sys
kind, curve, x, line, load = sys.argv[1:]
f = dict(p.split("=") for p in line.split()[1:])
print("\t".join([kind, curve, x, f["rps"], f["p50_ms"], f["p99_ms"], str(int(f["errors"]) + int(f["non2xx"])), load.split(",")[0]]))
PY
  printf '%-8s %-17s %9s records: %s\n' "$kind" "$curve" "$x" "$(tail -n 1 "$RESULTS" | awk -F'\t' '{ printf "%s req/s, p50 %s ms, p99 %s ms, %s errors (load %s)", $4, $5, $6, $7, $8 }')"
}

sign_in_people() { # people 1.. as many as PERSON_SIZES has, one session each: "i cookie"
  local count; count="$(wc -w <<<"$PERSON_SIZES")"
  python3 "$HERE/signin.py" "$BASE" "$WORK/mail" 1 "$count" 1 | nl -w1 -s' ' > "$WORK/sessions.txt"
}

# run_database KIND: the database-size curve, then the person-size curve
run_database() {
  local kind="$1" people=0 size target person=0 n
  for size in $DB_SIZES; do
    target=$((size / 10))
    log "$kind: growing to $size records ($target people with 10 each)"
    grow "$kind" $((people + 1)) "$target" 10
    people="$target"
    settle "$kind"
    [ -s "$WORK/sessions.txt" ] || sign_in_people
    measure "$kind" database "$(record_count "$kind")" 1
  done
  if [ "$kind" = postgres ]; then
    stop_portal
    log "PostgreSQL with \"$PG_TUNED\": the largest database again, person 1"
    start_portal Postgres "$PG_CONNECTION;$PG_TUNED"
    measure postgres-tuned database "$(record_count postgres)" 1
    stop_portal
    if [ "$PG_RESET" = 1 ]; then
      log "PostgreSQL with \"No Reset On Close=false\" (Npgsql's reset on return, off by the portal's default): the largest database again, person 1"
      start_portal Postgres "$PG_CONNECTION;No Reset On Close=false"
      measure postgres-reset database "$(record_count postgres)" 1
      stop_portal
    fi
    start_portal Postgres "$PG_CONNECTION"
    "${PSQL[@]}" -c 'SELECT pg_stat_statements_reset()' >/dev/null
    COOKIES="$WORK/cookie.txt" wrk -t1 -c1 -d5s -s "$HERE/mydata.lua" "$BASE" | grep '^RESULT' | sed 's/.*requests=\([0-9]*\).*/\1/' > "$WORK/requests.txt"
    log "PostgreSQL: statements per my-data page (pg_stat_statements, one connection, $(cat "$WORK/requests.txt") pages)"
    "${PSQL[@]}" -F ' ' -c "SELECT round(sum(calls)::numeric / $(cat "$WORK/requests.txt"), 2), round(sum(total_exec_time)::numeric / $(cat "$WORK/requests.txt"), 3), left(regexp_replace(query, '\\s+', ' ', 'g'), 100)
      FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' GROUP BY query ORDER BY 1 DESC, 2 DESC" | sed 's/^/  per page: /'
  fi
  for n in $PERSON_SIZES; do
    person=$((person + 1))
    [ "$n" -gt 10 ] && { log "$kind: person $person gets $((n - 10)) more records ($n)"; add_person_records "$kind" "$person" $((n - 10)); settle "$kind"; }
    measure "$kind" person "$n" "$person"
  done
}

log "SQLite"
SQLITE_DB="$WORK/portal.db"
start_portal Sqlite "Data Source=$SQLITE_DB"
run_database sqlite
stop_portal

log "PostgreSQL"
PG_PORT="$(free_port)"
mkdir -p "$WORK/pg"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$WORK/pg"
as_pg "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $WORK/pg -c max_connections=300 -c shared_buffers=256MB -c shared_preload_libraries=pg_stat_statements" >/dev/null
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc 'CREATE DATABASE portal' postgres
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d portal -qAt)
"${PSQL[@]}" -c 'CREATE EXTENSION pg_stat_statements'
PG_CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=portal;Maximum Pool Size=$((CONNECTIONS + 10))"
rm -f "$WORK/sessions.txt"
start_portal Postgres "$PG_CONNECTION"
run_database postgres
stop_portal

if [ "$SWEEP" = 1 ]; then
  BEFORE="$(record_count postgres)"
  log "PostgreSQL: retention sweep over $BEFORE records"
  JOBS=true start_portal Postgres "$PG_CONNECTION"
  wait_for_sweep 12000
  AFTER="$(record_count postgres)"
  printf 'retention sweep: %.1f s (from the lease being taken to the day marked done); %s of %s records deleted or anonymised; load average %s\n' \
    "$SWEEP_SECONDS" "$((BEFORE - AFTER))" "$BEFORE" "$(load)"
  grep -h "Retention sweep for" "$WORK/portal-Postgres.log" | tail -n 3 || true
  stop_portal
fi

log "Results"
column -t -s $'\t' "$RESULTS"
python3 "$HERE/chart.py" "$RESULTS" "$CHART"
echo "chart: $CHART"
python3 - "$RESULTS" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
def at(db):
    points = [r for r in rows if r["database"] == db and r["curve"] == "database"]
    return max(points, key=lambda r: int(r["records"])) if points else None
s = at("sqlite")
for name, pg in (("PostgreSQL", at("postgres")), ("PostgreSQL tuned", at("postgres-tuned")), ("PostgreSQL with the reset", at("postgres-reset"))):
    if s and pg:
        print(f"{name} with {pg['records']} records against SQLite with {s['records']}: "
              f"{float(pg['rps']) / float(s['rps']):.2f}x the requests/s (target >= 0.7), "
              f"p99 {float(pg['p99_ms']) / float(s['p99_ms']):.2f}x (target <= 2)")
PY
log "Done (machine: $(nproc) cores; PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }'); wrk on the same machine)"
