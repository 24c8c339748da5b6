#!/usr/bin/env bash
# Scale-out benchmark on PostgreSQL (issue 7). Figures go to docs/benchmarks.md, "Scale-out on PostgreSQL".
#
#  1. a throwaway PostgreSQL 15 (Debian's server binaries) with default durability settings
#  2. the portal published in Release, run as in production (Production environment: __Host-
#     cookies, HSTS), configured by environment variables only; every request says
#     X-Forwarded-Proto: https from 127.0.0.1, a trusted proxy, as nginx terminating TLS would
#  3. 100,000 people and 1,000,000 held records seeded with generate_series (seed.sql)
#  4. SESSIONS people signed in through the real magic-link flow (signin.py)
#  5. my-data at 100 connections with wrk, rotating the session cookies (mydata.lua): one instance,
#     then two instances (two wrk processes at 50 connections each, one per instance, at once)
#  6. the retention sweep over the whole set, timed from the job lease in the database
#  7. outbox throughput: OUTBOX_MAILS mails queued at once, sent over SMTP to a local aiosmtpd
#     by one instance, then the same again by two instances; duplicates counted by Message-ID
#
# Usage: bench/scale/run.sh     (PEOPLE, PER_PERSON, SESSIONS, DURATION, OUTBOX_MAILS to change sizes; KEEP=1 keeps the work folder)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/scale"
PEOPLE="${PEOPLE:-100000}"
PER_PERSON="${PER_PERSON:-10}"
SESSIONS="${SESSIONS:-200}"
DURATION="${DURATION:-30s}"
OUTBOX_MAILS="${OUTBOX_MAILS:-5000}"
WORK="$(mktemp -d /tmp/portal-scale-bench.XXXXXX)"
chmod 755 "$WORK"   # the postgres user must reach its data folder inside
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -d "$WORK/pg/data" ] && as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
for tool in wrk psql python3; do command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }; done
log() { printf '\n==> %s   [load average:%s]\n' "$*" "$(uptime | sed 's/.*load average://')"; }

log "PostgreSQL"
PG_PORT="$(free_port)"
mkdir -p "$WORK/pg"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$WORK/pg"
as_pg "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $WORK/pg -c max_connections=300 -c shared_buffers=256MB" >/dev/null
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d portal -qAt)
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc 'CREATE DATABASE portal' postgres
CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=portal;Maximum Pool Size=60"

. "$ROOT/bench/key-ring-certificate.sh"
. "$HERE/sweep.sh"
key_ring_certificate "$WORK"
log "Publishing in Release"
dotnet publish "$ROOT/src/PrivacyPortal" -c Release -o "$WORK/app" -nologo -v quiet >/dev/null

# start_instance NAME PORT [extra Section__Key=value settings...]; sets $LAST_PID
start_instance() {
  local name="$1" port="$2"; shift 2
  (
    cd "$WORK/app"
    exec env ASPNETCORE_ENVIRONMENT=Production "${KEY_RING_SETTINGS[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port" \
      Database__Provider=Postgres ConnectionStrings__Portal="$CONNECTION" \
      Portal__PublicBaseUrl="http://127.0.0.1:$port" Portal__SeedDemoData=false \
      Email__Transport=Pickup Email__PickupDirectory="$WORK/mail" Email__Dispatcher__PollInterval=00:00:00.200 \
      Auth__MaxLinksPerIpPer10Minutes=10000 Auth__MaxLinksPerAddressPerHour=100 \
      Jobs__Enabled=false \
      Proxy__KnownProxies__0=127.0.0.1 \
      Logging__LogLevel__Default=Warning Logging__LogLevel__PrivacyPortal=Information \
      "$@" dotnet PrivacyPortal.dll >"$WORK/$name.log" 2>&1
  ) &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "instance $name did not start:" >&2; tail -n 30 "$WORK/$name.log" >&2; exit 1
}
stop_instance() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

PORT_A="$(free_port)"; PORT_B="$(free_port)"
log "Migrating (instance A starts)"
start_instance a "$PORT_A"; PID_A=$LAST_PID

log "Seeding $PEOPLE people and $((PEOPLE * PER_PERSON)) records"
START=$(date +%s.%N)
"${PSQL[@]}" -v people="$PEOPLE" -v per_person="$PER_PERSON" -f "$HERE/seed.sql"
printf 'seeded in %.1f s; database size %s\n' "$(echo "$(date +%s.%N) - $START" | bc)" \
  "$("${PSQL[@]}" -c "SELECT pg_size_pretty(pg_database_size('portal'))")"

log "Signing in $SESSIONS people through the magic link"
python3 "$HERE/signin.py" "http://127.0.0.1:$PORT_A" "$WORK/mail" 1 "$SESSIONS" 8 > "$WORK/cookies.txt"
wc -l < "$WORK/cookies.txt" | xargs printf '%s sessions\n'
CHECK="$(curl -s -w '\nHTTP %{http_code}' -H "X-Forwarded-Proto: https" -H "Cookie: $(head -n 1 "$WORK/cookies.txt")" "http://127.0.0.1:$PORT_A/en/my-data")"
grep -q "Bench record" <<<"$CHECK" \
  || { echo "my-data does not show a bench person's records:" >&2; tail -n 3 <<<"$CHECK" >&2; grep -o '<h1>[^<]*' <<<"$CHECK" >&2; tail -n 20 "$WORK/a.log" >&2; exit 1; }

