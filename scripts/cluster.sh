#!/usr/bin/env bash
# scripts/cluster.sh — the multi-server setups gormup's cluster tests run on,
# all on loopback and all under one directory, away from the machine's default
# PostgreSQL (5432) and MariaDB (3306), which this script never touches:
#
#   PostgreSQL 15 primary       127.0.0.1:5440
#   PostgreSQL 15 hot standby   127.0.0.1:5441  (streaming replication)
#   MariaDB Galera node 1..3    127.0.0.1:3311..3313  (gcomm 4570/4580/4590,
#                               IST +1, SST +2)
#
# Usage (as root):
#   scripts/cluster.sh start          create what is missing and start everything (idempotent)
#   scripts/cluster.sh stop           stop everything started here (default servers untouched)
#   scripts/cluster.sh status         print the state of each server; exit 1 if one is down
#   scripts/cluster.sh env            print export lines for GORMUP_TEST_PG_STANDBY,
#                                     GORMUP_TEST_GALERA and GORMUP_TEST_GALERA_CONTROL
#   scripts/cluster.sh kill-node N    SIGKILL Galera node N (1..3), as a crash would
#   scripts/cluster.sh stop-node N    shut Galera node N down cleanly
#   scripts/cluster.sh start-node N   start Galera node N and wait until it is synced
#
# GORMUP_CLUSTER_DIR overrides the directory (default /var/tmp/gormup-cluster).
# Every wait is bounded; a failure prints the tail of the relevant log.
set -euo pipefail

DIR=${GORMUP_CLUSTER_DIR:-/var/tmp/gormup-cluster}
PGBIN=${GORMUP_PGBIN:-/usr/lib/postgresql/15/bin}
PGDIR=$DIR/pg
GDIR=$DIR/galera
PG_PRIMARY_PORT=5440
PG_STANDBY_PORT=5441
GALERA_PROVIDER=/usr/lib/galera/libgalera_smm.so
GCOMM=gcomm://127.0.0.1:4570,127.0.0.1:4580,127.0.0.1:4590
SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

