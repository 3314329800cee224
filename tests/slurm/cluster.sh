#!/usr/bin/env bash
# cluster.sh - a real single-machine Slurm cluster in a private folder, for foldfit's tests
# (tests/cli/slurm.sh). Nothing outside DIR is configured or written: munged with its own key
# and socket, MariaDB with its own data folder, socket and port, slurmdbd, slurmctld and one
# slurmd (this machine, its CPUs and RealMemory from `slurmd -C`, counted GPUs
# gpu:a100:2,gpu:h100:2 without device files, so no GPU is needed), partitions cpu and gpu,
# ports that were free. Run as root (the daemons run as SlurmUser=root).
#
#   cluster.sh start DIR [OWNER_PID]   start everything, wait until the node is idle and
#                                      accounting answers; writes DIR/env (SLURM_CONF=...).
#                                      With OWNER_PID, a watchdog stops the cluster once that
#                                      process is gone (a test killed by a timeout).
#   cluster.sh stop DIR                cancel the jobs, stop every daemon it started, wait.
#   cluster.sh check                   exit 0 if every program the cluster needs is here and we
#                                      are root; else say what is missing and exit 77.
#
# start exits 0 when the cluster is up, 77 when a program is missing or we are not root,
# 1 when a daemon did not come up (the cluster is stopped again and its logs printed).
set -euo pipefail

programs=(munged mungekey mariadb-install-db mariadbd mariadb slurmdbd slurmctld slurmd sacctmgr sbatch sacct squeue
  sinfo scontrol scancel python3 setsid)

log() { echo "cluster.sh: $*" >&2; }

check() {
  local missing=() p
  for p in "${programs[@]}"; do
    command -v "$p" > /dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$p" > /dev/null 2>&1 || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "missing: ${missing[*]} (Debian 12: apt-get install slurm-wlm slurmdbd munge mariadb-server; scripts/setup.sh)"
    return 77
  fi
  if [ "$(id -u)" != 0 ]; then
    log "the test cluster's daemons run as root; run as root"
    return 77
  fi
}

free_ports() {  # N distinct TCP ports that nothing listens on now
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# wait_for SECONDS WHAT CMD...: runs CMD every 0.5 s until it succeeds.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local end=$((SECONDS + seconds))
  until "$@" > /dev/null 2>&1; do
    if ((SECONDS >= end)); then
      log "$what did not come up within $seconds s"
      return 1
    fi
    sleep 0.5
  done
}

# daemon NAME CMD...: starts CMD (in the foreground mode of the daemon) in the background,
# output to DIR/log/NAME.out, its pid to DIR/pid/NAME.
daemon() {
  local name=$1
  shift
  "$@" > "$D/log/$name.out" 2>&1 < /dev/null &
  echo $! > "$D/pid/$name"
}

alive() { [ -f "$D/pid/$1" ] && kill -0 "$(cat "$D/pid/$1")" 2> /dev/null; }