run_wrk() { COOKIES="$WORK/cookies.txt" wrk --timeout 30s -t"$1" -c"$2" -d"$3" -s "$HERE/mydata.lua" "$4" | grep '^RESULT'; }

log "my-data, one instance: wrk 2 threads, 100 connections, $DURATION (after a 10 s warm-up)"
run_wrk 2 100 10s "http://127.0.0.1:$PORT_A" >/dev/null
run_wrk 2 100 "$DURATION" "http://127.0.0.1:$PORT_A" | sed 's/^RESULT/one instance:/' | tee "$WORK/one.txt"

log "my-data, two instances: two wrk at 50 connections each, at once"
start_instance b "$PORT_B"; PID_B=$LAST_PID
run_wrk 1 50 10s "http://127.0.0.1:$PORT_B" >/dev/null
run_wrk 1 50 "$DURATION" "http://127.0.0.1:$PORT_A" | sed 's/^RESULT/two instances, A:/' > "$WORK/two-a.txt" &
WRK_A=$!
run_wrk 1 50 "$DURATION" "http://127.0.0.1:$PORT_B" | sed 's/^RESULT/two instances, B:/' > "$WORK/two-b.txt"
wait "$WRK_A"
cat "$WORK/two-a.txt" "$WORK/two-b.txt"
stop_instance "$PID_A"; stop_instance "$PID_B"

log "Retention sweep over the whole set"
BEFORE="$("${PSQL[@]}" -c 'SELECT count(*) FROM "HeldRecords"')"
start_instance a "$PORT_A" Jobs__Enabled=true Jobs__DailyAtUtc=00:00:00 Jobs__LeaseDuration=02:00:00; PID_A=$LAST_PID
wait_for_sweep 6000
AFTER="$("${PSQL[@]}" -c 'SELECT count(*) FROM "HeldRecords"')"
printf 'retention sweep: %.1f s (from the lease being taken to the day marked done); %s of %s records deleted; %s audit rows\n' \
  "$SWEEP_SECONDS" "$((BEFORE - AFTER))" "$BEFORE" \
  "$("${PSQL[@]}" -c "SELECT count(*) FROM \"AuditEvents\" WHERE \"Action\" = 'retention.deleted'")"
grep -h "Retention sweep" "$WORK/a.log" | tail -n 1 || true
stop_instance "$PID_A"

log "Outbox throughput over SMTP"
SMTP_PORT="$(free_port)"
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$WORK/maildir" >"$WORK/smtp.log" 2>&1 &
PIDS+=("$!")
sleep 1
SMTP=(Email__Transport=Smtp Email__Smtp__Host=127.0.0.1 Email__Smtp__Port="$SMTP_PORT" Email__Smtp__Security=None)
queue_mails() {
  "${PSQL[@]}" -c "INSERT INTO \"OutboxMessages\" (\"Id\", \"To\", \"Subject\", \"TextBody\", \"HtmlBody\", \"Kind\", \"ContainsSecret\", \"Status\", \"CreatedAt\", \"NextAttemptAt\", \"Attempts\", \"PermanentFailures\")
    SELECT gen_random_uuid(), 'bench' || i || '@example.test', 'Bench mail ' || i, 'Hello ' || i, '<p>Hello ' || i || '</p>', 'bench-$1', false, 0, t, t, 0, 0
    FROM generate_series(1, $OUTBOX_MAILS) AS i, (SELECT (extract(epoch FROM now()) * 10000000)::bigint + 621355968000000000 AS t) AS n"
}
drain() {
  local kind="$1" start; start=$(date +%s.%N)
  queue_mails "$kind"
  while [ "$("${PSQL[@]}" -c "SELECT count(*) FROM \"OutboxMessages\" WHERE \"Kind\" = 'bench-$kind' AND \"Status\" = 0")" -gt 0 ]; do sleep 0.1; done
  local seconds; seconds="$(echo "$(date +%s.%N) - $start" | bc)"
  printf '%s: %s mails in %.1f s = %.0f mails/s\n' "$kind" "$OUTBOX_MAILS" "$seconds" "$(echo "$OUTBOX_MAILS / $seconds" | bc -l)"
}
start_instance a "$PORT_A" "${SMTP[@]}"; PID_A=$LAST_PID
drain one-dispatcher
start_instance b "$PORT_B" "${SMTP[@]}"; PID_B=$LAST_PID
drain two-dispatchers
sleep 2
DELIVERED="$(ls "$WORK/maildir/new" | wc -l)"
DISTINCT="$(cat "$WORK/maildir/new"/* | grep -i '^Message-ID:' | sort -u | wc -l)"
printf 'delivered %s mails, %s distinct Message-IDs (queued %s)\n' "$DELIVERED" "$DISTINCT" "$((OUTBOX_MAILS * 2))"
"${PSQL[@]}" -c "SELECT 'sent by instance: ' || count(*) FILTER (WHERE \"Attempts\" = 1) || ' on the first attempt, ' || count(*) FILTER (WHERE \"Attempts\" > 1) || ' retried' FROM \"OutboxMessages\" WHERE \"Kind\" LIKE 'bench-%'"
stop_instance "$PID_A"; stop_instance "$PID_B"

log "Done (machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }'); wrk on the same machine)"