log() { printf '[cluster] %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# wait_until SECONDS WHAT CMD... runs CMD every half second until it succeeds.
wait_until() {
	local secs=$1 what=$2
	shift 2
	local i
	for ((i = 0; i < secs * 2; i++)); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.5
	done
	log "$what: not reached within ${secs}s"
	return 1
}

need_root() { [ "$(id -u)" -eq 0 ] || die "run as root (it starts servers as the postgres and mysql users)"; }

# ---------------------------------------------------------------- packages

ensure_packages() {
	local missing=() p
	for p in galera-4 rsync; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	if [ ! -x "$PGBIN/postgres" ]; then missing+=(postgresql-15); fi
	if ! command -v mariadbd >/dev/null 2>&1; then missing+=(mariadb-server); fi
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
	[ -f "$GALERA_PROVIDER" ] || die "$GALERA_PROVIDER missing after installing galera-4"
}

# ---------------------------------------------------------------- PostgreSQL

pg() { runuser -u postgres -- "$@"; }

pg_running() { [ -f "$1/postmaster.pid" ] && pg "$PGBIN/pg_ctl" -D "$1" status >/dev/null 2>&1; }

pg_ready() { "$PGBIN/pg_isready" -h 127.0.0.1 -p "$1" -q; }

pg_fail() { # pg_fail NAME
	tail -n 20 "$PGDIR/$1.log" >&2 2>/dev/null || true
	die "PostgreSQL $1 did not start"
}

pg_start_one() { # pg_start_one NAME PORT
	local d=$PGDIR/$1
	if pg_running "$d"; then return 0; fi
	log "starting PostgreSQL $1 on port $2"
	pg "$PGBIN/pg_ctl" -D "$d" -l "$PGDIR/$1.log" -w -t 90 start >/dev/null || pg_fail "$1"
	wait_until 60 "PostgreSQL $1 accepting connections" pg_ready "$2" || pg_fail "$1"
}

pg_start() {
	install -d -o postgres -g postgres -m 0700 "$PGDIR"
	if [ ! -f "$PGDIR/primary/PG_VERSION" ]; then
		log "creating PostgreSQL primary in $PGDIR/primary"
		rm -rf "$PGDIR/primary" "$PGDIR/standby" "$PGDIR/standby.ok"
		pg "$PGBIN/initdb" -D "$PGDIR/primary" -A trust -U postgres >/dev/null
		cat >>"$PGDIR/primary/postgresql.conf" <<-EOF
			# gormup cluster.sh
			port = $PG_PRIMARY_PORT
			listen_addresses = '127.0.0.1'
			unix_socket_directories = '$PGDIR'
			wal_level = replica
			max_wal_senders = 5
			wal_keep_size = 256MB
			hot_standby_feedback = on
			max_connections = 200
			shared_buffers = 64MB
			fsync = off
		EOF
		echo "host replication all 127.0.0.1/32 trust" >>"$PGDIR/primary/pg_hba.conf"
	fi
	pg_start_one primary $PG_PRIMARY_PORT
	if ! pg "$PGBIN/psql" -h 127.0.0.1 -p $PG_PRIMARY_PORT -U postgres -d postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
		pg "$PGBIN/psql" -h 127.0.0.1 -p $PG_PRIMARY_PORT -U postgres -d postgres -qc 'CREATE DATABASE test'
	fi
	if [ ! -f "$PGDIR/standby.ok" ]; then
		log "creating PostgreSQL standby in $PGDIR/standby (pg_basebackup)"
		rm -rf "$PGDIR/standby"
		pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p $PG_PRIMARY_PORT -U postgres -D "$PGDIR/standby" -R -X stream -c fast
		cat >>"$PGDIR/standby/postgresql.conf" <<-EOF
			# gormup cluster.sh: standby
			port = $PG_STANDBY_PORT
		EOF
		touch "$PGDIR/standby.ok"
	fi
	pg_start_one standby $PG_STANDBY_PORT
	wait_until 60 "standby in recovery" sh -c \
		"$PGBIN/psql -h 127.0.0.1 -p $PG_STANDBY_PORT -U postgres -d postgres -tAc 'SELECT pg_is_in_recovery()' | grep -q t" ||
		pg_fail standby
	wait_until 60 "standby streaming from the primary" sh -c \
		"$PGBIN/psql -h 127.0.0.1 -p $PG_PRIMARY_PORT -U postgres -d postgres -tAc \"SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'\" | grep -qv '^0$'" ||
		pg_fail standby
}

pg_stop() {
	local n
	for n in standby primary; do
		if pg_running "$PGDIR/$n"; then
			log "stopping PostgreSQL $n"
			pg "$PGBIN/pg_ctl" -D "$PGDIR/$n" -m fast -w -t 60 stop >/dev/null
		fi
	done
}

# ---------------------------------------------------------------- Galera

gport() { echo $((3310 + $1)); }    # client port of node N
gbase() { echo $((4560 + 10 * $1)); } # gcomm base port of node N: 4570, 4580, 4590
gnode() { echo "$GDIR/n$1"; }

gpid() { # prints the pid of node N if it runs: the mariadbd started with its my.cnf
	local cnf p
	cnf=$(gnode "$1")/my.cnf
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = /usr/sbin/mariadbd ] || continue
		if tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qxF -- "--defaults-file=$cnf"; then
			echo "${p#/proc/}"
			return 0
		fi
	done
	return 1
}

gsql() { # gsql N SQL
	mariadb --no-defaults --socket="$(gnode "$1")/mariadbd.sock" -uroot -N -B -e "$2"
}

gstatus() { gsql "$1" "SHOW STATUS LIKE '$2'" 2>/dev/null | awk '{print $2}'; }

gsynced() { [ "$(gstatus "$1" wsrep_local_state_comment)" = Synced ] && [ "$(gstatus "$1" wsrep_ready)" = ON ]; }

