#!/usr/bin/env bash
# slurm-local.sh — a throw-away single-node Slurm cluster for Watt's Slurm adapter tests.
#
# Tested on Debian 12 (Slurm 22.05): no systemd, no cgroups, no accounting database.
# The cluster has one node (this machine) in two partitions, `gpu` (default) and `efficient`,
# with fake GPUs (GRES gpu) and power saving enabled, so jobs can be submitted, moved, held,
# suspended and requeued and the node can be powered down and up again.
#
# Usage: scripts/slurm-local.sh COMMAND
#   install   apt-get install munge and the Slurm daemons and clients (skipped when present)
#   start     write the configuration under $SLURM_LOCAL_DIR, start munged, slurmctld and
#             slurmd, wait until the node is idle, print `export SLURM_CONF=...`
#   stop      cancel all jobs, stop the daemons started by `start` (by PID file); keeps the files
#   restart   stop, then start
#   status    the daemons' PIDs, then `sinfo` and `squeue`
#   env       print `export SLURM_CONF=...` (every Slurm client needs it):
#               eval "$(scripts/slurm-local.sh env)"
#   selftest  on a started cluster: submit/move/hold/release/update/suspend/resume/requeue jobs,
#             drain/resume the node, power it down and up; prints "N passed, M failed"
#
# Environment:
#   SLURM_LOCAL_DIR           where config, state, logs and PID files live (default /tmp/watt-slurm)
#   SLURM_LOCAL_CPUS          CPUs of the node (default: nproc)
#   SLURM_LOCAL_GPUS          number of fake GPUs (default 2)
#   SLURM_LOCAL_GPU_TYPE      a GRES type for them, e.g. h100 (Gres=gpu:h100:N); default none (gpu:N)
#   SLURM_LOCAL_FEATURES      node features, e.g. h100,xeon8480 (default none)
#   SLURM_LOCAL_SUSPEND_TIME  idle seconds before Slurm powers the node down on its own (default
#                             86400, i.e. never during a test; a manual POWER_DOWN works at once)
#
# install, start, stop, restart and selftest must run as root: the daemons run as root
# (SlurmUser=root, munged --force) and `start` may add the host name to /etc/hosts.
set -euo pipefail

BASE=${SLURM_LOCAL_DIR:-/tmp/watt-slurm}
CPUS=${SLURM_LOCAL_CPUS:-$(nproc)}
GPUS=${SLURM_LOCAL_GPUS:-2}
GPU_TYPE=${SLURM_LOCAL_GPU_TYPE:-}
FEATURES=${SLURM_LOCAL_FEATURES:-}
[[ "$GPU_TYPE" =~ ^[A-Za-z0-9_-]*$ ]] || { echo "[slurm-local] error: SLURM_LOCAL_GPU_TYPE: letters, digits, - and _ only" >&2; exit 1; }
[[ "$FEATURES" =~ ^[A-Za-z0-9_,+-]*$ ]] || { echo "[slurm-local] error: SLURM_LOCAL_FEATURES: letters, digits and -_+ separated by commas" >&2; exit 1; }
SUSPEND_TIME=${SLURM_LOCAL_SUSPEND_TIME:-86400}
NODE=$(hostname -s)
CONF=$BASE/etc/slurm.conf
SOCK=$BASE/munge/munge.socket.2

log() { echo "[slurm-local] $*" >&2; }
die() { log "error: $*"; exit 1; }

require_root() {
  [ "$(id -u)" = 0 ] || die "'$1' must run as root (the Slurm and munge daemons run as root); try: sudo $0 $1"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# install

do_install() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null \
     && command -v munged >/dev/null && command -v sbatch >/dev/null; then
    log "already installed: $(slurmctld -V)"
    return 0
  fi
  # (`sinfo --version` needs a configuration in 22.05, so versions come from `slurmctld -V`)
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends munge slurmctld slurmd slurm-client
  log "installed: $(slurmctld -V)"
}

# ---------------------------------------------------------------------------------------------
# configuration

