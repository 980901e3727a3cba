#!/usr/bin/env bash
# Integration tests of `watt run --scheduler slurm` against a real single-node Slurm
# (scripts/slurm-local.sh). Prints PASS/FAIL per check and "slurm: N passed, N failed";
# exits 1 on a failure. Prints a SKIP line and exits 0 only where Slurm cannot be started
# (not root, or the packages cannot be installed).
set -uo pipefail
cd "$(dirname "$0")/.."
WATT=${WATT:-.build/debug/watt}
LOCAL=scripts/slurm-local.sh
passed=0; failed=0
pass() { echo "PASS  slurm: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL  slurm: $1"; failed=$((failed + 1)); }

if [ "$(id -u)" -ne 0 ]; then echo "SKIP  slurm: integration tests need root to start a local Slurm"; exit 0; fi
if ! bash $LOCAL install >/tmp/watt-slurm-install.log 2>&1; then
  echo "SKIP  slurm: cannot install Slurm here (see /tmp/watt-slurm-install.log)"; exit 0
fi
bash $LOCAL stop >/dev/null 2>&1 || true
if ! bash $LOCAL start >/tmp/watt-slurm-start.log 2>&1; then
  echo "FAIL  slurm: the local Slurm did not start (see /tmp/watt-slurm-start.log)"; exit 1
fi
eval "$(bash $LOCAL env)"
trap 'bash $LOCAL stop >/dev/null 2>&1' EXIT
work=$(mktemp -d)

# Two jobs fill the two GPUs of partition gpu; a flexible one waits behind them.
sbatch --parsable -o /dev/null -p gpu --gres=gpu:1 --wrap 'sleep 600' >/dev/null
sbatch --parsable -o /dev/null -p gpu --gres=gpu:1 --wrap 'sleep 600' >/dev/null
flexible=$(sbatch --parsable -o /dev/null -p gpu --gres=gpu:1 --comment=watt:flexible --wrap 'sleep 600')
later=$(sbatch --parsable -o /dev/null -p gpu --gres=gpu:1 --comment=watt:flexible --wrap 'sleep 600')
sleep 2

cat > "$work/move.watt" <<'W'
rule move_flexible {
  when count(jobs where state == "queued" and flexible and pool == "gpu" and id != "LATER") > 0
  then move jobs where state == "queued" and flexible and pool == "gpu" and id != "LATER" to pool "efficient"
}
rule defer_later {
  when count(jobs where id == "LATER" and state == "queued") > 0
  then defer jobs where id == "LATER" and state == "queued" for 2 h
}
W
sed -i "s/LATER/$later/g" "$work/move.watt"

# Dry run: nothing changes in Slurm.
"$WATT" run "$work/move.watt" --scheduler slurm --interval 1s --ticks 1 --dry-run >"$work/dry.txt" 2>&1
[ "$(squeue -h -j "$flexible" -o %P)" = "gpu" ] && pass "--dry-run changes nothing" || fail "--dry-run moved job $flexible"

"$WATT" run "$work/move.watt" --scheduler slurm --interval 1s --ticks 2 --journal "$work/run.db" --metrics-file "$work/metrics.prom" >"$work/run.txt" 2>&1
[ "$(squeue -h -j "$flexible" -o %P)" = "efficient" ] && pass "a pending flexible GPU job moved to partition efficient" \
  || { fail "job $flexible was not moved"; cat "$work/run.txt"; }
begin=$(scontrol show job "$later" -o | grep -o 'StartTime=[^ ]*' | cut -d= -f2)
now_plus_1h=$(date -d '+1 hour' +%s)
[ -n "$begin" ] && [ "$(date -d "$begin" +%s 2>/dev/null || echo 0)" -gt "$now_plus_1h" ] && pass "a deferred job's begin time is about 2 h ahead ($begin)" \
  || { fail "job $later was not deferred (StartTime=$begin)"; cat "$work/run.txt"; }
"$WATT" journal "$work/run.db" | grep -q "integrity ok" && pass "the live run is journaled" || fail "no journal"
grep -q '^watt_actions_total{verb="move",status="applied"} 1$' "$work/metrics.prom" && pass "metrics count the applied move" \
  || { fail "metrics"; cat "$work/metrics.prom"; }

# The controller goes away mid-run and comes back: those ticks are skipped with an error,
# the loop does not crash and finishes its ticks.
timeout 300 "$WATT" run "$work/move.watt" --scheduler slurm --interval 1s --ticks 6 >"$work/down.txt" 2>&1 &
run=$!
sleep 2
kill "$(cat /tmp/watt-slurm/run/slurmctld.pid)" 2>/dev/null
# Longer than the clients' own retries (squeue reports a missing controller after ~9 s).
sleep 20
slurmctld -i
wait $run
status=$?
if [ $status -eq 0 ] && grep -q "run: .* 6 ticks" "$work/down.txt" && grep -Eq "[1-9][0-9]* ticks without a snapshot" "$work/down.txt"; then
  pass "slurmctld killed mid-run: ticks without a snapshot are skipped, the loop recovers and finishes"
