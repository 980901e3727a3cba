#!/usr/bin/env bash
# slurm-fixtures.sh — regenerate the Slurm adapter's test fixtures from a real local Slurm.
#
# Usage (as root): scripts/slurm-fixtures.sh [OUT_DIR]   (default Tests/WattSlurmTests/Fixtures)
#                  scripts/slurm-fixtures.sh --hardware [OUT_DIR]
#
# Restarts the throw-away cluster of scripts/slurm-local.sh (a clean one: job ids start at 1),
# submits a few jobs in both partitions (finished, running, pending, held; some with the
# `--comment=watt:flexible` convention of flexible jobs), captures what the adapter parses, powers
# the node down and captures again, records the errors of a few failing commands, and stops
# the cluster. See the README.md in the output folder for what each file holds.
#
# --hardware captures only the hardware fixtures (typed GRES and node features, a drained
# node, and Slurm's answer to resuming a node that is not drained), leaving the job fixtures
# (whose ids and times the tests read) as they are.
set -euo pipefail
HARDWARE=no
if [ "${1:-}" = --hardware ]; then HARDWARE=yes; shift; fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/Tests/WattSlurmTests/Fixtures}
SL=$ROOT/scripts/slurm-local.sh
BASE=${SLURM_LOCAL_DIR:-/tmp/watt-slurm}
NODE=$(hostname -s)

[ "$(id -u)" = 0 ] || { echo "slurm-fixtures.sh: must run as root (it starts the local Slurm)" >&2; exit 1; }
mkdir -p "$OUT"

if [ $HARDWARE = yes ]; then
  # The node as an H100 machine with Xeon 8480 CPUs: typed GRES and features.
  SLURM_LOCAL_GPU_TYPE=h100 SLURM_LOCAL_FEATURES=h100,xeon8480 "$SL" restart >/dev/null
  eval "$("$SL" env)"
  cd "$BASE/jobs"
  job=$(sbatch --parsable -o /dev/null -p gpu --gres=gpu:h100:1 -J typed --wrap 'sleep 900')
  for _ in $(seq 150); do [ "$(squeue -h -j "$job" -o %T)" = RUNNING ] && break; sleep 0.2; done
  sinfo --json > "$OUT/sinfo_typed.json"
  # Resuming a node that is not drained (what Slurm answers), then draining it with a job on it.
  set +e; scontrol update NodeName="$NODE" State=RESUME > "$BASE/jobs/r.out" 2> "$BASE/jobs/r.err"; rc=$?; set -e
  { echo "=== command: scontrol update NodeName=$NODE State=RESUME (node not drained)"; echo "exit status: $rc"
    echo "--- stderr"; cat "$BASE/jobs/r.err"; echo "--- stdout"; cat "$BASE/jobs/r.out"; } > "$OUT/errors_resume.txt"
  scontrol update NodeName="$NODE" State=DRAIN "Reason=watt: too_hot"
  sleep 1
  sinfo --json > "$OUT/sinfo_draining.json"
  scontrol show node -o > "$OUT/nodes_draining.txt"
  scancel "$job"
  for _ in $(seq 150); do [ -z "$(squeue -h -t R,CG -o %i)" ] && break; sleep 0.2; done
  sinfo --json > "$OUT/sinfo_drained.json"
  "$SL" stop
  echo "hardware fixtures written to $OUT (Slurm $(slurmctld -V))"
  exit 0
fi
"$SL" restart >/dev/null
eval "$("$SL" env)"
cd "$BASE/jobs"

jst() { squeue -h -t all -j "$1" -o %T 2>/dev/null; }   # -t all: finished jobs too
wait_for() { # CONDITION [TRIES of 0.2 s]
  local i; for i in $(seq "${2:-150}"); do eval "$1" && return 0; sleep 0.2; done
  echo "slurm-fixtures.sh: timed out waiting for: $1" >&2; exit 1
}
sub() { sbatch --parsable -o /dev/null "$@"; }

# finished jobs (kept visible for MinJobAge=300 s)
done_ok=$(sub -p efficient --gres=gpu:1 --comment=watt:flexible -J eval-done --wrap 'true')
done_fail=$(sub -p gpu --gres=gpu:1 -J prep-failed --wrap 'exit 3')
wait_for "[ \"\$(jst $done_ok)/\$(jst $done_fail)\" = COMPLETED/FAILED ]"

# two running jobs take both fake GPUs (and both CPUs here)
run_flex=$(sub -p gpu --gres=gpu:1 --comment=watt:flexible -J train-flex -t 60 --wrap 'sleep 900')
run_rigid=$(sub -p efficient --gres=gpu:1 -J serve-rigid --wrap 'sleep 900')
wait_for "[ \"\$(jst $run_flex)/\$(jst $run_rigid)\" = RUNNING/RUNNING ]"

# so these pend; one of them is held by the administrator
pend_rigid=$(sub -p gpu --gres=gpu:1 -J train-rigid --wrap 'sleep 900')
pend_flex=$(sub -p efficient --gres=gpu:1 --comment=watt:flexible -J batch-flex -t 30 --wrap 'sleep 900')
held=$(sub -p gpu --gres=gpu:1 --comment=watt:flexible -J sweep-held --wrap 'sleep 900')
scontrol hold "$held"
sleep 3   # let the scheduler set the pending reasons
wait_for "[ \"\$(jst $pend_rigid)/\$(jst $pend_flex)/\$(jst $held)\" = PENDING/PENDING/PENDING ]"

squeue --json > "$OUT/squeue.json"
sinfo --json > "$OUT/sinfo.json"
scontrol show partition -o > "$OUT/partitions.txt"
scontrol show node -o > "$OUT/nodes.txt"
scontrol show job -o > "$OUT/jobs.txt"

# failing commands: one section each with the command, its exit status, how long it took,
# its stderr and its stdout
ERR=$OUT/errors.txt
: > "$ERR"
capture() {
  local rc t0 t1
  t0=$(date +%s.%N)
  set +e; "$@" > "$BASE/jobs/cap.out" 2> "$BASE/jobs/cap.err"; rc=$?; set -e
  t1=$(date +%s.%N)
  {
    echo "=== command: $*"
    echo "exit status: $rc"
    echo "elapsed: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f s", b - a }')"
    echo "--- stderr"
    cat "$BASE/jobs/cap.err"
    echo "--- stdout"
    cat "$BASE/jobs/cap.out"
    echo
  } >> "$ERR"
}
capture scontrol update JobId=999999 Partition=efficient
capture scontrol hold 999999
capture scontrol update JobId="$run_flex" Partition=efficient   # a running job cannot move

# power the node down: cancel what would keep it busy or wake it up again (the held job stays)
scancel "$run_flex" "$run_rigid" "$pend_rigid" "$pend_flex"
wait_for "[ \"\$(sinfo -h -N -n $NODE -p gpu -o %T)\" = idle ]"
scontrol update NodeName="$NODE" State=POWER_DOWN
wait_for "[ \"\$(sinfo -h -N -n $NODE -p gpu -o %T)\" = idle~ ]" 300
sinfo --json > "$OUT/sinfo_powered_down.json"
scontrol show node -o > "$OUT/nodes_powered_down.txt"

# squeue with slurmctld (only) stopped, then start it again with its saved state
ctld=$(cat "$BASE/run/slurmctld.pid")
kill "$ctld"
wait_for "! kill -0 $ctld 2>/dev/null"
capture squeue --json
slurmctld -i
wait_for "sinfo -h >/dev/null 2>&1"

"$SL" stop
echo "fixtures written to $OUT (Slurm $(slurmctld -V))"