# Power-saving hooks. Slurm runs `<program> <hostlist>` with no PATH and a pipe on stdout/stderr,
# so they use absolute paths and detach fully. Suspend stops slurmd (the node "powers off");
# resume starts it again. slurmctld only accepts a resumed node whose boot time (now minus the
# uptime slurmd reports) is newer than the resume request, otherwise jobs stay CONFIGURING until
# ResumeTimeout and the node goes DOWN. So resume starts slurmd under a small LD_PRELOAD shim
# that reports the uptime as counted from "now".
write_power_hooks() {
  cat > "$BASE/power/fakeboot.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/sysinfo.h>
#include <time.h>
int sysinfo(struct sysinfo *info) {
    static int (*real)(struct sysinfo *);
    if (!real) real = (int (*)(struct sysinfo *))dlsym(RTLD_NEXT, "sysinfo");
    int r = real(info);
    const char *b = getenv("SLURM_FAKE_BOOT");
    if (r == 0 && b) { long up = (long)time(NULL) - atol(b); if (up >= 0 && up < info->uptime) info->uptime = up; }
    return r;
}
EOF
  if [ ! -f "$BASE/power/fakeboot.so" ]; then
    local cc
    for cc in "${CC:-}" cc gcc clang; do
      [ -n "$cc" ] && command -v "$cc" >/dev/null \
        && "$cc" -shared -fPIC -O2 -o "$BASE/power/fakeboot.so" "$BASE/power/fakeboot.c" -ldl 2>/dev/null \
        && break
    done
    [ -f "$BASE/power/fakeboot.so" ] \
      || log "warning: no C compiler; a powered-down node will not resume (jobs time out instead)"
  fi

  cat > "$BASE/power/suspend.sh" <<EOF
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
echo "\$(date +%s) suspend \$*" >> "$BASE/log/power.log"
[ -f "$BASE/run/slurmd.pid" ] && kill "\$(cat "$BASE/run/slurmd.pid")" 2>/dev/null
exit 0
EOF
  cat > "$BASE/power/resume.sh" <<EOF
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
echo "\$(date +%s) resume \$*" >> "$BASE/log/power.log"
if [ -f "$BASE/run/slurmd.pid" ] && kill "\$(cat "$BASE/run/slurmd.pid")" 2>/dev/null; then sleep 1; fi
[ -f "$BASE/power/fakeboot.so" ] && export LD_PRELOAD="$BASE/power/fakeboot.so" SLURM_FAKE_BOOT=\$(date +%s)
SLURM_CONF="$CONF" setsid /usr/sbin/slurmd -N "$NODE" </dev/null >/dev/null 2>&1
exit 0
EOF
  chmod +x "$BASE/power/suspend.sh" "$BASE/power/resume.sh"
}

write_config() {
  mkdir -p "$BASE"/{etc,munge,state,spool,log,run,power,dev,jobs}
  chmod 755 "$BASE/munge"
  # slurmd and slurmctld must be able to resolve the node's name
  getent hosts "$NODE" >/dev/null || echo "127.0.0.1 $NODE" >> /etc/hosts
  local mem
  mem=$(awk '/MemTotal/ {m = int($2/1024) - 512; print (m > 256 ? m : 256)}' /proc/meminfo)
  write_power_hooks

  cat > "$CONF" <<EOF
# Generated by scripts/slurm-local.sh — single-node test cluster for Watt.
ClusterName=watt
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool
SlurmctldPidFile=$BASE/run/slurmctld.pid
SlurmdPidFile=$BASE/run/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# no cgroups (containers): plain process tracking, no task plugin, no accounting
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
PriorityType=priority/basic
ReturnToService=2
# schedule at once (tests should not wait for the scheduler's batching)
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
# finished jobs stay visible for 5 minutes
MinJobAge=300
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
GresTypes=gpu
# (no AccountingStorageTRES=gres/gpu: slurmctld refuses it without slurmdbd, so job TRES strings
# have no gres/gpu; the GPU request is in TresPerNode / tres_per_node = gres:gpu:N)
# Power saving. SuspendTime=INFINITE would disable it entirely (then State=POWER_DOWN fails with
# "PowerSave is disabled"), so use a long idle time: no automatic power-down during a test run,
# manual POWER_DOWN / POWER_UP work.
SuspendProgram=$BASE/power/suspend.sh
ResumeProgram=$BASE/power/resume.sh
SuspendTime=$SUSPEND_TIME
SuspendTimeout=5
ResumeTimeout=30
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$mem Gres=gpu:${GPU_TYPE:+$GPU_TYPE:}$GPUS${FEATURES:+ Feature=$FEATURES} State=UNKNOWN
PartitionName=gpu Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
PartitionName=efficient Nodes=$NODE MaxTime=INFINITE State=UP
EOF

  # Fake GPUs: gres/gpu drops a count-only entry ("Removing file-less GPU"), so each fake GPU gets
  # a dummy device file (a character device with /dev/null's numbers; a plain file works too but
  # slurmd then logs "not a valid character device").
  local i
  for i in $(seq 0 $((GPUS - 1))); do
    [ -e "$BASE/dev/gpu$i" ] || mknod "$BASE/dev/gpu$i" c 1 3 2>/dev/null || : > "$BASE/dev/gpu$i"
  done
  {
    echo "AutoDetect=off"
    echo "NodeName=$NODE Name=gpu${GPU_TYPE:+ Type=$GPU_TYPE} File=$BASE/dev/gpu[0-$((GPUS - 1))]"
  } > "$BASE/etc/gres.conf"
  echo "# empty: no cgroups" > "$BASE/etc/cgroup.conf"
}

