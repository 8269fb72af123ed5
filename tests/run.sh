#!/usr/bin/env bash
# The test command: installs what the tests need (when run as root), builds the solution,
# runs every test project (unit, component, conformance, e2e) one after another, and ends
# with one line summing them all: "N passed, N failed, N skipped".
# Exit status: 0 when every test project ran and nothing failed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
configuration="${CONFIGURATION:-Release}"
results="$root/artifacts/test-results"

# Debian packages the tests use: Chromium for the browser tests; Prometheus (promtool reads our
# TSDB blocks; a real Prometheus remote-writes to us and receives from us); node_exporter as a
# scrape target; Alertmanager's amtool against our Alertmanager API; Python's prometheus_client
# pushing to our Pushgateway; aiosmtpd as a real SMTP server. db/start-postgres.sh installs
# postgresql itself when missing. Tests whose tool is missing say skipped and why.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/promtool ] || need+=(prometheus)
[ -x /usr/bin/prometheus-node-exporter ] || need+=(prometheus-node-exporter)
[ -x /usr/bin/amtool ] || need+=(prometheus-alertmanager)
/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 || need+=(python3-prometheus-client)
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need+=(python3-aiosmtpd)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
      || echo "warning: could not install ${need[*]}; tests that need them will fail or say skipped"
    # The packages start servers of their own that the tests do not need (the tests start theirs).
    for service in prometheus prometheus-node-exporter prometheus-alertmanager; do
      if [[ " ${need[*]} " == *" $service "* ]]; then
        if command -v systemctl >/dev/null 2>&1; then systemctl stop "$service" >/dev/null 2>&1 || true; fi
        service "$service" stop >/dev/null 2>&1 || true
        pkill -x "$service" >/dev/null 2>&1 || true
      fi
    done
  else
    echo "warning: not root, cannot install ${need[*]}; run as root or install them yourself"
  fi
fi

# A throwaway Postgres for the metadata tests (they also run on SQLite); stopped on exit.
pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then bash "$root/db/start-postgres.sh" --stop "$pg_dir"; fi
}
trap cleanup EXIT
if [ -z "${PORTAL_TEST_POSTGRES:-}" ] && [ "$(id -u)" = 0 ]; then
  echo "== starting a throwaway Postgres"
  pg_dir="$(mktemp -d /tmp/portal-test-pg.XXXXXX)"
  if cs="$(bash db/start-postgres.sh "$pg_dir" | tail -n 1)"; then
    export PORTAL_TEST_POSTGRES="$cs"
  else
    echo "warning: Postgres did not start; the Postgres tests will say skipped"
  fi
fi

echo "== building ($configuration)"
if ! dotnet build Portal.sln -c "$configuration" -nologo -v quiet -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

rm -rf "$results"
mkdir -p "$results"
projects=$(ls tests/*/*.Tests.csproj e2e/*/*.csproj 2>/dev/null)
passed=0; failed=0; skipped=0; broken=0
# Runs one test project with a TRX logger and adds its counters to the totals: run_project PROJECT NAME [dotnet test args...]
run_project() {
  local project="$1" name="$2"
  shift 2
  echo "== $name"
  dotnet test "$project" -c "$configuration" --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --logger "console;verbosity=minimal" "$@"
  local trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "!! $name produced no results (it crashed or did not start)"
    broken=$((broken + 1))
    return
  fi
  local counters
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  local p f e t a n
  p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted); n=$(get notExecuted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${n:-0}))
}
for project in $projects; do
  run_project "$project" "$(basename "$project" .csproj)"
done
# The web host's tests that run the whole portal in-process (PortalFactory) again, with the metadata in Postgres.
if [ -n "${PORTAL_TEST_POSTGRES:-}" ]; then
  PORTAL_TEST_WEB_DATABASE=postgres run_project tests/Portal.Web.Tests/Portal.Web.Tests.csproj Portal.Web.Tests.Postgres \
    --filter "FullyQualifiedName~.AlertHistoryTests.|FullyQualifiedName~.AlertmanagerApiTests.|FullyQualifiedName~.DashboardProvisioningTests.|FullyQualifiedName~.DashboardsApiTests.|FullyQualifiedName~.HostEndpointTests.|FullyQualifiedName~.PrometheusApiTests.|FullyQualifiedName~.ProvisioningTests.|FullyQualifiedName~.PushPushgatewayTests.|FullyQualifiedName~.PushRemoteReadTests.|FullyQualifiedName~.PushRemoteWriteTests.|FullyQualifiedName~.RulesApiTests.|FullyQualifiedName~.ScrapeJobServiceTests.|FullyQualifiedName~.ScrapingTests.|FullyQualifiedName~.TeamReceiverAuthTests.|FullyQualifiedName~.ApiDocExampleTests."
else
  echo "== Portal.Web.Tests on Postgres: skipped (no Postgres server; set PORTAL_TEST_POSTGRES or run as root)"
fi

echo "== screenshots and test results: artifacts/"
failed=$((failed + broken))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