gconfigure() { # writes node N's my.cnf (always, so that edits here take effect)
	local n=$1 d base
	d=$(gnode "$n")
	base=$(gbase "$n")
	install -d -o mysql -g mysql -m 0750 "$d" "$d/data"
	cat >"$d/my.cnf" <<-EOF
		# gormup cluster.sh: Galera node $n
		[mysqld]
		user = mysql
		datadir = $d/data
		socket = $d/mariadbd.sock
		pid-file = $d/mariadbd.pid
		log-error = $d/error.log
		port = $(gport "$n")
		bind-address = 127.0.0.1
		max_connections = 300
		binlog_format = ROW
		default_storage_engine = InnoDB
		innodb_autoinc_lock_mode = 2
		innodb_buffer_pool_size = 64M
		innodb_log_file_size = 48M
		innodb_flush_log_at_trx_commit = 0
		wsrep_on = ON
		wsrep_provider = $GALERA_PROVIDER
		wsrep_cluster_name = gormup
		wsrep_cluster_address = $GCOMM
		wsrep_node_address = 127.0.0.1
		wsrep_node_name = n$n
		wsrep_provider_options = "gmcast.listen_addr=tcp://127.0.0.1:$base;ist.recv_addr=127.0.0.1:$((base + 1));base_port=$base;gcache.size=64M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT6S"
		wsrep_sst_method = rsync
		wsrep_sst_receive_address = 127.0.0.1:$((base + 2))
		wsrep_slave_threads = 2
	EOF
	chown mysql:mysql "$d/my.cnf"
	if [ ! -d "$d/data/mysql" ]; then
		log "initialising Galera node $n in $d/data"
		mariadb-install-db --defaults-file="$d/my.cnf" --auth-root-authentication-method=normal \
			--skip-test-db >"$d/install.log" 2>&1 || {
			tail -n 20 "$d/install.log" >&2
			die "mariadb-install-db failed for node $n"
		}
	fi
}

gfail() { # gfail N WHAT
	tail -n 30 "$(gnode "$1")/error.log" >&2 2>/dev/null || true
	die "Galera node $1: $2"
}

glaunch() { # glaunch N [--wsrep-new-cluster]
	local n=$1 d
	d=$(gnode "$n")
	shift
	log "starting Galera node $n on port $(gport "$n") $*"
	install -d -o mysql -g mysql /run/mysqld
	setsid /usr/sbin/mariadbd --defaults-file="$d/my.cnf" "$@" </dev/null >>"$d/stdout.log" 2>&1 &
	disown || true
}

gwait_synced() { # gwait_synced N SECONDS
	wait_until "$2" "Galera node $1 synced" gsynced "$1" || gfail "$1" "not synced within $2s"
}

gseqno() { sed -n 's/^seqno:[[:space:]]*//p' "$(gnode "$1")/data/grastate.dat" 2>/dev/null || echo -1; }

gsafe() { grep -q '^safe_to_bootstrap:[[:space:]]*1' "$(gnode "$1")/data/grastate.dat" 2>/dev/null; }

# gbootstrap_node picks the node to bootstrap a fully stopped cluster from:
# the one marked safe_to_bootstrap, else the highest seqno, else node 1 — and
# marks it safe. A test cluster prefers coming back over waiting for an operator.
gbootstrap_node() {
	local n best=1 bestseq=-2 s
	for n in 1 2 3; do
		if gsafe "$n"; then
			echo "$n"
			return
		fi
	done
	for n in 1 2 3; do
		s=$(gseqno "$n")
		s=${s:--1}
		if [ "$s" -gt "$bestseq" ]; then
			best=$n
			bestseq=$s
		fi
	done
	local f
	f=$(gnode "$best")/data/grastate.dat
	if [ -f "$f" ]; then
		sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$f"
	fi
	echo "$best"
}