# ---------------------------------------------------------------------------------------------
# start / stop / status

do_start() {
  command -v slurmctld >/dev/null || die "Slurm is not installed; run: $0 install"
  write_config
  export SLURM_CONF=$CONF

  # munge with its own key and socket under $BASE; --force because it runs as root
  [ -s "$BASE/munge/munge.key" ] || dd if=/dev/urandom of="$BASE/munge/munge.key" bs=1 count=1024 status=none
  chmod 400 "$BASE/munge/munge.key"
  if ! pid_alive "$BASE/run/munged.pid"; then
    munged --force --socket="$SOCK" --key-file="$BASE/munge/munge.key" \
      --pid-file="$BASE/run/munged.pid" --log-file="$BASE/log/munged.log" \
      --seed-file="$BASE/munge/munged.seed"
  fi
  local i st=""
  for i in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
  munge -n -S "$SOCK" | unmunge -S "$SOCK" >/dev/null || { cat "$BASE/log/munged.log" >&2; die "munge does not work"; }

  # -c: ignore saved state from an earlier run (a clean cluster each time); -i: ignore state errors
  pid_alive "$BASE/run/slurmctld.pid" || slurmctld -c -i
  pid_alive "$BASE/run/slurmd.pid" || slurmd -N "$NODE"

  # wait (at most 30 s) until the node is usable; fail at once when a daemon died (e.g. a fatal
  # configuration error: slurmctld daemonizes before it reads everything)
  local t0=$SECONDS
  while [ $((SECONDS - t0)) -lt 30 ]; do
    sleep 0.2
    pid_alive "$BASE/run/slurmctld.pid" && pid_alive "$BASE/run/slurmd.pid" || { st="(daemon exited)"; break; }
    st=$(timeout 5 sinfo -h -N -n "$NODE" -o %T 2>/dev/null | head -1 || true)
    case "$st" in
      idle*|mixed*|allocated*)
        log "node $NODE is $st after $((SECONDS - t0))s (partitions gpu, efficient; $GPUS fake GPUs)"
        echo "export SLURM_CONF=$CONF"
        return 0 ;;
    esac
  done
  tail -n 5 "$BASE/log/slurmctld.log" "$BASE/log/slurmd.log" >&2
  die "node $NODE did not become idle (state '$st'); logs in $BASE/log"
}

stop_pidfile() { # NAME PIDFILE
  if pid_alive "$2"; then
    local p i
    p=$(cat "$2")
    kill "$p"
    for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then kill -9 "$p"; log "killed $1 ($p)"; else log "stopped $1 ($p)"; fi
  fi
  rm -f "$2"
}