show_logs() {
  local f
  for f in "$D"/log/*; do
    [ -s "$f" ] || continue
    echo "--- $f (last lines)" >&2
    tail -n 25 "$f" >&2
  done
}

# slurmstepd processes of this cluster's jobs: they outlive slurmd; found by their sockets
# in this cluster's spool folder.
stepds() {
  local p
  for p in $(pgrep -x slurmstepd || true); do
    if ls -l "/proc/$p/fd" 2> /dev/null | grep -qF -- "$D/spool"; then echo "$p"; fi
  done
}

stop() {
  [ -d "$D/pid" ] || return 0
  if [ -f "$D/env" ] && alive slurmctld; then
    # shellcheck disable=SC1091
    (source "$D/env" && scancel --full --quiet --user=root 2> /dev/null || true
     end=$((SECONDS + 30))
     while ((SECONDS < end)) && [ -n "$(squeue -h -o %i 2> /dev/null)" ]; do sleep 0.5; done)
  fi
  local name pid end
  for name in watchdog slurmd slurmctld slurmdbd mariadbd munged; do
    [ -f "$D/pid/$name" ] || continue
    pid=$(cat "$D/pid/$name")
    if [ "$name" = watchdog ] && [ "$pid" = "${WATCHDOG_SELF:-}" ]; then rm -f "$D/pid/$name"; continue; fi
    if kill -0 "$pid" 2> /dev/null; then
      kill -TERM "$pid" 2> /dev/null || true
      end=$((SECONDS + 30))
      while kill -0 "$pid" 2> /dev/null && ((SECONDS < end)); do sleep 0.2; done
      if kill -0 "$pid" 2> /dev/null; then
        log "$name (pid $pid) did not stop within 30 s: killing it"
        kill -KILL "$pid" 2> /dev/null || true
      fi
    fi
    rm -f "$D/pid/$name"
  done
  for pid in $(stepds); do
    log "slurmstepd $pid of this cluster outlived slurmd: killing it"
    kill -KILL "$pid" 2> /dev/null || true
  done
}

start() {
  check || return $?
  export PATH=$PATH:/usr/sbin:/sbin
  mkdir -p "$D"
  D=$(cd "$D" && pwd)
  mkdir -p "$D"/{etc,log,pid,munge,db,state,spool,run}
  chmod 711 "$D" "$D/munge"
  local host ports ctld_port slurmd_port dbd_port db_port
  host=$(hostname -s)
  read -r ctld_port slurmd_port dbd_port db_port <<< "$(free_ports 4)"

  # munge: its own key and socket.
  local sock=$D/munge/munge.socket
  mungekey --create --keyfile="$D/munge/munge.key" --force
  daemon munged munged --foreground --force --socket="$sock" --key-file="$D/munge/munge.key" \
    --pid-file="$D/munge/munged.pid" --log-file="$D/log/munged.log" --seed-file="$D/munge/munged.seed"
  wait_for 20 munged munge --socket="$sock" --no-input || return 1

  # MariaDB: its own data folder, socket and port; a user for slurmdbd over TCP.
  mariadb-install-db --no-defaults --datadir="$D/db/data" --user=root --auth-root-authentication-method=socket \
    --skip-test-db > "$D/log/mariadb-install.out" 2>&1 || { log "mariadb-install-db failed"; return 1; }
  daemon mariadbd mariadbd --no-defaults --datadir="$D/db/data" --socket="$D/db/mysqld.sock" --port="$db_port" \
    --bind-address=127.0.0.1 --user=root --pid-file="$D/db/mariadbd.pid" --log-error="$D/log/mariadbd.log" \
    --skip-name-resolve --innodb-buffer-pool-size=32M --innodb-log-file-size=16M --skip-log-bin
  wait_for 60 mariadbd mariadb --no-defaults --socket="$D/db/mysqld.sock" -uroot -e 'SELECT 1' || return 1
  mariadb --no-defaults --socket="$D/db/mysqld.sock" -uroot -e \
    "CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY 'foldfit-test-only'; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';"

  # Slurm: slurm.conf, gres.conf and slurmdbd.conf side by side (slurmd and slurmdbd look for
  # theirs beside SLURM_CONF).
  local cpus mem node_line hardware
  node_line=$(slurmd -C | head -n 1)
  hardware=$(sed -n 's/^NodeName=[^ ]* \(CPUs=.*RealMemory=[0-9]*\).*/\1/p' <<< "$node_line")
  cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<< "$node_line")
  mem=$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<< "$node_line")
  [ -n "$cpus" ] && [ -n "$mem" ] && [ -n "$hardware" ] || { log "cannot read CPUs and RealMemory from slurmd -C: $node_line"; return 1; }
  echo "$cpus" > "$D/node_cpus"
  echo "$mem" > "$D/node_mem_mb"
  cat > "$D/etc/slurm.conf" <<CONF
