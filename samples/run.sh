#!/usr/bin/env bash
# Starts the portal and both sample stores together, as a newcomer wants to see them:
#   the portal   http://localhost:5080   (Development: SQLite, demo data, mails at /dev/mailbox)
#   innore.eu    http://localhost:5101   (samples/Store as Innore OÜ's store)
#   innore.no    http://localhost:5102   (samples/Store as INNORE AS's store)
# These are the addresses the portal's Development clients (src/PrivacyPortal/appsettings.Development.json)
# know. Ctrl+C stops all three. Needs the .NET 10 SDK and npm (the portal's build copies htmx).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 ASPNETCORE_ENVIRONMENT=Development

for port in 5080 5101 5102; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is taken; stop whatever listens there first." >&2
    exit 1
  fi
done

echo "==> Building the portal and the sample store"
dotnet build src/PrivacyPortal/PrivacyPortal.csproj -nologo -clp:NoSummary -v quiet
dotnet build samples/Store/SampleStore.csproj -nologo -clp:NoSummary -v quiet

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

# Each app runs from its project folder, its content root (appsettings*.json, the policy file).
(cd src/PrivacyPortal && exec dotnet bin/Debug/net10.0/PrivacyPortal.dll --urls http://localhost:5080) &
pids+=($!)

echo "==> Waiting for the portal (migrations and demo data on the first start)"
for _ in $(seq 1 240); do
  if curl -fsS -o /dev/null http://localhost:5080/health/ready 2>/dev/null; then break; fi
  if ! kill -0 "${pids[0]}" 2>/dev/null; then echo "The portal stopped; see its output above." >&2; exit 1; fi
  sleep 0.5
done

(cd samples/Store && exec dotnet bin/Debug/net10.0/SampleStore.dll --Store:Id innore-eu) &
pids+=($!)
(cd samples/Store && exec dotnet bin/Debug/net10.0/SampleStore.dll --Store:Id innore-no) &
pids+=($!)

cat <<'TEXT'

  Portal     http://localhost:5080   (mails: http://localhost:5080/dev/mailbox)
  innore.eu  http://localhost:5101
  innore.no  http://localhost:5102

  Try: open http://localhost:5101/account, sign in as mari.maasikas@example.ee with the link from
  the dev mailbox, then open http://localhost:5102/account: signed in, same sub, no second mail.
  Ctrl+C stops everything.

TEXT
# Stops everything as soon as one of the three ends.
wait -n
