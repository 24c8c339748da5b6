#!/usr/bin/env bash
# Outbox throughput over SMTP (docs/benchmarks.md, "Outbox over SMTP"): MAILS mails queued at once in
# PostgreSQL, sent by one portal instance (one dispatcher) to a local aiosmtpd, timed from the insert
# to the last row marked sent; duplicates counted by Message-ID.
#
# Usage: bench/outbox/run.sh [BASELINE_REF]
#   With a git ref (e.g. a commit before a change), that version is built too and both are measured
#   in turns (ROUNDS each), against the same SMTP server and PostgreSQL, so the comparison is side by
#   side on the same machine in the same run. MAILS (default 5000) and ROUNDS (default 2) change sizes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASELINE="${1:-}"
MAILS="${MAILS:-5000}"
ROUNDS="${ROUNDS:-2}"
WORK="$(mktemp -d /tmp/portal-outbox-bench.XXXXXX)"
chmod 755 "$WORK"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -d "$WORK/pg/data" ] && as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  [ -d "$WORK/baseline-src" ] && git -C "$ROOT" worktree remove --force "$WORK/baseline-src" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf '\n==> %s   [load average:%s]\n' "$*" "$(uptime | sed 's/.*load average://')"; }

log "PostgreSQL and aiosmtpd"
PG_PORT="$(free_port)"
mkdir -p "$WORK/pg"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$WORK/pg"
as_pg "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $WORK/pg -c shared_buffers=256MB" >/dev/null
SMTP_PORT="$(free_port)"
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$WORK/maildir" >"$WORK/smtp.log" 2>&1 &
PIDS+=("$!")

. "$ROOT/bench/key-ring-certificate.sh"
key_ring_certificate "$WORK"
log "Publishing in Release"
dotnet publish "$ROOT/src/PrivacyPortal" -c Release -o "$WORK/app-current" -nologo -v quiet >/dev/null
VERSIONS=(current)
if [ -n "$BASELINE" ]; then
  git -C "$ROOT" worktree add --detach "$WORK/baseline-src" "$BASELINE" >/dev/null 2>&1
  cp -r "$ROOT/wwwroot-src/node_modules" "$WORK/baseline-src/wwwroot-src/" 2>/dev/null || true
  dotnet publish "$WORK/baseline-src/src/PrivacyPortal" -c Release -o "$WORK/app-baseline" -nologo -v quiet >/dev/null
  VERSIONS=(baseline current)
fi

# measure VERSION ROUND: a fresh database, one instance, MAILS mails drained once.
measure() {
  local version="$1" round="$2" db="bench_${1}_$2" port; port="$(free_port)"
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE $db" postgres
  local psql=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$db" -qAt)
  (
    cd "$WORK/app-$version"
    exec env ASPNETCORE_ENVIRONMENT=Production "${KEY_RING_SETTINGS[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port" \
      Database__Provider=Postgres ConnectionStrings__Portal="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=$db" \
      Portal__PublicBaseUrl="http://127.0.0.1:$port" Portal__SeedDemoData=false Jobs__Enabled=false \
      Email__Transport=Smtp Email__Smtp__Host=127.0.0.1 Email__Smtp__Port="$SMTP_PORT" \
      Email__Smtp__Security=None Email__Smtp__EnableSsl=false \
      Email__Dispatcher__PollInterval=00:00:00.200 \
      Logging__LogLevel__Default=Warning \
      dotnet PrivacyPortal.dll >"$WORK/$db.log" 2>&1
  ) &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "$version did not start:" >&2; tail -n 30 "$WORK/$db.log" >&2; exit 1; }
  local start; start=$(date +%s.%N)
  "${psql[@]}" -c "INSERT INTO \"OutboxMessages\" (\"Id\", \"To\", \"Subject\", \"TextBody\", \"HtmlBody\", \"Kind\", \"ContainsSecret\", \"Status\", \"CreatedAt\", \"NextAttemptAt\", \"Attempts\", \"PermanentFailures\")
    SELECT gen_random_uuid(), 'bench' || i || '@example.test', 'Bench mail ' || i, 'Hello ' || i, '<p>Hello ' || i || '</p>', 'bench', false, 0, t, t, 0, 0
    FROM generate_series(1, $MAILS) AS i, (SELECT (extract(epoch FROM now()) * 10000000)::bigint + 621355968000000000 AS t) AS n"
  while [ "$("${psql[@]}" -c "SELECT count(*) FROM \"OutboxMessages\" WHERE \"Status\" = 0")" -gt 0 ]; do sleep 0.05; done
  local seconds; seconds="$(echo "$(date +%s.%N) - $start" | bc)"
  local retried; retried="$("${psql[@]}" -c "SELECT count(*) FROM \"OutboxMessages\" WHERE \"Attempts\" > 1")"
  printf '%-9s round %s: %s mails in %5.1f s = %4.0f mails/s (%s retried)\n' "$version" "$round" "$MAILS" "$seconds" "$(echo "$MAILS / $seconds" | bc -l)" "$retried" | tee -a "$WORK/results"
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
}

for round in $(seq 1 "$ROUNDS"); do
  for version in "${VERSIONS[@]}"; do
    log "$version, round $round"
    measure "$version" "$round"
  done
done
sleep 1
DELIVERED="$(find "$WORK/maildir/new" -type f | wc -l)"
DISTINCT="$(cat "$WORK/maildir/new"/* | grep -i '^Message-ID:' | sort -u | wc -l)"
log "Results"
cat "$WORK/results"
printf 'delivered %s mails, %s distinct Message-IDs (queued %s)\n' "$DELIVERED" "$DISTINCT" "$((MAILS * ROUNDS * ${#VERSIONS[@]}))"
echo "machine: $(nproc) cores; PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }'); load average at the end:$(uptime | sed 's/.*load average://')"