ClusterName=foldfit-test
# By address, so that the test needs no name resolution of this host.
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/run/slurmctld.pid
SlurmdPidFile=$D/run/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$dbd_port
# The munge socket for slurmdbd connections (the default one, /run/munge, is not ours).
AccountingStoragePass=$sock
AccountingStorageTRES=gres/gpu,gres/gpu:a100,gres/gpu:h100
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=600
# A task past its --time is killed 5 s after SIGTERM (30 by default).
KillWait=5
MaxArraySize=1001
GresTypes=gpu
NodeName=$host NodeAddr=127.0.0.1 $hardware Gres=gpu:a100:2,gpu:h100:2 State=UNKNOWN
PartitionName=cpu Nodes=$host Default=YES MaxTime=1-00:00:00 State=UP
PartitionName=gpu Nodes=$host MaxTime=1-00:00:00 State=UP
CONF
  # Slurm 22.05 drops GPUs without device files (even with Flags=CountOnly), so each GPU is
  # a "device" that is /dev/null: a character device, nothing is opened, no GPU needed.
  # Slurm numbers them from the file names (CUDA_VISIBLE_DEVICES in the jobs).
  local i
  mkdir -p "$D/dev"
  for i in 0 1 2 3; do ln -sfn /dev/null "$D/dev/nvidia$i"; done
  cat > "$D/etc/gres.conf" <<CONF
AutoDetect=off
NodeName=$host Name=gpu Type=a100 File=$D/dev/nvidia[0-1]
NodeName=$host Name=gpu Type=h100 File=$D/dev/nvidia[2-3]
CONF
  cat > "$D/etc/slurmdbd.conf" <<CONF
AuthType=auth/munge
AuthInfo=socket=$sock
DbdHost=localhost
DbdPort=$dbd_port
SlurmUser=root
PidFile=$D/run/slurmdbd.pid
LogFile=$D/log/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$db_port
StorageUser=slurm
StoragePass=foldfit-test-only
StorageLoc=slurm_acct_db
CONF
  chmod 600 "$D/etc/slurmdbd.conf"
  export SLURM_CONF=$D/etc/slurm.conf
  printf 'export SLURM_CONF=%q\nexport PATH=$PATH:/usr/sbin:/sbin\n' "$SLURM_CONF" > "$D/env"

  daemon slurmdbd slurmdbd -D
  wait_for 30 slurmdbd sacctmgr -n list cluster || return 1
  sacctmgr -i add cluster foldfit-test > "$D/log/sacctmgr.out" 2>&1 || { log "sacctmgr add cluster failed"; return 1; }
  daemon slurmctld slurmctld -D -i
  wait_for 60 slurmctld scontrol ping || return 1
  daemon slurmd slurmd -D
  wait_for 90 "the node $host (idle in sinfo)" node_idle "$host" || { scontrol show node "$host" >&2; return 1; }
  wait_for 30 "accounting (sacct)" sacct -n -X -a || return 1
  if [ -n "${OWNER:-}" ]; then
    setsid bash "$0" watch "$D" "$OWNER" > "$D/log/watchdog.out" 2>&1 < /dev/null &
    echo $! > "$D/pid/watchdog"
  fi
}

node_idle() {
  [ "$(sinfo -h -n "$1" -o %T 2> /dev/null | sort -u)" = idle ] || return 1
  # slurmd registered the configured GPUs: both Gres types, two of each.
  scontrol show node "$1" | grep -q "Gres=gpu:a100:2,gpu:h100:2"
}

cmd=${1:-}
case "$cmd" in
  check)
    check
    ;;
  start)
    D=${2:?usage: cluster.sh start DIR [OWNER_PID]}
    OWNER=${3:-}
    rc=0
    start || rc=$?
    if [ "$rc" != 0 ] && [ "${CLUSTER_KEEP_ON_FAILURE:-0}" != 1 ]; then
      if [ "$rc" != 77 ]; then show_logs; fi
      stop
    fi
    exit "$rc"
    ;;
  stop)
    D=${2:?usage: cluster.sh stop DIR}
    D=$(cd "$D" 2> /dev/null && pwd) || exit 0
    [ -f "$D/env" ] && source "$D/env"
    stop
    ;;
  watch)  # internal: the watchdog
    D=$2
    while kill -0 "$3" 2> /dev/null; do sleep 2; done
    [ -d "$D/pid" ] || exit 0
    log "process $3 is gone: stopping the cluster in $D"
    [ -f "$D/env" ] && source "$D/env"
    WATCHDOG_SELF=$$ stop
    ;;
  *)
    echo "usage: cluster.sh start DIR [OWNER_PID] | stop DIR | check" >&2
    exit 2
    ;;
esac