do_stop() {
  export SLURM_CONF=$CONF
  # cancel jobs first so that their slurmstepd processes end with them
  if [ -f "$CONF" ] && pid_alive "$BASE/run/slurmctld.pid"; then
    scancel --quiet --full --user=root 2>/dev/null || true
    local i
    for i in $(seq 50); do
      [ -z "$(squeue -h -t RUNNING,SUSPENDED,COMPLETING,CONFIGURING -o %i 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  stop_pidfile slurmd "$BASE/run/slurmd.pid"
  stop_pidfile slurmctld "$BASE/run/slurmctld.pid"
  stop_pidfile munged "$BASE/run/munged.pid"
  local left
  left=$(for name in slurmstepd slurmd slurmctld slurmscriptd munged; do pgrep -a -x "$name"; done || true)
  [ -z "$left" ] || log "warning: still running (not started by this script's PID files?):"$'\n'"$left"
}

do_status() {
  export SLURM_CONF=$CONF
  local d
  for d in munged slurmctld slurmd; do
    if pid_alive "$BASE/run/$d.pid"; then echo "$d: running (pid $(cat "$BASE/run/$d.pid"))"; else echo "$d: stopped"; fi
  done
  if pid_alive "$BASE/run/slurmctld.pid"; then sinfo; squeue; fi
}

# ---------------------------------------------------------------------------------------------
# selftest: the operations Watt's Slurm adapter relies on, on a started cluster

do_selftest() {
  export SLURM_CONF=$CONF
  pid_alive "$BASE/run/slurmctld.pid" || die "the cluster is not started; run: $0 start"
  local pass=0 fail=0 j1 j2 j3 t0 sq si
  ok() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }
  jst() { squeue -h -j "$1" -o "$2" 2>/dev/null; }
  wait_for() { local i; for i in $(seq "${2:-100}"); do eval "$1" && return 0; sleep 0.2; done; return 1; }
  cd "$BASE/jobs"

  j1=$(sbatch --parsable -o /dev/null -p gpu --gres=gpu:1 --comment=watt:flexible -J t1 --wrap 'sleep 300')
  j2=$(sbatch --parsable -o /dev/null -p gpu --gres=gpu:1 -J t2 --wrap 'sleep 300')
  j3=$(sbatch --parsable -o /dev/null -p gpu --gres=gpu:1 -J t3 --wrap 'sleep 300')
  ok "two gpu jobs run, the third pends" \
    "wait_for '[ \"\$(jst $j1 %T)\$(jst $j2 %T)\$(jst $j3 %T)\" = RUNNINGRUNNINGPENDING ]'"
  # (kept in variables, not piped into grep -q: SIGPIPE + pipefail)
  sq=$(squeue --json); si=$(sinfo --json)
  ok "squeue --json has the comment and the gres" \
    "grep -q '\"comment\": \"watt:flexible\"' <<<\"\$sq\" && grep -q 'gres:gpu:1' <<<\"\$sq\""
  ok "sinfo --json shows the GPUs in use" "grep -q '\"gres_used\": \"gpu:$GPUS' <<<\"\$si\""
  scontrol update JobId="$j3" Partition=efficient
  ok "move a pending job to efficient" "[ \"\$(jst $j3 %P)\" = efficient ]"
  scontrol hold "$j3";    ok "hold"    "[ \"\$(jst $j3 %r)\" = JobHeldAdmin ]"
  scontrol release "$j3"; ok "release" "[ \"\$(jst $j3 %r)\" != JobHeldAdmin ]"
  scontrol update JobId="$j3" TimeLimit=00:10:00 Nice=100
  ok "time limit + nice" "[ \"\$(jst $j3 %l/%y)\" = 10:00/100 ]"
  scontrol update JobId="$j3" Priority=5; ok "priority" "[ \"\$(jst $j3 %Q)\" = 5 ]"
  scontrol suspend "$j2"; ok "suspend" "wait_for '[ \"\$(jst $j2 %T)\" = SUSPENDED ]' 25"
  scontrol resume "$j2";  ok "resume"  "wait_for '[ \"\$(jst $j2 %T)\" = RUNNING ]' 25"
  scontrol requeue "$j1"; ok "requeue -> pending" "wait_for '[ \"\$(jst $j1 %T)\" = PENDING ]' 25"
  scancel "$j1" "$j2" "$j3"
  wait_for '[ -z "$(squeue -h -t RUNNING,COMPLETING -o %i)" ]' 100 || true

  scontrol update NodeName="$NODE" State=DRAIN Reason=selftest
  ok "drain" "sinfo -h -N -p gpu -o %T | grep -q -E 'drain'"
  scontrol update NodeName="$NODE" State=RESUME
  ok "undrain" "wait_for '[ \"\$(sinfo -h -N -p gpu -o %T)\" = idle ]' 50"

  t0=$(date +%s); scontrol update NodeName="$NODE" State=POWER_DOWN
  ok "power down (idle~)" "wait_for '[ \"\$(sinfo -h -N -p gpu -o %T)\" = idle~ ]' 150"
  echo "     took $(( $(date +%s) - t0 ))s"
  t0=$(date +%s); j1=$(sbatch --parsable -o /dev/null -p gpu --wrap 'sleep 1')
  ok "a job on the powered-down node resumes it and runs" \
    "wait_for '[ \"\$(jst $j1 %T)\" = RUNNING ] || [ -z \"\$(jst $j1 %T)\" ]' 300"
  echo "     took $(( $(date +%s) - t0 ))s"
  ok "power log has suspend + resume" "grep -q suspend $BASE/log/power.log && grep -q resume $BASE/log/power.log"
  scancel "$j1" 2>/dev/null || true

  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
}

# ---------------------------------------------------------------------------------------------

usage() { echo "usage: $0 install|start|stop|restart|status|env|selftest" >&2; exit 2; }

case "${1:-}" in
  install)  require_root install;  do_install ;;
  start)    require_root start;    do_start ;;
  stop)     require_root stop;     do_stop ;;
  restart)  require_root restart;  do_stop; do_start ;;
  selftest) require_root selftest; do_selftest ;;
  status)   do_status ;;
  env)      echo "export SLURM_CONF=$CONF" ;;
  *)        usage ;;
esac
