#!/usr/bin/env bash
# Integration test of watt's Prometheus metrics with a real Prometheus server (Debian's
# `prometheus` package, installed here when missing): `watt run` on the built-in simulator
# in real time serves /metrics on loopback (--metrics-listen) and writes --metrics-file;
# a private Prometheus (own config, data directory and port; never the package's service)
# scrapes it every second, and its HTTP API is queried. promtool checks both outputs.
# Prints PASS/FAIL per check and "prometheus: N passed, N failed"; exits 1 on a failure.
# Prints a SKIP line and exits 0 only where Prometheus is missing and cannot be installed.
set -uo pipefail
cd "$(dirname "$0")/.."
WATT=${WATT:-.build/debug/watt}
passed=0; failed=0
pass() { echo "PASS  prometheus: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL  prometheus: $1"; failed=$((failed + 1)); }

if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then echo "SKIP  prometheus: not installed, and installing Debian's prometheus package needs root"; exit 0; fi
  log=/tmp/watt-prometheus-install.log
  # The package would start its own server (port 9090) where services can start: hold
  # services back for the install with a policy-rc.d, unless the system already has one.
  held=no
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; held=yes; fi
  apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends prometheus; }
  { apt_install || { apt-get update -qq && apt_install; }; } >"$log" 2>&1
  status=$?
  [ $held = yes ] && rm -f /usr/sbin/policy-rc.d
  if [ $status -ne 0 ] || ! command -v prometheus >/dev/null 2>&1; then
    echo "SKIP  prometheus: cannot install Debian's prometheus package here (see $log)"; exit 0
  fi
fi
[ -x "$WATT" ] || { echo "FAIL  prometheus: no watt binary at $WATT (build first)"; echo "prometheus: 0 passed, 1 failed"; exit 1; }

work=$(mktemp -d)
watt_pid=""; prom_pid=""
cleanup() {
  [ -n "$watt_pid" ] && kill "$watt_pid" 2>/dev/null
  [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port for Prometheus (the system picks it; watt takes port 0 itself).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
# An instant query through the HTTP API: one line per series, `{labels} value`; nothing on error.
query() {
  python3 - "$prom" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
base, expr = sys.argv[1], sys.argv[2]
try:
    with urllib.request.urlopen(base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr}), timeout=5) as r:
        body = json.load(r)
except Exception as e:
    print("query failed:", e, file=sys.stderr); sys.exit(1)
if body.get("status") != "success":
    print("query failed:", body, file=sys.stderr); sys.exit(1)
for series in body["data"]["result"]:
    labels = ",".join(f'{k}="{v}"' for k, v in sorted(series["metric"].items()) if k not in ("job", "instance"))
    print("{" + labels + "}", series["value"][1])
PY
}
# The value of a query with one series, or nothing.
value() { query "$1" | awk 'NR == 1 { print $NF }'; }

# The simulated demo cluster, one 5-minute tick every 0.5 s of wall-clock time.
"$WATT" run policies/ --cluster examples/clusters/demo.yaml --days 1 --interval 500ms \
  --metrics-listen 127.0.0.1:0 --metrics-file "$work/watt.prom" >"$work/run.out" 2>"$work/run.err" &
watt_pid=$!
target=""
for _ in $(seq 1 100); do
  target=$(grep -o 'serving metrics at http://127\.0\.0\.1:[0-9]*' "$work/run.err" | sed 's|.*http://||')
  [ -n "$target" ] && break
  kill -0 "$watt_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$target" ]; then
  fail "watt run --metrics-listen printed no address"; cat "$work/run.err"; echo "prometheus: $passed passed, $failed failed"; exit 1
fi
pass "watt serves metrics at $target (port 0: picked by the system, printed on stderr)"

port=$(free_port)
prom="http://127.0.0.1:$port"
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: watt
    static_configs:
      - targets: ["$target"]
YAML
promtool check config "$work/prometheus.yml" >"$work/config.txt" 2>&1 || { fail "promtool check config"; cat "$work/config.txt"; }
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" --web.listen-address="127.0.0.1:$port" \
  >"$work/prometheus.log" 2>&1 &
prom_pid=$!

up=""
for _ in $(seq 1 60); do
  up=$(python3 - "$prom" <<'PY' 2>/dev/null
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/api/v1/targets", timeout=2) as r:
    targets = json.load(r)["data"]["activeTargets"]
print(" ".join(f'{t["labels"]["job"]}={t["health"]}' for t in targets))
PY
)
  [ "$up" = "watt=up" ] && break
  sleep 0.5