else
  fail "slurmctld killed mid-run: exit $status"; cat "$work/down.txt"
fi

# Power saving: an idle node is powered down, and woken when work arrives.
scancel --user=root >/dev/null 2>&1
for _ in $(seq 1 30); do [ -z "$(squeue -h -t PD,R,CG -o %i)" ] && break; sleep 1; done
cat > "$work/power.watt" <<'W'
rule power_down_idle {
  when count(nodes where state == "idle") > 0 and count(jobs where state == "queued") == 0
  then suspend nodes where state == "idle"
}
rule wake_for_work {
  when count(jobs where state == "queued") > 0 and count(nodes where state == "suspended") > 0
  then wake nodes where state == "suspended"
}
W
"$WATT" run "$work/power.watt" --scheduler slurm --interval 1s --ticks 1 >"$work/power.txt" 2>&1
down=no
for _ in $(seq 1 40); do sinfo -h -N -p gpu -o '%T' | grep -qi 'powered_down\|powering_down\|idle~\|~' && { down=yes; break; }; sinfo -h -N -p gpu -o '%6t' | grep -q '~' && { down=yes; break; }; sleep 1; done
[ $down = yes ] && grep -q 'suspend `vm`: applied' "$work/power.txt" && pass "an idle node was powered down (POWER_DOWN)" || { fail "the idle node was not powered down"; cat "$work/power.txt"; sinfo -N; }
# Wake it (with no job pending, so Slurm would not resume it by itself).
cat > "$work/wake.watt" <<'W'
rule wake_suspended {
  when count(nodes where state == "suspended") > 0
  then wake nodes where state == "suspended"
}
W
sleep 3
"$WATT" run "$work/wake.watt" --scheduler slurm --interval 1s --ticks 1 >"$work/wake.txt" 2>&1
up=no
for _ in $(seq 1 60); do sinfo -h -N -p gpu -o '%t' | grep -qv '[~#%]' && { up=yes; break; }; sleep 1; done
[ $up = yes ] && grep -q 'wake `vm`: applied' "$work/wake.txt" && pass "a powered-down node was woken (POWER_UP)" \
  || { fail "the node was not woken"; cat "$work/wake.txt"; sinfo -N; }
job=$(sbatch --parsable -o /dev/null -p gpu --gres=gpu:1 --wrap 'sleep 60')
running=no
for _ in $(seq 1 30); do [ "$(squeue -h -j "$job" -o %T)" = "RUNNING" ] && { running=yes; break; }; sleep 1; done
[ $running = yes ] && pass "work runs on the woken node" || { fail "job $job did not run"; squeue; }

# Thermal rules: drain the node (its running job goes on, nothing new starts), then resume it.
node=$(hostname -s)
cat > "$work/drain.watt" <<'W'
rule too_hot {
  when count(nodes where state == "on" or state == "idle") > 0
  then drain nodes where state == "on" or state == "idle"
}
W
"$WATT" run "$work/drain.watt" --scheduler slurm --interval 1s --ticks 1 --journal "$work/drain.db" >"$work/drain.txt" 2>&1
nodeinfo=$(scontrol show node "$node" -o)
if grep -q "drain \`$node\`: applied" "$work/drain.txt" && grep -Eq 'State=[A-Z]+\+DRAIN' <<<"$nodeinfo" \
   && grep -q 'Reason=watt: too_hot' <<<"$nodeinfo" && sinfo -h -N -p gpu -o %T | grep -q 'drain'; then
  pass "a policy drained the node (scontrol: $(grep -o 'State=[^ ]*' <<<"$nodeinfo"), Reason=watt: too_hot)"
else
  fail "the node was not drained"; cat "$work/drain.txt"; echo "$nodeinfo"
fi
[ "$(squeue -h -j "$job" -o %T)" = "RUNNING" ] && pass "the job on the draining node keeps running" || { fail "job $job stopped"; squeue; }
held=$(sbatch --parsable -o /dev/null -p gpu --gres=gpu:1 --wrap 'sleep 60')
sleep 3
[ "$(squeue -h -j "$held" -o %T)" = "PENDING" ] && pass "a new job does not start on the draining node" || { fail "job $held started"; squeue; }
"$WATT" journal "$work/drain.db" | grep -q "node power from: model:1 (1 tick)" && pass "the journal says node power came from the model" \
  || { fail "no power source in the journal"; "$WATT" journal "$work/drain.db"; }
# Draining again changes nothing: the snapshot already says so.
printf 'rule too_hot {\n  when true\n  then drain nodes\n}\n' > "$work/drain-all.watt"
"$WATT" run "$work/drain-all.watt" --scheduler slurm --interval 1s --ticks 1 >"$work/drain2.txt" 2>&1
grep -q "drain \`$node\`: unchanged, already draining" "$work/drain2.txt" && pass "draining a draining node is unchanged" \
  || { fail "a second drain was not unchanged"; cat "$work/drain2.txt"; }