galera_start() {
	install -d -o mysql -g mysql -m 0750 "$GDIR"
	local n running=()
	for n in 1 2 3; do gconfigure "$n"; done
	for n in 1 2 3; do
		if gpid "$n" >/dev/null; then running+=("$n"); fi
	done
	if [ ${#running[@]} -eq 0 ]; then
		local b
		b=$(gbootstrap_node)
		glaunch "$b" --wsrep-new-cluster
		gwait_synced "$b" 120
		running=("$b")
	fi
	for n in 1 2 3; do
		if ! gpid "$n" >/dev/null; then
			glaunch "$n"
			gwait_synced "$n" 180
		fi
	done
	for n in 1 2 3; do gwait_synced "$n" 120; done
	wait_until 60 "Galera cluster size 3" sh -c "[ \"\$(mariadb --no-defaults --socket=$(gnode 1)/mariadbd.sock -uroot -N -B -e \"SHOW STATUS LIKE 'wsrep_cluster_size'\" | awk '{print \$2}')\" = 3 ]" ||
		die "Galera cluster did not reach 3 nodes"
	gsql 1 'CREATE DATABASE IF NOT EXISTS test'
}

gstop_node() { # gstop_node N [SIGNAL]
	local n=$1 sig=${2:-TERM} pid
	pid=$(gpid "$n") || return 0
	log "stopping Galera node $n (SIG$sig, pid $pid)"
	kill -s "$sig" "$pid"
	wait_until 90 "Galera node $n exit" sh -c "! kill -0 $pid" || {
		log "node $n still running: SIGKILL"
		kill -s KILL "$pid" 2>/dev/null || true
		wait_until 10 "Galera node $n exit" sh -c "! kill -0 $pid"
	}
}

galera_stop() {
	local n
	# Node 1 stops last, so its grastate.dat says safe_to_bootstrap: 1.
	for n in 3 2 1; do gstop_node "$n"; done
}

check_node_arg() {
	case "${1:-}" in
	1 | 2 | 3) ;;
	*) die "node must be 1, 2 or 3 (got '${1:-}')" ;;
	esac
}

# ---------------------------------------------------------------- commands

cmd_env() {
	local p="host=127.0.0.1 user=postgres dbname=test sslmode=disable"
	printf "export GORMUP_TEST_PG_STANDBY='%s port=%s|%s port=%s'\n" "$p" $PG_PRIMARY_PORT "$p" $PG_STANDBY_PORT
	printf "export GORMUP_TEST_GALERA='%s|%s|%s'\n" \
		"root@tcp(127.0.0.1:3311)/test?parseTime=true" \
		"root@tcp(127.0.0.1:3312)/test?parseTime=true" \
		"root@tcp(127.0.0.1:3313)/test?parseTime=true"
	printf "export GORMUP_TEST_GALERA_CONTROL='%s'\n" "$SELF"
}

cmd_status() {
	local ok=0 n pid
	for n in primary standby; do
		if pg_running "$PGDIR/$n"; then
			log "PostgreSQL $n: running"
		else
			log "PostgreSQL $n: stopped"
			ok=1
		fi
	done
	for n in 1 2 3; do
		if pid=$(gpid "$n"); then
			log "Galera node $n: running (pid $pid, $(gstatus "$n" wsrep_local_state_comment), cluster size $(gstatus "$n" wsrep_cluster_size))"
		else
			log "Galera node $n: stopped"
			ok=1
		fi
	done
	return $ok
}

main() {
	local cmd=${1:-}
	case "$cmd" in
	start)
		need_root
		ensure_packages
		pg_start
		galera_start
		log "up: PostgreSQL $PG_PRIMARY_PORT/$PG_STANDBY_PORT, Galera 3311-3313"
		;;
	stop)
		need_root
		galera_stop
		pg_stop
		;;
	status) cmd_status ;;
	env) cmd_env ;;
	kill-node)
		need_root
		check_node_arg "${2:-}"
		gstop_node "$2" KILL
		;;
	stop-node)
		need_root
		check_node_arg "${2:-}"
		gstop_node "$2" TERM
		;;
	start-node)
		need_root
		check_node_arg "${2:-}"
		gconfigure "$2"
		if ! gpid "$2" >/dev/null; then
			local n others=0
			for n in 1 2 3; do
				if [ "$n" != "$2" ] && gpid "$n" >/dev/null; then others=1; fi
			done
			if [ $others -eq 0 ]; then
				galera_start
				return
			fi
			glaunch "$2"
		fi
		gwait_synced "$2" 180
		;;
	*)
		sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
		exit 2
		;;
	esac
}

main "$@"