done
if [ "$up" != "watt=up" ]; then
  fail "the watt target is not up in Prometheus (/api/v1/targets: ${up:-no answer})"; tail -20 "$work/prometheus.log"
  echo "prometheus: $passed passed, $failed failed"; exit 1
fi
pass "Prometheus scrapes watt: target up in /api/v1/targets"

first=$(value 'watt_ticks_total{job="watt"}')
sleep 3
second=$(value 'watt_ticks_total{job="watt"}')
if [ -n "$first" ] && [ -n "$second" ] && [ "$first" -gt 0 ] && [ "$second" -gt "$first" ]; then
  pass "watt_ticks_total is counting: $first, then $second"
else
  fail "watt_ticks_total did not grow (${first:-none}, then ${second:-none})"
fi

quantile=$(value 'histogram_quantile(0.9, rate(watt_tick_duration_seconds_bucket[1m]))')
python3 -c 'import sys, math; v = float(sys.argv[1]); sys.exit(0 if math.isfinite(v) and 0 < v <= 60 else 1)' "${quantile:-x}" 2>/dev/null \
  && pass "tick duration histogram: p90 $quantile s" || fail "tick duration histogram: p90 ${quantile:-none}"

rules=$(value 'count(count by (rule) (watt_rule_state))')
one_state=$(value 'count(sum by (rule) (watt_rule_state) == 1)')
firing=$(query 'watt_rule_state{state="firing"} == 1' | sed -n 's/.*rule="\([^"]*\)".*/\1/p' | paste -sd, -)
if [ -n "$rules" ] && [ "$rules" -gt 0 ] && [ "$one_state" = "$rules" ]; then
  pass "watt_rule_state: $rules rules, each in exactly one state (firing: ${firing:-none})"
else
  fail "watt_rule_state: ${rules:-no} rules, ${one_state:-none} in exactly one state"; query 'watt_rule_state == 1'
fi

applied=$(query 'sum by (verb) (watt_actions_total{status="applied"})')
proposed=$(query 'sum by (verb) (watt_actions_proposed_total)')
if echo "$applied" | grep -q 'verb="move"' && [ -n "$proposed" ]; then
  pass "actions by verb: applied $(echo "$applied" | tr '\n' ' ')"
else
  fail "actions by verb: applied [${applied}], proposed [${proposed}]"
fi

power=$(value 'watt_site_power_watts')
carbon=$(value 'watt_grid_carbon_intensity_grams_per_kwh')
python3 -c 'import sys; p, c = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if p > 0 and 0 < c < 2000 else 1)' "${power:-x}" "${carbon:-x}" 2>/dev/null \
  && pass "site power $power W, grid carbon intensity $carbon g/kWh" || fail "site power ${power:-none}, carbon intensity ${carbon:-none}"

forecast=$(value 'watt_site_power_forecast_watts{horizon="1h",bound="mean"}')
carbon_forecast=$(value 'watt_grid_carbon_intensity_forecast_grams_per_kwh{horizon="1h",bound="mean"}')
[ -n "$forecast" ] && [ -n "$carbon_forecast" ] && pass "forecasts 1 h ahead: site power $forecast W, carbon $carbon_forecast g/kWh" \
  || fail "forecasts: site power ${forecast:-none}, carbon ${carbon_forecast:-none}"

# The same text both ways, checked by Prometheus's own linter.
if promtool check metrics <"$work/watt.prom" >"$work/lint-file.txt" 2>&1; then
  pass "promtool check metrics accepts --metrics-file"
else
  fail "promtool check metrics on --metrics-file"; cat "$work/lint-file.txt"
fi
python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
  "http://$target/metrics" >"$work/scraped.prom" 2>"$work/scrape.err"
if [ -s "$work/scraped.prom" ] && promtool check metrics <"$work/scraped.prom" >"$work/lint-http.txt" 2>&1; then
  pass "promtool check metrics accepts GET /metrics"
else
  fail "promtool check metrics on GET /metrics"; cat "$work/scrape.err" "$work/lint-http.txt"
fi

# SIGTERM stops the run after its tick, with the report so far, and frees the port.
kill -TERM "$watt_pid"
wait "$watt_pid"
status=$?
watt_pid=""
if [ $status -eq 0 ] && grep -q "stopped by SIGTERM" "$work/run.out" \
  && ! python3 -c 'import socket, sys; h, p = sys.argv[1].split(":"); socket.create_connection((h, int(p)), timeout=1)' "$target" 2>/dev/null; then
  pass "SIGTERM stops watt cleanly and closes the endpoint"
else
  fail "watt after SIGTERM: exit $status"; tail -5 "$work/run.out" "$work/run.err"
fi

echo "prometheus: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