cat > "$work/resume.watt" <<'W'
rule cooled_down {
  when count(nodes where state == "draining") > 0
  then resume nodes where state == "draining"
}
W
"$WATT" run "$work/resume.watt" --scheduler slurm --interval 1s --ticks 1 >"$work/resume.txt" 2>&1
started=no
for _ in $(seq 1 30); do [ "$(squeue -h -j "$held" -o %T)" = "RUNNING" ] && { started=yes; break; }; sleep 1; done
if grep -q "resume \`$node\`: applied" "$work/resume.txt" && ! scontrol show node "$node" -o | grep -q 'DRAIN' && [ $started = yes ]; then
  pass "a policy resumed the node (RESUME) and the waiting job started"
else
  fail "the node was not resumed"; cat "$work/drain2.txt" "$work/resume.txt"; scontrol show node "$node" -o; squeue
fi

# Node power from a real Prometheus: it scrapes a DCGM-style exposition file (two GPUs,
# 312.5 W and 287.5 W, labelled with the node's name) and watt queries its HTTP API.
if command -v prometheus >/dev/null && command -v python3 >/dev/null; then
  free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
  exporter_port=$(free_port); prom_port=$(free_port)
  mkdir -p "$work/exporter" "$work/prom"
  printf 'DCGM_FI_DEV_POWER_USAGE{gpu="0"} 312.5\nDCGM_FI_DEV_POWER_USAGE{gpu="1"} 287.5\n' > "$work/exporter/metrics"
  cat > "$work/prometheus.yml" <<Y
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: dcgm
    static_configs: [{targets: ["127.0.0.1:$exporter_port"], labels: {host: "$node"}}]
Y
  python3 -m http.server "$exporter_port" --bind 127.0.0.1 --directory "$work/exporter" >/dev/null 2>&1 &
  exporter=$!
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom" \
    --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
  prom=$!
  query='sum by (host) (DCGM_FI_DEV_POWER_USAGE)'
  for _ in $(seq 1 60); do
    curl -s --get "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$query" | grep -q '"600"' && break; sleep 0.5
  done
  "$WATT" run "$work/resume.watt" --scheduler slurm --interval 1s --ticks 1 --journal "$work/prom.db" --power-source prometheus \
    --prometheus-url "http://127.0.0.1:$prom_port" --power-query "$query" --power-label host >"$work/prom.txt" 2>&1
  "$WATT" journal "$work/prom.db" | grep -q "node power from: prometheus:1 (1 tick)" \
    && pass "node power from a real Prometheus (DCGM-style GPU power, 600 W, plus the model for the rest)" \
    || { fail "node power did not come from Prometheus"; cat "$work/prom.txt"; "$WATT" journal "$work/prom.db"; }
  "$WATT" run "$work/resume.watt" --scheduler slurm --interval 1s --ticks 1 --journal "$work/prom-bad.db" --power-source prometheus \
    --prometheus-url "http://127.0.0.1:$prom_port" --power-query 'sum by (host) (' --power-label host >"$work/prom-bad.txt" 2>&1
  grep -q "answered 400: the query failed: bad_data" "$work/prom-bad.txt" && "$WATT" journal "$work/prom-bad.db" | grep -q "node power from: model:1" \
    && pass "a query Prometheus rejects is told (400, bad_data) and node power falls back to the model" \
    || { fail "a bad Prometheus query"; cat "$work/prom-bad.txt"; }
  kill "$prom" "$exporter" 2>/dev/null; wait "$prom" "$exporter" 2>/dev/null
else
  echo "SKIP  slurm: node power from Prometheus (no prometheus binary; scripts/prometheus-integration-test.sh installs Debian's package)"
fi

# An operator's run: no --ticks, metrics over HTTP; SIGTERM stops it after the current tick
# with its report and exit 0, and the endpoint served the live run's counters meanwhile.
"$WATT" run "$work/resume.watt" --scheduler slurm --interval 1s --journal "$work/term.db" \
  --metrics-listen 127.0.0.1:0 >"$work/term.txt" 2>"$work/term.err" &
run=$!
url=""; ticks=0
for _ in $(seq 1 60); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*/metrics' "$work/term.err" | head -1)
  if [ -n "$url" ]; then
    ticks=$(curl -s "$url" | awk '$1 == "watt_ticks_total" {print $2}')
    [ "${ticks:-0}" -ge 2 ] 2>/dev/null && break
  fi
  sleep 1
done
kill -TERM "$run"; wait "$run"; status=$?
if [ $status -eq 0 ] && [ "${ticks:-0}" -ge 2 ] && grep -q "stopped by SIGTERM" "$work/term.txt" && "$WATT" journal "$work/term.db" | grep -q "integrity ok"; then
  pass "SIGTERM stops a live run without --ticks: exit 0, report, journal ok; /metrics served $ticks ticks meanwhile"
else
  fail "SIGTERM on a live run: exit $status, ticks ${ticks:-none}"; cat "$work/term.txt" "$work/term.err"
fi

rm -rf "$work"
echo "slurm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
