#!/usr/bin/env bash
# Builds the self-contained single-file server as docs/DEPLOYMENT.md shows, starts the binary on a free loopback
# port with a throwaway data directory, waits for GET /api/v1/health to answer 200 with the version of
# Directory.Build.props, then stops it with SIGTERM and expects a clean exit. Exits non-zero on any failure.
#   deploy/smoke-test-publish.sh [output-dir]      (default /tmp/herald-publish; SKIP_PUBLISH=1 reuses it)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/herald-publish}
rid=${HERALD_RID:-linux-x64}

if [[ "${SKIP_PUBLISH:-}" != 1 ]]; then
  rm -rf "$out"
  dotnet publish src/Herald.Server -c Release -r "$rid" --self-contained -p:PublishSingleFile=true \
    -o "$out" -v quiet --nologo
fi
bin="$out/Herald.Server"
[[ -x "$bin" ]] || { echo "smoke: $bin missing or not executable" >&2; exit 1; }
if [[ -e "$out/Herald.Server.dll" ]]; then echo "smoke: Herald.Server.dll beside the binary: not single-file" >&2; exit 1; fi
echo "smoke: $(du -h "$bin" | cut -f1) $bin"

expected=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)

# A free loopback port: random, and nothing answering on it yet.
port=
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[[ -n "$port" ]] || { echo "smoke: no free port found" >&2; exit 1; }

data=$(mktemp -d /tmp/herald-smoke-data.XXXXXX)
log="$data.log"
pid=
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$data" "$log"
}
trap cleanup EXIT

# Started from another directory on purpose: the binary must find its appsettings.json beside itself.
(cd / && exec env Herald__Storage__DataDirectory="$data" \
  Herald__Auth__AdminToken="smoke-test-token-$(date +%s%N)" \
  "$bin" --urls "http://127.0.0.1:$port") >"$log" 2>&1 &
pid=$!

url="http://127.0.0.1:$port/api/v1/health"
body=
for _ in $(seq 1 120); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "smoke: the server exited before answering; its output:" >&2; cat "$log" >&2; exit 1
  fi
  if body=$(curl -fsS --max-time 2 "$url" 2>/dev/null); then break; fi
  body=
  sleep 0.5
done
if [[ -z "$body" ]]; then
  echo "smoke: no 200 from $url within 60 s; output:" >&2; cat "$log" >&2; exit 1
fi
echo "smoke: $url -> $body"
if [[ "$body" != *"\"version\":\"$expected\""* ]]; then
  echo "smoke: expected version $expected (Directory.Build.props) in the health answer" >&2; exit 1
fi
[[ -f "$data/herald.db" ]] || { echo "smoke: no herald.db in the data directory $data" >&2; exit 1; }

kill -TERM "$pid"
status=0
for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$pid" 2>/dev/null; then echo "smoke: still running 30 s after SIGTERM" >&2; cat "$log" >&2; exit 1; fi
wait "$pid" || status=$?
pid=
if [[ "$status" != 0 ]]; then echo "smoke: exit code $status after SIGTERM; output:" >&2; cat "$log" >&2; exit 1; fi
echo "smoke: published single-file server started, answered health and stopped cleanly"
